"""`tradeoff check --baseline`: regressions against an earlier `pareto --layers --format json`.

Each test builds the baseline by running `tradeoff pareto --layers --format json` on
tests/check/baseline.yaml, then edits the goals file and runs `check`. In that file the front is
fast (60 %, 0.002 USD, 300 ms; line 10) and smart (quality 75 ± 0.5 on line 13, cost line 14,
latency line 15); mid (line 17) is dominated by fast.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import tradeoff
from conftest import bad_input_report, runner
from tradeoff.cli.app import app
from tradeoff.errors import InputError, UsageError
from tradeoff.questions.baseline import load_baseline
from tradeoff.questions.tolerance import Tolerance

FIXTURES = Path(__file__).parent / "check"
FORMATS = ["text", "json", "github", "junit", "markdown"]
FASTER = "  - name: faster\n    metrics: {quality: 61.0, cost: 0.0015, latency_p95: 290}\n"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(FIXTURES / "baseline.yaml", tmp_path / "goals.yaml")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["pareto", "goals.yaml", "--layers", "--format", "json"])
    assert result.exit_code == 0, result.output
    (tmp_path / "base.json").write_text(result.stdout)
    return tmp_path


def edit(old: str, new: str) -> None:
    path = Path("goals.yaml")
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def add_faster() -> None:
    with Path("goals.yaml").open("a") as fh:
        fh.write(FASTER)


def run(*args: str) -> Any:
    return runner.invoke(app, ["check", "goals.yaml", "--baseline", "base.json", *args])


def regressions(*args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    assert doc["passed"] is (result.exit_code == 0)
    return result.exit_code, doc["regressions"]


def short(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["candidate"], r["kind"], r["metric"]) for r in found]


# the baseline itself passes; the front judged as pareto judges it


def test_unchanged_file_passes(here: Path) -> None:
    result = run("--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["regressions"] == []
    assert doc["baseline"] == {
        "file": "base.json",
        "metrics": ["quality", "cost", "latency_p95"],
        "compared": ["fast", "smart"],  # the baseline's front, not mid
        "tolerances": {},
    }
    text = run().stdout
    assert text.startswith(
        "check passed: no violations (3 candidates checked against 1 budget in goals.yaml, "
        "2 compared with base.json)\n"
    )


def test_leaving_the_front_fails_with_its_name(here: Path) -> None:
    add_faster()  # better than fast on every metric
    code, found = regressions()
    assert code == 1
    assert found == [
        {
            "candidate": "fast",
            "kind": "left_front",
            "metric": None,
            "baseline": None,
            "current": None,
            "tolerance": None,
            "tolerance_rule": None,
            "dominated_by": ["faster"],
            "file": "goals.yaml",
            "line": 10,
            "col": None,
        }
    ]
    text = run()
    assert text.exit_code == 1
    assert text.stdout == (
        "goals.yaml\n"
        "candidate  regression" + " " * 66 + "line\n" + "─" * 91 + "\n"
        "fast       left the front: dominated by faster (better on quality, cost, latency_p95)    "
        "10\n"
        "check FAILED: 1 regression (4 candidates checked against 1 budget in goals.yaml, "
        "2 compared with base.json)\n"
    )


def test_left_front_names_at_most_three_dominators_by_name(here: Path) -> None:
    for name in ("d4", "d3", "d2", "d1"):
        with Path("goals.yaml").open("a") as fh:
            fh.write(FASTER.replace("faster", name))
    _, found = regressions("--candidate", "fast")
    assert [r["dominated_by"] for r in found] == [["d1", "d2", "d3"]]


def test_front_is_judged_among_feasible_candidates(here: Path) -> None:
    # A dominating candidate that breaks a budget does not push fast off the front.
    with Path("goals.yaml").open("a") as fh:
        fh.write(FASTER.replace("latency_p95: 290", "latency_p95: 290, cost: 9"))
    edit("latency_p95: 290, cost: 9", "latency_p95: 900")
    result = run("--format", "json", "--candidate", "fast")
    assert (result.exit_code, json.loads(result.stdout)["regressions"]) == (0, [])


def test_only_the_baselines_metrics_are_compared(here: Path) -> None:
    result = runner.invoke(
        app, ["pareto", "goals.yaml", "--layers", "--metrics", "quality,cost", "-f", "json"]
    )
    Path("base.json").write_text(result.stdout)
    edit("latency_p95: 300}", "latency_p95: 400}")  # worse, but not a baseline metric
    assert regressions() == (0, [])
    edit("cost: 0.002,", "cost: 0.0025,")
    assert short(regressions()[1]) == [("fast", "worse", "cost")]


# tolerance: default 0, or 2·stderr where the current value has one


def test_default_tolerance_is_zero_without_stderr(here: Path) -> None:
    edit("quality: 60.0,", "quality: 59.99,")
    code, found = regressions()
    assert code == 1
    assert found == [
        {
            "candidate": "fast",
            "kind": "worse",
            "metric": "quality",
            "baseline": 60.0,
            "current": 59.99,
            "tolerance": 0.0,
            "tolerance_rule": "default",
            "dominated_by": [],
            "file": "goals.yaml",
            "line": 10,
            "col": 24,
        }
    ]
    github = run("--format", "github").stdout
    assert github == (
        "::error file=goals.yaml,line=10,col=24,title=regression quality::"
        "fast: quality 60 %25 -> 59.99 %25 (worse by 0.01 %25; tolerance 0)\n"  # % escaped
    )


@pytest.mark.parametrize(
    ("value", "code"),
    [("74.2", 0), ("74.0", 0), ("73.9", 1)],  # 2 x stderr 0.5 = 1: a drop of exactly 1 passes
)
def test_default_tolerance_is_two_stderr(here: Path, value: str, code: int) -> None:
    edit("value: 75.0,", f"value: {value},")
    result, found = regressions()
    assert result == code
    if code:
        [r] = found
        assert (r["candidate"], r["kind"], r["metric"], r["current"]) == (
            "smart",
            "worse",
            "quality",
            73.9,
        )
        assert (r["tolerance"], r["tolerance_rule"], r["line"]) == (1.0, "2*stderr", 13)


def test_stderr_tolerance_uses_the_current_value(here: Path) -> None:
    edit("{value: 75.0, stderr: 0.5}", "74.8")  # no stderr now: tolerance 0
    assert short(regressions()[1]) == [("smart", "worse", "quality")]


def test_better_values_never_regress(here: Path) -> None:
    # Direction decides: quality (max) up, cost and latency (min) down.
    edit(
        "{quality: 60.0, cost: 0.002, latency_p95: 300}",
        "{quality: 65, cost: 0.001, latency_p95: 250}",
    )
    assert regressions() == (0, [])


@pytest.mark.parametrize(
    ("tolerance", "code"),
    [(None, 1), ("latency_p95=20", 0), ("latency_p95=19.5", 1), ("latency_p95=30", 0)],
)
def test_absolute_tolerance(here: Path, tolerance: str | None, code: int) -> None:
    edit("latency_p95: 300}", "latency_p95: 320}")
    args = ["--tolerance", tolerance] if tolerance else []
    result, found = regressions(*args)
    assert result == code
    if code:
        assert short(found) == [("fast", "worse", "latency_p95")]
        assert found[0]["tolerance"] == (19.5 if tolerance else 0.0)
        assert found[0]["tolerance_rule"] == ("abs" if tolerance else "default")


@pytest.mark.parametrize(("pct", "code"), [("5%", 0), ("4.6%", 0), ("4.4%", 1), ("0%", 1)])
def test_percent_tolerance_is_relative_to_the_baseline(here: Path, pct: str, code: int) -> None:
    edit("cost: 0.002,", "cost: 0.00209,")  # 4.5% worse than the baseline's 0.002
    result, found = regressions("--tolerance", f"cost={pct}")
    assert result == code
    if code:
        [r] = found
        assert (r["metric"], r["tolerance_rule"]) == ("cost", "pct")
        assert r["tolerance"] == pytest.approx(0.002 * float(pct[:-1]) / 100)


def test_tolerance_overrides_the_stderr_default(here: Path) -> None:
    edit("value: 75.0,", "value: 74.2,")  # inside 2 x stderr
    code, found = regressions("--tolerance", "quality=0.5")
    assert (code, short(found)) == (1, [("smart", "worse", "quality")])
    assert regressions("--tolerance", "quality=1%")[0] == 1  # 0.75 < 0.8
    assert regressions("--tolerance", "quality=2%") == (0, [])  # 1.5


def test_tolerance_is_shown_in_words(here: Path) -> None:
    edit("value: 75.0,", "value: 73.5,")
    edit("cost: 0.008", "cost: 0.009")
    result = run("--tolerance", "cost=10%", "--format", "markdown")
    assert result.exit_code == 1
    assert result.stdout == (
        "### ❌ tradeoff check FAILED: 2 regressions (3 candidates checked against 1 budget in "
        "goals.yaml, 2 compared with base.json)\n"
        "\n"
        "| candidate | regression | where |\n"
        "|---|---|---|\n"
        "| smart | quality 75 % -> 73.5 % (worse by 1.5 %; "
        "tolerance 2\N{MULTIPLICATION SIGN}stderr = 1 %) "
        "| goals.yaml:13 |\n"
        "| smart | cost 0.008 USD/request -> 0.009 USD/request (worse by 0.001 USD/request; "
        "tolerance 10% = 0.0008 USD/request) | goals.yaml:14 |\n"
    )


# gone, infeasible, no value


def test_missing_candidate(here: Path) -> None:
    edit("  - name: smart\n", "  - name: smarter\n")
    code, found = regressions()
    assert (code, short(found)) == (1, [("smart", "missing", None)])
    assert (found[0]["line"], found[0]["file"]) == (None, "goals.yaml")
    github = run("--format", "github").stdout
    assert github == (
        "::error file=goals.yaml,title=regression missing::"
        "smart: gone: in base.json but not in goals.yaml\n"
    )
    # A name only the baseline holds is a valid --candidate: that it is gone is the finding.
    assert short(regressions("--candidate", "smart")[1]) == [("smart", "missing", None)]


def test_infeasible_now(here: Path) -> None:
    edit("latency_p95: 700", "latency_p95: 900")
    result = run("--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert short(doc["regressions"]) == [
        ("smart", "infeasible", None),
        ("smart", "worse", "latency_p95"),
    ]
    assert [v["candidate"] for v in doc["violations"]] == ["smart"]  # and its budget fails
    text = run().stdout
    assert "smart      infeasible now (breaks its latency_p95 budget)" in text
    assert "check FAILED: 1 failing violation, 2 regressions" in text


def test_lost_value(here: Path) -> None:
    edit("cost: 0.002, ", "")
    result = run()  # pareto would refuse too: --missing error is the default
    assert result.exit_code == 2
    assert "fast" in result.stderr and "cost" in result.stderr
    code, found = regressions("--missing", "exclude")
    assert (code, short(found)) == (1, [("fast", "no_value", "cost")])


# --candidate


def test_candidate_restricts(here: Path) -> None:
    add_faster()
    edit("value: 75.0,", "value: 70.0,")
    assert short(regressions()[1]) == [
        ("fast", "left_front", None),
        ("smart", "worse", "quality"),
    ]
    assert short(regressions("--candidate", "smart")[1]) == [("smart", "worse", "quality")]
    assert regressions("--candidate", "fast", "--tolerance", "quality=10") == (
        1,
        regressions("--candidate", "fast")[1],
    )


def test_candidate_off_the_baseline_front(here: Path) -> None:
    # mid was on layer 2: it cannot leave the front, but its metrics are compared.
    add_faster()
    assert regressions("--candidate", "mid") == (0, [])
    edit("quality: 58.0,", "quality: 57.0,")
    assert short(regressions("--candidate", "mid")[1]) == [("mid", "worse", "quality")]


def test_candidate_not_in_the_baseline_is_noted(here: Path) -> None:
    add_faster()
    result = run("--candidate", "faster")
    assert result.exit_code == 0
    assert result.stderr == "note: faster is not in base.json; nothing to compare it with\n"


# every format, exit codes


def test_junit_has_a_case_per_candidate_and_check(here: Path) -> None:
    add_faster()
    suite = ET.fromstring(run("--format", "junit").stdout)
    cases = [
        (c.attrib["classname"], c.attrib["name"])
        for c in suite
        if c.attrib["name"].startswith("baseline")
    ]
    assert cases == [
        (name, check)
        for name in ("fast", "smart")
        for check in (
            "baseline: present and feasible",
            "baseline: on the front",
            "baseline: quality not worse",
            "baseline: cost not worse",
            "baseline: latency_p95 not worse",
        )
    ]
    failed = [c for c in suite if c.find("failure") is not None]
    assert [(c.attrib["classname"], c.attrib["name"]) for c in failed] == [
        ("fast", "baseline: on the front")
    ]
    failure = failed[0].find("failure")
    assert failure is not None
    assert failure.attrib["type"] == "left_front"
    assert "dominated by faster" in failure.attrib["message"]
    assert suite.attrib["failures"] == "1"
    assert suite.attrib["tests"] == str(len(suite))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("change", "args", "code"),
    [
        (None, [], 0),
        ("faster", [], 1),
        ("faster", ["--candidate", "smart"], 0),
        ("latency", [], 1),
        ("latency", ["--tolerance", "latency_p95=20"], 0),
        ("latency", ["--tolerance", "latency_p95=5%"], 0),
        ("latency", ["--tolerance", "latency_p95=4%"], 1),
        ("quality", [], 0),
        (None, ["--tolerance", "qualty=1"], 2),
        (None, ["--tolerance", "quality"], 2),
        (None, ["--tolerance", "quality=-1"], 2),
        (None, ["--tolerance", "quality=1", "--tolerance", "quality=2%"], 2),
        (None, ["--candidate", "nobody"], 2),
        ("garbage", [], 2),
        ("rank", [], 2),
    ],
)
def test_exit_codes(here: Path, fmt: str, change: str | None, args: list[str], code: int) -> None:
    if change == "faster":
        add_faster()
    elif change == "latency":
        edit("latency_p95: 300}", "latency_p95: 315}")
    elif change == "quality":
        edit("value: 75.0,", "value: 74.5,")  # inside 2 x stderr
    elif change == "garbage":
        Path("base.json").write_text("{")
    elif change == "rank":
        out = runner.invoke(app, ["rank", "goals.yaml", "--format", "json"]).stdout
        Path("base.json").write_text(out)
    result = run(*args, "--format", fmt)
    assert result.exit_code == code, result.output
    if code == 2:
        bad_input_report(fmt, result.stdout)
        assert "Traceback" not in result.stderr
    if code == 1:
        assert result.stdout.strip()


def test_usage_errors(here: Path) -> None:
    result = run("--tolerance", "qualty=1")
    assert (
        result.stderr == "error: --tolerance: unknown metric 'qualty' (did you mean 'quality'?)\n"
    )
    result = runner.invoke(app, ["check", "goals.yaml", "--tolerance", "quality=1"])
    assert (result.exit_code, result.stderr) == (2, "error: --tolerance needs --baseline\n")
    shutil.copy("goals.yaml", "other.yaml")
    result = runner.invoke(app, ["check", "goals.yaml", "other.yaml", "--baseline", "base.json"])
    assert result.exit_code == 2
    assert result.stderr == "error: --baseline compares with one goals file, got 2\n"


# a malformed baseline: exit 2, a clear `base.json: ...` message, never a traceback


def _doc(here: Path) -> dict[str, Any]:
    doc = json.loads((here / "base.json").read_text())
    assert isinstance(doc, dict)
    return doc


def _broken(here: Path, how: str) -> str:
    doc = _doc(here)
    if how == "not json":
        return "{'command': 'pareto'}"
    if how == "list":
        return "[]"
    if how == "command":
        doc["command"] = "rank"
    elif how == "version":
        doc["schema_version"] = 2
    elif how == "no candidates":
        del doc["candidates"]
    elif how == "no layer":
        del doc["candidates"][1]["layer"]
    elif how == "bad value":
        doc["candidates"][0]["metrics"]["cost"] = "cheap"
    elif how == "bad layer":
        doc["candidates"][0]["layer"] = True
    elif how == "unknown metric":
        return json.dumps(doc).replace('"quality"', '"qualty"')
    elif how == "nan":
        return json.dumps(doc).replace("0.002", "NaN")
    elif how == "huge float":  # json reads it as inf: was compared as "worse by inf %"
        return json.dumps(doc).replace("0.002", "1e999")
    elif how == "huge int":  # an OverflowError traceback where it became a float
        return json.dumps(doc).replace("0.002", "9" * 400)
    elif how == "deep":
        return "[" * 100_000
    elif how == "binary":
        return "\udcff"
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("not json", "base.json:1:2: not JSON: Expecting property name enclosed in double quotes"),
        (
            "list",
            "base.json: expected the JSON output of `tradeoff pareto --layers --format "
            "json`, got a list",
        ),
        (
            "command",
            "base.json: command: expected 'pareto' (the JSON output of `tradeoff pareto "
            "--layers --format json`), got 'rank'",
        ),
        ("version", "base.json: schema_version: expected 1, got 2"),
        ("no candidates", "base.json: missing key 'candidates'"),
        ("no layer", "base.json: candidates[1]: missing key 'layer'"),
        (
            "bad value",
            "base.json: candidates[0].metrics.cost: expected a number or null, got 'cheap'",
        ),
        ("bad layer", "base.json: candidates[0].layer: expected an integer >= 1, got a boolean"),
        (
            "unknown metric",
            "base.json: metrics: 'qualty' is not a metric of goals.yaml (did you mean 'quality'?)",
        ),
        ("nan", "base.json: not JSON: NaN is not a JSON number (tradeoff writes null instead)"),
        ("huge float", "base.json: not JSON: the number 1e999 is too large"),
        ("huge int", "base.json: not JSON: the number 99999999999999999999… is too large"),
        ("deep", "base.json: not JSON: nested too deeply"),
        ("binary", "base.json: not UTF-8 text, so not JSON"),
    ],
)
def test_malformed_baseline(here: Path, how: str, message: str) -> None:
    text = _broken(here, how)
    (here / "base.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    for fmt in FORMATS:
        result = run("--format", fmt)
        assert result.exit_code == 2, result.output
        assert result.stderr == message + "\n"
        if fmt == "github":  # the same problem, as one annotation of the baseline file
            assert result.stdout.startswith("::error file=base.json,")
            assert result.stdout.count("\n") == 1
        elif fmt in ("json", "junit"):
            bad_input_report(fmt, result.stdout)
        else:
            assert result.stdout == ""


def test_missing_baseline_and_bad_goals_are_reported_together(here: Path) -> None:
    Path("goals.yaml").write_text("version: 1\nmetrics: {q: {direction: up}}\n")
    result = runner.invoke(app, ["check", "goals.yaml", "--baseline", "nope.json"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "goals.yaml:2:" in result.stderr
    assert "nope.json: cannot read: No such file or directory" in result.stderr


def test_every_problem_of_a_baseline_at_once(here: Path) -> None:
    doc = _doc(here)
    doc["schema_version"] = 3
    del doc["candidates"][0]["name"]
    doc["candidates"][2]["metrics"]["quality"] = [1]
    Path("base.json").write_text(json.dumps(doc))
    assert run().stderr == (
        "base.json: schema_version: expected 1, got 3\n"
        "base.json: candidates[0]: missing key 'name'\n"
        "base.json: candidates[2].metrics.quality: expected a number or null, got a list\n"
    )


def test_front_only_baseline_works(here: Path) -> None:
    out = runner.invoke(app, ["pareto", "goals.yaml", "--format", "json"]).stdout
    Path("base.json").write_text(out)  # no --layers: the front alone
    add_faster()
    assert short(regressions()[1]) == [("fast", "left_front", None)]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--noise", "1"],
            "base.json: noise: made with `pareto --noise`; check needs a baseline made without it",
        ),
        (
            ["--ignore-budgets"],
            "base.json: ignore_budgets: made with --ignore-budgets; check needs a baseline made"
            " without it",
        ),
    ],
)
def test_a_baseline_judged_another_way_is_refused(
    here: Path, flags: list[str], message: str
) -> None:
    # check judges the exact front among feasible candidates: a front judged with noise or over
    # infeasible candidates would fail an unchanged file, so such a baseline is refused outright
    made = runner.invoke(app, ["pareto", "goals.yaml", "--layers", "-f", "json", *flags])
    Path("base.json").write_text(made.stdout)
    result = run()
    assert (result.exit_code, result.stderr) == (2, message + "\n")
    doc = json.loads(made.stdout)
    doc.pop("noise"), doc.pop("ignore_budgets")  # as an older tradeoff wrote it
    Path("base.json").write_text(json.dumps(doc))
    if "--noise" in flags:  # still recognised by its noise_only entries
        assert (run().exit_code, run().stderr) == (2, message + "\n")


def test_flags_that_would_do_nothing_are_refused_or_noted(here: Path) -> None:
    result = runner.invoke(app, ["check", "goals.yaml", "--metrics", "quality"])
    assert (result.exit_code, result.stderr) == (
        2,
        "error: --metrics narrows --fail-on-dominated: add that flag, or drop --metrics\n",
    )
    doc = json.loads(Path("base.json").read_text())
    doc["metrics"] = ["quality", "cost"]
    Path("base.json").write_text(json.dumps(doc))
    result = run("--tolerance", "latency_p95=5")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "note: --tolerance latency_p95: base.json does not compare latency_p95 (it compares"
        " quality, cost), so this tolerance is unused\n"
    )


# units: the baseline records them, and a change of unit converts or is refused


def test_baseline_records_units_and_converts_a_changed_unit(here: Path) -> None:
    assert _doc(here)["units"] == {"quality": "%", "cost": "USD/request", "latency_p95": "ms"}
    edit("latency_p95: {direction: min, unit: ms}", "latency_p95: {direction: min, unit: s}")
    edit("latency_p95: 300}", "latency_p95: 0.3}")
    edit("latency_p95: 700", "latency_p95: 0.79")  # 790 ms: worse than the baseline's 700 ms
    edit("latency_p95: 320}", "latency_p95: 0.32}")
    edit("latency_p95: {max: 800}", "latency_p95: {max: 0.8}")
    result = run("--format", "json")
    assert result.exit_code == 1, result.output
    (found,) = json.loads(result.stdout)["regressions"]
    assert (found["candidate"], found["kind"], found["metric"]) == ("smart", "worse", "latency_p95")
    assert found["baseline"] == pytest.approx(0.7) and found["current"] == pytest.approx(0.79)
    assert "base.json: latency_p95 converted from ms to s" in result.stderr
    edit("latency_p95: 0.79", "latency_p95: 0.7")  # the same 700 ms: nothing changed
    assert run().exit_code == 0


@pytest.mark.parametrize(
    ("unit", "shown"),
    [("furlongz", "'furlongz'"), ("kg", "'kg'"), (None, "no unit")],
)
def test_a_unit_change_that_does_not_convert_is_refused(
    here: Path, unit: str | None, shown: str
) -> None:
    new = "{direction: min}" if unit is None else f"{{direction: min, unit: {unit}}}"
    edit("latency_p95: {direction: min, unit: ms}", f"latency_p95: {new}")
    result = run()
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "base.json: units.latency_p95: the baseline has latency_p95 in 'ms',"
        f" goals.yaml in {shown}, and they do not convert; compare against a baseline made with"
        " the current units\n"
    )


def test_a_baseline_without_units_is_compared_as_it_is(here: Path) -> None:
    doc = _doc(here)
    del doc["units"]  # written before pareto's JSON recorded units
    Path("base.json").write_text(json.dumps(doc))
    assert run().exit_code == 0
    edit("latency_p95: 700", "latency_p95: 720")
    assert short(regressions()[1]) == [("smart", "worse", "latency_p95")]
    doc["units"] = ["ms"]
    Path("base.json").write_text(json.dumps(doc))
    assert (
        run().stderr == "base.json: units: expected an object of unit names (or null), got a list\n"
    )


# the library


def test_library_api(here: Path) -> None:
    base = load_baseline("base.json")
    assert [(c.name, c.layer) for c in base.front] == [("fast", 1), ("smart", 1)]
    add_faster()
    edit("latency_p95: 700", "latency_p95: 720")
    res = tradeoff.check_files(
        ["goals.yaml"], baseline=base, tolerances=[Tolerance.parse("latency_p95=5%")]
    )
    assert not res.passed
    assert [(c.candidate, c.kind) for c in res.regressions] == [("fast", "left_front")]
    assert res.regressions[0].better_on == (("quality", "cost", "latency_p95"),)
    assert Tolerance.parse(" cost = 2.5% ") == Tolerance("cost", 2.5, relative=True)
    assert Tolerance.parse("cost=0.1").allowed(-3.0) == 0.1
    assert Tolerance.parse("cost=10%").allowed(-3.0) == pytest.approx(0.3)
    with pytest.raises(UsageError):
        Tolerance.parse("cost=nan")
    with pytest.raises(InputError):
        load_baseline("goals.yaml")
