"""`tradeoff explain NAME`: one candidate's contributions, budget results and dominators."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TypeVar

import numpy as np

from tradeoff.data import StudyData
from tradeoff.engine import budgets
from tradeoff.errors import UsageError
from tradeoff.questions.analysis import analyse
from tradeoff.questions.asks import RankAsk
from tradeoff.questions.confidence import fields
from tradeoff.questions.explain_result import ExplainResult, InputLine, MetricLine


def explain(data: StudyData, i: int, ask: RankAsk) -> ExplainResult:
    """What `Study.explain_result` returns (its docstring has the arguments)."""
    if ask.samples < 1:
        raise UsageError(f"samples must be at least 1, got {ask.samples}")
    a = analyse(data, ask.options())
    draws, mine = None, None
    if ask.uncertainty:
        per_row, draws, _ = fields(a, ask.method, True, ask.samples, ask.seed)
        where = a.order.tolist()
        if i in where and per_row:
            mine = per_row[where.index(i)]
    considered = i in set(a.rows.tolist())
    rank = a.rank_of().get(i)
    share = a.weights
    lines = []
    for j, m in enumerate(data.metrics):
        k = a.weighted.index(m.name) if m.name in a.weighted else None
        part = float(a.parts[i, k]) if (k is not None and considered) else None
        se = data.stderr[i, j]
        lines.append(
            MetricLine(
                metric=m,
                value=None if np.isnan(a.values[i, j]) or a.filled[i, j] else float(a.values[i, j]),
                normalized=None if np.isnan(a.normalized[i, j]) else float(a.normalized[i, j]),
                weight=share.get(m.name, 0.0),
                contribution=part,
                stderr=None if np.isnan(se) else float(se),
                # A missing cell (or a charged worst value) has no source to attribute.
                provenance=data.provenance_of(i, j) if not np.isnan(data.values[i, j]) else {},
                filled=float(a.values[i, j]) if a.filled[i, j] else None,
                count=data.subset_count(i, j),
            )
        )
    # Every candidate that dominates it: the feasible ones best score first, then the
    # infeasible ones (which a table marks) by name.
    ranked = set(a.rows.tolist())
    pool = np.array([k for k in range(len(data.names)) if k != i], dtype=np.intp)
    found = a.dominators(i, pool, a.dom)
    names = data.names
    scored = sorted(
        (k for k in found if k in ranked),
        key=lambda k: (-np.nan_to_num(a.scores[k], nan=-np.inf), names[k]),
    )
    doms = scored + sorted((k for k in found if k not in ranked), key=lambda k: names[k])
    excluded = dict(a.excluded).get(i)
    inputs = _inputs(data, i)
    shown = {**{x.name: _shown(x.value, x.unit) for x in inputs}}
    shown.update({x.metric.name: _shown(x.value, x.metric.unit) for x in lines})
    lines = [_with_numbers(x, shown) for x in lines]
    inputs = [_with_numbers(x, shown) for x in inputs]
    return ExplainResult(
        file=data.file,
        name=data.names[i],
        profile=a.profile,
        method=ask.method,
        feasible=bool(a.feasible[i]),
        score=float(a.scores[i]) if considered else None,
        rank=rank,
        of=len(a.rows),
        lines=lines,
        budgets=budgets.results(data, np.array([i])),
        dominated_by=[(data.names[k], a.better_on(k, i, a.dom)) for k in doms],
        dominated_by_infeasible=frozenset(names[k] for k in doms if not a.feasible[k]),
        dominance=a.dom,
        excluded_for=excluded,
        draws=draws,
        uncertainty=mine,
        inputs=inputs,
    )


def _inputs(data: StudyData, i: int) -> list[InputLine]:
    if data.inputs is None:
        return []
    x = data.inputs
    out = []
    for k, name in enumerate(x.names):
        value, se = float(x.values[i, k]), float(x.stderr[i, k])
        how = data.derived.get(name)
        prov = {"formula": how.formula} if how is not None and how.rows[i] else {}
        out.append(
            InputLine(
                name=name,
                unit=x.units[k],
                value=None if np.isnan(value) else value,
                stderr=None if np.isnan(se) else se,
                provenance=prov,
            )
        )
    return out


def _shown(value: float | None, unit: str | None) -> str:
    if value is None:
        return "(no value)"
    number = f"{value:.6g}"
    return f"({number} {unit})" if unit else number


T = TypeVar("T", MetricLine, InputLine)


def _with_numbers(line: T, shown: Mapping[str, str]) -> T:
    """A computed value's provenance gains its formula with the candidate's numbers."""
    from tradeoff.goals.formula import substitute

    text = line.provenance.get("formula")
    if text is None:
        return line
    return replace(line, provenance={**line.provenance, "with": substitute(text, shown)})
