"""Pass 1 of the dask engine on one partition, and how two partitions' surveys merge.

`survey` counts rows (feasible, considered after `--missing exclude`), finds the per-metric min
and max that the missing-value policy and the goalposts need, names the first rows an error or
the infeasible list would show, tallies values that look like another scale (`scale.py`), and
hashes the names (`unique.py`). `nearest` is the pass run instead of pass 2 when no candidate is
feasible: each partition's nearest to feasibility. All of it is plain NumPy in a worker; the
merges keep file order, so the client sees what the one-machine engine would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradeoff.arrays import F64
from tradeoff.data import StudyData
from tradeoff.engine import budgets
from tradeoff.errors import MAX_LISTED, Diagnostic
from tradeoff.questions import scale
from tradeoff.questions.partition import Part, Plan, load
from tradeoff.questions.results import Closest, Row
from tradeoff.questions.scale import Tally


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
    scale: list[Tally] | None = None  # values that look like another scale (`scale.py`)


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
    out.scale = scale.tally(data)
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
        if s.scale is not None:
            out.scale = s.scale if out.scale is None else scale.add(out.scale, s.scale)
    return out


def nearest(plan: Plan, part: Part, extremes: budgets.Extremes) -> list[Closest]:
    """With no feasible candidate anywhere: the partition's nearest to feasibility, their
    distances scaled by the metrics' spans over every partition (`extremes`)."""
    data = load(plan, part)
    found = budgets.Violations(data)
    return [
        Closest(data.names[i], d, tuple(found.for_row(i)), data.file)
        for i, d in budgets.closest(data, None, extremes)
    ]


def merge_nearest(parts: list[list[Closest]], top: int | None) -> list[Closest]:
    """The nearest of several partitions' nearest: by distance, then by name."""
    every = sorted((c for p in parts for c in p), key=lambda c: (c.distance, c.name))
    return every[: budgets.MAX_CLOSEST]
