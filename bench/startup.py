"""Start-up time of `tradeoff check`, `rank` and `validate` on the shipped goals.yaml.

Compares each command with the floor of importing what it cannot avoid:
`python -c "import numpy, pydantic, typer, rich.table, yaml"`. Runs are interleaved (one of each
per round) so a noisy, shared machine slows all of them alike; prints medians and the ratio.
With --breakdown, also where each command's time goes, measured in-process (medians of fresh
interpreters, one per round and command).

    python bench/startup.py [--rounds 21] [--breakdown]

One warm-up run of each command comes first, with PYTHONDONTWRITEBYTECODE unset so that the
.pyc files are written as `pip install` writes them; the timed runs then use the environment as
it is (that variable stops writing .pyc files, not reading them).

Target (issue 3): each command at most 1.3x the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "import numpy, pydantic, typer, rich.table, yaml"

# Runs in a fresh interpreter: argv is [command, goals file]; prints {phase: seconds} as JSON.
BREAKDOWN = """
import io, json, sys, time
clock = time.perf_counter
marks = [("start", clock())]
def mark(name): marks.append((name, clock()))
import numpy, pydantic, typer, rich.table, yaml
mark("floor imports")
import tradeoff.cli.app
import typer.main
mark("import tradeoff.cli.app")
command, goals = sys.argv[1], sys.argv[2]
group = typer.main.get_command(tradeoff.cli.app.app)
ctx = group.make_context("tradeoff", [command, goals])
sub = group.get_command(ctx, command)
sub.make_context(command, [goals], parent=ctx)
mark("typer: build and parse")
study = tradeoff.load(goals)
mark("tradeoff.load")
if command == "rank":
    result = study.rank_result()
    mark("rank_result")
    result.confidence
    mark("confidence line")
    from tradeoff.render.tables import RENDERERS
    mark("import renderers")
    RENDERERS["rank"]["table"](result, False, 80)
    mark("render")
elif command == "check":
    import tradeoff.questions.checking
    mark("import checking")
    result = study.check_result()
    mark("check")
    from tradeoff.render.check import CHECK_RENDERERS
    mark("import renderers")
    CHECK_RENDERERS["text"](result, False, 80)
    mark("render")
out = {name: t - marks[k][1] for k, (name, t) in enumerate(marks[1:])}
out["in-process total"] = marks[-1][1] - marks[0][1]
print(json.dumps(out))
"""


def _run(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)


def _breakdown(rounds: int, goals: str) -> None:
    print()
    for command in ("rank", "check", "validate"):
        phases: dict[str, list[float]] = {}
        for _ in range(rounds):
            proc = _run([sys.executable, "-c", BREAKDOWN, command, goals])
            if proc.returncode:
                sys.exit(proc.stderr)
            for name, seconds in json.loads(proc.stdout.splitlines()[-1]).items():
                phases.setdefault(name, []).append(seconds)
        print(f"in-process: tradeoff {command} goals.yaml (medians of {rounds} runs)")
        for name, ts in phases.items():
            print(f"  {name:34} {statistics.median(ts) * 1000:7.1f}ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--breakdown", action="store_true", help="also time each phase")
    args = parser.parse_args()
    exe = shutil.which("tradeoff") or str(Path(sys.executable).parent / "tradeoff")
    goals = str(ROOT / "goals.yaml")
    commands = {
        f"floor: {FLOOR}": [sys.executable, "-c", FLOOR],
        "tradeoff check goals.yaml": [exe, "check", goals],
        "tradeoff rank goals.yaml": [exe, "rank", goals],
        "tradeoff validate goals.yaml": [exe, "validate", goals],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    warm = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for cmd in commands.values():  # warm the file cache and write the .pyc files once
        _run(cmd, env=warm)
    for _ in range(args.rounds):
        for name, cmd in commands.items():
            start = time.perf_counter()
            _run(cmd)
            times[name].append(time.perf_counter() - start)
    floor = statistics.median(times[next(iter(commands))])
    print(f"{'command':58} {'median':>8} {'ratio':>6}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:58} {med * 1000:7.0f}ms {med / floor:6.2f}")
    print(f"({args.rounds} interleaved rounds; target: each tradeoff command <= 1.30 x floor)")
    if args.breakdown:
        _breakdown(args.rounds, goals)


if __name__ == "__main__":
    main()
