"""Checking a table's cells as arrays, whatever the format: names, and text cells as numbers.

Telling a missing value from a literal NaN, per format:
- CSV is read as text with pandas' NA detection off (`na_filter=False`), so an empty cell stays
  "" (missing) and a cell reading NaN stays the text "NaN" (an error), as does "inf".
- JSON Lines is parsed with the stdlib `json`, which reads `NaN`/`Infinity` as floats: null or an
  absent key is missing, a NaN float an error.
- Parquet keeps nulls and NaN apart natively: a null is missing, a NaN value an error.
A text cell ("abc", or "210 ms" when the metric's unit is known) goes through the same text path
in every format (`from_text`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from tradeoff import quantity, rules
from tradeoff import units as units_mod
from tradeoff.sources.common import Problems, Table, Where, close_matches, column_name, excerpt

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class RawTable:
    """A file read but not yet checked: its columns, and a getter for each checked column."""

    available: list[str]
    rows: int
    row_numbers: NDArray[np.int64]
    row_label: str
    # column name -> float values (NaN = missing), adding any problems
    values: Callable[[str, str, Problems, Where], NDArray[np.float64]]
    # the names column, checked (None: not a text column, reported)
    names: Callable[
        [Problems, Where, Where, str, bool],
        list[str | None] | None,
    ]
    text: Callable[[str], list[str | None]]  # a column's cells as text (None: empty or null)
    early: list[tuple[str, str]] = field(default_factory=list)  # lines that are not records


def check_names(
    names: list[str | None],
    problems: Problems,
    at: Where,
    label: Where,
    flagged: NDArray[np.bool_] | None = None,
    duplicates: bool = False,
    column: str = "name",
) -> None:
    """Names must be non-empty text without control characters, unique within the file.

    Plain Python over the list (no pandas: the Parquet path must not import it, issue 17); each
    check is one pass, a million names take a fraction of a second."""
    where = f"column {column_name(column)}"
    nulls = None in names
    present = [n for n in names if n is not None] if nulls else cast("list[str]", names)
    # `all(map(...))` runs in C: the row-by-row search only when some name is blank.
    if nulls or not all(map(str.strip, present)):
        blank = [i for i, name in enumerate(names) if name is None or not name.strip()]
        if flagged is not None:  # already reported (not text at all)
            blank = [i for i in blank if not flagged[i]]
        problems.add_many(len(blank), lambda k: (f"{at(blank[k])}, {where}", rules.EMPTY_NAME))
    # One search over all names joined (the pattern matches single characters, so joining
    # makes no new match); the names are searched one by one only when it finds one.
    if rules.CONTROL_RE.search("".join(present)):
        search = rules.CONTROL_RE.search
        bad = [i for i, name in enumerate(names) if name is not None and search(name)]
        problems.add_many(len(bad), lambda k: (f"{at(bad[k])}, {where}", rules.NAME_RULE))
    if duplicates or len(set(present)) == len(present):
        return
    first: dict[str, int] = {}
    second: dict[str, int] = {}
    for i, name in enumerate(names):
        if name is not None:
            if name not in first:
                first[name] = i
            elif name not in second:
                second[name] = i
    dup = [i for i, name in enumerate(names) if name is not None and name in second]

    def duplicate(k: int) -> tuple[str, str]:
        i = dup[k]
        name = names[i]
        assert name is not None
        other = second[name] if first[name] == i else first[name]
        what = f"duplicate name {excerpt(name)} (also {label(other)})"
        return f"{at(i)}, {where}", what

    problems.add_many(len(dup), duplicate)


def from_text(
    text: pd.Series[Any],
    rows: NDArray[np.int64],
    metric: str,
    column: str,
    units: Mapping[str, str | None] | None,
    problems: Problems,
    at: Where,
    missing_hint: str,
) -> NDArray[np.float64]:
    """Text cells -> floats: "" is missing; numbers parse; "210 ms" converts if units are known."""
    import pandas as pd

    stripped = text.fillna("").astype(str).str.strip()
    empty = (stripped == "").to_numpy(dtype=bool)
    parsed = pd.to_numeric(stripped, errors="coerce")
    out = np.array(parsed.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    bad = ~empty & ~np.isfinite(out)
    if units is not None and bad.any():
        cand = np.flatnonzero(bad)
        # The number rule of `tradeoff.rules` (quantity.parse_quantity), cell by cell as arrays.
        shown = stripped.iloc[cand]
        parts = shown.str.extract(f"^{quantity.WITH_UNIT_RE.pattern}$")
        radix = shown.str.match(quantity.RADIX_RE.pattern).to_numpy(dtype=bool)
        plain = shown.str.fullmatch(quantity.NUMBER_RE.pattern).to_numpy(dtype=bool)  # 1e999
        has_unit = parts[1].notna().to_numpy(dtype=bool) & ~radix & ~plain
        target = units.get(metric)
        factors: dict[str, float | str] = {}
        for k in (int(k) for k in np.flatnonzero(has_unit)):
            unit = str(parts.iat[k, 1]).strip()
            if not quantity.unit_may_start(unit):
                continue
            if unit not in factors:
                try:
                    factors[unit] = units_mod.convert(1.0, unit, target)
                except ValueError as exc:
                    factors[unit] = str(exc)
            factor = factors[unit]
            i = int(cand[k])
            if isinstance(factor, float):
                value = float(str(parts.iat[k, 0])) * factor
                if np.isfinite(value):
                    out[i], bad[i] = value, False
            else:
                bad[i] = False
                problems.add(f"{at(int(rows[i]))}, column {column_name(column)}", factor)
    idx = np.flatnonzero(bad)

    def problem(k: int) -> tuple[str, str]:
        cell = str(stripped.iat[int(idx[k])])
        if cell.lower().lstrip("+-") == "nan":
            what = f"NaN is not allowed; {missing_hint} for a missing value"
        else:
            what = f"expected a finite number, got {excerpt(cell)}"
        return f"{at(int(rows[int(idx[k])]))}, column {column_name(column)}", what

    problems.add_many(len(idx), problem)
    out[empty | bad] = np.nan
    return out


def columns_twice(header: list[str], used: set[str]) -> list[str]:
    """The used columns a header names more than once (linear: 80,000 columns are fine)."""
    counts = Counter(c for c in header if c in used)
    return sorted(c for c, k in counts.items() if k > 1)


def cell_text(cell: Any) -> str | None:
    if isinstance(cell, str):
        return cell if cell.strip() else None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return str(cell)
    return None


@dataclass(frozen=True)
class Options:
    """How to read a table beyond its metric columns (see `readers.read_table`)."""

    name_column: str = "name"
    texts: tuple[str, ...] = ()  # columns read as text too (a date, tag columns)
    duplicates: bool = False  # rows may share a name (they are combined later)
    records: list[Any] | None = None  # the rows of a `.json` file (`rows:`), instead of the file


def column_problems(metrics: list[str], columns: dict[str, str], display: str) -> Problems:
    """A fresh `Problems` holding any `columns:` entry that names an unknown metric."""
    problems = Problems(display)
    for metric in columns:
        if metric not in metrics:
            what = f"'columns' names an unknown metric {excerpt(metric)}"
            problems.add(display, what + close_matches(metric, metrics))
    return problems


def used_columns(metrics: list[str], columns: dict[str, str], options: Options) -> set[str]:
    """The columns a table reader needs: the names, the text columns and each metric's."""
    return {options.name_column, *options.texts, *(columns.get(m, m) for m in metrics)}


