"""Every shipped goals file (goals.yaml and examples/*.yaml) passes `validate` and `rank`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tradeoff
from conftest import ROOT, runner
from tradeoff.cli.app import app

SHIPPED = [ROOT / "goals.yaml", *sorted((ROOT / "examples").glob("*.yaml"))]


def test_there_are_examples() -> None:
    assert len(SHIPPED) >= 3


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_validate(path: Path) -> None:
    result = runner.invoke(app, ["validate", str(path)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith(f"{path}: valid: ")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_rank_table(path: Path) -> None:
    result = runner.invoke(app, ["rank", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_rank_json_names_the_files_candidates(path: Path) -> None:
    result = runner.invoke(app, ["rank", str(path), "--format", "json", "--all"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    ranked = {c["name"] for c in out["candidates"]}
    infeasible = {c["name"] for c in out["infeasible"]}
    assert ranked
    assert ranked | infeasible == set(tradeoff.load(path).candidates)
