"""The `tradeoff` command line: parse flags, call the library, pick a renderer, write the output.

Start-up time counts here (issue 3): modules only some commands need are imported inside them,
and annotations are not postponed (no `from __future__ import annotations`), because typer would
otherwise evaluate every annotation string of every command on each run.
"""

import math
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

import tradeoff
from tradeoff.cli import check as cli_check
from tradeoff.cli import goals_file as cli_goals_file
from tradeoff.cli import plot as cli_plot
from tradeoff.cli.common import (
    COLOR_ROWS,
    DECIDE,
    DEFAULT_FILE,
    FILE,
    GATE,
    AllowExternalOpt,
    EngineName,
    EngineOpt,
    FileArg,
    FormatOpt,
    MethodName,
    MethodOpt,
    MetricsOpt,
    MissingOpt,
    MissingPolicy,
    OutputFormat,
    OutputOpt,
    PassAllOpt,
    PassTopOpt,
    ProfileOpt,
    SamplesOpt,
    SchedulerOpt,
    SeedOpt,
    UncertaintyOpt,
    WeightOpt,
    collector_paused,
    emit,
    emit_chunks,
    fail,
    load_study,
    not_an_input,
    open_study,
    out_of_memory,
    parse_metrics,
    parse_weights,
    say,
    shown_rows,
    terminal_width,
    use_color,
    user_errors,
    warn,
)
from tradeoff.questions.draws import DEFAULT_SAMPLES
from tradeoff.questions.record import JsonResult

app = typer.Typer(
    name="tradeoff",
    help="Choose which LLM (or deployment of one) to ship, from one goals.yaml.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"tradeoff {tradeoff.__version__}\n")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool | None,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Show the version."
        ),
    ] = None,
) -> None:
    """Choose which LLM (or deployment of one) to ship, from one goals.yaml.

    Budgets filter, the Pareto front shows what is worth considering, profiles weigh the goals,
    and `check` fails CI when a shipped candidate breaks a budget.
    """
    from tradeoff import inputs

    inputs.reset()


