"""`--engine dask` answers as the one-machine engine does, on a local cluster of two processes.

One cluster serves the module (starting one costs seconds); each test points `--scheduler` at it.
The dataset is generated: values on a coarse grid so that scores tie exactly, rows that repeat
another's values (duplicates stay on the front together), scores apart by less than 1e-9 (ordered
by name), nulls, inline candidates beside the folder, and budgets with tags.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import runner, write_goals
from tradeoff.cli.app import app

GOALS = """\
version: 1
metrics:
  quality: {direction: max}
  cost:    {direction: min}
  latency: {direction: min}
  safety:  {direction: max, range: [0, 10]}
budgets:
  latency: {max: 4}
  cost:    {max: 21, tags: [cheap]}
profiles:
  default: {quality: 3, cost: 2, safety: 1}
  speed:   {latency: 2, quality: 1}
candidates:
  - name: inline-a
    metrics: {quality: 15, cost: 5, latency: 2, safety: 3}
  - from: runs
    tags: [cheap]
  - name: inline-b
    metrics: {quality: 12, cost: 3, latency: 2, safety: 3}
"""


def write_dataset(folder: Path, seed: int = 7) -> None:
    """Hive partitions release=1..3, two files each; the name column from the files."""
    rng = np.random.default_rng(seed)
    for release in (1, 2, 3):
        for part in (0, 1):
            n = 120
            names = [f"r{release}-{part}-{i:03d}" for i in range(n)]
            cols: dict[str, Any] = {"name": names}
            for metric, top in (("quality", 20), ("cost", 20), ("latency", 5), ("safety", 5)):
                x = rng.integers(1, top + 1, n).astype(np.float64)
                if metric == "quality":
                    x[:3] = 20 + np.array([0.0, 1e-12, 2e-12])  # apart by far less than 1e-9
                if metric == "cost":  # quality costs: a trade-off, so the front is wide
                    x = np.nan_to_num(cols["quality"].to_numpy(zero_copy_only=False), nan=9).round()
                    x = x + rng.integers(0, 4, n)
                cols[metric] = pa.array(x, mask=rng.random(n) < 0.03)
            folder.joinpath(f"release={release}").mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.table(cols), folder / f"release={release}" / f"part-{part}.parquet")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def goals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("dask")
    write_dataset(tmp / "runs")
    return write_goals(tmp, GOALS)


def run(args: list[str]) -> tuple[int, str, str]:
    result = runner.invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def both(goals: Path, scheduler: str, args: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    plain = [*args[:1], str(goals), *args[1:], "-f", "json"]
    one = run(plain)
    dask = run([*plain, "--engine", "dask", "--scheduler", scheduler])
    assert one[0] == 0, one[2]
    assert dask[0] == 0, dask[2]
    return json.loads(one[1]), json.loads(dask[1])


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def same_candidates(one: list[dict[str, Any]], dask: list[dict[str, Any]]) -> None:
    assert [c["name"] for c in dask] == [c["name"] for c in one]
    for a, b in zip(one, dask, strict=True):
        assert close(a.get("score"), b.get("score")), (a["name"], a.get("score"), b.get("score"))
        assert all(close(a["normalized"][m], b["normalized"][m]) for m in a.get("normalized", {}))
        rest = {k: v for k, v in a.items() if k not in ("score", "normalized")}
        assert rest == {k: v for k, v in b.items() if k not in ("score", "normalized")}


@pytest.mark.parametrize(
    "args",
    [
        ["--missing", "exclude"],
        ["--missing", "worst"],
        ["--missing", "worst", "--metrics", "quality,cost"],
        ["--missing", "exclude", "--ignore-budgets"],
    ],
)
def test_pareto_equals_one_machine(goals: Path, scheduler: str, args: list[str]) -> None:
    one, dask = both(goals, scheduler, ["pareto", *args])
    assert len(one["candidates"]) > 5
    same_candidates(one["candidates"], dask["candidates"])
    assert dask == {**one, "candidates": dask["candidates"]}
    # duplicates: two rows with the same values are both on the front, in both engines
    values = [json.dumps(c["metrics"], sort_keys=True) for c in one["candidates"]]
    if args == ["--missing", "worst", "--metrics", "quality,cost"]:
        assert len(set(values)) < len(values)


@pytest.mark.parametrize(
    "args",
    [
        ["--missing", "exclude"],
        ["--missing", "worst"],
        ["--missing", "worst", "--method", "weighted-product", "--profile", "speed"],
        ["--missing", "exclude", "--method", "weighted-product", "--metrics", "quality,latency"],
    ],
)
def test_rank_top_20_equals_one_machine(goals: Path, scheduler: str, args: list[str]) -> None:
    one, dask = both(goals, scheduler, ["rank", *args, "--top", "20"])
    assert len(dask["candidates"]) == 20
    same_candidates(one["candidates"], dask["candidates"])
    scores = [c["score"] for c in one["candidates"]]
    assert len(set(scores)) < len(scores)  # exact ties, ordered by name
    assert dask["infeasible"] == one["infeasible"]  # the first 20 in file order
    assert dask["infeasible_count"] == one["infeasible_count"] > 20
    assert dask["excluded"] == one["excluded"]
    for key in ("profile", "method", "weights"):
        assert dask[key] == one[key]


def test_scores_within_1e_9_are_ordered_by_name(goals: Path, scheduler: str) -> None:
    # Weighted on quality alone: the rows made 1e-12 apart tie with the plain 5s, by name.
    weights = ["--weight", "cost=0", "--weight", "safety=0", "--missing", "exclude", "--top", "10"]
    one, dask = both(goals, scheduler, ["rank", *weights])
    top = [c["name"] for c in dask["candidates"]]
    assert top == sorted(top)
    assert all(c["metrics"]["quality"] >= 20 for c in dask["candidates"])
    assert len({c["metrics"]["quality"] for c in dask["candidates"]}) > 1
    same_candidates(one["candidates"], dask["candidates"])


def test_missing_error_names_the_same_rows(goals: Path, scheduler: str) -> None:
    one = run(["rank", str(goals), "--top", "20"])
    dask = run(["rank", str(goals), "--top", "20", "--engine", "dask", "--scheduler", scheduler])
    assert one[0] == dask[0] == 2
    assert dask[2] == one[2]
    assert "(runs row " in dask[2]


def test_weighted_product_refuses_the_same_values(tmp_path: Path, scheduler: str) -> None:
    # A value of 0, and one that --missing worst fills with 0: both engines name both cells
    # in the same words (one helper writes the message for the two).
    path = write_goals(
        tmp_path,
        "version: 1\nmetrics:\n  quality: {direction: max}\n  cost: {direction: min}\n"
        "candidates:\n"
        "  - {name: a, metrics: {quality: 0, cost: 1}}\n"
        "  - {name: b, metrics: {quality: 5, cost: 2}}\n"
        "  - {name: c, metrics: {cost: 3}}\n",
    )
    args = ["rank", str(path), "--method", "weighted-product", "--missing", "worst", "--top", "3"]
    one = run(args)
    dask = run([*args, "--engine", "dask", "--scheduler", scheduler])
    assert one == dask
    assert one[:2] == (2, "")
    assert one[2] == (
        f"{path}:6:34: a.quality: weighted-product needs positive values, got 0\n"
        f"{path}:8:15: c.quality: weighted-product needs positive values, got 0 (no value in the"
        " file: --missing worst filled in the worst value)\n"
    )


def test_unsupported_combinations_exit_2_naming_them(goals: Path, scheduler: str) -> None:
    dask = ["--engine", "dask", "--scheduler", scheduler]
    cases = {
        ("rank", "--top", "5", "--method", "topsis"): "--method topsis",
        ("rank", "--missing", "worst"): "rank without --top N",
        ("rank", "--top", "5", "--all"): "--all",
        ("rank", "--top", "5", "--uncertainty"): "--uncertainty",
        ("pareto", "--layers"): "--layers",
        ("pareto", "--noise", "1"): "--noise",
    }
    for args, named in cases.items():
        code, out, err = run([args[0], str(goals), *args[1:], *dask])
        assert (code, out) == (2, ""), err
        assert f"--engine dask does not support {named}" in err, err
    code, out, err = run(["pareto", str(goals), "--scheduler", scheduler])
    assert (code, out) == (2, "") and "--scheduler goes with --engine dask" in err


def test_without_dask_the_flag_says_how_to_install_it(
    goals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    code, out, err = run(["pareto", str(goals), "--engine", "dask"])
    assert (code, out) == (2, "")
    assert "pip install 'tradeoff[dask]'" in err


def test_the_default_engine_imports_no_dask(goals: Path) -> None:
    import subprocess

    code = (
        "import sys, contextlib, io\n"
        "from tradeoff.cli.app import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    app(['pareto', {str(goals)!r}, '--missing', 'exclude'], standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_name_in_two_files_is_refused_as_one_machine_refuses_it(
    tmp_path: Path, scheduler: str
) -> None:
    runs = tmp_path / "runs"
    for k, names in enumerate((["a", "b"], ["c", "d"], ["e", "b"])):
        runs.joinpath(f"k={k}").mkdir(parents=True)
        table = pa.table({"name": names, "quality": [1.0, 2.0], "cost": [1.0, 2.0]})
        pq.write_table(table, runs / f"k={k}" / "part.parquet")
    goals = write_goals(
        tmp_path,
        "version: 1\nmetrics:\n  quality: {direction: max}\n  cost: {direction: min}\n"
        "candidates:\n  - from: runs\n",
    )
    one = run(["pareto", str(goals)])
    dask = run(["pareto", str(goals), "--engine", "dask", "--scheduler", scheduler])
    assert one[0] == dask[0] == 2
    assert "duplicate name 'b'" in one[2]
    assert "duplicate candidate name 'b' (also runs row 2)" in dask[2], dask[2]
    assert "runs row 6" in dask[2]


def test_nothing_feasible_names_the_same_closest(goals: Path, scheduler: str) -> None:
    # Every latency is 1 or more: nobody passes; distances tie often (integer values), by name.
    strict = goals.with_name("strict.yaml")
    strict.write_text(GOALS.replace("latency: {max: 4}", "latency: {max: 0.5}"))
    args = ["rank", str(strict), "--top", "20", "--missing", "exclude", "-f", "json"]
    one = run(args)
    dask = run([*args, "--engine", "dask", "--scheduler", scheduler])
    assert one[0] == dask[0] == 0, dask[2]
    a, b = json.loads(one[1]), json.loads(dask[1])
    assert a["candidates"] == b["candidates"] == []
    assert len(b["closest"]) == 3
    assert b["closest"] == a["closest"]
    near = [ln for ln in one[2].splitlines() if "closest to feasible" in ln]
    assert near and near == [ln for ln in dask[2].splitlines() if "closest to feasible" in ln]


def test_values_on_another_scale_are_warned_about_as_one_machine(
    tmp_path: Path, scheduler: str
) -> None:
    runs = tmp_path / "runs"
    rng = np.random.default_rng(3)
    for k in range(3):
        accuracy = rng.uniform(40, 90, 50)
        if k:
            accuracy[[4, 9, 30]] = [0.61, 0.72, 0.55]  # fractions among percentages: six in all
        runs.joinpath(f"k={k}").mkdir(parents=True)
        names = [f"m{k}-{i:02d}" for i in range(50)]
        table = pa.table({"name": names, "accuracy": accuracy, "cost": rng.uniform(1, 9, 50)})
        pq.write_table(table, runs / f"k={k}" / "part.parquet")
    goals = write_goals(
        tmp_path,
        "version: 1\nmetrics:\n  accuracy: {direction: max, unit: '%'}\n"
        "  cost: {direction: min}\ncandidates:\n  - from: runs\n"
        "  - name: inline\n    metrics: {accuracy: 0.5, cost: 2}\n",
    )
    for command in (["pareto"], ["rank", "--top", "20"]):
        args = [command[0], str(goals), *command[1:], "-f", "json"]
        one = run(args)
        dask = run([*args, "--engine", "dask", "--scheduler", scheduler])
        assert one[0] == dask[0] == 0, dask[2]
        warned = [ln for ln in one[2].splitlines() if ln.startswith("warning:")]
        assert len(warned) == 4 and "and 4 more values like these" in warned[-1], one[2]
        assert [ln for ln in dask[2].splitlines() if ln.startswith("warning:")] == warned


def test_what_it_does_not_compute_is_said(goals: Path, scheduler: str) -> None:
    # An inline stderr: one machine adds a confidence line; the dask engine says it does not.
    noisy = goals.with_name("noisy.yaml")
    noisy.write_text(GOALS.replace("{quality: 15,", "{quality: {value: 15, stderr: 2},"))
    args = ["rank", "--top", "5", "--missing", "exclude"]
    one = run([args[0], str(noisy), *args[1:]])
    dask = run([args[0], str(noisy), *args[1:], "--engine", "dask", "--scheduler", scheduler])
    assert one[0] == dask[0] == 0, dask[2]
    assert "leads with p=" in one[1] and "leads with p=" not in dask[1]
    assert "not computed with --engine dask" in dask[2]
    dask_json = ["-f", "json", "--engine", "dask", "--scheduler", scheduler]
    code, out, _ = run([*args[:1], str(noisy), *args[1:], *dask_json])
    assert code == 0 and set(json.loads(out)["not_computed"]) == {"confidence"}
    quiet = run([args[0], str(goals), *args[1:], *dask_json])
    assert (json.loads(quiet[1])["engine"], json.loads(quiet[1])["not_computed"]) == ("dask", {})
    assert "not computed" not in quiet[2]


def test_the_table_does_not_point_at_all_which_the_engine_refuses(
    goals: Path, scheduler: str
) -> None:
    args = ["rank", str(goals), "--top", "5", "--missing", "exclude"]
    one = run(args)
    dask = run([*args, "--engine", "dask", "--scheduler", scheduler])
    assert "infeasible (see --all): " in one[1]
    assert "see --all" not in dask[1]
    assert "(--format json lists the first 5)" in dask[1]
