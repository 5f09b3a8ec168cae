"""Candidate tables from CSV, Parquet and JSON Lines, checked column by column as arrays.

Each format has a reader giving a `cells.RawTable` (`text_tables` for CSV, JSON Lines and the rows
of a `.json` file, `arrow_table` for Parquet, `dataset` for a folder of Parquet files);
`cells.checked_table` then checks any of them alike. Use `tradeoff.sources.readers.read_table`;
this module is its implementation.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tradeoff.sources.arrow_table import arrow_raw as arrow_raw
from tradeoff.sources.arrow_table import read_parquet
from tradeoff.sources.cells import Options, checked_table, column_problems, used_columns
from tradeoff.sources.common import SourceProblem, Table, excerpt
from tradeoff.sources.text_tables import read_csv, read_jsonl, read_records


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
    readers = {".csv": read_csv, ".parquet": read_parquet, ".jsonl": read_jsonl}
    if options.records is not None:
        raw = read_records(options.records, display, used, units)
    elif path.is_dir():  # a Parquet dataset folder, read whole (the dask engine reads it in pieces)
        from tradeoff.sources.dataset import read_dataset

        raw = read_dataset(path, display, used, units)
    elif suffix not in readers:
        raise SourceProblem([(display, f"not a table file: {excerpt(suffix)}")])
    else:
        raw = readers[suffix](path, display, used, units)
    return checked_table(raw, metrics, columns, display, problems, options)
