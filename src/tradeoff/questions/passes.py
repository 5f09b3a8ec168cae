"""The dask engine's passes over every partition, driven from the client.

1. `survey.survey` on each partition, merged as a tree: counts, per-metric min and max, the
   first rows an error names, scale tallies, and the names' hashes (a name in two partitions
   comes back, see `unique.py`). The client turns the counts into the errors the one-machine
   engine would raise (`check`), or into the fills and goalposts of pass 2 (`goalposts`).
2. `partition.answer` on each partition, merged as a tree: the front, and the candidates that
   can be in the top N. With no feasible candidate at all, `survey.nearest` instead: the
   (at most 3) nearest to feasibility, for `rank`.

The client only ever holds these small answers, never a partition.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from tradeoff.data import StudyData
from tradeoff.errors import MAX_LISTED, Diagnostic, InputError
from tradeoff.questions import cluster, unique
from tradeoff.questions.missing import missing_hint
from tradeoff.questions.partition import Chunk, Part, Plan, answer, merge_chunks
from tradeoff.questions.results import Closest
from tradeoff.questions.survey import Survey, merge_nearest, merge_surveys, named, nearest, survey


@dataclass(frozen=True)
class Outcome:
    """What the passes found: pass 1's survey, the front, the top N's candidates, the plan
    with its fills and goalposts, and (rank, nothing feasible) the nearest to feasibility."""

    survey: Survey
    front: Chunk
    best: Chunk
    plan: Plan
    closest: list[Closest] = field(default_factory=list)


def run(data: StudyData, path: Path, scheduler: str | None, plan: Plan) -> Outcome:
    """Both passes on every partition of `data`'s study.

    Raises:
        InputError: what the one-machine engine raises on the same study and flags.
    """
    from dask.delayed import delayed

    parts = cluster.parts(data)
    buckets = max(1, min(unique.MAX_BUCKETS, len(parts)))
    with cluster.client(scheduler) as client:
        tasks = [delayed(survey, nout=1 + buckets)(plan, p, buckets) for p in parts]
        merged = cluster.tree([t[0] for t in tasks], merge_surveys, plan.top)
        shared = [delayed(unique.repeated)([t[1 + b] for t in tasks]) for b in range(buckets)]
        s: Survey
        s, twice = client.compute([merged, delayed(unique.gathered)(shared)], sync=True)
        check(data, path, s, plan)
        if len(twice):
            found = client.compute([delayed(named)(plan, p, twice) for p in parts], sync=True)
            rows = [r for part in found for r in part]
            if diagnostics := unique.duplicates(data.file, rows):
                raise InputError(diagnostics)
        plan = replace(plan, **goalposts(s, plan))
        if s.considered == 0:
            empty = answer(plan, Part(0, data=cluster.rows_of(data, 0, 0)))
            near: list[Closest] = []
            if plan.top is not None and s.rows and not s.feasible:
                assert s.lo_all is not None and s.hi_all is not None
                extremes = (s.lo_all, s.hi_all)
                tasks = [delayed(nearest)(plan, p, extremes) for p in parts]
                near = client.compute(cluster.tree(tasks, merge_nearest, plan.top), sync=True)
            return Outcome(s, empty[0], empty[1], plan, near)
        chunks = [delayed(answer)(plan, p) for p in parts]
        front, best = client.compute(cluster.tree(chunks, merge_chunks, plan.top), sync=True)
    if front.bad_count:
        raise InputError(front.bad)
    return Outcome(s, front, best, plan)


def check(data: StudyData, path: Path, s: Survey, plan: Plan) -> None:
    """The errors the one-machine engine raises, from the counts of pass 1."""
    if s.problems:
        raise InputError(s.problems[:MAX_LISTED])  # file order, as the one-machine reader
    assert s.known_all is not None
    empty = [m.name for m, k in zip(data.metrics, s.known_all, strict=True) if k == 0]
    if empty and s.rows:
        from tradeoff.goals import yamlio

        doc = yamlio.load(path, partial=True)
        what = "no candidate has a value for this metric (give one a value, or remove the metric)"
        raise InputError(
            Diagnostic(data.file, *doc.pos(("metrics", m), key=True), f"metrics.{m}", what)
            for m in empty
        )
    if s.lacking_count:
        assert s.known is not None
        needed = plan.needed
        holes = [
            m for m, j in zip(needed, plan.index(needed), strict=True) if s.known[j] < s.considered
        ]
        hint = missing_hint(needed, plan.weighted, holes, s.considered - s.lacking_count)
        file = data.file
        found = [Diagnostic(file, ln, c, w, f"{what}; {hint}") for ln, c, w, what in s.lacking]
        more = s.lacking_count - len(s.lacking)
        tail = [Diagnostic(file, s.lacking_line, 1, "", f"and {more} more")]
        raise InputError([*found, *(tail if more > 0 else [])])


def goalposts(s: Survey, plan: Plan) -> dict[str, Any]:
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
