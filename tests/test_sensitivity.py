"""Weight sensitivity: exact stability intervals, bisection for other methods, SMAA-2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tradeoff
from conftest import GOALS, ROOT, runner, write_goals
from tradeoff.cli.app import app
from tradeoff.questions.analysis import Options
from tradeoff.questions.sensitivity import sensitivity_result


def _winner(path: Path, method: str, metric: str, weight: float, profile: str | None) -> str:
    """Re-rank from scratch with one weight changed: an independent path through the CLI."""
    args = ["rank", str(path), "--format", "json", "--method", method, "--weight"]
    args += [f"{metric}={weight!r}"] + (["--profile", profile] if profile else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    name: str = json.loads(result.stdout)["candidates"][0]["name"]
    return name


def _winner_or_none(
    path: Path, method: str, metric: str, weight: float, profile: str | None
) -> str | None:
    args = ["rank", str(path), "--format", "json", "--method", method, "--weight"]
    args += [f"{metric}={weight!r}"] + (["--profile", profile] if profile else [])
    result = runner.invoke(app, args)
    if result.exit_code != 0:  # e.g. every weight 0
        return None
    candidates = json.loads(result.stdout)["candidates"]
    return str(candidates[0]["name"]) if candidates else None


def _check_ends(path: Path, method: str, profile: str | None, rel: float) -> int:
    """Every reported end: the winner holds just inside and the named rival leads just outside."""
    study = tradeoff.load(path)
    res = sensitivity_result(study.data, Options(profile=profile, method=method), samples=200)
    assert res.winner is not None
    checked = 0
    for s in res.stability:
        if s.low is None and s.high is None:
            continue
        if s.low is not None and s.low > 0:
            eps = rel * max(1.0, s.low)
            assert _winner(path, method, s.metric, s.low + eps, profile) == res.winner
            assert _winner(path, method, s.metric, s.low - eps, profile) == s.below
            checked += 1
        else:  # low is 0: a rival is named only when it leads at weight 0 exactly (a tie)
            at_zero = _winner_or_none(path, method, s.metric, 0.0, profile)
            assert s.below == (None if at_zero in (None, res.winner) else at_zero)
        if s.high is not None:
            eps = rel * max(1.0, s.high)
            assert _winner(path, method, s.metric, s.high - eps, profile) == res.winner
            assert _winner(path, method, s.metric, s.high + eps, profile) == s.above
            checked += 1
        else:
            assert s.above is None
            assert _winner(path, method, s.metric, 1e6, profile) == res.winner
    return checked


def test_stability_ends_on_the_shipped_goals_are_exact_for_weighted_sum() -> None:
    assert _check_ends(ROOT / "goals.yaml", "weighted-sum", None, 1e-6) >= 3


@pytest.mark.parametrize("method", ["topsis", "weighted-product"])
def test_stability_ends_found_by_bisection(tmp_path: Path, method: str) -> None:
    text = GOALS.replace("memory: 0,", "memory: 1,")  # weighted-product needs positive values
    assert _check_ends(write_goals(tmp_path, text), method, None, 1e-5) >= 1


def test_stability_has_every_metric_with_the_profiles_raw_weight(tmp_path: Path) -> None:
    study = tradeoff.load(write_goals(tmp_path))
    res = sensitivity_result(study.data, Options(profile="batch"), samples=100)
    assert [(s.metric, s.weight) for s in res.stability] == [
        ("quality", 5.0), ("cost", 4.0), ("latency_p95", 0.0), ("memory", 0.0),
        ("energy", 1.0), ("safety", 0.0),
    ]  # fmt: skip


def test_acceptability_is_a_doubly_stochastic_matrix(tmp_path: Path) -> None:
    study = tradeoff.load(write_goals(tmp_path))
    res = sensitivity_result(study.data, Options(), samples=3000, seed=7)
    matrix = np.array([res.acceptability[n] for n in res.names])
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    np.testing.assert_allclose(matrix.sum(axis=0), 1.0)
    for name, weights in res.central_weights.items():
        assert res.acceptability[name][0] > 0
        assert abs(sum(weights.values()) - 1) < 1e-9


values = st.integers(min_value=0, max_value=6).map(float)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(values, values, values), min_size=2, max_size=7),
    st.sampled_from(["weighted-sum", "topsis", "weighted-product"]),
)
def test_dominated_candidates_never_rank_first(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[float, float, float]], method: str
) -> None:
    lines = [
        "version: 1",
        "metrics:",
        "  a: {direction: max}",
        "  b: {direction: min}",
        "  c: {direction: max}",
        "candidates:",
    ]
    for i, (a, b, c) in enumerate(rows):
        lines.append(f"  - {{name: m{i}, metrics: {{a: {a + 1}, b: {b + 1}, c: {c + 1}}}}}")
    path = write_goals(tmp_path_factory.mktemp("smaa"), "\n".join(lines) + "\n")
    res = sensitivity_result(tradeoff.load(path).data, Options(method=method), samples=300)  # type: ignore[arg-type]
    pts = {f"m{i}": (r[0], -r[1], r[2]) for i, r in enumerate(rows)}
    for name, p in pts.items():
        dominated = any(
            all(x >= y for x, y in zip(q, p, strict=True)) and q != p for q in pts.values()
        )
        if dominated:
            assert res.acceptability[name][0] == 0.0, name


def test_seed_makes_results_identical_and_json_shape(tmp_path: Path) -> None:
    path = write_goals(tmp_path)
    runs = [
        runner.invoke(
            app, ["sensitivity", str(path), "-f", "json", "--samples", "500", "--seed", "3"]
        )
        for _ in range(2)
    ]
    assert runs[0].exit_code == 0 and runs[0].stdout == runs[1].stdout
    out = json.loads(runs[0].stdout)
    assert list(out)[:2] == ["schema_version", "command"]
    for key in (
        "profile",
        "winner",
        "stability",
        "acceptability",
        "central_weights",
        "samples",
        "seed",
    ):
        assert key in out
    assert (out["samples"], out["seed"]) == (500, 3)
    other = runner.invoke(
        app, ["sensitivity", str(path), "-f", "json", "--samples", "500", "--seed", "4"]
    )
    assert json.loads(other.stdout)["acceptability"] != out["acceptability"]


def test_no_feasible_candidate(tmp_path: Path) -> None:
    path = write_goals(tmp_path, GOALS.replace("latency_p95: {max: 800}", "latency_p95: {max: 1}"))
    result = runner.invoke(app, ["sensitivity", str(path), "-f", "json"])
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["winner"] is None and out["acceptability"] == {}
    assert "no feasible candidate" in result.stderr


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_every_format_renders(tmp_path: Path, fmt: str) -> None:
    result = runner.invoke(
        app, ["sensitivity", str(write_goals(tmp_path)), "-f", fmt, "--samples", "200"]
    )
    assert result.exit_code == 0, result.stderr
    assert "model-a" in result.stdout


def test_identical_candidates_share_their_ranks(tmp_path: Path) -> None:
    text = """\
