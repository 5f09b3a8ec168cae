"""Scoring methods: arrays in, scores out. No validation here; `study.py` does that once.

Every function takes the columns of the weighted metrics only, `w` the (k,) positive weights, and
returns `(scores, contributions)`: (n,) scores, higher is better, and (n, k) per-metric parts.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tradeoff.engine.normalize import vector

Scores = tuple[NDArray[np.float64], NDArray[np.float64]]


def shares(w: NDArray[np.float64]) -> NDArray[np.float64]:
    """w / sum w along the last axis, scaled by the largest weight first so that the sum cannot
    overflow (weights of 1e308 are finite too)."""
    top = w.max(axis=-1, keepdims=True)
    scaled = w / np.where(top > 0, top, 1.0)
    return np.asarray(scaled / scaled.sum(axis=-1, keepdims=True), dtype=np.float64)


def weighted_sum(normalized: NDArray[np.float64], w: NDArray[np.float64]) -> Scores:
    """Score = sum_i w_i n_i / sum_i w_i on min-max normalized values, in [0, 1].

    Contribution of metric i is w_i n_i / sum w, so contributions add up to the score.
    """
    share = shares(w)
    parts = normalized * share
    return parts.sum(axis=1), parts


def weighted_product(
    values: NDArray[np.float64],
    maximize: NDArray[np.bool_],
    w: NDArray[np.float64],
    reference: NDArray[np.float64],
) -> Scores:
    """The classical, scale-free weighted product: score = prod_i r_i ** (w_i / sum w).

    r_i = x / best for a max metric and best / x for a min metric, best taken over `reference`,
    so scores lie in (0, 1] for reference rows and rescaling a column changes nothing. Values must
    be positive (checked by the caller). Contribution of metric i is its factor
    r_i ** (w_i / sum w).
    """
    best = np.where(maximize, reference.max(axis=0), reference.min(axis=0))
    # In logs: a ratio of 1e-308 to 1e308 underflows, its logarithm does not.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.where(maximize, np.log(values) - np.log(best), np.log(best) - np.log(values))
    share = shares(w)
    logs = np.where(share > 0, log_ratio * share, 0.0)  # an unweighted metric: factor 1
    return np.exp(logs.sum(axis=1)), np.exp(logs)


def topsis(
    values: NDArray[np.float64],
    maximize: NDArray[np.bool_],
    w: NDArray[np.float64],
    reference: NDArray[np.float64],
) -> Scores:
    """Classical TOPSIS (Hwang & Yoon 1981): closeness to the ideal point.

    Vector-normalize each column over `reference`, weight by w / sum w, take the ideal and
    anti-ideal (best and worst weighted value per column over `reference`), and score
    C = D- / (D+ + D-). An all-zero column adds nothing to either distance; when both distances
    are 0 (every reference row identical), C = 1. Contribution of metric i is its share of the
    squared distance to the ideal (0 for every metric of a row at the ideal).
    """
    share = shares(w)
    weighted = vector(values, reference) * share
    ref = vector(reference, reference) * share
    ideal = np.where(maximize, ref.max(axis=0), ref.min(axis=0))
    anti = np.where(maximize, ref.min(axis=0), ref.max(axis=0))
    sq_plus = (weighted - ideal) ** 2
    d_plus = np.sqrt(sq_plus.sum(axis=1))
    d_minus = np.sqrt(((weighted - anti) ** 2).sum(axis=1))
    total = d_plus + d_minus
    scores = np.divide(d_minus, total, out=np.ones_like(total), where=total > 0)
    sq_total = sq_plus.sum(axis=1, keepdims=True)
    parts = np.divide(sq_plus, sq_total, out=np.zeros_like(sq_plus), where=sq_total > 0)
    return scores, parts


METHODS = ("weighted-sum", "weighted-product", "topsis")
