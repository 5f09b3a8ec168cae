"""`--engine dask` at 10^7 rows x 6 metrics, next to the one-machine engine at 10^6.

    python bench/dask_scale.py [--rows 10000000] [--small 1000000] [--chunk 500000]
                               [--data DIR] [--scheduler tcp://...]

The data. Uniform independent metrics are not what a sweep looks like, and in 6 dimensions they
make a front of thousands of rows whose exact hypervolume alone takes minutes. The rows here are
configurations drawn from four latent factors, as in a real sweep:

- model size s ~ U(0, 1): quality, cost, latency, memory and energy all grow with it;
- quantization q in {int4, int8, fp8, bf16}: a little quality for less memory, cost and time;
- GPU tier h in 6 steps: less latency for more cost and energy;
- engineering e ~ N(0, 1) (kernels, release): better on quality, cost, latency, energy, safety;

each metric with its own lognormal measurement noise (2 %; safety noisier). Quality is in %,
cost in USD/1M tokens, latency in s, memory in GB, energy in Wh/1k tokens, safety in [0, 1].
A latency budget of 3 s and a cost budget of 10 USD leave about 89 % of the rows feasible. The
front over the six goals then holds about 900 rows at 10^6 and 1,400 at 10^7 (its size is
printed: the "shown" column of the pareto runs). That is past the front size up to which `pareto`
computes the exact 6-goal hypervolume (`engine.hypervolume.MAX_POINTS`), so both engines report
it as null with a note here: the figures are the front, its knee and the top N, not the volume.

The dataset (hive folders `shard=K/`, one file of CHUNK rows each) is written chunk by chunk, so
this script never holds it either, into DATA (default: a folder in the system's temporary
directory named after the row count, chunk and seed), and reused when it is already there
(`_manifest.json`, which the reader skips, records what was written).

Each command runs in a child process: the CLI, i.e. the dask client. With the default local
cluster the scheduler lives in that process too; the workers are processes of their own.
"client MiB" is the child's own peak resident memory: VmHWM of /proc/self/status, read by the
child as it exits. Not `ru_maxrss`: Linux carries a process's peak across exec, so a child forked
from this script (which holds a few hundred MB after writing the dataset) reported this script's
size, not its own (297 MiB where it never passed 120); and not RUSAGE_CHILDREN from here, whose
peak is the largest process of the whole tree, a worker once it is reaped. "polled" is the same
process's resident memory sampled every 0.1 s from here with psutil, a check on the first;
"workers MiB" the largest of its child processes (nannies and workers) sampled likewise.
Figures depend on the machine and on what else runs on it: the load average is printed; quote
it with them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

GOALS = """\
version: 1
metrics:
  quality: {direction: max, unit: "%"}
  cost:    {direction: min, unit: USD/1M tokens}
  latency: {direction: min, unit: s}
  memory:  {direction: min, unit: GB}
  energy:  {direction: min, unit: Wh/1k tokens}
  safety:  {direction: max, range: [0, 1]}
budgets:
  latency: {max: 3}
  cost:    {max: 10}
candidates:
  - from: data
"""

CHILD = """\
import json, re, sys, time
from pathlib import Path
from tradeoff.cli.app import app
start = time.perf_counter()
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    status = Path("/proc/self/status").read_text()
    peak = int(re.search(r"VmHWM:\\s*(\\d+) kB", status).group(1)) / 1024
    print(json.dumps({"seconds": time.perf_counter() - start, "peak_mib": peak}), file=sys.stderr)
