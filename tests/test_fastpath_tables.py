"""Plain `from:` tables on the loader's fast path: the same study, or the same refusal.

`fastpath.study_data` reads a goals file whose candidates are plain table entries (`from:` and
`tags:` only) without pydantic, through the full path's own readers; any problem declines, and
`loader.load_full` reports it. For every case here, a valid file, one the fast path must leave
to the full path, or a broken one: either the fast path declines, or the full path accepts too
and builds the same `StudyData`; and the commands print the same bytes and exit with the same
code with the fast path switched off. The valid plain cases must take the fast path (issue 17:
pydantic was a quarter of `tradeoff pareto` on a Parquet table), and the broken ones must fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tradeoff
from conftest import runner
from tradeoff.cli.app import app
from tradeoff.data import StudyData
from tradeoff.goals import fastpath, yamlio
from tradeoff.goals.loader import load_full

HEAD = """\
version: 1
title: Sweep
metrics:
  quality: {direction: max, unit: "%"}
  cost: {direction: min, unit: USD/request}
  latency: {direction: min, unit: ms, range: [0, 5000]}
budgets:
  latency: {max: 900}
  cost: [{max: 0.05, level: warn}, {max: 0.009, tags: [edge]}]
profiles:
  default: {quality: 3, cost: 1, latency: 1}
