"""With no feasible candidate, rank and check name the closest ones, by scaled total violation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import tradeoff
from conftest import runner, write_goals
from tradeoff.cli.app import app
from tradeoff.engine import budgets

NONE_FEASIBLE = """\
version: 1
metrics:
  quality: {direction: max, unit: "%", range: [0, 100]}
  latency: {direction: min, unit: ms}
  safety: {direction: max, range: [0, 1]}
budgets:
  latency: {max: 500}
  safety:
    - {min: 0.9}
    - {min: 0.99, level: warn}
candidates:
  - {name: a, metrics: {quality: 80, latency: 600, safety: 0.95}}
  - {name: b, metrics: {quality: 70, latency: 900, safety: 0.95}}
  - {name: c, metrics: {quality: 60, latency: 450, safety: 0.80}}
  - {name: d, metrics: {quality: 60, latency: 480}}
  - {name: e, metrics: {quality: 60, latency: 1000, safety: 0.5}}
"""

# By hand: latency has no range, so it scales by its span over all candidates, 1000 - 450 = 550;
# safety by its range, 1. Warn-level budgets do not count.
EXPECTED = {
    "a": 100 / 550,
    "b": 400 / 550,
    "c": 0.1,
    "d": 1.0,  # no value for safety
    "e": 500 / 550 + 0.4,
}


def test_distances_by_hand(tmp_path: Path) -> None:
    data = tradeoff.load(write_goals(tmp_path, NONE_FEASIBLE)).data
    got = budgets.distances(data)
    np.testing.assert_allclose(got, [EXPECTED[n] for n in data.names], rtol=1e-12)


def test_rank_names_the_closest_in_order(tmp_path: Path) -> None:
    path = write_goals(tmp_path, NONE_FEASIBLE)
    result = runner.invoke(app, ["rank", str(path), "-f", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["candidates"] == []
    assert [c["name"] for c in doc["closest"]] == ["c", "a", "b"]
    assert [c["distance"] for c in doc["closest"]] == pytest.approx(
        [EXPECTED["c"], EXPECTED["a"], EXPECTED["b"]]
    )
    # every violation is listed, the warn-level one too (it adds nothing to the distance)
    shown = [(v["metric"], v["level"]) for v in doc["closest"][0]["violations"]]
    assert shown == [("safety", "error"), ("safety", "warn")]
    table = runner.invoke(app, ["rank", str(path)])
    assert table.exit_code == 0
    assert "closest to feasible: c (0.1: safety); a (0.182: latency); b (0.727: latency)" in (
        table.stderr
    )


def test_check_names_the_closest_and_still_fails(tmp_path: Path) -> None:
    path = write_goals(tmp_path, NONE_FEASIBLE)
    result = runner.invoke(app, ["check", str(path), "-f", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert [c["name"] for c in doc["closest"]] == ["c", "a", "b"]
    assert doc["closest"][0]["file"] == str(path)


def test_no_closest_when_one_is_feasible(tmp_path: Path) -> None:
    text = NONE_FEASIBLE + "  - {name: f, metrics: {quality: 50, latency: 100, safety: 0.95}}\n"
    path = write_goals(tmp_path, text)
    for command in ("rank", "check"):
        doc = json.loads(runner.invoke(app, [command, str(path), "-f", "json"]).stdout)
        assert doc["closest"] == []


def test_ties_are_broken_by_name(tmp_path: Path) -> None:
    text = NONE_FEASIBLE.replace("{name: a,", "{name: z,").replace(
        "latency: 900, safety: 0.95}", "latency: 600, safety: 0.95}"
    )
    data = tradeoff.load(write_goals(tmp_path, text)).data
    names = [data.names[i] for i, _ in budgets.closest(data)]
    assert names == ["c", "b", "z"]  # b and z both at 100/550
