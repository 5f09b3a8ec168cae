"""`combine:` rows sharing a name into one candidate (SPEC "Tables as they are found").

Per metric, over the rows that have a value: `median`, `mean`, `min`, `max` or `last` (the last
row in file order). stderr: `mean` s/√n, `median` 1.2533·s/√n (s with ddof 1, n ≥ 2; the
asymptotic standard error of a normal sample's median, √(π/2) ≈ 1.2533), none otherwise.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tradeoff import rules
from tradeoff.goals.blocks import Rows

_MEDIAN_SE = math.sqrt(math.pi / 2)  # 1.2533


def _stat(x: np.ndarray[Any, Any], how: str) -> tuple[float, float]:
    n = len(x)
    s = float(np.std(x, ddof=1)) if n >= 2 else float("nan")
    if how == "mean":
        return float(np.mean(x)), s / math.sqrt(n)
    if how == "median":
        return float(np.median(x)), _MEDIAN_SE * s / math.sqrt(n)
    if how == "min":
        return float(np.min(x)), float("nan")
    if how == "max":
        return float(np.max(x)), float("nan")
    return float(x[-1]), float("nan")  # last


def combine(rows: Rows, how: str) -> Rows:
    """One row per name (in order of first appearance), each metric combined `how`."""
    order: dict[str, list[int]] = {}
    for r, name in enumerate(rows.names):
        order.setdefault(rules.name_key(name), []).append(r)
    k, d = len(order), rows.values.shape[1]
    values, stderr = np.full((k, d), np.nan), np.full((k, d), np.nan)
    names, places, info = [], [], []
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    tags: list[frozenset[str]] | None = [] if rows.row_tags is not None else None
    dates: list[str | None] | None = [] if rows.dates is not None else None
    for g, members in enumerate(order.values()):
        names.append(rows.names[members[0]])
        places.append(rows.places[members[0]])
        sources = list(dict.fromkeys(str(rows.provenance(r).get("source", "")) for r in members))
        base = {"source": sources[0] if len(sources) == 1 else sources}
        info.append({**base, "rows": [rows.places[r] for r in members]})
        block = rows.values[members]
        for j in range(d):
            have = ~np.isnan(block[:, j])
            n = int(have.sum())
            if n == 0:
                continue
            values[g, j], stderr[g, j] = _stat(block[have, j], how)
            cells[(g, j)] = {**base, "combined": {"how": how, "rows": n}}
        if tags is not None and rows.row_tags is not None:
            tags.append(frozenset().union(*(rows.row_tags[r] for r in members)))
        if dates is not None and rows.dates is not None:
            # The oldest date of the rows combined: the value is no fresher than its oldest part.
            known = [x for x in (rows.dates[r] for r in members) if x is not None]
            dates.append(min(known) if known else None)
    return Rows(names, values, stderr, places, cells, tags, [], dates, info)
