"""Candidate names unique across every partition, without gathering the names anywhere.

Each partition hashes its names (64 bits) and splits the hashes into buckets by value; one task
per bucket receives that bucket from every partition (a shuffle) and keeps the hashes seen twice.
Only those come back to the client. When there are any, each partition names its rows with such
a hash, so the error quotes the rows, as the one-machine reader does (and a hash collision between
two different names is told apart from a real duplicate there).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from tradeoff.arrays import U64
from tradeoff.data import StudyData
from tradeoff.errors import Diagnostic
from tradeoff.sources.common import excerpt

MAX_BUCKETS = 64
MAX_SHOWN = 20


def hashed(names: list[str], buckets: int) -> list[U64]:
    """The names' hashes, split into `buckets` by value."""
    import pandas as pd

    h = np.asarray(pd.util.hash_array(np.asarray(names, dtype=object)), dtype=np.uint64)
    which = h % np.uint64(buckets)
    return [h[which == b] for b in range(buckets)]


def repeated(parts: list[U64]) -> U64:
    """The hashes that occur more than once in one bucket, over every partition."""
    if not parts:
        return np.zeros(0, dtype=np.uint64)
    values, counts = np.unique(np.concatenate(parts), return_counts=True)
    return np.asarray(values[counts > 1], dtype=np.uint64)


def gathered(parts: list[U64]) -> U64:
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint64)


def rows_with(data: StudyData, wanted: U64) -> list[tuple[str, str, int, int]]:
    """(name, where it is, line, col) of each row whose name hashes to one of `wanted`."""
    if not len(wanted) or not data.names:
        return []
    import pandas as pd

    h = np.asarray(pd.util.hash_array(np.asarray(data.names, dtype=object)), dtype=np.uint64)
    out = []
    for i in np.flatnonzero(np.isin(h, wanted)):
        prov = data.provenance_of(int(i), -1)
        word = next((f"{k} {prov[k]}" for k in ("row", "line") if k in prov), "")
        where = f"{prov['source']} {word}" if "source" in prov else "candidates"
        out.append((data.names[int(i)], where, int(data.cand_lines[i]), int(data.cols[i, 0])))
    return out


def duplicates(file: str, found: list[tuple[str, str, int, int]]) -> list[Diagnostic]:
    """One message per row whose name another row has too (rows in file order)."""
    places: dict[str, list[str]] = defaultdict(list)
    for name, where, _, _ in found:
        places[name].append(where)
    out = []
    for name, where, line, col in found:
        others = [p for p in places[name] if p != where]
        if others:
            what = f"duplicate candidate name {excerpt(name)} (also {others[0]})"
            out.append(Diagnostic(file, line, col, where, what))
    return out[:MAX_SHOWN]
