"""No table cuts a name into a look-alike (issue 17): at 60 to 100 columns every candidate of
rank, pareto, frontier and check reads whole, on one line or wrapped after its separators.

Names like `...-c5` and `...-c50` sit side by side in the sweeps, so a cut one would pass for the
other. rich crops a `no_wrap` cell without a mark unless its overflow is "ellipsis", so the tables
wrap names themselves; this reads every table back.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from tradeoff.cli.app import app

FILES = [ROOT / "goals.yaml", ROOT / "examples" / "self-hosted-sweep.yaml"]
COMMANDS = [
    ["rank", "--all"],
    ["rank", "--uncertainty"],
    ["pareto", "--layers"],
    ["pareto", "--ignore-budgets"],
    ["frontier", "--x", "cost", "--y", "quality"],
    ["check", "--strict"],
]


def _names(command: list[str]) -> set[str]:
    """Who the command's JSON names: the names its table must show."""
    out = CliRunner().invoke(app, [*command, "-f", "json"])
    doc = json.loads(out.stdout)
    if command[0] == "check":
        return {v["candidate"] for v in doc["violations"]}
    return {c["name"] for c in doc["candidates"] + doc.get("infeasible", [])}


def _found(name: str, lines: list[str]) -> bool:
    """Whether `name` reads whole: on one line, or in pieces at one column on lines in a row."""
    for k, line in enumerate(lines):
        for m in re.finditer(r"(?<!\S)[^\s,]+", line):
            got, col = "", m.start()
            for below in lines[k:]:
                piece = re.match(r"[^\s,]*", below[col:])
                got += piece.group() if piece else ""
                if got == name:
                    return True
                if not piece or not piece.group() or not name.startswith(got):
                    break
    return False


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_name_reads_whole(command: list[str], path: object) -> None:
    args = [command[0], str(path), *command[1:]]
    names = _names(args)
    assert names
    for width in range(60, 101, 5):
        out = CliRunner(env={"COLUMNS": str(width), "NO_COLOR": "1"}).invoke(app, args).stdout
        assert "…" not in out, (width, out)
        lines = out.splitlines()
        assert [n for n in sorted(names) if not _found(n, lines)] == [], (width, out)
