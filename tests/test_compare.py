"""`tradeoff compare A B`: paired evidence from per-item logs, unpaired from stderrs.

The synthetic pair (issue 18's acceptance): 2,000 items; B is right on 1,400 (70 %); the two
agree on 95 % of the items (1,900) and A wins 65 of the 100 it disagrees on, so A is better by
30 items = 1.5 points. Unpaired, each stderr is ~1.03 points and the difference's interval is
1.5 +- 2.8: it includes 0. Paired, the per-item differences have variance ~0.0498, the mean's
stderr is ~0.50 points and the interval 1.5 +- 1.0 excludes 0.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest

import tradeoff
from conftest import ROOT, runner, write_goals
from lmeval_logs import A_ONLY, B_ONLY, M, goals_text, pair, write_run
from tradeoff.cli.app import app
from tradeoff.engine.paired import mcnemar_p
from tradeoff.questions.compare import paired_draws


@pytest.fixture
def pair_goals(tmp_path: Path) -> Path:
    a, b = pair()
    write_run(tmp_path / "model-a", a.tolist())
    write_run(tmp_path / "model-b", b.tolist(), task_prompt="<|user|>")
    return write_goals(tmp_path, goals_text(["model-a", "model-b"], costs=[2.0, 1.0]))


def _binomial_two_sided(b: int, c: int) -> float:
    # Independent of mcnemar_p: the Binomial(n, 1/2) pmf by its ratio recursion, in floats.
    n, pmf, tail = b + c, 0.5 ** (b + c), 0.0
    for k in range(min(b, c) + 1):
        tail += pmf
        pmf *= (n - k) / (k + 1)
    return min(1.0, 2 * tail)


def test_paired_evidence_tells_the_pair_apart_and_unpaired_does_not(pair_goals: Path) -> None:
    study = tradeoff.load(pair_goals)
    arc = study.compare_result("model-a", "model-b").metrics[0]
    assert (arc.test, arc.items, arc.a_wins, arc.b_wins) == ("mcnemar", M, A_ONLY, B_ONLY)
    assert arc.difference == pytest.approx(1.5, abs=1e-12)
    assert 0 < arc.interval[0] < 1.5 < arc.interval[1]  # paired: excludes 0
    assert arc.p_value == pytest.approx(_binomial_two_sided(A_ONLY, B_ONLY), rel=1e-12)
    # The same two runs compared as independent samples (their stderrs only):
    se = math.hypot(*study.data.stderr[:, 0])
    assert se == pytest.approx(1.4387, abs=1e-4)  # hypot(1.0096, 1.0250)
    assert 1.5 - 1.959963984540054 * se < 0  # unpaired: includes 0


def test_mcnemar_matches_an_exact_binomial_computation() -> None:
    for b, c in [(65, 35), (0, 0), (1, 0), (3, 10), (10, 3), (50, 50), (0, 12), (400, 455)]:
        assert mcnemar_p(b, c) == pytest.approx(_binomial_two_sided(b, c), rel=1e-9, abs=1e-300)
    assert mcnemar_p(0, 12) == 2 * 0.5**12  # by hand: both tails' only term
    assert mcnemar_p(2, 3) == 1.0  # by hand: 2 * (1 + 5 + 10) / 32 = 1


@pytest.mark.parametrize("binary", [True, False])
def test_the_paired_bootstrap_interval_covers_the_true_difference(binary: bool) -> None:
    # 100 seeded simulations of 2,000 items from a known population; the 95 % interval
    # should miss the true difference about 5 times. Binary: the pattern probabilities of the
    # pair above (true difference 0.015). Continuous: scores in [0, 1], A = B + 0.01 + noise.
    covered = 0
    for sim in range(100):
        rng = np.random.default_rng(1000 + sim)
        if binary:
            kind = rng.choice(4, size=M, p=[0.6825, 0.0325, 0.0175, 0.2675])
            a = np.isin(kind, (0, 1)).astype(float)
            b = np.isin(kind, (0, 2)).astype(float)
            true = 0.0325 - 0.0175
        else:
            b = rng.beta(2, 2, size=M)
            a = b + 0.01 + rng.normal(0, 0.1, size=M)
            true = 0.01
        draws = paired_draws(np.vstack([a, b]), 2000, sim)
        lo, hi = np.quantile(draws, [0.025, 0.975])
        covered += lo <= true <= hi
    assert covered >= 93, covered


def test_compare_json_is_the_library_result_and_every_format_renders(pair_goals: Path) -> None:
    expected = tradeoff.load(pair_goals).compare_result("model-a", "model-b", items=3).to_json()
    result = runner.invoke(app, ["compare", "model-a", "model-b", str(pair_goals), "-f", "json",
                                 "--items", "3"])  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc == expected
    assert [m["metric"] for m in doc["metrics"]] == ["arc", "cost"]
    arc, cost = doc["metrics"]
    assert len(arc["flipped"]) == 3
    assert arc["flipped"][0]["prompt"].startswith("Question number ")
    assert cost == {"metric": "cost", "difference": 1.0, "interval": [1.0, 1.0], "p_value": None,
                    "test": "unpaired", "items": None, "a_wins": None, "b_wins": None,
                    "flipped": [], "unit": "USD/request"}  # fmt: skip
    assert "prompt differs on 2000 of 2000 items" in result.stderr
    table = runner.invoke(app, ["compare", "model-a", "model-b", str(pair_goals)])
    assert table.exit_code == 0
    assert (
        "exact McNemar test on the items both logs have" in table.stdout
        and "arc: model-a is better" in table.stdout
    )
    assert "arc: first 10 of 100 items that differ" in table.stdout
    md = runner.invoke(app, ["compare", "model-a", "model-b", str(pair_goals), "-f", "markdown"])
    assert "| arc [%] | +1.500 | [+" in md.stdout
    rows = list(csv.DictReader(io.StringIO(runner.invoke(
        app, ["compare", "model-a", "model-b", str(pair_goals), "-f", "csv"]).stdout)))  # fmt: skip
    assert rows[0]["test"] == "mcnemar" and float(rows[0]["difference"]) == pytest.approx(1.5)


def test_compare_unpaired_interval_from_two_stderrs(tmp_path: Path) -> None:
    text = """\
        version: 1
        metrics:
          quality: {direction: max, unit: "%"}
        candidates:
          - {name: a, metrics: {quality: {value: 71.5, stderr: 1.0}}}
          - {name: b, metrics: {quality: {value: 70.0, stderr: 1.0}}}
    """
    got = tradeoff.load(write_goals(tmp_path, text)).compare_result("a", "b").metrics[0]
    half = 1.959963984540054 * math.sqrt(2)
    assert got.test == "unpaired" and got.difference == pytest.approx(1.5)
    assert got.interval == pytest.approx((1.5 - half, 1.5 + half))
    assert got.p_value == pytest.approx(math.erfc(1.5 / math.sqrt(2) / math.sqrt(2)))


def test_one_measurement_read_by_both_is_no_difference_not_two_samples() -> None:
    # examples/real-files: a100 and h100 read arc and hellaswag from the same lm-eval files (one
    # model, two GPUs). Their difference is exactly 0 with no noise: rank draws such a cell once
    # for both ("one draw per file for all who read it"); compare took the two stderrs as
    # independent and gave arc 0.00 [-3.93, +3.93], p 1.0, as if the runs could differ.
    study = tradeoff.load(ROOT / "examples" / "real-files" / "goals.yaml")
    got = study.compare_result("a100", "h100")
    by = {m.metric.name: m for m in got.metrics}
    for name in ("arc", "hellaswag"):
        assert (by[name].difference, by[name].interval, by[name].p_value) == (0.0, (0.0, 0.0), None)
    assert any("arc" in n and "same" in n for n in got.notes), got.notes
    # a value each reads from its own file keeps its unpaired comparison
    vllm = ROOT / "examples" / "real-files" / "vllm"
    ttft = [
        json.loads((vllm / gpu / "Meta-Llama-3-8B-Instruct_tp1_len2048.json").read_text())
        for gpu in ("1xA100-80GB-SXM", "1xH100-80GB-SXM")
    ]
    assert by["ttft_p99"].difference == pytest.approx(
        ttft[0]["p99_ttft_ms"] - ttft[1]["p99_ttft_ms"], rel=1e-12
    )


def test_compare_unknown_candidate_is_a_usage_error(pair_goals: Path) -> None:
    result = runner.invoke(app, ["compare", "model-a", "model-x", str(pair_goals)])
    assert result.exit_code == 2 and "unknown candidate 'model-x'" in result.stderr


MISSING_GOALS = """\
version: 1
metrics:
  quality: {direction: max, unit: "%", range: [0, 100]}
  cost:    {direction: min, unit: USD}
