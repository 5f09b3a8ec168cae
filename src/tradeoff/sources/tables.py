"""Candidate tables from CSV, Parquet and JSON Lines, checked column by column as arrays.

Telling a missing value from a literal NaN, per format:
- CSV is read as text with pandas' NA detection off (`na_filter=False`), so an empty cell stays
  "" (missing) and a cell reading NaN stays the text "NaN" (an error), as does "inf".
- JSON Lines is parsed with the stdlib `json`, which reads `NaN`/`Infinity` as floats: null or an
  absent key is missing, a NaN float an error.
- Parquet keeps nulls and NaN apart natively: a null is missing, a NaN value an error.
A text cell ("abc", or "210 ms" when the metric's unit is known) goes through the same text path
in every format. Use `tradeoff.sources.readers.read_table`; this module is its implementation.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from tradeoff import quantity, rules
from tradeoff import units as units_mod
from tradeoff.sources.common import Problems, SourceProblem, Table, close_matches, excerpt

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]


@dataclass
class RawTable:
    """A file read but not yet checked: its columns, and a getter for each checked column."""

    available: list[str]
    rows: int
    row_numbers: NDArray[np.int64]
    row_label: str
    # column name -> float values (NaN = missing), adding any problems; names come as a Series
    values: Callable[[str, str, Problems, Callable[[int], str]], NDArray[np.float64]]
    names: Callable[
        [Problems, Callable[[int], str], Callable[[int], str], str, bool], pd.Series[Any] | None
    ]
    text: Callable[[str], list[str | None]]  # a column's cells as text (None: empty or null)
    early: list[tuple[str, str]] = field(default_factory=list)  # lines that are not records


@dataclass(frozen=True)
class Options:
    """How to read a table beyond its metric columns (see `readers.read_table`)."""

    name_column: str = "name"
    texts: tuple[str, ...] = ()  # columns read as text too (a date, tag columns)
    duplicates: bool = False  # rows may share a name (they are combined later)
    records: list[Any] | None = None  # the rows of a `.json` file (`rows:`), instead of the file


def read_table(
    path: Path,
    metrics: list[str],
    columns: dict[str, str],
    display: str,
    units: Mapping[str, str | None] | None,
    options: Options | None = None,
) -> Table:
    options = options or Options()
    problems = column_problems(metrics, columns, display)
    used = used_columns(metrics, columns, options)
    suffix = path.suffix.lower()
    readers = {".csv": _read_csv, ".parquet": _read_parquet, ".jsonl": _read_jsonl}
    if options.records is not None:
        raw = _read_records(options.records, display, used, units)
    elif suffix not in readers:
        raise SourceProblem([(display, f"not a table file: {excerpt(suffix)}")])
    else:
        raw = readers[suffix](path, display, used, units)
    return checked_table(raw, metrics, columns, display, problems, options)


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
        shown = excerpt(name_column, 300)
        problems.add(display, f"no {shown} column" + close_matches(name_column, raw.available))
        problems.raise_if_any()
    for column in options.texts:
        if column not in raw.available:
            what = f"no column {excerpt(column, 300)}" + close_matches(column, raw.available)
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
        names=names.tolist(),
        values=values,
        row_numbers=raw.row_numbers,
        row_label=raw.row_label,
        texts=texts,
    )


def _check_names(
    names: pd.Series[Any],
    problems: Problems,
    at: Callable[[int], str],
    label: Callable[[int], str],
    flagged: NDArray[np.bool_] | None = None,
    duplicates: bool = False,
    column: str = "name",
) -> None:
    """Names must be non-empty text without control characters, unique within the file."""
    null = names.isna().to_numpy(dtype=bool)
    blank = null | (names.fillna("").astype(str).str.strip() == "").to_numpy(dtype=bool)
    if flagged is not None:  # already reported (not text at all)
        blank &= ~flagged
    idx = np.flatnonzero(blank)
    where = f"column {column}"
    problems.add_many(len(idx), lambda k: (f"{at(int(idx[k]))}, {where}", rules.EMPTY_NAME))
    pattern = f"[{rules.CONTROL_CHARS}]"
    control = names.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    bad = np.flatnonzero(control)
    problems.add_many(len(bad), lambda k: (f"{at(int(bad[k]))}, {where}", rules.NAME_RULE))
    if duplicates:
        return
    dup = np.flatnonzero((names.duplicated(keep=False) & ~names.isna()).to_numpy(dtype=bool))
    if not len(dup):
        return

    def duplicate(k: int) -> tuple[str, str]:
        i = int(dup[k])
        same = np.flatnonzero((names == names.iat[i]).to_numpy(dtype=bool))  # only for shown ones
        other = int(same[1] if same[0] == i else same[0])
        what = f"duplicate name {excerpt(names.iat[i])} (also {label(other)})"
        return f"{at(i)}, {where}", what

    problems.add_many(len(dup), duplicate)


def _from_text(
    text: pd.Series[Any],
    rows: NDArray[np.int64],
    metric: str,
    column: str,
    units: Mapping[str, str | None] | None,
    problems: Problems,
    at: Callable[[int], str],
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
                problems.add(f"{at(int(rows[i]))}, column {column}", factor)
    idx = np.flatnonzero(bad)

    def problem(k: int) -> tuple[str, str]:
        cell = str(stripped.iat[int(idx[k])])
        if cell.lower().lstrip("+-") == "nan":
            what = f"NaN is not allowed; {missing_hint} for a missing value"
        else:
            what = f"expected a finite number, got {excerpt(cell)}"
        return f"{at(int(rows[int(idx[k])]))}, column {column}", what

    problems.add_many(len(idx), problem)
    out[empty | bad] = np.nan
    return out


def _twice(header: list[str], used: set[str]) -> list[str]:
    """The used columns a header names more than once (linear: 80,000 columns are fine)."""
    counts = Counter(c for c in header if c in used)
    return sorted(c for c, k in counts.items() if k > 1)


def _csv_error(display: str, exc: Exception) -> SourceProblem:
    if isinstance(exc, UnicodeDecodeError):
        return SourceProblem([(display, f"not UTF-8 text (byte {exc.start})")])
    if isinstance(exc, OSError):
        return SourceProblem([(display, f"cannot read the file: {exc.strerror}")])
    message = " ".join(str(exc).split())[:200]
    return SourceProblem([(display, f"not a readable CSV file: {message}")])


def _read_csv(
    path: Path, display: str, used: set[str], units: Mapping[str, str | None] | None
) -> RawTable:
    import pandas as pd

    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _csv_error(display, exc) from None
    if not header:
        raise SourceProblem([(display, "the file is empty (expected a header row)")])
    twice = _twice(header, used)
    if twice:
        raise SourceProblem([(display, f"column {excerpt(c)} appears twice") for c in twice])
    wanted = [c for c in header if c in used]
    try:
        frame = pd.read_csv(
            path,
            usecols=wanted,
            dtype=str,
            na_filter=False,
            keep_default_na=False,
            encoding="utf-8-sig",
        )
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        raise _csv_error(display, exc) from None
    n = len(frame)
    rows = np.arange(n, dtype=np.int64)

    def values(column: str, metric: str, problems: Problems, at: Callable[[int], str]) -> Any:
        hint = "leave the cell empty"
        return _from_text(frame[column], rows, metric, column, units, problems, at, hint)

    def names(
        problems: Problems,
        at: Callable[[int], str],
        label: Callable[[int], str],
        column: str,
        duplicates: bool,
    ) -> pd.Series[Any]:
        series = frame[column].fillna("")
        _check_names(series, problems, at, label, None, duplicates, column)
        return series

    def text(column: str) -> list[str | None]:
        return [c if c.strip() else None for c in frame[column].fillna("").tolist()]

    return RawTable(header, n, rows + 1, "row", values, names, text)


def _arrow_text(column: pa.ChunkedArray) -> pa.ChunkedArray | None:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

    kind = column.type
    if pa.types.is_dictionary(kind):
        column = pc.cast(column, kind.value_type)
        kind = column.type
    text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    return column if text or pa.types.is_string_view(kind) else None


MAX_ROWS = 20_000_000
"""Rows a Parquet table may declare (a million rows load in about a second)."""
MAX_DECODED = 2 * 1024**3
"""Bytes the needed columns of a Parquet table may take once decoded."""
MAX_COLUMN_NAME = 1024
"""Characters a Parquet column name may have."""


def _parquet_fits(meta: Any, wanted: list[str], display: str) -> None:
    """Refuse, from the metadata alone, a table too big to decode: too many rows, or needed
    columns whose uncompressed size (or 8 bytes a row each) is over `MAX_DECODED`."""
    rows = int(meta.num_rows)
    if rows > MAX_ROWS:
        raise SourceProblem([(display, f"{rows:,} rows; a table has at most {MAX_ROWS:,}")])
    size = rows * 8 * len(wanted)
    keep = set(wanted)
    for r in range(meta.num_row_groups):
        group = meta.row_group(r)
        for j in range(group.num_columns):
            chunk = group.column(j)
            if chunk.path_in_schema.split(".")[0] in keep:
                size += int(chunk.total_uncompressed_size)
    if size > MAX_DECODED:
        what = f"its columns would take about {size:,} bytes in memory (at most {MAX_DECODED:,})"
        raise SourceProblem([(display, what)])


def _decoded_bytes(column: pa.ChunkedArray) -> int:
    """Bytes `column` takes once its dictionary (if any) is expanded, without expanding it."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

    if not pa.types.is_dictionary(column.type):
        return int(column.nbytes)
    total = 0
    for chunk in column.chunks:
        lengths = pc.binary_length(chunk.dictionary)
        if len(lengths):
            total += int(pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0)
        total += 8 * len(chunk)
    return total


