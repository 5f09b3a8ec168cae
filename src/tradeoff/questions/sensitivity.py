"""`tradeoff sensitivity`: how far each weight can move before the winner changes, and SMAA-2.

Stability intervals are exact for weighted-sum: with every other weight fixed, each score is
(A_i + t n_i) / (W + t) in the weight t, so the winner w stays ahead of i exactly where the
linear function (A_w - A_i) + t (n_w - n_i) stays >= 0. Other methods are bisected.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tradeoff.arrays import F64
from tradeoff.data import StudyData
from tradeoff.engine.methods import Method
from tradeoff.questions.analysis import Analysis, Options, analyse
from tradeoff.questions.draws import (
    DEFAULT_SAMPLES,
    batch_scores,
    check_draws,
    chunk_draws,
    name_order,
    ranks_of,
)
from tradeoff.questions.noise import Setting
from tradeoff.questions.record import JsonResult, num

MAX_RANKS = 100
"""Ranks whose acceptability is counted (n x n counts would not fit for 90,000 candidates)."""
SEARCH_LIMIT = 1e6  # for bisection: a weight this many times the others' total counts as infinite


@dataclass(frozen=True)
class Stability:
    """The winner stays first while this metric's raw weight is within [low, high]."""

    metric: str
    weight: float
    low: float | None
    high: float | None
    below: str | None
    above: str | None
    why_none: str | None = None  # why there is no interval at all (a note, not in the JSON)


@dataclass(frozen=True)
class SensitivityResult(JsonResult):
    """Stability intervals of the winner, and SMAA-2 rank acceptability over random weights."""

    profile: str
    method: str
    winner: str | None
    names: list[str]
    stability: list[Stability]
    acceptability: dict[str, list[float]]
    central_weights: dict[str, dict[str, float]]
    samples: int
    seed: int
    notes: list[str] = field(default_factory=list)
    command: str = "sensitivity"

    def stability_metrics(self) -> list[str]:
        """The weighted metrics of the SMAA draws (those with a central weight)."""
        first = next(iter(self.central_weights.values()), {})
        return list(first)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.heading(),
            "profile": self.profile,
            "method": self.method,
            "winner": self.winner,
            "stability": [
                {
                    "metric": s.metric,
                    "weight": num(s.weight),
                    "low": num(s.low),
                    "high": num(s.high),
                    "below": s.below,
                    "above": s.above,
                }
                for s in self.stability
            ],
            "acceptability": {n: [float(x) for x in v] for n, v in self.acceptability.items()},
            "central_weights": {
                n: {m: float(x) for m, x in w.items()} for n, w in self.central_weights.items()
            },
            "samples": self.samples,
            "seed": self.seed,
        }


def _leader(s: Setting, w: F64) -> int:
    scores = batch_scores(s.x[None], s.maximize, w, s.method, s.ranges)
    return int(np.argmin(ranks_of(scores, name_order(s.names))[0]))


def _weights_with(s: Setting, j: int, t: float) -> F64:
    w = s.w.copy()
    w[j] = t
    return w


def _exact(s: Setting, j: int, normalized: F64) -> tuple[float | None, float | None]:
    """Weighted-sum: the interval of weight j over which row 0 (the winner) stays first."""
    others = np.delete(np.arange(len(s.w)), j)
    a = normalized[:, others] @ s.w[others]  # (n,) A_i
    c = a[0] - a  # >= 0 at the current weights
    slope = normalized[0, j] - normalized[:, j]
    low, high = 0.0, np.inf
    rising, falling = slope > 0, slope < 0
    if rising.any():
        low = max(low, float((-c[rising] / slope[rising]).max()))
    if falling.any():
        high = float((-c[falling] / slope[falling]).min())
    return low, (None if not np.isfinite(high) else high)


def _bisect(s: Setting, j: int) -> tuple[float | None, float | None]:
    """Other methods: walk out from the current weight and bisect each change of winner."""
    winner = 0
    t0 = float(s.w[j])
    total = float(s.w.sum()) or 1.0

    def wins(t: float) -> bool:
        w = _weights_with(s, j, t)
        return w.sum() > 0 and _leader(s, w) == winner

    def edge(inside: float, outside: float) -> float:
        for _ in range(200):
            mid = 0.5 * (inside + outside)
            if mid in (inside, outside):
                break
            inside, outside = (mid, outside) if wins(mid) else (inside, mid)
        return inside

    high: float | None = None
    step = max(t0, total) * 1e-3
    t = t0
    while t < total * SEARCH_LIMIT:
        nxt = t + step
        if not wins(nxt):
            high = edge(t, nxt)
            break
        t, step = nxt, step * 2
    low = 0.0
    if not wins(0.0):
        lo_in, lo_out = t0, 0.0
        grid = [t0 * f for f in (0.5, 0.25, 0.1, 0.01, 1e-4, 0.0)]
        for g in grid:
            if not wins(g):
                lo_out = g
                break
            lo_in = g
        low = edge(lo_in, lo_out)
    return low, high


def _takeover(s: Setting, j: int, t: float) -> str | None:
    w = _weights_with(s, j, max(t, 0.0))
    if w.sum() <= 0:
        return None
    leader = _leader(s, w)
    return None if leader == 0 else s.names[leader]


