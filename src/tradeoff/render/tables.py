"""The terminal tables of `rank` and `pareto`, and the renderers of rank, pareto and explain
by format (table, json, csv, markdown). CSV and Markdown live in `render.plain`, what tables and
Markdown show alike in `render.views`, number formatting in `render.fmt`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from tradeoff.data import MetricSpec
from tradeoff.questions.results import ParetoResult, RankResult, RankUncertainty, Row
from tradeoff.render.explain_table import explain_table
from tradeoff.render.fmt import DASH, fmt_score, violation_text
from tradeoff.render.layout import (
    HEAD_BREAKS,
    UNIT_BREAKS,
    Lines,
    Renderer,
    add_rows,
    cell,
    excluded_lines,
    filled_note,
    metric_header,
    plain_table,
    to_text,
    wrap,
    wrap_name,
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
    RankView,
    any_filled,
    infeasible_text,
    odds_cells,
    pareto_marks,
    value_cells,
    weights_text,
)


def _footnotes(rows: Iterable[Row], metrics: Sequence[MetricSpec]) -> list[RenderableType]:
    """Who dominates whom and why a row is infeasible: below the table, where names fit."""
    texts: list[str] = []
    styles: list[str] = []
    for r in rows:
        if not r.feasible:
            # Error-level breaches make a row infeasible; warn-level ones are shown as such.
            why = "; ".join(
                violation_text(v, metrics) + (" (warn)" if v.level == "warn" else "")
                for v in sorted(r.violations, key=lambda v: v.level == "warn")
            )
            texts.append(f"{r.name} is infeasible: {why}")
            styles.append("red")
        elif not r.on_front and r.dominated_by:
            more = r.dominated_total - len(r.dominated_by)
            tail = f" and {more} more (see explain)" if more > 0 else ""
            who = ", ".join(r.dominated_by)
            texts.append(f"{r.name} is dominated by {who}{tail}")
            styles.append("yellow")
    return [Lines(texts, styles)] if texts else []


_HEAD_MIN = 7  # a metric column is at least this wide (or as wide as its widest value)
_NAME_MIN = 10  # nor is the candidate column narrower than this


def _head_lines(m: MetricSpec, size: int) -> str:
    """The metric's header wrapped to `size`: the name at _ / - and spaces, the unit at '/'."""
    head = wrap(m.name, size)
    return f"{head}\n{wrap(m.unit, size, UNIT_BREAKS)}" if m.unit else head


def _unbreakable(m: MetricSpec) -> int:
    """The longest piece of the header that must not be split (a word of the name, a part of
    the unit between slashes): the column is never narrower, so no header breaks mid-word."""
    pieces = [p.strip() for p in HEAD_BREAKS.split(m.name)]
    pieces += [p.strip() for p in UNIT_BREAKS.split(m.unit or "")]
    return max((len(p) for p in pieces), default=1)


@dataclass
class _Layout:
    """Column widths of a result table, its formatted cells, and how many metrics fit."""

    name: int
    sizes: list[int]
    cells: list[list[str]]
    kept: list[int]  # the metrics (in order) that get columns; the rest are named under the table

    def shown(self, metrics: Sequence[MetricSpec]) -> list[MetricSpec]:
        return [metrics[j] for j in self.kept]

    def note(self, metrics: Sequence[MetricSpec]) -> list[RenderableType]:
        hidden = [m.name for j, m in enumerate(metrics) if j not in self.kept]
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
    priority: Sequence[float] | None = None,
) -> _Layout:
    """Widths of the candidate column and of each metric column, and the formatted cells.

    `others` are the widths of the remaining columns (rank, score, front, ...), which always
    show. Numbers never wrap. When the table is too wide for the terminal, headers wrap (at _ /
    - and spaces), then long names fold; when even that is too wide, metric columns are left
    out, and named under the table: those of lowest `priority` (a weight) first, then the last.
    """
    widest = [max((len(c[j]) for c in cells), default=1) for j in range(len(metrics))]
    heads = [max(len(x) for x in metric_header(m).split("\n")) for m in metrics]
    natural = [max(w, h) for w, h in zip(widest, heads, strict=True)]
    longest = max([len("candidate"), *(len(n) for n in names)])
    room = width - sum(others) - len(others)  # one space between columns
    if sum(natural) + len(natural) + longest <= room:
        return _Layout(longest, natural, cells, list(range(len(metrics))))
    sizes = [
        max(w, min(h, _HEAD_MIN), _unbreakable(m))
        for w, h, m in zip(widest, heads, metrics, strict=True)
    ]
    rank = priority or [0.0] * len(metrics)
    # Unweighted columns go first (a weight 0 column explains nothing of the score), the last first.
    drop = sorted(range(len(metrics)), key=lambda j: (rank[j], -j))
    kept = list(range(len(metrics)))
    while len(kept) > 1 and sum(sizes[j] for j in kept) + len(kept) + _NAME_MIN > room:
        kept.remove(drop.pop(0))
    used = sum(sizes[j] for j in kept) + len(kept)
    name = max(_NAME_MIN, min(longest, room - used))
    return _Layout(name, [sizes[j] for j in kept], [[c[j] for j in kept] for c in cells], kept)


