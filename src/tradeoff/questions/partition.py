"""What the dask engine does to one partition in pass 2, and how two partial answers merge.

Everything here is plain NumPy on one partition's rows and runs in a worker; the driver
(`passes.py`) ships `Plan` and a `Part` to each task and merges what comes back as a tree.
The rules are the one-machine pipeline's (`analysis.py`), split where they need the whole
dataset: pass 1 (`survey.py`) counts and finds the per-metric min and max that the missing-value
policy and the goalposts need; pass 2 (`answer`, here) fills, normalizes against those global
goalposts, scores, and keeps the partition's front and its candidates for the top N.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradeoff.arrays import F64
from tradeoff.data import BudgetSpec, DatasetRef, MetricSpec, SourceGroup, StudyData
from tradeoff.engine import budgets
from tradeoff.errors import MAX_LISTED, Diagnostic
from tradeoff.questions.analysis import TIE, Missing, not_positive


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
    from tradeoff.sources.cells import Options
    from tradeoff.sources.dataset import read_piece_table

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
        not_positive(data, rows[r], widx[c], x[r, c], chunk.filled[r, widx[c]])
        for r, c in bad[:MAX_LISTED]
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
    bad = [d for c in chunks for d in c.bad][:MAX_LISTED]
    arrays: dict[str, Any] = {
        name: np.concatenate([getattr(c, name) for c in chunks])
        for name in ("key", "values", "filled", "normalized", "scores", "oriented", "feasible")
    }
    names = [n for c in chunks for n in c.names]
    count = sum(c.bad_count for c in chunks)
    return replace(first, names=names, bad=bad, bad_count=count, **arrays)