def _read_parquet(
    path: Path, display: str, used: set[str], units: Mapping[str, str | None] | None
) -> RawTable:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

    try:
        available = list(pq.read_schema(path).names)
        long = next((c for c in available if len(c) > MAX_COLUMN_NAME), None)
        if long is not None:
            what = f"a column name of {len(long)} characters (at most {MAX_COLUMN_NAME})"
            raise SourceProblem([(display, what)])
        twice = _twice(available, used)
        if twice:
            raise SourceProblem([(display, f"column {excerpt(c)} appears twice") for c in twice])
        wanted = [c for c in available if c in used]
        # Text stays dictionary-encoded until its decoded size is known: a few kilobytes of
        # file can repeat one long string over millions of rows.
        parquet = pq.ParquetFile(path, read_dictionary=wanted)
        _parquet_fits(parquet.metadata, wanted, display)
        table = parquet.read(columns=wanted)
        decoded = sum(_decoded_bytes(table.column(c)) for c in wanted)
        if decoded > MAX_DECODED:
            what = f"its columns would take {decoded:,} bytes in memory (at most {MAX_DECODED:,})"
            raise SourceProblem([(display, what)])
    except (OSError, pa.ArrowException, MemoryError) as exc:
        message = " ".join(str(exc).split())[:200]
        raise SourceProblem([(display, f"not a readable Parquet file: {message}")]) from None
    return arrow_raw(table, available, display, units)


