"""Time `rank --uncertainty` and `sensitivity` on 1,000 candidates x 6 metrics.

Generates (into bench/data/) a goals file of 1,000 candidates with a stderr on two metrics and
times both commands end to end as subprocesses (median of a few runs), next to a plain `rank` of
the same file as the floor. Issue 6: "10,000 samples of 1,000 candidates take seconds, not
minutes".

    python bench/confidence.py [--candidates 1000] [--samples 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"


def write_goals(n: int) -> Path:
    rng = np.random.default_rng(0)
    lines = [
        "version: 1",
        "metrics:",
        '  quality:     {direction: max, unit: "%"}',
        "  cost:        {direction: min, unit: USD/request}",
        "  latency_p95: {direction: min, unit: ms}",
        "  memory:      {direction: min, unit: GB}",
        "  energy:      {direction: min, unit: Wh/request}",
        "  safety:      {direction: max, range: [0, 1]}",
        "candidates:",
    ]
    for i in range(n):
        q, c = rng.uniform(40, 90), rng.uniform(1e-4, 1e-2)
        lat, mem = rng.uniform(100, 3000), rng.uniform(1, 160)
        en, sa = rng.uniform(0.05, 3), rng.uniform(0.8, 1.0)
        lines.append(
            f"  - {{name: m{i:04d}, metrics: {{quality: {{value: {q:.2f}, stderr: 0.5}}, "
            f"cost: {c:.6f}, latency_p95: {{value: {lat:.1f}, stderr: 40}}, memory: {mem:.1f}, "
            f"energy: {en:.3f}, safety: {sa:.3f}}}}}"
        )
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"confidence_{n}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def time_cmd(cmd: list[str], repeat: int) -> tuple[float, int]:
    times = []
    code = 0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        code = proc.returncode
    return statistics.median(times), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = write_goals(args.candidates)
    exe = shutil.which("tradeoff") or str(Path(sys.executable).parent / "tradeoff")
    s = str(args.samples)
    runs = {
        "rank --format json (floor)": [exe, "rank", str(path), "--format", "json"],
        f"rank --uncertainty --samples {s}": [
            exe, "rank", str(path), "--format", "json", "--uncertainty", "--samples", s,
        ],
        f"sensitivity --samples {s}": [
            exe, "sensitivity", str(path), "--format", "json", "--samples", s,
        ],
        f"sensitivity --method topsis --samples {s}": [
            exe, "sensitivity", str(path), "--format", "json", "--method", "topsis", "--samples", s,
        ],
    }  # fmt: skip
    print(f"{args.candidates} candidates x 6 metrics, median of {args.repeat} runs")
    floor = None
    for name, cmd in runs.items():
        wall, code = time_cmd(cmd, args.repeat)
        floor = floor or wall
        flag = "" if code == 0 else f"  EXIT {code}"
        print(f"  {name:45} {wall:7.2f} s  ({wall / floor:5.1f}x the plain rank){flag}")


if __name__ == "__main__":
    main()
