"""--output files: written atomically, with the permissions of a normal file."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

from conftest import runner, write_goals
from tradeoff.cli.app import app


def test_output_file_has_normal_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    old = os.umask(0o022)
    try:
        result = runner.invoke(
            app, ["rank", str(write_goals(tmp_path)), "-f", "json", "-o", str(target)]
        )
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_failed_run_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("previous\n", encoding="utf-8")
    bad = write_goals(tmp_path, "version: 1\nmetrics: {}\n", name="bad.yaml")
    result = runner.invoke(app, ["rank", str(bad), "-f", "json", "-o", str(target)])
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "out.json"]


def test_a_location_at_line_100_is_not_turned_into_an_emoji(tmp_path: Path) -> None:
    # rich reads ":100:" as an emoji code unless told not to.
    lines = ["version: 1", "metrics:", "  q: {direction: max}", "candidates:"]
    lines += [f"  - {{name: c{i}, metrics: {{q: {i}}}}}" for i in range(95)]
    lines.append("  - {name: bad, metrics: {q: fast}}")  # line 100
    path = tmp_path / "goals.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:100:30: candidates[95].metrics.q: expected a finite number" in result.stderr


def test_output_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "keep.json"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    result = runner.invoke(app, ["schema", "-o", str(link)])
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text(encoding="utf-8"))["title"]


def test_output_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "private.json"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") != "old\n"


def test_output_to_a_fifo_writes_into_it_instead_of_replacing_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = runner.invoke(app, ["schema", "-o", str(fifo)])
    reader.join(timeout=10)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not a regular file
    assert json.loads(received[0])["title"]


def test_output_dash_is_standard_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rank", str(write_goals(tmp_path)), "-f", "json", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["command"] == "rank"
    assert not (tmp_path / "-").exists() and not Path("-").exists()


def test_a_directory_given_as_the_goals_file_is_a_located_message(tmp_path: Path) -> None:
    for args in (["rank", str(tmp_path)], ["check", str(tmp_path)], ["validate", str(tmp_path)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert result.stderr == f"{tmp_path}: is a directory, not a file\n"


def test_output_onto_the_goals_file_is_refused(tmp_path: Path) -> None:
    goals = write_goals(tmp_path)
    before = goals.read_bytes()
    link = tmp_path / "same.yaml"
    link.symlink_to(goals)
    for args in (
        ["rank", str(goals), "-o", str(goals)],
        ["pareto", str(goals), "-o", str(link)],  # the same file under another name
        ["check", str(goals), "-o", str(goals)],
        ["suggest-budgets", str(goals), "-o", str(goals)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert "is the file this command reads" in result.stderr
    assert goals.read_bytes() == before


def test_output_onto_a_from_source_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "sweep.csv"
    table.write_text("name,q\na,1\nb,2\n", encoding="utf-8")
    goals = tmp_path / "goals.yaml"
    goals.write_text(
        "version: 1\nmetrics: {q: {direction: max}}\ncandidates:\n  - {from: sweep.csv}\n",
        encoding="utf-8",
    )
    for command in (["rank"], ["pareto"], ["explain", "a"], ["check"]):
        result = runner.invoke(app, [*command, str(goals), "-o", str(table)])
        assert result.exit_code == 2, command
        assert "is the file this command reads" in result.stderr
    assert table.read_text(encoding="utf-8") == "name,q\na,1\nb,2\n"


def test_output_through_a_loop_of_links_is_refused_and_leaves_them(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.symlink_to(two)
    two.symlink_to(one)
    result = runner.invoke(app, ["schema", "-o", str(one)])
    assert result.exit_code == 2
    assert "Too many levels of symbolic links" in result.stderr
    assert one.is_symlink() and two.is_symlink()


def test_piped_output_is_80_columns_when_columns_is_unset() -> None:
    import os
    import subprocess
    import sys

    from conftest import ROOT

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    out = subprocess.run(
        [sys.executable, "-m", "tradeoff", "rank", str(ROOT / "goals.yaml")],
        capture_output=True, text=True, env=env, check=True,
    ).stdout  # fmt: skip
    widths = [len(line) for line in out.splitlines()]
    assert max(widths) <= 80 and max(widths) > 70, widths
