"""`tradeoff pareto` on a Parquet table against the 7 lines a user would write instead.

Writes a 100,000-row Parquet file with a name and 4 metrics, and a pandas + moocore script that
finds the same front; runs both as whole processes, interleaved (one of each per round, so a
shared machine slows both alike), and prints the median wall times side by side and their ratio.
The peer's front must equal tradeoff's (checked once, by name).

    python bench/parquet_peer.py [--rounds 9] [--rows 100000]

Target (issues 12 and 17): tradeoff pareto no slower than the peer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PEER = """\
import sys, json, pandas as pd, moocore
df = pd.read_parquet(sys.argv[1], columns=["name", "quality", "cost", "latency", "memory"])
x = df[["quality", "cost", "latency", "memory"]].to_numpy(dtype=float)
front = moocore.is_nondominated(x, maximise=[True, False, False, False], keep_weakly=True)
print(json.dumps(sorted(df["name"][front].tolist())))
"""

GOALS = """\
version: 1
metrics:
  quality: {direction: max}
  cost: {direction: min}
  latency: {direction: min}
  memory: {direction: min}
candidates:
  - from: sweep.parquet
"""


def _write(folder: Path, rows: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    table = pa.table(
        {
            "name": [f"run-{i}" for i in range(rows)],
            "quality": rng.random(rows) * 100,
            "cost": rng.random(rows),
            "latency": rng.random(rows) * 1000,
            "memory": rng.random(rows) * 80,
        }
    )
    pq.write_table(table, folder / "sweep.parquet")
    (folder / "goals.yaml").write_text(GOALS)
    (folder / "peer.py").write_text(PEER)


def _time(args: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--rows", type=int, default=100_000)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write(folder, opts.rows)
        ours = [sys.executable, "-m", "tradeoff", "pareto", "goals.yaml", "-f", "json"]
        peer = [sys.executable, "peer.py", "sweep.parquet"]
        _, out = _time(ours, folder)
        _, peer_out = _time(peer, folder)
        front = sorted(c["name"] for c in json.loads(out)["candidates"])
        assert front == json.loads(peer_out), "the peer's front differs from tradeoff's"
        times: dict[str, list[float]] = {"tradeoff pareto": [], "pandas + moocore": []}
        for _ in range(opts.rounds):
            times["tradeoff pareto"].append(_time(ours, folder)[0])
            times["pandas + moocore"].append(_time(peer, folder)[0])
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"{opts.rows:,} rows x 4 metrics, front of {len(front)}, {opts.rounds} rounds")
    for name, seconds in medians.items():
        print(f"  {name:18} {seconds:6.3f} s (median wall time of the whole process)")
    ratio = medians["tradeoff pareto"] / medians["pandas + moocore"]
    print(f"  ratio              {ratio:6.2f}x (target: at most 1.00x)")


if __name__ == "__main__":
    main()
