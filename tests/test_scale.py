"""Values on another scale than their metric's peers: a warning naming the line, in every command
(issue 17: `quality: 0.443` beside 72.6 and 48 was accepted silently and changed the winner)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, runner, write_goals
from tradeoff.cli.app import app

GOALS = """\
version: 1
metrics:
  quality: {direction: max, unit: "%"}
  cost:    {direction: min, unit: USD}
  safety:  {direction: max, range: [0, 1]}
candidates:
  - {name: big,   metrics: {quality: 72.6, cost: 3, safety: 0.9}}
  - {name: small, metrics: {quality: 0.443, cost: 1, safety: 91}}
  - {name: mid,   metrics: {quality: 48, cost: 2, safety: 0.8}}
"""

QUALITY = (
    "warning: {f}:8:38: quality: small's 0.443 looks like a fraction, but quality is in % "
    "(others: 72.6, 48): was 44.3 meant?\n"
)
SAFETY = (
    "warning: {f}:8:62: safety: small's 91 is far outside safety's range [0, 1] "
    "(others: 0.9, 0.8)\n"
)


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["rank"],
        ["pareto"],
        ["check"],
        ["explain", "big"],
        ["compare", "big", "mid"],
        ["sensitivity"],
        ["suggest-budgets"],
        ["plot"],
    ],
)
def test_every_command_warns_naming_the_line(tmp_path: Path, command: list[str]) -> None:
    path = write_goals(tmp_path, GOALS)
    result = runner.invoke(app, [*command, str(path)])
    assert result.exit_code == 0, result.stderr
    expected = QUALITY.format(f=path) + SAFETY.format(f=path)
    assert result.stderr.startswith(expected), result.stderr


def test_the_minority_is_named_and_consistent_files_are_quiet(tmp_path: Path) -> None:
    # Two fractions and one percentage: the percentage is the odd one out.
    text = GOALS.replace("quality: 72.6", "quality: 0.726").replace(
        "quality: 0.443", "quality: 44.3"
    )
    text = text.replace("safety: 91", "safety: 0.91").replace("quality: 48", "quality: 0.48")
    path = write_goals(tmp_path, text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.stderr == (
        f"warning: {path}:8:38: quality: small's 44.3 looks like a percentage among fractions "
        "(quality is in %) (others: 0.726, 0.48)\n"
    )
    fixed = write_goals(tmp_path, GOALS.replace("0.443", "44.3").replace("91", "0.91"))
    assert runner.invoke(app, ["validate", str(fixed)]).stderr == ""


@pytest.mark.parametrize(
    "path", [ROOT / "goals.yaml", *sorted((ROOT / "examples").glob("*.yaml"))], ids=lambda p: p.name
)
def test_shipped_examples_give_no_scale_warning(path: Path) -> None:
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0 and "warning" not in result.stderr
