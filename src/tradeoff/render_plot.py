"""Drawing of `tradeoff plot`: plotext in the terminal, matplotlib for figure files.

Both libraries are imported inside the functions that use them, so importing this module (or
running any other command) costs nothing.
"""

from __future__ import annotations

import itertools
import math
import random
import textwrap
import unicodedata
from typing import IO, TYPE_CHECKING, Any

from tradeoff.plot import PlotData, PlotPoint

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation
    from matplotlib.transforms import Bbox

FORMATS = ("png", "svg", "pdf")

# Terminal markers: distinct without colour.
_T_FRONT, _T_KNEE, _T_DOMINATED, _T_INFEASIBLE, _T_HULL = "●", "◆", "○", "✗", "·"
# Figure colours (Okabe-Ito, readable by colour-blind readers and in greyscale).
_BLUE, _VERMILLION, _GREEN, _GREY, _LIGHT = "#0072B2", "#D55E00", "#009E73", "#9A9A9A", "#56B4E9"


def clean(name: str) -> str:
    """A name safe to print: control characters (escape sequences) become '?'."""
    return "".join("?" if unicodedata.category(c).startswith("C") else c for c in name)


def _group_label(group: list[PlotPoint]) -> str:
    return ", ".join(clean(p.name) for p in group)


def _kind(p: PlotPoint) -> str:
    if p.knee:
        return "knee"
    if p.front:
        return "front"
    return "dominated" if p.feasible else "infeasible"


