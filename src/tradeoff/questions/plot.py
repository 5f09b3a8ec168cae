"""What `tradeoff plot` draws, as data: points, the front's staircase, the knee, the mixture hull.

Pure: no plotting library is imported here. `render/terminal_plot.py` turns a `PlotData` into a
terminal plot (plotext), `render/figure.py` into a figure file (matplotlib).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Unpack

import numpy as np

from tradeoff.data import MetricSpec, StudyData
from tradeoff.errors import UsageError
from tradeoff.questions.analysis import Options, analyse
from tradeoff.questions.asks import PlotAsk, PlotOptions, shown_as

INF = math.inf


@dataclass(frozen=True)
class PlotPoint:
    """One candidate on the plot, with its roles."""

    name: str
    x: float
    y: float
    feasible: bool
    front: bool = False  # non-dominated on (x, y) among the candidates considered
    knee: bool = False
    hull: bool = False  # a vertex of the mixture frontier (--mix)
    considered: bool = (
        True  # took part in the front (infeasible ones do only with --ignore-budgets)
    )
    filled: bool = False  # a value was filled by `--missing worst`

    @property
    def priority(self) -> int:
        """Label order: the knee first, then the front, hull vertices, the rest, infeasible last."""
        if self.knee:
            return 0
        if self.front:
            return 1
        if self.hull:
            return 2
        return 3 if self.feasible else 4


@dataclass(frozen=True)
class PlotData:
    """Everything a renderer needs; coordinates are metric values in their units."""

    title: str
    x: MetricSpec
    y: MetricSpec
    points: list[PlotPoint]
    staircase: list[tuple[float, float]]  # the front's step line; ±inf where it runs off the axes
    hull: list[tuple[float, float]]  # mixture frontier vertices in increasing x; [] without --mix
    mix: bool = False
    log_x: bool = False
    log_y: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def x_label(self) -> str:
        return self.x.header

    @property
    def y_label(self) -> str:
        return self.y.header

    def hull_line(self, steps: int = 64) -> list[tuple[float, float]]:
        """The hull's edges, sampled densely on a log axis (which bends a mix's straight line)."""
        if not (self.log_x or self.log_y) or len(self.hull) < 2:
            return list(self.hull)
        out = [self.hull[0]]
        for (x0, y0), (x1, y1) in itertools.pairwise(self.hull):
            out += [
                (x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps)
                for k in range(1, steps + 1)
            ]
        return out

    def groups(self) -> list[list[PlotPoint]]:
        """Points at identical coordinates, grouped (one label each), most important first."""
        by_xy: dict[tuple[float, float], list[PlotPoint]] = {}
        for p in self.points:
            by_xy.setdefault((p.x, p.y), []).append(p)
        out = [sorted(g, key=lambda p: (p.priority, p.name)) for g in by_xy.values()]
        return sorted(out, key=lambda g: (g[0].priority, g[0].name))

    def limits(self, axis: str) -> tuple[float, float]:
        """Axis limits with a margin (multiplicative on a log axis); never an empty span."""
        log = self.log_x if axis == "x" else self.log_y
        vals = [p.x if axis == "x" else p.y for p in self.points]
        vals += [v[0] if axis == "x" else v[1] for v in self.hull]
        return pad_limits(min(vals), max(vals), log)


_LOG_MIN, _LOG_MAX = -323.0, 308.25  # log10 of about the smallest and largest floats


def pad_limits(lo: float, hi: float, log: bool, margin: float = 0.08) -> tuple[float, float]:
    """`[lo, hi]` widened by `margin` of its span on each side (in log10 on a log axis).

    A constant axis (lo == hi) gets a span of 10% of its value, or 1 around 0.
    """
    if log:
        a, b = pad_limits(math.log10(lo), math.log10(hi), False, margin)
        # The padding must not leave the floats (1e-323 .. 1.8e308).
        return 10.0 ** max(a, _LOG_MIN), 10.0 ** min(b, _LOG_MAX)
    span = hi - lo
    if span <= 0:
        half = abs(lo) * 0.1 or 1.0
        low, high = lo - half, hi + half
    else:
        low, high = lo - margin * span, hi + margin * span
    # Positive values (costs, latencies) do not get an axis that starts below zero.
    return (0.0 if lo > 0 >= low else low), high


def staircase(
    front: list[tuple[float, float]], x_max: bool, y_max: bool
) -> list[tuple[float, float]]:
    """The boundary of the region the front dominates, as a step line.

    Front points are visited from the best x to the worst; between two neighbours the line turns at
    the corner that both dominate (the worse x and the worse y of the two). It starts with a ray
    from the best-x point towards the worse y and ends with one from the best-y point towards the
    worse x; rays end at ±inf (renderers cut them at the axes). Identical points count once.

    Args:
        front: (x, y) of the non-dominated points.
        x_max, y_max: True where larger is better.

    Returns:
        The line's vertices, [] for an empty front.
    """
    pts = sorted(set(front), key=lambda p: -p[0] if x_max else p[0])
    if not pts:
        return []
    worse_x = min if x_max else max
    worse_y = min if y_max else max
    line = [(pts[0][0], -INF if y_max else INF), pts[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        line += [(worse_x(x0, x1), worse_y(y0, y1)), (x1, y1)]
    line.append((-INF if x_max else INF, pts[-1][1]))
    return line


def _check_metric(data: StudyData, flag: str, name: str) -> MetricSpec:
    if name not in data.metric_names:
        raise UsageError(data.not_a_goal(flag, name))
    return data.metrics[data.metric_index(name)]


@shown_as(PlotAsk, PlotOptions)
def plot_data(data: StudyData, x: str, y: str, **options: Unpack[PlotOptions]) -> PlotData:
    """The candidates on two metrics, with the Pareto front, its knee and the mixture hull.

    The front and the knee are those of `tradeoff pareto --metrics X,Y` (feasible candidates, or
    all with `ignore_budgets`); infeasible candidates are always drawn, so one sees what budgets
    cut. With `mix`, both metrics must be additive (as in `tradeoff frontier`) and the hull is
    that of the candidates the front is taken over.

    Raises:
        UsageError: unknown or equal metrics, a non-additive metric with `mix`, a value <= 0 on
            a log axis, or no candidate with both values.
        InputError: a missing value under `missing="error"`.
    """
    from tradeoff.engine.pareto import knee
    from tradeoff.questions.frontier import frontier, frontier_result

    ask = PlotAsk(**options)

    mx, my = _check_metric(data, "--x", x), _check_metric(data, "--y", y)
    if x == y:
        raise UsageError("--x and --y must be two different metrics")
    if ask.mix:
        frontier_result(
            data, x, y, None, ask.missing
        )  # refuses non-additive metrics, as `frontier`
    a = analyse(
        data,
        Options(metrics=[x, y], missing=ask.missing),
        all_rows=ask.ignore_budgets,
        score=False,
    )
    xi, yi = data.metric_index(x), data.metric_index(y)
    names = data.names
    rows = [int(i) for i in a.rows]
    front = [i for i in rows if a.front[i]]
    knee_row = -1
    if front:
        oriented = a.oriented([x, y])[front]
        knee_row = front[knee(oriented, np.ones(2, bool), [names[i] for i in front])]
    hull: set[int] = set()
    hull_xy: list[tuple[float, float]] = []
    if ask.mix and rows:
        xs, ys = a.values[rows, xi], a.values[rows, yi]
        vertices, _, _ = frontier([names[i] for i in rows], xs, ys, mx.maximize, my.maximize)
        hull = {rows[v] for v in vertices}
        hull_xy = [(float(xs[v]), float(ys[v])) for v in vertices]
    points = [
        PlotPoint(
            names[i],
            float(a.values[i, xi]),
            float(a.values[i, yi]),
            feasible=bool(a.feasible[i]),
            front=i in front,
            knee=i == knee_row,
            hull=i in hull,
            filled=bool(a.filled[i, xi] or a.filled[i, yi]),
        )
        for i in rows
    ]
    axes = ((x, xi), (y, yi))
    notes = [
        f"{names[i]}: no value for {' or '.join(m for m, j in axes if a.filled[i, j])}"
        "; drawn at the worst value"
        for i in rows
        if a.filled[i, xi] or a.filled[i, yi]
    ]
    notes += [f"{names[i]}: excluded, no value for {', '.join(m)}" for i, m in a.excluded]
    if not ask.ignore_budgets:
        # Infeasible candidates take no part in the front, but are drawn with their raw values.
        for i in map(int, np.flatnonzero(~a.feasible)):
            vx, vy = float(data.values[i, xi]), float(data.values[i, yi])
            if math.isnan(vx) or math.isnan(vy):
                lacking = " or ".join(m for m, v in ((x, vx), (y, vy)) if math.isnan(v))
                notes.append(f"{names[i]}: infeasible, and not drawn: no value for {lacking}")
                continue
            points.append(PlotPoint(names[i], vx, vy, feasible=False, considered=False))
    if not points:
        raise UsageError(f"nothing to plot: no candidate has values for both {x} and {y}")
    for flag, metric, on in (("--log-x", mx, ask.log_x), ("--log-y", my, ask.log_y)):
        bad = [p for p in points if on and (p.x if metric is mx else p.y) <= 0]
        if bad:
            value = bad[0].x if metric is mx else bad[0].y
            raise UsageError(
                f"{flag}: a log axis needs positive values, but {bad[0].name} has "
                f"{metric.name} {value:g}" + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else "")
            )
    for flag, metric, on, values in (
        ("--log-x", mx, ask.log_x, [p.x for p in points]),
        ("--log-y", my, ask.log_y, [p.y for p in points]),
    ):
        # A linear axis from -1e308 to 1e308 is wider than a float can hold.
        if not on and not math.isfinite((max(values) - min(values)) * 1.2):
            hint = f" (try {flag})" if min(values) > 0 else ""
            raise UsageError(
                f"cannot draw {metric.name} on a linear axis: its values span more than a "
                f"float can hold{hint}"
            )
    return PlotData(
        title=data.title or data.file,
        x=mx,
        y=my,
        points=points,
        staircase=staircase([(p.x, p.y) for p in points if p.front], mx.maximize, my.maximize),
        hull=hull_xy,
        mix=ask.mix,
        log_x=ask.log_x,
        log_y=ask.log_y,
        notes=notes,
    )
