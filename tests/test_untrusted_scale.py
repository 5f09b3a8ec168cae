"""Issue 12's regression corpus, part 4: many candidates within a memory and time bound.

`sensitivity` and `--uncertainty` rank every candidate in every draw: over 20,000 candidates the
default 10,000 draws are refused (exit 2, naming the --samples that fit), and what fits runs in
bounded memory (sensitivity counts the first 100 ranks, not n x n).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile import run, two_goal_table

N = 20_000


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_goal_table(tmp_path_factory.mktemp("many"), N).parent


@pytest.mark.parametrize("command", [["sensitivity"], ["rank", "--uncertainty", "-f", "json"]])
def test_too_many_draws_are_refused_with_what_fits(many: Path, command: list[str]) -> None:
    proc = run([*command, "goals.yaml"], many, timeout=90, memory=1536 * 1024**2)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stdout == ""
    assert "over 20,000 candidates with 10,000 draws" in proc.stderr
    assert "use --samples 2500 or fewer" in proc.stderr


def test_sensitivity_that_fits_runs_in_bounded_memory(many: Path) -> None:
    # 20,000 x 20,000 acceptability counts alone were 3.2 GB; the first 100 ranks are 16 MB.
    args = ["sensitivity", "goals.yaml", "--samples", "500", "-f", "csv"]
    proc = run(args, many, timeout=120, memory=3 * 1024**3)  # virtual: BLAS threads map a lot
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "acceptability lists ranks 1-100 of 20,000" in proc.stderr
