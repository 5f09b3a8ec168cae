"""The front as one number: its hypervolume, with the goalposts and reference point it used.

Each goal is scaled with its goalposts (the metric's `range`, else the extremes of the candidates
considered) so that its best goalpost maps to 0 and its worst to 1: every goal is then minimized,
and the volume is a share of the unit box (more than 1 where the reference lies beyond the worst
goalpost). The reference point per goal is, in order: `--reference METRIC=V`, the loosest
untagged error-level budget bound on the goal, else 10 % of the goalpost span beyond the worst
value. A goal whose goalposts coincide (every candidate equal) is scaled by the size of that
value (or by 1 when it is 0), so it neither divides by zero nor erases the volume.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import MetricSpec, StudyData
from tradeoff.engine import hypervolume as hv
from tradeoff.errors import UsageError

Origin = Literal["budget", "worst", "flag"]
BEYOND = 0.10
"""The default reference lies this share of the goalpost span beyond the worst value."""


@dataclass(frozen=True)
class FrontVolume:
    """The hypervolume of a front, and what it was measured against (in the metrics' units).

    Attributes:
        value: the volume in scaled units, None when it cannot be computed exactly here.
        reference: per goal, the reference point's coordinate.
        reference_from: per goal, "budget", "worst" or "flag".
        goalposts: per goal, `(worst, best)`.
        note: why `value` is None (or another remark), else None.
    """

    value: float | None
    reference: dict[str, float]
    reference_from: dict[str, Origin]
    goalposts: dict[str, tuple[float, float]]
    note: str | None = None

    def summary(self) -> str:
        """One line for tables: the value and where the reference point came from."""
        if self.value is None:
            return self.note or "hypervolume: not computed"
        groups: dict[str, list[str]] = {}
        for m, origin in self.reference_from.items():
            groups.setdefault(origin, []).append(m)
        words = {
            "budget": "budgets on",
            "flag": "--reference on",
            "worst": "10 % past the worst on",
        }
        parts = [f"{words[o]} {', '.join(ms)}" for o, ms in groups.items()]
        return (
            f"hypervolume {self.value:.4g} (goalposts scaled to 0-1; reference: {'; '.join(parts)})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "value": _num(self.value),
            "reference": {m: _num(v) for m, v in self.reference.items()},
            "reference_from": dict(self.reference_from),
            "goalposts": {m: [_num(w), _num(b)] for m, (w, b) in self.goalposts.items()},
        }


def _num(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def parse_reference_flags(items: Sequence[str]) -> dict[str, float]:
    """`--reference METRIC=V` flags -> {metric: V} (names are checked against the study later)."""
    out: dict[str, float] = {}
    for item in items:
        metric, sep, text = item.partition("=")
        metric = metric.strip()
        if not sep or not metric:
            raise UsageError(f"--reference expects METRIC=VALUE, got '{item}'")
        if metric in out:
            raise UsageError(f"--reference: metric '{metric}' given twice")
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not np.isfinite(value):
            raise UsageError(f"--reference {metric}: expected a finite number, got '{text}'")
        out[metric] = value
    return out


def check_reference_names(
    flags: Mapping[str, float], data: StudyData, goals: Sequence[str]
) -> None:
    """Refuse a `--reference` on an unknown metric or on one the front is not judged on."""
    known = [m.name for m in data.metrics]
    for metric in flags:
        if metric not in known:
            raise UsageError(data.not_a_goal("--reference", metric))
        if metric not in goals:
            raise UsageError(
                f"--reference: '{metric}' is not among the goals the front is judged on "
                f"({', '.join(goals)})"
            )


def goalposts_of(
    metrics: Sequence[MetricSpec], values: NDArray[np.float64]
) -> dict[str, tuple[float, float]]:
    """Per goal `(worst, best)`: its `range`, else the extremes of `values` (rows considered)."""
    out = {}
    for j, m in enumerate(metrics):
        if m.range is not None:
            lo, hi = m.range
        elif len(values):
            lo, hi = float(np.min(values[:, j])), float(np.max(values[:, j]))
        else:
            lo = hi = float("nan")
        out[m.name] = (lo, hi) if m.maximize else (hi, lo)
    return out


def default_references(
    data: StudyData,
    metrics: Sequence[MetricSpec],
    values: NDArray[np.float64],
    goalposts: Mapping[str, tuple[float, float]],
    flags: Mapping[str, float],
) -> tuple[dict[str, float], dict[str, Origin]]:
    """The reference point: flags first, then the loosest untagged error-level budget, else
    10 % of the span beyond the worst value among `values`."""
    ref: dict[str, float] = {}
    origin: dict[str, Origin] = {}
    for j, m in enumerate(metrics):
        bound = "min" if m.maximize else "max"
        limits = [
            b.limit
            for b in data.budgets
            if b.metric == m.name and b.bound == bound and b.level == "error" and b.tags is None
        ]
        if m.name in flags:
            ref[m.name], origin[m.name] = flags[m.name], "flag"
        elif limits:
            ref[m.name] = min(limits) if m.maximize else max(limits)
            origin[m.name] = "budget"
        else:
            worst_post, best_post = goalposts[m.name]
            span = abs(worst_post - best_post) or _flat_scale(best_post)
            col = values[:, j] if len(values) else np.array([worst_post])
            worst = float(np.min(col)) if m.maximize else float(np.max(col))
            ref[m.name] = worst - BEYOND * span if m.maximize else worst + BEYOND * span
            origin[m.name] = "worst"
    return ref, origin


def _flat_scale(value: float) -> float:
    return abs(value) if value != 0 and np.isfinite(value) else 1.0


def scaled(
    metrics: Sequence[MetricSpec],
    values: NDArray[np.float64],
    goalposts: Mapping[str, tuple[float, float]],
) -> NDArray[np.float64]:
    """Values mapped so each goal's best goalpost is 0 and its worst 1 (minimized everywhere).

    Values better than the best goalpost (outside a `range`) are clipped to 0.
    """
    out = np.empty(values.shape, dtype=np.float64)
    for j, m in enumerate(metrics):
        worst, best = goalposts[m.name]
        span = (worst - best) or (_flat_scale(best) * (-1.0 if m.maximize else 1.0))
        out[:, j] = np.maximum((values[:, j] - best) / span, 0.0)
    return out


def measure(
    metrics: Sequence[MetricSpec],
    front: NDArray[np.float64],
    goalposts: Mapping[str, tuple[float, float]],
    reference: Mapping[str, float],
    *,
    engine: Literal["auto", "numpy"] = "auto",
) -> tuple[float | None, str | None]:
    """The hypervolume of the `front` rows (raw values, columns in `metrics` order), and a note
    when it cannot be computed."""
    d = len(metrics)
    if d > hv.MAX_DIMENSIONS:
        return None, f"hypervolume: not computed for {d} goals (at most {hv.MAX_DIMENSIONS})"
    if d >= 4 and (engine == "numpy" or not hv.exact_here(d)):
        return None, (
            f"hypervolume: {d} goals need moocore (pip install 'tradeoff[fast]'); "
            "without it only 2 or 3 goals are computed"
        )
    cap = hv.MAX_POINTS.get(d)
    if cap is not None and len(front) > cap:
        return None, (
            f"hypervolume: not computed for a front of {len(front):,} in {d} goals (exact "
            f"cost grows too fast past {cap:,}; --metrics narrows the goals)"
        )
    if any(not np.isfinite(v) for pair in goalposts.values() for v in pair):
        return None, "hypervolume: no candidate to set the goalposts"
    if len(front) == 0:
        return 0.0, None
    ref_row = np.array([[reference[m.name] for m in metrics]], dtype=np.float64)
    points = scaled(metrics, front, goalposts)
    ref = scaled(metrics, ref_row, goalposts)[0]
    return hv.hypervolume(points, ref, engine=engine), None
