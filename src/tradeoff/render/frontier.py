"""Renderers of `tradeoff frontier`: table, json, csv, markdown."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from tradeoff.questions.frontier import FrontierResult, Rival
from tradeoff.render.fmt import csv_text, fmt, markdown_table, raw
from tradeoff.render.layout import (
    UNIT_BREAKS,
    Renderer,
    excluded_lines,
    plain_table,
    to_text,
    wrap,
    wrap_name,
)

__all__ = ["RENDERERS"]


def _unit(u: str | None) -> str:
    return f" {u}" if u else ""


def _role(res: FrontierResult, *, who: bool) -> dict[str, str]:
    """What each candidate is on the chart; `who` names the rival of a dominated one (the
    table says that below itself, where a name fits)."""
    roles = dict.fromkeys(res.points, "")
    for name, rivals in res.dominated_by.items():
        roles[name] = f"dominated by {_rival(rivals[0])}" if who else "dominated"
    for name in res.hull:
        roles[name] = "hull vertex"
    for b in res.beaten:
        roles[b.name] = f"beaten by {round((1 - b.share) * 100)}/{round(b.share * 100)} mix"
    return roles


def _rival(r: Rival) -> str:
    # Only where it is strictly better: on the other metric of the chart the two are equal.
    return f"{r.name} (better on {' and '.join(r.better_on)})"


def _dominated_lines(res: FrontierResult, order: list[str]) -> list[str]:
    # The best rival on y; JSON and CSV list up to three.
    return [
        f"{name} is dominated by {_rival(res.dominated_by[name][0])}"
        for name in order
        if name in res.dominated_by
    ]


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
    roles = _role(res, who=False)
    order = sorted(res.points, key=lambda n: (res.points[n][0], n))
    cells = [
        [_cell(res, n, res.x, res.points[n][0]), _cell(res, n, res.y, res.points[n][1])]
        for n in order
    ]
    metrics = [(res.x, res.x_unit), (res.y, res.y_unit)]
    widest = [max([len(m), *(len(c[k]) for c in cells)]) for k, (m, _) in enumerate(metrics)]
    nums = [max(w, len(u or "")) for w, (_, u) in zip(widest, metrics, strict=True)]
    role_w = max([len("role"), *(len(roles[n]) for n in order)])
    name_w = max([len("candidate"), *(len(n) for n in order)])
    if name_w + sum(nums) + role_w + 3 > width:  # units wrap after '/' before names do
        nums = [
            max(w, *map(len, UNIT_BREAKS.split(u or "")))
            for w, (_, u) in zip(widest, metrics, strict=True)
        ]
    # Numbers and roles never break; a long name wraps after its separators in what is left.
    name_w = max(10, min(name_w, width - sum(nums) - role_w - 3))
    t = plain_table()
    t.add_column("candidate", overflow="fold", width=name_w)
    for (metric, unit), w in zip(metrics, nums, strict=True):
        head = f"{metric}\n{wrap(unit, w, UNIT_BREAKS)}" if unit else metric
        t.add_column(Text(head), justify="right", no_wrap=True, width=w)
    t.add_column("role", overflow="fold", width=role_w)
    for name, (x, y) in zip(order, cells, strict=True):
        t.add_row(Text(wrap_name(name, name_w)), x, y, Text(roles[name]))
    parts: list[RenderableType] = [title, t]
    parts += [Text(s, style="yellow") for s in _dominated_lines(res, order)]
    parts += [Text(s) for s in _mix_sentences(res)]
    if res.filled:
        parts.append(Text("* no value: --missing worst charged the worst value", style="dim"))
    parts += excluded_lines(res.excluded)
    if not res.points:
        parts.append(Text("no feasible candidate", style="red"))
    return to_text(parts, color=color, width=width)


def _cell(res: FrontierResult, name: str, metric: str, value: float) -> str:
    return fmt(value) + ("*" if (name, metric) in res.filled else "")


def csv(res: FrontierResult) -> str:
    header = ["name", f"{res.x} [{res.x_unit}]" if res.x_unit else res.x]
    header += [f"{res.y} [{res.y_unit}]" if res.y_unit else res.y, "hull", "dominated"]
    header += ["beaten_by", "share"]
    rows = []
    for name, (x, y) in res.points.items():
        by, share = res.beaten_by(name)
        hull, dominated = name in res.hull, name in res.dominated_by
        rows.append(
            [
                name,
                raw(x),
                raw(y),
                str(hull).lower(),
                str(dominated).lower(),
                ";".join(by),
                raw(share),
            ]
        )
    return csv_text(header, rows)


def markdown(res: FrontierResult) -> str:
    roles = _role(res, who=True)
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
