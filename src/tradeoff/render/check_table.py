"""The text table of `tradeoff check`: one section per file, a violation on one or two lines.

A file's path is the heading of its section, not a column: a deep path would otherwise take the
width the violation needs. Names stay whole when the violation keeps its room, else they wrap
after '-', '/' and '@'; a violation wraps only between its parts ("latency_p95 920 ms",
"> max 800 ms"), so a number never loses its unit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from tradeoff.render.layout import wrap_name

# Where a violation may break: before a comparison or an arrow, before '(' and after ', ' / '; '
# (outside parentheses: "(better on quality, cost)" stays one part when it fits).
_PARTS = re.compile(r"(?<=[,;] )|(?= (?:[<>]=?|->) )|(?= \()")
_GAP = 2  # blanks between columns: a pad and the (blank) rule of SIMPLE_HEAD
_LEVEL_W = len("error")  # and "warn"
_VIOLATION_MIN = 24  # below this a violation takes more than two lines: names wrap first


@dataclass(frozen=True)
class Line:
    """One violation as every format shows it: who, what, how bad, where."""

    file: str
    line: int
    col: int
    candidate: str
    title: str  # "budget latency_p95", "dominated" or "regression quality"
    text: str  # "latency_p95 920 ms > max 800 ms"
    level: str  # "error" or "warning": how it is rendered (a failing warn is an error)
    note: str  # why a warn is an error, or ""

    @property
    def level_word(self) -> str:
        """The level as the spec's JSON says it: "error" or "warn"."""
        return "warn" if self.level == "warning" else self.level

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def parts(v: Line) -> list[str]:
    """The pieces a violation may break between: 'latency_p95 920 ms', '> max 800 ms', and
    its note in parentheses as one piece."""
    found: list[str] = []
    depth = 0  # of the parentheses open where the previous piece ended
    for piece in _PARTS.split(v.text):
        if found and depth > 0:
            found[-1] += piece  # inside parentheses: no break here
        else:
            found.append(piece)
        depth += piece.count("(") - piece.count(")")
    found = [p.strip() for p in found if p.strip()]
    return found + ([f"({v.note})"] if v.note else [])


def wrap_violation(v: Line, size: int) -> str:
    """The violation in lines of at most `size` columns, broken between its parts; a part
    longer than that breaks at its spaces (and only a word longer than the line is folded)."""
    out: list[str] = []
    cur = ""
    for part in parts(v):
        if cur and len(cur) + 1 + len(part) > size:
            out.append(cur)
            cur = ""
        if len(part) > size:  # no whole part fits: its words, then folds
            words = wrap_words(part if not cur else f"{cur} {part}", size)
            out += words[:-1]
            cur = words[-1]
            continue
        cur = f"{cur} {part}" if cur else part
    out.append(cur)
    return "\n".join(out)


def wrap_words(text: str, size: int) -> list[str]:
    out: list[str] = []
    cur = ""
    for word in text.split(" "):
        if cur and len(cur) + 1 + len(word) > size:
            out.append(cur)
            cur = ""
        while len(word) > size:
            out.append(word[:size])
            word = word[size:]
        cur = f"{cur} {word}" if cur else word
    out.append(cur)
    return out


def sections(
    shown: Sequence[Line], what: str, width: int, *, levels: bool = True
) -> list[RenderableType]:
    """A heading per file (in order of first appearance) and a table of its rows under it,
    errors first; every section's columns have the same widths."""
    by_file: dict[str, list[Line]] = {}
    for v in shown:
        by_file.setdefault(v.file, []).append(v)
    line_w = max(len("line"), *(len(str(v.line)) for v in shown))
    fixed = line_w + (_LEVEL_W + _GAP if levels else 0) + _GAP * 2
    name_need = max(len("candidate"), *(len(v.candidate) for v in shown))
    text_need = max(len(" ".join(parts(v))) for v in shown)
    part_need = max(len(p) for v in shown for p in parts(v))
    want = min(text_need, max(part_need, _VIOLATION_MIN))  # what the violation cannot do without
    name_w = name_need if name_need + want + fixed <= width else max(12, width - fixed - want)
    text_w = max(len(what), min(text_need, width - fixed - name_w))
    out: list[RenderableType] = []
    for k, (file, rows) in enumerate(by_file.items()):
        table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False)
        table.add_column("candidate", width=name_w, overflow="fold")
        table.add_column(what, width=text_w, overflow="fold")
        if levels:
            table.add_column("level", width=_LEVEL_W, no_wrap=True)
        table.add_column("line", width=line_w, justify="right", no_wrap=True)
        for v in sorted(rows, key=lambda v: v.level != "error"):
            # Text(), not str: a name like "[b]x" must not be read as rich markup.
            name = wrap_name(v.candidate, name_w)
            cells = [Text(name), Text(wrap_violation(v, text_w))]
            if levels:
                cells.append(Text(v.level_word, style="red" if v.level == "error" else "yellow"))
            cells.append(Text(str(v.line) if v.line else "-"))
            table.add_row(*cells)
        out += (
            [Text(""), Text(file, style="bold"), table] if k else [Text(file, style="bold"), table]
        )
    return out
