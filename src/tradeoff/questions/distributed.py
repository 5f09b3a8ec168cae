"""The dask engine: `pareto` and `rank --top N` over a Parquet dataset folder too big for one
machine, with the one-machine engine's answers.

The study is loaded with its dataset folders listed but unread (`StudyData.datasets`); each file
of a dataset, and each run of rows already in memory (inline candidates, small tables), is one
partition, numbered in file order. Two passes, each a task per partition merged as a tree:

1. `partition.survey`: budgets, the missing-value policy's counts, per-metric min and max over
   the rows considered (the goalposts, and the value `--missing worst` fills in), the first
   infeasible rows. The client turns these into the errors the one-machine engine would raise,
   or into the fills and the goalposts.
2. `partition.answer`: fill, normalize against the global goalposts, score, and keep the
   partition's front (`pareto_mask`) and its candidates for the top N; merged pairwise as
   front(A | B) = front(front(A) | front(B)) and "every score within 1e-9 of the N-th best".

The client only ever holds these small answers, never a partition. dask is imported here, inside
functions, and only when the engine is asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from tradeoff.data import StudyData
from tradeoff.engine.methods import Method
from tradeoff.errors import Diagnostic, InputError, UsageError
from tradeoff.questions import unique, volume
from tradeoff.questions.analysis import (
    Missing,
    Options,
    _check_options,
    _order,
    dominance_metrics,
    metric_list,
    missing_hint,
    resolve_weights,
)
from tradeoff.questions.partition import (
    Chunk,
    Part,
    Plan,
    Survey,
    answer,
    merge_chunks,
    merge_surveys,
    named,
    survey,
)
from tradeoff.questions.results import LazyRows, ParetoResult, RankResult, Row

INSTALL = "pip install 'tradeoff[dask]'"
SPLIT_EVERY = 8  # partial answers merged per task, level by level


class DaskStudy:
    """A goals file whose dataset folders are read by dask workers, piece by piece.

    `scheduler` is a dask scheduler's address (`tcp://host:8786`); None starts a
    `distributed.LocalCluster` sized to this machine for each question.
    """

    def __init__(self, data: StudyData, path: Path, scheduler: str | None = None) -> None:
        self.data, self.path, self.scheduler = data, path, scheduler

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
        _require_dask()
        from tradeoff.goals.loader import load_path

        data = load_path(path, allow_external_sources, defer_datasets=True)
        if data.derived or data.inputs is not None:
            _refuse(["`formula:` and `role: input` metrics"], "metrics read from the files")
        return cls(data, Path(path), scheduler)

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
        **_: Any,
    ) -> RankResult:
        """`Study.rank_result` with `top`: the same first N rows, scores and dominance.

        Raises:
            UsageError: a flag this engine does not support (topsis, --all, --uncertainty, no
                --top), besides what `Study.rank_result` refuses.
        """
        unsupported = [
            *(["--method topsis (it needs every column's norm)"] if method == "topsis" else []),
            *(["--all (it lists every infeasible candidate)"] if include_infeasible else []),
            *(["--uncertainty"] if uncertainty else []),
            *(["rank without --top N (N >= 1)"] if not top else []),
        ]
        _refuse(unsupported, "rank --top N with weighted-sum or weighted-product")
        assert top is not None
        opts = Options(profile, dict(weights or {}), method, metric_list(metrics), missing)
        _check_options(opts)
        prof, raw = resolve_weights(self.data, opts)
        plan = self._plan(opts, [m for m, w in raw.items() if w > 0], raw, False, top)
        s, front, best, _plan = self._run(plan)
        order = _order(np.arange(len(best.names)), best.scores, best.names)[:top]
        rows = _rank_rows(best, order, front, self.data.metric_names)
        shares = _shares([raw[m] for m in plan.weighted])
        return RankResult(
            file=self.data.file,
            title=self.data.title,
            metrics=self.data.metrics,
            profile=prof,
            method=method,
            weights=dict(zip(plan.weighted, shares, strict=True)),
            dominance=plan.dom,
            rows=rows,
            infeasible=LazyRows(s.infeasible_count, s.infeasible.__getitem__),
            excluded=s.excluded,
            notes=_notes(s),
            meta=dict(self.data.meta),
            top=top,
        )

    def pareto_result(
        self,
        metrics: Sequence[str] | str | None = None,
        layers: bool = False,
        ignore_budgets: bool = False,
        missing: Missing = "error",
        noise: float | None = None,
        reference: Mapping[str, float] | None = None,
    ) -> ParetoResult:
        """`Study.pareto_result` without layers or noise: the same front, knee, values and
        hypervolume (its goalposts are the global ones of pass 1).

        Raises:
            UsageError: --layers or --noise, besides what `Study.pareto_result` refuses.
        """
        from tradeoff.engine.pareto import knee

        unsupported = [
            *(["--layers"] if layers else []),
            *(["--noise (its dominance is not transitive)"] if noise is not None else []),
        ]
        _refuse(unsupported, "pareto, with --metrics, --ignore-budgets and --missing")
        opts = Options(metrics=metric_list(metrics), missing=missing)  # no profile: no score
        _check_options(opts)
        dom = self._dom(opts)
        volume.check_reference_names(dict(reference or {}), self.data, dom)
        s, front, _, plan = self._run(self._plan(opts, [], {}, ignore_budgets, None))
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
            file=self.data.file,
            title=self.data.title,
            metrics=self.data.metrics,
            dominance=self._dom(opts),
            rows=rows,
            excluded=s.excluded,
            notes=_notes(s),
            ignore_budgets=ignore_budgets,
            hypervolume=self._volume(front, plan, dict(reference or {})),
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

    def _run(self, plan: Plan) -> tuple[Survey, Chunk, Chunk, Plan]:
        from dask.delayed import delayed

        parts = _parts(self.data)
        buckets = max(1, min(unique.MAX_BUCKETS, len(parts)))
        with _client(self.scheduler) as client:
            tasks = [delayed(survey, nout=1 + buckets)(plan, p, buckets) for p in parts]
            merged = _tree([t[0] for t in tasks], merge_surveys, plan.top)
            shared = [delayed(unique.repeated)([t[1 + b] for t in tasks]) for b in range(buckets)]
            s: Survey
            s, twice = client.compute([merged, delayed(unique.gathered)(shared)], sync=True)
            self._check(s, plan)
            if len(twice):
                found = client.compute([delayed(named)(plan, p, twice) for p in parts], sync=True)
                rows = [r for part in found for r in part]
                if diagnostics := unique.duplicates(self.data.file, rows):
                    raise InputError(diagnostics)
            plan = replace(plan, **_goalposts(s, plan))
            if s.considered == 0:
                empty = answer(plan, Part(0, data=_slice(self.data, 0, 0)))
                return s, empty[0], empty[1], plan
            chunks = [delayed(answer)(plan, p) for p in parts]
            front, best = client.compute(_tree(chunks, merge_chunks, plan.top), sync=True)
        if front.bad_count:
            raise InputError(front.bad)
        return s, front, best, plan

    def _check(self, s: Survey, plan: Plan) -> None:
        """The errors the one-machine engine raises, from the counts of pass 1."""
        if s.problems:
            raise InputError(s.problems[:20])  # file order, as the one-machine reader
        assert s.known_all is not None
        empty = [m.name for m, k in zip(self.data.metrics, s.known_all, strict=True) if k == 0]
        if empty and s.rows:
            from tradeoff.goals import yamlio

            doc = yamlio.load(self.path, partial=True)
            what = (
                "no candidate has a value for this metric (give one a value, or remove the metric)"
            )
            raise InputError(
                Diagnostic(self.data.file, *doc.pos(("metrics", m), key=True), f"metrics.{m}", what)
                for m in empty
            )
        if s.lacking_count:
            assert s.known is not None
            needed = plan.needed
            holes = [
                m
                for m, j in zip(needed, plan.index(needed), strict=True)
                if s.known[j] < s.considered
            ]
            hint = missing_hint(needed, plan.weighted, holes, s.considered - s.lacking_count)
            file = self.data.file
            found = [Diagnostic(file, ln, c, w, f"{what}; {hint}") for ln, c, w, what in s.lacking]
            more = s.lacking_count - len(s.lacking)
            tail = [Diagnostic(file, s.lacking_line, 1, "", f"and {more} more")]
            raise InputError([*found, *(tail if more > 0 else [])])


def _require_dask() -> None:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError(f"--engine dask needs dask and distributed: {INSTALL}") from None


def _refuse(unsupported: list[str], supported: str) -> None:
    if unsupported:
        raise UsageError(
            f"--engine dask does not support {', '.join(unsupported)}; it answers {supported}"
        )


@contextmanager
def _client(scheduler: str | None) -> Iterator[Any]:
    """A client of the scheduler at `scheduler`, or of a local cluster started (and stopped)
    here: one worker process per core, the machine's memory shared between them."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
        with client:
            yield client
        return
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        processes=True, dashboard_address=":0", silence_logs=logging.ERROR
    )
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


