"""Renderers of `tradeoff compare`: table, json, csv, markdown."""

from __future__ import annotations

import math

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from tradeoff.questions.compare import CompareResult, MetricComparison
from tradeoff.render.fmt import csv_text, fmt, markdown_table, md_escape, raw
from tradeoff.render.layout import Renderer, to_text

__all__ = ["RENDERERS"]

TESTS = {"mcnemar": "McNemar", "bootstrap": "bootstrap", "unpaired": "unpaired"}
NOTES = {
    "mcnemar": "exact McNemar test on the items both logs have; interval: paired bootstrap",
    "bootstrap": "paired bootstrap over the items both logs have",
    "unpaired": "normal interval from the two stderrs (no per-item values)",
}


def _decimals(m: MetricComparison) -> int | None:
    """Decimals showing the interval to about 3 significant digits of its half-width."""
    half = (m.interval[1] - m.interval[0]) / 2
    if not half > 0 or not math.isfinite(half):
        return None
    return max(0, min(8, 2 - math.floor(math.log10(half))))


def _signed(x: float | None, decimals: int | None = None) -> str:
    if x is None or x != x:
        return "n/a"
    text = fmt(x) if decimals is None else f"{x:,.{decimals}f}"
    return text if text.startswith("-") or float(x) == 0 else "+" + text


def _p(p: float | None) -> str:
    if p is None:
        return "n/a"
    return "<0.0001" if p < 1e-4 else f"{p:.4f}"


def _count(x: int | None) -> str:
    return "" if x is None else str(x)


def _cells(m: MetricComparison) -> list[str]:
    lo, hi = m.interval
    d = _decimals(m)
    return [
        m.metric.header,
        _signed(m.difference, d),
        f"[{_signed(lo, d)}, {_signed(hi, d)}]",
        _p(m.p_value),
        TESTS[m.test],
        _count(m.items),
        _count(m.a_wins),
        _count(m.b_wins),
    ]


HEADER = ["metric", "A - B", "95% interval", "p", "test", "items", "A wins", "B wins"]
RIGHT = {1, 2, 3, 5, 6, 7}


def _verdict(res: CompareResult) -> list[str]:
    out = [f"{t}: {NOTES[t]}" for t in NOTES if any(m.test == t for m in res.metrics)]
    for m in res.metrics:
        lo, hi = m.interval
        if m.p_value is None:
            continue
        if lo > 0 or hi < 0:
            ahead = res.a if (m.difference > 0) == m.metric.maximize else res.b
            out.append(f"{m.metric.name}: {ahead} is better (the interval excludes 0)")
        else:
            out.append(f"{m.metric.name}: no difference shown (the interval includes 0)")
    return out


def _flip_title(res: CompareResult, m: MetricComparison) -> str:
    return f"{m.metric.name}: first {len(m.flipped)} of {m.flipped_total} items that differ"


def table(res: CompareResult, color: bool, width: int) -> str:
    t = Table(show_edge=False, padding=(0, 1), box=None)
    for k, h in enumerate(HEADER):
        t.add_column(h, justify="right" if k in RIGHT else "left", no_wrap=k > 0)
    for m in res.metrics:
        t.add_row(*(Text(c) for c in _cells(m)))
    parts: list[RenderableType] = [Text(f"A = {res.a}, B = {res.b}", style="bold"), t]
    parts += [Text(s) for s in _verdict(res)]
    for m in res.metrics:
        if not m.flipped:
            continue
        parts.append(Text(_flip_title(res, m), style="bold"))
        f = Table(show_edge=False, padding=(0, 1), box=None)
        for h in ("doc_id", "better", "prompt"):
            f.add_column(h, justify="right" if h == "doc_id" else "left")
        for flip in m.flipped:
            f.add_row(str(flip.doc_id), res.a if flip.better == "a" else res.b, Text(flip.prompt))
        parts.append(f)
    return to_text(parts, color=color, width=width)


def csv(res: CompareResult) -> str:
    """One row per metric, numbers at full precision."""
    header = ["metric", "unit", "difference", "interval_low", "interval_high", "p_value", "test"]
    header += ["items", "a_wins", "b_wins", "flipped"]
    rows = []
    for m in res.metrics:
        lo, hi = m.interval
        flipped = ";".join(str(f.doc_id) for f in m.flipped)
        counts = ["" if x is None else str(x) for x in (m.items, m.a_wins, m.b_wins)]
        rows.append(
            [m.metric.name, m.metric.unit or "", raw(m.difference), raw(lo), raw(hi),
             raw(m.p_value), m.test, *counts, flipped]
        )  # fmt: skip
    return csv_text(header, rows)


def markdown(res: CompareResult) -> str:
    body = markdown_table(HEADER, [_cells(m) for m in res.metrics], RIGHT)
    out = f"**Compare**: A = {md_escape(res.a)}, B = {md_escape(res.b)}\n\n{body}"
    verdicts = _verdict(res)
    if verdicts:
        out += "\n" + "".join(f"- {md_escape(v)}\n" for v in verdicts)
    for m in res.metrics:
        if m.flipped:
            rows = [
                [str(f.doc_id), res.a if f.better == "a" else res.b, f.prompt] for f in m.flipped
            ]
            table_text = markdown_table(["doc_id", "better", "prompt"], rows, {0})
            out += f"\n{md_escape(_flip_title(res, m))}\n\n{table_text}"
    return out


RENDERERS: dict[str, Renderer] = {
    "table": table,
    "json": lambda r, c, w: r.to_json_text(),
    "csv": lambda r, c, w: csv(r),
    "markdown": lambda r, c, w: markdown(r),
}
