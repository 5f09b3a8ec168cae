"""The loader: every broken goals file in tests/bad/ fails with exactly the lines it expects.

A corpus file states what `tradeoff validate FILE` must print, one `# expect:` comment per stderr
line, in order, written as the line without its leading `FILE:` (so `LINE:COL: where: what`).
Line numbers count the comment lines themselves. Inputs that cannot carry a comment (an empty
file, UTF-16, a file over the size limit) are written by the tests below.
"""

from __future__ import annotations

import codecs
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import tradeoff
from conftest import GOALS, ROOT, deadline, runner, write_goals
from tradeoff.cli.app import app
from tradeoff.goals import textfile, yamlio, yamlscalars
from tradeoff.goals.loader import load_document

BAD = Path(__file__).resolve().parent / "bad"
CORPUS = sorted(BAD.glob("*.yaml"))
EXPECT = b"# expect: "


def expectations(path: Path) -> list[str]:
    """The `# expect:` lines at the top of a corpus file (read as bytes: some are not UTF-8)."""
    out = []
    for raw in path.read_bytes().split(b"\n"):
        if not raw.startswith(b"#"):
            break
        if raw.startswith(EXPECT):
            out.append(raw[len(EXPECT) :].decode("utf-8"))
    return out


def validate(path: Path) -> tuple[int, str, str]:
    with deadline(60):
        result = runner.invoke(app, ["validate", str(path)])
    return result.exit_code, result.stdout, result.stderr


def test_corpus_is_large_and_every_file_says_what_it_expects() -> None:
    assert len(CORPUS) >= 35
    for path in CORPUS:
        assert expectations(path), f"{path.name} has no '# expect:' line"


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_file_fails_with_exactly_the_expected_lines(path: Path) -> None:
    code, out, err = validate(path)
    assert "Traceback" not in out + err
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"{path}:{line}" for line in expectations(path)]


@pytest.mark.parametrize("name", ["alias_bomb", "nested_too_deep", "recursive_alias"])
def test_hostile_file_fails_in_a_real_process(name: str) -> None:
    path = BAD / f"{name}.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "tradeoff", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"{path}:{line}" for line in expectations(path)]


def test_a_file_with_many_problems_reports_every_one_at_once() -> None:
    path = BAD / "many_problems.yaml"
    with pytest.raises(tradeoff.InputError) as info:
        tradeoff.load(path)
    wheres = [d.where for d in info.value.diagnostics]
    assert len(wheres) == len(expectations(path)) >= 10
    for section in ("title", "metrics.", "budgets.", "profiles.", "candidates["):
        assert any(w.startswith(section) for w in wheres), section


