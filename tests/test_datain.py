"""Data in, end to end: goals files that pull candidates and values from other tools' files.

The fixtures in tests/data/ are real-format files (their provenance is in test_sources.py).
Each test copies them next to a goals file in tmp_path, because `from:` must stay inside the
goals file's folder.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from genai_prices import Usage, calc_price

import tradeoff
from conftest import ROOT, runner
from tradeoff.cli.app import app

DATA = ROOT / "tests" / "data"


def _setup(tmp_path: Path, goals: str) -> Path:
    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "goals.yaml"
    path.write_text(textwrap.dedent(goals), encoding="utf-8")
    return path


def _fail(path: Path, *args: str) -> list[str]:
    result = runner.invoke(app, ["validate", str(path), *args])
    assert result.exit_code == 2, result.stdout
    assert result.stdout == "" and "Traceback" not in result.stderr
    return [line.replace(str(path.parent) + "/", "") for line in result.stderr.splitlines()]


TABLE = """\
version: 1
metrics:
  quality:     {direction: max, unit: "%"}
  latency_p95: {direction: min, unit: ms}
  memory:      {direction: min, unit: GB}
budgets:
  memory: {max: 16, tags: [edge]}
candidates:
  - name: api-model
    metrics: {quality: 70, latency_p95: 900, memory: 0}
  - from: tables/sweep.csv
    tags: [edge]
"""


def test_csv_rows_become_candidates_with_the_entry_tags(tmp_path: Path) -> None:
    study = tradeoff.load(_setup(tmp_path, TABLE))
    data = study.data
    assert data.names == [
        "api-model",
        "llama-3.1-8b-bf16",
        "llama-3.1-8b-int8",
        "llama-3.1-8b-int4",
    ]
    assert [sorted(t) for t in data.tags] == [[], ["edge"], ["edge"], ["edge"]]
    np.testing.assert_array_equal(data.values[2], [56.10, 1702.5, np.nan])  # empty cell: missing
    # A value from a table is located at the `from:` entry (line 11, col 11).
    assert (int(data.lines[1, 0]), int(data.cols[1, 0])) == (11, 11)
    assert data.provenance_of(3, 0) == {"source": "tables/sweep.csv", "row": 3}
    out = runner.invoke(app, ["check", str(tmp_path / "goals.yaml"), "-f", "json"])
    found = json.loads(out.stdout)["violations"]
    # bf16 (17.7 GB) breaks the edge budget; int8 has no memory value; api-model is not tagged.
    assert [(v["candidate"], v["value"], v["line"]) for v in found] == [
        ("llama-3.1-8b-bf16", 17.7, 11),
        ("llama-3.1-8b-int8", None, 11),
    ]


@pytest.mark.parametrize("kind", ["parquet", "jsonl"])
def test_parquet_and_jsonl_tables(tmp_path: Path, kind: str) -> None:
    if kind == "parquet":
        frame = pd.DataFrame(
            {"name": ["a", "b"], "quality": [50.0, None], "latency_p95": [100.0, 200.0]}
        )
        frame.to_parquet(tmp_path / "t.parquet")
        source = "t.parquet"
    else:
        source = "tables/sweep.jsonl"
    goals = TABLE.replace("tables/sweep.csv", source)
    result = runner.invoke(
        app, ["rank", str(_setup(tmp_path, goals)), "-f", "json", "--missing", "exclude"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["candidates"]


def test_columns_map_metrics_to_other_column_names(tmp_path: Path) -> None:
    (tmp_path / "renamed.csv").write_text("name,acc,p95\nm1,50,100\nm2,60,200\n", encoding="utf-8")
    goals = TABLE.replace(
        "  - from: tables/sweep.csv\n    tags: [edge]",
        "  - from: renamed.csv\n    columns: {quality: acc, latency_p95: p95}",
    )
    data = tradeoff.load(_setup(tmp_path, goals)).data
    np.testing.assert_array_equal(data.values[1:, :2], [[50, 100], [60, 200]])


def test_broken_table_errors_name_file_row_and_column(tmp_path: Path) -> None:
    goals = TABLE.replace("tables/sweep.csv", "tables/broken.csv")
    lines = _fail(_setup(tmp_path, goals))
    assert lines
    assert all(
        line.startswith("goals.yaml:11:11: candidates[1].from: tables/broken.csv") for line in lines
    )
    assert any("row" in line and "column" in line for line in lines)


def test_names_must_be_unique_across_sources(tmp_path: Path) -> None:
    goals = TABLE.replace("name: api-model", "name: llama-3.1-8b-int4")
    lines = _fail(_setup(tmp_path, goals))
    assert lines == [
        "goals.yaml:11:11: candidates[1].from: tables/sweep.csv row 3: duplicate candidate name "
        "'llama-3.1-8b-int4' (first in candidates[0])"
    ]


def test_a_table_entry_brings_its_own_names(tmp_path: Path) -> None:
    goals = TABLE.replace(
        "  - from: tables/sweep.csv\n", "  - from: tables/sweep.csv\n    name: x\n"
    )
    lines = _fail(_setup(tmp_path, goals))
    assert lines == [
        "goals.yaml:12:5: candidates[1].name: 'name' does not go with a table `from:` (each row "
        "is a candidate)"
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("../outside.csv", "'../outside.csv'"),
        ("/etc/hostname", "'/etc/hostname'"),
        ("escape.csv", "'escape.csv'"),
    ],
)
def test_sources_must_stay_inside_the_goals_folder(
    tmp_path: Path, source: str, message: str
) -> None:
    inner = tmp_path / "project"
    inner.mkdir()
    outside = tmp_path / "outside.csv"
    outside.write_text("name,quality\nz,1\n", encoding="utf-8")
    (inner / "escape.csv").symlink_to(outside)
    path = _setup(inner, TABLE.replace("tables/sweep.csv", source))
    lines = _fail(path)
    assert len(lines) == 1 and message in lines[0] and "--allow-external-sources" in lines[0]
    if source != "/etc/hostname":
        ok = runner.invoke(app, ["validate", str(path), "--allow-external-sources"])
        assert ok.exit_code == 0, ok.stderr


LM_EVAL = """\
version: 1
metrics:
  quality: {direction: max, unit: "%", source: {lm_eval: {task: arc_challenge, field: "acc,none"}}}
  latency_p95: {direction: min, unit: ms}
