"""`tradeoff check`: budgets (and optionally dominance) of chosen candidates, over several files.

The library half of the CI gate. It returns a `CheckResult`; the CLI renders it and exits 1 when
`CheckResult.passed` is false. Nothing here prints or exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Unpack

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import BudgetSpec, StudyData
from tradeoff.engine import budgets
from tradeoff.engine.budgets import BudgetResult
from tradeoff.errors import Diagnostic, InputError, UsageError, did_you_mean_name
from tradeoff.questions.analysis import (
    MAX_DOMINATORS,
    Missing,
    Options,
    analyse,
    dominance_metrics,
    metric_list,
)
from tradeoff.questions.asks import CheckAsk, CheckOptions, shown_as
from tradeoff.questions.baseline import Baseline, load_baseline
from tradeoff.questions.check_result import CheckResult, Dominated, Finding
from tradeoff.questions.closest import Closest, closest_of
from tradeoff.questions.regression import compare
from tradeoff.questions.scale import scale_warnings
from tradeoff.questions.tolerance import Tolerance, resolve_tolerances


def inputs(
    paths: Sequence[str | Path],
    allow_external_sources: bool,
    baseline: str | Path | Baseline | None,
    tolerances: Sequence[str | Tolerance],
) -> tuple[list[StudyData], Baseline | None, list[Tolerance], list[Diagnostic]]:
    """Parse the tolerances, then load every goals file and the baseline (a file named twice
    is loaded once). Returns the studies, the baseline, the tolerances and the input errors of
    the goals files that could not be read: those do not hide the findings of the others.

    Raises:
        tradeoff.InputError: no goals file could be read, or the baseline is malformed (with
            the diagnostics of every file that failed to load).
    """
    from tradeoff.goals.loader import load_path

    tols = _tolerances(tolerances)
    studies: list[StudyData] = []
    unreadable: list[Diagnostic] = []
    for path in dict.fromkeys(Path(p) for p in paths):
        try:
            studies.append(load_path(path, allow_external_sources))
        except InputError as exc:
            unreadable.extend(exc.diagnostics)
    problems = [] if studies else list(unreadable)
    base = None
    try:
        base = load_baseline(baseline) if isinstance(baseline, str | Path) else baseline
    except InputError as exc:
        problems.extend(exc.diagnostics)
    if problems:
        raise InputError(problems)
    return studies, base, tols, unreadable


def _tolerances(given: Sequence[str | Tolerance]) -> list[Tolerance]:
    return [t if isinstance(t, Tolerance) else Tolerance.parse(t) for t in given]


def check(studies: Sequence[StudyData], ask: CheckAsk) -> CheckResult:
    """Evaluate every budget against every candidate it applies to, in each study.

    A budget with `tags` applies only to candidates carrying one of them. A candidate without a
    value for a budgeted metric gets a "no value" violation at that budget's level (never a
    silent pass). The check fails on any error-level violation, on warn-level ones too when
    `strict`, and, with `fail_on_dominated`, when a checked feasible candidate is dominated by
    another feasible one (on `metrics`, default all; `missing` is the policy for values missing
    from those metrics). A checked candidate that is infeasible is already failing and is not
    judged for dominance.

    With `baseline` (one study only), it also fails on every regression that
    `tradeoff.questions.regression.compare` finds for the candidates named (default: the baseline's
    front). With `pessimistic`, each budget is evaluated at the value moved by 2·stderr in the
    unfavourable direction (value + 2·se against a max, value - 2·se against a min; values
    without stderr unchanged), and headroom too; feasibility for dominance and the front stays
    on the point values, as `pareto` judges it.

    `ask`'s fields say what each option means.

    Raises:
        tradeoff.errors.UsageError: an unknown candidate or metric name; a baseline with more
            than one study; tolerances without a baseline; metrics without fail_on_dominated.
        tradeoff.InputError: with `fail_on_dominated` and `missing="error"`, a candidate lacks a
            value of a dominance metric.
    """
    tols = _tolerances(ask.tolerances)  # a malformed one is refused before any file is read
    base = load_baseline(ask.baseline) if isinstance(ask.baseline, str | Path) else ask.baseline
    dom_metrics, hv_share = metric_list(ask.metrics), share(ask.hypervolume_tolerance)
    if base is not None and len(studies) != 1:
        raise UsageError(f"--baseline compares with one goals file, got {len(studies)}")
    if hv_share is not None and base is None:
        raise UsageError("--hypervolume-tolerance needs --baseline")
    if tols and base is None:
        raise UsageError("--tolerance needs --baseline")
    if dom_metrics is not None and not ask.fail_on_dominated:
        raise UsageError("--metrics narrows --fail-on-dominated: add that flag, or drop --metrics")
    known = {e.name for e in base.candidates} if base is not None else set()
    wanted = _wanted(studies, ask.candidates, known)
    tally = _Tally()
    for data in studies:
        rows = _rows(data, wanted)
        tally.add(data, rows, ask.strict, ask.pessimistic)
        if dom_metrics is not None:
            tally.dominance = dominance_metrics(data, dom_metrics)
        if ask.fail_on_dominated:
            tally.add_dominance(data, rows, dom_metrics, ask.missing)
    report = None
    if base is not None:
        data = studies[0]
        per_metric = resolve_tolerances(data, tols)
        report = compare(data, base, ask.candidates, per_metric, ask.missing, hv_share)
        tally.notes += report.notes
    return CheckResult(
        files=[s.file for s in studies],
        checked=list(tally.checked),
        results=tally.findings,
        budget_count=sum(len(s.budgets) for s in studies),
        strict=ask.strict,
        fail_on_dominated=ask.fail_on_dominated,
        dominance=tally.dominance,
        dominated=tally.dominated,
        judged=tally.judged,
        baseline=report,
        pessimistic=ask.pessimistic,
        notes=tally.notes,
        read=[p for s in studies for p in s.read],
        checked_count=tally.count,
        closest=tally.closest,
        scale_warnings=[w for data in studies for w in scale_warnings(data)],
    )


@dataclass
class _Tally:
    """What the files checked add up to, file after file."""

    checked: dict[str, None] = field(default_factory=dict)  # names, in order, once
    count: int = 0  # (file, candidate) pairs
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    closest: list[Closest] = field(default_factory=list)
    dominance: list[str] = field(default_factory=list)  # the metrics, as the last file has them
    dominated: list[Dominated] = field(default_factory=list)
    judged: list[tuple[str, str]] = field(default_factory=list)  # (file, name)

    def add(self, data: StudyData, rows: NDArray[np.intp], strict: bool, pessimistic: bool) -> None:
        """The budgets of `rows` of one file."""
        self.checked.update(dict.fromkeys(data.names[i] for i in rows))
        self.count += len(rows)
        if not data.budgets:
            self.notes.append(f"{data.file}: no budgets to check")
        self.findings += _findings(data, rows, strict, pessimistic)
        if pessimistic:
            from tradeoff.questions.confidence import unknown_cells, unknown_note

            bounded = list(dict.fromkeys(b.metric for b in data.budgets))
            cells = unknown_cells(data, rows.tolist(), bounded)
            self.notes += unknown_note(cells, "--pessimistic takes it as exact")
        if len(data.names) and not budgets.feasible(data).any():
            near = closest_of(data)
            self.closest += near
            self.notes.append(
                f"{data.file}: no candidate is feasible; closest: "
                + "; ".join(c.text() for c in near)
            )

    def add_dominance(
        self,
        data: StudyData,
        rows: NDArray[np.intp],
        metrics: Sequence[str] | None,
        missing: Missing,
    ) -> None:
        """Which of `rows` a feasible front member dominates (--fail-on-dominated)."""
        if not len(rows):
            return
        found, self.dominance, excluded, names = _dominated(data, rows, metrics, missing)
        self.dominated += found
        self.judged += [(data.file, n) for n in names]
        self.notes += [
            f"{data.file}: {name} lacks {', '.join(lacks)} and was not judged for dominance"
            for name, lacks in excluded
        ]


def _wanted(
    studies: Sequence[StudyData], candidates: Sequence[str] | None, also: set[str]
) -> set[str] | None:
    if candidates is None:
        return None
    candidates = list(dict.fromkeys(candidates))
    # A name the baseline holds is known even when it is gone from the file: that is a finding.
    known = {n for s in studies for n in s.names} | also
    for name in candidates:
        if name not in known:
            hint = did_you_mean_name(name, sorted(known))
            raise UsageError(f"--candidate: unknown candidate '{name}'{hint}")
    return set(candidates)


def _rows(data: StudyData, wanted: set[str] | None) -> NDArray[np.intp]:
    if wanted is None:
        return np.arange(len(data.names), dtype=np.intp)
    return np.array([i for i, n in enumerate(data.names) if n in wanted], dtype=np.intp)


def _findings(
    data: StudyData, rows: NDArray[np.intp], strict: bool, pessimistic: bool
) -> list[Finding]:
    by_name = {m.name: m for m in data.metrics}
    index = {n: i for i, n in enumerate(data.names)}
    # `budgets.results` lists a candidate's results in the order of the budgets in the file, so
    # zipping them with that candidate's applicable budgets pairs each result with its budget.
    pending: dict[str, list[BudgetSpec]] = {}
    out: list[Finding] = []
    for r in budgets.results(data, rows):
        if r.candidate not in pending:
            tags = data.tags[index[r.candidate]]
            pending[r.candidate] = [b for b in data.budgets if b.applies_to(tags)]
        budget = pending[r.candidate].pop(0)
        point, se = r.value, None
        if pessimistic:
            se = float(data.stderr[index[r.candidate], data.metric_index(r.metric)])
            se = se if np.isfinite(se) else None
            r = _pessimistic(r, budget, se)
        failing = r.failed and (r.level == "error" or strict)
        out.append(
            Finding(data.file, r, budget, by_name[r.metric], failing, pessimistic, point, se)
        )
    return out


def _pessimistic(r: BudgetResult, budget: BudgetSpec, se: float | None) -> BudgetResult:
    """The result at value + 2·se against a max, value - 2·se against a min."""
    if r.value is None or se is None:
        return r
    value = r.value + 2 * se if budget.bound == "max" else r.value - 2 * se
    broken = value > budget.limit if budget.bound == "max" else value < budget.limit
    status: budgets.Status = ("fail" if budget.level == "error" else "warn") if broken else "pass"
    return replace(r, value=value, status=status, headroom=budgets.headroom(value, budget))


def _dominated(
    data: StudyData, rows: NDArray[np.intp], metrics: Sequence[str] | None, missing: Missing
) -> tuple[list[Dominated], list[str], list[tuple[str, list[str]]], list[str]]:
    opts = Options(metrics=metrics, missing=missing)
    a = analyse(data, opts, score=False)
    considered = set(a.rows.tolist())
    front = a.rows[a.front[a.rows]]
    excluded = dict(a.excluded)
    found: list[Dominated] = []
    lacking: list[tuple[str, list[str]]] = []
    judged: list[str] = []
    for i in (int(k) for k in rows):
        if not a.feasible[i]:
            continue  # already failing its budgets
        if i not in considered:
            lacking.append((data.names[i], excluded.get(i, [])))
            continue
        judged.append(data.names[i])
        if a.front[i]:
            continue
        doms = sorted(a.dominators(i, front, a.dom), key=lambda k: data.names[k])
        for k in doms[:MAX_DOMINATORS]:
            found.append(
                Dominated(
                    file=data.file,
                    candidate=data.names[i],
                    by=data.names[k],
                    better_on=a.better_on(k, i, a.dom),
                    line=int(data.cand_lines[i]),
                )
            )
    return found, a.dom, lacking, judged


def share(value: float | str | None) -> float | None:
    """A share given as 0.02 or "2%" (a bare "2" in text is refused: 2 or 2 %?)."""
    if value is None or isinstance(value, int | float):
        if value is not None and not (0 <= value < float("inf")):
            raise UsageError(f"--hypervolume-tolerance expects a share >= 0, got {value}")
        return None if value is None else float(value)
    text = value.strip()
    try:
        out = float(text.removesuffix("%")) / 100
    except ValueError:
        out = float("nan")
    if not text.endswith("%") or not (0 <= out < float("inf")):
        raise UsageError(f"--hypervolume-tolerance expects PCT% (e.g. 2%), got '{value}'")
    return out


@shown_as(CheckAsk, CheckOptions)
def check_files(
    paths: Sequence[str | Path],
    *,
    allow_external_sources: bool = False,
    **options: Unpack[CheckOptions],
) -> CheckResult:
    """`tradeoff check` over several goals files: the worst result of all of them.

    The options are `CheckAsk`'s (and `Study.check_result`'s). Every file, and the baseline, is
    loaded before anything is checked, so the errors of all of them are reported at once. A
    goals file that cannot be read does not hide the findings of the others: its input errors
    are the result's `errors` (and the result does not pass).

    Raises:
        tradeoff.InputError: no goals file could be read, or the baseline is malformed (every
            problem of every file).
        tradeoff.UsageError: as `check`.
    """
    ask = CheckAsk(**options)
    studies, base, tols, unreadable = inputs(
        paths, allow_external_sources, ask.baseline, ask.tolerances
    )
    return check(studies, replace(ask, baseline=base, tolerances=tols)).with_errors(unreadable)
