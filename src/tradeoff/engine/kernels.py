"""Pareto kernels: the front and the layers of rows already validated and oriented.

Every kernel takes a float64 array in which every column is minimized (tradeoff.engine.pareto
negates the maximized ones and checks shape and finiteness first); none of them checks its input
again.

They rely on one idea: sort the rows into a *linear extension* of dominance (a primary key that
never decreases when a row gets worse, ties broken lexicographically), so a row can only be
dominated by rows before it. After that sort identical rows are adjacent and are collapsed to one,
and among distinct rows "an earlier row is <= on every column" already means "dominates".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from tradeoff.arrays import F64, Bool
from tradeoff.engine import boxes as pareto_boxes
from tradeoff.engine import layers as pareto_layers
from tradeoff.engine.normalize import flat_span

_BLOCK3 = 4096  # rows per sweep block in 3-D
_BLOCK = 2048  # rows per block in the sort-filter sweep (d >= 4)
_BOXES = 2048  # d >= 4: bounding boxes once the front so far has this many rows (see _sfs)
_WIDE = 0.35  # mask(wide=...): share of rows left after the prefilter that marks a wide front
_SAMPLE = 4096  # rows sampled (evenly spaced) for the column ranges that weigh prefilter pivots
_PAIRWISE = 96  # below this many rows, compare all pairs directly
_CELLS = 1 << 21  # boolean cells per temporary comparison matrix (bounds peak memory)


def halved_range(y: F64) -> tuple[F64, F64]:
    # Per column min and max, halved so that hi - lo stays finite. Column by column: a reduction
    # over axis 0 of a tall C-ordered array is an order of magnitude slower.
    lo = np.array([y[:, k].min() for k in range(y.shape[1])]) * 0.5
    hi = np.array([y[:, k].max() for k in range(y.shape[1])]) * 0.5
    return lo, hi


def _linear_order(y: F64) -> tuple[NDArray[np.intp], Bool]:
    """Order rows so that dominators come first; flag rows equal to their predecessor."""
    n, d = y.shape
    if d <= 3:
        key = y[:, 0]
    else:
        # Sum of columns scaled to [0, 1]: monotone in every column (rounding is monotone), and a
        # good proxy for "strong" rows. The halving keeps hi - lo finite for any finite input.
        lo, hi = halved_range(y)
        span, _ = flat_span(lo, hi)
        key = (y[:, 0] * 0.5 - lo[0]) / span[0]
        for k in range(1, d):
            key += (y[:, k] * 0.5 - lo[k]) / span[k]
    order = np.argsort(key)
    ks = key[order]
    tie = ks[1:] == ks[:-1]
    dup = np.zeros(n, dtype=np.bool_)
    if tie.any():
        in_run = np.zeros(n, dtype=np.bool_)
        in_run[1:] = tie
        in_run[:-1] |= tie
        pos = np.flatnonzero(in_run)
        sub = order[pos]
        keys = [y[sub, k] for k in range(d - 1, -1, -1)]
        order[pos] = sub[np.lexsort([*keys, ks[pos]])]
        at = np.flatnonzero(tie) + 1
        dup[at] = (y[order[at]] == y[order[at - 1]]).all(axis=1)
    return order, dup


def _pairwise_first(cols: Sequence[F64]) -> Bool:
    """Rows (in order) not weakly dominated by an earlier row; few rows only."""
    cols[0].shape[0]
    acc = cols[0][:, None] <= cols[0][None, :]
    for c in cols[1:]:
        acc &= c[:, None] <= c[None, :]
    hit = np.asarray(np.triu(acc, 1).any(axis=0), dtype=np.bool_)
    return ~hit


def _merge_staircase(s1: F64, s2: F64, f1: F64, f2: F64) -> tuple[F64, F64]:
    a1, a2 = np.concatenate((s1, f1)), np.concatenate((s2, f2))
    o = np.lexsort((a2, a1))
    a1, a2 = a1[o], a2[o]
    keep = np.ones(a1.shape[0], dtype=np.bool_)
    keep[1:] = a2[1:] < np.minimum.accumulate(a2)[:-1]
    return a1[keep], a2[keep]


def _sweep2(x1: F64, x2: F64, block: int) -> Bool:
    """For a sequence of points, True where no earlier point is <= on both coordinates.

    Blocks are filtered against the staircase (2-D minima) of all earlier points by binary search,
    then against each other by the same sweep with smaller blocks.
    """
    n = x1.shape[0]
    if n <= _PAIRWISE:
        return _pairwise_first((x1, x2))
    out = np.zeros(n, dtype=np.bool_)
    s1, s2 = x1[:0], x2[:0]
    for start in range(0, n, block):
        b1, b2 = x1[start : start + block], x2[start : start + block]
        if s1.shape[0]:
            k = np.searchsorted(s1, b1, side="right") - 1
            idx = np.flatnonzero((k < 0) | (s2[np.maximum(k, 0)] > b2))
        else:
            idx = np.arange(b1.shape[0])
        if idx.shape[0] == 0:
            continue
        c1, c2 = b1[idx], b2[idx]
        front = idx[_sweep2(c1, c2, max(block // 16, _PAIRWISE))]
        out[start + front] = True
        s1, s2 = _merge_staircase(s1, s2, b1[front], b2[front])
    return out


def _dominated_by(p: Sequence[F64], x: Sequence[F64]) -> Bool:
    """For each row of x: is some row of p <= on every column? Columns given separately."""
    m = x[0].shape[0]
    out = np.zeros(m, dtype=np.bool_)
    step = max(1, _CELLS // max(1, p[0].shape[0]))
    for s in range(0, m, step):
        acc = p[0][:, None] <= x[0][None, s : s + step]
        for pk, xk in zip(p[1:], x[1:], strict=True):
            acc &= pk[:, None] <= xk[None, s : s + step]
        out[s : s + step] = acc.any(axis=0)
    return out


def _sfs(cols: Sequence[F64], block: int, top: bool = False) -> Bool:
    """Sort-filter sweep for any d: rows in linear-extension order, True where no earlier row is
    <= on every column. Each block is tested against the front found so far, strongest (earliest)
    members first and in growing chunks, dropping rows as soon as they are dominated. At the top
    level, once the front holds half the rows seen (at least _BOXES) and 90 % of the last block,
    the rest goes to bounding-box pruning: O(n * front) would follow otherwise."""
    n = cols[0].shape[0]
    if n <= _PAIRWISE:
        return _pairwise_first(cols)
    out = np.zeros(n, dtype=np.bool_)
    fcols: list[F64] = [c[:0] for c in cols]
    for start in range(0, n, block):
        idx = np.arange(start, min(start + block, n))
        lo, chunk = 0, 16
        nf = fcols[0].shape[0]
        while lo < nf and idx.shape[0]:
            hi = min(nf, lo + chunk)
            hit = _dominated_by([f[lo:hi] for f in fcols], [c[idx] for c in cols])
            idx = idx[~hit]
            lo, chunk = hi, chunk * 4
        if idx.shape[0] == 0:
            continue
        sub = [c[idx] for c in cols]
        new = idx[_sfs(sub, max(block // 8, _PAIRWISE))]
        out[new] = True
        fcols = [np.concatenate((f, c[new])) for f, c in zip(fcols, cols, strict=True)]
        end, nf = start + block, fcols[0].shape[0]
        # Only while blocks go almost whole onto the front (anti-correlated); earlier front rows
        # stay on it, later rows face them and each other.
        if top and end < n and nf >= _BOXES and 2 * nf >= end and 10 * new.shape[0] >= 9 * block:
            rest = [np.concatenate((f, c[end:])) for f, c in zip(fcols, cols, strict=True)]
            out[end:] = pareto_boxes.front(rest)[nf:]
            break
    return out


def _mask_distinct(u: F64) -> Bool:
    """Front of distinct rows already in linear-extension order."""
    n, d = u.shape
    if d == 1:
        return np.asarray(np.arange(n) == 0, dtype=np.bool_)
    if d == 2:
        x1 = u[:, 1]
        out = np.ones(n, dtype=np.bool_)
        out[1:] = x1[1:] < np.minimum.accumulate(x1)[:-1]
        return out
    if d == 3:
        return _sweep2(np.ascontiguousarray(u[:, 1]), np.ascontiguousarray(u[:, 2]), _BLOCK3)
    return _sfs([np.ascontiguousarray(u[:, k]) for k in range(d)], _BLOCK, top=True)


def _distinct(y: F64) -> tuple[F64, NDArray[np.intp], NDArray[np.intp]]:
    """Distinct rows in linear-extension order, the order, and each sorted row's distinct index."""
    order, dup = _linear_order(y)
    group = np.cumsum(~dup) - 1
    return y[order[~dup]], order, group


