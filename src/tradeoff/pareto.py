"""Pareto dominance: the front, non-dominated layers, the knee and noisy dominance.

Public functions check their input once (2-D, finite, one direction per column) and then call
private kernels that do not. Kernels take a float64 array already oriented so that every column is
minimized (maximized columns negated).

The kernels rely on one idea: sort the rows into a *linear extension* of dominance (a primary key
that never decreases when a row gets worse, ties broken lexicographically), so a row can only be
dominated by rows before it. After that sort identical rows are adjacent and are collapsed to one,
and among distinct rows "an earlier row is <= on every column" already means "dominates".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tradeoff import pareto_boxes, pareto_layers

__all__ = ["dominators", "knee", "noisy_pareto_mask", "nondominated_layers", "pareto_mask"]

F64 = NDArray[np.float64]
Bool = NDArray[np.bool_]

_BLOCK3 = 4096  # rows per sweep block in 3-D
_BLOCK = 2048  # rows per block in the sort-filter sweep (d >= 4)
_BOXES = 2048  # d >= 4: bounding boxes once the front so far has this many rows (see _sfs)
_PAIRWISE = 96  # below this many rows, compare all pairs directly
_CELLS = 1 << 21  # boolean cells per temporary comparison matrix (bounds peak memory)


def _validate(values: ArrayLike, maximize: ArrayLike) -> F64:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"values must be a 2-D array (rows x metrics), got {x.ndim} dimension(s)")
    bad = ~np.isfinite(x)
    if bad.any():
        r, c = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(f"values must be finite: row {r}, column {c} is {x[r, c]}")
    m = np.asarray(maximize)
    if m.ndim != 1 or m.shape[0] != x.shape[1]:
        raise ValueError(
            f"maximize must have one boolean per column: expected {x.shape[1]}, got shape {m.shape}"
        )
    if m.dtype != np.bool_:
        if m.size and not (np.issubdtype(m.dtype, np.integer) and np.isin(m, (0, 1)).all()):
            raise ValueError("maximize must contain booleans")
        m = m.astype(np.bool_)
    if not m.any():
        return x
    return np.where(m, -x, x)  # every column minimized from here on


def _halved_range(y: F64) -> tuple[F64, F64]:
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
        lo, hi = _halved_range(y)
        span = hi - lo
        span[span == 0] = 1.0
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
    sort, so a small front costs little more than reading the data."""
    n, d = y.shape
    with np.errstate(all="ignore"):  # overflow only makes a pivot worse, never a result wrong
        lo, hi = _halved_range(y)
        w = np.where(hi > lo, 1.0 / (hi - lo), 0.0)
        key = y[:, 0] * w[0]
        for k in range(1, d):
            key += y[:, k] * w[k]
    idx = np.arange(n)
    pick = key.copy()  # pivots already used get +inf here, so the next round picks another
    for _ in range(6):
        j = int(np.argmin(pick))
        pick[j] = np.inf
        p = y[j]
        dom = y[:, 0] >= p[0]
        for k in range(1, d):
            dom &= y[:, k] >= p[k]
        # >= everywhere and a larger key means different, hence dominated; check the rest exactly
        unsure = np.flatnonzero(dom & ~(key > key[j]))
        dom[unsure] = ~(y[unsure] == p).all(axis=1)
        keep = np.flatnonzero(~dom)
        if keep.shape[0] == n:
            break
        idx, y, key, pick = idx[keep], y[keep], key[keep], pick[keep]
        if keep.shape[0] > 0.7 * n:
            break
        n = keep.shape[0]
    return idx


def _mask_kernel(y: F64) -> Bool:
    n, d = y.shape
    if n == 0 or d == 0:
        return np.ones(n, dtype=np.bool_)
    if n > _PAIRWISE:
        idx = _prefilter(y)
        if idx.shape[0] < n:
            out = np.zeros(n, dtype=np.bool_)
            out[idx] = _mask_kernel_all(y[idx])
            return out
    return _mask_kernel_all(y)


def _mask_kernel_all(y: F64) -> Bool:
    n = y.shape[0]
    u, order, group = _distinct(y)
    out = np.empty(n, dtype=np.bool_)
    out[order] = _mask_distinct(u)[group]
    return out


def _ens_pays(front: int, m: int) -> bool:
    return pareto_layers._ENS_FRONT * front < m < pareto_layers._ENS_MAX_ROWS


def _layers_kernel(y: F64) -> NDArray[np.int64]:
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


def pareto_mask(values: ArrayLike, maximize: ArrayLike) -> NDArray[np.bool_]:
    """Mark the non-dominated rows (the Pareto front).

    Row a dominates row b when a is at least as good as b on every column (``>=`` where
    ``maximize`` is true, ``<=`` otherwise) and strictly better on at least one.

    Edge cases: identical rows do not dominate each other, so duplicates of a front row are all on
    the front; ties on some columns are decided by the others; zero rows give an empty mask; zero
    columns make every row non-dominated. Runs in O(n log n) for d <= 3 and with a sort-filter
    sweep for d >= 4; memory is O(n * d).

    Args:
        values: (n, d) array of finite numbers, one row per candidate.
        maximize: d booleans, true where larger is better.

    Returns:
        (n,) boolean array, True for the non-dominated rows.

    Raises:
        ValueError: if values is not 2-D, holds NaN or infinity, or maximize does not have d
            booleans.
    """
    return _mask_kernel(_validate(values, maximize))


