"""Large tables without colour, laid out here instead of by rich: the same text, in seconds.

rich lays out every cell of a table through its measuring and wrapping machinery: a `rank` table
of 100,000 candidates took minutes. Our tables give every column a fixed width, so a row whose
cells are plain one-line text that fits is just its cells padded to those widths and joined by
the one-space separator of `box.SIMPLE_HEAD`. Only such rows are laid out here; the header and
any row that wraps, or holds a wide or control character, still go through rich, as does every
table with fewer than FAST_ROWS rows, and anything in colour (tests compare both paths).
"""

from __future__ import annotations

import copy
import dataclasses
import io
import itertools
import re
from collections.abc import Iterator, Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

_WORD = re.compile(r"\s*\S+\s*")  # rich._wrap's word: the word and the blanks after it
FAST_ROWS = 200  # smaller tables go through rich whole (the docs' examples among them)


def fits(table: Table, width: int) -> bool:
    """Whether the table can be laid out here: big, fixed widths that fit `width`, no edges."""
    if (
        table.row_count < FAST_ROWS
        or table.show_edge
        or table.show_lines
        or table.padding
        != (
            0,
            0,
            0,
            0,
        )
    ):
        return False
    widths = [c.width for c in table.columns]
    if any(w is None for w in widths) or any(
        c.justify not in ("left", "right") or c.min_width or c.max_width for c in table.columns
    ):
        return False
    return sum(w for w in widths if w is not None) + len(widths) - 1 <= width


def write_table(console: Console, buf: io.StringIO, table: Table) -> None:
    """`console.print(table)` for a table that `fits`, into `buf` (the console's file)."""
    head = copy.copy(table)
    head.columns = [dataclasses.replace(c, _cells=[]) for c in table.columns]
    head.rows = []
    console.print(head)  # the header lines and the rule under them, as rich draws them
    for lines in _rows(console, table):
        buf.write(lines)


def _rows(console: Console, table: Table) -> Iterator[str]:
    # Column by column (a loop tuned for speed: it runs once per cell of a huge table).
    padded: list[list[str | None]] = []
    for c in table.columns:
        w = c.width or 0
        pad = str.rjust if c.justify == "right" else str.ljust
        texts = _texts(c._cells)
        if texts and None not in texts and max(map(len, texts)) <= w:  # type: ignore[arg-type]
            padded.append(list(map(pad, texts, itertools.repeat(w))))  # type: ignore[arg-type]
        else:
            padded.append([None if t is None or len(t) > w else pad(t, w) for t in texts])
    if not any(None in column for column in padded):  # every row laid out here: in one go
        lines = list(map(" ".join, zip(*padded, strict=True)))
        yield "\n".join(lines) + "\n" if lines else ""
        return
    for k, row in enumerate(zip(*padded, strict=True)):
        if None in row:
            yield _one_row(console, table, k)
        else:
            yield " ".join(row) + "\n"


def _texts(cells: Sequence[object]) -> list[str | None]:
    """`_plain` of every cell: at once for a column of plain one-line strings (numbers, most
    names), else cell by cell, looking once at a cell shared by many rows (a styled "yes")."""
    strings = [c for c in cells if type(c) is str]
    if strings and len(strings) == len(cells):
        blob = "\n".join(strings)
        if (
            "[" not in blob
            and blob.isascii()
            and blob.count("\n") == len(strings) - 1  # no line break inside a cell
            and blob.replace("\n", "").isprintable()
        ):
            return list(strings)
    seen: dict[int, str | None] = {}
    out = []
    for c in cells:
        key = id(c)
        if key not in seen:
            seen[key] = _plain(c)
        out.append(seen[key])
    return out


def _plain(cell: object) -> str | None:
    """The text of a cell that is plain, one line and printable; None for anything else (a
    `str` cell is rich markup, so one with `[` is left to rich)."""
    if isinstance(cell, Text):
        if cell.justify or cell.overflow:
            return None
        text = cell.plain
    elif isinstance(cell, str) and "[" not in cell:
        text = cell
    else:
        return None
    if not text.isprintable() or not (text.isascii() or cell_len(text) == len(text)):
        return None  # a control character, or a wide one: rich measures it
    return text


def plain_line(item: object, width: int) -> str | None:
    """A `Text` as `console.print` writes it without colour (trailing blanks aside) when it is
    plain printable text whose words all fit `width` (a footnote under a 100,000-row table):
    see `plain_text_line`. None for anything else."""
    if not isinstance(item, Text) or item.justify or item.overflow or item.end != "\n":
        return None
    return plain_text_line(item.plain, width)


def plain_text_line(text: str, width: int) -> str | None:
    """`Text(text)` as `console.print` writes it without colour (trailing blanks aside) when
    `text` is printable, one cell a character, and each of its words fits `width`: wrapped at
    spaces as rich's `divide_line` does. None for anything else."""
    if not text.isprintable() or not (text.isascii() or cell_len(text) == len(text)):
        return None
    if len(text) <= width:
        return text + "\n"
    if text[0] != " " and text[-1] != " " and "  " not in text:
        return _single_spaced(text, width)
    breaks = []
    offset = 0
    for word in _WORD.finditer(text):  # rich._wrap.divide_line, for words that fit a line
        start, size = word.start(), len(word.group().rstrip())
        if size > width:
            return None  # rich folds it
        if width - offset >= size:
            offset += len(word.group())
        elif offset and start:
            breaks.append(start)
            offset = len(word.group())
    cuts = [0, *breaks, len(text)]
    return "\n".join(text[a:b].rstrip(" ") for a, b in itertools.pairwise(cuts)) + "\n"


def _single_spaced(text: str, width: int) -> str | None:
    """The loop of `plain_text_line` for words parted by one space (the footnotes): a line
    holds every word that ends within `width` of its start, so it ends at the last space
    there (`str.rfind`, no regex per word); None when a word is longer than a line."""
    lines = []
    start = 0
    while len(text) - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        if cut < 0:
            return None  # rich folds it
        lines.append(text[start:cut])
        start = cut + 1
    lines.append(text[start:])
    return "\n".join(lines) + "\n"


def _one_row(console: Console, table: Table, k: int) -> str:
    """Row k as rich lays it out under the same columns (no header, no rule)."""
    one = copy.copy(table)
    one.columns = [dataclasses.replace(c, _cells=[c._cells[k]]) for c in table.columns]
    one.rows = [table.rows[k]]
    one.show_header = False
    with console.capture() as got:
        console.print(one)
    return got.get()
