"""Candidate tables from CSV, Parquet and JSON Lines, checked column by column as arrays.

Each format has a reader giving a `cells.RawTable` (`text_tables` for CSV, JSON Lines and the rows
of a `.json` file, `arrow_table` for Parquet); `checked_table` then checks any of them alike. Use
`tradeoff.sources.readers.read_table`; this module is its implementation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from tradeoff.sources.arrow_table import arrow_raw as arrow_raw
from tradeoff.sources.arrow_table import read_parquet
from tradeoff.sources.cells import RawTable
from tradeoff.sources.common import Problems, SourceProblem, Table, close_matches, excerpt
from tradeoff.sources.text_tables import read_csv, read_jsonl, read_records


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
