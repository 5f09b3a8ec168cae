"""What the table and the markdown (and, for the rank interval, CSV) renderers show alike.

One view per result: the cells as text (a value `--missing worst` charged is starred), the
uncertainty columns, the notes and headings. Renderers only lay these out and style them, so a
rule such as "a filled value gets a star and a note" lives here once. No rich here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tradeoff.questions.explain_result import ExplainResult, MetricLine
from tradeoff.questions.record import RankUncertainty
from tradeoff.questions.results import RankResult, Row
from tradeoff.render.fmt import DASH, fmt, fmt_score, fmt_values, with_count

FILLED_NOTE = "no value: charged the worst value known (--missing worst)"  # after a "* "


def value_cells(r: Row) -> list[str]:
    """The row's metric values as text; one `--missing worst` filled in is starred."""
    if not r.filled and not r.counts:
        return fmt_values(r.values)  # the common case, at a cost paid per table row
    return [
        f"{fmt(r.filled[j])}*"
        if v is None and r.filled and r.filled[j] is not None
        else with_count(fmt(v), r.counts[j] if r.counts else None)
        for j, v in enumerate(r.values)
    ]


def any_filled(rows: Iterable[Row]) -> bool:
    return any(r.filled for r in rows)


def interval_text(u: RankUncertainty) -> str:
    """The 90% rank interval: `2`, `1-3`, or `~1-3` when tied with the leader within noise."""
    low, high = u.rank_interval
    text = f"{low}" if low == high else f"{low}-{high}"
    return f"~{text}" if u.tied_with_leader else text


def odds_cells(u: RankUncertainty | None) -> tuple[str, str]:
    """The P(1st) and rank 90% columns of a row (dashes for a row without uncertainty)."""
    return (DASH, DASH) if u is None else (f"{u.p_first:.2f}", interval_text(u))


@dataclass(frozen=True)
class RankView:
    """The rows `rank` shows (the infeasible ones after the ranked with --all) and their texts."""

    rows: list[Row]
    cells: list[list[str]]
    noisy: bool  # --uncertainty: the P(1st) and rank 90% columns show
    filled: bool  # a starred value: the "* no value" note shows
    # Significance groups (wherever rank drew): a letter or a dash per row, and the line that
    # says what they rest on; empty and None without noise.
    letters: list[str]
    groups_line: str | None

    @classmethod
    def of(cls, res: RankResult) -> RankView:
        rows = [*res.rows, *(res.infeasible if res.show_infeasible else [])]
        groups = res.groups
        letters: list[str] = []
        if groups is not None and groups.source is not None:
            given = list(groups.letters)
            letters = [(given[k] if k < len(given) else None) or DASH for k in range(len(rows))]
        return cls(
            rows=rows,
            cells=[value_cells(r) for r in rows],
            noisy=any(r.uncertainty is not None for r in res.rows),
            filled=any_filled(rows),
            letters=letters,
            groups_line=groups.line() if letters else None,
        )

    def title(self, res: RankResult) -> str:
        return f"{res.title + ': ' if res.title else ''}profile {res.profile}, {res.method}"


def weights_text(res: RankResult) -> str:
    """`weights: quality 0.40, cost 0.20, ...`: the normalized weights the score used."""
    return "weights: " + ", ".join(f"{m} {w:.2f}" for m, w in res.weights.items())


def infeasible_text(res: RankResult) -> str | None:
    """`infeasible (see --all): a, b, ...` (the first five) when they are not listed as rows;
    another engine says where the first N are listed instead (it refuses --all)."""
    if not res.infeasible or res.show_infeasible:
        return None
    names = ", ".join(r.name for r in res.infeasible[:5])
    more = f" and {len(res.infeasible) - 5} more" if len(res.infeasible) > 5 else ""
    if res.engine is not None:  # which refuses --all: it never holds every infeasible one
        return f"infeasible: {names}{more} (--format json lists the first {res.infeasible_shown})"
    return f"infeasible (see --all): {names}{more}"


def pareto_marks(r: Row) -> list[str]:
    """What a pareto row is besides its values: knee, noise only, infeasible."""
    marks = ["knee"] if r.knee else []
    marks += ["noise only"] if r.noise_only else []
    return marks + ([] if r.feasible else ["infeasible"])


def explain_heading(res: ExplainResult, name: str) -> str:
    """`NAME: rank 2 of 6, score 0.745`, or why it is not scored (`name` as the output shows it)."""
    if res.rank is not None:
        return f"{name}: rank {res.rank} of {res.of}, score {fmt_score(res.score)}"
    if res.excluded_for:
        return f"{name}: not scored (excluded: no value for {', '.join(res.excluded_for)})"
    return f"{name}: infeasible, not scored"


def explain_value(line: MetricLine) -> str:
    """The value explain shows: the charged worst value starred, else the value."""
    if line.filled is not None:
        return f"{fmt(line.filled)}*"
    return with_count(fmt(line.value), line.count)


def explain_filled(lines: Sequence[MetricLine]) -> bool:
    return any(line.filled is not None for line in lines)


def explain_odds(res: ExplainResult) -> str | None:
    """The `under noise:` line of explain --uncertainty (None without it)."""
    u = res.uncertainty
    if u is None or res.draws is None:
        return None
    low, high = u.rank_interval
    tied = "; tied with the leader within noise" if u.tied_with_leader else ""
    return (
        f"under noise: P(first) {u.p_first:.2f}, median rank {fmt(u.rank_median)},"
        f" 90% of ranks {low}-{high}{tied} ({res.draws[0]} draws, seed {res.draws[1]})"
    )
