"""The Python API of the spec: load, Study.rank / Study.pareto as DataFrames, the two kernels."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tradeoff
from conftest import ROOT, runner
from tradeoff.cli.app import app

SHIPPED = ROOT / "goals.yaml"


def _cli(*args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, str(SHIPPED), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    out: dict[str, object] = json.loads(result.stdout)
    return out


def test_rank_frame_is_the_cli_ranking() -> None:
    table = tradeoff.load(SHIPPED).rank(profile="default")
    assert isinstance(table, pd.DataFrame)
    cli = _cli("rank", "--profile", "default")
    rows = cli["candidates"]
    assert isinstance(rows, list)
    assert table.index.tolist() == [c["name"] for c in rows]
    assert table["rank"].tolist() == list(range(1, len(rows) + 1))
    assert table["score"].tolist() == pytest.approx([c["score"] for c in rows])
    assert table["quality"].tolist() == [c["metrics"]["quality"] for c in rows]


def test_pareto_frame_takes_a_list_or_a_comma_string_of_metrics() -> None:
    study = tradeoff.load(SHIPPED)
    listed = study.pareto(metrics=["quality", "cost"])
    comma = study.pareto(metrics="quality, cost")
    cli = _cli("pareto", "--metrics", "quality,cost")
    names = cli["candidates"]
    assert isinstance(names, list)
    assert sorted(listed.index) == sorted(c["name"] for c in names)
    pd.testing.assert_frame_equal(listed, comma)
    assert listed["knee"].sum() == 1


def test_signatures_show_their_arguments() -> None:
    # The options are written once (`questions/asks.py`) and taken as **options, but help()
    # and notebooks show every one of them, with the default the answer really uses.
    from tradeoff.questions import asks

    study = tradeoff.load(SHIPPED)
    shown = {
        study.rank: asks.RankOptions,
        study.rank_result: asks.RankOptions,
        study.pareto: asks.ParetoOptions,
        study.pareto_result: asks.ParetoOptions,
        study.explain_result: asks.ExplainOptions,
        study.sensitivity_result: asks.DrawOptions,
        study.check_result: asks.CheckOptions,
        tradeoff.check_files: asks.CheckOptions,
    }
    for method, keys in shown.items():
        params = inspect.signature(method).parameters
        assert set(keys.__annotations__) <= set(params), method.__name__
        assert not any(p.kind is p.VAR_KEYWORD for p in params.values()), method.__name__
    rank = inspect.signature(study.rank).parameters
    assert (rank["method"].default, rank["top"].default, rank["fdr"].default) == (
        "weighted-sum",
        None,
        0.05,
    )
    assert (
        inspect.signature(study.explain_result).parameters["name"].default
        is inspect.Parameter.empty
    )
    assert inspect.signature(study.plot_data).parameters["log_y"].default is False
    with pytest.raises(TypeError, match="unexpected keyword argument 'profle'"):
        study.rank(profle="default")  # type: ignore[call-arg]


def test_kernels_are_exported_and_check_their_input(tmp_path: Path) -> None:
    values = np.array([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0], [2.0, 2.0]])
    mx = [True, True]
    assert tradeoff.pareto_mask(values, mx).tolist() == [False, False, True, True]
    assert tradeoff.nondominated_layers(values, mx).tolist() == [2, 2, 1, 1]
    with pytest.raises(ValueError, match="finite"):
        tradeoff.pareto_mask(np.array([[np.nan, 1.0]]), mx)
    with pytest.raises(ValueError, match="2-D"):
        tradeoff.nondominated_layers(np.zeros(3), mx)


def test_load_raises_input_error_with_locations(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nmetrics: {q: {direction: up}}\ncandidates: [{name: a}]\n")
    with pytest.raises(tradeoff.InputError) as err:
        tradeoff.load(bad)
    (d,) = err.value.diagnostics
    assert (d.line, d.col, d.where) == (2, 26, "metrics.q.direction")  # at "up"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "bogus"}, "unknown method 'bogus'"),
        ({"missing": "bogus"}, "unknown missing-value policy 'bogus'"),
        ({"top": -1}, "top must be 1 or more"),
    ],
)
def test_bad_options_are_refused_as_the_cli_would(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(tradeoff.UsageError, match=message):
        tradeoff.load(SHIPPED).rank(**kwargs)  # type: ignore[arg-type]


def test_infeasible_candidates_come_with_a_feasible_column_when_asked() -> None:
    study = tradeoff.load(SHIPPED)
    infeasible = [i["name"] for i in _cli("rank")["infeasible"]]  # type: ignore[union-attr,index]
    assert infeasible  # the shipped file has some
    plain = study.rank()
    assert "feasible" not in plain.columns and not set(infeasible) & set(plain.index)
    full = study.rank(include_infeasible=True)
    assert list(full.index) == [*plain.index, *infeasible]
    assert full["feasible"].tolist() == [True] * len(plain) + [False] * len(infeasible)
    assert full.loc[infeasible, "rank"].isna().all() and full.loc[infeasible, "score"].isna().all()
    front = study.pareto(ignore_budgets=True)
    doc = _cli("pareto", "--ignore-budgets")
    feasible = {c["name"]: c["feasible"] for c in doc["candidates"]}  # type: ignore[union-attr,index]
    assert front["feasible"].to_dict() == feasible
    assert not all(feasible.values())  # an infeasible candidate is on this front
    assert "feasible" not in _cli("pareto")["candidates"][0]  # type: ignore[index]
