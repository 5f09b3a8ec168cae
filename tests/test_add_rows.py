"""render.layout.add_rows: the same table as rich's add_row, row by row, in one pass a column."""

from __future__ import annotations

import io

import pytest
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from tradeoff.render.layout import add_rows, plain_table


def _table() -> Table:
    table = plain_table()
    table.add_column("#", justify="right", width=3)
    table.add_column("name", overflow="fold", width=9)
    table.add_column("value", justify="right", width=6)
    return table


ROWS: list[list[RenderableType | None]] = [
    ["1", Text("alpha-long-name"), "0.5"],
    ["2", Text("beta", style="dim"), None],
    ["-", Text("gamma"), Text("bad", style="red")],
]


def _render(table: Table, color: bool) -> str:
    out = io.StringIO()
    console = Console(file=out, width=40, force_terminal=color)
    console.print(table)
    return out.getvalue()


@pytest.mark.parametrize("color", [False, True])
def test_add_rows_renders_what_add_row_does(color: bool) -> None:
    one, many = _table(), _table()
    for row in ROWS:
        one.add_row(*row)
    add_rows(many, ROWS)
    assert many.row_count == one.row_count == 3
    assert _render(many, color) == _render(one, color)


def test_add_rows_refuses_a_row_of_the_wrong_length() -> None:
    with pytest.raises(ValueError):
        add_rows(_table(), [["1", "x"]])
