"""Figure files of `tradeoff plot` (png, svg, pdf) with matplotlib.

matplotlib is imported inside the functions that use it (the `plot` extra), so importing this module
costs nothing. Points, lines and markers follow terminal_plot.py's terminal drawing.
"""

from __future__ import annotations

import itertools
import math
import random
import textwrap
from typing import IO, TYPE_CHECKING, Any

from tradeoff.questions.plot import PlotData, PlotPoint
from tradeoff.render.terminal_plot import clean, cut, point_kind

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation
    from matplotlib.transforms import Bbox

FORMATS = ("png", "svg", "pdf")

# Figure colours (Okabe-Ito, readable by colour-blind readers and in greyscale).
_BLUE, _VERMILLION, _GREEN, _GREY, _LIGHT = "#0072B2", "#D55E00", "#009E73", "#9A9A9A", "#56B4E9"


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
        xs, ys = cut(data.staircase, xlim, ylim)
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
        by_kind.setdefault(point_kind(p), []).append(p)
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
        xs, ys = cut(line, xlim, ylim)
        px = ax.transData.transform(list(zip(xs, ys, strict=True)))
        for (x0, y0), (x1, y1) in itertools.pairwise(px):
            steps = max(2, int(math.hypot(x1 - x0, y1 - y0) / 4))
            out += [(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps) for k in range(steps)]
    return out
