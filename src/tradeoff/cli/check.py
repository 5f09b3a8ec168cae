"""The CI gate: `tradeoff check`, and `suggest-budgets`, which proposes budgets for it.

Registered on the app at the bottom of app.py. Annotations are not postponed, as in app.py:
typer reads them faster that way.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

import tradeoff
from tradeoff.cli.common import (
    DEFAULT_FILE,
    emit,
    not_an_input,
    reads_output,
    say,
    terminal_width,
    use_color,
    user_errors,
    warn,
)
from tradeoff.cli.flags import (
    AllowExternalOpt,
    MetricsOpt,
    MissingOpt,
    MissingPolicy,
    OutputOpt,
    parse_metrics,
)
from tradeoff.cli.groups import GoalsFlags
from tradeoff.errors import Diagnostic


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    junit = "junit"
    markdown = "markdown"


FilesArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Goals files (default: goals.yaml).", show_default=False),
]
CandidateOpt = Annotated[
    list[str] | None,
    typer.Option("--candidate", "-c", help="Check only this candidate (repeatable; default: all)."),
]
BaselineOpt = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        help="Fail on regressions against this `tradeoff pareto --layers --format json` output.",
        show_default=False,
    ),
]
ToleranceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tolerance",
        help="With --baseline: how much worse METRIC may get, METRIC=ABS or METRIC=PCT% "
        "(repeatable; default 0, or 2 stderr where the value has one).",
        show_default=False,
    ),
]
VolumeToleranceOpt = Annotated[
    str | None,
    typer.Option(
        "--hypervolume-tolerance",
        metavar="PCT%",
        help="With --baseline: fail when the front's hypervolume (measured with the baseline's "
        "goalposts and reference point) fell by more than PCT%.",
        show_default=False,
    ),
]
PessimisticOpt = Annotated[
    bool,
    typer.Option(
        "--pessimistic",
        help="Evaluate budgets at value ± 2 stderr, whichever side is worse.",
    ),
]
CheckFormatOpt = Annotated[
    CheckFormat,
    typer.Option("--format", "-f", help="text, json, github (annotations), junit or markdown."),
]


def check(
    files: FilesArg = None,
    candidate: CandidateOpt = None,
    fmt: CheckFormatOpt = CheckFormat.text,
    strict: Annotated[
        bool, typer.Option("--strict", help="Warn-level violations fail too (shown as errors).")
    ] = False,
    fail_on_dominated: Annotated[
        bool,
        typer.Option(
            "--fail-on-dominated",
            help="Fail when another feasible candidate dominates a checked one.",
        ),
    ] = False,
    metrics: MetricsOpt = None,
    missing: MissingOpt = MissingPolicy.error,
    baseline: BaselineOpt = None,
    hypervolume_tolerance: VolumeToleranceOpt = None,
    tolerance: ToleranceOpt = None,
    pessimistic: PessimisticOpt = False,
    allow_external: AllowExternalOpt = False,
    output: OutputOpt = None,
) -> None:
    """Check candidates against the budgets: exit 0 if none fails, 1 if one does, 2 on bad input.

    Budgets with `tags` apply only to tagged candidates; a missing value is a violation.

    Several files exit with the worst result. With --baseline (one file), a candidate of the
    baseline's front (or each --candidate) fails when it is gone, infeasible, off the front,
    or worse on a metric beyond its tolerance.

    Example: tradeoff check goals.yaml --candidate gpt-4o-2024-05-13@azure --format github

    Example: tradeoff check goals.yaml --baseline base.json --tolerance quality=1%
    """
    from tradeoff.render.check import CHECK_RENDERERS

    with user_errors(), _reported(fmt, output, [*(files or [DEFAULT_FILE]), baseline]):
        result = tradeoff.check_files(
            files or [DEFAULT_FILE],
            allow_external_sources=allow_external,
            candidates=candidate or None,
            strict=strict,
            fail_on_dominated=fail_on_dominated,
            metrics=parse_metrics(metrics),
            missing=missing.value,
            baseline=baseline,
            tolerances=tolerance or [],
            hypervolume_tolerance=hypervolume_tolerance,
            pessimistic=pessimistic,
        )
    warn(result.scale_warnings)
    color = output is None and use_color() and fmt is CheckFormat.text
    not_an_input(output, [*(files or [DEFAULT_FILE]), baseline, *result.read])
    emit(
        CHECK_RENDERERS[fmt.value](result, color, terminal_width()),
        output,
        commands=fmt is CheckFormat.github,
    )
    for note in result.notes:
        say(f"note: {note}")
    if result.errors:  # a file could not be read: the others' findings are out, now its errors
        from tradeoff.errors import InputError

        with user_errors():
            raise InputError(result.errors)
    if not result.passed:
        raise typer.Exit(code=1)


@contextmanager
def _reported(fmt: CheckFormat, output: Path | None, reads: list[Path | None]) -> Iterator[None]:
    """Bad input is also reported in the format CI reads: ::error annotations at the broken
    lines (github, on stdout), or a complete JUnit / JSON document of the problems (to --output
    or stdout), so a report consumer finds a report. Exit 2 and the messages on stderr stay."""
    from tradeoff.errors import InputError

    try:
        yield
    except InputError as exc:
        from tradeoff.render import check as render_check

        if fmt is CheckFormat.github:
            sys.stdout.write(render_check.github_problems(exc.diagnostics))
            sys.stdout.flush()
        elif fmt in (CheckFormat.junit, CheckFormat.json):
            if reads_output(output, reads):  # say why no report was written (issue 12)
                raise InputError([*exc.diagnostics, _not_written(output, fmt)]) from None
            render = (
                render_check.junit_problems
                if fmt is CheckFormat.junit
                else render_check.json_problems
            )
            emit(render(exc.diagnostics), output)
        raise


def _not_written(output: Path | None, fmt: CheckFormat) -> Diagnostic:
    """Why a report of the input errors was not written to --output: it names an input."""
    what = (
        f"the {fmt.value} report of these errors was not written: this file is one the run"
        " reads (a from: file of a goals file that failed to load, say); write it elsewhere"
    )
    return Diagnostic(str(output), 0, 0, "--output", what)


def suggest_budgets(
    *,
    goals: GoalsFlags,
    headroom: Annotated[
        str, typer.Option("--headroom", help="Slack beyond the worst feasible value: 25% or 0.25.")
    ] = "25%",
    output: OutputOpt = None,
) -> None:
    """Suggest budgets that every feasible candidate passes with some headroom, as YAML.

    Example: tradeoff suggest-budgets goals.yaml --headroom 25%
    """
    with user_errors():
        study = goals.load()
        result = study.suggest_budgets_result(headroom)
    not_an_input(output, goals.inputs(study))
    emit(result.to_yaml(), output)