def arrow_raw(
    table: pa.Table,
    available: list[str],
    display: str,
    units: Mapping[str, str | None] | None,
    first: int = 0,
) -> RawTable:
    """An Arrow table (a Parquet file, or a piece of a dataset) as a `RawTable` to check.

    Rows are numbered from `first + 1` (a piece of a dataset counts the rows before it)."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

    n = table.num_rows
    rows = np.arange(n, dtype=np.int64)

    def values(column: str, metric: str, problems: Problems, at: Callable[[int], str]) -> Any:
        try:
            return read_values(column, metric, problems, at)
        except (pa.ArrowException, MemoryError) as exc:  # a decimal too wide, say
            message = " ".join(str(exc).split())[:200] or type(exc).__name__
            problems.add(f"{display} column {column}", f"cannot read the column: {message}")
            return np.full(n, np.nan)

    def read_values(column: str, metric: str, problems: Problems, at: Callable[[int], str]) -> Any:
        data = table.column(column)
        kind = data.type
        if pa.types.is_null(kind):
            return np.full(n, np.nan)
        if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
            null = data.is_null().to_numpy(zero_copy_only=False)
            out = pc.cast(data, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
            out = np.array(out, dtype=np.float64)  # a writable copy
            idx = np.flatnonzero(~null & ~np.isfinite(out))

            def problem(k: int) -> tuple[str, str]:
                cell = out[idx[k]]
                what = (
                    "NaN is not allowed; use null for a missing value"
                    if np.isnan(cell)
                    else f"expected a finite number, got {cell}"
                )
                return f"{at(int(idx[k]))}, column {column}", what

            problems.add_many(len(idx), problem)
            out[null] = np.nan
            out[idx] = np.nan
            return out
        text = _arrow_text(data)
        if text is None:
            problems.add(f"{display} column {column}", f"expected numbers, got a column of {kind}")
            return np.full(n, np.nan)
        hint = "use null"
        return _from_text(text.to_pandas(), rows, metric, column, units, problems, at, hint)

    def names(
        problems: Problems,
        at: Callable[[int], str],
        label: Callable[[int], str],
        column: str,
        duplicates: bool,
    ) -> pd.Series[Any] | None:
        text = _arrow_text(table.column(column))
        if text is None:
            kind = table.column(column).type
            problems.add(f"{display} column {column}", f"expected text, got a column of {kind}")
            return None
        series: pd.Series[Any] = text.to_pandas()
        _check_names(series, problems, at, label, None, duplicates, column)
        return series

    def text(column: str) -> list[str | None]:
        return [_cell_text(c) for c in table.column(column).to_pylist()]

    return RawTable(available, n, rows + 1 + first, "row", values, names, text)


def _read_jsonl(
    path: Path, display: str, used: set[str], units: Mapping[str, str | None] | None
) -> RawTable:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SourceProblem([(display, f"cannot read the file: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise SourceProblem([(display, f"not UTF-8 text (byte {exc.start})")]) from None
    early: list[tuple[str, str]] = []
    records: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:  # ValueError: an int of over 4,300 digits
            what = (
                exc.msg
                if isinstance(exc, json.JSONDecodeError)
                else "nested too deeply"
                if isinstance(exc, RecursionError)
                else "a number with too many digits"
            )
            early.append((f"{display} line {number}", f"not valid JSON: {what}"))
            continue
        if not isinstance(record, dict):
            kind = type(record).__name__
            early.append((f"{display} line {number}", f"expected a JSON object, got {kind}"))
            continue
        records.append((number, record))
    return _from_records(records, display, used, units, "line", early)


def _read_records(
    items: list[Any], display: str, used: set[str], units: Mapping[str, str | None] | None
) -> RawTable:
    """The rows of a `.json` file's `rows:` list (objects; their 1-based places are rows)."""
    records = [(k, item) for k, item in enumerate(items, start=1) if isinstance(item, dict)]
    return _from_records(records, display, used, units, "row", [])


