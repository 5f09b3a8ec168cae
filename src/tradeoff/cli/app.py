"""The `tradeoff` command line: parse flags, call the library, pick a renderer, write the output.

Start-up time counts here (issue 3): modules only some commands need are imported inside them,
and annotations are not postponed (no `from __future__ import annotations`), because typer would
otherwise evaluate every annotation string of every command on each run.
"""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

import tradeoff
from tradeoff.cli import check as cli_check
from tradeoff.cli import goals_file as cli_goals_file
from tradeoff.cli import plot as cli_plot
from tradeoff.cli.common import DEFAULT_FILE, fail, out_of_memory, user_errors, warn
from tradeoff.cli.flags import (
    EngineName,
    EngineOpt,
    MetricsOpt,
    MissingOpt,
    MissingPolicy,
    PassAllOpt,
    PassTopOpt,
    SchedulerOpt,
    UncertaintyOpt,
    parse_metrics,
    parse_target,
)
from tradeoff.cli.groups import DrawsFlags, GoalsFlags, OutputFlags, WeighingFlags, with_flags

DECIDE = "Decide"
GATE = "Gate (CI)"
FILE = "The goals file"
Command = Callable[..., None]

app = typer.Typer(
    name="tradeoff",
    help="Choose which LLM (or deployment of one) to ship, from one goals.yaml.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def command(panel: str, name: str | None = None) -> Callable[[Command], Command]:
    """Register a command in the `--help` panel `panel`, with its flag groups' flags in the
    places of its group parameters (`groups.with_flags`)."""

    def register(function: Command) -> Command:
        app.command(name=name, rich_help_panel=panel)(with_flags(function))
        return function

    return register


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


@command(DECIDE)
def rank(
    *,
    goals: GoalsFlags,
    weighing: WeighingFlags,
    top: Annotated[int | None, typer.Option("--top", min=1, help="Show the best N.")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Also list infeasible candidates with their violations.")
    ] = False,
    metrics: MetricsOpt = None,
    missing: MissingOpt = MissingPolicy.error,
    uncertainty: UncertaintyOpt = False,
    draws: DrawsFlags,
    engine: EngineOpt = EngineName.default,
    scheduler: SchedulerOpt = None,
    fdr: Annotated[
        float,
        typer.Option(
            "--fdr",
            help="False discovery rate of the significance groups (Benjamini-Hochberg).",
        ),
    ] = 0.05,
    out: OutputFlags,
) -> None:
    """Rank the feasible candidates, best first, and show who dominates whom.

    Example: tradeoff rank goals.yaml --profile batch --format markdown
    """
    with user_errors():
        study = goals.open(engine, scheduler)
        result = study.rank_result(
            **weighing,
            top=top,
            include_infeasible=all_,
            metrics=parse_metrics(metrics),
            missing=missing.value,
            uncertainty=uncertainty,
            **draws,
            fdr=fdr,
        )
        if engine is EngineName.dask:  # known once every partition was read
            warn(study.warnings)
    out.write("rank", result, goals.inputs(study))


@command(DECIDE)
def pareto(
    *,
    goals: GoalsFlags,
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
    out: OutputFlags,
) -> None:
    """Show the non-dominated feasible candidates, mark the knee, and measure the front's
    hypervolume.

    Example: tradeoff pareto goals.yaml --metrics quality,cost --layers
    """
    from tradeoff.questions.volume import parse_reference_flags

    with user_errors():
        study = goals.open(engine, scheduler)
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
    out.write("pareto", result, goals.inputs(study))


@command(DECIDE)
def explain(
    *,
    name: Annotated[str, typer.Argument(help="The candidate to explain.")],
    goals: GoalsFlags,
    weighing: WeighingFlags,
    metrics: MetricsOpt = None,
    missing: MissingOpt = MissingPolicy.error,
    uncertainty: UncertaintyOpt = False,
    draws: DrawsFlags,
    out: OutputFlags,
    _top: PassTopOpt = None,
    _all: PassAllOpt = False,
) -> None:
    """Explain one candidate: contributions to its score, budgets, and who dominates it.

    Example: tradeoff explain gpt-4o-2024-05-13@azure goals.yaml --profile batch
    """
    file = goals.path
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
        study = goals.load()
        result = study.explain_result(
            name,
            **weighing,
            metrics=parse_metrics(metrics),
            missing=missing.value,
            uncertainty=uncertainty,
            **draws,
        )
    out.write("explain", result, goals.inputs(study))


@command(DECIDE)
def compare(
    *,
    a: Annotated[str, typer.Argument(help="The first candidate (A).")],
    b: Annotated[str, typer.Argument(help="The second candidate (B).")],
    goals: GoalsFlags,
    items: Annotated[
        int, typer.Option("--items", min=0, help="List the first N items that flipped.")
    ] = 10,
    missing: MissingOpt = MissingPolicy.error,
    draws: DrawsFlags,
    out: OutputFlags,
) -> None:
    """Compare two candidates per goal: A - B, 95% interval, p-value, paired where logs allow.

    Example: tradeoff compare model-a model-b examples/paired-evidence/goals.yaml --items 5
    """
    with user_errors():
        study = goals.load()
        result = study.compare_result(a, b, items=items, missing=missing.value, **draws)
    from tradeoff.render.compare import RENDERERS as COMPARE

    out.write("compare", result, goals.inputs(study), COMPARE)


@command(DECIDE)
def frontier(
    *,
    goals: GoalsFlags,
    x: Annotated[
        str, typer.Option("--x", help="Additive metric on the x axis (e.g. cost).")
    ] = "cost",
    y: Annotated[str, typer.Option("--y", help="Additive metric on the y axis.")] = "quality",
    target: Annotated[
        str | None,
        typer.Option("--target", help="METRIC=VALUE on y: the cheapest mix that reaches it."),
    ] = None,
    missing: MissingOpt = MissingPolicy.error,
    out: OutputFlags,
) -> None:
    """Show what routing traffic between two models achieves (the convex hull of the candidates).

    Both metrics must be `additive: true` (cost per request, mean accuracy, energy per request).
    Example: tradeoff frontier goals.yaml --x cost --y quality --target quality=75
    """
    from tradeoff.render.frontier import RENDERERS

    goal = parse_target(target)
    with user_errors():
        study = goals.load()
        result = study.frontier_result(x, y, goal, missing.value)
    out.write("frontier", result, goals.inputs(study), RENDERERS)


@command(DECIDE)
def sensitivity(
    *,
    goals: GoalsFlags,
    weighing: WeighingFlags,
    metrics: MetricsOpt = None,
    missing: MissingOpt = MissingPolicy.error,
    draws: DrawsFlags,
    out: OutputFlags,
    _top: PassTopOpt = None,
    _all: PassAllOpt = False,
) -> None:
    """Show how far each weight can move before the winner changes (and SMAA-2 shares).

    For each metric, the interval of its weight over which the winner stays first and who leads
    past each end; then how often each candidate takes each rank under random weights.

    Example: tradeoff sensitivity goals.yaml --profile batch
    """
    from tradeoff.render.sensitivity import RENDERERS

    with user_errors():
        study = goals.load()
        result = study.sensitivity_result(
            **weighing, metrics=parse_metrics(metrics), missing=missing.value, **draws
        )
    out.write("sensitivity", result, goals.inputs(study), RENDERERS)


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


command(GATE, "suggest-budgets")(cli_check.suggest_budgets)
command(FILE)(cli_goals_file.validate)
command(FILE)(cli_goals_file.schema)
command(FILE)(cli_goals_file.init)
command(GATE, "check")(cli_check.check)
command(DECIDE, "plot")(cli_plot.plot)
