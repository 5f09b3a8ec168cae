"""The documentation is tested: every console example runs and prints what the page shows.

The format (for anyone adding an example to README.md or docs/*.md):

- A ```console block is a transcript. Each `$ tradeoff ...` line runs (at COLUMNS=80, without
  colour, unless the line starts with `COLUMNS=N`), and the lines up to the next `$` are what it
  prints: stdout, then stderr. `$ echo $?` prints the previous command's exit code, `$ # ...`
  is a comment. A line `...` stands for any number of lines (zero or more).
- Nothing else goes in a console block: shell set-up (pip, venv) goes in ```sh blocks.
- A ```yaml file=NAME block (or ```json file=NAME) writes NAME in the page's working folder
  before the examples below it run; a later block of the same NAME replaces it (so a page can
  show a file changing). The folder starts with the repository's goals.yaml and examples/.
- ```console output=any runs the commands but does not compare what they print: only for output
  that differs from run to run (keep it rare).

Pages are run top to bottom in one folder, so an example may read what an earlier one wrote.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from tradeoff.cli.app import app

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^`]*)$")


@dataclass
class Block:
    """One fenced block of a page: its language, options and lines (indent removed)."""

    page: str
    line: int  # of the opening fence, 1-based
    lang: str
    options: dict[str, str]
    lines: list[str] = field(default_factory=list)


def blocks(path: Path) -> Iterator[Block]:
    text = path.read_text(encoding="utf-8").splitlines()
    k = 0
    while k < len(text):
        m = FENCE.match(text[k])
        if m is None:
            k += 1
            continue
        lang, *opts = m["info"].split() or [""]
        block = Block(path.name, k + 1, lang, dict(o.partition("=")[::2] for o in opts))
        indent = len(m["indent"])
        k += 1
        while k < len(text) and text[k].strip() != "```":
            block.lines.append(text[k][indent:])
            k += 1
        k += 1
        yield block


@dataclass
class Step:
    command: str  # as written after "$ "
    expected: list[str]
    line: int


def steps(block: Block) -> list[Step]:
    out: list[Step] = []
    for n, line in enumerate(block.lines, start=block.line + 1):
        if line.startswith("$ "):
            out.append(Step(line[2:], [], n))
        elif not out:
            raise AssertionError(f"{block.page}:{n}: output before any `$ ` command")
        else:
            out[-1].expected.append(line)
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line; a `...` line matches any run of lines (zero or more)."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and actual[0] == expected[0] and matches(expected[1:], actual[1:])


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip("\n").splitlines()] if text.strip() else []


class Session:
    """A page's working folder and the exit code of its last command."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.code = 0

    def run(self, step: Step, where: str) -> list[str]:
        words = shlex.split(step.command, comments=True)
        if not words:
            return []
        if words == ["echo", "$?"]:
            return [str(self.code)]
        env = {"COLUMNS": "80", "NO_COLOR": "1"}
        while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        assert words[:1] == ["tradeoff"], f"{where}: a console block runs only tradeoff: {words}"
        cwd = os.getcwd()
        os.chdir(self.folder)
        try:
            result = CliRunner(env=env).invoke(app, words[1:])
        finally:
            os.chdir(cwd)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{where}: {step.command}: {result.exception!r}"
        )
        self.code = result.exit_code
        return _lines(result.stdout) + _lines(result.stderr)


def _sandbox(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "goals.yaml", tmp_path / "goals.yaml")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path


def run_page(path: Path, folder: Path) -> list[str]:
    """Run every example of a page; the differences found, one message each."""
    session = Session(folder)
    problems: list[str] = []
    for block in blocks(path):
        if "file" in block.options:
            (folder / block.options["file"]).write_text("\n".join(block.lines) + "\n", "utf-8")
        if block.lang != "console":
            continue
        for step in steps(block):
            where = f"{block.page}:{step.line}"
            actual = session.run(step, where)
            if block.options.get("output") == "any" or matches(step.expected, actual):
                continue
            problems.append(
                f"{where}: $ {step.command}\n--- the page shows\n"
                + "\n".join(step.expected)
                + "\n--- the tool prints\n"
                + "\n".join(actual)
            )
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_console_examples_print_what_the_page_shows(page: Path, tmp_path: Path) -> None:
    problems = run_page(page, _sandbox(tmp_path))
    assert not problems, "\n\n".join(problems)


def test_every_page_has_examples() -> None:
    # Guards against a fence the parser no longer sees: each page's examples are really run.
    for page in PAGES:
        assert any(b.lang == "console" and steps(b) for b in blocks(page)), page


def test_a_changed_output_fails(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```console\n$ tradeoff validate\ngoals.yaml: valid: 7 metrics\n$ echo $?\n0\n```\n",
        encoding="utf-8",
    )
    (problem,) = run_page(page, _sandbox(tmp_path))
    assert "page.md:2: $ tradeoff validate" in problem
    assert problem.endswith("goals.yaml: valid: 6 metrics, 9 candidates, 5 budgets, 3 profiles")


def test_ellipsis_stands_for_any_lines() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "b"], ["a", "b"])
    assert not matches(["a", "...", "d"], ["a", "b", "c"])
    assert not matches(["a"], ["a", "b"])


# --- every command is documented, and its --help example works ----------------------------


def _commands() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _commands() if f"`tradeoff {c}" not in readme]
    assert not missing, f"commands the README does not show: {missing}"


@pytest.mark.parametrize("command", _commands())
def test_help_example_runs(command: str, tmp_path: Path) -> None:
    result = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1"}).invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    examples = re.findall(r"Example: (tradeoff [^\n]+)", result.stdout)
    assert examples, f"`tradeoff {command} --help` shows no example"
    if command == "init":  # it writes a new goals file
        folder = tmp_path
    else:  # the shipped files, and a baseline for check's example
        folder = _sandbox(tmp_path)
        Session(folder).run(Step("tradeoff pareto --layers -f json -o base.json", [], 0), "")
    session = Session(folder)
    for example in examples:
        output = session.run(Step(example, [], 0), f"{command} --help")
        # 1 is check's verdict "a budget is broken"; 2 would be a broken example
        assert session.code in (0, 1), f"{example}\n" + "\n".join(output)
