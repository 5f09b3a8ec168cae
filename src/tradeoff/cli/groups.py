"""Flags that several commands take together, each group declared once with what it becomes.

A group is a function whose parameters are its flags and whose result is what a command works
with: `goals_flags` gives the `Goals` to load, `weighing_flags` the weights of a score,
`draws_flags` the Monte Carlo draws, `output_flags` where and how a result is written. A command
takes a group as a parameter annotated with it (`weighing: WeighingFlags`); `with_flags` puts
the group's flags into the command's signature in that parameter's place (so `--help` lists
them there) and builds the parameter from them before the command runs. A group one command
takes stands beside it (plot's `scatter_flags`).

No `from __future__ import annotations` here either: typer reads these annotations at run time.
"""

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

import typer

from tradeoff.cli.common import (
    COLOR_ROWS,
    DEFAULT_FILE,
    collector_paused,
    emit,
    emit_chunks,
    load_study,
    not_an_input,
    say,
    shown_rows,
    terminal_width,
    use_color,
)
from tradeoff.cli.flags import (
    AllowExternalOpt,
    EngineName,
    FileArg,
    MethodName,
    OutputFormat,
    OutputOpt,
    parse_weights,
)
from tradeoff.engine.methods import Method
from tradeoff.errors import UsageError
from tradeoff.questions.draws import DEFAULT_SAMPLES
from tradeoff.questions.record import JsonResult

if TYPE_CHECKING:
    from tradeoff.questions.distributed import DaskStudy
    from tradeoff.questions.study import Study


@dataclass(frozen=True)
class Goals:
    """The goals file a command reads, and whether its `from:` may leave the file's folder."""

    path: Path
    allow_external: bool

    def load(self) -> "Study":
        """The study; the values that look like another scale are warnings on stderr."""
        return load_study(self.path, self.allow_external)

    def open(self, engine: EngineName, scheduler: str | None) -> "Study | DaskStudy":
        """The study, for the chosen engine (dask is imported only for `--engine dask`)."""
        if engine is EngineName.dask:
            from tradeoff.questions.distributed import DaskStudy

            return DaskStudy.load(self.path, scheduler, allow_external_sources=self.allow_external)
        if scheduler is not None:
            raise UsageError("--scheduler goes with --engine dask")
        return self.load()

    def inputs(self, study: "Study | DaskStudy") -> list[Path]:
        """Every file the run read (this one and its `from:` files): --output may be none."""
        return [self.path, *study.files_read]


def goals_flags(file: FileArg = DEFAULT_FILE, allow_external: AllowExternalOpt = False) -> Goals:
    return Goals(file, allow_external)


class Weighing(TypedDict):
    """--profile, --weight and --method, as `Study`'s scoring questions take them."""

    profile: str | None
    weights: dict[str, float]
    method: Method


def weighing_flags(
    profile: Annotated[
        str | None,
        typer.Option("--profile", "-p", help="Weighting profile (default: 'default')."),
    ] = None,
    weight: Annotated[
        list[str] | None,
        typer.Option(
            "--weight", "-w", help="METRIC=W: change one weight of the profile (repeatable)."
        ),
    ] = None,
    method: Annotated[
        MethodName, typer.Option("--method", "-m", help="Scoring method.")
    ] = MethodName.weighted_sum,
) -> Weighing:
    return Weighing(profile=profile, weights=parse_weights(weight), method=method.value)


class Draws(TypedDict):
    """--samples and --seed: how many random draws to make, and the seed they come from."""

    samples: int
    seed: int


def draws_flags(
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            min=1,
            max=10_000_000,
            help="Monte Carlo draws (the confidence line under a plain table uses at most 4,000).",
        ),
    ] = DEFAULT_SAMPLES,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", min=0, max=2**63 - 1, help="Random seed (results are reproducible)."
        ),
    ] = 0,
) -> Draws:
    return Draws(samples=samples, seed=seed)


Renderers = Mapping[str, Callable[[Any, bool, int], str]]


@dataclass(frozen=True)
class ResultOutput:
    """--format and --output of a command whose result is a table, JSON, CSV or markdown."""

    fmt: OutputFormat
    path: Path | None

    def write(
        self, command: str, result: object, read: list[Path], renderers: Renderers | None = None
    ) -> None:
        """Render with `renderers` (default: render.RENDERERS[command]), write, then print
        notes. `read` are the files the run read, which --output may not name."""
        not_an_input(self.path, read)
        with collector_paused():
            if self.fmt is OutputFormat.json:
                # Every command's JSON is its result's own `to_json_text()` (each renderer table
                # says so too): no renderer is imported for it (rich's tables cost ~20 ms, issue
                # 17).
                assert isinstance(result, JsonResult)
                chunks = getattr(result, "json_chunks", None)
                # Written as encoded (a million candidates in pieces), escaped as JSON is.
                emit_chunks(chunks() if chunks is not None else [result.to_json_text()], self.path)
            else:
                if renderers is None:
                    from tradeoff.render.tables import RENDERERS

                    renderers = RENDERERS[command]
                color = self.path is None and use_color() and self.fmt is OutputFormat.table
                if color and (rows := shown_rows(result)) > COLOR_ROWS:
                    color = False
                    say(f"note: {rows:,} rows, so no colour (rich would take tens of seconds)")
                emit(renderers[self.fmt.value](result, color, terminal_width()), self.path)
        for note in getattr(result, "notes", []):
            say(f"note: {note}")


def output_flags(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table, json, csv or markdown.")
    ] = OutputFormat.table,
    output: OutputOpt = None,
) -> ResultOutput:
    return ResultOutput(fmt, output)


class Group:
    """`Annotated` metadata of a command parameter that `build` makes from its flags."""

    def __init__(self, build: Callable[..., object]) -> None:
        self.build = build


GoalsFlags = Annotated[Goals, Group(goals_flags)]
WeighingFlags = Annotated[Weighing, Group(weighing_flags)]
DrawsFlags = Annotated[Draws, Group(draws_flags)]
OutputFlags = Annotated[ResultOutput, Group(output_flags)]


def with_flags(command: Callable[..., None]) -> Callable[..., None]:
    """`command` as typer is to see it: each parameter annotated with a `Group` gives way to
    the group's flags, in its place, and receives what the group makes of them. (A group
    parameter has no default, so commands take their parameters keyword-only, after `*`.)
    A flag name taken twice fails here, at import."""
    params: list[inspect.Parameter] = []
    groups: dict[str, tuple[Callable[..., object], list[str]]] = {}
    for param in inspect.signature(command).parameters.values():
        group = next(
            (m for m in getattr(param.annotation, "__metadata__", ()) if isinstance(m, Group)), None
        )
        if group is None:
            params.append(param.replace(kind=inspect.Parameter.KEYWORD_ONLY))
            continue
        flags = inspect.signature(group.build).parameters.values()
        groups[param.name] = (group.build, [flag.name for flag in flags])
        params += [flag.replace(kind=inspect.Parameter.KEYWORD_ONLY) for flag in flags]

    @functools.wraps(command)
    def run(**kwargs: Any) -> None:
        for name, (build, flags) in groups.items():
            kwargs[name] = build(**{flag: kwargs.pop(flag) for flag in flags})
        command(**kwargs)

    run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    run.__annotations__ = {param.name: param.annotation for param in params}
    return run