def checked_table(
    raw: RawTable,
    metrics: list[str],
    columns: dict[str, str],
    display: str,
    problems: Problems,
    options: Options,
) -> Table:
    """Check a table read by any reader: its names, then each metric's column as numbers."""
    name_column = options.name_column
    for place, what in raw.early:
        problems.add(place, what)

    if name_column not in raw.available:
        shown = excerpt(name_column, 60)
        problems.add(display, f"no {shown} column" + close_matches(name_column, raw.available))
        problems.raise_if_any()
    for column in options.texts:
        if column not in raw.available:
            what = f"no column {excerpt(column, 60)}" + close_matches(column, raw.available)
            problems.add(display, what)
    for metric in metrics:
        column = columns.get(metric, metric)
        if metric in columns and column not in raw.available:
            what = f"'columns' maps {metric} to {excerpt(column)}, which is not a column here"
            problems.add(display, what + close_matches(column, raw.available))

    def label(i: int) -> str:
        return f"{raw.row_label} {int(raw.row_numbers[i])}"

    def at(i: int) -> str:
        return f"{display} {label(i)}"

    names = raw.names(problems, at, label, name_column, options.duplicates)
    texts = {c: raw.text(c) for c in options.texts if c in raw.available}
    values = np.full((raw.rows, len(metrics)), np.nan)
    for j, metric in enumerate(metrics):
        column = columns.get(metric, metric)
        if column in raw.available:
            values[:, j] = raw.values(column, metric, problems, at)
    problems.raise_if_any()
    assert names is not None
    return Table(
        display=display,
        metrics=list(metrics),
        columns=[columns.get(m, m) for m in metrics],
        names=cast("list[str]", names),  # a null name was reported (empty)
        values=values,
        row_numbers=raw.row_numbers,
        row_label=raw.row_label,
        texts=texts,
    )