def nondominated_layers(values: ArrayLike, maximize: ArrayLike) -> NDArray[np.int64]:
    """Number the non-dominated layers (non-dominated sorting).

    Layer 1 is the Pareto front; layer k is the front of the rows not in layers 1..k-1.
    Equivalently, a row's layer is 1 + the largest layer among the rows that dominate it.
    Identical rows share a layer; zero columns put every row in layer 1.

    Args:
        values: (n, d) array of finite numbers, one row per candidate.
        maximize: d booleans, true where larger is better.

    Returns:
        (n,) int64 array of layer numbers starting at 1.

    Raises:
        ValueError: as for `pareto_mask`.
    """
    return _layers_kernel(_validate(values, maximize))


def dominators(
    values: ArrayLike, maximize: ArrayLike, i: int, among: NDArray[np.intp] | None = None
) -> NDArray[np.intp]:
    """Rows that dominate row ``i``.

    Args:
        values: (n, d) array of finite numbers.
        maximize: d booleans, true where larger is better.
        i: index of the row whose dominators are wanted.
        among: indices of the rows to consider (default: all rows), in the order to report them.

    Returns:
        Indices into ``values`` (a subset of ``among``, same order) of the rows dominating row i.
        Identical rows are not dominators; row i never dominates itself. O(n * d).

    Raises:
        ValueError: on invalid values or maximize, or an index out of range.
    """
    y = _validate(values, maximize)
    n = y.shape[0]
    if not -n <= i < n:
        raise ValueError(f"row index {i} out of range for {n} rows")
    rows = np.arange(n, dtype=np.intp) if among is None else np.asarray(among, dtype=np.intp)
    if rows.ndim != 1 or (rows.size and (rows.min() < -n or rows.max() >= n)):
        raise ValueError(f"among must be a 1-D array of row indices below {n}")
    a, b = y[rows], y[i]
    found: NDArray[np.intp] = rows[(a <= b).all(axis=1) & (a < b).any(axis=1)]
    return found


def knee(values: ArrayLike, maximize: ArrayLike, names: Sequence[str]) -> int:
    """Index of the knee: the row nearest (Euclidean) to the ideal point after normalization.

    Each column is min-max normalized over the given rows (callers pass the front), mapped so 1 is
    best and 0 worst; a constant column normalizes to 1 for every row (no 0/0). The ideal point is
    all ones. Distances that agree to 1e-12 are tied and broken by name in code-point order.
    A single row is its own knee.

    Args:
        values: (n, d) array of finite numbers, n >= 1.
        maximize: d booleans, true where larger is better.
        names: n names, used to break ties.

    Returns:
        Row index of the knee.

    Raises:
        ValueError: on invalid input, no rows, or a names length different from n.
    """
    y = _validate(values, maximize)
    n = y.shape[0]
    if n == 0:
        raise ValueError("knee needs at least one row")
    if len(names) != n:
        raise ValueError(f"names has {len(names)} entries for {n} rows")
    lo, hi = _halved_range(y)
    span = hi - lo
    const = span == 0
    span[const] = 1.0
    gap = (y * 0.5 - lo) / span  # 0 at best, 1 at worst; = 1 - normalized value
    gap[:, const] = 0.0
    dist = np.sqrt((gap * gap).sum(axis=1))
    near = np.flatnonzero(dist <= dist.min() + 1e-12)
    return int(min(near.tolist(), key=lambda j: names[j]))


def noisy_pareto_mask(
    values: ArrayLike, stderr: ArrayLike, maximize: ArrayLike, k: float
) -> NDArray[np.bool_]:
    """Pareto front when metrics carry standard errors.

    Row a dominates row b only if a dominates b on the point values and, on at least one column c,
    is better by more than ``k * sqrt(se_a[c]**2 + se_b[c]**2)``. A NaN standard error means the
    value is exact (0). The result therefore always contains the exact front. Identical rows never
    dominate each other. O(n^2 * d) time in chunks, O(n * d) memory; meant for small n.

    Args:
        values: (n, d) array of finite numbers.
        stderr: (n, d) array of standard errors, each >= 0 and finite, or NaN.
        maximize: d booleans, true where larger is better.
        k: non-negative multiplier of the combined standard error.

    Returns:
        (n,) boolean array, True for rows no other row dominates under noise.

    Raises:
        ValueError: on invalid values, maximize, stderr (shape, negative or infinite) or k.
    """
    y = _validate(values, maximize)
    se = np.asarray(stderr, dtype=np.float64)
    if se.shape != y.shape:
        raise ValueError(f"stderr must have the shape of values {y.shape}, got {se.shape}")
    se = np.where(np.isnan(se), 0.0, se)
    if not (np.isfinite(se).all() and (se >= 0).all()):
        raise ValueError("stderr must be non-negative and finite (NaN means exact)")
    if not (np.isfinite(k) and k >= 0):
        raise ValueError(f"k must be a non-negative number, got {k}")
    n, d = y.shape
    out = np.ones(n, dtype=np.bool_)
    if n == 0 or d == 0:
        return out
    var = se * se
    cand = np.flatnonzero(~_mask_kernel(y))  # only exactly dominated rows can lose
    step = max(1, _CELLS // max(1, n * d))
    for s in range(0, cand.shape[0], step):
        b = cand[s : s + step]
        diff = y[b][None, :, :] - y[:, None, :]  # (n, chunk, d): > 0 where a is better
        dom = (diff >= 0).all(axis=2) & (diff > 0).any(axis=2)
        margin = k * np.sqrt(var[b][None, :, :] + var[:, None, :])
        dom &= (diff > margin).any(axis=2)
        out[b] = ~dom.any(axis=0)
    return out