"""

METRICS = ("quality", "cost", "latency", "memory", "energy", "safety")
VERSION = 2  # of the generator: a dataset written by another version is written again


def generate(rng: Any, n: int) -> dict[str, Any]:
    """n rows of the six metrics (see the module docstring), as NumPy columns."""
    import numpy as np

    s = rng.random(n)
    q = rng.integers(0, 4, n) / 3
    h = rng.integers(0, 6, n) / 5
    e = rng.standard_normal(n)

    def noisy(log_mean: Any) -> Any:
        return np.exp(log_mean + rng.standard_normal(n) * 0.02)

    return {
        "quality": np.clip(40 + 40 * s + 4 * q + e + rng.standard_normal(n) * 0.4, 0, 100),
        "cost": noisy(1.5 * s + 0.5 * q + 0.8 * h - 0.3 * e),
        "latency": noisy(1.0 * s + 0.3 * q - 1.0 * h - 0.3 * e),
        "memory": noisy(1.2 * s + 0.7 * q + 2.0),
        "energy": noisy(1.0 * s + 0.4 * q + 0.3 * h - 0.3 * e),
        "safety": 1 / (1 + np.exp(-(0.5 * s + 0.5 * e + rng.standard_normal(n) * 0.2))),
    }


def dataset(folder: Path, rows: int, chunk: int, seed: int = 0) -> str:
    """Write the dataset into `folder` chunk by chunk, unless it is already there; say which."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    manifest = {"version": VERSION, "rows": rows, "chunk": chunk, "seed": seed}
    mark = folder / "data" / "_manifest.json"
    if mark.is_file() and json.loads(mark.read_text()) == manifest:
        return "reused"
    shutil.rmtree(folder, ignore_errors=True)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    rng = np.random.default_rng(seed)
    for k, start in enumerate(range(0, rows, chunk)):
        n = min(chunk, rows - start)
        columns = {"name": pa.array([f"run-{i:09d}" for i in range(start, start + n)])}
        columns |= {m: pa.array(v) for m, v in generate(rng, n).items()}
        shard = partial / "data" / f"shard={k:05d}"
        shard.mkdir(parents=True)
        pq.write_table(pa.table(columns), shard / "part-0.parquet")
    (partial / "data" / "_manifest.json").write_text(json.dumps(manifest))
    (partial / "goals.yaml").write_text(GOALS)
    partial.rename(folder)  # whole or not at all: an interrupted run writes it again
    return "written"


def run(args: list[str]) -> dict[str, float]:
    """Run the CLI in a child: wall time and its own peak memory (reported by the child, and
    polled from here), and its largest child process's."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peaks = [0.0, 0.0]  # the child, its largest child
    watcher = threading.Thread(target=_watch, args=(proc, peaks), daemon=True)
    watcher.start()
    out, err = proc.communicate()
    watcher.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{err[-2000:]}")
    figures: dict[str, float] = json.loads(err.strip().splitlines()[-1])
    doc = json.loads(out)
    figures["shown"] = len(doc["candidates"])
    figures["infeasible"] = doc.get("infeasible_count", -1)
    figures["polled_mib"], figures["workers_mib"] = peaks
    return figures


def _watch(proc: subprocess.Popen[str], peaks: list[float]) -> None:
    import psutil

    with contextlib.suppress(psutil.Error):  # the child may end between two looks
        me = psutil.Process(proc.pid)
        while proc.poll() is None:
            peaks[0] = max(peaks[0], me.memory_info().rss / 2**20)
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    peaks[1] = max(peaks[1], child.memory_info().rss / 2**20)
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows for --engine dask")
    parser.add_argument("--small", type=int, default=1_000_000, help="rows for one machine")
    parser.add_argument("--chunk", type=int, default=500_000, help="rows per file")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--scheduler", default=None)
    opts = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    folders = {}
    for label, rows in (("big", opts.rows), ("small", opts.small)):
        t = time.perf_counter()
        name = f"tradeoff-dask-scale-{rows}-{opts.chunk}-{opts.seed}"
        folders[label] = opts.data / name
        how = dataset(folders[label], rows, opts.chunk, opts.seed)
        print(
            f"{how} {folders[label]}: {rows:,} rows x 6 metrics in {time.perf_counter() - t:.0f} s"
        )
    dask = ["--engine", "dask", *(["--scheduler", opts.scheduler] if opts.scheduler else [])]
    cases = [
        ("pareto", "small", "default", []),
        ("rank --top 20", "small", "default", []),
        ("pareto", "big", "dask", dask),
        ("rank --top 20", "big", "dask", dask),
    ]
    print(
        f"{'command':<15}{'rows':>12}  {'engine':<8}{'wall s':>8}{'client MiB':>12}"
        f"{'polled':>8}{'workers MiB':>13}{'shown':>7}",
        flush=True,
    )
    for command, label, engine, extra in cases:
        goals = str(folders[label] / "goals.yaml")
        args = [*command.split()[:1], goals, *command.split()[1:], "-f", "json", *extra]
        got = run(args)
        rows = opts.rows if label == "big" else opts.small
        workers = f"{got['workers_mib']:>13.0f}" if engine == "dask" else f"{'-':>13}"
        print(
            f"{command:<15}{rows:>12,}  {engine:<8}{got['seconds']:>8.1f}"
            f"{got['peak_mib']:>12.0f}{got['polled_mib']:>8.0f}{workers}{int(got['shown']):>7}"
            + (f"  ({int(got['infeasible']):,} infeasible)" if got["infeasible"] >= 0 else ""),
            flush=True,
        )
    print("shown: the front's size (pareto), the top N (rank)")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")


if __name__ == "__main__":
    main()
