"""Issue 12: running out of memory, anywhere, is exit 2 with a clear message, never a traceback.

The child imports what a run maps anyway (NumPy, pandas, pyarrow, pydantic, rich), then caps its
address space a little above what it then holds (`resource.setrlimit`), so the cap does not
depend on the machine's libraries; the input then needs more than the cap leaves.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hostile import _env, two_goal_table

HEADROOM = 300 * 1024**2

CHILD = """
import resource, runpy, sys
import numpy, pandas, pyarrow.parquet, pydantic, rich.console, typer
with open("/proc/self/status") as f:
    size = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
resource.setrlimit(resource.RLIMIT_AS, (size + {headroom}, size + {headroom}))
sys.argv = ["tradeoff", *sys.argv[1:]]
runpy.run_module("tradeoff", run_name="__main__")
"""


def test_running_out_of_memory_is_exit_2_with_a_message(tmp_path: Path) -> None:
    two_goal_table(tmp_path, 10_000)  # x 5,000 draws: within the draw cap; ranks take 400 MB
    args = ["rank", "goals.yaml", "--uncertainty", "--samples", "5000", "-f", "json"]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(headroom=HEADROOM), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        "error: out of memory: this input needs more memory than the process may use"
        " (fewer rows, --top, or fewer --samples need less)\n"
    )
