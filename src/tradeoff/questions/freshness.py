"""`tradeoff validate`: what the file holds, and (`--max-age 90d`) which dated values are older
than the team accepts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from tradeoff.data import StudyData
from tradeoff.errors import Diagnostic, UsageError
from tradeoff.questions.record import JsonResult, attrs

_AGE_RE = re.compile(r"\s*(\d+)\s*(d|w|m|y|days?|weeks?|months?|years?)\s*", re.IGNORECASE)
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_age(text: str) -> int:
    """'90d' -> 90, '12w' -> 84, '6m' -> 180 (30-day months), '1y' -> 365."""
    match = _AGE_RE.fullmatch(text)
    if match is None:
        raise UsageError(f"--max-age expects an age such as 90d, 12w, 6m or 1y, got '{text}'")
    return int(match.group(1)) * _DAYS[match.group(2)[0].lower()]


def stale(data: StudyData, max_days: int, today: dt.date | None = None) -> list[Diagnostic]:
    """Warnings for values whose `date` is more than `max_days` before `today`, one per file
    and date: a table's 40 rows of one date give one line, not one per metric per candidate.

    Dates come from a value's own `date:`, a table's `date` column, or its results file (an
    lm-eval run's date). Values without a date are not judged. A warning is located at the
    first value of its group; one holding a single value names it (`model.metric`).
    """
    today = today or dt.datetime.now(dt.UTC).date()
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for (i, j), prov in sorted(data.provenance.items()):
        raw = prov.get("date")
        if not isinstance(raw, str):
            continue
        try:
            when = dt.date.fromisoformat(raw[:10])
        except ValueError:
            continue
        if (today - when).days > max_days:
            source = prov.get("source")
            key = (source if isinstance(source, str) else "", when.isoformat())
            groups.setdefault(key, []).append((i, j))
    out = []
    for (source, day), cells in groups.items():
        age = (today - dt.date.fromisoformat(day)).days
        i, j = cells[0]
        said = f"dated {day}, {age} days old (more than {max_days})"
        if len(cells) == 1:
            where = f"{data.names[i]}.{data.metrics[j].name}"
        else:
            where = source or data.file
            said = f"{len(cells)} values {said}"
        line, col = int(data.lines[i, j]), int(data.cols[i, j])
        out.append(Diagnostic(data.file, line, col, where, said))
    return out


@dataclass(frozen=True)
class ValidateResult(JsonResult):
    """A valid goals file: its counts, and the values older than `--max-age` (warnings)."""

    file: str
    metrics: int
    candidates: int
    budgets: int
    profiles: int
    stale: list[Diagnostic]
    command: str = "validate"
    ignored_rows: int = 0  # rows of `join:` entries naming no candidate (`unmatched: ignore`)

    def summary(self) -> str:
        """The line `tradeoff validate` prints on stdout."""
        parts = [
            _count(self.metrics, "metric"),
            _count(self.candidates, "candidate"),
            _count(self.budgets, "budget"),
            _count(self.profiles, "profile") if self.profiles else "no profiles (equal weights)",
        ]
        if self.ignored_rows:
            parts.append(f"{_count(self.ignored_rows, 'joined row')} naming no candidate ignored")
        return f"{self.file}: valid: {', '.join(parts)}\n"

    def to_json(self) -> dict[str, Any]:
        return {
            **self.heading(),
            **attrs(self, "file", "metrics", "candidates", "budgets", "profiles"),
            "stale": [str(d) for d in self.stale],
            "ignored_rows": self.ignored_rows,
        }


def validate_result(data: StudyData, max_age: str | int | None = None) -> ValidateResult:
    """The counts of a loaded file and, with `max_age` ("90d" or days), its stale values."""
    days = parse_age(max_age) if isinstance(max_age, str) else max_age
    return ValidateResult(
        file=data.file,
        metrics=len(data.metrics),
        candidates=len(data.names),
        budgets=len(data.budgets),
        profiles=len(data.profiles),
        stale=stale(data, days) if days is not None else [],
        ignored_rows=sum(u["rows"] for u in data.meta.get("unmatched", [])),
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
