"""What every `candidates` entry is built with: the context, blocks of rows, shared helpers.

`datain.py` dispatches each entry (inline, results files, `each:`, tables) to the module that
builds its block; they all start from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from tradeoff import units
from tradeoff.arrays import F64
from tradeoff.data import BudgetSpec, DatasetRef, ItemScores, MetricSpec, SourceGroup, StudyData
from tradeoff.errors import Diagnostic
from tradeoff.goals import yamlio
from tradeoff.quantity import parse_quantity

if TYPE_CHECKING:
    from tradeoff.goals.schema import Candidate, Column, Combine, GoalsFile, Measurement
    from tradeoff.sources.kinds import Found, SourceFile

MAX_SHOWN = 20
"""Row problems shown per entry; the rest are counted ("20 of 46 shown")."""


class TableEntry(Protocol):
    """What reading a table entry's files asks of the entry: a `schema.Candidate`, or the
    pydantic-free stand-in of `fastpath.py` for a plain `{from: ..., tags: [...]}` entry."""

    @property
    def from_(self) -> str | list[str] | None: ...
    @property
    def run(self) -> int | None: ...
    @property
    def rows(self) -> str | None: ...
    @property
    def columns(self) -> Mapping[str, str | Column] | None: ...
    @property
    def tag_columns(self) -> list[str] | None: ...
    @property
    def combine(self) -> Combine | None: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def metrics(self) -> Mapping[str, Measurement | None]: ...


@dataclass
class Block:
    """Rows from one entry of `candidates`."""

    names: list[str]
    values: F64
    stderr: F64
    lines: NDArray[np.int64]
    cols: NDArray[np.int64]
    cand_lines: NDArray[np.int64]
    tags: frozenset[str]
    cells: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)  # local row index
    groups: list[SourceGroup] = field(default_factory=list)  # `start` counts within the block
    row_tags: list[frozenset[str]] | None = None  # per row, when rows differ (`tag_columns`)
    dataset: DatasetRef | None = None  # a dataset folder left unread (no rows here)
    items: dict[int, ItemScores] = field(default_factory=dict)  # metric column -> per-item values


@dataclass
class Stacked:
    """Every entry's block, one after another: the study's candidates (`stack`)."""

    names: list[str]
    tags: list[frozenset[str]]
    values: F64
    stderr: F64
    lines: NDArray[np.int64]
    cols: NDArray[np.int64]
    cand_lines: NDArray[np.int64]
    provenance: dict[tuple[int, int], dict[str, Any]]
    groups: list[SourceGroup]
    datasets: list[DatasetRef]
    items: dict[tuple[int, int], ItemScores]
    entry_of: dict[int, int]  # row -> its entry, for rows with per-item values

    def study(
        self,
        doc: yamlio.Document,
        title: str | None,
        metrics: list[MetricSpec],
        budgets: list[BudgetSpec],
        profiles: dict[str, dict[str, float]],
        **more: Any,
    ) -> StudyData:
        """The `StudyData` of these rows: every field here but `entry_of`, and `more` (its other
        fields, such as `warnings`)."""
        rows = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "entry_of"}
        return StudyData(
            doc.file, title, metrics, budgets=budgets, profiles=profiles, **rows, **more
        )


def stack(kept: list[tuple[int, Block]], d: int) -> Stacked:
    """The blocks of entries `kept` (entry index, block) as one set of rows, `d` metrics wide."""
    names: list[str] = []
    tags: list[frozenset[str]] = []
    provenance: dict[tuple[int, int], dict[str, Any]] = {}
    groups: list[SourceGroup] = []
    datasets: list[DatasetRef] = []
    items: dict[tuple[int, int], ItemScores] = {}
    entry_of: dict[int, int] = {}
    start = 0
    for entry, b in kept:
        if b.dataset is not None:
            datasets.append(replace(b.dataset, start=start))
        items.update({(start, j): got for j, got in b.items.items()})
        entry_of.update({start + r: entry for r in range(len(b.names))} if b.items else {})
        names.extend(b.names)
        tags.extend(b.row_tags if b.row_tags is not None else [b.tags] * len(b.names))
        provenance.update({(start + r, j): p for (r, j), p in b.cells.items()})
        groups.extend(replace(g, start=g.start + start) for g in b.groups)
        start += len(b.names)

    def joined(attr: str, shape: tuple[int, ...], dtype: Any) -> Any:
        parts = [getattr(b, attr) for _, b in kept]
        if len(parts) == 1:
            return parts[0]  # one table: no copy of a million rows (the block is not reused)
        return np.concatenate(parts) if parts else np.zeros(shape, dtype=dtype)

    return Stacked(
        names,
        tags,
        joined("values", (0, d), np.float64),
        joined("stderr", (0, d), np.float64),
        joined("lines", (0, d), np.int64),
        joined("cols", (0, d), np.int64),
        joined("cand_lines", (0,), np.int64),
        provenance,
        groups,
        datasets,
        items,
        entry_of,
    )


@dataclass
class Rows:
    """Rows of an entry before they become candidates (or join some).

    `places[r]` says where row r is ("latency.csv row 3"); `groups` cover the rows file by file
    (their `start` counts from the first row here).
    """

    names: list[str]
    values: F64
    stderr: F64
    places: Sequence[str]
    cells: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    row_tags: list[frozenset[str]] | None = None
    groups: list[SourceGroup] = field(default_factory=list)
    dates: list[str | None] | None = None
    info: list[dict[str, Any]] | None = None  # per row, where `groups` cannot say (combined rows)
    lines: NDArray[np.int64] | None = None  # where each value was written, when rows know
    cols: NDArray[np.int64] | None = None

    def provenance(self, r: int) -> dict[str, Any]:
        """Where row r came from: its file and row, as `explain` shows it."""
        for g in self.groups:
            if g.start <= r < g.start + len(g.row_numbers):
                return {**g.provenance, g.row_label: int(g.row_numbers[r - g.start])}
        return dict(self.info[r]) if self.info is not None else {}


class RowErrors:
    """Problems with rows, in row order, at most `MAX_SHOWN` kept and the rest counted."""

    def __init__(self, ctx: Context, loc: yamlio.Loc) -> None:
        self.ctx, self.loc = ctx, loc
        self.found: list[str] = []

    def add(self, what: str) -> None:
        self.found.append(what)

    def report(self) -> bool:
        """Report what was found; True when there was nothing."""
        total = len(self.found)
        for k, what in enumerate(self.found[:MAX_SHOWN]):
            if total > MAX_SHOWN and k == MAX_SHOWN - 1:
                what += f" ({MAX_SHOWN} of {total} shown)"
            self.ctx.fail(self.loc, what)
        return not self.found


@dataclass
class Context:
    """What every entry needs: the file, its metrics, and where sources may come from."""

    doc: yamlio.Document
    goals: GoalsFile | None  # None on the fast path: no sources, prices or workload to consult
    metrics: list[MetricSpec]
    base_dir: Path
    allow_external: bool
    errors: list[Diagnostic] = field(default_factory=list)
    prices: dict[str, Any] = field(default_factory=dict)  # genai-prices version and lookup time
    read: list[Path] = field(default_factory=list)  # every file a `from:` entry names
    warnings: list[Diagnostic] = field(default_factory=list)  # validate warns, rank notes
    notes: dict[str, Any] = field(default_factory=dict)  # e.g. rows `join:` ignored, per entry
    defer_datasets: bool = False  # list dataset folders, leave their rows to the dask engine

    def __post_init__(self) -> None:
        self.index = {m.name: j for j, m in enumerate(self.metrics)}
        declared = self.goals.metrics.items() if self.goals is not None else ()
        sources = {name: m.source for name, m in declared if m.source}
        self.price_metric = next((n for n, s in sources.items() if s.price), None)
        # metric -> (its source's key, e.g. `lm_eval`, and what it asks for): looked up in the
        # candidates' files by the reader `sources.readers.READERS[key]`.
        self.file_sources: dict[str, tuple[str, Any]] = {}
        for name, source in sources.items():
            for key, info in type(source).model_fields.items():
                spec = getattr(source, key)
                if key != "price" and spec is not None:
                    self.file_sources[name] = (info.alias or key, spec)
        # metric -> (task, field) of `lm_eval` sources with `samples: true` (goals/items.py)
        self.samples: dict[str, tuple[str, str]] = {
            n: (s.lm_eval.task, s.lm_eval.field)
            for n, s in sources.items()
            if s.lm_eval is not None and s.lm_eval.samples
        }

    def fail(self, loc: yamlio.Loc, what: str, *, key: bool = False) -> None:
        line, col = self.doc.pos(loc, key=key)
        self.errors.append(Diagnostic(self.doc.file, line, col, yamlio.format_loc(loc), what))

    def warn(self, loc: yamlio.Loc, what: str) -> None:
        line, col = self.doc.pos(loc)
        self.warnings.append(Diagnostic(self.doc.file, line, col, yamlio.format_loc(loc), what))

    def warn_once(self, loc: yamlio.Loc, what: str) -> None:
        """`warn`, unless the same words were already said at the same place."""
        line, col = self.doc.pos(loc)
        found = Diagnostic(self.doc.file, line, col, yamlio.format_loc(loc), what)
        if found not in self.warnings:
            self.warnings.append(found)

    def number(self, loc: yamlio.Loc, raw: float | str, unit: str | None) -> float:
        number, given = parse_quantity(raw)
        if given is None:
            return number
        try:
            return units.convert(number, given, unit)
        except ValueError as exc:
            self.fail(loc, str(exc))
            return float("nan")


def empty(
    k: int, d: int, line: int, col: int
) -> tuple[F64, F64, NDArray[np.int64], NDArray[np.int64]]:
    """NaN values and stderrs for `k` rows of `d` metrics, every cell located at (line, col)."""
    lines = np.full((k, d), line, dtype=np.int64)
    cols = np.full((k, d), col, dtype=np.int64)
    return np.full((k, d), np.nan), np.full((k, d), np.nan), lines, cols


def provenance(value: Measurement) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if value.kind != "measured":
        out["kind"] = value.kind
    if value.date is not None:
        out["date"] = value.date.isoformat()
    if value.citation is not None:
        out["citation"] = value.citation
    return out


@dataclass
class Row:
    """One candidate's cells in a block: row `r` of its arrays."""

    values: NDArray[np.float64]
    stderr: NDArray[np.float64]
    lines: NDArray[np.int64]
    cols: NDArray[np.int64]
    cells: dict[tuple[int, int], dict[str, Any]]
    r: int = 0

    def put(self, j: int, found: Found, line: int, col: int, extra: dict[str, Any]) -> None:
        self.values[self.r, j] = found.value
        if found.stderr is not None:
            self.stderr[self.r, j] = found.stderr
        self.lines[self.r, j], self.cols[self.r, j] = line, col
        self.cells[(self.r, j)] = {**found.provenance, **extra}


