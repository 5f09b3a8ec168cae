"""tradeoff: choose which LLM, or which deployment of one, to ship.

One goals.yaml declares the goals, budgets, weightings and candidates; the library filters by
budgets, finds the Pareto front, ranks by weighted scores and explains every verdict.

    >>> import tradeoff
    >>> study = tradeoff.load("goals.yaml")
    >>> study.rank(profile="default")          # pandas DataFrame, best first
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradeoff.errors import Diagnostic, InputError, TradeoffError, UsageError
from tradeoff.questions.checking import check_files
from tradeoff.questions.study import Study, load

__version__ = "0.1.0"

__all__ = [
    "Diagnostic",
    "InputError",
    "Study",
    "TradeoffError",
    "UsageError",
    "__version__",
    "check_files",
    "load",
    "nondominated_layers",
    "pareto_mask",
]

if TYPE_CHECKING:
    from tradeoff.engine.pareto import nondominated_layers, pareto_mask


def __getattr__(name: str) -> Any:
    # The engine is imported on first use, keeping `import tradeoff` light.
    if name in ("pareto_mask", "nondominated_layers"):
        from tradeoff.engine import pareto

        return getattr(pareto, name)
    raise AttributeError(f"module 'tradeoff' has no attribute {name!r}")
