"""Issue 12's regression corpus, part 2: user text reaches no output unescaped.

A goals file whose names, tags, title and units are written to inject: workflow commands at the
start of a log line (also after rich wraps a long name), Markdown links, images and mentions in
the job summary, formulas in a spreadsheet. Every command and format is run, at a narrow width.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradeoff.cli.app import app
from tradeoff.render import escape

HOSTILE = """\
version: 1
title: "[click me](https://evil.example) @octocat ::error::title"
metrics:
  q: {direction: max, unit: "::warning::u"}
  c: {direction: min, unit: "=1+1"}
budgets:
  q: {min: 1.5}
profiles:
  default: {q: 1, c: 1}
candidates:
  - name: "::error file=x::pwned"
    tags: ["=HYPERLINK(1)"]
    metrics: {q: 1, c: 1}
  - name: "@everyone ![x](http://img.example/a.png)"
    tags: ["+cmd"]
    metrics: {q: 2, c: 2}
  - name: "a-rather-long-candidate-name-that-wraps ::set-output name=x::y"
    metrics: {q: {value: 0.5, stderr: 0.1}, c: 3}
  - name: "-2+3"
    metrics: {q: 3, c: 4}
"""

COMMANDS = [
    ["rank", "--all"],
    ["rank", "--uncertainty", "--samples", "50"],
    ["pareto", "--layers"],
    ["explain", "::error file=x::pwned"],
    ["sensitivity", "--samples", "50"],
    ["frontier", "--x", "c", "--y", "q"],
]
FORMATS = ["table", "json", "csv", "markdown"]
CHECK_FORMATS = ["text", "json", "github", "junit", "markdown"]
OWN_COMMAND = re.compile(r"^::(error|warning|notice)( [^:]*)?::")


def _assert_clean(text: str, fmt: str) -> None:
    assert "\x1b" not in text
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("::"):
            assert fmt == "github" and OWN_COMMAND.match(stripped), line
    if fmt == "markdown":
        assert not re.search(r"(?<!\\)\]\(|!\[", text), text  # no link, no image
        assert not re.search(r"(?<!`)@(everyone|octocat)", text)
    if fmt == "csv":
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                if cell[:1] in ("=", "+", "-", "@"):
                    float(cell)  # a number may start with - or +; text may not


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "goals.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


def _runner(width: int) -> CliRunner:
    return CliRunner(env={"COLUMNS": str(width), "NO_COLOR": "1"})


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_results_escape_user_text(hostile: Path, command: list[str], fmt: str) -> None:
    text = HOSTILE.replace("direction: min, unit", "direction: min, additive: true, unit")
    hostile.write_text(text.replace("direction: max, unit", "direction: max, additive: true, unit"))
    for width in (40, 120):
        result = _runner(width).invoke(app, [*command, str(hostile), "-f", fmt])
        assert result.exit_code in (0, 1), result.stderr + result.stdout
        _assert_clean(result.stdout, fmt)
        _assert_clean(result.stderr, "stderr")


@pytest.mark.parametrize("fmt", CHECK_FORMATS)
def test_check_escapes_user_text(hostile: Path, fmt: str) -> None:
    for width in (40, 120):
        result = _runner(width).invoke(app, ["check", str(hostile), "-f", fmt])
        assert result.exit_code == 1, result.stderr + result.stdout
        _assert_clean(result.stdout, fmt)
        _assert_clean(result.stderr, "stderr")
    if fmt == "github":  # every line is one of our annotations; the names are data in them
        assert all(OWN_COMMAND.match(x) for x in result.stdout.splitlines())


def test_messages_escape_file_names_and_excerpts(tmp_path: Path) -> None:
    folder = tmp_path / "::error::x"
    folder.mkdir()
    path = folder / "goals.yaml"
    path.write_text("version: 1\nmetrics: {q: {direction: max}}\ncandidates:\n  - name: a\n")
    (folder / "t.csv").write_text("name,q\n\x1b[31mred,1\n")
    for fmt in ("text", "github", "json", "junit", "markdown"):
        result = _runner(40).invoke(app, ["check", "::error::x/goals.yaml", "-f", fmt])
        assert result.exit_code == 2
        _assert_clean(result.stderr, "stderr")
        _assert_clean(result.stdout, fmt)


def test_the_escapes_one_by_one() -> None:
    assert escape.terminal("a\x1b[31m\u202eb") == "a\\x1b[31m\\u202eb"
    assert escape.log_lines("  ::error::x\nok\n::w\x07") == "  \\::error::x\nok\n\\::w\\x07"
    assert escape.markdown("[x](u) ![i](u) [%] @bob a|b <b>") == (
        "[x\\](u) !\\[i\\](u) [%] @&#8203;bob a\\|b &lt;b>"
    )
    assert escape.csv_text(["name", "v"], [["=1+1", "-5"], ["::e::x", "@A1"], ["-2+3", 1.5]]) == (
        'name,v\n\'=1+1,-5\n"::e::x","\'@A1"\n\'-2+3,1.5\n'
    )
    assert escape.annotation_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape.xml("a\x00b") == "a\ufffdb"


def test_markdown_writes_an_ampersand_as_an_entity() -> None:
    # A name is text: 'R&amp;D' must show as written, and '&#64;bob' must not render as '@bob'
    # (a mention the '@' escape exists to prevent) nor '&#91;x&#93;' as brackets.
    assert escape.markdown("R&amp;D &#64;bob &#x40;al &#91;x&#93;") == (
        "R&amp;amp;D &amp;#64;bob &amp;#x40;al &amp;#91;x&amp;#93;"
    )
    assert escape.markdown_cells(["a&b", "1"]) == ["a&amp;b", "1"]
    assert escape.markdown("@bob <b>") == "@&#8203;bob &lt;b>"  # its own entities kept whole


def test_every_character_the_loader_refuses_is_escaped_in_every_output() -> None:
    """The output escapers are written from `rules.CONTROL_ABOVE_C0`, the loader's list: a
    control refused in a name (U+061C, the Arabic letter mark, among them) never reaches a log,
    a markdown summary, a CSV file or a terminal as it is."""
    import json

    from tradeoff import rules

    refused = [chr(c) for c in range(0x30000) if rules.CONTROL_RE.match(chr(c))]
    assert "\u061c" in refused
    for ch in refused:
        text = f"a{ch}b"
        kept_as_is = {"\n", "\t"}  # line structure: log_lines keeps it, the others escape it
        if ch not in kept_as_is:
            assert ch not in escape.log_lines(text), repr(ch)
            # JSON as our encoders write it (C0 as \u escapes, the rest as it is)
            assert ch not in escape.json_lines(json.dumps(text, ensure_ascii=False)), repr(ch)
        assert ch not in escape.terminal(text), repr(ch)
        assert ch not in escape.markdown(text), repr(ch)
        assert ch not in str(escape.csv_cell(text)), repr(ch)
        header, row, end = escape.csv_text(["h"], [[text]]).split("\n")  # one line a row
        assert (header, end) == ("h", "") and ch not in row, repr(ch)
