"""Laying out rich tables as text: the width a renderer is given, wrapping, shared notes.

Renderers of every command build rich objects and turn them into text here; colour and width
are passed in, never read from the environment.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Row as RichRow
from rich.table import Table
from rich.text import Text

from tradeoff.data import MetricSpec
from tradeoff.render.views import FILLED_NOTE

# (result, color, width): a renderer is told the width, as it is told whether to colour.
Renderer = Callable[[Any, bool, int], str]


def to_text(
    renderables: Iterable[RenderableType], *, color: bool, width: int, soft_wrap: bool = False
) -> str:
    """Render rich objects to a string (ANSI colours only when `color`). With `soft_wrap`, lines
    are not wrapped at the width: the terminal folds them itself, and grep finds them whole."""
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        emoji=False,
        soft_wrap=soft_wrap,
    )
    from tradeoff.render import bulk_text

    items = list(renderables)
    # A table of many rows is laid out by us, and the lines printed after it written as they
    # are, when the result is the same text (see bulk_text).
    big = (
        not color
        and not soft_wrap
        and any(isinstance(r, Table) and bulk_text.fits(r, width) for r in items)
    )
    for r in items:
        line = bulk_text.plain_line(r, width) if big else None
        if line is not None:
            buf.write(line)
        elif isinstance(r, Lines):
            for text, style in zip(r.texts, r.styles, strict=True):
                line = bulk_text.plain_text_line(text, width) if big else None
                if line is not None:
                    buf.write(line)
                else:
                    console.print(Text(text, style=style))
        elif big and isinstance(r, Table) and bulk_text.fits(r, width):
            bulk_text.write_table(console, buf, r)
        else:
            console.print(r)
    # Cells are padded to the column width; trailing blanks only get in the way of copy-paste.
    return "\n".join(map(str.rstrip, buf.getvalue().split("\n"), itertools.repeat(" ")))


@dataclass(frozen=True)
class Lines:
    """Lines of text printed one after another, each in its style (the footnotes under a
    table): `to_text` prints each as `Text(text, style=style)`, and makes that Text only when
    rich lays it out (80,000 footnotes under a big table are written as they are)."""

    texts: list[str]
    styles: list[str]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for text, style in zip(self.texts, self.styles, strict=True):
            yield Text(text, style=style)


def cell(text: str, style: str = "") -> RenderableType:
    """A table cell of literal text: the str itself where rich shows it as it is (no style,
    no `[` to read as markup), so a big table makes no Text per cell; else a Text."""
    return text if not style and "[" not in text else Text(text, style=style)


def add_rows(table: Table, rows: Sequence[Sequence[RenderableType | None]]) -> None:
    """`table.add_row(*row)` for each row, in one pass per column: what add_row does for a row
    of one cell per column (a blank cell for None), without its per-cell checks, which cost
    seconds over a 100,000-row table. Every cell is a str or a Text (our own renderables)."""
    if not rows:
        return
    for column, cells in zip(table.columns, zip(*rows, strict=True), strict=True):
        column._cells.extend(
            cells if None not in cells else ("" if c is None else c for c in cells)
        )
    table.rows.extend(RichRow() for _ in rows)


def plain_table() -> Table:
    # Titles are printed as lines of their own before a table: a title inside the table is
    # cropped with it on a narrow terminal, a line of its own wraps instead.
    return Table(box=box.SIMPLE_HEAD, padding=(0, 0), show_edge=False)


def metric_header(m: MetricSpec) -> str:
    return f"{m.name}\n{m.unit}" if m.unit else m.name


HEAD_BREAKS = re.compile(r"(?=_)|(?<=[/\- ])")  # before '_', after '/', '-' and ' '
NAME_BREAKS = re.compile(r"(?<=[@/\-_. :])")  # after the separators names are made of
NAME_PARTS = re.compile(r"(?<=[@/\- ])")  # between a name's parts: after '-', '/', '@', ' '
UNIT_BREAKS = re.compile(r"(?<=/)")  # a unit breaks after '/' only: "USD/" "1k requests"
SOURCE_BREAKS = re.compile(r"(?<=[/ ])")  # paths and prose: after '/' and spaces


def wrap(
    text: str,
    size: int,
    breaks: re.Pattern[str] = HEAD_BREAKS,
    finer: re.Pattern[str] | None = None,
) -> str:
    """Wrap text to `size` columns where `breaks` allows (then, inside a longer piece, where
    `finer` does); fold only a piece longer than that."""
    if len(text) <= size and "\n" not in text:
        return text.rstrip()  # what the loop below gives, at a cost paid per table row
    out: list[str] = []
    for line in text.split("\n"):
        cur = ""
        pieces = [p for p in breaks.split(line) if p]
        if finer is not None:
            pieces = [q for p in pieces for q in (finer.split(p) if len(p) > size else [p]) if q]
        for piece in pieces:
            while len(piece) > size:  # no better place to break
                if cur:
                    out.append(cur.rstrip())
                    cur = ""
                out.append(piece[:size])
                piece = piece[size:]
            if len(cur) + len(piece.rstrip()) > size and cur:
                out.append(cur.rstrip())
                cur = ""
            cur += piece
        out.append(cur.rstrip())
    return "\n".join(out)


def wrap_name(name: str, size: int) -> str:
    """A candidate name in lines of `size`: broken after '-', '/' or '@' ('nim1.8-' then
    'c50', never 'nim1.' then '8-c50'), after '_', '.' or ':' only inside a longer part."""
    return wrap(name, size, NAME_PARTS, NAME_BREAKS)


def filled_note(filled: bool) -> list[RenderableType]:
    return [Text(f"* {FILLED_NOTE}", style="dim")] if filled else []


def excluded_lines(excluded: Sequence[tuple[str, list[str]]]) -> list[RenderableType]:
    if not excluded:
        return []
    shown = "; ".join(f"{n} (no {', '.join(m)})" for n, m in excluded[:5])
    more = f" and {len(excluded) - 5} more" if len(excluded) > 5 else ""
    return [Text(f"excluded by --missing exclude: {shown}{more}", style="dim")]
