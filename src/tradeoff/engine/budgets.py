"""Budgets: every candidate against every bound that applies to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import BudgetSpec, StudyData

Status = Literal["pass", "fail", "warn", "no value"]


VIOLATION = ("candidate", "metric", "value", "bound", "limit", "level", "line")
"""The keys of a broken budget in `rank` and `check` JSON, in order (the spec's)."""


@dataclass(frozen=True)
class BudgetResult:
    """One (candidate, budget) pair. A violation is a result whose status is not `pass`."""

    candidate: str
    metric: str
    value: float | None
    bound: Literal["max", "min"]
    limit: float
    level: Literal["error", "warn"]
    line: int
    col: int
    status: Status
    headroom: float | None

    @property
    def failed(self) -> bool:
        return self.status != "pass"

    def violation(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in VIOLATION}

    def to_json(self) -> dict[str, Any]:
        return {**self.violation(), "status": self.status, "headroom": self.headroom}


def applies(data: StudyData, budget: BudgetSpec) -> NDArray[np.bool_]:
    """Which candidates the budget applies to (all, or those carrying one of its tags)."""
    if budget.tags is None:
        return np.ones(len(data.names), dtype=bool)
    sets, codes = data.tag_codes()
    hits = np.array([budget.applies_to(t) for t in sets], dtype=bool)
    return hits[codes] if len(codes) else np.zeros(0, dtype=bool)


def violated(data: StudyData, budget: BudgetSpec) -> NDArray[np.bool_]:
    """Candidates that break the bound or lack a value for it, among those it applies to."""
    col = data.values[:, data.metric_index(budget.metric)]
    with np.errstate(invalid="ignore"):
        beyond = col > budget.limit if budget.bound == "max" else col < budget.limit
    return applies(data, budget) & (beyond | np.isnan(col))


def feasible(data: StudyData) -> NDArray[np.bool_]:
    """Candidates with no error-level violation (warnings do not make a candidate infeasible)."""
    ok = np.ones(len(data.names), dtype=bool)
    for budget in data.budgets:
        if budget.level == "error":
            ok &= ~violated(data, budget)
    return ok


def headroom(value: float, budget: BudgetSpec) -> float | None:
    """Slack as a fraction of the limit; None when the limit is 0."""
    if budget.limit == 0:
        return None
    slack = budget.limit - value if budget.bound == "max" else value - budget.limit
    return float(slack / abs(budget.limit))


def results(
    data: StudyData, rows: NDArray[np.intp] | None = None, *, only_failed: bool = False
) -> list[BudgetResult]:
    """Every (candidate, applicable budget) result for `rows` (default: all), by candidate.

    Within a candidate, results follow the order of the budgets in the file.
    """
    index = np.arange(len(data.names)) if rows is None else rows
    out: list[tuple[int, int, BudgetResult]] = []
    for b, budget in enumerate(data.budgets):
        j = data.metric_index(budget.metric)
        mask = applies(data, budget)[index]
        if only_failed:
            mask &= violated(data, budget)[index]
        for i in index[mask]:
            out.append((int(i), b, _result(data, int(i), j, budget)))
    order = {int(i): k for k, i in enumerate(index)}
    out.sort(key=lambda t: (order[t[0]], t[1]))
    return [r for _, _, r in out]


def _result(data: StudyData, i: int, j: int, budget: BudgetSpec) -> BudgetResult:
    value = float(data.values[i, j])
    status: Status
    if np.isnan(value):
        status, room, shown = "no value", None, None
    else:
        shown = value
        broken = value > budget.limit if budget.bound == "max" else value < budget.limit
        status = ("fail" if budget.level == "error" else "warn") if broken else "pass"
        room = headroom(value, budget)
    return BudgetResult(
        candidate=data.names[i],
        metric=budget.metric,
        value=shown,
        bound=budget.bound,
        limit=budget.limit,
        level=budget.level,
        line=int(data.lines[i, j]),
        col=int(data.cols[i, j]),
        status=status,
        headroom=room,
    )


class Violations:
    """Every candidate's failed budgets, found with one vectorized pass per budget.

    `for_row(i)` then builds candidate i's records on demand, so a table of a million rows
    pays for the records it shows, not for all of them.
    """

    def __init__(self, data: StudyData) -> None:
        self.data = data
        self.masks = [violated(data, b) for b in data.budgets]
        self.columns = [data.metric_index(b.metric) for b in data.budgets]

    def for_row(self, i: int) -> list[BudgetResult]:
        return [
            _result(self.data, i, j, b)
            for b, j, mask in zip(self.data.budgets, self.columns, self.masks, strict=True)
            if mask[i]
        ]


MAX_CLOSEST = 3


Extremes = tuple[NDArray[np.float64], NDArray[np.float64]]
"""Per metric, the lowest and highest value over every candidate (NaN: none has a value)."""


def distances(
    data: StudyData, rows: NDArray[np.intp] | None = None, extremes: Extremes | None = None
) -> NDArray[np.float64]:
    """Per candidate (of `rows`, default all), its total error-level violation, each scaled.

    A violation counts by how far the value lies beyond the limit, divided by the metric's
    `range` span, else by its min-max span over all candidates (else by |limit|, else 1, when
    every candidate has the same value); a "no value" violation counts 1. A feasible candidate
    is at distance 0. `extremes` gives that min and max when `data` holds only some of the
    candidates (one partition of a dataset); by default they are `data`'s own.
    """
    index = np.arange(len(data.names)) if rows is None else rows
    total = np.zeros(len(index), dtype=np.float64)
    for budget in data.budgets:
        if budget.level != "error":
            continue
        j = data.metric_index(budget.metric)
        col = data.values[:, j]
        hit = violated(data, budget)[index]
        over = col[index] - budget.limit if budget.bound == "max" else budget.limit - col[index]
        scaled = np.where(np.isnan(over), 1.0, over / _span(data, j, budget.limit, extremes))
        total += np.where(hit, scaled, 0.0)
    return total


def closest(
    data: StudyData, rows: NDArray[np.intp] | None = None, extremes: Extremes | None = None
) -> list[tuple[int, float]]:
    """The (at most `MAX_CLOSEST`) infeasible candidates nearest to feasibility, nearest first
    (ties by name): `(row, distance)` as `distances` measures it."""
    index = np.arange(len(data.names)) if rows is None else rows
    dist = distances(data, index, extremes)
    bad = np.flatnonzero(dist > 0)
    if len(bad) > 4 * MAX_CLOSEST:
        # Only the nearest few are shown: a partial sort keeps a million rows cheap.
        keep = np.argpartition(dist[bad], MAX_CLOSEST - 1)[:MAX_CLOSEST]
        cut = dist[bad][keep].max()
        bad = bad[dist[bad] <= cut]
    ranked = sorted(bad.tolist(), key=lambda k: (float(dist[k]), data.names[int(index[k])]))
    return [(int(index[k]), float(dist[k])) for k in ranked[:MAX_CLOSEST]]


def _span(data: StudyData, j: int, limit: float, extremes: Extremes | None) -> float:
    spec = data.metrics[j]
    if spec.range is not None:
        return float(spec.range[1] - spec.range[0])
    if extremes is None:
        col = data.values[:, j]
        if np.isnan(col).all():
            return abs(limit) or 1.0
        low, high = np.nanmin(col), np.nanmax(col)
    else:
        low, high = extremes[0][j], extremes[1][j]
        if np.isnan(low):
            return abs(limit) or 1.0
    span = float(high - low)
    return span or abs(limit) or 1.0
