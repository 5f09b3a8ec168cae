"""A Parquet dataset folder as a `from:` table: hive partitions, read whole or piece by piece.

A dataset is a folder of `.parquet` files, possibly in `key=value` subfolders (hive partitions,
as Spark, pyarrow and dask write them). Its rows are the rows of its files, in the order of their
paths (sorted by code point), so "row 1234" means the same row to every engine. Files and folders
whose names start with `.` or `_` (`_SUCCESS`, `_metadata`, `.crc`) are skipped, as pyarrow does.

A partition key is one more column, holding text: `name=llama-3-8b/part-0.parquet` names every
row of that file, and `batch=8/...` feeds a metric called `batch` (the text "8" is read as the
number 8, as a CSV cell would be). Tags come only from the `from:` entry, never from keys.

The default engine reads every piece into one table (`read_dataset`); the dask engine reads
one piece per task (`read_piece`), so no process ever holds more than a piece.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from tradeoff.errors import MAX_LISTED
from tradeoff.sources.common import SourceProblem, Table, excerpt

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    from tradeoff.sources.cells import Options, RawTable

MAX_FILES = 100_000
"""Files a dataset may hold: listing more is a runaway glob, not a dataset."""


@dataclass(frozen=True)
class Piece:
    """One file of a dataset: where it is, its partition keys, and where its rows start."""

    path: str
    keys: tuple[tuple[str, str], ...]
    rows: int
    first: int  # rows of the dataset before this file
    columns: tuple[str, ...]  # the file's own columns


@dataclass(frozen=True)
class Dataset:
    """The files of a dataset folder, in path order, and every column they offer."""

    display: str
    pieces: tuple[Piece, ...]
    available: tuple[str, ...]  # file columns (first seen first), then partition keys

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.pieces)


def open_dataset(folder: Path, display: str, allow_external: bool = False) -> Dataset:
    """List a dataset folder and read each file's footer (row count, columns), not its data.

    A symlink anywhere inside is refused unless `allow_external` (it could lead out of the goals
    file's folder); the readers never allow one. A key that is also a column of a file, or a
    folder holding no `.parquet` file, is an error.

    Raises:
        SourceProblem: every problem found.
    """
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

    found: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    problems: list[tuple[str, str]] = []
    _walk(folder, folder, (), allow_external, found, problems)
    if problems:
        raise SourceProblem(problems[:MAX_LISTED])
    if not found:
        raise SourceProblem([(display, "the folder holds no .parquet file")])
    found.sort()
    pieces: list[Piece] = []
    columns: dict[str, None] = {}
    keys: dict[str, None] = {}
    first = 0
    for rel, parts in found:
        try:
            meta = pq.ParquetFile(folder / rel).metadata
            names = tuple(meta.schema.to_arrow_schema().names)
        except (OSError, pa.ArrowException) as exc:
            message = " ".join(str(exc).split())[:200]
            problems.append((f"{display} {excerpt(rel, 120)}", f"not readable: {message}"))
            continue
        for key, _ in parts:
            if key in names:
                what = f"partition key {excerpt(key)} is also a column of the file"
                problems.append((f"{display} {excerpt(rel, 120)}", what))
        pieces.append(Piece(str(folder / rel), parts, int(meta.num_rows), first, names))
        first += int(meta.num_rows)
        columns.update(dict.fromkeys(names))
        keys.update(dict.fromkeys(k for k, _ in parts))
    if problems:
        raise SourceProblem(problems[:MAX_LISTED])
    return Dataset(display, tuple(pieces), (*columns, *(k for k in keys if k not in columns)))


def _walk(
    folder: Path,
    here: Path,
    parts: tuple[tuple[str, str], ...],
    allow_external: bool,
    found: list[tuple[str, tuple[tuple[str, str], ...]]],
    problems: list[tuple[str, str]],
) -> None:
    try:
        entries = sorted(os.scandir(here), key=lambda e: e.name)
    except OSError as exc:
        problems.append((excerpt(str(here.relative_to(folder))), f"cannot list: {exc.strerror}"))
        return
    for entry in entries:
        if entry.name.startswith((".", "_")):
            continue
        rel = Path(entry.path).relative_to(folder).as_posix()
        if entry.is_symlink() and not allow_external:
            what = "a symlink inside a dataset folder (pass --allow-external-sources to follow it)"
            problems.append((excerpt(rel, 120), what))
        elif entry.is_dir():
            key, eq, value = entry.name.partition("=")
            more = ((unquote(key), unquote(value)),) if eq and key else ()
            _walk(folder, Path(entry.path), (*parts, *more), allow_external, found, problems)
        elif entry.is_file() and entry.name.lower().endswith(".parquet"):
            found.append((rel, parts))
            if len(found) > MAX_FILES:
                problems.append((excerpt(rel, 120), f"more than {MAX_FILES} files"))
                return


def read_piece(piece: Piece, available: tuple[str, ...], used: set[str]) -> pa.Table:
    """The columns of `used` that the dataset offers, for one file's rows.

    A partition key becomes a text column; a column another file has but this one lacks is all
    null (missing), as is a `name` column in that case.
    """
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

    own = [c for c in piece.columns if c in used]
    try:
        table = pq.read_table(piece.path, columns=own)
    except (OSError, pa.ArrowException) as exc:
        message = " ".join(str(exc).split())[:200]
        raise SourceProblem([(excerpt(piece.path, 120), f"not readable: {message}")]) from None
    keys = dict(piece.keys)
    n = table.num_rows
    for column in available:
        if column not in used or column in own:
            continue
        if column in keys:
            table = table.append_column(column, pa.repeat(pa.scalar(keys[column]), n))
        else:
            kind = pa.string() if column == "name" else pa.null()
            table = table.append_column(column, pa.nulls(n, kind))
    return table


def read_piece_table(
    dataset: Dataset,
    k: int,
    metrics: list[str],
    columns: dict[str, str],
    units: Mapping[str, str | None] | None,
    options: Options | None = None,
) -> Table:
    """Piece `k` of `dataset`, checked as a table (rows numbered across the dataset).

    Raises:
        SourceProblem: as `read_table` does, for this piece's rows.
    """
    from tradeoff.sources.arrow_table import arrow_raw
    from tradeoff.sources.cells import Options as TableOptions
    from tradeoff.sources.cells import checked_table, column_problems, used_columns

    options = options or TableOptions()
    problems = column_problems(metrics, columns, dataset.display)
    piece = dataset.pieces[k]
    table = read_piece(piece, dataset.available, used_columns(metrics, columns, options))
    raw = arrow_raw(table, list(dataset.available), dataset.display, units, piece.first)
    return checked_table(raw, metrics, columns, dataset.display, problems, options)


def read_dataset(
    folder: Path, display: str, used: set[str], units: Mapping[str, str | None] | None
) -> RawTable:
    """Every row of a dataset folder as one table (the default engine), rows numbered across
    the dataset: `tables.read_table` reads a folder with this, a file with its format's reader."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    from tradeoff.sources.arrow_table import arrow_raw

    dataset = open_dataset(folder, display)
    tables = [read_piece(p, dataset.available, used) for p in dataset.pieces]
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except pa.ArrowException as exc:
        message = " ".join(str(exc).split())[:200]
        raise SourceProblem([(display, f"the files' columns do not agree: {message}")]) from None
    return arrow_raw(table, list(dataset.available), display, units)
