"""Drawing of `tradeoff plot` in the terminal (plotext), and what the figure files share with it.

plotext is imported inside the function that uses it, so importing this module (or running any
other command) costs nothing. Figure files (matplotlib) are drawn by figure.py.
"""

from __future__ import annotations

import math
import textwrap
import unicodedata
from typing import Any

from tradeoff.questions.plot import PlotData, PlotPoint

# Terminal markers: distinct without colour.
_T_FRONT, _T_KNEE, _T_DOMINATED, _T_INFEASIBLE, _T_HULL = "●", "◆", "○", "✗", "·"


def clean(name: str) -> str:
    """A name safe to print: control characters (escape sequences) become '?'."""
    return "".join("?" if unicodedata.category(c).startswith("C") else c for c in name)


def _group_label(group: list[PlotPoint]) -> str:
    return ", ".join(clean(p.name) for p in group)


def point_kind(p: PlotPoint) -> str:
    if p.knee:
        return "knee"
    if p.front:
        return "front"
    return "dominated" if p.feasible else "infeasible"


def cut(
    line: list[tuple[float, float]], xlim: tuple[float, float], ylim: tuple[float, float]
) -> tuple[list[float], list[float]]:
    """The line's coordinates with ±inf replaced by the axis limits."""
    xs = [x if math.isfinite(x) else (xlim[1] if x > 0 else xlim[0]) for x, _ in line]
    ys = [y if math.isfinite(y) else (ylim[1] if y > 0 else ylim[0]) for _, y in line]
    return xs, ys


# --------------------------------------------------------------------------- terminal (plotext)


def _axis_pos(v: float, lim: tuple[float, float], log: bool) -> float:
    if log:
        v, lim = math.log10(v), (math.log10(lim[0]), math.log10(lim[1]))
    return (v - lim[0]) / (lim[1] - lim[0])


def _axis_value(frac: float, lim: tuple[float, float], log: bool) -> float:
    if log:
        return float(10 ** (math.log10(lim[0]) + frac * (math.log10(lim[1]) - math.log10(lim[0]))))
    return lim[0] + frac * (lim[1] - lim[0])


def _frame(text: str) -> tuple[int, int, int, int] | None:
    """(first canvas row, first canvas column, rows, columns) of a built plotext figure."""
    lines = text.splitlines()
    top = next((k for k, line in enumerate(lines) if "┌" in line), None)
    bottom = next((k for k, line in enumerate(lines) if "└" in line), None)
    if top is None or bottom is None:
        return None
    left, right = lines[top].index("┌"), lines[top].rindex("┐")
    return top + 1, left + 1, bottom - top - 1, right - left - 1


