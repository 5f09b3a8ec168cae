"""Goals and inputs: the rules of `role:` and `formula:` in a goals file, and the split of the
loaded columns into the study's goals and its inputs once formulas have run.

Every metric, goal or input, is loaded the same way (inline, `from:` files, tables, `price:`),
so an input can come from anywhere a goal can. After loading, `derive.apply` fills formula
metrics, and `split` keeps only the goals as the study's metrics: everything that compares,
weighs, budgets or plots never sees an input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import Derivation, Inputs, MetricSpec
from tradeoff.goals import formula as formulas
from tradeoff.goals import yamlio
from tradeoff.goals.derive import Compiled, cycle

Fail = Callable[[tuple[Any, ...], str], None]
GOAL_ONLY = ("direction", "range", "additive")


def is_input(raw: Any) -> bool:
    return isinstance(raw, dict) and raw.get("role") == "input"


def check_metrics(metrics: Mapping[str, Any], fail: Fail) -> dict[str, Compiled]:
    """Role rules and formulas of the `metrics:` section; returns the formulas that compile."""
    for name, raw in metrics.items():
        if not isinstance(raw, dict):
            continue
        loc = ("metrics", name)
        if is_input(raw):
            for key in GOAL_ONLY:
                if key in raw:
                    fail((*loc, key), f"an input has no {key} (it is not a goal)")
        elif "direction" not in raw:
            fail(loc, "missing required key 'direction'")
        elif raw["direction"] is None:  # the model allows None for inputs
            fail((*loc, "direction"), "expected 'max' or 'min', got null")
    units = {
        n: (m.get("unit") if isinstance(m.get("unit"), str) else None)
        for n, m in metrics.items()
        if isinstance(m, dict)
    }
    out: dict[str, Compiled] = {}
    for name, raw in metrics.items():
        text = raw.get("formula") if isinstance(raw, dict) else None
        if not isinstance(text, str):
            continue
        try:
            parsed = formulas.parse(text)
            formulas.check_names(parsed, metrics)
            tree = formulas.compile_units(parsed, units, units.get(name))
        except formulas.FormulaError as exc:
            fail(("metrics", name, "formula"), str(exc))
            continue
        out[name] = Compiled(name, text, tree, parsed.names)
    loop = cycle({n: c.names for n, c in out.items()})
    if loop is not None:
        fail(("metrics", loop[0], "formula"), "formulas form a cycle: " + " -> ".join(loop))
        return {}
    return out


def goal_ref(metrics: Mapping[str, Any], name: str, where: str) -> str | None:
    """Why `name` cannot be named in budgets or profiles: it is an input."""
    if is_input(metrics.get(name)):
        return f"'{name}' is an input, not a goal: it has no {where}"
    return None


@dataclass
class Columns:
    """Every loaded column, goals and inputs, before `finish` splits them."""

    metrics: list[MetricSpec]
    names: list[str]
    values: NDArray[np.float64]
    stderr: NDArray[np.float64]
    lines: NDArray[np.int64]
    cols: NDArray[np.int64]
    provenance: dict[tuple[int, int], dict[str, Any]]
    inputs: Inputs | None = None
    derived: dict[str, Derivation] = field(default_factory=dict)


Place = Callable[[int, int], tuple[tuple[Any, ...], str]]


def finish(
    compiled: Mapping[str, Compiled],
    place: Place,
    loaded: Columns,
    roles: Mapping[str, str],
    fail: Fail,
) -> Columns:
    """Run every formula over the loaded columns, then keep the goals as the study's metrics
    and the inputs apart. Clashes and non-finite results are reported at the candidate's value
    (`place(row, column)` gives its location and a prefix such as "sweep.csv row 5: ")."""
    from tradeoff.goals.derive import apply

    c = loaded
    columns = [m.name for m in c.metrics]

    def report(metric: str, row: int, what: str) -> None:
        loc, prefix = place(row, columns.index(metric))
        fail(loc, f"{prefix}candidate '{c.names[row]}': {what}")

    rows = apply(columns, compiled, c.values, c.stderr, report) if compiled else {}
    derived = {m: Derivation(x.text, x.names, rows[m]) for m, x in compiled.items()}
    goals = [j for j, m in enumerate(c.metrics) if roles.get(m.name) != "input"]
    kept = [j for j, m in enumerate(c.metrics) if roles.get(m.name) == "input"]
    if not kept:
        return replace(c, derived=derived)
    inputs = Inputs(
        names=[c.metrics[j].name for j in kept],
        units=[c.metrics[j].unit for j in kept],
        values=c.values[:, kept],
        stderr=c.stderr[:, kept],
    )
    at = {j: k for k, j in enumerate(goals)}
    return Columns(
        metrics=[c.metrics[j] for j in goals],
        names=c.names,
        values=c.values[:, goals],
        stderr=c.stderr[:, goals],
        lines=c.lines[:, goals],
        cols=c.cols[:, goals],
        provenance={(i, at[j]): p for (i, j), p in c.provenance.items() if j in at},
        inputs=inputs,
        derived=derived,
    )


def placer(doc: yamlio.Document, kept: list[tuple[int, Any]], metrics: list[MetricSpec]) -> Place:
    """(row, column) -> where its value was written, and a prefix naming a table's row."""
    starts = np.cumsum([0] + [len(b.names) for _, b in kept])

    def place(row: int, j: int) -> tuple[yamlio.Loc, str]:
        k = int(np.searchsorted(starts, row, side="right")) - 1
        i, b = kept[k]
        local = row - int(starts[k])
        for g in b.groups:
            if g.start <= local < g.start + len(g.row_numbers):
                r = int(g.row_numbers[local - g.start])
                return ("candidates", i, "from"), f"{g.display} {g.row_label} {r}: "
        entry = doc.data["candidates"][i]
        if metrics[j].name in (entry.get("metrics") or {}):
            return ("candidates", i, "metrics", metrics[j].name), ""
        for key in ("price", "from", "each", "metrics"):
            if key in entry:
                return ("candidates", i, key), ""
        return ("candidates", i), ""

    return place
