"""`Study`: a validated goals file and the questions one can ask of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import StudyData
from tradeoff.engine import budgets
from tradeoff.errors import UsageError, did_you_mean
from tradeoff.questions.analysis import (
    Analysis,
    Method,
    Missing,
    Options,
    analyse,
    metric_list,
)
from tradeoff.questions.explain import explain
from tradeoff.questions.results import ExplainResult, LazyRows, ParetoResult, RankResult, Row

DEFAULT_SAMPLES = 10_000  # P(first) to within about 0.005: two stable decimals

if TYPE_CHECKING:
    import pandas as pd


def load(path: str | Path = "goals.yaml", *, allow_external_sources: bool = False) -> Study:
    """Read and validate a goals file, with the candidates its `from:` entries pull in.

    `from:` paths resolve relative to the goals file and must stay inside its folder unless
    `allow_external_sources` (goals files arrive in pull requests from strangers).

    Raises:
        tradeoff.InputError: with every problem found, each located as FILE:LINE:COL.
    """
    from tradeoff.goals.loader import load_path

    return Study(load_path(path, allow_external_sources))


class Study:
    """Goals, budgets, profiles and candidates of one goals file."""

    def __init__(self, data: StudyData) -> None:
        self.data = data

    @property
    def metrics(self) -> list[str]:
        return self.data.metric_names

    @property
    def candidates(self) -> list[str]:
        return list(self.data.names)

    @property
    def profiles(self) -> list[str]:
        return list(self.data.profiles) or ["default"]

    def __repr__(self) -> str:
        n, d = self.data.values.shape
        return f"<Study {self.data.file!r}: {n} candidates, {d} metrics>"

    def _row(self, a: Analysis, i: int, **kw: Any) -> Row:
        # .tolist() gives Python floats in one call; NaN != NaN marks a missing value.
        values = tuple(
            None if (v != v or f) else v
            for v, f in zip(a.values[i].tolist(), a.filled[i].tolist(), strict=True)
        )
        normalized = {
            m: (None if x != x else x)
            for m, x in zip(self.data.metric_names, a.normalized[i].tolist(), strict=True)
        }
        filled: tuple[float | None, ...] = ()
        if a.filled[i].any():
            filled = tuple(
                v if f else None
                for v, f in zip(a.values[i].tolist(), a.filled[i].tolist(), strict=True)
            )
        return Row(
            name=self.data.names[i], values=values, normalized=normalized, filled=filled, **kw
        )

    def rank_result(
        self,
        profile: str | None = None,
        weights: Mapping[str, float] | None = None,
        method: Method = "weighted-sum",
        top: int | None = None,
        include_infeasible: bool = False,
        metrics: Sequence[str] | str | None = None,
        missing: Missing = "error",
        uncertainty: bool = False,
        samples: int = DEFAULT_SAMPLES,
        seed: int = 0,
    ) -> RankResult:
        """Feasible candidates, best first, as data (see `rank` for a DataFrame).

        With `uncertainty`, every candidate also gets `p_first`, `rank_median`, a 90%
        `rank_interval` and `tied_with_leader` from `samples` Monte Carlo draws (seeded). Without
        it, a one-line `confidence` summary is still computed whenever a weighted value has a
        stderr (the table shows it; csv and json do not change).
        """
        from tradeoff.questions import (
            confidence,  # here, not at the top: `import tradeoff` stays light
        )

        if top is not None and top < 0:
            raise UsageError(f"top must be 0 or more, got {top}")
        if samples < 1:
            raise UsageError(f"samples must be at least 1, got {samples}")
        opts = Options(profile, dict(weights or {}), method, metric_list(metrics), missing)
        a = analyse(self.data, opts)
        order = a.order if top is None else a.order[:top]
        if uncertainty:
            extras, extra, line = confidence.fields(a, method, True, samples, seed)

            def summary() -> str | None:
                return line
        else:
            extras, extra = [], {}

            def summary() -> str | None:
                return confidence.fields(a, method, False, samples, seed)[2]

        beaten = [int(i) for i in order if not a.front[i]]
        totals: list[int] = []
        found = a.first_dominators(beaten, a.front_members(by_score=True), totals=totals)
        doms = dict(zip(beaten, found, strict=True))
        many = dict(zip(beaten, totals, strict=True))
        rows = [
            self._row(
                a,
                int(i),
                score=float(a.scores[i]),
                rank=k + 1,
                on_front=bool(a.front[i]),
                dominated_by=tuple(doms.get(int(i), ())),
                dominated_total=many.get(int(i), 0),
                extra=extras[k] if extras else {},
            )
            for k, i in enumerate(order)
        ]
        bad = np.flatnonzero(~a.feasible)
        found_violations = budgets.Violations(self.data)

        def infeasible_row(k: int) -> Row:
            i = int(bad[k])
            return Row(
                name=self.data.names[i],
                values=tuple(None if np.isnan(v) else float(v) for v in self.data.values[i]),
                feasible=False,
                on_front=False,
                violations=tuple(found_violations.for_row(i)),
            )

        infeasible = LazyRows(len(bad), infeasible_row)
        return RankResult(
            file=self.data.file,
            title=self.data.title,
            metrics=self.data.metrics,
            profile=a.profile,
            method=method,
            weights=a.weights,
            dominance=a.dom,
            rows=rows,
            infeasible=infeasible,
            excluded=self._excluded(a),
            show_infeasible=include_infeasible,
            notes=_notes(a),
            extra={**extra, **self.data.meta},
            summary=summary,
        )

    def _excluded(self, a: Analysis) -> list[tuple[str, list[str]]]:
        return [(self.data.names[i], miss) for i, miss in a.excluded]

    def pareto_result(
        self,
        metrics: Sequence[str] | str | None = None,
        layers: bool = False,
        ignore_budgets: bool = False,
        missing: Missing = "error",
        noise: float | None = None,
    ) -> ParetoResult:
        """The non-dominated candidates (or every layer), with the knee marked.

        With `noise` K, a dominates b only if it does on the point values and is better by more
        than K * sqrt(se_a^2 + se_b^2) on at least one metric (metrics without stderr are exact),
        so the noisy front contains the exact one; members that are on it only because of noise
        carry `noise_only`. Layers then peel noisy fronts.
        """
        from tradeoff.engine.pareto import knee, nondominated_layers

        opts = Options(metrics=metric_list(metrics), missing=missing)
        a = analyse(self.data, opts, all_rows=ignore_budgets, score=False)
        rows = a.rows
        names = self.data.names
        oriented = a.oriented(a.dom)
        ones = np.ones(len(a.dom), dtype=bool)
        exact = a.front.copy()
        layer = np.ones(len(rows), dtype=np.int64)
        if noise is not None:
            if not (np.isfinite(noise) and noise >= 0):
                raise UsageError(f"--noise must be a number >= 0, got {noise}")
            layer = self._noisy_layers(a, noise, peel=layers)
            a.front[:] = False
            a.front[rows] = layer == 1
        elif layers and len(rows):
            layer = nondominated_layers(oriented[rows], ones)
        front = rows[a.front[rows]]
        knee_row = -1
        if len(front):
            knee_row = int(front[knee(oriented[front], ones, [names[i] for i in front])])
        shown = rows if layers else front
        shown_layer = layer if layers else np.ones(len(front), dtype=np.int64)
        order = np.lexsort((np.array([names[i] for i in shown]), shown_layer))
        beaten = [int(shown[k]) for k in order if not a.front[shown[k]]]
        totals: list[int] = []
        found = a.first_dominators(beaten, a.front_members(by_score=False), totals=totals)
        doms = dict(zip(beaten, found, strict=True))
        many = dict(zip(beaten, totals, strict=True))
        out = []
        for k in order:
            i = int(shown[k])
            out.append(
                self._row(
                    a,
                    i,
                    layer=int(shown_layer[k]),
                    knee=i == knee_row,
                    on_front=bool(a.front[i]),
                    dominated_by=tuple(doms.get(i, ())),
                    dominated_total=many.get(i, 0),
                    feasible=bool(a.feasible[i]),
                    extra={
                        **(
                            {"noise_only": bool(a.front[i] and not exact[i])}
                            if noise is not None
                            else {}
                        ),
                        **({"feasible": bool(a.feasible[i])} if ignore_budgets else {}),
                    },
                )
            )
        return ParetoResult(
            file=self.data.file,
            title=self.data.title,
            metrics=self.data.metrics,
            dominance=a.dom,
            rows=out,
            excluded=self._excluded(a),
            layers=layers,
            notes=_notes(a),
            noise=noise,
            ignore_budgets=ignore_budgets,
        )

    def _noisy_layers(self, a: Analysis, k: float, *, peel: bool) -> NDArray[np.int64]:
        """Layer of each considered row under noisy dominance (only the front unless `peel`)."""
        from tradeoff.engine.pareto import noisy_pareto_mask

        rows = a.rows
        idx = [self.data.metric_index(m) for m in a.dom]
        values = a.oriented(a.dom)[rows]
        se = self.data.stderr[np.ix_(rows, np.array(idx, dtype=np.intp))].copy()
        se[a.filled[np.ix_(rows, np.array(idx, dtype=np.intp))]] = np.nan  # a fill is exact
        ones = np.ones(len(idx), dtype=bool)
        layer = np.zeros(len(rows), dtype=np.int64)
        left = np.arange(len(rows))
        depth = 0
        while len(left):
            depth += 1
            top = noisy_pareto_mask(values[left], se[left], ones, k)
            layer[left[top]] = depth
            left = left[~top]
            if not peel:
                layer[left] = depth + 1
                break
        return layer

    def index(self, name: str) -> int:
        """Row of candidate `name`; a usage error with a suggestion when there is none."""
        try:
            return self.data.names.index(name)
        except ValueError:
            hint = did_you_mean(name, self.data.names)
            if not hint and name.lower().endswith((".yaml", ".yml")):
                hint = f" (the candidate's name comes first: NAME {name})"
            raise UsageError(f"unknown candidate '{name}'{hint}") from None

    def explain_result(
        self,
        name: str,
        profile: str | None = None,
        weights: Mapping[str, float] | None = None,
        method: Method = "weighted-sum",
        metrics: Sequence[str] | str | None = None,
        missing: Missing = "error",
        uncertainty: bool = False,
        samples: int = DEFAULT_SAMPLES,
        seed: int = 0,
    ) -> ExplainResult:
        """One candidate: per-metric contributions, budget results and who dominates it.

        With `uncertainty`, also its `p_first`, `rank_median`, `rank_interval` and
        `tied_with_leader` from the Monte Carlo draws `rank --uncertainty` makes (a candidate
        that is not ranked gets none)."""
        return explain(
            self.data,
            self.index(name),
            profile,
            weights,
            method,
            metrics,
            missing,
            uncertainty,
            samples,
            seed,
        )

    # DataFrame views for notebooks. pandas is imported only here.

    def rank(
        self,
        profile: str | None = None,
        weights: Mapping[str, float] | None = None,
        method: Method = "weighted-sum",
        top: int | None = None,
        include_infeasible: bool = False,
        metrics: Sequence[str] | str | None = None,
        missing: Missing = "error",
    ) -> pd.DataFrame:
        """Feasible candidates best first, as a DataFrame indexed by name.

        The arguments are `rank_result`'s (`metrics` may also be "a,b"). Columns: rank, score,
        one per metric, dominated_by; with `include_infeasible`, the infeasible candidates follow
        (rank and score empty) and a `feasible` column tells them apart.
        """
        result = self.rank_result(
            profile=profile,
            weights=weights,
            method=method,
            top=top,
            include_infeasible=include_infeasible,
            metrics=metrics,
            missing=missing,
        )
        if include_infeasible:
            return _frame([*result.rows, *result.infeasible], self.data, score=True, feasible=True)
        return _frame(result.rows, self.data, score=True)

    def pareto(
        self,
        metrics: Sequence[str] | str | None = None,
        layers: bool = False,
        ignore_budgets: bool = False,
        missing: Missing = "error",
        noise: float | None = None,
    ) -> pd.DataFrame:
        """The non-dominated feasible candidates (or every layer) as a DataFrame indexed by name.

        The arguments are `pareto_result`'s (`metrics` may also be "a,b"). Columns: layer,
        knee, one per metric, dominated_by; with `ignore_budgets`, also `feasible`.
        """
        result = self.pareto_result(
            metrics=metrics,
            layers=layers,
            ignore_budgets=ignore_budgets,
            missing=missing,
            noise=noise,
        )
        return _frame(result.rows, self.data, score=False, feasible=ignore_budgets)


def _notes(a: Analysis) -> list[str]:
    """What stderr should say when nothing is left to show."""
    if len(a.rows) or not len(a.data.names):
        return []
    if a.excluded:
        return ["no candidate left: every feasible one lacks a value (see --missing)"]
    return ["no feasible candidate: every one breaks an error-level budget"]


def _frame(
    rows: Sequence[Row], data: StudyData, *, score: bool, feasible: bool = False
) -> pd.DataFrame:
    import pandas as pd

    records = []
    for r in rows:
        rec: dict[str, Any] = {"name": r.name}
        rec.update(
            {"rank": r.rank, "score": r.score} if score else {"layer": r.layer, "knee": r.knee}
        )
        rec.update({m.name: v for m, v in zip(data.metrics, r.values, strict=True)})
        rec["dominated_by"] = list(r.dominated_by)
        rec["feasible"] = r.feasible
        records.append(rec)
    columns = ["name", *(["rank", "score"] if score else ["layer", "knee"]), *data.metric_names]
    columns += ["dominated_by", *(["feasible"] if feasible else [])]
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.set_index("name")