def _cut(
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
        xs, ys = _cut(data.staircase, xlim, ylim)
        fig.draw(fig.signal(xs, ys, marker=marker("braille", "green")).lines())
    if len(data.hull) > 1:
        xs, ys = _cut(data.hull_line(), xlim, ylim)
        fig.draw(fig.signal(xs, ys, marker=marker(_T_HULL, "cyan")).lines())
    styles = {
        "infeasible": (_T_INFEASIBLE, "red"),
        "dominated": (_T_DOMINATED, "blue"),
        "front": (_T_FRONT, "green"),
        "knee": (_T_KNEE, "magenta"),
    }
    kinds = {_kind(p) for p in data.points}
    for kind, (symbol, colour) in styles.items():  # drawn last on top
        pts = [p for p in data.points if _kind(p) == kind]
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


def save_figure(data: PlotData, fh: IO[bytes], fmt: str) -> None:
    """Write a publication-quality figure (png, svg or pdf) to an open binary file."""
    import matplotlib

    # Text stays text in svg (searchable, editable) and TrueType in pdf (journals ask for it).
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42, "font.size": 9}):
        fig = build_figure(data)
        metadata: dict[str, Any] = {"png": {}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
        fig.savefig(fh, format=fmt, metadata=metadata[fmt])  # no dates: reproducible files


def build_figure(data: PlotData) -> Figure:
    """The figure: points, the front as a step line, knee, hull, and labels that avoid overlaps."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 6), dpi=150, layout="constrained")
    FigureCanvasAgg(fig)  # Agg, explicitly: no display needed (svg and pdf switch on save)
    ax = fig.add_subplot()
    _draw(ax, data)
    fig.draw_without_rendering()  # settle the layout: labels are placed in display space
    _label_points(ax, data, fig.canvas.get_renderer())  # type: ignore[attr-defined]
    fig.set_layout_engine("none")  # keep that layout: another pass would move the axes a little
    return fig


def _draw(ax: Axes, data: PlotData) -> None:
    xlim, ylim = data.limits("x"), data.limits("y")
    ax.set_xscale("log" if data.log_x else "linear")
    ax.set_yscale("log" if data.log_y else "linear")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.grid(True, color="#e6e6e6", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    better = [
        "lower" if not data.x.maximize else "higher",
        "lower" if not data.y.maximize else "higher",
    ]
    ax.set_xlabel(f"{data.x_label}  ({better[0]} is better)")
    ax.set_ylabel(f"{data.y_label}  ({better[1]} is better)")
    title = "\n".join(textwrap.wrap(clean(data.title), 80))
    ax.figure.suptitle(title, fontsize=12, fontweight="bold", x=0.01, ha="left")
    ax.set_title(_subtitle(data), fontsize=8.5, color="#555555", loc="left")
    if data.staircase:
        xs, ys = _cut(data.staircase, xlim, ylim)
        # The region the front dominates: bounded by the step line and the worst corner.
        corner = (xs[-1], ys[0])
        ax.fill([*xs, corner[0]], [*ys, corner[1]], color=_BLUE, alpha=0.06, lw=0, zorder=1)
        ax.plot(xs, ys, color=_BLUE, lw=1.6, zorder=2, label="Pareto front (step line)")
    if len(data.hull) > 1:
        xs, ys = [h[0] for h in data.hull_line()], [h[1] for h in data.hull_line()]
        ax.plot(xs, ys, color=_GREEN, lw=1.4, ls=(0, (5, 3)), zorder=2,
                label="mixture frontier (traffic split)")  # fmt: skip
    by_kind: dict[str, list[PlotPoint]] = {}
    for p in data.points:
        by_kind.setdefault(_kind(p), []).append(p)
    styles: dict[str, dict[str, Any]] = {
        "infeasible": {"marker": "X", "s": 42, "color": _GREY, "alpha": 0.85,
                       "label": "infeasible (breaks a budget)"},
        "dominated": {"marker": "o", "s": 40, "facecolor": "white", "edgecolor": _LIGHT,
                      "linewidths": 1.4, "label": "dominated"},
        "front": {"marker": "o", "s": 52, "color": _BLUE, "edgecolor": "white",
                  "linewidths": 0.8, "label": "on the Pareto front"},
        "knee": {"marker": "*", "s": 260, "color": _VERMILLION, "edgecolor": "white",
                 "linewidths": 0.8, "label": "knee (best compromise)"},
    }  # fmt: skip
    for kind, kw in styles.items():
        pts = by_kind.get(kind, [])
        if pts:
            ax.scatter([p.x for p in pts], [p.y for p in pts], zorder=4, **kw)
    found = dict(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
    labels = sorted(found, key=lambda t: _LEGEND_ORDER.index(t) if t in _LEGEND_ORDER else 99)
    handles = [found[t] for t in labels]
    ax.figure.legend(  # below the axes, so it never hides a point or a label
        handles, labels, loc="outside lower center", ncols=min(3, len(labels)), frameon=False
    )


_LEGEND_ORDER = [
    "Pareto front (step line)",
    "on the Pareto front",
    "knee (best compromise)",
    "dominated",
    "infeasible (breaks a budget)",
    "mixture frontier (traffic split)",
]


def _subtitle(data: PlotData) -> str:
    considered = [p for p in data.points if p.considered]
    front = sum(p.front for p in considered)
    knee = next((clean(p.name) for p in considered if p.knee), None)
    out = f"Pareto front on {data.x.name} and {data.y.name}: {front} of {len(considered)} "
    out += (
        "candidates (budgets ignored)"
        if not all(p.feasible for p in considered)
        else ("feasible candidates")
    )
    out += f"; knee: {knee}" if knee else ""
    cut = sum(not p.considered for p in data.points)
    return out + (f"; {cut} infeasible, in grey" if cut else "")


def _label_points(ax: Axes, data: PlotData, renderer: RendererBase) -> None:
    """Name every point (a group of coincident points once), avoiding overlaps where possible.

    Greedy, most important points first. Around each point, spots are tried ring by ring (the
    outer rings with a leader line); the first ring with a spot that stays inside the axes and
    clears other labels, markers, lines and leader lines wins; when no ring has one, the spot with
    the least overlap is taken. When some label could not be placed cleanly, the pass is redone
    with those labels first (a crowd is often solved by placing its hardest member first), then
    in a few shuffled orders, and the pass with the least overlap is kept.
    """
    # Knee, front and hull first; a cloud stays unnamed. Points whose markers overlap share a label.
    groups = _clusters(ax, data.groups(), 8 * _pt(renderer))[:_MAX_LABELS]
    order = groups
    best: tuple[float, list[Annotation]] | None = None
    shuffle = random.Random(0)  # deterministic: the same file gives the same figure
    for attempt in range(_PASSES if len(groups) <= 12 else 1):
        costs, anns = _label_pass(ax, data, renderer, order)
        total = sum(costs)
        if best is None or total < best[0]:
            for ann in best[1] if best else []:
                ann.remove()
            best = (total, anns)
        else:
            for ann in anns:
                ann.remove()
        bad = [g for g, c in zip(order, costs, strict=True) if c >= 1]
        if not bad:
            break
        if attempt == 0:
            order = bad + [g for g in order if g not in bad]
        else:
            order = shuffle.sample(groups, len(groups))


def _pt(renderer: RendererBase) -> float:
    """Pixels per typographic point."""
    return float(renderer.points_to_pixels(1.0))  # type: ignore[arg-type]


def _clusters(ax: Axes, groups: list[list[PlotPoint]], near: float) -> list[list[PlotPoint]]:
    """Join groups whose points are closer than `near` pixels to a more important group."""
    out: list[tuple[Any, list[PlotPoint]]] = []
    for group in groups:
        here = ax.transData.transform((group[0].x, group[0].y))
        home = next((g for at, g in out if math.dist(at, here) < near), None)
        if home is None:
            out.append((here, list(group)))
        else:
            home.extend(group)
    return [g for _, g in out]


_MAX_LABELS = 40
_PASSES = 8


def _label_pass(
    ax: Axes, data: PlotData, renderer: RendererBase, order: list[list[PlotPoint]]
) -> tuple[list[float], list[Annotation]]:
    area = ax.get_window_extent(renderer)
    pt = _pt(renderer)
    marks = {(p.x, p.y): ax.transData.transform((p.x, p.y)) for p in data.points}
    lines = _line_pixels(ax, data)
    taken: list[Bbox] = []
    leaders: list[tuple[float, float]] = []
    costs: list[float] = []
    anns: list[Annotation] = []
    for group in order:
        p = group[0]
        here = marks[(p.x, p.y)]
        own = {(q.x, q.y) for q in group}
        others = [_box(x, y, 6 * pt) for xy, (x, y) in marks.items() if xy not in own]
        best: tuple[float, Annotation] | None = None
        for ring in _RINGS:
            for dx, dy in _DIRECTIONS:
                ann = _annotation(ax, group, (dx * ring, dy * ring), leader=ring > 1)
                box = _text_box(ann, renderer).padded(2 * pt)
                cost = _overlap(box, taken) * 4 + _overlap(box, others) * 2
                cost += 10 * sum(1 for x, y in lines if box.contains(x, y))
                cost += 40 * sum(1 for x, y in leaders if box.contains(x, y))
                cost += 0 if _inside(box, area) else 1e9
                if ring > 1:  # a leader line must not cross labels or other markers
                    seg = _segment(here, ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
                    cost += 40 * sum(
                        1 for x, y in seg for b in [*taken, *others] if b.contains(x, y)
                    )
                if best is None or cost < best[0]:
                    if best is not None:
                        best[1].remove()
                    best = (cost, ann)
                else:
                    ann.remove()
            if best is not None and best[0] < 1:
                break
        assert best is not None
        costs.append(best[0])
        anns.append(best[1])
        box = _text_box(best[1], renderer)
        taken.append(box.padded(2 * pt))
        if best[1].arrow_patch is not None:
            leaders += _segment(here, ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
    return costs, anns


# Offsets of a label from its point, in points, and how far out (x the offset) they are tried.
_DIRECTIONS = [(7, -5), (7, 5), (-7, 5), (-7, -5), (0, 9), (0, -9), (9, 0), (-9, 0)]
_DIRECTIONS += [(4, 9), (4, -9), (-4, 9), (-4, -9)]
_RINGS = [1.0, 2.5, 4.0, 6.0, 8.0]


def _annotation(
    ax: Axes, group: list[PlotPoint], offset: tuple[float, float], leader: bool
) -> Annotation:
    p = group[0]
    dx, dy = offset
    ann = ax.annotate(
        "\n".join(clean(q.name) for q in group),
        (p.x, p.y),
        xytext=offset,
        textcoords="offset points",
        ha="left" if dx > 0 else "right" if dx < 0 else "center",
        va="bottom" if dy > 0 else "top" if dy < 0 else "center",
        fontsize=7.5,
        color="#222222" if p.feasible else "#6f6f6f",
        fontweight="bold" if p.knee else "normal",
        zorder=5,
        arrowprops={"arrowstyle": "-", "color": "#aaaaaa", "lw": 0.6, "shrinkA": 1, "shrinkB": 5}
        if leader
        else None,
    )
    ann.set_in_layout(False)
    return ann


def _segment(a: Any, b: tuple[float, float], step: float = 4.0) -> list[tuple[float, float]]:
    n = max(2, int(math.hypot(b[0] - a[0], b[1] - a[1]) / step))
    # Skip the ends: one touches the point, the other the label's own box.
    return [(a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n) for k in range(2, n - 1)]


def _text_box(ann: Annotation, renderer: RendererBase) -> Bbox:
    """The text's own box: an annotation's extent would include its leader line."""
    from matplotlib.text import Text

    ann.update_positions(renderer)
    return Text.get_window_extent(ann, renderer)


def _box(x: float, y: float, r: float) -> Bbox:
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(x - r, y - r, x + r, y + r)


def _overlap(box: Bbox, others: list[Bbox]) -> float:
    total = 0.0
    for o in others:
        w = min(box.x1, o.x1) - max(box.x0, o.x0)
        h = min(box.y1, o.y1) - max(box.y0, o.y0)
        if w > 0 and h > 0:
            total += w * h
    return total


def _inside(box: Bbox, area: Bbox) -> bool:
    return bool(box.x0 >= area.x0 and box.x1 <= area.x1 and box.y0 >= area.y0 and box.y1 <= area.y1)


def _line_pixels(ax: Axes, data: PlotData) -> list[tuple[float, float]]:
    """Points sampled along the drawn lines, in display space, so labels can avoid them."""
    out: list[tuple[float, float]] = []
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    for line in (data.staircase, data.hull_line()):
        if len(line) < 2:
            continue
        xs, ys = _cut(line, xlim, ylim)
        px = ax.transData.transform(list(zip(xs, ys, strict=True)))
        for (x0, y0), (x1, y1) in itertools.pairwise(px):
            steps = max(2, int(math.hypot(x1 - x0, y1 - y0) / 4))
            out += [(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps) for k in range(steps)]
    return out
