"""How the dask engine runs: a client of a scheduler (or of a local cluster started for the
question), a study cut into partitions in file order, and partial answers merged as a tree.

dask is imported inside these functions, so only `--engine dask` pays for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from tradeoff.data import StudyData
from tradeoff.errors import UsageError
from tradeoff.questions.partition import Part

INSTALL = "pip install 'tradeoff[dask]'"
SPLIT_EVERY = 8  # partial answers merged per task, level by level


def require_dask() -> None:
    """Raises UsageError saying how to install dask when it is not installed."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError(f"--engine dask needs dask and distributed: {INSTALL}") from None


@contextmanager
def client(scheduler: str | None) -> Iterator[Any]:
    """A client of the scheduler at `scheduler`, or of a local cluster started (and stopped)
    here: one worker process per core, the machine's memory shared between them."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            remote = Client(scheduler, timeout="10s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
        with remote:
            yield remote
        return
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        processes=True, dashboard_address=":0", silence_logs=logging.ERROR
    )
    with cluster, Client(cluster) as local:  # type: ignore[no-untyped-call]
        yield local


def tree(items: list[Any], combine: Callable[..., Any], top: int | None) -> Any:
    """Merge partial answers level by level, SPLIT_EVERY at a time, keeping file order."""
    from dask.delayed import delayed

    level = items
    while len(level) > 1:
        level = [
            delayed(combine)(level[i : i + SPLIT_EVERY], top)
            for i in range(0, len(level), SPLIT_EVERY)
        ]
    return level[0]


def parts(data: StudyData) -> list[Part]:
    """Partitions in file order: runs of rows in memory between the datasets' files."""
    out: list[Part] = []
    lo = 0
    for ref in data.datasets:
        if ref.start > lo:
            out.append(Part(len(out), data=rows_of(data, lo, ref.start)))
            lo = ref.start
        out += [Part(len(out) + k, ref=ref, k=k) for k in range(len(ref.dataset.pieces))]
    if len(data.names) > lo or not out:
        out.append(Part(len(out), data=rows_of(data, lo, len(data.names))))
    return out


def rows_of(data: StudyData, lo: int, hi: int) -> StudyData:
    """Rows lo to hi of the rows in memory, as a study of their own (no datasets)."""
    groups = [
        replace(g, start=g.start - lo)
        for g in data.groups
        if g.start < hi and g.start + len(g.row_numbers) > lo
    ]
    return replace(
        data,
        names=data.names[lo:hi],
        tags=data.tags[lo:hi],
        values=data.values[lo:hi],
        stderr=data.stderr[lo:hi],
        lines=data.lines[lo:hi],
        cols=data.cols[lo:hi],
        cand_lines=data.cand_lines[lo:hi],
        provenance={(i - lo, j): p for (i, j), p in data.provenance.items() if lo <= i < hi},
        groups=groups,
        datasets=[],
        _tag_codes=None,
    )
