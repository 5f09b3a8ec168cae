"""Sample counts and honest noise (SPEC "Sample counts and honest noise", issue 15).

Fixtures (tests/data/lm_eval/limit/): lm-evaluation-harness 0.4 results as
`lm_eval/evaluator.py` and `loggers/evaluation_tracker.py` write them (n-samples {original,
effective}, config.limit as a float, "N/A" stderr when one item was scored; see
/work/research/lmeval.md): `limit1.json` is pythia-160m on arc_challenge with `--limit 1` (1 of 1
correct on acc_norm), copied from /work/research/lmeval/v04_limit1_arc_challenge; `limit20.json`
is the same file as a 20-item run at 40 % (stderr sqrt(p(1 - p)/(n - 1)) as lm-eval computes it),
`limit20_25shot.json` the same at 25-shot, `na_no_count.json` the 1-item file without n-samples
(the v0.4.2 layout had none): no stderr and no count.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import runner
from tradeoff import load
from tradeoff.cli.app import app
from tradeoff.goals.samples import wilson_stderr

DATA = Path(__file__).parent / "data" / "lm_eval" / "limit"

GOALS = """\
version: 1
metrics:
  arc: {{direction: max, unit: "%", source: {{lm_eval: {{task: arc_challenge, field: acc_norm}}}}}}
  cost: {{direction: min, unit: USD}}
candidates:
  - name: one-item
    from: {first}
    metrics: {{cost: 1}}
  - name: twenty-items
    from: {second}
    metrics: {{cost: 1}}
"""


def _goals(tmp_path: Path, first: str = "limit1.json", second: str = "limit20.json") -> Path:
    for name in (first, second):
        shutil.copy(DATA / name, tmp_path / name)
    path = tmp_path / "goals.yaml"
    path.write_text(GOALS.format(first=first, second=second))
    return path


def test_wilson_stderr_by_hand() -> None:
    # half = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/(4 n^2)), z = 1.96, stderr = half / 1.96
    # n = 1, p = 1: 1.96 * sqrt(3.8416 / 4) / 4.8416 = 1.9208 / 4.8416 = 0.396728 -> 0.202412
    assert wilson_stderr(1.0, 1) == pytest.approx(0.202412, abs=1e-6)
    # n = 20, p = 0.4: sqrt(0.012 + 0.002401) = 0.1200042; 1.96 * 0.1200042 / 1.19208 = 0.197309
    assert wilson_stderr(0.4, 20) == pytest.approx(0.197309 / 1.96, abs=1e-6)
    # n = 12,032, p = 0.5: sqrt(2.077793e-5 + 6.634e-9) = 0.00455901;
    # 1.96 * 0.00455901 / 1.000319282 = 0.0089328 -> 0.0045575
    assert wilson_stderr(0.5, 12_032) == pytest.approx(0.0045575, abs=1e-7)
    assert wilson_stderr(0.0, 1) > 0  # never zero for a finite n


def test_a_limit_1_result_gets_a_wilson_stderr_and_is_marked_estimated(tmp_path: Path) -> None:
    data = load(_goals(tmp_path)).data
    j = data.metric_index("arc")
    assert data.values[0, j] == 100.0
    assert data.stderr[0, j] == pytest.approx(20.2412, abs=1e-3)  # % metric: x100, "N/A" replaced
    assert data.stderr[1, j] == pytest.approx(100 * np.sqrt(0.24 / 19))  # the file's own stderr
    prov = data.provenance[(0, j)]
    assert (prov["n"], prov["n_original"], prov["limit"], prov["kind"]) == (1, 1172, 1, "estimated")


def test_one_item_does_not_lead_with_certainty(tmp_path: Path) -> None:
    path = _goals(tmp_path)
    result = runner.invoke(app, ["rank", str(path), "--uncertainty", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    first = out["candidates"][0]
    assert first["name"] == "one-item"
    # P(Beta(1.5, 0.5) > Beta(8.5, 12.5)) = 0.867 (10^6 draws); a normal around 100 % with the
    # Wilson stderr would give 0.995
    assert first["p_first"] == pytest.approx(0.867, abs=0.015)
    for args in (
        ["rank", str(path)],
        ["rank", str(path), "--uncertainty"],
        ["explain", "one-item", str(path)],
    ):
        shown = runner.invoke(app, args)
        assert shown.exit_code == 0, shown.stderr
        assert "p=1.00" not in shown.stdout + shown.stderr
        assert "(n=1)" in shown.stdout
    line = runner.invoke(app, ["rank", str(path)]).stdout
    assert "one-item leads with p=0.8" in line


def test_subset_results_are_warned_and_marked(tmp_path: Path) -> None:
    path = _goals(tmp_path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert "limit1.json: task 'arc_challenge' was scored on 1 of its 1172 items (--limit 1)" in (
        result.stderr
    )
    assert "limit20.json: task 'arc_challenge' was scored on 20 of its 1172 items" in result.stderr
    table = runner.invoke(app, ["rank", str(path)]).stdout
    assert "100 (n=1)" in table and "40 (n=20)" in table
    markdown = runner.invoke(app, ["rank", str(path), "-f", "markdown"]).stdout
    assert "40 (n=20)" in markdown
    pareto = runner.invoke(app, ["pareto", str(path), "--layers"]).stdout
    assert "40 (n=20)" in pareto


def test_differing_n_shot_is_a_warning_and_a_note(tmp_path: Path) -> None:
    path = _goals(tmp_path, second="limit20_25shot.json")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert (
        "metrics.arc: results differ in n-shot: 0-shot (one-item) vs 25-shot (twenty-items)"
        in (result.stderr)
        or "25-shot (twenty-items) vs 0-shot (one-item)" in result.stderr
    )
    rank = runner.invoke(app, ["rank", str(path)])
    assert "warning: " in rank.stderr and "0-shot" in rank.stderr and "25-shot" in rank.stderr


def test_unknown_noise_is_named_not_taken_as_exact(tmp_path: Path) -> None:
    path = _goals(tmp_path, first="na_no_count.json")
    data = load(path).data
    assert np.isnan(data.stderr[0, 0])
    assert data.provenance[(0, 0)]["noise"] == "unknown"
    table = runner.invoke(app, ["rank", str(path)])
    said = " ".join(table.stdout.split())
    assert (
        "one-item leads on the values as given; no confidence figure: the noise of one-item's "
        "arc is unknown (no stderr, no item count)"
    ) in said
    assert "p=1.00" not in table.stdout
    result = runner.invoke(app, ["rank", str(path), "--uncertainty", "-f", "json"])
    assert json.loads(result.stdout)["candidates"][0]["name"] == "one-item"
    assert (
        "note: the noise of one-item's arc is unknown (no stderr, no item count): --uncertainty "
        "takes it as exact"
    ) in " ".join(result.stderr.split())
    path.write_text(
        path.read_text().replace("candidates:", "budgets:\n  arc: {min: 30}\ncandidates:")
    )
    for args in (["pareto", str(path), "--noise", "2"], ["check", str(path), "--pessimistic"]):
        result = runner.invoke(app, args)
        assert "one-item's arc" in result.stdout + result.stderr, args


@pytest.mark.parametrize(
    "file",
    [
        # lm-eval v0.4.9 layout: the group in `results` and `groups`, n-samples and n-shot for
        # the leaf tasks only (/work/research/lmeval/v04_group_mmlu)
        "v0.4.9_results_2025-12-02T14-09-03.120455.json",
        # v0.4.12: the group's own `sample_count` and n-shot
        # (/work/research/lmeval/v0412_group_mmlu)
        "v0.4.12_results_2026-06-03T08-06-30.250001.json",
    ],
)
def test_a_group_result_reads_like_a_task(tmp_path: Path, file: str) -> None:
    shutil.copy(DATA.parent / "groups" / file, tmp_path / file)
    text = f"""\
