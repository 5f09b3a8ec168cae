"""Metrics from other tools' files: `from:` tables, lm-eval and optimum-benchmark output, prices.

Every reader is pure (no printing, no exits) and raises `SourceProblem` holding *all* the problems
it found, each as `(place, what)`: `("sweep.csv row 5, column quality", "expected a finite number,
got 'abc'")`. The loader turns those into `Diagnostic`s at the `from:` entry's line. Files arrive in
pull requests from strangers, so a message quotes at most a short, escaped excerpt of their text.

pandas, pyarrow, pint and genai_prices are imported inside the functions that need them, so
`import tradeoff` stays fast and a goals file without sources never pays for them. This module
holds what every reader shares; the table readers live in `tables.py`, the JSON readers and prices
in `files.py`, the serving benchmarks' in `serving.py`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from tradeoff.errors import MAX_LISTED, capped_choices
from tradeoff.errors import excerpt as excerpt

# Where a row is, for messages: row index -> "sweep.csv row 5" (made only when a message asks).
Where: TypeAlias = Callable[[int], str]
# A table's names column as read: a name per row (None: empty), or None if it is not text at all.
Names: TypeAlias = list[str | None] | None

MAX_JSON_BYTES = 64 * 1024 * 1024
"""lm-eval and optimum-benchmark reports are kilobytes; refuse to parse anything this big."""


class SourceProblem(Exception):
    """One or more problems in a source file (or in the path to it).

    Attributes:
        problems: `(place, what)` pairs, at most `MAX_LISTED` plus a last "and N more".
    """

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems: list[tuple[str, str]] = list(problems)
        super().__init__("\n".join(f"{p}: {w}" if p else w for p, w in self.problems))


_PLAIN_COLUMN = re.compile(r"[\w .%/()\[\]-]{1,60}")


def column_name(column: str) -> str:
    """A column name as messages show it: as written when short and plain (`latency_p95`,
    `P99 TTFT (ms)`), else a short escaped excerpt (a header may be 100 KB of anything)."""
    return column if _PLAIN_COLUMN.fullmatch(column) else excerpt(column, 60)


def close_matches(word: str, choices: Iterable[str], n: int = 3) -> str:
    """' (did you mean 'a' or 'b'?)' for the choices close to `word`, else ''.

    Capped as `tradeoff.errors.did_you_mean` is: a header of 80,000 columns gets no suggestion
    rather than minutes of difflib."""
    options = [c for c in capped_choices(choices) if len(c) <= 100]
    close = difflib.get_close_matches(word, options, n=n, cutoff=0.6) if len(word) <= 100 else []
    if not close:
        return ""
    quoted = [excerpt(c, 60) for c in close]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" (did you mean {listed}?)"


class Problems:
    """Collects problems for one file, keeping the first `MAX_LISTED` and counting the rest."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.kept: list[tuple[str, str]] = []
        self.dropped = 0

    def __bool__(self) -> bool:
        return bool(self.kept)

    @property
    def room(self) -> int:
        return MAX_LISTED - len(self.kept)

    def add(self, place: str, what: str) -> None:
        if self.room > 0:
            self.kept.append((place, what))
        else:
            self.dropped += 1

    def add_many(self, count: int, make: Callable[[int], tuple[str, str]]) -> None:
        """Add `count` problems, building only the ones that will be kept (`make(k)` for k-th)."""
        shown = min(count, max(self.room, 0))
        for k in range(shown):
            self.add(*make(k))
        self.dropped += count - shown

    def raise_if_any(self) -> None:
        if not self.kept:
            return
        # Row order: a file's own problems first, then by row (or line), whatever column found them.
        problems = sorted(self.kept, key=_row_of)
        if self.dropped:
            place, what = problems[-1]
            total = len(problems) + self.dropped
            problems[-1] = (place, f"{what} ({len(problems)} of {total} shown)")
        raise SourceProblem(problems)


_ROW = re.compile(r" (?:row|line) (\d+)")


def _row_of(problem: tuple[str, str]) -> int:
    match = _ROW.search(problem[0])
    return int(match.group(1)) if match else 0


@dataclass
class Table:
    """Candidates read from a CSV, Parquet or JSON Lines file, as arrays.

    Attributes:
        display: the file's name as messages show it.
        metrics: metric names, in the order of `values`' columns.
        columns: the file's column feeding each metric (equal to the metric name unless mapped).
        names: candidate names, unique within the file.
        values: `(len(names), len(metrics))`, NaN for a missing value (an empty cell or null).
        row_numbers: 1-based data rows (header excluded) for CSV and Parquet; 1-based lines for
            JSON Lines (blank lines are skipped but counted).
        row_label: "row" or "line", the word `place` uses.
    """

    display: str
    metrics: list[str]
    columns: list[str]
    names: list[str]
    values: NDArray[np.float64]
    row_numbers: NDArray[np.int64]
    row_label: str = "row"
    texts: dict[str, list[str | None]] = field(default_factory=dict)  # Options.texts columns

    def place(self, i: int, metric: str | None = None) -> str:
        """Where candidate `i` (or its value of `metric`) is: 'sweep.csv row 5, column quality'."""
        where = f"{self.display} {self.row_label} {int(self.row_numbers[i])}"
        if metric is None:
            return where
        return f"{where}, column {column_name(self.columns[self.metrics.index(metric)])}"


def parse_json(raw: bytes, display: str, line: int | None = None) -> Any:
    """JSON text -> Python values. msgspec parses a 30 MB serving result several times faster
    than the standard library; anything it refuses (NaN, Infinity, bad text) goes through
    `json.loads`, which accepts the first two and words the errors. `line`: where `raw` starts
    in its file, for one line of JSON Lines."""
    import msgspec

    where = display if line is None else f"{display} line {line}"
    try:
        return msgspec.json.decode(raw)
    except RecursionError:
        raise SourceProblem([(where, "JSON nested too deeply")]) from None
    except msgspec.DecodeError:
        pass
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SourceProblem([(where, f"not UTF-8 text (byte {exc.start})")]) from None
    except json.JSONDecodeError as exc:
        number = exc.lineno if line is None else line + exc.lineno - 1
        place = f"{display} line {number}, column {exc.colno}"
        raise SourceProblem([(place, f"not valid JSON: {exc.msg}")]) from None
    except ValueError:  # an integer beyond Python's 4,300-digit limit
        raise SourceProblem([(where, "not valid JSON: a number with too many digits")]) from None
    except RecursionError:
        raise SourceProblem([(where, "JSON nested too deeply")]) from None
