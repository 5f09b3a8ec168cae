"""`tradeoff check --pessimistic`: budgets at value ± 2·stderr, whichever side is worse.

tests/check/pessimistic.yaml: latency_p95 max 800 (error); safety min 0.9 (error) and min 0.94
(warn).
- steady: no stderr anywhere; passes either way (latency 700, safety 0.95).
- noisy: latency 640 ± 86 (line 17) passes on the point value, fails at 640 + 2 * 86 = 812;
  safety 0.95 ± 0.01 (line 18) passes the error budget at 0.93 but breaks the warn one.
- shaky: safety 0.93 ± 0.02 (line 23) passes min 0.9 on the point value, fails at 0.89.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import tradeoff
from conftest import runner
from tradeoff.cli.app import app

FIXTURES = Path(__file__).parent / "check"
FORMATS = ["text", "json", "github", "junit", "markdown"]
X = "\N{MULTIPLICATION SIGN}"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(FIXTURES / "pessimistic.yaml", tmp_path / "goals.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Any:
    return runner.invoke(app, ["check", "goals.yaml", *args])


def results(*args: str) -> tuple[int, dict[str, Any]]:
    result = run(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("args", "code"),
    [
        ([], 0),
        (["--pessimistic"], 1),
        (["--candidate", "noisy"], 0),
        (["--candidate", "noisy", "--pessimistic"], 1),  # 812 > 800
        (["--candidate", "shaky", "--pessimistic"], 1),  # 0.89 < 0.9
        (["--candidate", "steady", "--pessimistic"], 0),  # no stderr: unchanged
        (["--candidate", "steady", "--pessimistic", "--strict"], 0),
        (["--candidate", "nobody", "--pessimistic"], 2),
    ],
)
def test_exit_codes(here: Path, fmt: str, args: list[str], code: int) -> None:
    result = run(*args, "--format", fmt)
    assert result.exit_code == code, result.output
    if code == 2:
        assert (result.stdout, "Traceback" in result.stderr) == ("", False)


def test_json_value_is_pessimistic_and_point_value_is_kept(here: Path) -> None:
    code, doc = results("--pessimistic")
    assert (code, doc["passed"], doc["pessimistic"]) == (1, False, True)
    latency = doc["violations"][0]
    assert latency == {
        "candidate": "noisy",
        "metric": "latency_p95",
        "value": 812.0,
        "bound": "max",
        "limit": 800.0,
        "level": "error",
        "declared_level": "error",
        "line": 17,
        "col": 20,
        "file": "goals.yaml",
        "failing": True,
        "point_value": 640.0,
        "stderr": 86.0,
    }
    found = {(v["candidate"], v["metric"], v["limit"]): v for v in doc["results"]}
    shaky = found["shaky", "safety", 0.9]
    assert (shaky["status"], shaky["point_value"], shaky["stderr"]) == ("fail", 0.93, 0.02)
    assert shaky["value"] == pytest.approx(0.89)  # min bound: value - 2 se
    # Headroom is computed from the pessimistic value.
    assert found["noisy", "safety", 0.9]["headroom"] == pytest.approx((0.93 - 0.9) / 0.9)
    assert found["noisy", "latency_p95", 800.0]["headroom"] == pytest.approx(-12 / 800)
    steady = found["steady", "latency_p95", 800.0]
    assert (steady["value"], steady["point_value"], steady["stderr"]) == (700.0, 700.0, None)
    # Without the flag: point values, no extra keys.
    code, doc = results()
    assert (code, doc["pessimistic"]) == (0, False)
    assert "point_value" not in doc["results"][0]
    plain = {(v["candidate"], v["metric"], v["limit"]): v for v in doc["results"]}
    assert plain["noisy", "latency_p95", 800.0]["value"] == 640.0


def test_text_says_pessimistic_and_shows_the_value_used(here: Path) -> None:
    result = run("--pessimistic")
    assert result.exit_code == 1
    assert result.stdout == (
        "goals.yaml\n"
        "candidate  violation                                     level  line\n" + "─" * 68 + "\n"
        f"noisy      latency_p95 812 ms (640 + 2{X}86) > max 800 ms  error    17\n"
        f"shaky      safety 0.89 (0.93 - 2{X}0.02) < min 0.9         error    23\n"
        f"noisy      safety 0.93 (0.95 - 2{X}0.01) < min 0.94        warn     18\n"
        f"shaky      safety 0.89 (0.93 - 2{X}0.02) < min 0.94        warn     23\n"
        "check FAILED: 2 failing violations, 2 warnings (3 candidates checked against 3 budgets "
        f"in goals.yaml; pessimistic: budgets at value ± 2{X}stderr)\n"
    )


def test_tightest_passes_use_the_pessimistic_headroom(here: Path) -> None:
    result = run("--pessimistic", "--candidate", "steady", "--candidate", "noisy", "--strict")
    assert result.exit_code == 1
    ok = run("--pessimistic", "--candidate", "steady")
    assert ok.stdout.splitlines()[1:] == [
        "tightest passes:",
        "  steady: safety 0.95 >= min 0.94 (1.1% headroom, goals.yaml:13)",
        "  steady: safety 0.95 >= min 0.9 (5.6% headroom, goals.yaml:13)",
        "  steady: latency_p95 700 ms <= max 800 ms (12.5% headroom, goals.yaml:13)",
    ]
    edit = (
        Path("goals.yaml").read_text().replace("value: 640, stderr: 86", "value: 600, stderr: 50")
    )
    Path("goals.yaml").write_text(edit)
    text = run("--pessimistic", "--candidate", "noisy").stdout
    assert f"  noisy: latency_p95 700 ms (600 + 2{X}50) <= max 800 ms (12.5% headroom" in text


def test_github_and_junit_and_markdown(here: Path) -> None:
    github = run("--pessimistic", "--format", "github").stdout.splitlines()
    assert github[0] == (
        "::error file=goals.yaml,line=17,col=20,title=budget latency_p95::"
        f"noisy: latency_p95 812 ms (640 + 2{X}86) > max 800 ms"
    )
    levels = [(line.split(" ")[0], line.split("::")[2].split(":")[0]) for line in github]
    assert levels == [
        ("::error", "noisy"),
        ("::warning", "noisy"),
        ("::error", "shaky"),
        ("::warning", "shaky"),
    ]
    suite = ET.fromstring(run("--pessimistic", "--format", "junit").stdout)
    assert suite.attrib["failures"] == "2"
    messages = [f.attrib["message"] for f in suite.iter("failure")]
    assert messages[0] == f"latency_p95 812 ms (640 + 2{X}86) > max 800 ms"
    md = run("--pessimistic", "--format", "markdown").stdout
    assert "pessimistic: budgets at value ± 2" in md.splitlines()[0]
    assert f"| noisy | latency_p95 812 ms (640 + 2{X}86) > max 800 ms | error |" in md


def test_warn_budget_stays_a_warning(here: Path) -> None:
    # noisy's safety breaks only the warn budget pessimistically: fails only with --strict.
    assert results("--pessimistic", "--candidate", "noisy")[0] == 1  # its latency
    Path("goals.yaml").write_text(
        Path("goals.yaml").read_text().replace("{value: 640, stderr: 86}", "600")
    )
    assert results("--pessimistic", "--candidate", "noisy")[0] == 0
    assert results("--pessimistic", "--candidate", "noisy", "--strict")[0] == 1
    assert results("--candidate", "noisy", "--strict")[0] == 0


def test_front_stays_on_point_values(here: Path) -> None:
    # --pessimistic gates budgets only: dominance is judged among the point-feasible candidates,
    # so noisy (failing its budget pessimistically) still dominates steady.
    res = tradeoff.check_files(["goals.yaml"], pessimistic=True, fail_on_dominated=True)
    assert [(d.candidate, d.by) for d in res.dominated] == [("steady", "noisy")]
    assert {(f.result.candidate, f.result.status) for f in res.failures} == {
        ("noisy", "fail"),
        ("shaky", "fail"),
    }
    assert all(f.pessimistic for f in res.results)
