"""Every command is one library call: its output equals the library result's, on real files.

For each command with JSON output (rank, pareto, explain, frontier, sensitivity, check, compare,
and schema, whose output is JSON) the CLI's `--format json` equals `to_json()` of the `Study` method
it calls; suggest-budgets and validate print the library result's text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import tradeoff
from conftest import ROOT, runner
from tradeoff.cli.app import app

FILES = [ROOT / "goals.yaml", ROOT / "examples" / "self-hosted-sweep.yaml"]


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


def _first(path: Path) -> str:
    return tradeoff.load(path).candidates[0]


def _two(path: Path) -> list[str]:
    return tradeoff.load(path).candidates[:2]


CASES: dict[str, Any] = {
    "rank": (
        lambda p: ["rank", str(p), "--profile", "default", "--all"],
        lambda s: s.rank_result(profile="default", include_infeasible=True),
    ),
    "rank --uncertainty": (
        lambda p: ["rank", str(p), "--uncertainty", "--samples", "300", "--seed", "4"],
        lambda s: s.rank_result(uncertainty=True, samples=300, seed=4),
    ),
    "pareto": (
        lambda p: ["pareto", str(p), "--layers", "--ignore-budgets"],
        lambda s: s.pareto_result(layers=True, ignore_budgets=True),
    ),
    "explain": (
        lambda p: ["explain", _first(p), str(p), "--method", "topsis"],
        lambda s: s.explain_result(s.candidates[0], method="topsis"),
    ),
    "frontier": (
        lambda p: ["frontier", str(p), "--x", "cost", "--y", "quality", "--target", "quality=70"],
        lambda s: s.frontier_result("cost", "quality", ("quality", 70.0)),
    ),
    "sensitivity": (
        lambda p: ["sensitivity", str(p), "--samples", "500", "--seed", "3"],
        lambda s: s.sensitivity_result(samples=500, seed=3),
    ),
    "check": (
        lambda p: ["check", str(p), "--fail-on-dominated", "--strict"],
        lambda s: s.check_result(fail_on_dominated=True, strict=True),
    ),
    "compare": (
        lambda p: ["compare", *_two(p), str(p), "--items", "3", "--samples", "500", "--seed", "2"],
        lambda s: s.compare_result(*s.candidates[:2], items=3, samples=500, seed=2),
    ),
}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("command", list(CASES))
def test_cli_json_is_the_library_result(command: str, path: Path) -> None:
    argv, call = CASES[command]
    printed = _cli(*argv(path), "--format", "json")
    result = call(tradeoff.load(path))
    assert json.loads(printed) == result.to_json()
    assert printed == result.to_json_text()


def test_check_of_several_files_is_check_files() -> None:
    printed = _cli("check", *map(str, FILES), "--format", "json")
    assert json.loads(printed) == tradeoff.check_files(FILES).to_json()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_suggest_budgets_prints_the_library_yaml(path: Path) -> None:
    printed = _cli("suggest-budgets", str(path), "--headroom", "10%")
    assert printed == tradeoff.load(path).suggest_budgets_result("10%").to_yaml()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_validate_prints_the_library_summary(path: Path) -> None:
    result = tradeoff.load(path).validate_result()
    assert _cli("validate", str(path)) == result.summary()
    assert result.to_json()["candidates"] == len(tradeoff.load(path).candidates)


def test_schema_prints_the_library_schema() -> None:
    from tradeoff.goals.schema import goals_schema

    assert json.loads(_cli("schema")) == goals_schema()


def test_cli_touches_no_study_data() -> None:
    # The CLI asks the library questions; it does not reach into the arrays behind a Study.
    for path in (ROOT / "src" / "tradeoff" / "cli").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert ".data." not in text and ".data\n" not in text and ".data)" not in text, path
