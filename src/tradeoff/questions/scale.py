"""Values that look like they were written on another scale: a `%` metric given as a fraction
(`quality: 0.443` beside 72.6 and 48), or a value far outside a metric's `range`.

Such a value is valid input, so this is a warning, not an error; but it silently changes
normalization and the winner, so every command says so (on stderr), naming the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import MetricSpec, StudyData
from tradeoff.errors import Diagnostic

FRACTION = 1.0  # |value| at most this reads as a fraction ...
PERCENT = 5.0  # ... beside values above this, on a 0-100 scale
SHOWN = 3  # warnings per metric; the rest are counted
KEPT = SHOWN + 1  # cells kept per kind: those named, then the next one's line (or a "...")

Cell = tuple[str, float, int, int]  # name, value, line, col


@dataclass(frozen=True)
class Cells:
    """Values of one kind (fractions, percentages, values within a 0-1 range): how many, and
    the first `KEPT` in file order."""

    count: int = 0
    first: tuple[Cell, ...] = ()

    def __add__(self, other: Cells) -> Cells:
        return Cells(self.count + other.count, (self.first + other.first)[:KEPT])


@dataclass(frozen=True)
class Tally:
    """One metric's values by the scale they look like: enough to word its warnings, and
    mergeable, so that the dask engine tallies each partition and adds them up in file order."""

    small: Cells = field(default_factory=Cells)  # 0 < |v| <= FRACTION
    large: Cells = field(default_factory=Cells)  # |v| > PERCENT
    within: Cells = field(default_factory=Cells)  # |v| <= FRACTION (a 0-1 range's peers)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.small + other.small, self.large + other.large, self.within + other.within)


def scale_warnings(data: StudyData) -> list[Diagnostic]:
    """One warning per value that looks like it is on another scale than its metric's peers.

    A metric in `%`, or with a `range` whose high end is 50 or more: values in (0, 1] beside
    values above 5 are one scale or the other; the smaller group is named (fractions on a tie).
    A metric with a `range` whose high end is at most 1: values above 5 (a percentage given for
    a 0-1 score). At most three warnings per metric, then a count of the others.
    """
    return warnings_of(data.file, data.metrics, tally(data))


def tally(data: StudyData) -> list[Tally]:
    """Per metric of `data`, its `Tally` (empty for a metric that cannot warn)."""
    return [_tally(data, j, metric, data.values[:, j]) for j, metric in enumerate(data.metrics)]


def add(a: list[Tally], b: list[Tally]) -> list[Tally]:
    """Two runs of rows' tallies as one, `a`'s rows first."""
    return [x + y for x, y in zip(a, b, strict=True)]


def warnings_of(file: str, metrics: list[MetricSpec], tallies: list[Tally]) -> list[Diagnostic]:
    """The warnings `scale_warnings` words from the metrics' tallies."""
    out: list[Diagnostic] = []
    for metric, t in zip(metrics, tallies, strict=True):
        odd, peers, what = _odd_ones(metric, t)
        for name, value, line, col in odd.first[:SHOWN]:
            text = f"{name}'s {_num(value)} {what} ({_examples(peers)})"
            if metric.unit == "%" and abs(value) <= FRACTION:
                text += f": was {_num(value * 100)} meant?"
            out.append(Diagnostic(file, line, col, metric.name, text))
        if odd.count > SHOWN:
            more = f"and {odd.count - SHOWN} more values like these"
            out.append(Diagnostic(file, odd.first[SHOWN][2], 0, metric.name, more))
    return out


def _hundred(metric: MetricSpec) -> bool:
    return metric.unit == "%" or (metric.range is not None and metric.range[1] >= 50)


def _unit_range(metric: MetricSpec) -> bool:
    return metric.range is not None and metric.range[1] <= FRACTION


def _tally(data: StudyData, j: int, metric: MetricSpec, col: NDArray[np.float64]) -> Tally:
    if not (_hundred(metric) or _unit_range(metric)):
        return Tally()
    with np.errstate(invalid="ignore"):
        small = (np.abs(col) <= FRACTION) & (col != 0) if _hundred(metric) else None
        within = np.abs(col) <= FRACTION if _unit_range(metric) else None
        return Tally(
            small=Cells() if small is None else _cells(data, j, col, small),
            large=_cells(data, j, col, np.abs(col) > PERCENT),
            within=Cells() if within is None else _cells(data, j, col, within),
        )


def _cells(data: StudyData, j: int, col: NDArray[np.float64], mask: NDArray[np.bool_]) -> Cells:
    found = np.flatnonzero(mask)
    first = tuple(
        (data.names[i], float(col[i]), int(data.lines[i, j]), int(data.cols[i, j]))
        for i in found[:KEPT].tolist()
    )
    return Cells(len(found), first)


def _odd_ones(metric: MetricSpec, t: Tally) -> tuple[Cells, Cells, str]:
    if _hundred(metric) and t.small.count and t.large.count:
        scale = "is in %" if metric.unit == "%" else f"has the range {_range(metric)}"
        if t.small.count <= t.large.count:
            return t.small, t.large, f"looks like a fraction, but {metric.name} {scale}"
        return t.large, t.small, f"looks like a percentage among fractions ({metric.name} {scale})"
    if _unit_range(metric) and t.large.count:
        return t.large, t.within, f"is far outside {metric.name}'s range {_range(metric)}"
    return Cells(), Cells(), ""


def _range(metric: MetricSpec) -> str:
    assert metric.range is not None
    low, high = metric.range
    return f"[{_num(low)}, {_num(high)}]"


def _num(x: float) -> str:
    return f"{x:.4g}"


def _examples(peers: Cells) -> str:
    if not peers.count:
        return "no other values"
    shown = ", ".join(_num(v) for _, v, _, _ in peers.first[:3])
    return f"others: {shown}{', ...' if peers.count > 3 else ''}"
