"""The infeasible candidates nearest to feasibility, as rank and check report them when no
candidate is feasible."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import StudyData
from tradeoff.engine.budgets import BudgetResult
from tradeoff.questions.record import num


@dataclass(frozen=True)
class Closest:
    """An infeasible candidate near feasibility: its scaled total violation and violations."""

    name: str
    distance: float
    violations: tuple[BudgetResult, ...]
    file: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distance": num(self.distance),
            "violations": [v.violation() for v in self.violations],
        }

    def text(self) -> str:
        """'model-x (0.125: latency_p95, safety)'."""
        metrics = ", ".join(dict.fromkeys(v.metric for v in self.violations if v.level == "error"))
        return f"{self.name} ({self.distance:.3g}: {metrics})"


def closest_of(data: StudyData, rows: NDArray[np.intp] | None = None) -> list[Closest]:
    """The infeasible candidates nearest to feasibility (see `tradeoff.engine.budgets.closest`)."""
    from tradeoff.engine import budgets

    found = budgets.Violations(data)
    return [
        Closest(data.names[i], d, tuple(found.for_row(i)), data.file)
        for i, d in budgets.closest(data, rows)
    ]
