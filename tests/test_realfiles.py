# ruff: noqa: E501  (goals files written as users write them: long YAML lines)
"""Real files in, as they are (issue 14): several files per candidate, patterns, any JSON, tables
with their own headers and units. Every case has a broken twin that exits 2 naming the file and
the place.

Fixtures (tests/data/realfiles/), each in its tool's published format:
- lm_eval/**/results_<date>.json: lm-evaluation-harness 0.4 results, one task per file, as
  `lm_eval/loggers/evaluation_tracker.py` (`save_results_aggregated`) writes them, with the keys
  of `lm_eval/evaluator.py`'s `simple_evaluate` (results, group_subtasks, configs, versions,
  n-shot, higher_is_better, n-samples, config, date as a unix time, ...). See
  /work/research/lmeval.md section 1.
- vllm/{a100,h100}/serving_*_qps_*.json: vLLM `benchmarks/benchmark_serving.py --save-result`
  (`vllm bench serve`) results, one run each (date, backend, model_id, ..., request_throughput,
  mean/median/std/p99 of ttft/tpot/itl in ms). See /work/research/serving.md.
- vllm/benchmark_results.json: a JSON array of objects headed as vLLM's
  `.buildkite/nightly-benchmarks/scripts/convert-results-json-to-markdown.py` (its
  `serving_column_mapping`: "Test name", "GPU", "Tput (req/s)", "Mean TTFT (ms)", ...).
- sweep/runs.json: a list of runs, each with a list of per-model results (a sweep harness's log;
  no tool's own format, the shape the issue names).
- shared/latency.csv: a spreadsheet export with unit headers ("Latency (s)", "Memory [GB]") and
  US dates, six models for two candidates.
- ../optimum_benchmark/benchmark.json: optimum-benchmark 0.5 `benchmark.json` ({config, report};
  see test_sources.py for its source).
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tradeoff
from conftest import ROOT, runner
from tradeoff.cli.app import app

DATA = ROOT / "tests" / "data"
REAL = DATA / "realfiles"


def _setup(tmp_path: Path, goals: str) -> Path:
    shutil.copytree(REAL, tmp_path, dirs_exist_ok=True)
    shutil.copytree(DATA / "optimum_benchmark", tmp_path / "optimum_benchmark")
    path = tmp_path / "goals.yaml"
    path.write_text(textwrap.dedent(goals), encoding="utf-8")
    return path


def _fail(path: Path, *args: str) -> list[str]:
    result = runner.invoke(app, ["validate", str(path), *args])
    assert result.exit_code == 2, result.stdout
    assert result.stdout == "" and "Traceback" not in result.stderr
    return [line.replace(str(path.parent) + "/", "") for line in result.stderr.splitlines()]


def _json(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((REAL / name).read_text(encoding="utf-8"))
    return loaded


INSTRUCT = "lm_eval/llama-3-8b-instruct"
ARC = f"{INSTRUCT}/arc_challenge/results_2024-09-02T10-15-00.123456.json"
HELLASWAG = f"{INSTRUCT}/hellaswag/results_2024-09-02T11-40-00.654321.json"
RERUN = f"{INSTRUCT}/arc_challenge_rerun/results_2024-10-01T08-00-00.000001.json"

PER_TASK = """\
version: 1
metrics:
  arc:       {direction: max, unit: "%", source: {lm_eval: {task: arc_challenge, field: "acc_norm,none"}}}
  hellaswag: {direction: max, unit: "%", source: {lm_eval: {task: hellaswag, field: "acc_norm,none"}}}
  cost:      {direction: min, unit: USD/request}
candidates:
  - name: llama-3-8b-instruct
    from: ["lm_eval/llama-3-8b-instruct/arc_challenge/*.json", "lm_eval/llama-3-8b-instruct/hellaswag/*.json"]
    metrics: {cost: 0.0003}
  - name: api-model
    metrics: {arc: 90, hellaswag: 95, cost: 0.01}
