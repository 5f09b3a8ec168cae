"""Renderers: exact table and Markdown output, escaping, CSV round trips, number formatting."""
# ruff: noqa: E501  (exact Markdown snapshots hold long table rows)

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from inline_snapshot import snapshot

import tradeoff
from conftest import GOALS, ROOT, runner, write_goals
from tradeoff.cli.app import app
from tradeoff.render.fmt import fmt, fmt_score, markdown_table, md_escape
from tradeoff.render.tables import RENDERERS


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (None, "-"),
        (float("nan"), "-"),
        (0.0, "0"),
        (0.0078, "0.0078"),
        (72.55, "72.55"),
        (5497.5, "5,498"),
        (8000.0, "8,000"),
        (999.95, "1000"),
        (12274.94, "12,275"),
        (3e-5, "3.000e-05"),
        (-640.0, "-640"),
    ],
)
def test_fmt(x: float | None, text: str) -> None:
    assert fmt(x) == text


def test_fmt_score() -> None:
    assert (fmt_score(0.79834), fmt_score(None), fmt_score(float("nan"))) == ("0.798", "-", "-")


def test_md_escape_and_table() -> None:
    assert md_escape("a|b\\c\nd") == "a\\|b\\\\c d"
    assert md_escape("<b>x</b> <img src=y> <!-- c") == "&lt;b>x&lt;/b> &lt;img src=y> &lt;!-- c"
    assert md_escape("q 0.85 < min 0.9; c <= max 2") == "q 0.85 < min 0.9; c <= max 2"
    table = markdown_table(["name", "x"], [["a|b", "1"]], {1})
    assert table == "| name | x |\n|---|---:|\n| a\\|b | 1 |\n"


def test_to_json_refuses_nan() -> None:
    from tradeoff.questions.record import JsonResult

    class Bad(JsonResult):
        def to_json(self) -> dict[str, float]:
            return {"x": float("nan")}

    with pytest.raises(ValueError):
        Bad().to_json_text()


def test_rank_table_exact(goals_path: Path) -> None:
    result = runner.invoke(app, ["rank", str(goals_path), "--all"], env={"COLUMNS": "100"})
    assert result.stdout == snapshot("""\
Chat assistant model selection: profile default, weighted-sum
                       quality        cost latency_p95 memory     energy
# candidate  score grp       % USD/request          ms     GB Wh/request safety front
──────────────────────────────────────────────────────────────────────────────────────────
1 model-d    0.670 a        61      0.0012         480     90        0.6   0.93 yes
2 model-a    0.590 b      72.6      0.0078         640      0        0.9   0.95 yes
3 model-b-q4 0.582 c      44.3      0.0002         210      6        0.3   0.91 yes
- model-c        - -      70.1      0.0031         920    140        1.4   0.97 infeasible
model-c is infeasible: latency_p95 920 ms > max 800 ms; memory 140 GB > max 80 GB (warn)
model-d leads with p=1.00; no other candidate is within noise (the stderr of quality; other metrics
exact; 4000 draws, seed 0)
group: a shared letter = not told apart (stderrs, 4000 draws, Benjamini-Hochberg FDR 0.05)
weights: quality 0.40, cost 0.20, latency_p95 0.20, safety 0.20
""")


def test_rank_markdown_exact(goals_path: Path) -> None:
    result = runner.invoke(app, ["rank", str(goals_path), "--all", "-f", "markdown"])
    assert result.stdout == snapshot("""\
**Chat assistant model selection**: profile `default`, weighted-sum

| # | candidate | score | group | quality [%] | cost [USD/request] | latency_p95 [ms] | memory [GB] | energy [Wh/request] | safety | pareto |
|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---|
| 1 | model-d | 0.670 | a | 61 | 0.0012 | 480 | 90 | 0.6 | 0.93 | front |
| 2 | model-a | 0.590 | b | 72.6 | 0.0078 | 640 | 0 | 0.9 | 0.95 | front |
| 3 | model-b-q4 | 0.582 | c | 44.3 | 0.0002 | 210 | 6 | 0.3 | 0.91 | front |
| - | model-c | - | - | 70.1 | 0.0031 | 920 | 140 | 1.4 | 0.97 | infeasible: latency_p95 920 ms > max 800 ms; memory 140 GB > max 80 GB |

model-d leads with p=1.00; no other candidate is within noise (the stderr of quality; other metrics exact; 4000 draws, seed 0)

group: a shared letter = not told apart (stderrs, 4000 draws, Benjamini-Hochberg FDR 0.05)

weights: quality 0.40, cost 0.20, latency_p95 0.20, safety 0.20
""")