candidates:
  - name: llama-3.1-8b
    from: lm_eval/results_2025-03-17T18-59-13.666325.json
    metrics: {latency_p95: 210}
  - name: llama-3.1-8b-rerun
    from: lm_eval/results_2025-04-03T02-14-13.550460.json
    metrics: {latency_p95: 200}
"""


def test_lm_eval_value_and_stderr_scaled_to_percent(tmp_path: Path) -> None:
    path = _setup(tmp_path, LM_EVAL)
    raw = json.loads((tmp_path / LM_EVAL.split("from: ")[1].split()[0]).read_text())
    task = raw["results"]["arc_challenge"]
    data = tradeoff.load(path).data
    assert data.values[0, 0] == pytest.approx(task["acc,none"] * 100)
    assert data.stderr[0, 0] == pytest.approx(task["acc_stderr,none"] * 100)
    # "N/A" in the rerun, but n-samples says 1172 items: the Wilson score stderr (SPEC "Sample
    # counts and honest noise"), computed here by hand from the rerun's own numbers
    rerun = data.provenance_of(1, 0)
    p, n = data.values[1, 0] / 100, rerun["n"]
    half = 1.96 / (1 + 1.96**2 / n) * np.sqrt(p * (1 - p) / n + 1.96**2 / (4 * n * n))
    assert data.stderr[1, 0] == pytest.approx(half / 1.96 * 100)
    assert rerun["stderr_from"] == f"Wilson score interval, n={n}"
    prov = data.provenance_of(0, 0)
    assert (prov["task"], prov["field"]) == ("arc_challenge", "acc,none")
    explain = runner.invoke(app, ["explain", "llama-3.1-8b", str(path), "-f", "json"])
    line = json.loads(explain.stdout)["metrics"][0]
    assert line["stderr"] == pytest.approx(task["acc_stderr,none"] * 100)
    assert line["provenance"]["task"] == "arc_challenge"


def test_lm_eval_unknown_task_is_located_at_the_from_entry(tmp_path: Path) -> None:
    path = _setup(tmp_path, LM_EVAL.replace("task: arc_challenge", "task: arc_chalenge"))
    lines = _fail(path)
    assert len(lines) == 2
    assert lines[0].startswith("goals.yaml:7:11: candidates[0].from: ")
    assert "arc_chalenge" in lines[0] and "arc_challenge" in lines[0]


def test_a_value_given_inline_and_from_a_file_is_an_error(tmp_path: Path) -> None:
    path = _setup(
        tmp_path,
        LM_EVAL.replace("metrics: {latency_p95: 210}", "metrics: {quality: 1, latency_p95: 210}"),
    )
    assert any("'quality' is given here and also comes from" in line for line in _fail(path))


def test_lm_eval_negative_stderr_is_refused_at_the_from_entry(tmp_path: Path) -> None:
    path = _setup(tmp_path, LM_EVAL)
    rerun = tmp_path / LM_EVAL.split("from: ")[2].split()[0]
    raw = json.loads(rerun.read_text())
    raw["results"]["arc_challenge"]["acc_stderr,none"] = -0.01
    rerun.write_text(json.dumps(raw))
    (line,) = (ln for ln in _fail(path) if "stderr" in ln)
    assert line.startswith("goals.yaml:10:11: candidates[1].from: ")
    assert "a standard error must be at least 0, got -0.01" in line
    result = runner.invoke(app, ["pareto", str(path), "--noise", "1"])
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_lm_eval_score_already_on_a_0_to_100_scale_is_not_scaled_again_to_percent(
    tmp_path: Path,
) -> None:
    # lm-eval's bleu, chrf and ter (lm_eval/api/metrics.py: sacrebleu's `.score`) and squadv2's
    # exact/f1 are written 0-100: x100 would show a BLEU of 27.4 as 2740 %
    path = _setup(tmp_path, LM_EVAL)
    rerun = tmp_path / LM_EVAL.split("from: ")[2].split()[0]
    raw = json.loads(rerun.read_text())
    raw["results"]["arc_challenge"]["acc,none"] = 27.4
    rerun.write_text(json.dumps(raw))
    (line,) = _fail(path)
    assert line.startswith("goals.yaml:10:11: candidates[1].from: ")
    assert "'acc,none' is 27.4, not a fraction" in line
    assert "unit '%' would multiply it by 100" in line


def test_a_task_missing_from_one_file_can_be_given_inline(tmp_path: Path) -> None:
    path = _setup(tmp_path, LM_EVAL)
    rerun = tmp_path / LM_EVAL.split("from: ")[2].split()[0]
    raw = json.loads(rerun.read_text())
    del raw["results"]["arc_challenge"]
    rerun.write_text(json.dumps(raw))
    (line,) = _fail(path)
    assert "no task 'arc_challenge'" in line and "write `quality: null` under metrics" in line
    for inline, want in (("quality: 55.5, ", 55.5), ("quality: null, ", None)):
        path.write_text(
            path.read_text().replace("{latency_p95: 200}", "{" + inline + "latency_p95: 200}")
        )
        data = tradeoff.load(path).data
        got = data.values[1, 0]
        assert np.isnan(got) if want is None else got == want, got
        assert np.isnan(data.stderr[1, 0])
        path.write_text(path.read_text().replace(inline, ""))


OPTIMUM = """\
version: 1
metrics:
  latency_p95:
    direction: min
    unit: ms
    source: {optimum_benchmark: {target: decode, field: latency.p95}}
  memory:
    direction: min
    unit: GB
    source: {optimum_benchmark: {target: decode, field: memory.max_global_vram}}
