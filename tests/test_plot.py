"""`tradeoff plot`: the data (staircase, knee, hull), the terminal plot and the figure files."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tradeoff
from conftest import GOALS, ROOT, runner, write_goals
from tradeoff.cli.app import app
from tradeoff.questions.plot import pad_limits, plot_data, staircase
from tradeoff.render.terminal_plot import clean, render_terminal

INF = math.inf
SHIPPED = ROOT / "goals.yaml"
ANSI = re.compile(r"\x1b\[")


# ---------------------------------------------------------------------------------- the data


def test_staircase_min_x_max_y() -> None:
    # Cheap and bad to dear and good: the line turns at the corner both points dominate.
    front = [(3.0, 70.0), (1.0, 40.0), (2.0, 60.0)]
    assert staircase(front, x_max=False, y_max=True) == [
        (1.0, -INF),
        (1.0, 40.0),
        (2.0, 40.0),
        (2.0, 60.0),
        (3.0, 60.0),
        (3.0, 70.0),
        (INF, 70.0),
    ]


def test_staircase_max_x_min_y_and_duplicates() -> None:
    front = [(70.0, 300.0), (60.0, 100.0), (70.0, 300.0)]
    assert staircase(front, x_max=True, y_max=False) == [
        (70.0, INF),
        (70.0, 300.0),
        (60.0, 300.0),
        (60.0, 100.0),
        (-INF, 100.0),
    ]
    assert staircase([], x_max=True, y_max=True) == []


def test_pad_limits() -> None:
    assert pad_limits(0.0, 10.0, log=False) == pytest.approx((-0.8, 10.8))
    assert pad_limits(1.0, 11.0, log=False) == pytest.approx((0.2, 11.8))
    assert pad_limits(0.01, 10.0, log=False)[0] == 0.0  # positive values: no negative axis
    assert pad_limits(5.0, 5.0, log=False) == (4.5, 5.5)
    lo, hi = pad_limits(1.0, 100.0, log=True)
    assert lo == pytest.approx(10**-0.16) and hi == pytest.approx(10**2.16)


def test_plot_data_matches_pareto(goals_path: Path) -> None:
    study = tradeoff.load(goals_path)
    data = plot_data(study.data, "cost", "quality")
    pareto = study.pareto_result(metrics=["cost", "quality"])
    by = {p.name: p for p in data.points}
    assert {p.name for p in data.points if p.front} == {r.name for r in pareto.rows}
    assert [p.name for p in data.points if p.knee] == [r.name for r in pareto.rows if r.knee]
    # model-c breaks the latency budget: drawn, infeasible, not part of the front.
    assert not by["model-c"].feasible and not by["model-c"].considered
    assert (by["model-c"].x, by["model-c"].y) == (0.0031, 70.1)
    assert data.x_label == "cost [USD/request]" and data.y_label == "quality [%]"
    assert data.title == "Chat assistant model selection"
    assert data.hull == []


def test_ignore_budgets_takes_infeasible_into_the_front(goals_path: Path) -> None:
    data = plot_data(tradeoff.load(goals_path).data, "cost", "quality", ignore_budgets=True)
    c = next(p for p in data.points if p.name == "model-c")
    assert c.considered and c.front and not c.feasible


def test_mix_hull_matches_frontier() -> None:
    from tradeoff.questions.frontier import frontier_result

    study = tradeoff.load(SHIPPED)
    data = plot_data(study.data, "cost", "quality", mix=True)
    res = frontier_result(study.data, "cost", "quality")
    assert [p.name for p in data.points if p.hull] == sorted(res.hull)
    assert data.hull == [res.points[n] for n in res.hull]
    # On a log axis the hull's straight edges are sampled, so they are drawn bent.
    logged = plot_data(study.data, "cost", "quality", mix=True, log_x=True)
    line = logged.hull_line()
    assert len(line) > len(logged.hull) and line[0] == logged.hull[0]
    assert line[-1] == pytest.approx(logged.hull[-1])


def test_missing_values_follow_the_policy(tmp_path: Path) -> None:
    text = GOALS.replace("      cost: 0.0002\n", "")
    path = write_goals(tmp_path, text)
    result = runner.invoke(app, ["plot", str(path)])
    assert result.exit_code == 2 and "model-b-q4" in result.stderr
    result = runner.invoke(app, ["plot", str(path), "--missing", "exclude"])
    assert result.exit_code == 0, result.stderr
    assert "model-b-q4: excluded, no value for cost" in result.stderr
    data = plot_data(tradeoff.load(path).data, "cost", "quality", missing="worst")
    b = next(p for p in data.points if p.name == "model-b-q4")
    assert b.filled and b.x == 0.0078  # the least favourable cost among those considered
    assert data.notes == ["model-b-q4: no value for cost; drawn at the worst value"]


def test_names_are_cleaned_of_control_characters() -> None:
    assert clean("evil\x1b[31mred") == "evil?[31mred"


# ------------------------------------------------------------------------------ the terminal


def test_terminal_plot_at_80_columns() -> None:
    result = runner.invoke(app, ["plot", str(SHIPPED)], env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert not ANSI.search(result.stdout)
    for name in ("claude-3.5-sonnet@anthropic", "llama-3.3-70b-fp8-2xh100-c5"):
        assert name in result.stdout  # the front, named
    assert "cost [USD/request]" in result.stdout and "quality [%]" in result.stdout
    assert "◆ knee" in result.stdout and "✗ infeasible" in result.stdout


@pytest.mark.parametrize(
    "args", [["--mix"], ["--log-x", "--log-y"], ["--x", "quality", "--y", "latency_p95"]]
)
def test_terminal_plot_variants(goals_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["plot", str(goals_path), *args], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert not ANSI.search(result.stdout)
    assert "model-a" in result.stdout


def test_terminal_colour_only_when_asked(goals_path: Path) -> None:
    data = plot_data(tradeoff.load(goals_path).data, "cost", "quality")
    coloured = render_terminal(data, 100, 24, color=True)
    assert ANSI.search(coloured) and "48;5" not in coloured  # no painted background
    plain = render_terminal(data, 100, 24, color=False)
    assert not ANSI.search(plain) and max(map(len, plain.splitlines())) <= 100


def test_plot_does_not_slow_other_commands() -> None:
    code = (
        "import sys; from tradeoff.cli.app import app; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'plotext')]; "
        "ours = ('tradeoff.questions.plot', 'tradeoff.render.terminal_plot', "
        "'tradeoff.render.figure'); "
        "bad += [m for m in ours if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------- the files


def test_png_figure(tmp_path: Path) -> None:
    from matplotlib.image import imread

    out = tmp_path / "front.png"
    result = runner.invoke(app, ["plot", str(SHIPPED), "--mix", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    raw = out.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(raw) > 10_000
    height, width, channels = imread(out).shape
    assert (width, height) == (1350, 900) and channels in (3, 4)
    assert [p.name for p in tmp_path.iterdir()] == ["front.png"]  # no temp file left
    assert out.stat().st_mode & 0o044  # readable by others, like any file the user writes


def test_svg_names_every_candidate_as_text(goals_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "front.svg"
    result = runner.invoke(app, ["plot", str(goals_path), "-o", str(out), "--log-x"])
    assert result.exit_code == 0, result.stderr
    svg = out.read_text(encoding="utf-8")
    for name in ("model-a", "model-b-q4", "model-c", "model-d"):
        assert f">{name}<" in svg
    assert "cost [USD/request]" in svg and "Chat assistant model selection" in svg
    assert "<dc:date>" not in svg  # reproducible


def test_pdf_figure(goals_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "front.pdf"
    result = runner.invoke(app, ["plot", str(goals_path), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:5] == b"%PDF-"


def test_figure_labels_do_not_overlap() -> None:
    from matplotlib.text import Text

    from tradeoff.render.figure import build_figure

    for mix in (False, True):
        data = plot_data(tradeoff.load(SHIPPED).data, "cost", "quality", mix=mix)
        fig = build_figure(data)
        ax = fig.axes[0]
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        # The text's own box: an annotation's extent includes its leader line.
        boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]
        texts = [t.get_text() for t in ax.texts]
        named = "\n".join(texts).splitlines()
        assert sorted(named) == sorted(p.name for p in data.points)  # each named exactly once
        area = ax.get_window_extent(renderer)
        for i, a in enumerate(boxes):
            assert area.contains(a.x0, a.y0) and area.contains(a.x1, a.y1), texts[i]
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b)


# ----------------------------------------------------------------------------------- errors


def test_mix_refuses_non_additive_metric(goals_path: Path) -> None:
    result = runner.invoke(app, ["plot", str(goals_path), "--mix", "--y", "latency_p95"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "--y: metric 'latency_p95' is not additive" in result.stderr
    frontier = runner.invoke(app, ["frontier", str(goals_path), "--y", "latency_p95"])
    assert frontier.stderr == result.stderr  # the same refusal as `tradeoff frontier`


def test_missing_matplotlib_gives_a_hint(
    goals_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = runner.invoke(app, ["plot", str(goals_path), "-o", str(tmp_path / "f.png")])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: plotting to a file needs matplotlib: pip install 'matplotlib>=3.8' (the project's"
        " `plot` extra)\n"
    )
    assert not (tmp_path / "f.png").exists()


def test_unwritable_output(
    goals_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    result = runner.invoke(app, ["plot", str(goals_path), "-o", str(blocker / "front.png")])
    assert result.exit_code == 2 and result.exception is not None
    assert result.stderr.startswith("error: cannot write ") and "Traceback" not in result.stderr

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr("tradeoff.cli.common.os.replace", refuse)
    result = runner.invoke(app, ["plot", str(goals_path), "-o", str(out / "front.png")])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and "Permission denied" in result.stderr
    assert list(out.iterdir()) == []  # the temporary file is gone too


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--x", "cots"], "--x: unknown metric 'cots' (did you mean 'cost'?)"),
        (["--y", "cost"], "--x and --y must be two different metrics"),
        (["--x", "memory", "--log-x"], "--log-x: a log axis needs positive values"),
        (["-o", "front.jpg"], "the figure format comes from the extension"),
    ],
)
def test_bad_flags(goals_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["plot", str(goals_path), *args])
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr and "Traceback" not in result.stderr


HUGE = """version: 1
metrics:
  q: {direction: max}
  c: {direction: min}
candidates:
  - {name: a, metrics: {q: 1e308, c: 1e-308}}
  - {name: b, metrics: {q: -1e308, c: 1e308}}
  - {name: c, metrics: {q: 1.7976931348623157e308, c: 5e-324}}
"""


def test_values_near_the_float_limit_are_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(HUGE, encoding="utf-8")
    for extra in ([], ["--log-x"], ["-o", str(tmp_path / "f.png")]):
        result = runner.invoke(app, ["plot", str(path), "--x", "c", "--y", "q", *extra])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: cannot draw"), result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.yaml"]
