"""The first contact with the tool: --help, --version, validate, init, the default FILE."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

import tradeoff
from conftest import GOALS, ROOT, runner, write_goals
from tradeoff.cli.app import app
from tradeoff.goals.starter import STARTER

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
SHIPPED = [ROOT / "goals.yaml", *sorted((ROOT / "examples").glob("*.yaml"))]


def test_the_commands_of_the_spec_exist() -> None:
    assert {"rank", "pareto", "explain", "validate", "schema", "init"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_works_for_every_command(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert "Usage:" in result.stdout
    assert f"tradeoff {command}" in result.stdout


def test_top_level_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.stdout


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"tradeoff {tradeoff.__version__}\n",
        "",
    )


def test_python_dash_m_tradeoff_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tradeoff", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        0,
        f"tradeoff {tradeoff.__version__}\n",
        "",
    )


def test_bad_flag_exits_2_without_a_traceback() -> None:
    result = runner.invoke(app, ["validate", "--no-such-flag"])
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr


# --- validate -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_validate_shipped_file_prints_a_one_line_summary(path: Path) -> None:
    result = runner.invoke(app, ["validate", str(path)])
    assert (result.exit_code, result.stderr) == (0, "")
    study = tradeoff.load(path)
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{path}: valid: ")
    assert f"{len(study.metrics)} metrics" in line
    assert f"{len(study.candidates)} candidates" in line


def test_validate_summary_of_the_test_goals(goals_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(goals_path)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"{goals_path}: valid: 6 metrics, 4 candidates, 4 budgets, 2 profiles\n"
    )


def test_validate_missing_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    result = runner.invoke(app, ["validate", str(path)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"{path}: no such file\n"


def test_validate_bad_value_exits_2_with_the_spec_line(tmp_path: Path) -> None:
    path = write_goals(tmp_path, GOALS.replace("latency_p95: 210", "latency_p95: fast"))
    result = runner.invoke(app, ["validate", str(path)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"{path}:28:20: candidates[1].metrics.latency_p95: expected a finite number, got 'fast'\n"
    )


def test_file_defaults_to_goals_yaml_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert result.stderr.startswith("goals.yaml: no such file in this folder: start one with")
    write_goals(tmp_path)
    result = runner.invoke(app, ["validate"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("goals.yaml: valid: ")


# --- init ---------------------------------------------------------------------------------------


def test_init_writes_a_starter_that_validates(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    result = runner.invoke(app, ["init", str(path)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert str(path) in result.stderr
    assert path.read_text(encoding="utf-8") == STARTER
    check = runner.invoke(app, ["validate", str(path)])
    assert (check.exit_code, check.stderr) == (0, "")
    assert "# " in STARTER  # commented


def test_init_defaults_to_goals_yaml_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0
    assert (tmp_path / "goals.yaml").read_text(encoding="utf-8") == STARTER


def test_second_init_without_force_exits_2_and_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    path.write_bytes(b"version: 1  # mine, hand-edited\n")
    before = path.read_bytes()
    result = runner.invoke(app, ["init", str(path)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "already exists" in result.stderr
    assert "--force" in result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["goals.yaml"]  # no temp file left


def test_init_after_init_without_force_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    assert runner.invoke(app, ["init", str(path)]).exit_code == 0
    before = path.read_bytes()
    result = runner.invoke(app, ["init", str(path)])
    assert result.exit_code == 2
    assert path.read_bytes() == before


def test_init_force_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text("old\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(path), "--force"])
    assert result.exit_code == 0
    assert path.read_text(encoding="utf-8") == STARTER


def test_init_into_a_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "dir" / "goals.yaml"
    result = runner.invoke(app, ["init", str(path)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: cannot write {path}: its folder {path.parent} does not exist\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not path.parent.exists()


def test_output_into_a_folder_that_takes_no_file_says_so(
    goals_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Creating a file in /proc or /sys fails with ENOENT although the folder exists: that is not
    # "does not exist". mkstemp fails as it does there.
    import tempfile

    def no_file(*args: object, **kwargs: object) -> tuple[int, str]:
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(tempfile, "mkstemp", no_file)
    out = goals_path.parent / "out.json"
    result = runner.invoke(app, ["rank", str(goals_path), "-o", str(out)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(
        f"error: cannot write {out}: no file can be created in its folder {out.parent}\n"
    )


def test_explain_suggests_names_that_start_with_the_one_given(tmp_path: Path) -> None:
    path = write_goals(
        tmp_path,
        GOALS.replace("name: model-a\n", "name: model-a-2024\n").replace(
            "name: model-c\n", "name: model-a-mini\n"
        ),
    )
    result = runner.invoke(app, ["explain", "model-a", str(path)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: unknown candidate 'model-a' (did you mean 'model-a-2024', 'model-a-mini'?)\n"
    )


def test_explain_with_file_and_name_swapped_says_so(goals_path: Path) -> None:
    result = runner.invoke(app, ["explain", str(goals_path), "model-a"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: model-a: no such file; the candidate's name comes first: "
        f"tradeoff explain model-a {goals_path}\n"
    )


def test_no_goals_file_in_the_folder_says_how_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["rank"], ["validate"], ["check"]):
        result = runner.invoke(app, command)
        assert (result.exit_code, result.stdout) == (2, ""), command
        assert result.stderr == (
            "goals.yaml: no such file in this folder: start one with `tradeoff init`, "
            "or pass the goals file's path\n"
        )
