"""goals.yaml -> validated `StudyData`, with every problem reported at once and located."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from tradeoff import schema, units, yamlio
from tradeoff.data import BudgetSpec, MetricSpec, StudyData
from tradeoff.errors import Diagnostic, InputError, did_you_mean
from tradeoff.schema import Bound, GoalsFile, Measurement, describe, parse_quantity

IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _field_names() -> list[str]:
    """Every key the format knows, for "did you mean" on an unknown key."""
    names: set[str] = set()
    for obj in vars(schema).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            names.update(info.alias or key for key, info in obj.model_fields.items())
    return sorted(names)


def _real_loc(data: Any, loc: tuple[Any, ...]) -> yamlio.Loc:
    """The part of a pydantic `loc` that exists in the data (drops injected wrappers)."""
    out: list[str | int] = []
    for part in loc:
        in_map = isinstance(data, dict) and isinstance(part, str) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if in_map or in_list:
            data = data[part]
            out.append(part)
    return tuple(out)


def _message(err: Any) -> str:
    kind, value = err["type"], err.get("input")
    shown = describe(value)
    if kind == "missing":
        return f"missing required key '{err['loc'][-1]}'"
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        return f"unknown key '{key}'{did_you_mean(key, _field_names())}"
    if kind == "literal_error":
        return f"expected {err['ctx']['expected']}, got {shown}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping, got {shown}"
    if kind == "list_type":
        return f"expected a list, got {shown}"
    if kind == "string_type":
        return f"expected a string, got {shown}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {shown}"
    if kind.startswith("date"):
        return f"expected an ISO date (YYYY-MM-DD), got {shown}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("too_short", "too_long") and isinstance(value, list):
        return f"expected a list of 2 numbers [low, high], got {len(value)} item(s)"
    if kind == "too_short" and isinstance(value, dict):
        return "must not be empty"
    msg: str = err["msg"]
    msg = msg.removeprefix("Value error, ")
    return msg[:1].lower() + msg[1:]


def _translate(exc: ValidationError, doc: yamlio.Document) -> list[Diagnostic]:
    out: dict[yamlio.Loc, Diagnostic] = {}
    for err in exc.errors(include_url=False):
        loc = _real_loc(doc.data, err["loc"])
        if err["type"] == "missing":
            line, col = doc.pos(loc)
        elif err["type"] == "extra_forbidden":
            loc = (*loc, str(err["loc"][-1])) if err["loc"][-1] not in loc[-1:] else loc
            line, col = doc.pos(loc, key=True)
        else:
            line, col = doc.pos(loc)
        # One message per place: a union's other branches only repeat the first complaint.
        out.setdefault(loc, Diagnostic(doc.file, line, col, yamlio.format_loc(loc), _message(err)))
    return list(out.values())


def _maybe_number(value: Any) -> float | None:
    try:
        return parse_quantity(value)[0]
    except ValueError:
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class _Checker:
    """Second pass: cross-references and rules that span fields.

    It reads the raw data defensively, so it runs even when the first pass found problems and
    the user gets every complaint in one go.
    """

    def __init__(self, doc: yamlio.Document) -> None:
        self.doc = doc
        self.errors: list[Diagnostic] = []
        raw = _dict(doc.data.get("metrics"))
        self.metrics: dict[str, Any] | None = raw if raw else None

    def fail(self, loc: yamlio.Loc, what: str, *, key: bool = False) -> None:
        line, col = self.doc.pos(loc, key=key)
        self.errors.append(Diagnostic(self.doc.file, line, col, yamlio.format_loc(loc), what))

    def metric_ref(self, loc: yamlio.Loc, name: str) -> bool:
        if self.metrics is None or name in self.metrics:
            return True
        self.fail(loc, f"unknown metric '{name}'{did_you_mean(name, self.metrics)}", key=True)
        return False

    def single_budget(self, metric: str) -> bool:
        return isinstance(_dict(self.doc.data.get("budgets")).get(metric), dict)

    def run(self) -> None:
        data = self.doc.data
        for name, metric in (self.metrics or {}).items():
            loc: yamlio.Loc = ("metrics", name)
            if not IDENTIFIER_RE.fullmatch(name):
                what = "a metric name must be an identifier ([A-Za-z_][A-Za-z0-9_]*)"
                self.fail(loc, what, key=True)
            bounds = [_maybe_number(v) for v in _list(_dict(metric).get("range"))]
            if len(bounds) == 2 and None not in bounds and not bounds[0] < bounds[1]:  # type: ignore[operator]
                self.fail((*loc, "range"), "the low end of range must be below its high end")
            if "source" in _dict(metric):
                self.fail((*loc, "source"), "'source' is not supported yet", key=True)
        for name, bounds in _dict(data.get("budgets")).items():
            if not self.metric_ref(("budgets", name), name):
                continue
            single = isinstance(bounds, dict)
            for i, bound in enumerate([bounds] if single else _list(bounds)):
                bloc = ("budgets", name) if single else ("budgets", name, i)
                if isinstance(bound, dict) and "max" not in bound and "min" not in bound:
                    self.fail(bloc, "a budget needs 'max' or 'min'")
        for pname, weights in _dict(data.get("profiles")).items():
            ploc: yamlio.Loc = ("profiles", pname)
            if not isinstance(weights, dict):
                continue
            known = [self.metric_ref((*ploc, m), m) for m in weights]
            numbers = [_maybe_number(w) for w in weights.values()]
            if not weights:
                self.fail(ploc, "a profile needs at least one weight")
            elif all(known) and all(w is not None and w <= 0 for w in numbers):
                self.fail(ploc, "all weights are zero; at least one must be positive")
        if "workload" in data:
            self.fail(("workload",), "'workload' is not supported yet", key=True)
        self.candidates(_list(data.get("candidates")))

    def candidates(self, entries: list[Any]) -> None:
        seen: dict[str, int] = {}
        for i, cand in enumerate(entries):
            cloc: yamlio.Loc = ("candidates", i)
            if not isinstance(cand, dict):
                continue
            for extra in ("from", "price", "columns"):
                if extra in cand:
                    self.fail((*cloc, extra), f"'{extra}' is not supported yet", key=True)
            name = cand.get("name")
            if "name" not in cand and "from" not in cand:
                self.fail(cloc, "missing required key 'name'")
            elif isinstance(name, str) and name in seen:
                first = seen[name]
                self.fail(
                    (*cloc, "name"), f"duplicate candidate name '{name}' (first on line {first})"
                )
            elif isinstance(name, str):
                seen[name] = self.doc.line((*cloc, "name"))
            for metric, value in _dict(cand.get("metrics")).items():
                vloc = (*cloc, "metrics", metric)
                if not self.metric_ref(vloc, metric) or not isinstance(value, dict):
                    continue
                stderr = _maybe_number(value.get("stderr", 0))
                if stderr is not None and stderr < 0:
                    self.fail(
                        (*vloc, "stderr"), f"stderr must be at least 0, got {value['stderr']}"
                    )


def _number(checker: _Checker, loc: yamlio.Loc, raw: float | str, unit: str | None) -> float:
    number, given = parse_quantity(raw)
    if given is None:
        return number
    try:
        return units.convert(number, given, unit)
    except ValueError as exc:
        checker.fail(loc, str(exc))
        return float("nan")


def _build(goals: GoalsFile, checker: _Checker) -> StudyData:
    doc = checker.doc
    metrics = [
        MetricSpec(
            name=name,
            maximize=m.direction == "max",
            unit=m.unit,
            description=m.description,
            range=(m.range[0], m.range[1]) if m.range else None,
            additive=m.additive,
        )
        for name, m in goals.metrics.items()
    ]
    index = {m.name: j for j, m in enumerate(metrics)}
    n, d = len(goals.candidates), len(metrics)
    values = np.full((n, d), np.nan)
    stderr = np.full((n, d), np.nan)
    lines = np.zeros((n, d), dtype=np.int64)
    cols = np.zeros((n, d), dtype=np.int64)
    cand_lines = np.zeros(n, dtype=np.int64)
    provenance: dict[tuple[int, int], dict[str, Any]] = {}
    for i, cand in enumerate(goals.candidates):
        cloc: yamlio.Loc = ("candidates", i)
        anchor = (*cloc, "metrics") if (*cloc, "metrics") in doc.keys else (*cloc, "name")
        cand_lines[i] = doc.pos(anchor, key=True)[0]
        lines[i, :], cols[i, :] = doc.pos(anchor, key=True)
        for metric, value in cand.metrics.items():
            j = index.get(metric)
            if j is None or value is None:
                continue
            vloc = (*cloc, "metrics", metric)
            lines[i, j], cols[i, j] = doc.pos(vloc)
            unit = metrics[j].unit
            values[i, j] = _number(checker, vloc, value.value, unit)
            if value.stderr is not None:
                stderr[i, j] = _number(checker, (*vloc, "stderr"), value.stderr, unit)
            prov = _provenance(value)
            if prov:
                provenance[(i, j)] = prov
    budgets: list[BudgetSpec] = []
    for metric, bounds in goals.budgets.items():
        if metric not in index:
            continue
        for k, bound in enumerate(bounds):
            budgets.extend(_budget_specs(checker, metric, k, bound, metrics[index[metric]].unit))
    return StudyData(
        file=doc.file,
        title=goals.title,
        metrics=metrics,
        names=[c.name or "" for c in goals.candidates],
        tags=[frozenset(c.tags) for c in goals.candidates],
        values=values,
        stderr=stderr,
        lines=lines,
        cols=cols,
        cand_lines=cand_lines,
        provenance=provenance,
        budgets=budgets,
        profiles={k: dict(v) for k, v in goals.profiles.items()},
    )


def _budget_specs(
    checker: _Checker, metric: str, k: int, bound: Bound, unit: str | None
) -> Iterator[BudgetSpec]:
    doc = checker.doc
    single = checker.single_budget(metric)
    base: yamlio.Loc = ("budgets", metric) if single else ("budgets", metric, k)
    for side in ("max", "min"):
        raw = getattr(bound, side)
        if raw is None:
            continue
        loc = (*base, side)
        line, col = doc.pos(loc)
        yield BudgetSpec(
            metric=metric,
            bound=side,
            limit=_number(checker, loc, raw, unit),
            level=bound.level,
            tags=frozenset(bound.tags) if bound.tags is not None else None,
            line=line,
            col=col,
        )


def _provenance(value: Measurement) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if value.kind != "measured":
        out["kind"] = value.kind
    if value.date is not None:
        out["date"] = value.date.isoformat()
    if value.citation is not None:
        out["citation"] = value.citation
    return out


def load_document(doc: yamlio.Document) -> StudyData:
    """Validate a parsed document and build the study's arrays."""
    checker = _Checker(doc)
    checker.run()
    try:
        goals = GoalsFile.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(sorted({*_translate(exc, doc), *checker.errors})) from None
    data = _build(goals, checker)
    if checker.errors:
        raise InputError(sorted(set(checker.errors)))
    return data


def load_path(path: str | Path) -> StudyData:
    """Read, parse and validate a goals file."""
    return load_document(yamlio.load(path))
