"""Scoring methods and normalization: published worked examples, edge cases, invariances."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import runner, write_goals
from tradeoff.cli.app import app
from tradeoff.engine.methods import topsis, weighted_product, weighted_sum
from tradeoff.engine.normalize import minmax, vector

MAX4 = np.array([True, True, True, True])


def goals(
    metrics: dict[str, str], rows: dict[str, list[float]], weights: list[float] | None
) -> str:
    """A goals file for a decision matrix: metric name -> direction, candidate -> values."""
    lines = ["version: 1", "metrics:"]
    lines += [f"  {m}: {{direction: {d}}}" for m, d in metrics.items()]
    if weights is not None:
        pairs = ", ".join(f"{m}: {w}" for m, w in zip(metrics, weights, strict=True))
        lines += ["profiles:", f"  default: {{{pairs}}}"]
    lines.append("candidates:")
    for name, values in rows.items():
        pairs = ", ".join(f"{m}: {v}" for m, v in zip(metrics, values, strict=True))
        lines += [f"  - name: {name}", f"    metrics: {{{pairs}}}"]
    return "\n".join(lines) + "\n"


def rank_scores(path: Path, *args: str) -> dict[str, float]:
    result = runner.invoke(app, ["rank", str(path), "--format", "json", *args])
    assert result.exit_code == 0, result.stderr
    return {c["name"]: c["score"] for c in json.loads(result.stdout)["candidates"]}


# --- TOPSIS, published: Tzeng & Huang (2011), "Multiple Attribute Decision Making: Methods and
# Applications", CRC Press. Read as transcribed in quatrope/scikit-criteria,
# tests/agg/test_similarity.py::test_TOPSIS_tzeng2011multiple
# (https://github.com/quatrope/scikit-criteria/blob/master/tests/agg/test_similarity.py):
# matrix [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], all benefit criteria, weights
# [0.3, 0.4, 0.3], closeness [0.5037, 0.6581, 0.7482, 0.3340] (checked there with atol 1e-4).
TZENG_X = np.array([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], dtype=float)
TZENG_W = np.array([0.3, 0.4, 0.3])
TZENG_C = [0.5037, 0.6581, 0.7482, 0.3340]


def test_topsis_tzeng_huang_2011() -> None:
    scores, parts = topsis(TZENG_X, np.ones(3, bool), TZENG_W, TZENG_X)
    np.testing.assert_allclose(scores, TZENG_C, atol=1e-4)
    np.testing.assert_allclose(parts.sum(axis=1), 1.0)  # shares of the squared distance


def test_topsis_tzeng_huang_2011_through_the_cli(tmp_path: Path) -> None:
    text = goals(
        {"c1": "max", "c2": "max", "c3": "max"},
        {f"A{i + 1}": list(row) for i, row in enumerate(TZENG_X.tolist())},
        TZENG_W.tolist(),
    )
    scores = rank_scores(write_goals(tmp_path, text), "--method", "topsis")
    assert list(scores) == ["A3", "A2", "A1", "A4"]  # the published ranking
    for i, c in enumerate(TZENG_C):
        assert scores[f"A{i + 1}"] == pytest.approx(c, abs=1e-4)


# --- Mixed min/max TOPSIS, from K. Tafakkori's `mcdm` examples, as copied in
# William43864/Multi-Criteria-Optimization-in-Python, Topsis_mcdm.py: matrix
# [[80, 90, 600], [65, 58, 200], [83, 60, 400]], is_benefit_x [False, True, False],
# n_method="Vector", s_method="TOPSIS", default (equal) weights; printed output
# a2 0.6790225178016662, a3 0.4090188985805253, a1 0.3238488379935404.
MIXED_X = np.array([[80, 90, 600], [65, 58, 200], [83, 60, 400]], dtype=float)
MIXED_MAX = np.array([False, True, False])
MIXED_C = [0.3238488379935404, 0.6790225178016662, 0.4090188985805253]


def test_topsis_mixed_directions() -> None:
    scores, _ = topsis(MIXED_X, MIXED_MAX, np.ones(3), MIXED_X)
    np.testing.assert_allclose(scores, MIXED_C, atol=1e-9)


def test_topsis_mixed_directions_through_the_cli(tmp_path: Path) -> None:
    # No profiles: equal weights, as in the example.
    text = goals(
        {"c1": "min", "c2": "max", "c3": "min"},
        {f"a{i + 1}": list(row) for i, row in enumerate(MIXED_X.tolist())},
        None,
    )
    scores = rank_scores(write_goals(tmp_path, text), "--method", "topsis")
    assert list(scores) == ["a2", "a3", "a1"]
    for i, c in enumerate(MIXED_C):
        assert scores[f"a{i + 1}"] == pytest.approx(c, abs=1e-9)


# --- Weighted product, published: the Wikipedia "Weighted product model" example (data from
# Triantaphyllou, "Multi-Criteria Decision Making Methods: A Comparative Study", 2000):
# A1 (25, 20, 15, 30), A2 (10, 30, 20, 30), A3 (30, 10, 30, 10), all benefit criteria, weights
# (0.20, 0.15, 0.40, 0.25). Read as transcribed in quatrope/scikit-criteria,
# tests/agg/test_simple.py::test_WeightedProductModel_enwiki_1015567716
# (https://github.com/quatrope/scikit-criteria/blob/master/tests/agg/test_simple.py), whose
# scores are sum_j w_j log10(x_ij / sum_i x_ij) = [-0.50128589, -0.50448471, -0.52947246].
# Differences of those log scores are log10 of the pairwise ratios P(AK/AL) = prod (aKj/aLj)^wj,
# which the article rounds to P(A1/A2) = 1.007, P(A1/A3) = 1.067, P(A2/A3) = 1.059.
WPM_X = np.array([[25, 20, 15, 30], [10, 30, 20, 30], [30, 10, 30, 10]], dtype=float)
WPM_W = np.array([20, 15, 40, 25], dtype=float)
SKC_LOG = np.array([-0.50128589, -0.50448471, -0.52947246])


def test_weighted_product_wikipedia_ratios() -> None:
    scores, factors = weighted_product(WPM_X, MAX4, WPM_W, WPM_X)
    ratio = {(k, m): scores[k] / scores[m] for k in range(3) for m in range(3)}
    for (k, m), published in {(0, 1): 1.007, (0, 2): 1.067, (1, 2): 1.059}.items():
        assert ratio[k, m] == pytest.approx(published, abs=5e-4)
        assert ratio[k, m] == pytest.approx(10 ** (SKC_LOG[k] - SKC_LOG[m]), rel=1e-7)
    # The classical form: r = x / best per metric, so each factor is (x / best) ** (w / sum w).
    best = WPM_X.max(axis=0)
    np.testing.assert_allclose(factors, (WPM_X / best) ** (WPM_W / WPM_W.sum()))
    np.testing.assert_allclose(scores, factors.prod(axis=1))
    assert scores.max() <= 1.0


def test_weighted_product_through_the_cli(tmp_path: Path) -> None:
    text = goals(
        {"c1": "max", "c2": "max", "c3": "max", "c4": "max"},
        {f"A{i + 1}": list(row) for i, row in enumerate(WPM_X.tolist())},
        WPM_W.tolist(),
    )
    scores = rank_scores(write_goals(tmp_path, text), "--method", "weighted-product")
    assert list(scores) == ["A1", "A2", "A3"]
    assert scores["A1"] / scores["A2"] == pytest.approx(1.007, abs=5e-4)
    assert scores["A2"] / scores["A3"] == pytest.approx(1.059, abs=5e-4)


def test_weighted_product_min_metric_uses_best_over_x() -> None:
    # A min metric's ratio is best / x: cost 2 vs 4 with equal weights on a max metric of 1.
    x = np.array([[1.0, 2.0], [1.0, 4.0]])
    scores, _ = weighted_product(x, np.array([True, False]), np.ones(2), x)
    np.testing.assert_allclose(scores, [1.0, (2 / 4) ** 0.5])


def test_weighted_sum_mixed_example() -> None:
    # Hand-worked: quality (max) 70, 80, 90; cost (min) 3, 1, 2; weights 3:1.
    x = np.array([[70.0, 3.0], [80.0, 1.0], [90.0, 2.0]])
    n = minmax(x, np.array([True, False]))
    np.testing.assert_allclose(n, [[0, 0], [0.5, 1], [1, 0.5]])
    scores, parts = weighted_sum(n, np.array([3.0, 1.0]))
    np.testing.assert_allclose(scores, [0, 0.625, 0.875])
    np.testing.assert_allclose(parts.sum(axis=1), scores)


# --- Normalization


def test_range_goalposts_clip() -> None:
    x = np.array([[-0.5], [0.25], [2.0]])
    np.testing.assert_allclose(minmax(x, np.array([True]), ranges=[(0.0, 1.0)]), [[0], [0.25], [1]])
    np.testing.assert_allclose(
        minmax(x, np.array([False]), ranges=[(0.0, 1.0)]), [[1], [0.75], [0]]
    )


def test_rows_outside_the_reference_are_clipped() -> None:
    ref = np.array([[1.0], [3.0]])
    x = np.array([[0.0], [2.0], [5.0]])
    np.testing.assert_allclose(minmax(x, np.array([True]), ref), [[0], [0.5], [1]])


def test_constant_column_is_one_and_missing_stays_missing() -> None:
    x = np.array([[4.0, 1.0], [4.0, np.nan], [4.0, 2.0]])
    out = minmax(x, np.array([False, True]))
    np.testing.assert_array_equal(out[:, 0], [1, 1, 1])
    assert np.isnan(out[1, 1])
    np.testing.assert_allclose(out[[0, 2], 1], [0, 1])


def test_constant_goalposts_clip_a_worse_row_outside_the_reference_to_zero() -> None:
    # One feasible candidate (80 %, 2 USD): an infeasible one worse on both is 0 on both, one
    # better is 1 (clipped), as against any other goalposts; not "constant, hence 1".
    ref = np.array([[80.0, 2.0]])
    x = np.array([[80.0, 2.0], [40.0, 9.0], [90.0, 1.0]])
    out = minmax(x, np.array([True, False]), ref)
    np.testing.assert_array_equal(out, [[1, 1], [0, 0], [1, 1]])


def test_explain_of_an_infeasible_candidate_against_one_feasible(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text(
        "version: 1\nmetrics:\n  q: {direction: max}\n  c: {direction: min}\n"
        "budgets:\n  q: {min: 50}\ncandidates:\n"
        "  - {name: A, metrics: {q: 80, c: 2}}\n  - {name: X, metrics: {q: 40, c: 9}}\n"
    )
    result = runner.invoke(app, ["explain", "X", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    lines = json.loads(result.stdout)["metrics"]
    assert [(m["metric"], m["normalized"]) for m in lines] == [("q", 0.0), ("c", 0.0)]


def test_no_reference_rows_gives_nan_unless_a_range_is_set() -> None:
    x = np.array([[0.5, 0.5]])
    out = minmax(x, np.array([True, True]), x[:0], [None, (0.0, 1.0)])
    assert np.isnan(out[0, 0])
    assert out[0, 1] == 0.5


def test_all_nan_column_has_no_warning() -> None:
    # filterwarnings=error turns a 0/0 or all-NaN RuntimeWarning into a failure.
    x = np.array([[np.nan], [np.nan]])
    assert np.isnan(minmax(x, np.array([True]))).all()


def test_vector_normalization_and_zero_column() -> None:
    x = np.array([[3.0, 0.0], [4.0, 0.0]])
    np.testing.assert_allclose(vector(x, x), [[0.6, 0], [0.8, 0]])


def test_topsis_all_zero_column_adds_nothing() -> None:
    x = TZENG_X
    with_zero = np.column_stack([x, np.zeros(4)])
    for maximize in (True, False):
        s0, _ = topsis(x, np.ones(3, bool), TZENG_W, x)
        s1, parts = topsis(
            with_zero, np.array([True, True, True, maximize]), np.array([*TZENG_W, 5.0]), with_zero
        )
        np.testing.assert_allclose(s1, s0)
        np.testing.assert_array_equal(parts[:, 3], 0)


def test_topsis_both_distances_zero_scores_one() -> None:
    x = np.array([[2.0, 5.0], [2.0, 5.0]])
    scores, parts = topsis(x, np.array([True, False]), np.ones(2), x)
    np.testing.assert_array_equal(scores, [1, 1])
    np.testing.assert_array_equal(parts, 0)
    one, _ = topsis(x[:1], np.array([True, False]), np.ones(2), x[:1])
    assert one[0] == 1


def test_weighted_product_rejects_zero_naming_candidate_and_metric(tmp_path: Path) -> None:
    text = goals({"quality": "max", "cost": "min"}, {"good": [1, 2], "free": [2, 0]}, None)
    path = write_goals(tmp_path, text)
    result = runner.invoke(app, ["rank", str(path), "--method", "weighted-product"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "free.cost" in result.stderr
    assert "positive" in result.stderr
    assert "goals.yaml:" in result.stderr
    # Negative too; and the other methods do not care.
    neg = write_goals(tmp_path, text.replace("cost: 0", "cost: -1"), "neg.yaml")
    result = runner.invoke(app, ["rank", str(neg), "-m", "weighted-product"])
    assert result.exit_code == 2
    assert "free.cost" in result.stderr
    assert runner.invoke(app, ["rank", str(path), "-m", "topsis"]).exit_code == 0


def test_weighted_product_says_when_the_zero_was_filled_in(tmp_path: Path) -> None:
    path = write_goals(
        tmp_path,
        """
        version: 1
        metrics:
          q: {direction: max, range: [0, 100]}
          c: {direction: min}
        candidates:
          - {name: A, metrics: {q: 80, c: 2}}
          - {name: C, metrics: {c: 3}}
        """,
    )
    args = ["rank", str(path), "--missing", "worst", "-m", "weighted-product"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "C.q: weighted-product needs positive values, got 0 (no value in the file: --missing worst"
        " filled in the worst value)\n"
    )


def test_weighted_product_ignores_zero_in_unweighted_metric(tmp_path: Path) -> None:
    text = goals({"quality": "max", "cost": "min"}, {"a": [1, 2], "b": [2, 0]}, [1, 0])
    result = runner.invoke(
        app, ["rank", str(write_goals(tmp_path, text)), "-m", "weighted-product"]
    )
    assert result.exit_code == 0, result.stderr


# --- Invariances

matrices = st.integers(2, 6).flatmap(
    lambda n: st.lists(
        st.lists(st.floats(0.1, 1000, allow_nan=False), min_size=3, max_size=3),
        min_size=n,
        max_size=n,
    )
)
directions = st.lists(st.booleans(), min_size=3, max_size=3)
scales = st.floats(1e-3, 1e3)


@settings(max_examples=60, deadline=None)
@given(matrices, directions, st.integers(0, 2), scales)
def test_weighted_product_is_scale_free(
    rows: list[list[float]], up: list[bool], j: int, c: float
) -> None:
    x = np.array(rows)
    w = np.array([1.0, 2.0, 3.0])
    s0, _ = weighted_product(x, np.array(up), w, x)
    y = x.copy()
    y[:, j] *= c  # a new unit for metric j
    s1, _ = weighted_product(y, np.array(up), w, y)
    np.testing.assert_allclose(s1, s0, rtol=1e-9)
    assert ((s0 > 0) & (s0 <= 1 + 1e-12)).all()


@settings(max_examples=60, deadline=None)
@given(matrices, directions, st.integers(0, 2), scales)
def test_topsis_is_invariant_under_positive_scaling(
    rows: list[list[float]], up: list[bool], j: int, c: float
) -> None:
    x = np.array(rows)
    w = np.array([1.0, 2.0, 3.0])
    s0, _ = topsis(x, np.array(up), w, x)
    y = x.copy()
    y[:, j] *= c
    s1, _ = topsis(y, np.array(up), w, y)
    np.testing.assert_allclose(s1, s0, atol=1e-9)
    assert ((s0 >= 0) & (s0 <= 1)).all()


def test_weighted_product_works_in_logs_where_ratios_underflow() -> None:
    # b's ratio on m0 is 1e-308 / 1e308 = 1e-616, below the smallest float; its score is
    # (1e-616)^(1/3) = 10^(-205.33), which is a float. The other two metrics tie.
    values = np.array([[1e308, 2.0, 3.0], [1e-308, 2.0, 3.0]])
    maximize = np.array([True, False, True])
    scores, factors = weighted_product(values, maximize, np.ones(3), values)
    assert scores[0] == 1.0
    assert math.log10(scores[1]) == pytest.approx(-616 / 3, rel=1e-12)
    assert factors[1, 1:].tolist() == [1.0, 1.0]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(33, 300),
    st.integers(1, 6),
    st.lists(st.sampled_from([0.0, -0.0, 1.5, -2.0, math.nan, 7.0]), min_size=1, max_size=6),
    st.integers(0, 2**32 - 1),
)
def test_goalposts_of_a_long_table_are_the_row_by_row_fold_bit_for_bit(
    n: int, d: int, pool: list[float], seed: int
) -> None:
    # A table's column extremes are reduced column by column for speed (issue 17); they must be
    # what numpy's reduction over the rows gives, down to the sign of a zero and the all-NaN
    # columns (the two orders differ there).
    from tradeoff.engine.normalize import _extremes

    rng = np.random.default_rng(seed)
    x = rng.choice(np.array(pool), size=(n, d))
    x[:, 0] = rng.random(n) + 0.5  # one column of ordinary numbers
    if seed % 2:
        x[:, 1:] += 3.0  # often no zero or NaN anywhere: the fast way alone
    lo, hi = _extremes(x)
    rows_lo, rows_hi = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)
    assert lo.shape == hi.shape == (1, d)
    assert lo.tobytes() == rows_lo.tobytes() and hi.tobytes() == rows_hi.tobytes()
    assert lo[0, 0] == x[:, 0].min() and hi[0, 0] == x[:, 0].max()
