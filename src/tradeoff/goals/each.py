"""`each: PATTERN`: one candidate per matching file, or per run of a file that holds several.

The `name` template fills `{1}`, `{2}`, ... with what each wildcard matched (left to right),
`{stem}` with the file name without extension, `{parent}` with its folder's name, and `{run}`,
`{rate}` (and any other label the file's kind gives a run) per run. The entry's `tags` and
`metrics` apply to every candidate it makes.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import numpy as np

from tradeoff import rules
from tradeoff.goals import yamlio
from tradeoff.goals.blocks import Block, Context, Row, Rows, empty, inline_values, problems, shown

if TYPE_CHECKING:
    from tradeoff.goals.schema import Candidate
    from tradeoff.sources.kinds import SourceFile
    from tradeoff.sources.paths import Match

_FIELD = re.compile(r"\{([^{}]*)\}")


def fill_name(template: str, labels: dict[str, str]) -> tuple[str, list[str]]:
    """The name `template` gives for `labels`, and the placeholders it has no label for."""
    unknown: list[str] = []

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in labels:
            unknown.append(key)
            return match.group(0)
        return labels[key]

    return _FIELD.sub(one, template), unknown


def _labels(match: Match) -> dict[str, str]:
    path = PurePosixPath(match.display.replace("\\", "/"))
    labels = {str(k): g for k, g in enumerate(match.groups, start=1)}
    labels["stem"] = path.stem
    labels["parent"] = path.parent.name
    return labels


def _run_label(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def each_rows(ctx: Context, i: int, cand: Candidate) -> Rows | None:
    """One row per file (or run) the pattern matches, its values looked up in that file."""
    from tradeoff.goals import lookup
    from tradeoff.sources.common import SourceProblem
    from tradeoff.sources.kinds import open_file
    from tradeoff.sources.paths import expand
    from tradeoff.sources.readers import file_runs

    eloc: yamlio.Loc = ("candidates", i, "each")
    assert cand.each is not None
    if cand.name is None:
        ctx.fail(eloc, '`each:` needs a `name:` template, such as "{stem}"', key=True)
        return None
    if cand.from_ is not None:
        ctx.fail(("candidates", i, "from"), "'from' does not go with `each:`", key=True)
        return None
    try:
        matches = expand(ctx.base_dir, cand.each, ctx.allow_external)
        opened = [(m, open_file(m.path, m.display)) for m in matches]
    except SourceProblem as exc:
        problems(ctx, eloc, exc)
        return None
    tables = [f.display for _, f in opened if f.kind == "table"]
    if tables:  # one message for the entry, not the same advice once per file
        what = f"{shown(tables[0])} is a table; a table entry takes it as `from:`"
        if len(tables) > 1:
            what = (
                f"{shown(tables[0])} and {len(tables) - 1} more are tables; a table entry takes"
                " them as `from:`"
            )
        ctx.fail(eloc, what)
    entries: list[tuple[SourceFile, dict[str, str]]] = []
    for m, f in opened:
        ctx.read.append(m.path)
        if f.kind == "table":
            continue
        labels = _labels(m)
        runs = file_runs(f)
        if runs is None or cand.run is not None:
            f.run = cand.run
            entries.append((f, labels))
            continue
        for k, run in enumerate(runs):
            g = open_file(m.path, m.display)
            g.run = k
            entries.append((g, {**labels, **{str(a): _run_label(b) for a, b in run.items()}}))
    names = _names(ctx, i, cand, entries)
    if names is None:
        return None
    k, d = len(entries), len(ctx.metrics)
    line, col = ctx.doc.pos(eloc)
    values, stderr, lines, cols = empty(k, d, line, col)
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    for r, (f, _) in enumerate(entries):
        row = Row(values, stderr, lines, cols, cells, r)
        inline_values(ctx, i, cand, row)
        lookup.fill(ctx, i, cand, [f], row, lambda _f: eloc)
    places = [f.display if f.run is None else f"{f.display} run {f.run}" for f, _ in entries]
    info = [
        {"source": f.display} | ({"run": f.run} if f.run is not None else {}) for f, _ in entries
    ]
    rows = Rows(names, values, stderr, places, cells, info=info, lines=lines, cols=cols)
    for (r, _j), cell in cells.items():
        cell.setdefault("source", entries[r][0].display)
    return rows


def _names(
    ctx: Context, i: int, cand: Candidate, entries: list[tuple[SourceFile, dict[str, str]]]
) -> list[str] | None:
    nloc: yamlio.Loc = ("candidates", i, "name")
    assert cand.name is not None
    names: list[str] = []
    first: dict[str, str] = {}
    ok = True
    for f, labels in entries:
        name, unknown = fill_name(cand.name, labels)
        if unknown:
            offered = ", ".join("{" + k + "}" for k in labels)
            bad = ", ".join("{" + k + "}" for k in unknown)
            ctx.fail(
                nloc,
                f"the template has {bad}, which {shown(f.display)} does not fill "
                f"(it offers {offered})",
            )
            return None
        if (problem := rules.name_problem(name)) is not None:
            ctx.fail(nloc, f"{shown(f.display)} gives the name {shown(name)}: {problem}")
            ok = False
        where = f.display if f.run is None else f"{f.display} run {f.run}"
        key = rules.name_key(name)
        if key in first:
            ctx.fail(
                nloc, f"{shown(first[key])} and {shown(where)} both give the name {shown(name)}"
            )
            ok = False
        first.setdefault(key, where)
        names.append(name)
    return names if ok else None


def each_block(ctx: Context, i: int, cand: Candidate) -> Block | None:
    """The candidates of an `each:` entry (None when it joins others, or fails)."""
    rows = each_rows(ctx, i, cand)
    if rows is None:
        return None
    k = len(rows.names)
    line = ctx.doc.line(("candidates", i, "each"))
    assert rows.lines is not None and rows.cols is not None
    return Block(
        names=rows.names,
        values=rows.values,
        stderr=rows.stderr,
        lines=rows.lines,
        cols=rows.cols,
        cand_lines=np.full(k, line, dtype=np.int64),
        tags=frozenset(cand.tags),
        cells=rows.cells,
    )