version: 1
metrics:
  quality: {direction: max}
  cost: {direction: min}
candidates:
  - {name: a, metrics: {quality: 70, cost: 1}}
  - {name: b, metrics: {quality: 70, cost: 1}}
  - {name: c, metrics: {quality: 60, cost: 2}}
"""
    path = write_goals(tmp_path, text)
    res = sensitivity_result(tradeoff.load(path).data, Options(), samples=4000, seed=1)
    # a and b are identical: the name order must not turn a coin toss into certainty.
    for name in ("a", "b"):
        assert abs(res.acceptability[name][0] - 0.5) < 0.05
    assert res.acceptability["c"] == [0.0, 0.0, 1.0]
    out = runner.invoke(app, ["rank", str(path), "-f", "json", "--uncertainty"])
    p = {c["name"]: c["p_first"] for c in json.loads(out.stdout)["candidates"]}
    assert abs(p["a"] - 0.5) < 0.05 and abs(p["b"] - 0.5) < 0.05 and p["c"] == 0.0


def test_acceptability_table_shows_every_rank_or_sums_the_rest(tmp_path: Path) -> None:
    lines = [
        "version: 1",
        "metrics:",
        "  q: {direction: max}",
        "  c: {direction: min}",
        "candidates:",
    ]
    lines += [f"  - {{name: m{i}, metrics: {{q: {i}, c: {i * i}}}}}" for i in range(9)]
    path = write_goals(tmp_path, "\n".join(lines) + "\n")
    out = runner.invoke(app, ["sensitivity", str(path), "--samples", "500"]).stdout
    header = next(line for line in out.splitlines() if line.startswith("candidate"))
    assert header.split()[-2:] == ["rank", "6+"]
    for line in out.splitlines():
        if line.startswith("m") and "%" in line:
            shares = [int(x.rstrip("%")) for x in line.split()[1:]]
            assert abs(sum(shares) - 100) <= 3  # each row adds up (up to rounding)


TIE_AT_ZERO = """version: 1
metrics:
  m0: {direction: min}
  m1: {direction: min}
