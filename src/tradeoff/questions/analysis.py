"""The shared pipeline of `rank`, `pareto`, `explain` and `check`.

budgets -> the rows considered -> the missing-value policy -> normalization -> scores -> order and
dominance. Everything is computed on arrays once per call; result records are built only for the
rows that are shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import StudyData
from tradeoff.engine import budgets, methods
from tradeoff.engine.methods import Method
from tradeoff.engine.normalize import minmax
from tradeoff.errors import MAX_LISTED, Diagnostic, InputError, UsageError, did_you_mean
from tradeoff.questions.missing import apply_missing

Missing = Literal["error", "exclude", "worst"]
TIE = 1e-9
MAX_DOMINATORS = 3  # dominators listed per candidate (the count is given): output stays linear


@dataclass(frozen=True)
class Options:
    """The flags shared by the commands that score or compare."""

    profile: str | None = None
    weights: Mapping[str, float] = field(default_factory=dict)
    method: Method = "weighted-sum"
    metrics: Sequence[str] | None = None
    missing: Missing = "error"


def resolve_weights(data: StudyData, opts: Options) -> tuple[str, dict[str, float]]:
    """The chosen profile's raw weights (every metric, 0 where left out), after `--weight`."""
    names = data.metric_names
    if not data.profiles:
        if opts.profile not in (None, "default"):
            raise UsageError(f"unknown profile '{opts.profile}': the file defines no profiles")
        profile, raw = "default", dict.fromkeys(names, 1.0)
    elif opts.profile is None:
        if "default" not in data.profiles:
            choices = ", ".join(data.profiles)
            raise UsageError(
                f"the file has no 'default' profile; choose one with --profile: {choices}"
            )
        profile, raw = "default", {**dict.fromkeys(names, 0.0), **data.profiles["default"]}
    elif opts.profile in data.profiles:
        profile = opts.profile
        raw = {**dict.fromkeys(names, 0.0), **data.profiles[opts.profile]}
    else:
        hint = did_you_mean(opts.profile, data.profiles)
        choices = ", ".join(data.profiles)
        raise UsageError(f"unknown profile '{opts.profile}'{hint}; the profiles are: {choices}")
    for metric, weight in opts.weights.items():
        if metric not in raw:
            raise UsageError(data.not_a_goal("--weight", metric))
        if not np.isfinite(weight) or weight < 0:
            raise UsageError(f"--weight {metric}: the weight must be finite and >= 0, got {weight}")
        raw[metric] = float(weight)
    if not any(w > 0 for w in raw.values()):
        raise UsageError(f"every weight of profile '{profile}' is zero after --weight")
    return profile, {m: raw[m] for m in names}


def dominance_metrics(data: StudyData, metrics: Sequence[str] | None) -> list[str]:
    """The metrics dominance is judged on: `--metrics`, else all."""
    if metrics is None:
        return data.metric_names
    out: list[str] = []
    for m in metrics:
        if m not in data.metric_names:
            raise UsageError(data.not_a_goal("--metrics", m))
        if m not in out:
            out.append(m)
    if not out:
        raise UsageError("--metrics: name at least one metric")
    return out


