"""A Parquet dataset folder (hive partitions) as a `from:` table, read by the default engine."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from conftest import runner, write_goals
from tradeoff.cli.app import app

GOALS = """\
version: 1
metrics:
  quality: {direction: max}
  batch:   {direction: max}
candidates:
  - from: runs
"""


def write(folder: Path, rel: str, table: pa.Table) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


def test_partition_keys_are_columns_and_rows_count_across_files(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    # the name comes from a partition key, a metric from another; files in path order
    write(runs, "name=b/batch=8/part-0.parquet", pa.table({"quality": [0.5]}))
    write(runs, "name=a/batch=16/part-0.parquet", pa.table({"quality": [0.4]}))
    (runs / "_SUCCESS").write_text("")  # skipped, as pyarrow skips it
    goals = write_goals(tmp_path, GOALS)
    result = runner.invoke(app, ["pareto", str(goals), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    front = {c["name"]: c["metrics"] for c in json.loads(result.stdout)["candidates"]}
    assert front == {"a": {"quality": 0.4, "batch": 16.0}, "b": {"quality": 0.5, "batch": 8.0}}


def test_a_bad_cell_is_located_by_its_row_across_the_dataset(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    write(runs, "batch=1/a.parquet", pa.table({"name": ["x", "y"], "quality": [1.0, 2.0]}))
    write(runs, "batch=1/b.parquet", pa.table({"name": ["z"], "quality": [float("nan")]}))
    goals = write_goals(tmp_path, GOALS)
    result = runner.invoke(app, ["pareto", str(goals)])
    assert result.exit_code == 2
    assert "runs row 3, column quality: NaN is not allowed" in result.stderr


def test_a_symlink_inside_and_an_empty_folder_are_refused(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    outside = tmp_path.parent / f"{tmp_path.name}-outside.parquet"
    pq.write_table(pa.table({"name": ["x"], "quality": [1.0], "batch": [1]}), outside)
    runs.mkdir()
    goals = write_goals(tmp_path, GOALS)
    result = runner.invoke(app, ["pareto", str(goals)])
    assert result.exit_code == 2 and "the folder holds no .parquet file" in result.stderr
    (runs / "x.parquet").symlink_to(outside)
    result = runner.invoke(app, ["pareto", str(goals)])
    assert result.exit_code == 2 and "a symlink inside a dataset folder" in result.stderr
    outside.unlink()