def test_explain_table_exact(goals_path: Path) -> None:
    result = runner.invoke(app, ["explain", "model-d", str(goals_path)], env={"COLUMNS": "100"})
    assert result.stdout == snapshot("""\
model-d: rank 1 of 3, score 0.670 (profile default, weighted-sum)
metric                   value normalized weight contribution stderr
────────────────────────────────────────────────────────────────────
quality                   61 %       0.59   0.40        0.236      -
cost        0.0012 USD/request      0.868   0.20        0.174      -
latency_p95             480 ms      0.372   0.20       0.0744      -
memory                   90 GB          0      -            -      -
energy          0.6 Wh/request        0.5      -            -      -
safety                    0.93       0.93   0.20        0.186      -

budgets
status budget                           headroom line
─────────────────────────────────────────────────────
pass   latency_p95 480 ms <= max 800 ms     +40%   37
pass   safety 0.93 >= min 0.9                +3%   37
warn   memory 90 GB > max 80 GB             -12%   37
not dominated on quality, cost, latency_p95, memory, energy, safety
""")


def test_pareto_markdown_exact(goals_path: Path) -> None:
    result = runner.invoke(
        app, ["pareto", str(goals_path), "--layers", "--ignore-budgets", "-f", "markdown"]
    )
    assert result.stdout == snapshot("""\
| layer | candidate | quality [%] | cost [USD/request] | latency_p95 [ms] | memory [GB] | energy [Wh/request] | safety | note |
|---:|---|---:|---:|---:|---:|---:|---:|---|
| 1 | model-a | 72.6 | 0.0078 | 640 | 0 | 0.9 | 0.95 |  |
| 1 | model-b-q4 | 44.3 | 0.0002 | 210 | 6 | 0.3 | 0.91 |  |
| 1 | model-c | 70.1 | 0.0031 | 920 | 140 | 1.4 | 0.97 | infeasible |
| 1 | model-d | 61 | 0.0012 | 480 | 90 | 0.6 | 0.93 | knee |

hypervolume 0.004946 (goalposts scaled to 0-1; reference: 10 % past the worst on quality, cost, memory, energy; budgets on latency_p95, safety)
""")


PIPE = GOALS.replace("name: model-d", "name: 'model|d'")


def test_markdown_escapes_pipes_in_names(tmp_path: Path) -> None:
    path = write_goals(tmp_path, PIPE)
    for args in (["rank"], ["pareto", "--layers"], ["explain", "model|d"]):
        out = runner.invoke(app, [*args, str(path), "-f", "markdown"]).stdout
        assert "model\\|d" in out
        assert "model|d" not in out.replace("model\\|d", "")


def test_csv_round_trips_awkward_names(tmp_path: Path) -> None:
    path = write_goals(tmp_path, GOALS.replace("name: model-d", "name: 'model, \"d\"'"))
    out = runner.invoke(app, ["rank", str(path), "-f", "csv"]).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:3] == ["rank", "name", "score"]
    assert 'model, "d"' in [r[1] for r in rows[1:]]


def test_renderers_are_pure_functions_of_the_result(goals_path: Path) -> None:
    study = tradeoff.load(goals_path)
    res = study.rank_result(include_infeasible=True)
    for name, render in RENDERERS["rank"].items():
        assert render(res, False, 80) == render(res, False, 80), name
    coloured = RENDERERS["rank"]["table"](res, True, 80)
    assert "\x1b[" in coloured  # colour is possible on a terminal ...
    assert "\x1b[" not in RENDERERS["rank"]["table"](res, False, 80)  # ... and absent otherwise