@dataclass
class Analysis:
    """Everything the commands show, for one study and one set of options."""

    data: StudyData
    profile: str
    raw_weights: dict[str, float]
    dom: list[str]
    feasible: NDArray[np.bool_]  # (n,) no error-level violation
    rows: NDArray[np.intp]  # the rows considered: feasible (or all) minus excluded
    excluded: list[tuple[int, list[str]]]
    values: NDArray[np.float64]  # (n, d) with `worst` fills
    filled: NDArray[np.bool_]  # (n, d) where a value was filled by the `worst` policy
    normalized: NDArray[np.float64]  # (n, d) min-max over `rows`, clipped
    scores: NDArray[np.float64]  # (n,) NaN outside `rows`
    parts: NDArray[np.float64]  # (n, k) contributions of the weighted metrics
    weighted: list[str]
    order: NDArray[np.intp]  # `rows`, best first
    front: NDArray[np.bool_]  # (n,) non-dominated among `rows` on `dom`

    _cache: dict[tuple[str, ...], NDArray[np.float64]] = field(default_factory=dict, repr=False)

    @property
    def weights(self) -> dict[str, float]:
        """Weights normalized to sum 1, weighted metrics only."""
        w = np.array([self.raw_weights[m] for m in self.weighted], dtype=np.float64)
        return dict(zip(self.weighted, methods.shares(w).tolist(), strict=True)) if len(w) else {}

    def rank_of(self) -> dict[int, int]:
        return {int(i): k + 1 for k, i in enumerate(self.order)}

    def oriented(self, cols: Sequence[str]) -> NDArray[np.float64]:
        """Values of `cols` with min metrics negated, so larger is better everywhere.

        Computed once per set of columns: rank and pareto ask for it once per shown row.
        """
        key = tuple(cols)
        if key not in self._cache:
            idx = [self.data.metric_index(m) for m in cols]
            sign = np.array([1.0 if self.data.metrics[j].maximize else -1.0 for j in idx])
            self._cache[key] = np.asarray(self.values[:, idx] * sign, dtype=np.float64)
        return self._cache[key]

    def dominators(self, i: int, among: NDArray[np.intp], cols: Sequence[str]) -> list[int]:
        """Rows of `among` that dominate row i on `cols`, in the order of `among`."""
        if len(among) == 0:
            return []
        v = self.oriented(cols)
        cand, me = v[among], v[i]
        hit = (cand >= me).all(axis=1) & (cand > me).any(axis=1)
        return [int(k) for k in among[hit]]

    def better_on(self, a: int, b: int, cols: Sequence[str]) -> list[str]:
        v = self.oriented(cols)
        return [m for m, x, y in zip(cols, v[a], v[b], strict=True) if x > y]

    def front_members(self, by_score: bool) -> NDArray[np.intp]:
        """Front rows, highest score first (then by name) or by name alone."""
        members = self.rows[self.front[self.rows]]
        names = self.data.names
        if by_score:
            key = sorted(
                range(len(members)),
                key=lambda k: (-_nan_low(float(self.scores[members[k]])), names[members[k]]),
            )
        else:
            key = sorted(range(len(members)), key=lambda k: names[members[k]])
        return members[np.array(key, dtype=np.intp)]

    def dominator_rows(
        self, rows: NDArray[np.intp], members: NDArray[np.intp], limit: int = MAX_DOMINATORS
    ) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
        """`first_dominators` as arrays: per row the rows of its first `limit` dominators among
        `members` (-1 pads), and how many members dominate it."""
        from tradeoff.engine.dominators import first_dominators

        v = self.oriented(self.dom)
        first, total = first_dominators(v[rows], v[members], limit)
        if len(members) == 0:
            return first, total  # every entry -1
        return np.where(first >= 0, members[np.maximum(first, 0)], -1), total

    def first_dominators(
        self,
        rows: Sequence[int],
        members: NDArray[np.intp],
        limit: int = MAX_DOMINATORS,
        totals: list[int] | None = None,
    ) -> list[list[str]]:
        """For each row, the first `limit` of `members` (in their order) that dominate it.

        `totals`, when given, receives how many members dominate each row (the lists stop at
        `limit`, so output stays linear in the number of candidates).
        """
        first, total = self.dominator_rows(np.asarray(rows, dtype=np.intp), members, limit)
        if totals is not None:
            totals[:] = total.tolist()
        # Names through an object array: one take instead of a Python loop per row and hit;
        # a row's first min(total, limit) entries are its hits (-1 pads the rest).
        counts = np.minimum(total, limit).tolist()
        if len(members) == 0:
            return [[] for _ in counts]
        names = np.array(self.data.names, dtype=object)
        picked: list[list[str]] = names[np.maximum(first, 0)].tolist()
        return [row[:c] for row, c in zip(picked, counts, strict=True)]


def _nan_low(x: float) -> float:
    return -np.inf if np.isnan(x) else float(x)


METHODS: tuple[str, ...] = get_args(Method)
MISSING: tuple[str, ...] = get_args(Missing)


def _check_options(opts: Options) -> None:
    """The library takes plain strings: refuse what the CLI's choices would have refused."""
    if opts.method not in METHODS:
        raise UsageError(f"unknown method '{opts.method}'; choose one of {', '.join(METHODS)}")
    if opts.missing not in MISSING:
        raise UsageError(
            f"unknown missing-value policy '{opts.missing}'; choose one of {', '.join(MISSING)}"
        )


