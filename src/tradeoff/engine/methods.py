"""Scoring methods: arrays in, scores out. No validation here; `questions/analysis.py` does that.

Every function works on the columns of the weighted metrics only, over arrays of shape
(..., n, k): one ranking is (n, k), a Monte Carlo or SMAA batch of s draws is (s, n, k) and
each draw is normalized over its own n candidates. `w` holds the positive weights, (k,) or one
row per draw (..., k). Each returns `(scores, contributions)`: (..., n) scores, higher is
better, and (..., n, k) per-metric parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from tradeoff.arrays import F64
from tradeoff.engine.normalize import minmax, vector

Scores = tuple[F64, F64]
Method = Literal["weighted-sum", "weighted-product", "topsis"]


def shares(w: F64) -> F64:
    """w / sum w along the last axis, scaled by the largest weight first so that the sum cannot
    overflow (weights of 1e308 are finite too)."""
    top = w.max(axis=-1, keepdims=True)
    scaled = w / np.where(top > 0, top, 1.0)
    return np.asarray(scaled / scaled.sum(axis=-1, keepdims=True), dtype=np.float64)


def _per_row(w: F64) -> F64:
    # (k,) weights broadcast over the rows as they are; (..., k) ones get a rows axis.
    share = shares(w)
    return share if share.ndim == 1 else share[..., None, :]


def score(
    method: Method,
    values: F64,
    maximize: NDArray[np.bool_],
    w: F64,
    ranges: Sequence[tuple[float, float] | None] | None = None,
) -> Scores:
    """Scores by `method` of the rows of `values` (..., n, k), each batch normalized over its
    own n rows (weighted-sum: min-max with the `range` goalposts, see `normalize.minmax`)."""
    if method == "weighted-sum":
        return weighted_sum(minmax(values, maximize, ranges=ranges), w)
    if method == "weighted-product":
        return weighted_product(values, maximize, w)
    return topsis(values, maximize, w)


def weighted_sum(normalized: F64, w: F64) -> Scores:
    """Score = sum_i w_i n_i / sum_i w_i on min-max normalized values, in [0, 1].

    Contribution of metric i is w_i n_i / sum w, so contributions add up to the score.
    """
    parts = normalized * _per_row(w)
    return parts.sum(axis=-1), parts


def weighted_product(
    values: F64, maximize: NDArray[np.bool_], w: F64, reference: F64 | None = None
) -> Scores:
    """The classical, scale-free weighted product: score = prod_i r_i ** (w_i / sum w).

    r_i = x / best for a max metric and best / x for a min metric, best taken over `reference`
    (default: `values`), so scores lie in (0, 1] for reference rows and rescaling a column
    changes nothing. Values must be positive (checked by the caller). Contribution of metric i
    is its factor r_i ** (w_i / sum w).
    """
    ref = values if reference is None else reference
    best = np.where(maximize, ref.max(axis=-2, keepdims=True), ref.min(axis=-2, keepdims=True))
    # In logs: a ratio of 1e-308 to 1e308 underflows, its logarithm does not.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.where(maximize, np.log(values) - np.log(best), np.log(best) - np.log(values))
        share = _per_row(w)
        logs = np.where(share > 0, log_ratio * share, 0.0)  # an unweighted metric: factor 1
    return np.exp(logs.sum(axis=-1)), np.exp(logs)


def topsis(
    values: F64, maximize: NDArray[np.bool_], w: F64, reference: F64 | None = None
) -> Scores:
    """Classical TOPSIS (Hwang & Yoon 1981): closeness to the ideal point.

    Vector-normalize each column over `reference` (default: `values`), weight by w / sum w,
    take the ideal and anti-ideal (best and worst weighted value per column over `reference`),
    and score C = D- / (D+ + D-). An all-zero column adds nothing to either distance; when both
    distances are 0 (every reference row identical), C = 1. Contribution of metric i is its
    share of the squared distance to the ideal (0 for every metric of a row at the ideal).
    """
    ref = values if reference is None else reference
    share = _per_row(w)
    weighted = vector(values, ref) * share
    ref_w = weighted if reference is None else vector(ref, ref) * share
    top, bottom = ref_w.max(axis=-2, keepdims=True), ref_w.min(axis=-2, keepdims=True)
    ideal = np.where(maximize, top, bottom)
    anti = np.where(maximize, bottom, top)
    sq_plus = (weighted - ideal) ** 2
    d_plus = np.sqrt(sq_plus.sum(axis=-1))
    d_minus = np.sqrt(((weighted - anti) ** 2).sum(axis=-1))
    total = d_plus + d_minus
    scores = np.divide(d_minus, total, out=np.ones_like(total), where=total > 0)
    sq_total = sq_plus.sum(axis=-1, keepdims=True)
    parts = np.divide(sq_plus, sq_total, out=np.zeros_like(sq_plus), where=sq_total > 0)
    return scores, parts
