"""`join: name`: the rows of a table (or of `each:` files) add their values to the candidates
defined elsewhere that they name."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tradeoff import rules
from tradeoff.goals import yamlio
from tradeoff.goals.blocks import Context, RowErrors, Rows, Stacked
from tradeoff.goals.tablein import rules_excerpt

if TYPE_CHECKING:
    from tradeoff.goals.schema import Candidate


def join_rows(
    ctx: Context,
    i: int,
    cand: Candidate,
    rows: Rows,
    target: Stacked,
) -> None:
    """`join: name`: each row adds its values to the candidate of the same name.

    A row naming no candidate is ignored (counted in `ctx.notes`) or, with `unmatched: error`,
    an error with close matches; a value the candidate already has is an error naming both.
    The entry's `tags` go to every candidate it joins.
    """
    from tradeoff.sources.common import close_matches

    floc: yamlio.Loc = ("candidates", i, "each" if cand.each is not None else "from")
    line, col = ctx.doc.pos(floc)
    where = {rules.name_key(name): k for k, name in enumerate(target.names)}
    extra = frozenset(cand.tags)
    errors = RowErrors(ctx, floc)
    ignored = 0
    for r, name in enumerate(rows.names):
        k = where.get(rules.name_key(name))
        if k is None:
            if cand.unmatched == "error":
                what = f"{rows.places[r]}: no candidate named {rules_excerpt(name)} to join"
                errors.add(what + close_matches(name, target.names))
            ignored += 1
            continue
        row_tags = rows.row_tags[r] if rows.row_tags is not None else frozenset()
        if extra or row_tags:
            target.tags[k] = target.tags[k] | extra | row_tags
        for j in (int(x) for x in np.flatnonzero(~np.isnan(rows.values[r]))):
            metric = ctx.metrics[j].name
            if not np.isnan(target.values[k, j]):
                errors.add(
                    f"{rows.places[r]}, column {metric}: {rules_excerpt(name)} already has a "
                    f"value for {metric} (line {int(target.lines[k, j])}); keep one"
                )
                continue
            target.values[k, j] = rows.values[r, j]
            if not np.isnan(rows.stderr[r, j]):
                target.stderr[k, j] = rows.stderr[r, j]
            target.lines[k, j], target.cols[k, j] = line, col
            target.provenance[(k, j)] = {**rows.provenance(r), **rows.cells.get((r, j), {})}
    errors.report()
    if ignored and cand.unmatched != "error":
        ctx.notes.setdefault("unmatched", []).append((floc, ignored, len(rows.names)))
