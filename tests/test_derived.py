# ruff: noqa: E501  (goals files written out as users write them: long flow mappings)
"""Derived metrics and inputs through the CLI: one cost axis for API and self-hosted candidates,
given values against formulas, --missing, inputs in JSON and explain, and the errors.

Every expected number is worked out by hand in a comment beside it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import tradeoff
from conftest import ROOT, runner, write_goals
from tradeoff.cli.app import app

ONE_AXIS = """\
version: 1
workload: {input_tokens: 1500, output_tokens: 400}
metrics:
  gpus:       {role: input}
  gpu_price:  {role: input, unit: USD/hour}
  throughput: {role: input, unit: requests/s}
  cost:       {direction: min, unit: USD/1k requests, source: price, additive: true,
               formula: "gpus * gpu_price / throughput"}
  quality:    {direction: max, unit: "%"}
candidates:
  - name: groq-8b
    price: {provider: groq, model: llama-3.1-8b-instant}
    metrics: {quality: 60}
  - name: a100
    metrics: {gpus: 1, gpu_price: 1.64, throughput: {value: 1.165, stderr: 0.05}, quality: 62}
  - name: h100x2
    metrics: {gpus: 2, gpu_price: 2.90, throughput: 1.863, quality: 62}
"""
# groq llama-3.1-8b-instant (genai-prices 0.2.3): 0.05 / 0.08 USD per 1M tokens in / out
#   1000 * (1500 * 0.05 + 400 * 0.08) / 1e6 = 1000 * 107 / 1e6 = 0.107 USD/1k requests
# a100:   1 * 1.64 USD/h / 1.165 req/s = 1.64 / 3600 / 1.165 * 1000 = 0.391034... USD/1k requests
#   stderr: |d/dt| * s_t = 1.64 / 3.6 / 1.165**2 * 0.05 = 0.0167830...
# h100x2: 2 * 2.90 / 3600 / 1.863 * 1000 = 0.864794... USD/1k requests (all exact: no stderr)
GROQ = 0.107
A100 = 1.64 / 3600 / 1.165 * 1000
A100_SE = 1.64 / 3.6 / 1.165**2 * 0.05
H100 = 2 * 2.90 / 3600 / 1.863 * 1000


def rank_json(path: Path, *args: str) -> dict:
    result = runner.invoke(app, ["rank", str(path), "-f", "json", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_api_prices_and_self_hosted_formulas_share_one_cost_axis(tmp_path: Path) -> None:
    path = write_goals(tmp_path, ONE_AXIS)
    out = rank_json(path)
    cost = {c["name"]: c["metrics"]["cost"] for c in out["candidates"]}
    assert cost == pytest.approx({"groq-8b": GROQ, "a100": A100, "h100x2": H100}, rel=1e-9)
    data = tradeoff.load(path).data
    assert data.metric_names == ["cost", "quality"]  # inputs are not goals
    assert data.stderr[1, 0] == pytest.approx(A100_SE, rel=1e-9)
    assert np.isnan(data.stderr[2, 0])  # exact inputs: no stderr
    assert list(data.derived["cost"].rows) == [False, True, True]


def test_inputs_in_json_after_metrics_and_never_as_columns(tmp_path: Path) -> None:
    path = write_goals(tmp_path, ONE_AXIS)
    out = rank_json(path)
    first = out["candidates"][0]
    assert list(first)[:5] == ["rank", "name", "score", "metrics", "inputs"]
    inputs = {c["name"]: c["inputs"] for c in out["candidates"]}
    assert inputs["h100x2"] == {"gpus": 2.0, "gpu_price": 2.9, "throughput": 1.863}
    assert inputs["groq-8b"] == {"gpus": None, "gpu_price": None, "throughput": None}
    pareto = runner.invoke(app, ["pareto", str(path), "-f", "json"])
    assert all("inputs" in c for c in json.loads(pareto.stdout)["candidates"])
    for fmt in ("csv", "table", "markdown"):
        shown = runner.invoke(app, ["rank", str(path), "-f", fmt]).stdout
        assert "gpu_price" not in shown and "throughput" not in shown, fmt
    header = runner.invoke(app, ["rank", str(path), "-f", "csv"]).stdout.splitlines()[0]
    assert "gpus" not in header


def test_explain_lists_inputs_and_the_formula_with_the_numbers(tmp_path: Path) -> None:
    path = write_goals(tmp_path, ONE_AXIS)
    result = runner.invoke(app, ["explain", "a100", str(path), "-f", "json"])
    out = json.loads(result.stdout)
    assert list(out)[list(out).index("metrics") + 1] == "inputs"
    assert out["inputs"] == {"gpus": 1.0, "gpu_price": 1.64, "throughput": 1.165}
    cost = out["metrics"][0]
    assert cost["provenance"] == {
        "formula": "gpus * gpu_price / throughput",
        "with": "1 * (1.64 USD/hour) / (1.165 requests/s)",
    }
    assert cost["stderr"] == pytest.approx(A100_SE, rel=1e-9)
    table = runner.invoke(app, ["explain", "a100", str(path)]).stdout
    assert "inputs: gpus 1, gpu_price 1.64 USD/hour, throughput 1.165 ± 0.05 requests/s" in table
    assert (
        "cost = gpus * gpu_price / throughput = 1 * (1.64 USD/hour) / (1.165 requests/s)"
        " = 0.391 USD/1k requests"
    ) in table
    groq = json.loads(runner.invoke(app, ["explain", "groq-8b", str(path), "-f", "json"]).stdout)
    assert groq["metrics"][0]["provenance"]["source"] == "genai-prices"


def test_inputs_from_table_columns(tmp_path: Path) -> None:
    (tmp_path / "sweep.csv").write_text(
        "name,gpus,gpu_price,throughput,quality\n"
        "tp1,1,2.0,4.0,50\n"  # 1 * 2 / 3600 / 4 * 1000 = 0.138888...
        "tp2,2,2.0,,51\n"  # no throughput: no cost
        "tp4,4,2.0,10.0,52\n",  # 4 * 2 / 3600 / 10 * 1000 = 0.222222...
        encoding="utf-8",
    )
    text = ONE_AXIS.split("candidates:")[0] + "candidates:\n  - from: sweep.csv\n"
    path = write_goals(tmp_path, text)
    data = tradeoff.load(path).data
    np.testing.assert_allclose(data.values[:, 0], [2 / 3.6 / 4, np.nan, 8 / 3.6 / 10])
    assert data.inputs is not None and data.inputs.names == ["gpus", "gpu_price", "throughput"]
    out = rank_json(path, "--missing", "exclude")
    assert out["excluded"] == [{"name": "tp2", "missing": ["cost"]}]


def test_mean_of_three_lm_eval_subtasks_and_its_stderr(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests" / "data" / "lm_eval", tmp_path / "lm_eval")
    path = write_goals(
        tmp_path,
        """\
        version: 1
        metrics:
          arc:        {role: input, unit: "%", source: {lm_eval: {task: arc_challenge, field: "acc_norm,none"}}}
          hellaswag:  {role: input, unit: "%", source: {lm_eval: {task: hellaswag, field: "acc_norm,none"}}}
          winogrande: {role: input, unit: "%", source: {lm_eval: {task: winogrande, field: "acc,none"}}}
          quality:    {direction: max, unit: "%", formula: "mean(arc, hellaswag, winogrande)"}
          cost:       {direction: min}
        candidates:
          - name: llama
            from: lm_eval/results_2025-03-17T18-59-13.666325.json
            metrics: {cost: 1}
          - name: other
            metrics: {quality: 70, cost: 2}
        """,
    )
    data = tradeoff.load(path).data
    # acc_norm 0.6126279863481229, 0.8058155745867357, acc 0.7363851617995264 (x100), mean:
    assert data.values[0, 0] == pytest.approx(
        (61.26279863481229 + 80.58155745867357 + 73.63851617995264) / 3, rel=1e-12
    )
    # stderrs 1.4235872487909869, 0.3947630921887928, 1.2382849299658468: sqrt(sum sq) / 3
    se = np.sqrt(1.4235872487909869**2 + 0.3947630921887928**2 + 1.2382849299658468**2) / 3
    assert data.stderr[0, 0] == pytest.approx(se, rel=1e-9)


def test_energy_per_request_from_an_optimum_benchmark_total(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests" / "data" / "optimum_benchmark", tmp_path / "ob")
    path = write_goals(
        tmp_path,
        """\
        version: 1
        metrics:
          decode_energy: {role: input, unit: kWh, source: {optimum_benchmark: {target: decode, field: energy.total}}}
          samples:       {role: input, unit: request}
          energy:        {direction: min, unit: Wh/request, formula: "decode_energy / samples"}
        candidates:
          - name: run
            from: ob/benchmark_report.json
            metrics: {samples: 40}
        """,
    )
    # decode energy.total 0.14152102857830748 kWh / 40 requests = 141.52... Wh / 40 = 3.538 Wh/req
    data = tradeoff.load(path).data
    assert data.values[0, 0] == pytest.approx(0.14152102857830748 * 1000 / 40, rel=1e-12)


def fail_lines(path: Path, *args: str, command: str = "validate") -> list[str]:
    result = runner.invoke(app, [command, str(path), *args])
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    return [line.replace(f"{path.parent}/", "") for line in result.stderr.splitlines()]


def test_a_sample_count_without_unit_is_a_unit_error(tmp_path: Path) -> None:
    text = """\
    version: 1
    metrics:
      decode_energy: {role: input, unit: kWh}
      samples:       {role: input}
      energy:        {direction: min, unit: Wh/request, formula: "decode_energy / samples"}
    candidates:
      - name: run
        metrics: {decode_energy: 0.1, samples: 40}
    """
    assert fail_lines(write_goals(tmp_path, text)) == [
        "goals.yaml:5:62: metrics.energy.formula: kWh cannot convert to Wh/request"
        " (at column 1 of the formula)"
    ]


def test_unknown_name_is_located_with_a_suggestion(tmp_path: Path) -> None:
    path = write_goals(tmp_path, ONE_AXIS.replace("gpus * gpu_price", "gpus * gpu_prise"))
    assert fail_lines(path) == [
        "goals.yaml:8:25: metrics.cost.formula: unknown metric 'gpu_prise'"
        " (did you mean 'gpu_price'?) (at column 8 of the formula)"
    ]


def test_a_cycle_is_named(tmp_path: Path) -> None:
    text = """\
    version: 1
    metrics:
      a: {direction: min, formula: "b * 2"}
      b: {direction: min, formula: "c + 1"}
      c: {role: input, formula: "a / 2"}
    candidates:
      - name: x
        metrics: {a: 1}
    """
    lines = fail_lines(write_goals(tmp_path, text))
    assert lines == ["goals.yaml:3:32: metrics.a.formula: formulas form a cycle: a -> b -> c -> a"]


def test_a_given_value_and_all_inputs_is_an_error_naming_both(tmp_path: Path) -> None:
    text = ONE_AXIS.replace("metrics: {quality: 60}", "metrics: {quality: 60, gpus: 1, "
                            "gpu_price: 1, throughput: 1}")  # fmt: skip
    lines = fail_lines(write_goals(tmp_path, text))
    assert lines == [
        "goals.yaml:12:12: candidates[0].price: candidate 'groq-8b': a value for 'cost' is given"
        " and its formula could compute one (it has gpus, gpu_price, throughput); keep one"
    ]


def test_a_non_finite_result_names_the_candidate(tmp_path: Path) -> None:
    text = ONE_AXIS.replace("throughput: 1.863", "throughput: 0")
    lines = fail_lines(write_goals(tmp_path, text))
    assert len(lines) == 1
    assert "candidate 'h100x2': cost = gpus * gpu_price / throughput is not finite" in lines[0]
    assert lines[0].startswith("goals.yaml:17:14: candidates[2].metrics: ")


@pytest.mark.parametrize(
    "formula", ["1 / 0", "quality / (2 - 2)", "quality * 0 / 0", "quality / (1 - 1) + 1"]
)
def test_a_division_by_a_literal_zero_is_an_error_not_a_traceback(
    tmp_path: Path, formula: str
) -> None:
    # Literals are plain Python floats: 1.0 / 0.0 raised ZeroDivisionError instead of giving inf
    text = ONE_AXIS.replace(
        '  quality:    {direction: max, unit: "%"}',
        '  quality:    {direction: max, unit: "%"}\n'
        f'  odd:        {{direction: min, formula: "{formula}"}}',
    )
    lines = fail_lines(write_goals(tmp_path, text))
    assert lines, "a non-finite formula result must be reported"
    assert all(f"odd = {formula} is not finite" in line for line in lines), lines


MISSING = ONE_AXIS.replace("throughput: 1.863, ", "")  # h100x2 lacks an input, so its cost


def test_a_missing_input_under_each_missing_policy(tmp_path: Path) -> None:
    path = write_goals(tmp_path, MISSING)
    err = runner.invoke(app, ["rank", str(path)])
    assert err.exit_code == 2 and "h100x2" in err.stderr and "cost" in err.stderr
    out = rank_json(path, "--missing", "exclude")
    assert out["excluded"] == [{"name": "h100x2", "missing": ["cost"]}]
    assert {c["name"] for c in out["candidates"]} == {"groq-8b", "a100"}
    out = rank_json(path, "--missing", "worst")
    row = next(c for c in out["candidates"] if c["name"] == "h100x2")
    # worst cost among the others is the a100's 0.391, so h100x2 normalizes to 0 on cost
    assert row["metrics"]["cost"] is None and row["normalized"]["cost"] == 0.0
    assert row["inputs"]["throughput"] is None  # --missing never fills inputs


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("candidates:", "budgets: {gpus: {max: 4}}\ncandidates:", "budgets.gpus"),
        ("candidates:", "profiles: {default: {gpus: 1, cost: 1}}\ncandidates:",
         "profiles.default.gpus"),
    ],
)  # fmt: skip
def test_budgets_and_profiles_cannot_name_an_input(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    lines = fail_lines(write_goals(tmp_path, ONE_AXIS.replace(old, new, 1)))
    assert len(lines) == 1 and f": {where}: 'gpus' is an input, not a goal" in lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["rank", "--metrics", "cost,gpus"],
        ["rank", "--weight", "gpu_price=1"],
        ["pareto", "--metrics", "throughput"],
        ["frontier", "--x", "gpus", "--y", "cost"],
        ["frontier", "--x", "cost", "--y", "gpus"],
        ["plot", "--x", "gpus", "--y", "cost", "-o", "out.png"],
        ["pareto", "--reference", "gpus=3"],
        ["check", "--baseline", "base.json", "--tolerance", "gpus=1"],
    ],
)
def test_flags_naming_an_input_exit_2(tmp_path: Path, args: list[str]) -> None:
    path = write_goals(tmp_path, ONE_AXIS)
    base = runner.invoke(app, ["pareto", str(path), "--layers", "-f", "json"]).stdout
    (tmp_path / "base.json").write_text(base, encoding="utf-8")
    args = [str(tmp_path / a) if a == "base.json" else a for a in args]
    result = runner.invoke(app, [args[0], str(path), *args[1:]])
    assert result.exit_code == 2, result.stdout
    assert "is an input, not a goal" in result.stderr


def test_an_input_has_no_direction_range_or_additive(tmp_path: Path) -> None:
    text = ONE_AXIS.replace("gpus:       {role: input}",
                            "gpus:       {role: input, direction: min, additive: true}")  # fmt: skip
    lines = fail_lines(write_goals(tmp_path, text))
    assert [line.split(": ", 1)[1] for line in lines] == [
        "metrics.gpus.direction: an input has no direction (it is not a goal)",
        "metrics.gpus.additive: an input has no additive (it is not a goal)",
    ]


PRICED = """\
version: 1
workload: {input_tokens: 1500, output_tokens: 400}
metrics:
  cost:    {direction: min, unit: USD/1k requests, source: price}
  quality: {direction: max}
