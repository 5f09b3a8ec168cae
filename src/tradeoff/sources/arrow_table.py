"""Parquet files, and Arrow tables in general, as tables to check (`cells.RawTable`).

A Parquet file is sized from its metadata before anything is decoded (issue 12): the rows it
declares, the uncompressed size of the needed columns, the length of its column names. Parquet
keeps nulls and NaN apart natively: a null is missing, a NaN value an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from tradeoff.sources.cells import RawTable, cell_text, check_names, columns_twice, from_text
from tradeoff.sources.common import Names, Problems, SourceProblem, Where, column_name, excerpt
from tradeoff.sources.opening import open_binary

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]


def _is_text(kind: pa.DataType) -> bool:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    )


_NUMPY = {
    **{f"{s}int{b}": f"{s}int{b}" for s in ("", "u") for b in (8, 16, 32, 64)},
    "halffloat": "float16",
    "float": "float32",
    "double": "float64",
}
"""Arrow's name of a fixed-width number type -> NumPy's."""


def _numbers(data: pa.ChunkedArray) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """A column of numbers as float64 (a fresh array) and its nulls.

    Fixed-width numbers are read from the Arrow buffers with NumPy: `pyarrow.compute` (tens of
    milliseconds to import) is needed only for decimals (issue 17: the Parquet path's imports)."""
    name = _NUMPY.get(str(data.type))
    if name is None:  # a decimal
        import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
        import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

        null = np.asarray(data.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        out = pc.cast(data, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
        return np.array(out, dtype=np.float64), null
    dtype = np.dtype(name)
    values: list[NDArray[np.float64]] = []
    nulls: list[NDArray[np.bool_]] = []
    for chunk in data.chunks:
        validity, buffer = chunk.buffers()[:2]
        start, k = chunk.offset, len(chunk)
        raw = np.frombuffer(buffer, dtype=dtype, count=start + k) if k else np.zeros(0, dtype)
        values.append(raw[start:].astype(np.float64))
        if chunk.null_count and validity is not None:
            bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
            nulls.append(bits[start : start + k] == 0)
        else:
            nulls.append(np.zeros(k, dtype=bool))
    if not values:
        return np.zeros(0), np.zeros(0, dtype=bool)
    return np.concatenate(values), np.concatenate(nulls)


def _texts(column: pa.ChunkedArray) -> list[Any]:
    """A column's cells as Python objects. A dictionary-encoded chunk is expanded with NumPy
    (Arrow's own `to_pylist` on one takes 0.8 s for 100,000 names; this, 0.04 s)."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    if not pa.types.is_dictionary(column.type):
        return list(column.to_pylist())
    out: list[Any] = []
    for chunk in column.chunks:
        words = np.array([*chunk.dictionary.to_pylist(), None], dtype=object)
        indices, null = _indices(chunk.indices)
        indices[null] = len(words) - 1  # the None at the end
        out.extend(words[indices].tolist())
    return out


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
    """Bytes `column` takes once its dictionary (if any) is expanded, without expanding it:
    each row's string length, from the dictionary's offsets, plus 8 bytes a row."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    if not pa.types.is_dictionary(column.type):
        return int(column.nbytes)
    total = 0
    for chunk in column.chunks:
        if len(chunk.dictionary):
            lengths = _lengths(chunk.dictionary)
            indices, null = _indices(chunk.indices)
            total += int(lengths[indices[~null]].sum())
        total += 8 * len(chunk)
    return total


def _lengths(strings: pa.Array) -> NDArray[np.int64]:
    """Each string's length in bytes, from the array's offsets."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    if not (pa.types.is_string(strings.type) or pa.types.is_large_string(strings.type)):
        import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

        lengths = pc.binary_length(strings).fill_null(0)
        return np.asarray(lengths.to_numpy(zero_copy_only=False), dtype=np.int64)
    width = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(
        strings.buffers()[1], dtype=width, count=strings.offset + len(strings) + 1
    )
    return np.diff(offsets[strings.offset :]).astype(np.int64)


def _indices(indices: pa.Array) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """A dictionary's indices, and their nulls (whose index is then 0)."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    values, null = _numbers(pa.chunked_array([indices]))
    values[null] = 0
    return values.astype(np.int64), null


def read_parquet(
    path: Path, display: str, used: set[str], units: Mapping[str, str | None] | None
) -> RawTable:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    with open_binary(path, display) as handle:  # read from this descriptor, never by name
        try:
            table, available = _read(handle, display, used)
        except (OSError, pa.ArrowException, MemoryError) as exc:
            message = " ".join(str(exc).split())[:200]
            raise SourceProblem([(display, f"not a readable Parquet file: {message}")]) from None
    return arrow_raw(table, available, display, units)


def _read(handle: BinaryIO, display: str, used: set[str]) -> tuple[pa.Table, list[str]]:
    """The needed columns of a Parquet file, after checking from its metadata (rows, column
    names, the needed columns' uncompressed sizes) that they fit, then their decoded size."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

    parquet = pq.ParquetFile(handle)  # the footer only

    available = list(parquet.schema_arrow.names)
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
    _parquet_fits(parquet.metadata, wanted, display)
    reader = pq.ParquetFile(handle, metadata=parquet.metadata, read_dictionary=wanted)
    table = reader.read(columns=wanted)
    decoded = sum(_decoded_bytes(table.column(c)) for c in wanted)
    if decoded > MAX_DECODED:
        what = f"its columns would take {decoded:,} bytes in memory (at most {MAX_DECODED:,})"
        raise SourceProblem([(display, what)])
    return table, available


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

    n = table.num_rows
    rows = np.arange(n, dtype=np.int64)

    def values(column: str, metric: str, problems: Problems, at: Where) -> Any:
        try:
            return read_values(column, metric, problems, at)
        except (pa.ArrowException, MemoryError) as exc:  # a decimal too wide, say
            message = " ".join(str(exc).split())[:200] or type(exc).__name__
            shown = column_name(column)
            problems.add(f"{display} column {shown}", f"cannot read the column: {message}")
            return np.full(n, np.nan)

    def read_values(column: str, metric: str, problems: Problems, at: Where) -> Any:
        data = table.column(column)
        kind = data.type
        shown = column_name(column)
        if pa.types.is_null(kind):
            return np.full(n, np.nan)
        if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
            out, null = _numbers(data)
            idx = np.flatnonzero(~null & ~np.isfinite(out))

            def problem(k: int) -> tuple[str, str]:
                cell = out[idx[k]]
                what = (
                    "NaN is not allowed; use null for a missing value"
                    if np.isnan(cell)
                    else f"expected a finite number, got {cell}"
                )
                return f"{at(int(idx[k]))}, column {shown}", what

            problems.add_many(len(idx), problem)
            out[null] = np.nan
            out[idx] = np.nan
            return out
        if not _is_text(kind):
            problems.add(
                f"{display} column {shown}",
                f"expected numbers, got a column of {kind}",
            )
            return np.full(n, np.nan)
        import pandas as pd  # text cells only ("210 ms")

        cells = pd.Series(_texts(data), dtype=object)
        return from_text(cells, rows, metric, column, units, problems, at, "use null")

    def names(problems: Problems, at: Where, label: Where, column: str, duplicates: bool) -> Names:
        kind = table.column(column).type
        shown = column_name(column)
        if not _is_text(kind):
            problems.add(f"{display} column {shown}", f"expected text, got a column of {kind}")
            return None
        names = _texts(table.column(column))
        check_names(names, problems, at, label, None, duplicates, column)
        return names

    def text(column: str) -> list[str | None]:
        return [cell_text(c) for c in _texts(table.column(column))]

    return RawTable(available, n, rows + 1 + first, "row", values, names, text)