candidates:
  - {name: a, metrics: {quality: {value: 70, stderr: 1}, cost: 2}}
  - {name: b, metrics: {cost: 1}}
  - {name: c, metrics: {quality: 50, cost: 5}}
"""


def test_compare_takes_the_missing_policy(tmp_path: Path) -> None:
    # b has no quality. error (the default): exit 2 at b's entry, naming the way out.
    path = write_goals(tmp_path, MISSING_GOALS)
    result = runner.invoke(app, ["compare", "a", "b", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:7:")
    assert "b: no value for quality to compare; use --missing exclude" in result.stderr
    # exclude: quality is left out, with a note; cost is compared (2 - 1 = 1, exact).
    result = runner.invoke(
        app, ["compare", "a", "b", str(path), "--missing", "exclude", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["metrics"]
    assert [(m["metric"], m["difference"]) for m in rows] == [("cost", 1.0)]
    assert "quality: no value for b; left out" in result.stderr
    # worst: b is charged the bad end of quality's range, 0: A - B = 70 - 0, with a's stderr
    # alone (the charged value is exact): 70 +- 1.96.
    result = runner.invoke(
        app, ["compare", "a", "b", str(path), "--missing", "worst", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    quality = json.loads(result.stdout)["metrics"][0]
    assert quality["difference"] == 70.0
    assert quality["interval"] == pytest.approx([70 - 1.959963984540054, 70 + 1.959963984540054])
    assert "quality: no value for b; charged the worst value, 0 (--missing worst)" in result.stderr


def test_compare_worst_without_a_range_is_the_worst_candidate_value(tmp_path: Path) -> None:
    # quality without a range: the worst value any candidate has is c's 50, so 70 - 50 = 20.
    text = MISSING_GOALS.replace(", range: [0, 100]", "")
    study = tradeoff.load(write_goals(tmp_path, text))
    result = study.compare_result("a", "b", missing="worst")
    assert [(m.metric.name, m.difference) for m in result.metrics] == [
        ("quality", 20.0),
        ("cost", 1.0),
    ]
    with pytest.raises(tradeoff.InputError, match="no value for quality"):
        study.compare_result("a", "b")
