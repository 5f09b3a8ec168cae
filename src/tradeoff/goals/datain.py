"""Candidates entries -> blocks of rows: inline values, `from:` files and `price:` lookups.

Each entry of `candidates` becomes one block: one row for an inline candidate (whose values may
come partly from its results files, looked up by `lookup.py`, or from genai-prices), one row per
file or run of an `each:` entry (`each.py`), or one row per line of a table (`tablein.py`).
Blocks stay as arrays; a million-row table never becomes a million Python objects beyond its
names.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tradeoff import units
from tradeoff.arrays import F64
from tradeoff.goals import yamlio
from tradeoff.goals.blocks import (
    Block,
    Context,
    Row,
    Stacked,
    TableEntry,
    empty,
    inline_values,
    patterns,
    place_of,
    problems,
    shown,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from tradeoff.data import ItemScores
    from tradeoff.goals.schema import Candidate
    from tradeoff.sources.kinds import SourceFile

__all__ = ["Block", "Context", "check_price_metric", "entry_block", "join_entry"]


def entry_block(ctx: Context, i: int, cand: Candidate) -> Block | None:
    """The rows of entry `i`; None (with errors in `ctx`) when its source cannot be read."""
    from tradeoff.goals import tablein

    if cand.unmatched is not None:
        ctx.fail(("candidates", i, "unmatched"), "'unmatched' goes with `join:`", key=True)
    if cand.each is not None:
        from tradeoff.goals.each import each_block

        _table_keys_only(ctx, i, cand)
        return each_block(ctx, i, cand)
    if cand.from_ is None:
        _table_keys_only(ctx, i, cand)
        return _inline(ctx, i, cand, [])
    files = open_files(ctx, i, cand)
    if files is None:
        return None
    tables = [f for f in files if tablein.is_table(f, cand)]
    if not tables:
        _table_keys_only(ctx, i, cand)
    else:
        if len(tables) < len(files):
            other = next(f for f in files if not tablein.is_table(f, cand))
            what = (
                f"{shown(tables[0].display)} is a table and {shown(other.display)} is not; "
                "a table entry reads tables only"
            )
            ctx.fail(place_of(i, cand)(other), what)
            return None
        return tablein.table_block(ctx, i, cand, files)
    return _inline(ctx, i, cand, files)


def _table_keys_only(ctx: Context, i: int, cand: Candidate) -> None:
    json_files = any(p.lower().endswith(".json") for p in patterns(cand))
    hint = " (a `.json` file is read as a table with `rows: EXPR`)" if json_files else ""
    for key in ("columns", "tag_columns", "combine"):
        if getattr(cand, key) is not None:
            what = f"'{key}' goes with a table `from:` only{hint}"
            ctx.fail(("candidates", i, key), what, key=True)
    if cand.rows is not None:
        what = "'rows' goes with a table `from:` of `.json` files only"
        ctx.fail(("candidates", i, "rows"), what, key=True)


def check_expressions(ctx: Context) -> None:
    """Every JMESPath (`json:` sources, `rows:`) compiles; one that does not is reported once,
    where it is written, and its metric is looked up nowhere."""
    from tradeoff.sources.readers import check_jmespath

    for metric, (key, spec) in list(ctx.file_sources.items()):
        if key == "json" and (problem := check_jmespath(str(spec))) is not None:
            ctx.fail(("metrics", metric, "source", "json"), problem)
            del ctx.file_sources[metric]
            ctx.notes["dropped_sources"] = True  # files it would read are not "read by none"
    assert ctx.goals is not None  # the full path's
    for i, cand in enumerate(ctx.goals.candidates):
        if cand.rows is not None and (problem := check_jmespath(cand.rows)) is not None:
            ctx.fail(("candidates", i, "rows"), problem)


def join_entry(ctx: Context, i: int, cand: Candidate, target: Stacked) -> None:
    """A `join: name` entry (a table, or `each:` files): its values go to the candidates its
    rows (or its name template) name."""
    from tradeoff.goals import tablein, tablejoin

    cloc: yamlio.Loc = ("candidates", i)
    keys = ("metrics", "price") if cand.each is not None else ("name", "metrics", "price")
    for key in keys:
        if key in ctx.doc.data["candidates"][i]:
            what = f"'{key}' does not go with `join:` (the rows name candidates)"
            ctx.fail((*cloc, key), what, key=True)
    if cand.each is not None:
        from tradeoff.goals.each import each_rows

        rows = each_rows(ctx, i, cand)
    else:
        files = open_files(ctx, i, cand)
        if files is None:
            return
        if any(not tablein.is_table(f, cand) for f in files):
            other = next(f for f in files if not tablein.is_table(f, cand))
            what = f"{shown(other.display)}: `join:` needs a table (CSV, Parquet, JSON Lines, "
            ctx.fail(place_of(i, cand)(other), what + "or JSON with `rows:`)")
            return
        rows = tablein.read_rows(ctx, i, cand, files)
    if rows is not None:
        tablejoin.join_rows(ctx, i, cand, rows, target)


def open_files(ctx: Context, i: int, cand: TableEntry) -> list[SourceFile] | None:
    """Every file the entry's `from:` names, globs expanded in sorted order, each file once;
    None (with errors in `ctx`) when a path or pattern fails."""
    from tradeoff.sources.common import SourceProblem
    from tradeoff.sources.kinds import open_file
    from tradeoff.sources.paths import expand

    listed = isinstance(cand.from_, list)
    out: list[SourceFile] = []
    seen: set[Path] = set()
    ok = True
    for k, pattern in enumerate(patterns(cand)):
        loc: yamlio.Loc = ("candidates", i, "from", k) if listed else ("candidates", i, "from")
        try:
            for match in expand(ctx.base_dir, pattern, ctx.allow_external):
                if match.path in seen:
                    continue
                seen.add(match.path)
                ctx.read.append(match.path)
                f = open_file(match.path, match.display, k)
                f.run = cand.run
                out.append(f)
        except SourceProblem as exc:
            problems(ctx, loc, exc)
            ok = False
    return out if ok else None


def _inline(ctx: Context, i: int, cand: Candidate, files: list[SourceFile]) -> Block:
    from tradeoff.goals import lookup

    doc = ctx.doc
    cloc: yamlio.Loc = ("candidates", i)
    anchor = (*cloc, "metrics") if (*cloc, "metrics") in doc.keys else (*cloc, "name")
    line, col = doc.pos(anchor, key=True)
    values, stderr, lines, cols = empty(1, len(ctx.metrics), line, col)
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    inline_values(ctx, i, cand, Row(values, stderr, lines, cols, cells))
    items: dict[int, ItemScores] = {}
    if files:
        row = Row(values, stderr, lines, cols, cells)
        logs = [f for f in files if f.kind == "lm_eval_samples"] if ctx.samples else []
        kept = [f for f in files if f not in logs]  # the samples files are read below
        lookup.fill(ctx, i, cand, kept, row, place_of(i, cand))
        if ctx.samples:
            items = _items(ctx, i, cand, logs, values, cells)
    if cand.price is not None:
        _price(ctx, i, cand, values, lines, cols, cells)
    # Without `from:`, or with `name: null`, the loader has already said what is wrong.
    if cand.name is None and files and (*cloc, "name") not in doc.keys:
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
        items=items,
    )


def _items(
    ctx: Context,
    i: int,
    cand: Candidate,
    logs: list[SourceFile],
    values: F64,
    cells: dict[tuple[int, int], dict[str, Any]],
) -> dict[int, ItemScores]:
    """Per-item values of the `samples: true` metrics whose value came from a results file."""
    from tradeoff.goals.items import read_items

    results = {
        m: (str(cells[(0, ctx.index[m])]["source"]), float(values[0, ctx.index[m]]))
        for m in ctx.samples
        if m not in cand.metrics and "source" in cells.get((0, ctx.index[m]), {})
    }
    place = place_of(i, cand)

    def where(f: SourceFile | None) -> yamlio.Loc:
        return place(f) if f is not None else ("candidates", i, "from")

    tasks = {task for task, _ in ctx.samples.values()}
    for f in logs:
        if not any(Path(f.display).name.startswith(f"samples_{t}_") for t in tasks):
            what = f"{shown(f.display)} is an lm-eval samples file of no `samples: true` task"
            ctx.fail(place(f), what + f" ({', '.join(sorted(tasks))})")
    found = read_items(ctx, results, logs, where)
    return {ctx.index[m]: got for m, got in found.items()}


def _given_twice(ctx: Context, i: int, cand: Candidate, metric: str, what: str) -> bool:
    if metric in cand.metrics and cand.metrics[metric] is not None:
        loc: yamlio.Loc = ("candidates", i, "metrics", metric)
        ctx.fail(loc, f"'{metric}' is given here and also comes from {what}; keep one", key=True)
        return True
    return False


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
    assert ctx.goals is not None  # the full path's
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
            cand.price.provider,
            cand.price.model,
            workload.input_tokens,
            workload.output_tokens,
            _day(cand.price.at),
            workload.cached_input_tokens,
        )
    except SourceProblem as exc:
        problems(ctx, ploc, exc)
        return
    if "first_price" in prov:
        what = (
            f"{prov['model']} at {prov['provider']} has no price recorded before "
            f"{prov['first_price']}; the first one is used for {cand.price.at}"
        )
        ctx.warn((*ploc, "at"), what)
    j = ctx.index[metric]
    values[0, j] = usd * scale
    lines[0, j], cols[0, j] = ctx.doc.pos(ploc)
    cells[(0, j)] = {**prov, "workload": workload.model_dump(exclude_defaults=True)}
    ctx.prices.setdefault("genai_prices_version", prov.get("genai_prices_version"))
    ctx.prices.setdefault("looked_up_at", prov.get("looked_up_at"))


def _day(day: Any) -> Any:
    """A price date as genai-prices' request timestamp: that day, 00:00 UTC."""
    from datetime import UTC, datetime, time

    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


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
