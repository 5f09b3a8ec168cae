"""Issue 17: `tradeoff pareto` on a Parquet table imports neither pandas nor pyarrow.compute nor
pyarrow.dataset (nor pint, no unit being converted): imports were most of its time against a
pandas + moocore script (`bench/parquet_peer.py`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from hostile import _env

CHILD = """
import io, json, runpy, sys
sys.argv = ["tradeoff", "pareto", "goals.yaml", "-f", "json"]
out, sys.stdout, code = sys.stdout, io.StringIO(), 0
try:
    runpy.run_module("tradeoff", run_name="__main__")
except SystemExit as exc:
    code = exc.code
front = [c["name"] for c in json.loads(sys.stdout.getvalue())["candidates"]]
out.write(json.dumps({"code": code, "front": front, "modules": list(sys.modules)}))
"""


def test_pareto_on_parquet_imports_no_pandas(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    n = 2_000
    quality, cost = rng.random(n), rng.random(n)
    names = pa.array([f"run-{i}" for i in range(n)]).dictionary_encode()
    pq.write_table(
        pa.table({"name": names, "quality": quality, "cost": cost}), tmp_path / "t.parquet"
    )
    (tmp_path / "goals.yaml").write_text(
        "version: 1\nmetrics:\n  quality: {direction: max}\n  cost: {direction: min}\n"
        "candidates:\n  - from: t.parquet\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=tmp_path, capture_output=True, text=True, env=_env()
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout)
    assert got["code"] in (None, 0)
    loaded = set(got["modules"])
    for heavy in ("pandas", "pyarrow.compute", "pyarrow.dataset", "pint"):
        assert heavy not in loaded, heavy
    # The front, checked against a brute force: nobody at least as good on both and better on one.
    better = (quality[None, :] >= quality[:, None]) & (cost[None, :] <= cost[:, None])
    strictly = (quality[None, :] > quality[:, None]) | (cost[None, :] < cost[:, None])
    front = {f"run-{i}" for i in np.flatnonzero(~(better & strictly).any(axis=1))}
    assert set(got["front"]) == front
