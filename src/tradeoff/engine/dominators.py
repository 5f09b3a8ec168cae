"""Which members dominate each row, for many rows at once: per-column bitsets, no n x m x d pass.

`rank` and `pareto` name, for every dominated candidate, the first few front members (in the
front's order) that dominate it, and count them all. Comparing each row with each member costs
n x m x d comparisons: 720,000 rows x 4,700 members x 6 goals took minutes. Here each column is
sorted once; the members at least as good as a row on that column are a suffix of the sorted
order, stored as a bitset over the members (in their given order). A row's dominators are the AND
of one precomputed bitset per column: n x d x m/64 word operations, and the first hits are the
lowest set bits.

Larger is better on every column; values are finite (callers orient and check them).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tradeoff.arrays import F64, I64, U64

BLOCK = 4096  # members per bitset table: d x BLOCK x BLOCK/8 bytes (12 MB at d = 6)
WORDS = 1 << 20  # uint64 words per chunk of rows (8 MB)
_BYTE_BITS = np.array([bin(b).count("1") for b in range(256)], dtype=np.int64)


def first_dominators(rows: F64, members: F64, limit: int) -> tuple[NDArray[np.intp], I64]:
    """For each row, the first `limit` members that dominate it, and how many do.

    Args:
        rows: (n, d) values, larger better.
        members: (m, d) values, larger better, in the order their hits are reported.
        limit: how many dominators to report per row (>= 0).

    Returns:
        (n, limit) positions in `members`, increasing, -1 where a row has fewer; and (n,)
        counts of all dominating members. A member dominates a row when it is at least as good
        on every column and better on one, so an identical member does not.
    """
    n, m = rows.shape[0], members.shape[0]
    first = np.full((n, limit), -1, dtype=np.intp)
    total = np.zeros(n, dtype=np.int64)
    if n == 0 or m == 0:
        return first, total
    for start in range(0, m, BLOCK):
        block = members[start : start + BLOCK]
        table = _Table(block)
        step = max(1, WORDS // table.words)
        for s in range(0, n, step):
            hits = table.dominating(rows[s : s + step])
            per_word = _popcount(hits)
            total[s : s + step] += per_word.sum(axis=1)
            _take_first(hits, per_word, first[s : s + step], start, limit)
    return first, total


class _Table:
    """Per column: the members sorted, and for each cut k the bitset of sorted members >= k."""

    def __init__(self, members: F64) -> None:
        m, d = members.shape
        self.words = (m + 63) // 64
        self.sorted: list[F64] = []
        self.suffix: list[U64] = []
        word = np.arange(m) // 64
        bit = np.left_shift(np.uint64(1), (np.arange(m) % 64).astype(np.uint64))
        for j in range(d):
            order = np.argsort(members[:, j], kind="stable")
            self.sorted.append(members[order, j])
            onehot = np.zeros((m + 1, self.words), dtype=np.uint64)
            onehot[np.arange(m), word[order]] = bit[order]
            # suffix[k] = OR of onehot[k:]: the members at sorted position k or later
            self.suffix.append(np.bitwise_or.accumulate(onehot[::-1], axis=0)[::-1])

    def dominating(self, rows: F64) -> U64:
        """(len(rows), words) bitsets of the members that dominate each row."""
        acc: U64 | None = None
        ties = np.ones(len(rows), dtype=bool)  # a member may equal the row on every column
        for j, col in enumerate(self.sorted):
            lo = np.searchsorted(col, rows[:, j], side="left")
            ties &= col[np.minimum(lo, len(col) - 1)] == rows[:, j]
            part = self.suffix[j][lo]
            acc = part if acc is None else np.bitwise_and(acc, part, out=acc)
        assert acc is not None
        tied = np.flatnonzero(ties)
        if len(tied):  # keep only members strictly better somewhere
            better = np.zeros((len(tied), self.words), dtype=np.uint64)
            for j, col in enumerate(self.sorted):
                hi = np.searchsorted(col, rows[tied, j], side="right")
                better |= self.suffix[j][hi]
            acc[tied] &= better
        return acc


def _popcount(bits: U64) -> I64:
    """Set bits per word."""
    count = getattr(np, "bitwise_count", None)  # NumPy >= 2.0
    if count is not None:
        return np.asarray(count(bits), dtype=np.int64)
    as_bytes = bits.view(np.uint8).reshape(*bits.shape, 8)
    return np.asarray(_BYTE_BITS[as_bytes].sum(axis=2), dtype=np.int64)


def _take_first(hits: U64, per_word: I64, first: NDArray[np.intp], offset: int, limit: int) -> None:
    """Append the lowest set bits of `hits` (positions + offset) to `first`, up to `limit`."""
    if limit == 0:
        return
    have = (first >= 0).sum(axis=1)
    before = np.cumsum(per_word, axis=1) - per_word  # set bits in the words to the left
    # the words holding a row's first `limit - have` bits: at most that many per row
    r, w = np.nonzero((per_word > 0) & (before < (limit - have)[:, None]))
    slot = have[r] + before[r, w]
    words = hits[r, w]
    for _ in range(limit):  # the lowest bits of each word, lowest first
        ok = (words != 0) & (slot < limit)
        r, w, words, slot = r[ok], w[ok], words[ok], slot[ok]
        if len(r) == 0:
            break
        low = words & (~words + np.uint64(1))  # the lowest set bit alone
        _, exponent = np.frexp(low.astype(np.float64))  # exact: a power of two
        first[r, slot] = w * 64 + exponent - 1 + offset
        words, slot = words ^ low, slot + 1