candidates:
  - name: llama-3.1-8b-bf16
    from: optimum_benchmark/benchmark.json
"""


def test_optimum_benchmark_units_are_converted(tmp_path: Path) -> None:
    path = _setup(tmp_path, OPTIMUM)
    report = json.loads((tmp_path / "optimum_benchmark/benchmark.json").read_text())["report"]
    decode = report["decode"]
    assert (decode["latency"]["unit"], decode["memory"]["unit"]) == ("s", "MB")
    data = tradeoff.load(path).data
    assert data.values[0, 0] == pytest.approx(decode["latency"]["p95"] * 1000)  # s -> ms
    assert data.values[0, 1] == pytest.approx(
        decode["memory"]["max_global_vram"] / 1000
    )  # MB -> GB


def test_optimum_benchmark_samples_per_second_reads_into_a_per_second_metric(
    tmp_path: Path,
) -> None:
    # optimum-benchmark writes prefill/forward/generate throughput in "samples/s" and "images/s"
    # (optimum_benchmark/scenarios/inference/scenario.py, *_THROUGHPUT_UNIT @ b263af46)
    goals = OPTIMUM.replace("unit: ms", "unit: sample/min").replace(
        "target: decode, field: latency.p95", "target: prefill, field: throughput.value"
    )
    path = _setup(tmp_path, goals)
    report = json.loads((tmp_path / "optimum_benchmark/benchmark.json").read_text())["report"]
    assert report["prefill"]["throughput"]["unit"] == "samples/s"
    data = tradeoff.load(path).data
    assert data.values[0, 0] == pytest.approx(report["prefill"]["throughput"]["value"] * 60)


def test_optimum_benchmark_unknown_field(tmp_path: Path) -> None:
    path = _setup(tmp_path, OPTIMUM.replace("latency.p95", "latency.p97"))
    lines = _fail(path)
    assert lines[0].startswith("goals.yaml:13:11: candidates[0].from: ") and "p97" in lines[0]


PRICES = """\
version: 1
metrics:
  quality: {direction: max, unit: "%"}
  cost:    {direction: min, unit: USD/1k requests, source: price}
