"""What the dask engine does to one partition, and how two partial answers merge.

Everything here is plain NumPy on one partition's rows and runs in a worker; the driver
(`distributed.py`) ships `Plan` and a `Part` to each task and merges what comes back as a tree.
The rules are the one-machine pipeline's (`analysis.py`), split where they need the whole
dataset: pass 1 (`survey`) counts and finds the per-metric min and max that the missing-value
policy and the goalposts need; pass 2 (`answer`) fills, normalizes against those global
goalposts, scores, and keeps the partition's front and its candidates for the top N.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import BudgetSpec, DatasetRef, MetricSpec, SourceGroup, StudyData
from tradeoff.engine import budgets
from tradeoff.errors import MAX_LISTED, Diagnostic
from tradeoff.questions.analysis import TIE, Missing
from tradeoff.questions.results import Row

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Plan:
    """The question, as every task needs it (small: sent with each task)."""

    file: str
    metrics: list[MetricSpec]
    budgets: list[BudgetSpec]
    dom: list[str]
    weighted: list[str]
    raw: dict[str, float]
    method: str
    missing: Missing
    all_rows: bool  # pareto --ignore-budgets
    top: int | None  # rank --top N; None for pareto
    # Known after pass 1: the fill of each metric (NaN: none) and the goalposts' two rows.
    fills: F64 | None = None
    reference: F64 | None = None

    @property
    def needed(self) -> list[str]:
        return list(dict.fromkeys([*self.weighted, *self.dom]))

    def index(self, names: list[str]) -> NDArray[np.intp]:
        order = [m.name for m in self.metrics]
        return np.array([order.index(m) for m in names], dtype=np.intp)


@dataclass(frozen=True)
class Part:
    """One partition: rows already in memory (`data`), or one file of a dataset (`ref`, `k`)."""

    number: int  # position in file order
    data: StudyData | None = None
    ref: DatasetRef | None = None
    k: int = 0


def load(plan: Plan, part: Part) -> StudyData:
    """The partition's rows as a `StudyData` (reading and checking its file, for a dataset).

    Raises:
        SourceProblem: the piece's cells, as the one-machine reader reports them.
    """
    if part.data is not None:
        return part.data
    from tradeoff.sources.dataset import read_piece_table
    from tradeoff.sources.tables import Options

    ref = part.ref
    assert ref is not None
    names = [m.name for m in plan.metrics]
    options = Options(name_column=ref.name_column)
    table = read_piece_table(ref.dataset, part.k, names, ref.columns, ref.units, options)
    for metric, factor in ref.factors.items():  # a unit in a column's header, as one machine
        table.values[:, names.index(metric)] *= factor
    n, d = len(table.names), len(names)
    group = SourceGroup(
        ref.dataset.display, table.row_numbers, table.row_label, {"source": ref.dataset.display}
    )
    return StudyData(
        file=plan.file,
        title=None,
        metrics=plan.metrics,
        names=table.names,
        tags=[ref.tags] * n,
        values=np.asarray(table.values, dtype=np.float64),
        stderr=np.full((n, d), np.nan),
        lines=np.full((n, d), ref.line, dtype=np.int64),
        cols=np.full((n, d), ref.col, dtype=np.int64),
        cand_lines=np.full(n, ref.line, dtype=np.int64),
        budgets=plan.budgets,
        groups=[group],
    )


@dataclass
class Survey:
    """Pass 1 over some partitions: counts, min and max, and what an error needs to name."""

    rows: int = 0
    feasible: int = 0
    considered: int = 0
    known_all: F64 | None = None  # (d,) values present, over every row
    lo_all: F64 | None = None  # (d,) over every row
    hi_all: F64 | None = None
    lo: F64 | None = None  # (d,) over the rows considered (after --missing exclude)
    hi: F64 | None = None
    known: F64 | None = None  # (d,) values present among the rows considered
    problems: list[Diagnostic] = field(default_factory=list)
    # --missing error: the first rows that lack a value, as Diagnostic fields less the hint
    lacking: list[tuple[int, int, str, str]] = field(default_factory=list)
    lacking_count: int = 0
    lacking_line: int = 0  # the line of the last row that lacks a value
    excluded: list[tuple[str, list[str]]] = field(default_factory=list)
    infeasible: list[Row] = field(default_factory=list)  # the first `top`, in file order
    infeasible_count: int = 0


def survey(plan: Plan, part: Part, buckets: int) -> tuple[Any, ...]:
    """Pass 1 for one partition: its `Survey`, then its names' hashes in `buckets` buckets
    (`unique.py` finds a name that two partitions share from those)."""
    from tradeoff.questions.unique import hashed
    from tradeoff.sources.common import SourceProblem

    try:
        data = load(plan, part)
    except SourceProblem as exc:
        ref = part.ref
        assert ref is not None
        problems = [
            Diagnostic(plan.file, ref.line, ref.col, ref.where, f"{p}: {w}" if p else w)
            for p, w in exc.problems
        ]
        return (Survey(problems=problems), *hashed([], buckets))
    return (_survey(plan, data), *hashed(data.names, buckets))


def named(plan: Plan, part: Part, wanted: NDArray[np.uint64]) -> list[tuple[str, str, int, int]]:
    """The partition's rows whose names hash to one of `wanted` (see `unique.rows_with`)."""
    from tradeoff.questions.unique import rows_with

    return rows_with(load(plan, part), wanted)


