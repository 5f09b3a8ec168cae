"""Renderers: result records -> text (rich table, JSON, CSV, Markdown). Formatting only.

The rich tables live here; CSV and Markdown in `render.plain`, what both show in `render.views`,
number and text formatting in `render.fmt`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from tradeoff.data import MetricSpec
from tradeoff.questions.results import (
    ExplainResult,
    ParetoResult,
    RankResult,
    RankUncertainty,
    Row,
)
from tradeoff.render.fmt import (
    DASH,
    budget_text,
    fmt,
    fmt_pct,
    fmt_score,
    formula_lines,
    violation_text,
)
from tradeoff.render.plain import (
    explain_csv,
    explain_markdown,
    pareto_csv,
    pareto_markdown,
    rank_csv,
    rank_markdown,
)
from tradeoff.render.views import (
    FILLED_NOTE,
    RankView,
    any_filled,
    explain_filled,
    explain_heading,
    explain_odds,
    odds_cells,
    pareto_marks,
    value_cells,
)

# Terminal output


def to_text(
    renderables: Iterable[RenderableType], *, color: bool, width: int, soft_wrap: bool = False
) -> str:
    """Render rich objects to a string (ANSI colours only when `color`). With `soft_wrap`, lines
    are not wrapped at the width: the terminal folds them itself, and grep finds them whole."""
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        emoji=False,
        soft_wrap=soft_wrap,
    )
    for r in renderables:
        console.print(r)
    # Cells are padded to the column width; trailing blanks only get in the way of copy-paste.
    return "\n".join(line.rstrip(" ") for line in buf.getvalue().split("\n"))


def _table() -> Table:
    # Titles are printed as lines of their own before a table: a title inside the table is
    # cropped with it on a narrow terminal, a line of its own wraps instead.
    return Table(box=box.SIMPLE_HEAD, padding=(0, 0), show_edge=False)


def _header(m: MetricSpec) -> str:
    return f"{m.name}\n{m.unit}" if m.unit else m.name


def _footnotes(rows: Iterable[Row], metrics: Sequence[MetricSpec]) -> list[RenderableType]:
    """Who dominates whom and why a row is infeasible: below the table, where names fit."""
    out: list[RenderableType] = []
    for r in rows:
        if not r.feasible:
            # Error-level breaches make a row infeasible; warn-level ones are shown as such.
            why = "; ".join(
                violation_text(v, metrics) + (" (warn)" if v.level == "warn" else "")
                for v in sorted(r.violations, key=lambda v: v.level == "warn")
            )
            out.append(Text(f"{r.name} is infeasible: {why}", style="red"))
        elif not r.on_front and r.dominated_by:
            more = r.dominated_total - len(r.dominated_by)
            tail = f" and {more} more (see explain)" if more > 0 else ""
            who = ", ".join(r.dominated_by)
            out.append(Text(f"{r.name} is dominated by {who}{tail}", style="yellow"))
    return out


_HEAD_MIN = 7  # a metric column is at least this wide (or as wide as its widest value)
_NAME_MIN = 10  # nor is the candidate column narrower than this


_HEAD_BREAKS = re.compile(r"(?=_)|(?<=[/\- ])")  # before '_', after '/', '-' and ' '
NAME_BREAKS = re.compile(r"(?<=[@/\-_. :])")  # after the separators names are made of
_SOURCE_BREAKS = re.compile(r"(?<=[/ ])")  # paths and prose: after '/' and spaces


def wrap(
    text: str,
    size: int,
    breaks: re.Pattern[str] = _HEAD_BREAKS,
    finer: re.Pattern[str] | None = None,
) -> str:
    """Wrap text to `size` columns where `breaks` allows (then, inside a longer piece, where
    `finer` does); fold only a piece longer than that."""
    out: list[str] = []
    for line in text.split("\n"):
        cur = ""
        pieces = [p for p in breaks.split(line) if p]
        if finer is not None:
            pieces = [q for p in pieces for q in (finer.split(p) if len(p) > size else [p]) if q]
        for piece in pieces:
            while len(piece) > size:  # no better place to break
                if cur:
                    out.append(cur.rstrip())
                    cur = ""
                out.append(piece[:size])
                piece = piece[size:]
            if len(cur) + len(piece.rstrip()) > size and cur:
                out.append(cur.rstrip())
                cur = ""
            cur += piece
        out.append(cur.rstrip())
    return "\n".join(out)


@dataclass
class _Layout:
    """Column widths of a result table, its formatted cells, and how many metrics fit."""

    name: int
    sizes: list[int]
    cells: list[list[str]]
    shown: int  # the first `shown` metrics get columns; the rest are named under the table

    def note(self, metrics: Sequence[MetricSpec]) -> list[RenderableType]:
        hidden = [m.name for m in metrics[self.shown :]]
        if not hidden:
            return []
        what = f"{len(hidden)} metric{'s' if len(hidden) > 1 else ''} not shown at this width"
        tail = "widen the terminal, or use --format csv or json"
        return [Text(f"{what}: {', '.join(hidden)} ({tail})", style="dim")]


def _sizes(
    metrics: Sequence[MetricSpec],
    cells: list[list[str]],
    names: list[str],
    others: Sequence[int],
    width: int,
) -> _Layout:
    """Widths of the candidate column and of each metric column, and the formatted cells.

    `others` are the widths of the remaining columns (rank, score, front, ...), which always
    show. Numbers never wrap. When the table is too wide for the terminal, headers wrap (at _ /
    - and spaces), then long names fold; when even that is too wide, the last metric columns
    are left out, and named under the table.
    """
    widest = [max((len(c[j]) for c in cells), default=1) for j in range(len(metrics))]
    heads = [max(len(x) for x in _header(m).split("\n")) for m in metrics]
    natural = [max(w, h) for w, h in zip(widest, heads, strict=True)]
    longest = max([len("candidate"), *(len(n) for n in names)])
    room = width - sum(others) - len(others)  # one space between columns
    if sum(natural) + len(natural) + longest <= room:
        return _Layout(longest, natural, cells, len(metrics))
    sizes = [max(w, min(h, _HEAD_MIN)) for w, h in zip(widest, heads, strict=True)]
    shown = len(sizes)
    while shown > 1 and sum(sizes[:shown]) + shown + _NAME_MIN > room:
        shown -= 1
    name = max(_NAME_MIN, min(longest, room - sum(sizes[:shown]) - shown))
    return _Layout(name, sizes[:shown], [c[:shown] for c in cells], shown)


def _metric_columns(table: Table, metrics: Sequence[MetricSpec], sizes: Sequence[int]) -> None:
    for m, size in zip(metrics, sizes, strict=False):
        head = wrap(_header(m), size)
        table.add_column(Text(head), justify="right", overflow="fold", width=size)


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


def rank_table(res: RankResult, width: int) -> list[RenderableType]:
    weights = ", ".join(f"{m} {w:.2f}" for m, w in res.weights.items())
    view = RankView.of(res)
    shown = view.rows
    table = _table()
    rank_w = len(str(len(shown)))
    front_w = 10 if res.show_infeasible and res.infeasible else 5
    noisy = view.noisy
    extra_w = [6, 7] if noisy else []
    others = [rank_w, 5, *extra_w, front_w]
    lay = _sizes(res.metrics, view.cells, [r.name for r in shown], others, width)
    table.add_column("#", justify="right", no_wrap=True, width=rank_w)
    table.add_column("candidate", overflow="fold", width=lay.name)
    table.add_column("score", justify="right", no_wrap=True, width=5)
    if noisy:
        table.add_column("P(1st)", justify="right", no_wrap=True, width=6)
        table.add_column("rank 90%", justify="right", overflow="fold", width=7)
    _metric_columns(table, res.metrics, lay.sizes)
    table.add_column("front", no_wrap=True, width=front_w)
    for r, c in zip(shown, lay.cells, strict=True):
        extra = _odds(r.uncertainty) if noisy else []
        if r.feasible:
            front = Text("yes", style="green") if r.on_front else Text("no", style="yellow")
            name = Text(wrap(r.name, lay.name, NAME_BREAKS))
            table.add_row(str(r.rank), name, fmt_score(r.score), *extra, *c, front)
        else:
            name = Text(wrap(r.name, lay.name, NAME_BREAKS), style="dim")
            table.add_row(DASH, name, DASH, *extra, *c, Text("infeasible", style="red"))
    out: list[RenderableType] = [Text(view.title(res), style="bold"), table]
    out += lay.note(res.metrics)
    out += _footnotes(shown, res.metrics)
    out += _filled_note(view.filled)
    if res.confidence:
        out.append(Text(res.confidence, style="bold"))
    out.append(Text(f"weights: {weights}", style="dim"))
    if res.infeasible and not res.show_infeasible:
        names = ", ".join(r.name for r in res.infeasible[:5])
        more = f" and {len(res.infeasible) - 5} more" if len(res.infeasible) > 5 else ""
        out.append(Text(f"infeasible (see --all): {names}{more}", style="dim"))
    out += _excluded_lines(res.excluded)
    return out


def _odds(u: RankUncertainty | None) -> list[Text]:
    p_first, interval = odds_cells(u)
    tied = u is not None and u.tied_with_leader
    return [Text(p_first), Text(interval, style="yellow" if tied else "")]


def _filled_note(filled: bool) -> list[RenderableType]:
    return [Text(f"* {FILLED_NOTE}", style="dim")] if filled else []


def _excluded_lines(excluded: Sequence[tuple[str, list[str]]]) -> list[RenderableType]:
    if not excluded:
        return []
    shown = "; ".join(f"{n} (no {', '.join(m)})" for n, m in excluded[:5])
    more = f" and {len(excluded) - 5} more" if len(excluded) > 5 else ""
    return [Text(f"excluded by --missing exclude: {shown}{more}", style="dim")]


def pareto_table(res: ParetoResult, width: int) -> list[RenderableType]:
    what = "non-dominated layers" if res.layers else "Pareto front"
    title = f"{res.title + ': ' if res.title else ''}{what} on {', '.join(res.dominance)}"
    table = _table()
    notes = [", ".join(pareto_marks(r)) for r in res.rows]
    note_w = max([4, *(len(n) for n in notes)])
    others = [5, note_w] if res.layers else [note_w]
    cells = [value_cells(r) for r in res.rows]
    lay = _sizes(res.metrics, cells, [r.name for r in res.rows], others, width)
    if res.layers:
        table.add_column("layer", justify="right", no_wrap=True, width=5)
    table.add_column("candidate", overflow="fold", width=lay.name)
    _metric_columns(table, res.metrics, lay.sizes)
    table.add_column("", no_wrap=True, width=note_w)
    for r, c, text in zip(res.rows, lay.cells, notes, strict=True):
        note = Text(text, style="red" if not r.feasible else "bold green")
        layer = [str(r.layer)] if res.layers else []
        table.add_row(*layer, Text(wrap(r.name, lay.name, NAME_BREAKS)), *c, note)
    return [
        Text(title, style="bold"),
        table,
        *lay.note(res.metrics),
        *_footnotes([r for r in res.rows if r.feasible], res.metrics),
        *_filled_note(any_filled(res.rows)),
        *_excluded_lines(res.excluded),
        *([Text(res.hypervolume.summary(), style="dim")] if res.hypervolume else []),
    ]


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
                fmt(shown) + star + (unit if shown is not None else ""),
                fmt(line.normalized, digits=3),
                f"{line.weight:.2f}" if line.weight else DASH,
                fmt(line.contribution, digits=3),
                fmt(line.stderr),
            ]
        )
    sources = [provenance_text(line.provenance) for line in res.lines]
    names = [line.metric.name for line in res.lines]
    heads, metric_w, source_w = _explain_layout(names, cells, any(sources), width)
    table = _table()
    table.add_column("metric", overflow="fold", width=metric_w)
    for col in heads:
        table.add_column(col, justify="right", no_wrap=True)
    if source_w:
        table.add_column("source", overflow="fold", width=source_w)
    for line, row, source in zip(res.lines, cells, sources, strict=True):
        label = Text(wrap(line.metric.name, metric_w))
        where = [Text(wrap(source, source_w, _SOURCE_BREAKS, NAME_BREAKS))] if source_w else []
        table.add_row(label, *row, *where)
    out: list[RenderableType] = [
        Text(f"{head} (profile {res.profile}, {res.method})", style="bold"),
        table,
    ]
    out += _filled_note(explain_filled(res.lines))
    out += [Text(text) for text in formula_lines(res)]
    odds = explain_odds(res)
    if odds:
        out.append(Text(odds))
    if not source_w and any(sources):
        out.append(Text("sources not shown at this width (see --format json)", style="dim"))
    if res.budgets:
        b = _table()
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


# (result, color, width): a renderer is told the width, as it is told whether to colour.
Renderer = Callable[[Any, bool, int], str]

RENDERERS: dict[str, dict[str, Renderer]] = {
    "rank": {
        "table": lambda r, c, w: to_text(rank_table(r, w), color=c, width=w),
        "json": lambda r, c, w: r.to_json_text(),
        "csv": lambda r, c, w: rank_csv(r),
        "markdown": lambda r, c, w: rank_markdown(r),
    },
    "pareto": {
        "table": lambda r, c, w: to_text(pareto_table(r, w), color=c, width=w),
        "json": lambda r, c, w: r.to_json_text(),
        "csv": lambda r, c, w: pareto_csv(r),
        "markdown": lambda r, c, w: pareto_markdown(r),
    },
    "explain": {
        "table": lambda r, c, w: to_text(explain_table(r, w), color=c, width=w),
        "json": lambda r, c, w: r.to_json_text(),
        "csv": lambda r, c, w: explain_csv(r),
        "markdown": lambda r, c, w: explain_markdown(r),
    },
}
