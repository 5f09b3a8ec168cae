"""Paired evidence: item bootstrap, McNemar's exact test, Benjamini-Hochberg, letter groups.

Kernels: NumPy in, NumPy out, no validation (callers check their input once).
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from tradeoff.arrays import F64

CHUNK_CELLS = 4_000_000  # draws x items per chunk of index draws (~32 MB of int64)
# Drawing class counts costs ~280 ns per class and draw (a binomial each), drawing and counting
# indices ~25 ns per item and draw: classes win when there are fewer than m / 11 of them.
CLASS_COST_RATIO = 11


class ItemBootstrap:
    """Means of candidates' per-item values over bootstrap resamples of the items.

    One resample of item indices per draw is applied to every candidate (a paired bootstrap):
    their differences keep the correlation of their errors. Items whose values agree across
    every candidate form one pattern class; resampling m items uniformly is the same as drawing
    the class counts from Multinomial(m, class sizes / m), which is far cheaper when items are
    0/1 scores (at most 2^n patterns for n candidates, usually a few hundred). With many
    distinct patterns (continuous scores) indices are drawn and counted instead.
    """

    def __init__(self, values: F64) -> None:
        n, m = values.shape
        self.n, self.m = n, m
        self.full = values.mean(axis=1) if m else np.zeros(n)
        patterns, counts = np.unique(values.T, axis=0, return_counts=True)
        few = len(counts) * CLASS_COST_RATIO <= m
        self.classes = patterns.T.copy() if few else None  # (n, K)
        self.p = counts / m if self.classes is not None else None
        self.values = values

    def means(self, draws: int, rng: np.random.Generator) -> F64:
        """(draws, n): each candidate's mean over the same resampled items, per draw."""
        if self.m == 0:
            return np.zeros((draws, self.n))
        if self.classes is not None and self.p is not None:
            drawn = rng.multinomial(self.m, self.p, size=draws).astype(np.float64)
            return np.asarray(drawn @ self.classes.T / self.m, dtype=np.float64)
        out = np.empty((draws, self.n))
        step = max(1, CHUNK_CELLS // self.m)
        for start in range(0, draws, step):
            k = min(step, draws - start)
            idx = rng.integers(0, self.m, size=(k, self.m))
            idx += (np.arange(k) * self.m)[:, None]
            tally = np.bincount(idx.ravel(), minlength=k * self.m).reshape(k, self.m)
            out[start : start + k] = tally.astype(np.float64) @ self.values.T / self.m
        return out

    def shifts(self, draws: int, rng: np.random.Generator) -> F64:
        """(draws, n): resampled mean minus the mean over all items (centred at 0)."""
        return self.means(draws, rng) - self.full


def mcnemar_p(b: int, c: int) -> float:
    """Exact two-sided McNemar p-value for b and c discordant pairs (A only, B only right).

    Under the null each discordant pair goes either way with probability 1/2, so
    p = min(1, 2 * P(X <= min(b, c))) with X ~ Binomial(b + c, 1/2); 1 when b + c = 0.
    Computed in exact integers (Python divides big integers to a correctly rounded float).
    """
    n = b + c
    if n == 0:
        return 1.0
    tail: int = sum(math.comb(n, k) for k in range(min(b, c) + 1))
    return min(1.0, float(2 * tail / 2**n))


def normal_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic: 2 * (1 - Phi(|z|))."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def draws_p(d: F64) -> F64:
    """Two-sided p-values from draws of differences, along the last axis:
    2 * min(P(d <= 0), P(d >= 0)), at most 1."""
    below = (d <= 0).mean(axis=-1)
    above = (d >= 0).mean(axis=-1)
    return np.asarray(np.minimum(1.0, 2.0 * np.minimum(below, above)), dtype=np.float64)


def pairwise_p(scores: F64) -> F64:
    """(s, n) draws of n scores -> (n, n) symmetric p-values of every pair (1 on the diagonal)."""
    n = scores.shape[1]
    out = np.ones((n, n))
    for i in range(n - 1):
        p = draws_p((scores[:, i : i + 1] - scores[:, i + 1 :]).T)
        out[i, i + 1 :] = p
        out[i + 1 :, i] = p
    return out


def benjamini_hochberg(p: F64, q: float) -> NDArray[np.bool_]:
    """Which of the p-values are discoveries at false discovery rate `q` (step-up procedure):
    the k smallest, for the largest k with p_(k) <= k q / m."""
    m = p.size
    if m == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(p, kind="stable")
    passed = np.flatnonzero(p[order] <= q * np.arange(1, m + 1) / m)
    reject = np.zeros(m, dtype=bool)
    if passed.size:
        reject[order[: passed[-1] + 1]] = True
    return reject


def letter_groups(n: int, different: Sequence[tuple[int, int]]) -> list[str]:
    """Compact letter display: items 0..n-1 (best first); two share a letter unless different.

    Piepho's insert-and-absorb algorithm: start with one letter for all; for each pair declared
    different, split every letter holding both into two (one without each), then drop letters
    whose members another letter already holds. Letters are named a, b, ... in the order of
    their best member, and each item lists its letters in that order.
    """
    columns: list[frozenset[int]] = [frozenset(range(n))] if n else []
    for i, j in different:
        split: list[frozenset[int]] = []
        for col in columns:
            if i in col and j in col:
                split += [col - {i}, col - {j}]
            else:
                split.append(col)
        columns = _absorb(split)
    columns.sort(key=lambda col: (min(col), sorted(col)))
    names = _letter_names(len(columns))
    return [
        "".join(nm for nm, col in zip(names, columns, strict=True) if k in col) for k in range(n)
    ]


def _absorb(columns: list[frozenset[int]]) -> list[frozenset[int]]:
    unique = list(dict.fromkeys(c for c in columns if c))
    return [c for c in unique if not any(c < other for other in unique)]


def _letter_names(count: int) -> list[str]:
    alphabet = string.ascii_lowercase + string.ascii_uppercase
    return [alphabet[k] if k < len(alphabet) else f"<{k + 1}>" for k in range(count)]
