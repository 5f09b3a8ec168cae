"""Table entries: one or more tables read as one, as found (SPEC "Tables as they are found").

A table entry (`from:` naming CSV, Parquet or JSON Lines files, or `.json` files with `rows:`)
becomes `Rows`: names, values and where each row came from. Its rows are then candidates of their
own (`table_block`), or, with `join: name`, add their values to candidates defined elsewhere
(`tablejoin.join_rows`, also used by `each:` entries).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from tradeoff import rules
from tradeoff.arrays import F64
from tradeoff.data import SourceGroup
from tradeoff.goals import yamlio
from tradeoff.goals.blocks import (
    Block,
    Context,
    RowErrors,
    Rows,
    TableEntry,
    empty,
    place_of,
    problems,
)
from tradeoff.lazy import LazySequence

if TYPE_CHECKING:
    from tradeoff.sources.common import Table
    from tradeoff.sources.kinds import SourceFile

_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def is_table(f: SourceFile, cand: TableEntry) -> bool:
    """A table file, or a `.json` file whose rows `rows:` picks."""
    return f.kind == "table" or (cand.rows is not None and f.path.suffix.lower() == ".json")


def _spec(cand: TableEntry) -> dict[str, str | tuple[str, str]]:
    out: dict[str, str | tuple[str, str]] = {}
    for key, given in (cand.columns or {}).items():
        out[key] = given if isinstance(given, str) else (given.column, given.unit)
    return out


def read_rows(ctx: Context, i: int, cand: TableEntry, files: list[SourceFile]) -> Rows | None:
    """Every table file of the entry, read as one; None (errors in `ctx`) when one fails."""
    from tradeoff.sources import columns as cols_mod
    from tradeoff.sources.common import SourceProblem
    from tradeoff.sources.readers import check_jmespath

    names = [m.name for m in ctx.metrics]
    spec = _spec(cand)
    place = place_of(i, cand)
    bad = cols_mod.check_spec(spec, names)
    if cand.rows is not None and check_jmespath(cand.rows) is not None:
        return None  # reported once, at `rows:` (datain.check_expressions)
    for what in bad:
        ctx.fail(("candidates", i, "columns"), what)
    tables: list[tuple[SourceFile, Table, dict[str, str], cols_mod.Plan]] = []
    for f in files:
        try:
            tables.append(_read_one(ctx, cand, f, names, spec))
        except SourceProblem as exc:
            problems(ctx, place(f), exc)
    if bad or len(tables) < len(files):
        return None
    return _joined(ctx, i, cand, tables)


def _read_one(
    ctx: Context, cand: TableEntry, f: SourceFile, names: list[str], spec: dict[str, Any]
) -> tuple[SourceFile, Table, dict[str, str], Any]:
    from tradeoff.sources import columns as cols_mod
    from tradeoff.sources.cells import Options
    from tradeoff.sources.readers import read_json_rows, read_table

    records = read_json_rows(f, cand.rows) if cand.rows is not None else None
    available = cols_mod.headers(f.path, f.display, records)
    units = {m.name: m.unit for m in ctx.metrics}
    plan = cols_mod.plan(available, names, units, spec, cand.tag_columns or [], f.display)
    texts = tuple(c for c in (plan.date, *plan.tags) if c is not None)
    options = Options(plan.name, texts, cand.combine is not None, records)
    table = read_table(f.path, names, plan.columns, f.display, plan.cell_units, options)
    for metric, factor in plan.factors.items():
        j = names.index(metric)
        table.values[:, j] *= factor
    return f, table, plan.header_units, plan


def _joined(ctx: Context, i: int, cand: TableEntry, tables: list[Any]) -> Rows | None:
    d = len(ctx.metrics)
    names: list[str] = []
    places = Places()
    groups: list[SourceGroup] = []
    parts: list[F64] = []
    dates: list[str | None] = []
    tags: list[frozenset[str]] = []
    errors = RowErrors(ctx, ("candidates", i, "from"))
    start = 0
    for _f, table, header_units, plan in tables:
        k = len(table.names)
        names.extend(table.names)
        places.add(table, k)
        parts.append(table.values)
        prov: dict[str, Any] = {"source": table.display}
        if header_units:
            prov["header_units"] = dict(header_units)
        groups.append(SourceGroup(table.display, table.row_numbers, table.row_label, prov, start))
        dates.extend(_dates(table, plan.date, errors))
        if cand.tag_columns:  # a million rows without tag columns build no per-row sets
            tags.extend(_tags(table, plan.tags, errors))
        start += k
    values = np.concatenate(parts) if parts else np.zeros((0, d))
    rows = Rows(names, values, np.full_like(values, np.nan), places, groups=groups)
    if cand.tag_columns:
        rows.row_tags = tags
    if dates.count(None) < len(dates):  # in C: 100,000 rows without dates cost no loop
        rows.dates = dates
    if cand.combine is None:
        _unique(rows, errors)
    if not errors.report():
        return None
    if cand.combine is not None:
        from tradeoff.goals.combine import combine

        rows = combine(rows, cand.combine)
    _dated_cells(rows)
    return rows


class Places(LazySequence[str]):
    """Where each row is ("sweep.csv row 5"), made when a message asks."""

    def __init__(self) -> None:
        self._parts: list[tuple[int, Any]] = []  # (first row, table)
        self._count = 0

    def add(self, table: Any, k: int) -> None:
        self._parts.append((self._count, table))
        self._count += k

    def _item(self, r: int) -> str:
        start, table = next(p for p in reversed(self._parts) if p[0] <= r)
        return str(table.place(r - start))


def parse_date(text: str) -> str | None:
    """ISO (`2024-05-01`, a time after it allowed) or `MM/DD/YYYY` -> ISO date; else None."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat() if len(text) >= 10 else None
    except ValueError:
        pass
    match = _US_DATE.fullmatch(text)
    if match is None:
        return None
    month, day, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _dates(table: Table, column: str | None, errors: RowErrors) -> list[str | None]:
    if column is None or column not in table.texts:
        return [None] * len(table.names)
    out: list[str | None] = []
    for r, text in enumerate(table.texts[column]):
        date = None if text is None else parse_date(text)
        if text is not None and date is None:
            got = rules_excerpt(text)
            errors.add(
                f"{table.place(r)}, column {column}: expected a date "
                f"(YYYY-MM-DD or MM/DD/YYYY), got {got}"
            )
        out.append(date)
    return out


