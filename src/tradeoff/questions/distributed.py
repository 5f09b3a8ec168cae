"""The dask engine: `pareto` and `rank --top N` over a Parquet dataset folder too big for one
machine, with the one-machine engine's answers.

The study is loaded with its dataset folders listed but unread (`StudyData.datasets`); each file
of a dataset, and each run of rows already in memory (inline candidates, small tables), is one
partition, numbered in file order (`cluster.py`). Two passes run on every partition and merge as
a tree (`passes.py`: pass 1 in `survey.py`, pass 2 in `partition.py`); this module asks them the
question and words the answer as the one-machine engine's result records.

What the one-machine engine adds and this one does not compute is said, not silently dropped:
`RankResult.not_computed` (the JSON's `not_computed`) and a note on stderr. dask is imported only
when the engine is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Unpack

import numpy as np

from tradeoff.data import StudyData
from tradeoff.errors import Diagnostic, UsageError
from tradeoff.questions import cluster, scale, volume
from tradeoff.questions.analysis import (
    Options,
    _check_options,
    _order,
    dominance_metrics,
    metric_list,
    resolve_weights,
)
from tradeoff.questions.asks import ParetoAsk, ParetoOptions, RankAsk, RankOptions, shown_as
from tradeoff.questions.partition import Chunk, Plan
from tradeoff.questions.passes import Outcome, run
from tradeoff.questions.results import LazyRows, ParetoResult, RankResult, Row, about
from tradeoff.questions.survey import Survey

NO_CONFIDENCE = (
    "the confidence line and significance groups are not computed with --engine dask (they "
    "draw every ranked candidate's score); run without --engine dask for them"
)


class DaskStudy:
    """A goals file whose dataset folders are read by dask workers, piece by piece.

    `scheduler` is a dask scheduler's address (`tcp://host:8786`); None starts a
    `distributed.LocalCluster` sized to this machine for each question.
    """

    def __init__(self, data: StudyData, path: Path, scheduler: str | None = None) -> None:
        self.data, self.path, self.scheduler = data, path, scheduler
        self._scale: list[scale.Tally] | None = None

    @property
    def warnings(self) -> list[Diagnostic]:
        """As `Study.warnings`: the loader's, then values that look like another scale, over
        every partition (known once a question has run; the loader's only before)."""
        found = [] if self._scale is None else self._scale
        return [*self.data.warnings, *scale.warnings_of(self.data.file, self.data.metrics, found)]

    @property
    def files_read(self) -> list[Path]:
        """The files `from:` entries read (dataset folders are listed here, read by workers)."""
        return [*self.data.read]

    @classmethod
    def load(
        cls, path: str | Path, scheduler: str | None = None, allow_external_sources: bool = False
    ) -> DaskStudy:
        """Read and validate a goals file, listing (not reading) its dataset folders.

        Raises:
            UsageError: dask is not installed (the message says how to install it).
            InputError: as `tradeoff.load` does.
        """
        cluster.require_dask()
        from tradeoff.goals.loader import load_path

        data = load_path(path, allow_external_sources, defer_datasets=True)
        if data.derived or data.inputs is not None:
            _refuse(["`formula:` and `role: input` metrics"], "metrics read from the files")
        return cls(data, Path(path), scheduler)

    @shown_as(RankAsk, RankOptions)
    def rank_result(self, **options: Unpack[RankOptions]) -> RankResult:
        """`Study.rank_result` with `top`: the same first N rows, scores and dominance.

        Raises:
            UsageError: a flag this engine does not support (topsis, --all, --uncertainty, no
                --top), besides what `Study.rank_result` refuses.
        """
        ask = RankAsk(**options)
        unsupported = [
            *(["--method topsis (it needs every column's norm)"] if ask.method == "topsis" else []),
            *(["--all (it lists every infeasible candidate)"] if ask.include_infeasible else []),
            *(["--uncertainty"] if ask.uncertainty else []),
            *(["rank without --top N (N >= 1)"] if not ask.top else []),
        ]
        _refuse(unsupported, "rank --top N with weighted-sum or weighted-product")
        assert ask.top is not None
        opts = ask.options()
        _check_options(opts)
        prof, raw = resolve_weights(self.data, opts)
        plan = self._plan(opts, [m for m, w in raw.items() if w > 0], raw, False, ask.top)
        out = self._run(plan)
        s, front, best = out.survey, out.front, out.best
        order = _order(np.arange(len(best.names)), best.scores, best.names)[: ask.top]
        rows = _rank_rows(best, order, front, self.data.metric_names)
        shares = _shares([raw[m] for m in plan.weighted])
        notes = _notes(s)
        if out.closest:
            notes.append("closest to feasible: " + "; ".join(c.text() for c in out.closest))
        missing_parts = {"confidence": NO_CONFIDENCE} if self._noisy(plan.weighted) else {}
        notes += list(missing_parts.values())
        return RankResult(
            **about(self.data),
            profile=prof,
            method=ask.method,
            weights=dict(zip(plan.weighted, shares, strict=True)),
            dominance=plan.dom,
            rows=rows,
            infeasible=LazyRows(s.infeasible_count, s.infeasible.__getitem__),
            excluded=s.excluded,
            notes=notes,
            meta=dict(self.data.meta),
            top=ask.top,
            closest=out.closest,
            engine="dask",
            not_computed=missing_parts,
        )

    @shown_as(ParetoAsk, ParetoOptions)
    def pareto_result(self, **options: Unpack[ParetoOptions]) -> ParetoResult:
        """`Study.pareto_result` without layers or noise: the same front, knee, values and
        hypervolume (its goalposts are the global ones of pass 1).

        Raises:
            UsageError: --layers or --noise, besides what `Study.pareto_result` refuses.
        """
        ask = ParetoAsk(**options)
        from tradeoff.engine.pareto import knee

        unsupported = [
            *(["--layers"] if ask.layers else []),
            *(["--noise (its dominance is not transitive)"] if ask.noise is not None else []),
        ]
        _refuse(unsupported, "pareto, with --metrics, --ignore-budgets and --missing")
        # no profile: no score
        opts = Options(metrics=metric_list(ask.metrics), missing=ask.missing)
        _check_options(opts)
        dom = self._dom(opts)
        volume.check_reference_names(dict(ask.reference or {}), self.data, dom)
        out = self._run(self._plan(opts, [], {}, ask.ignore_budgets, None))
        s, front, plan = out.survey, out.front, out.plan
        by_name = sorted(range(len(front.names)), key=lambda k: front.names[k])
        knee_at = -1
        if front.names:
            ones = np.ones(front.oriented.shape[1], dtype=bool)
            knee_at = knee(front.oriented, ones, front.names)
        rows = [
            _row(
                front,
                k,
                self.data.metric_names,
                layer=1,
                knee=k == knee_at,
                feasible=bool(front.feasible[k]),
            )
            for k in by_name
        ]
        return ParetoResult(
            **about(self.data),
            dominance=self._dom(opts),
            rows=rows,
            excluded=s.excluded,
            notes=_notes(s),
            ignore_budgets=ask.ignore_budgets,
            hypervolume=self._volume(front, plan, dict(ask.reference or {})),
        )

    def _volume(self, front: Chunk, plan: Plan, flags: dict[str, float]) -> volume.FrontVolume:
        """As the one-machine engine measures it: goalposts and the default reference point
        from the considered rows' extremes (the two rows of `plan.reference`)."""
        assert plan.reference is not None
        cols = plan.index(plan.dom)
        specs = [plan.metrics[j] for j in cols]
        considered = plan.reference[:, cols]
        posts = volume.goalposts_of(specs, considered)
        ref, origin = volume.default_references(self.data, specs, considered, posts, flags)
        value, note = volume.measure(specs, front.values[:, cols], posts, ref)
        return volume.FrontVolume(value, ref, origin, posts, note)

    def _dom(self, opts: Options) -> list[str]:
        return dominance_metrics(self.data, opts.metrics)

    def _plan(
        self,
        opts: Options,
        weighted: list[str],
        raw: dict[str, float],
        all_rows: bool,
        top: int | None,
    ) -> Plan:
        return Plan(
            file=self.data.file,
            metrics=self.data.metrics,
            budgets=self.data.budgets,
            dom=self._dom(opts),
            weighted=weighted,
            raw=raw,
            method=opts.method,
            missing=opts.missing,
            all_rows=all_rows,
            top=top,
        )

    def _run(self, plan: Plan) -> Outcome:
        out = run(self.data, self.path, self.scheduler, plan)
        self._scale = out.survey.scale
        return out

    def _noisy(self, weighted: list[str]) -> bool:
        """Whether a weighted value has noise the one-machine engine would draw: a stderr, an
        item count, per-item values, or unknown noise. Only rows in memory can: a dataset's
        rows carry values alone."""
        from tradeoff.questions.noise import sample_counts

        data = self.data
        idx = np.array([data.metric_index(m) for m in weighted], dtype=np.intp)
        if not len(idx) or not len(data.names):
            return False
        rows = np.arange(len(data.names))
        lacking = np.zeros((len(rows), len(idx)), dtype=bool)
        counts, _, unknown = sample_counts(data, rows, idx, lacking)
        items = any(j in set(idx.tolist()) for _, j in data.items)
        stderr = np.nan_to_num(data.stderr[:, idx]) > 0
        return bool(stderr.any()) or counts is not None or bool(unknown) or items


def _refuse(unsupported: list[str], supported: str) -> None:
    if unsupported:
        raise UsageError(
            f"--engine dask does not support {', '.join(unsupported)}; it answers {supported}"
        )


def _shares(w: list[float]) -> list[float]:
    from tradeoff.engine import methods

    return methods.shares(np.array(w, dtype=np.float64)).tolist() if w else []


def _row(c: Chunk, k: int, metrics: list[str], **kw: Any) -> Row:
    """Row k as the one-machine engine shows it: a filled value is None, and marked."""
    raw, marks = c.values[k].tolist(), c.filled[k].tolist()
    values = tuple(None if (v != v or f) else v for v, f in zip(raw, marks, strict=True))
    filled: tuple[float | None, ...] = ()
    if any(marks):
        filled = tuple(v if f else None for v, f in zip(raw, marks, strict=True))
    normalized = {
        m: (None if x != x else x) for m, x in zip(metrics, c.normalized[k].tolist(), strict=True)
    }
    return Row(name=c.names[k], values=values, normalized=normalized, filled=filled, **kw)


def _rank_rows(
    best: Chunk, order: np.ndarray[Any, Any], front: Chunk, metrics: list[str]
) -> list[Row]:
    """The top rows with their dominators: front members, highest score first (then by name)."""
    members = sorted(
        range(len(front.names)),
        key=lambda k: (-_nan_low(float(front.scores[k])), front.names[k]),
    )
    on_front = {tuple(k) for k in front.key.tolist()}
    ranked = front.oriented[members] if members else front.oriented[:0]
    out = []
    for r, k in enumerate(order.tolist()):
        me = best.oriented[k]
        found: list[str] = []
        total = 0
        if tuple(best.key[k].tolist()) not in on_front and len(members):
            hit = np.flatnonzero((ranked >= me).all(axis=1) & (ranked > me).any(axis=1))
            found = [front.names[members[int(h)]] for h in hit[:3]]
            total = len(hit)
        out.append(
            _row(
                best,
                k,
                metrics,
                score=float(best.scores[k]),
                rank=r + 1,
                on_front=tuple(best.key[k].tolist()) in on_front,
                dominated_by=tuple(found),
                dominated_total=total,
            )
        )
    return out


def _nan_low(x: float) -> float:
    return -np.inf if np.isnan(x) else float(x)


def _notes(s: Survey) -> list[str]:
    if s.considered or not s.rows:
        return []
    if s.excluded:
        return ["no candidate left: every feasible one lacks a value (see --missing)"]
    return ["no feasible candidate: every one breaks an error-level budget"]
