"""The mixture frontier: hand-computed hulls, targets re-verified by recomputing the mix."""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, runner, write_goals
from tradeoff.cli.app import app
from tradeoff.questions.frontier import efficient_hull, frontier

# Three models on a line (A, B, C: quality rises 5 points per cent of cost) and one below it (D).
# By hand: the hull is A-C; B lies on the edge A-C (neither vertex nor beaten); at D's cost 4 the
# mix with share s of C solves 1 + 4s = 4, s = 0.75, quality 0.25*60 + 0.75*80 = 75 > 72.
# E (cost 4, quality 50) is dominated by B, so it is not a front member and not "beaten".
LINE = """\
version: 1
metrics:
  quality: {direction: max, unit: "%", additive: true}
  cost:    {direction: min, unit: USD/request, additive: true}
  p95:     {direction: min, unit: ms}
candidates:
  - {name: A, metrics: {quality: 60, cost: 1, p95: 100}}
  - {name: B, metrics: {quality: 70, cost: 3, p95: 100}}
  - {name: C, metrics: {quality: 80, cost: 5, p95: 100}}
  - {name: D, metrics: {quality: 72, cost: 4, p95: 100}}
  - {name: E, metrics: {quality: 50, cost: 4, p95: 100}}
"""


def _run(path: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(app, ["frontier", str(path), "--format", "json", *args])
    assert result.exit_code == 0, result.stderr
    out: dict[str, object] = json.loads(result.stdout)
    return out


def test_hand_computed_line_with_one_below(tmp_path: Path) -> None:
    out = _run(write_goals(tmp_path, LINE), "--x", "cost", "--y", "quality")
    assert out["hull"] == ["A", "C"]
    assert out["beaten_by_mix"] == [{"name": "D", "by": ["A", "C"], "share": 0.75}]
    assert out["target"] is None


def test_target_split_reproduces_the_target_when_recomputed(tmp_path: Path) -> None:
    out = _run(write_goals(tmp_path, LINE), "--target", "quality=75")
    target = out["target"]
    assert isinstance(target, dict)
    points = {"A": (1.0, 60.0), "B": (3.0, 70.0), "C": (5.0, 80.0), "D": (4.0, 72.0)}
    mix = {m["name"]: m["share"] for m in target["mix"]}
    assert set(mix) == {"A", "C"} and abs(sum(mix.values()) - 1) < 1e-12
    cost = sum(points[n][0] * s for n, s in mix.items())
    quality = sum(points[n][1] * s for n, s in mix.items())
    assert abs(quality - 75.0) < 1e-9
    assert abs(cost - target["x"]) < 1e-9 and abs(cost - 4.0) < 1e-9
    assert (target["cheapest_single"], target["cheapest_single_x"]) == ("C", 5.0)


def test_target_the_cheapest_vertex_meets_is_a_single_model(tmp_path: Path) -> None:
    out = _run(write_goals(tmp_path, LINE), "--target", "quality=55")
    assert out["target"] == {
        "metric": "quality", "value": 55.0, "x": 1.0, "mix": [{"name": "A", "share": 1.0}],
        "cheapest_single": "A", "cheapest_single_x": 1.0,
    }  # fmt: skip


def test_unreachable_target(tmp_path: Path) -> None:
    out = _run(write_goals(tmp_path, LINE), "--target", "quality=90")
    assert out["target"] == {
        "metric": "quality", "value": 90.0, "x": None, "mix": [],
        "cheapest_single": None, "cheapest_single_x": None,
    }  # fmt: skip


def test_non_additive_metric_is_refused_by_name(tmp_path: Path) -> None:
    result = runner.invoke(app, ["frontier", str(write_goals(tmp_path, LINE)), "--x", "p95"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'p95' is not additive" in result.stderr


def test_target_must_be_on_y(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["frontier", str(write_goals(tmp_path, LINE)), "--target", "cost=2"]
    )
    assert result.exit_code == 2 and "--target must be on the y metric" in result.stderr


def test_infeasible_candidates_take_no_part(tmp_path: Path) -> None:
    text = LINE.replace("candidates:", "budgets:\n  cost: {max: 4.5}\ncandidates:")
    out = _run(write_goals(tmp_path, text))
    # C breaks the budget: the hull is now A, B, D.
    assert out["hull"] == ["A", "B", "D"]
    assert out["beaten_by_mix"] == []


def test_max_metric_on_x_lists_vertices_in_increasing_x() -> None:
    names = ["A", "C", "D"]
    x = np.array([-1.0, -5.0, -4.0])  # "savings": larger is better
    y = np.array([60.0, 80.0, 72.0])
    vertices, beaten, _ = frontier(names, x, y, x_max=True, y_max=True)
    assert [names[v] for v in vertices] == ["C", "A"]
    ((i, v0, v1, share),) = beaten
    assert (names[i], names[v0], names[v1]) == ("D", "C", "A")
    assert abs((1 - share) * x[v0] + share * x[v1] - x[i]) < 1e-12


coords = st.integers(min_value=0, max_value=20).map(float)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(coords, coords), min_size=1, max_size=25))
def test_hull_invariants(points: list[tuple[float, float]]) -> None:
    names = [f"m{i:02d}" for i in range(len(points))]
    x = np.array([p[0] for p in points])  # cost: smaller is better
    y = np.array([p[1] for p in points])  # quality: larger is better
    vertices, beaten, _ = frontier(names, x, y, x_max=False, y_max=True)
    hull = sorted(vertices, key=lambda v: x[v])
    # Vertices rise strictly in both x and y (the efficient part only) and turn strictly.
    for a, b in itertools.pairwise(hull):
        assert x[a] < x[b] and y[a] < y[b]
    for a, b, c in zip(hull, hull[1:], hull[2:], strict=False):
        cross = (x[b] - x[a]) * (y[c] - y[a]) - (y[b] - y[a]) * (x[c] - x[a])
        assert cross < 0
    # No candidate lies strictly above the hull within its x range.
    for i in range(len(points)):
        for a, b in itertools.pairwise(hull):
            if x[a] <= x[i] <= x[b]:
                level = y[a] + (y[b] - y[a]) * (x[i] - x[a]) / (x[b] - x[a])
                assert y[i] <= level + 1e-9
    # Each beaten candidate: the mix at its x gives strictly more y.
    for i, v0, v1, s in beaten:
        assert x[v0] <= x[i] <= x[v1]
        assert abs((1 - s) * x[v0] + s * x[v1] - x[i]) < 1e-9
        assert (1 - s) * y[v0] + s * y[v1] > y[i]


def test_identical_points_are_one_vertex() -> None:
    a = np.array([1.0, 1.0, 2.0])
    b = np.array([5.0, 5.0, 6.0])
    assert efficient_hull(a, b, ["x", "w", "z"]) == [1, 2]


def test_table_names_who_dominates_a_candidate_off_the_hull(tmp_path: Path) -> None:
    text = """version: 1
metrics:
  quality: {direction: max, additive: true}
  cost: {direction: min, additive: true}
candidates:
  - {name: A, metrics: {quality: 50, cost: 1}}
  - {name: B, metrics: {quality: 70, cost: 2}}
  - {name: C, metrics: {quality: 80, cost: 5}}
  - {name: F, metrics: {quality: 60, cost: 3}}
  - {name: G, metrics: {quality: 45, cost: 4}}
"""
    path = write_goals(tmp_path, text)
    out = runner.invoke(app, ["frontier", str(path), "--x", "cost", "--y", "quality"]).stdout
    lines = out.splitlines()
    assert set(lines[2]) == {"─"}  # a rule under the header, as every other table has
    roles = {line.split()[0]: " ".join(line.split()[3:]) for line in lines[3:8]}
    # F: B is cheaper and better. G: A, B and F all beat it; B is the best of them on quality.
    assert roles == {
        "A": "hull vertex",
        "B": "hull vertex",
        "F": "dominated",
        "G": "dominated",
        "C": "hull vertex",
    }
    assert lines[8:10] == [
        "F is dominated by B (better on cost and quality)",
        "G is dominated by B (better on cost and quality)",
    ]


# Who beats whom, on which metrics: H and J tie others on one metric. By hand (cost down,
# quality up): H (cost 2, quality 60) is dominated by B (cost 2, quality 70: better on quality
# only) and A (cost 1, quality 60: better on cost only); J (cost 5, quality 70) by C (cost 5,
# quality 80: quality only), D (cost 4, quality 71: both) and B (cost 2, quality 70: cost
# only), best on quality first. The
# hull is A-B-C; D (cost 4) is below the B-C edge: 2 + 3s = 4 gives s = 2/3 of C, quality
# 70 + 10 * 2/3 = 76.7 > 71.
TIES = """version: 1
metrics:
  quality: {direction: max, unit: "%", additive: true}
  cost: {direction: min, unit: USD/request, additive: true}
candidates:
  - {name: A, metrics: {quality: 60, cost: 1}}
  - {name: B, metrics: {quality: 70, cost: 2}}
  - {name: C, metrics: {quality: 80, cost: 5}}
  - {name: D, metrics: {quality: 71, cost: 4}}
  - {name: H, metrics: {quality: 60, cost: 2}}
  - {name: J, metrics: {quality: 70, cost: 5}}
"""


def test_dominated_names_only_the_metrics_where_the_rival_is_strictly_better(
    tmp_path: Path,
) -> None:
    path = write_goals(tmp_path, TIES)
    out = runner.invoke(app, ["frontier", str(path), "--x", "cost", "--y", "quality"]).stdout
    assert "H is dominated by B (better on quality)" in out.splitlines()
    assert "J is dominated by C (better on quality)" in out.splitlines()
    md = runner.invoke(app, ["frontier", str(path), "-f", "markdown"]).stdout
    assert "| H | 2 | 60 | dominated by B (better on quality) |" in md
    assert "and quality" not in md.replace("cost and quality)", "")


def test_beaten_by_in_csv_and_json(tmp_path: Path) -> None:
    path = write_goals(tmp_path, TIES)
    out = _run(path, "--x", "cost", "--y", "quality")
    got = {
        c["name"]: (c["hull"], c["dominated"], c["beaten_by"], c["share"])
        for c in out["candidates"]
    }
    assert got.pop("D") == (False, False, ["B", "C"], pytest.approx(2 / 3, abs=1e-12))
    assert got == {
        "A": (True, False, [], None),
        "B": (True, False, [], None),
        "C": (True, False, [], None),
        "H": (False, True, ["B", "A"], None),
        "J": (False, True, ["C", "D", "B"], None),
    }
    assert out["candidates"][3]["metrics"] == {"cost": 4.0, "quality": 71.0}
    assert [b["by"] for b in out["beaten_by_mix"]] == [["B", "C"]]  # as before
    args = ["frontier", str(path), "--x", "cost", "--y", "quality", "-f", "csv"]
    rows = list(csv.reader(io.StringIO(runner.invoke(app, args).stdout)))
    assert rows[0] == [
        "name", "cost [USD/request]", "quality [%]", "hull", "dominated", "beaten_by", "share"
    ]  # fmt: skip
    by = {r[0]: (r[3], r[4], r[5], r[6]) for r in rows[1:]}
    assert by["D"][:3] == ("false", "false", "B;C") and float(by["D"][3]) == pytest.approx(2 / 3)
    assert by["H"] == ("false", "true", "B;A", "")
    assert by["A"] == ("true", "false", "", "")


def test_long_names_wrap_after_their_separators_instead_of_being_cut(tmp_path: Path) -> None:
    path = Path(__file__).parent.parent / "examples" / "self-hosted-sweep.yaml"
    names = [c["name"] for c in _run(path)["candidates"]]
    for width in (50, 80):
        args = ["frontier", str(path), "--x", "cost", "--y", "quality"]
        out = runner.invoke(app, args, env={"COLUMNS": str(width)}).stdout
        assert "…" not in out
        lines = out.splitlines()
        rule = next(k for k, line in enumerate(lines) if line.startswith("─"))
        table = lines[rule + 1 : rule + 1 + 2 * len(names)]
        if width == 80:  # room for every name whole
            assert sorted(line.split()[0] for line in table[: len(names)]) == sorted(names)
        else:  # a name on two lines, broken after a '-'
            pieces = [line.split()[0] for line in table]
            whole = [a + b for a, b in zip(pieces[::2], pieces[1::2], strict=True)]
            assert sorted(whole) == sorted(names)
            assert all(p.endswith("-") for p in pieces[::2])


def test_a_non_finite_target_is_a_usage_error(tmp_path: Path) -> None:
    path = write_goals(tmp_path, LINE)
    for bad in ("nan", "inf", "-inf"):
        args = [
            "frontier",
            str(path),
            "--x",
            "cost",
            "--y",
            "quality",
            "--target",
            f"quality={bad}",
        ]
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and result.stdout == ""
        assert f"--target needs a finite value, got '{bad}'" in result.stderr


THREE = """version: 1
metrics:
  quality: {direction: max, additive: true}
  cost: {direction: min, additive: true}
candidates:
  - {name: cheap, metrics: {quality: 50, cost: 1}}
  - {name: mid, metrics: {quality: 75, cost: 2}}
  - {name: edge, metrics: {quality: 90, cost: 5}}
"""


def test_a_target_met_exactly_at_a_vertex_is_that_model_alone(tmp_path: Path) -> None:
    path = write_goals(tmp_path, THREE)
    out = _run(path, "--target", "quality=75")["target"]
    assert (out["x"], out["mix"]) == (2.0, [{"name": "mid", "share": 1.0}])


def test_the_mix_is_listed_in_increasing_x_whatever_the_directions(tmp_path: Path) -> None:
    path = write_goals(tmp_path, THREE)
    args = ["frontier", str(path), "--x", "quality", "--y", "cost", "--target", "cost=1.5"]
    out = json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)["target"]
    assert out["x"] == 62.5
    assert out["mix"] == [{"name": "cheap", "share": 0.5}, {"name": "mid", "share": 0.5}]


