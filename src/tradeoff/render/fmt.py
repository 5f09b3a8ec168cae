"""Formatting shared by every renderer: numbers, budget lines, JSON, CSV and Markdown tables.

No rich here, so the plain-text renderers (csv, markdown, json, github, junit) stay light.
`tradeoff.render.tables` re-exports these names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from tradeoff.data import MetricSpec
from tradeoff.engine.budgets import BudgetResult
from tradeoff.render.escape import csv_text as csv_text
from tradeoff.render.escape import markdown, markdown_cells

md_escape = markdown

DASH = "-"


def fmt(x: float | None, *, digits: int = 4) -> str:
    """A number for people: 4 significant digits, thousands separators, no exponent if avoidable."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return DASH
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 10**digits:
        return f"{x:,.0f}" if ax < 1e15 else f"{x:.3e}"
    if ax < 1e-4:
        return f"{x:.{digits - 1}e}"
    if ax >= 1000:  # 4 significant digits leave no decimals here; add the separator
        return f"{float(f'{x:.{digits}g}'):,.0f}"
    text = f"{x:.{digits}g}"
    return text if "e" not in text else f"{x:.{digits}f}".rstrip("0").rstrip(".")


def fmt_values(values: Iterable[float | None]) -> list[str]:
    """`[fmt(v) for v in values]`, with fmt's common case (1e-4 <= |v| < 1000: 4 significant
    digits, no exponent) written inline: a table of 100,000 rows formats 400,000 values."""
    return [
        text if v is not None and 1e-4 <= abs(v) < 1000 and "e" not in (text := f"{v:.4g}")
        else fmt(v)
        for v in values
    ]  # fmt: skip


def with_count(text: str, n: int | None) -> str:
    """A value of a subset result marked with its item count: '72.5 (n=20)'."""
    return text if n is None else f"{text} (n={n})"


def fmt_score(x: float | None) -> str:
    """A score in [0, 1] with three decimals; a dash when there is none."""
    return DASH if x is None or math.isnan(x) else f"{x:.3f}"


def fmt_pct(x: float | None) -> str:
    return DASH if x is None else f"{x:+.0%}"


def _unit(v: BudgetResult, metrics: Sequence[MetricSpec]) -> str:
    return next((f" {m.unit}" for m in metrics if m.name == v.metric and m.unit), "")


def violation_text(
    v: BudgetResult, metrics: Sequence[MetricSpec] = (), *, exact: bool = False
) -> str:
    """'latency_p95 920 ms > max 800 ms' or 'no value for latency_p95 (max 800 ms)'.

    `exact` (for CSV): numbers at full precision without thousands separators, and the level of
    a warn-level budget said, as '(warn)'.
    """
    unit = _unit(v, metrics)
    num = _exact if exact else fmt
    tail = " (warn)" if exact and v.level == "warn" else ""
    if v.value is None:
        return f"no value for {v.metric} ({v.bound} {num(v.limit)}{unit}){tail}"
    op = ">" if v.bound == "max" else "<"
    return f"{v.metric} {num(v.value)}{unit} {op} {v.bound} {num(v.limit)}{unit}{tail}"


def _exact(x: float | None) -> str:
    return raw(x).removesuffix(".0") if x is not None else DASH


def pass_text(v: BudgetResult, metrics: Sequence[MetricSpec] = ()) -> str:
    """'latency_p95 640 ms <= max 800 ms'."""
    unit = _unit(v, metrics)
    op = "<=" if v.bound == "max" else ">="
    return f"{v.metric} {fmt(v.value)}{unit} {op} {v.bound} {fmt(v.limit)}{unit}"


def budget_text(v: BudgetResult, metrics: Sequence[MetricSpec] = ()) -> str:
    """`pass_text` for a passing result, `violation_text` otherwise."""
    return pass_text(v, metrics) if v.status == "pass" else violation_text(v, metrics)


def raw(x: float | None) -> str:
    """A value at full precision for CSV (shortest repr that round-trips); empty when missing."""
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else repr(float(x))


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], right: set[int]) -> str:
    """A GitHub pipe table; `right` holds the indices of right-aligned columns."""
    lines = ["| " + " | ".join(md_escape(h) for h in header) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(markdown_cells(row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def formula_lines(res: Any) -> list[str]:
    """An explained candidate's inputs, and each computed value with its formula and the
    candidate's numbers (`res` is an ExplainResult). Formulas are shown on one line."""
    out = []
    if any(x.value is not None for x in res.inputs):  # an API model has none: no line
        parts = []
        for x in res.inputs:
            se = f" ± {fmt(x.stderr)}" if x.stderr is not None else ""
            unit = f" {x.unit}" if x.unit and x.value is not None else ""
            parts.append(f"{x.name} {fmt(x.value)}{se}{unit}")
        out.append("inputs: " + ", ".join(parts))
    named = [(x.metric.name, x.metric.unit, x) for x in res.lines]
    named += [(x.name, x.unit, x) for x in res.inputs]
    for name, unit, line in named:
        if "with" in line.provenance:
            formula = " ".join(str(line.provenance["formula"]).split())
            numbers = " ".join(str(line.provenance["with"]).split())
            result = fmt(line.value) + (f" {unit}" if unit else "")
            out.append(f"{name} = {formula} = {numbers} = {result}")
    return out
