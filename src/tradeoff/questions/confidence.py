"""How sure is a ranking? Monte Carlo over noisy values, and over weights (SMAA-2).

Both re-score many draws at once: arrays of shape (draws, candidates, metrics), processed in
chunks so memory stays bounded whatever the sample count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from tradeoff.arrays import F64
from tradeoff.data import StudyData
from tradeoff.engine.methods import Method
from tradeoff.engine.paired import benjamini_hochberg, letter_groups, pairwise_p
from tradeoff.questions.analysis import Analysis
from tradeoff.questions.draws import batch_scores, check_draws, chunk_draws, ranks_of
from tradeoff.questions.noise import Setting
from tradeoff.questions.results import RankUncertainty

SUMMARY_SAMPLES = 4_000  # the confidence line under a plain table: see fields()
MAX_GROUPED = 50  # significance groups are given to the first rows only (pairs grow as n^2)
DEFAULT_FDR = 0.05


@dataclass(frozen=True)
class Uncertainty:
    """Per candidate (in point-value rank order): P(first), median rank, 90% interval, tie flag."""

    samples: int
    seed: int
    p_first: F64
    rank_median: F64
    rank_interval: NDArray[np.int64]  # (n, 2)
    tied_with_leader: NDArray[np.bool_]
    scores: F64 | None = None  # (samples, keep): the first rows' scores in every draw


def uncertainty(s: Setting, samples: int, seed: int, keep: int = 0) -> Uncertainty:
    """Monte Carlo over the values: each draw is normal around the point value with its stderr.

    A metric with per-item values (`s.boot`) is drawn by a paired bootstrap instead: one
    resample of the items per draw, shared by every candidate that has them, moves each such
    candidate's value by its resampled mean minus its mean (so draws centre on the point
    value and keep the correlation between candidates). `keep` > 0 keeps the first `keep`
    rows' scores of every draw (for significance groups).

    Feasibility stays as judged on the point values. Each draw is re-normalized and re-scored.
    The 90% rank interval is the 5th-95th percentile of the sampled ranks (inverted CDF); a
    candidate is tied with the leader (the point-value rank 1) when the intervals overlap.
    weighted-product needs positive values: draws are clipped at 1e-12 of the point value.
    """
    rng = np.random.default_rng(seed)
    n, k = s.x.shape
    check_draws(n, samples, "--uncertainty")
    ranks = np.empty((samples, n), dtype=np.intp)
    keep = min(keep, n)
    kept = np.empty((samples, keep)) if keep else None
    step = chunk_draws(samples, n, k)
    for start in range(0, samples, step):
        m = min(step, samples - start)
        draw = rng.standard_normal((m, n, k))
        draw *= s.se  # in place: x + se * z
        draw += s.x
        if s.counts is not None:
            _jeffreys(draw, s, rng)
        for b in s.boot:
            draw[:, b.pos, b.col] += b.bootstrap.shifts(m, rng)
        for c, follow, lead in s.shared:
            draw[:, follow, c] = draw[:, lead, c] + (s.x[follow, c] - s.x[lead, c])
        if s.method == "weighted-product":
            draw = np.maximum(draw, np.abs(s.x)[None] * 1e-12)
        ties = rng.random((m, n))  # exact ties (identical, noiseless values) share the rank
        scores = batch_scores(draw, s.maximize, s.w, s.method, s.ranges)
        if kept is not None:
            kept[start : start + m] = scores[:, :keep]
        ranks[start : start + m] = ranks_of(scores, ties)
    p_first = (ranks == 1).mean(axis=0)
    median = np.median(ranks, axis=0)
    lo = np.quantile(ranks, 0.05, axis=0, method="inverted_cdf")
    hi = np.quantile(ranks, 0.95, axis=0, method="inverted_cdf")
    interval = np.column_stack([lo, hi]).astype(np.int64)
    tied = (interval[:, 0] <= interval[0, 1]) & (interval[:, 1] >= interval[0, 0])
    if n:
        tied[0] = False
    return Uncertainty(samples, seed, p_first, median, interval, tied, kept)


def _jeffreys(draw: F64, s: Setting, rng: np.random.Generator) -> None:
    """Replace the normal draws of proportions with a count by Jeffreys-posterior draws: a
    normal around 1 of 1 correct would stay near 100 %; Beta(1.5, 0.5) does not."""
    assert s.counts is not None and s.scale is not None
    for r, c in zip(*np.nonzero(~np.isnan(s.counts)), strict=True):
        n = s.counts[r, c]
        k = min(max(s.x[r, c] / s.scale[c], 0.0), 1.0) * n
        draw[:, r, c] = rng.beta(k + 0.5, n - k + 0.5, size=draw.shape[0]) * s.scale[c]


def unknown_noise(cells: Sequence[tuple[str, str]], limit: int = 3) -> str:
    """'a's arc and b's mmlu' (at most `limit` named, then how many more)."""
    shown = [f"{name}'s {metric}" for name, metric in cells[:limit]]
    more = f" and {len(cells) - limit} more" if len(cells) > limit else ""
    return (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]) + more


def unknown_cells(
    data: StudyData, rows: Sequence[int], metrics: Sequence[str]
) -> list[tuple[str, str]]:
    """(candidate, metric) among `rows` x `metrics` whose noise is unknown: an lm-eval value
    with neither stderr nor item count (SPEC: named, never treated as exact)."""
    wanted = {data.metric_index(m) for m in metrics}
    chosen = set(rows)
    return [
        (data.names[i], data.metrics[j].name)
        for (i, j), prov in sorted(data.provenance.items())
        if prov.get("noise") == "unknown" and j in wanted and i in chosen
    ]


def unknown_note(cells: Sequence[tuple[str, str]], what: str) -> list[str]:
    """A note for `what` (--noise, --pessimistic) naming the values whose noise is unknown."""
    if not cells:
        return []
    return [f"the noise of {unknown_noise(cells)} is unknown (no stderr, no item count): {what}"]


def _p(p: float) -> str:
    """Two decimals, never a certainty the draws do not show: p=1.00 only when every draw."""
    return "p>0.99" if 0.995 <= p < 1.0 else f"p={p:.2f}"


def summary(s: Setting, u: Uncertainty, letters: Sequence[str | None] = ()) -> str:
    """One line: who leads, with what probability, who is within noise of it, and which
    metrics' stderr that noise is; values whose noise is unknown (lm-eval gave neither stderr
    nor item count) are named instead of a probability, never taken as exact.

    Within noise: a 90% rank interval that overlaps the leader's (`tied_with_leader`), or a
    group letter shared with the leader's (`letters`, in rank order: the pairwise tests could
    not tell the two apart). Either is enough: the line never claims more than the groups."""
    if not len(s.names):
        return ""
    if s.unknown:
        return (
            f"{s.names[0]} leads on the values as given; no confidence figure: the noise of "
            f"{unknown_noise(s.unknown)} is unknown (no stderr, no item count)"
        )
    lead = set(letters[0] or "") if letters else set()
    mates = [k > 0 and bool(lead & set(x or "")) for k, x in enumerate(letters)]
    mates += [False] * (len(s.names) - len(mates))
    tied = [n for n, t, m in zip(s.names, u.tied_with_leader, mates, strict=True) if t or m]
    line = f"{s.names[0]} leads with {_p(float(u.p_first[0]))}"
    if tied:
        within = ", ".join(tied[:3]) + (f" and {len(tied) - 3} more" if len(tied) > 3 else "")
        line += f"; {within} {'is' if len(tied) == 1 else 'are'} within noise"
    else:
        line += "; no other candidate is within noise"
    # Say which noise: a large gap in score can be "within noise" when one weighted metric has
    # a wide stderr, and the other metrics are taken as exact.
    counted = ~np.isnan(s.counts) if s.counts is not None else np.zeros_like(s.se, dtype=bool)
    items = [s.metrics[b.col] for b in s.boot]  # drawn from their per-item scores
    noisy = [m for k, m in enumerate(s.metrics) if bool(((s.se[:, k] > 0) | counted[:, k]).any())]
    noisy = [m for m in noisy if m not in items]
    parts = [f"the per-item scores of {_and(items)}"] if items else []
    parts += [f"the stderr of {_and(noisy)}"] if noisy else []
    which = " and ".join(parts) or "no stderr"
    shared = [s.metrics[c] for c, _, _ in s.shared]
    if shared:  # one run read by several candidates is one draw (`shared_measurements`)
        of = "" if set(shared) == set(noisy) else f" of {_and(shared)}"
        which += f", one draw per file{of} for all who read it"
    if len(items) + len(noisy) < len(s.metrics):
        which += "; other metrics exact"
    return f"{line} ({which}; {u.samples} draws, seed {u.seed})"


def _and(names: list[str]) -> str:
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


@dataclass(frozen=True)
class Groups:
    """Significance groups of the first rows (rank order): rows sharing a letter cannot be told
    apart. `source` says what noise the draws came from: per-item values (`items`, a paired
    bootstrap for at least one weighted metric), stderrs (or item counts) only (`stderr`), or
    none (None: no groups, every letter None; also when some noise is unknown)."""

    source: Literal["items", "stderr"] | None
    letters: list[str | None]
    fdr: float
    samples: int
    items: int = 0  # with per-item values: the fewest items the candidates share in a metric

    def line(self) -> str | None:
        """The table's words for what the groups rest on."""
        if self.source is None:
            return None
        evidence = "stderrs"
        if self.source == "items":
            evidence = f"per-item scores on {self.items} shared items, paired bootstrap"
        beyond = len(self.letters) - sum(x is not None for x in self.letters)
        cut = f"; first {MAX_GROUPED} rows only" if beyond else ""
        return (
            f"group: a shared letter = not told apart ({evidence}, {self.samples} draws, "
            f"Benjamini-Hochberg FDR {self.fdr:g}{cut})"
        )