"""


def test_lm_eval_per_task_files_make_one_candidate(tmp_path: Path) -> None:
    data = tradeoff.load(_setup(tmp_path, PER_TASK)).data
    arc = _json(ARC)["results"]["arc_challenge"]  # type: ignore[index]
    hella = _json(HELLASWAG)["results"]["hellaswag"]  # type: ignore[index]
    np.testing.assert_allclose(
        data.values[0], [100 * arc["acc_norm,none"], 100 * hella["acc_norm,none"], 0.0003]
    )
    np.testing.assert_allclose(
        data.stderr[0, :2], [100 * arc["acc_norm_stderr,none"], 100 * hella["acc_norm_stderr,none"]]
    )
    assert data.provenance_of(0, 0)["source"] == ARC
    assert data.provenance_of(0, 1)["source"] == HELLASWAG
    # Each value is located at the `from:` item its file came from.
    assert [int(data.lines[0, j]) for j in range(2)] == [8, 8]
    assert [int(data.cols[0, j]) for j in range(2)] == [12, 64]


def test_lm_eval_per_task_task_missing_everywhere_names_files_and_close_matches(
    tmp_path: Path,
) -> None:
    goals = PER_TASK.replace("task: hellaswag", "task: hellaswg")
    assert _fail(_setup(tmp_path, goals)) == [
        f"goals.yaml:8:12: candidates[0].from[0]: hellaswag: no task 'hellaswg' in the results in "
        f"'{ARC}' and '{HELLASWAG}' (did you mean 'hellaswag'?); if this candidate has no such "
        "result, write `hellaswag: null` under metrics"
    ]


def test_lm_eval_per_task_broken_file_names_file_and_place(tmp_path: Path) -> None:
    path = _setup(tmp_path, PER_TASK)
    broken = json.loads((tmp_path / HELLASWAG).read_text())
    broken["results"]["hellaswag"]["acc_norm,none"] = "n/a"
    (tmp_path / HELLASWAG).write_text(json.dumps(broken))
    assert _fail(path) == [
        f"goals.yaml:8:64: candidates[0].from[1]: {HELLASWAG} task 'hellaswag', field "
        "'acc_norm,none': expected a finite number, got 'n/a'"
    ]


LM_EVAL_AND_REPORT = """\
version: 1
metrics:
  arc:     {direction: max, unit: "%", source: {lm_eval: {task: arc_challenge, field: "acc_norm,none"}}}
  latency: {direction: min, unit: ms, source: {optimum_benchmark: {target: decode, field: latency.p95}}}
  memory:  {direction: min, unit: GB, source: {optimum_benchmark: {target: decode, field: memory.max_process_vram}}}
