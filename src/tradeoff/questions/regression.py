"""`tradeoff check --baseline`: what changed since the baseline, candidate by candidate.

Each compared candidate gets one `Comparison` per check: present and feasible, still on the front
(for members of the baseline's front), and, per metric of the baseline's `metrics`, not worse
than it was beyond the tolerance. The failing comparisons are the regressions. Nothing here
prints or exits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import MetricSpec, StudyData
from tradeoff.engine import budgets
from tradeoff.errors import Diagnostic, InputError, did_you_mean, excerpt
from tradeoff.questions.analysis import MAX_DOMINATORS, Analysis, Missing, Options, analyse
from tradeoff.questions.baseline import Baseline, BaselineEntry
from tradeoff.questions.results import num
from tradeoff.questions.tolerance import Tolerance

Kind = Literal["missing", "infeasible", "left_front", "worse", "no_value", "hypervolume"]
Check = Literal["present", "front", "metric", "hypervolume"]
Rule = Literal["default", "2*stderr", "abs", "pct"]


@dataclass(frozen=True)
class Comparison:
    """One (candidate, baseline check) pair; a regression when `kind` is not None.

    `check` is "present" (in the file and feasible), "front" (still non-dominated; only for
    members of the baseline's front) or "metric" (not worse than the baseline beyond
    `tolerance`). `line`/`col` locate the candidate's value of `metric` in the goals file (its
    `metrics:` key for the other checks; 0 when the candidate is gone).
    """

    file: str
    candidate: str
    check: Check
    kind: Kind | None = None
    metric: str | None = None
    baseline: float | None = None
    current: float | None = None
    tolerance: float | None = None
    rule: Rule | None = None
    dominated_by: tuple[str, ...] = ()
    better_on: tuple[tuple[str, ...], ...] = ()  # per dominator, the metrics it is better on
    failed_budgets: tuple[str, ...] = ()  # for "infeasible": the metrics of its broken budgets
    line: int = 0
    col: int = 0
    # for "hypervolume" (the whole front, `candidate` is "(front)"): who left it and who joined
    left: tuple[str, ...] = ()
    joined: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.kind is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "kind": self.kind,
            "metric": self.metric,
            "baseline": num(self.baseline),
            "current": num(self.current),
            "tolerance": num(self.tolerance),
            "tolerance_rule": self.rule,
            "dominated_by": list(self.dominated_by),
            "file": self.file,
            "line": self.line or None,
            "col": self.col or None,
            **(
                {"left": list(self.left), "joined": list(self.joined)}
                if self.check == "hypervolume"
                else {}
            ),
        }


@dataclass(frozen=True)
class BaselineReport:
    """Every comparison of one goals file with a baseline, in candidate then check order."""

    baseline: Baseline
    file: str
    compared: list[str]
    comparisons: list[Comparison]
    specs: list[MetricSpec] = field(default_factory=list)  # the goals file's metrics (units)
    tolerances: dict[str, Tolerance] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def regressions(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.failed]

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.baseline.file,
            "metrics": list(self.baseline.metrics),
            "compared": list(self.compared),
            "tolerances": {m: t.text for m, t in self.tolerances.items()},
        }


# Comparing


def compare(
    data: StudyData,
    baseline: Baseline,
    candidates: Sequence[str] | None = None,
    tolerances: Mapping[str, Tolerance] | None = None,
    missing: Missing = "error",
    hypervolume_tolerance: float | None = None,
) -> BaselineReport:
    """Compare the candidates of a goals file with a baseline.

    The current front is judged as `pareto` judges it: among the feasible candidates, on the
    baseline's `metrics`, with `missing` as the policy for missing values. A candidate fails
    (one regression per finding) when it is gone ("missing"), infeasible now ("infeasible"),
    was on the baseline's front and is dominated now ("left_front", naming at most 3 front
    members that dominate it, by name), lacks a value it had ("no_value"), or has a metric
    worse than its baseline value by more than the tolerance ("worse"; strictly more, so a
    change equal to the tolerance passes). The tolerance of a metric is its `--tolerance`
    (absolute, or percent of the baseline value), else 2·stderr where the current value has
    a stderr, else 0. A metric whose baseline value is null is not compared.

    Args:
        data: the current goals file.
        baseline: from `load_baseline`.
        candidates: the names to compare (default: the baseline's front). Names the baseline
            does not hold are noted and skipped.
        tolerances: per metric, from `resolve_tolerances`.
        missing: "error", "exclude" or "worst", as for `pareto`.
        hypervolume_tolerance: a share (0.02 for 2 %): the current front's hypervolume,
            measured with the baseline's goalposts and reference point, fails ("hypervolume")
            when it fell by more than this share of the baseline's.

    Raises:
        tradeoff.InputError: a metric of the baseline is not a metric of the goals file; or,
            with `missing="error"`, a feasible candidate lacks a value of one of the metrics.
    """
    tols = dict(tolerances or {})
    unknown = [m for m in baseline.metrics if m not in data.metric_names]
    if unknown:
        raise InputError(
            Diagnostic(
                baseline.file,
                0,
                0,
                "metrics",
                f"'{m}' is not a metric of {data.file}{did_you_mean(m, data.metric_names)}",
            )
            for m in unknown
        )
    scale = _unit_scales(data, baseline)
    was = baseline.units or {}
    notes = [
        f"{baseline.file}: {m} converted from {was[m]} to {data.metrics[data.metric_index(m)].unit}"
        for m in scale
    ]
    notes += [
        f"--tolerance {m}: {baseline.file} does not compare {m} (it compares "
        f"{', '.join(baseline.metrics)}), so this tolerance is unused"
        for m in tols
        if m not in baseline.metrics
    ]
    if candidates is None:
        entries = baseline.front
        if not entries:
            notes.append(f"{baseline.file}: the baseline's front is empty; nothing to compare")
    else:
        entries = []
        for name in candidates:
            e = baseline.entry(name)
            if e is None:
                notes.append(f"{name} is not in {baseline.file}; nothing to compare it with")
            else:
                entries.append(e)
    a = analyse(data, Options(metrics=baseline.metrics, missing=missing), score=False)
    front_by_name = a.front_members(by_score=False)
    considered = set(a.rows.tolist())
    index = {n: i for i, n in enumerate(data.names)}
    out: list[Comparison | None] = []
    for e in entries:
        i = index.get(e.name)
        if i is None:
            out.append(Comparison(data.file, e.name, "present", "missing"))
            continue
        line = int(data.cand_lines[i])
        if a.feasible[i]:
            out.append(Comparison(data.file, e.name, "present", line=line))
        else:
            broken = budgets.results(data, np.array([i], dtype=np.intp), only_failed=True)
            failed = tuple(dict.fromkeys(r.metric for r in broken if r.level == "error"))
            out.append(
                Comparison(
                    data.file, e.name, "present", "infeasible", failed_budgets=failed, line=line
                )
            )
        if e.layer == 1 and a.feasible[i] and i in considered:
            out.append(_front(a, i, front_by_name, e.name, line))
        elif e.layer == 1 and a.feasible[i]:
            notes.append(f"{data.file}: {e.name} lacks a value and was not judged for the front")
        out += [_metric(data, i, e, m, tols.get(m), scale.get(m, 1.0)) for m in baseline.metrics]
    if hypervolume_tolerance is not None:
        out.append(_volume_change(a, baseline, scale, hypervolume_tolerance))
    return BaselineReport(
        baseline=baseline,
        file=data.file,
        compared=[e.name for e in entries],
        comparisons=[c for c in out if c is not None],
        specs=data.metrics,
        tolerances=tols,
        notes=notes,
    )


def _front(a: Analysis, i: int, members: NDArray[np.intp], name: str, line: int) -> Comparison:
    file = a.data.file
    if a.front[i]:
        return Comparison(file, name, "front", line=line)
    doms = a.dominators(i, members, a.dom)[:MAX_DOMINATORS]
    return Comparison(
        file,
        name,
        "front",
        "left_front",
        dominated_by=tuple(a.data.names[k] for k in doms),
        better_on=tuple(tuple(a.better_on(k, i, a.dom)) for k in doms),
        line=line,
    )


def _volume_change(
    a: Analysis, baseline: Baseline, scale: Mapping[str, float], tolerance: float
) -> Comparison:
    from tradeoff.questions import volume

    data, file = a.data, baseline.file
    hv = baseline.volume
    if hv is None or hv.value is None:
        why = baseline.volume_problem or "its hypervolume is null (not computed when it was made)"
        raise InputError.single(
            file,
            0,
            0,
            "hypervolume",
            f"--hypervolume-tolerance needs the front's hypervolume: {why}",
        )
    specs = [data.metrics[data.metric_index(m)] for m in baseline.metrics]
    cols = np.array([data.metric_index(m) for m in baseline.metrics], dtype=np.intp)
    front = a.rows[a.front[a.rows]]
    posts = {
        m: (w * scale.get(m, 1.0), b * scale.get(m, 1.0)) for m, (w, b) in hv.goalposts.items()
    }
    ref = {m: r * scale.get(m, 1.0) for m, r in hv.reference.items()}
    now, note = volume.measure(specs, a.values[np.ix_(front, cols)], posts, ref)
    if now is None:
        raise InputError.single(file, 0, 0, "hypervolume", f"cannot measure the front now: {note}")
    names = [data.names[i] for i in front]
    was = [e.name for e in baseline.front]
    fell = hv.value - now > tolerance * abs(hv.value)
    return Comparison(
        data.file,
        "(front)",
        "hypervolume",
        "hypervolume" if fell else None,
        baseline=hv.value,
        current=now,
        tolerance=tolerance,
        rule="pct",
        left=tuple(n for n in was if n not in set(names)),
        joined=tuple(n for n in names if n not in set(was)),
    )


def _unit_scales(data: StudyData, baseline: Baseline) -> dict[str, float]:
    """Per baseline metric whose unit changed since the baseline, the factor that converts its
    baseline values to the current unit. A change that does not convert (or a unit added or
    dropped) is an error: comparing 0.79 s with 640 ms as bare numbers would hide a regression.
    A baseline without units (written by an older tradeoff) is taken as it is."""
    from tradeoff import units

    if baseline.units is None:
        return {}
    out: dict[str, float] = {}
    problems: list[Diagnostic] = []
    for m in baseline.metrics:
        if m not in baseline.units:
            continue
        was, now = baseline.units[m], data.metrics[data.metric_index(m)].unit
        if (was or "").strip() == (now or "").strip():
            continue
        try:
            if was is None or now is None:
                raise ValueError("a unit was added or removed")
            out[m] = units.factor(was, now)
        except ValueError:
            shown = [excerpt(u) if u else "no unit" for u in (was, now)]
            what = (
                f"the baseline has {m} in {shown[0]}, {data.file} in {shown[1]}, and they do not"
                " convert; compare against a baseline made with the current units"
            )
            problems.append(Diagnostic(baseline.file, 0, 0, f"units.{m}", what))
    if problems:
        raise InputError(problems)
    return out


def _metric(
    data: StudyData,
    i: int,
    e: BaselineEntry,
    metric: str,
    tol: Tolerance | None,
    scale: float = 1.0,
) -> Comparison | None:
    before = e.values.get(metric)
    if before is None:
        return None  # null in the baseline (filled by --missing worst): nothing to compare
    before *= scale
    j = data.metric_index(metric)
    now = float(data.values[i, j])
    line, col = int(data.lines[i, j]), int(data.cols[i, j])
    if math.isnan(now):
        return Comparison(
            data.file, e.name, "metric", "no_value", metric, before, line=line, col=col
        )
    se = float(data.stderr[i, j])
    rule: Rule
    if tol is not None:
        allowed, rule = tol.allowed(before), "pct" if tol.relative else "abs"
    elif math.isfinite(se):
        allowed, rule = 2 * se, "2*stderr"
    else:
        allowed, rule = 0.0, "default"
    worse = before - now if data.metrics[j].maximize else now - before
    kind: Kind | None = "worse" if worse > allowed else None
    return Comparison(
        data.file,
        e.name,
        "metric",
        kind,
        metric,
        before,
        now,
        allowed,
        rule,
        line=line,
        col=col,
    )