candidates:
  - name: before
    price: {provider: deepseek, model: deepseek-v4-pro, at: 2026-08-01}
    metrics: {quality: 1}
  - name: after
    price: {provider: deepseek, model: deepseek-v4-pro, at: 2026-09-01}
    metrics: {quality: 2}
"""


def costs(path: Path) -> dict[str, float]:
    out = rank_json(path)
    return {c["name"]: c["metrics"]["cost"] for c in out["candidates"]}


def test_price_at_a_date_uses_the_prices_in_force_that_day(tmp_path: Path) -> None:
    # genai-prices 0.2.3, deepseek-v4-pro: 0.435 / 0.87 USD per 1M in / out, and from
    # 2026-08-17 0.66 / 1.98 (its off-peak hours start at 01:00 UTC; `at` is 00:00 UTC):
    #   before: 1000 * (1500 * 0.435 + 400 * 0.87) / 1e6 = 1.0005 USD/1k requests
    #   after:  1000 * (1500 * 0.66 + 400 * 1.98) / 1e6 = 1.782
    path = write_goals(tmp_path, PRICED)
    assert costs(path) == pytest.approx({"before": 1.0005, "after": 1.782}, rel=1e-12)
    out = json.loads(runner.invoke(app, ["explain", "before", str(path), "-f", "json"]).stdout)
    assert out["metrics"][0]["provenance"]["looked_up_at"] == "2026-08-01T00:00:00Z"


def test_cached_input_tokens_are_billed_at_the_cache_read_price(tmp_path: Path) -> None:
    text = """\
    version: 1
    workload: {input_tokens: 1500, output_tokens: 400, cached_input_tokens: 1000}
    metrics:
      cost:    {direction: min, unit: USD/1k requests, source: price}
      quality: {direction: max}
    candidates:
      - name: sonnet
        price: {provider: anthropic, model: claude-3-5-sonnet, at: 2024-10-01}
        metrics: {quality: 1}
      - name: groq
        price: {provider: groq, model: llama-3.1-8b-instant, at: 2024-10-01}
        metrics: {quality: 2}
    """
    # claude-3-5-sonnet: 3 in, 15 out, 0.3 cache read (USD per 1M tokens):
    #   1000 * (500 * 3 + 1000 * 0.3 + 400 * 15) / 1e6 = 1000 * 7800 / 1e6 = 7.8
    # groq llama-3.1-8b-instant has no cache-read price: every input token at 0.05: 0.107
    path = write_goals(tmp_path, text)
    assert costs(path) == pytest.approx({"sonnet": 7.8, "groq": 0.107}, rel=1e-12)
    out = json.loads(runner.invoke(app, ["explain", "sonnet", str(path), "-f", "json"]).stdout)
    prov = out["metrics"][0]["provenance"]
    assert prov["cache_read_usd_per_mtok"] == 0.3
    assert prov["workload"]["cached_input_tokens"] == 1000
    too_many = text.replace("cached_input_tokens: 1000", "cached_input_tokens: 2000")
    lines = fail_lines(write_goals(tmp_path, too_many))
    assert all("cached_input_tokens is a part of input_tokens" in line for line in lines)


def test_a_date_before_the_first_recorded_price_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No model in genai-prices 0.2.3 dates its first price (the first entry of every dated
    # list has no start date), so the first price of deepseek-v4-pro is given a date here.
    import datetime as dt

    from tradeoff.sources import files

    monkeypatch.setattr(files, "_first_price", lambda model: dt.date(2026, 8, 5))
    path = write_goals(tmp_path, PRICED)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    warned = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert len(warned) == 1
    assert warned[0].endswith(
        "goals.yaml:8:61: candidates[0].price.at: deepseek-v4-pro at deepseek has no price recorded"
        " before 2026-08-05; the first one is used for 2026-08-01"
    )
    rank = runner.invoke(app, ["rank", str(path)])
    assert "warning: " in rank.stderr and "price.at: deepseek-v4-pro" in rank.stderr


def test_first_price_reads_the_start_date_of_the_first_conditional_price() -> None:
    import datetime as dt
    from types import SimpleNamespace

    from genai_prices.types import ConditionalPrice, ModelPrice, StartDateConstraint

    from tradeoff.sources.files import _first_price

    dated = ConditionalPrice(StartDateConstraint(dt.date(2024, 5, 13)), prices=ModelPrice())
    undated = ConditionalPrice(None, prices=ModelPrice())
    assert _first_price(SimpleNamespace(prices=[dated, undated])) == dt.date(2024, 5, 13)
    assert _first_price(SimpleNamespace(prices=[undated, dated])) is None
    assert _first_price(SimpleNamespace(prices=ModelPrice())) is None


def test_the_one_cost_axis_example_ranks_api_and_self_hosted_by_hand() -> None:
    path = ROOT / "examples" / "one-cost-axis" / "goals.yaml"
    out = rank_json(path)
    cost = {c["name"]: c["metrics"]["cost"] for c in out["candidates"]}
    # workload 137 in / 190 out; genai-prices 0.2.3 (USD per 1M tokens in/out):
    #   claude-haiku-4-5 1/5:    1000 * (137 * 1 + 190 * 5) / 1e6 = 1.087
    #   gpt-4.1-mini 0.4/1.6:    1000 * (137 * 0.4 + 190 * 1.6) / 1e6 = 0.3588
    # self-hosted, 1 GPU x USD/hour / (request_throughput of the vLLM file) / 3600 * 1000:
    assert cost == pytest.approx(
        {
            "claude-haiku-4.5": 1.087,
            "gpt-4.1-mini": 0.3588,
            "llama-3-8b@1xA100": 1.64 / 3.6 / 1.1647651486482073,
            "llama-3-8b@1xH100": 2.90 / 3.6 / 1.8633739431904777,
        },
        rel=1e-9,
    )
    ttft = {c["name"]: c["metrics"]["ttft"] for c in out["candidates"]}
    assert ttft["llama-3-8b@1xA100"] == pytest.approx(126.86908692121507)  # mean_ttft_ms
    inputs = {c["name"]: c["inputs"] for c in out["candidates"]}
    assert inputs["llama-3-8b@1xH100"]["throughput"] == pytest.approx(1.8633739431904777)
    assert inputs["gpt-4.1-mini"] == {"gpus": None, "gpu_price": None, "throughput": None}


def test_an_input_may_be_computed_and_feed_a_goal(tmp_path: Path) -> None:
    text = """\
    version: 1
    metrics:
      total:   {role: input, unit: kWh}
      samples: {role: input, unit: request}
      per_req: {role: input, unit: Wh/request, formula: "total / samples"}
      energy:  {direction: min, unit: mWh/request, formula: "per_req"}
    candidates:
      - name: run
        metrics: {total: 0.002, samples: 8}
      - name: other
        metrics: {energy: 300}
    """
    # 0.002 kWh / 8 requests = 2 Wh / 8 = 0.25 Wh/request = 250 mWh/request
    path = write_goals(tmp_path, text)
    out = rank_json(path)
    run = next(c for c in out["candidates"] if c["name"] == "run")
    assert run["metrics"]["energy"] == pytest.approx(250.0)
    assert run["inputs"]["per_req"] == pytest.approx(0.25)
    table = runner.invoke(app, ["explain", "run", str(path)]).stdout
    assert "per_req = total / samples = (0.002 kWh) / (8 request) = 0.25 Wh/request" in table


def test_a_serving_source_feeds_an_input(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples" / "one-cost-axis", tmp_path / "ex")
    path = tmp_path / "ex" / "goals.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "source: {json: request_throughput}", "source: {serving: {field: request_throughput}}"
        ),
        encoding="utf-8",
    )
    cost = {c["name"]: c["metrics"]["cost"] for c in rank_json(path)["candidates"]}
    assert cost["llama-3-8b@1xH100"] == pytest.approx(2.90 / 3.6 / 1.8633739431904777)
