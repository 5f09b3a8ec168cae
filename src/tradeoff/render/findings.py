"""How `check` findings read in every format: budget results (point or pessimistic values) and
baseline regressions. Formatting only; `render/check.py` lays them out."""

from __future__ import annotations

from tradeoff.data import MetricSpec
from tradeoff.questions.check_result import Finding
from tradeoff.questions.regression import BaselineReport, Comparison
from tradeoff.render.fmt import fmt, pass_text, violation_text

TIMES = "\N{MULTIPLICATION SIGN}"


def budget_text(f: Finding) -> str:
    """'latency_p95 920 ms > max 800 ms'; under --pessimistic, with how the value was reached:
    'latency_p95 812 ms (640 + 2x86) > max 800 ms' (with a multiplication sign)."""
    r = f.result
    plain = pass_text(r, [f.metric]) if r.status == "pass" else violation_text(r, [f.metric])
    if not (f.pessimistic and f.stderr and r.value is not None and f.point_value is not None):
        return plain
    sign = "+" if r.bound == "max" else "-"
    how = f"({fmt(f.point_value)} {sign} 2{TIMES}{fmt(f.stderr)})"
    # The plain text starts with "metric value[ unit] "; the derivation goes after the value.
    head = f"{r.metric} {fmt(r.value)}{_unit(f.metric)}"
    return f"{head} {how}{plain[len(head) :]}"


def _unit(m: MetricSpec | None) -> str:
    return f" {m.unit}" if m is not None and m.unit else ""


def regression_title(c: Comparison) -> str:
    """'regression quality', or 'regression left front' / 'missing' / 'infeasible'."""
    return f"regression {c.metric or (c.kind or '').replace('_', ' ')}"


def regression_text(c: Comparison, report: BaselineReport) -> str:
    """What changed, in words: 'quality 72.6 % -> 70.1 % (worse by 2.5 %; tolerance 0)'."""
    spec = next((m for m in report.specs if m.name == c.metric), None)
    unit = _unit(spec)
    base = report.baseline.file
    if c.kind == "missing":
        return f"gone: in {base} but not in {c.file}"
    if c.kind == "infeasible":
        broken = ", ".join(c.failed_budgets)
        return (
            f"infeasible now (breaks its {broken} budget{'s' if len(c.failed_budgets) > 1 else ''})"
        )
    if c.kind == "left_front":
        who = ", ".join(
            f"{n} (better on {', '.join(on)})"
            for n, on in zip(c.dominated_by, c.better_on, strict=True)
        )
        return f"left the front: dominated by {who}"
    if c.kind == "no_value":
        return f"no value for {c.metric} now ({base}: {fmt(c.baseline)}{unit})"
    if c.check == "hypervolume":
        return volume_text(c)
    assert c.baseline is not None and c.current is not None and c.tolerance is not None
    return (
        f"{c.metric} {fmt(c.baseline)}{unit} -> {fmt(c.current)}{unit} "
        f"(worse by {fmt(abs(c.current - c.baseline))}{unit}; {_tolerance(c, report, unit)})"
    )


def volume_text(c: Comparison) -> str:
    """'hypervolume 0.42 -> 0.39 (fell 7.1 %; tolerance 2 %); left the front: a; joined: b'."""
    assert c.baseline is not None and c.current is not None and c.tolerance is not None
    change = (c.baseline - c.current) / abs(c.baseline) if c.baseline else 0.0
    moved = "fell" if change > 0 else "rose"
    text = (
        f"hypervolume {fmt(c.baseline)} -> {fmt(c.current)} ({moved} {abs(change):.1%}; "
        f"tolerance {c.tolerance:.1%})"
    )
    who = [f"left the front: {', '.join(c.left)}"] if c.left else []
    who += [f"joined: {', '.join(c.joined)}"] if c.joined else []
    return "; ".join([text, *who])


def _tolerance(c: Comparison, report: BaselineReport, unit: str) -> str:
    amount = f"{fmt(c.tolerance)}{unit}"
    if c.rule == "2*stderr":
        return f"tolerance 2{TIMES}stderr = {amount}"
    if c.rule == "pct" and c.metric in report.tolerances:
        return f"tolerance {report.tolerances[c.metric].text} = {amount}"
    return "tolerance 0" if c.rule == "default" else f"tolerance {amount}"


def case_name(c: Comparison) -> str:
    """A JUnit testcase name that stays the same from run to run."""
    if c.check == "present":
        return "baseline: present and feasible"
    if c.check == "front":
        return "baseline: on the front"
    if c.check == "hypervolume":
        return "baseline: the front's hypervolume"
    return f"baseline: {c.metric} not worse"
