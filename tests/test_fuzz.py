"""Mutated goals files: the loader either accepts them or says where they are wrong, never more.

Every run must end in a `Study` or in `tradeoff.InputError` whose diagnostics are each located
(line and column >= 1, within the file) or about the file as a whole (0, 0, no `where`), with a
one-line, non-empty message. Any other exception, or a hang, fails the test.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tradeoff
from conftest import GOALS, ROOT, deadline, runner
from tradeoff.cli.app import app
from tradeoff.goals import yamlio
from tradeoff.goals.loader import load_document

SEEDS = [
    GOALS,
    (ROOT / "goals.yaml").read_text(encoding="utf-8"),
    *(p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.yaml"))),
]

# Values of other YAML types (and some hostile ones) to put where a value was.
REPLACEMENTS = [
    "",
    "~",
    "null",
    "true",
    "no",
    "on",
    "0",
    "-1",
    "1e-3",
    "1e999",
    ".nan",
    "-.inf",
    "0x1F",
    "0b101",
    "1_000",
    '"0.5"',
    '"0.64 s"',
    '"12 parsecs"',
    "fast",
    "''",
    "[]",
    "{}",
    "[1, [2, {a: b}]]",
    "{value: 1, stderr: -1}",
    "{value: x, kind: guess, date: 2024-13-01}",
    "{max: 1, min: 2}",
    "&anchor 5",
    "*anchor",
    "*missing",
    "&self [*self]",
    "!!python/object:os.system x",
    "!!int abc",
    "!!float 1",
    "!custom",
    "|\n  block\n",
    '"\\x00 \\n"',
    "9" * 5000,
    "<<: *anchor",
    "? [a]\n  : b",
    "- a\n- b",
]

LIMIT = 20  # seconds one load may take before it counts as a hang


@st.composite
def mutated_lines(draw: st.DrawFn) -> str:
    """A seed file with 1-4 line-level edits: drop, duplicate, move, re-indent, swap a value."""
    lines = draw(st.sampled_from(SEEDS)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "dup", "move", "indent", "value", "unicode"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(draw(st.integers(0, len(lines))), lines[i])
        elif op == "move":
            lines.insert(draw(st.integers(0, len(lines))), lines.pop(i))
        elif op == "indent":
            delta = draw(st.sampled_from([-4, -2, -1, 1, 2, 4]))
            body = lines[i].lstrip(" ")
            width = max(0, len(lines[i]) - len(body) + delta)
            lines[i] = " " * width + body
        elif op == "value":
            line = lines[i]
            colons = [k for k in range(len(line) - 1) if line[k : k + 2] == ": "]
            at = draw(st.sampled_from(colons)) + 2 if colons else len(line.rstrip("\n"))
            end = draw(st.integers(at, len(line.rstrip("\n"))))
            lines[i] = line[:at] + draw(st.sampled_from(REPLACEMENTS)) + line[end:]
        else:
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.text(max_size=6)) + lines[i][at:]
    return "".join(lines)


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """A seed file (possibly line-mutated too) with 1-8 bytes overwritten, inserted or deleted."""
    data = bytearray(draw(st.one_of(st.sampled_from(SEEDS), mutated_lines())).encode("utf-8"))
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(data) - 1))
        byte = draw(st.integers(0, 255))
        op = draw(st.sampled_from(["flip", "set", "insert", "delete"]))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[i] = byte
        elif op == "insert":
            data.insert(i, byte)
        else:
            del data[i]
    return bytes(data)


def check_outcome(load: object, text_lines: int) -> None:
    """`load` is a zero-argument callable; it must succeed or raise a well-formed InputError."""
    assert callable(load)
    try:
        with deadline(LIMIT):
            study = load()
    except tradeoff.InputError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            whole_file = (d.line, d.col, d.where) == (0, 0, "")
            assert whole_file or (1 <= d.line <= text_lines + 1 and d.col >= 1), d
            assert d.what.strip(), d
            assert "\n" not in str(d) and "\r" not in str(d), d
    else:
        assert study is not None


@settings(
    max_examples=3000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_lines())
def test_line_mutations_end_in_success_or_located_errors(text: str) -> None:
    check_outcome(
        lambda: load_document(yamlio.parse(text, "goals.yaml", partial=True)),
        text.count("\n") + 1,
    )


@settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_lines())
def test_strict_parse_ends_in_a_document_or_located_errors(text: str) -> None:
    lines = text.count("\n") + 1

    def parse_only() -> object:
        return yamlio.parse(text, "goals.yaml")

    check_outcome(parse_only, lines)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "goals.yaml"


@settings(
    max_examples=2500,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(data=mutated_bytes())
def test_byte_mutations_end_in_success_or_located_errors(scratch: Path, data: bytes) -> None:
    scratch.write_bytes(data)
    check_outcome(lambda: tradeoff.load(scratch), data.count(b"\n") + 1)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(data=st.one_of(mutated_bytes(), mutated_lines().map(lambda t: t.encode("utf-8"))))
def test_cli_validate_exits_0_or_2_without_a_traceback(scratch: Path, data: bytes) -> None:
    scratch.write_bytes(data)
    with deadline(LIMIT):
        result = runner.invoke(app, ["validate", str(scratch)])
    assert result.exit_code in (0, 2), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 2:
        assert result.stdout == ""
        assert result.stderr
        for line in result.stderr.splitlines():
            assert line.startswith(f"{scratch}:"), line
    else:
        assert result.stdout.startswith(f"{scratch}: valid: ")


# Issue 12: a seeded mutator over the shipped goals files AND the data files they name, every
# command and format, for about a minute: no traceback, no hang, no exit code outside 0/1/2.

HOSTILE_TOKENS = [
    "5 ms*9**9**9",
    "1 ms*2**1024",
    "5 ms*1e9999",
    "-1e308 ks",
    "9" * 5000,
    "0x" + "f" * 5000,
    "::error::injected",
    "\x1b[31m",
    "=HYPERLINK(1)",
    "[x](http://e) @octocat",
    "NaN",
    "-inf",
    "",
    "x" * 300,
    '{"a": [[[[[[[[]]]]]]]]}',
    "\u202e",
]
FUZZ_SECONDS = 60.0


def _data_dirs() -> list[Path]:
    """The shipped example folders: a goals file and the files it names."""
    return [p.parent for p in sorted((ROOT / "examples").glob("*/goals.yaml"))]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return rng.choice(HOSTILE_TOKENS).encode()
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(out) + 1)
        op = rng.choice(["token", "token", "flip", "cut", "dup", "truncate"])
        if op == "token":
            end = min(len(out), i + rng.randint(0, 12))
            out[i:end] = rng.choice(HOSTILE_TOKENS).encode("utf-8")
        elif op == "flip" and i < len(out):
            out[i] ^= 1 << rng.randrange(8)
        elif op == "cut":
            del out[i : i + rng.randint(1, 40)]
        elif op == "dup":
            out[i:i] = out[max(0, i - 40) : i]
        elif op == "truncate":
            del out[i:]
    return bytes(out)


def _names(folder: Path) -> list[str]:
    """The candidates of a shipped example, before any mutation (for `explain NAME`)."""
    try:
        return list(tradeoff.load(folder / "goals.yaml").candidates)
    except tradeoff.InputError:
        return []


def _commands(rng: random.Random, goals: str, names: list[str]) -> list[str]:
    fmt = rng.choice(["table", "json", "csv", "markdown"])
    named = rng.choice(names) if names and rng.random() < 0.8 else "x"  # mostly a real name
    return rng.choice(
        [
            ["validate", goals],
            ["rank", goals, "-f", fmt, "--all"],
            ["rank", goals, "--uncertainty", "--samples", "30", "-f", fmt],
            ["pareto", goals, "--layers", "-f", fmt],
            ["explain", named, goals, "-f", fmt],
            ["explain", named, goals],
            ["sensitivity", goals, "--samples", "30", "-f", fmt],
            ["frontier", goals, "-f", fmt],
            ["suggest-budgets", goals],
            ["check", goals, "-f", rng.choice(["text", "json", "github", "junit", "markdown"])],
        ]
    )


def test_seeded_mutations_of_goals_and_data_files_through_every_command(tmp_path: Path) -> None:
    rng = random.Random(12)
    dirs = _data_dirs()
    assert dirs, "no shipped example folders to mutate"
    names = {d: _names(d) for d in dirs}
    assert any(names.values()), "no shipped example loads"
    started, runs, codes, explained = time.monotonic(), 0, set(), set()
    while time.monotonic() - started < FUZZ_SECONDS:
        source = rng.choice(dirs)
        work = tmp_path / f"run{runs}"
        shutil.copytree(source, work)
        files = [p for p in sorted(work.rglob("*")) if p.is_file() and p.suffix != ".md"]
        for victim in rng.sample(files, k=min(len(files), rng.randint(1, 2))):
            victim.write_bytes(_mutate(rng, victim.read_bytes()))
        args = _commands(rng, str(work / "goals.yaml"), names[source])
        with deadline(LIMIT):
            result = runner.invoke(app, args)
        shown = f"{args}: {result.exception!r}\n{result.stderr[-1500:]}"
        assert result.exit_code in (0, 1, 2), shown
        assert result.exception is None or isinstance(result.exception, SystemExit), shown
        assert "Traceback" not in result.stdout + result.stderr, shown
        for line in (result.stdout + result.stderr).splitlines():
            if line.lstrip().startswith("::"):
                assert "-f" in args and "github" in args and line.startswith("::"), shown
        codes.add(result.exit_code)
        if args[0] == "explain" and args[1] in names[source]:
            explained.add(result.exit_code)  # explain of a candidate the file had
        runs += 1
        shutil.rmtree(work)
    assert runs >= 20 and 2 in codes, (runs, codes)
    assert explained, "explain never named a candidate of its file"
