"""The validated contents of a goals file, as arrays: what every computation starts from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class MetricSpec:
    """One goal of the study."""

    name: str
    maximize: bool
    unit: str | None = None
    description: str | None = None
    range: tuple[float, float] | None = None
    additive: bool = False

    @property
    def direction(self) -> Literal["max", "min"]:
        return "max" if self.maximize else "min"

    @property
    def header(self) -> str:
        """Column header: `latency_p95 [ms]`."""
        return f"{self.name} [{self.unit}]" if self.unit else self.name


@dataclass(frozen=True)
class BudgetSpec:
    """One bound of one budget, with the place it was written."""

    metric: str
    bound: Literal["max", "min"]
    limit: float
    level: Literal["error", "warn"]
    tags: frozenset[str] | None
    line: int
    col: int

    def applies_to(self, tags: frozenset[str]) -> bool:
        return self.tags is None or not self.tags.isdisjoint(tags)


@dataclass
class StudyData:
    """Candidates x metrics, with NaN for a missing value and the line of every value.

    `lines[i, j]`/`cols[i, j]` locate candidate i's value of metric j in the goals file (for a
    missing value: the candidate's `metrics:` key, or its `name:`). `stderr` is NaN where none
    was given. `provenance[(i, j)]` holds kind/date/citation/source where the file gave any.
    """

    file: str
    title: str | None
    metrics: list[MetricSpec]
    names: list[str]
    tags: list[frozenset[str]]
    values: NDArray[np.float64]
    stderr: NDArray[np.float64]
    lines: NDArray[np.int64]
    cols: NDArray[np.int64]
    cand_lines: NDArray[np.int64]
    provenance: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    budgets: list[BudgetSpec] = field(default_factory=list)
    profiles: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def metric_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def metric_index(self, name: str) -> int:
        return self.metric_names.index(name)
