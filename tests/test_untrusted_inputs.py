"""Issue 12's regression corpus, part 1: hostile goals files and the files they name.

Each case runs `tradeoff` in a child process (tests/hostile.py) under a subprocess timeout and an
address-space limit, and asserts the exit code and a located, short message. Large inputs are
generated here; nothing big is committed.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from hostile import run
from tradeoff import units

BOMBS = ["5 ms*9**9**9", "1 ms*2**1024", "5 ms*1e9999", "5 " + "m" * 100_000]

GOALS = """\
version: 1
metrics:
  latency: {{direction: min, unit: {unit}}}
  quality: {{direction: max}}
budgets:
  latency: {{max: {budget}}}
candidates:
  - name: a
    metrics: {{latency: {value}, quality: 1}}
  - name: b
    metrics: {{latency: 5, quality: 2}}
"""


def _goals(tmp_path: Path, unit: str = "ms", budget: str = "800", value: str = "5") -> Path:
    path = tmp_path / "goals.yaml"
    path.write_text(GOALS.format(unit=unit, budget=budget, value=value), encoding="utf-8")
    return path


def _refused(tmp_path: Path, *args: str, line: int | None = None) -> str:
    proc = run([*args], tmp_path, timeout=30, memory=1536 * 1024**2)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr, "a refusal says why"
    if line is not None:
        assert proc.stderr.startswith(f"goals.yaml:{line}:"), proc.stderr[:300]
    assert max(len(x) for x in proc.stderr.splitlines()) < 400  # a short excerpt, never the input
    return proc.stderr


def _unit_cases(tmp_path: Path) -> dict[str, str]:
    """One goals file per (place, bomb): file name -> the start of its expected error line."""
    expected: dict[str, str] = {}
    for k, bomb in enumerate(BOMBS):
        unit = bomb.partition(" ")[2]
        cases = {
            "value": (GOALS.format(unit="ms", budget="800", value=json.dumps(bomb)), 9),
            "budget": (GOALS.format(unit="ms", budget=json.dumps(bomb), value="5"), 6),
            "unit": (GOALS.format(unit=json.dumps(unit), budget="800", value='"5 ms"'), 9),
        }
        (tmp_path / f"t{k}.csv").write_text(f'name,latency,quality\nc,"{bomb}",1\n')
        table = GOALS.format(unit="ms", budget="800", value="5") + f"  - from: t{k}.csv\n"
        cases["cell"] = (table, 12)
        report = {"report": {"decode": {"latency": {"unit": unit, "p95": 0.1}}}}
        (tmp_path / f"r{k}.json").write_text(json.dumps(report))
        cases["report"] = (
            "version: 1\nmetrics:\n  latency:\n    direction: min\n    unit: ms\n"
            "    source: {optimum_benchmark: {target: decode, field: latency.p95}}\n"
            f"candidates:\n  - name: a\n    from: r{k}.json\n",
            9,
        )
        for place, (text, line) in cases.items():
            name = f"{place}{k}.yaml"
            (tmp_path / name).write_text(text, encoding="utf-8")
            expected[name] = f"{name}:{line}:"
    return expected


def test_unit_bombs_everywhere_are_refused_fast(tmp_path: Path) -> None:
    """A value, a budget, a metric's unit, a table cell, a report's unit field: 20 files, one run
    (a child process per file would make this the slowest test of the suite)."""
    expected = _unit_cases(tmp_path)
    for command in (["check", *expected], ["check", "-f", "github", *expected]):
        proc = run(command, tmp_path, timeout=60, memory=1536 * 1024**2)
        assert proc.returncode == 2
        lines = (proc.stderr + proc.stdout).splitlines()
        for name, start in expected.items():
            assert any(start in x for x in lines), (name, proc.stderr[-2000:])
        assert max(len(x) for x in lines) < 400


def test_unit_bomb_in_a_baselines_units_is_refused_fast(tmp_path: Path) -> None:
    bomb = BOMBS[0]
    _goals(tmp_path)
    proc = run(["pareto", "goals.yaml", "-f", "json"], tmp_path)
    doc = json.loads(proc.stdout)
    doc["units"]["latency"] = bomb.partition(" ")[2]
    (tmp_path / "base.json").write_text(json.dumps(doc))
    err = _refused(tmp_path, "check", "goals.yaml", "--baseline", "base.json")
    assert err.startswith("base.json: units.latency: the baseline has latency in 'ms*9**9**9'")


def test_a_value_infinite_after_conversion_is_an_error(tmp_path: Path) -> None:
    files = []
    for k, value in enumerate(['"5 ms*1e9999"', '"-1e308 ks"', '"1e308 s"']):
        files.append(f"inf{k}.yaml")
        (tmp_path / files[-1]).write_text(GOALS.format(unit="ms", budget="800", value=value))
    proc = run(["check", *files], tmp_path, timeout=60)
    assert proc.returncode == 2  # `check` used to pass them
    assert [x.split(": ")[0] for x in proc.stderr.splitlines()] == [f"{f}:9:24" for f in files]
    assert "too large in the metric's unit 'ms'" in proc.stderr


def test_the_unit_grammar() -> None:
    for good in ["ms", "USD/1M tokens", "USD/(1k requests)", "kg*m/s^2", "m**-1", "%", "°C"]:
        assert units.check(good)
    for bad, why in [
        ("ms*9**9**9", "exponent goes right after a unit"),
        ("ms^999", "at character 3"),
        ("ms**", "at character 4"),
        ("ms*2**1024", "at character 6"),
        ("1e9999", "at character 1"),
        ("m" * 65, "at most 64 characters"),
        ("((((ms))))", "parentheses"),
        ("ms\x1b[31m", "at character 3"),
        ("42", "no unit name"),
    ]:
        with pytest.raises(ValueError, match=why.replace("*", r"\*").replace("^", r"\^")):
            units.check(bad)
    with pytest.raises(ValueError, match="unknown unit 'blorp'"):
        units.factor("blorp", "ms")
    with pytest.raises(ValueError, match="out of range"):
        units.factor("ms^99*ms^99*ms^99*ms^99", "s^99*s^99*s^99*s^99")


def _big_integer_files(tmp_path: Path, digits: int) -> None:
    """A JSON Lines table, an lm-eval results file and a vLLM result, each holding an integer
    of `digits` nines, and a goals file reading all three (lines 7, 8 and 9)."""
    big = "9" * digits
    (tmp_path / "t.jsonl").write_text(f'{{"name": "a", "q": {big}}}\n{{"name": "b", "q": 1}}\n')
    (tmp_path / "r.json").write_text(f'{{"results": {{"mmlu": {{"acc": {big}}}}}}}')
    serving = {"request_throughput": 1, "duration": 2, "completed": 3, "p99_ttft_ms": 0}
    (tmp_path / "v.json").write_text(json.dumps(serving).replace(": 0}", f": {big}}}"))
    (tmp_path / "goals.yaml").write_text(
        "version: 1\nmetrics:\n  q: {direction: max}\n"
        "  acc: {direction: max, source: {lm_eval: {task: mmlu, field: acc}}}\n"
        "  ttft: {direction: min, unit: ms, source: {serving: {field: ttft, stat: p99}}}\n"
        "candidates:\n  - from: t.jsonl\n  - {name: c, from: r.json}\n  - {name: d, from: v.json}\n"
    )


def test_huge_integers_in_json_files_are_located(tmp_path: Path) -> None:
    # 5,000 digits: over Python's 4,300-digit limit for int().
    _big_integer_files(tmp_path, 5000)
    err = _refused(tmp_path, "validate", "goals.yaml")
    assert "goals.yaml:7:11: candidates[0].from: t.jsonl line 1: " in err
    assert "goals.yaml:8:" in err and "too many digits" in err
    assert "goals.yaml:9:" in err  # the serving file too


def test_huge_hex_integer_in_yaml_is_located(tmp_path: Path) -> None:
    _goals(tmp_path, value="0x" + "f" * 5000)
    err = _refused(tmp_path, "check", "goals.yaml", line=9)
    assert "too large" in err


def test_a_path_component_over_255_bytes_is_located(tmp_path: Path) -> None:
    text = GOALS.format(unit="ms", budget="800", value="5")
    (tmp_path / "goals.yaml").write_text(text + f"  - from: {'x' * 300}.csv\n")
    err = _refused(tmp_path, "validate", "goals.yaml", line=12)
    assert "cannot open the path" in err


def test_a_goals_file_linked_out_of_its_folder_is_refused(tmp_path: Path) -> None:
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUA\n" * 30
    (tmp_path / "id_ed25519").write_text(key)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "goals.yaml").symlink_to(tmp_path / "id_ed25519")
    for command in ("validate", "check"):
        err = _refused(tmp_path / "repo", command, "goals.yaml")
        assert err == (
            "goals.yaml: a symbolic link to a file outside its folder"
            " (pass --allow-external-sources to read it anyway)\n"
        )
    # Allowed, it is read; the message quotes a short excerpt of it, never the key.
    err = _refused(tmp_path / "repo", "validate", "--allow-external-sources", "goals.yaml")
    assert "BEGIN OPENSSH" in err and err.count("b3Bl") <= 1


def test_a_goals_file_linked_within_its_folder_is_read(tmp_path: Path) -> None:
    _goals(tmp_path)
    (tmp_path / "link.yaml").symlink_to("goals.yaml")
    assert run(["validate", "link.yaml"], tmp_path).returncode == 0


def test_a_fifo_as_the_goals_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "goals.yaml")
    err = _refused(tmp_path, "validate", "goals.yaml")
    assert "not a regular file" in err


def test_did_you_mean_over_thousands_of_keys_is_fast(tmp_path: Path) -> None:
    n = 3000
    metrics = "\n".join(f"  metric_{i}: {{direction: max}}" for i in range(n))
    typos = ", ".join(f"metrik_{i}: 1" for i in range(n))
    (tmp_path / "goals.yaml").write_text(
        f"version: 1\nmetrics:\n{metrics}\ncandidates:\n  - name: a\n    metrics: {{{typos}}}\n"
        f"profiles:\n  default: {{{typos}}}\n"
    )
    proc = run(["validate", "goals.yaml"], tmp_path, timeout=30)
    assert proc.returncode == 2 and "unknown metric 'metrik_2999'" in proc.stderr


def test_a_csv_header_of_80000_columns_is_linear(tmp_path: Path) -> None:
    columns = ["name", "q", *(f"c{i}" for i in range(80_000))]
    row = ["a", "1", *("0" for _ in range(80_000))]
    (tmp_path / "t.csv").write_text(",".join(columns) + "\n" + ",".join(row) + "\n")
    (tmp_path / "goals.yaml").write_text(
        "version: 1\nmetrics:\n  q: {direction: max}\n  r: {direction: max}\n"
        "candidates:\n  - from: t.csv\n    columns: {r: c7999x}\n"
    )
    err = _refused(tmp_path, "validate", "goals.yaml", line=6)
    assert "'columns' maps r to 'c7999x', which is not a column here" in err


def _parquet_goals(tmp_path: Path, name: str) -> None:
    (tmp_path / "goals.yaml").write_text(
        f"version: 1\nmetrics:\n  q: {{direction: max, unit: ms}}\ncandidates:\n  - from: {name}\n"
    )


def test_a_parquet_dictionary_bomb_is_sized_before_decoding(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 200_000  # 200,000 rows of one 30 KB string: 6 GB decoded, 1.6 KB on disk
    indices = pa.array([0] * n, pa.int32())
    name = pa.DictionaryArray.from_arrays(indices, pa.array(["x" * 30_000]))
    q = pa.DictionaryArray.from_arrays(indices, pa.array(["1 ms" + " " * 30_000]))
    pq.write_table(pa.table({"name": name, "q": q}), tmp_path / "bomb.parquet", compression="zstd")
    assert (tmp_path / "bomb.parquet").stat().st_size < 10_000
    _parquet_goals(tmp_path, "bomb.parquet")
    err = _refused(tmp_path, "validate", "goals.yaml", line=5)
    assert "bomb.parquet: its columns would take 12,004,000,000 bytes in memory" in err


def test_parquet_column_names_are_capped(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"name": ["a"], "q": [1.0], "x" * 5000: [1.0]})
    pq.write_table(table, tmp_path / "t.parquet")
    _parquet_goals(tmp_path, "t.parquet")
    err = _refused(tmp_path, "validate", "goals.yaml", line=5)
    assert "t.parquet: a column name of 5000 characters (at most 1024)" in err


def test_a_broken_parquet_file_is_located(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"name": ["a", "b"], "q": [1.0, 2.0]}), tmp_path / "t.parquet")
    data = bytearray((tmp_path / "t.parquet").read_bytes())
    data[20:60] = b"\xff" * 40  # the first column's pages
    (tmp_path / "t.parquet").write_bytes(bytes(data))
    _parquet_goals(tmp_path, "t.parquet")
    err = _refused(tmp_path, "validate", "goals.yaml", line=5)
    assert "t.parquet" in err


def test_unit_bombs_in_table_headers_are_refused_fast(tmp_path: Path) -> None:
    long = "m" * 100
    (tmp_path / "t.csv").write_text(f"name,latency (ms*9**9**9),lat2 [{long}]\na,1,2\n")
    (tmp_path / "goals.yaml").write_text(
        "version: 1\nmetrics:\n  latency: {direction: min, unit: ms}\n"
        "  lat2: {direction: min, unit: ms}\ncandidates:\n  - from: t.csv\n"
        f'    columns: {{latency: "latency (ms*9**9**9)", lat2: "lat2 [{long}]"}}\n'
    )
    err = _refused(tmp_path, "validate", "goals.yaml", line=6)
    assert "not a unit: 'ms*9**9**9' (an exponent goes right after a unit)" in err
    assert "a unit is at most 64 characters, got 100" in err


@pytest.mark.parametrize("place", ["candidate", "profile", "metric"])
def test_a_long_key_is_quoted_short_in_where_too(tmp_path: Path, place: str) -> None:
    key = "k" * 1000  # YAML's longest simple key; an identifier, so `where` held it whole
    text = GOALS.format(unit="ms", budget="800", value="5")
    text = {
        "candidate": text.replace("quality: 1}", f"quality: 1, {key}: 3}}"),
        "profile": text + f"profiles:\n  default: {{latency: 1, {key}: 1}}\n",
        "metric": text.replace("budgets:", f"  {key}: {{direction: up}}\nbudgets:"),
    }[place]
    (tmp_path / "goals.yaml").write_text(text, encoding="utf-8")
    err = _refused(tmp_path, "validate", "goals.yaml")
    assert "kkkkkkkkkk" in err


def test_a_double_star_refuses_linked_folders_and_enters_each_once(tmp_path: Path) -> None:
    # `**` walked every symlinked folder (Python's glob follows them): two links back up the
    # tree made the walk exponential (over a minute, then "more than 10000 files"), and a link
    # to / listed the whole disk, outside the goals file's folder, before any path was checked.
    runs = tmp_path / "runs"
    for k in range(3):
        (runs / f"r{k}" / "sub").mkdir(parents=True)
        (runs / f"r{k}" / "sub" / "t.csv").write_text(f"name,q\nm{k},{k}\n")
        (runs / f"r{k}" / "sub" / "up").symlink_to("../..", target_is_directory=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "t.csv").write_text("name,q\nhidden,9\n")  # `**` skips it, as glob
    (tmp_path / "goals.yaml").write_text(
        "version: 1\nmetrics: {q: {direction: max}}\ncandidates:\n  - from: '**/*.csv'\n"
    )
    started = time.monotonic()
    proc = run(["rank", "goals.yaml", "-f", "csv"], tmp_path, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""  # from: paths never go through a link
    assert "'runs/r0/sub/up' is a symbolic link" in proc.stderr
    allowed = ["rank", "goals.yaml", "-f", "csv", "--allow-external-sources"]
    proc = run(allowed, tmp_path, timeout=60)  # links followed, each folder entered once
    assert proc.returncode == 0, proc.stderr
    assert [line.split(",")[1] for line in proc.stdout.splitlines()[1:]] == ["m2", "m1", "m0"]
    for k in range(3):
        (runs / f"r{k}" / "root").symlink_to("/", target_is_directory=True)
    proc = run(["rank", "goals.yaml", "-f", "csv"], tmp_path, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (
        "goals.yaml:4:11: candidates[0].from: 'runs/r0/root': the path leads outside the goals"
        " file's folder through a symlink (pass --allow-external-sources to allow it)\n"
    )
    assert time.monotonic() - started < 20


def test_integers_beyond_a_float_in_json_files_are_located(tmp_path: Path) -> None:
    # 400 digits: under Python's 4,300-digit limit, over a float's range: float() raised
    # OverflowError (a traceback) in the lm-eval, JSON Lines and serving readers.
    _big_integer_files(tmp_path, 400)
    err = _refused(tmp_path, "validate", "goals.yaml")
    assert "goals.yaml:7:11: candidates[0].from: t.jsonl line 1, column q: expected a finite" in err
    assert "goals.yaml:8:" in err and "field 'acc': expected a finite number" in err
    assert "goals.yaml:9:" in err
