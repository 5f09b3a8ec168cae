"""The readers behind `from:` and `price:`: tables, lm-eval, optimum-benchmark, genai-prices.

Fixture provenance (tests/data/):
- lm_eval/lighteval_results_2025-03-17T18-59-13.666325.json is an excerpt (same keys, same
  numbers, fewer tasks) of results/results/meta-llama/Llama-3.1-8B-Instruct/
  results_2025-03-17T18-59-13.666325.json in DerekLiu35/huggingface-quantization-benchmarking-code
  at commit 063dcfb70a7ff0db03726c24b26d3ac7fc8329f4. That sweep was scored with *lighteval*
  (task keys like "leaderboard|arc:challenge|25", fields "acc"/"acc_stderr").
- lm_eval/results_2025-03-17T18-59-13.666325.json is the same run's numbers (arc_challenge,
  hellaswag, winogrande) laid out as lm-evaluation-harness writes results_<date>.json: per-task
  "acc,none"/"acc_stderr,none" with "alias", plus group_subtasks, versions, n-shot,
  higher_is_better, n-samples, config.model_args, date (unix start time), lm_eval_version,
  model_name... (the keys of EleutherAI/lm-evaluation-harness's evaluator.simple_evaluate and
  loggers/evaluation_tracker.py). The date is the run's start: file time minus its 6378 s.
- lm_eval/results_2025-04-03T02-14-13.550460.json: the same layout with the bf16 rerun's
  numbers from results/results2/meta-llama/Llama-3.1-8B-Instruct/
  results_2025-04-03T02-14-13.550460.json (commit c75115e5cfcbf81564cf9dc0eb57ea01bc8277c6),
  with stderr "N/A" as the harness writes it when bootstrap_iters=0.
- optimum_benchmark/benchmark.json is runs/cuda_pytorch_llama/benchmark.json from the same repo
  (commit 063dcfb70a7ff0db03726c24b26d3ac7fc8329f4), config trimmed and per_token's 3510
  latency samples dropped; every other number as written by optimum-benchmark 0.5.0.
- optimum_benchmark/benchmark_report.json (a bare report, with energy in kWh) is
  thank_you/runs/llama3_8B/2025-05-30-14-49-15/benchmark_report.json from JulienDelavande/benchlab
  at commit 4ca20a93c400fa5a857f120980ad2d915faec274, minus its two dataset-loading targets.
- tables/*.csv and *.jsonl are small hand-written sweeps in the spec's table format.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradeoff.errors import MAX_LISTED
from tradeoff.sources.common import SourceProblem, excerpt
from tradeoff.sources.readers import (
    kind_of,
    price_per_request,
    read_lm_eval,
    read_optimum_benchmark,
    read_table,
    resolve_source,
)

DATA = Path(__file__).parent / "data"
TABLES = DATA / "tables"
LM_EVAL = DATA / "lm_eval" / "results_2025-03-17T18-59-13.666325.json"
LM_EVAL_NA = DATA / "lm_eval" / "results_2025-04-03T02-14-13.550460.json"
LIGHTEVAL = DATA / "lm_eval" / "lighteval_results_2025-03-17T18-59-13.666325.json"
BENCHMARK = DATA / "optimum_benchmark" / "benchmark.json"
REPORT = DATA / "optimum_benchmark" / "benchmark_report.json"
METRICS = ["quality", "latency_p95", "memory", "energy"]
NAN = math.nan


def problems_of(call: object, *args: object, **kwargs: object) -> list[tuple[str, str]]:
    assert callable(call)
    with pytest.raises(SourceProblem) as info:
        call(*args, **kwargs)
    return info.value.problems


# --- tables -----------------------------------------------------------------------------------


def test_csv_reads_names_values_and_missing_cells() -> None:
    table = read_table(TABLES / "sweep.csv", METRICS)
    assert table.names == ["llama-3.1-8b-bf16", "llama-3.1-8b-int8", "llama-3.1-8b-int4"]
    np.testing.assert_array_equal(
        table.values,
        [[56.66, 1660.29, 17.7, NAN], [56.1, 1702.5, NAN, NAN], [54.35, 1489.5, 9.8, NAN]],
    )
    assert table.row_numbers.tolist() == [1, 2, 3]
    assert table.place(1, "memory") == "sweep.csv row 2, column memory"


def test_jsonl_null_and_absent_keys_are_missing_and_rows_are_lines() -> None:
    table = read_table(TABLES / "sweep.jsonl", METRICS, display="evals/sweep.jsonl")
    np.testing.assert_array_equal(
        table.values,
        [[56.66, 1660.29, 17.7, NAN], [56.1, 1702.5, NAN, NAN], [54.35, NAN, 9.8, NAN]],
    )
    assert table.row_numbers.tolist() == [1, 3, 4]  # line 2 is blank
    assert table.place(2) == "evals/sweep.jsonl line 4"


def test_broken_csv_names_every_file_row_and_column() -> None:
    # in row order, whichever column found them
    assert problems_of(read_table, TABLES / "broken.csv", METRICS) == [
        ("broken.csv row 1, column name", "duplicate name 'a' (also row 4)"),
        (
            "broken.csv row 2, column quality",
            "NaN is not allowed; leave the cell empty for a missing value",
        ),
        ("broken.csv row 3, column quality", "expected a finite number, got 'abc'"),
        ("broken.csv row 4, column name", "duplicate name 'a' (also row 1)"),
        ("broken.csv row 4, column latency_p95", "expected a finite number, got 'inf'"),
        ("broken.csv row 5, column name", "must not be empty"),
    ]


def test_broken_jsonl_reports_bad_lines_and_bad_values_together() -> None:
    assert problems_of(read_table, TABLES / "broken.jsonl", METRICS) == [
        ("broken.jsonl line 1, column quality", "NaN is not allowed; use null instead"),
        ("broken.jsonl line 2, column quality", "expected a finite number, got 'high'"),
        ("broken.jsonl line 2, column latency_p95", "expected a number, got true"),
        ("broken.jsonl line 3", "expected a JSON object, got list"),
        ("broken.jsonl line 4, column name", "expected text, got '7'"),
        ("broken.jsonl line 5", "not valid JSON: Expecting ',' delimiter"),
    ]


def test_parquet_null_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "sweep.parquet"
    pd.DataFrame(
        {
            "name": ["a", "b", "c"],
            "quality": pd.array([0.5, None, 0.7], dtype="Float64"),
            "latency_p95": [210.0, float("nan"), 230.0],  # pandas writes a NaN float as null
            "memory": pd.array([16, 24, None], dtype="Int64"),
            "ignored": ["x", "y", "z"],
        }
    ).to_parquet(path)
    table = read_table(path, METRICS)
    assert table.names == ["a", "b", "c"]
    np.testing.assert_array_equal(
        table.values, [[0.5, 210, 16, NAN], [NAN, NAN, 24, NAN], [0.7, 230, NAN, NAN]]
    )


def test_parquet_nan_inf_and_duplicates_are_errors(tmp_path: Path) -> None:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

    path = tmp_path / "sweep.parquet"
    latency = pa.array([210.0, float("nan"), None, float("-inf")], from_pandas=False)
    pq.write_table(pa.table({"name": ["a", "b", "c", "b"], "latency_p95": latency}), path)
    assert problems_of(read_table, path, METRICS) == [
        ("sweep.parquet row 2, column name", "duplicate name 'b' (also row 4)"),
        (
            "sweep.parquet row 2, column latency_p95",
            "NaN is not allowed; use null for a missing value",
        ),
        ("sweep.parquet row 4, column name", "duplicate name 'b' (also row 2)"),
        ("sweep.parquet row 4, column latency_p95", "expected a finite number, got -inf"),
    ]


def test_parquet_text_and_bool_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pd.DataFrame(
        {
            "name": pd.Series(["a", "b"], dtype="category"),  # dictionary-encoded names
            "quality": ["0.5", "abc"],
            "latency_p95": [True, False],
        }
    ).to_parquet(path)
    assert problems_of(read_table, path, METRICS) == [
        ("t.parquet column latency_p95", "expected numbers, got a column of bool"),
        ("t.parquet row 2, column quality", "expected a finite number, got 'abc'"),
    ]
    pd.DataFrame({"name": [1, 2], "quality": [0.5, 0.6]}).to_parquet(path)
    assert problems_of(read_table, path, METRICS) == [
        ("t.parquet column name", "expected text, got a column of int64")
    ]


def test_columns_mapping_renames_and_absent_metric_columns_are_missing(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("name,mmlu_pro_acc,other\nx,0.41,zzz\n")
    table = read_table(path, ["quality", "cost"], {"quality": "mmlu_pro_acc"})
    np.testing.assert_array_equal(table.values, [[0.41, NAN]])
    assert table.place(0, "quality") == "t.csv row 1, column mmlu_pro_acc"
    assert problems_of(read_table, path, ["quality"], {"quality": "mmlu_pro_ac", "qualty": "x"})
    assert problems_of(read_table, path, ["quality"], {"quality": "mmlu_pro_ac"}) == [
        (
            "t.csv",
            "'columns' maps quality to 'mmlu_pro_ac', which is not a column here"
            " (did you mean 'mmlu_pro_acc'?)",
        )
    ]
    assert problems_of(read_table, path, ["quality"], {"qualty": "other"}) == [
        ("t.csv", "'columns' names an unknown metric 'qualty' (did you mean 'quality'?)")
    ]


def test_missing_name_column_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Name,quality\nx,1\n")
    assert problems_of(read_table, path, ["quality"]) == [
        ("t.csv", "no 'name' column (did you mean 'Name'?)")
    ]
    path.write_text("")
    assert problems_of(read_table, path, ["quality"]) == [
        ("t.csv", "the file is empty (expected a header row)")
    ]
    path.write_text("name,quality,quality\nx,1,2\n")
    assert problems_of(read_table, path, ["quality"]) == [
        ("t.csv", "column 'quality' appears twice")
    ]


def test_a_row_with_more_cells_than_the_header_is_an_error(tmp_path: Path) -> None:
    # "1,000" written with a thousands separator: pandas, reading only the columns it needs,
    # dropped the extra cell and shifted the rest, so quality 1 and latency_p95 0 were ranked.
    path = tmp_path / "t.csv"
    path.write_text('name,quality,latency_p95\nm,1,000,5\n"n,2",0.5,3\n\no,2,3,,\n')
    assert problems_of(read_table, path, ["quality", "latency_p95"]) == [
        (
            "t.csv row 1",
            "4 cells, but the header has 3 (a comma inside a value needs quotes)",
        )
    ]
    # first row fine, a later one ragged (pandas's own check is off when reading some columns)
    path.write_text("name,quality,latency_p95,other\na,1,2,x\nb,1,2,x,y\n")
    assert problems_of(read_table, path, ["quality"]) == [
        ("t.csv row 2", "5 cells, but the header has 4 (a comma inside a value needs quotes)")
    ]


def test_values_with_units_convert_when_units_are_given(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("name,latency_p95,memory\na,0.21 s,16 GB\nb,250 ms,2048 MB\n")
    units = {"latency_p95": "ms", "memory": "GB"}
    table = read_table(path, ["latency_p95", "memory"], units=units)
    np.testing.assert_allclose(table.values, np.array([[210, 16], [250, 2.048]]))
    assert problems_of(read_table, path, ["latency_p95"]) == [
        ("t.csv row 1, column latency_p95", "expected a finite number, got '0.21 s'"),
        ("t.csv row 2, column latency_p95", "expected a finite number, got '250 ms'"),
    ]
    path.write_text("name,latency_p95\na,2 GB\n")
    assert problems_of(read_table, path, ["latency_p95"], units=units) == [
        ("t.csv row 1, column latency_p95", "cannot convert 'GB' to the metric's unit 'ms'")
    ]


def test_problems_are_capped_and_cells_quoted_short_and_escaped(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    evil = "\x1b[31m" + "x" * 100
    rows = "".join(f"r{i},{evil}\n" for i in range(50))
    path.write_text("name,quality\n" + rows)
    problems = problems_of(read_table, path, ["quality"])
    assert len(problems) == MAX_LISTED
    assert problems[-1][1].endswith(f" ({MAX_LISTED} of 50 shown)")
    assert problems[0][1] == f"expected a finite number, got {excerpt(evil)}"
    assert "\x1b" not in problems[0][1] and "\\x1b[31m" in problems[0][1]
    assert len(problems[0][1]) < 90


def test_names_with_control_characters_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"name": "ok\x1b[2Jfake", "quality": 1}) + "\n")
    assert problems_of(read_table, path, ["quality"]) == [
        ("t.jsonl line 1, column name", "a name must not contain control characters")
    ]


# --- lm-evaluation-harness --------------------------------------------------------------------


def test_lm_eval_value_stderr_percent_and_provenance() -> None:
    got = read_lm_eval(
        LM_EVAL,
        {"quality": ("arc_challenge", "acc,none"), "hella": ("hellaswag", "acc_norm,none")},
        {"quality": True},
    )
    value, stderr, provenance = got["quality"]
    assert value == pytest.approx(56.65529010238908)
    assert stderr == pytest.approx(1.4481376224558902)
    assert provenance == {
        "source": LM_EVAL.name,
        "lm_eval_version": "0.4.8",
        "model": "meta-llama/Llama-3.1-8B-Instruct",
        "date": "2025-03-17",
        "task": "arc_challenge",
        "field": "acc,none",
        "stderr_field": "acc_stderr,none",
        "n": 1172,  # n-samples: every item scored
        "n_original": 1172,
        "n_shot": 25,
    }
    assert got["hella"][:2] == (0.8058155745867357, 0.003947630921887928)


def test_lm_eval_na_stderr_is_none() -> None:
    got = read_lm_eval(LM_EVAL_NA, {"quality": ("arc_challenge", "acc,none")}, {"quality": True})
    assert got["quality"][0] == pytest.approx(54.35153583617748)
    assert got["quality"][1] is None
    assert got["quality"][2]["date"] == "2025-04-03"  # no "date" key: from the file name


def test_lighteval_results_read_with_plain_field_names() -> None:
    got = read_lm_eval(LIGHTEVAL, {"arc": ("leaderboard|arc:challenge|25", "acc")})
    assert got["arc"][:2] == (0.5665529010238908, 0.014481376224558902)
    assert got["arc"][2]["model"] == "meta-llama/Llama-3.1-8B-Instruct"


def test_lm_eval_missing_task_and_field_suggest_what_the_file_has() -> None:
    fields = {"q": ("arc_challeng", "acc,none"), "h": ("hellaswag", "acc_nrm,none")}
    assert problems_of(read_lm_eval, LM_EVAL, fields, display="evals/r.json") == [
        (
            "evals/r.json (for q)",
            "no task 'arc_challeng' in the results (did you mean 'arc_challenge'?); if this model"
            " has no such result, write `q: null` under metrics",
        ),
        (
            "evals/r.json (for h)",
            "no field 'acc_nrm,none' in task 'hellaswag'"
            " (did you mean 'acc_norm,none' or 'acc,none'?)",
        ),
    ]


def test_lm_eval_a_task_that_is_not_an_object_is_not_suggested_as_itself(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"results": {"arc_challenge": None, "hellaswag": {"acc,none": 1}}}))
    assert problems_of(read_lm_eval, path, {"q": ("arc_challenge", "acc,none")}) == [
        (
            "r.json (for q)",
            "no task 'arc_challenge' in the results; if this model has no such result, write"
            " `q: null` under metrics",
        )
    ]


def test_lm_eval_broken_json_and_nan_value(tmp_path: Path) -> None:
    broken = DATA / "lm_eval" / "broken_truncated.json"
    assert problems_of(read_lm_eval, broken, {"q": ("arc_challenge", "acc,none")}) == [
        (
            "broken_truncated.json line 6, column 1",
            "not valid JSON: Expecting property name enclosed in double quotes",
        )
    ]
    path = tmp_path / "r.json"
    path.write_text('{"results": {"t": {"acc,none": NaN, "acc_stderr,none": 0.1}}}')
    assert problems_of(read_lm_eval, path, {"q": ("t", "acc,none")}) == [
        ("r.json task 't', field 'acc,none'", "expected a finite number, got 'nan'")
    ]


# --- optimum-benchmark ------------------------------------------------------------------------


def test_optimum_benchmark_converts_units() -> None:
    fields = {
        "latency_p95": ("decode", "latency.p95"),
        "memory": ("decode", "memory.max_global_vram"),
        "throughput": ("decode", "throughput.value"),
        "raw": ("prefill", "latency.p50"),
    }
    units = {"latency_p95": "ms", "memory": "GB", "throughput": "tokens/s", "raw": "s"}
    got = read_optimum_benchmark(BENCHMARK, fields, units)
    assert got["latency_p95"][0] == pytest.approx(1660.2938903808593)  # 1.66... s
    assert got["memory"][0] == pytest.approx(17.699897344)  # 17699.897344 MB
    assert got["throughput"][0] == pytest.approx(38.821440532429996)
    assert got["raw"][0] == 0.026455135345458985
    assert got["memory"][1] == {
        "source": "benchmark.json",
        "optimum_benchmark_version": "0.5.0",
        "model": "meta-llama/Llama-3.1-8B-Instruct",
        "benchmark": "cuda_pytorch_llama",
        "target": "decode",
        "field": "memory.max_global_vram",
        "unit": "MB",
    }


def test_optimum_benchmark_unit_needs_the_metric_to_declare_one() -> None:
    # The report says 0.0265 s; a metric without a unit would take the bare number, which is
    # wrong by 1000x beside values in ms. Refused, as "0.0265 s" written inline is.
    fields = {"raw": ("prefill", "latency.p50")}
    assert problems_of(read_optimum_benchmark, BENCHMARK, fields, {"raw": None}) == [
        (
            "benchmark.json 'prefill.latency.p50'",
            "a value in 's' needs the metric to declare its unit",
        )
    ]


def test_optimum_benchmark_bare_report_energy_kwh_to_wh() -> None:
    got = read_optimum_benchmark(REPORT, {"energy": ("decode", "energy.total")}, {"energy": "Wh"})
    assert got["energy"][0] == pytest.approx(141.52102857830748)
    assert got["energy"][1] == {
        "source": "benchmark_report.json",
        "target": "decode",
        "field": "energy.total",
        "unit": "kWh",
    }


def test_optimum_benchmark_problems_name_file_and_place() -> None:
    fields = {
        "e": ("decode", "energy.total"),
        "x": ("decod", "latency.p95"),
        "y": ("decode", "latency.p96"),
        "z": ("decode", "latency.p95"),
    }
    assert problems_of(read_optimum_benchmark, BENCHMARK, fields, {"z": "GB"}) == [
        ("benchmark.json (for e)", "'decode.energy' is null: the run did not measure it"),
        ("benchmark.json (for x)", "no target 'decod' (did you mean 'decode'?)"),
        (
            "benchmark.json (for y)",
            "no field 'p96' in 'decode.latency' (did you mean 'p99', 'p95' or 'p90'?)",
        ),
        ("benchmark.json 'decode.latency.p95'", "cannot convert 's' to the metric's unit 'GB'"),
    ]


# --- kinds and paths --------------------------------------------------------------------------


def test_kind_of_by_extension_and_content(tmp_path: Path) -> None:
    assert kind_of(TABLES / "sweep.csv") == "table"
    assert kind_of(Path("x.PARQUET")) == "table"
    assert kind_of(LM_EVAL) == "lm_eval"
    assert kind_of(LIGHTEVAL) == "lm_eval"
    assert kind_of(BENCHMARK) == "optimum_benchmark"
    assert kind_of(REPORT) == "optimum_benchmark"
    other = tmp_path / "other.json"
    other.write_text('{"metrics": {}}')
    assert kind_of(other) == "json"  # plain JSON: for `json:` sources and `rows:`
    samples = tmp_path / "samples_arc.jsonl"
    samples.write_text('{"doc_id": 0, "target": "A"}\n')
    assert kind_of(samples) == "lm_eval_samples"
    runs = tmp_path / "runs.jsonl"
    runs.write_text('{"request_throughput": 2.0, "duration": 10}\n')
    assert kind_of(runs) == "serving_runs"
    assert kind_of(TABLES / "sweep.jsonl") == "table"
    assert problems_of(kind_of, Path("sheet.xlsx")) == [
        ("sheet.xlsx", "unsupported file type '.xlsx' (expected .csv, .parquet, .jsonl or .json)")
    ]


def test_resolve_source_stays_inside_the_goals_folder(tmp_path: Path) -> None:
    base = tmp_path / "project"
    (base / "data").mkdir(parents=True)
    (base / "data" / "sweep.csv").write_text("name\n")
    (tmp_path / "secret.csv").write_text("name\n")
    (base / "link.csv").symlink_to(tmp_path / "secret.csv")
    os.mkfifo(base / "pipe")
    assert resolve_source(base, "data", False) == base.resolve() / "data"  # a dataset folder
    assert resolve_source(base, "data/sweep.csv", False) == base.resolve() / "data/sweep.csv"
    assert resolve_source(base, "data/../data/sweep.csv", False).name == "sweep.csv"
    hint = " (pass --allow-external-sources to allow it)"
    cases = {
        "../secret.csv": "the path leads outside the goals file's folder with '..'" + hint,
        "link.csv": "the path leads outside the goals file's folder through a symlink" + hint,
        str(tmp_path / "secret.csv"): "an absolute path is not allowed; give it relative to "
        "the goals file" + hint,
        "data/nope.csv": "no such file",
        "pipe": "not a regular file or a folder",
        "": "the path is empty",
    }
    for relative, what in cases.items():
        assert problems_of(resolve_source, base, relative, False) == [
            (excerpt(relative, 300), what)
        ]
    assert resolve_source(base, "../secret.csv", True) == (tmp_path / "secret.csv").resolve()
    assert resolve_source(base, "link.csv", True) == (tmp_path / "secret.csv").resolve()


# --- genai-prices -----------------------------------------------------------------------------


def test_price_matches_genai_prices_own_calc_price() -> None:
    from genai_prices import Usage, calc_price

    at = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    usd, provenance = price_per_request("openai", "gpt-4o", 1500, 400, at=at)
    expected = calc_price(
        Usage(input_tokens=1500, output_tokens=400),
        model_ref="gpt-4o",
        provider_id="openai",
        genai_request_timestamp=at,
    )
    assert usd == float(expected.total_price)
    assert usd == pytest.approx(1500 * 2.5e-6 + 400 * 10e-6)  # list price, by hand
    assert provenance == {
        "source": "genai-prices",
        "genai_prices_version": "0.2.3",
        "looked_up_at": "2026-01-15T12:00:00Z",
        "provider": "openai",
        "model": "gpt-4o",
        "input_usd_per_mtok": 2.5,
        "output_usd_per_mtok": 10.0,
    }


def test_price_tiers_follow_the_input_size() -> None:
    small = price_per_request("google", "gemini-2.5-pro", 1000, 100)[1]
    large = price_per_request("google", "gemini-2.5-pro", 300_000, 100)[1]
    assert small["input_usd_per_mtok"] < large["input_usd_per_mtok"]


def test_price_unknown_model_or_provider_suggests_close_matches() -> None:
    assert problems_of(price_per_request, "openai", "gpt-4oo", 1, 1) == [
        (
            "price.model",
            "no model 'gpt-4oo' at provider openai in genai-prices 0.2.3"
            " (did you mean 'gpt-4o', 'gpt-4' or 'ft:gpt-4o'?)",
        )
    ]
    assert problems_of(price_per_request, "opnai", "gpt-4o", 1, 1) == [
        (
            "price.provider",
            "unknown provider 'opnai' in genai-prices 0.2.3 (did you mean 'openai'?)",
        )
    ]
    assert problems_of(price_per_request, "openai", "gpt-4o", -1, 1) == [
        ("workload", "input_tokens must be a finite number >= 0")
    ]


def test_price_uses_bundled_data_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from genai_prices import data_snapshot

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr("httpx2.get", no_network)  # what genai_prices.update_prices calls
    # Even a snapshot installed by UpdatePrices (here: one that knows no provider) is ignored.
    empty = data_snapshot.DataSnapshot(providers=[], from_auto_update=True)
    monkeypatch.setattr(data_snapshot, "_custom_snapshot", empty)
    assert price_per_request("openai", "gpt-4o", 1_000_000, 0)[0] == pytest.approx(2.5)


def test_importing_sources_loads_no_heavy_dependency() -> None:
    heavy = "('pandas', 'pyarrow', 'pint', 'genai_prices')"
    code = (
        "import sys, tradeoff.sources.readers; "
        f"print(sorted(m for m in {heavy} if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"


def test_price_accepts_a_model_id_its_own_match_rule_does_not_match() -> None:
    # genai-prices 0.2.3 lists fireworks' "llama-v3p1-8b-instruct" but matches it only as
    # "accounts/fireworks/models/llama-v3p1-8b-instruct"; both spellings give the same price.
    short, prov = price_per_request("fireworks", "llama-v3p1-8b-instruct", 1500, 400)
    long, _ = price_per_request(
        "fireworks", "accounts/fireworks/models/llama-v3p1-8b-instruct", 1500, 400
    )
    assert short == long > 0
    assert prov["model"] == "llama-v3p1-8b-instruct"


def test_lm_eval_bare_field_finds_none_then_the_only_filter(tmp_path: Path) -> None:
    results = {
        "results": {
            "gsm8k": {
                "exact_match,strict-match": 0.75,
                "exact_match_stderr,strict-match": 0.01,
                "exact_match,flexible-extract": 0.77,
                "exact_match_stderr,flexible-extract": 0.01,
            },
            "arc_challenge": {"acc_norm,none": 0.6, "acc_norm_stderr,none": 0.01},
            "mmlu_pro": {"exact_match,custom-extract": 0.4},
        }
    }
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results))
    fields = {"a": ("arc_challenge", "acc_norm"), "m": ("mmlu_pro", "exact_match")}
    got = read_lm_eval(path, fields)
    assert (got["a"][0], got["m"][0]) == (0.6, 0.4)
    assert got["m"][2]["field"] == "exact_match,custom-extract"
    assert problems_of(read_lm_eval, path, {"g": ("gsm8k", "exact_match")}) == [
        (
            "results.json task 'gsm8k'",
            "'exact_match' has several filters: 'exact_match,strict-match', "
            "'exact_match,flexible-extract'; name one",
        )
    ]
