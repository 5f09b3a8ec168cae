"""The mixture frontier: what routing traffic between two models can achieve.

Sending a share s of requests to model B and 1 - s to model A gives, for a mean-additive metric
(cost per request, mean accuracy, energy per request), the mix of the two means. So on two such
metrics the achievable set is the convex hull of the candidates, not the point set: a candidate
strictly below the hull is beaten by a mix of its two neighbouring hull vertices (FrugalGPT,
RouteLLM). Only the efficient part of the hull matters: from the best-x vertex to the best-y one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tradeoff.arrays import F64
from tradeoff.data import MetricSpec, StudyData
from tradeoff.errors import UsageError
from tradeoff.questions.analysis import Missing, Options, analyse
from tradeoff.questions.record import JsonResult, num

_EPS = 1e-12


@dataclass(frozen=True)
class Beaten:
    """A front member strictly below the hull, and the mix that beats it at the same x."""

    name: str
    by: tuple[str, str]  # the two hull vertices around it, in increasing x
    share: float  # share of by[1] in the mix with the candidate's x


@dataclass(frozen=True)
class Rival:
    """A candidate that beats another on both metrics, and those where it is strictly better."""

    name: str
    better_on: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    """The cheapest mix (on x) that reaches a value of y, against the cheapest single model."""

    metric: str
    value: float
    x: float | None
    mix: list[tuple[str, float]]
    cheapest_single: str | None
    cheapest_single_x: float | None


@dataclass(frozen=True)
class FrontierResult(JsonResult):
    """`tradeoff frontier`: hull vertices, candidates a mix beats, and an optional target."""

    x: str
    y: str
    x_unit: str | None
    y_unit: str | None
    points: dict[str, tuple[float, float]]  # every candidate that took part: name -> (x, y)
    hull: list[str]  # efficient hull vertices, in increasing x
    beaten: list[Beaten]
    target: Target | None
    command: str = "frontier"
    # Candidates others beat on both metrics: who (at most 3, best on y first), and where.
    dominated_by: dict[str, list[Rival]] = field(default_factory=dict)
    # --missing exclude: who was left out for lack of which values; --missing worst: the
    # (candidate, metric) values it charged
    excluded: list[tuple[str, list[str]]] = field(default_factory=list)
    filled: frozenset[tuple[str, str]] = frozenset()

    def to_json(self) -> dict[str, Any]:
        target = None
        if self.target is not None:
            t = self.target
            target = {
                "metric": t.metric,
                "value": num(t.value),
                "x": num(t.x),
                "mix": [{"name": n, "share": num(s)} for n, s in t.mix],
                "cheapest_single": t.cheapest_single,
                "cheapest_single_x": num(t.cheapest_single_x),
            }
        return {
            **self.heading(),
            "x": self.x,
            "y": self.y,
            "hull": list(self.hull),
            "beaten_by_mix": [
                {"name": b.name, "by": list(b.by), "share": num(b.share)} for b in self.beaten
            ],
            "target": target,
            "candidates": self._candidates_json(),
            "excluded": [{"name": n, "missing": m} for n, m in self.excluded],
        }

    def beaten_by(self, name: str) -> tuple[list[str], float | None]:
        """Who beats a candidate: the two hull vertices of the mix (and the share of the
        second), or the candidates that dominate it; nobody for the others."""
        mix = next((b for b in self.beaten if b.name == name), None)
        if mix is not None:
            return list(mix.by), mix.share
        return [r.name for r in self.dominated_by.get(name, [])], None

    def _candidates_json(self) -> list[dict[str, Any]]:
        out = []
        hull = set(self.hull)
        for name, (x, y) in self.points.items():
            by, share = self.beaten_by(name)
            out.append(
                {
                    "name": name,
                    "metrics": {self.x: num(x), self.y: num(y)},
                    "hull": name in hull,
                    "dominated": name in self.dominated_by,
                    "beaten_by": by,
                    "share": num(share),
                }
            )
        return out


def _cross(o: F64, a: F64, b: F64) -> float:
    return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))


def efficient_hull(a: F64, b: F64, names: list[str]) -> list[int]:
    """Vertices of the efficient hull for "small a, large b", from the best-a end to the best-b one.

    Strict corners only: a point exactly on an edge is not a vertex. Identical points count once
    (the first by name).
    """
    # Upper hull by Andrew's monotone chain: sorted by a, then b descending, then name.
    order = sorted(range(len(a)), key=lambda i: (a[i], -b[i], names[i]))
    hull: list[int] = []
    pts = np.column_stack([a, b])
    for i in order:
        if hull and a[hull[-1]] == a[i]:
            continue  # same a, lower (or equal) b: never on the upper hull
        while len(hull) >= 2 and _cross(pts[hull[-2]], pts[hull[-1]], pts[i]) >= -_EPS * _scale(
            pts, hull[-2], i
        ):
            hull.pop()  # a right turn or collinear: the middle point is not a strict corner
        hull.append(i)
    # Keep the rising part: up to the first vertex with the largest b.
    best = max(b[i] for i in hull)
    end = next(k for k, i in enumerate(hull) if b[i] == best)
    return hull[: end + 1]


def _scale(pts: F64, i: int, j: int) -> float:
    return float(np.abs(pts[j] - pts[i]).max() ** 2) or 1.0


def frontier(
    names: list[str], x: F64, y: F64, x_max: bool, y_max: bool, target: float | None = None
) -> tuple[list[int], list[tuple[int, int, int, float]], dict[str, Any] | None]:
    """Hull vertices (increasing x), beaten front members and the target mix, by index.

    Args:
        names: candidate names (ties are broken by name).
        x, y: the two additive metrics' values.
        x_max, y_max: True where larger is better.
        target: a value of y to reach, or None.

    Returns:
        (vertices in increasing x, [(i, v0, v1, share of v1)], target dict or None).
    """
    from tradeoff.engine.pareto import pareto_mask

    a = -x if x_max else x.copy()  # oriented: small a and large b are good
    b = y.copy() if y_max else -y
    hull = efficient_hull(a, b, names)
    front = np.flatnonzero(pareto_mask(np.column_stack([-a, b]), np.array([True, True])))
    beaten: list[tuple[int, int, int, float]] = []
    on_hull = set(hull)
    for i in map(int, front):
        if i in on_hull or len(hull) < 2:
            continue
        k = int(np.searchsorted([a[v] for v in hull], a[i], side="right")) - 1
        if k < 0 or k >= len(hull) - 1:
            continue
        v0, v1 = hull[k], hull[k + 1]
        s = (a[i] - a[v0]) / (a[v1] - a[v0])
        level = b[v0] + s * (b[v1] - b[v0])
        if b[i] < level - _EPS * max(1.0, abs(level)):
            beaten.append((i, v0, v1, float(s)))
    out_target = None
    if target is not None:
        out_target = _target(names, a, b, hull, target if y_max else -target, x_max)
    vertices = sorted(hull, key=lambda v: x[v])
    fixed = []
    for i, v0, v1, s in beaten:
        # `by` in increasing x; the share is that of by[1].
        fixed.append((i, v0, v1, s) if x[v0] <= x[v1] else (i, v1, v0, 1.0 - s))
    return vertices, sorted(fixed, key=lambda t: names[t[0]]), out_target


def _target(
    names: list[str],
    a: F64,
    b: F64,
    hull: list[int],
    t: float,
    x_max: bool,
) -> dict[str, Any]:
    sign = -1.0 if x_max else 1.0  # back from oriented a to raw x
    meets = [i for i in range(len(a)) if b[i] >= t]
    single = min(meets, key=lambda i: (a[i], names[i])) if meets else None
    out: dict[str, Any] = {
        "x": None,
        "mix": [],
        "single": single,
        "single_x": None if single is None else sign * a[single],
    }
    if b[hull[0]] >= t:
        out.update(x=sign * a[hull[0]], mix=[(hull[0], 1.0)])
        return out
    for v0, v1 in itertools.pairwise(hull):
        if b[v0] < t <= b[v1]:
            s = (t - b[v0]) / (b[v1] - b[v0])
            # A target met exactly at a vertex is that model alone; the mix in increasing x.
            mix = [(v, share) for v, share in ((v0, 1.0 - s), (v1, s)) if share > _EPS]
            mix.sort(key=lambda vs: sign * a[vs[0]])
            out.update(x=sign * (a[v0] + s * (a[v1] - a[v0])), mix=mix)
            return out
    return out


def frontier_result(
    data: StudyData,
    x: str,
    y: str,
    target: tuple[str, float] | None = None,
    missing: Missing = "error",
) -> FrontierResult:
    """The mixture frontier of the feasible candidates on two additive metrics.

    Raises:
        UsageError: a metric is unknown or not `additive: true`, or the target is not on y.
    """
    for flag, name in (("--x", x), ("--y", y)):
        if name not in data.metric_names:
            raise UsageError(data.not_a_goal(flag, name))
        if not data.metrics[data.metric_index(name)].additive:
            raise UsageError(
                f"{flag}: metric '{name}' is not additive: a traffic mix does not average it "
                f"(percentiles and memory never interpolate); mark it `additive: true` if its "
                f"mean over a mix is the mix of the means"
            )
    if x == y:
        raise UsageError("--x and --y must be two different metrics")
    if target is not None and target[0] != y:
        raise UsageError(f"--target must be on the y metric '{y}', got '{target[0]}'")
    a = analyse(data, Options(metrics=[x, y], missing=missing), score=False)
    rows = a.rows
    names = [data.names[i] for i in rows]
    xi, yi = data.metric_index(x), data.metric_index(y)
    xs, ys = a.values[rows, xi], a.values[rows, yi]
    mx, my = data.metrics[xi], data.metrics[yi]
    hull: list[int] = []
    beaten: list[Beaten] = []
    tgt = None
    if len(rows):
        hull, raw, t = frontier(names, xs, ys, mx.maximize, my.maximize, target and target[1])
        beaten = [Beaten(names[i], (names[v0], names[v1]), s) for i, v0, v1, s in raw]
        if t is not None and target is not None:
            tgt = Target(
                y,
                target[1],
                t["x"],
                [(names[i], s) for i, s in t["mix"]],
                None if t["single"] is None else names[t["single"]],
                t["single_x"],
            )
    elif target is not None:
        tgt = Target(y, target[1], None, [], None, None)
    return FrontierResult(
        x=x,
        y=y,
        x_unit=mx.unit,
        y_unit=my.unit,
        points={n: (float(p), float(q)) for n, p, q in zip(names, xs, ys, strict=True)},
        hull=[names[i] for i in hull],
        beaten=beaten,
        target=tgt,
        dominated_by=_dominated_by(names, xs, ys, mx, my),
        excluded=[(data.names[i], miss) for i, miss in a.excluded],
        filled=frozenset(
            (data.names[i], m)
            for i in rows.tolist()
            for j, m in ((xi, x), (yi, y))
            if a.filled[i, j]
        ),
    )


def _dominated_by(
    names: list[str], xs: F64, ys: F64, mx: MetricSpec, my: MetricSpec
) -> dict[str, list[Rival]]:
    """For each candidate others beat on both metrics: up to 3 of them, best on y first, each
    with the metrics on which it is strictly better (equal on the other)."""
    px = xs if mx.maximize else -xs  # larger is better from here
    py = ys if my.maximize else -ys
    out: dict[str, list[Rival]] = {}
    for i, name in enumerate(names):
        dom = (px >= px[i]) & (py >= py[i]) & ((px > px[i]) | (py > py[i]))
        if dom.any():
            best = sorted(np.flatnonzero(dom).tolist(), key=lambda j: (-py[j], -px[j], names[j]))
            out[name] = [
                Rival(names[j], tuple(m.name for m, p in ((mx, px), (my, py)) if p[j] > p[i]))
                for j in best[:3]
            ]
    return out