@pytest.mark.parametrize("command", ["rank", "pareto"])
def test_tables_take_the_width_they_are_given(
    goals_path: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The width is passed like colour: COLUMNS (read by the CLI) does not reach the renderer.
    study = tradeoff.load(goals_path)
    res = study.rank_result(include_infeasible=True) if command == "rank" else study.pareto_result()
    table = RENDERERS[command]["table"]
    monkeypatch.setenv("COLUMNS", "200")
    narrow, wide = table(res, False, 60), table(res, False, 140)
    assert max(map(len, narrow.splitlines())) <= 60 < max(map(len, wide.splitlines()))
    monkeypatch.setenv("COLUMNS", "50")
    assert table(res, False, 60) == narrow


def test_json_float_precision(goals_path: Path) -> None:
    out = runner.invoke(app, ["rank", str(goals_path), "-f", "json"]).stdout
    data = json.loads(out)
    a = next(c for c in data["candidates"] if c["name"] == "model-a")
    assert a["metrics"]["cost"] == 0.0078
    assert a["metrics"]["safety"] == 0.95


MARKUP_NAMES = ["[/b]model-a", "[bold]model-b[/bold]", "[link=x]model-c"]


@pytest.mark.parametrize(
    ("args", "shown", "unit"),
    [
        (["rank", "--all"], MARKUP_NAMES, True),
        (["pareto", "--layers", "--ignore-budgets"], MARKUP_NAMES, True),
        (["explain", MARKUP_NAMES[0]], MARKUP_NAMES[:1], True),
        (["sensitivity", "--samples", "50"], MARKUP_NAMES[:2], False),  # model-c is infeasible
        (["frontier", "--x", "cost", "--y", "quality"], MARKUP_NAMES[:2], False),
    ],
)
def test_names_are_never_read_as_rich_markup(
    tmp_path: Path, args: list[str], shown: list[str], unit: bool
) -> None:
    text = GOALS.replace("unit: GB", 'unit: "GB[bold]"')
    for old, new in zip(["model-a", "model-b-q4", "model-c"], MARKUP_NAMES, strict=True):
        text = text.replace(f"name: {old}", f"name: {json.dumps(new)}")
    path = write_goals(tmp_path, text)
    if args[0] == "explain":
        argv = [args[0], args[1], str(path), *args[2:]]
    else:
        argv = [args[0], str(path), *args[1:]]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.stderr
    flat = result.stdout.replace("\n", "")
    for name in shown:
        assert name in flat
    assert ("GB[bold]" in flat) is unit


def test_tables_say_who_was_excluded(tmp_path: Path) -> None:
    text = GOALS.replace("energy: 0.9, safety: 0.95}", "safety: 0.95}")  # model-a lacks energy
    path = write_goals(tmp_path, text)
    for command in ("rank", "pareto"):
        result = runner.invoke(app, [command, str(path), "--missing", "exclude"])
        assert result.exit_code == 0, result.stderr
        assert "excluded by --missing exclude: model-a (no energy)" in result.stdout


def test_dominated_footnote_says_how_many_more(tmp_path: Path) -> None:
    lines = [
        "version: 1",
        "metrics:",
        "  q: {direction: max}",
        "  c: {direction: min}",
        "candidates:",
    ]
    # f0..f4 sit on the front (q rises with c); "last" is worse than all five on both.
    lines += [f"  - {{name: f{i}, metrics: {{q: {10 + i}, c: {1 + i}}}}}" for i in range(5)]
    lines.append("  - {name: last, metrics: {q: 1, c: 100}}")
    out = runner.invoke(app, ["rank", str(write_goals(tmp_path, "\n".join(lines) + "\n"))])
    assert "last is dominated by f4, f3, f2 and 2 more (see explain)" in out.stdout


def test_worst_filled_values_are_marked_in_tables_and_null_in_json(tmp_path: Path) -> None:
    text = GOALS.replace("energy: 0.9, safety: 0.95}", "safety: 0.95}")  # model-a lacks energy
    path = write_goals(tmp_path, text)
    table = runner.invoke(app, ["rank", str(path), "--missing", "worst"]).stdout
    # The worst energy among the feasible (model-b-q4 0.3, model-d 0.6) is 0.6.
    model_a = next(line for line in table.splitlines() if " model-a " in line)
    assert "0.6*" in model_a
    assert "* no value: charged the worst value known (--missing worst)" in table
    md = runner.invoke(app, ["rank", str(path), "--missing", "worst", "-f", "markdown"]).stdout
    assert "| 0.6* |" in md
    out = runner.invoke(app, ["rank", str(path), "--missing", "worst", "-f", "json"]).stdout
    row = next(c for c in json.loads(out)["candidates"] if c["name"] == "model-a")
    assert row["metrics"]["energy"] is None


def test_explain_marks_the_charged_worst_value_too(tmp_path: Path) -> None:
    text = GOALS.replace("energy: 0.9, safety: 0.95}", "safety: 0.95}")  # model-a lacks energy
    path = write_goals(tmp_path, text)
    args = ["explain", "model-a", str(path), "--missing", "worst"]
    table = runner.invoke(app, args).stdout
    energy = next(line for line in table.splitlines() if line.startswith("energy"))
    assert "0.6*" in energy.split()[1]  # the worst feasible energy, as rank shows it
    assert "* no value: charged the worst value known (--missing worst)" in table
    assert "| 0.6* |" in runner.invoke(app, [*args, "-f", "markdown"]).stdout
    doc = json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)
    line = next(m for m in doc["metrics"] if m["metric"] == "energy")
    assert line["value"] is None and line["provenance"] == {}


