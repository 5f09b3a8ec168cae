"""`check`'s text table at 80 columns with deep paths and long names (issue 17).

The file path is a heading, not a column, so the violation keeps its room: every violation reads
on one or two lines, breaks only between its parts (never between a number and its unit), and a
name breaks only after '-', '/' or '@'.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from tradeoff.cli.app import app

DEEP = "teams/inference-platform/evaluations/2024-q4/llama-sweeps"


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[str, str]:
    """(text at 80 columns, github annotations) of `check` on two files in deep folders."""
    for folder, source in ((DEEP, "examples/self-hosted-sweep.yaml"), (DEEP + "-2", "goals.yaml")):
        (tmp_path / folder).mkdir(parents=True)
        shutil.copy(ROOT / source, tmp_path / folder / "goals.yaml")
    monkeypatch.chdir(tmp_path)
    files = [f"{DEEP}/goals.yaml", f"{DEEP}-2/goals.yaml"]
    runner = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1"})
    text = runner.invoke(app, ["check", *files, *args])
    github = runner.invoke(app, ["check", *files, *args, "--format", "github"])
    assert text.exit_code == github.exit_code == 1, text.stderr
    return text.stdout, github.stdout


def _rows(text: str) -> list[tuple[str, list[str], list[str]]]:
    """(file heading, candidate lines, violation lines) of every row of every section."""
    rows: list[tuple[str, list[str], list[str]]] = []
    heading, cols = "", (0, 0)
    lines = text.splitlines()
    for k, line in enumerate(lines):
        if line.startswith("candidate "):
            heading = lines[k - 1]
            cols = (line.index("violation"), line.index("level"))
        elif not line.strip() or line.startswith(("─", "check ")) or cols == (0, 0):
            continue
        elif not line[cols[1] :].strip():  # no level: the row goes on
            _, name, what = rows[-1]
            name += [line[: cols[0]].strip()] if line[: cols[0]].strip() else []
            what += [line[cols[0] : cols[1]].strip()] if line[cols[0] : cols[1]].strip() else []
        elif k + 1 < len(lines) and lines[k + 1].startswith("candidate "):
            continue  # the next section's heading
        else:
            rows.append((heading, [line[: cols[0]].strip()], [line[cols[0] : cols[1]].strip()]))
    return rows


def test_violations_read_on_two_lines_at_most_under_a_file_heading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in ((), ("--strict",)):
        text, github = _run(tmp_path / "-".join(args or ("plain",)), monkeypatch, *args)
        assert all(len(line) <= 80 for line in text.splitlines()[:-1])  # the verdict is whole
        expected = []
        for line in github.splitlines():
            m = re.match(r"::\w+ file=([^,]+),line=\d+,col=\d+,title=[^:]*::(.*?): (.*)$", line)
            assert m is not None, line
            expected.append((m[1], m[2], m[3]))
        rows = _rows(text)
        assert sorted((h, "".join(n), " ".join(v)) for h, n, v in rows) == sorted(expected)
        for _, name, what in rows:
            assert len(what) <= 2, what
            # A name breaks after its separators only; a violation before '>', '<' or '('.
            assert all(part.endswith(("-", "/", "@")) for part in name[:-1]), name
            assert all(part.startswith((">", "<", "(")) for part in what[1:]), what


def test_units_stay_with_their_numbers_in_the_shipped_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text, _ = _run(tmp_path, monkeypatch)
    assert "memory 70 GB > max 64 GB" in text
    assert text.startswith(f"{DEEP}/goals.yaml\ncandidate ")


def test_a_parenthesis_is_not_broken_inside_when_it_fits() -> None:
    from tradeoff.render.check_table import Line, wrap_violation

    text = "left the front: dominated by mid-8b-v2 (better on quality, cost, latency_p95)"
    v = Line("models.yaml", 12, 0, "mid-8b", "regression", text, "error", "")
    assert wrap_violation(v, 60).splitlines() == [
        "left the front: dominated by mid-8b-v2",
        "(better on quality, cost, latency_p95)",
    ]
    # Longer than the line: its words wrap, nothing is lost.
    assert " ".join(wrap_violation(v, 20).splitlines()) == text
