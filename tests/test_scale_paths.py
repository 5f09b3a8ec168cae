"""Fast paths taken at scale, each against an independent slow computation on small inputs."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import tradeoff
from tradeoff.errors import InputError, UsageError
from tradeoff.questions.analysis import TIE, _order


def _order_brute(scores: list[float], names: list[str]) -> list[int]:
    """The spec's order in plain Python: the best score not yet placed leads a group of every
    score within TIE of it; groups in score order, names (code points) within a group."""
    left = sorted(range(len(scores)), key=lambda i: -scores[i])
    out: list[int] = []
    while left:
        lead = scores[left[0]]
        group = [i for i in left if lead - scores[i] <= TIE]
        out += sorted(group, key=lambda i: names[i])
        left = [i for i in left if i not in group]
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.5, 0.5 - 0.6e-9, 0.5 - 1.2e-9, 0.25, 1.0, 0.0]),
            st.text("abcAB", min_size=1, max_size=3),
        ),
        max_size=25,
        unique_by=lambda t: t[1],
    )
)
def test_order_matches_brute_force(pairs: list[tuple[float, str]]) -> None:
    scores = [s for s, _ in pairs]
    names = [n for _, n in pairs]
    got = _order(np.arange(len(pairs), dtype=np.intp), np.array(scores), names)
    assert got.tolist() == _order_brute(scores, names)


def test_order_with_distinct_scores_builds_no_names() -> None:
    """A million distinct scores: the names are never looked at (a list that raises on access)."""

    class NoNames(list[str]):
        def __getitem__(self, k: object) -> str:  # type: ignore[override]
            raise AssertionError("names read")

    rng = np.random.default_rng(3)
    scores = rng.permutation(1000) / 1000
    got = _order(np.arange(1000, dtype=np.intp), scores, NoNames(["x"] * 1000))
    assert got.tolist() == np.argsort(-scores).tolist()


# --- rank's JSON: the bulk encoder against json.dumps of the records


@st.composite
def _study(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A goals file: 1-4 goals, maybe an input and a formula, maybe a budget, candidates with
    ties, missing values, stderr values and awkward names; and rank's flags."""
    d = draw(st.integers(1, 4))
    goals = [f"g{k}" for k in range(d)]
    lines = ["version: 1", "metrics:"]
    for g in goals:
        lines.append(f"  {g}: {{direction: {draw(st.sampled_from(['min', 'max']))}}}")
    formula = draw(st.booleans())
    if formula:
        lines += ["  x: {role: input}", '  derived: {direction: max, formula: "x * 2 + g0"}']
    if draw(st.booleans()):
        lines += ["budgets:", f"  g0: {{max: {draw(st.sampled_from([1, 2, 5]))}}}"]
    lines.append("candidates:")
    value = st.sampled_from(["0", "1", "2", "3.5", "1e-7", "12345678901234567.0", "-2"])
    name = st.text(st.sampled_from('ab"\\é\t%'), min_size=1, max_size=4)
    names = draw(st.lists(name, min_size=1, max_size=12, unique_by=lambda n: n.strip()))
    for n in names:
        cells = []
        for g in goals:
            v = draw(st.one_of(value, st.none(), st.just("err")))
            if v == "err":
                cells.append(f"{g}: {{value: {draw(value)}, stderr: 0.5}}")
            elif v is not None:
                cells.append(f"{g}: {v}")
        if formula and draw(st.booleans()):
            cells.append(f"x: {draw(value)}")
        lines.append(
            f"  - {{name: {json.dumps(n.strip() or 'x')}, metrics: {{{', '.join(cells)}}}}}"
        )
    flags = ["--missing", "worst"]
    if draw(st.booleans()):
        flags += ["--top", str(draw(st.integers(1, 5)))]
    if draw(st.booleans()):
        flags += ["--method", draw(st.sampled_from(["weighted-product", "topsis"]))]
    return "\n".join(lines) + "\n", flags


@settings(max_examples=150, deadline=None)
@given(_study())
def test_rank_json_in_bulk_equals_json_dumps(case: tuple[str, list[str]]) -> None:
    text, flags = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "goals.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            study = tradeoff.load(path)
            res = study.rank_result(
                top=int(flags[flags.index("--top") + 1]) if "--top" in flags else None,
                method=flags[flags.index("--method") + 1]
                if "--method" in flags
                else "weighted-sum",
                missing="worst",
            )
        except (InputError, UsageError):
            return  # e.g. weighted-product on a value <= 0: the same for both encoders
        assert res.candidates_json is not None
        bulk = res.to_json_text()
        _same_json(bulk, res.to_json())


def test_rank_json_in_bulk_equals_json_dumps_on_a_table(tmp_path: Path) -> None:
    """Two thousand rows from a CSV (several chunks of the encoder), dominated ones among them."""
    from tradeoff.questions import bulk_json

    rng = np.random.default_rng(11)
    rows = ["name,a,b,c"] + [
        f"r{k},{rng.integers(0, 30)},{rng.random():.3f},{'' if k % 97 == 0 else rng.random()}"
        for k in range(2000)
    ]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "goals.yaml").write_text(
        "version: 1\nmetrics:\n  a: {direction: max}\n  b: {direction: min}\n"
        "  c: {direction: max}\nbudgets:\n  a: {min: 3}\ncandidates:\n  - from: t.csv\n"
    )
    old, bulk_json.STEP = bulk_json.STEP, 300
    try:
        res = tradeoff.load(tmp_path / "goals.yaml").rank_result(missing="worst")
        assert any(r.dominated_by for r in res.rows)
        bulk = res.to_json_text()
    finally:
        bulk_json.STEP = old
    _same_json(bulk, res.to_json())


