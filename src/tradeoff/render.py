"""Renderers: result records -> text (rich table, JSON, CSV, Markdown). Formatting only."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from tradeoff.budgets import BudgetResult
from tradeoff.data import MetricSpec
from tradeoff.results import ExplainResult, ParetoResult, RankResult, Row

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
    text = f"{x:.{digits}g}"
    return text if "e" not in text else f"{x:.{digits}f}".rstrip("0").rstrip(".")


def fmt_score(x: float | None) -> str:
    return DASH if x is None or math.isnan(x) else f"{x:.3f}"


def fmt_pct(x: float | None) -> str:
    return DASH if x is None else f"{x:+.0%}"


def violation_text(v: BudgetResult, metrics: Sequence[MetricSpec] = ()) -> str:
    """'latency_p95 920 ms > max 800 ms' or 'no value for latency_p95 (max 800 ms)'."""
    unit = next((f" {m.unit}" for m in metrics if m.name == v.metric and m.unit), "")
    if v.value is None:
        return f"no value for {v.metric} ({v.bound} {fmt(v.limit)}{unit})"
    op = ">" if v.bound == "max" else "<"
    return f"{v.metric} {fmt(v.value)}{unit} {op} {v.bound} {fmt(v.limit)}{unit}"


def pass_text(v: BudgetResult, metrics: Sequence[MetricSpec] = ()) -> str:
    unit = next((f" {m.unit}" for m in metrics if m.name == v.metric and m.unit), "")
    op = "<=" if v.bound == "max" else ">="
    return f"{v.metric} {fmt(v.value)}{unit} {op} {v.bound} {fmt(v.limit)}{unit}"


# Terminal output


def width() -> int:
    if "COLUMNS" in os.environ:
        try:
            return max(40, int(os.environ["COLUMNS"]))
        except ValueError:
            pass
    return shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100


def to_text(renderables: Iterable[RenderableType], *, color: bool) -> str:
    """Render rich objects to a string (ANSI colours only when `color`)."""
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width(),
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        soft_wrap=False,
    )
    for r in renderables:
        console.print(r)
    return buf.getvalue()


def _table(title: str | None = None) -> Table:
    # A title inside the table is cropped with it on a narrow terminal; caption-like lines
    # printed before it wrap instead.
    del title
    return Table(box=box.SIMPLE_HEAD, padding=(0, 0), show_edge=False)


def _header(m: MetricSpec) -> str:
    return f"{m.name}\n{m.unit}" if m.unit else m.name


def _footnotes(rows: Iterable[Row], metrics: Sequence[MetricSpec]) -> list[RenderableType]:
    """Who dominates whom and why a row is infeasible: below the table, where names fit."""
    out: list[RenderableType] = []
    for r in rows:
        if not r.feasible:
            why = "; ".join(violation_text(v, metrics) for v in r.violations)
            out.append(Text(f"{r.name} is infeasible: {why}", style="red"))
        elif not r.on_front and r.dominated_by:
            out.append(
                Text(f"{r.name} is dominated by {', '.join(r.dominated_by)}", style="yellow")
            )
    return out


def _sizes(
    metrics: Sequence[MetricSpec], rows: Sequence[Row], others: Sequence[int]
) -> tuple[int, list[int], list[list[str]]]:
    """Widths of the candidate column and of each metric column, and the formatted cells.

    `others` are the widths of the remaining columns. Numbers never wrap: when the table is too
    wide for the terminal, long metric headers fold onto more lines, then long names do.
    """
    cells = [[fmt(v) for v in r.values] for r in rows]
    widest = [max((len(c[j]) for c in cells), default=1) for j in range(len(metrics))]
    heads = [max(len(x) for x in _header(m).split("\n")) for m in metrics]
    natural = [max(w, h) for w, h in zip(widest, heads, strict=True)]
    longest = max((len(r.name) for r in rows), default=9)
    room = width() - sum(others) - (len(metrics) + len(others))  # one space between columns
    if sum(natural) + longest <= room:
        return longest, natural, cells
    sizes = [max(w, min(h, 7)) for w, h in zip(widest, heads, strict=True)]
    return max(10, min(longest, room - sum(sizes))), sizes, cells


def _metric_columns(table: Table, metrics: Sequence[MetricSpec], sizes: Sequence[int]) -> None:
    for m, size in zip(metrics, sizes, strict=True):
        table.add_column(_header(m), justify="right", overflow="fold", width=size)


def rank_table(res: RankResult) -> list[RenderableType]:
    weights = ", ".join(f"{m} {w:.2f}" for m, w in res.weights.items())
    title = f"{res.title + ': ' if res.title else ''}profile {res.profile}, {res.method}"
    shown = [*res.rows, *(res.infeasible if res.show_infeasible else [])]
    table = _table()
    rank_w = len(str(len(shown)))
    front_w = 10 if res.show_infeasible and res.infeasible else 5
    name_w, sizes, cells = _sizes(res.metrics, shown, [rank_w, 5, front_w])
    table.add_column("#", justify="right", no_wrap=True, width=rank_w)
    table.add_column("candidate", overflow="fold", width=name_w)
    table.add_column("score", justify="right", no_wrap=True, width=5)
    _metric_columns(table, res.metrics, sizes)
    table.add_column("front", no_wrap=True, width=front_w)
    for r, c in zip(shown, cells, strict=True):
        if r.feasible:
            front = Text("yes", style="green") if r.on_front else Text("no", style="yellow")
            table.add_row(str(r.rank), r.name, fmt_score(r.score), *c, front)
        else:
            name = Text(r.name, style="dim")
            table.add_row(DASH, name, DASH, *c, Text("infeasible", style="red"))
    out: list[RenderableType] = [Text(title, style="bold"), table, *_footnotes(shown, res.metrics)]
    out.append(Text(f"weights: {weights}", style="dim"))
    if res.infeasible and not res.show_infeasible:
        names = ", ".join(r.name for r in res.infeasible[:5])
        more = f" and {len(res.infeasible) - 5} more" if len(res.infeasible) > 5 else ""
        out.append(Text(f"infeasible (see --all): {names}{more}", style="dim"))
    return out


def pareto_table(res: ParetoResult) -> list[RenderableType]:
    what = "non-dominated layers" if res.layers else "Pareto front"
    title = f"{res.title + ': ' if res.title else ''}{what} on {', '.join(res.dominance)}"
    table = _table()
    note_w = 10 if any(not r.feasible for r in res.rows) else 4
    name_w, sizes, cells = _sizes(res.metrics, res.rows, [5, note_w] if res.layers else [note_w])
    if res.layers:
        table.add_column("layer", justify="right", no_wrap=True, width=5)
    table.add_column("candidate", overflow="fold", width=name_w)
    _metric_columns(table, res.metrics, sizes)
    table.add_column("", no_wrap=True, width=note_w)
    for r, c in zip(res.rows, cells, strict=True):
        note = Text("knee", style="bold green") if r.knee else Text("")
        if not r.feasible:
            note = Text("infeasible", style="red")
        layer = [str(r.layer)] if res.layers else []
        table.add_row(*layer, r.name, *c, note)
    return [
        Text(title, style="bold"),
        table,
        *_footnotes([r for r in res.rows if r.feasible], res.metrics),
    ]


def explain_table(res: ExplainResult) -> list[RenderableType]:
    if res.rank is not None:
        head = f"{res.name}: rank {res.rank} of {res.of}, score {fmt_score(res.score)}"
    elif res.excluded_for:
        head = f"{res.name}: not scored (excluded: no value for {', '.join(res.excluded_for)})"
    else:
        head = f"{res.name}: infeasible, not scored"
    table = _table(f"{head} (profile {res.profile}, {res.method})")
    for col in ("metric", "value", "normalized", "weight", "contribution", "stderr", "source"):
        table.add_column(col, justify="left" if col in ("metric", "source") else "right")
    for line in res.lines:
        unit = f" {line.metric.unit}" if line.metric.unit else ""
        prov = line.provenance
        source = ", ".join(str(prov[k]) for k in ("kind", "date", "citation") if k in prov)
        table.add_row(
            line.metric.name,
            fmt(line.value) + (unit if line.value is not None else ""),
            fmt(line.normalized, digits=3),
            f"{line.weight:.2f}" if line.weight else DASH,
            fmt(line.contribution, digits=3),
            fmt(line.stderr),
            source,
        )
    out: list[RenderableType] = [table]
    if res.budgets:
        b = _table("budgets")
        for col in ("status", "budget", "headroom", "line"):
            b.add_column(col)
        for r in res.budgets:
            style = {"pass": "green", "warn": "yellow"}.get(r.status, "red")
            text = (
                pass_text(r, [x.metric for x in res.lines])
                if r.status == "pass"
                else (violation_text(r, [x.metric for x in res.lines]))
            )
            b.add_row(Text(r.status, style=style), text, fmt_pct(r.headroom), str(r.line))
        out.append(b)
    if res.dominated_by:
        for name, on in res.dominated_by:
            out.append(Text(f"dominated by {name}: better on {', '.join(on)}", style="yellow"))
    elif res.feasible:
        out.append(Text(f"not dominated on {', '.join(res.dominance)}", style="green"))
    return out


# Machine formats


def to_json(result: Any) -> str:
    """One JSON document, no NaN, keys in the order the result defines."""
    return json.dumps(result.to_json(), indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _raw(x: float | None) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else repr(float(x))


def rank_csv(res: RankResult) -> str:
    show_bad = res.show_infeasible and res.infeasible
    header = ["rank", "name", "score", *[m.header for m in res.metrics], "on_front", "dominated_by"]
    rows = [
        [
            r.rank,
            r.name,
            _raw(r.score),
            *map(_raw, r.values),
            str(r.on_front).lower(),
            ";".join(r.dominated_by),
        ]
        + (["true", ""] if show_bad else [])
        for r in res.rows
    ]
    if show_bad:
        header += ["feasible", "violations"]
        rows += [
            [
                "",
                r.name,
                "",
                *map(_raw, r.values),
                "false",
                "",
                "false",
                ";".join(violation_text(v, res.metrics) for v in r.violations),
            ]
            for r in res.infeasible
        ]
    return _csv(header, rows)


def pareto_csv(res: ParetoResult) -> str:
    header = ["layer", "name", "knee", *[m.header for m in res.metrics], "dominated_by"]
    rows = [
        [r.layer, r.name, str(r.knee).lower(), *map(_raw, r.values), ";".join(r.dominated_by)]
        for r in res.rows
    ]
    if any(not r.feasible for r in res.rows):
        header.append("feasible")
        rows = [[*row, str(r.feasible).lower()] for row, r in zip(rows, res.rows, strict=True)]
    return _csv(header, rows)


def explain_csv(res: ExplainResult) -> str:
    header = ["metric", "value", "normalized", "weight", "contribution", "stderr"]
    return _csv(
        header,
        (
            [
                line.metric.header,
                _raw(line.value),
                _raw(line.normalized),
                _raw(line.weight),
                _raw(line.contribution),
                _raw(line.stderr),
            ]
            for line in res.lines
        ),
    )


def md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], right: set[int]) -> str:
    lines = ["| " + " | ".join(md_escape(h) for h in header) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def rank_markdown(res: RankResult) -> str:
    header = ["#", "candidate", "score", *[m.header for m in res.metrics], "pareto"]
    rows = [
        [
            str(r.rank),
            r.name,
            fmt_score(r.score),
            *[fmt(v) for v in r.values],
            "front" if r.on_front else "dominated by " + ", ".join(r.dominated_by),
        ]
        for r in res.rows
    ]
    if res.show_infeasible:
        rows += [
            [
                DASH,
                r.name,
                DASH,
                *[fmt(v) for v in r.values],
                "infeasible: " + "; ".join(violation_text(v, res.metrics) for v in r.violations),
            ]
            for r in res.infeasible
        ]
    right = set(range(len(header) - 1)) - {1}
    title = f"**{res.title}**: " if res.title else ""
    return f"{title}profile `{res.profile}`, {res.method}\n\n" + markdown_table(header, rows, right)


def pareto_markdown(res: ParetoResult) -> str:
    header = (["layer"] if res.layers else []) + ["candidate", *[m.header for m in res.metrics], ""]
    rows = [
        ([str(r.layer)] if res.layers else [])
        + [
            r.name,
            *[fmt(v) for v in r.values],
            "knee"
            if r.knee
            else ("" if r.on_front else "dominated by " + ", ".join(r.dominated_by)),
        ]
        for r in res.rows
    ]
    first = 2 if res.layers else 1
    return markdown_table(
        header, rows, set(range(first, len(header) - 1)) | ({0} if res.layers else set())
    )


def explain_markdown(res: ExplainResult) -> str:
    head = (
        f"**{res.name}**: rank {res.rank} of {res.of}, score {fmt_score(res.score)}"
        if res.rank is not None
        else f"**{res.name}**: not scored"
    )
    table = markdown_table(
        ["metric", "value", "normalized", "weight", "contribution", "stderr"],
        (
            [
                line.metric.header,
                fmt(line.value),
                fmt(line.normalized, digits=3),
                f"{line.weight:.2f}",
                fmt(line.contribution, digits=3),
                fmt(line.stderr),
            ]
            for line in res.lines
        ),
        {1, 2, 3, 4, 5},
    )
    extra = "".join(
        f"\n- dominated by {n}: better on {', '.join(on)}" for n, on in res.dominated_by
    )
    return (
        f"{head} (profile `{res.profile}`, {res.method})\n\n{table}{extra}\n"
        if extra
        else (f"{head} (profile `{res.profile}`, {res.method})\n\n{table}")
    )


Renderer = Callable[[Any, bool], str]

RENDERERS: dict[str, dict[str, Renderer]] = {
    "rank": {
        "table": lambda r, c: to_text(rank_table(r), color=c),
        "json": lambda r, c: to_json(r),
        "csv": lambda r, c: rank_csv(r),
        "markdown": lambda r, c: rank_markdown(r),
    },
    "pareto": {
        "table": lambda r, c: to_text(pareto_table(r), color=c),
        "json": lambda r, c: to_json(r),
        "csv": lambda r, c: pareto_csv(r),
        "markdown": lambda r, c: pareto_markdown(r),
    },
    "explain": {
        "table": lambda r, c: to_text(explain_table(r), color=c),
        "json": lambda r, c: to_json(r),
        "csv": lambda r, c: explain_csv(r),
        "markdown": lambda r, c: explain_markdown(r),
    },
}