def rules_excerpt(text: str) -> str:
    from tradeoff.sources.common import excerpt

    return excerpt(text)


def _tags(table: Table, columns: list[str], errors: RowErrors) -> list[frozenset[str]]:
    out: list[frozenset[str]] = []
    for r in range(len(table.names)):
        found = set()
        for column in columns:
            text = table.texts.get(column, [None] * len(table.names))[r]
            if text is None:
                continue
            if (problem := rules.tag_problem(text)) is not None:
                errors.add(f"{table.place(r)}, column {column}: {problem}")
                continue
            found.add(text.strip())
        out.append(frozenset(found))
    return out


def _unique(rows: Rows, errors: RowErrors) -> None:
    """Without `combine`, a name twice across the entry's files is an error naming both rows
    (within one file the reader has said so already)."""
    if len(rows.groups) < 2:
        return
    first: dict[str, int] = {}
    for r, name in enumerate(rows.names):
        key = rules.name_key(name)
        if key in first and rows.places[first[key]].split(" ")[0] != rows.places[r].split(" ")[0]:
            what = f"duplicate name {rules_excerpt(name)} (also {rows.places[first[key]]})"
            errors.add(f"{rows.places[r]}: {what}; add `combine:` to combine such rows")
        first.setdefault(key, r)


def _dated_cells(rows: Rows) -> None:
    if rows.dates is None:
        return
    for r, date in enumerate(rows.dates):
        if date is None:
            continue
        for j in np.flatnonzero(~np.isnan(rows.values[r])):
            cell = rows.cells.setdefault((r, int(j)), rows.provenance(r))
            cell["date"] = date


