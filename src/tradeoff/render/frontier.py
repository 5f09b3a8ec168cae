"""Renderers of `tradeoff frontier`: table, json, csv, markdown."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from tradeoff.questions.frontier import FrontierResult
from tradeoff.render.fmt import csv_text, fmt, markdown_table, raw
from tradeoff.render.layout import Renderer, excluded_lines, to_text

__all__ = ["RENDERERS"]


def _unit(u: str | None) -> str:
    return f" {u}" if u else ""


def _role(res: FrontierResult) -> dict[str, str]:
    on = f" on {res.x} and {res.y}"  # the plane of the chart, not every metric of the study
    roles = {name: f"dominated by {by}{on}" for name, by in res.dominated_by.items()}
    roles = {name: roles.get(name, "") for name in res.points}
    for name in res.hull:
        roles[name] = "hull vertex"
    for b in res.beaten:
        roles[b.name] = f"beaten by {round((1 - b.share) * 100)}/{round(b.share * 100)} mix"
    return roles


def _mix_sentences(res: FrontierResult) -> list[str]:
    out = []
    xu, yu = _unit(res.x_unit), _unit(res.y_unit)
    for b in res.beaten:
        y0, y1 = res.points[b.by[0]][1], res.points[b.by[1]][1]
        x, y = res.points[b.name]
        mix_y = (1 - b.share) * y0 + b.share * y1
        out.append(
            f"{b.name}: a {round((1 - b.share) * 100)}/{round(b.share * 100)} split of "
            f"{b.by[0]} and {b.by[1]} gives {res.y} {fmt(mix_y)}{yu} (vs {fmt(y)}{yu}) "
            f"at the same {res.x} {fmt(x)}{xu}"
        )
    t = res.target
    if t is not None:
        if t.x is None:
            out.append(f"target {t.metric} {fmt(t.value)}{yu}: no mix reaches it")
        else:
            mix = " + ".join(f"{s:.0%} {n}" for n, s in t.mix)
            out.append(f"target {t.metric} {fmt(t.value)}{yu}: {mix} at {res.x} {fmt(t.x)}{xu}")
            if t.cheapest_single is not None and t.cheapest_single_x is not None:
                saving = ""
                if t.cheapest_single_x:
                    change = (t.x - t.cheapest_single_x) / abs(t.cheapest_single_x)
                    saving = f" ({change:+.0%})"
                out.append(
                    f"  cheapest single model that reaches it: {t.cheapest_single} at "
                    f"{res.x} {fmt(t.cheapest_single_x)}{xu}{saving}"
                )
    return out


def table(res: FrontierResult, color: bool, width: int) -> str:
    title = Text(f"mixture frontier: {res.y} against {res.x}", style="bold")
    t = Table(show_edge=False, padding=(0, 0), box=None)
    t.add_column("candidate")
    t.add_column(Text(f" {res.x}{_unit(res.x_unit)}"), justify="right")
    t.add_column(Text(f" {res.y}{_unit(res.y_unit)}"), justify="right")
    t.add_column("  role")
    roles = _role(res)
    order = sorted(res.points, key=lambda n: (res.points[n][0], n))
    for name in order:
        x, y = res.points[name]
        t.add_row(
            Text(name),
            f" {_cell(res, name, res.x, x)}",
            f" {_cell(res, name, res.y, y)}",
            Text(f"  {roles[name]}"),
        )
    parts: list[RenderableType] = [title, t, *(Text(s) for s in _mix_sentences(res))]
    if res.filled:
        parts.append(Text("* no value: --missing worst charged the worst value", style="dim"))
    parts += excluded_lines(res.excluded)
    if not res.points:
        parts.append(Text("no feasible candidate", style="red"))
    return to_text(parts, color=color, width=width)


def _cell(res: FrontierResult, name: str, metric: str, value: float) -> str:
    return fmt(value) + ("*" if (name, metric) in res.filled else "")


def csv(res: FrontierResult) -> str:
    by = {b.name: b for b in res.beaten}
    header = ["name", f"{res.x} [{res.x_unit}]" if res.x_unit else res.x]
    header += [f"{res.y} [{res.y_unit}]" if res.y_unit else res.y, "hull", "beaten_by", "share"]
    rows = []
    for name, (x, y) in res.points.items():
        b = by.get(name)
        rows.append(
            [name, raw(x), raw(y), str(name in res.hull).lower(),
             ";".join(b.by) if b else "", raw(b.share) if b else ""]
        )  # fmt: skip
    return csv_text(header, rows)


def markdown(res: FrontierResult) -> str:
    roles = _role(res)
    rows = [
        [name, _cell(res, name, res.x, x), _cell(res, name, res.y, y), roles[name]]
        for name, (x, y) in sorted(res.points.items(), key=lambda kv: (kv[1][0], kv[0]))
    ]
    header = ["candidate", f"{res.x}{_unit(res.x_unit)}", f"{res.y}{_unit(res.y_unit)}", "role"]
    body = markdown_table(header, rows, {1, 2})
    notes = "".join(f"\n- {s.strip()}" for s in _mix_sentences(res))
    return f"**Mixture frontier**: {res.y} against {res.x}\n\n{body}{notes}\n"


RENDERERS: dict[str, Renderer] = {
    "table": table,
    "json": lambda r, c, w: r.to_json_text(),
    "csv": lambda r, c, w: csv(r),
    "markdown": lambda r, c, w: markdown(r),
}