def _cell_text(cell: Any) -> str | None:
    if isinstance(cell, str):
        return cell if cell.strip() else None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return str(cell)
    return None


def _from_records(
    records: list[tuple[int, dict[str, Any]]],
    display: str,
    used: set[str],
    units: Mapping[str, str | None] | None,
    label: str,
    early: list[tuple[str, str]],
) -> RawTable:
    import pandas as pd

    seen: dict[str, None] = {}
    cells: dict[str, list[Any]] = {c: [] for c in used}
    lines: list[int] = []
    for number, record in records:
        seen.update(dict.fromkeys(record))
        lines.append(number)
        for column, bucket in cells.items():
            bucket.append(record.get(column))
    n = len(lines)
    line_numbers = np.asarray(lines, dtype=np.int64)

    def values(column: str, metric: str, problems: Problems, at: Callable[[int], str]) -> Any:
        out = np.full(n, np.nan)
        texts: dict[int, str] = {}
        for i, cell in enumerate(cells[column]):
            if cell is None:
                continue
            if isinstance(cell, bool) or not isinstance(cell, (int, float, str)):
                got = json.dumps(cell) if isinstance(cell, bool) else f"a {type(cell).__name__}"
                problems.add(f"{at(i)}, column {column}", f"expected a number, got {got}")
            elif isinstance(cell, str):
                texts[i] = cell
            elif cell != cell:
                problems.add(f"{at(i)}, column {column}", "NaN is not allowed; use null instead")
            elif not np.isfinite(float(cell)):
                problems.add(f"{at(i)}, column {column}", f"expected a finite number, got {cell}")
            else:
                out[i] = float(cell)
        if texts:
            rows = np.fromiter(texts, dtype=np.int64, count=len(texts))
            series = pd.Series(list(texts.values()), dtype=object)
            parsed = _from_text(series, rows, metric, column, units, problems, at, "use null")
            out[rows] = parsed
        return out

    def names(
        problems: Problems,
        at: Callable[[int], str],
        where: Callable[[int], str],
        column: str,
        duplicates: bool,
    ) -> pd.Series[Any] | None:
        raw = cells[column]
        flagged = np.zeros(n, dtype=bool)
        for i, cell in enumerate(raw):
            if cell is not None and not isinstance(cell, str):
                flagged[i] = True
                got = excerpt(json.dumps(cell))
                problems.add(f"{at(i)}, column {column}", f"expected text, got {got}")
        series = pd.Series([c if isinstance(c, str) else None for c in raw], dtype=object)
        _check_names(series, problems, at, where, flagged, duplicates, column)
        return series

    def text(column: str) -> list[str | None]:
        return [_cell_text(c) for c in cells[column]]

    return RawTable(list(seen), n, line_numbers, label, values, names, text, early)
