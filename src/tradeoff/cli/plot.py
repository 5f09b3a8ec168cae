"""The `tradeoff plot` command. Registered on the app at the bottom of cli/app.py.

plotext and matplotlib are imported only when this command runs, so other commands start fast.
Annotations are not postponed, as in cli/app.py: typer reads them faster that way.
"""

import importlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypedDict

import typer

from tradeoff.cli.common import (
    DEFAULT_FILE,
    emit,
    fail,
    not_an_input,
    save,
    say,
    use_color,
    user_errors,
)
from tradeoff.cli.flags import AllowExternalOpt, FileArg, MissingOpt, MissingPolicy
from tradeoff.cli.groups import Goals, Group

INSTALL_HINT = "pip install 'matplotlib>=3.8' (the project's `plot` extra)"


class Scatter(TypedDict):
    """The scatter plot's flags, as `Study.plot_data` takes them (`--parallel` takes none)."""

    x: str
    y: str
    log_x: bool
    log_y: bool
    mix: bool
    ignore_budgets: bool


def scatter_flags(
    x: Annotated[str, typer.Option("--x", help="Metric on the x axis.")] = "cost",
    y: Annotated[str, typer.Option("--y", help="Metric on the y axis.")] = "quality",
    log_x: Annotated[bool, typer.Option("--log-x", help="Logarithmic x axis.")] = False,
    log_y: Annotated[bool, typer.Option("--log-y", help="Logarithmic y axis.")] = False,
    mix: Annotated[
        bool,
        typer.Option("--mix", help="Draw the mixture frontier (both metrics must be additive)."),
    ] = False,
    ignore_budgets: Annotated[
        bool, typer.Option("--ignore-budgets", help="Take infeasible candidates into the front.")
    ] = False,
) -> Scatter:
    return Scatter(x=x, y=y, log_x=log_x, log_y=log_y, mix=mix, ignore_budgets=ignore_budgets)


def plot(
    *,
    file: FileArg = DEFAULT_FILE,
    scatter: Annotated[Scatter, Group(scatter_flags)],
    parallel: Annotated[
        bool,
        typer.Option(
            "--parallel",
            help="Every goal (or --metrics) as a parallel axis, better end up, in a figure "
            "file (-o); for more than two goals.",
        ),
    ] = False,
    metrics: Annotated[
        str | None,
        typer.Option("--metrics", help="With --parallel: the goals to draw, a,b,c (default all)."),
    ] = None,
    missing: MissingOpt = MissingPolicy.error,
    allow_external: AllowExternalOpt = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write a figure (.png, .svg or .pdf; needs matplotlib) instead of drawing in "
            "the terminal.",
        ),
    ] = None,
) -> None:
    """Plot the candidates on two metrics: the Pareto front, its knee, infeasible ones.

    In the terminal by default; -o front.png (or .svg, .pdf) writes a figure for a report;
    --parallel draws every goal as a parallel axis instead.
    Example: tradeoff plot goals.yaml --x cost --y quality --log-x -o front.png
    """
    goals = Goals(file, allow_external)
    if parallel:
        _parallel(goals, output, metrics, missing, scatter)
        return
    if metrics is not None:
        fail("--metrics goes with --parallel (a scatter plot shows --x and --y)")
    fmt = _figure_format(output) if output is not None else None
    if fmt is not None:
        _need("matplotlib", f"plotting to a file needs matplotlib: {INSTALL_HINT}")
    else:
        _need("plotext", f"plotting in the terminal needs plotext: {INSTALL_HINT}")
    with user_errors():
        study = goals.load()
        data = study.plot_data(**scatter, missing=missing.value)
    for note in data.notes:
        say(f"note: {note}")
    if output is None or fmt is None:
        from tradeoff.render.terminal_plot import render_terminal

        size = shutil.get_terminal_size()  # honours COLUMNS and LINES
        height = max(14, min(size.lines - 6, 32))
        with _drawable():
            text = render_terminal(data, max(40, size.columns), height, use_color())
        emit(text, None)
        return
    from tradeoff.render.figure import save_figure

    not_an_input(output, goals.inputs(study))
    with _drawable():
        save(output, lambda fh: save_figure(data, fh, fmt))
    say(f"wrote {output}")


def _parallel(
    goals: Goals, output: Path | None, metrics: str | None, missing: MissingPolicy, scatter: Scatter
) -> None:
    if scatter["mix"] or scatter["log_x"] or scatter["log_y"]:
        fail("--mix, --log-x and --log-y draw the scatter plot, not --parallel")
    if output is None:
        fail("--parallel draws a figure file: give -o FILE.png (or .svg, .pdf)")
    fmt = _figure_format(output)
    _need("matplotlib", f"plotting to a file needs matplotlib: {INSTALL_HINT}")
    with user_errors():
        study = goals.load()
        data = study.parallel_data(metrics, missing=missing.value)
    for note in data.notes:
        say(f"note: {note}")
    from tradeoff.render.parallel import save_parallel

    not_an_input(output, goals.inputs(study))
    with _drawable():
        save(output, lambda fh: save_parallel(data, fh, fmt))
    say(f"wrote {output}")


def _figure_format(path: Path) -> str:
    ext = path.suffix.lower().lstrip(".")
    if ext not in ("png", "svg", "pdf"):
        got = f"'.{ext}'" if ext else "no extension"
        fail(f"--output: the figure format comes from the extension: .png, .svg or .pdf, got {got}")
    return ext


def _need(module: str, message: str) -> None:
    try:
        importlib.import_module(module)
    except ImportError:
        fail(message)


@contextmanager
def _drawable() -> Iterator[None]:
    """The plotting libraries fail on values near the float limit (1e308 and 1e-308 on one
    axis): say so, instead of their traceback."""
    try:
        yield
    except (ValueError, OverflowError, ZeroDivisionError) as exc:
        fail(f"cannot draw these values ({exc}): they span more than the plot can scale")
