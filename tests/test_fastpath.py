"""The loader's fast path builds exactly what the pydantic path builds, and never accepts more.

`fastpath.study_data` reads plain, valid goals files without pydantic; on anything else it
declines and `loader.load_full` (the models of schema.py, then the cross-reference checks)
decides. For every input here: either the fast path declines, or the full path accepts it too
and both give the same `StudyData`, down to the bytes of its arrays.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tradeoff
from conftest import GOALS, ROOT, runner, write_goals
from test_fuzz import mutated_lines
from tradeoff.cli.app import app
from tradeoff.data import StudyData
from tradeoff.goals import fastpath, yamlio, yamlscalars
from tradeoff.goals.loader import load_full

SHIPPED = [ROOT / "goals.yaml", *sorted((ROOT / "examples").glob("*.yaml"))]
BAD = sorted((ROOT / "tests" / "bad").glob("*.yaml"))


def assert_same(fast: StudyData, full: StudyData) -> None:
    """Field by field; floats by repr (so -0.0 is not 0.0) and arrays by their bytes."""
    for name in ("values", "stderr", "lines", "cols", "cand_lines"):
        a, b = getattr(fast, name), getattr(full, name)
        assert (a.dtype, a.shape) == (b.dtype, b.shape), name
        assert a.tobytes() == b.tobytes(), name
    for name in ("file", "title", "metrics", "names", "tags", "budgets", "profiles"):
        assert repr(getattr(fast, name)) == repr(getattr(full, name)), name
    assert repr(sorted(fast.provenance.items())) == repr(sorted(full.provenance.items()))
    assert (fast.groups, fast.meta) == (full.groups, full.meta) == ([], {})
    # Rows share a tag set by identity; the order of the sets follows addresses, so compare rows.
    (sets_a, codes_a), (sets_b, codes_b) = fast.tag_codes(), full.tag_codes()
    assert len(sets_a) == len(sets_b)
    assert [sets_a[k] for k in codes_a] == [sets_b[k] for k in codes_b] == fast.tags


def compare(text: str) -> StudyData | None:
    """The fast path's study of `text` (None when it declines), checked against the full path."""
    try:
        doc = yamlio.parse(text, "goals.yaml", partial=True)
    except tradeoff.InputError:
        return None
    fast = fastpath.study_data(doc)
    if fast is None:
        return None
    assert_same(fast, load_full(doc))  # an InputError here: the fast path accepted too much
    return fast


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_files_take_the_fast_path_when_plain(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = compare(text)
    plain = not any(word in text for word in ("from:", "price:", "source:", "workload:"))
    assert (fast is not None) == plain


def test_the_test_goals_take_the_fast_path() -> None:
    assert compare(GOALS) is not None


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_every_broken_file_is_left_to_the_full_path(path: Path) -> None:
    try:
        doc = yamlio.load(path, partial=True)
    except tradeoff.InputError:
        return  # the reader itself refuses it
    assert fastpath.study_data(doc) is None


UNUSUAL = [
    # Each is valid, but not plain: units, files, prices, a workload, sources, aliases of keys.
    ("latency_p95: 640", 'latency_p95: "0.64 s"'),
    ("budgets:\n", "workload: {input_tokens: 100, output_tokens: 300}\nbudgets:\n"),
    ("  - name: model-a\n", "  - name: model-a\n    price: {provider: openai, model: gpt-4o}\n"),
    ("safety:      {direction: max, range: [0, 1]}", "safety: {direction: max, source: price}"),
    ("{max: 800}", '{max: "800 ms"}'),
]


@pytest.mark.parametrize(("old", "new"), UNUSUAL)
def test_unusual_but_valid_files_take_the_full_path(old: str, new: str) -> None:
    assert old in GOALS
    assert compare(GOALS.replace(old, new, 1)) is None


INVALID = [
    ("name: model-a", 'name: ""'),
    ("name: model-a", "name: ' '"),  # blank is empty (rules.name_problem)
    ("name: model-c", "name: model-a"),
    ("{max: 24, tags: [edge]}", "{max: 24, tags: []}"),
    ("{max: 800}", "{max: null}"),
    ("{max: 800}", "{level: warn}"),
    ("stderr: 0.5", "stderr: -0.5"),
    ("{quality: 4, cost: 2, latency_p95: 2, safety: 2}", "{quality: 0, cost: 0}"),
    ("{quality: 4, cost: 2, latency_p95: 2, safety: 2}", "{quality: 4, cost: -2}"),
    ("range: [0, 1]", "range: [1, 0]"),
    ("range: [0, 1]", "range: [0, 1, 2]"),
    ("energy: 0.9", "enrgy: 0.9"),
    ("version: 1", "version: 2"),
    ("direction: max, unit", "direction: up, unit"),
    ('unit: "%", additive: true', 'unit: "%", additive: "yes"'),
    ("memory: 6", "memory: true"),
    ("tags: [api]", "tags: api"),
    ("tags: [api]", "tags: [api, 1]"),
    ("{max: 24, tags: [edge]}", "{max: 24, tags: [null]}"),
    ("    tags: [api]\n", "    tags: [api]\n    columns: {quality: q}\n"),
]


@pytest.mark.parametrize(("old", "new"), INVALID)
def test_invalid_files_are_left_to_the_full_path(old: str, new: str) -> None:
    assert old in GOALS
    doc = yamlio.parse(GOALS.replace(old, new, 1), "goals.yaml", partial=True)
    assert fastpath.study_data(doc) is None
    with pytest.raises(tradeoff.InputError):
        load_full(doc)


# Valid goals files, generated: every feature the fast path reads, in block and flow style.

NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
NUMBERS = st.one_of(
    st.integers(-(10**6), 10**6),
    FINITE,
    st.integers(2**53, 2**200),  # exact ints that floats round
    FINITE.map(repr),  # a quoted number, e.g. "0.5"
    st.integers(-999, 999).map(lambda n: f" {n} "),
)
NON_NEGATIVE = st.one_of(st.integers(0, 10**6), st.floats(0, 1e300), st.just(-0.0))


def _maybe(draw: st.DrawFn, out: dict[str, Any], key: str, values: st.SearchStrategy[Any]) -> None:
    if draw(st.booleans()):
        out[key] = draw(values)


@st.composite
def measurements(draw: st.DrawFn) -> Any:
    value = draw(NUMBERS)
    if draw(st.booleans()):
        return value
    out: dict[str, Any] = {"value": value}
    _maybe(draw, out, "stderr", st.one_of(st.none(), NON_NEGATIVE))
    _maybe(draw, out, "kind", st.sampled_from(["measured", "estimated", "claimed"]))
    if draw(st.booleans()):
        day = draw(st.dates())
        basic = draw(st.booleans())  # 3.11's fromisoformat reads 20240105 too
        out["date"] = f"{day.year:04}{day.month:02}{day.day:02}" if basic else day.isoformat()
    _maybe(draw, out, "citation", st.one_of(st.none(), TEXT))
    return out


def _plain(value: Any) -> float:
    return float(value) if not isinstance(value, str) else float(value.strip())


@st.composite
def bounds(draw: st.DrawFn, tags: list[str]) -> dict[str, Any]:
    sides = draw(st.sampled_from([["max"], ["min"], ["max", "min"], ["min", "max"]]))
    out: dict[str, Any] = {side: draw(NUMBERS) for side in sides}
    # A bound whose min is above its max can never pass: that is an error, so keep them in order.
    if len(sides) == 2 and _plain(out["min"]) > _plain(out["max"]):
        out["min"], out["max"] = out["max"], out["min"]
    _maybe(draw, out, "level", st.sampled_from(["error", "warn"]))
    if tags:
        _maybe(draw, out, "tags", st.one_of(st.none(), st.lists(st.sampled_from(tags), min_size=1)))
    return out


@st.composite
def goals_data(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(NAMES, min_size=1, max_size=5, unique=True))
    metrics: dict[str, Any] = {}
    for name in names:
        m: dict[str, Any] = {"direction": draw(st.sampled_from(["max", "min"]))}
        _maybe(draw, m, "unit", st.one_of(st.none(), TEXT))
        _maybe(draw, m, "description", st.one_of(st.none(), TEXT))
        _maybe(draw, m, "additive", st.booleans())
        if draw(st.booleans()):
            low = draw(st.integers(-100, 100))
            m["range"] = None if draw(st.booleans()) else [low, low + draw(st.integers(1, 100))]
        metrics[name] = dict(draw(st.permutations(list(m.items()))))
    tags = draw(st.lists(TEXT, max_size=3, unique=True))
    data: dict[str, Any] = {"version": 1}
    _maybe(draw, data, "title", st.one_of(st.none(), TEXT))
    data["metrics"] = metrics
    chosen = st.lists(st.sampled_from(names), min_size=1, unique=True)
    if draw(st.booleans()):
        budgets: dict[str, Any] = {}
        for metric in draw(chosen):
            single = draw(st.booleans())
            many = st.lists(bounds(tags), max_size=3)
            budgets[metric] = draw(bounds(tags)) if single else draw(many)
        data["budgets"] = budgets
    if draw(st.booleans()):
        profiles = {}
        for pname in draw(st.lists(TEXT, max_size=3, unique=True)):
            weights = {m: draw(NON_NEGATIVE) for m in draw(chosen)}
            weights[next(iter(weights))] = draw(st.floats(1e-6, 1e6))  # one weight is positive
            profiles[pname] = weights
        data["profiles"] = profiles
    # A goals file needs at least one candidate.
    candidates = []
    for cname in draw(
        st.lists(TEXT.filter(lambda t: bool(t.strip())), min_size=1, max_size=6, unique=True)
    ):
        cand: dict[str, Any] = {"name": cname}
        _maybe(draw, cand, "tags", st.lists(st.sampled_from(tags)) if tags else st.just([]))
        if draw(st.integers(0, 5)):
            given = draw(st.lists(st.sampled_from(names), unique=True))
            cand["metrics"] = {m: draw(st.one_of(st.none(), measurements())) for m in given}
        candidates.append(dict(draw(st.permutations(list(cand.items())))))
    # Every metric needs a value somewhere: a metric no candidate has is an input error.
    for name in names:
        if all((c.get("metrics") or {}).get(name) is None for c in candidates):
            candidates[0].setdefault("metrics", {})[name] = draw(NUMBERS)
    data["candidates"] = candidates
    return data


class _Dumper(yaml.SafeDumper):
    """PyYAML writes YAML 1.1; quote the strings that YAML 1.2 would read as something else."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None if isinstance(yamlscalars.resolve_plain(value), str) else "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(draw: st.DrawFn, data: dict[str, Any]) -> str:
    flow = draw(st.sampled_from([False, None, True]))
    width = draw(st.sampled_from([40, 100, 10**6]))
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=flow, width=width)


@st.composite
def goals_texts(draw: st.DrawFn) -> str:
    return dump(draw, draw(goals_data()))


HOSTILE = [
    None, True, "fast", "0.64 s", "", [], {}, [1, 2], {"value": 1}, -1, -0.0, 0, 1e300, math.inf,
    math.nan, 2**1100, "2024-13-01", "1e999", "0x1F", {"max": None}, {"extra": 1},
]  # fmt: skip


@st.composite
def broken_texts(draw: st.DrawFn) -> str:
    """A generated file with one value replaced, one key added, or one key removed."""
    data = draw(goals_data())
    parent: Any = data
    while True:  # walk down to a random mapping or list
        keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        if isinstance(parent[key], dict | list) and draw(st.integers(0, 2)):
            parent = parent[key]
            continue
        op = draw(st.sampled_from(["replace", "add", "remove"]))
        if op == "replace":
            parent[key] = draw(st.sampled_from(HOSTILE))
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["from", "from_", "price", "stderr", "name", "x"]))] = 1
        elif isinstance(parent, dict):
            del parent[key]
        else:
            parent.pop(key)
        break
    return dump(draw, data)


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@fuzz(400)
@given(goals_texts())
def test_generated_valid_files_take_the_fast_path_with_the_same_result(text: str) -> None:
    assert compare(text) is not None, text


@fuzz(600)
@given(broken_texts())
def test_generated_files_with_one_change_never_diverge(text: str) -> None:
    compare(text)


@fuzz(1000)
@given(mutated_lines())
def test_mutated_files_never_diverge(text: str) -> None:
    compare(text)


def test_dates_are_read_as_the_model_reads_them() -> None:
    text = GOALS.replace("{value: 44.3, stderr: 0.5}", "{value: 44.3, date: ' 20240105 '}")
    fast = compare(text)
    assert fast is not None and fast.provenance[(1, 0)] == {"date": dt.date(2024, 1, 5).isoformat()}


# The commands print the same either way.

COMMANDS = [
    ["rank", "FILE"],
    ["rank", "FILE", "--all", "-f", "json"],
    ["rank", "FILE", "--uncertainty", "-f", "markdown"],
    ["pareto", "FILE", "--layers"],
    ["explain", "model-b-q4", "FILE"],
    ["check", "FILE", "-f", "json"],
    ["check", "FILE"],
    ["validate", "FILE"],
    ["suggest-budgets", "FILE"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_commands_print_the_same_on_both_paths(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_goals(tmp_path)
    argv = [str(path) if a == "FILE" else a for a in args]
    fast = runner.invoke(app, argv)
    monkeypatch.setattr(fastpath, "study_data", lambda *args: None)
    full = runner.invoke(app, argv)
    assert fast.stdout
    assert (fast.exit_code, fast.stdout, fast.stderr) == (full.exit_code, full.stdout, full.stderr)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_files_rank_the_same_on_both_paths(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = []
    for _ in range(2):
        outputs.append([runner.invoke(app, [cmd, str(path)]).stdout for cmd in ("rank", "check")])
        monkeypatch.setattr(fastpath, "study_data", lambda *args: None)
    assert outputs[0] == outputs[1]


# What the start-up path must not import (issue 3: check and rank within 1.3x of the floor).

HEAVY = [
    "pandas",
    "pydantic.main",
    "tradeoff.goals.schema",
    "pint",
    "pyarrow",
    "genai_prices",
    "plotext",
    "matplotlib",
    "jsonschema",
    "xml.etree.ElementTree",
    "tradeoff.sources.common",
    "tradeoff.goals.datain",
    "tradeoff.questions.sensitivity",
    "tradeoff.questions.frontier",
    "tradeoff.questions.plot",
]


@pytest.mark.parametrize("command", ["rank", "check", "validate"])
def test_commands_on_the_shipped_file_import_nothing_heavy(command: str) -> None:
    script = (
        "import json, sys\n"
        f"sys.argv = ['tradeoff', {command!r}, {str(ROOT / 'goals.yaml')!r}]\n"
        "from tradeoff.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    modules = set(json.loads(proc.stderr.splitlines()[-1]))
    assert "tradeoff.goals.fastpath" in modules  # the file really was loaded
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))
