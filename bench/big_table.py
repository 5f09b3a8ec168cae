"""`tradeoff rank` on 100,000 candidates in every format, next to loading the same file.

Writes a 100,000-row CSV (4 metrics, a latency budget leaving ~80 % feasible) and its goals file
in a temporary folder, then runs `tradeoff validate` (the load alone: the peer every format is
measured against, side by side in each round) and `tradeoff rank -f FORMAT` for table,
markdown, csv and json as whole processes, and prints median wall times and their ratio to the
load. Issue 12: the table took 38 s when the issue was filed (minutes through rich under load).

    python bench/big_table.py [--rows 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GOALS = """\
version: 1
metrics:
  quality: {direction: max, unit: "%"}
  cost: {direction: min, unit: USD/request}
  latency_p95: {direction: min, unit: ms}
  memory: {direction: min, unit: GB}
budgets:
  latency_p95: {max: 4000}
candidates:
  - from: cands.csv
"""


def _write(folder: Path, rows: int) -> None:
    rng = np.random.default_rng(7)
    cols = [
        rng.uniform(20, 90, rows),
        rng.uniform(1e-4, 5e-2, rows),
        rng.uniform(50, 5000, rows),
        rng.uniform(1, 160, rows),
    ]
    lines = [
        f"cand-{i:06d},{q:.3f},{c:.6f},{lat:.1f},{m:.2f}"
        for i, (q, c, lat, m) in enumerate(zip(*cols, strict=True))
    ]
    (folder / "cands.csv").write_text("name,quality,cost,latency_p95,memory\n" + "\n".join(lines))
    (folder / "goals.yaml").write_text(GOALS)


def _wall(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()
    exe = [sys.executable, "-m", "tradeoff"]
    runs = {"validate (load)": ["validate", "goals.yaml"]}
    for fmt in ("table", "markdown", "csv", "json"):
        runs[f"rank -f {fmt}"] = ["rank", "goals.yaml", "-f", fmt]
    times: dict[str, list[float]] = {k: [] for k in runs}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write(folder, opts.rows)
        for _ in range(opts.rounds):
            for name, args in runs.items():
                times[name].append(_wall([*exe, *args], folder))
    load = statistics.median(times["validate (load)"])
    print(f"{opts.rows:,} candidates x 4 metrics, median of {opts.rounds} (whole process)")
    for name, got in times.items():
        median = statistics.median(got)
        print(f"  tradeoff {name:<16} {median:6.2f} s  {median / load:5.1f}x the load")
    loads = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"  load average {loads} (1, 5, 15 min; {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
