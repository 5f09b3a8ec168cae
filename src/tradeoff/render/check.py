"""Renderers of `tradeoff check`: text, json, github, junit, markdown. Formatting only."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from tradeoff.errors import Diagnostic
from tradeoff.questions.check_result import CheckResult, Dominated, Finding, error_json
from tradeoff.questions.record import SCHEMA_VERSION
from tradeoff.questions.regression import Comparison
from tradeoff.render.check_table import Line, sections
from tradeoff.render.escape import annotation_data as escape_data
from tradeoff.render.escape import annotation_property as escape_property
from tradeoff.render.escape import xml as xml_safe
from tradeoff.render.findings import (
    TIMES,
    budget_text,
    case_name,
    regression_text,
    regression_title,
)
from tradeoff.render.fmt import fmt, markdown_table, md_escape
from tradeoff.render.layout import to_text

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET


def lines(res: CheckResult) -> list[Line]:
    """Every violation, budgets first (in result order), then dominance findings."""
    out = [_budget_line(f) for f in res.violations]
    out += [_dominated_line(d, by) for d, by in _group(res.dominated)]
    return out


def regression_lines(res: CheckResult) -> list[Line]:
    """Every regression against the baseline, in candidate then check order."""
    return [_regression_line(res, c) for c in res.regressions]


def _regression_line(res: CheckResult, c: Comparison) -> Line:
    assert res.baseline is not None  # there are regressions only with a baseline
    text = regression_text(c, res.baseline)
    return Line(c.file, c.line, c.col, c.candidate, regression_title(c), text, "error", "")


def _budget_line(f: Finding) -> Line:
    r = f.result
    note = "warn budget, failing under --strict" if f.failing and r.level == "warn" else ""
    return Line(
        file=f.file,
        line=r.line,
        col=r.col,
        candidate=r.candidate,
        title=f"budget {r.metric}",
        text=budget_text(f),
        level="error" if f.failing else "warning",
        note=note,
    )


def _group(found: list[Dominated]) -> list[tuple[Dominated, list[Dominated]]]:
    groups: dict[tuple[str, str], list[Dominated]] = {}
    for d in found:
        groups.setdefault((d.file, d.candidate), []).append(d)
    return [(ds[0], ds) for ds in groups.values()]


def _dominated_line(d: Dominated, by: list[Dominated]) -> Line:
    who = ", ".join(f"{x.by} (better on {', '.join(x.better_on)})" for x in by)
    return Line(d.file, d.line, 0, d.candidate, "dominated", f"dominated by {who}", "error", "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verdict(res: CheckResult) -> str:
    """One line: passed or failed, and what was checked."""
    where = res.files[0] if len(res.files) == 1 else f"{len(res.files)} files"
    scope = (
        f"{_plural(res.checked_count, 'candidate')} checked against "
        f"{_plural(res.budget_count, 'budget')} in {where}"
    )
    parts = []
    if unreadable := res.unreadable:
        n = len(unreadable)
        parts.append(f"{_plural(n, 'file')} could not be read ({', '.join(unreadable)})")
    if res.failures:
        parts.append(_plural(len(res.failures), "failing violation"))
    if res.dominated:
        parts.append(f"{len({(d.file, d.candidate) for d in res.dominated})} dominated")
    if res.regressions:
        parts.append(_plural(len(res.regressions), "regression"))
    if res.warnings:
        parts.append(_plural(len(res.warnings), "warning"))
    if res.baseline is not None:
        scope += f", {len(res.baseline.compared)} compared with {res.baseline.baseline.file}"
    if res.pessimistic:
        scope += f"; pessimistic: budgets at value ± 2{TIMES}stderr"
    strict = " (--strict: warnings fail)" if res.strict and res.failures else ""
    if res.passed:
        found = f" with {_plural(len(res.warnings), 'warning')}" if res.warnings else ""
        return f"check passed{found or ': no violations'} ({scope})"
    return f"check FAILED: {', '.join(parts)}{strict} ({scope})"


def _tight_text(f: Finding) -> str:
    r = f.result
    room = "limit 0" if r.headroom is None else f"{r.headroom:.1%} headroom"
    return f"{r.candidate}: {budget_text(f)} ({room}, {f.file}:{r.line})"


# text


def _errors_first(shown: list[Line]) -> list[Line]:
    return sorted(shown, key=lambda v: v.level != "error")


def check_text(res: CheckResult, color: bool = False, width: int = 100) -> str:
    """The violations (when any) in a section per file, errors first, then the regressions,
    the verdict, and on success the tightest passes."""
    tables = sections(lines(res), "violation", width) if lines(res) else []
    if regressions := regression_lines(res):
        tables += ([Text("")] if tables else []) + sections(
            regressions, "regression", width, levels=False
        )
    out = _rstrip(to_text(tables, color=color, width=width)) if tables else ""
    # Lines naming files and candidates are not wrapped at the terminal width.
    said = [Text(verdict(res), style="bold green" if res.passed else "bold red")]
    if res.passed and (tight := res.tightest()):
        said.append(Text("tightest passes:"))
        said += [Text(f"  {_tight_text(f)}") for f in tight]
    return out + to_text(said, color=color, width=width, soft_wrap=True)


# github


def command(name: str, props: dict[str, str | int], message: str) -> str:
    """`::name k=v,k=v::message` with every part escaped; empty or 0 properties are left out."""
    kv = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v)
    return f"::{name}{' ' + kv if kv else ''}::{escape_data(message)}"


def check_github(res: CheckResult) -> str:
    """One workflow command per violation: ::error for failing ones, ::warning otherwise."""
    out = []
    for v in lines(res) + regression_lines(res):
        message = f"{v.candidate}: {v.text}" + (f" ({v.note})" if v.note else "")
        props: dict[str, str | int] = {"file": v.file, "line": v.line, "col": v.col}
        props["title"] = v.title
        out.append(command(v.level, props, message) + "\n")
    return "".join(out) + github_problems(res.errors)


def github_problems(diagnostics: Sequence[Diagnostic]) -> str:
    """Bad input as ::error commands, so a broken goals file is annotated where it is broken."""
    out = []
    for d in diagnostics:
        props: dict[str, str | int] = {"file": d.file, "line": d.line, "col": d.col}
        props["title"] = "invalid input"
        out.append(command("error", props, f"{d.where}: {d.what}" if d.where else d.what) + "\n")
    return "".join(out)


def json_problems(diagnostics: Sequence[Diagnostic]) -> str:
    """Bad input as the check JSON of a failed run: `passed` false and an `errors` list, with
    the keys of every check document (SPEC "JSON shapes": scripts rely on them) left empty."""
    doc: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "command": "check",
        "passed": False,
        **{k: [] for k in ("checked", "violations", "results", "dominated", "regressions")},
        "errors": [error_json(d) for d in diagnostics],
        "closest": [],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def junit_problems(diagnostics: Sequence[Diagnostic]) -> str:
    """Bad input as a JUnit report: one test case per problem, each with an <error>."""
    import xml.etree.ElementTree as ET

    suite = ET.Element("testsuite", name="tradeoff check")
    _error_cases(suite, diagnostics)
    return _junit_document(suite, failures=0, errors=len(diagnostics))


def _error_cases(suite: ET.Element, diagnostics: Sequence[Diagnostic]) -> None:
    import xml.etree.ElementTree as ET

    for d in diagnostics:
        attrs = {"classname": xml_safe(d.file), "name": xml_safe(f"valid input: {d.where}")}
        attrs.update(time="0", file=xml_safe(d.file), line=str(d.line))
        case = ET.SubElement(suite, "testcase", attrs)
        error = ET.SubElement(case, "error", message=xml_safe(d.what), type="invalid input")
        error.text = xml_safe(str(d))


def _junit_document(suite: ET.Element, failures: int, errors: int) -> str:
    import xml.etree.ElementTree as ET

    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    ET.indent(suite)
    body = ET.tostring(suite, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


# junit


def _case_name(f: Finding) -> str:
    b = f.budget
    name = f"budget {b.metric} {b.bound} {fmt(b.limit)}"
    if b.level == "warn":
        name += " (warn)"
    if b.tags is not None:
        name += f" [tags: {', '.join(sorted(b.tags))}]"
    return name


def check_junit(res: CheckResult) -> str:
    """One testsuite; one testcase per (candidate, applicable budget), plus one per candidate
    judged for dominance with --fail-on-dominated; a <failure> per failing violation, and
    warnings as <system-out>."""
    import xml.etree.ElementTree as ET  # only junit needs it: kept off the start-up path

    suite = ET.Element("testsuite", name="tradeoff check")
    failures = 0

    def case(classname: str, name: str, file: str, line: int) -> ET.Element:
        attrs = {"classname": xml_safe(classname), "name": xml_safe(name), "time": "0"}
        attrs.update(file=xml_safe(file), line=str(line))
        return ET.SubElement(suite, "testcase", attrs)

    for f in res.results:
        r = f.result
        tc = case(r.candidate, _case_name(f), f.file, r.line)
        if not f.violated:
            continue
        v = _budget_line(f)
        where = f"{v.file}:{v.line}:{v.col}: {v.candidate}: {v.text}"
        if f.failing:
            failures += 1
            kind = "no value" if r.value is None else "budget"
            fail = ET.SubElement(tc, "failure", message=xml_safe(v.text), type=kind)
            fail.text = xml_safe(where + (f" ({v.note})" if v.note else ""))
        else:
            ET.SubElement(tc, "system-out").text = xml_safe(f"warning: {where}")
    dominated = {(d.file, d.candidate): d for d, _ in _group(res.dominated)}
    by_candidate = {(d.file, d.candidate): ds for d, ds in _group(res.dominated)}
    for file, name in res.judged:
        tc = case(name, "not dominated", file, 0)
        if (file, name) in dominated:
            failures += 1
            tc.set("line", str(dominated[file, name].line))  # the candidate's metrics
            v = _dominated_line(dominated[file, name], by_candidate[file, name])
            fail = ET.SubElement(tc, "failure", message=xml_safe(v.text), type="dominated")
            fail.text = xml_safe(f"{v.where}: {v.candidate}: {v.text}")
        else:
            del tc.attrib["line"]
    for c in res.baseline.comparisons if res.baseline is not None else []:
        tc = case(c.candidate, case_name(c), c.file, c.line)
        if not c.line:
            del tc.attrib["line"]
        if c.failed:
            failures += 1
            v = _regression_line(res, c)
            fail = ET.SubElement(tc, "failure", message=xml_safe(v.text), type=c.kind or "")
            fail.text = xml_safe(f"{v.where}: {v.candidate}: {v.text}")
    _error_cases(suite, res.errors)
    return _junit_document(suite, failures=failures, errors=len(res.errors))


# markdown


def check_markdown(res: CheckResult) -> str:
    """For $GITHUB_STEP_SUMMARY: the verdict, a table of violations, the tightest passes."""
    mark = "✅" if res.passed else "❌"
    out = [f"### {mark} tradeoff {md_escape(verdict(res))}\n"]
    shown = _errors_first(lines(res))
    if shown:
        rows = [
            [v.candidate, v.text + (f" ({v.note})" if v.note else ""), v.level_word, v.where]
            for v in shown
        ]
        out.append(markdown_table(["candidate", "violation", "level", "where"], rows, set()))
    if regressions := regression_lines(res):
        rows = [[v.candidate, v.text, v.where] for v in regressions]
        out.append(markdown_table(["candidate", "regression", "where"], rows, set()))
    if res.errors:
        rows = [
            [d.file, str(d.line or ""), f"{d.where}: {d.what}" if d.where else d.what]
            for d in res.errors
        ]
        out.append("Input errors:\n")
        out.append(markdown_table(["file", "line", "error"], rows, {1}))
    if res.passed and (tight := res.tightest()):
        rows = [
            [
                f.result.candidate,
                budget_text(f),
                "-" if f.result.headroom is None else f"{f.result.headroom:.1%}",
                f"{f.file}:{f.result.line}",
            ]
            for f in tight
        ]
        out.append("Tightest passes:\n")
        out.append(markdown_table(["candidate", "budget", "headroom", "where"], rows, {2}))
    return "\n".join(out)


def _rstrip(text: str) -> str:
    # rich pads the last column; trailing blanks only get in the way of diffs and snapshots.
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


Renderer = Callable[[CheckResult, bool, int], str]

CHECK_RENDERERS: dict[str, Renderer] = {
    "text": check_text,
    "json": lambda r, c, w: r.to_json_text(),
    "github": lambda r, c, w: check_github(r),
    "junit": lambda r, c, w: check_junit(r),
    "markdown": lambda r, c, w: check_markdown(r),
}