def entry_values(ctx: Context, i: int, cand: TableEntry, rows: Rows) -> None:
    """`metrics:` on a table or `each:` entry: the same value for every row. A row whose file
    gives the metric too is an error naming both."""
    loc: yamlio.Loc = ("candidates", i, "from")
    errors = RowErrors(ctx, loc)
    for metric, value in cand.metrics.items():
        j = ctx.index.get(metric)
        if j is None or value is None:
            continue
        vloc = ("candidates", i, "metrics", metric)
        number = ctx.number(vloc, value.value, ctx.metrics[j].unit)
        line = ctx.doc.line(vloc)
        for r in np.flatnonzero(~np.isnan(rows.values[:, j])):
            errors.add(
                f"{rows.places[int(r)]}: {metric} is in the file and under `metrics:` "
                f"(line {line}); keep one"
            )
        rows.values[:, j] = np.where(np.isnan(rows.values[:, j]), number, rows.values[:, j])
    errors.report()


def table_block(ctx: Context, i: int, cand: TableEntry, files: list[SourceFile]) -> Block | None:
    """The rows of a table entry, each a candidate with the entry's tags."""
    cloc: yamlio.Loc = ("candidates", i)
    for key in ("name", "price"):
        if key in ctx.doc.data["candidates"][i]:
            what = f"'{key}' does not go with a table `from:` (each row is a candidate)"
            ctx.fail((*cloc, key), what, key=True)
    if ctx.defer_datasets and any(f.path.is_dir() for f in files):
        return _deferred(ctx, i, cand, files)
    rows = read_rows(ctx, i, cand, files)
    if rows is None:
        return None
    entry_values(ctx, i, cand, rows)
    line, col = ctx.doc.pos((*cloc, "from"))
    k, d = len(rows.names), len(ctx.metrics)
    lines = np.full((k, d), line, dtype=np.int64)  # not `empty`: its NaN arrays go unused
    cols = np.full((k, d), col, dtype=np.int64)
    for metric in cand.metrics:
        if metric in ctx.index:
            j = ctx.index[metric]
            lines[:, j], cols[:, j] = ctx.doc.pos((*cloc, "metrics", metric))
    tags = frozenset(cand.tags)
    return Block(
        names=rows.names,
        values=rows.values,
        stderr=rows.stderr,
        lines=lines,
        cols=cols,
        cand_lines=np.full(k, line, dtype=np.int64),
        tags=tags,
        cells=rows.cells,
        groups=rows.groups,
        row_tags=None if rows.row_tags is None else [tags | t for t in rows.row_tags],
    )


def _deferred(ctx: Context, i: int, cand: TableEntry, files: list[SourceFile]) -> Block | None:
    """A dataset folder listed (files, row counts, columns) but not read: the dask engine reads
    it piece by piece. The entry must be the plain kind: one folder, its rows as candidates."""
    from tradeoff.data import DatasetRef
    from tradeoff.sources import columns as cols_mod
    from tradeoff.sources.common import SourceProblem
    from tradeoff.sources.dataset import open_dataset

    floc: yamlio.Loc = ("candidates", i, "from")
    extra = [k for k in ("metrics", "tag_columns", "combine", "rows") if getattr(cand, k)]
    if len(files) > 1 or extra:
        what = "--engine dask reads one dataset folder per entry, without " + ", ".join(
            extra or ["other files"]
        )
        ctx.fail(floc, what)
        return None
    try:
        dataset = open_dataset(files[0].path, files[0].display, ctx.allow_external)
    except SourceProblem as exc:
        problems(ctx, floc, exc)
        return None
    names = [m.name for m in ctx.metrics]
    units = {m.name: m.unit for m in ctx.metrics}
    spec = _spec(cand)
    bad = cols_mod.check_spec(spec, names)
    for what in bad:
        ctx.fail(("candidates", i, "columns"), what)
    plan = cols_mod.plan(list(dataset.available), names, units, spec, [], files[0].display)
    line, col = ctx.doc.pos(floc)
    tags = frozenset(cand.tags)
    ref = DatasetRef(
        dataset,
        dict(plan.columns),
        dict(plan.cell_units),
        dict(plan.factors),
        plan.name,
        tags,
        line,
        col,
        yamlio.format_loc(floc),
    )
    k, d = 0, len(ctx.metrics)
    values, stderr, lines, cols = empty(k, d, line, col)
    return Block([], values, stderr, lines, cols, lines[:, 0], tags, dataset=ref)