# --- inputs that cannot carry an `# expect:` comment ----------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "1:1: file is empty; expected a YAML mapping"),
        (b"\n\n   \n", "1:1: file is empty; expected a YAML mapping"),
        (codecs.BOM_UTF8, "1:1: file is empty; expected a YAML mapping"),
        (
            codecs.BOM_UTF16_LE + "version: 1\n".encode("utf-16-le"),
            "1:1: UTF-16 text; save the file as UTF-8",
        ),
        (
            codecs.BOM_UTF16_BE + "version: 1\n".encode("utf-16-be"),
            "1:1: UTF-16 text; save the file as UTF-8",
        ),
        (b"\x00\x01\x02\x03binary", "1:1: binary file (contains NUL bytes), not text"),
        (b"\x89PNG\r\n\x1a\n", "1:1: not valid UTF-8 text (byte 0x89)"),
        ("title: é€\n".encode() + b"x: \xe9\n", "2:4: not valid UTF-8 text (byte 0xe9)"),
        ("a: é€ ".encode() + b"\xff", "1:7: not valid UTF-8 text (byte 0xff)"),
        (b"---\n", "1:1: file is empty; expected a YAML mapping"),
        (b"~\n", "1:1: expected a YAML mapping at the top, got null"),
        (b"42\n", "1:1: expected a YAML mapping at the top, got a scalar (42)"),
    ],
    ids=[
        "empty",
        "blank",
        "bom-only",
        "utf16le",
        "utf16be",
        "nul",
        "png",
        "latin1",
        "cols-in-chars",
        "null-doc",
        "tilde",
        "int",
    ],
)
def test_unusable_file(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "goals.yaml"
    path.write_bytes(content)
    code, out, err = validate(path)
    assert (code, out, err) == (2, "", f"{path}:{expected}\n")


def test_byte_order_mark_is_accepted_and_does_not_shift_columns(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    path.write_bytes(codecs.BOM_UTF8 + GOALS.encode())
    study = tradeoff.load(path)
    assert study.candidates == ["model-a", "model-b-q4", "model-c", "model-d"]
    text = GOALS.replace("latency_p95: 210", "latency_p95: x")
    path.write_bytes(codecs.BOM_UTF8 + text.encode())
    line, col = _position(text, "latency_p95: x", len("latency_p95: "))
    code, _, err = validate(path)
    where = "candidates[1].metrics.latency_p95"
    assert (code, err) == (2, f"{path}:{line}:{col}: {where}: expected a finite number, got 'x'\n")


def _position(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """1-based line and column of `needle` (plus `offset` characters) in `text`; once only."""
    assert text.count(needle) == 1
    before = text[: text.index(needle) + offset]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def test_file_over_the_size_limit_fails_fast_in_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    filler = b"# " + b"x" * 1022 + b"\n"
    with path.open("wb") as fh:
        fh.write(GOALS.encode())
        for _ in range(textfile.MAX_BYTES // len(filler) + 2):
            fh.write(filler)
    assert path.stat().st_size > 32 * 1024 * 1024
    proc = subprocess.run(
        [sys.executable, "-m", "tradeoff", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == f"{path}:1:1: file is larger than 32 MiB\n"


def test_missing_file_and_directory_are_whole_file_errors(tmp_path: Path) -> None:
    for target, what in [(tmp_path / "nope.yaml", "no such file"), (tmp_path, "is a directory")]:
        with pytest.raises(tradeoff.InputError) as info:
            tradeoff.load(target)
        [d] = info.value.diagnostics
        assert (d.line, d.col, d.where) == (0, 0, "")
        assert what in d.what
        assert str(d) == f"{target}: {d.what}"


# --- YAML 1.2 semantics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e-3", 0.001),
        ("1E3", 1000.0),
        ("-2.5e+2", -250.0),
        (".5", 0.5),
        ("7.", 7.0),
        ("010", 10),  # not octal 8 as in YAML 1.1
        ("0o17", 15),
        ("0x1F", 31),
        ("+12", 12),
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("NO", "NO"),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("null", None),
        ("~", None),
        ("", None),
        ("1_000", "1_000"),
        ("190:20:30", "190:20:30"),
        ("0b101", "0b101"),
        ("2024-01-05", "2024-01-05"),
        ("nan", "nan"),
        ("inf", "inf"),
    ],
)
def test_plain_scalars_resolve_by_the_yaml_1_2_core_schema(text: str, value: object) -> None:
    resolved = yamlscalars.resolve_plain(text)
    assert type(resolved) is type(value)
    assert resolved == value


@pytest.mark.parametrize(("text", "sign"), [(".inf", 1), ("-.Inf", -1), ("+.INF", 1)])
def test_plain_infinities(text: str, sign: int) -> None:
    assert yamlscalars.resolve_plain(text) == sign * math.inf


def test_plain_nan_and_huge_integers() -> None:
    assert math.isnan(yamlscalars.resolve_plain(".NaN"))
    assert yamlscalars.resolve_plain("9" * 5000) == math.inf  # no ValueError from int()
    assert yamlscalars.resolve_plain("-" + "9" * 5000) == -math.inf


def test_scientific_and_quoted_numbers_are_accepted(tmp_path: Path) -> None:
    text = GOALS.replace("cost: 0.0002", "cost: 2e-4").replace(
        "latency_p95: 210", 'latency_p95: "210"'
    )
    data = tradeoff.load(write_goals(tmp_path, text)).data
    j_cost, j_lat = data.metric_index("cost"), data.metric_index("latency_p95")
    assert data.values[1, j_cost] == 2e-4
    assert data.values[1, j_lat] == 210.0


def test_explicit_null_metric_value_is_a_missing_value(tmp_path: Path) -> None:
    data = tradeoff.load(write_goals(tmp_path, GOALS.replace("energy: 0.3", "energy: null"))).data
    assert np.isnan(data.values[1, data.metric_index("energy")])


# --- locations ----------------------------------------------------------------------------------


def _keyed_lines() -> list[int]:
    """Block-style `key: value` lines of GOALS (0-based), where a repeated line repeats a key."""
    return [
        i
        for i, line in enumerate(GOALS.splitlines())
        if re.match(r"\s*(- )?[A-Za-z_][\w-]*:", line)
    ]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" -"))


@pytest.mark.parametrize("index", _keyed_lines())
def test_a_repeated_key_at_any_depth_names_both_lines(tmp_path: Path, index: int) -> None:
    lines = GOALS.splitlines()
    line = lines[index]
    key = re.match(r"\s*(- )?([\w-]+):", line)
    assert key is not None
    copy = " " * _indent(line) + line.lstrip(" -")
    at = index + 1
    if line.endswith(":"):  # a block below: repeat the key after it, with an inline value
        while at < len(lines) and _indent(lines[at]) > _indent(line):
            at += 1
        copy += " []" if lines[index + 1].lstrip().startswith("-") else " {}"
    lines.insert(at, copy)
    path = write_goals(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(tradeoff.InputError) as info:
        tradeoff.load(path)
    dups = [d for d in info.value.diagnostics if "duplicate key" in d.what]
    assert len(dups) == 1
    assert dups[0].line == at + 1
    assert dups[0].what == f"duplicate key '{key.group(2)}' (first on line {index + 1})"


def test_value_through_an_alias_is_located_at_the_alias(tmp_path: Path) -> None:
    text = GOALS.replace(
        "    metrics: {quality: 61.0, cost: 0.0012, latency_p95: 480",
        "    metrics: {quality: 61.0, cost: 0.0012, latency_p95: *lat",
    ).replace("latency_p95: 640", "latency_p95: &lat 640")
    data = tradeoff.load(write_goals(tmp_path, text)).data
    j = data.metric_index("latency_p95")
    assert data.values[3, j] == 640
    assert (data.lines[3, j], data.cols[3, j]) == _position(text, "*lat")


def test_missing_key_points_at_the_mapping_that_lacks_it(tmp_path: Path) -> None:
    text = GOALS.replace("memory:      {direction: min, unit: GB}", "memory:      {unit: GB}")
    with pytest.raises(tradeoff.InputError) as info:
        tradeoff.load(write_goals(tmp_path, text))
    [d] = info.value.diagnostics
    assert (d.line, d.col, d.where) == (7, 16, "metrics.memory")
    assert d.what == "missing required key 'direction'"


def test_unknown_key_suggestions_come_from_the_place_of_the_key(tmp_path: Path) -> None:
    text = GOALS.replace("budgets:\n", "budget:\n").replace(
        "    tags: [api]\n", "    tags: [api]\n    unit: x\n"
    )
    with pytest.raises(tradeoff.InputError) as info:
        tradeoff.load(write_goals(tmp_path, text))
    whats = {d.where: d.what for d in info.value.diagnostics}
    assert whats["budget"] == "unknown key 'budget' (did you mean 'budgets'?)"
    # `unit` is a field of a metric, not of a candidate: no suggestion from elsewhere.
    assert whats["candidates[0].unit"] == "unknown key 'unit'"


def test_keys_with_control_characters_stay_on_one_line(tmp_path: Path) -> None:
    path = write_goals(tmp_path, GOALS + '"bad\\nkey": 1\n')
    code, _, err = validate(path)
    assert code == 2
    assert err == f"{path}:38:1: ['bad\\nkey']: unknown key 'bad\\nkey'\n"


def test_parse_raises_on_a_repeated_key_unless_partial() -> None:
    text = "version: 1\nversion: 1\n"
    with pytest.raises(tradeoff.InputError):
        yamlio.parse(text, "g.yaml")
    doc = yamlio.parse(text, "g.yaml", partial=True)
    assert doc.data == {"version": 1}
    assert [str(d) for d in doc.problems] == [
        "g.yaml:2:1: version: duplicate key 'version' (first on line 1)"
    ]
    with pytest.raises(tradeoff.InputError) as info:
        load_document(doc)
    assert "g.yaml:2:1: version: duplicate key 'version' (first on line 1)" in str(info.value)


def test_shipped_goals_file_loads_with_every_value_located() -> None:
    data = tradeoff.load(ROOT / "goals.yaml").data
    assert len(data.names) >= 8
    assert (data.lines >= 1).all()
    assert (data.cols >= 1).all()


def test_ten_thousand_candidates_load_quickly(tmp_path: Path) -> None:
    head, _ = GOALS.split("candidates:\n")
    rows = [
        f"  - name: m{i}\n    tags: [api]\n    metrics: {{quality: {i % 97}.5,"
        f" cost: 0.00{i % 9 + 1}, latency_p95: {100 + i % 700}, memory: {i % 50},"
        f" energy: 0.{i % 9 + 1}, safety: 0.9}}\n"
        for i in range(10_000)
    ]
    path = write_goals(tmp_path, head + "candidates:\n" + "".join(rows))
    start = time.process_time()  # CPU time: the work done, however loaded the machine is
    with deadline(60):
        data = tradeoff.load(path).data
    elapsed = time.process_time() - start
    assert data.values.shape == (10_000, 6)
    # A generous bound that still catches quadratic behaviour (about 1 s on a laptop).
    assert elapsed < 15, elapsed


@pytest.mark.parametrize(
    ("unit", "bounds", "error"),
    [
        ("s", '{max: 2, min: "500 ms"}', None),  # 0.5 s <= 2 s
        ("ms", '{max: "0.8 s", min: 1}', None),  # 1 ms <= 800 ms
        ("ms", '{min: "1 s", max: 900}', "min 1 s is above max 900: nothing can pass"),
        ("s", '{min: 1, max: "900 ms"}', "min 1 is above max 900 ms: nothing can pass"),
    ],
)
def test_min_above_max_is_judged_in_the_metrics_unit(
    tmp_path: Path, unit: str, bounds: str, error: str | None
) -> None:
    path = tmp_path / "u.yaml"
    path.write_text(
        f"version: 1\nmetrics:\n  lat: {{direction: min, unit: {unit}}}\nbudgets:\n"
        f"  lat: {bounds}\ncandidates:\n  - {{name: a, metrics: {{lat: 0.64}}}}\n"
    )
    if error is None:
        tradeoff.load(path)
        return
    with pytest.raises(tradeoff.InputError) as exc:
        tradeoff.load(path)
    assert [str(d) for d in exc.value.diagnostics] == [f"{path}:5:8: budgets.lat: {error}"]
