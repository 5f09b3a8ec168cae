"""Renderers of `tradeoff sensitivity`: table, json, csv, markdown."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from tradeoff.render import _csv, fmt, markdown_table, to_json, to_text
from tradeoff.sensitivity import SensitivityResult, Stability

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


def table(res: SensitivityResult, color: bool) -> str:
    parts: list[RenderableType] = [Text(_header(res), style="bold")]
    if res.winner is not None:
        t = Table(box=None, padding=(0, 1), pad_edge=False, title_justify="left")
        t.add_column("metric", no_wrap=True)
        t.add_column("weight", justify="right", no_wrap=True)
        t.add_column("stays first for weight in", no_wrap=True)
        t.add_column("who leads below", overflow="fold")
        t.add_column("who leads above", overflow="fold")
        for s in res.stability:
            t.add_row(
                s.metric, fmt(s.weight), _interval(s), Text(s.below or "-"), Text(s.above or "-")
            )
        parts += [Text(f"stability of {res.winner}, one weight at a time:"), t]
        acc = Table(box=None, padding=(0, 1), pad_edge=False)
        acc.add_column("candidate")
        for head in _rank_headers(res):
            acc.add_column(head, justify="right")
        for name in res.names:
            acc.add_row(Text(name), *_shares(res, name))
        parts += [
            Text(f"rank acceptability, {res.samples} random weightings (SMAA-2, seed {res.seed}):"),
            acc,
        ]
        for name, w in res.central_weights.items():
            weights = ", ".join(f"{m} {x:.2f}" for m, x in w.items())
            parts.append(Text(f"{name} wins with central weights {weights}", style="dim"))
    return to_text(parts, color=color)


def csv(res: SensitivityResult, color: bool) -> str:
    del color
    header = ["name", *[f"rank_{r + 1}" for r in range(len(res.names))]]
    header += [f"central_{m}" for m in res.stability_metrics()]
    rows = []
    for name in res.names:
        central = res.central_weights.get(name, {})
        rows.append(
            [name, *[repr(x) for x in res.acceptability[name]],
             *[repr(central[m]) if m in central else "" for m in res.stability_metrics()]]
        )  # fmt: skip
    return _csv(header, rows)


def markdown(res: SensitivityResult, color: bool) -> str:
    del color
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


RENDERERS = {
    "table": table,
    "json": lambda r, c: to_json(r),
    "csv": csv,
    "markdown": markdown,
}
