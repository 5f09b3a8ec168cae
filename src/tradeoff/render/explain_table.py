"""The terminal table of `tradeoff explain`: each metric's value, share of the score and source."""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.text import Text

from tradeoff.questions.explain_result import ExplainResult
from tradeoff.render.fmt import DASH, budget_text, fmt, fmt_pct, formula_lines, with_count
from tradeoff.render.layout import (
    NAME_BREAKS,
    SOURCE_BREAKS,
    filled_note,
    plain_table,
    wrap,
)
from tradeoff.render.views import explain_filled, explain_heading, explain_odds


def provenance_text(prov: dict[str, Any]) -> str:
    """Where a value came from: `sweep.csv row 5`, `results.json arc_challenge acc,none`, ..."""
    parts = []
    if "formula" in prov:
        parts.append("formula")
    elif prov.get("source") == "genai-prices":
        looked = str(prov.get("looked_up_at", ""))[:10]
        parts.append(f"genai-prices {prov.get('genai_prices_version', '')} ({looked})".strip())
    elif "source" in prov:
        where = str(prov["source"])
        for key in ("row", "line"):
            if key in prov:
                where += f" {key} {prov[key]}"
        if "task" in prov:
            where += f" {prov['task']} {prov.get('field', '')}".rstrip()
        if "target" in prov:
            where += f" {prov['target']}.{prov.get('field', '')}"
        if "json" in prov:
            where += f" {prov['json']}"
        if "run" in prov:
            where += f" run {prov['run']}"
        if isinstance(prov.get("combined"), dict):
            how = prov["combined"]
            where += f", {how.get('how')} of {how.get('rows')} rows"
        if "newest_of" in prov:
            where += f" (newest of {len(prov['newest_of'])} files)"
        parts.append(where)
    parts += [str(prov[k]) for k in ("kind", "date", "citation") if k in prov]
    return ", ".join(parts)


def _explain_layout(
    names: list[str], cells: list[list[str]], sources: bool, width: int
) -> tuple[list[str], int, int]:
    """Headers of the number columns, and the widths of the metric and source columns (0: no
    source column). Numbers never wrap; on a narrow terminal the long headers shorten, metric
    names wrap at '_', and the source column goes before the metric column gets too narrow."""
    heads = ["value", "normalized", "weight", "contribution", "stderr"]
    widest = [max(len(h), *(len(r[k]) for r in cells)) for k, h in enumerate(heads)]
    longest = max([len("metric"), *(len(n) for n in names)])
    room = width - len(heads) - 1  # spaces between the columns, the source column's included
    if sum(widest) + min(longest, 12) + 12 > room:
        heads = ["value", "norm.", "weight", "contrib.", "stderr"]
        widest = [max(len(h), *(len(r[k]) for r in cells)) for k, h in enumerate(heads)]
    free = room - sum(widest)
    if not sources:
        return heads, min(longest, max(6, free + 1)), 0
    metric_w = min(longest, max(12, free - 24))  # whole names up to 12, the rest to the source
    if free - metric_w < 12:
        metric_w = min(longest, max(8, free - 12))
    source_w = free - metric_w
    if source_w < 12:  # no room for a readable source: leave it out, and say so
        return heads, min(longest, max(6, free + 1)), 0
    return heads, metric_w, source_w


def explain_table(res: ExplainResult, width: int) -> list[RenderableType]:
    head = explain_heading(res, res.name)
    cells = []
    for line in res.lines:
        unit = f" {line.metric.unit}" if line.metric.unit else ""
        shown = line.value if line.filled is None else line.filled
        star = "*" if line.filled is not None else ""
        cells.append(
            [
                with_count(fmt(shown) + star + (unit if shown is not None else ""), line.count),
                fmt(line.normalized, digits=3),
                f"{line.weight:.2f}" if line.weight else DASH,
                fmt(line.contribution, digits=3),
                fmt(line.stderr),
            ]
        )
    sources = [provenance_text(line.provenance) for line in res.lines]
    names = [line.metric.name for line in res.lines]
    heads, metric_w, source_w = _explain_layout(names, cells, any(sources), width)
    table = plain_table()
    table.add_column("metric", overflow="fold", width=metric_w)
    for col in heads:
        table.add_column(col, justify="right", no_wrap=True)
    if source_w:
        table.add_column("source", overflow="fold", width=source_w)
    for line, row, source in zip(res.lines, cells, sources, strict=True):
        label = Text(wrap(line.metric.name, metric_w))
        where = [Text(wrap(source, source_w, SOURCE_BREAKS, NAME_BREAKS))] if source_w else []
        table.add_row(label, *row, *where)
    out: list[RenderableType] = [
        Text(f"{head} (profile {res.profile}, {res.method})", style="bold"),
        table,
    ]
    out += filled_note(explain_filled(res.lines))
    out += [Text(text) for text in formula_lines(res)]
    odds = explain_odds(res)
    if odds:
        out.append(Text(odds))
    if not source_w and any(sources):
        out.append(Text("sources not shown at this width (see --format json)", style="dim"))
    if res.budgets:
        b = plain_table()
        b.add_column("status", no_wrap=True)
        b.add_column("budget", overflow="fold")
        b.add_column("headroom", justify="right", no_wrap=True)
        b.add_column("line", justify="right", no_wrap=True)
        metrics = [x.metric for x in res.lines]
        for r in res.budgets:
            style = {"pass": "green", "warn": "yellow"}.get(r.status, "red")
            b.add_row(
                Text(r.status, style=style),
                Text(budget_text(r, metrics)),
                fmt_pct(r.headroom),
                str(r.line),
            )
        out += [Text(""), Text("budgets", style="bold"), b]
    if res.dominated_by:
        for name, on in res.dominated_by:
            tag = " (infeasible)" if name in res.dominated_by_infeasible else ""
            out.append(Text(f"dominated by {name}{tag}: better on {', '.join(on)}", style="yellow"))
    elif res.feasible:
        out.append(Text(f"not dominated on {', '.join(res.dominance)}", style="green"))
    return out
