"""`Study`: a validated goals file and every question the CLI asks of it.

Each question has a `*_result` method returning a record whose `to_json()` is the CLI's
`--format json` output; the work is done in the module named after the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

from tradeoff.data import StudyData
from tradeoff.errors import Diagnostic, UsageError, did_you_mean_name
from tradeoff.questions import frames, ranking
from tradeoff.questions.analysis import Missing
from tradeoff.questions.asks import (
    CheckAsk,
    CheckOptions,
    DrawOptions,
    ExplainOptions,
    ParetoAsk,
    ParetoOptions,
    PlotAsk,
    PlotOptions,
    RankAsk,
    RankOptions,
    shown_as,
)
from tradeoff.questions.draws import DEFAULT_SAMPLES
from tradeoff.questions.results import ExplainResult, ParetoResult, RankResult

if TYPE_CHECKING:
    import pandas as pd

    from tradeoff.questions.check_result import CheckResult
    from tradeoff.questions.compare import CompareResult
    from tradeoff.questions.freshness import ValidateResult
    from tradeoff.questions.frontier import FrontierResult
    from tradeoff.questions.parallel import ParallelData
    from tradeoff.questions.plot import PlotData
    from tradeoff.questions.sensitivity import SensitivityResult
    from tradeoff.questions.suggest import SuggestResult


def load(path: str | Path = "goals.yaml", *, allow_external_sources: bool = False) -> Study:
    """Read and validate a goals file, with the candidates its `from:` entries pull in.

    `from:` paths resolve relative to the goals file and must stay inside its folder unless
    `allow_external_sources` (goals files arrive in pull requests from strangers).

    Raises:
        tradeoff.InputError: with every problem found, each located as FILE:LINE:COL.
    """
    from tradeoff.goals.loader import load_path

    return Study(load_path(path, allow_external_sources))


class Study:
    """Goals, budgets, profiles and candidates of one goals file."""

    def __init__(self, data: StudyData) -> None:
        self.data = data

    @property
    def metrics(self) -> list[str]:
        return self.data.metric_names

    @property
    def candidates(self) -> list[str]:
        return list(self.data.names)

    @property
    def profiles(self) -> list[str]:
        return list(self.data.profiles) or ["default"]

    @property
    def files_read(self) -> list[Path]:
        """The files `from:` entries read (not the goals file itself)."""
        return list(self.data.read)

    @property
    def warnings(self) -> list[Diagnostic]:
        """What the loader warned about (a price date before the model's first recorded price),
        then values that look like they are on another scale than their metric's (a `%` metric
        given as a fraction beside percentages): valid input, but worth a look. The CLI prints
        them on stderr in every command."""
        from tradeoff.questions.scale import scale_warnings

        return [*self.data.warnings, *scale_warnings(self.data)]

    def __repr__(self) -> str:
        n, d = self.data.values.shape
        return f"<Study {self.data.file!r}: {n} candidates, {d} metrics>"

    @shown_as(RankAsk, RankOptions)
    def rank_result(self, **options: Unpack[RankOptions]) -> RankResult:
        """Feasible candidates, best first, as data (see `rank` for a DataFrame).

        The options, by keyword, are `tradeoff.questions.asks.RankAsk`'s: profile, weights,
        method, top, include_infeasible, metrics, missing, uncertainty, samples, seed, fdr.

        With `uncertainty`, every candidate also gets `p_first`, `rank_median`, a 90%
        `rank_interval` and `tied_with_leader` from `samples` Monte Carlo draws (seeded). Without
        it, a one-line `confidence` summary is still computed whenever a weighted value has a
        stderr or per-item values (the table shows it; csv does not change).

        Wherever draws are made, the first 50 rows also get significance `group` letters
        (`result.groups`; JSON `group` and `groups_from`): rows sharing a letter cannot be
        told apart at false discovery rate `fdr` (Benjamini-Hochberg over their pairwise
        p-values). Metrics with per-item values (`samples: true`) are drawn by a paired
        bootstrap over the items every ranked candidate has; the rest from their stderrs.
        """
        return ranking.rank_result(self.data, RankAsk(**options))

    @shown_as(ParetoAsk, ParetoOptions)
    def pareto_result(self, **options: Unpack[ParetoOptions]) -> ParetoResult:
        """The non-dominated candidates (or every layer), with the knee marked.

        The options, by keyword, are `tradeoff.questions.asks.ParetoAsk`'s: metrics, layers,
        ignore_budgets, missing, noise, reference.

        With `noise` K, a dominates b only if it does on the point values and is better by more
        than K * sqrt(se_a^2 + se_b^2) on at least one metric (metrics without stderr are exact),
        so the noisy front contains the exact one; members that are on it only because of noise
        carry `noise_only`. Layers then peel noisy fronts.

        The result's `hypervolume` measures the (exact) front over the goals it is judged on,
        with `reference` {metric: value} overriding the reference point per goal (see
        `tradeoff.questions.volume`).
        """
        return ranking.pareto_result(self.data, ParetoAsk(**options))

    def index(self, name: str) -> int:
        """Row of candidate `name`; a usage error with a suggestion when there is none."""
        try:
            return self.data.names.index(name)
        except ValueError:
            hint = did_you_mean_name(name, self.data.names)
            if not hint and name.lower().endswith((".yaml", ".yml")):
                hint = f" (the candidate's name comes first: NAME {name})"
            raise UsageError(f"unknown candidate '{name}'{hint}") from None

    @shown_as(RankAsk, ExplainOptions)
    def explain_result(self, name: str, **options: Unpack[ExplainOptions]) -> ExplainResult:
        """One candidate: per-metric contributions, budget results and who dominates it.

        With `uncertainty`, also its `p_first`, `rank_median`, `rank_interval` and
        `tied_with_leader` from the Monte Carlo draws `rank --uncertainty` makes (a candidate
        that is not ranked gets none). The options are `rank_result`'s that score (profile,
        weights, method, metrics, missing) and draw (uncertainty, samples, seed)."""
        from tradeoff.questions.explain import explain

        return explain(self.data, self.index(name), RankAsk(**options))

    def compare_result(
        self,
        a: str,
        b: str,
        items: int = 10,
        samples: int = DEFAULT_SAMPLES,
        seed: int = 0,
        missing: Missing = "error",
    ) -> CompareResult:
        """Candidate `a` against `b`, per goal: A - B, a 95 % interval and a p-value.

        Paired on the items both logs have where both have per-item values (`samples: true`):
        exact McNemar for 0/1 items, a paired bootstrap of `samples` draws (seeded) otherwise;
        the interval is the paired bootstrap's. Elsewhere an unpaired normal interval from the
        two stderrs. `items` caps the flipped items listed per metric. A goal that a or b has no
        value for is, by `missing`: an error, left out ("exclude"), or compared with the worst
        value any candidate has ("worst").
        """
        from tradeoff.questions.compare import compare

        if items < 0:
            raise UsageError(f"items must be 0 or more, got {items}")
        if samples < 1:
            raise UsageError(f"samples must be at least 1, got {samples}")
        i, j = self.index(a), self.index(b)
        if i == j:
            raise UsageError(f"compare needs two different candidates, got '{a}' twice")
        return compare(self.data, i, j, items, samples, seed, missing)

    def frontier_result(
        self,
        x: str = "cost",
        y: str = "quality",
        target: tuple[str, float] | None = None,
        missing: Missing = "error",
    ) -> FrontierResult:
        """What routing traffic between two models achieves on two `additive` metrics.

        `target` (metric, value) on y asks for the cheapest mix that reaches the value.

        Raises:
            tradeoff.UsageError: a metric is unknown or not additive, or the target not on y.
        """
        from tradeoff.questions.frontier import frontier_result

        return frontier_result(self.data, x, y, target, missing)

    @shown_as(RankAsk, DrawOptions)
    def sensitivity_result(self, **options: Unpack[DrawOptions]) -> SensitivityResult:
        """How far each weight can move before the winner changes, and SMAA-2 rank shares
        over `samples` random weight vectors (seeded). The other options are `rank_result`'s
        that score: profile, weights, method, metrics, missing."""
        from tradeoff.questions.sensitivity import sensitivity_result

        ask = RankAsk(**options)
        return sensitivity_result(self.data, ask.options(), samples=ask.samples, seed=ask.seed)

    @shown_as(CheckAsk, CheckOptions)
    def check_result(self, **options: Unpack[CheckOptions]) -> CheckResult:
        """Budgets of the chosen candidates (default all), as the CI gate judges them.

        `CheckResult.passed` is false on an error-level violation (warn-level too when
        `strict`), a dominated candidate with `fail_on_dominated` (judged on `metrics`), or a
        regression against `baseline` (a `pareto --layers --format json` file, or its
        `Baseline`) beyond `tolerances` ("quality=1%", "latency_p95=20"). `pessimistic`
        judges budgets at value ± 2 stderr. `hypervolume_tolerance` (0.02 or "2%") fails when the
        front's hypervolume fell by more than that share since `baseline`. The options, by
        keyword: `tradeoff.questions.checking.check`'s. Several files: `tradeoff.check_files`.
        """
        from tradeoff.questions import checking

        return checking.check([self.data], CheckAsk(**options))

    def suggest_budgets_result(self, headroom: float | str = 0.25) -> SuggestResult:
        """Budgets every feasible candidate passes with `headroom` (0.25 or "25%") to spare;
        `to_yaml()` is the `budgets:` block `tradeoff suggest-budgets` prints."""
        from tradeoff.questions.suggest import suggest_budgets

        return suggest_budgets(self.data, headroom)

    @shown_as(PlotAsk, PlotOptions)
    def plot_data(
        self, x: str = "cost", y: str = "quality", **options: Unpack[PlotOptions]
    ) -> PlotData:
        """What `tradeoff plot` draws: candidates on two metrics, the front, its knee, and with
        `mix` the mixture hull. The options (mix, ignore_budgets, missing, log_x, log_y) are
        `tradeoff.questions.plot.plot_data`'s."""
        from tradeoff.questions.plot import plot_data

        return plot_data(self.data, x, y, **options)

    def parallel_data(
        self, metrics: Sequence[str] | str | None = None, *, missing: Missing = "error"
    ) -> ParallelData:
        """What `tradeoff plot --parallel` draws: every selected goal (default all) as an axis,
        better end up, and each candidate as a line (see `tradeoff.questions.parallel`)."""
        from tradeoff.questions.parallel import parallel_data

        return parallel_data(self.data, metrics, missing=missing)

    def validate_result(self, max_age: str | int | None = None) -> ValidateResult:
        """What `tradeoff validate` says: the counts of the file and, with `max_age` ("90d" or
        a number of days), the dated values older than that."""
        from tradeoff.questions.freshness import validate_result

        return validate_result(self.data, max_age)

    # DataFrame views for notebooks. pandas is imported only here.

    @shown_as(RankAsk, RankOptions)
    def rank(self, **options: Unpack[RankOptions]) -> pd.DataFrame:
        """Feasible candidates best first, as a DataFrame indexed by name.

        The options are `rank_result`'s (`metrics` may also be "a,b"). Columns: rank, score,
        one per metric, dominated_by; with `include_infeasible`, the infeasible candidates follow
        (rank and score empty) and a `feasible` column tells them apart.
        """
        result = self.rank_result(**options)
        if result.show_infeasible:
            return frames.frame(
                [*result.rows, *result.infeasible], self.data, score=True, feasible=True
            )
        return frames.frame(result.rows, self.data, score=True)

    @shown_as(ParetoAsk, ParetoOptions)
    def pareto(self, **options: Unpack[ParetoOptions]) -> pd.DataFrame:
        """The non-dominated feasible candidates (or every layer) as a DataFrame indexed by name.

        The options are `pareto_result`'s (`metrics` may also be "a,b"). Columns: layer,
        knee, one per metric, dominated_by; with `ignore_budgets`, also `feasible`.
        """
        result = self.pareto_result(**options)
        return frames.frame(result.rows, self.data, score=False, feasible=result.ignore_budgets)