def _prefilter(y: F64) -> NDArray[np.intp]:
    """Rows that survive a few pivots: any row may serve as a dominator, and the row with the
    smallest sum of range-scaled columns usually dominates most others. A few linear passes, no
    sort, so a small front costs little more than reading the data.

    The scaled sum only chooses pivots, so the ranges come from a sample of rows and the sum from
    one matrix-vector product; which rows a pivot dominates is decided exactly."""
    n, d = y.shape
    with np.errstate(all="ignore"):  # overflow only makes a pivot worse, never a result wrong
        lo, hi = halved_range(y[:: max(1, n // _SAMPLE)])
        span, flat = flat_span(lo, hi)
        w = np.where(flat, 0.0, 1.0 / span)
        pick = y @ w  # pivots already used get +inf here, so the next round picks another
    idx = np.arange(n)
    for _ in range(6):
        j = int(np.argmin(pick))
        pick[j] = np.inf
        p = y[j]
        dom = y[:, 0] >= p[0]
        for k in range(1, d):
            dom &= y[:, k] >= p[k]
        # >= everywhere and > on the first column means different, hence dominated; rows equal to
        # the pivot on the first column are checked in full
        unsure = np.flatnonzero(dom & (y[:, 0] == p[0]))
        dom[unsure] = ~(y[unsure] == p).all(axis=1)
        keep = np.flatnonzero(~dom)
        if keep.shape[0] == n:
            break
        idx, y, pick = idx[keep], y[keep], pick[keep]
        if keep.shape[0] > 0.7 * n:
            break
        n = keep.shape[0]
    return idx


def mask(y: F64, wide: Callable[[F64], Bool] | None = None) -> Bool:
    """The front. ``wide``, if given, replaces the NumPy kernels on what survives the prefilter
    when that is over _WIDE of the rows in 4-D or more: a front that holds many of the rows, where
    the sweeps compare each row with much of the front and a compiled kernel is several times
    faster."""
    n, d = y.shape
    if n == 0 or d == 0:
        return np.ones(n, dtype=np.bool_)
    idx = _prefilter(y) if n > _PAIRWISE else None
    rest = y if idx is None else y[idx]
    kernel: Callable[[F64], Bool] = _mask_kernel_all
    if wide is not None and d >= 4 and rest.shape[0] > _WIDE * n:
        kernel = wide
    if idx is None or idx.shape[0] == n:
        return kernel(y)
    out = np.zeros(n, dtype=np.bool_)
    out[idx] = kernel(rest)
    return out


def _mask_kernel_all(y: F64) -> Bool:
    n = y.shape[0]
    u, order, group = _distinct(y)
    out = np.empty(n, dtype=np.bool_)
    out[order] = _mask_distinct(u)[group]
    return out


def _ens_pays(front: int, m: int) -> bool:
    return pareto_layers._ENS_FRONT * front < m < pareto_layers._ENS_MAX_ROWS


def layers(y: F64) -> NDArray[np.int64]:
    n, d = y.shape
    if n == 0 or d == 0:
        return np.ones(n, dtype=np.int64)
    u, order, group = _distinct(y)
    m = u.shape[0]
    lay = np.zeros(m, dtype=np.int64)
    rem = np.arange(m)
    layer = 0
    while rem.shape[0]:
        layer += 1
        front = _mask_distinct(u[rem])
        # Thin first front in 3-D (many layers): one ENS sweep beats peeling layer by layer.
        if layer == 1 and d == 3 and _ens_pays(int(front.sum()), m):
            lay = pareto_layers.ens3(np.ascontiguousarray(u[:, 1]), np.ascontiguousarray(u[:, 2]))
            break
        lay[rem[front]] = layer
        rem = rem[~front]
        # In 2-D, once layers get thin, patience sorting beats peeling one layer at a time.
        if d == 2 and rem.shape[0] > 64 * int(front.sum()):
            lay[rem] = layer + pareto_layers.patience(u[rem, 1])
            break
    out = np.empty(n, dtype=np.int64)
    out[order] = lay[group]
    return out