def stability(a: Analysis, method: Method) -> list[Stability]:
    """Per metric of the study, the interval of its weight over which the winner stays first."""
    data = a.data
    s = Setting.of(a, method, metrics=data.metric_names)
    # A metric nobody weighs may have holes; fill them with its worst value, as --missing worst.
    x = s.x.copy()
    for j in range(x.shape[1]):
        hole = np.isnan(x[:, j])
        if hole.any() and not hole.all():
            x[hole, j] = np.nanmin(x[:, j]) if s.maximize[j] else np.nanmax(x[:, j])
        elif hole.all():
            x[:, j] = 0.0
    s = replace(s, x=x)
    out = []
    normalized = np.nan_to_num(a.normalized[s.rows], nan=0.0)
    for j, m in enumerate(data.metric_names):
        weight = float(s.w[j])
        if len(s.rows) == 0:
            out.append(Stability(m, weight, None, None, None, None))
            continue
        if method == "weighted-product" and (s.x[:, j] <= 0).any():
            # The weighted product is undefined for a non-positive value: no interval to report.
            k = int(np.flatnonzero(s.x[:, j] <= 0)[0])
            why = (
                f"weighted-product cannot weigh a value of 0 or less "
                f"({data.names[int(s.rows[k])]} has {s.x[k, j]:g})"
            )
            out.append(Stability(m, weight, None, None, None, None, why))
            continue
        low, high = _exact(s, j, normalized) if method == "weighted-sum" else _bisect(s, j)
        if low is not None and low <= 1e-12 * max(float(s.w.sum()), weight, 1e-300):
            low = 0.0  # bisection's last step toward 0, or rounding: the end is 0
        eps = 1e-7 * max(1.0, abs(low or 0.0), abs(high or 0.0))
        if low is not None and low > 0:
            below = _takeover(s, j, low - eps)
        else:  # at weight 0 a tie (broken by name) may still put another candidate first
            below = _takeover(s, j, 0.0) if low is not None else None
        above = _takeover(s, j, high + eps) if high is not None else None
        out.append(Stability(m, weight, low, high, below, above))
    return out


def smaa(s: Setting, samples: int, seed: int) -> tuple[F64, F64]:
    """SMAA-2: weights uniform on the simplex of the weighted metrics (seeded).

    Returns (acceptability (n, min(n, MAX_RANKS)): share of draws at each rank; central
    weights (n, k): the mean weight vector of the draws each candidate wins, NaN rows for
    those that never win).
    """
    rng = np.random.default_rng(seed)
    n, k = s.x.shape
    check_draws(n, samples, "sensitivity")
    shown = min(n, MAX_RANKS)  # acceptability of the first ranks only: n x n would not fit
    counts = np.zeros((n, shown))
    wins = np.zeros((n, k))
    step = chunk_draws(samples, n, k)
    for start in range(0, samples, step):
        m = min(step, samples - start)
        w = rng.dirichlet(np.ones(k), size=m)
        scores = batch_scores(
            np.broadcast_to(s.x, (m, n, k)).copy(), s.maximize, w, s.method, s.ranges
        )
        # Candidates that tie exactly (identical on the weighted metrics) share the ranks.
        ranks = ranks_of(scores, rng.random((m, n)))
        kept = ranks <= shown
        who = np.broadcast_to(np.arange(n), ranks.shape)[kept]
        np.add.at(counts, (who, ranks[kept] - 1), 1.0)
        first = np.argmin(ranks, axis=1)
        np.add.at(wins, first, w)
    first_counts = counts[:, 0:1]
    central = np.divide(wins, first_counts, out=np.full_like(wins, np.nan), where=first_counts > 0)
    return counts / samples, central


def sensitivity_result(
    data: StudyData, opts: Options, samples: int = DEFAULT_SAMPLES, seed: int = 0
) -> SensitivityResult:
    """Stability of the current winner per weight, and rank acceptability over random weights."""
    a = analyse(data, opts)
    names = [data.names[i] for i in a.order]
    if len(a.order) == 0:
        stab = [Stability(m, a.raw_weights[m], None, None, None, None) for m in data.metric_names]
        return SensitivityResult(
            a.profile,
            opts.method,
            None,
            [],
            stab,
            {},
            {},
            samples,
            seed,
            ["no feasible candidate: every one breaks an error-level budget"],
        )
    s = Setting.of(a, opts.method)
    accept, central = smaa(s, samples, seed)
    stab = stability(a, opts.method)
    return SensitivityResult(
        profile=a.profile,
        method=opts.method,
        winner=names[0],
        names=names,
        stability=stab,
        acceptability={n: accept[i].tolist() for i, n in enumerate(names)},
        central_weights={
            n: dict(zip(s.metrics, central[i].tolist(), strict=True))
            for i, n in enumerate(names)
            if accept[i, 0] > 0
        },
        samples=samples,
        seed=seed,
        notes=[f"{s.metric}: n/a: {s.why_none}" for s in stab if s.why_none]
        + (
            [f"acceptability lists ranks 1-{MAX_RANKS} of {len(names):,}"]
            if len(names) > MAX_RANKS
            else []
        ),
    )
