"""Issue 12's regression corpus, part 3: `-o` never replaces an input, nor leaves a temp file."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import runner
from tradeoff.cli.app import app

BROKEN = """\
version: 1
metrics:
  q: {direction: max}
  r: {direction: sideways}
candidates:
  - from: in.csv
  - from: "runs/*.csv"
"""


@pytest.mark.parametrize("fmt", ["json", "junit"])
def test_output_refuses_the_from_files_of_a_goals_file_that_failed(
    tmp_path: Path, fmt: str
) -> None:
    (tmp_path / "in.csv").write_text("name,q\na,1\n")
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "one.csv").write_text("name,q\nb,2\n")
    (tmp_path / "broken.yaml").write_text(BROKEN)
    for target in ("in.csv", "runs/one.csv"):
        before = (tmp_path / target).read_text()
        args = ["check", str(tmp_path / "broken.yaml"), "-f", fmt, "-o", str(tmp_path / target)]
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert "metrics.r.direction" in result.stderr
        assert (tmp_path / target).read_text() == before
        assert result.stderr.splitlines()[-1] == (  # and says why it wrote no report
            f"{tmp_path / target}: --output: the {fmt} report of these errors was not written:"
            " this file is one the run reads (a from: file of a goals file that failed to"
            " load, say); write it elsewhere"
        )
    # Elsewhere the report of the problems is written.
    args = ["check", str(tmp_path / "broken.yaml"), "-f", fmt, "-o", str(tmp_path / "r.out")]
    assert runner.invoke(app, args).exit_code == 2
    assert "sideways" in (tmp_path / "r.out").read_text()


def test_output_refuses_a_from_file_of_a_goals_file_that_loaded(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("name,q\na,1\n")
    (tmp_path / "g.yaml").write_text(
        "version: 1\nmetrics:\n  q: {direction: max}\ncandidates:\n  - from: in.csv\n"
    )
    for command in (["rank"], ["check", "-f", "json"]):
        result = runner.invoke(
            app, [*command, str(tmp_path / "g.yaml"), "-o", str(tmp_path / "in.csv")]
        )
        assert result.exit_code == 2
        assert (tmp_path / "in.csv").read_text() == "name,q\na,1\n"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_output_removes_the_temporary_file(tmp_path: Path, sig: int) -> None:
    target = tmp_path / "out.json"
    target.write_text("old\n")
    script = f"""
import os, signal, time
from pathlib import Path
from tradeoff.cli.common import save

# A job started in the background (`cmd &`) inherits SIGINT ignored: put Python's handler back.
signal.signal(signal.SIGINT, signal.default_int_handler)

def writer(fh):
    fh.write(b"half of a result")
    fh.flush()
    os.kill(os.getpid(), {int(sig)})
    time.sleep(30)

save(Path({str(target)!r}), writer)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
    assert target.read_text() == "old\n"


def test_the_action_passes_its_file_input_as_names(tmp_path: Path) -> None:
    from test_check import FIXTURES, _run_action

    here = tmp_path / "repo"
    here.mkdir()
    (here / "goals.yaml").write_text((FIXTURES / "pass.yaml").read_text())
    # A file input that looks like a flag is a file that does not exist, not `-o`/`--strict`.
    for name in ("-ox.json", "--strict", "--allow-external-sources"):
        code, out, _ = _run_action(here, tmp_path, file=name)
        assert code == 2, out
        assert not (here / "x.json").exists()
    code, out, _ = _run_action(here, tmp_path, strict="--help")
    assert (code, out) == (
        2,
        "::error title=tradeoff check::the input for --strict must be true or false\n",
    )


def test_the_pre_commit_hook_passes_file_names_as_names(tmp_path: Path) -> None:
    import yaml

    from conftest import ROOT

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "goals.yaml").write_text("version: 1\n")
    # pre-commit runs ENTRY FILE...; a committed `-ox/goals.yaml` must not become `-o x/...`.
    args = [*hook["entry"].split()[1:], "-ox/goals.yaml"]
    result = subprocess.run(
        [sys.executable, "-m", "tradeoff", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "-ox/goals.yaml: no such file" in result.stderr
    assert (tmp_path / "x" / "goals.yaml").read_text() == "version: 1\n"


def test_from_paths_are_opened_without_following_links(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "t.csv").write_text("name,q\na,1\n")
    (tmp_path / "alias").symlink_to("real")  # a folder link that stays inside the folder
    (tmp_path / "t2.csv").symlink_to("real/t.csv")
    goals = tmp_path / "g.yaml"
    goals.write_text(
        "version: 1\nmetrics:\n  q: {direction: max}\n"
        "candidates:\n  - from: alias/t.csv\n  - from: t2.csv\n"
    )
    result = runner.invoke(app, ["validate", str(goals)])
    assert result.exit_code == 2
    hint = " following links (pass --allow-external-sources to allow it)"
    assert result.stderr.splitlines() == [
        f"{goals}:5:11: candidates[0].from: 'alias/t.csv': 'alias' is a symbolic link;"
        " from: paths are opened without" + hint,
        f"{goals}:6:11: candidates[1].from: 't2.csv': 't2.csv' is a symbolic link;"
        " from: paths are opened without" + hint,
    ]
    goals.write_text(
        goals.read_text().replace("alias/t.csv", "real/t.csv").replace("  - from: t2.csv\n", "")
    )
    assert runner.invoke(app, ["validate", str(goals)]).exit_code == 0
