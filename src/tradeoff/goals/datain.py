"""Candidates entries -> blocks of rows: inline values, `from:` files and `price:` lookups.

Each entry of `candidates` becomes one block: one row for an inline candidate (whose values may
come partly from an lm-eval or optimum-benchmark file, or from genai-prices), or one row per
line of a CSV, Parquet or JSON Lines table. Blocks stay as arrays; a million-row table never
becomes a million Python objects beyond its names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradeoff import units
from tradeoff.data import MetricSpec, SourceGroup
from tradeoff.errors import Diagnostic
from tradeoff.goals import yamlio
from tradeoff.goals.schema import Candidate, GoalsFile, Measurement, parse_quantity

F64 = NDArray[np.float64]


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
    group: SourceGroup | None = None


@dataclass
class Context:
    """What every entry needs: the file, its metrics, and where sources may come from."""

    doc: yamlio.Document
    goals: GoalsFile
    metrics: list[MetricSpec]
    base_dir: Path
    allow_external: bool
    errors: list[Diagnostic] = field(default_factory=list)
    prices: dict[str, Any] = field(default_factory=dict)  # genai-prices version and lookup time
    read: list[Path] = field(default_factory=list)  # every file a `from:` entry names

    def __post_init__(self) -> None:
        self.index = {m.name: j for j, m in enumerate(self.metrics)}
        sources = {name: m.source for name, m in self.goals.metrics.items() if m.source}
        self.price_metric = next((n for n, s in sources.items() if s.price), None)
        self.lm_eval = {
            n: (s.lm_eval.task, s.lm_eval.field) for n, s in sources.items() if s.lm_eval
        }
        self.optimum = {
            n: (s.optimum_benchmark.target, s.optimum_benchmark.field)
            for n, s in sources.items()
            if s.optimum_benchmark
        }

    def fail(self, loc: yamlio.Loc, what: str, *, key: bool = False) -> None:
        line, col = self.doc.pos(loc, key=key)
        self.errors.append(Diagnostic(self.doc.file, line, col, yamlio.format_loc(loc), what))

    def number(self, loc: yamlio.Loc, raw: float | str, unit: str | None) -> float:
        number, given = parse_quantity(raw)
        if given is None:
            return number
        try:
            return units.convert(number, given, unit)
        except ValueError as exc:
            self.fail(loc, str(exc))
            return float("nan")


def _empty(
    k: int, d: int, line: int, col: int
) -> tuple[F64, F64, NDArray[np.int64], NDArray[np.int64]]:
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


def entry_block(ctx: Context, i: int, cand: Candidate) -> Block | None:
    """The rows of entry `i`; None (with errors in `ctx`) when its source cannot be read."""
    from tradeoff.sources.common import SourceProblem
    from tradeoff.sources.readers import kind_of, resolve_source

    cloc: yamlio.Loc = ("candidates", i)
    if cand.from_ is None:
        return _inline(ctx, i, cand, None)
    floc = (*cloc, "from")
    try:
        path = resolve_source(ctx.base_dir, cand.from_, ctx.allow_external)
        ctx.read.append(path)
        kind = kind_of(path, cand.from_)
    except SourceProblem as exc:
        _problems(ctx, floc, exc)
        return None
    if kind == "table":
        return _table(ctx, i, cand, path)
    return _inline(ctx, i, cand, (path, kind))


def _problems(ctx: Context, loc: yamlio.Loc, exc: Exception) -> None:
    for place, what in getattr(exc, "problems", [("", str(exc))]):
        ctx.fail(loc, f"{place}: {what}" if place else what)


def _table(ctx: Context, i: int, cand: Candidate, path: Path) -> Block | None:
    from tradeoff.sources.common import SourceProblem
    from tradeoff.sources.readers import read_table

    cloc: yamlio.Loc = ("candidates", i)
    for key in ("name", "metrics", "price"):
        if key in ctx.doc.data["candidates"][i]:
            what = f"'{key}' does not go with a table `from:` (each row is a candidate)"
            ctx.fail((*cloc, key), what, key=True)
    names = [m.name for m in ctx.metrics]
    try:
        table = read_table(
            path, names, cand.columns, cand.from_, units={m.name: m.unit for m in ctx.metrics}
        )
    except SourceProblem as exc:
        _problems(ctx, (*cloc, "from"), exc)
        return None
    line, col = ctx.doc.pos((*cloc, "from"))
    k, d = len(table.names), len(names)
    _, stderr, lines, cols = _empty(k, d, line, col)
    group = SourceGroup(
        display=table.display,
        row_numbers=table.row_numbers,
        row_label=table.row_label,
        provenance={"source": table.display},
    )
    return Block(
        names=table.names,
        values=np.asarray(table.values, dtype=np.float64),
        stderr=stderr,
        lines=lines,
        cols=cols,
        cand_lines=np.full(k, line, dtype=np.int64),
        tags=frozenset(cand.tags),
        group=group,
    )


def _inline(ctx: Context, i: int, cand: Candidate, source: tuple[Path, str] | None) -> Block:
    doc = ctx.doc
    cloc: yamlio.Loc = ("candidates", i)
    anchor = (*cloc, "metrics") if (*cloc, "metrics") in doc.keys else (*cloc, "name")
    line, col = doc.pos(anchor, key=True)
    values, stderr, lines, cols = _empty(1, len(ctx.metrics), line, col)
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    for metric, value in cand.metrics.items():
        j = ctx.index.get(metric)
        if j is None or value is None:
            continue
        vloc = (*cloc, "metrics", metric)
        lines[0, j], cols[0, j] = doc.pos(vloc)
        unit = ctx.metrics[j].unit
        values[0, j] = ctx.number(vloc, value.value, unit)
        if value.stderr is not None:
            stderr[0, j] = ctx.number((*vloc, "stderr"), value.stderr, unit)
        if prov := provenance(value):
            cells[(0, j)] = prov
    if source is not None:
        _from_file(ctx, i, cand, source, values, stderr, lines, cols, cells)
    if cand.price is not None:
        _price(ctx, i, cand, values, lines, cols, cells)
    if cand.name is None:
        ctx.fail(cloc, "missing required key 'name' (a results file holds one candidate)")
    return Block(
        names=[cand.name or ""],
        values=values,
        stderr=stderr,
        lines=lines,
        cols=cols,
        cand_lines=np.array([line], dtype=np.int64),
        tags=frozenset(cand.tags),
        cells=cells,
    )


def _given_twice(ctx: Context, i: int, cand: Candidate, metric: str, what: str) -> bool:
    if metric in cand.metrics and cand.metrics[metric] is not None:
        loc: yamlio.Loc = ("candidates", i, "metrics", metric)
        ctx.fail(loc, f"'{metric}' is given here and also comes from {what}; keep one", key=True)
        return True
    return False


def _from_file(
    ctx: Context,
    i: int,
    cand: Candidate,
    source: tuple[Path, str],
    values: F64,
    stderr: F64,
    lines: NDArray[np.int64],
    cols: NDArray[np.int64],
    cells: dict[tuple[int, int], dict[str, Any]],
) -> None:
    from tradeoff.sources.common import SourceProblem
    from tradeoff.sources.readers import read_lm_eval, read_optimum_benchmark

    path, kind = source
    floc: yamlio.Loc = ("candidates", i, "from")
    line, col = ctx.doc.pos(floc)
    if cand.columns is not None:
        ctx.fail(("candidates", i, "columns"), "'columns' goes with a table `from:` only", key=True)
    wanted = ctx.lm_eval if kind == "lm_eval" else ctx.optimum
    label = "lm_eval" if kind == "lm_eval" else "optimum_benchmark"
    if not wanted:
        what = f"{cand.from_} is a {label} file, but no metric has `source: {{{label}: ...}}`"
        ctx.fail(floc, what)
        return

    def read(fields: dict[str, tuple[str, str]]) -> dict[str, tuple[float, float | None, Any]]:
        if kind == "lm_eval":
            percent = {m: (ctx.metrics[ctx.index[m]].unit or "").strip() == "%" for m in fields}
            return read_lm_eval(path, fields, percent, cand.from_)
        unit_of = {m: ctx.metrics[ctx.index[m]].unit for m in fields}
        found = read_optimum_benchmark(path, fields, unit_of, cand.from_)
        return {m: (v, None, prov) for m, (v, prov) in found.items()}

    # A metric written under `metrics:` (a value, or null for none) is taken from there when the
    # file lacks it, so one candidate can miss a task the others ran; if the file has it too,
    # the two must not compete.
    inline = [m for m in wanted if m in cand.metrics]
    try:
        got = read({m: f for m, f in wanted.items() if m not in inline})
    except SourceProblem as exc:
        _problems(ctx, floc, exc)
        return
    for metric in inline:
        try:
            read({metric: wanted[metric]})
        except SourceProblem:
            continue
        loc: yamlio.Loc = ("candidates", i, "metrics", metric)
        ctx.fail(
            loc, f"'{metric}' is given here and also comes from {cand.from_}; keep one", key=True
        )
    for metric, (value, se, prov) in got.items():
        j = ctx.index[metric]
        values[0, j] = value
        if se is not None:
            stderr[0, j] = se
        lines[0, j], cols[0, j] = line, col
        cells[(0, j)] = dict(prov)


def _price(
    ctx: Context,
    i: int,
    cand: Candidate,
    values: F64,
    lines: NDArray[np.int64],
    cols: NDArray[np.int64],
    cells: dict[tuple[int, int], dict[str, Any]],
) -> None:
    from tradeoff.sources.common import SourceProblem
    from tradeoff.sources.readers import price_per_request

    ploc: yamlio.Loc = ("candidates", i, "price")
    metric = ctx.price_metric
    workload = ctx.goals.workload
    if metric is None:
        ctx.fail(ploc, "`price:` needs a metric marked `source: price` to fill", key=True)
        return
    if workload is None:
        ctx.fail(
            ploc, "`price:` needs a top-level `workload: {input_tokens, output_tokens}`", key=True
        )
        return
    unit = ctx.metrics[ctx.index[metric]].unit
    scale = units.per_request(unit)
    if scale is None:
        return  # reported once, at the metric (see check_price_metric)
    if _given_twice(ctx, i, cand, metric, "`price:`"):
        return
    assert cand.price is not None
    try:
        usd, prov = price_per_request(
            cand.price.provider, cand.price.model, workload.input_tokens, workload.output_tokens
        )
    except SourceProblem as exc:
        _problems(ctx, ploc, exc)
        return
    j = ctx.index[metric]
    values[0, j] = usd * scale
    lines[0, j], cols[0, j] = ctx.doc.pos(ploc)
    cells[(0, j)] = {**prov, "workload": workload.model_dump()}
    ctx.prices.setdefault("genai_prices_version", prov.get("genai_prices_version"))
    ctx.prices.setdefault("looked_up_at", prov.get("looked_up_at"))


def check_price_metric(ctx: Context) -> None:
    """A `source: price` metric must be in a per-request unit (USD/request, USD/1k requests)."""
    metric = ctx.price_metric
    if metric is None:
        return
    unit = ctx.metrics[ctx.index[metric]].unit
    if units.per_request(unit) is None:
        loc: yamlio.Loc = ("metrics", metric, "unit") if unit else ("metrics", metric)
        shown = f"'{unit}'" if unit else "no unit"
        ctx.fail(
            loc,
            f"a `source: price` metric needs a cost-per-request unit such as USD/request or "
            f"USD/1k requests, got {shown}",
        )


def join_table(
    ctx: Context,
    i: int,
    cand: Candidate,
    names: list[str],
    tags: list[frozenset[str]],
    values: F64,
    lines: NDArray[np.int64],
    cols: NDArray[np.int64],
    cells: dict[tuple[int, int], dict[str, Any]],
) -> None:
    """`from: table, join: name`: each row adds its values to the candidate of the same name.

    A row naming no candidate, or a value the candidate already has (inline or from another
    source), is an error naming the file and row. Empty cells add nothing. The entry's `tags`
    are added to every candidate it joins.
    """
    from tradeoff.sources.common import SourceProblem, close_matches
    from tradeoff.sources.readers import kind_of, read_table, resolve_source

    cloc: yamlio.Loc = ("candidates", i)
    floc = (*cloc, "from")
    for key in ("name", "metrics", "price"):
        if key in ctx.doc.data["candidates"][i]:
            ctx.fail(
                (*cloc, key),
                f"'{key}' does not go with `join:` (the rows name candidates)",
                key=True,
            )
    metric_names = [m.name for m in ctx.metrics]
    try:
        path = resolve_source(ctx.base_dir, cand.from_ or "", ctx.allow_external)
        ctx.read.append(path)
        if kind_of(path, cand.from_) != "table":
            raise SourceProblem(
                [(cand.from_ or "", "`join:` needs a CSV, Parquet or JSON Lines table")]
            )
        table = read_table(
            path,
            metric_names,
            cand.columns,
            cand.from_,
            units={m.name: m.unit for m in ctx.metrics},
        )
    except SourceProblem as exc:
        _problems(ctx, floc, exc)
        return
    line, col = ctx.doc.pos(floc)
    where = {name: k for k, name in enumerate(names)}
    extra = frozenset(cand.tags)
    reported = 0
    for r, name in enumerate(table.names):
        k = where.get(name)
        if k is None:
            if reported < 20:
                what = f"{table.place(r)}: no candidate named {name!r} to join"
                ctx.fail(floc, what + close_matches(name, names))
                reported += 1
            continue
        if extra:
            tags[k] = tags[k] | extra
        for j in np.flatnonzero(~np.isnan(table.values[r])):
            metric = metric_names[j]
            if not np.isnan(values[k, j]):
                ctx.fail(
                    floc,
                    f"{table.place(r, metric)}: {name!r} already has a value for {metric} "
                    f"(line {int(lines[k, j])}); keep one",
                )
                continue
            values[k, j] = table.values[r, j]
            lines[k, j], cols[k, j] = line, col
            cells[(k, int(j))] = {
                "source": table.display,
                table.row_label: int(table.row_numbers[r]),
            }
