"""CSV and Markdown renderers of rank, pareto and explain results. Formatting only."""

from __future__ import annotations

from tradeoff.data import MetricSpec
from tradeoff.questions.explain_result import ExplainResult
from tradeoff.questions.results import ParetoResult, RankResult, Row
from tradeoff.render.fmt import (
    DASH,
    budget_text,
    csv_text,
    fmt,
    fmt_pct,
    fmt_score,
    formula_lines,
    markdown_table,
    md_escape,
    raw,
    violation_text,
)
from tradeoff.render.views import (
    FILLED_NOTE,
    RankView,
    any_filled,
    explain_filled,
    explain_heading,
    explain_value,
    infeasible_text,
    odds_cells,
    pareto_marks,
    value_cells,
    weights_text,
)


def _flag(x: bool) -> str:
    return "true" if x else "false"


def rank_csv(res: RankResult) -> str:
    """One row per candidate: rank, name, score, raw metric values, front membership.

    With `--all` and infeasible candidates, `feasible` and `violations` columns follow and the
    infeasible rows come last, unranked and unscored.
    """
    show_bad = bool(res.show_infeasible and res.infeasible)
    header = ["rank", "name", "score", *[m.header for m in res.metrics], "on_front", "dominated_by"]
    rows = [
        [
            r.rank,
            r.name,
            raw(r.score),
            *map(raw, r.values),
            _flag(r.on_front),
            ";".join(r.dominated_by),
            *(["true", ""] if show_bad else []),
        ]
        for r in res.rows
    ]
    if show_bad:
        header += ["feasible", "violations"]
        rows += [
            [
                "",
                r.name,
                "",
                *map(raw, r.values),
                "false",
                "",
                "false",
                "; ".join(violation_text(v, res.metrics, exact=True) for v in r.violations),
            ]
            for r in res.infeasible
        ]
    if any(r.uncertainty for r in res.rows):  # --uncertainty: its columns come last
        header += ["p_first", "rank_median", "rank_low", "rank_high", "tied_with_leader"]
        for row, r in zip(
            rows, [*res.rows, *([] if not show_bad else res.infeasible)], strict=True
        ):
            u = r.uncertainty
            if u is not None:
                row += [raw(u.p_first), raw(u.rank_median), *u.rank_interval]
                row.append(_flag(u.tied_with_leader))
            else:
                row += ["", "", "", "", ""]
        groups = res.groups  # drawn already with --uncertainty
        if groups is not None and groups.source is not None:
            header.append("group")
            for k, row in enumerate(rows):
                row.append((groups.letters[k] if k < len(groups.letters) else None) or "")
    return csv_text(header, rows)


def pareto_csv(res: ParetoResult) -> str:
    """One row per candidate: layer, name, knee, raw metric values, dominated_by."""
    header = ["layer", "name", "knee", *[m.header for m in res.metrics], "dominated_by"]
    rows = [
        [r.layer, r.name, _flag(r.knee), *map(raw, r.values), ";".join(r.dominated_by)]
        for r in res.rows
    ]
    if any(not r.feasible for r in res.rows):
        header.append("feasible")
        rows = [[*row, _flag(r.feasible)] for row, r in zip(rows, res.rows, strict=True)]
    if res.noise is not None:
        header.append("noise_only")
        rows = [[*row, _flag(r.noise_only)] for row, r in zip(rows, res.rows, strict=True)]
    return csv_text(header, rows)


def explain_csv(res: ExplainResult) -> str:
    """One row for the explained candidate, as every CSV: name, rank, score, feasible, then per
    metric its value under `metric [unit]` and `metric normalized`, `metric weight`, `metric
    contribution`, `metric stderr`; then `violations` and `dominated_by` (lists joined with ';',
    a dominator as `name (better on a, b)`).
    """
    header = ["name", "rank", "score", "feasible"]
    row = [res.name, "" if res.rank is None else str(res.rank), raw(res.score)]
    row.append("true" if res.feasible else "false")
    for line in res.lines:
        m = line.metric.name
        header += [line.metric.header, f"{m} normalized", f"{m} weight"]
        header += [f"{m} contribution", f"{m} stderr"]
        row += [raw(line.value), raw(line.normalized), raw(line.weight)]
        row += [raw(line.contribution), raw(line.stderr)]
    metrics = [line.metric for line in res.lines]
    failed = [b for b in res.budgets if b.status != "pass"]
    header += ["violations", "dominated_by"]
    row.append("; ".join(violation_text(b, metrics, exact=True) for b in failed))
    row.append(";".join(f"{n} (better on {', '.join(on)})" for n, on in res.dominated_by))
    return csv_text(header, [row])


