"""Parquet files, and Arrow tables in general, as tables to check (`cells.RawTable`).

A Parquet file is sized from its metadata before anything is decoded (issue 12): the rows it
declares, the uncompressed size of the needed columns, the length of its column names. Parquet
keeps nulls and NaN apart natively: a null is missing, a NaN value an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tradeoff.sources.cells import RawTable, cell_text, check_names, columns_twice, from_text
from tradeoff.sources.common import Problems, SourceProblem, excerpt

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]


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


def read_parquet(
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
        twice = columns_twice(available, used)
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
        return from_text(text.to_pandas(), rows, metric, column, units, problems, at, hint)

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
        check_names(series, problems, at, label, None, duplicates, column)
        return series

    def text(column: str) -> list[str | None]:
        return [cell_text(c) for c in table.column(column).to_pylist()]

    return RawTable(available, n, rows + 1 + first, "row", values, names, text)
