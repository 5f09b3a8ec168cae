"""The front's hypervolume: engine against moocore and by hand; goalposts and reference points."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import moocore
import numpy as np
import pytest

import tradeoff
from conftest import runner, write_goals
from tradeoff.cli.app import app
from tradeoff.engine.hypervolume import hypervolume

HAND = """\
version: 1
metrics:
  quality: {direction: max, unit: "%"}
  cost: {direction: min, unit: USD}
BUDGETS
candidates:
  - {name: a, metrics: {quality: 80, cost: 4}}
  - {name: b, metrics: {quality: 70, cost: 2}}
  - {name: c, metrics: {quality: 60, cost: 1}}
  - {name: d, metrics: {quality: 65, cost: 3}}
"""


@pytest.mark.parametrize("d", [2, 3, 4, 5, 6])
def test_engine_equals_moocore(d: int) -> None:
    rng = np.random.default_rng(d)
    for trial in range(30):
        n = int(rng.integers(1, 60))
        pts = rng.random((n, d))
        if trial % 3 == 0:
            pts = np.round(pts, 1)  # ties and duplicates
        ref = np.full(d, 1.05)
        ours = hypervolume(pts, ref)
        inside = pts[np.all(pts < ref, axis=1)]
        theirs = float(moocore.hypervolume(inside, ref=ref)) if len(inside) else 0.0
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("d", [2, 3])
def test_numpy_fallback_equals_moocore(d: int) -> None:
    rng = np.random.default_rng(10 + d)
    for trial in range(50):
        n = int(rng.integers(1, 80))
        pts = rng.random((n, d))
        if trial % 2:
            pts = np.round(pts, 1)
        ref = rng.random(d) * 0.5 + 0.75  # some points lie beyond the reference
        ours = hypervolume(pts, ref, engine="numpy")
        inside = pts[np.all(pts < ref, axis=1)]
        theirs = float(moocore.hypervolume(inside, ref=ref)) if len(inside) else 0.0
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-15)


def test_numpy_fallback_by_hand_2d() -> None:
    # Staircase (1,3), (2,2), (3,1) under reference (4,4): 3 + 2 + 1 = 6 unit squares.
    pts = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [3.0, 3.0]])
    assert hypervolume(pts, np.array([4.0, 4.0]), engine="numpy") == 6.0
    # 3-D: the unit cube corner at the origin under (2,2,2) plus nothing else: 8.
    assert hypervolume(np.zeros((2, 3)), np.full(3, 2.0), engine="numpy") == 8.0


def test_numpy_engine_declines_four_goals() -> None:
    assert hypervolume(np.zeros((1, 4)), np.ones(4), engine="numpy") is None
    assert hypervolume(np.zeros((1, 7)), np.ones(7)) is None


def _pareto_json(tmp_path: Path, budgets: str = "", *args: str) -> dict[str, Any]:
    path = write_goals(tmp_path, HAND.replace("BUDGETS", budgets))
    result = runner.invoke(app, ["pareto", str(path), "-f", "json", *args])
    assert result.exit_code == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def test_pareto_hypervolume_by_hand(tmp_path: Path) -> None:
    # Goalposts: quality [60 worst, 80 best], cost [4 worst, 1 best]. Scaled (0 best, 1 worst):
    # a (0, 1), b (0.5, 1/3), c (1, 0); d is dominated by b. No budget: reference 10 % of the
    # span past the worst, (1.1, 1.1), i.e. quality 58 and cost 4.3. Staircase:
    # 1.1 * 0.1 + 0.6 * (2/3) + 0.1 * (1/3).
    hv = _pareto_json(tmp_path)["hypervolume"]
    assert hv["value"] == pytest.approx(1.1 * 0.1 + 0.6 * 2 / 3 + 0.1 / 3, rel=1e-12)
    assert hv["reference"] == pytest.approx({"quality": 58.0, "cost": 4.3})
    assert hv["reference_from"] == {"quality": "worst", "cost": "worst"}
    assert hv["goalposts"] == {"quality": [60.0, 80.0], "cost": [4.0, 1.0]}


def test_reference_from_the_loosest_untagged_error_budget(tmp_path: Path) -> None:
    budgets = (
        "budgets:\n"
        "  cost:\n"
        "    - {max: 5}\n"
        "    - {max: 4.5}\n"
        "    - {max: 9, level: warn}\n"
        "    - {max: 7, tags: [edge]}\n"
    )
    hv = _pareto_json(tmp_path, budgets)["hypervolume"]
    assert hv["reference"]["cost"] == 5.0
    assert hv["reference_from"] == {"quality": "worst", "cost": "budget"}
    # cost reference scaled: (5 - 1) / 3 = 4/3; quality 1.1.
    s = 4 / 3
    assert hv["value"] == pytest.approx(1.1 * (s - 1) + 0.6 * (1 - 1 / 3) + 0.1 / 3, rel=1e-12)


def test_reference_flag_wins_and_is_checked(tmp_path: Path) -> None:
    hv = _pareto_json(tmp_path, "", "--reference", "quality=40")["hypervolume"]
    assert hv["reference_from"]["quality"] == "flag"
    assert hv["reference"]["quality"] == 40.0
    path = write_goals(tmp_path, HAND.replace("BUDGETS", ""))
    for bad, says in [
        ("qualty=1", "did you mean 'quality'"),
        ("quality", "METRIC=VALUE"),
        ("quality=inf", "finite number"),
    ]:
        result = runner.invoke(app, ["pareto", str(path), "--reference", bad])
        assert result.exit_code == 2
        assert says in result.stderr
    result = runner.invoke(
        app, ["pareto", str(path), "--metrics", "quality", "--reference", "cost=3"]
    )
    assert result.exit_code == 2
    assert "not among the goals" in result.stderr


def test_table_footer_names_the_reference(tmp_path: Path) -> None:
    path = write_goals(tmp_path, HAND.replace("BUDGETS", "budgets:\n  cost: {max: 5}\n"))
    result = runner.invoke(app, ["pareto", str(path)])
    assert result.exit_code == 0
    # (1.1 * 1/3 + 0.6 * 2/3 + 0.1 * 1/3 = 0.8)
    assert "hypervolume 0.8 (" in result.stdout
    assert "budgets on cost" in result.stdout


def test_large_fronts_in_few_dimensions_agree_on_both_engines() -> None:
    # From 10,000 points `auto` hands 2-3 dimensions to moocore; the NumPy sweep must agree.
    rng = np.random.default_rng(7)
    x = np.sort(rng.random(12_000))
    pts = np.column_stack([x, 1.0 - x])  # every point on the front
    ref = np.array([1.1, 1.1])
    assert hypervolume(pts, ref) == pytest.approx(hypervolume(pts, ref, engine="numpy"), rel=1e-9)


def _baseline(tmp_path: Path, text: str) -> Path:
    path = write_goals(tmp_path, text)
    result = runner.invoke(app, ["pareto", str(path), "--layers", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    base = tmp_path / "base.json"
    base.write_text(result.stdout)
    return base


def _check(tmp_path: Path, text: str, base: Path, *args: str) -> Any:
    path = tmp_path / "now" / "goals.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return runner.invoke(app, ["check", str(path), "--baseline", str(base), *args])


def test_a_front_that_lost_five_percent_fails_at_two_and_passes_at_ten(tmp_path: Path) -> None:
    before = HAND.replace("BUDGETS", "")
    base = _baseline(tmp_path, before)
    # b's cost 2 -> 2.163 moves it from 1/3 to 0.387667 scaled: the volume 0.71 - 0.5 s falls
    # from 0.543333 to 0.516167, by 5.0 %.
    after = before.replace("quality: 70, cost: 2}", "quality: 70, cost: 2.163}")
    failed = _check(tmp_path, after, base, "--hypervolume-tolerance", "2%", "-f", "json")
    assert failed.exit_code == 1, failed.stderr
    found = [r for r in json.loads(failed.stdout)["regressions"] if r["kind"] == "hypervolume"]
    assert len(found) == 1
    assert found[0]["baseline"] == pytest.approx(0.71 - 0.5 / 3)
    assert found[0]["current"] == pytest.approx(0.71 - 0.5 * (1.163 / 3))
    assert (found[0]["left"], found[0]["joined"]) == ([], [])
    loose = ["--tolerance", "cost=0.2"]  # b's cost alone stays within its own tolerance
    passed = _check(tmp_path, after, base, "--hypervolume-tolerance", "10%", *loose)
    assert passed.exit_code == 0, passed.stdout
    text = _check(tmp_path, after, base, "--hypervolume-tolerance", "2%", *loose, "-f", "github")
    assert text.exit_code == 1
    # (github escapes % as %25, as the Actions toolkit does)
    assert "hypervolume 0.5433 -> 0.5162 (fell 5.0%25; tolerance 2.0%25)" in text.stdout


def test_the_finding_names_who_left_and_who_joined(tmp_path: Path) -> None:
    before = HAND.replace("BUDGETS", "")
    base = _baseline(tmp_path, before)
    # e joins with a better cost and pushes c off the front; the volume grows, so the
    # hypervolume passes, and names them; c's leaving is a regression of its own.
    after = before + "  - {name: e, metrics: {quality: 61, cost: 0.9}}\n"
    out = _check(tmp_path, after, base, "--hypervolume-tolerance", "0%", "-f", "json")
    assert out.exit_code == 1
    assert [r["kind"] for r in json.loads(out.stdout)["regressions"]] == ["left_front"]
    study = tradeoff.load(tmp_path / "now" / "goals.yaml")
    report = study.check_result(baseline=base, hypervolume_tolerance="0%").baseline
    assert report is not None
    (hv,) = [c for c in report.comparisons if c.check == "hypervolume"]
    assert (hv.kind, hv.left, hv.joined) == (None, ("c",), ("e",))
    assert hv.current is not None and hv.baseline is not None and hv.current > hv.baseline
    junit = _check(tmp_path, after, base, "--hypervolume-tolerance", "0%", "-f", "junit")
    names = [c.attrib["name"] for c in ET.fromstring(junit.stdout).iter("testcase")]
    assert "baseline: the front's hypervolume" in names


def test_an_old_baseline_is_refused_only_when_the_flag_asks(tmp_path: Path) -> None:
    base = _baseline(tmp_path, HAND.replace("BUDGETS", ""))
    doc = json.loads(base.read_text())
    del doc["hypervolume"]
    base.write_text(json.dumps(doc))
    text = HAND.replace("BUDGETS", "")
    assert _check(tmp_path, text, base).exit_code == 0
    refused = _check(tmp_path, text, base, "--hypervolume-tolerance", "2%")
    assert refused.exit_code == 2
    assert "has no 'hypervolume'" in refused.stderr


def test_the_tolerance_is_a_percentage(tmp_path: Path) -> None:
    base = _baseline(tmp_path, HAND.replace("BUDGETS", ""))
    for bad in ["2", "x%", "-1%"]:
        result = _check(tmp_path, HAND.replace("BUDGETS", ""), base, "--hypervolume-tolerance", bad)
        assert result.exit_code == 2
        assert "expects PCT%" in result.stderr


def test_four_goals_without_moocore_give_null_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tradeoff.engine import compiled

    monkeypatch.setattr(compiled, "available", lambda: False)
    text = HAND.replace("BUDGETS", "").replace(
        "  cost: {direction: min, unit: USD}\n",
        "  cost: {direction: min, unit: USD}\n  e: {direction: min}\n  f: {direction: min}\n",
    )
    for n in "abcd":
        text = text.replace(f"{{name: {n}, metrics: {{", f"{{name: {n}, metrics: {{e: 1, f: 2, ")
    path = write_goals(tmp_path, text)
    result = runner.invoke(app, ["pareto", str(path), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["hypervolume"]["value"] is None
    assert "4 goals need moocore" in result.stderr
    table = runner.invoke(app, ["pareto", str(path)])
    assert "4 goals need moocore" in table.stdout


@pytest.mark.parametrize("size", [500, 501])
def test_a_six_goal_front_past_the_cap_gives_null_with_a_note(tmp_path: Path, size: int) -> None:
    # Points on the simplex x1 + ... + x6 = 1 are mutually non-dominated: the whole table is
    # the front. Exact 6-goal hypervolume takes seconds past ~1,000 members and minutes at
    # ~5,000; 500 is computed (checked against moocore), 501 is not and says why.
    from tradeoff.engine.hypervolume import MAX_POINTS

    assert MAX_POINTS[6] == 500
    rng = np.random.default_rng(3)
    x = rng.dirichlet(np.ones(6), size)
    names = [f"m{j}" for j in range(6)]
    lines = ["version: 1", "metrics:"] + [f"  {m}: {{direction: min}}" for m in names]
    lines.append("candidates:")
    for i, row in enumerate(x):
        values = ", ".join(f"{m}: {float(v)!r}" for m, v in zip(names, row, strict=True))
        lines.append(f"  - {{name: c{i}, metrics: {{{values}}}}}")
    path = write_goals(tmp_path, "\n".join(lines) + "\n")
    result = runner.invoke(app, ["pareto", str(path), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert len(out["candidates"]) == size
    value = out["hypervolume"]["value"]
    if size > MAX_POINTS[6]:
        assert value is None
        assert f"not computed for a front of {size} in 6 goals" in result.stderr
    else:
        lo, hi = x.min(axis=0), x.max(axis=0)
        scaled = (x - lo) / (hi - lo)
        assert value == pytest.approx(moocore.hypervolume(scaled, ref=np.full(6, 1.1)), rel=1e-9)
