"""Renderers of `tradeoff sensitivity`: table, json, csv, markdown."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from tradeoff.questions.sensitivity import SensitivityResult, Stability
from tradeoff.render.fmt import csv_text, fmt, markdown_table
from tradeoff.render.layout import Renderer, to_text, wrap_name

__all__ = ["RENDERERS"]

RANKS_SHOWN = 5


def _interval(s: Stability) -> str:
    if s.low is None and s.high is None and s.below is None and s.above is None:
        return "n/a"
    low = fmt(s.low) if s.low is not None else "?"
    high = fmt(s.high) if s.high is not None else "no limit"
    return f"{low} .. {high}"


def _header(res: SensitivityResult) -> str:
    if res.winner is None:
        return f"profile {res.profile}, {res.method}: no feasible candidate"
    return f"profile {res.profile}, {res.method}: {res.winner} wins at the profile's weights"


def _ranks(res: SensitivityResult) -> int:
    """Ranks shown one per column; past RANKS_SHOWN the rest share a "lower" column."""
    return len(res.names) if len(res.names) <= RANKS_SHOWN + 1 else RANKS_SHOWN


def _shares(res: SensitivityResult, name: str) -> list[str]:
    k, row = _ranks(res), res.acceptability[name]
    cells = [f"{x:.0%}" for x in row[:k]]
    return [*cells, f"{sum(row[k:]):.0%}"] if k < len(row) else cells


def _rank_headers(res: SensitivityResult) -> list[str]:
    k = _ranks(res)
    heads = [f"rank {r + 1}" for r in range(k)]
    return [*heads, f"rank {k + 1}+"] if k < len(res.names) else heads


def _name_width(names: list[str], fixed: int, columns: int, width: int) -> int:
    """Width for a column of candidate names beside `fixed` columns of other content."""
    longest = max([len("candidate"), *(len(n) for n in names)])
    return max(10, min(longest, width - fixed - columns))


def table(res: SensitivityResult, color: bool, width: int) -> str:
    parts: list[RenderableType] = [Text(_header(res), style="bold")]
    if res.winner is not None:
        cells = [(s.metric, fmt(s.weight), _interval(s)) for s in res.stability]
        needs = [
            max([len("who leads below"), *(len(s.below or "-") for s in res.stability)]),
            max([len("who leads above"), *(len(s.above or "-") for s in res.stability)]),
        ]
        heads = list(_STABLE)
        fixed = [max(len(h), *(len(c[k]) for c in cells)) for k, h in enumerate(heads)]
        gaps = 8  # padding (0, 1): two spaces between each of the five columns
        if width - sum(fixed) - gaps < sum(min(n, 16) for n in needs):  # narrow
            heads[2] = "stays first\nfor weight in"
            fixed[2] = max(13, *(len(c[2]) for c in cells))
        # The two columns of names take what they need, or share what is left evenly; names
        # wrap after their separators.
        room = width - sum(fixed) - gaps
        if sum(needs) > room:
            half = max(8, room // 2)
            needs = [min(n, half) for n in needs]
            needs = [
                min(n, max(8, room - other)) for n, other in zip(needs, needs[::-1], strict=True)
            ]
        t = Table(box=None, padding=(0, 1), pad_edge=False, title_justify="left")
        for k, head in enumerate(heads):
            t.add_column(head, justify="right" if k == 1 else "left", no_wrap=True, width=fixed[k])
        for head, need in zip(("who leads below", "who leads above"), needs, strict=True):
            t.add_column(head, overflow="fold", width=need)
        for s, c in zip(res.stability, cells, strict=True):
            below = Text(wrap_name(s.below or "-", needs[0]))
            above = Text(wrap_name(s.above or "-", needs[1]))
            t.add_row(*c, below, above)
        parts += [Text(f"stability of {res.winner}, one weight at a time:"), t]
        ranks = _rank_headers(res)
        name_w = _name_width(res.names, 6 * len(ranks), 2 * len(ranks), width)
        acc = Table(box=None, padding=(0, 1), pad_edge=False)
        acc.add_column("candidate", overflow="fold", width=name_w)
        for head in ranks:
            acc.add_column(head, justify="right", no_wrap=True)
        for name in res.names:
            acc.add_row(Text(wrap_name(name, name_w)), *_shares(res, name))
        parts += [
            Text(f"rank acceptability, {res.samples} random weightings (SMAA-2, seed {res.seed}):"),
            acc,
        ]
        for name, w in res.central_weights.items():
            weights = ", ".join(f"{m} {x:.2f}" for m, x in w.items())
            parts.append(Text(f"{name} wins with central weights {weights}", style="dim"))
    return to_text(parts, color=color, width=width)


_STABLE = ("metric", "weight", "stays first for weight in")


def csv(res: SensitivityResult) -> str:
    header = ["name", *[f"rank_{r + 1}" for r in range(len(res.names))]]
    header += [f"central_{m}" for m in res.stability_metrics()]
    rows = []
    for name in res.names:
        central = res.central_weights.get(name, {})
        rows.append(
            [name, *[repr(x) for x in res.acceptability[name]],
             *[repr(central[m]) if m in central else "" for m in res.stability_metrics()]]
        )  # fmt: skip
    return csv_text(header, rows)


def markdown(res: SensitivityResult) -> str:
    out = [f"**Sensitivity**: {_header(res)}", ""]
    if res.winner is None:
        return "\n".join(out) + "\n"
    out.append(
        markdown_table(
            ["metric", "weight", "stays first for weight in", "below", "above"],
            [[s.metric, fmt(s.weight), _interval(s), s.below or "-", s.above or "-"]
             for s in res.stability],
            {1},
        )
    )  # fmt: skip
    out.append(
        markdown_table(
            ["candidate", *_rank_headers(res)],
            [[n, *_shares(res, n)] for n in res.names],
            set(range(1, len(_rank_headers(res)) + 1)),
        )
    )
    return "\n".join(out)


RENDERERS: dict[str, Renderer] = {
    "table": table,
    "json": lambda r, c, w: r.to_json_text(),
    "csv": lambda r, c, w: csv(r),
    "markdown": lambda r, c, w: markdown(r),
}
