"""Hypervolume: the volume a set of points dominates up to a reference point (minimization).

moocore's exact C code when it is installed (the `fast` extra, any dimension it supports); else
exact NumPy sweeps in 2 and 3 dimensions. Points are not validated here: the caller passes finite
rows already scaled and oriented so that every column is minimized.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from tradeoff.engine import compiled

MAX_DIMENSIONS = 6
"""Above this, exact hypervolume costs grow too fast to run on every CI build."""

MAX_POINTS = {4: 30_000, 5: 4_000, 6: 500}
"""Front sizes past which moocore's exact hypervolume takes more than a few seconds (measured
on a 2-core machine: 6 goals 1,000 points 2-9 s, 4,748 points 4 minutes; 5 goals 16,000
points 20 s; 4 goals 64,000 points 4 s)."""


def hypervolume(
    points: NDArray[np.float64],
    reference: NDArray[np.float64],
    *,
    engine: Literal["auto", "numpy"] = "auto",
) -> float | None:
    """The hypervolume of `points` (rows, every column minimized) up to `reference`.

    Only the part of each point's dominated box below the reference counts: a point that is not
    strictly better than the reference on every column adds nothing. Duplicates and dominated
    rows change nothing.

    Args:
        points: `(n, d)` finite rows, every column minimized.
        reference: `(d,)` the reference point.
        engine: "auto" uses moocore when installed; "numpy" never does (2-3 columns only).

    Returns:
        The volume, 0.0 for no useful point, or None when it cannot be computed exactly here:
        more than `MAX_DIMENSIONS` columns, or 4 and more without moocore.
    """
    d = points.shape[1]
    if d == 0 or d > MAX_DIMENSIONS:
        return None
    inside = points[np.all(points < reference, axis=1)]
    if len(inside) == 0:
        return 0.0
    # In 2-3 dimensions a small front is measured in NumPy: importing moocore costs ~60 ms,
    # more than the sweep itself below `compiled.MIN_ROWS` points.
    small = d <= 3 and len(inside) < compiled.MIN_ROWS
    if engine == "auto" and not small and compiled.available():
        return compiled.hypervolume(inside, reference)
    if d == 1:
        return float(reference[0] - inside[:, 0].min())
    if d == 2:
        return _hv2(inside, reference)
    if d == 3:
        return _hv3(inside, reference)
    return None


def exact_here(d: int) -> bool:
    """Whether `hypervolume` gives a number for `d` columns on this installation."""
    return 0 < d <= MAX_DIMENSIONS and (d <= 3 or compiled.available())


def _hv2(p: NDArray[np.float64], ref: NDArray[np.float64]) -> float:
    # Sweep in increasing x: each point on the staircase adds the strip between its y and the
    # lowest y seen so far (points above that are dominated and add nothing).
    p = p[np.lexsort((p[:, 1], p[:, 0]))]
    best = np.minimum.accumulate(p[:, 1])
    prev = np.concatenate(([ref[1]], best[:-1]))
    height = np.maximum(prev - p[:, 1], 0.0)
    return float(np.sum(height * (ref[0] - p[:, 0])))


def _hv3(p: NDArray[np.float64], ref: NDArray[np.float64]) -> float:
    # Slices along z: between consecutive distinct z values the dominated area is the 2-D
    # hypervolume of the points at or below that z.
    p = p[np.argsort(p[:, 2], kind="stable")]
    zs = np.unique(p[:, 2])
    tops = np.append(zs[1:], ref[2])
    total = 0.0
    for z, top in zip(zs, tops, strict=True):
        below = p[p[:, 2] <= z]
        total += _hv2(below[:, :2], ref[:2]) * float(top - z)
    return total
