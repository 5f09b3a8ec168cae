"""`validate --max-age 90d`: which dated values are older than the team accepts."""

from __future__ import annotations

import datetime as dt
import re

from tradeoff.data import StudyData
from tradeoff.errors import Diagnostic, UsageError

_AGE_RE = re.compile(r"\s*(\d+)\s*(d|w|m|y|days?|weeks?|months?|years?)\s*", re.IGNORECASE)
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_age(text: str) -> int:
    """'90d' -> 90, '12w' -> 84, '6m' -> 180 (30-day months), '1y' -> 365."""
    match = _AGE_RE.fullmatch(text)
    if match is None:
        raise UsageError(f"--max-age expects an age such as 90d, 12w, 6m or 1y, got '{text}'")
    return int(match.group(1)) * _DAYS[match.group(2)[0].lower()]


def stale(data: StudyData, max_days: int, today: dt.date | None = None) -> list[Diagnostic]:
    """One warning per value whose `date` is more than `max_days` before `today`.

    Dates come from a value's own `date:` or from its source (an lm-eval results file's run
    date). Values without a date are not judged.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    out = []
    for (i, j), prov in sorted(data.provenance.items()):
        raw = prov.get("date")
        if not isinstance(raw, str):
            continue
        try:
            when = dt.date.fromisoformat(raw[:10])
        except ValueError:
            continue
        age = (today - when).days
        if age > max_days:
            metric = data.metrics[j].name
            out.append(
                Diagnostic(
                    data.file,
                    int(data.lines[i, j]),
                    int(data.cols[i, j]),
                    f"{data.names[i]}.{metric}",
                    f"dated {when.isoformat()}, {age} days old (more than {max_days})",
                )
            )
    return out
