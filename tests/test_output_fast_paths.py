"""Output written fast at scale (issues 12 and 17): every shortcut against the general path.

The escapes of `render.escape` and the big-table layout take shortcuts that read a whole text
or column at once; each test here gives the shortcut and the general path the same tricky input
(`::` at a line's start, line breaks, control and bidi characters, wide and accented letters,
cells starting with `=`, long names that wrap) and wants the same text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tradeoff
from tradeoff.render import escape

# Characters the escapes care about, and a few they do not.
TRICKY = st.sampled_from(
    [
        ":", "::", " ", "  ", "\t", "\n", "\r", "\x0b", "\x1c", "\x1b", "\x00", "\x7f",
        "\x85", "\xa0", "\u2028", "\u202e", "\u200f", "a", "Z", "0", "-", "=", "+", "@",
        "[", "]", "(", "!", "|", "\\", "<", "é", "漢", "😀", '"', ",",
    ]
)  # fmt: skip
TEXT = st.lists(TRICKY, max_size=40).map("".join)
_COMMAND_START = re.compile(r"^(\s*)::", re.MULTILINE)


def _log_lines_by_regex(text: str, colored: bool) -> str:
    """`log_lines` as the regexes say it (what it was before the shortcuts)."""
    if not colored:
        text = escape._CONTROL_KEEP_LINES.sub(escape._visible, text)
    return _COMMAND_START.sub(r"\1\\::", text)


@settings(max_examples=600, deadline=None)
@given(TEXT, st.booleans())
def test_log_lines_equals_its_regexes(text: str, colored: bool) -> None:
    assert escape.log_lines(text, colored=colored) == _log_lines_by_regex(text, colored)


def test_log_lines_on_the_cases_that_matter() -> None:
    cases = {
        "  ::error::x\nok\n::w\x07": "  \\::error::x\nok\n\\::w\\x07",
        "a ::b\n \t::c::d\n\n\n  ::e": "a ::b\n \t\\::c::d\n\n\n  \\::e",
        "::::": "\\::::",
        "\x0b::": "\\x0b::",  # the escape is not a blank: the line no longer starts with ::
        "\xa0::x\u2028::y": "\xa0\\::x\u2028::y",  # only \n starts a line, as rich writes them
    }
    for text, want in cases.items():
        assert escape.log_lines(text) == want == _log_lines_by_regex(text, False)


# JSON as our encoders write it: json.dumps with indent and ensure_ascii=False, whose strings may
# hold anything a name or a note could.
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUE, st.integers(0, 200), st.booleans(), st.booleans())
def test_json_lines_equals_log_lines_on_json_text(
    value: object, cut: int, compact: bool, colored: bool
) -> None:
    text = json.dumps(value, ensure_ascii=False, indent=None if compact else 2)
    # Written in pieces: a piece's start is judged as a line's, wherever the cut falls.
    for piece in (text, text[:cut], text[cut:], "  " + text, "\n" + text):
        assert escape.json_lines(piece, colored=colored) == escape.log_lines(piece, colored=colored)


def test_json_lines_judges_a_pieces_start() -> None:
    assert escape.json_lines('  ::error::x "a"') == '  \\::error::x "a"'
    assert escape.json_lines('"\x7f"') == '"\\x7f"'
    assert escape.json_lines('"\u202e"') == '"\\u202e"'
    assert escape.json_lines('"\x7f"', colored=True) == '"\x7f"'


def test_rank_rows_built_in_blocks_equal_rows_built_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table iterates `RankResult.rows`, which builds them a block at a time (reading the
    arrays once a block); indexing builds one. Both give the same records, in order."""
    from tradeoff.questions import results

    monkeypatch.setattr(results, "_BLOCK", 3)
    names = ["b", "a-1", "::x", "漢字", "c", "d e", "=f", "g", "h"]
    rows = "".join(
        f"{n},{1 + k % 4},{'' if k == 5 else 9 - k},{k * 0.5}\n" for k, n in enumerate(names)
    )
    (tmp_path / "t.csv").write_text("name,q,c,m\n" + rows, encoding="utf-8")
    path = tmp_path / "goals.yaml"
    path.write_text(
        "version: 1\nmetrics:\n  q: {direction: max}\n  c: {direction: min}\n"
        "  m: {direction: min}\nbudgets:\n  m: {max: 3.5}\ncandidates:\n  - from: t.csv\n",
        encoding="utf-8",
    )
    study = tradeoff.load(path)
    by_index = study.rank_result(missing="worst")
    one_by_one = [by_index.rows[k] for k in range(len(by_index.rows))]
    iterated = study.rank_result(missing="worst")
    first = iterated.rows[4]  # built before the iteration: the same record comes back
    assert list(iterated.rows) == one_by_one
    assert list(iterated.rows)[4] is first
    assert len(one_by_one) == 8 and one_by_one[0].rank == 1
    assert any(r.filled for r in one_by_one) and any(r.dominated_by for r in one_by_one)