_FILLED_NOTE = "\\* " + FILLED_NOTE.replace("(--missing worst)", "(`--missing worst`)")


def _rank_row(
    r: Row, cells: list[str], noisy: bool, metrics: list[MetricSpec], letter: list[str]
) -> list[str]:
    odds = [*(odds_cells(r.uncertainty) if noisy else []), *letter]
    if not r.feasible:
        why = "infeasible: " + "; ".join(violation_text(v, metrics) for v in r.violations)
        return [DASH, r.name, DASH, *odds, *cells, why]
    pareto = "front" if r.on_front else "dominated by " + ", ".join(r.dominated_by)
    return [str(r.rank), r.name, fmt_score(r.score), *odds, *cells, pareto]


def rank_markdown(res: RankResult) -> str:
    view = RankView.of(res)
    header = ["#", "candidate", "score", *(["P(1st)", "rank 90%"] if view.noisy else [])]
    header += ["group"] if view.letters else []
    header += [*[m.header for m in res.metrics], "pareto"]
    rows = [
        _rank_row(r, cells, view.noisy, res.metrics, [view.letters[k]] if view.letters else [])
        for k, (r, cells) in enumerate(zip(view.rows, view.cells, strict=True))
    ]
    right = set(range(len(header) - 1)) - {1} - ({header.index("group")} if view.letters else set())
    title = f"**{md_escape(res.title)}**: " if res.title else ""
    head = f"{title}profile `{res.profile}`, {res.method}\n\n"
    notes = []
    if any_filled(res.rows):
        notes.append(_FILLED_NOTE)
    if res.confidence:
        notes.append(md_escape(res.confidence))
    if view.groups_line:
        notes.append(md_escape(view.groups_line))
    notes.append(md_escape(weights_text(res)))
    if infeasible := infeasible_text(res):
        notes.append(md_escape(infeasible))
    tail = "".join(f"\n{n}\n" for n in notes)
    return head + markdown_table(header, rows, right) + tail


def pareto_markdown(res: ParetoResult) -> str:
    header = (["layer"] if res.layers else []) + [
        "candidate",
        *[m.header for m in res.metrics],
        "note",
    ]
    rows = [
        ([str(r.layer)] if res.layers else [])
        + [
            r.name,
            *value_cells(r),
            "; ".join(
                [
                    *pareto_marks(r),
                    *([] if r.on_front else ["dominated by " + ", ".join(r.dominated_by)]),
                ]
            ),
        ]
        for r in res.rows
    ]
    first = 2 if res.layers else 1
    right = set(range(first, len(header) - 1)) | ({0} if res.layers else set())
    tail = f"\n{md_escape(res.hypervolume.summary())}\n" if res.hypervolume else ""
    return markdown_table(header, rows, right) + tail


def explain_markdown(res: ExplainResult) -> str:
    head = explain_heading(res, f"**{md_escape(res.name)}**")
    table = markdown_table(
        ["metric", "value", "normalized", "weight", "contribution", "stderr"],
        (
            [
                line.metric.header,
                explain_value(line),
                fmt(line.normalized, digits=3),
                f"{line.weight:.2f}",
                fmt(line.contribution, digits=3),
                fmt(line.stderr),
            ]
            for line in res.lines
        ),
        {1, 2, 3, 4, 5},
    )
    metrics = [line.metric for line in res.lines]
    parts = [f"{head} (profile `{res.profile}`, {res.method})\n\n{table}"]
    if explain_filled(res.lines):
        parts.append(f"\n{_FILLED_NOTE}\n")
    if lines := formula_lines(res):
        parts.append("\n" + "".join(f"- {md_escape(text)}\n" for text in lines))
    if res.budgets:
        parts.append(
            "\n"
            + "".join(
                f"- {b.status}: {md_escape(budget_text(b, metrics))}"
                f" (headroom {fmt_pct(b.headroom)}, line {b.line})\n"
                for b in res.budgets
            )
        )
    if res.dominated_by:
        parts.append(
            "\n"
            + "".join(
                f"- dominated by {md_escape(n)}"
                f"{' (infeasible)' if n in res.dominated_by_infeasible else ''}"
                f": better on {', '.join(on)}\n"
                for n, on in res.dominated_by
            )
        )
    return "".join(parts)