candidates:
  - name: llama-3-8b-instruct
    from: [lm_eval/llama-3-8b-instruct/arc_challenge/*.json, optimum_benchmark/benchmark.json]
  - name: other
    metrics: {arc: 50, latency: 100, memory: 8}
"""


def test_lm_eval_and_an_optimum_benchmark_report_for_one_candidate(tmp_path: Path) -> None:
    data = tradeoff.load(_setup(tmp_path, LM_EVAL_AND_REPORT)).data
    report = json.loads((DATA / "optimum_benchmark" / "benchmark.json").read_text())["report"]
    decode = report["decode"]
    arc = _json(ARC)["results"]["arc_challenge"]  # type: ignore[index]
    assert decode["latency"]["unit"] == "s" and decode["memory"]["unit"] == "MB"
    np.testing.assert_allclose(
        data.values[0],
        [
            100 * arc["acc_norm,none"],
            1000 * decode["latency"]["p95"],
            decode["memory"]["max_process_vram"] / 1000,
        ],
    )
    assert data.provenance_of(0, 1)["source"] == "optimum_benchmark/benchmark.json"


def test_lm_eval_and_report_broken_report_names_file_and_place(tmp_path: Path) -> None:
    goals = LM_EVAL_AND_REPORT.replace("latency.p95", "latency.p959")
    assert _fail(_setup(tmp_path, goals)) == [
        "goals.yaml:8:62: candidates[0].from[1]: latency: no field 'p959' in 'decode.latency' in "
        "'optimum_benchmark/benchmark.json' (did you mean 'p99' or 'p95'?); if this "
        "candidate has no such result, write `latency: null` under metrics"
    ]


TWO_RUNS = """\
version: 1
metrics:
  arc:  {direction: max, unit: "%", source: {lm_eval: {task: arc_challenge, field: "acc_norm,none"}}}
  cost: {direction: min}
candidates:
  - name: llama-3-8b-instruct
    from: "lm_eval/llama-3-8b-instruct/**/results_*.json"
    metrics: {cost: 1}
  - name: other
    metrics: {arc: 50, cost: 2}
"""


def test_a_glob_over_two_runs_of_one_task_is_an_error_naming_both(tmp_path: Path) -> None:
    assert _fail(_setup(tmp_path, TWO_RUNS)) == [
        f"goals.yaml:7:11: candidates[0].from: arc is in '{ARC}' and '{RERUN}'; keep one file, "
        "or add `newest: true` to take the one with the latest recorded date"
    ]


def test_newest_takes_the_latest_recorded_date(tmp_path: Path) -> None:
    goals = TWO_RUNS.replace("    metrics: {cost: 1}", "    newest: true\n    metrics: {cost: 1}")
    data = tradeoff.load(_setup(tmp_path, goals)).data
    rerun = _json(RERUN)
    assert rerun["date"] > _json(ARC)["date"]  # type: ignore[operator]
    assert data.values[0, 0] == pytest.approx(
        100 * rerun["results"]["arc_challenge"]["acc_norm,none"]
    )  # type: ignore[index]
    prov = data.provenance_of(0, 0)
    assert prov["source"] == RERUN and prov["newest_of"] == [ARC, RERUN]


def test_newest_needs_a_recorded_date_in_every_file(tmp_path: Path) -> None:
    goals = TWO_RUNS.replace("    metrics: {cost: 1}", "    newest: true\n    metrics: {cost: 1}")
    path = _setup(tmp_path, goals)
    undated = json.loads((tmp_path / RERUN).read_text())
    del undated["date"]
    rerun = RERUN.replace("results_2024-10-01T08-00-00.000001", "results_undated")
    (tmp_path / rerun).write_text(json.dumps(undated))
    (tmp_path / RERUN).unlink()
    assert _fail(path) == [
        f"goals.yaml:7:11: candidates[0].from: arc: `newest: true` needs a recorded date, and "
        f"'{rerun}' has none"
    ]


EACH = """\
version: 1
metrics:
  ttft_p99:   {direction: min, unit: ms, source: {json: p99_ttft_ms}}   # a plain number: the metric's unit
  throughput: {direction: max, unit: requests/s, source: {json: request_throughput}}
  gpu_price:  {direction: min, unit: USD/hour}
candidates:
  - each: "vllm/*/serving_llama8B_tp1_sharegpt_qps_*.json"
    name: "llama-8b@{1}-qps{2}"
    tags: [vllm]
    metrics: {gpu_price: 2.5}
"""


def test_each_makes_one_candidate_per_file(tmp_path: Path) -> None:
    data = tradeoff.load(_setup(tmp_path, EACH)).data
    assert data.names == [
        "llama-8b@a100-qps1",
        "llama-8b@a100-qps4",
        "llama-8b@h100-qps1",
        "llama-8b@h100-qps4",
    ]
    files = sorted((REAL / "vllm").glob("*/serving_*.json"))
    runs = [json.loads(f.read_text()) for f in files]
    np.testing.assert_allclose(data.values[:, 0], [r["p99_ttft_ms"] for r in runs])
    np.testing.assert_allclose(data.values[:, 1], [r["request_throughput"] for r in runs])
    np.testing.assert_allclose(data.values[:, 2], [2.5] * 4)  # the entry's metrics: every row
    assert all(t == {"vllm"} for t in data.tags)
    assert data.provenance_of(2, 0)["source"] == "vllm/h100/serving_llama8B_tp1_sharegpt_qps_1.json"


def test_each_broken_variants_name_the_file(tmp_path: Path) -> None:
    clash = EACH.replace('name: "llama-8b@{1}-qps{2}"', 'name: "llama-8b-qps{2}"')
    assert _fail(_setup(tmp_path / "a", clash)) == [
        "goals.yaml:8:11: candidates[0].name: 'vllm/a100/serving_llama8B_tp1_sharegpt_qps_1.json' "
        "and 'vllm/h100/serving_llama8B_tp1_sharegpt_qps_1.json' both give the name 'llama-8b-qps1'",
        "goals.yaml:8:11: candidates[0].name: 'vllm/a100/serving_llama8B_tp1_sharegpt_qps_4.json' "
        "and 'vllm/h100/serving_llama8B_tp1_sharegpt_qps_4.json' both give the name 'llama-8b-qps4'",
    ]
    path = _setup(tmp_path / "b", EACH)
    broken = tmp_path / "b/vllm/h100/serving_llama8B_tp1_sharegpt_qps_4.json"
    run = json.loads(broken.read_text())
    run["p99_ttft_ms"] = "fast"
    broken.write_text(json.dumps(run))
    assert _fail(path) == [
        "goals.yaml:7:11: candidates[0].each: vllm/h100/serving_llama8B_tp1_sharegpt_qps_4.json at "
        "'p99_ttft_ms': expected a finite number, got 'fast'"
    ]
    given_twice = EACH.replace("{gpu_price: 2.5}", "{gpu_price: 2.5, throughput: 3}")
    lines = _fail(_setup(tmp_path / "c", given_twice))
    assert lines[0] == (
        "goals.yaml:10:31: candidates[0].metrics.throughput: 'throughput' is given here and also "
        "comes from 'vllm/a100/serving_llama8B_tp1_sharegpt_qps_1.json'; keep one"
    )


ROWS = """\
version: 1
metrics:
  ttft_p99:   {direction: min, unit: s}
  ttft_mean:  {direction: min, unit: ms}
  throughput: {direction: max, unit: req/s}
candidates:
  - from: vllm/benchmark_results.json
    rows: "[*]"
    columns: {name: "Test name", ttft_p99: "P99 TTFT (ms)", ttft_mean: "Mean TTFT (ms)", throughput: "Tput (req/s)"}
    tag_columns: [GPU]
"""


def test_json_rows_with_units_in_headers_are_converted(tmp_path: Path) -> None:
    data = tradeoff.load(_setup(tmp_path, ROWS)).data
    rows = json.loads((REAL / "vllm/benchmark_results.json").read_text())
    assert data.names == [r["Test name"] for r in rows]
    # P99 TTFT (ms) feeds a metric in s: 1232 ms is 1.232 s, not 1,232 s.
    np.testing.assert_allclose(data.values[:, 0], [r["P99 TTFT (ms)"] / 1000 for r in rows])
    assert data.values[1, 0] == pytest.approx(1.232)
    # A header unit written exactly as the metric's (ms, req/s) is taken as is.
    np.testing.assert_allclose(data.values[:, 1], [r["Mean TTFT (ms)"] for r in rows])
    np.testing.assert_allclose(data.values[:, 2], [r["Tput (req/s)"] for r in rows])
    assert all(t == {"A100"} for t in data.tags)
    prov = data.provenance_of(1, 0)
    assert prov == {
        "source": "vllm/benchmark_results.json",
        "header_units": {"ttft_p99": "ms", "ttft_mean": "ms", "throughput": "req/s"},
        "row": 2,
    }


def test_a_header_unit_that_cannot_convert_is_an_error_naming_the_header(tmp_path: Path) -> None:
    goals = ROWS.replace(
        "ttft_p99:   {direction: min, unit: s}", "ttft_p99:   {direction: min, unit: GB}"
    )
    assert _fail(_setup(tmp_path, goals)) == [
        "goals.yaml:7:11: candidates[0].from: vllm/benchmark_results.json column 'P99 TTFT (ms)': "
        "unit 'ms' for ttft_p99: cannot convert 'ms' to the metric's unit 'GB' (give the column as "
        "{column, unit} to say its unit)"
    ]
    goals = ROWS.replace('ttft_mean: "Mean TTFT (ms)"', 'ttft_mean: "Successful req."')
    path = _setup(tmp_path / "b", goals)
    rows = json.loads((tmp_path / "b/vllm/benchmark_results.json").read_text())
    rows[2]["Successful req."] = [100]
    (tmp_path / "b/vllm/benchmark_results.json").write_text(json.dumps(rows))
    assert _fail(path) == [
        "goals.yaml:7:11: candidates[0].from: vllm/benchmark_results.json row 3, column Successful "
        "req.: expected a number, got a list"
    ]


NESTED = """\
version: 1
metrics:
  latency:  {direction: min, unit: s}
  accuracy: {direction: max, range: [0, 1]}
candidates:
  - from: sweep/runs.json
    rows: "[].results[]"
    columns: {name: model, latency: {column: latency_p50_ms, unit: ms}}
    combine: median
"""


def test_nested_json_rows_combined_by_median(tmp_path: Path) -> None:
    study = tradeoff.load(_setup(tmp_path, NESTED))
    data = study.data
    runs = json.loads((REAL / "sweep/runs.json").read_text())
    per_model: dict[str, list[tuple[float, float]]] = {}
    for run in runs:
        for r in run["results"]:
            per_model.setdefault(r["model"], []).append((r["latency_p50_ms"], r["accuracy"]))
    assert data.names == list(per_model)
    for i, samples in enumerate(per_model.values()):
        lat = np.array([s[0] for s in samples]) / 1000
        acc = np.array([s[1] for s in samples])
        assert data.values[i, 0] == pytest.approx(float(np.median(lat)))
        assert data.values[i, 1] == pytest.approx(float(np.median(acc)))
        # median's stderr: 1.2533 * s / sqrt(n), s with ddof 1
        se = 1.2533 * float(np.std(lat, ddof=1)) / np.sqrt(len(lat))
        assert data.stderr[i, 0] == pytest.approx(se, rel=1e-4)
    prov = data.provenance_of(0, 0)
    assert prov["combined"] == {"how": "median", "rows": 3}
    out = runner.invoke(app, ["explain", "llama-8b", str(tmp_path / "goals.yaml")])
    assert out.exit_code == 0, out.stderr
    assert "median of 3 rows" in out.stdout


def test_nested_json_broken_variants(tmp_path: Path) -> None:
    without = NESTED.replace("    combine: median\n", "")
    lines = _fail(_setup(tmp_path, without))
    assert lines[0] == (
        "goals.yaml:6:11: candidates[0].from: sweep/runs.json row 1, column model: duplicate name "
        "'llama-8b' (also row 4)"
    )
    wrong = NESTED.replace('"[].results[]"', '"[].result[]"')
    assert _fail(_setup(tmp_path / "b", wrong)) == [
        "goals.yaml:6:11: candidates[0].from: sweep/runs.json: no 'model' column"
    ]
    scalar = NESTED.replace('"[].results[]"', '"[0].run"')
    assert _fail(_setup(tmp_path / "c", scalar)) == [
        "goals.yaml:6:11: candidates[0].from: sweep/runs.json rows '[0].run': expected a list of "
        "objects, got int"
    ]


JOIN = """\
version: 1
metrics:
  latency: {direction: min, unit: ms}
  memory:  {direction: min, unit: GB}
  cost:    {direction: min}
candidates:
  - name: llama-3-8b-instruct
    metrics: {cost: 3}
  - name: mistral-7b
    metrics: {cost: 2}
  - from: shared/latency.csv
    join: name
    columns: {name: Model, date: Measured on}
"""


def test_a_join_table_with_more_rows_than_candidates(tmp_path: Path) -> None:
    path = _setup(tmp_path, JOIN)
    data = tradeoff.load(path).data
    assert data.names == ["llama-3-8b-instruct", "mistral-7b"]
    np.testing.assert_allclose(data.values[:, :2], [[840, 16.1], [710, 14.5]])
    assert data.provenance_of(1, 0) == {
        "source": "shared/latency.csv",
        "header_units": {"latency": "s", "memory": "GB"},
        "row": 3,
        "date": "2024-08-20",
    }
    ok = runner.invoke(app, ["validate", str(path)])
    assert ok.exit_code == 0
    assert ok.stdout.endswith(
        "valid: 3 metrics, 2 candidates, 0 budgets, no profiles (equal weights), "
        "4 joined rows naming no candidate ignored\n"
    )
    old = runner.invoke(app, ["validate", str(path), "--max-age", "30d"])
    warned = [line for line in old.stderr.splitlines() if line.startswith("warning:")]
    # one line per file and date, not one per metric per candidate
    assert [w.split(": ", 2)[2] for w in warned] == [
        "shared/latency.csv: 2 values dated 2024-09-02, "
        + warned[0].split("dated 2024-09-02, ")[1],
        "shared/latency.csv: 2 values dated 2024-08-20, "
        + warned[1].split("dated 2024-08-20, ")[1],
    ]


def test_join_unmatched_error_lists_rows_in_order(tmp_path: Path) -> None:
    goals = JOIN.replace("    join: name\n", "    join: name\n    unmatched: error\n")
    assert _fail(_setup(tmp_path, goals)) == [
        f"goals.yaml:11:11: candidates[2].from: shared/latency.csv row {r}: no candidate named "
        f"'{name}' to join{hint}"
        for r, name, hint in [
            (2, "llama-3-8b", " (did you mean 'llama-3-8b-instruct'?)"),
            (4, "qwen-7b", ""),
            (5, "phi-3-mini", ""),
            (6, "gemma-2-9b", ""),
        ]
    ]
    bad_date = _setup(tmp_path / "b", JOIN)
    csv = (tmp_path / "b/shared/latency.csv").read_text().replace("08/20/2024", "20/08/2024")
    (tmp_path / "b/shared/latency.csv").write_text(csv)
    assert _fail(bad_date) == [
        "goals.yaml:11:11: candidates[2].from: shared/latency.csv row 3, column Measured on: "
        "expected a date (YYYY-MM-DD or MM/DD/YYYY), got '20/08/2024'"
    ]


def test_the_real_files_example_reads_the_files_as_published() -> None:
    folder = ROOT / "examples" / "real-files"
    data = tradeoff.load(folder / "goals.yaml").data
    arc = json.loads((folder / "lm_eval/Meta-Llama-3-8B-Instruct/arc.json").read_text())
    hella = json.loads((folder / "lm_eval/Meta-Llama-3-8B-Instruct/hellaswag.json").read_text())
    for i, gpu in enumerate(["1xA100-80GB-SXM", "1xH100-80GB-SXM"]):
        run = json.loads(
            (folder / f"vllm/{gpu}/Meta-Llama-3-8B-Instruct_tp1_len2048.json").read_text()
        )
        np.testing.assert_allclose(
            data.values[i, :5],
            [
                100 * arc["results"]["arc_challenge"]["acc_norm,none"],
                100 * hella["results"]["hellaswag"]["acc_norm,none"],
                run["p99_ttft_ms"],
                run["median_tpot_ms"],
                run["output_throughput"],
            ],
        )
    assert data.names == ["a100", "h100"]


# --- patterns, templates, joins and runs ------------------------------------------------------


def test_a_pattern_matching_nothing_or_leading_out_is_an_error(tmp_path: Path) -> None:
    goals = PER_TASK.replace("lm_eval/llama-3-8b-instruct/hellaswag/*.json", "nowhere/**/*.json")
    lines = _fail(_setup(tmp_path / "a", goals))
    assert lines == [
        "goals.yaml:8:64: candidates[0].from[1]: pattern 'nowhere/**/*.json': matches no file"
    ]
    inner = tmp_path / "b"
    path = _setup(inner, PER_TASK)
    outside = tmp_path / "secret"
    outside.mkdir()
    shutil.copy(inner / HELLASWAG, outside / "results_x.json")
    (inner / "lm_eval/llama-3-8b-instruct/hellaswag/escape").symlink_to(outside)
    goals = PER_TASK.replace("hellaswag/*.json", "hellaswag/**/*.json")
    path.write_text(textwrap.dedent(goals), encoding="utf-8")
    lines = _fail(path)
    assert len(lines) == 1 and "through a symlink" in lines[0]
    # `**` refuses the linked folder itself, before listing anything behind it
    assert "'lm_eval/llama-3-8b-instruct/hellaswag/escape': the path leads outside" in lines[0]


def test_each_over_tables_is_one_message_not_one_per_file(tmp_path: Path) -> None:
    # 300 CSV files under `each:` gave 300 lines of the same advice
    for k in range(30):
        (tmp_path / "runs" / f"r{k:02}").mkdir(parents=True)
        (tmp_path / "runs" / f"r{k:02}" / "t.csv").write_text(f"name,q\nm{k},1\n")
    path = tmp_path / "goals.yaml"
    path.write_text(
        "version: 1\nmetrics: {q: {direction: max}}\ncandidates:\n"
        "  - {each: 'runs/*/t.csv', name: '{1}'}\n"
    )
    assert _fail(path) == [
        "goals.yaml:4:12: candidates[0].each: 'runs/r00/t.csv' and 29 more are tables;"
        " a table entry takes them as `from:`"
    ]
    path.write_text(path.read_text().replace("runs/*/t.csv", "runs/r07/t.csv"))
    assert _fail(path) == [
        "goals.yaml:4:12: candidates[0].each: 'runs/r07/t.csv' is a table; a table entry takes"
        " it as `from:`"
    ]


def test_each_names_from_stem_and_parent_and_joins_other_candidates(tmp_path: Path) -> None:
    goals = """\
    version: 1
    metrics:
      arc:  {direction: max, unit: "%", source: {lm_eval: {task: arc_challenge, field: acc_norm}}}
      cost: {direction: min}
    candidates:
      - {name: llama-3-8b-instruct, metrics: {cost: 3}}
      - {name: llama-3-8b, metrics: {cost: 1}}
      - {name: other, metrics: {cost: 2, arc: 40}}
      - each: "lm_eval/*/arc_challenge/results_*.json"
        name: "{parent}"
        join: name
        tags: [lm-eval]
    """
    path = _setup(tmp_path, goals)
    # {parent} is the folder holding each file: arc_challenge for both, so they clash.
    assert _fail(path) == [
        "goals.yaml:10:11: candidates[3].name: 'lm_eval/llama-3-8b-instruct/arc_challenge/"
        "results_2024-09-02T10-15-00.123456.json' and 'lm_eval/llama-3-8b/arc_challenge/"
        "results_2024-09-03T09-00-00.000000.json' both give the name 'arc_challenge'"
    ]
    # {stem}: the file name without its extension, one name per file; joined, they name no
    # candidate, and validate counts them.
    path.write_text(textwrap.dedent(goals.replace('name: "{parent}"', 'name: "{stem}"')))
    ok = runner.invoke(app, ["validate", str(path)])
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout.endswith(", 2 joined rows naming no candidate ignored\n")
    # {1}: what the first * matched, the model's folder: each file joins its candidate.
    path.write_text(textwrap.dedent(goals.replace('name: "{parent}"', 'name: "{1}"')))
    data = tradeoff.load(path).data
    base = json.loads(
        (
            REAL / "lm_eval/llama-3-8b/arc_challenge/results_2024-09-03T09-00-00.000000.json"
        ).read_text()
    )
    assert data.names == ["llama-3-8b-instruct", "llama-3-8b", "other"]
    assert data.values[1, 0] == pytest.approx(
        100 * base["results"]["arc_challenge"]["acc_norm,none"]
    )
    assert [sorted(t) for t in data.tags] == [["lm-eval"], ["lm-eval"], []]
    unknown = goals.replace('name: "{parent}"', 'name: "{model}"')
    path.write_text(textwrap.dedent(unknown))
    assert _fail(path) == [
        "goals.yaml:10:11: candidates[3].name: the template has {model}, which "
        "'lm_eval/llama-3-8b-instruct/arc_challenge/results_2024-09-02T10-15-00.123456.json' does "
        "not fill (it offers {1}, {2}, {stem}, {parent})"
    ]


def test_a_glob_of_tables_is_read_as_one(tmp_path: Path) -> None:
    (tmp_path / "sweeps").mkdir()
    (tmp_path / "sweeps/a100.csv").write_text("name,latency (ms),GPU\nm-a100,120,A100\n")
    (tmp_path / "sweeps/h100.csv").write_text("name,latency (ms),GPU\nm-h100,60,H100\n")
    goals = """\
    version: 1
    metrics:
      latency: {direction: min, unit: s}
      cost: {direction: min}
    candidates:
      - from: "sweeps/*.csv"
        tag_columns: [GPU]
        metrics: {cost: 1}
      - {name: api, metrics: {latency: 0.5, cost: 2}}
    """
    path = tmp_path / "goals.yaml"
    path.write_text(textwrap.dedent(goals))
    data = tradeoff.load(path).data
    assert data.names == ["m-a100", "m-h100", "api"]
    np.testing.assert_allclose(data.values[:, 0], [0.12, 0.06, 0.5])
    np.testing.assert_allclose(data.values[:, 1], [1, 1, 2])
    assert [sorted(t) for t in data.tags] == [["A100"], ["H100"], []]
    assert data.provenance_of(1, 0)["source"] == "sweeps/h100.csv"
    (tmp_path / "sweeps/h100.csv").write_text("name,latency (ms),GPU,cost\nm-a100,60,H100,3\n")
    lines = _fail(path)
    assert lines == [
        "goals.yaml:6:11: candidates[0].from: sweeps/h100.csv row 1: duplicate name 'm-a100' "
        "(also sweeps/a100.csv row 1); add `combine:` to combine such rows",
    ]
    (tmp_path / "sweeps/h100.csv").write_text("name,latency (ms),GPU,cost\nm-h100,60,H100,3\n")
    assert _fail(path) == [
        "goals.yaml:6:11: candidates[0].from: sweeps/h100.csv row 1: cost is in the file and "
        "under `metrics:` (line 8); keep one"
    ]


def test_a_file_of_several_runs_needs_run_or_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tradeoff.sources import readers
    from tradeoff.sources.kinds import FileKind, Found, NotHere

    # A stand-in for a serving reader (the real one registers itself the same way): the file
    # holds one run per line, as `vllm bench serve --append-result` writes them.
    def runs(f: object) -> list[dict[str, object]]:
        return [{"run": k, "rate": r["request_rate"]} for k, r in enumerate(f.data())]  # type: ignore[attr-defined]

    def lookup(f: object, request: object) -> Found | NotHere:
        run = f.data()[f.run or 0]  # type: ignore[attr-defined]
        return Found(float(run[request.spec]), None, {"source": f.display, "run": f.run})  # type: ignore[attr-defined]

    monkeypatch.setitem(readers.KINDS, "serving_runs", FileKind(runs=runs))
    monkeypatch.setitem(readers.READERS, "json", readers.SourceReader(None, lookup))
    lines = [
        json.dumps({"request_throughput": r, "duration": 10, "request_rate": q})
        for r, q in [(0.9, 1), (3.5, 4), (7.0, "inf")]
    ]
    (tmp_path / "runs.jsonl").write_text("\n".join(lines) + "\n")
    goals = """\
    version: 1
    metrics:
      throughput: {direction: max, source: {json: request_throughput}}
    candidates:
      - name: one
        from: runs.jsonl
      - name: other
        metrics: {throughput: 1}
    """
    path = tmp_path / "goals.yaml"
    path.write_text(textwrap.dedent(goals))
    assert _fail(path) == [
        "goals.yaml:6:11: candidates[0].from: 'runs.jsonl' holds 3 runs (run 0 rate 1, run 1 "
        "rate 4, run 2 rate inf); choose one with `run: N`, or make one candidate per run with "
        "`each:`"
    ]
    path.write_text(
        textwrap.dedent(goals.replace("from: runs.jsonl", "from: runs.jsonl\n        run: 1"))
    )
    assert tradeoff.load(path).data.values[0, 0] == 3.5
    each = goals.replace(
        "      - name: one\n        from: runs.jsonl\n",
        '      - each: runs.jsonl\n        name: "q{rate}"\n',
    )
    path.write_text(textwrap.dedent(each))
    data = tradeoff.load(path).data
    assert data.names == ["q1", "q4", "qinf", "other"]
    np.testing.assert_allclose(data.values[:, 0], [0.9, 3.5, 7.0, 1])


def test_a_bad_jmespath_is_reported_once_where_it_is_written(tmp_path: Path) -> None:
    bad_source = EACH.replace("source: {json: p99_ttft_ms}", 'source: {json: "p99_ttft_ms[["}')
    assert _fail(_setup(tmp_path / "a", bad_source)) == [
        "goals.yaml:3:57: metrics.ttft_p99.source.json: not a JMESPath expression: Expecting: "
        "star, got: lbracket"
    ]
    bad_rows = NESTED.replace('"[].results[]"', '"[].results[?"')
    assert _fail(_setup(tmp_path / "b", bad_rows)) == [
        "goals.yaml:7:11: candidates[0].rows: not a JMESPath expression: Invalid jmespath "
        "expression"
    ]


def test_two_each_entries_may_share_a_template(tmp_path: Path) -> None:
    goals = EACH.replace(
        '  - each: "vllm/*/serving_llama8B_tp1_sharegpt_qps_*.json"\n    name: "llama-8b@{1}-qps{2}"',
        '  - each: "vllm/a100/*.json"\n    name: "a100-{stem}"\n'
        '  - each: "vllm/h100/*.json"\n    name: "{parent}-{stem}"',
    )
    data = tradeoff.load(_setup(tmp_path, goals)).data
    assert data.names == [
        "a100-serving_llama8B_tp1_sharegpt_qps_1",
        "a100-serving_llama8B_tp1_sharegpt_qps_4",
        "h100-serving_llama8B_tp1_sharegpt_qps_1",
        "h100-serving_llama8B_tp1_sharegpt_qps_4",
    ]
    same = goals.replace('name: "{parent}-{stem}"', 'name: "a100-{stem}"')
    assert _fail(_setup(tmp_path / "b", same))[0] == (
        "goals.yaml:9:11: candidates[1].each: vllm/h100/serving_llama8B_tp1_sharegpt_qps_1.json: "
        "duplicate candidate name 'a100-serving_llama8B_tp1_sharegpt_qps_1' (first in "
        "vllm/a100/serving_llama8B_tp1_sharegpt_qps_1.json)"
    )