def test_missing_values_are_shown_as_rank_shows_them(tmp_path: Path) -> None:
    path = write_goals(
        tmp_path,
        """
        version: 1
        metrics:
          quality: {direction: max, additive: true, unit: "%"}
          cost: {direction: min, additive: true, unit: USD}
        candidates:
          - {name: a, metrics: {quality: 50, cost: 1}}
          - {name: b, metrics: {quality: 70}}
          - {name: c, metrics: {quality: 80, cost: 5}}
        """,
    )
    args = ["frontier", str(path), "--x", "cost", "--y", "quality", "--missing"]
    out = runner.invoke(app, [*args, "exclude"]).stdout
    assert out.splitlines()[-1] == "excluded by --missing exclude: b (no cost)"
    doc = json.loads(runner.invoke(app, [*args, "exclude", "-f", "json"]).stdout)
    assert doc["excluded"] == [{"name": "b", "missing": ["cost"]}]
    out = runner.invoke(app, [*args, "worst"]).stdout
    assert "b            5*      70 dominated" in out.splitlines()
    assert out.splitlines()[-1] == "* no value: --missing worst charged the worst value"
    md = runner.invoke(app, [*args, "worst", "-f", "markdown"]).stdout
    assert "| b | 5* | 70 |" in md


def test_a_narrow_terminal_wraps_the_unit_after_its_slash(tmp_path: Path) -> None:
    args = ["frontier", str(ROOT / "goals.yaml"), "--x", "cost", "--y", "quality"]
    out = runner.invoke(app, args, env={"COLUMNS": "40"}).stdout
    assert "…" not in out
    assert out.splitlines()[1:4] == [
        "                cost",
        "                USD/ quality",
        "candidate    request       % role",
    ]
