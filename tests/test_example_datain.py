"""examples/llama-8b-quantization: one decision from three sources (lighteval results files, a CSV
of optimum-benchmark latency and memory, genai-prices), run through the CLI as a user would.

The example's README.md gives the provenance of every file; these tests check that each source
really feeds the decision and that the hand-copied figures agree with the files they came from.
"""

from __future__ import annotations

import csv
import json
from typing import Any

import genai_prices
import pytest
from genai_prices import Usage, calc_price

from conftest import ROOT, runner
from tradeoff.cli import app

EXAMPLE = ROOT / "examples" / "llama-8b-quantization"
GOALS = EXAMPLE / "goals.yaml"
WORST = ["--missing", "worst"]  # every candidate lacks something: see the example's README.md

SELF_HOSTED = ["bf16", "awq-int4", "torchao-int4wo", "aqlm-pv-2bit", "vptq-2bit"]
APIS = {
    "llama-3.1-8b@groq": ("groq", "llama-3.1-8b-instant"),
    "llama-3.1-8b@together": ("together", "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"),
    "llama-3.1-8b@fireworks": ("fireworks", "accounts/fireworks/models/llama-v3p1-8b-instruct"),
    "llama-3.1-8b@bedrock": ("aws", "meta.llama3-1-8b-instruct-v1:0"),
    "gpt-4o-mini": ("openai", "gpt-4o-mini"),
}


def _json(*args: str, code: int = 0) -> dict[str, Any]:
    result = runner.invoke(app, [*args, str(GOALS), *WORST, "-f", "json"])
    assert result.exit_code == code, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def _metric(explained: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [m for m in explained["metrics"] if m["metric"] == name]
    return dict(found)


def test_validate() -> None:
    result = runner.invoke(app, ["validate", str(GOALS)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"{GOALS}: valid: 5 metrics, 10 candidates, 4 budgets, 2 profiles\n"


def test_rank_needs_a_missing_policy_and_says_who_lacks_what() -> None:
    result = runner.invoke(app, ["rank", str(GOALS)])
    assert result.exit_code == 2
    assert "bf16: no value for cost" in result.stderr
    assert "llama-3.1-8b@groq: no value for arc (weighted)" in result.stderr


@pytest.mark.parametrize("profile", ["default", "overall"])
def test_rank_uses_every_candidate_and_the_latency_budget_rules_out_aqlm(profile: str) -> None:
    out = _json("rank", "--profile", profile, "--all")
    ranked = [c["name"] for c in out["candidates"]]
    assert sorted(ranked) == sorted([n for n in SELF_HOSTED if n != "aqlm-pv-2bit"] + list(APIS))
    assert [c["name"] for c in out["infeasible"]] == ["aqlm-pv-2bit"]  # 46.68 ms > 40 ms
    assert out["prices"]["genai_prices_version"] == genai_prices.__version__


def test_self_host_pick_is_awq_with_bf16_within_noise() -> None:
    out = _json("rank")
    assert [c["name"] for c in out["candidates"]][:4] == [
        "awq-int4",
        "bf16",
        "torchao-int4wo",
        "vptq-2bit",
    ]


def test_explain_self_hosted_shows_the_lighteval_file_and_its_stderr() -> None:
    arc = _metric(_json("explain", "awq-int4"), "arc")
    assert arc["value"] == pytest.approx(59.21501706484642)
    assert arc["stderr"] == pytest.approx(1.43610972884497)
    assert arc["provenance"] == {
        "source": "lighteval/hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4/"
        "results_2025-03-10T06-18-11.571904.json",
        "model": "hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4",
        "date": "2025-03-10",
        "task": "leaderboard|arc:challenge|25",
        "field": "acc_norm",
        "stderr_field": "acc_norm_stderr",
    }
    tpot = _metric(_json("explain", "awq-int4"), "tpot_p95")
    assert tpot["value"] == pytest.approx(23.506)  # "0.023506 s" converted to ms
    assert tpot["provenance"] == {"citation": "llama_awq report, per_token p95"}


@pytest.mark.parametrize("name", list(APIS))
def test_explain_api_shows_the_genai_prices_lookup(name: str) -> None:
    provider, model = APIS[name]
    cost = _metric(_json("explain", name), "cost")
    expected = calc_price(Usage(input_tokens=1500, output_tokens=400), model, provider_id=provider)
    assert cost["value"] == pytest.approx(float(expected.total_price) * 1000)  # per 1k requests
    prov = cost["provenance"]
    assert prov["source"] == "genai-prices"
    assert prov["genai_prices_version"] == genai_prices.__version__
    assert prov["looked_up_at"].endswith("Z")
    assert prov["workload"] == {"input_tokens": 1500.0, "output_tokens": 400.0}
    assert _metric(_json("explain", name), "arc")["value"] is None  # left missing, not invented


def test_explain_csv_candidate_names_its_row() -> None:
    explained = _json("explain", "vptq-2bit")
    tpot = _metric(explained, "tpot_p95")
    assert tpot["value"] == pytest.approx(32.345)  # "0.032345 s"
    assert tpot["provenance"] == {"source": "latency_memory.csv", "row": 2}
    assert _metric(explained, "memory")["value"] == pytest.approx(5.28902)  # "5289.02 MB"


def test_pareto_and_check() -> None:
    front = _json("pareto")
    first = {c["name"] for c in front["candidates"] if c["layer"] == 1}
    assert first == {"awq-int4", "bf16", "torchao-int4wo", "vptq-2bit", "llama-3.1-8b@groq"}
    check = _json("check", code=1)
    found = {(v["candidate"], v["metric"], v["level"]) for v in check["violations"]}
    assert found == {
        ("aqlm-pv-2bit", "tpot_p95", "error"),
        ("bf16", "memory", "warn"),
        ("llama-3.1-8b@bedrock", "cost", "warn"),
        ("gpt-4o-mini", "cost", "warn"),
    }


def test_csv_quality_matches_the_lighteval_files_it_was_copied_from() -> None:
    with (EXAMPLE / "latency_memory.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["name"] for r in rows] == ["aqlm-pv-2bit", "vptq-2bit"]
    tasks = {"arc": "leaderboard|arc:challenge|25", "hellaswag": "leaderboard|hellaswag|10"}
    for row in rows:
        results = json.loads((EXAMPLE / row["lighteval_results"]).read_text(encoding="utf-8"))
        for column, task in tasks.items():
            fraction = results["results"][task]["acc_norm"]
            assert float(row[column]) == pytest.approx(fraction * 100, rel=1e-15)


def test_every_lighteval_file_is_used_or_cited() -> None:
    files = {p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.glob("lighteval/**/*.json")}
    text = GOALS.read_text(encoding="utf-8") + (EXAMPLE / "latency_memory.csv").read_text(
        encoding="utf-8"
    )
    assert len(files) == 5
    assert all(f in text for f in files)
