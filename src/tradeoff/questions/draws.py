"""Scoring many draws at once, for --uncertainty and sensitivity alike.

Arrays of shape (draws, candidates, metrics), processed in chunks of bounded size; ranks per
draw; and the limit on how many candidate-draws a command may rank.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradeoff.arrays import F64
from tradeoff.engine import methods
from tradeoff.engine.methods import Method
from tradeoff.errors import UsageError

CHUNK_CELLS = 4_000_000  # draws x candidates x metrics per chunk (~32 MB of float64)

DEFAULT_SAMPLES = 10_000  # P(first) to within about 0.005: two stable decimals
MAX_DRAW_CELLS = 50_000_000
"""Draws x candidates that --uncertainty and sensitivity may rank (the ranks alone take 8 bytes
a cell, and every draw sorts every candidate): beyond, the command refuses, saying how many
draws would fit, rather than run for minutes or out of memory."""


def check_draws(n: int, samples: int, what: str) -> None:
    """Refuse `samples` draws over `n` candidates when that is over `MAX_DRAW_CELLS`.

    Raises:
        tradeoff.errors.UsageError: naming the largest --samples that fits.
    """
    if n * samples <= MAX_DRAW_CELLS:
        return
    fits = MAX_DRAW_CELLS // max(1, n)
    hint = f"use --samples {fits} or fewer" if fits >= 100 else "narrow the candidates first"
    raise UsageError(
        f"{what} over {n:,} candidates with {samples:,} draws is more than this tool ranks in"
        f" bounded memory ({MAX_DRAW_CELLS:,} candidate-draws); {hint}"
    )


def batch_scores(
    x: F64,
    maximize: NDArray[np.bool_],
    w: F64,
    method: Method,
    ranges: list[tuple[float, float] | None],
) -> F64:
    """Scores of many draws at once: x (s, n, k) values, w (s, k) or (k,) weights -> (s, n).

    Each draw is normalized over its own n candidates, exactly as a single ranking is: the
    same `engine.methods.score`.
    """
    return methods.score(method, x, maximize, w, ranges)[0]


def ranks_of(scores: F64, tie_key: NDArray[Any]) -> NDArray[np.intp]:
    """(s, n) scores -> (s, n) ranks (1 = best); equal scores are ordered by `tie_key`.

    `tie_key` is (n,) (e.g. name order, for a deterministic ranking) or (s, n) (random keys:
    in a Monte Carlo, candidates that tie exactly share the rank instead of the first name
    taking it every time).
    """
    keys = np.broadcast_to(tie_key, scores.shape)
    order = np.lexsort((keys, -scores), axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[1] + 1)[None, :], axis=1)
    return ranks


def name_order(names: list[str]) -> NDArray[np.intp]:
    """Each name's place in code-point order: the tie key of a deterministic ranking."""
    key = np.empty(len(names), dtype=np.intp)
    key[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(len(names))
    return key


def chunk_draws(samples: int, n: int, k: int) -> int:
    """Draws per chunk of (draws, n, k) arrays: at most CHUNK_CELLS cells, at least one draw."""
    return max(1, min(samples, CHUNK_CELLS // max(1, n * k)))
