"""CSV and JSON Lines files (and the rows of a `.json` file) as tables to check.

CSV is read as text with pandas' NA detection off, so an empty cell is missing and a cell reading
NaN is an error; JSON Lines goes through the stdlib `json`: null or an absent key is missing, a
NaN float an error (see `cells`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from tradeoff.sources.cells import RawTable, cell_text, check_names, columns_twice, from_text
from tradeoff.sources.common import Names, Problems, SourceProblem, Where, column_name, excerpt
from tradeoff.sources.opening import open_binary
from tradeoff.sources.serving_model import finite


def _csv_error(display: str, exc: Exception) -> SourceProblem:
    if isinstance(exc, UnicodeDecodeError):
        return SourceProblem([(display, f"not UTF-8 text (byte {exc.start})")])
    if isinstance(exc, OSError):
        return SourceProblem([(display, f"cannot read the file: {exc.strerror}")])
    message = " ".join(str(exc).split())[:200]
    return SourceProblem([(display, f"not a readable CSV file: {message}")])


def read_csv(
    path: Path, display: str, used: set[str], units: Mapping[str, str | None] | None
) -> RawTable:
    with open_binary(path, display) as handle:  # read from this descriptor, never by name
        return _read_csv(handle, display, used, units)


def csv_header(handle: BinaryIO) -> list[str]:
    """The first row of a CSV file open in binary mode; the file is then back at its start."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        return next(csv.reader(text), [])
    finally:
        text.detach()  # leaves `handle` open
        handle.seek(0)


def _read_csv(
    handle: BinaryIO, display: str, used: set[str], units: Mapping[str, str | None] | None
) -> RawTable:
    import pandas as pd

    try:
        header = csv_header(handle)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _csv_error(display, exc) from None
    if not header:
        raise SourceProblem([(display, "the file is empty (expected a header row)")])
    twice = columns_twice(header, used)
    if twice:
        raise SourceProblem([(display, f"column {excerpt(c)} appears twice") for c in twice])
    _refuse_long_rows(handle, display, len(header))
    wanted = [c for c in header if c in used]
    try:
        frame = pd.read_csv(
            handle,
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

    def values(column: str, metric: str, problems: Problems, at: Where) -> Any:
        hint = "leave the cell empty"
        return from_text(frame[column], rows, metric, column, units, problems, at, hint)

    def names(problems: Problems, at: Where, label: Where, column: str, duplicates: bool) -> Names:
        names: list[str | None] = frame[column].fillna("").tolist()
        check_names(names, problems, at, label, None, duplicates, column)
        return names

    def text(column: str) -> list[str | None]:
        return [c if c.strip() else None for c in frame[column].fillna("").tolist()]

    return RawTable(header, n, rows + 1, "row", values, names, text)


def _refuse_long_rows(handle: BinaryIO, display: str, width: int) -> None:
    """Refuse data rows with a non-empty cell past the header's last column.

    pandas, reading only the columns in use (`usecols`), drops such cells without a word, so a
    comma left unquoted (`m,1,000,5`) would put a row's values under the wrong headers. Empty
    extra cells (a trailing comma) carry nothing and pass. Rows count as pandas counts them:
    blank lines are skipped.
    """
    problems = Problems(display)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        rows = csv.reader(text)
        next(rows, None)  # the header
        number = 0
        for cells in rows:
            if not cells:
                continue
            number += 1
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                what = f"{len(cells)} cells, but the header has {width}"
                problems.add(
                    f"{display} row {number}", f"{what} (a comma inside a value needs quotes)"
                )
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _csv_error(display, exc) from None
    finally:
        text.detach()  # leaves `handle` open
        handle.seek(0)
    problems.raise_if_any()


def read_jsonl(
    path: Path, display: str, used: set[str], units: Mapping[str, str | None] | None
) -> RawTable:
    try:
        with open_binary(path, display) as handle:  # read from this descriptor, never by name
            text = handle.read().decode("utf-8-sig")
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


def read_records(
    items: list[Any], display: str, used: set[str], units: Mapping[str, str | None] | None
) -> RawTable:
    """The rows of a `.json` file's `rows:` list (objects; their 1-based places are rows)."""
    records = [(k, item) for k, item in enumerate(items, start=1) if isinstance(item, dict)]
    return _from_records(records, display, used, units, "row", [])


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

    def values(column: str, metric: str, problems: Problems, at: Where) -> Any:
        out = np.full(n, np.nan)
        texts: dict[int, str] = {}
        shown = column_name(column)
        for i, cell in enumerate(cells[column]):
            if cell is None:
                continue
            if isinstance(cell, bool) or not isinstance(cell, (int, float, str)):
                got = json.dumps(cell) if isinstance(cell, bool) else f"a {type(cell).__name__}"
                problems.add(f"{at(i)}, column {shown}", f"expected a number, got {got}")
            elif isinstance(cell, str):
                texts[i] = cell
            elif cell != cell:
                problems.add(f"{at(i)}, column {shown}", "NaN is not allowed; use null instead")
            elif (number := finite(cell)) is None:  # inf, or an integer no float holds
                problems.add(
                    f"{at(i)}, column {shown}",
                    f"expected a finite number, got {excerpt(cell)}",
                )
            else:
                out[i] = number
        if texts:
            rows = np.fromiter(texts, dtype=np.int64, count=len(texts))
            series = pd.Series(list(texts.values()), dtype=object)
            parsed = from_text(series, rows, metric, column, units, problems, at, "use null")
            out[rows] = parsed
        return out

    def names(problems: Problems, at: Where, where: Where, column: str, duplicates: bool) -> Names:
        raw = cells[column]
        flagged = np.zeros(n, dtype=bool)
        shown = column_name(column)
        for i, cell in enumerate(raw):
            if cell is not None and not isinstance(cell, str):
                flagged[i] = True
                got = excerpt(json.dumps(cell))
                problems.add(f"{at(i)}, column {shown}", f"expected text, got {got}")
        names = [c if isinstance(c, str) else None for c in raw]
        check_names(names, problems, at, where, flagged, duplicates, column)
        return names

    def text(column: str) -> list[str | None]:
        return [cell_text(c) for c in cells[column]]

    return RawTable(list(seen), n, line_numbers, label, values, names, text, early)
