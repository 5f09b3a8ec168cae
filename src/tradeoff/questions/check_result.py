"""What `tradeoff check` found, as records: each budget result, each dominated candidate, and
the `CheckResult` over every file (its `to_json()` is `check --format json`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tradeoff.data import BudgetSpec, MetricSpec
from tradeoff.engine.budgets import BudgetResult
from tradeoff.errors import Diagnostic
from tradeoff.questions.closest import Closest
from tradeoff.questions.record import JsonResult, attrs, num
from tradeoff.questions.regression import BaselineReport, Comparison


@dataclass(frozen=True)
class Finding:
    """One (candidate, applicable budget) result of one file.

    `failing` says whether it makes the check fail: an error-level violation, or a warn-level
    one under `--strict`. Under `--pessimistic`, `result.value` (and its status and headroom)
    is the pessimistic value, `point_value` the value in the file and `stderr` its stderr.
    """

    file: str
    result: BudgetResult
    budget: BudgetSpec
    metric: MetricSpec
    failing: bool
    pessimistic: bool = False
    point_value: float | None = None
    stderr: float | None = None

    @property
    def violated(self) -> bool:
        return self.result.failed

    @property
    def status(self) -> str:
        """The result's status; a broken warn budget reads "fail" under --strict."""
        s = self.result.status
        return "fail" if (s == "warn" and self.failing) else s

    def to_json(self, *, result: bool) -> dict[str, Any]:
        r = self.result
        out: dict[str, Any] = {
            "candidate": r.candidate,
            "metric": r.metric,
            "value": num(r.value),
            "bound": r.bound,
            "limit": num(r.limit),
            "level": "error" if self.failing else r.level,
            "declared_level": r.level,
            "line": r.line,
            "col": r.col,
            "file": self.file,
            "failing": self.failing,
        }
        if result:
            out.update(status=self.status, headroom=num(r.headroom))
        if self.pessimistic:
            out.update(point_value=num(self.point_value), stderr=num(self.stderr))
        return out


@dataclass(frozen=True)
class Dominated:
    """A checked feasible candidate that a feasible front member dominates."""

    file: str
    candidate: str
    by: str
    better_on: list[str]
    line: int  # the candidate's `metrics:` key (or its `name:`)

    def to_json(self) -> dict[str, Any]:
        out = attrs(self, "candidate", "by", "better_on", "file", "line")
        return {**out, "better_on": list(self.better_on)}


@dataclass(frozen=True)
class CheckResult(JsonResult):
    """What `tradeoff check` found, over every file checked.

    `results` holds every (candidate, applicable budget) pair of every file, in file order, then
    candidate order, then the order of the budgets in the file. `regressions` (the failing
    comparisons with `--baseline`) and `dominated` (with `--fail-on-dominated`) are always
    present in the JSON, empty without their flag.

    Under `strict`, a broken warn-level budget fails and is rendered as an error: in JSON its
    `level` is "error" (`declared_level` keeps the "warn" written in the file, so one can find the
    budget), its `status` is "fail" and `failing` is true.
    """

    files: list[str]
    checked: list[str]
    results: list[Finding]
    budget_count: int
    strict: bool = False
    fail_on_dominated: bool = False
    dominance: list[str] = field(default_factory=list)
    dominated: list[Dominated] = field(default_factory=list)
    judged: list[tuple[str, str]] = field(default_factory=list)  # (file, name) judged for dominance
    baseline: BaselineReport | None = None
    pessimistic: bool = False
    notes: list[str] = field(default_factory=list)
    command: str = "check"
    read: list[Path] = field(default_factory=list)  # files `from:` entries read (not in JSON)
    checked_count: int = 0  # (file, candidate) pairs: a name checked in two files counts twice
    errors: list[Diagnostic] = field(default_factory=list)  # files that could not be read
    # Per file with no feasible candidate at all: the (at most 3) nearest to feasibility.
    closest: list[Closest] = field(default_factory=list)
    scale_warnings: list[Diagnostic] = field(default_factory=list)  # values on another scale

    @property
    def regressions(self) -> list[Comparison]:
        """The failing comparisons with the baseline (empty without one)."""
        return self.baseline.regressions if self.baseline is not None else []

    @property
    def violations(self) -> list[Finding]:
        """Results that did not pass (fail, warn or "no value"), failing or not."""
        return [f for f in self.results if f.violated]

    @property
    def failures(self) -> list[Finding]:
        """Violations that make the check fail."""
        return [f for f in self.results if f.violated and f.failing]

    @property
    def warnings(self) -> list[Finding]:
        """Violations that do not make the check fail (warn level, without --strict)."""
        return [f for f in self.results if f.violated and not f.failing]

    @property
    def passed(self) -> bool:
        return not (self.failures or self.dominated or self.regressions or self.errors)

    @property
    def unreadable(self) -> list[str]:
        """The files whose input errors are in `errors`, in order."""
        return list(dict.fromkeys(d.file for d in self.errors))

    def with_errors(self, errors: Sequence[Diagnostic]) -> CheckResult:
        """This result, with the input errors of the files that could not be read."""
        return replace(self, errors=[*self.errors, *errors])

    def tightest(self, n: int = 3) -> list[Finding]:
        """The `n` passing results with the least headroom. A limit of 0 has no headroom (null):
        a value exactly at it counts as headroom 0, any other such pass comes last."""

        def key(f: Finding) -> tuple[bool, float, str]:
            r = f.result
            if r.headroom is not None:
                return (False, r.headroom, r.candidate)
            return (r.value != r.limit, 0.0, r.candidate)

        passes = [f for f in self.results if not f.violated]
        passes.sort(key=key)
        return passes[:n]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.heading(),
            "passed": self.passed,
            "checked": list(self.checked),
            "violations": [f.to_json(result=False) for f in self.violations],
            "results": [f.to_json(result=True) for f in self.results],
            "dominated": [d.to_json() for d in self.dominated],
            "regressions": [c.to_json() for c in self.regressions],
            "files": list(self.files),
            "strict": self.strict,
            "pessimistic": self.pessimistic,
            "baseline": self.baseline.to_json() if self.baseline is not None else None,
            "errors": [error_json(d) for d in self.errors],
            "closest": [{**c.to_json(), "file": c.file} for c in self.closest],
        }


def error_json(d: Diagnostic) -> dict[str, Any]:
    """An input error as check's JSON lists it under `errors`."""
    return {"file": d.file, "line": d.line, "col": d.col, "where": d.where, "what": d.what}
