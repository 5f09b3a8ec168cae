"""Tests for tradeoff.engine.pareto: hand-worked cases, properties against a brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from tradeoff.engine import kernels as pareto_kernels
from tradeoff.engine import pareto
from tradeoff.engine.pareto import (
    dominators,
    knee,
    noisy_pareto_mask,
    nondominated_layers,
    pareto_mask,
)

# --- brute-force reference, plain Python


def _dominates(a: list[float], b: list[float], mx: list[bool]) -> bool:
    better = [(x > y) if m else (x < y) for x, y, m in zip(a, b, mx, strict=True)]
    worse = [(x < y) if m else (x > y) for x, y, m in zip(a, b, mx, strict=True)]
    return any(better) and not any(worse)


def brute_mask(rows: list[list[float]], mx: list[bool]) -> list[bool]:
    return [not any(_dominates(a, b, mx) for a in rows) for b in rows]


def brute_layers(rows: list[list[float]], mx: list[bool]) -> list[int]:
    out = [0] * len(rows)
    left = list(range(len(rows)))
    layer = 0
    while left:
        layer += 1
        front = brute_mask([rows[i] for i in left], mx)
        for i, f in zip(left, front, strict=True):
            if f:
                out[i] = layer
        left = [i for i, f in zip(left, front, strict=True) if not f]
    return out


# --- strategies: small integer-valued floats so that ties and duplicates are common


@st.composite
def problems(
    draw: st.DrawFn, max_n: int = 60, max_d: int = 5
) -> tuple[list[list[float]], list[bool]]:
    d = draw(st.integers(1, max_d))
    n = draw(st.integers(0, max_n))
    top = draw(st.sampled_from([1, 3, 8, 1000]))
    rows = [[float(draw(st.integers(-top, top))) for _ in range(d)] for _ in range(n)]
    mx = [draw(st.booleans()) for _ in range(d)]
    return rows, mx


def _arr(rows: list[list[float]], d: int) -> NDArray[np.float64]:
    return np.array(rows, dtype=np.float64).reshape(len(rows), d)


# --- hand-worked cases


def test_two_metric_example() -> None:
    # quality (max), cost (min)
    v = [[0.9, 10.0], [0.8, 5.0], [0.7, 6.0], [0.9, 12.0], [0.6, 1.0]]
    assert pareto_mask(v, [True, False]).tolist() == [True, True, False, False, True]
    assert nondominated_layers(v, [True, False]).tolist() == [1, 1, 2, 2, 1]


def test_d2_staircase() -> None:
    v = [[1, 5], [2, 4], [3, 3], [4, 2], [5, 1], [2, 5], [3, 4], [5, 5]]
    assert pareto_mask(v, [False, False]).tolist() == [True] * 5 + [False] * 3
    assert nondominated_layers(v, [False, False]).tolist() == [1, 1, 1, 1, 1, 2, 2, 3]


def test_duplicates_both_stay() -> None:
    v = [[1.0, 2.0], [1.0, 2.0], [2.0, 1.0], [2.0, 2.0], [2.0, 2.0]]
    assert pareto_mask(v, [False, False]).tolist() == [True, True, True, False, False]
    assert nondominated_layers(v, [False, False]).tolist() == [1, 1, 1, 2, 2]


def test_ties_on_one_column_decided_by_other() -> None:
    v = [[1.0, 3.0], [1.0, 2.0], [1.0, 2.0], [0.0, 9.0]]
    assert pareto_mask(v, [False, False]).tolist() == [False, True, True, True]


def test_all_identical() -> None:
    v = np.full((7, 3), 4.2)
    assert pareto_mask(v, [True, False, True]).all()
    assert (nondominated_layers(v, [True, False, True]) == 1).all()


def test_one_row_and_empty() -> None:
    assert pareto_mask([[3.0, 1.0]], [True, True]).tolist() == [True]
    assert pareto_mask(np.empty((0, 3)), [True, True, False]).shape == (0,)
    assert nondominated_layers(np.empty((0, 2)), [True, True]).shape == (0,)


def test_zero_columns_all_front() -> None:
    assert pareto_mask(np.empty((4, 0)), []).tolist() == [True] * 4
    assert nondominated_layers(np.empty((4, 0)), []).tolist() == [1] * 4


def test_d1() -> None:
    v = [[3.0], [1.0], [3.0], [2.0], [1.0]]
    assert pareto_mask(v, [False]).tolist() == [False, True, False, False, True]
    assert nondominated_layers(v, [False]).tolist() == [3, 1, 3, 2, 1]
    assert nondominated_layers(v, [True]).tolist() == [1, 3, 1, 2, 3]


def test_result_types() -> None:
    v = np.arange(12.0).reshape(4, 3)
    assert pareto_mask(v, [True] * 3).dtype == np.bool_
    assert nondominated_layers(v, [True] * 3).dtype == np.int64


@pytest.mark.parametrize(
    ("values", "maximize", "match"),
    [
        ([[1.0, np.nan]], [True, True], "finite"),
        ([[1.0, np.inf]], [True, True], "finite"),
        ([1.0, 2.0], [True], "2-D"),
        ([[1.0, 2.0]], [True], "one boolean per column"),
        ([[1.0, 2.0]], [[True, False]], "one boolean per column"),
        ([[1.0, 2.0]], [2, 0], "booleans"),
        ([[1.0 + 2j, 2.0]], [True, True], "real numbers"),
        ([["a", "b"]], [True, True], "must be numbers"),
    ],
)
def test_validation(values: object, maximize: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        pareto_mask(values, maximize)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=match):
        nondominated_layers(values, maximize)  # type: ignore[arg-type]


def test_dominators() -> None:
    v = [[0.9, 10.0], [0.8, 5.0], [0.7, 6.0], [0.7, 6.0], [0.6, 7.0]]
    mx = [True, False]
    assert dominators(v, mx, 2).tolist() == [1]
    assert dominators(v, mx, 4).tolist() == [1, 2, 3]
    assert dominators(v, mx, 4, among=np.array([3, 0, 2])).tolist() == [3, 2]
    assert dominators(v, mx, 0).tolist() == []
    with pytest.raises(ValueError, match="out of range"):
        dominators(v, mx, 5)


def test_knee() -> None:
    front = [[1.0, 10.0], [0.9, 4.0], [0.5, 1.0]]  # quality max, cost min
    assert knee(front, [True, False], ["a", "b", "c"]) == 1
    assert knee([[0.3, 7.0]], [True, False], ["only"]) == 0


def test_knee_ties_by_name_and_constant_column() -> None:
    front = [[1.0, 0.0, 5.0], [0.0, 1.0, 5.0]]  # symmetric; constant third column counts as ideal
    assert knee(front, [True, True, False], ["zeta", "alpha"]) == 1
    assert knee(front, [True, True, False], ["Alpha", "alpha"]) == 0  # code-point order
    with pytest.raises(ValueError, match="names"):
        knee(front, [True, True, False], ["x"])


def test_noisy_mask() -> None:
    v = [[0.80, 1.0], [0.78, 1.0], [0.60, 1.0]]
    se = [[0.01, np.nan], [0.01, np.nan], [0.01, np.nan]]
    mx = [True, False]
    assert pareto_mask(v, mx).tolist() == [True, False, False]
    # gap 0.02 < 2 * sqrt(2) * 0.01: row 1 survives; gap 0.2 does not
    assert noisy_pareto_mask(v, se, mx, 2.0).tolist() == [True, True, False]
    assert noisy_pareto_mask(v, se, mx, 0.0).tolist() == [True, False, False]
    with pytest.raises(ValueError, match="stderr"):
        noisy_pareto_mask(v, [[-1.0, 0.0]] * 3, mx, 1.0)


# --- properties against the brute-force reference


@settings(max_examples=200, deadline=None)
@given(problems())
def test_mask_matches_brute_force(p: tuple[list[list[float]], list[bool]]) -> None:
    rows, mx = p
    got = pareto_mask(_arr(rows, len(mx)), mx).tolist()
    assert got == brute_mask(rows, mx)


@settings(max_examples=150, deadline=None)
@given(problems(max_n=40))
def test_layers_peel(p: tuple[list[list[float]], list[bool]]) -> None:
    rows, mx = p
    got = nondominated_layers(_arr(rows, len(mx)), mx).tolist()
    assert got == brute_layers(rows, mx)


@settings(max_examples=100, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_permutation_invariance(p: tuple[list[list[float]], list[bool]], rnd: object) -> None:
    rows, mx = p
    v = _arr(rows, len(mx))
    perm = np.random.default_rng(len(rows)).permutation(len(rows))
    assert (pareto_mask(v[perm], mx) == pareto_mask(v, mx)[perm]).all()
    assert (nondominated_layers(v[perm], mx) == nondominated_layers(v, mx)[perm]).all()


@settings(max_examples=100, deadline=None)
@given(problems(), st.sampled_from([0.5, 3.0, 1e-3, 1e6]), st.integers(-50, 50))
def test_affine_invariance(p: tuple[list[list[float]], list[bool]], a: float, b: int) -> None:
    rows, mx = p
    v = _arr(rows, len(mx))
    w = v.copy()
    w[:, 0] = a * w[:, 0] + b  # exact enough for small integers: order and ties are kept
    assert (pareto_mask(w, mx) == pareto_mask(v, mx)).all()
    assert (nondominated_layers(w, mx) == nondominated_layers(v, mx)).all()


@settings(max_examples=100, deadline=None)
@given(problems(max_n=30))
def test_duplicates_share_fate(p: tuple[list[list[float]], list[bool]]) -> None:
    rows, mx = p
    v = _arr(rows, len(mx))
    w = np.concatenate([v, v])
    m, lay = pareto_mask(w, mx), nondominated_layers(w, mx)
    n = len(rows)
    assert (m[:n] == m[n:]).all() and (m[:n] == pareto_mask(v, mx)).all()
    assert (lay[:n] == lay[n:]).all() and (lay[:n] == nondominated_layers(v, mx)).all()


@settings(max_examples=60, deadline=None)
@given(problems(max_n=25, max_d=3), st.floats(0, 3))
def test_noisy_front_contains_exact(p: tuple[list[list[float]], list[bool]], k: float) -> None:
    rows, mx = p
    v = _arr(rows, len(mx))
    se = np.where(np.arange(v.size).reshape(v.shape) % 3 == 0, np.nan, 0.5)
    noisy, exact = noisy_pareto_mask(v, se, mx, k), pareto_mask(v, mx)
    assert (noisy | ~exact).all()
    if k == 0:
        assert (noisy == exact).all()


@settings(max_examples=60, deadline=None)
@given(problems(max_n=30))
def test_dominators_match_brute_force(p: tuple[list[list[float]], list[bool]]) -> None:
    rows, mx = p
    v = _arr(rows, len(mx))
    for i in range(len(rows)):
        want = [j for j, a in enumerate(rows) if _dominates(a, rows[i], mx)]
        assert dominators(v, mx, i).tolist() == want


# --- the blocked sweeps, forced onto their multi-block paths with tiny block sizes


@pytest.mark.parametrize("d", [2, 3, 4, 6])
@pytest.mark.parametrize("kind", ["uniform", "ties", "anti"])
def test_blocked_paths(monkeypatch: pytest.MonkeyPatch, d: int, kind: str) -> None:
    monkeypatch.setattr(pareto_kernels, "_BLOCK3", 40)
    monkeypatch.setattr(pareto_kernels, "_BLOCK", 24)
    monkeypatch.setattr(pareto_kernels, "_PAIRWISE", 4)
    monkeypatch.setattr(pareto_kernels, "_CELLS", 64)
    monkeypatch.setattr(pareto, "_CELLS", 64)
    rng = np.random.default_rng(d)
    n = 700
    if kind == "uniform":
        v = rng.random((n, d))
    elif kind == "ties":
        v = rng.integers(0, 4, (n, d)).astype(float)
    else:
        v = rng.dirichlet(np.ones(d), n) + 0.02 * rng.standard_normal((n, d))
    mx = [bool(j % 2) for j in range(d)]
    rows = v.tolist()
    assert pareto_mask(v, mx).tolist() == brute_mask(rows, mx)
    if n and kind != "anti":
        assert nondominated_layers(v[:250], mx).tolist() == brute_layers(rows[:250], mx)


@pytest.mark.parametrize("kind", ["uniform", "ties", "anti", "correlated"])
def test_ens3_blocks(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    # the 3-D ENS sweep, forced on (whatever the first front) with blocks of 8 rows
    from tradeoff.engine import layers as pareto_layers

    monkeypatch.setattr(pareto_layers, "_ENS_BLOCK", 8)
    monkeypatch.setattr(pareto_layers, "_ENS_FRONT", 0)
    rng = np.random.default_rng(len(kind))
    n = 300
    if kind == "uniform":
        v = rng.random((n, 3))
    elif kind == "ties":
        v = rng.integers(0, 5, (n, 3)).astype(float)
    elif kind == "anti":
        v = rng.dirichlet(np.ones(3), n) + 0.02 * rng.standard_normal((n, 3))
    else:
        v = rng.random((n, 1)) + 0.1 * rng.standard_normal((n, 3))
    mx = [False, True, False]
    assert nondominated_layers(v, mx).tolist() == brute_layers(v.tolist(), mx)


# --- bounding-box path (d >= 4, large fronts), forced on small inputs


@settings(max_examples=60, deadline=None)
@given(
    st.integers(4, 6),
    st.integers(0, 400),
    st.sampled_from([2, 5, 1000]),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_box_path_matches_brute(d: int, n: int, top: int, anti: bool, seed: int) -> None:
    from tradeoff.engine import boxes as pareto_boxes

    rng = np.random.default_rng(seed)
    x = rng.integers(-top, top + 1, size=(n, d)).astype(np.float64)
    if anti:  # most rows on the front
        x[:, -1] = -x[:, :-1].sum(axis=1) + rng.integers(0, 2, size=n)
    mx = [False] * d
    want = brute_mask(x.tolist(), mx)
    saved = (
        pareto_kernels._BLOCK,
        pareto_kernels._BOXES,
        pareto_boxes._TOP,
        pareto_boxes._TOP_CHUNK,
    )
    try:
        pareto_kernels._BLOCK, pareto_kernels._BOXES, pareto_boxes._TOP, pareto_boxes._TOP_CHUNK = (
            32,
            8,
            2,
            3,
        )
        assert pareto_mask(x, mx).tolist() == want
        u = np.unique(x, axis=0)
        assert pareto_boxes.front(list(u.T)).tolist() == brute_mask(u.tolist(), mx)
    finally:
        pareto_kernels._BLOCK, pareto_kernels._BOXES, pareto_boxes._TOP, pareto_boxes._TOP_CHUNK = (
            saved
        )


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 5), st.integers(0, 3), st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_prefilter_with_ties_on_the_first_column(d: int, spread: int, n: int, seed: int) -> None:
    # The prefilter decides "dominated" from >= everywhere and > on the first column, and checks
    # the rows that tie the pivot there in full: constant or near-constant first columns and
    # copies of the pivot row must keep their fate.
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, size=(n, d)).astype(np.float64)
    x[:, 0] = rng.integers(0, spread + 1, size=n)
    x = np.vstack([x, np.repeat(x[:1], 3, axis=0)])  # copies of one row
    mx = [False] * d
    want = brute_mask(x.tolist(), mx)
    assert pareto_mask(x, mx).tolist() == want
    saved = pareto_kernels._PAIRWISE
    try:
        pareto_kernels._PAIRWISE = 2  # force the prefilter on small inputs too
        assert pareto_mask(x, mx).tolist() == want
        assert pareto_mask(-x, [True] * d).tolist() == want
    finally:
        pareto_kernels._PAIRWISE = saved
