"""What `rank` and `pareto` are asked: each option declared once, with its type and default.

`Study`, the dask engine and `ranking` take the options by keyword (`**options:
Unpack[RankOptions]`) and read them as an `Ask` record, so a default cannot differ between them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from tradeoff.engine.methods import Method
from tradeoff.questions.analysis import Missing, Options, metric_list
from tradeoff.questions.draws import DEFAULT_SAMPLES

if TYPE_CHECKING:
    from tradeoff.questions.baseline import Baseline
    from tradeoff.questions.tolerance import Tolerance

F = TypeVar("F", bound=Callable[..., Any])


class ScoreOptions(TypedDict, total=False):
    """How candidates are scored: the keywords `sensitivity_result` takes with `samples` and
    `seed`, `explain_result` with `uncertainty` too, and `rank_result` with all of
    `RankOptions`. `RankAsk`'s fields give their meaning and defaults."""

    profile: str | None
    weights: Mapping[str, float] | None
    method: Method
    metrics: Sequence[str] | str | None
    missing: Missing


class DrawOptions(ScoreOptions, total=False):
    """`ScoreOptions` and the Monte Carlo draws (`Study.sensitivity_result`)."""

    samples: int
    seed: int


class ExplainOptions(DrawOptions, total=False):
    """The keywords of `Study.explain_result`."""

    uncertainty: bool


class RankOptions(ExplainOptions, total=False):
    """The keywords of `Study.rank_result`, `Study.rank` and the dask engine's `rank_result`."""

    top: int | None
    include_infeasible: bool
    fdr: float


@dataclass(frozen=True)
class RankAsk:
    """A ranking asked for (`explain` and `sensitivity` read the fields they take).

    `profile` names the weights (None: the file's only profile, or equal weights) and `weights`
    overrides some of them; `method` is weighted-sum, weighted-product or topsis. `top` keeps the
    first N rows; `include_infeasible` lists the infeasible candidates too. `metrics` narrows
    dominance ("a,b" or a list); `missing` is "error", "exclude" or "worst". `uncertainty`
    draws `samples` Monte Carlo rankings (seeded by `seed`); `fdr` is the false discovery rate
    of the significance groups.
    """

    profile: str | None = None
    weights: Mapping[str, float] | None = None
    method: Method = "weighted-sum"
    top: int | None = None
    include_infeasible: bool = False
    metrics: Sequence[str] | str | None = None
    missing: Missing = "error"
    uncertainty: bool = False
    samples: int = DEFAULT_SAMPLES
    seed: int = 0
    fdr: float = 0.05

    def options(self) -> Options:
        """How the candidates are scored, checked for form (`analyse` checks the names)."""
        weights = dict(self.weights or {})
        return Options(self.profile, weights, self.method, metric_list(self.metrics), self.missing)


class ParetoOptions(TypedDict, total=False):
    """The keywords of `Study.pareto_result`, `Study.pareto` and the dask engine's
    `pareto_result`: `ParetoAsk`'s fields, which give their meaning and defaults."""

    metrics: Sequence[str] | str | None
    layers: bool
    ignore_budgets: bool
    missing: Missing
    noise: float | None
    reference: Mapping[str, float] | None


@dataclass(frozen=True)
class ParetoAsk:
    """A Pareto front asked for.

    `metrics` are the goals dominance is judged on ("a,b" or a list; None: all); `layers` peels
    every layer, not just the front; `ignore_budgets` takes infeasible candidates too; `missing`
    is "error", "exclude" or "worst". With `noise` K, a dominates b only where it is better by
    more than K * sqrt(se_a^2 + se_b^2) on some metric. `reference` {metric: value} overrides the
    hypervolume's reference point per goal.
    """

    metrics: Sequence[str] | str | None = None
    layers: bool = False
    ignore_budgets: bool = False
    missing: Missing = "error"
    noise: float | None = None
    reference: Mapping[str, float] | None = None


class CheckOptions(TypedDict, total=False):
    """The keywords of `Study.check_result` and `check_files`: `CheckAsk`'s fields, which give
    their meaning and defaults."""

    candidates: Sequence[str] | None
    strict: bool
    fail_on_dominated: bool
    metrics: Sequence[str] | str | None
    missing: Missing
    baseline: str | Path | Baseline | None
    tolerances: Sequence[str | Tolerance]
    pessimistic: bool
    hypervolume_tolerance: float | str | None


@dataclass(frozen=True)
class CheckAsk:
    """What the CI gate is asked.

    `candidates`: names to check (None: every candidate of every file); a name must exist in at
    least one file and is checked in every file that has it. `strict`: warn-level violations
    fail too. `fail_on_dominated`: a dominated checked candidate fails, judged on `metrics` (a
    list or "a,b"; only with `fail_on_dominated`) with the `missing` policy of `pareto`.
    `baseline`: an earlier `pareto --layers --format json` (its path, or `load_baseline`'s), to
    fail on every regression beyond `tolerances` ("quality=1%", "latency_p95=20", or
    `Tolerance`), and with `hypervolume_tolerance` (0.02 or "2%") when the front's hypervolume
    fell by more than that share. `pessimistic`: budgets are judged at value ± 2·stderr,
    whichever is worse.
    """

    candidates: Sequence[str] | None = None
    strict: bool = False
    fail_on_dominated: bool = False
    metrics: Sequence[str] | str | None = None
    missing: Missing = "error"
    baseline: str | Path | Baseline | None = None
    tolerances: Sequence[str | Tolerance] = ()
    pessimistic: bool = False
    hypervolume_tolerance: float | str | None = None


class PlotOptions(TypedDict, total=False):
    """The keywords of `Study.plot_data` and `questions.plot.plot_data`: `PlotAsk`'s fields."""

    mix: bool
    ignore_budgets: bool
    missing: Missing
    log_x: bool
    log_y: bool


@dataclass(frozen=True)
class PlotAsk:
    """A plot of two metrics asked for: with `mix`, the mixture hull (both metrics additive);
    `ignore_budgets` takes the front over every candidate; `missing` as for `pareto`; `log_x`
    and `log_y` put an axis on a log scale."""

    mix: bool = False
    ignore_budgets: bool = False
    missing: Missing = "error"
    log_x: bool = False
    log_y: bool = False


def shown_as(source: Callable[..., Any], keys: type) -> Callable[[F], F]:
    """Give a method written `**options: Unpack[keys]` the signature help() and notebooks show:
    its own parameters, then each of the TypedDict `keys` as a keyword-only parameter with
    `source`'s annotation and default (`source`: the `Ask` record or function that reads them)."""
    shown = _keywords(source, keys)

    def decorate(method: F) -> F:
        own = inspect.signature(method)
        kept = [p for p in own.parameters.values() if p.kind is not p.VAR_KEYWORD]
        setattr(method, "__signature__", own.replace(parameters=[*kept, *shown]))  # noqa: B010
        return method

    return decorate


@cache  # several methods show one record's keywords; this runs when `tradeoff` is imported
def _keywords(source: Callable[..., Any], keys: type) -> tuple[inspect.Parameter, ...]:
    return tuple(
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for name, p in inspect.signature(source).parameters.items()
        if name in keys.__annotations__
    )
