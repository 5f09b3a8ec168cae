"""bench/dask_scale.py's dataset: written in files of CHUNK rows, read back whole, and reused."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq

from conftest import runner
from tradeoff.cli.app import app

BENCH = Path(__file__).parent.parent / "bench" / "dask_scale.py"


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dask_scale", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dataset_is_written_in_chunks_and_reused(tmp_path: Path) -> None:
    b = bench()
    folder = tmp_path / "d"
    assert b.dataset(folder, rows=1000, chunk=300, seed=1) == "written"
    files = sorted(folder.glob("data/shard=*/part-0.parquet"))
    assert [pq.read_metadata(f).num_rows for f in files] == [300, 300, 300, 100]
    assert not folder.with_name("d.partial").exists()
    stamp = [f.stat().st_mtime_ns for f in files]
    assert b.dataset(folder, rows=1000, chunk=300, seed=1) == "reused"
    assert [f.stat().st_mtime_ns for f in files] == stamp
    result = runner.invoke(app, ["rank", str(folder / "goals.yaml"), "--top", "3", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    feasible = 1000 - doc["infeasible_count"]
    assert 700 < feasible < 1000  # the budgets cut some rows, not most
    # Another size is another dataset: written again, not mistaken for the first.
    assert b.dataset(folder, rows=900, chunk=300, seed=1) == "written"
    assert len(list(folder.glob("data/shard=*/part-0.parquet"))) == 3
