"""`tradeoff compare A B`: per goal, is A's difference from B real?

With per-item values for both (`samples: true`), the comparison is paired, on the items both
have: exact McNemar for 0/1 items, a paired bootstrap for other scores; the 95 % interval is the
paired bootstrap's percentile interval either way. Otherwise the two values' stderrs give an
unpaired normal interval (labelled `unpaired`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import ItemScores, MetricSpec, StudyData
from tradeoff.engine.paired import ItemBootstrap, draws_p, mcnemar_p, normal_p
from tradeoff.errors import Diagnostic, InputError
from tradeoff.questions.analysis import Missing
from tradeoff.questions.missing import worst_value
from tradeoff.questions.noise import shared_measurements
from tradeoff.questions.record import JsonResult, num

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
PROMPT_CHARS = 60

Test = Literal["mcnemar", "bootstrap", "unpaired"]


@dataclass(frozen=True)
class Flip:
    """An item one candidate got right (or better) and the other did not."""

    doc_id: int
    prompt: str  # the start of the prompt, escaped and short
    better: Literal["a", "b"]

    def to_json(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "prompt": self.prompt, "better": self.better}


@dataclass(frozen=True)
class MetricComparison:
    """One goal: A - B in the metric's unit, its 95 % interval, p-value and evidence."""

    metric: MetricSpec
    difference: float
    interval: tuple[float, float]
    p_value: float | None
    test: Test
    items: int | None = None
    a_wins: int | None = None
    b_wins: int | None = None
    flipped: tuple[Flip, ...] = ()
    flipped_total: int = 0

    def to_json(self) -> dict[str, Any]:
        lo, hi = self.interval
        return {
            "metric": self.metric.name,
            "difference": num(self.difference),
            "interval": [num(lo), num(hi)],
            "p_value": num(self.p_value),
            "test": self.test,
            "items": self.items,
            "a_wins": self.a_wins,
            "b_wins": self.b_wins,
            "flipped": [f.to_json() for f in self.flipped],
            "unit": self.metric.unit,
        }


@dataclass(frozen=True)
class CompareResult(JsonResult):
    """`tradeoff compare A B`: one `MetricComparison` per goal both candidates have."""

    file: str
    a: str
    b: str
    metrics: list[MetricComparison]
    samples: int
    seed: int
    notes: list[str] = field(default_factory=list)
    command: str = "compare"

    def to_json(self) -> dict[str, Any]:
        return {
            **self.heading(),
            "a": self.a,
            "b": self.b,
            "metrics": [m.to_json() for m in self.metrics],
            "bootstrap": {"samples": self.samples, "seed": self.seed},
        }


def compare(
    data: StudyData,
    a: int,
    b: int,
    items: int = 10,
    samples: int = 10_000,
    seed: int = 0,
    missing: Missing = "error",
) -> CompareResult:
    """Compare candidates a and b (rows of `data`) on every goal.

    A goal that a or b has no value for is, by `missing`: an error naming who lacks what
    ("error"), left out with a note ("exclude"), or compared with the worst value any candidate
    has, or the bad end of the metric's `range`, charged exactly ("worst").

    Raises:
        tradeoff.InputError: with "error", a or b lacks a goal's value.
    """
    notes: list[str] = []
    out: list[MetricComparison] = []
    values = _missing(data, (a, b), missing, notes)
    for j, metric in enumerate(data.metrics):
        logs = data.items.get((a, j)), data.items.get((b, j))
        if logs[0] is not None and logs[1] is not None:
            out.append(_paired(metric, logs[0], logs[1], items, samples, seed, notes))
            continue
        if logs[0] is not None or logs[1] is not None:
            who = data.names[b] if logs[0] is not None else data.names[a]
            notes.append(f"{metric.name}: {who} has no per-item values; compared unpaired")
        got = _unpaired(metric, values, data, a, b)
        if got is not None and shared_measurements(data, np.array([a, b]), np.array([j])):
            # one value read by both from one file: no noise between them (as `rank` draws it)
            got = MetricComparison(metric, got.difference, (got.difference,) * 2, None, "unpaired")
            notes.append(f"{metric.name}: both read the same measurement (same file); no noise")
        if got is None:
            lack = " and ".join(data.names[i] for i in (a, b) if np.isnan(values[i, j]))
            notes.append(f"{metric.name}: no value for {lack}; left out")
        else:
            out.append(got)
    return CompareResult(data.file, data.names[a], data.names[b], out, samples, seed, notes)


def paired_draws(values: Any, samples: int, seed: int) -> Any:
    """Bootstrap draws of mean(A) - mean(B) over the same resampled items; `values` is (2, m)."""
    boot = ItemBootstrap(values).means(samples, np.random.default_rng(seed))
    return boot[:, 0] - boot[:, 1]