def _tree(items: list[Any], combine: Callable[..., Any], top: int | None) -> Any:
    """Merge partial answers level by level, SPLIT_EVERY at a time, keeping file order."""
    from dask.delayed import delayed

    level = items
    while len(level) > 1:
        level = [
            delayed(combine)(level[i : i + SPLIT_EVERY], top)
            for i in range(0, len(level), SPLIT_EVERY)
        ]
    return level[0]


def _parts(data: StudyData) -> list[Part]:
    """Partitions in file order: runs of rows in memory between the datasets' files."""
    parts: list[Part] = []
    lo = 0
    for ref in data.datasets:
        if ref.start > lo:
            parts.append(Part(len(parts), data=_slice(data, lo, ref.start)))
            lo = ref.start
        parts += [Part(len(parts) + k, ref=ref, k=k) for k in range(len(ref.dataset.pieces))]
    if len(data.names) > lo or not parts:
        parts.append(Part(len(parts), data=_slice(data, lo, len(data.names))))
    return parts


def _slice(data: StudyData, lo: int, hi: int) -> StudyData:
    groups = [
        replace(g, start=g.start - lo)
        for g in data.groups
        if g.start < hi and g.start + len(g.row_numbers) > lo
    ]
    return replace(
        data,
        names=data.names[lo:hi],
        tags=data.tags[lo:hi],
        values=data.values[lo:hi],
        stderr=data.stderr[lo:hi],
        lines=data.lines[lo:hi],
        cols=data.cols[lo:hi],
        cand_lines=data.cand_lines[lo:hi],
        provenance={(i - lo, j): p for (i, j), p in data.provenance.items() if lo <= i < hi},
        groups=groups,
        datasets=[],
        _tag_codes=None,
    )


def _goalposts(s: Survey, plan: Plan) -> dict[str, Any]:
    """The value `--missing worst` fills in per metric, and the goalposts' reference rows.

    As the one-machine engine: the worst value among the rows considered, else the bad end of
    the metric's `range`, else the worst over every row; goalposts span the considered rows'
    values after filling.
    """
    assert s.lo is not None and s.hi is not None and s.known is not None
    assert s.lo_all is not None and s.hi_all is not None
    fills = np.full(len(plan.metrics), np.nan)
    if plan.missing == "worst":
        for j in plan.index(plan.needed):
            if s.considered - s.known[j] == 0:
                continue
            m = plan.metrics[j]
            if m.range is not None:
                fills[j] = m.range[0] if m.maximize else m.range[1]
            elif s.known[j] > 0:
                fills[j] = s.lo[j] if m.maximize else s.hi[j]
            else:
                fills[j] = s.lo_all[j] if m.maximize else s.hi_all[j]
    reference = np.vstack([np.fmin(s.lo, fills), np.fmax(s.hi, fills)])
    if s.considered == 0:
        reference = reference[:0]
    return {"fills": fills, "reference": reference}


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
