"""goals.yaml -> validated `StudyData`, with every problem reported at once and located."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tradeoff.data import BudgetSpec, MetricSpec, StudyData
from tradeoff.errors import Diagnostic, InputError
from tradeoff.goals import fastpath, yamlio
from tradeoff.goals.blocks import stack
from tradeoff.goals.yamlio import show_key
from tradeoff.rules import distinct_names, name_key

if TYPE_CHECKING:
    from tradeoff.goals import datain
    from tradeoff.goals.crosscheck import Checker
    from tradeoff.goals.schema import Bound, GoalsFile

# pydantic and the models in `schema.py` (and the second pass, formulas and roles) are imported
# only on the full path (`load_full`): most files take `fastpath.study_data`, and importing them
# costs more than the rest of a `rank`.


def _build(
    goals: GoalsFile, checker: Checker, base_dir: Path, allow_external: bool, defer: bool = False
) -> StudyData:
    from tradeoff.goals import datain, roles, samples

    doc = checker.doc
    metrics = [
        MetricSpec(
            name=name,
            maximize=m.direction == "max",  # an input has none: it is split off below
            unit=m.unit,
            description=m.description,
            range=(m.range[0], m.range[1]) if m.range else None,
            additive=m.additive,
        )
        for name, m in goals.metrics.items()
    ]
    ctx = datain.Context(doc, goals, metrics, base_dir, allow_external, defer_datasets=defer)
    datain.check_price_metric(ctx)
    datain.check_expressions(ctx)
    joins = [(i, c) for i, c in enumerate(goals.candidates) if c.join is not None]
    blocks = [
        (i, datain.entry_block(ctx, i, cand))
        for i, cand in enumerate(goals.candidates)
        if cand.join is None
    ]
    kept = [(i, b) for i, b in blocks if b is not None]
    rows = stack(kept, len(metrics))
    names, provenance, items = rows.names, rows.provenance, rows.items
    _unique_names(checker, kept, names)
    values, stderr, lines, cols = rows.values, rows.stderr, rows.lines, rows.cols
    for i, cand in joins:  # into the arrays above, in place
        datain.join_entry(ctx, i, cand, rows)
    # Wilson stderr from item counts, unknown noise, n-shot warnings: before formulas, so a
    # formula over lm-eval inputs propagates the stderr they get here.
    ctx.warnings.extend(
        samples.settle(doc.file, metrics, names, values, stderr, (lines, cols), provenance)
    )
    cut = roles.finish(
        checker.formulas,
        roles.placer(doc, kept, metrics),
        roles.Columns(metrics, names, values, stderr, lines, cols, provenance),
        {n: m.role for n, m in goals.metrics.items()},
        checker.fail,
    )
    metrics = cut.metrics  # the goals; the rows keep their columns only
    rows.values, rows.stderr, rows.lines, rows.cols = cut.values, cut.stderr, cut.lines, cut.cols
    rows.provenance = cut.provenance
    index = {m.name: j for j, m in enumerate(metrics)}
    budgets: list[BudgetSpec] = []
    for metric, bounds in goals.budgets.items():
        if metric not in index:
            continue
        for k, bound in enumerate(bounds):
            budgets.extend(
                _budget_specs(checker, ctx, metric, k, bound, metrics[index[metric]].unit)
            )
    if items:
        from tradeoff.goals.items import check_overlap

        check_overlap(ctx, items, rows.entry_of)
        # Keyed by the goals' columns from here (inputs have none: their items are dropped).
        names_of = [m.name for m in ctx.metrics]
        rows.items = {
            (row, index[names_of[j]]): got
            for (row, j), got in items.items()
            if names_of[j] in index
        }
    checker.errors.extend(ctx.errors)
    return rows.study(
        doc,
        goals.title,
        metrics,
        budgets,
        {k: dict(v) for k, v in goals.profiles.items()},
        meta=_meta(ctx),
        read=list(ctx.read),
        inputs=cut.inputs,
        derived=cut.derived,
        warnings=ctx.warnings,
    )


def _meta(ctx: datain.Context) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if ctx.prices:
        meta["prices"] = ctx.prices
    if unmatched := ctx.notes.get("unmatched"):
        meta["unmatched"] = [
            {"where": yamlio.format_loc(loc), "line": ctx.doc.line(loc), "rows": n, "of": total}
            for loc, n, total in unmatched
        ]
    return meta


def _unique_names(checker: Checker, kept: list[tuple[int, Any]], names: list[str]) -> None:
    """Names must be unique across inline candidates and every table (the checker already
    caught duplicates among inline ones)."""
    if not any(b.groups or len(b.names) > 1 for _, b in kept):
        return
    if distinct_names(names):
        return
    first: dict[str, str] = {}
    reported = 0
    for i, b in kept:
        many = bool(b.groups) or len(b.names) > 1
        for r, name in enumerate(b.names):
            here = _row_place(b, r) if many else None
            where = here or f"candidates[{i}]"
            key = name_key(name)
            if key in first and reported < 20:
                if not many and first[key].startswith("candidates["):
                    continue  # two inline candidates: reported by the checker
                entry = "each" if "each" in checker.doc.data["candidates"][i] else "from"
                loc: yamlio.Loc = ("candidates", i, entry if many else "name")
                checker.fail(
                    loc,
                    f"{where}: duplicate candidate name {show_key(name)} (first in {first[key]})",
                )
                reported += 1
            first.setdefault(key, where)


def _row_place(b: datain.Block, r: int) -> str:
    for g in b.groups:
        if g.start <= r < g.start + len(g.row_numbers):
            return f"{g.display} {g.row_label} {int(g.row_numbers[r - g.start])}"
    return str(b.cells.get((r, 0), {}).get("source", b.names[r]))


def _budget_specs(
    checker: Checker, ctx: datain.Context, metric: str, k: int, bound: Bound, unit: str | None
) -> Iterator[BudgetSpec]:
    doc = checker.doc
    single = checker.single_budget(metric)
    base: yamlio.Loc = ("budgets", metric) if single else ("budgets", metric, k)
    for side in ("max", "min"):
        raw = getattr(bound, side)
        if raw is None:
            continue
        loc = (*base, side)
        line, col = doc.pos(loc)
        yield BudgetSpec(
            metric=metric,
            bound=side,
            limit=ctx.number(loc, raw, unit),
            level=bound.level,
            tags=frozenset(bound.tags) if bound.tags is not None else None,
            line=line,
            col=col,
        )


def load_document(
    doc: yamlio.Document, base_dir: Path | None = None, allow_external: bool = False
) -> StudyData:
    """Validate a parsed document and build the study's arrays.

    A plain, valid file takes `fastpath.study_data`; anything else (errors included) the full
    path, `load_full`. Both give the same `StudyData` where both accept.

    Raises:
        InputError: every problem found, with `doc.problems` (see `yamlio.parse`) among them.
    """
    data = fastpath.study_data(doc, base_dir, allow_external)
    if data is not None:
        return data
    return load_full(doc, base_dir, allow_external)


def load_full(
    doc: yamlio.Document,
    base_dir: Path | None = None,
    allow_external: bool = False,
    defer_datasets: bool = False,
) -> StudyData:
    """`load_document` through the pydantic models and the cross-reference checks, always.

    With `defer_datasets`, a `from:` Parquet dataset folder is listed but its rows are left to
    the dask engine (`StudyData.datasets`), which also judges metrics without values.

    Raises:
        InputError: every problem found, with `doc.problems` (see `yamlio.parse`) among them.
    """
    from pydantic import ValidationError

    from tradeoff.goals import pydantic_errors as validation_errors
    from tradeoff.goals.crosscheck import Checker
    from tradeoff.goals.schema import GoalsFile

    base_dir = Path(".") if base_dir is None else base_dir
    checker = Checker(doc)
    checker.run()
    try:
        goals = GoalsFile.model_validate(doc.data)
    except ValidationError as exc:
        found = {*doc.problems, *checker.errors}
        claimed = {d.where for d in found}
        for d in validation_errors.translate(exc, doc):
            # The word of the reader or the checker on a place (a repeated key, an unsupported
            # key, a null bound) is the more useful one.
            if d.where not in claimed:
                found.add(d)
        raise InputError(sorted(found)) from None
    data = _build(goals, checker, base_dir, allow_external, defer_datasets)
    if doc.problems or checker.errors:
        raise InputError(sorted({*doc.problems, *checker.errors}))
    # Only once nothing else is wrong (it may follow); a dataset left unread is judged later.
    if not data.datasets and (empty := _empty_metrics(doc, data)):
        raise InputError(empty)
    if not data.names and not data.datasets:
        # Nothing to decide between: a gate that checks nobody must not pass silently, whether
        # the list is empty or its tables hold no row (a sweep that wrote only its header).
        line, col = doc.pos(("candidates",), key=True)
        what = "no candidates: list at least one (or a `from:` table)"
        if goals.candidates:
            what = "no candidates: the entries under it give no rows (an empty table?)"
        raise InputError([Diagnostic(doc.file, line, col, "candidates", what)])
    return data


def _empty_metrics(doc: yamlio.Document, data: StudyData) -> list[Diagnostic]:
    """A declared metric that no candidate has a value for: nothing can be scored, compared or
    budgeted on it, whatever the missing-value policy."""
    if not data.names:
        return []
    out = []
    for j in np.flatnonzero(np.isnan(data.values).all(axis=0)):
        loc = ("metrics", data.metrics[j].name)
        line, col = doc.pos(loc, key=True)
        what = "no candidate has a value for this metric (give one a value, or remove the metric)"
        out.append(Diagnostic(doc.file, line, col, yamlio.format_loc(loc), what))
    return out


def load_path(
    path: str | Path, allow_external_sources: bool = False, defer_datasets: bool = False
) -> StudyData:
    """Read, parse and validate a goals file; `from:` paths resolve next to it.

    `defer_datasets`: see `load_full` (the dask engine reads dataset folders itself)."""
    path = Path(path)
    doc = yamlio.load(path, partial=True, allow_external=allow_external_sources)
    _note_sources(doc.data, path.parent, allow_external_sources)
    if defer_datasets:
        return load_full(doc, path.parent, allow_external_sources, defer_datasets=True)
    return load_document(doc, path.parent, allow_external_sources)


def _note_sources(data: Any, base_dir: Path, allow_external: bool) -> None:
    """Every file a `from:` names (literally, or through a pattern's matches) is an input of
    this run, whether or not the goals file then loads: `--output` must not replace it."""
    entries = data.get("candidates") if isinstance(data, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        given = entry.get("from") if isinstance(entry, dict) else None
        for name in given if isinstance(given, list) else [given]:
            if not isinstance(name, str) or not name or "\x00" in name:
                continue
            from tradeoff import inputs  # only files with sources pay for these imports
            from tradeoff.sources.common import SourceProblem
            from tradeoff.sources.paths import expand, is_pattern

            if not is_pattern(name):
                inputs.note(base_dir / name)
                continue
            try:
                for match in expand(base_dir, name, allow_external):
                    inputs.note(match.path)
            except (SourceProblem, OSError, ValueError):
                continue