def _survey(plan: Plan, data: StudyData) -> Survey:
    values = data.values
    ok = budgets.feasible(data)
    rows = np.arange(len(data.names)) if plan.all_rows else np.flatnonzero(ok)
    needed = plan.needed
    idx = plan.index(needed)
    lacking = np.isnan(values[np.ix_(rows, idx)])
    bad = lacking.any(axis=1)
    considered = rows[~bad] if plan.missing == "exclude" else rows
    out = Survey(rows=len(data.names), feasible=int(ok.sum()), considered=len(considered))
    out.known_all = (~np.isnan(values)).sum(axis=0).astype(np.float64)
    out.lo_all, out.hi_all = _fmin(values), _fmax(values)
    out.lo, out.hi = _fmin(values[considered]), _fmax(values[considered])
    out.known = (~np.isnan(values[considered])).sum(axis=0).astype(np.float64)
    if bad.any() and plan.missing == "error":
        out.lacking = _lacking(data, rows[bad][:MAX_LISTED], lacking[bad], needed, plan.weighted)
        out.lacking_count = int(bad.sum())
        out.lacking_line = int(data.cand_lines[rows[bad][-1]])
    if bad.any() and plan.missing == "exclude":
        out.excluded = [
            (data.names[int(i)], [needed[k] for k in np.flatnonzero(miss)])
            for i, miss in zip(rows[bad], lacking[bad], strict=True)
        ]
    if plan.top is not None:
        out.infeasible = _infeasible(data, np.flatnonzero(~ok)[: listed(plan.top)])
        out.infeasible_count = int((~ok).sum())
    return out


def listed(top: int | None) -> int:
    """Infeasible candidates kept, in file order: the JSON's N, and the table's first 5."""
    return 0 if top is None else max(top, 5)


def _fmin(x: F64) -> F64:
    return np.fmin.reduce(x, axis=0) if len(x) else np.full(x.shape[1], np.nan)


def _fmax(x: F64) -> F64:
    return np.fmax.reduce(x, axis=0) if len(x) else np.full(x.shape[1], np.nan)