@dataclass(frozen=True)
class Evidence:
    """What rank shows from its draws: per-row uncertainty (--uncertainty), the draws made
    (samples, seed) with --uncertainty, the confidence line and the significance groups."""

    rows: list[RankUncertainty]
    draws: tuple[int, int] | None
    line: str | None
    groups: Groups


def _groups(s: Setting, u: Uncertainty, shown: int, fdr: float) -> Groups:
    source: Literal["items", "stderr"] | None = "items" if s.boot else "stderr"
    if not s.noisy or s.unknown or u.scores is None:
        return Groups(None, [None] * shown, fdr, u.samples)
    keep = u.scores.shape[1]
    p = pairwise_p(u.scores)
    upper = np.triu_indices(keep, k=1)
    differ = benjamini_hochberg(p[upper], fdr)
    pairs = [(int(i), int(j)) for i, j, d in zip(*upper, differ, strict=True) if d]
    letters: list[str | None] = list(letter_groups(keep, pairs))
    items = min((b.bootstrap.m for b in s.boot), default=0)
    return Groups(source, letters + [None] * (shown - keep), fdr, u.samples, items)


def evidence(
    a: Analysis,
    method: Method,
    wanted: bool,
    samples: int,
    seed: int,
    shown: int | None = None,
    fdr: float = DEFAULT_FDR,
) -> Evidence:
    """Everything rank takes from its Monte Carlo draws (see `fields` for the draw counts).

    `shown` rows (default: all ranked) get significance groups, the first MAX_GROUPED of them:
    pairwise p = 2 min(P(d <= 0), P(d >= 0)) over the draws of their score difference d,
    Benjamini-Hochberg at `fdr` over those pairs, then a compact letter display. No groups
    when no value is noisy, or when some value's noise is unknown (never taken as exact).
    """
    shown = len(a.order) if shown is None else min(shown, len(a.order))
    draws = (samples, seed) if wanted else None
    none = Groups(None, [None] * shown, fdr, samples)
    if not len(a.order) or not a.weighted:
        return Evidence([], draws, None, none)
    if not wanted and not _may_be_noisy(a.data):
        return Evidence([], None, None, none)  # a million exact values: no setting to build
    setting = Setting.of(a, method)
    noisy = setting.noisy or bool(setting.unknown)
    if not wanted and not noisy:
        return Evidence([], None, None, none)
    if not wanted:
        # The summary under a plain table: bounded work even for very large tables.
        n, k = setting.x.shape
        samples = min(samples, SUMMARY_SAMPLES, max(200, 20_000_000 // max(1, n * k)))
    keep = min(shown, MAX_GROUPED) if setting.noisy and not setting.unknown else 0
    u = uncertainty(setting, samples, seed, keep)
    groups = _groups(setting, u, shown, fdr)
    line = summary(setting, u, groups.letters) if noisy else None
    if not wanted:
        return Evidence([], None, line, groups)
    rows = [
        RankUncertainty(
            p_first=float(u.p_first[k]),
            rank_median=float(u.rank_median[k]),
            rank_interval=(int(u.rank_interval[k, 0]), int(u.rank_interval[k, 1])),
            tied_with_leader=bool(u.tied_with_leader[k]),
        )
        for k in range(len(setting.names))
    ]
    return Evidence(rows, (samples, seed), line, groups)


def _may_be_noisy(data: StudyData) -> bool:
    """False when no value anywhere has a stderr, a count or items (then no setting is)."""
    if data.provenance or data.items:
        return True
    return bool((data.stderr > 0).any())  # NaN compares False


def fields(
    a: Analysis, method: Method, wanted: bool, samples: int, seed: int
) -> tuple[list[RankUncertainty], tuple[int, int] | None, str | None]:
    """Per-row uncertainty (rank order), the draws made (samples, seed), and the one-line summary.

    With `wanted` (--uncertainty) everything comes from `samples` draws. Without it, only the
    summary line is made, from at most SUMMARY_SAMPLES draws with the same seed (fewer for
    very large tables): P(first) to within about 0.008 (one standard error at p = 0.5), as
    good as its two decimals need, at under half the cost of 10,000 draws, which every plain
    `rank` of a file with stderr values would otherwise pay at start-up (issue 3). The line
    states the draws it used, so it may differ from --uncertainty's in the last digit.
    """
    got = evidence(a, method, wanted, samples, seed, shown=0)
    return got.rows, got.draws, got.line
