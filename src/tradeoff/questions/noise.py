"""The noise of each value, as the Monte Carlo draws see it, gathered in the `Setting` that
every draw shares: standard errors, item counts (drawn from their Jeffreys posterior), per-item
values (a paired bootstrap), and measurements that several candidates read (one draw)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tradeoff.arrays import F64
from tradeoff.data import StudyData
from tradeoff.engine.methods import Method
from tradeoff.engine.paired import ItemBootstrap
from tradeoff.questions.analysis import Analysis


@dataclass(frozen=True)
class Setting:
    """What every draw shares: the candidates (rows), weighted metrics and their settings."""

    rows: NDArray[np.intp]
    names: list[str]
    metrics: list[str]
    x: F64  # (n, k) point values
    se: F64  # (n, k) standard errors, 0 where none
    maximize: NDArray[np.bool_]
    ranges: list[tuple[float, float] | None]
    w: F64  # (k,) raw weights
    method: Method
    # Proportions with a known item count n (else NaN): drawn from their Jeffreys posterior
    # Beta(k + 1/2, n - k + 1/2) x scale, k = value / scale x n (SPEC "honest noise").
    counts: F64 | None = None  # (n, k)
    scale: F64 | None = None  # (k,) 100 for a % metric, 1 for range [0, 1]
    unknown: tuple[tuple[str, str], ...] = ()  # (candidate, metric) whose noise is unknown
    boot: tuple[ItemDraw, ...] = ()  # metrics with per-item values: a paired bootstrap
    # One measurement read by several candidates (the same file, task and field): drawn once,
    # per column (col, followers, leaders): a follower's draw moves with its leader's.
    shared: tuple[tuple[int, NDArray[np.intp], NDArray[np.intp]], ...] = ()

    @classmethod
    def of(cls, a: Analysis, method: Method, metrics: list[str] | None = None) -> Setting:
        data = a.data
        chosen = a.weighted if metrics is None else metrics
        idx = np.array([data.metric_index(m) for m in chosen], dtype=np.intp)
        rows = a.order  # best first at the point values
        se = np.nan_to_num(data.stderr[np.ix_(rows, idx)], nan=0.0)
        se[a.filled[np.ix_(rows, idx)]] = 0.0  # a filled-in worst value has no noise
        counts, scale, unknown = sample_counts(data, rows, idx, a.filled[np.ix_(rows, idx)])
        boot = _item_draws(data, rows, idx, a.filled)
        for b in boot:  # their noise comes from the items instead (no normal, no Jeffreys)
            se[b.pos, b.col] = 0.0
            if counts is not None:
                counts[b.pos, b.col] = np.nan
        if counts is not None and np.isnan(counts).all():
            counts = None
        return cls(
            rows=rows,
            names=[data.names[i] for i in rows],
            metrics=list(chosen),
            x=a.values[np.ix_(rows, idx)],
            se=se,
            maximize=np.array([data.metrics[j].maximize for j in idx]),
            ranges=[data.metrics[j].range for j in idx],
            w=np.array([a.raw_weights[m] for m in chosen]),
            method=method,
            counts=counts,
            scale=scale,
            unknown=unknown,
            boot=boot,
            shared=shared_measurements(data, rows, idx),
        )

    @property
    def noisy(self) -> bool:
        """Whether any draw can differ from the point values."""
        return bool((self.se > 0).any()) or self.counts is not None or bool(self.boot)


@dataclass(frozen=True)
class ItemDraw:
    """One weighted metric with per-item values: the candidates (positions in the setting)
    that have them, and the bootstrap over the items they all have."""

    col: int
    pos: NDArray[np.intp]
    bootstrap: ItemBootstrap


def _item_draws(
    data: StudyData, rows: NDArray[np.intp], idx: NDArray[np.intp], filled: NDArray[np.bool_]
) -> tuple[ItemDraw, ...]:
    if not data.items:
        return ()
    from tradeoff.sources.samples import align

    out = []
    for k, j in enumerate(idx.tolist()):
        pos = [p for p, i in enumerate(rows.tolist()) if (i, j) in data.items and not filled[i, j]]
        if not pos:
            continue
        aligned = align([data.items[(int(rows[p]), j)] for p in pos])
        if aligned.count:
            out.append(ItemDraw(k, np.array(pos, dtype=np.intp), ItemBootstrap(aligned.values)))
    return tuple(out)


def shared_measurements(
    data: StudyData, rows: NDArray[np.intp], idx: NDArray[np.intp]
) -> tuple[tuple[int, NDArray[np.intp], NDArray[np.intp]], ...]:
    """Cells that are one measurement: candidates reading the same value from the same file
    (same task, field and everything else the reader recorded). Their noise is one draw, not
    independent ones: two deployments of one model scored by one lm-eval run must not look
    apart, or alike, by chance."""
    where = {int(i): r for r, i in enumerate(rows)}
    cols = {int(j): c for c, j in enumerate(idx)}
    first: dict[tuple[int, str], int] = {}
    links: dict[int, list[tuple[int, int]]] = {}
    for (i, j), prov in data.provenance.items():
        r, c = where.get(i), cols.get(j)
        if r is None or c is None or "source" not in prov:
            continue
        key = (c, repr(sorted(prov.items(), key=lambda kv: kv[0])))
        lead = first.setdefault(key, r)
        if lead != r:
            links.setdefault(c, []).append((r, lead))
    out = []
    for c, pairs in sorted(links.items()):
        both = np.array(pairs, dtype=np.intp)  # (follower, leader) rows
        out.append((c, both[:, 0], both[:, 1]))
    return tuple(out)


def sample_counts(
    data: StudyData, rows: NDArray[np.intp], idx: NDArray[np.intp], filled: NDArray[np.bool_]
) -> tuple[F64 | None, F64 | None, tuple[tuple[str, str], ...]]:
    """Item counts of the proportions among `rows` x `idx` (NaN where none), each metric's
    proportion scale, and the (candidate, metric) cells whose noise is unknown."""
    where = {int(i): r for r, i in enumerate(rows)}
    cols = {int(j): c for c, j in enumerate(idx)}
    counts = np.full((len(rows), len(idx)), np.nan)
    unknown = []
    for (i, j), prov in data.provenance.items():
        r, c = where.get(i), cols.get(j)
        if r is None or c is None or filled[r, c]:
            continue
        if prov.get("noise") == "unknown":
            unknown.append((r, c))
        n = prov.get("n")
        if isinstance(n, int) and n > 0 and data.metrics[j].proportion_scale is not None:
            counts[r, c] = n
    scale = np.array([data.metrics[j].proportion_scale or 1.0 for j in idx])
    named = tuple(
        (data.names[int(rows[r])], data.metrics[int(idx[c])].name) for r, c in sorted(unknown)
    )
    return (counts if not np.isnan(counts).all() else None), scale, named
