"""goals.yaml -> validated `StudyData`, with every problem reported at once and located."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from tradeoff import units, yamlio
from tradeoff.data import BudgetSpec, MetricSpec, StudyData
from tradeoff.errors import Diagnostic, InputError, did_you_mean
from tradeoff.schema import Bound, GoalsFile, Measurement, describe, parse_quantity
from tradeoff.yamlio import show_key

IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _unwrap(tp: Any) -> Any:
    """The model, dict or list type inside Annotated / Optional / union wrappers."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            inner = [a for a in typing.get_args(tp) if _is_container(a)]
            if not inner:
                return tp
            tp = inner[0]
        else:
            return tp


def _is_container(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _is_container(typing.get_args(tp)[0])
    if origin in (dict, list, typing.Union, types.UnionType):
        return True
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    return {info.alias or key: info.annotation for key, info in model.model_fields.items()}


def _keys_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the mapping at pydantic `loc`, for "did you mean" on an unknown key."""
    tp: Any = GoalsFile
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            tp = _fields(tp).get(str(part), tp)  # a union branch's tag leaves the type as it is
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        elif origin is list:
            tp = typing.get_args(tp)[0]
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(_fields(tp))
    return []


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
    kind, value, loc = err["type"], err.get("input"), err["loc"]
    shown = describe(value)
    last = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        return f"unknown key {show_key(key)}{did_you_mean(key, _keys_at(loc[:-1]))}"
    if kind == "literal_error" and loc == ("version",):
        return f"unsupported version {shown}; this tradeoff reads version 1"
    if kind == "literal_error":
        return f"expected {err['ctx']['expected']}, got {shown}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping, got {shown}"
    if kind == "list_type" and len(loc) == 2 and loc[0] == "budgets":
        return f"expected a bound such as {{max: 800}}, or a list of them, got {shown}"
    if kind == "list_type" and last == "range":
        return f"expected a list of 2 numbers [low, high], got {shown}"
    if kind == "list_type":
        return f"expected a list, got {shown}"
    if kind == "string_type":
        hint = " (quote it to use it as text)" if isinstance(value, int | float) else ""
        return f"expected a string, got {shown}{hint}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {shown}"
    if kind.startswith("date"):
        return f"expected an ISO date (YYYY-MM-DD), got {shown}"
    if kind in ("too_short", "too_long") and last == "range" and isinstance(value, list):
        return f"expected a list of 2 numbers [low, high], got {len(value)} item(s)"
    if kind == "too_short" and last == "tags":
        return "must not be empty (leave 'tags' out to apply the budget to every candidate)"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    msg: str = err["msg"]
    msg = msg.removeprefix("Value error, ")
    return msg[:1].lower() + msg[1:]


def _translate(exc: ValidationError, doc: yamlio.Document) -> list[Diagnostic]:
    out: dict[yamlio.Loc, Diagnostic] = {}
    for err in exc.errors(include_url=False):
        loc = _real_loc(doc.data, err["loc"])
        if err["type"] == "extra_forbidden":
            if err["loc"][-1] not in loc[-1:]:
                loc = (*loc, str(err["loc"][-1]))
            line, col = doc.pos(loc, key=True)
        else:
            # For a missing key this is the mapping that lacks it.
            line, col = doc.pos(loc)
        # One message per place: a union's other branches only repeat the first complaint.
        out.setdefault(loc, Diagnostic(doc.file, line, col, yamlio.format_loc(loc), _message(err)))
    return list(out.values())


def _under_any(diag: Diagnostic, roots: set[yamlio.Loc]) -> bool:
    names = [yamlio.format_loc(root) for root in roots]
    return any(diag.where == n or diag.where.startswith((n + ".", n + "[")) for n in names)


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
        self.unsupported: set[yamlio.Loc] = set()
        raw = _dict(doc.data.get("metrics"))
        self.metrics: dict[str, Any] | None = raw if raw else None

    def fail(self, loc: yamlio.Loc, what: str, *, key: bool = False) -> None:
        line, col = self.doc.pos(loc, key=key)
        self.errors.append(Diagnostic(self.doc.file, line, col, yamlio.format_loc(loc), what))

    def not_yet(self, loc: yamlio.Loc) -> None:
        """A key of "Data in": located, and what lies under it is not checked further."""
        self.unsupported.add(loc)
        self.fail(loc, f"'{loc[-1]}' is not supported yet", key=True)

    def metric_ref(self, loc: yamlio.Loc, name: str) -> bool:
        if self.metrics is None or name in self.metrics:
            return True
        close = did_you_mean(name, self.metrics)
        self.fail(loc, f"unknown metric {show_key(name)}{close}", key=True)
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
                self.not_yet((*loc, "source"))
        for name, bounds in _dict(data.get("budgets")).items():
            if not self.metric_ref(("budgets", name), name):
                continue
            single = isinstance(bounds, dict)
            for i, bound in enumerate([bounds] if single else _list(bounds)):
                bloc = ("budgets", name) if single else ("budgets", name, i)
                if not isinstance(bound, dict):
                    continue
                if "max" not in bound and "min" not in bound:
                    self.fail(bloc, "a budget needs 'max' or 'min'")
                for side in ("max", "min"):
                    if side in bound and bound[side] is None:  # else the budget would vanish
                        self.fail((*bloc, side), "expected a finite number, got null")
        for pname, weights in _dict(data.get("profiles")).items():
            ploc: yamlio.Loc = ("profiles", pname)
            if not isinstance(weights, dict):
                continue
            known = [self.metric_ref((*ploc, m), m) for m in weights]
            numbers = [_maybe_number(w) for w in weights.values()]
            if not weights:
                self.fail(ploc, "a profile needs at least one weight")
            elif all(known) and all(w == 0 for w in numbers):  # a negative one is its own error
                self.fail(ploc, "all weights are zero; at least one must be positive")
        if "workload" in data:
            self.not_yet(("workload",))
        self.candidates(_list(data.get("candidates")))

    def candidates(self, entries: list[Any]) -> None:
        seen: dict[str, int] = {}
        for i, cand in enumerate(entries):
            cloc: yamlio.Loc = ("candidates", i)
            if not isinstance(cand, dict):
                continue
            for extra in ("from", "price", "columns"):
                if extra in cand:
                    self.not_yet((*cloc, extra))
            name = cand.get("name")
            if "name" not in cand and "from" not in cand:
                self.fail(cloc, "missing required key 'name'")
            elif "name" in cand and name is None:
                self.fail((*cloc, "name"), "expected a string, got null")
            elif isinstance(name, str) and name in seen:
                first = seen[name]
                self.fail(
                    (*cloc, "name"),
                    f"duplicate candidate name {show_key(name)} (first on line {first})",
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
    """Validate a parsed document and build the study's arrays.

    Raises:
        InputError: every problem found, with `doc.problems` (see `yamlio.parse`) among them.
    """
    checker = _Checker(doc)
    checker.run()
    try:
        goals = GoalsFile.model_validate(doc.data)
    except ValidationError as exc:
        found = {*doc.problems, *checker.errors}
        claimed = {d.where for d in found}
        for d in _translate(exc, doc):
            # The word of the reader or the checker on a place (a repeated key, an unsupported
            # key, a null bound) is the more useful one.
            if d.where not in claimed and not _under_any(d, checker.unsupported):
                found.add(d)
        raise InputError(sorted(found)) from None
    data = _build(goals, checker)
    if doc.problems or checker.errors:
        raise InputError(sorted({*doc.problems, *checker.errors}))
    return data


def load_path(path: str | Path) -> StudyData:
    """Read, parse and validate a goals file."""
    return load_document(yamlio.load(path, partial=True))