version: 1
metrics:
  mmlu: {{direction: max, unit: "%", source: {{lm_eval: {{task: mmlu, field: acc}}}}}}
candidates:
  - {{name: a, from: {file}}}
"""
    path = tmp_path / "goals.yaml"
    path.write_text(text)
    data = load(path).data
    assert data.values[0, 0] == pytest.approx(33.240997229916897)
    assert data.stderr[0, 0] == pytest.approx(2.4577908046892905)
    prov = data.provenance[(0, 0)]
    assert (prov["n"], prov["n_shot"], prov["field"]) == (100 + 135 + 126, 5, "acc,none")
    assert data.subset_count(0, 0) is None  # every item of every subtask was scored


def test_a_lighteval_run_with_max_samples_is_warned_and_estimated(tmp_path: Path) -> None:
    # lighteval records --max-samples as config_general.max_samples (src/lighteval/logging/
    # info_loggers.py, GeneralConfigLogger @ 3fd15266) and no item count: an estimate
    source = Path(__file__).parent / "data" / "lm_eval"
    raw = json.loads((source / "lighteval_results_2025-03-17T18-59-13.666325.json").read_text())
    raw["config_general"]["max_samples"] = 10
    (tmp_path / "light.json").write_text(json.dumps(raw))
    path = tmp_path / "goals.yaml"
    path.write_text(
        "version: 1\nmetrics:\n  arc: {direction: max, source: {lm_eval: "
        "{task: 'leaderboard|arc:challenge|25', field: acc}}}\n"
        "candidates:\n  - {name: a, from: light.json}\n"
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert (
        "light.json: task 'leaderboard|arc:challenge|25' ran with --max-samples 10: the value is "
        "an estimate"
    ) in " ".join(result.stderr.split())
    assert load(path).data.provenance_of(0, 0)["kind"] == "estimated"