@settings(max_examples=400, deadline=None)
@given(st.lists(TEXT, max_size=6))
def test_markdown_cells_escape_as_markdown_does(cells: list[str]) -> None:
    assert list(escape.markdown_cells(cells)) == [escape.markdown(c) for c in cells]


def _csv_text_cell_by_cell(header: list[object], rows: list[list[object]]) -> str:
    """`csv_text` as it was written before its column shortcut: a row at a time."""
    import csv
    import io

    buf = io.StringIO()
    for row in (header, *rows):
        cells = [escape.csv_cell(c) for c in row]
        quote = bool(cells) and isinstance(cells[0], str) and cells[0].lstrip().startswith("::")
        csv.writer(
            buf, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC if quote else csv.QUOTE_MINIMAL
        ).writerow(cells)
    return buf.getvalue()


CSV_CELL = TEXT | st.integers() | st.floats(allow_nan=False) | st.sampled_from(["-5", "+1e3", "=1"])


@settings(max_examples=400, deadline=None)
@given(
    st.integers(0, 4).flatmap(
        lambda n: st.lists(st.lists(CSV_CELL, min_size=n, max_size=n), min_size=1, max_size=8)
    )
)
def test_csv_text_by_columns_equals_cell_by_cell(table: list[list[object]]) -> None:
    header, *rows = table
    assert escape.csv_text(header, rows) == _csv_text_cell_by_cell(header, rows)


WORD = st.text("abcdefg-", min_size=1, max_size=12) | st.sampled_from(["é", "漢字", "x" * 20])
WORDS = st.lists(WORD, min_size=1, max_size=12)


@settings(max_examples=1000, deadline=None)
@given(WORDS, st.sampled_from([" ", " ", "  "]), st.integers(4, 40), st.booleans())
def test_a_footnote_wraps_as_rich_wraps_it(
    words: list[str], space: str, width: int, edges: bool
) -> None:
    """`plain_text_line` (its shortcut for single-spaced words among them) against rich."""
    import io

    from rich.console import Console
    from rich.text import Text

    from tradeoff.render.bulk_text import plain_text_line

    text = space.join(words)
    text = f" {text} " if edges else text
    line = plain_text_line(text, width)
    buf = io.StringIO()
    Console(file=buf, width=width, no_color=True, highlight=False).print(Text(text))
    if line is not None:
        rich = "\n".join(x.rstrip(" ") for x in buf.getvalue().split("\n"))
        assert "\n".join(x.rstrip(" ") for x in line.split("\n")) == rich
    else:  # left to rich: a word longer than the line (it folds it), wide characters
        assert edges or space != " " or any(len(w) > width for w in words) or "漢" in text


def test_a_footnote_breaks_where_a_word_ends_at_the_width() -> None:
    from tradeoff.render.bulk_text import plain_text_line

    assert plain_text_line("abcde fghij klm", 11) == "abcde fghij\nklm\n"
    assert plain_text_line("abcdefghij klm", 10) == "abcdefghij\nklm\n"
    assert plain_text_line("abcdefghijk lm", 10) is None


NUMBER = (
    st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(-(10**20), 10**20)
    | st.sampled_from([None, 1e-4, 0.99995e-4, 999.95, 999.949, 1000.0, 9999.5, 0.0, -0.0])
    | st.floats(1e-5, 2e3)
)


@settings(max_examples=600, deadline=None)
@given(st.lists(NUMBER, max_size=8))
def test_values_formatted_at_once_as_one_by_one(values: list[float | None]) -> None:
    from tradeoff.render.fmt import fmt, fmt_values

    assert fmt_values(values) == [fmt(v) for v in values]
