"""`--engine dask` at 10^7 rows x 6 metrics, next to the one-machine engine at 10^6.

Writes a partitioned Parquet dataset (hive folders `shard=K/`, one file of CHUNK rows each,
generated chunk by chunk so this script never holds the dataset either) into a temporary folder,
then times `tradeoff pareto` and `tradeoff rank --top 20` in a child process each and reports
the child's peak memory (the client: with the default local cluster the scheduler lives there
too; the workers are processes of their own). The temporary folder is removed afterwards.

    python bench/dask_scale.py [--rows 10000000] [--chunk 500000] [--scheduler tcp://...]

Figures depend on the machine and on what else runs on it; quote them with both.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS = """\
version: 1
metrics:
  quality: {direction: max}
  cost:    {direction: min}
  latency: {direction: min}
  memory:  {direction: min}
  energy:  {direction: min}
  safety:  {direction: max, range: [0, 1]}
budgets:
  latency: {max: 0.95}
candidates:
  - from: data
"""

CHILD = """\
import json, resource, sys, time
from tradeoff.cli.app import app
start = time.perf_counter()
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(json.dumps({"seconds": time.perf_counter() - start, "peak_mib": peak}), file=sys.stderr)
"""


def write_dataset(folder: Path, rows: int, chunk: int, seed: int = 0) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    for k, start in enumerate(range(0, rows, chunk)):
        n = min(chunk, rows - start)
        columns = {"name": pa.array([f"c{i}" for i in range(start, start + n)])}
        for metric in ("quality", "cost", "latency", "memory", "energy", "safety"):
            columns[metric] = pa.array(rng.random(n))
        (folder / f"shard={k:04d}").mkdir(parents=True)
        pq.write_table(pa.table(columns), folder / f"shard={k:04d}" / "part-0.parquet")


def run(args: list[str]) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(proc.stderr.strip().splitlines()[-1])
    figures["shown"] = len(json.loads(proc.stdout)["candidates"])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=500_000)
    parser.add_argument("--scheduler", default=None)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tradeoff-dask-") as tmp:
        base = Path(tmp)
        for label, rows in (("big", opts.rows), ("small", opts.small)):
            t = time.perf_counter()
            (base / label).mkdir()
            write_dataset(base / label / "data", rows, opts.chunk)
            (base / label / "goals.yaml").write_text(GOALS)
            print(f"wrote {rows:,} rows x 6 metrics in {time.perf_counter() - t:.0f} s", flush=True)
        dask = ["--engine", "dask", *(["--scheduler", opts.scheduler] if opts.scheduler else [])]
        cases = [
            ("pareto", "small", "default", []),
            ("rank --top 20", "small", "default", []),
            ("pareto", "big", "dask", dask),
            ("rank --top 20", "big", "dask", dask),
        ]
        print(
            f"{'command':<15}{'rows':>12}  {'engine':<8}{'wall s':>8}{'client MiB':>12}{'shown':>7}"
        )
        for command, label, engine, extra in cases:
            goals = str(base / label / "goals.yaml")
            args = [*command.split()[:1], goals, *command.split()[1:], "-f", "json", *extra]
            got = run(args)
            rows = opts.rows if label == "big" else opts.small
            print(
                f"{command:<15}{rows:>12,}  {engine:<8}{got['seconds']:>8.1f}"
                f"{got['peak_mib']:>12.0f}{int(got['shown']):>7}",
                flush=True,
            )


if __name__ == "__main__":
    main()
