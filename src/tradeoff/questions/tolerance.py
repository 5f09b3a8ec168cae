"""`check --tolerance`: how much worse a metric may get before `check --baseline` calls it a
regression, parsed from `METRIC=ABS` or `METRIC=PCT%` and checked against the goals file."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tradeoff.data import StudyData
from tradeoff.errors import UsageError


@dataclass(frozen=True)
class Tolerance:
    """How much worse a metric may get: `amount` in the metric's unit, or percent of the
    baseline value when `relative`."""

    metric: str
    amount: float
    relative: bool

    @classmethod
    def parse(cls, text: str) -> Tolerance:
        """Parse `METRIC=ABS` or `METRIC=PCT%` (`latency_p95=20`, `quality=2%`).

        The amount must be a finite number >= 0. The metric name is checked later, against
        the goals file (`check` does it).

        Raises:
            tradeoff.errors.UsageError: the text is not of that form.
        """
        metric, sep, value = (s.strip() for s in text.partition("="))
        relative = value.endswith("%")
        number = value[:-1].strip() if relative else value
        try:
            if not sep or not metric:
                raise ValueError
            amount = float(number)
        except ValueError:
            raise UsageError(
                "--tolerance expects METRIC=ABS or METRIC=PCT% "
                f"(e.g. latency_p95=20 or quality=2%), got '{text}'"
            ) from None
        if not math.isfinite(amount) or amount < 0:
            raise UsageError(f"--tolerance {metric}: expected a number >= 0, got '{value}'")
        return cls(metric, amount, relative)

    @property
    def text(self) -> str:
        return f"{self.amount:g}%" if self.relative else f"{self.amount:g}"

    def allowed(self, baseline: float) -> float:
        """The absolute amount allowed for a metric whose baseline value is `baseline`."""
        return abs(baseline) * self.amount / 100 if self.relative else self.amount


def resolve_tolerances(data: StudyData, items: Sequence[Tolerance]) -> dict[str, Tolerance]:
    """Check the metric names of `--tolerance` against the goals file, one per metric.

    Raises:
        tradeoff.errors.UsageError: an unknown metric (with a suggestion), or one given twice.
    """
    out: dict[str, Tolerance] = {}
    for t in items:
        if t.metric not in data.metric_names:
            raise UsageError(data.not_a_goal("--tolerance", t.metric))
        if t.metric in out:
            raise UsageError(f"--tolerance: metric '{t.metric}' given twice")
        out[t.metric] = t
    return out