workload: {input_tokens: 1500, output_tokens: 400}
candidates:
  - name: gpt-4o
    price: {provider: openai, model: gpt-4o}
    metrics: {quality: 72.6}
  - name: local
    metrics: {quality: 60, cost: 0.5}
"""


def test_price_is_the_cost_of_one_request_of_the_workload(tmp_path: Path) -> None:
    data = tradeoff.load(_setup(tmp_path, PRICES)).data
    expected = calc_price(
        Usage(input_tokens=1500, output_tokens=400), "gpt-4o", provider_id="openai"
    )
    assert data.values[0, 1] == pytest.approx(float(expected.total_price) * 1000)  # per 1k requests
    prov = data.provenance_of(0, 1)
    assert prov["genai_prices_version"] == "0.2.3" and "looked_up_at" in prov
    out = runner.invoke(app, ["rank", str(tmp_path / "goals.yaml"), "-f", "json"])
    assert json.loads(out.stdout)["prices"]["genai_prices_version"] == "0.2.3"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("model: gpt-4o}", "model: gpt-4oo}"), "gpt-4o"),
        (("provider: openai", "provider: opnai"), "openai"),
        (
            ("workload: {input_tokens: 1500, output_tokens: 400}\n", ""),
            "needs a top-level `workload",
        ),
        (
            ("unit: USD/1k requests, source: price", "unit: ms, source: price"),
            "cost-per-request unit",
        ),
        (("source: price}", "}"), "needs a metric marked `source: price`"),
    ],
)
def test_price_errors(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    lines = _fail(_setup(tmp_path, PRICES.replace(*change)))
    assert len(lines) == 1 and expected in lines[0], lines


UNITS = """\
version: 1
metrics:
  latency_p95: {direction: min, unit: ms}
  memory:      {direction: min, unit: GB}
budgets:
  latency_p95: {max: "0.8 s"}
candidates:
  - {name: a, metrics: {latency_p95: "0.64 s", memory: "1500 MB"}}
  - {name: b, metrics: {latency_p95: 700, memory: 2}}
"""


def test_values_and_budgets_with_units_are_converted(tmp_path: Path) -> None:
    data = tradeoff.load(_setup(tmp_path, UNITS)).data
    np.testing.assert_allclose(data.values, [[640, 1.5], [700, 2]])
    assert data.budgets[0].limit == pytest.approx(800)


def test_a_unit_that_cannot_convert_names_both_units_and_the_line(tmp_path: Path) -> None:
    lines = _fail(_setup(tmp_path, UNITS.replace('"0.64 s"', '"0.64 GB"')))
    assert lines == [
        "goals.yaml:8:38: candidates[0].metrics.latency_p95: cannot convert 'GB' to the "
        "metric's unit 'ms'"
    ]


def test_validate_max_age_warns_about_old_dated_values(tmp_path: Path) -> None:
    path = _setup(tmp_path, LM_EVAL)
    result = runner.invoke(app, ["validate", str(path), "--max-age", "30d"])
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and "llama-3.1-8b.quality: dated 2025-03-17" in warnings[0]
    fresh = runner.invoke(app, ["validate", str(path), "--max-age", "100y"])
    assert "warning" not in fresh.stderr
    bad = runner.invoke(app, ["validate", str(path), "--max-age", "soon"])
    assert bad.exit_code == 2 and "--max-age" in bad.stderr


JOIN = """\
version: 1
metrics:
  quality: {direction: max, unit: "%", source: {lm_eval: {task: arc_challenge, field: "acc,none"}}}
  latency_p95: {direction: min, unit: ms}
  memory:      {direction: min, unit: GB}
