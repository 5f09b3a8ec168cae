"""`tradeoff check`: budgets, exit codes, every format, injection safety, the Action and the hook.

Fixtures in tests/check/ (copied into a temporary directory so outputs name them relatively):
- tags.yaml: a memory budget only for `edge` candidates; phone-too-big breaks it (line 24),
  big-server (not edge, 40 GB) must not be checked against it; slow-api breaks latency (line 26).
- warn_only.yaml: borderline breaks only a warn-level safety budget (line 15).
- no_value.yaml: no-latency lacks an error-budgeted metric (line 13), no-safety a warn-budgeted one
  (line 17).
- pass.yaml: every budget passes; worse-than-fast is dominated by fast; no `default` profile.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

import tradeoff
from conftest import GOALS, ROOT, bad_input_report, runner, write_goals
from tradeoff.cli.app import app
from tradeoff.render.check import escape_data, escape_property

FIXTURES = Path(__file__).parent / "check"
FORMATS = ["text", "json", "github", "junit", "markdown"]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for f in FIXTURES.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    write_goals(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Any:
    return runner.invoke(app, ["check", *args])


def as_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = run(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def brief(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (v["candidate"], v["metric"], v["value"], v["bound"], v["limit"], v["level"], v["line"])
        for v in doc["violations"]
    ]


# JSON: exactly the expected violations, at the right lines


def test_json_spec_example(here: Path) -> None:
    code, doc = as_json()
    assert code == 1
    assert list(doc)[:8] == [
        "schema_version",
        "command",
        "passed",
        "checked",
        "violations",
        "results",
        "dominated",
        "regressions",
    ]
    assert (doc["schema_version"], doc["command"], doc["passed"]) == (1, "check", False)
    assert doc["checked"] == ["model-a", "model-b-q4", "model-c", "model-d"]
    assert brief(doc) == [
        ("model-c", "latency_p95", 920.0, "max", 800.0, "error", 34),
        ("model-c", "memory", 140.0, "max", 80.0, "warn", 34),
        ("model-d", "memory", 90.0, "max", 80.0, "warn", 37),
    ]
    assert doc["violations"][0] == {
        "candidate": "model-c",
        "metric": "latency_p95",
        "value": 920.0,
        "bound": "max",
        "limit": 800.0,
        "level": "error",
        "declared_level": "error",
        "line": 34,
        "col": 57,
        "file": "goals.yaml",
        "failing": True,
    }
    # 3 budgets apply to everyone, the edge one to model-b-q4 only: 4 * 3 + 1 results.
    assert len(doc["results"]) == 13
    first = doc["results"][0]
    assert (first["candidate"], first["metric"], first["status"]) == (
        "model-a",
        "latency_p95",
        "pass",
    )
    assert first["headroom"] == pytest.approx(0.2)  # (800 - 640) / 800
    edge = [r for r in doc["results"] if r["limit"] == 24]
    assert [(r["candidate"], r["status"], r["line"]) for r in edge] == [("model-b-q4", "pass", 29)]
    assert edge[0]["headroom"] == pytest.approx(0.75)
    assert (doc["dominated"], doc["regressions"], doc["files"]) == ([], [], ["goals.yaml"])


def test_tags_scope_budgets(here: Path) -> None:
    code, doc = as_json("tags.yaml")
    assert code == 1
    assert brief(doc) == [
        ("phone-too-big", "memory", 30.0, "max", 24.0, "error", 24),
        ("slow-api", "latency_p95", 950.0, "max", 800.0, "error", 26),
    ]
    pairs = [(r["candidate"], r["metric"], r["limit"]) for r in doc["results"]]
    assert ("big-server", "memory", 24.0) not in pairs  # not tagged edge: never checked
    assert ("slow-api", "memory", 24.0) not in pairs  # no tags at all
    assert ("phone-ok", "memory", 24.0) in pairs
    assert len(pairs) == 4 * 2 + 2


def test_no_value_is_a_violation_at_the_budget_level(here: Path) -> None:
    code, doc = as_json("no_value.yaml")
    assert code == 1
    assert brief(doc) == [
        ("no-latency", "latency_p95", None, "max", 800.0, "error", 13),
        ("no-safety", "safety", None, "min", 0.9, "warn", 17),
    ]
    statuses = {(r["candidate"], r["metric"]): r["status"] for r in doc["results"]}
    assert statuses[("no-latency", "latency_p95")] == "no value"
    assert statuses[("no-safety", "safety")] == "no value"
    assert run("no_value.yaml", "--candidate", "no-safety").exit_code == 0
    assert run("no_value.yaml", "--candidate", "no-safety", "--strict").exit_code == 1


# github, junit, markdown, text


def test_github_one_command_per_violation(here: Path) -> None:
    result = run("--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=goals.yaml,line=34,col=57,title=budget latency_p95::"
        "model-c: latency_p95 920 ms > max 800 ms\n"
        "::warning file=goals.yaml,line=34,col=70,title=budget memory::"
        "model-c: memory 140 GB > max 80 GB\n"
        "::warning file=goals.yaml,line=37,col=70,title=budget memory::"
        "model-d: memory 90 GB > max 80 GB\n"
    )


def test_github_strict_renders_warnings_as_errors(here: Path) -> None:
    result = run("warn_only.yaml", "--format", "github", "--strict")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=warn_only.yaml,line=15,col=50,title=budget safety::"
        "borderline: safety 0.85 < min 0.9 (warn budget, failing under --strict)\n"
    )
    plain = run("warn_only.yaml", "--format", "github")
    assert plain.exit_code == 0
    assert plain.stdout.startswith("::warning file=warn_only.yaml,line=15,")


def test_json_strict_renders_warnings_as_errors_and_keeps_the_declared_level(here: Path) -> None:
    strict = json.loads(run("warn_only.yaml", "--format", "json", "--strict").stdout)
    plain = json.loads(run("warn_only.yaml", "--format", "json").stdout)
    (v,) = strict["violations"]
    assert (v["level"], v["declared_level"], v["failing"]) == ("error", "warn", True)
    (w,) = plain["violations"]
    assert (w["level"], w["declared_level"], w["failing"]) == ("warn", "warn", False)
    assert {r["status"] for r in strict["results"] if r["candidate"] == "borderline"} >= {"fail"}


def test_github_annotates_an_invalid_goals_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 2\nmetrics: {q: {direction: max}}\ncandidates: [{name: a}]\n")
    result = runner.invoke(app, ["check", str(bad), "--format", "github"])
    assert result.exit_code == 2
    where = escape_property(str(bad))
    assert result.stdout == (
        f"::error file={where},line=1,col=10,title=invalid input::"
        "version: unsupported version 2; this tradeoff reads version 1\n"
    )
    assert f"{bad}:1:10: version: unsupported version 2" in result.stderr


def test_junit(here: Path) -> None:
    result = run("--format", "junit")
    assert result.exit_code == 1
    suite = ET.fromstring(result.stdout)
    assert suite.tag == "testsuite"
    assert suite.attrib["name"] == "tradeoff check"
    cases = suite.findall("testcase")
    assert len(cases) == 13 == int(suite.attrib["tests"])
    failed = [c for c in cases if c.find("failure") is not None]
    assert [(c.attrib["classname"], c.attrib["name"]) for c in failed] == [
        ("model-c", "budget latency_p95 max 800")
    ]
    assert suite.attrib["failures"] == "1"
    failure = failed[0].find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "latency_p95 920 ms > max 800 ms"
    warned = [c.attrib["classname"] for c in cases if c.find("system-out") is not None]
    assert warned == ["model-c", "model-d"]
    names = [c.attrib["name"] for c in cases if c.attrib["classname"] == "model-b-q4"]
    assert names == [
        "budget latency_p95 max 800",
        "budget safety min 0.9",
        "budget memory max 80 (warn)",
        "budget memory max 24 [tags: edge]",
    ]


def test_junit_strict_fails_warnings(here: Path) -> None:
    suite = ET.fromstring(run("--format", "junit", "--strict").stdout)
    assert suite.attrib["failures"] == "3"
    assert not suite.findall(".//system-out")


def test_text_on_failure(here: Path) -> None:
    result = run()
    assert result.exit_code == 1
    assert result.stdout == (
        "goals.yaml\n"
        "candidate  violation                        level  line\n" + "─" * 55 + "\n"
        "model-c    latency_p95 920 ms > max 800 ms  error    34\n"
        "model-c    memory 140 GB > max 80 GB        warn     34\n"
        "model-d    memory 90 GB > max 80 GB         warn     37\n"
        "check FAILED: 1 failing violation, 2 warnings "
        "(4 candidates checked against 4 budgets in goals.yaml)\n"
    )
    assert result.stderr == ""


def test_text_on_success_shows_three_tightest_passes(here: Path) -> None:
    result = run("pass.yaml")
    assert result.exit_code == 0
    assert result.stdout == (
        "check passed: no violations (3 candidates checked against 3 budgets in pass.yaml)\n"
        "tightest passes:\n"
        "  smart: latency_p95 700 ms <= max 800 ms (12.5% headroom, pass.yaml:16)\n"
        "  worse-than-fast: quality 58 % >= min 50 % (16.0% headroom, pass.yaml:18)\n"
        "  fast: quality 60 % >= min 50 % (20.0% headroom, pass.yaml:14)\n"
    )


def test_markdown(here: Path) -> None:
    result = run("tags.yaml", "warn_only.yaml", "--format", "markdown")
    assert result.exit_code == 1
    assert result.stdout == (
        "### ❌ tradeoff check FAILED: 2 failing violations, 1 warning "
        "(6 candidates checked against 6 budgets in 2 files)\n"
        "\n"
        "| candidate | violation | level | where |\n"
        "|---|---|---|---|\n"
        "| phone-too-big | memory 30 GB > max 24 GB | error | tags.yaml:24 |\n"
        "| slow-api | latency_p95 950 ms > max 800 ms | error | tags.yaml:26 |\n"
        "| borderline | safety 0.85 < min 0.9 | warn | warn_only.yaml:15 |\n"
    )
    ok = run("pass.yaml", "--format", "markdown").stdout
    assert ok.startswith("### ✅ tradeoff check passed: no violations (3 candidates")
    assert "| smart | latency_p95 700 ms <= max 800 ms | 12.5% | pass.yaml:16 |" in ok


# exit codes in every format


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["pass.yaml"], 0),
        (["warn_only.yaml"], 0),
        (["warn_only.yaml", "--strict"], 1),
        (["tags.yaml"], 1),
        (["pass.yaml", "tags.yaml"], 1),  # the worst over the files
        (["tags.yaml", "--candidate", "phone-ok"], 0),
        (["warn_only.yaml", "--candidate", "borderline"], 0),
        (["warn_only.yaml", "--candidate", "borderline", "--strict"], 1),
        (["pass.yaml", "--fail-on-dominated"], 1),
        (["pass.yaml", "--fail-on-dominated", "--candidate", "fast"], 0),
        (["pass.yaml", "--fail-on-dominated", "--candidate", "worse-than-fast"], 1),
        (["tags.yaml", "--candidate", "phone-ko"], 2),
        (["missing.yaml"], 2),
        (["pass.yaml", "broken.yaml"], 2),
        (["pass.yaml", "--metrics", "quality,speed"], 2),
    ],
)
def test_exit_codes(here: Path, fmt: str, args: list[str], code: int) -> None:
    (here / "broken.yaml").write_text("version: 1\nmetrics: {q: {direction: up}}\n")
    result = run(*args, "--format", fmt)
    assert result.exit_code == code, result.output
    if code == 2 and args == ["pass.yaml", "broken.yaml"]:
        # pass.yaml's findings are reported, broken.yaml's errors too (issue 17)
        assert "could not be read" in result.stdout or "broken.yaml" in result.stdout
        assert "broken.yaml:2:26:" in result.stderr
    elif code == 2:
        bad_input_report(fmt, result.stdout)
        assert "Traceback" not in result.stderr


def test_unknown_candidate_did_you_mean(here: Path) -> None:
    result = run("tags.yaml", "--candidate", "phone-ko")
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr
        == "error: --candidate: unknown candidate 'phone-ko' (did you mean 'phone-ok'?)\n"
    )


def test_input_errors_of_every_file_at_once(here: Path) -> None:
    (here / "a.yaml").write_text("version: 1\nmetrics: {q: {direction: up}}\n")
    (here / "b.yaml").write_text("version: [\n")
    result = run("a.yaml", "pass.yaml", "b.yaml")
    assert result.exit_code == 2
    assert "2 files could not be read (a.yaml, b.yaml)" in result.stdout
    assert "a.yaml:2:" in result.stderr
    assert "b.yaml:" in result.stderr


# dominance


def test_fail_on_dominated_names_the_dominator(here: Path) -> None:
    code, doc = as_json("pass.yaml", "--fail-on-dominated")
    assert code == 1
    assert doc["violations"] == []
    assert doc["dominated"] == [
        {
            "candidate": "worse-than-fast",
            "by": "fast",
            "better_on": ["quality", "cost", "latency_p95"],
            "file": "pass.yaml",
            "line": 18,
        }
    ]
    github = run("pass.yaml", "--fail-on-dominated", "--format", "github").stdout
    assert github == (
        "::error file=pass.yaml,line=18,title=dominated::worse-than-fast: dominated by fast "
        "(better on quality, cost, latency_p95)\n"
    )
    suite = ET.fromstring(run("pass.yaml", "--fail-on-dominated", "--format", "junit").stdout)
    (case,) = [c for c in suite if c.find("failure") is not None]
    assert (case.attrib["classname"], case.attrib["line"]) == ("worse-than-fast", "18")


def test_fail_on_dominated_metrics_narrow_dominance(here: Path) -> None:
    code, doc = as_json("pass.yaml", "--fail-on-dominated", "--candidate", "smart")
    assert (code, doc["dominated"]) == (0, [])
    code, doc = as_json(
        "pass.yaml", "--fail-on-dominated", "--candidate", "smart", "--metrics", "cost"
    )
    assert code == 1
    assert [(d["by"], d["better_on"]) for d in doc["dominated"]] == [("fast", ["cost"])]


def test_fail_on_dominated_only_among_feasible(here: Path) -> None:
    # model-c is infeasible (already failing); model-d breaks only a warn budget and is judged.
    code, doc = as_json("--fail-on-dominated")
    assert code == 1
    assert {d["candidate"] for d in doc["dominated"]} <= {"model-a", "model-b-q4", "model-d"}
    suite = ET.fromstring(run("--fail-on-dominated", "--format", "junit").stdout)
    judged = [c for c in suite if c.attrib["name"] == "not dominated"]
    assert [c.attrib["classname"] for c in judged] == ["model-a", "model-b-q4", "model-d"]
    # A failing case points at the candidate's line, as the text output does; a passing one
    # has no line of its own.
    lines = {d["candidate"]: d["line"] for d in doc["dominated"]}
    for c in judged:
        failed = c.find("failure") is not None
        assert c.attrib.get("line") == (str(lines[c.attrib["classname"]]) if failed else None)
        assert failed == (c.attrib["classname"] in lines)


def test_fail_on_dominated_missing_policy(here: Path) -> None:
    # no-safety is feasible (its safety budget is warn-level) but lacks a dominance metric.
    result = run("no_value.yaml", "--fail-on-dominated")
    assert result.exit_code == 2
    assert "no-safety" in result.stderr
    result = run("no_value.yaml", "--fail-on-dominated", "--missing", "exclude", "-f", "json")
    assert result.exit_code == 1  # no-latency's error-level "no value"
    assert "no-safety lacks safety and was not judged for dominance" in result.stderr


# several files, --output, the library


def test_several_files_carry_their_file(here: Path) -> None:
    code, doc = as_json("pass.yaml", "tags.yaml", "warn_only.yaml")
    assert code == 1
    assert doc["files"] == ["pass.yaml", "tags.yaml", "warn_only.yaml"]
    assert [(v["file"], v["line"]) for v in doc["violations"]] == [
        ("tags.yaml", 24),
        ("tags.yaml", 26),
        ("warn_only.yaml", 15),
    ]
    assert {r["file"] for r in doc["results"]} == set(doc["files"])


def test_output_file_is_written_before_exit_1(here: Path) -> None:
    result = run("tags.yaml", "--format", "junit", "--output", "report.xml")
    assert (result.exit_code, result.stdout) == (1, "")
    assert ET.parse(here / "report.xml").getroot().attrib["failures"] == "2"
    assert [p.name for p in here.iterdir() if p.name.startswith(".report")] == []


def test_library_api(here: Path) -> None:
    res = tradeoff.check_files(["tags.yaml"], candidates=["phone-ok", "big-server"])
    assert res.passed
    assert res.checked == ["big-server", "phone-ok"]  # file order
    assert [f.result.status for f in res.results] == ["pass"] * 5
    assert [round(f.result.headroom or 0, 3) for f in res.tightest()] == [0.375, 0.5, 0.625]


# injection: names cannot forge workflow commands or break the XML

EVIL = 'evil[/b]%0A::error::forged ::warning file=x,line=1::also, forged: 100% <&">'
# Control characters (\r, \n, escape codes) are refused in names at validation; the escaping below
# is defence in depth and is tested on its own in test_escape_like_actions_toolkit.


def _unescape(s: str) -> str:
    for a, b in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        s = s.replace(a, b)
    return s


def test_names_with_control_characters_are_refused(tmp_path: Path) -> None:
    for bad in ("forged\r\n::error::x", "red\x1b[31m", "a\x01b"):
        text = GOALS.replace("name: model-c", f"name: {json.dumps(bad)}")
        result = run(str(write_goals(tmp_path, text)), "--format", "github")
        assert result.exit_code == 2
        assert result.stdout.count("\n") == 1 and result.stdout.endswith(
            "::candidates[2].name: a name must not contain control characters\n"
        )  # the name itself never reaches the annotation
        assert "candidates[2].name: a name must not contain control characters" in result.stderr


def test_escape_like_actions_toolkit() -> None:
    assert escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"
    assert escape_data("%0A") == "%250A"  # an escape sequence in a name stays literal


def test_injection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = json.dumps(EVIL)  # a YAML double-quoted scalar
    text = GOALS.replace("name: model-c", f"name: {name}")
    odd = tmp_path / "odd, dir:1%"
    odd.mkdir()
    path = write_goals(odd, text)
    monkeypatch.chdir(tmp_path)
    result = run(str(path.relative_to(tmp_path)), "--format", "github", "--strict")
    assert result.exit_code == 1
    out = result.stdout.split("\n")
    assert out[-1] == ""
    commands = out[:-1]
    assert len(commands) == 3
    pattern = re.compile(r"::(error|warning) ((?:[a-z]+=[^,:]*)(?:,[a-z]+=[^,:]*)*)::(.*)")
    for line in commands:
        m = pattern.fullmatch(line)
        assert m, line
        props = dict(kv.split("=", 1) for kv in m.group(2).split(","))
        assert _unescape(props["file"]) == "odd, dir:1%/goals.yaml"
        assert "\r" not in m.group(3)
    evil = [c for c in commands if "evil" in c]
    assert len(evil) == 2
    assert _unescape(pattern.fullmatch(evil[0]).group(3)).startswith(f"{EVIL}: ")  # type: ignore[union-attr]

    junit = run(str(path.relative_to(tmp_path)), "--format", "junit").stdout
    suite = ET.fromstring(junit)
    classes = {c.attrib["classname"] for c in suite}
    assert EVIL in classes
    md = run(str(path.relative_to(tmp_path)), "--format", "markdown").stdout
    assert all(line.startswith(("###", "|")) for line in md.splitlines() if line)
    text = run(str(path.relative_to(tmp_path))).stdout
    assert "forged" in text


# integration files


def test_pre_commit_hook_is_valid() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    [hook] = hooks
    assert hook["id"] == "tradeoff-check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    assert hook["require_serial"] is True
    script, *command = hook["entry"].split()
    assert script == "tradeoff"  # the console script of pyproject.toml
    assert command == ["check", "--"]  # file names are never options
    assert runner.invoke(app, [command[0], "--help"]).exit_code == 0
    files = re.compile(hook["files"])
    assert files.search("goals.yaml") and files.search("deploy/goals-edge.yml")
    assert not files.search("tests/check/tags.yaml")


def _action() -> dict[str, Any]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert isinstance(action, dict)
    return action


def test_action_is_valid() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"file", "candidates", "strict", "version"}
    assert action["inputs"]["file"]["default"] == "goals.yaml"
    for step in action["runs"]["steps"]:
        assert "uses" in step or step["shell"] == "bash"
        # Inputs reach scripts through env only (no ${{ }} inside a script: no injection).
        assert "${{" not in step.get("run", "")
    assert "python -m tradeoff check" in action["runs"]["steps"][-1]["run"]


def _run_action(cwd: Path, tmp_path: Path, **inputs: str) -> tuple[int, str, str]:
    script = _action()["runs"]["steps"][-1]["run"]
    summary = tmp_path / "summary.md"
    summary.write_text("")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(summary),
        "INPUT_FILE": "goals.yaml",
        "INPUT_CANDIDATES": "",
        "INPUT_STRICT": "false",
        "INPUT_FAIL_ON_DOMINATED": "false",
        "COLUMNS": "120",
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    bash = shutil.which("bash")
    assert bash
    done = subprocess.run(
        [bash, "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    return done.returncode, done.stdout, summary.read_text()


def test_action_script_fails_with_annotations_and_summary(here: Path, tmp_path: Path) -> None:
    code, out, summary = _run_action(here, tmp_path)
    assert code == 1
    assert out == run("--format", "github").stdout
    assert summary == run("--format", "markdown").stdout


def test_action_script_inputs(here: Path, tmp_path: Path) -> None:
    code, out, summary = _run_action(here, tmp_path, file="pass.yaml\nwarn_only.yaml")
    assert code == 0
    assert out.startswith("::warning file=warn_only.yaml,line=15,")
    assert summary.startswith("### ✅ tradeoff check passed with 1 warning (5 candidates")
    code, out, _ = _run_action(here, tmp_path, file="warn_only.yaml", strict="true")
    assert (code, out[:7]) == (1, "::error")
    code, out, _ = _run_action(here, tmp_path, candidates="model-a model-d")
    assert code == 0
    assert out.count("::warning") == 1
    code, _, summary = _run_action(here, tmp_path, candidates="nobody")
    assert code == 2
    assert summary.startswith("### tradeoff check could not run (exit 2)")
    code, out, _ = _run_action(here, tmp_path, strict="maybe")
    assert code == 2


def test_bad_input_gives_ci_a_json_or_junit_report_of_the_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nmetrics: {q: {direction: up}}\ncandidates: [{name: a}]\n")
    doc = json.loads(runner.invoke(app, ["check", str(bad), "-f", "json"]).stdout)
    assert doc == {
        "schema_version": 1,
        "command": "check",
        "passed": False,
        "checked": [],
        "violations": [],
        "results": [],
        "dominated": [],
        "regressions": [],
        "errors": [
            {
                "file": str(bad),
                "line": 2,
                "col": 26,
                "where": "metrics.q.direction",
                "what": "expected 'max' or 'min', got 'up'",
            }
        ],
        "closest": [],
    }
    report = tmp_path / "report.xml"
    result = runner.invoke(app, ["check", str(bad), "-f", "junit", "-o", str(report)])
    assert result.exit_code == 2 and "metrics.q.direction" in result.stderr
    (case,) = ET.fromstring(report.read_text(encoding="utf-8"))
    error = case.find("error")
    assert error is not None and error.attrib["message"] == "expected 'max' or 'min', got 'up'"
    assert case.attrib["line"] == "2"
    # Never over the file it could not read.
    same = runner.invoke(app, ["check", str(bad), "-f", "junit", "-o", str(bad)])
    assert same.exit_code == 2 and bad.read_text().startswith("version: 1")


def test_long_names_in_the_check_table_wrap_after_their_separators() -> None:
    out = runner.invoke(app, ["check", str(ROOT / "goals.yaml")], env={"COLUMNS": "60"}).stdout
    rows = out.splitlines()[3:5]  # under the heading and the header, the first violation
    pieces = [line.split()[0] for line in rows]
    assert pieces == ["llama-3.3-70b-fp8-", "2xh100-c25"]


def test_a_pass_exactly_at_a_limit_of_zero_is_the_tightest(tmp_path: Path) -> None:
    path = tmp_path / "zero.yaml"
    path.write_text(
        "version: 1\nmetrics:\n  err: {direction: min}\n  q: {direction: max}\n"
        "budgets:\n  err: {max: 0}\n  q: {min: 50}\n"
        "candidates:\n  - {name: a, metrics: {err: 0, q: 60}}\n"
        "  - {name: b, metrics: {err: -1, q: 90}}\n"
    )
    res = tradeoff.check_files([str(path)])
    assert res.passed
    tight = [(f.result.candidate, f.result.metric) for f in res.tightest()]
    # a: err 0 at max 0 (no slack at all), then a's quality (headroom 0.2), then b's quality (0.8)
    assert tight == [("a", "err"), ("a", "q"), ("b", "q")]


# several files, one of them broken (issue 17)


def _with_broken(here: Path) -> None:
    (here / "broken.yaml").write_text("version: 1\nmetrics: {q: {direction: up}}\n")


def test_a_broken_file_keeps_the_other_files_findings_in_text(here: Path) -> None:
    _with_broken(here)
    result = run("pass.yaml", "tags.yaml", "broken.yaml")
    assert result.exit_code == 2
    assert "phone-too-big" in result.stdout and "slow-api" in result.stdout
    assert result.stdout.startswith("tags.yaml\ncandidate ")  # a section per file with findings
    assert "slow-api       latency_p95 950 ms > max 800 ms  error    26\n" in result.stdout
    assert "1 file could not be read" in result.stdout
    assert "broken.yaml:2:26: metrics.q.direction" in result.stderr


def test_a_broken_file_keeps_the_other_files_findings_in_github(here: Path) -> None:
    _with_broken(here)
    result = run("tags.yaml", "broken.yaml", "--format", "github")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert any(line.startswith("::error file=tags.yaml,line=26,") for line in lines)
    assert any(line.startswith("::error file=broken.yaml,line=2,") for line in lines)


def test_a_broken_file_keeps_the_other_files_findings_in_json_and_junit(here: Path) -> None:
    _with_broken(here)
    result = run("tags.yaml", "broken.yaml", "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["passed"] is False
    assert [(v["candidate"], v["file"]) for v in doc["violations"]] == [
        ("phone-too-big", "tags.yaml"),
        ("slow-api", "tags.yaml"),
    ]
    assert [(e["file"], e["line"], e["where"]) for e in doc["errors"]] == [
        ("broken.yaml", 2, "metrics.q.direction")
    ]
    suite = ET.fromstring(run("tags.yaml", "broken.yaml", "--format", "junit").stdout)
    assert (suite.attrib["failures"], suite.attrib["errors"]) == ("2", "1")
    ok = json.loads(run("pass.yaml", "--format", "json").stdout)
    assert ok["errors"] == []


def test_json_keeps_its_shape_when_no_file_could_be_read(here: Path) -> None:
    # SPEC "JSON shapes": scripts rely on check's keys. With every file broken the document
    # held only schema_version, command, passed and errors: `doc["violations"]` was a KeyError.
    _with_broken(here)
    keys = list(json.loads(run("pass.yaml", "--format", "json").stdout))
    result = run("broken.yaml", "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    spec = ["schema_version", "command", "passed", "checked", "violations", "results"]
    spec += ["dominated", "regressions", "errors", "closest"]
    assert [k for k in keys if k in spec] == spec  # the order a readable run writes them in
    assert [k for k in doc if k in spec] == spec
    assert doc["passed"] is False and [e["where"] for e in doc["errors"]] == ["metrics.q.direction"]
    assert all(
        doc[k] == [] for k in spec if k not in ("schema_version", "command", "passed", "errors")
    )


def test_candidates_are_counted_per_file(here: Path) -> None:
    shutil.copy(here / "tags.yaml", here / "tags2.yaml")
    result = run("tags.yaml", "tags2.yaml")
    assert "8 candidates checked against 6 budgets in 2 files" in result.stdout
