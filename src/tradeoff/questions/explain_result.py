"""The result of `tradeoff explain`: per metric its value, normalized value, weight and
contribution; its budgets; who dominates it.

Where the spec leaves room: after the spec's keys come `profile`, `method` and `excluded` (true
when `--missing exclude` dropped the candidate). `weight` is the normalized weight (the
profile's weights sum to 1 over the weighted metrics, as in rank's `weights`); 0 for unweighted
metrics. `dominated_by` lists every candidate that dominates it: the scored ones (feasible, not
excluded) highest score first, then the others by name. For a candidate that is not scored
(infeasible or excluded) `score`, `rank` and every `contribution` are null.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tradeoff.data import MetricSpec
from tradeoff.engine.budgets import BudgetResult
from tradeoff.questions.record import JsonResult, RankUncertainty, attrs, draws_json, num


@dataclass(frozen=True)
class MetricLine:
    """One metric of an explained candidate."""

    metric: MetricSpec
    value: float | None
    normalized: float | None
    weight: float
    contribution: float | None
    stderr: float | None
    provenance: dict[str, Any]
    # The value `--missing worst` charged (None otherwise); JSON keeps `value` null, as in rank.
    filled: float | None = None
    count: int | None = None  # items of a subset result (lm-eval `--limit`), shown "(n=20)"

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric.name,
            "value": num(self.value),
            "normalized": num(self.normalized),
            "weight": num(self.weight),
            "contribution": num(self.contribution),
            "stderr": num(self.stderr),
            "provenance": self.provenance,
        }


@dataclass(frozen=True)
class InputLine:
    """One input (`role: input`) of an explained candidate: shown, never scored."""

    name: str
    unit: str | None
    value: float | None
    stderr: float | None
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExplainResult(JsonResult):
    """`tradeoff explain NAME`: why a candidate scores and ranks as it does."""

    file: str
    name: str
    profile: str
    method: str
    feasible: bool
    score: float | None
    rank: int | None
    of: int
    lines: list[MetricLine]
    budgets: list[BudgetResult]
    dominated_by: list[tuple[str, list[str]]]
    dominance: list[str]
    excluded_for: list[str] | None = None
    command: str = "explain"
    # Which of `dominated_by` are infeasible (tables mark them; the JSON shape is the spec's).
    dominated_by_infeasible: frozenset[str] = frozenset()
    # --uncertainty: the draws (samples, seed), and the candidate's rank under them (None when
    # it is not ranked)
    draws: tuple[int, int] | None = None
    uncertainty: RankUncertainty | None = None
    inputs: list[InputLine] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.heading(),
            **attrs(self, "name", "feasible", "score", "rank"),
            "score": num(self.score),
            "metrics": [line.to_json() for line in self.lines],
            "inputs": {x.name: num(x.value) for x in self.inputs},
            "budgets": [b.to_json() for b in self.budgets],
            "dominated_by": [{"name": n, "better_on": on} for n, on in self.dominated_by],
            # Beyond the spec's keys, after them: what the score was computed with.
            "profile": self.profile,
            "method": self.method,
            "excluded": self.excluded_for is not None,
            **({"uncertainty": draws_json(self.draws)} if self.draws else {}),
            **(self.uncertainty.to_json() if self.uncertainty else {}),
        }
