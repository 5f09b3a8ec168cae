"""The second pass over a goals file: cross-references and rules that span fields.

It reads the raw data defensively, so it runs even when the models found problems, and the user
gets every complaint at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradeoff.errors import Diagnostic, did_you_mean
from tradeoff.goals import roles, yamlio
from tradeoff.goals.yamlio import show_key
from tradeoff.quantity import parse_quantity
from tradeoff.rules import CONTROL_RE, IDENTIFIER_RE, name_key, name_problem, text_problem

if TYPE_CHECKING:
    from tradeoff.goals.derive import Compiled


def _maybe_number(value: Any) -> float | None:
    try:
        return parse_quantity(value)[0]
    except ValueError:
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class Checker:
    """Second pass: cross-references and rules that span fields.

    It reads the raw data defensively, so it runs even when the first pass found problems and
    the user gets every complaint in one go.
    """

    def __init__(self, doc: yamlio.Document) -> None:
        self.doc = doc
        self.errors: list[Diagnostic] = []
        self.price_metrics: list[str] = []
        raw = _dict(doc.data.get("metrics"))
        self.metrics: dict[str, Any] | None = raw if raw else None
        self.formulas: dict[str, Compiled] = {}

    def fail(self, loc: yamlio.Loc, what: str, *, key: bool = False) -> None:
        line, col = self.doc.pos(loc, key=key)
        self.errors.append(Diagnostic(self.doc.file, line, col, yamlio.format_loc(loc), what))

    def metric_ref(self, loc: yamlio.Loc, name: str) -> bool:
        if self.metrics is None or name in self.metrics:
            return True
        close = did_you_mean(name, self.metrics)
        self.fail(loc, f"unknown metric {show_key(name)}{close}", key=True)
        return False

    def goal_ref(self, loc: yamlio.Loc, name: str, what: str) -> bool:
        why = roles.goal_ref(self.metrics or {}, name, what)
        if why is not None:
            self.fail(loc, why, key=True)
        return why is None

    def single_budget(self, metric: str) -> bool:
        return isinstance(_dict(self.doc.data.get("budgets")).get(metric), dict)

    def run(self) -> None:
        data = self.doc.data
        self.plain_texts(("title",), data.get("title"))
        for pname in _dict(data.get("profiles")):
            if CONTROL_RE.search(pname):
                self.fail(
                    ("profiles", pname),
                    "a profile name must not contain control characters",
                    key=True,
                )
        for name, metric in (self.metrics or {}).items():
            loc: yamlio.Loc = ("metrics", name)
            if not IDENTIFIER_RE.fullmatch(name):
                what = "a metric name must be an identifier ([A-Za-z_][A-Za-z0-9_]*)"
                self.fail(loc, what, key=True)
            self.plain_texts((*loc, "unit"), _dict(metric).get("unit"))
            bounds = [self.in_unit(v, name) for v in _list(_dict(metric).get("range"))]
            if len(bounds) == 2 and None not in bounds and not bounds[0] < bounds[1]:  # type: ignore[operator]
                self.fail((*loc, "range"), "the low end of range must be below its high end")
            source = _dict(metric).get("source")
            if source == "price" or (isinstance(source, dict) and source.get("price")):
                self.price_metrics.append(name)
        self.formulas = roles.check_metrics(self.metrics or {}, self.fail)
        for name, bounds in _dict(data.get("budgets")).items():
            if not self.metric_ref(("budgets", name), name) or not self.goal_ref(
                ("budgets", name), name, "budget"
            ):
                continue
            single = isinstance(bounds, dict)
            for i, bound in enumerate([bounds] if single else _list(bounds)):
                bloc = ("budgets", name) if single else ("budgets", name, i)
                if not isinstance(bound, dict):
                    continue
                if "max" not in bound and "min" not in bound:
                    self.fail(bloc, "a budget needs 'max' or 'min'")
                # compared in the metric's unit: "500 ms" is below a max of 2 (s)
                low, high = (self.in_unit(bound.get(side), name) for side in ("min", "max"))
                if low is not None and high is not None and low > high:
                    self.fail(
                        bloc, f"min {bound['min']} is above max {bound['max']}: nothing can pass"
                    )
                for side in ("max", "min"):
                    if side in bound and bound[side] is None:  # else the budget would vanish
                        self.fail((*bloc, side), "expected a finite number, got null")
                    elif side in bound:
                        self.in_unit(bound[side], name, report_at=(*bloc, side))
        for pname, weights in _dict(data.get("profiles")).items():
            ploc: yamlio.Loc = ("profiles", pname)
            if not isinstance(weights, dict):
                continue
            known = [
                self.metric_ref((*ploc, m), m) and self.goal_ref((*ploc, m), m, "weight")
                for m in weights
            ]
            numbers = [_maybe_number(w) for w in weights.values()]
            if not weights:
                self.fail(ploc, "a profile needs at least one weight")
            elif all(known) and all(w == 0 for w in numbers):  # a negative one is its own error
                self.fail(ploc, "all weights are zero; at least one must be positive")
        for extra in self.price_metrics[1:]:
            first = self.price_metrics[0]
            self.fail(
                ("metrics", extra, "source"), f"only one metric can be `source: price` ({first} is)"
            )
        self.candidates(_list(data.get("candidates")))

    def in_unit(self, raw: Any, metric: str, report_at: yamlio.Loc | None = None) -> float | None:
        """A number, or a quantity converted to the metric's unit; None when it is neither.

        With `report_at`, a quantity whose unit cannot become the metric's ("3 kg" for ms) is
        reported there, with the file's other errors instead of after them (the build finds the
        same, in the same words). Unreadable values are left to the models."""
        try:
            number, given = parse_quantity(raw)
        except ValueError:
            return None
        if given is None:
            return number
        from tradeoff import units

        unit = _dict(_dict(self.metrics).get(metric)).get("unit")
        try:
            return units.convert(number, given, unit if isinstance(unit, str) else None)
        except ValueError as exc:
            if report_at is not None:
                self.fail(report_at, str(exc))
            return None

    def plain_texts(self, loc: yamlio.Loc, value: Any) -> None:
        """Names, tags, titles and units end up in terminals and CI logs: no control characters."""
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for k, item in items:
            if isinstance(item, str) and (problem := text_problem(item)):
                self.fail(loc if k is None else (*loc, k), problem)

    def candidates(self, entries: list[Any]) -> None:
        seen: dict[str, tuple[int, str]] = {}
        for i, cand in enumerate(entries):
            cloc: yamlio.Loc = ("candidates", i)
            if not isinstance(cand, dict):
                continue
            name = cand.get("name")
            if "each" in cand:
                name = None  # a template: the names it gives are checked when files are read
            elif "name" not in cand and "from" not in cand:
                self.fail(cloc, "missing required key 'name'")
            elif "name" in cand and name is None:
                self.fail((*cloc, "name"), "expected a string, got null")
            elif isinstance(name, str) and (key := name_key(name)) in seen:
                first, was = seen[key]
                how = "" if was == name else ", written with other Unicode code points"
                self.fail(
                    (*cloc, "name"),
                    f"duplicate candidate name {show_key(name)} (first on line {first}{how})",
                )
            elif isinstance(name, str):
                seen[name_key(name)] = (self.doc.line((*cloc, "name")), name)
            if isinstance(name, str) and (problem := name_problem(name)):
                self.fail((*cloc, "name"), problem)
            self.plain_texts((*cloc, "tags"), cand.get("tags"))
            for metric, value in _dict(cand.get("metrics")).items():
                vloc = (*cloc, "metrics", metric)
                if not self.metric_ref(vloc, metric):
                    continue
                if not isinstance(value, dict):
                    self.in_unit(value, metric, report_at=vloc)
                    continue
                self.in_unit(value.get("value"), metric, report_at=vloc)
                self.in_unit(value.get("stderr"), metric, report_at=(*vloc, "stderr"))
                stderr = _maybe_number(value.get("stderr", 0))
                if stderr is not None and stderr < 0:
                    self.fail(
                        (*vloc, "stderr"), f"stderr must be at least 0, got {value['stderr']}"
                    )