def shown(path: str) -> str:
    """A path or pattern as messages quote it (whole, escaped, up to 300 characters)."""
    from tradeoff.sources.paths import shown as quote

    return quote(path)


def patterns(cand: TableEntry) -> list[str]:
    """The entry's `from:` as a list."""
    if cand.from_ is None:
        return []
    return [cand.from_] if isinstance(cand.from_, str) else list(cand.from_)


def place_of(i: int, cand: TableEntry, key: str = "from") -> Callable[[SourceFile], yamlio.Loc]:
    """Where a file's problems are reported: its `from:` item (or `each:`)."""
    listed = key == "from" and isinstance(cand.from_, list)

    def place(f: SourceFile) -> yamlio.Loc:
        return ("candidates", i, key, f.entry) if listed else ("candidates", i, key)

    return place


def problems(ctx: Context, loc: yamlio.Loc, exc: Exception) -> None:
    """A reader's `SourceProblem` as located errors at `loc`."""
    for place, what in getattr(exc, "problems", [("", str(exc))]):
        ctx.fail(loc, f"{place}: {what}" if place else what)


def inline_values(ctx: Context, i: int, cand: Candidate, row: Row) -> None:
    """The entry's own `metrics:` into `row` (converted to each metric's unit)."""
    for metric, value in cand.metrics.items():
        j = ctx.index.get(metric)
        if j is None or value is None:
            continue
        vloc = ("candidates", i, "metrics", metric)
        row.lines[row.r, j], row.cols[row.r, j] = ctx.doc.pos(vloc)
        unit = ctx.metrics[j].unit
        row.values[row.r, j] = ctx.number(vloc, value.value, unit)
        if value.stderr is not None:
            row.stderr[row.r, j] = ctx.number((*vloc, "stderr"), value.stderr, unit)
        if prov := provenance(value):
            row.cells[(row.r, j)] = prov