def _lacking(
    data: StudyData,
    shown: NDArray[np.intp],
    lacking: NDArray[np.bool_],
    needed: list[str],
    weighted: list[str],
) -> list[tuple[int, int, str, str]]:
    """The one-machine engine's message for each row that lacks a value (`--missing error`),
    without the hint, which counts every partition."""
    out = []
    for i, miss in zip(shown, lacking, strict=False):
        names = [needed[k] for k in np.flatnonzero(miss)]
        why = {m: "weighted" if m in weighted else "used for dominance" for m in names}
        what = ", ".join(f"{m} ({why[m]})" for m in names)
        row = data.provenance_of(int(i), -1)
        word = next((f"{k} {row[k]}" for k in ("row", "line") if k in row), "")
        place = f" ({row['source']} {word})" if "source" in row else ""
        line, col = int(data.cand_lines[i]), int(data.cols[i, 0]) if data.cols.size else 1
        out.append((line, col, data.names[i] + place, f"no value for {what}"))
    return out


def _infeasible(data: StudyData, shown: NDArray[np.intp]) -> list[Row]:
    found = budgets.Violations(data)
    return [
        Row(
            name=data.names[int(i)],
            values=tuple(None if np.isnan(v) else float(v) for v in data.values[int(i)]),
            feasible=False,
            on_front=False,
            violations=tuple(found.for_row(int(i))),
        )
        for i in shown
    ]


def merge_surveys(parts: list[Survey], top: int | None) -> Survey:
    """Several surveys as one, in file order (lists keep the first entries, counts add up)."""
    out = Survey()
    for s in parts:
        out.problems += s.problems
        out.rows += s.rows
        out.feasible += s.feasible
        out.considered += s.considered
        for name, combine in (
            ("known_all", np.add),
            ("known", np.add),
            ("lo_all", np.fmin),
            ("hi_all", np.fmax),
            ("lo", np.fmin),
            ("hi", np.fmax),
        ):
            mine, theirs = getattr(out, name), getattr(s, name)
            if theirs is not None:
                setattr(out, name, theirs if mine is None else combine(mine, theirs))
        out.lacking = (out.lacking + s.lacking)[:MAX_LISTED]
        out.lacking_count += s.lacking_count
        out.lacking_line = s.lacking_line or out.lacking_line
        out.excluded += s.excluded
        out.infeasible_count += s.infeasible_count
        out.infeasible = (out.infeasible + s.infeasible)[: listed(top)]
    return out


@dataclass
class Chunk:
    """Rows kept by pass 2: enough to answer, however many partitions it stands for."""

    names: list[str]
    key: NDArray[np.int64]  # (k, 2): partition number and row, file order
    values: F64  # (k, d) with fills
    filled: NDArray[np.bool_]  # (k, d)
    normalized: F64  # (k, d)
    scores: F64  # (k,) NaN for pareto
    oriented: F64  # (k, len(dom)) larger is better
    feasible: NDArray[np.bool_]
    bad: list[Diagnostic] = field(default_factory=list)  # weighted-product: a value <= 0
    bad_count: int = 0

    def take(self, keep: NDArray[np.intp] | NDArray[np.bool_]) -> Chunk:
        sel = np.arange(len(self.names))[keep]
        return replace(
            self,
            names=[self.names[int(i)] for i in sel],
            key=self.key[sel],
            values=self.values[sel],
            filled=self.filled[sel],
            normalized=self.normalized[sel],
            scores=self.scores[sel],
            oriented=self.oriented[sel],
            feasible=self.feasible[sel],
        )