@app.command(rich_help_panel=DECIDE)
def rank(
    file: FileArg = DEFAULT_FILE,
    allow_external: AllowExternalOpt = False,
    profile: ProfileOpt = None,
    weight: WeightOpt = None,
    method: MethodOpt = MethodName.weighted_sum,
    top: Annotated[int | None, typer.Option("--top", min=1, help="Show the best N.")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Also list infeasible candidates with their violations.")
    ] = False,
    metrics: MetricsOpt = None,
    missing: MissingOpt = MissingPolicy.error,
    uncertainty: UncertaintyOpt = False,
    samples: SamplesOpt = DEFAULT_SAMPLES,
    seed: SeedOpt = 0,
    engine: EngineOpt = EngineName.default,
    scheduler: SchedulerOpt = None,
    fdr: Annotated[
        float,
        typer.Option(
            "--fdr",
            help="False discovery rate of the significance groups (Benjamini-Hochberg).",
        ),
    ] = 0.05,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Rank the feasible candidates, best first, and show who dominates whom.

    Example: tradeoff rank goals.yaml --profile batch --format markdown
    """
    weights = parse_weights(weight)
    with user_errors():
        study = open_study(file, allow_external, engine, scheduler)
        result = study.rank_result(
            profile=profile,
            weights=weights,
            method=method.value,
            top=top,
            include_infeasible=all_,
            metrics=parse_metrics(metrics),
            missing=missing.value,
            uncertainty=uncertainty,
            samples=samples,
            seed=seed,
            fdr=fdr,
        )
        if engine is EngineName.dask:  # known once every partition was read
            warn(study.warnings)
    _emit_result("rank", result, fmt, output, [file, *study.files_read])


@app.command(rich_help_panel=DECIDE)
def pareto(
    file: FileArg = DEFAULT_FILE,
    allow_external: AllowExternalOpt = False,
    metrics: MetricsOpt = None,
    layers: Annotated[
        bool, typer.Option("--layers", help="List every candidate with its layer (1 = front).")
    ] = False,
    ignore_budgets: Annotated[
        bool, typer.Option("--ignore-budgets", help="Consider infeasible candidates too.")
    ] = False,
    noise: Annotated[
        float | None,
        typer.Option(
            "--noise",
            min=0,
            help="K: dominate only by more than K combined standard errors on some metric.",
        ),
    ] = None,
    reference: Annotated[
        list[str] | None,
        typer.Option(
            "--reference",
            metavar="METRIC=V",
            help="The hypervolume's reference point on METRIC (repeatable); default: the "
            "loosest budget, else 10 % past the worst value.",
        ),
    ] = None,
    missing: MissingOpt = MissingPolicy.error,
    engine: EngineOpt = EngineName.default,
    scheduler: SchedulerOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Show the non-dominated feasible candidates, mark the knee, and measure the front's
    hypervolume.

    Example: tradeoff pareto goals.yaml --metrics quality,cost --layers
    """
    from tradeoff.questions.volume import parse_reference_flags

    with user_errors():
        study = open_study(file, allow_external, engine, scheduler)
        result = study.pareto_result(
            metrics=parse_metrics(metrics),
            layers=layers,
            ignore_budgets=ignore_budgets,
            missing=missing.value,
            noise=noise,
            reference=parse_reference_flags(reference or []),
        )
        if engine is EngineName.dask:  # known once every partition was read
            warn(study.warnings)
    _emit_result("pareto", result, fmt, output, [file, *study.files_read])


@app.command(rich_help_panel=DECIDE)
def explain(
    name: Annotated[str, typer.Argument(help="The candidate to explain.")],
    file: FileArg = DEFAULT_FILE,
    allow_external: AllowExternalOpt = False,
    profile: ProfileOpt = None,
    weight: WeightOpt = None,
    method: MethodOpt = MethodName.weighted_sum,
    metrics: MetricsOpt = None,
    missing: MissingOpt = MissingPolicy.error,
    uncertainty: UncertaintyOpt = False,
    samples: SamplesOpt = DEFAULT_SAMPLES,
    seed: SeedOpt = 0,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    _top: PassTopOpt = None,
    _all: PassAllOpt = False,
) -> None:
    """Explain one candidate: contributions to its score, budgets, and who dominates it.

    Example: tradeoff explain gpt-4o-2024-05-13@azure goals.yaml --profile batch
    """
    weights = parse_weights(weight)
    if name.lower().endswith((".yaml", ".yml")) and file == DEFAULT_FILE and not file.exists():
        fail(
            f"{file}: no such file (the candidate's name comes first: tradeoff explain NAME {name})"
        )
    if file != DEFAULT_FILE and not file.exists() and Path(name).is_file():
        # `explain FILE NAME`: the two are swapped.
        fail(
            f"{file}: no such file; the candidate's name comes first: "
            f"tradeoff explain {file} {name}"
        )
    with user_errors():
        study = load_study(file, allow_external)
        result = study.explain_result(
            name,
            profile=profile,
            weights=weights,
            method=method.value,
            metrics=parse_metrics(metrics),
            missing=missing.value,
            uncertainty=uncertainty,
            samples=samples,
            seed=seed,
        )
    _emit_result("explain", result, fmt, output, [file, *study.files_read])


@app.command(rich_help_panel=DECIDE)
def compare(
    a: Annotated[str, typer.Argument(help="The first candidate (A).")],
    b: Annotated[str, typer.Argument(help="The second candidate (B).")],
    file: FileArg = DEFAULT_FILE,
    allow_external: AllowExternalOpt = False,
    items: Annotated[
        int, typer.Option("--items", min=0, help="List the first N items that flipped.")
    ] = 10,
    samples: SamplesOpt = DEFAULT_SAMPLES,
    seed: SeedOpt = 0,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Compare two candidates per goal: A - B, 95% interval, p-value, paired where logs allow.

    Example: tradeoff compare model-a model-b examples/paired-evidence/goals.yaml --items 5
    """
    with user_errors():
        study = tradeoff.load(file, allow_external_sources=allow_external)
        result = study.compare_result(a, b, items=items, samples=samples, seed=seed)
    from tradeoff.render.compare import RENDERERS as COMPARE

    _emit_result("compare", result, fmt, output, [file, *study.files_read], COMPARE)


def _emit_result(
    command: str,
    result: object,
    fmt: OutputFormat,
    output: Path | None,
    read: list[Path],
    renderers: Mapping[str, Callable[[Any, bool, int], str]] | None = None,
) -> None:
    """Render with `renderers` (default: render.RENDERERS[command]), write, then print notes."""
    not_an_input(output, read)
    with collector_paused():
        if fmt is OutputFormat.json:
            # Every command's JSON is its result's own `to_json_text()` (each renderer table says
            # so too): no renderer is imported for it (rich's tables cost ~20 ms, issue 17).
            assert isinstance(result, JsonResult)
            chunks = getattr(result, "json_chunks", None)
            # Written as encoded (a million candidates in pieces), escaped as JSON is.
            emit_chunks(chunks() if chunks is not None else [result.to_json_text()], output)
        else:
            if renderers is None:
                from tradeoff.render.tables import RENDERERS

                renderers = RENDERERS[command]
            color = output is None and use_color() and fmt is OutputFormat.table
            if color and (rows := shown_rows(result)) > COLOR_ROWS:
                color = False
                say(f"note: {rows:,} rows, so no colour (rich would take tens of seconds)")
            emit(renderers[fmt.value](result, color, terminal_width()), output)
    for note in getattr(result, "notes", []):
        say(f"note: {note}")


def parse_target(value: str | None) -> tuple[str, float] | None:
    if value is None:
        return None
    metric, sep, number = value.partition("=")
    try:
        if not sep or not metric.strip():
            raise ValueError
        target = float(number)
    except ValueError:
        fail(f"--target expects METRIC=VALUE (e.g. quality=85), got '{value}'")
    if not math.isfinite(target):
        fail(f"--target needs a finite value, got '{number.strip()}'")
    return metric.strip(), target


@app.command(rich_help_panel=DECIDE)
def frontier(
    file: FileArg = DEFAULT_FILE,
    allow_external: AllowExternalOpt = False,
    x: Annotated[
        str, typer.Option("--x", help="Additive metric on the x axis (e.g. cost).")
    ] = "cost",
    y: Annotated[str, typer.Option("--y", help="Additive metric on the y axis.")] = "quality",
    target: Annotated[
        str | None,
        typer.Option("--target", help="METRIC=VALUE on y: the cheapest mix that reaches it."),
    ] = None,
    missing: MissingOpt = MissingPolicy.error,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Show what routing traffic between two models achieves (the convex hull of the candidates).

    Both metrics must be `additive: true` (cost per request, mean accuracy, energy per request).
    Example: tradeoff frontier goals.yaml --x cost --y quality --target quality=75
    """
    from tradeoff.render.frontier import RENDERERS

    goal = parse_target(target)
    with user_errors():
        study = load_study(file, allow_external)
        result = study.frontier_result(x, y, goal, missing.value)
    _emit_result("frontier", result, fmt, output, [file, *study.files_read], RENDERERS)


@app.command(rich_help_panel=DECIDE)
def sensitivity(
    file: FileArg = DEFAULT_FILE,
    allow_external: AllowExternalOpt = False,
    profile: ProfileOpt = None,
    weight: WeightOpt = None,
    method: MethodOpt = MethodName.weighted_sum,
    metrics: MetricsOpt = None,
    missing: MissingOpt = MissingPolicy.error,
    samples: SamplesOpt = DEFAULT_SAMPLES,
    seed: SeedOpt = 0,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    _top: PassTopOpt = None,
    _all: PassAllOpt = False,
) -> None:
    """Show how far each weight can move before the winner changes (and SMAA-2 shares).

    For each metric, the interval of its weight over which the winner stays first and who leads
    past each end; then how often each candidate takes each rank under random weights.

    Example: tradeoff sensitivity goals.yaml --profile batch
    """
    from tradeoff.render.sensitivity import RENDERERS

    weights = parse_weights(weight)
    with user_errors():
        study = load_study(file, allow_external)
        result = study.sensitivity_result(
            profile=profile,
            weights=weights,
            method=method.value,
            metrics=parse_metrics(metrics),
            missing=missing.value,
            samples=samples,
            seed=seed,
        )
    _emit_result("sensitivity", result, fmt, output, [file, *study.files_read], RENDERERS)


def main() -> None:
    """Entry point of the `tradeoff` console script.

    numpy's RuntimeWarnings (overflow near the float limit, say) are not for the user of a
    command: results stand on their own and say "-" where a number has no value.
    """
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)
    try:
        app()
    except MemoryError:  # anywhere: an input needing more memory than the process may have
        out_of_memory()


app.command(name="suggest-budgets", rich_help_panel=GATE)(cli_check.suggest_budgets)
app.command(rich_help_panel=FILE)(cli_goals_file.validate)
app.command(rich_help_panel=FILE)(cli_goals_file.schema)
app.command(rich_help_panel=FILE)(cli_goals_file.init)
app.command(name="check", rich_help_panel=GATE)(cli_check.check)
app.command(name="plot", rich_help_panel=DECIDE)(cli_plot.plot)
