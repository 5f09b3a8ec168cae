"""suggest-budgets: the least favourable feasible value, loosened by the headroom, pasteable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

import tradeoff
from conftest import GOALS, ROOT, runner, write_goals
from tradeoff.cli.app import app
from tradeoff.engine import budgets


def _paste(goals_text: str, suggestion: str) -> str:
    start, end = goals_text.index("budgets:"), goals_text.index("profiles:")
    return goals_text[:start] + suggestion + goals_text[end:]


def test_suggestions_by_hand(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["suggest-budgets", str(write_goals(tmp_path)), "--headroom", "25%"]
    )
    assert result.exit_code == 0, result.stderr
    block = yaml.safe_load(result.stdout)["budgets"]
    # Feasible in GOALS: model-a, model-b-q4, model-d (model-c breaks latency_p95 <= 800).
    # quality worst 44.3 -> 44.3 * 0.75 = 33.225 -> 33.22 (rounded down, away from candidates)
    # cost worst 0.0078 -> 0.00975; latency worst 640 -> 800; memory worst 90 -> 112.5
    # energy worst 0.9 -> 1.125; safety worst 0.91 -> 0.6825, looser than the file's own
    # min 0.9: that one is kept (a pasted suggestion never loosens a budget)
    assert block == {
        "quality": {"min": 33.22},
        "cost": {"max": 0.00975},
        "latency_p95": {"max": 800},
        "memory": {"max": 112.5},
        "energy": {"max": 1.125},
        "safety": {"min": 0.9},
    }
    assert (
        "  safety:      {min: 0.9}             # kept the file's min 0.9: the suggestion (0.6825)"
        " would\n" in result.stdout
    )


def test_a_suggestion_never_loosens_the_files_budget_and_fits_100_columns() -> None:
    result = runner.invoke(app, ["suggest-budgets", str(ROOT / "goals.yaml")])
    block = yaml.safe_load(result.stdout)["budgets"]
    own = yaml.safe_load((ROOT / "goals.yaml").read_text())["budgets"]
    # latency_p50's worst feasible value, loosened by 25%, is above the file's max: kept
    assert own["latency_p50"] == {"max": 8000}
    assert block["latency_p50"] == {"max": 8000}
    assert block["safety"] == {"min": 0.85}
    assert "the suggestion (8843) would" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    doc = tradeoff.load(ROOT / "goals.yaml").suggest_budgets_result().to_json()
    kept = {b["metric"]: b["kept_from_file"] for b in doc["budgets"]}
    assert kept["latency_p50"] and kept["safety"] and not kept["quality"]


def test_pasted_suggestion_validates_and_every_feasible_candidate_passes(tmp_path: Path) -> None:
    for headroom in ("0%", "10%", "0.5"):
        source = write_goals(tmp_path)
        result = runner.invoke(app, ["suggest-budgets", str(source), "--headroom", headroom])
        assert result.exit_code == 0, result.stderr
        pasted = write_goals(tmp_path, _paste(GOALS, result.stdout), name="pasted.yaml")
        check = runner.invoke(app, ["validate", str(pasted)])
        assert check.exit_code == 0, check.stderr
        before = budgets.feasible(tradeoff.load(source).data)
        after = budgets.feasible(tradeoff.load(pasted).data)
        assert np.array_equal(before, after)


def test_shipped_goals_suggestion_pastes(tmp_path: Path) -> None:
    text = (ROOT / "goals.yaml").read_text(encoding="utf-8")
    result = runner.invoke(app, ["suggest-budgets", str(ROOT / "goals.yaml")])
    assert result.exit_code == 0
    pasted = write_goals(tmp_path, _paste(text, result.stdout))
    assert runner.invoke(app, ["validate", str(pasted)]).exit_code == 0


def test_range_clips_and_bad_headroom(tmp_path: Path) -> None:
    path = write_goals(tmp_path)
    result = runner.invoke(app, ["suggest-budgets", str(path), "--headroom", "200%"])
    # 0.91 - 200% clips to the range's 0, but the file's own min 0.9 is tighter: kept
    assert yaml.safe_load(result.stdout)["budgets"]["safety"] == {"min": 0.9}
    assert "suggestion (0) would" in result.stdout
    ten = runner.invoke(app, ["suggest-budgets", str(path), "--headroom", "10"])
    assert ten.exit_code == 2 and "write 10% for 10 percent" in ten.stderr  # not 1000%
    for bad in ("-5%", "abc", "nan"):
        result = runner.invoke(app, ["suggest-budgets", str(path), "--headroom", bad])
        assert result.exit_code == 2 and result.stdout == ""
        assert "--headroom" in result.stderr


def test_no_feasible_candidate_is_a_clear_error(tmp_path: Path) -> None:
    path = write_goals(tmp_path, GOALS.replace("latency_p95: {max: 800}", "latency_p95: {max: 1}"))
    result = runner.invoke(app, ["suggest-budgets", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "no feasible candidate" in result.stderr


def test_a_limit_past_the_largest_float_is_left_out_so_the_paste_validates(tmp_path: Path) -> None:
    text = """version: 1
metrics:
  q: {direction: max}
  c: {direction: min}
candidates:
  - {name: a, metrics: {q: 1, c: 1e308}}
  - {name: b, metrics: {q: 2, c: 1}}
"""
    path = write_goals(tmp_path, text)
    out = runner.invoke(app, ["suggest-budgets", str(path), "--headroom", "100%"]).stdout
    assert yaml.safe_load(out)["budgets"] == {"q": {"min": 0}}
    pasted = write_goals(tmp_path, text + out, name="pasted.yaml")
    assert runner.invoke(app, ["validate", str(pasted)]).exit_code == 0


def test_missing_values_and_kept_budgets_are_named(tmp_path: Path) -> None:
    path = write_goals(
        tmp_path,
        """
        version: 1
        metrics:
          q: {direction: max}
          c: {direction: min}
          s: {direction: max}
        budgets:
          c: {max: 5, level: warn}
          s: {min: 0.5, tags: [edge]}
        candidates:
          - {name: A, metrics: {q: 80, c: 2, s: 1}}
          - {name: B, metrics: {q: 60, c: 1}}
          - {name: C, metrics: {c: 3, s: 3}}
        """,
    )
    result = runner.invoke(app, ["suggest-budgets", str(path)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[lines.index("budgets:") + 1 :] == [
        '  q: {min: 45}              # worst feasible 60, "B"; "C" has no value and would fail it',
        '  c: {max: 3.75}            # worst feasible 3, "C"',
        '  s: {min: 0.75}            # worst feasible 1, "A"; "B" has no value and would fail it',
        "# Not repeated above: the file's budgets with `tags:` or `level: warn` (c, s); "
        "keep them if they",
        "# still hold.",
    ]
