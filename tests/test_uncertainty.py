"""rank --uncertainty: Monte Carlo over stderr, seeded; the confidence line under the table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from conftest import runner, write_goals
from tradeoff.cli.app import app

CLOSE = """\
version: 1
metrics:
  quality: {direction: max, unit: "%"}
  cost:    {direction: min, unit: USD/request}
candidates:
  - {name: alpha, metrics: {quality: {value: 70.3, stderr: 0.5}, cost: 0.002}}
  - {name: beta,  metrics: {quality: {value: 70.0, stderr: 0.5}, cost: 0.002}}
  - {name: gamma, metrics: {quality: {value: 40.0, stderr: 0.5}, cost: 0.002}}
"""
"""alpha and beta differ by 0.3 points, less than their stderr; gamma trails by 60 stderrs."""


def _rank(path: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(app, ["rank", str(path), "-f", "json", "--uncertainty", *args])
    assert result.exit_code == 0, result.stderr
    out: dict[str, object] = json.loads(result.stdout)
    return out


def _by_name(out: dict[str, object]) -> dict[str, dict[str, object]]:
    cands = out["candidates"]
    assert isinstance(cands, list)
    return {c["name"]: c for c in cands}


def test_candidates_within_noise_share_first_place_and_are_tied(tmp_path: Path) -> None:
    out = _rank(write_goals(tmp_path, CLOSE))
    c = _by_name(out)
    # P(alpha > beta) = Phi(0.3 / (0.5 * sqrt 2)) = Phi(0.424) = 0.664 (normal table).
    assert abs(float(c["alpha"]["p_first"]) - 0.664) < 0.02  # type: ignore[arg-type]
    assert abs(float(c["beta"]["p_first"]) - 0.336) < 0.02  # type: ignore[arg-type]
    assert c["gamma"]["p_first"] == 0.0
    assert c["alpha"]["tied_with_leader"] is False  # the leader itself
    assert c["beta"]["tied_with_leader"] is True
    assert c["gamma"]["tied_with_leader"] is False
    assert c["alpha"]["rank_interval"] == [1, 2] and c["beta"]["rank_interval"] == [1, 2]
    assert c["gamma"]["rank_interval"] == [3, 3] and c["gamma"]["rank_median"] == 3.0
    assert out["uncertainty"] == {"samples": 10000, "seed": 0}


def test_clear_winner_has_probability_at_least_099(tmp_path: Path) -> None:
    text = CLOSE.replace("value: 70.0", "value: 60.0")
    c = _by_name(_rank(write_goals(tmp_path, text)))
    assert float(c["alpha"]["p_first"]) >= 0.99  # type: ignore[arg-type]
    assert c["beta"]["tied_with_leader"] is False


def test_same_seed_same_result_other_seed_differs(tmp_path: Path) -> None:
    path = write_goals(tmp_path, CLOSE)
    a = _rank(path, "--seed", "5", "--samples", "3000")
    b = _rank(path, "--seed", "5", "--samples", "3000")
    c = _rank(path, "--seed", "6", "--samples", "3000")
    assert a == b and a != c
    assert a["uncertainty"] == {"samples": 3000, "seed": 5}


def test_interval_is_the_inverted_cdf_quantile_of_the_sampled_ranks(tmp_path: Path) -> None:
    # Recompute the ranks independently for 2 candidates: rank of alpha is 1 when its draw beats.
    path = write_goals(tmp_path, CLOSE.replace("  - {name: gamma", "#"))
    out = _by_name(_rank(path, "--samples", "4000", "--seed", "11"))
    rng = np.random.default_rng(11)
    z = rng.standard_normal((4000, 2, 2))  # (draws, candidates, metrics), as the code draws
    q = np.array([70.3, 70.0])[None, :] + 0.5 * z[:, :, 0]
    alpha_first = q[:, 0] >= q[:, 1]
    assert abs(float(out["alpha"]["p_first"]) - alpha_first.mean()) < 1e-12  # type: ignore[arg-type]


def test_table_shows_a_confidence_line_only_when_stderr_exists(tmp_path: Path) -> None:
    # The line under a plain table comes from 4,000 draws (confidence.SUMMARY_SAMPLES), which give
    # p = 0.668 with seed 0 (exactly: 0.664); --uncertainty's 10,000 draws give 0.665.
    result = runner.invoke(app, ["rank", str(write_goals(tmp_path, CLOSE))])
    assert (
        "alpha leads with p=0.67; beta is within noise "
        "(the stderr of quality; other metrics exact; 4000 draws, seed 0)" in result.stdout
    )
    md = runner.invoke(app, ["rank", str(write_goals(tmp_path, CLOSE)), "-f", "markdown"])
    assert "alpha leads with p=0.67" in md.stdout
    full = runner.invoke(app, ["rank", str(write_goals(tmp_path, CLOSE)), "--uncertainty"])
    assert (
        "alpha leads with p=0.66; beta is within noise "
        "(the stderr of quality; other metrics exact; 10000 draws, seed 0)" in full.stdout
    )
    plain = runner.invoke(app, ["rank", str(write_goals(tmp_path, CLOSE)), "-f", "json"])
    assert "p_first" not in plain.stdout and "uncertainty" not in plain.stdout
    few = runner.invoke(app, ["rank", str(write_goals(tmp_path, CLOSE)), "--samples", "50"])
    assert (
        "other metrics exact; 50 draws, seed 0)" in few.stdout
    )  # an explicit smaller count is honoured
    exact = CLOSE.replace(", stderr: 0.5", "")
    result = runner.invoke(app, ["rank", str(write_goals(tmp_path, exact))])
    assert "leads with" not in result.stdout


NOISY = CLOSE + "  - {name: delta, metrics: {quality: 20, cost: 0.001}}\n"


def test_noisy_front_contains_the_exact_front_and_marks_noise_only(tmp_path: Path) -> None:
    path = write_goals(tmp_path, NOISY)
    exact = runner.invoke(app, ["pareto", str(path), "-f", "json"])
    noisy = runner.invoke(app, ["pareto", str(path), "-f", "json", "--noise", "2"])
    assert exact.exit_code == noisy.exit_code == 0
    exact_front = {c["name"] for c in json.loads(exact.stdout)["candidates"]}
    rows = json.loads(noisy.stdout)["candidates"]
    noisy_front = {c["name"] for c in rows}
    # beta trails alpha by 0.3 < 2 * sqrt(0.5^2 + 0.5^2) = 1.41: on the front only through noise.
    assert exact_front == {"alpha", "delta"}
    assert noisy_front == {"alpha", "beta", "delta"}
    assert {c["name"]: c["noise_only"] for c in rows} == {
        "alpha": False,
        "beta": True,
        "delta": False,
    }
    # With K = 0.2 the margin 0.2 * 0.707 = 0.14 < 0.3: beta is dominated again.
    small = runner.invoke(app, ["pareto", str(path), "-f", "json", "--noise", "0.2"])
    assert {c["name"] for c in json.loads(small.stdout)["candidates"]} == exact_front


def test_noisy_layers_peel_noisy_fronts(tmp_path: Path) -> None:
    path = write_goals(tmp_path, NOISY)
    out = runner.invoke(app, ["pareto", str(path), "-f", "json", "--noise", "2", "--layers"])
    layers = {c["name"]: c["layer"] for c in json.loads(out.stdout)["candidates"]}
    assert layers == {"alpha": 1, "beta": 1, "delta": 1, "gamma": 2}


def test_negative_noise_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pareto", str(write_goals(tmp_path, NOISY)), "--noise", "-1"])
    assert result.exit_code == 2 and result.stdout == ""


def test_csv_carries_the_uncertainty_columns_only_with_the_flag(tmp_path: Path) -> None:
    import csv
    import io

    path = write_goals(tmp_path, CLOSE)
    plain = runner.invoke(app, ["rank", str(path), "-f", "csv"]).stdout
    assert "p_first" not in plain
    out = runner.invoke(app, ["rank", str(path), "-f", "csv", "--uncertainty"]).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["name"] for r in rows] == ["alpha", "beta", "gamma"]
    assert (rows[1]["rank_low"], rows[1]["rank_high"], rows[1]["tied_with_leader"]) == (
        "1",
        "2",
        "true",
    )
    assert float(rows[2]["p_first"]) == 0.0


def test_explain_takes_uncertainty_like_rank(tmp_path: Path) -> None:
    path = write_goals(tmp_path, CLOSE)
    ranked = _by_name(_rank(path, "--seed", "3"))
    args = ["explain", "beta", str(path), "--uncertainty", "--seed", "3"]
    doc = json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)
    keys = ("p_first", "rank_median", "rank_interval", "tied_with_leader")
    assert {k: doc[k] for k in keys} == {k: ranked["beta"][k] for k in keys}
    assert doc["uncertainty"] == {"samples": 10000, "seed": 3}
    text = runner.invoke(app, args).stdout
    p = float(ranked["beta"]["p_first"])  # type: ignore[arg-type]
    assert (
        f"under noise: P(first) {p:.2f}, median rank 2, 90% of ranks 1-2; tied with the leader"
        " within noise (10000 draws, seed 3)"
    ) in text
    plain = json.loads(runner.invoke(app, ["explain", "beta", str(path), "-f", "json"]).stdout)
    assert "p_first" not in plain and "uncertainty" not in plain