class _Grid:
    """Canvas cells taken by labels (hard) and by drawn marks (points hard, lines soft)."""

    def __init__(self, text: str, frame: tuple[int, int, int, int]) -> None:
        r0, c0, self.rows, self.cols = frame
        lines = text.splitlines()
        self.soft = {
            (r, c)
            for r in range(self.rows)
            for c in range(self.cols)
            if len(lines[r0 + r]) > c0 + c and lines[r0 + r][c0 + c] != " "
        }
        self.hard: set[tuple[int, int]] = set()

    def place(self, r: int, c: int, label: str, far: bool = False) -> tuple[int, int] | None:
        """Start cell of the best free spot for `label` next to the point at (r, c), or None.

        `far` also tries two rows or columns away (for short tags in a crowd).
        """
        n = len(label)
        spots = [(r, c + 2), (r, c - 1 - n), (r - 1, c + 1), (r + 1, c + 1), (r - 1, c - n)]
        spots += [(r + 1, c - n), (r - 1, c - n // 2), (r + 1, c - n // 2)]
        if far:
            spots += [(r - 2, c), (r + 2, c), (r, c + 4), (r, c - 3 - n), (r - 2, c - n)]
            spots += [(r + 2, c - n)]
        best: tuple[int, tuple[int, int]] | None = None
        for k, (sr, sc) in enumerate(spots):
            if not (0 <= sr < self.rows and sc >= 0 and sc + n <= self.cols):
                continue
            cells = {(sr, sc + i) for i in range(-1, n + 1)}  # one cell of air on each side
            if cells & self.hard:
                continue
            cost = len(cells & self.soft) * 10 + k
            if best is None or cost < best[0]:
                best = (cost, (sr, sc))
        if best is None:
            return None
        sr, sc = best[1]
        self.hard |= {(sr, sc + i) for i in range(n)}
        return sr, sc


def render_terminal(data: PlotData, width: int, height: int, color: bool) -> str:
    """The plot as text, `width` columns wide at most; ANSI colours only when `color`."""
    import plotext  # untyped: pyproject's mypy override ignores it

    fig = plotext.figure
    fig.clear()
    fig.theme("colorless")
    fig.plot_size(width, height)
    xlim, ylim = data.limits("x"), data.limits("y")

    def marker(symbol: str, colour: str) -> Any:
        return plotext.marker(symbol, colour) if color else plotext.marker(symbol)

    if data.staircase:
        xs, ys = cut(data.staircase, xlim, ylim)
        fig.draw(fig.signal(xs, ys, marker=marker("braille", "green")).lines())
    if len(data.hull) > 1:
        xs, ys = cut(data.hull_line(), xlim, ylim)
        fig.draw(fig.signal(xs, ys, marker=marker(_T_HULL, "cyan")).lines())
    styles = {
        "infeasible": (_T_INFEASIBLE, "red"),
        "dominated": (_T_DOMINATED, "blue"),
        "front": (_T_FRONT, "green"),
        "knee": (_T_KNEE, "magenta"),
    }
    kinds = {point_kind(p) for p in data.points}
    for kind, (symbol, colour) in styles.items():  # drawn last on top
        pts = [p for p in data.points if point_kind(p) == kind]
        if pts:
            xs, ys = [p.x for p in pts], [p.y for p in pts]
            fig.draw(fig.signal(xs, ys, marker=marker(symbol, colour)))
    fig.ruler("x").scale("log" if data.log_x else "linear")
    fig.ruler("y").scale("log" if data.log_y else "linear")
    fig.ruler("x").lim(*xlim)
    fig.ruler("y").lim(*ylim)
    title = clean(data.title)
    fig.title(title if len(title) <= width - 2 else title[: max(0, width - 3)] + "…")
    fig.label(clean(data.x_label), "x")
    fig.label(clean(data.y_label), "y")
    footnotes = _terminal_labels(fig, data, xlim, ylim)
    out: str = fig.build().string(colorless=not color)
    key = [f"{styles[k][0]} {text}" for k, text in _KEY if k in kinds]
    if data.staircase:
        key.insert(0, "⣀ front (step line)")
    if len(data.hull) > 1:
        key.append(f"{_T_HULL * 3} mixture frontier")
    lines = [line.rstrip() for line in out.rstrip("\n").splitlines()]
    lines += textwrap.wrap("   ".join(key), width=width) + footnotes
    return "\n".join(lines) + "\n"


_KEY = [
    ("front", "Pareto front"),
    ("knee", "knee"),
    ("dominated", "dominated"),
    ("infeasible", "infeasible"),
]


def _terminal_labels(
    fig: Any, data: PlotData, xlim: tuple[float, float], ylim: tuple[float, float]
) -> list[str]:
    """Put names where they fit, short tags where they do not; returns the tags' key lines."""
    frame = _frame(fig.build().string(colorless=True))
    groups = data.groups()
    if frame is None:
        return []
    grid = _Grid(fig.build().string(colorless=True), frame)
    rows, cols = grid.rows, grid.cols

    def cell(p: PlotPoint) -> tuple[int, int]:
        c = round(_axis_pos(p.x, xlim, data.log_x) * (cols - 1))
        r = round((1 - _axis_pos(p.y, ylim, data.log_y)) * (rows - 1))
        return r, c

    # Points sharing a cell share a label, most important first.
    cells: dict[tuple[int, int], list[PlotPoint]] = {}
    for group in groups:
        cells.setdefault(cell(group[0]), []).extend(group)
    grid.hard |= set(cells)
    pending: list[tuple[tuple[int, int], list[PlotPoint], str]] = []
    placed: list[tuple[tuple[int, int], str]] = []
    for at, group in cells.items():
        full = _group_label(group)
        spot = grid.place(*at, full)
        if spot is None and len(group) > 1:
            full = f"{clean(group[0].name)} +{len(group) - 1}"
            spot = grid.place(*at, full)
            if spot is not None:
                pending.append((at, group[1:], full))
        if spot is None:
            pending.append((at, group, ""))
        else:
            placed.append((spot, full))
    notes: list[str] = []
    tag = 0
    for at, group, shown in pending:
        names = _group_label(group)
        if shown:  # the label names the first of the group; the key names the rest
            notes.append(f"  {shown}: also {names}")
            continue
        tag += 1
        spot = grid.place(*at, str(tag), far=True)
        placed += [(spot, str(tag))] if spot else []
        notes.append(f"  {tag if spot else 'not labelled'}: {names}")
    for (r, c), text in placed:
        x = _axis_value(c / max(cols - 1, 1), xlim, data.log_x)
        y = _axis_value(1 - r / max(rows - 1, 1), ylim, data.log_y)
        fig.draw(fig.text(x, y, text, alignment="left"))
    return notes


# --------------------------------------------------------------------------- figure (matplotlib)
