"""rank, explain and pareto: invariants against brute-force references written here, and flags."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tradeoff
from conftest import GOALS, runner, write_goals
from tradeoff.cli.app import app
from tradeoff.data import BudgetSpec, MetricSpec, StudyData
from tradeoff.errors import UsageError
from tradeoff.questions.study import Study

TIE = 1e-9


def make_study(
    values: list[list[float]],
    maximize: list[bool],
    names: list[str] | None = None,
    *,
    profiles: dict[str, dict[str, float]] | None = None,
    budgets: list[tuple[int, str, float, str]] = (),  # type: ignore[assignment]
    ranges: list[tuple[float, float] | None] | None = None,
) -> Study:
    """A study straight from arrays (no YAML): metrics m0, m1, ...; candidates c0, c1, ..."""
    x = np.array(values, dtype=float)
    n, d = x.shape
    rng = ranges or [None] * d
    metrics = [MetricSpec(f"m{j}", maximize[j], range=rng[j]) for j in range(d)]
    data = StudyData(
        file="goals.yaml",
        title=None,
        metrics=metrics,
        names=names or [f"c{i}" for i in range(n)],
        tags=[frozenset()] * n,
        values=x,
        stderr=np.full_like(x, np.nan),
        lines=np.ones((n, d), dtype=np.int64),
        cols=np.ones((n, d), dtype=np.int64),
        cand_lines=np.ones(n, dtype=np.int64),
        budgets=[BudgetSpec(f"m{j}", b, lim, "error", None, 1, 1) for j, b, lim, _ in budgets],  # type: ignore[arg-type]
        profiles=profiles or {},
    )
    return Study(data)


# --- Brute-force references (plain Python, independent of the code under test)


def oriented(row: list[float], maximize: list[bool]) -> list[float]:
    return [v if up else -v for v, up in zip(row, maximize, strict=True)]


def dominates(a: list[float], b: list[float], maximize: list[bool]) -> bool:
    oa, ob = oriented(a, maximize), oriented(b, maximize)
    return all(x >= y for x, y in zip(oa, ob, strict=True)) and any(
        x > y for x, y in zip(oa, ob, strict=True)
    )


def front(rows: list[list[float]], maximize: list[bool]) -> list[bool]:
    return [not any(dominates(o, r, maximize) for o in rows) for r in rows]


def layers(rows: list[list[float]], maximize: list[bool]) -> list[int]:
    left, out, k = set(range(len(rows))), [0] * len(rows), 0
    while left:
        k += 1
        peel = [i for i in left if not any(dominates(rows[j], rows[i], maximize) for j in left)]
        for i in peel:
            out[i] = k
        left -= set(peel)
    return out


def hand_weighted_sum(rows: list[list[float]], maximize: list[bool], w: list[float]) -> list[float]:
    cols = list(zip(*rows, strict=True))
    scores = []
    for r in rows:
        total = 0.0
        for j, v in enumerate(r):
            lo, hi = min(cols[j]), max(cols[j])
            n = 1.0 if hi == lo else ((v - lo) / (hi - lo) if maximize[j] else (hi - v) / (hi - lo))
            total += w[j] * n
        scores.append(total / sum(w))
    return scores


def hand_order(names: list[str], scores: list[float]) -> list[str]:
    """Best first; a group is every score within TIE of the best score not yet placed."""
    left = sorted(range(len(names)), key=lambda i: -scores[i])
    out: list[str] = []
    while left:
        lead = scores[left[0]]
        group = [i for i in left if lead - scores[i] <= TIE]
        out += sorted(names[i] for i in group)
        left = [i for i in left if i not in group]
    return out


def knee_ref(rows: list[list[float]], maximize: list[bool], names: list[str]) -> str:
    d = len(maximize)
    gaps = []
    for r in rows:
        g = 0.0
        for j in range(d):
            col = [o[j] for o in rows]
            lo, hi = min(col), max(col)
            if hi > lo:
                n = (r[j] - lo) / (hi - lo) if maximize[j] else (hi - r[j]) / (hi - lo)
                g += (1 - n) ** 2
        gaps.append(math.sqrt(g))
    best = min(gaps)
    return min(names[i] for i in range(len(rows)) if gaps[i] <= best + 1e-12)


# --- Strategies: small integer grids make exact ties and duplicates common.

grid = st.integers(0, 4).map(float)


@st.composite
def problems(draw: Any, min_rows: int = 1) -> tuple[list[list[float]], list[bool], list[float]]:
    n = draw(st.integers(min_rows, 7))
    d = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(grid, min_size=d, max_size=d), min_size=n, max_size=n))
    maximize = draw(st.lists(st.booleans(), min_size=d, max_size=d))
    w = draw(st.lists(st.integers(1, 5).map(float), min_size=d, max_size=d))
    return rows, maximize, w


def study_for(rows: list[list[float]], maximize: list[bool], w: list[float]) -> Study:
    profile = {f"m{j}": wj for j, wj in enumerate(w)}
    return make_study(rows, maximize, profiles={"default": profile})


FAST = settings(max_examples=80, deadline=None)


@FAST
@given(problems())
def test_weighted_sum_matches_the_hand_formula_and_order(p: Any) -> None:
    rows, maximize, w = p
    res = study_for(rows, maximize, w).rank_result()
    names = [f"c{i}" for i in range(len(rows))]
    expected = hand_weighted_sum(rows, maximize, w)
    got = {r.name: r.score for r in res.rows}
    for name, s in zip(names, expected, strict=True):
        assert got[name] == pytest.approx(s, abs=1e-12)
    assert [r.name for r in res.rows] == hand_order(names, expected)
    assert [r.rank for r in res.rows] == list(range(1, len(rows) + 1))
    assert res.weights == pytest.approx({f"m{j}": wj / sum(w) for j, wj in enumerate(w)})


@FAST
@given(problems(), st.randoms())
def test_row_permutation_changes_nothing(p: Any, rnd: Any) -> None:
    rows, maximize, w = p
    names = [f"c{i}" for i in range(len(rows))]
    perm = list(range(len(rows)))
    rnd.shuffle(perm)
    a = study_for(rows, maximize, w).rank_result()
    b = make_study(
        [rows[i] for i in perm],
        maximize,
        [names[i] for i in perm],
        profiles={"default": {f"m{j}": wj for j, wj in enumerate(w)}},
    ).rank_result()
    assert [(r.name, r.rank, r.dominated_by) for r in a.rows] == [
        (r.name, r.rank, r.dominated_by) for r in b.rows
    ]
    assert [r.score for r in a.rows] == pytest.approx([r.score for r in b.rows], abs=1e-12)


@FAST
@given(problems(), st.integers(0, 3), st.sampled_from([0.25, 0.5, 2.0, 8.0]), st.integers(-50, 50))
def test_positive_affine_rescaling_of_a_column_changes_nothing(
    p: Any, j: int, a: float, b: int
) -> None:
    rows, maximize, w = p
    j %= len(maximize)
    # A power-of-two factor and an integer shift keep the arithmetic exact, so even ties survive.
    scaled = [[v * a + b if k == j else v for k, v in enumerate(r)] for r in rows]
    r0 = study_for(rows, maximize, w).rank_result()
    r1 = study_for(scaled, maximize, w).rank_result()
    assert [(r.name, r.rank, r.score, r.dominated_by) for r in r0.rows] == [
        (r.name, r.rank, r.score, r.dominated_by) for r in r1.rows
    ]


@settings(max_examples=40, deadline=None)
@given(problems(min_rows=2), st.floats(1e-3, 1e3), st.floats(-1e3, 1e3))
def test_general_affine_rescaling_keeps_scores(p: Any, a: float, b: float) -> None:
    rows, maximize, w = p
    scaled = [[r[0] * a + b, *r[1:]] for r in rows]
    s0 = {r.name: r.score for r in study_for(rows, maximize, w).rank_result().rows}
    s1 = {r.name: r.score for r in study_for(scaled, maximize, w).rank_result().rows}
    assert s1 == pytest.approx(s0, abs=1e-9)


@FAST
@given(problems())
def test_dominance_marks_and_dominated_by(p: Any) -> None:
    rows, maximize, w = p
    res = study_for(rows, maximize, w).rank_result()
    names = [f"c{i}" for i in range(len(rows))]
    on_front = dict(zip(names, front(rows, maximize), strict=True))
    score = {r.name: r.score for r in res.rows}
    for r in res.rows:
        assert r.on_front == on_front[r.name]
        me = rows[names.index(r.name)]
        if r.on_front:
            assert r.dominated_by == ()
            continue
        assert 1 <= len(r.dominated_by) <= 3
        for d in r.dominated_by:
            assert on_front[d]
            assert dominates(rows[names.index(d)], me, maximize)
        # The first three of all dominating front members, highest score first, then by name.
        every = [n for n in names if on_front[n] and dominates(rows[names.index(n)], me, maximize)]
        every.sort(key=lambda n: (-score[n], n))
        assert list(r.dominated_by) == every[:3]


def test_chained_near_ties_do_not_merge() -> None:
    # One max metric with range [0, 1]: the score is the value itself.
    values = [[1.0], [1.0 - 0.6e-9], [1.0 - 1.2e-9]]
    st_ = make_study(values, [True], ["c", "b", "a"], ranges=[(0.0, 1.0)])
    # 'c' leads its group with 'b' (within 1e-9); 'a' is 1.2e-9 below 'c', so it comes after.
    assert [r.name for r in st_.rank_result().rows] == ["b", "c", "a"]
    exact = make_study([[0.5], [0.5], [0.5]], [True], ["b", "é", "a"], ranges=[(0.0, 1.0)])
    assert [r.name for r in exact.rank_result().rows] == ["a", "b", "é"]  # code point order


@FAST
@given(problems())
def test_explain_contributions_and_dominators(p: Any) -> None:
    rows, maximize, w = p
    study = study_for(rows, maximize, w)
    names = [f"c{i}" for i in range(len(rows))]
    ranked = {r.name: r for r in study.rank_result().rows}
    for i, name in enumerate(names):
        ex = study.explain_result(name)
        parts = [line.contribution for line in ex.lines]
        assert ex.score is not None
        assert sum(x for x in parts if x is not None) == pytest.approx(ex.score, abs=1e-12)
        assert ex.score == pytest.approx(ranked[name].score, abs=1e-12)
        assert ex.rank == ranked[name].rank
        assert sum(line.weight for line in ex.lines) == pytest.approx(1.0)
        every = {n for j, n in enumerate(names) if dominates(rows[j], rows[i], maximize)}
        assert {n for n, _ in ex.dominated_by} == every
        for n, better in ex.dominated_by:
            other = oriented(rows[names.index(n)], maximize)
            mine = oriented(rows[i], maximize)
            assert better == [f"m{j}" for j in range(len(maximize)) if other[j] > mine[j]]


@FAST
@given(problems())
def test_pareto_front_layers_knee_and_dominated_by(p: Any) -> None:
    rows, maximize, _ = p
    study = make_study(rows, maximize)
    names = [f"c{i}" for i in range(len(rows))]
    fr = front(rows, maximize)
    lay = layers(rows, maximize)
    res = study.pareto_result()
    assert sorted(r.name for r in res.rows) == sorted(
        n for n, f in zip(names, fr, strict=True) if f
    )
    assert [r.name for r in res.rows] == sorted(r.name for r in res.rows)
    members = [i for i in range(len(rows)) if fr[i]]
    knee = knee_ref([rows[i] for i in members], maximize, [names[i] for i in members])
    assert [r.name for r in res.rows if r.knee] == [knee]
    full = study.pareto_result(layers=True)
    assert [(r.layer, r.name) for r in full.rows] == sorted(
        (lay[i], names[i]) for i in range(len(rows))
    )
    for r in full.rows:
        i = names.index(r.name)
        doms = sorted(names[j] for j in members if dominates(rows[j], rows[i], maximize))
        assert list(r.dominated_by) == doms[:3]
        assert r.on_front == fr[i]


def test_identical_candidates_both_on_the_front_and_a_front_of_one() -> None:
    res = make_study([[1.0, 2.0], [1.0, 2.0], [0.0, 2.0]], [True, True]).pareto_result()
    assert [(r.name, r.knee) for r in res.rows] == [("c0", True), ("c1", False)]
    one = make_study([[3.0, 1.0], [1.0, 0.0]], [True, True]).pareto_result()
    assert [(r.name, r.knee) for r in one.rows] == [("c0", True)]


def test_pareto_ignore_budgets_considers_infeasible_ones() -> None:
    # c0 breaks m0 <= 2 but dominates c1.
    s = make_study(
        [[3.0, 3.0], [2.0, 2.0], [1.0, 4.0]], [True, True], budgets=[(0, "max", 2.0, "")]
    )
    assert [r.name for r in s.pareto_result().rows] == ["c1", "c2"]
    res = s.pareto_result(ignore_budgets=True, layers=True)
    assert [(r.layer, r.name, r.feasible) for r in res.rows] == [
        (1, "c0", False),
        (1, "c2", True),
        (2, "c1", True),
    ]
    assert next(r for r in res.rows if r.name == "c1").dominated_by == ("c0",)


# --- CLI behaviour on the spec's example file


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def rank_json(path: Path, *args: str) -> dict[str, Any]:
    result = invoke("rank", str(path), "-f", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_top_n_is_exactly_n_rows(goals_path: Path) -> None:
    full = rank_json(goals_path)
    assert len(full["candidates"]) == 3  # model-c is infeasible
    for n in range(1, 4):
        got = rank_json(goals_path, "--top", str(n))
        assert [c["name"] for c in got["candidates"]] == [c["name"] for c in full["candidates"]][:n]
        assert [c["name"] for c in got["infeasible"]] == ["model-c"]
        assert got["infeasible_count"] == 1
    assert len(rank_json(goals_path, "--top", "10")["candidates"]) == 3


def test_top_zero_is_a_usage_error(goals_path: Path) -> None:
    for command in ("rank", "explain model-a", "sensitivity"):
        result = invoke(*command.split(), str(goals_path), "--top", "0")
        assert (result.exit_code, result.stdout) == (2, ""), command
        assert "--top" in result.stderr
    with pytest.raises(UsageError, match="top must be 1 or more"):
        tradeoff.load(goals_path).rank_result(top=0)


def _many_infeasible(tmp_path: Path) -> Path:
    lines = [
        "version: 1",
        "metrics:",
        "  q: {direction: max}",
        "  lat: {direction: min, unit: ms}",
        "budgets:",
        "  lat: [{max: 100}, {max: 50, level: warn}]",
        "  q: {min: 10}",
        "candidates:",
    ]
    for i in range(12):
        q = "null" if i == 7 else str(5 + i)
        lines.append(f'  - {{name: "c{i}-\\u00e9\\"x", metrics: {{q: {q}, lat: {40 + 10 * i}}}}}')
    path = tmp_path / "many.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_top_n_keeps_the_first_n_infeasible_in_file_order(tmp_path: Path) -> None:
    path = _many_infeasible(tmp_path)
    full = rank_json(path)
    bad = [c["name"] for c in full["infeasible"]]
    # q < 10 for c0..c4, lat > 100 for c7 (and q missing) .. c11
    assert bad == [f'c{i}-\u00e9"x' for i in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)]
    assert full["infeasible_count"] == 10
    top = rank_json(path, "--top", "3")
    assert top["infeasible"] == full["infeasible"][:3]
    assert top["infeasible_count"] == 10


def test_the_infeasible_list_matches_its_records(tmp_path: Path) -> None:
    # The JSON of the infeasible list is encoded in bulk: it must say what the records say.
    path = _many_infeasible(tmp_path)
    result = tradeoff.load(path).rank_result(missing="worst")
    doc = json.loads(result.to_json_text())
    assert doc["infeasible"] == [
        {"name": r.name, "violations": [v.violation() for v in r.violations]}
        for r in result.infeasible
    ]
    seven = doc["infeasible"][5]["violations"]
    assert seven == [
        {"candidate": 'c7-\u00e9"x', "metric": "lat", "value": 110.0, "bound": "max",
         "limit": 100.0, "level": "error", "line": 16},
        {"candidate": 'c7-\u00e9"x', "metric": "lat", "value": 110.0, "bound": "max",
         "limit": 50.0, "level": "warn", "line": 16},
        {"candidate": 'c7-\u00e9"x', "metric": "q", "value": None, "bound": "min",
         "limit": 10.0, "level": "error", "line": 16},
    ]  # fmt: skip


def test_all_lists_infeasible_with_violations(goals_path: Path) -> None:
    out = invoke("rank", str(goals_path), "--all").stdout
    assert "model-c" in out
    assert "infeasible" in out
    assert "latency_p95 920 ms > max 800 ms" in out
    plain = invoke("rank", str(goals_path)).stdout
    assert "infeasible (see --all): model-c" in plain
    data = rank_json(goals_path, "--all")
    (bad,) = data["infeasible"]
    assert bad["name"] == "model-c"
    assert [v["metric"] for v in bad["violations"]] == ["latency_p95", "memory"]


def test_metrics_narrows_dominance_only(goals_path: Path) -> None:
    full = rank_json(goals_path)
    narrow = rank_json(goals_path, "--metrics", "quality")
    key = [(c["name"], c["score"], c["rank"]) for c in full["candidates"]]
    assert key == [(c["name"], c["score"], c["rank"]) for c in narrow["candidates"]]
    assert narrow["infeasible"] == full["infeasible"]
    # On quality alone model-a (72.6) dominates everyone else.
    assert {c["name"]: c["dominated_by"] for c in narrow["candidates"]} == {
        "model-a": [],
        "model-d": ["model-a"],
        "model-b-q4": ["model-a"],
    }


def test_no_profiles_means_equal_weights(tmp_path: Path) -> None:
    text = GOALS.split("profiles:")[0] + "candidates:" + GOALS.split("candidates:")[1]
    data = rank_json(write_goals(tmp_path, text))
    assert data["profile"] == "default"
    assert data["weights"] == pytest.approx(dict.fromkeys(data["weights"], 1 / 6))
    assert len(data["weights"]) == 6


def test_profiles_without_default_need_profile(tmp_path: Path) -> None:
    path = write_goals(tmp_path, GOALS.replace("  default: {", "  chat: {"))
    result = invoke("rank", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert "chat, batch" in result.stderr
    assert rank_json(path, "--profile", "chat")["profile"] == "chat"
    # pareto does not score, so it needs no profile.
    assert invoke("pareto", str(path)).exit_code == 0


def test_weight_flag(goals_path: Path) -> None:
    base = rank_json(goals_path)["weights"]
    assert base == pytest.approx({"quality": 0.4, "cost": 0.2, "latency_p95": 0.2, "safety": 0.2})
    more = rank_json(goals_path, "--weight", "cost=6")["weights"]
    assert more == pytest.approx(
        {"quality": 4 / 14, "cost": 6 / 14, "latency_p95": 2 / 14, "safety": 2 / 14}
    )
    dropped = rank_json(goals_path, "--weight", "cost=0")["weights"]
    assert list(dropped) == ["quality", "latency_p95", "safety"]
    added = rank_json(goals_path, "-w", "energy=2", "-w", "quality=0")["weights"]
    assert list(added) == ["cost", "latency_p95", "energy", "safety"]
    for bad, said in [
        ("nope=1", "unknown metric 'nope'"),
        ("cost=-1", ">= 0"),
        ("cost", "METRIC=WEIGHT"),
    ]:
        result = invoke("rank", str(goals_path), "--weight", bad)
        assert (result.exit_code, result.stdout) == (2, ""), bad
        assert said in result.stderr
    twice = invoke("rank", str(goals_path), "-w", "cost=1", "-w", " cost=2")
    assert (twice.exit_code, twice.stderr) == (2, "error: --weight: metric 'cost' given twice\n")


def test_explain_weight_is_the_normalized_weight(goals_path: Path) -> None:
    result = invoke("explain", "model-a", str(goals_path), "-f", "json")
    weights = {m["metric"]: m["weight"] for m in json.loads(result.stdout)["metrics"]}
    assert weights == pytest.approx(
        {"quality": 0.4, "cost": 0.2, "latency_p95": 0.2, "memory": 0, "energy": 0, "safety": 0.2}
    )


MISSING = GOALS.replace("{quality: 61.0, cost: 0.0012, ", "{quality: 61.0, ")


def test_missing_error_names_who_lacks_what(tmp_path: Path) -> None:
    path = write_goals(tmp_path, MISSING)
    for cmd in (["rank"], ["pareto"], ["explain", "model-a"]):
        result = invoke(*cmd, str(path))
        assert (result.exit_code, result.stdout) == (2, ""), cmd
        assert "model-d" in result.stderr and "cost" in result.stderr
        assert "goals.yaml:" in result.stderr


def test_missing_exclude_lists_them(tmp_path: Path) -> None:
    data = rank_json(write_goals(tmp_path, MISSING), "--missing", "exclude")
    assert data["excluded"] == [{"name": "model-d", "missing": ["cost"]}]
    assert [c["name"] for c in data["candidates"]] == ["model-a", "model-b-q4"]


def test_missing_worst_fills_least_favourable_and_shows_null(tmp_path: Path) -> None:
    path = write_goals(tmp_path, MISSING)
    data = rank_json(path, "--missing", "worst")
    d = next(c for c in data["candidates"] if c["name"] == "model-d")
    assert d["metrics"]["cost"] is None
    assert d["normalized"]["cost"] == 0.0  # the worst cost among the feasible (model-a's 0.0078)
    # With a range the bad end of it is used instead: safety max with range [0, 1] -> 0.
    text = MISSING.replace(
        "latency_p95: 480, memory: 90, energy: 0.6, safety: 0.93}",
        "latency_p95: 480, memory: 90, energy: 0.6}",
    )
    text = text.replace("  safety:      {min: 0.9}\n", "")
    d = next(
        c
        for c in rank_json(write_goals(tmp_path, text, "r.yaml"), "--missing", "worst")[
            "candidates"
        ]
        if c["name"] == "model-d"
    )
    assert d["metrics"]["safety"] is None
    assert d["normalized"]["safety"] == 0.0


def test_metric_no_candidate_has_is_an_error_whatever_the_policy(tmp_path: Path) -> None:
    text = GOALS.replace(
        "  safety:      {direction: max, range: [0, 1]}\n",
        "  safety:      {direction: max, range: [0, 1]}\n  carbon:      {direction: min}\n",
    )
    path = write_goals(tmp_path, text)
    for policy in ("error", "exclude", "worst"):
        result = invoke("pareto", str(path), "--missing", policy)
        assert result.exit_code == 2, policy
        assert "carbon" in result.stderr


def test_missing_budgeted_value_is_a_no_value_violation(tmp_path: Path) -> None:
    text = GOALS.replace("cost: 0.0078, latency_p95: 640, ", "cost: 0.0078, ")
    data = rank_json(write_goals(tmp_path, text))
    names = [c["name"] for c in data["candidates"]]
    assert "model-a" not in names
    bad = next(x for x in data["infeasible"] if x["name"] == "model-a")
    assert bad["violations"][0]["metric"] == "latency_p95"
    assert bad["violations"][0]["value"] is None


def test_no_feasible_candidate_is_an_empty_result(tmp_path: Path) -> None:
    path = write_goals(tmp_path, GOALS.replace("latency_p95: {max: 800}", "latency_p95: {max: 1}"))
    result = invoke("rank", str(path), "-f", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["candidates"] == []
    assert len(data["infeasible"]) == 4
    assert "no feasible candidate" in result.stderr
    table = invoke("rank", str(path))
    assert table.exit_code == 0 and "no feasible candidate" in table.stderr


def test_explain_infeasible_candidate(goals_path: Path) -> None:
    result = invoke("explain", "model-c", str(goals_path), "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["feasible"], data["score"], data["rank"]) == (False, None, None)
    norm = {m["metric"]: m["normalized"] for m in data["metrics"]}
    # Against the feasible ones (latency 210..640): 920 is past the worst end, so clipped to 0;
    # quality 70.1 lies inside 44.3..72.6.
    assert norm["latency_p95"] == 0.0
    assert norm["quality"] == pytest.approx((70.1 - 44.3) / (72.6 - 44.3))
    assert [b["status"] for b in data["budgets"]] == ["fail", "pass", "warn"]


def test_pareto_layers_and_knee_on_the_example(goals_path: Path) -> None:
    result = invoke("pareto", str(goals_path), "--layers", "-f", "json")
    data = json.loads(result.stdout)
    assert [(c["layer"], c["name"]) for c in data["candidates"]] == sorted(
        (c["layer"], c["name"]) for c in data["candidates"]
    )
    assert sum(c["knee"] for c in data["candidates"]) == 1


def test_rank_table_marks_dominated_candidates(tmp_path: Path) -> None:
    # model-e equals model-d but costs more: dominated by model-d.
    text = GOALS + (
        "  - name: model-e\n"
        "    metrics: {quality: 61.0, cost: 0.0013, latency_p95: 480, memory: 90, energy: 0.6,"
        " safety: 0.93}\n"
    )
    path = write_goals(tmp_path, text)
    out = invoke("rank", str(path)).stdout
    line = next(x for x in out.splitlines() if "model-e" in x and "0." in x)
    assert line.rstrip().endswith("no")
    assert "model-e is dominated by model-d" in out
    md = invoke("rank", str(path), "-f", "markdown").stdout
    assert "dominated by model-d" in md
    by_name = {c["name"]: c["dominated_by"] for c in rank_json(path)["candidates"]}
    assert by_name["model-e"] == ["model-d"]


@pytest.mark.parametrize("method", ["weighted-sum", "topsis"])
def test_values_near_the_float_limit_score_as_their_scaled_copies(method: str) -> None:
    # hi - lo of +-1e308 overflows and squares above 1e154 do too; scores are scale-free, so a
    # copy divided by 2**1000 (exact) must score the same, and no numpy warning may escape.
    huge = [[1e308, 1e-308, 1e200], [-1e308, 1.5e308, -1e200], [5.0, 3.0, 2.0], [7e307, 1.0, 0.0]]
    small = [[v / 2.0**1000 for v in row] for row in huge]
    mx = [True, False, False]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = make_study(huge, mx).rank_result(method=method)
        ref = make_study(small, mx).rank_result(method=method)
        unc = make_study(huge, mx).rank_result(method=method, uncertainty=True, samples=50)
    assert [r.name for r in big.rows] == [r.name for r in ref.rows]
    got, want = [r.score for r in big.rows], [r.score for r in ref.rows]
    assert all(g is not None and math.isfinite(g) for g in got)
    assert got == pytest.approx(want, abs=1e-12)
    assert [r.name for r in unc.rows] == [r.name for r in big.rows]


def test_huge_weights_normalize_like_their_ratios(goals_path: Path) -> None:
    args = ["rank", str(goals_path), "-f", "json", "--missing", "worst"]
    metrics = json.loads(runner.invoke(app, args).stdout)["weights"]
    big = runner.invoke(app, [*args, *(f"-w{m}=1e308" for m in metrics)])
    one = runner.invoke(app, [*args, *(f"-w{m}=1" for m in metrics)])
    assert big.exit_code == 0 and one.exit_code == 0, big.stderr
    assert "Warning" not in big.stderr
    a, b = json.loads(big.stdout), json.loads(one.stdout)
    assert a["weights"] == pytest.approx(b["weights"])
    assert [c["score"] for c in a["candidates"]] == pytest.approx(
        [c["score"] for c in b["candidates"]]
    )


def test_explain_of_a_name_that_is_not_there_helps(
    goals_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = goals_path.read_text()
    goals_path.write_text(text.replace("name: model-a", "name: Model-A"))
    result = invoke("explain", "model-a", str(goals_path))
    assert (result.exit_code, result.stderr) == (
        2,
        "error: unknown candidate 'model-a' (did you mean 'Model-A'?)\n",
    )
    # NAME forgotten: the file took its place (and ./goals.yaml, the default, is not there)
    monkeypatch.chdir(goals_path.parent.parent)
    result = invoke("explain", "x.yaml")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: goals.yaml: no such file (the candidate's name comes first: tradeoff explain"
        " NAME x.yaml)\n",
    )
    monkeypatch.chdir(goals_path.parent)
    result = invoke("explain", "goals.yaml")
    assert result.stderr == (
        "error: unknown candidate 'goals.yaml' (the candidate's name comes first: NAME"
        " goals.yaml)\n"
    )


def test_the_missing_value_hint_never_offers_a_fix_that_leaves_no_candidate() -> None:
    from conftest import ROOT

    path = ROOT / "examples" / "llama-8b-quantization" / "goals.yaml"
    result = invoke("rank", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines and all(
        line.endswith(
            "use --missing worst (charges the worst known value); "
            "--missing exclude would leave no candidate"
        )
        for line in lines
    ), lines
    # What it offers works: an answer, not "no candidate left".
    worst = invoke("rank", str(path), "--missing", "worst")
    assert worst.exit_code == 0 and "no candidate" not in worst.stderr


def test_the_missing_value_hint_offers_exclude_and_metrics_where_they_leave_someone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        "version: 1\nmetrics:\n  q: {direction: max}\n  c: {direction: min}\n"
        "  lat: {direction: min}\nprofiles:\n  default: {q: 1, c: 1}\ncandidates:\n"
        "  - {name: a, metrics: {q: 1, c: 2, lat: 3}}\n  - {name: b, metrics: {q: 2, c: 1}}\n"
    )
    result = invoke("rank", str(path))
    assert result.stderr == (
        f"{path}:10:28: b: no value for lat (used for dominance); use --missing exclude (leaves 1 "
        "candidate) or --metrics q,c (compare without lat) or --missing worst (charges the "
        "worst known value)\n"
    )
    for fix in (["--missing", "exclude"], ["--metrics", "q,c"]):
        assert invoke("rank", str(path), *fix).exit_code == 0
