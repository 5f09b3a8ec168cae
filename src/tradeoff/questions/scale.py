"""Values that look like they were written on another scale: a `%` metric given as a fraction
(`quality: 0.443` beside 72.6 and 48), or a value far outside a metric's `range`.

Such a value is valid input, so this is a warning, not an error; but it silently changes
normalization and the winner, so every command says so (on stderr), naming the line.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import MetricSpec, StudyData
from tradeoff.errors import Diagnostic

FRACTION = 1.0  # |value| at most this reads as a fraction ...
PERCENT = 5.0  # ... beside values above this, on a 0-100 scale
SHOWN = 3  # warnings per metric; the rest are counted


def scale_warnings(data: StudyData) -> list[Diagnostic]:
    """One warning per value that looks like it is on another scale than its metric's peers.

    A metric in `%`, or with a `range` whose high end is 50 or more: values in (0, 1] beside
    values above 5 are one scale or the other; the smaller group is named (fractions on a tie).
    A metric with a `range` whose high end is at most 1: values above 5 (a percentage given for
    a 0-1 score). At most three warnings per metric, then a count of the others.
    """
    out: list[Diagnostic] = []
    for j, metric in enumerate(data.metrics):
        col = data.values[:, j]
        odd, peers, what = _odd_ones(metric, col)
        if not len(odd):
            continue
        for i in odd[:SHOWN].tolist():
            text = f"{data.names[i]}'s {_num(col[i])} {what} ({_examples(col[peers])})"
            if metric.unit == "%" and abs(col[i]) <= FRACTION:
                text += f": was {_num(col[i] * 100)} meant?"
            line, c = int(data.lines[i, j]), int(data.cols[i, j])
            out.append(Diagnostic(data.file, line, c, metric.name, text))
        if len(odd) > SHOWN:
            line = int(data.lines[int(odd[SHOWN]), j])
            more = f"and {len(odd) - SHOWN} more values like these"
            out.append(Diagnostic(data.file, line, 0, metric.name, more))
    return out


def _odd_ones(
    metric: MetricSpec, col: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.intp], str]:
    with np.errstate(invalid="ignore"):
        small = np.flatnonzero((np.abs(col) <= FRACTION) & (col != 0))
        large = np.flatnonzero(np.abs(col) > PERCENT)
    hundred = metric.unit == "%" or (metric.range is not None and metric.range[1] >= 50)
    if hundred and len(small) and len(large):
        scale = "is in %" if metric.unit == "%" else f"has the range {_range(metric)}"
        if len(small) <= len(large):
            return small, large, f"looks like a fraction, but {metric.name} {scale}"
        return large, small, f"looks like a percentage among fractions ({metric.name} {scale})"
    if metric.range is not None and metric.range[1] <= FRACTION and len(large):
        within = np.flatnonzero(np.abs(col) <= FRACTION)
        return large, within, f"is far outside {metric.name}'s range {_range(metric)}"
    return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), ""


def _range(metric: MetricSpec) -> str:
    assert metric.range is not None
    low, high = metric.range
    return f"[{_num(low)}, {_num(high)}]"


def _num(x: float) -> str:
    return f"{x:.4g}"


def _examples(values: NDArray[np.float64]) -> str:
    if not len(values):
        return "no other values"
    shown = ", ".join(_num(v) for v in values[:3].tolist())
    return f"others: {shown}{', ...' if len(values) > 3 else ''}"
