"""lm-eval `--log_samples` files: the streaming reader, `samples: true`, and their errors.

Fixture provenance: tests/data/lm_eval_samples/ is the synthetic v0.4.9.2-layout run of
/work/research/lmeval/v04_single_arc_challenge (written by that folder's _generate_fixtures.py
with the harness's own formulas): 10 items whose mean acc is 0.2 and mean acc_norm 0.5, exactly
the results file's values.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import tradeoff
from conftest import runner, write_goals
from lmeval_logs import DATE, goals_text, sample_line, write_run
from tradeoff.cli.app import app
from tradeoff.sources.common import SourceProblem
from tradeoff.sources.samples import align, prompts, read_samples, short_text

DATA = Path(__file__).parent / "data" / "lm_eval_samples"
SAMPLES = DATA / "samples_arc_challenge_2025-12-01T09-15-51.604122.jsonl"


def test_the_fixture_items_reproduce_the_results_values() -> None:
    got = read_samples(SAMPLES, {"acc": "acc,none", "norm": "acc_norm"}, scale={"acc": 100.0})
    results = json.loads((DATA / "results_2025-12-01T09-15-51.604122.json").read_text())
    task = results["results"]["arc_challenge"]
    assert got["acc"].values.mean() == task["acc,none"]
    assert got["norm"].values.mean() == task["acc_norm,none"]
    assert got["acc"].doc_ids.tolist() == list(range(10))
    assert got["acc"].filter == got["norm"].filter == "none"
    assert got["acc"].scale == 100.0 and got["acc"].binary
    assert got["acc"].lines.tolist() == list(range(1, 11))


def test_samples_true_loads_items_beside_the_results(tmp_path: Path) -> None:
    shutil.copytree(DATA, tmp_path / "m1")
    text = goals_text(["m1"])
    study = tradeoff.load(write_goals(tmp_path, text))
    items = study.data.items[(0, 0)]
    assert study.data.values[0, 0] == pytest.approx(20.0)
    assert items.values.tolist() == [0, 1, 0, 0, 1, 0, 0, 0, 0, 0]
    assert any(p.name.startswith("samples_") for p in study.data.read)


def test_samples_given_in_from_are_read(tmp_path: Path) -> None:
    write_run(tmp_path / "m1", [1, 0, 1, 1])
    (tmp_path / "m1" / f"samples_arc_challenge_{DATE}.jsonl").rename(tmp_path / "log.jsonl")
    (tmp_path / "log.jsonl").rename(tmp_path / "m1" / "samples_arc_challenge_renamed.jsonl")
    text = goals_text(["m1"]).replace(
        f"from: m1/results_{DATE}.json",
        f"from: [m1/results_{DATE}.json, m1/samples_arc_challenge_renamed.jsonl]",
    )
    study = tradeoff.load(write_goals(tmp_path, text))
    assert study.data.items[(0, 0)].display == "m1/samples_arc_challenge_renamed.jsonl"
    assert study.data.items[(0, 0)].values.tolist() == [1, 0, 1, 1]


def test_a_samples_file_of_another_task_is_an_error(tmp_path: Path) -> None:
    _, samples = write_run(tmp_path / "m1", [1, 0, 1, 1])
    samples.rename(tmp_path / "m1" / "samples_hellaswag_1.jsonl")
    text = goals_text(["m1"]).replace(
        f"from: m1/results_{DATE}.json",
        f"from: [m1/results_{DATE}.json, m1/samples_hellaswag_1.jsonl]",
    )
    err = _cli_errors(tmp_path, text)
    assert (
        "candidates[0].from[1]: 'm1/samples_hellaswag_1.jsonl' is an lm-eval samples file of" in err
    )


def test_an_integer_of_5000_digits_is_a_located_error(tmp_path: Path) -> None:
    # json.loads raises a plain ValueError past Python's integer digit limit (seen by the fuzz)
    _, samples = write_run(tmp_path / "m1", [1, 0, 1, 1])
    with samples.open("a") as fh:
        fh.write('{"doc_id": 9, "acc": ' + "9" * 5000 + "}\n")
    err = _cli_errors(tmp_path, goals_text(["m1"]))
    assert "line 5: not valid JSON: an integer too long to read" in err, err


def _cli_errors(tmp_path: Path, text: str) -> str:
    result = runner.invoke(app, ["rank", str(write_goals(tmp_path, text))])
    assert (result.exit_code, result.stdout) == (2, ""), result.output
    assert "Traceback" not in result.stderr
    return result.stderr


def test_a_malformed_line_names_the_file_and_line(tmp_path: Path) -> None:
    _, samples = write_run(tmp_path / "m1", [1, 0, 1, 1])
    lines = samples.read_text().splitlines()
    lines[2] = lines[2][:40]  # cut short: not JSON
    samples.write_text("\n".join(lines) + "\n")
    err = _cli_errors(tmp_path, goals_text(["m1"]))
    assert (
        f"goals.yaml:10:11: candidates[0].from: m1/samples_arc_challenge_{DATE}.jsonl line 3" in err
    )
    assert "not valid JSON" in err


def test_a_mean_that_differs_from_the_results_names_both_numbers(tmp_path: Path) -> None:
    write_run(tmp_path / "m1", [1, 0, 1, 1], result=0.7)
    err = _cli_errors(tmp_path, goals_text(["m1"]))
    assert "goals.yaml:10:11: candidates[0].from:" in err
    assert "over 4 items is 0.75" in err and "says 0.7 for arc" in err


def test_a_mean_within_1e6_is_accepted(tmp_path: Path) -> None:
    write_run(tmp_path / "m1", [1, 0, 1, 1], result=0.75 + 0.9e-6)
    study = tradeoff.load(write_goals(tmp_path, goals_text(["m1"])))
    assert study.data.items[(0, 0)].values.mean() == 0.75


def test_doc_ids_that_do_not_overlap_are_an_error_naming_the_file_and_line(
    tmp_path: Path,
) -> None:
    write_run(tmp_path / "m1", [1, 0, 1, 1])
    write_run(tmp_path / "m2", [1, 1, 1, 0], doc_ids=[10, 11, 12, 13])
    err = _cli_errors(tmp_path, goals_text(["m1", "m2"]))
    assert "goals.yaml:13:11: candidates[1].from:" in err
    assert f"'m2/samples_arc_challenge_{DATE}.jsonl': no doc_id in common with 'm1/" in err


def test_a_missing_samples_file_says_where_it_was_looked_for(tmp_path: Path) -> None:
    _, samples = write_run(tmp_path / "m1", [1, 0, 1, 1])
    samples.unlink()
    err = _cli_errors(tmp_path, goals_text(["m1"]))
    assert "needs the harness's samples_arc_challenge_<date>.jsonl (--log_samples)" in err
    assert f"looked for 'm1/samples_arc_challenge_{DATE}.jsonl'" in err


def _write(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_lines_are_selected_by_the_fields_filter(tmp_path: Path) -> None:
    records = [
        {"doc_id": d, "filter": f, "exact_match": v}
        for f, vals in (("strict-match", [1, 0, 0]), ("flexible-extract", [1, 1, 0]))
        for d, v in enumerate(vals)
    ]
    path = _write(tmp_path / "s.jsonl", records)
    got = read_samples(path, {"a": "exact_match,strict-match", "b": "exact_match,flexible-extract"})
    assert got["a"].values.tolist() == [1, 0, 0] and got["b"].values.tolist() == [1, 1, 0]
    with pytest.raises(SourceProblem, match="several filters: 'exact_match,strict-match', 'exact"):
        read_samples(path, {"a": "exact_match"})
    with pytest.raises(SourceProblem, match="no item lines with filter 'none'"):
        read_samples(path, {"a": "exact_match,none"})


def test_per_item_values_that_are_not_numbers_are_refused_with_their_line(tmp_path: Path) -> None:
    records = [{"doc_id": 0, "filter": "none", "f1": [1, 2]}, {"doc_id": 1, "filter": "none"}]
    path = _write(tmp_path / "s.jsonl", records)
    with pytest.raises(SourceProblem) as caught:
        read_samples(path, {"m": "f1,none"})
    assert caught.value.problems[0][0] == "s.jsonl line 1"
    assert "aggregates by mean" in caught.value.problems[0][1]
    assert caught.value.problems[1] == ("s.jsonl line 2", "no per-item 'f1' on this line")


def test_bad_lines_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    good = json.dumps({"doc_id": 0, "acc": 1})
    path.write_text(f'{good}\n\n[1]\n{{"doc_id": true}}\n{good}\n{{oops\n')
    with pytest.raises(SourceProblem) as caught:
        read_samples(path, {"m": "acc"})
    places = [p for p, _ in caught.value.problems]
    assert places == [
        "s.jsonl line 3",
        "s.jsonl line 4",
        "s.jsonl line 5",
        "s.jsonl line 6, column 2",
    ]
    assert "also on line 1" in caught.value.problems[2][1]


def test_the_v040_layout_one_json_array_is_read(tmp_path: Path) -> None:
    path = tmp_path / "model_arc.jsonl"
    path.write_text(
        json.dumps([{"doc_id": d, "acc": v} for d, v in enumerate([1, 0, 1])], indent=2)
    )
    got = read_samples(path, {"m": "acc"})["m"]
    assert got.values.tolist() == [1, 0, 1] and got.filter == "none"


def test_align_matches_doc_id_and_doc_hash_and_counts_prompt_differences(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.jsonl", [json.loads(sample_line(d, d % 2)) for d in range(6)])
    lines = [json.loads(sample_line(d, 1, task_prompt="<chat>")) for d in (5, 4, 3, 2, 1)]
    lines[0]["doc_hash"] = "different"
    b = _write(tmp_path / "b.jsonl", lines)
    got = align([read_samples(p, {"m": "acc"})["m"] for p in (a, b)])
    assert got.doc_ids.tolist() == [1, 2, 3, 4]  # 0 is not in b; 5's doc differs
    assert got.hash_differs == 1 and got.prompt_differs == 4
    np.testing.assert_array_equal(got.values, [[1, 0, 1, 0], [1, 1, 1, 1]])


def test_prompts_are_read_again_and_shortened_safely(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", [json.loads(sample_line(d, 1)) for d in range(3)])
    got = read_samples(path, {"m": "acc"})["m"]
    assert prompts(got, [2]) == {2: "Question number 1: which is it?\nAnswer:"}
    assert short_text("a\x1b[31mred\nnext", 60) == "a\\x1b[31mred next"
    assert short_text("x" * 100, 10) == "x" * 9 + "…"


def test_a_prompt_that_differs_is_a_note_not_a_refusal(tmp_path: Path) -> None:
    write_run(tmp_path / "m1", [1, 0, 1, 1])
    write_run(tmp_path / "m2", [1, 1, 1, 0], task_prompt="<|user|>")
    result = runner.invoke(app, ["rank", str(write_goals(tmp_path, goals_text(["m1", "m2"])))])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: ")
    assert "candidates[1].from: arc: the prompt differs between candidates on 4 of 4" in (
        result.stderr
    )
