"""`rank` and `pareto` as result records: the rows shown, their dominators and notes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import StudyData
from tradeoff.engine import budgets
from tradeoff.errors import UsageError
from tradeoff.questions import bulk_json, volume
from tradeoff.questions.analysis import (
    MAX_DOMINATORS,
    Analysis,
    Options,
    analyse,
    metric_list,
)
from tradeoff.questions.asks import ParetoAsk, RankAsk
from tradeoff.questions.results import (
    LazyRows,
    ParetoResult,
    RankResult,
    Row,
    about,
    closest_of,
)


def _rows(data: StudyData, a: Analysis, rows: Sequence[int], **kw: Sequence[Any]) -> list[Row]:
    """The records of `rows`, with `kw[key][k]` as row k's `key`: the arrays are read once for
    all of them (a 100,000-row table paid ~15 us a row reading them row by row)."""
    # .tolist() gives Python floats in one call; NaN != NaN marks a missing value. A loop tuned
    # for speed: a row with no value missing or filled takes its lists as they are.
    at = np.asarray(rows, dtype=np.intp)
    values, normals, charges = a.values[at].tolist(), a.normalized[at].tolist(), a.filled[at]
    some = np.asarray(charges.any(axis=1))
    filled, charged = charges.tolist(), some.tolist()
    gaps = np.isnan(a.values[at]).any(axis=1) | np.isnan(a.normalized[at]).any(axis=1) | some
    names, metric_names, keys = data.names, data.metric_names, list(kw)
    extras = zip(*kw.values(), strict=True)  # every row has its keywords (there are some)
    out = []
    for k, (i, gap, extra) in enumerate(zip(at.tolist(), gaps.tolist(), extras, strict=True)):
        vs, fs = values[k], filled[k]
        inputs = data.inputs.row(i) if data.inputs is not None else {}
        counts: tuple[int | None, ...] = ()
        if data.provenance:
            counts = tuple(data.subset_count(i, j) for j in range(len(data.metrics)))
            counts = counts if any(c is not None for c in counts) else ()
        out.append(
            Row(
                name=names[i],
                values=tuple(None if (v != v or f) else v for v, f in zip(vs, fs, strict=True))
                if gap
                else tuple(vs),
                normalized={
                    m: (None if x != x else x)
                    for m, x in zip(metric_names, normals[k], strict=True)
                }
                if gap
                else dict(zip(metric_names, normals[k], strict=True)),
                filled=tuple(v if f else None for v, f in zip(vs, fs, strict=True))
                if charged[k]
                else (),
                inputs=inputs,
                counts=counts,
                **dict(zip(keys, extra, strict=True)),
            )
        )
    return out


def rank_result(data: StudyData, ask: RankAsk) -> RankResult:
    """Feasible candidates, best first, as data (see `rank` for a DataFrame).

    With `uncertainty`, every candidate also gets `p_first`, `rank_median`, a 90%
    `rank_interval` and `tied_with_leader` from `samples` Monte Carlo draws (seeded). Without
    it, a one-line `confidence` summary is still computed whenever a weighted value has a
    stderr or per-item values (the table shows it; csv does not change). Wherever draws are
    made, the significance groups come from the same draws (`RankResult.groups`).
    """
    from tradeoff.questions import (
        confidence,  # here, not at the top: `import tradeoff` stays light
    )

    if ask.top is not None and ask.top < 1:
        raise UsageError(f"--top: top must be 1 or more, got {ask.top}")
    if ask.samples < 1:
        raise UsageError(f"samples must be at least 1, got {ask.samples}")
    a = analyse(data, ask.options())
    order = a.order if ask.top is None else a.order[: ask.top]
    if not 0 < ask.fdr < 1:
        raise UsageError(f"fdr must be between 0 and 1, got {ask.fdr}")
    memo: list[confidence.Evidence] = []

    def drawn() -> confidence.Evidence:
        # --uncertainty draws now; otherwise the table's confidence line and the groups are
        # drawn on first use (csv never pays for them).
        if not memo:
            memo.append(
                confidence.evidence(
                    a, ask.method, ask.uncertainty, ask.samples, ask.seed, len(order), ask.fdr
                )
            )
        return memo[0]

    extras = drawn().rows if ask.uncertainty else []
    draws = drawn().draws if ask.uncertainty else None

    def summary() -> str | None:
        return drawn().line

    def grouping() -> confidence.Groups:
        return drawn().groups

    # Dominators of every shown row at once, as arrays; a row's record is built when asked
    # for (JSON encodes the candidates column by column and builds none).
    beaten = np.flatnonzero(~a.front[order])
    doms = np.full((len(order), MAX_DOMINATORS), -1, dtype=np.intp)
    many = np.zeros(len(order), dtype=np.int64)
    doms[beaten], many[beaten] = a.dominator_rows(order[beaten], a.front_members(by_score=True))

    def ranked_rows(start: int, stop: int) -> list[Row]:
        # Rows start..stop-1 of the ranking at once: a table shows them all.
        shown = order[start:stop]
        dominators = doms[start:stop].tolist()
        return _rows(
            data,
            a,
            shown.tolist(),
            score=a.scores[shown].tolist(),
            rank=list(range(start + 1, stop + 1)),
            on_front=a.front[shown].tolist(),
            dominated_by=[tuple(data.names[j] for j in d if j >= 0) for d in dominators],
            dominated_total=many[start:stop].tolist(),
            uncertainty=extras[start:stop] if extras else [None] * len(shown),
        )

    def ranked_row(k: int) -> Row:
        return ranked_rows(k, k + 1)[0]

    def candidates_json(letters: Sequence[str | None]) -> Iterator[str]:
        return bulk_json.candidate_chunks(a, order, doms, letters)

    bad = np.flatnonzero(~a.feasible)
    found_violations = budgets.Violations(data)

    def infeasible_row(k: int) -> Row:
        i = int(bad[k])
        return Row(
            name=data.names[i],
            values=tuple(None if np.isnan(v) else float(v) for v in data.values[i]),
            feasible=False,
            on_front=False,
            violations=tuple(found_violations.for_row(i)),
        )

    infeasible = LazyRows(len(bad), infeasible_row)

    def infeasible_json(n: int) -> list[str]:
        return bulk_json.infeasible_lines(found_violations, bad[:n])

    near = closest_of(data) if len(bad) and not a.feasible.any() else []
    notes = _notes(a)
    if near:
        notes.append("closest to feasible: " + "; ".join(c.text() for c in near))
    if ask.uncertainty:
        cells = confidence.unknown_cells(data, a.order.tolist(), a.weighted)
        notes += confidence.unknown_note(cells, "--uncertainty takes it as exact")
    return RankResult(
        **about(data),
        profile=a.profile,
        method=ask.method,
        weights=a.weights,
        dominance=a.dom,
        rows=LazyRows(len(order), ranked_row, ranked_rows),
        infeasible=infeasible,
        excluded=_excluded(a),
        show_infeasible=ask.include_infeasible,
        notes=notes,
        draws=draws,
        meta=dict(data.meta),
        summary=summary,
        top=ask.top,
        infeasible_json=infeasible_json,
        candidates_json=None if ask.uncertainty else candidates_json,
        closest=near,
        grouping=grouping,
    )


def _excluded(a: Analysis) -> list[tuple[str, list[str]]]:
    return [(a.data.names[i], miss) for i, miss in a.excluded]


def pareto_result(data: StudyData, ask: ParetoAsk) -> ParetoResult:
    """What `Study.pareto_result` returns (its docstring has the arguments)."""
    from tradeoff.engine.pareto import knee, nondominated_layers

    opts = Options(metrics=metric_list(ask.metrics), missing=ask.missing)
    a = analyse(data, opts, all_rows=ask.ignore_budgets, score=False)
    rows = a.rows
    names = data.names
    oriented = a.oriented(a.dom)
    ones = np.ones(len(a.dom), dtype=bool)
    exact = a.front.copy()
    layer = np.ones(len(rows), dtype=np.int64)
    if ask.noise is not None:
        if not (np.isfinite(ask.noise) and ask.noise >= 0):
            raise UsageError(f"--noise must be a number >= 0, got {ask.noise}")
        layer = _noisy_layers(data, a, ask.noise, peel=ask.layers)
        a.front[:] = False
        a.front[rows] = layer == 1
    elif ask.layers and len(rows):
        layer = nondominated_layers(oriented[rows], ones)
    front = rows[a.front[rows]]
    measured = _volume(data, a, rows, rows[exact[rows]], dict(ask.reference or {}))
    knee_row = -1
    if len(front):
        knee_row = int(front[knee(oriented[front], ones, [names[i] for i in front])])
    shown = rows if ask.layers else front
    shown_layer = layer if ask.layers else np.ones(len(front), dtype=np.int64)
    order = np.lexsort((np.array([names[i] for i in shown]), shown_layer))
    beaten = [int(shown[k]) for k in order if not a.front[shown[k]]]
    totals: list[int] = []
    found = a.first_dominators(beaten, a.front_members(by_score=False), totals=totals)
    doms = dict(zip(beaten, found, strict=True))
    many = dict(zip(beaten, totals, strict=True))
    picked = [int(shown[k]) for k in order]
    out = _rows(
        data,
        a,
        picked,
        layer=[int(shown_layer[k]) for k in order],
        knee=[i == knee_row for i in picked],
        on_front=[bool(a.front[i]) for i in picked],
        dominated_by=[tuple(doms.get(i, ())) for i in picked],
        dominated_total=[many.get(i, 0) for i in picked],
        feasible=[bool(a.feasible[i]) for i in picked],
        noise_only=[bool(a.front[i] and not exact[i]) for i in picked],
    )
    return ParetoResult(
        **about(data),
        dominance=a.dom,
        rows=out,
        excluded=_excluded(a),
        layers=ask.layers,
        notes=[
            *_notes(a),
            *([measured.note] if measured.note else []),
            *_unknown_noise(data, a, ask.noise),
        ],
        noise=ask.noise,
        ignore_budgets=ask.ignore_budgets,
        hypervolume=measured,
    )


def _unknown_noise(data: StudyData, a: Analysis, noise: float | None) -> list[str]:
    if noise is None:
        return []
    from tradeoff.questions.confidence import unknown_cells, unknown_note

    cells = unknown_cells(data, a.rows.tolist(), a.dom)
    return unknown_note(cells, "--noise takes it as exact")


def _volume(
    data: StudyData,
    a: Analysis,
    rows: NDArray[np.intp],
    front: NDArray[np.intp],
    flags: dict[str, float],
) -> volume.FrontVolume:
    """The hypervolume of `front` over the goals dominance is judged on, goalposts from `rows`."""
    volume.check_reference_names(flags, data, a.dom)
    specs = [data.metrics[data.metric_index(m)] for m in a.dom]
    cols = np.array([data.metric_index(m) for m in a.dom], dtype=np.intp)
    considered = a.values[np.ix_(rows, cols)]
    posts = volume.goalposts_of(specs, considered)
    ref, origin = volume.default_references(data, specs, considered, posts, flags)
    value, note = volume.measure(specs, a.values[np.ix_(front, cols)], posts, ref)
    return volume.FrontVolume(value, ref, origin, posts, note)


def _noisy_layers(data: StudyData, a: Analysis, k: float, *, peel: bool) -> NDArray[np.int64]:
    """Layer of each considered row under noisy dominance (only the front unless `peel`)."""
    from tradeoff.engine.pareto import noisy_pareto_mask

    rows = a.rows
    idx = [data.metric_index(m) for m in a.dom]
    values = a.oriented(a.dom)[rows]
    se = data.stderr[np.ix_(rows, np.array(idx, dtype=np.intp))].copy()
    se[a.filled[np.ix_(rows, np.array(idx, dtype=np.intp))]] = np.nan  # a fill is exact
    ones = np.ones(len(idx), dtype=bool)
    layer = np.zeros(len(rows), dtype=np.int64)
    left = np.arange(len(rows))
    depth = 0
    while len(left):
        depth += 1
        top = noisy_pareto_mask(values[left], se[left], ones, k)
        layer[left[top]] = depth
        left = left[~top]
        if not peel:
            layer[left] = depth + 1
            break
    return layer


def _notes(a: Analysis) -> list[str]:
    """What stderr should say when nothing is left to show."""
    if len(a.rows) or not len(a.data.names):
        return []
    if a.excluded:
        return ["no candidate left: every feasible one lacks a value (see --missing)"]
    return ["no feasible candidate: every one breaks an error-level budget"]
