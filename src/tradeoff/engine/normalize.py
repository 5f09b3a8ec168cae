"""Per-metric normalization: min-max with goalposts, and TOPSIS's vector normalization."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def minmax(
    values: NDArray[np.float64],
    maximize: NDArray[np.bool_],
    reference: NDArray[np.float64] | None = None,
    ranges: Sequence[tuple[float, float] | None] | None = None,
) -> NDArray[np.float64]:
    """Map each column to [0, 1], 1 best and 0 worst.

    The goalposts are the column's min and max over `reference` (default: `values` itself), or
    the metric's fixed `range` where one is given. Values outside the goalposts are clipped, so a
    row outside the reference set still lands in [0, 1]. A column whose goalposts coincide
    (every reference value equal) normalizes to 1 rather than dividing 0 by 0: the reference rows
    and anything as good get 1, a row outside the reference that is worse gets 0 (clipped). With
    no reference rows (or only missing values) and no `range`, a column has no goalposts and
    normalizes to NaN.

    Args:
        values: (n, d) raw values, NaN for missing (stays NaN).
        maximize: (d,) True where larger is better.
        reference: (m, d) rows that set the goalposts.
        ranges: per column, fixed (low, high) goalposts or None.
    """
    ref = values if reference is None else reference
    if ref.shape[0] == 0:
        # No reference rows: only fixed goalposts can normalize; other columns stay NaN.
        lo = np.full(values.shape[1], np.nan)
        hi = np.full(values.shape[1], np.nan)
    else:
        # fmin/fmax skip NaN without nanmin's all-NaN warning; an all-NaN column stays NaN.
        lo = np.fmin.reduce(ref, axis=0)
        hi = np.fmax.reduce(ref, axis=0)
    if ranges is not None:
        for j, r in enumerate(ranges):
            if r is not None:
                lo[j], hi[j] = r
    # Columns near the float limit are halved first: hi - lo must not overflow (1e308 - -1e308).
    s = half_if_huge(lo, hi)
    span = hi * s - lo * s
    flat = span <= 0
    safe = np.where(flat, 1.0, span)
    with np.errstate(over="ignore"):  # a row far outside the goalposts is clipped anyway
        scaled = np.clip((values * s - lo * s) / safe, 0.0, 1.0)
    out = np.where(maximize, scaled, 1.0 - scaled)
    # Flat goalposts: the common value (and anything better) is 1; a row outside the reference
    # set that is worse than it is clipped to 0, as it would be against any other goalposts.
    v, at = values[:, flat], lo[flat]
    worse = np.where(maximize[flat], v < at, v > at)
    out[:, flat] = np.where(np.isnan(v), np.nan, np.where(worse, 0.0, 1.0))
    return np.asarray(out, dtype=np.float64)


def vector(values: NDArray[np.float64], reference: NDArray[np.float64]) -> NDArray[np.float64]:
    """TOPSIS's vector normalization: x / sqrt(sum of squares of the column over `reference`).

    An all-zero column maps to zeros (it then adds nothing to either TOPSIS distance).
    """
    # Scaled by the column's largest magnitude first: squares of values above 1e154 overflow.
    top = np.abs(reference).max(axis=0) if reference.shape[0] else np.zeros(reference.shape[1])
    top = np.where(top > 0, top, 1.0)
    ref = reference / top
    norms = np.sqrt(np.sum(ref * ref, axis=0))
    safe = np.where(norms == 0, 1.0, norms)
    return np.where(norms == 0, 0.0, (values / top) / safe)


_HUGE = 2.0**1022  # hi - lo of two values below this in magnitude cannot overflow


def half_if_huge(lo: NDArray[np.float64], hi: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per column, 0.5 where hi - lo could overflow, else 1.0 (halving such values is exact)."""
    with np.errstate(invalid="ignore"):
        huge = (np.abs(lo) >= _HUGE) | (np.abs(hi) >= _HUGE)
    return np.where(huge, 0.5, 1.0)