def test_explain_lists_every_dominator_infeasible_ones_marked_and_last(tmp_path: Path) -> None:
    text = """version: 1
metrics:
  q: {direction: max}
  lat: {direction: min}
budgets:
  lat: {max: 100}
candidates:
  - {name: ok, metrics: {q: 5, lat: 50}}
  - {name: i1, metrics: {q: 9, lat: 150}}
  - {name: i2, metrics: {q: 8, lat: 160}}
"""
    path = write_goals(tmp_path, text)
    doc = json.loads(runner.invoke(app, ["explain", "i2", str(path), "-f", "json"]).stdout)
    assert doc["dominated_by"] == [{"name": "i1", "better_on": ["q", "lat"]}]
    table = runner.invoke(app, ["explain", "i2", str(path)]).stdout
    assert "dominated by i1 (infeasible): better on q, lat" in table
    md = runner.invoke(app, ["explain", "i2", str(path), "-f", "markdown"]).stdout
    assert "- dominated by i1 (infeasible): better on q, lat" in md


@pytest.mark.parametrize("columns", ["60", "80", "100"])
def test_explain_fits_the_terminal_with_whole_metric_names(columns: str) -> None:
    shipped = str(ROOT / "goals.yaml")
    out = runner.invoke(
        app, ["explain", "gpt-4o-2024-05-13@openai", shipped], env={"COLUMNS": columns}
    ).stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= int(columns)
    rule = next(k for k, line in enumerate(lines) if line.startswith("─"))
    body = lines[rule + 1 : lines.index("budgets")]
    names = [line.split()[0] for line in body if line[:1].isalpha()]
    # one row per metric, each name whole (never one letter a line)
    assert names[:6] == ["quality", "cost", "latency_p50", "memory", "energy", "safety"]
    assert "4,094 ms" in out and "0.005 USD/request" in out  # values whole
    if columns == "60":
        assert "sources not shown at this width (see --format json)" in out
    else:
        assert "TIGER-AI-" in out  # the source column is there, wrapped at separators


def test_rank_markdown_lists_the_weights_and_the_infeasible(goals_path: Path) -> None:
    out = runner.invoke(app, ["rank", str(goals_path), "-f", "markdown"]).stdout
    # as the table does: the weights the score used, and who is infeasible
    assert out.endswith(
        "\nweights: quality 0.40, cost 0.20, latency_p95 0.20, safety 0.20\n"
        "\ninfeasible (see --all): model-c\n"
    )


def test_columns_dropped_for_width_go_unweighted_first(goals_path: Path) -> None:
    # default profile: quality 4, cost 2, latency_p95 2, safety 2; memory and energy weigh 0
    out = runner.invoke(app, ["rank", str(goals_path)], env={"COLUMNS": "58"}).stdout
    header = out.split("─")[0].splitlines()
    assert any("safety" in line for line in header), out
    assert "2 metrics not shown at this width: memory, energy" in out


def test_headers_never_split_mid_word_and_units_break_at_slashes_only() -> None:
    from conftest import ROOT

    path = ROOT / "examples" / "llama-8b-quantization" / "goals.yaml"
    out = runner.invoke(app, ["rank", str(path), "--missing", "worst"], env={"COLUMNS": "80"})
    header = out.stdout.split("─")[0]
    words = header.split()
    assert "hellaswag" in words and "requests" in header and "request" not in words, header
    assert "1k requests" in header and "USD/" in words
    assert max(len(line) for line in out.stdout.splitlines()) <= 80
