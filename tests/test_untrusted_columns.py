"""Issue 12: a message quotes at most a short escaped excerpt of a column name.

A header is user text of any length (a CSV header cell may be megabytes); a header unit that
does not convert, or a cell that is not a number, names its column in a short excerpt.
"""

from __future__ import annotations

from pathlib import Path

from conftest import runner
from tradeoff.cli.app import app

LONG = "Q" * 250


def _validate(tmp_path: Path, header: str, cell: str) -> list[str]:
    (tmp_path / "t.csv").write_text(f'name,"{header}"\na,{cell}\n')
    (tmp_path / "g.yaml").write_text(
        "version: 1\nmetrics:\n  q: {direction: min, unit: ms}\n"
        f'candidates:\n  - from: t.csv\n    columns: {{q: "{header}"}}\n'
    )
    result = runner.invoke(app, ["validate", str(tmp_path / "g.yaml")])
    assert result.exit_code == 2
    return result.stderr.splitlines()


def test_a_header_unit_message_quotes_an_excerpt_of_the_header(tmp_path: Path) -> None:
    lines = _validate(tmp_path, f"{LONG} (parsec)", "1")
    assert len(lines) == 1
    assert f"t.csv column '{'Q' * 60}'…: unit 'parsec' for q:" in lines[0]
    assert "Q" * 61 not in lines[0]


def test_a_cell_message_quotes_an_excerpt_of_its_column(tmp_path: Path) -> None:
    lines = _validate(tmp_path, LONG, "abc")
    assert len(lines) == 1
    assert f"t.csv row 1, column '{'Q' * 60}'…: expected a finite number, got 'abc'" in lines[0]
    assert "Q" * 61 not in lines[0]


def test_a_short_plain_column_is_named_as_written(tmp_path: Path) -> None:
    lines = _validate(tmp_path, "P99 TTFT", "abc")
    assert "t.csv row 1, column P99 TTFT: expected a finite number, got 'abc'" in lines[0]
