"""`tradeoff plot --parallel`: every goal as an axis, better end up; the data by hand, the file."""

from __future__ import annotations

from pathlib import Path

import pytest

import tradeoff
from conftest import ROOT, runner, write_goals
from tradeoff.cli.app import app

GOALS = """\
version: 1
title: three goals
metrics:
  quality: {direction: max, unit: "%"}
  cost: {direction: min, unit: USD}
  safety: {direction: max, range: [0, 1]}
budgets:
  safety: {min: 0.5}
candidates:
  - {name: a, metrics: {quality: 80, cost: 4, safety: 0.9}}
  - {name: b, metrics: {quality: 60, cost: 1, safety: 0.6}}
  - {name: c, metrics: {quality: 70, cost: 4.5, safety: 0.55}}
  - {name: "$x$ bad", metrics: {quality: 90, cost: 0.5, safety: 0.2}}
"""


def test_heights_by_hand(tmp_path: Path) -> None:
    data = tradeoff.load(write_goals(tmp_path, GOALS)).parallel_data()
    by = {ln.name: ln for ln in data.lines}
    # quality over all candidates shown: 60 (worst) .. 90 (best); cost 4.5 (worst) .. 0.5
    # (best); safety by its range, 0 .. 1. c is dominated by a.
    assert data.goalposts == [(60.0, 90.0), (4.5, 0.5), (0.0, 1.0)]
    assert by["a"].heights == pytest.approx((20 / 30, 0.5 / 4, 0.9))
    assert by["b"].heights == pytest.approx((0.0, 3.5 / 4, 0.6))
    assert (by["a"].status, by["b"].status, by["c"].status) == ("front", "front", "feasible")
    assert by["$x$ bad"].status == "infeasible"
    assert sum(ln.knee for ln in data.lines) == 1


def test_a_missing_value_breaks_the_line(tmp_path: Path) -> None:
    text = GOALS.replace("{quality: 70, cost: 4.5, safety: 0.55}", "{quality: 70, safety: 0.55}")
    data = tradeoff.load(write_goals(tmp_path, text)).parallel_data(missing="exclude")
    (c,) = [ln for ln in data.lines if ln.name == "c"]
    assert c.heights[1] is None and c.values[1] is None
    assert any("c: excluded" in n for n in data.notes)


@pytest.mark.parametrize("ext", ["png", "svg"])
def test_writes_the_figure(tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"axes.{ext}"
    result = runner.invoke(
        app, ["plot", str(write_goals(tmp_path, GOALS)), "--parallel", "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    head = out.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if ext == "png" else b"<svg" in out.read_bytes()[:2000]
    if ext == "svg":
        text = out.read_text()
        assert "quality" in text and "safety" in text and "$x$ bad" not in text  # front only
        assert "(knee)" in text


def test_the_shipped_goals_file_draws(tmp_path: Path) -> None:
    out = tmp_path / "goals.png"
    result = runner.invoke(app, ["plot", str(ROOT / "goals.yaml"), "--parallel", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--parallel"], "give -o FILE.png"),
        (["--parallel", "--mix", "-o", "x.png"], "not --parallel"),
        (["--metrics", "quality,cost"], "--metrics goes with --parallel"),
        (["--parallel", "--metrics", "qualty", "-o", "x.png"], "did you mean 'quality'"),
        (["--parallel", "-o", "x.gif"], ".png, .svg or .pdf"),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], says: str) -> None:
    path = write_goals(tmp_path, GOALS)
    result = runner.invoke(
        app,
        [
            "plot",
            str(path),
            *[str(tmp_path / a) if a.endswith((".png", ".gif")) else a for a in args],
        ],
    )
    assert result.exit_code == 2
    assert says in result.stderr
