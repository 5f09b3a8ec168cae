"""Start-up time of `tradeoff check` and `tradeoff rank` on the shipped goals.yaml.

Compares each command with the floor of importing what it cannot avoid:
`python -c "import numpy, pydantic, typer, rich.table, yaml"`. Runs are interleaved (one of each
per round) so a noisy, shared machine slows all of them alike; prints medians and the ratio.

    python bench/startup.py [--rounds 21]

Target (issue 3): each command at most 1.3x the floor.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    exe = shutil.which("tradeoff") or str(Path(sys.executable).parent / "tradeoff")
    goals = str(ROOT / "goals.yaml")
    commands = {
        "floor: import numpy, pydantic, typer, rich.table, yaml": [
            sys.executable, "-c", "import numpy, pydantic, typer, rich.table, yaml",
        ],
        "tradeoff check goals.yaml": [exe, "check", goals],
        "tradeoff rank goals.yaml": [exe, "rank", goals],
        "tradeoff validate goals.yaml": [exe, "validate", goals],
    }  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm the file cache and .pyc files once
        subprocess.run(cmd, capture_output=True, check=False)
    for _ in range(args.rounds):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=False)
            times[name].append(time.perf_counter() - start)
    floor = statistics.median(times[next(iter(commands))])
    print(f"{'command':58} {'median':>8} {'ratio':>6}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:58} {med * 1000:7.0f}ms {med / floor:6.2f}")
    print(f"({args.rounds} interleaved rounds; target: each tradeoff command <= 1.30 x floor)")


if __name__ == "__main__":
    main()