budgets:
  memory: {max: 16, tags: [gpu]}
candidates:
  - name: llama-a
    from: lm_eval/results_2025-03-17T18-59-13.666325.json
  - name: llama-b
    from: lm_eval/results_2025-04-03T02-14-13.550460.json
    metrics: {memory: 9.8}
  - from: measured.csv
    join: name
    tags: [gpu]
"""


def _join_setup(tmp_path: Path, csv: str, goals: str = JOIN) -> Path:
    path = _setup(tmp_path, goals)
    (tmp_path / "measured.csv").write_text(textwrap.dedent(csv), encoding="utf-8")
    return path


def test_join_adds_a_tables_columns_to_candidates_defined_elsewhere(tmp_path: Path) -> None:
    path = _join_setup(
        tmp_path, 'name,latency_p95,memory\nllama-a,"1.61 s",17.7\nllama-b,1489.5,\n'
    )
    data = tradeoff.load(path).data
    assert data.names == ["llama-a", "llama-b"]  # the table adds no candidates
    np.testing.assert_allclose(data.values[:, 1:], [[1610, 17.7], [1489.5, 9.8]])
    assert not np.isnan(data.stderr[0, 0])  # quality keeps its stderr from the results file
    assert data.provenance_of(0, 1) == {"source": "measured.csv", "row": 1}
    assert data.provenance_of(1, 2) == {}  # the inline 9.8 is the file's own
    assert (int(data.lines[0, 1]), int(data.cols[0, 1])) == (14, 11)  # the `from:` entry
    assert [sorted(t) for t in data.tags] == [["gpu"], ["gpu"]]
    out = runner.invoke(app, ["check", str(path), "-f", "json"])
    assert [(v["candidate"], v["value"]) for v in json.loads(out.stdout)["violations"]] == [
        ("llama-a", 17.7)
    ]


def test_join_errors_name_the_row(tmp_path: Path) -> None:
    csv = "name,latency_p95,memory\nllama-a,1610,17.7\nllama-b,1489.5,9.9\nllama-c,1,1\n"
    goals = JOIN.replace("    join: name\n", "    join: name\n    unmatched: error\n")
    lines = _fail(_join_setup(tmp_path, csv, goals))
    assert lines == [
        "goals.yaml:14:11: candidates[2].from: measured.csv row 2, column memory: 'llama-b' "
        "already has a value for memory (line 13); keep one",
        "goals.yaml:14:11: candidates[2].from: measured.csv row 3: no candidate named 'llama-c' "
        "to join (did you mean 'llama-b' or 'llama-a'?)",
    ]


def test_join_takes_no_name_of_its_own(tmp_path: Path) -> None:
    goals = JOIN.replace("    join: name\n", "    join: name\n    name: x\n")
    lines = _fail(_join_setup(tmp_path, "name,memory\nllama-a,1\n", goals))
    assert lines == [
        "goals.yaml:16:5: candidates[2].name: 'name' does not go with `join:` (the rows name "
        "candidates)"
    ]


@pytest.mark.parametrize(("name", "text"), [("t.csv", "name,q\n"), ("t.csv", "name,q\n\n\n")])
def test_tables_with_no_rows_are_no_candidates_not_a_passing_gate(
    tmp_path: Path, name: str, text: str
) -> None:
    # A sweep that wrote only its header gave "check passed: no violations (0 candidates
    # checked ...)", exit 0: the CI gate passed on nothing. An empty `candidates:` list is
    # refused already; tables that give no row are the same nothing.
    (tmp_path / name).write_text(text)
    path = tmp_path / "goals.yaml"
    path.write_text(
        "version: 1\nmetrics: {q: {direction: max}}\nbudgets: {q: {min: 1}}\n"
        f"candidates:\n  - from: {name}\n"
    )
    expected = [
        "goals.yaml:4:1: candidates: no candidates: the entries under it give no rows"
        " (an empty table?)"
    ]
    assert _fail(path) == expected
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "no candidates" in result.stderr
