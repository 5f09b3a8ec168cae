"""The CLI's flag groups (cli/groups.py): a group's flags stand in its parameter's place, on the
command line and in --help, and the parameter receives what the group builds from them."""

import inspect
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from tradeoff.cli.groups import GoalsFlags, Group, with_flags


def _span(
    low: Annotated[int, typer.Option("--low", help="The low end.")] = 1,
    high: Annotated[int, typer.Option("--high", help="The high end.")] = 9,
) -> tuple[int, int]:
    return low, high


SpanFlags = Annotated[tuple[int, int], Group(_span)]


def test_a_groups_flags_stand_in_its_parameters_place() -> None:
    seen: list[tuple[str, tuple[int, int], bool]] = []

    def command(
        *,
        first: Annotated[str, typer.Option("--first", help="Before.")] = "a",
        span: SpanFlags,
        last: Annotated[bool, typer.Option("--last", help="After.")] = False,
    ) -> None:
        seen.append((first, span, last))

    spread = with_flags(command)
    assert list(inspect.signature(spread).parameters) == ["first", "low", "high", "last"]
    app = typer.Typer()
    app.command()(spread)
    result = CliRunner().invoke(app, ["--high", "5", "--last"])
    assert result.exit_code == 0, result.output
    assert seen == [("a", (1, 5), True)]
    shown = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1"}).invoke(app, ["--help"]).stdout
    places = [shown.index(flag) for flag in ("--first", "--low", "--high", "--last")]
    assert places == sorted(places)


def test_a_flag_name_taken_twice_fails_when_the_command_is_made() -> None:
    def command(*, goals: GoalsFlags, file: int = 0) -> None:
        """`goals` brings a FILE argument of its own."""

    with pytest.raises(ValueError, match="duplicate parameter name: 'file'"):
        with_flags(command)
