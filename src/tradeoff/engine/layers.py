"""Layer kernels for tradeoff.engine.pareto: patience sorting (2-D) and a blocked ENS sweep (3-D).

Both take distinct rows already in linear-extension order (lexicographic for d <= 3), so a row can
only be dominated by earlier rows and "earlier and <= on every column" already means "dominates".
"""

from __future__ import annotations

import bisect

import numpy as np

from tradeoff.arrays import F64, I64

_ENS_BLOCK = 128  # rows per block of the 3-D ENS sweep
_ENS_MAX_ROWS = 2_000_000  # (layer, rank, rank) keys must fit in int64
_ENS_FRONT = 50  # use ENS when the first front holds fewer than 1/_ENS_FRONT of the rows


def patience(x1: F64) -> I64:
    """Layers of a 2-D sequence (earlier and <= dominates) by patience sorting: tails[k] is the
    smallest value in layer k + 1. O(n log n) but a Python loop, so only used when layers are thin.
    """
    tails: list[float] = []
    out = np.empty(x1.shape[0], dtype=np.int64)
    for i, v in enumerate(x1.tolist()):
        k = bisect.bisect_right(tails, v)
        if k == len(tails):
            tails.append(v)
        else:
            tails[k] = v
        out[i] = k + 1
    return out


def _dense_rank(x: F64) -> I64:
    o = np.argsort(x, kind="stable")
    xs = x[o]
    r = np.empty(x.shape[0], dtype=np.int64)
    r[o[:1]] = 0
    r[o[1:]] = np.cumsum((xs[1:] != xs[:-1]).astype(np.int64))
    return r


def _in_block(c1: I64, c2: I64, lp: I64) -> I64:
    """Layers of a block of consecutive rows given lp, each row's layer from earlier blocks:
    layer = max(lp, 1 + layer of any dominator in the block), by fixed-point iteration on the
    block's dominance matrix (a few rounds: lp already accounts for almost every dominator)."""
    dom = np.triu((c1[:, None] <= c1[None, :]) & (c2[:, None] <= c2[None, :]), 1)
    lay = lp
    while True:
        new = np.maximum(lp, np.where(dom, lay[:, None] + 1, 0).max(axis=0))
        if np.array_equal(new, lay):
            return lay
        lay = new


def ens3(x1: F64, x2: F64) -> I64:
    """Layers of 3-D rows given their 2nd and 3rd columns, rows in lexicographic order.

    Efficient Non-dominated Sort with binary search over layers, a block of rows at a time. Every
    row of earlier blocks precedes the block, so it dominates a block row exactly when it is <= on
    (x1, x2): each layer is kept as the 2-D staircase of its earlier members, all layers in one
    array sorted by (layer, rank of x1) and searched together. A row dominated by a member of layer
    k is dominated by a member of every earlier layer (that member's own dominators precede it), so
    the largest such k is found by bisection. Rows within a block are then settled by `_in_block`.
    """
    m = x1.shape[0]
    r1, r2 = _dense_rank(x1), _dense_rank(x2)
    big = m + 1
    # Staircase entries: key = (layer * big + r1) * big + r2, with the layer and r2 alongside.
    key = np.empty(0, dtype=np.int64)
    klay, kr2 = key, key
    out = np.empty(m, dtype=np.int64)
    top = 0
    for s in range(0, m, _ENS_BLOCK):
        b1, b2 = r1[s : s + _ENS_BLOCK], r2[s : s + _ENS_BLOCK]
        lo = np.zeros(b1.shape[0], dtype=np.int64)  # largest layer known to hold a dominator
        if top:
            hi = np.full(b1.shape[0], top, dtype=np.int64)
            hb = b1 * big + (big - 1)
            for _ in range(top.bit_length()):
                mid = (lo + hi + 1) >> 1
                q = np.searchsorted(key, mid * (big * big) + hb, side="right") - 1
                hit = (q >= 0) & (klay[q] == mid) & (kr2[q] <= b2)
                hit |= mid == lo  # converged rows stay put
                lo = np.where(hit, mid, lo)
                hi = np.where(hit, hi, mid - 1)
        lay = _in_block(b1, b2, lo + 1)
        out[s : s + _ENS_BLOCK] = lay
        top = max(top, int(lay.max()))
        nk = (lay * big + b1) * big + b2
        o = np.argsort(nk)
        at = np.searchsorted(key, nk[o])
        key = np.insert(key, at, nk[o])
        klay = np.insert(klay, at, lay[o])
        kr2 = np.insert(kr2, at, b2[o])
        # Keep the staircase: within a layer (sorted by r1, then r2), an entry survives when its r2
        # is below every earlier entry's. Later layers get smaller offsets, so the running minimum
        # restarts at each layer.
        val = (top + 1 - klay) * big + kr2
        keep = np.ones(key.shape[0], dtype=np.bool_)
        keep[1:] = val[1:] < np.minimum.accumulate(val)[:-1]
        key, klay, kr2 = key[keep], klay[keep], kr2[keep]
    return out
