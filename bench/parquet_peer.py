"""`tradeoff pareto` on a Parquet table against the 7 lines a user would write instead.

Writes a 100,000-row Parquet file with a name and 4 metrics, and a pandas + moocore script that
finds the same front; runs both as whole processes, interleaved (one of each per round, so a
shared machine slows both alike), and prints the median wall times side by side and their ratio.
The peer's front must equal tradeoff's (checked once, by name).

    python bench/parquet_peer.py [--rounds 9] [--rows 100000]

The first run of each (which also checks the fronts agree) has PYTHONDONTWRITEBYTECODE unset, so
tradeoff's .pyc files are written as `pip install` writes them, as `bench/startup.py` does: the
peer's libraries have theirs, and compiling ~60 modules of source on every run (~60-90 ms here)
is not what an installed tradeoff pays. The timed runs use the environment as it is.

Target (issues 12 and 17): tradeoff pareto no slower than the peer.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _time(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, str]:
    """Wall time, CPU time (user + system) and stdout of one whole process."""
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=True, env=env)
    return time.perf_counter() - start, _cpu() - cpu, done.stdout


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
        warm = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        out = _time(ours, folder, warm)[2]
        peer_out = _time(peer, folder, warm)[2]
        front = sorted(c["name"] for c in json.loads(out)["candidates"])
        assert front == json.loads(peer_out), "the peer's front differs from tradeoff's"
        names = ("tradeoff pareto", "pandas + moocore")
        wall: dict[str, list[float]] = {k: [] for k in names}
        cpu: dict[str, list[float]] = {k: [] for k in names}
        for _ in range(opts.rounds):
            for name, args in zip(names, (ours, peer), strict=True):
                w, c, _ = _time(args, folder)
                wall[name].append(w)
                cpu[name].append(c)
    walls = {k: statistics.median(v) for k, v in wall.items()}
    cpus = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"{opts.rows:,} rows x 4 metrics, front of {len(front)}, {opts.rounds} rounds")
    print("  (after one warm-up run of each that wrote the .pyc files, as pip install does)")
    for name in names:
        print(
            f"  {name:18} {walls[name]:6.3f} s wall, {cpus[name]:6.3f} s CPU"
            " (medians, whole process)"
        )
    ratio = walls[names[0]] / walls[names[1]]
    print(f"  ratio              {ratio:6.2f}x wall (target: at most 1.00x)")
    print(f"                     {cpus[names[0]] / cpus[names[1]]:6.2f}x CPU (user + system)")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"  load average       {load} (1, 5, 15 min; the machine has {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
