"""Running tradeoff on hostile input: a child process with a time bound and a memory bound.

Used by the regression corpus of issue 12 (`test_untrusted_*.py`). The child runs
`python -m tradeoff ...` with its address space capped (`resource.setrlimit`), so a bomb ends in
a clean refusal or a failed test, never in a machine that swaps; `subprocess.run`'s timeout turns
a hang into a failed test.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

MEMORY = 2 * 1024**3
"""Address space for the child: numpy, pandas and pyarrow map ~1 GB before reading anything."""
TIMEOUT = 60
"""Seconds: generous for a loaded CI machine; every case here takes well under 10 s."""


def run(
    args: list[str], cwd: Path, *, timeout: float = TIMEOUT, memory: int = MEMORY
) -> subprocess.CompletedProcess[str]:
    """`tradeoff ARGS` in `cwd`; fails the test on a hang, a traceback or an exit code not 0/1/2."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    proc = subprocess.run(
        [sys.executable, "-m", "tradeoff", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
        env=_env(),
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode in (0, 1, 2), (proc.returncode, proc.stderr[-3000:])
    return proc


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TERM")}
    env.update({"NO_COLOR": "1", "COLUMNS": "120"})
    return env


def two_goal_table(folder: Path, n: int) -> Path:
    """A goals file pulling `n` random candidates (q max, c min) from a CSV beside it."""
    import numpy as np

    rng = np.random.default_rng(0)
    q, c = rng.random(n), rng.random(n)
    rows = "".join(f"m{i},{q[i]:.6f},{c[i]:.6f}\n" for i in range(n))
    (folder / "t.csv").write_text("name,q,c\n" + rows)
    goals = folder / "goals.yaml"
    goals.write_text(
        "version: 1\nmetrics:\n  q: {direction: max}\n  c: {direction: min}\n"
        "candidates:\n  - from: t.csv\n"
    )
    return goals
