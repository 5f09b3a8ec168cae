"""`tradeoff suggest-budgets`: budgets that today's feasible candidates pass with some headroom."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tradeoff.data import StudyData
from tradeoff.engine import budgets
from tradeoff.errors import UsageError
from tradeoff.questions.record import JsonResult


@dataclass(frozen=True)
class Suggestion:
    """One suggested bound: `bound` is "max" for a min metric and "min" for a max metric."""

    metric: str
    bound: str
    limit: float
    worst: float
    worst_by: str
    unit: str | None
    lacking: tuple[str, ...] = ()  # feasible candidates without a value: the budget fails them
    loosened: float | None = None  # what was suggested when the file's own bound is tighter


def parse_headroom(text: str) -> float:
    """'25%' -> 0.25, '0.25' -> 0.25; a usage error for anything else or a negative value."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UsageError(f"--headroom expects a share such as 25% or 0.25, got '{text}'") from None
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"--headroom must be a finite share >= 0, got '{text}'")
    if value > 1 and not raw.endswith("%"):  # '10' is far likelier to mean 10% than 1000%
        raise UsageError(
            f"--headroom {raw} would be {value:.0%}: write {raw}% for {raw} percent, "
            f"or {value:.0%} if you mean it"
        )
    return value


def _round_out(x: float, up: bool) -> float:
    """Round to 4 significant digits, away from the candidates (so the worst still passes)."""
    if x == 0 or not math.isfinite(x):
        return x
    step = 10 ** (math.floor(math.log10(abs(x))) - 3)
    return float((math.ceil(x / step) if up else math.floor(x / step)) * step)


def suggest(data: StudyData, headroom: float) -> list[Suggestion]:
    """Per metric, the least favourable feasible value loosened by `headroom`.

    For a min metric the suggestion is `max: worst + headroom * |worst|`, for a max metric
    `min: worst - headroom * |worst|`, clipped to the metric's `range`, rounded outwards to 4
    significant digits. Metrics without any feasible value, or loosened past the largest float,
    get no suggestion. A feasible candidate without a value for a metric would fail its budget
    ("no value"): `lacking` names them, and the YAML says so.
    """
    ok = np.flatnonzero(budgets.feasible(data))
    if len(ok) == 0:
        raise UsageError(
            "no feasible candidate: every one breaks an error-level budget, so there is nothing "
            "to suggest budgets from (loosen or remove the budgets first)"
        )
    out = []
    for j, m in enumerate(data.metrics):
        col = data.values[ok, j]
        has = ~np.isnan(col)
        if not has.any():
            continue
        pick = (
            np.argmin(np.where(has, col, np.inf))
            if m.maximize
            else np.argmax(np.where(has, col, -np.inf))
        )
        worst = float(col[pick])
        slack = headroom * abs(worst)
        limit = worst - slack if m.maximize else worst + slack
        if m.range is not None:
            limit = min(max(limit, m.range[0]), m.range[1])
        limit = _round_out(limit, up=not m.maximize)
        if not math.isfinite(limit):  # loosened past the largest float: no budget would bind
            continue
        lacking = tuple(data.names[int(k)] for k in ok[~has])
        bound = "min" if m.maximize else "max"
        limit, loosened = _never_looser(data, m.name, bound, limit)
        out.append(
            Suggestion(m.name, bound, limit, worst, data.names[int(ok[pick])], m.unit, lacking,
                       loosened)
        )  # fmt: skip
    return out


def _never_looser(
    data: StudyData, metric: str, bound: str, limit: float
) -> tuple[float, float | None]:
    """The file's own error-level bound (for every candidate) when it is tighter than `limit`:
    a suggestion pasted in place of `budgets:` must never loosen a budget silently."""
    own = [
        b.limit
        for b in data.budgets
        if b.metric == metric and b.bound == bound and b.tags is None and b.level == "error"
    ]
    if not own:
        return limit, None
    tightest = min(own) if bound == "max" else max(own)
    looser = limit > tightest if bound == "max" else limit < tightest
    return (tightest, limit) if looser else (limit, None)


