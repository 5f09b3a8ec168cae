"""Pareto front of many distinct rows by bounding-box pruning (large fronts, d >= 4).

Rows are put in Z-order (Morton code of the range-scaled columns), cut into tiles of ``_TILE``
consecutive rows, and tiles are grouped ``_FAN`` at a time into a hierarchy of boxes. Tile a can
hold a dominator of a row in tile b only if min(a) <= max(b) on every column, so pairs of boxes are
refined top-down, keeping only the pairs that pass that test, and only the surviving tile pairs are
compared row by row. On anti-correlated data (most rows on the front) this leaves a few dozen tiles
per tile, instead of the whole front per row. Pairs are refined depth first in slices, so temporary
memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tradeoff.arrays import F64, Bool, Idx

_TILE = 16  # rows per leaf tile
_FAN = 4  # child boxes per box
_TOP = 256  # at most this many boxes at the top level
_TOP_CHUNK = 1 << 14  # box pairs refined together (bounds temporary memory)
_CELLS = 1 << 21  # booleans per temporary tile-pair comparison


def _zorder(cols: Sequence[F64]) -> Idx:
    m, d = cols[0].shape[0], len(cols)
    bits = min(31, 63 // d)
    scale = float((1 << bits) - 1)
    code = np.zeros(m, dtype=np.int64)
    q = []
    for c in cols:  # halved first, so that hi - lo stays finite near the float limit
        lo, hi = float(c.min()) * 0.5, float(c.max()) * 0.5
        w = scale / (hi - lo) if hi > lo else 0.0
        q.append(((c * 0.5 - lo) * w).astype(np.int32))
    for bit in range(bits - 1, -1, -1):
        for k in range(d):
            code <<= 1
            code |= (q[k] >> bit) & 1
    order: Idx = np.argsort(code, kind="stable")
    return order


def _boxes(cols: list[F64], size: int) -> tuple[list[F64], list[F64]]:
    starts = np.arange(0, cols[0].shape[0], size)
    return (
        [np.minimum.reduceat(c, starts) for c in cols],
        [np.maximum.reduceat(c, starts) for c in cols],
    )


def _keep(lo: list[F64], hi: list[F64], a: Idx, b: Idx) -> tuple[Idx, Idx]:
    """Box pairs (a, b) where min(a) <= max(b) on every column."""
    ok = lo[0][a] <= hi[0][b]
    for lk, hk in zip(lo[1:], hi[1:], strict=True):
        ok &= lk[a] <= hk[b]
    return a[ok], b[ok]


def _compare(tiles: list[F64], a: Idx, b: Idx, dom: Bool, self_pairs: bool) -> None:
    """Mark rows of tiles b that some row of tiles a is <= on every column (a row never
    dominates itself: when self_pairs, a == b and the diagonal is skipped)."""
    t = _TILE
    step = max(1, _CELLS // (t * t))
    for s in range(0, a.shape[0], step):
        pa, pb = a[s : s + step], b[s : s + step]
        acc = tiles[0][:, None, pa] <= tiles[0][None, :, pb]
        for c in tiles[1:]:
            acc &= c[:, None, pa] <= c[None, :, pb]
        if self_pairs:
            acc &= ~np.eye(t, dtype=np.bool_)[:, :, None]
        j, p = np.nonzero(acc.any(axis=0))
        dom[pb[p] * t + j] = True


def _descend(
    levels: list[tuple[list[F64], list[F64]]], lv: int, a: Idx, b: Idx, tiles: list[F64], dom: Bool
) -> None:
    """Refine box pairs (a, b) of level lv down to tile pairs and compare those, depth first in
    slices of _TOP_CHUNK pairs so that temporary memory stays bounded."""
    if lv == 0:
        ok = a != b  # a tile against itself was compared already
        _compare(tiles, a[ok], b[ok], dom, False)
        return
    lo, hi = levels[lv - 1]
    kids_a = np.repeat(np.arange(_FAN), _FAN)
    kids_b = np.tile(np.arange(_FAN), _FAN)
    for s in range(0, a.shape[0], _TOP_CHUNK):
        ca = (a[s : s + _TOP_CHUNK, None] * _FAN + kids_a).ravel()
        cb = (b[s : s + _TOP_CHUNK, None] * _FAN + kids_b).ravel()
        ok = (ca < lo[0].shape[0]) & (cb < lo[0].shape[0])
        ca, cb = _keep(lo, hi, ca[ok], cb[ok])
        _descend(levels, lv - 1, ca, cb, tiles, dom)


def front(columns: Sequence[F64]) -> Bool:
    """For distinct rows given column by column (every column minimized): True where no other row
    is <= on every column."""
    m = columns[0].shape[0]
    if m <= 1:
        return np.ones(m, dtype=np.bool_)
    order = _zorder(columns)
    cols = [c[order] for c in columns]
    levels = [_boxes(cols, _TILE)]
    size = _TILE
    while levels[-1][0][0].shape[0] > _TOP:
        size *= _FAN
        levels.append(_boxes(cols, size))
    nt = levels[0][0][0].shape[0]
    pad = nt * _TILE - m
    tiles = [np.concatenate((c, np.full(pad, np.inf))).reshape(nt, _TILE).T.copy() for c in cols]
    dom = np.zeros(nt * _TILE, dtype=np.bool_)
    every = np.arange(nt)
    _compare(tiles, every, every, dom, True)
    top = levels[-1][0][0].shape[0]
    ta, tb = _keep(*levels[-1], np.repeat(np.arange(top), top), np.tile(np.arange(top), top))
    _descend(levels, len(levels) - 1, ta, tb, tiles, dom)
    out = np.empty(m, dtype=np.bool_)
    out[order] = ~dom[:m]
    return out