def analyse(
    data: StudyData, opts: Options, *, all_rows: bool = False, score: bool = True
) -> Analysis:
    """Run the pipeline; `all_rows` also considers infeasible rows (pareto --ignore-budgets)."""
    from tradeoff.engine.pareto import pareto_mask

    _check_options(opts)
    # Only scoring needs a profile: pareto, frontier, plot and check take none, so a file
    # without a `default` profile must not need --profile for them.
    profile, raw = (
        resolve_weights(data, opts) if score else ("", dict.fromkeys(data.metric_names, 0.0))
    )
    dom = dominance_metrics(data, opts.metrics)
    weighted = [m for m, w in raw.items() if w > 0] if score else []
    feasible = budgets.feasible(data)
    rows = np.arange(len(data.names)) if all_rows else np.flatnonzero(feasible)
    needed = list(dict.fromkeys([*weighted, *dom]))
    values, filled, rows, excluded = apply_missing(data, rows, needed, opts.missing, weighted)
    ranges = [m.range for m in data.metrics]
    maximize = np.array([m.maximize for m in data.metrics])
    normalized = minmax(values, maximize, values[rows], ranges)
    scores = np.full(len(data.names), np.nan)
    parts = np.full((len(data.names), len(weighted)), np.nan)
    if weighted and len(rows):
        s, p = _score(data, values, filled, rows, weighted, raw, opts.method)
        scores[rows], parts[rows] = s, p
    order = _order(rows, scores, data.names) if score else rows
    analysis = Analysis(
        data,
        profile,
        raw,
        dom,
        feasible,
        rows,
        excluded,
        values,
        filled,
        normalized,
        scores,
        parts,
        weighted,
        order,
        np.zeros(len(data.names), dtype=bool),
    )
    if len(rows):
        analysis.front[rows] = pareto_mask(analysis.oriented(dom)[rows], np.ones(len(dom), bool))
    return analysis


def _score(
    data: StudyData,
    values: NDArray[np.float64],
    filled: NDArray[np.bool_],
    rows: NDArray[np.intp],
    weighted: list[str],
    raw: dict[str, float],
    method: Method,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    idx = np.array([data.metric_index(m) for m in weighted], dtype=np.intp)
    w = np.array([raw[m] for m in weighted])
    maximize = np.array([data.metrics[j].maximize for j in idx])
    x = values[np.ix_(rows, idx)]
    if method == "weighted-product":
        bad = np.argwhere(x <= 0)[:MAX_LISTED]
        if len(bad):
            raise InputError(
                not_positive(data, rows[r], idx[c], x[r, c], filled[rows[r], idx[c]])
                for r, c in bad
            )
    return methods.score(method, x, maximize, w, [data.metrics[j].range for j in idx])


def not_positive(data: StudyData, i: int, j: int, value: float, filled: bool) -> Diagnostic:
    """The error for a value weighted-product cannot score (it needs positive values): row
    `i`'s `value` of metric `j`, `filled` when --missing worst put it there."""
    return Diagnostic(
        data.file,
        int(data.lines[i, j]),
        int(data.cols[i, j]),
        f"{data.names[i]}.{data.metrics[j].name}",
        f"weighted-product needs positive values, got {value:g}"
        + (" (no value in the file: --missing worst filled in the worst value)" if filled else ""),
    )


def _order(
    rows: NDArray[np.intp], scores: NDArray[np.float64], names: list[str]
) -> NDArray[np.intp]:
    """Best first; scores within TIE of their group's best are ordered by name (code points).

    A group starts at the best score not yet placed and holds every score within TIE of it,
    so groups never chain: 1.0, 1.0 - 0.6e-9 and 1.0 - 1.2e-9 make two groups, not one.
    """
    if len(rows) == 0:
        return rows
    s = scores[rows]
    first = np.argsort(-s, kind="stable")
    s_sorted = s[first]
    # A chain of neighbours within TIE holds one or more groups; anywhere else a drop of more
    # than TIE starts a group. Only the chains need the greedy pass, so it stays cheap.
    new = np.ones(len(first), dtype=bool)
    new[1:] = s_sorted[:-1] - s_sorted[1:] > TIE
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(first))
    chains = ends - starts > 1
    for a, b in zip(starts[chains].tolist(), ends[chains].tolist(), strict=True):
        lead = s_sorted[a]
        for k in range(a + 1, b):
            if lead - s_sorted[k] > TIE:
                new[k], lead = True, s_sorted[k]
    # Only groups of two or more need names: sort those rows alone (a million distinct
    # scores then build no label array at all).
    starts = np.flatnonzero(new)
    size = np.diff(np.append(starts, len(first)))
    tied = np.repeat(size > 1, size)
    if tied.any():
        at = np.flatnonzero(tied)
        group = np.cumsum(new)[at]
        label = np.array([names[i] for i in rows[first[at]].tolist()])
        first[at] = first[at[np.lexsort((label, group))]]
    return rows[first]


def metric_list(metrics: Sequence[str] | str | None) -> list[str] | None:
    """`metrics` as a list: "a,b" is two metrics, not three characters."""
    if metrics is None:
        return None
    if isinstance(metrics, str):
        return [m.strip() for m in metrics.split(",") if m.strip()]
    return list(metrics)