def _same_json(bulk: str, doc: dict[str, object]) -> None:
    """The same document, and the same text up to `infeasible` (listed one candidate a line
    on purpose: see RankResult.json_chunks)."""
    assert json.loads(bulk) == doc
    slow = json.dumps(doc, indent=2, allow_nan=False, ensure_ascii=False) + "\n"
    assert bulk.split('\n  "infeasible": ')[0] == slow.split('\n  "infeasible": ')[0]
    assert bulk.endswith(slow.split('\n  "infeasible_count": ')[1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(width=64), max_size=40))
def test_floats_in_bulk_as_json_writes_them(values: list[float]) -> None:
    from tradeoff.questions.bulk_json import floats

    want = [json.dumps(v) if np.isfinite(v) else "null" for v in values]
    assert floats(np.array(values, dtype=np.float64)) == want


def test_floats_in_bulk_at_the_notation_boundaries() -> None:
    from tradeoff.questions.bulk_json import floats

    edges = [1e-4, 0.99999e-4, 1e16, 9999999999999998.0, 1e-7, -1e-5, 0.0, -0.0, 5e-324, 1e308]
    values = np.array(edges + [np.nextafter(e, np.inf) for e in edges])
    assert floats(values) == [json.dumps(v) for v in values.tolist()]


def test_log_lines_fast_path_changes_nothing_it_should_not() -> None:
    from tradeoff.render.escape import log_lines

    for text in ["plain\nlines\n", "a ::b\n", "  ::x\n", "tab\there\n", "bidi\u202eX\n", "\x7f"]:
        slow = log_lines(text + "\x01")[: -len("\\x01")]  # the regex path (a control char)
        assert log_lines(text) == slow


# --- big tables laid out without rich: the same text as rich's


@st.composite
def _table_case(draw: st.DrawFn) -> tuple[str, list[str], int]:
    """A CSV of candidates (long, wide, markup-like names, some with `::`, `=` or `@`; missing
    values), goals with a budget, a command (rank, with --all or not; pareto --layers) and a
    width."""
    name = st.text(st.sampled_from("ab-_/.[]é漢 x:=@"), min_size=1, max_size=30)
    names = draw(st.lists(name, min_size=1, max_size=40, unique_by=lambda n: n.strip()))
    value = st.sampled_from(["", "1", "2.5", "1234567.8", "0.000012", "42"])
    rows = [
        ",".join([json.dumps(n.strip() or "x"), *draw(st.lists(value, min_size=3, max_size=3))])
        for n in names
    ]
    command = draw(
        st.sampled_from(
            [["rank"], ["rank", "--all"], ["pareto", "--layers"], ["rank", "--top", "3"]]
        )
    )
    return "name,a,b,c\n" + "\n".join(rows) + "\n", command, draw(st.integers(30, 140))


@settings(max_examples=120, deadline=None)
@given(_table_case())
def test_big_table_layout_equals_rich(case: tuple[str, list[str], int]) -> None:
    from typer.testing import CliRunner

    from tradeoff.cli.app import app
    from tradeoff.render import bulk_text

    table, command, width = case
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "t.csv").write_text(table, encoding="utf-8")
        (Path(tmp) / "goals.yaml").write_text(
            "version: 1\nmetrics:\n  a: {direction: max, unit: '%'}\n"
            "  b: {direction: min, unit: USD/1k requests}\n  c_long_name: {direction: min}\n"
            "budgets:\n  a: {min: 2}\ncandidates:\n  - from: t.csv\n"
            "    columns: {c_long_name: c}\n",
            encoding="utf-8",
        )
        runner = CliRunner(env={"COLUMNS": str(width), "NO_COLOR": "1"})
        args = [*command, "--missing", "worst", str(Path(tmp) / "goals.yaml")]
        old = bulk_text.FAST_ROWS
        try:
            bulk_text.FAST_ROWS = 10**9
            slow = runner.invoke(app, args)
            bulk_text.FAST_ROWS = 0
            fast = runner.invoke(app, args)
        finally:
            bulk_text.FAST_ROWS = old
    assert (fast.exit_code, fast.stderr) == (slow.exit_code, slow.stderr)
    assert fast.stdout == slow.stdout


def test_a_table_of_100000_candidates_is_written_whole(tmp_path: Path) -> None:
    """Issue 12: a rank table of 100,000 candidates took minutes through rich; it is now laid
    out by render.bulk_text (its speed is measured in bench/big_table.py, not here). The
    subprocess timeout is the hang guard of the untrusted-input corpus, generous for CI."""
    import subprocess
    import sys

    rng = np.random.default_rng(4)
    n = 100_000
    cols = [rng.uniform(20, 90, n), rng.uniform(1e-4, 5e-2, n), rng.uniform(50, 5000, n)]
    lines = [
        f"model-{k:06d},{a:.2f},{b:.5f},{c:.1f}"
        for k, (a, b, c) in enumerate(zip(*cols, strict=True))
    ]
    (tmp_path / "t.csv").write_text("name,a,b,c\n" + "\n".join(lines) + "\n")
    (tmp_path / "goals.yaml").write_text(
        "version: 1\nmetrics:\n  a: {direction: max}\n  b: {direction: min}\n"
        "  c: {direction: min}\nbudgets:\n  c: {max: 4000}\ncandidates:\n  - from: t.csv\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "tradeoff", "rank", str(tmp_path / "goals.yaml")],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    ranked = [
        line for line in done.stdout.splitlines() if line.split(" model-")[0].strip().isdigit()
    ]
    feasible = sum(float(f"{c:.1f}") <= 4000 for c in cols[2])  # as written in the CSV
    assert len(ranked) == feasible  # every feasible candidate has its row, numbered 1..n
    assert ranked[-1].split()[0] == str(feasible)