profiles:
  default: {m0: 0.5, m1: 3}
candidates:
  - {name: "\u00e92", metrics: {m0: 7, m1: 2}}
  - {name: aa1, metrics: {m0: 7, m1: 2}}
  - {name: aa0, metrics: {m0: 7, m1: 3}}
"""


@pytest.mark.parametrize("method", ["weighted-sum", "weighted-product", "topsis"])
def test_a_tie_at_weight_zero_gives_the_same_end_for_every_method(
    tmp_path: Path, method: str
) -> None:
    # aa1 wins for any positive m1 weight; at exactly 0 all tie and aa0 leads by name.
    path = write_goals(tmp_path, TIE_AT_ZERO)
    res = json.loads(
        runner.invoke(app, ["sensitivity", str(path), "-m", method, "-f", "json"]).stdout
    )
    assert res["winner"] == "aa1"
    m1 = next(s for s in res["stability"] if s["metric"] == "m1")
    assert (m1["low"], m1["below"], m1["high"], m1["above"]) == (0.0, "aa0", None, None)
    _check_ends(path, method, None, 1e-6)


@pytest.mark.parametrize("columns", ["60", "80", "100"])
def test_tables_fit_and_names_stay_readable(columns: str) -> None:
    result = runner.invoke(app, ["sensitivity", str(ROOT / "goals.yaml")], env={"COLUMNS": columns})
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= int(columns)
    assert "…" not in result.stdout  # nothing cut short: long names wrap instead
    acc = lines.index(next(line for line in lines if line.startswith("candidate")))
    names: list[str] = []
    for line in lines[acc + 1 :]:
        if " wins with central weights" in line:
            break
        if "%" in line:
            names.append(line.split()[0])
        else:  # a long name continues on the next line
            names[-1] += line.strip()
    doc = json.loads(
        runner.invoke(app, ["sensitivity", str(ROOT / "goals.yaml"), "-f", "json"]).stdout
    )
    assert names == list(doc["acceptability"])  # every name whole, wrapped at its separators


def test_weighted_product_says_why_a_metric_has_no_interval(tmp_path: Path) -> None:
    path = write_goals(
        tmp_path,
        """
        version: 1
        metrics:
          q: {direction: max}
          c: {direction: min}
          z: {direction: max}
        profiles:
          default: {q: 1, c: 1, z: 0}
        candidates:
          - {name: A, metrics: {q: 80, c: 2, z: 0}}
          - {name: B, metrics: {q: 60, c: 1, z: 5}}
        """,
    )
    result = runner.invoke(app, ["sensitivity", str(path), "-m", "weighted-product"])
    assert result.exit_code == 0, result.stderr
    assert "z            0  n/a" in result.stdout
    assert result.stderr == (
        "note: z: n/a: weighted-product cannot weigh a value of 0 or less (A has 0)\n"
    )
    plain = runner.invoke(app, ["sensitivity", str(path)])
    assert plain.stderr == ""  # weighted-sum weighs z fine
