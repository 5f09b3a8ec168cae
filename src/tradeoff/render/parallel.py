"""The parallel-axes figure of `tradeoff plot --parallel` (png, svg, pdf) with matplotlib.

One vertical axis per goal, labelled with its name and unit and with its worst and best values at
the bottom and top; the front in blue (the knee in vermillion), other feasible candidates in light
blue, infeasible ones in grey. Front members are named at the right where the labels fit.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from tradeoff.questions.parallel import ParallelData, ParallelLine
from tradeoff.render.fmt import fmt
from tradeoff.render.terminal_plot import clean

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_BLUE, _VERMILLION, _GREY, _LIGHT = "#0072B2", "#D55E00", "#B0B0B0", "#9ED0F0"
_STYLE: dict[str, dict[str, Any]] = {
    "infeasible": {"color": _GREY, "lw": 0.8, "alpha": 0.8, "zorder": 1},
    "feasible": {"color": _LIGHT, "lw": 1.0, "alpha": 0.9, "zorder": 2},
    "front": {"color": _BLUE, "lw": 1.8, "alpha": 1.0, "zorder": 3},
}
_MIN_GAP = 0.045  # of the axis height, between two name labels


def save_parallel(data: ParallelData, fh: IO[bytes], fmt_name: str) -> None:
    """Write the parallel-axes figure (png, svg or pdf) to an open binary file."""
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42, "font.size": 9}):
        fig = build_parallel(data)
        metadata: dict[str, Any] = {"png": {}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
        fig.savefig(fh, format=fmt_name, metadata=metadata[fmt_name])


def build_parallel(data: ParallelData) -> Figure:
    """The figure, built without a display."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    d = len(data.metrics)
    fig = Figure(figsize=(max(6.0, 1.6 * d + 3.0), 6), dpi=150, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    _axes(ax, data)
    order = {"infeasible": 0, "feasible": 1, "front": 2}
    for line in sorted(data.lines, key=lambda ln: (order[ln.status], ln.knee)):
        _draw_line(ax, line)
    _names(ax, data)
    return fig


def _axes(ax: Axes, data: ParallelData) -> None:
    d = len(data.metrics)
    ax.set_xlim(-0.3, d - 1 + (1.4 if d > 1 else 0.8))
    ax.set_ylim(-0.12, 1.12)
    ax.axis("off")
    for k, (m, (worst, best)) in enumerate(zip(data.metrics, data.goalposts, strict=True)):
        ax.plot([k, k], [0, 1], color="black", lw=1.0, zorder=0)
        label = _text(m.name) + (f"\n[{_text(m.unit)}]" if m.unit else "")
        ax.text(k, -0.05, label, ha="center", va="top", fontsize=9)
        ax.text(k, 1.02, fmt(best), ha="center", va="bottom", fontsize=8)
        ax.text(k + 0.04, 0.0, fmt(worst), ha="left", va="center", fontsize=7, color="#555555")
    title = _text(data.title) + ": " if data.title else ""
    ax.set_title(f"{title}every goal, better end up (front in blue, infeasible in grey)")


def _draw_line(ax: Axes, line: ParallelLine) -> None:
    style = dict(_STYLE[line.status])
    if line.knee:
        style.update(color=_VERMILLION, lw=2.4, zorder=4)
    # A missing value breaks the line: draw each run of known heights.
    run: list[tuple[int, float]] = []
    for k, h in [*enumerate(line.heights), (len(line.heights), None)]:
        if h is None:
            if len(run) == 1:
                ax.plot([run[0][0]], [run[0][1]], "o", ms=3, color=style["color"])
            elif run:
                xs, ys = zip(*run, strict=True)
                ax.plot(xs, ys, **style)
            run = []
        else:
            run.append((k, h))


def _names(ax: Axes, data: ParallelData) -> None:
    """Front members named beside the last axis, nudged apart; those that do not fit are not."""
    last = len(data.metrics) - 1
    front = [ln for ln in data.lines if ln.status == "front" and ln.heights[last] is not None]
    front.sort(key=lambda ln: ln.heights[last] or 0.0)
    placed: list[float] = []
    for ln in front:
        h = ln.heights[last]
        assert h is not None
        y = max(h, placed[-1] + _MIN_GAP) if placed else h
        if y > 1.1:
            break  # no room left above: the rest stay unnamed rather than overlap
        placed.append(y)
        colour = _VERMILLION if ln.knee else _BLUE
        name = _text(_short(ln.name, 28)) + (" (knee)" if ln.knee else "")
        ax.annotate(
            name,
            xy=(last, h),
            xytext=(last + 0.08, y),
            fontsize=8,
            color=colour,
            va="center",
            arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.5},
        )


def _short(name: str, n: int) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


def _text(s: str) -> str:
    """User text for matplotlib: control characters shown as '?', and '$' not read as mathtext."""
    return clean(s).replace("$", r"\$")