def _metric_columns(table: Table, metrics: Sequence[MetricSpec], sizes: Sequence[int]) -> None:
    for m, size in zip(metrics, sizes, strict=False):
        head = _head_lines(m, size)
        table.add_column(Text(head), justify="right", overflow="fold", width=size)


def rank_table(res: RankResult, width: int) -> list[RenderableType]:
    view = RankView.of(res)
    shown = view.rows
    table = plain_table()
    rank_w = len(str(len(shown)))
    front_w = 10 if res.show_infeasible and res.infeasible else 5
    noisy = view.noisy
    extra_w = [6, 7] if noisy else []
    weights = [res.weights.get(m.name, 0.0) for m in res.metrics]
    names = [r.name for r in shown]
    lay = _sizes(res.metrics, view.cells, names, [rank_w, 5, *extra_w, front_w], width, weights)
    grouped = bool(view.letters)
    if grouped:  # "grp", 3 wide; left out (the line under the table stays) if it hides a metric
        with_grp = [*extra_w, max(3, *(len(x) for x in view.letters))]
        wider = _sizes(
            res.metrics, view.cells, names, [rank_w, 5, *with_grp, front_w], width, weights
        )
        grouped = len(wider.shown(res.metrics)) == len(lay.shown(res.metrics))
        if grouped:
            lay, extra_w = wider, with_grp
    table.add_column("#", justify="right", no_wrap=True, width=rank_w)
    table.add_column("candidate", overflow="fold", width=lay.name)
    table.add_column("score", justify="right", no_wrap=True, width=5)
    if noisy:
        table.add_column("P(1st)", justify="right", no_wrap=True, width=6)
        table.add_column("rank 90%", justify="right", overflow="fold", width=7)
    if grouped:
        table.add_column("grp", no_wrap=True, width=extra_w[-1])
    _metric_columns(table, lay.shown(res.metrics), lay.sizes)
    table.add_column("front", no_wrap=True, width=front_w)
    rows: list[list[RenderableType]] = []
    # One Text for every "yes" (rich only reads the cells it lays out), names as plain cells.
    yes, no, bad = (
        Text("yes", style="green"),
        Text("no", style="yellow"),
        Text("infeasible", style="red"),
    )
    for k, (r, c) in enumerate(zip(shown, lay.cells, strict=True)):
        extra = _odds(r.uncertainty) if noisy else []
        extra += [Text(view.letters[k])] if grouped else []
        if r.feasible:
            name = cell(wrap_name(r.name, lay.name))
            rows.append(
                [str(r.rank), name, fmt_score(r.score), *extra, *c, yes if r.on_front else no]
            )
        else:
            name = cell(wrap_name(r.name, lay.name), style="dim")
            rows.append([DASH, name, DASH, *extra, *c, bad])
    add_rows(table, rows)
    out: list[RenderableType] = [Text(view.title(res), style="bold"), table]
    out += lay.note(res.metrics)
    out += _footnotes(shown, res.metrics)
    out += filled_note(view.filled)
    if res.confidence:
        out.append(Text(res.confidence, style="bold"))
    if view.groups_line:
        out.append(Text(view.groups_line, style="dim"))
    out.append(Text(weights_text(res), style="dim"))
    if infeasible := infeasible_text(res):
        out.append(Text(infeasible, style="dim"))
    out += excluded_lines(res.excluded)
    return out


def _odds(u: RankUncertainty | None) -> list[Text]:
    p_first, interval = odds_cells(u)
    tied = u is not None and u.tied_with_leader
    return [Text(p_first), Text(interval, style="yellow" if tied else "")]


def pareto_table(res: ParetoResult, width: int) -> list[RenderableType]:
    what = "non-dominated layers" if res.layers else "Pareto front"
    title = f"{res.title + ': ' if res.title else ''}{what} on {', '.join(res.dominance)}"
    table = plain_table()
    notes = [", ".join(pareto_marks(r)) for r in res.rows]
    note_w = max([4, *(len(n) for n in notes)])
    others = [5, note_w] if res.layers else [note_w]
    cells = [value_cells(r) for r in res.rows]
    judged = [1.0 if m.name in res.dominance else 0.0 for m in res.metrics]
    lay = _sizes(res.metrics, cells, [r.name for r in res.rows], others, width, judged)
    if res.layers:
        table.add_column("layer", justify="right", no_wrap=True, width=5)
    table.add_column("candidate", overflow="fold", width=lay.name)
    _metric_columns(table, lay.shown(res.metrics), lay.sizes)
    table.add_column("note", no_wrap=True, width=note_w)  # knee, noise only, infeasible
    rows: list[list[RenderableType]] = []
    made: dict[tuple[str, str], Text] = {}  # one Text for every note alike
    for r, c, text in zip(res.rows, lay.cells, notes, strict=True):
        key = (text, "red" if not r.feasible else "bold green")
        if key not in made:
            made[key] = Text(*key)
        note = made[key]
        layer = [str(r.layer)] if res.layers else []
        rows.append([*layer, cell(wrap_name(r.name, lay.name)), *c, note])
    add_rows(table, rows)
    return [
        Text(title, style="bold"),
        table,
        *lay.note(res.metrics),
        *_footnotes([r for r in res.rows if r.feasible], res.metrics),
        *filled_note(any_filled(res.rows)),
        *excluded_lines(res.excluded),
        *([Text(res.hypervolume.summary(), style="dim")] if res.hypervolume else []),
    ]


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