def answer(plan: Plan, part: Part) -> tuple[Chunk, Chunk]:
    """Pass 2 for one partition: (its front, its candidates for the top N)."""
    from tradeoff.engine.normalize import minmax
    from tradeoff.engine.pareto import pareto_mask

    assert plan.fills is not None and plan.reference is not None
    data = load(plan, part)
    ok = budgets.feasible(data)
    rows = np.arange(len(data.names)) if plan.all_rows else np.flatnonzero(ok)
    idx = plan.index(plan.needed)
    values = data.values[rows]
    lacking = np.isnan(values[:, idx])
    if plan.missing == "exclude":
        keep = ~lacking.any(axis=1)
        rows, values, lacking = rows[keep], values[keep], lacking[keep]
    filled = np.zeros(values.shape, dtype=bool)
    filled[:, idx] = lacking
    values = np.where(filled, plan.fills, values)
    maximize = np.array([m.maximize for m in plan.metrics])
    ranges = [m.range for m in plan.metrics]
    normalized = minmax(values, maximize, plan.reference, ranges)
    dom = plan.index(plan.dom)
    oriented = values[:, dom] * np.where(maximize[dom], 1.0, -1.0)
    chunk = Chunk(
        names=[data.names[int(i)] for i in rows],
        key=np.column_stack([np.full(len(rows), part.number), rows]).astype(np.int64),
        values=values,
        filled=filled,
        normalized=normalized,
        scores=np.full(len(rows), np.nan),
        oriented=oriented,
        feasible=ok[rows],
    )
    if plan.top is not None and len(rows):
        _score(plan, data, rows, chunk)
    front = chunk.take(pareto_mask(oriented, np.ones(len(dom), dtype=bool)))
    return front, _best(chunk, plan.top)


def _score(plan: Plan, data: StudyData, rows: NDArray[np.intp], chunk: Chunk) -> None:
    from tradeoff.engine import methods

    widx = plan.index(plan.weighted)
    w = np.array([plan.raw[m] for m in plan.weighted])
    maximize = np.array([plan.metrics[j].maximize for j in widx])
    if plan.method == "weighted-sum":
        chunk.scores = methods.weighted_sum(chunk.normalized[:, widx], w)[0]
        return
    x = chunk.values[:, widx]
    bad = np.argwhere(x <= 0)
    chunk.bad_count = len(bad)
    chunk.bad = [
        Diagnostic(
            data.file,
            int(data.lines[rows[r], widx[c]]),
            int(data.cols[rows[r], widx[c]]),
            f"{chunk.names[r]}.{plan.weighted[c]}",
            f"weighted-product needs positive values, got {x[r, c]:g}"
            + (
                " (no value in the file: --missing worst filled in the worst value)"
                if chunk.filled[r, widx[c]]
                else ""
            ),
        )
        for r, c in bad[:20]
    ]
    assert plan.reference is not None
    ref = plan.reference[:, widx]
    chunk.scores = methods.weighted_product(x, maximize, w, ref)[0]


def _best(chunk: Chunk, top: int | None) -> Chunk:
    """The rows that can be among the first `top`: every score within TIE of the top-th best.

    The tie rule groups scores within TIE of a group's best, so a row down to TIE below the
    top-th best score may still be shown; nothing lower can be, here or after any merge.
    """
    if top is None:
        return chunk.take(np.zeros(len(chunk.names), dtype=bool))
    if len(chunk.names) <= top:
        return chunk
    cut = np.partition(-chunk.scores, top - 1)[top - 1]
    return chunk.take(-chunk.scores <= cut + TIE)


def merge_chunks(pairs: list[tuple[Chunk, Chunk]], top: int | None) -> tuple[Chunk, Chunk]:
    """front(A | B) = front(front(A) | front(B)); the top N of A | B from theirs."""
    from tradeoff.engine.pareto import pareto_mask

    fronts = _concat([p[0] for p in pairs])
    best = _concat([p[1] for p in pairs])
    ones = np.ones(fronts.oriented.shape[1], dtype=bool)
    front = fronts.take(pareto_mask(fronts.oriented, ones)) if len(fronts.names) else fronts
    return front, _best(best, top)


def _concat(chunks: list[Chunk]) -> Chunk:
    first = chunks[0]
    bad = [d for c in chunks for d in c.bad][:20]
    arrays: dict[str, Any] = {
        name: np.concatenate([getattr(c, name) for c in chunks])
        for name in ("key", "values", "filled", "normalized", "scores", "oriented", "feasible")
    }
    names = [n for c in chunks for n in c.names]
    count = sum(c.bad_count for c in chunks)
    return replace(first, names=names, bad=bad, bad_count=count, **arrays)