def _missing(
    data: StudyData, pair: tuple[int, int], policy: Missing, notes: list[str]
) -> NDArray[np.float64]:
    """The values to compare, by the missing-value `policy` (see `compare`)."""
    lacking = {
        m.name: [data.names[i] for i in pair if np.isnan(data.values[i, j])]
        for j, m in enumerate(data.metrics)
    }
    lacking = {m: who for m, who in lacking.items() if who}
    if not lacking or policy == "exclude":
        return data.values
    if policy == "error":
        diags = []
        for i in pair:
            lacks = [m for m, who in lacking.items() if data.names[i] in who]
            if lacks:
                col = int(data.cols[i, 0]) if data.cols.size else 1
                what = f"no value for {', '.join(lacks)} to compare; {MISSING_HINT}"
                diags.append(
                    Diagnostic(data.file, int(data.cand_lines[i]), col, data.names[i], what)
                )
        raise InputError(diags)
    values = data.values.copy()
    for name, who in lacking.items():
        j = data.metric_index(name)
        worst = worst_value(data.metrics[j], values[~np.isnan(data.values[:, j]), j])
        if worst is None:
            continue  # no candidate has it: left out below, with a note
        for i in pair:
            if data.names[i] in who:
                values[i, j] = worst
        notes.append(
            f"{name}: no value for {' and '.join(who)}; charged the worst value, {worst:g} "
            "(--missing worst)"
        )
    return values


MISSING_HINT = (
    "use --missing exclude (compare without it) or --missing worst (charges the worst value "
    "any candidate has)"
)


def _unpaired(
    metric: MetricSpec, values: NDArray[np.float64], data: StudyData, a: int, b: int
) -> MetricComparison | None:
    j = data.metrics.index(metric)
    xa, xb = float(values[a, j]), float(values[b, j])
    if np.isnan(xa) or np.isnan(xb):
        return None
    se = float(np.hypot(*np.nan_to_num(data.stderr[[a, b], j], nan=0.0)))  # a charged value: none
    d = xa - xb
    p = normal_p(d / se) if se > 0 else None
    return MetricComparison(metric, d, (d - Z95 * se, d + Z95 * se), p, "unpaired")


def _paired(
    metric: MetricSpec,
    la: ItemScores,
    lb: ItemScores,
    shown: int,
    samples: int,
    seed: int,
    notes: list[str],
) -> MetricComparison:
    from tradeoff.sources.samples import align

    al = align([la, lb])
    if al.hash_differs:
        notes.append(
            f"{metric.name}: {al.hash_differs} doc_ids name different documents (doc_hash) in "
            "the two logs; left out"
        )
    if al.prompt_differs:
        notes.append(
            f"{metric.name}: the prompt differs on {al.prompt_differs} of {al.count} items "
            "(prompt_hash; chat templates or few-shot formats differ)"
        )
    diff = al.values[0] - al.values[1]
    d_draws = paired_draws(al.values, samples, seed)
    lo, hi = np.quantile(d_draws, [0.025, 0.975])
    better = diff > 0 if metric.maximize else diff < 0
    worse = diff < 0 if metric.maximize else diff > 0
    binary = la.binary and lb.binary
    if binary:
        p = mcnemar_p(
            int((al.values[0] > al.values[1]).sum()), int((al.values[0] < al.values[1]).sum())
        )
    else:
        p = float(draws_p(d_draws))
    flips = np.flatnonzero(diff != 0)
    return MetricComparison(
        metric=metric,
        difference=float(diff.mean()),
        interval=(float(lo), float(hi)),
        p_value=p,
        test="mcnemar" if binary else "bootstrap",
        items=al.count,
        a_wins=int(better.sum()),
        b_wins=int(worse.sum()),
        flipped=_flips(la, al.rows[0], al.doc_ids, flips[:shown], better),
        flipped_total=int(flips.size),
    )


def _flips(log: ItemScores, rows: Any, doc_ids: Any, which: Any, better: Any) -> tuple[Flip, ...]:
    from tradeoff.sources.samples import prompts, short_text

    lines = [int(log.lines[rows[k]]) for k in which]
    found = prompts(log, lines)
    texts = [found.get(line, "") for line in lines]
    # Few-shot prompts share a long preamble; the part that tells items apart follows it.
    common = os.path.commonprefix(texts) if len(texts) > 1 else ""  # noqa: RUF071 (text)
    cut = common.rfind("\n") + 1 if len(common) > 20 else 0
    return tuple(
        Flip(
            doc_id=int(doc_ids[k]),
            prompt=("…" if cut else "") + short_text(text[cut:], PROMPT_CHARS),
            better="a" if bool(better[k]) else "b",
        )
        for k, text in zip(which, texts, strict=True)
    )
