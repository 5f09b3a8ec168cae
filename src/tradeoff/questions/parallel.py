"""What `tradeoff plot --parallel` draws: every selected goal as a vertical axis, better end up.

Each axis spans its goalposts (the metric's `range`, else the values of the candidates shown) and
maps them so the best value is at the top (1) and the worst at the bottom (0); a metric on which
every candidate is equal sits in the middle. Candidates are lines across the axes: the front (among
the feasible candidates, on the selected goals) stands out, the infeasible ones are grey, and a
missing value breaks a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import MetricSpec, StudyData
from tradeoff.questions.analysis import Missing, Options, analyse, metric_list

Status = Literal["front", "feasible", "infeasible"]


@dataclass(frozen=True)
class ParallelLine:
    """One candidate across the axes: raw values and heights (None where it has no value)."""

    name: str
    values: tuple[float | None, ...]
    heights: tuple[float | None, ...]
    status: Status
    knee: bool = False


@dataclass(frozen=True)
class ParallelData:
    """Axes (goals in order, with their `(worst, best)` goalposts) and the lines to draw."""

    title: str | None
    metrics: list[MetricSpec]
    goalposts: list[tuple[float, float]]
    lines: list[ParallelLine]
    notes: list[str] = field(default_factory=list)


def parallel_data(
    data: StudyData,
    metrics: Sequence[str] | str | None = None,
    *,
    missing: Missing = "error",
) -> ParallelData:
    """The parallel-axes view of a study (see the module docstring).

    The front is judged as `pareto` judges it, on the selected goals; `missing` is its policy for
    missing values (a value `worst` fills is drawn at the bottom of its axis).
    """
    from tradeoff.engine.pareto import knee

    a = analyse(data, Options(metrics=metric_list(metrics), missing=missing), score=False)
    specs = [data.metrics[data.metric_index(m)] for m in a.dom]
    cols = [data.metric_index(m) for m in a.dom]
    shown = np.arange(len(data.names))
    values = a.values[:, cols]
    posts = [_goalposts(m, values[:, k]) for k, m in enumerate(specs)]
    front = np.flatnonzero(a.front)
    knee_row = -1
    if len(front):
        oriented = a.oriented(a.dom)[front]
        ones = np.ones(len(a.dom), dtype=bool)
        knee_row = int(front[knee(oriented, ones, [data.names[i] for i in front])])
    lines = []
    for i in shown.tolist():
        status: Status = "front" if a.front[i] else "feasible" if a.feasible[i] else "infeasible"
        row = values[i].tolist()
        lines.append(
            ParallelLine(
                name=data.names[i],
                values=tuple(None if v != v else v for v in row),
                heights=tuple(_height(v, p) for v, p in zip(row, posts, strict=True)),
                status=status,
                knee=i == knee_row,
            )
        )
    notes = [f"{data.names[i]}: excluded for lacking {', '.join(m)}" for i, m in a.excluded]
    return ParallelData(data.title, specs, posts, lines, notes)


def _goalposts(m: MetricSpec, col: NDArray[np.float64]) -> tuple[float, float]:
    if m.range is not None:
        lo, hi = m.range
    elif np.isnan(col).all():
        lo = hi = 0.0
    else:
        lo, hi = float(np.nanmin(col)), float(np.nanmax(col))
    return (lo, hi) if m.maximize else (hi, lo)


def _height(value: float, posts: tuple[float, float]) -> float | None:
    if value != value:  # NaN: no value
        return None
    worst, best = posts
    if best == worst:
        return 0.5
    return float(min(max((value - worst) / (best - worst), 0.0), 1.0))
