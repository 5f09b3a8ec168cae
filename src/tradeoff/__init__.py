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
    from tradeoff.questions.checking import check_files
    from tradeoff.questions.study import Study, load

# Imported on first use (PEP 562), keeping `import tradeoff` light: the engine, the study and
# the CI gate's machinery (`check_files`, which only `check` needs) each cost tens of ms.
# Plain import statements, not importlib, so that tests/test_layering.py sees these edges.


def __getattr__(name: str) -> Any:
    if name in ("pareto_mask", "nondominated_layers"):
        from tradeoff.engine import pareto

        return _keep(name, getattr(pareto, name))
    if name in ("Study", "load"):
        from tradeoff.questions import study

        return _keep(name, getattr(study, name))
    if name == "check_files":
        from tradeoff.questions import checking

        return _keep(name, checking.check_files)
    raise AttributeError(f"module 'tradeoff' has no attribute {name!r}")


def _keep(name: str, value: Any) -> Any:
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