candidates:
"""

CSV = (
    "name,quality,cost (USD/request),latency [s],date\n"
    "a,71.5,0.004,0.41,2024-05-01\n"
    "b,64,0.0011,0.2,\n"
    "c,,0.02,1.2,05/03/2024\n"
    "d,80.25,0.03,0.95,\n"
)
JSONL = (
    '{"name": "e", "quality": 55, "cost": 0.001, "latency": 120}\n'
    '{"name": "f", "quality": 66.5, "cost": 0.002, "latency": null, "extra": "x"}\n'
)


def _files(folder: Path) -> None:
    (folder / "sweep.csv").write_text(CSV)
    (folder / "more.jsonl").write_text(JSONL)
    pq.write_table(
        pa.table(
            {
                "name": pa.array(["g", "h", "i"]).dictionary_encode(),
                "quality": [60.0, 70.0, None],
                "cost": [0.003, 0.001, 0.002],
                "latency": [300.0, 450.0, 2000.0],  # i, without quality, is infeasible
            }
        ),
        folder / "runs.parquet",
    )
    (folder / "parts").mkdir()
    for k, names in enumerate((["p", "q"], ["r"])):
        part = {"name": names, "quality": [50.0 + k] * len(names), "cost": [0.001] * len(names)}
        part["latency"] = [100.0 + 10 * k] * len(names)
        pq.write_table(pa.table(part), folder / "parts" / f"part-{k}.parquet")
    (folder / "runs").mkdir()
    (folder / "runs" / "r1.csv").write_text("name,quality,cost,latency\nj,50,0.001,100\n")
    (folder / "runs" / "r2.csv").write_text("name,quality,cost,latency\nk,52,0.002,90\n")


# Valid, plain: each must take the fast path and build what the full path builds.
PLAIN = {
    "csv with header units and dates": "  - from: sweep.csv\n",
    "csv with tags": "  - from: sweep.csv\n    tags: [edge, gpu]\n",
    "jsonl": "  - from: more.jsonl\n",
    "parquet": "  - from: runs.parquet\n    tags: [edge]\n",
    "a list of files": "  - from: [runs/r1.csv, more.jsonl]\n",
    "a glob": "  - from: runs/*.csv\n",
    "two entries": "  - from: sweep.csv\n    tags: [api]\n  - from: runs.parquet\n",
    "flow style": "  - {from: runs.parquet, tags: []}\n",
    "a parquet dataset folder": "  - from: parts\n",
}

# Valid, but not plain: the full path decides (and accepts).
UNUSUAL = {
    "columns": "  - from: runs.parquet\n    columns: {quality: quality}\n",
    "combine": "  - from: runs/*.csv\n    combine: mean\n",
    "entry metrics": "  - from: noquality.csv\n    metrics: {quality: 50}\n",
    "an inline candidate too": "  - from: runs/r1.csv\n  - name: z\n    metrics: {quality: 1}\n",
    "tag columns": "  - from: runs/r1.csv\n    tag_columns: [name]\n",
}

# Broken: the full path refuses; the fast path must decline, the messages are the full path's.
BROKEN = {
    "a missing file": "  - from: nowhere.csv\n",
    "an empty table (no candidates)": "  - from: empty.csv\n",
    "a pattern matching nothing": "  - from: runs/*.parquet\n",
    "a path outside the folder": "  - from: ../outside.csv\n",
    "an absolute path": "  - from: /etc/hostname\n",
    "a symbolic link": "  - from: link.csv\n",
    "an empty path": "  - from: ''\n",
    "an empty list": "  - from: []\n",
    "null": "  - from: null\n",
    "a number": "  - from: 5\n",
    "a header unit that does not parse": "  - from: badunit.csv\n",
    "a header unit that does not convert": "  - from: wrongunit.csv\n",
    "no name column": "  - from: noname.csv\n",
    "a duplicate name in a table": "  - from: dup.csv\n",
    "a duplicate name across entries": "  - from: runs/r1.csv\n  - from: again/r1.csv\n",
    "a duplicate name across files": "  - from: [runs/r1.csv, again/r1.csv]\n",
    "a NaN cell": "  - from: nan.csv\n",
    "a word in a number column": "  - from: word.csv\n",
    "a metric no row has": "  - from: noquality.csv\n",
    "a long parquet column name": "  - from: longname.parquet\n",
    "a broken parquet file": "  - from: broken.parquet\n",
    "a results file, not a table": "  - from: results.json\n",
    "a control character in a tag": '  - from: runs/r1.csv\n    tags: ["a\\u0007"]\n',
    "a name beside a table": "  - from: runs/r1.csv\n    name: x\n",
    "an unknown key": "  - from: runs/r1.csv\n    colums: {quality: q}\n",
}


def _broken_files(folder: Path) -> None:
    (folder.parent / "outside.csv").write_text("name,quality,cost,latency\nx,1,1,1\n")
    (folder / "link.csv").symlink_to("sweep.csv")
    (folder / "badunit.csv").write_text("name,quality,cost,latency (9**9**9)\na,1,1,1\n")
    (folder / "wrongunit.csv").write_text("name,quality,cost,latency [kg]\na,1,1,1\n")
    (folder / "noname.csv").write_text("model,quality,cost,latency\na,1,1,1\n")
    (folder / "dup.csv").write_text("name,quality,cost,latency\na,1,1,1\nb,1,1,1\na,2,2,2\n")
    (folder / "again").mkdir()
    (folder / "again" / "r1.csv").write_text("name,quality,cost,latency\nj,51,0.001,100\n")
    (folder / "nan.csv").write_text("name,quality,cost,latency\na,NaN,1,1\n")
    (folder / "word.csv").write_text("name,quality,cost,latency\na,fast,1,1\n")
    (folder / "noquality.csv").write_text("name,quality,cost,latency\na,,1,1\nb,,2,2\n")
    (folder / "empty.csv").write_text("name,quality,cost,latency\n")
    pq.write_table(
        pa.table(
            {"name": ["a"], "quality": [1.0], "cost": [1.0], "latency": [1.0], "x" * 2000: [1]}
        ),
        folder / "longname.parquet",
    )
    pq.write_table(pa.table({"name": ["a", "b"], "quality": [1.0, 2.0]}), folder / "broken.parquet")
    data = bytearray((folder / "broken.parquet").read_bytes())
    data[20:60] = b"\xff" * 40
    (folder / "broken.parquet").write_bytes(bytes(data))
    (folder / "results.json").write_text(json.dumps({"results": {"t": {"acc,none": 0.5}}}))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    here = tmp_path / "study"
    here.mkdir()
    _files(here)
    _broken_files(here)
    return here


def _same(a: Any, b: Any, where: str) -> None:
    """Equal down to array bytes (and dtypes), through dataclasses, lists, tuples and dicts."""
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), where
        assert (a.dtype, a.shape, a.tobytes()) == (b.dtype, b.shape, b.tobytes()), where
    elif hasattr(a, "__dataclass_fields__"):
        assert type(a) is type(b), where
        for f in fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{k}]")
    elif isinstance(a, dict):
        assert type(b) is dict and list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k!r}]")
    else:
        assert repr(a) == repr(b), where


def _studies(path: Path) -> tuple[StudyData | None, StudyData | tradeoff.InputError]:
    doc = yamlio.load(path, partial=True)
    fast = fastpath.study_data(doc, path.parent, False)
    try:
        full: StudyData | tradeoff.InputError = load_full(doc, path.parent, False)
    except tradeoff.InputError as exc:
        full = exc
    return fast, full


def _write(folder: Path, entries: str) -> Path:
    path = folder / "goals.yaml"
    path.write_text(HEAD + entries)
    return path


@pytest.mark.parametrize("entries", PLAIN.values(), ids=PLAIN.keys())
def test_plain_tables_take_the_fast_path_with_the_same_study(folder: Path, entries: str) -> None:
    fast, full = _studies(_write(folder, entries))
    assert isinstance(full, StudyData), full
    assert fast is not None, "the fast path declined a plain table entry"
    _same(fast, full, "study")
    assert fast.names and fast.groups and fast.read  # the comparison saw real rows


def test_the_csv_case_reads_what_the_file_says(folder: Path) -> None:
    # The plain cases compare the two paths; this one checks the numbers against the file.
    fast, _ = _studies(_write(folder, PLAIN["csv with tags"]))
    assert fast is not None
    assert fast.names == ["a", "b", "c", "d"]
    expected = [[71.5, 0.004, 410], [64, 0.0011, 200], [np.nan, 0.02, 1200], [80.25, 0.03, 950]]
    np.testing.assert_allclose(fast.values, expected)
    assert fast.tags == [frozenset({"edge", "gpu"})] * 4
    budgets = [(b.metric, b.limit, b.level, b.tags) for b in fast.budgets]
    assert budgets == [
        ("latency", 900.0, "error", None),
        ("cost", 0.05, "warn", None),
        ("cost", 0.009, "error", frozenset({"edge"})),
    ]
    assert fast.provenance[(0, 0)]["date"] == "2024-05-01"
    assert fast.provenance[(2, 1)]["date"] == "2024-05-03"


@pytest.mark.parametrize("entries", UNUSUAL.values(), ids=UNUSUAL.keys())
def test_unusual_table_entries_are_left_to_the_full_path(folder: Path, entries: str) -> None:
    fast, full = _studies(_write(folder, entries))
    assert isinstance(full, StudyData), full
    assert fast is None


@pytest.mark.parametrize("entries", BROKEN.values(), ids=BROKEN.keys())
def test_broken_table_entries_are_left_to_the_full_path(folder: Path, entries: str) -> None:
    fast, full = _studies(_write(folder, entries))
    assert isinstance(full, tradeoff.InputError), "the case is meant to be refused"
    assert fast is None


def test_a_derived_metric_over_a_table_is_left_to_the_full_path(folder: Path) -> None:
    # Formulas (and `role: input`) are the full path's; the table is plain all the same.
    head = HEAD.replace(
        "budgets:",
        '  per_cost: {direction: max, unit: "%", formula: "quality / cost * cost"}\nbudgets:',
    )
    path = folder / "goals.yaml"
    path.write_text(head + PLAIN["csv with header units and dates"])
    fast, full = _studies(path)
    assert fast is None
    assert isinstance(full, StudyData), full
    np.testing.assert_allclose(full.values[:, 3], full.values[:, 0])  # quality / cost * cost


COMMANDS = [
    ["pareto", "FILE", "-f", "json"],
    ["rank", "FILE", "--all"],
    ["check", "FILE", "-f", "json"],
    ["validate", "FILE"],
]
CASES = {**PLAIN, **UNUSUAL, **BROKEN}


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("entries", CASES.values(), ids=CASES.keys())
def test_commands_print_the_same_on_both_paths(
    folder: Path, entries: str, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(folder, entries)
    argv = [str(path) if a == "FILE" else a for a in args]
    fast = runner.invoke(app, argv)
    monkeypatch.setattr(fastpath, "study_data", lambda *args: None)
    full = runner.invoke(app, argv)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (full.exit_code, full.stdout, full.stderr)
    if entries in BROKEN.values():
        assert fast.exit_code == 2, fast.stdout
    elif entries in PLAIN.values():
        assert fast.exit_code in ((0, 1) if args[0] == "check" else (0,)), fast.stderr


# `import tradeoff` is light; the heavy public names arrive on first use (PEP 562).

CHILD = """
import json, sys
import tradeoff
bare = sorted(sys.modules)
names = {name: type(getattr(tradeoff, name)).__name__ for name in tradeoff.__all__}
from tradeoff import InputError, Study, check_files, load, nondominated_layers, pareto_mask
print(json.dumps({"bare": bare, "names": names, "dir": dir(tradeoff)}))
"""


def test_import_tradeoff_leaves_heavy_modules_for_first_use() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=True
    )
    got = json.loads(proc.stdout)
    bare = set(got["bare"])
    assert "tradeoff" in bare
    for heavy in (
        "numpy",
        "pydantic",
        "pandas",
        "pyarrow",
        "yaml",
        "tradeoff.questions.study",
        "tradeoff.questions.checking",
        "tradeoff.goals.loader",
        "tradeoff.engine.pareto",
    ):
        assert heavy not in bare, heavy
    assert got["names"] == {
        "Diagnostic": "type",
        "InputError": "type",
        "Study": "type",
        "TradeoffError": "type",
        "UsageError": "type",
        "__version__": "str",
        "check_files": "function",
        "load": "function",
        "nondominated_layers": "function",
        "pareto_mask": "function",
    }
    assert set(tradeoff.__all__) <= set(got["dir"])


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        tradeoff.nothing  # type: ignore[attr-defined]  # noqa: B018


PARETO_CHILD = """
import io, json, runpy, sys
sys.argv = ["tradeoff", "pareto", "goals.yaml", "-f", "json"]
out, sys.stdout = sys.stdout, io.StringIO()
try:
    runpy.run_module("tradeoff", run_name="__main__")
except SystemExit:
    pass
out.write(json.dumps(sorted(sys.modules)))
"""


def test_pareto_json_on_a_parquet_table_imports_no_pydantic_gate_or_table_renderer(
    folder: Path,
) -> None:
    _write(folder, PLAIN["parquet"])
    proc = subprocess.run(
        [sys.executable, "-c", PARETO_CHILD],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    loaded = set(json.loads(proc.stdout))
    assert "tradeoff.sources.arrow_table" in loaded  # the table really was read
    heavy = ["pydantic", "tradeoff.goals.schema", "tradeoff.questions.checking"]
    # JSON is the result's own text, and nothing is said on stderr: no renderer, no rich.
    heavy += ["tradeoff.render.tables", "rich"]
    for name in heavy:
        assert name not in loaded, name
