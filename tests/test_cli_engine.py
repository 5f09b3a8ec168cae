"""rank, pareto --layers and explain on the shipped goals.yaml, in every output format."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from conftest import ROOT, runner
from tradeoff.cli.app import app

SHIPPED = ROOT / "goals.yaml"
SPEC = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
NAMES = [c["name"] for c in SPEC["candidates"]]
FEASIBLE = [n for n in NAMES if not n.endswith(("-c25", "-c50", "-c100"))]
HEADERS = [f"{m} [{s['unit']}]" if "unit" in s else m for m, s in SPEC["metrics"].items()]
ANY = "llama-3.3-70b-fp8-2xh100-c1"  # dominated by two front members

COMMANDS: dict[str, list[str]] = {
    "rank": ["rank", str(SHIPPED)],
    "rank-all": ["rank", str(SHIPPED), "--all"],
    "pareto": ["pareto", str(SHIPPED), "--layers"],
    "explain": ["explain", ANY, str(SHIPPED)],
    "explain-infeasible": ["explain", "llama-3.3-70b-fp8-2xh100-c100", str(SHIPPED)],
}

VIOLATION = ["candidate", "metric", "value", "bound", "limit", "level", "line"]
KEYS: dict[str, Any] = {
    "rank": (
        [
            *["schema_version", "command", "profile", "method", "weights", "candidates"],
            *["infeasible", "infeasible_count", "closest", "groups_from", "excluded"],
        ],
        ["rank", "name", "score", "metrics", "inputs", "normalized", "dominated_by", "group"],
    ),
    "pareto": (
        [
            *[
                "schema_version",
                "command",
                "metrics",
                "hypervolume",
                "candidates",
                "excluded",
                "units",
            ],
            *["noise", "ignore_budgets"],
        ],
        ["name", "layer", "knee", "metrics", "inputs", "dominated_by"],
    ),
    # explain: the spec's keys in the spec's order, then (documented) profile, method, excluded.
    "explain": (
        [
            *["schema_version", "command", "name", "feasible", "score", "rank", "metrics"],
            *["inputs", "budgets", "dominated_by", "profile", "method", "excluded"],
        ],
        ["metric", "value", "normalized", "weight", "contribution", "stderr", "provenance"],
    ),
}


def run(args: list[str], **env: str) -> Any:
    result = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1", **env}).invoke(app, args)
    assert result.exit_code == 0, result.stderr
    return result


def no_nan(text: str) -> Any:
    def refuse(token: str) -> Any:
        raise AssertionError(f"{token} in JSON output")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("which", COMMANDS)
def test_json_has_the_spec_keys_in_order(which: str) -> None:
    data = no_nan(run([*COMMANDS[which], "--format", "json"]).stdout)
    command = COMMANDS[which][0]
    top, per = KEYS[command]
    assert list(data) == top
    assert (data["schema_version"], data["command"]) == (1, command)
    rows = data["candidates"] if command != "explain" else data["metrics"]
    assert rows
    for row in rows:
        assert list(row) == per
    if command == "rank":
        assert [c["rank"] for c in data["candidates"]] == list(range(1, len(FEASIBLE) + 1))
        assert sorted(c["name"] for c in data["candidates"]) == sorted(FEASIBLE)
        assert sum(data["weights"].values()) == pytest.approx(1.0)
        for bad in data["infeasible"]:
            assert list(bad) == ["name", "violations"]
            assert all(list(v) == VIOLATION for v in bad["violations"])
        for c in data["candidates"]:
            assert list(c["metrics"]) == list(SPEC["metrics"])
            assert list(c["normalized"]) == list(SPEC["metrics"])
    if command == "pareto":
        assert sorted(c["name"] for c in data["candidates"]) == sorted(FEASIBLE)
    if command == "explain":
        for b in data["budgets"]:
            assert list(b) == [*VIOLATION, "status", "headroom"]
        for d in data["dominated_by"]:
            assert list(d) == ["name", "better_on"]


def test_explain_json_values() -> None:
    data = no_nan(run([*COMMANDS["explain"], "-f", "json"]).stdout)
    assert data["name"] == ANY and data["feasible"] is True
    parts = [m["contribution"] for m in data["metrics"] if m["contribution"] is not None]
    assert sum(parts) == pytest.approx(data["score"])
    # Every dominating candidate, highest score first; claude@bedrock is slower (6486 > 5962 ms).
    assert [d["name"] for d in data["dominated_by"]] == [
        "claude-3.5-sonnet@anthropic",
        "gpt-4o-2024-05-13@azure",
        "gpt-4o-2024-05-13@openai",
    ]
    assert data["dominated_by"][0]["better_on"] == list(SPEC["metrics"])
    prov = {m["metric"]: m["provenance"] for m in data["metrics"]}
    assert prov["quality"]["kind"] == "claimed"


def test_raw_values_survive_csv_at_full_precision() -> None:
    frame = pd.read_csv(io.StringIO(run([*COMMANDS["rank-all"], "-f", "csv"]).stdout))
    assert list(frame.columns[:3]) == ["rank", "name", "score"]
    assert list(frame.columns[3 : 3 + len(HEADERS)]) == HEADERS
    assert "feasible" in frame.columns
    assert sorted(frame["name"]) == sorted(NAMES)
    by_name = frame.set_index("name")
    for cand in SPEC["candidates"]:
        for metric, header in zip(SPEC["metrics"], HEADERS, strict=True):
            raw = cand["metrics"][metric]
            value = raw["value"] if isinstance(raw, dict) else raw
            assert by_name.loc[cand["name"], header] == float(value)  # exact, not rounded
    assert not by_name.loc["llama-3.3-70b-fp8-2xh100-c100", "feasible"]
    assert by_name.loc["claude-3.5-sonnet@anthropic", "feasible"]
    assert by_name.loc[ANY, "dominated_by"] == "claude-3.5-sonnet@anthropic;gpt-4o-2024-05-13@azure"
    scores = no_nan(run([*COMMANDS["rank"], "-f", "json"]).stdout)["candidates"]
    for c in scores:
        assert by_name.loc[c["name"], "score"] == c["score"]


def test_rank_csv_without_infeasible_rows_has_no_feasible_column() -> None:
    frame = pd.read_csv(io.StringIO(run([*COMMANDS["rank"], "-f", "csv"]).stdout))
    assert "feasible" not in frame.columns
    assert len(frame) == len(FEASIBLE)


def test_pareto_and_explain_csv_load() -> None:
    frame = pd.read_csv(io.StringIO(run([*COMMANDS["pareto"], "-f", "csv"]).stdout))
    assert list(frame.columns[:3]) == ["layer", "name", "knee"]
    assert list(frame.columns[3 : 3 + len(HEADERS)]) == HEADERS
    assert frame["knee"].sum() == 1
    assert list(frame["layer"]) == sorted(frame["layer"])
    # explain: one row per candidate too (the one explained), headers `metric [unit]` and beside
    # each metric its normalized value, weight, contribution and stderr.
    ex = pd.read_csv(io.StringIO(run([*COMMANDS["explain"], "-f", "csv"]).stdout))
    doc = no_nan(run([*COMMANDS["explain"], "-f", "json"]).stdout)
    assert len(ex) == 1 and ex.loc[0, "name"] == ANY
    assert list(ex.columns[4 : 4 + 5 * len(HEADERS) : 5]) == HEADERS
    assert ex.loc[0, "score"] == pytest.approx(doc["score"])
    parts = [ex.loc[0, f"{m} contribution"] for m in SPEC["metrics"]]
    assert np.nansum(parts) == pytest.approx(doc["score"])
    for line in doc["metrics"]:
        got = ex.loc[0, f"{line['metric']} normalized"]
        assert (line["normalized"] is None and np.isnan(got)) or got == line["normalized"]


def table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


@pytest.mark.parametrize("which", COMMANDS)
def test_markdown_is_a_pipe_table(which: str) -> None:
    lines = table_lines(run([*COMMANDS[which], "-f", "markdown"]).stdout)
    assert len(lines) >= 3
    cells = [len(re.findall(r"(?<!\\)\|", line)) for line in lines]
    assert len(set(cells)) == 1, lines
    assert re.fullmatch(r"\|(---:?\|)+", lines[1])
    assert all(line.endswith("|") for line in lines)


def folded(name: str, lines: list[str]) -> bool:
    """The name appears in one column, possibly folded over consecutive lines."""
    for k, line in enumerate(lines):
        for c in [m.start() for m in re.finditer(re.escape(name[:3]), line)]:
            got, j = "", k
            while j < len(lines) and name.startswith(got) and len(got) < len(name):
                piece = lines[j][c:].split(" ", 1)[0]
                if not piece:
                    break
                got += piece
                j += 1
            if got == name:
                return True
    return False


@pytest.mark.parametrize("which", COMMANDS)
def test_table_fits_80_columns(which: str) -> None:
    out = run(COMMANDS[which], COLUMNS="80").stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "\x1b[" not in out
    if which.startswith("rank"):
        data = no_nan(run([*COMMANDS[which], "-f", "json"]).stdout)
        for c in data["candidates"]:
            assert folded(c["name"], lines), c["name"]
            assert f"{c['score']:.3f}" in out
        if which == "rank-all":
            for bad in data["infeasible"]:
                assert folded(bad["name"], lines), bad["name"]
    if which == "pareto":
        for name in FEASIBLE:
            assert folded(name, lines), name


def test_folded_detects_a_missing_name() -> None:
    assert folded("abcdef", ["x abc  1", "  def  2"])
    assert not folded("abcdeg", ["x abc  1", "  def  2"])


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_output_file_has_the_same_bytes_as_stdout(tmp_path: Path, fmt: str) -> None:
    for which in ("rank", "pareto", "explain"):
        out = tmp_path / f"{which}.{fmt}"
        stdout = run([*COMMANDS[which], "-f", fmt]).stdout
        result = run([*COMMANDS[which], "-f", fmt, "--output", str(out)])
        assert result.stdout == ""
        assert out.read_bytes() == stdout.encode("utf-8")


def test_failing_run_leaves_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "rank.json"
    out.write_text("previous\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(SHIPPED.read_text(encoding="utf-8").replace("cost: 0.0050", "cost: cheap", 1))
    for args in (
        ["rank", str(bad), "-f", "json", "-o", str(out)],
        ["rank", str(SHIPPED), "--profile", "nope", "-o", str(out)],
        ["explain", "nobody", str(SHIPPED), "-o", str(out)],
    ):
        result = runner.invoke(app, args)
        assert (result.exit_code, result.stdout) == (2, "")
        assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "rank.json"]


def test_no_colour_without_a_terminal_even_without_no_color() -> None:
    result = CliRunner(env={"COLUMNS": "100"}).invoke(app, COMMANDS["rank-all"])
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout


def test_no_color_wins_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from tradeoff.cli import common as cli

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdout", Tty())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli.use_color()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli.use_color()


def _wide_goals(tmp_path: Path, metrics: int = 12, candidates: int = 4) -> Path:
    lines = ["version: 1", "metrics:"]
    lines += [f"  metric_number_{j}: {{direction: max, unit: tokens/s}}" for j in range(metrics)]
    lines.append("candidates:")
    for i in range(candidates):
        values = ", ".join(f"metric_number_{j}: {100 + 37 * i + j}.5" for j in range(metrics))
        lines.append(
            f"  - {{name: very-long-candidate-name-{i}-with-suffix, metrics: {{{values}}}}}"
        )
    path = tmp_path / "wide.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["rank"], ["pareto", "--layers"]])
def test_too_many_metrics_for_the_width_drop_columns_not_the_score(
    tmp_path: Path, command: list[str]
) -> None:
    path = _wide_goals(tmp_path)
    out = run([*command, str(path)], COLUMNS="80").stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    head = next(line for line in lines if "candidate" in line)
    assert head.split()[:2] == (
        ["#", "candidate"] if command == ["rank"] else ["layer", "candidate"]
    )
    if command == ["rank"]:
        data = no_nan(run([*command, str(path), "-f", "json"]).stdout)
        for c in data["candidates"]:
            assert f"{c['score']:.3f}" in out  # the score is never cut
    note = re.search(r"not shown at this width: (.*?) \(widen", " ".join(lines))
    assert note is not None, out
    hidden = note.group(1).split(", ")
    assert hidden[-1] == "metric_number_11" and "metric_number_0" not in hidden
    # Every column that is shown has its whole header, wrapped at '_' and '/', not cut mid-word.
    assert "_number" in out and "tokens/" in out and "metric_number_0" not in hidden


def test_long_names_wrap_at_their_separators() -> None:
    shipped = str(ROOT / "goals.yaml")
    out = run(["rank", shipped, "--all"], COLUMNS="80").stdout
    names = [c["name"] for c in no_nan(run(["rank", shipped, "-f", "json"]).stdout)["candidates"]]
    lines = out.splitlines()
    for name in names:
        assert folded(name, lines)
    starts = [line.split()[1] for line in lines if re.match(r"[0-9-] \S", line)]
    assert len(starts) >= len(names)
    for piece in starts:  # either the whole name or cut just after a separator
        assert piece in names or piece.endswith(("@", "-", "/", "_", ".", ":")), piece


def test_csv_violations_are_exact_and_say_warn() -> None:
    out = run(["rank", str(ROOT / "goals.yaml"), "--all", "-f", "csv"]).stdout
    frame = pd.read_csv(io.StringIO(out))
    text = frame.set_index("name").loc["llama-3.3-70b-fp8-2xh100-c100", "violations"]
    assert text == (
        "latency_p50 35776.34 ms > max 8000 ms; safety 0.8604 < min 0.9 (warn); "
        "memory 70 GB > max 64 GB (warn)"
    )


@pytest.mark.parametrize("command", [["explain", "model-a"], ["sensitivity"]])
def test_explain_and_sensitivity_take_ranks_flags(goals_path: Path, command: list[str]) -> None:
    # The spec: explain "takes rank's flags", sensitivity "rank's flags plus --samples and --seed".
    base = [*command, str(goals_path), "-f", "json"]
    plain = run(base)
    flags = [
        "--top",
        "2",
        "--all",
        "--profile",
        "default",
        "--method",
        "topsis",
        "--missing",
        "error",
    ]
    passed = run([*base, *flags])
    assert plain.exit_code == 0 and passed.exit_code == 0, passed.stderr
    topsis = run([*base, "--method", "topsis"])
    assert json.loads(passed.stdout) == json.loads(topsis.stdout)


def test_a_table_of_thousands_of_rows_is_written_without_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a colour terminal rich lays a table out cell by cell (~30 s for 100,000 rows): past
    COLOR_ROWS rows the table is written plain, in bulk, and a note says why."""
    from tradeoff.cli.common import COLOR_ROWS

    def table(rows: int) -> tuple[str, str]:
        csv = tmp_path / f"c{rows}.csv"
        csv.write_text("name,q\n" + "".join(f"c{i},{i}\n" for i in range(rows)))
        goals = tmp_path / f"g{rows}.yaml"
        goals.write_text(
            f"version: 1\nmetrics:\n  q: {{direction: max}}\ncandidates:\n  - from: {csv.name}\n"
        )
        result = runner.invoke(app, ["rank", str(goals)])
        assert result.exit_code == 0, result.output
        return result.stdout, result.stderr

    monkeypatch.setattr("tradeoff.cli.groups.use_color", lambda: True)
    out, err = table(COLOR_ROWS)  # (ESC shows as "\x1b": the runner's stdout is no terminal)
    assert "[0m" in out and "colour" not in err
    out, err = table(COLOR_ROWS + 1)
    assert "[0m" not in out
    assert f"note: {COLOR_ROWS + 1:,} rows, so no colour" in err
    monkeypatch.setattr("tradeoff.cli.groups.use_color", lambda: False)
    assert table(COLOR_ROWS + 1) == (out, "")
