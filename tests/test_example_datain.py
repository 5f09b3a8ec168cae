"""examples/llama-8b-quantization: one decision from three sources (lighteval results files, a CSV
of optimum-benchmark latency and memory joined to the quantizations by name, genai-prices), run
through the CLI as a user would.

The example's README.md gives the provenance of every file; these tests check that each source
really feeds the decision, and recompute the expected values, violations and front from the files
themselves.
"""

from __future__ import annotations

import csv
import json
from typing import Any

import genai_prices
import pytest
import yaml
from genai_prices import Usage, calc_price

from conftest import ROOT, runner
from tradeoff.cli.app import app

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
TASKS = {"arc": "leaderboard|arc:challenge|25", "hellaswag": "leaderboard|hellaswag|10"}


def _json(*args: str, code: int = 0) -> dict[str, Any]:
    result = runner.invoke(app, [*args, str(GOALS), *WORST, "-f", "json"])
    assert result.exit_code == code, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def _metric(explained: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [m for m in explained["metrics"] if m["metric"] == name]
    return dict(found)


def _entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load(GOALS.read_text(encoding="utf-8"))["candidates"]
    return entries


def _results_file(name: str) -> str:
    (path,) = [e["from"] for e in _entries() if e.get("name") == name]
    return str(path)


def _rows() -> list[dict[str, str]]:
    with (EXAMPLE / "latency_memory.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _measured(name: str) -> tuple[int, float, float]:
    """(1-based row, tpot_p95 in ms, memory in GB) of a quantization, from the report's s and MB."""
    (row,) = [(k, r) for k, r in enumerate(_rows(), start=1) if r["name"] == name]
    seconds, s_unit = row[1]["tpot_p95"].split()
    megabytes, mb_unit = row[1]["memory"].split()
    assert (s_unit, mb_unit) == ("s", "MB")  # optimum-benchmark's own units, converted by tradeoff
    return row[0], float(seconds) * 1000, float(megabytes) / 1000  # MB = 10^6 B, GB = 10^9 B


def _cost(name: str) -> float:
    provider, model = APIS[name]
    price = calc_price(Usage(input_tokens=1500, output_tokens=400), model, provider_id=provider)
    return float(price.total_price) * 1000  # per 1k requests of the workload


def test_validate() -> None:
    result = runner.invoke(app, ["validate", str(GOALS)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"{GOALS}: valid: 5 metrics, 10 candidates, 4 budgets, 2 profiles\n"


def test_the_layout_each_quantization_reads_its_results_file_and_joins_one_table() -> None:
    entries = _entries()
    named = [e for e in entries if "name" in e]
    assert [e["name"] for e in named] == SELF_HOSTED + list(APIS)
    for e in named[: len(SELF_HOSTED)]:
        assert set(e) == {"name", "tags", "from"} and e["tags"] == ["self-hosted"]
        assert e["from"].startswith("lighteval/") and (EXAMPLE / e["from"]).is_file()
    for e in named[len(SELF_HOSTED) :]:
        assert set(e) == {"name", "tags", "price"} and e["tags"] == ["api"]
    assert [e for e in entries if "name" not in e] == [
        {"from": "latency_memory.csv", "join": "name"}
    ]
    assert sorted(r["name"] for r in _rows()) == sorted(SELF_HOSTED)  # one row each, no other


def test_rank_needs_a_missing_policy_and_says_who_lacks_what() -> None:
    result = runner.invoke(app, ["rank", str(GOALS)])
    assert result.exit_code == 2
    assert "bf16: no value for cost" in result.stderr
    assert "llama-3.1-8b@groq: no value for arc (weighted)" in result.stderr


@pytest.mark.parametrize("profile", ["default", "overall"])
def test_rank_uses_every_candidate_and_the_latency_budget_rules_out_aqlm(profile: str) -> None:
    out = _json("rank", "--profile", profile, "--all")
    ranked = [c["name"] for c in out["candidates"]]
    over = [n for n in SELF_HOSTED if _measured(n)[1] > 40]  # tpot_p95 budget: max 40 ms
    assert over == ["aqlm-pv-2bit"]  # 46.684 ms
    assert sorted(ranked) == sorted([n for n in SELF_HOSTED if n not in over] + list(APIS))
    assert [c["name"] for c in out["infeasible"]] == over
    assert out["prices"]["genai_prices_version"] == genai_prices.__version__


def test_self_host_pick_is_awq_with_bf16_within_noise() -> None:
    out = _json("rank")
    assert [c["name"] for c in out["candidates"]][:4] == [
        "awq-int4",
        "bf16",
        "torchao-int4wo",
        "vptq-2bit",
    ]


@pytest.mark.parametrize("name", SELF_HOSTED)
def test_explain_quantization_takes_quality_from_lighteval_and_speed_from_the_csv_row(
    name: str,
) -> None:
    explained = _json("explain", name)  # an infeasible one too
    source = _results_file(name)
    results = json.loads((EXAMPLE / source).read_text(encoding="utf-8"))
    for metric, task in TASKS.items():
        got = _metric(explained, metric)
        expected = results["results"][task]
        assert got["value"] == pytest.approx(expected["acc_norm"] * 100, rel=1e-12)
        assert got["stderr"] == pytest.approx(expected["acc_norm_stderr"] * 100, rel=1e-12)
        assert got["provenance"] == {
            "source": source,
            "model": results["config_general"]["model_name"],
            "date": source.split("results_")[1][:10],  # from the file name
            "task": task,
            "field": "acc_norm",
            "stderr_field": "acc_norm_stderr",
        }
    row, tpot, memory = _measured(name)
    for metric, value in {"tpot_p95": tpot, "memory": memory}.items():
        got = _metric(explained, metric)
        assert got["value"] == pytest.approx(value, rel=1e-12)
        assert got["stderr"] is None
        assert got["provenance"] == {"source": "latency_memory.csv", "row": row}
    assert _metric(explained, "cost")["value"] is None  # no price for our own GPU


def test_explain_vptq_which_once_was_a_hand_copied_row() -> None:
    explained = _json("explain", "vptq-2bit")
    arc = _metric(explained, "arc")
    assert arc["value"] == pytest.approx(55.37542662116041)
    assert arc["stderr"] == pytest.approx(1.4526705548539982)  # now carried from the file
    assert arc["provenance"]["source"] == (
        "lighteval/VPTQ-community/Meta-Llama-3.1-8B-Instruct-v12-k65536-4096-woft/"
        "results_2025-03-15T06-21-50.386877.json"
    )
    tpot = _metric(explained, "tpot_p95")
    assert tpot["value"] == pytest.approx(32.345)  # "0.032345 s"
    assert tpot["provenance"] == {"source": "latency_memory.csv", "row": 5}
    assert _metric(explained, "memory")["value"] == pytest.approx(5.28902)  # "5289.02 MB"


@pytest.mark.parametrize("name", list(APIS))
def test_explain_api_shows_the_genai_prices_lookup(name: str) -> None:
    explained = _json("explain", name)
    cost = _metric(explained, "cost")
    assert cost["value"] == pytest.approx(_cost(name))
    prov = cost["provenance"]
    assert prov["source"] == "genai-prices"
    assert prov["genai_prices_version"] == genai_prices.__version__
    assert prov["looked_up_at"].endswith("Z")
    assert prov["workload"] == {"input_tokens": 1500.0, "output_tokens": 400.0}
    for metric in ["arc", "hellaswag", "tpot_p95", "memory"]:
        assert _metric(explained, metric)["value"] is None  # left missing, not invented


def test_pareto_front() -> None:
    # Among the feasible candidates under --missing worst: the APIs get the worst quality, latency
    # and memory known, the quantizations the worst price. groq (cheapest) dominates the other
    # three Llama APIs; gpt-4o-mini, at the highest price, is dominated by any quantization;
    # the four feasible quantizations trade quality against latency and memory.
    assert sorted(_cost(n) for n in APIS)[0] == _cost("llama-3.1-8b@groq")
    out = _json("pareto")
    first = {c["name"] for c in out["candidates"] if c["layer"] == 1}
    assert first == {"awq-int4", "bf16", "torchao-int4wo", "vptq-2bit", "llama-3.1-8b@groq"}
    assert "aqlm-pv-2bit" not in {c["name"] for c in out["candidates"]}  # infeasible


def test_check_violations_are_the_budgets_applied_to_the_files() -> None:
    expected = set()
    for name in SELF_HOSTED:
        _, tpot, memory = _measured(name)
        if tpot > 40:
            expected.add((name, "tpot_p95", "error"))
        if memory > 24:
            expected.add((name, "memory", "error"))
        elif memory > 16:
            expected.add((name, "memory", "warn"))
    expected |= {(n, "cost", "warn") for n in APIS if _cost(n) > 0.4}
    assert expected == {
        ("aqlm-pv-2bit", "tpot_p95", "error"),  # 46.684 ms > 40
        ("bf16", "memory", "warn"),  # 16.77302 GB > 16
        ("llama-3.1-8b@bedrock", "cost", "warn"),  # 0.418 > 0.4
        ("gpt-4o-mini", "cost", "warn"),  # 0.465 > 0.4
    }
    check = _json("check", code=1)
    assert {(v["candidate"], v["metric"], v["level"]) for v in check["violations"]} == expected
    join_line = (
        GOALS.read_text(encoding="utf-8")
        .splitlines()
        .index("  - {from: latency_memory.csv, join: name}")
    )
    for v in check["violations"]:
        if v["candidate"] in SELF_HOSTED:  # located at the entry that brought the value in
            assert (v["file"], v["line"]) == (str(GOALS), join_line + 1)


def test_every_lighteval_file_is_used() -> None:
    files = {p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.glob("lighteval/**/*.json")}
    assert files == {_results_file(n) for n in SELF_HOSTED}