def _number(x: float) -> str:
    return f"{x:.10g}"


def suggest_budgets(data: StudyData, headroom: float | str) -> SuggestResult:
    """`tradeoff suggest-budgets`: `suggest` with its YAML (headroom 0.25 or "25%")."""
    share = parse_headroom(headroom) if isinstance(headroom, str) else _share(headroom)
    return SuggestResult(
        file=data.file,
        headroom=share,
        feasible=int(budgets.feasible(data).sum()),
        suggestions=suggest(data, share),
        kept=list(
            dict.fromkeys(b.metric for b in data.budgets if b.tags is not None or b.level == "warn")
        ),
    )


def _share(value: float) -> float:
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"headroom must be a finite share >= 0, got {value}")
    return float(value)


@dataclass(frozen=True)
class SuggestResult(JsonResult):
    """Suggested budgets; `to_yaml()` is what `tradeoff suggest-budgets` prints."""

    file: str
    headroom: float
    feasible: int  # how many candidates are feasible today
    suggestions: list[Suggestion]
    kept: list[str]  # metrics of the file's budgets with `tags:` or `level: warn`
    command: str = "suggest-budgets"

    def to_json(self) -> dict[str, Any]:
        return {
            **self.heading(),
            "headroom": self.headroom,
            "budgets": [
                {
                    "metric": s.metric,
                    "bound": s.bound,
                    "limit": s.limit,
                    "worst": s.worst,
                    "worst_by": s.worst_by,
                    "unit": s.unit,
                    "lacking": list(s.lacking),
                    "kept_from_file": s.loosened is not None,
                }
                for s in self.suggestions
            ],
            "not_repeated": list(self.kept),
        }

    def to_yaml(self) -> str:
        """The suggestions as a commented `budgets:` block, ready to paste into a goals file."""
        n = self.feasible
        who = "the feasible candidate" if n == 1 else f"the {n} feasible candidates"
        lines = _comment(
            f"Suggested budgets for {self.file}: for each metric, the least favourable value "
            f"among {who}, loosened by {self.headroom:.0%} (where the file's own bound is "
            "tighter, it is kept). Paste in place of `budgets:`; tighten them where the team "
            "has firmer limits.",
            "",
        )
        lines.append("budgets:")
        width = max((len(s.metric) for s in self.suggestions), default=0)
        for s in self.suggestions:
            lines += _line(s, width)
        if not self.suggestions:
            lines.append("  {}  # no feasible candidate has any value")
        if self.kept:
            lines += _comment(
                "Not repeated above: the file's budgets with `tags:` or `level: warn` "
                f"({', '.join(self.kept)}); keep them if they still hold.",
                "",
            )
        return "\n".join(lines) + "\n"


WIDTH = 100  # every line of the YAML fits this many columns (names and paths aside)


def _comment(text: str, indent: str) -> list[str]:
    import textwrap

    return textwrap.wrap(
        text, WIDTH, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# ",
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip


def _line(s: Suggestion, width: int) -> list[str]:
    unit = f" {s.unit}" if s.unit else ""
    bound = f"{{{s.bound}: {_number(s.limit)}}}"
    worst = f"worst feasible {_number(s.worst)}{unit}, {json.dumps(s.worst_by)}"
    if s.loosened is not None:
        worst = (
            f"kept the file's {s.bound} {_number(s.limit)}{unit}: the suggestion "
            f"({_number(s.loosened)}) would loosen it; {worst}"
        )
    if s.lacking:
        shown = ", ".join(json.dumps(n) for n in s.lacking[:3])
        more = f" and {len(s.lacking) - 3} more" if len(s.lacking) > 3 else ""
        verb = "has" if len(s.lacking) == 1 else "have"
        worst += f"; {shown}{more} {verb} no value and would fail it"
    head = f"  {s.metric + ':':{width + 1}} {bound:22} "
    rest = _comment(worst, " " * len(head))
    first = head + rest[0].lstrip()
    return [first, *rest[1:]] if len(first) <= WIDTH else [head.rstrip(), *rest]
