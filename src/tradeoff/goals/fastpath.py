"""The common case, fast: a plain, valid goals file read without pydantic.

`study_data` builds the `StudyData` of a goals file straight from its YAML data, checking what the
models of `schema.py` and the cross-reference pass of `loader.py` check. It never reports an
error: anything unusual (a key it does not know, a value of another type, a unit, `price:`,
`source:`, `workload:`, a `from:` entry with more than `from` and `tags`, or one beside inline
candidates) or wrong makes it answer None, and the loader then takes the full path, which has
the located messages. Importing pydantic and building the models costs more than the rest of a
`tradeoff rank` together (issue 3), so files that need neither skip both.

Plain table entries (`- from: sweep.parquet`, with `tags:` at most) are read by the full path's
own readers (`datain.open_files`, `tablein.table_block`: every path, size, link and metadata
check, header units and row checks included); any problem they find declines, so the messages
come from the full path. (Issue 17: pydantic was a quarter of `pareto` on a Parquet table.)

The models stay the definition of the format: whatever this accepts, they accept, and the two
paths build the same `StudyData` (tests/test_fastpath.py checks both on the shipped files, the
test corpus, generated files and mutated ones; tests/test_fastpath_tables.py on tables).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from tradeoff.data import BudgetSpec, MetricSpec, StudyData
from tradeoff.goals import yamlio
from tradeoff.goals.blocks import Block, Context, stack
from tradeoff.quantity import parse_quantity
from tradeoff.rules import CONTROL_RE, IDENTIFIER_RE, distinct_names, name_key, name_problem

_TOP = frozenset(("version", "title", "metrics", "budgets", "profiles", "candidates"))
_METRIC = frozenset(("direction", "unit", "description", "range", "additive"))
_BOUND = frozenset(("max", "min", "level", "tags"))
_CANDIDATE = frozenset(("name", "tags", "metrics"))
_TABLE = frozenset(("from", "tags"))
_MEASUREMENT = frozenset(("value", "stderr", "kind", "date", "citation"))
_KINDS = ("measured", "estimated", "claimed")
DECLINED = {
    # Keys of the models the fast path leaves to the full path (a file using one is declined:
    # `_mapping` refuses keys outside the sets above). `from` (with `tags`) is read on a table
    # entry (`_TABLE`), never beside an inline candidate's keys. tests/test_rules.py checks
    # that these and the sets above together are exactly the models' fields.
    "top": frozenset(("workload",)),
    "metric": frozenset(("source", "role", "formula")),
    "bound": frozenset(),
    "candidate": frozenset(
        (
            "from",
            "each",
            "newest",
            "run",
            "rows",
            "columns",
            "tag_columns",
            "combine",
            "join",
            "unmatched",
            "price",
        )
    ),
    "measurement": frozenset(),
}


class _Decline(Exception):
    """Not for the fast path: the full path decides (and explains)."""


@dataclass(frozen=True)
class _Table:
    """A plain table entry, as `blocks.TableEntry` (what `schema.Candidate` would hold)."""

    from_: str | list[str]
    tags: list[str]
    run: None = None
    rows: None = None
    columns: None = None
    tag_columns: None = None
    combine: None = None
    metrics: dict[str, None] = field(default_factory=dict)


def study_data(
    doc: yamlio.Document, base_dir: Path | None = None, allow_external: bool = False
) -> StudyData | None:
    """The study of a plain, valid goals file; None when the full path must decide.

    `from:` paths resolve in `base_dir` (default: the current folder), as in `load_full`."""
    if doc.problems:
        return None
    base_dir = Path(".") if base_dir is None else base_dir
    try:
        return _Reader(doc, base_dir, allow_external).study()
    except _Decline:
        return None


def _number(value: Any) -> float:
    """A plain number (no unit), as `parse_quantity` reads it."""
    try:
        number, unit = parse_quantity(value)
    except ValueError:
        raise _Decline from None
    if unit is not None:
        raise _Decline
    return number


def _mapping(value: Any, keys: frozenset[str]) -> dict[str, Any]:
    if type(value) is not dict or not value.keys() <= keys:
        raise _Decline
    return value


def _text(value: Any) -> str | None:
    """An optional string without control characters (the full path says what is wrong)."""
    if value is not None and (type(value) is not str or CONTROL_RE.search(value)):
        raise _Decline
    return value


def _strings(value: Any) -> list[str]:
    if type(value) is not list or any(type(v) is not str or CONTROL_RE.search(v) for v in value):
        raise _Decline
    return value


def _choice(value: Any, choices: tuple[str, ...]) -> str:
    if type(value) is not str or value not in choices:
        raise _Decline
    return value


def _section(data: dict[str, Any], key: str, kind: type) -> Any:
    """An optional top-level section: absent is empty, anything but `kind` declines."""
    value = data.get(key, kind())
    if type(value) is not kind:
        raise _Decline
    return value


def _sources(value: Any) -> str | list[str]:
    """`from:` as the model takes it: a path or a non-empty list of them (none empty here)."""
    listed = value if type(value) is list else [value]
    if not listed or any(type(v) is not str or not v for v in listed):
        raise _Decline
    return value  # type: ignore[no-any-return]


class _Reader:
    def __init__(self, doc: yamlio.Document, base_dir: Path, allow_external: bool) -> None:
        self.doc = doc
        self.data = _mapping(doc.data, _TOP)
        self.base_dir, self.allow_external = base_dir, allow_external

    def study(self) -> StudyData:
        data = self.data
        version = data.get("version")
        if type(version) is not int or version != 1:
            raise _Decline
        metrics = self.metrics(data.get("metrics"))
        index = {m.name: j for j, m in enumerate(metrics)}
        budgets = self.budgets(_section(data, "budgets", dict), index)
        profiles = self.profiles(_section(data, "profiles", dict), index)
        _text(data.get("title"))
        if any(CONTROL_RE.search(p) for p in data.get("profiles", {}) or {}):
            raise _Decline
        raw = _section(data, "candidates", list)
        if not raw:
            raise _Decline  # no candidates: the full path reports it
        more: dict[str, Any] = {}  # the other fields of `StudyData`, from the tables' reading
        if all(type(c) is dict and "from" in c for c in raw):
            kept, more = self.tables(raw, metrics)
        else:
            kept = [(0, self.candidates(raw, index))]
        rows = stack(kept, len(metrics))
        if np.isnan(rows.values).all(axis=0).any():
            raise _Decline  # a metric no candidate has: the full path reports it
        return rows.study(self.doc, _text(data.get("title")), metrics, budgets, profiles, **more)

    def metrics(self, raw: Any) -> list[MetricSpec]:
        if type(raw) is not dict or not raw:
            raise _Decline
        out = []
        for name, m in raw.items():
            m = _mapping(m, _METRIC)
            if not IDENTIFIER_RE.fullmatch(name):
                raise _Decline
            bounds = m.get("range")
            span: tuple[float, float] | None = None
            if bounds is not None:
                if type(bounds) is not list or len(bounds) != 2:
                    raise _Decline
                span = (_number(bounds[0]), _number(bounds[1]))
                if not span[0] < span[1]:
                    raise _Decline
            additive = m.get("additive", False)
            if type(additive) is not bool:
                raise _Decline
            out.append(
                MetricSpec(
                    name=name,
                    maximize=_choice(m.get("direction"), ("max", "min")) == "max",
                    unit=_text(m.get("unit")),
                    description=_text(m.get("description")),
                    range=span,
                    additive=additive,
                )
            )
        return out

    def budgets(self, raw: dict[str, Any], index: dict[str, int]) -> list[BudgetSpec]:
        out = []
        for metric, bounds in raw.items():
            if metric not in index:
                raise _Decline
            single = type(bounds) is dict
            if not single and type(bounds) is not list:
                raise _Decline
            for k, bound in enumerate([bounds] if single else bounds):
                bound = _mapping(bound, _BOUND)
                if "max" not in bound and "min" not in bound:
                    raise _Decline
                if (
                    "max" in bound
                    and "min" in bound
                    and _number(bound["min"]) > _number(bound["max"])
                ):
                    raise _Decline
                warn = _choice(bound.get("level", "error"), ("error", "warn")) == "warn"
                level: Literal["error", "warn"] = "warn" if warn else "error"
                tags = bound.get("tags")
                if tags is not None and not _strings(tags):
                    raise _Decline  # an empty list: the model wants at least one tag
                base: yamlio.Loc = ("budgets", metric) if single else ("budgets", metric, k)
                for side in ("max", "min"):
                    if side not in bound:
                        continue
                    line, col = self.doc.pos((*base, side))
                    out.append(
                        BudgetSpec(
                            metric=metric,
                            bound=side,
                            limit=_number(bound[side]),  # null declines here too
                            level=level,
                            tags=frozenset(tags) if tags is not None else None,
                            line=line,
                            col=col,
                        )
                    )
        return out

    def profiles(self, raw: dict[str, Any], index: dict[str, int]) -> dict[str, dict[str, float]]:
        out = {}
        for name, weights in raw.items():
            if type(weights) is not dict or not weights:
                raise _Decline
            profile = {}
            for metric, weight in weights.items():
                number = _number(weight)
                if metric not in index or number < 0:
                    raise _Decline
                profile[metric] = number
            if all(w == 0 for w in profile.values()):
                raise _Decline
            out[name] = profile
        return out

    def tables(
        self, raw: list[Any], metrics: list[MetricSpec]
    ) -> tuple[list[tuple[int, Block]], dict[str, Any]]:
        """Plain table entries, read by the full path's readers (any problem declines), and
        what the reading adds to the study: the files read, and any warnings."""
        from tradeoff.goals import datain, tablein

        ctx = Context(self.doc, None, metrics, self.base_dir, self.allow_external)
        kept = []
        for i, entry in enumerate(raw):
            entry = _mapping(entry, _TABLE)
            plain = _Table(_sources(entry["from"]), _strings(entry.get("tags", [])))
            files = datain.open_files(ctx, i, plain)
            if files is None or any(f.kind != "table" for f in files):
                raise _Decline  # results files (or a path that fails): not a table entry
            block = tablein.table_block(ctx, i, plain, files)
            if block is None or ctx.errors:
                raise _Decline
            kept.append((i, block))
        if ctx.notes or ctx.prices or not distinct_names([n for _, b in kept for n in b.names]):
            raise _Decline  # a name in two entries: the full path says where
        return kept, {"read": list(ctx.read), "warnings": ctx.warnings}

    def candidates(self, raw: list[Any], index: dict[str, int]) -> Block:
        doc = self.doc
        n, d = len(raw), len(index)
        values = np.full((n, d), np.nan)
        stderr = np.full((n, d), np.nan)
        lines = np.zeros((n, d), dtype=np.int64)
        cols = np.zeros((n, d), dtype=np.int64)
        cand_lines = np.zeros(n, dtype=np.int64)
        names: list[str] = []
        tags: list[frozenset[str]] = []
        provenance: dict[tuple[int, int], dict[str, Any]] = {}
        seen: set[str] = set()
        for i, cand in enumerate(raw):
            cand = _mapping(cand, _CANDIDATE)
            name = cand.get("name")
            if type(name) is not str or not name or name_problem(name):
                raise _Decline
            if (key := name_key(name)) in seen:
                raise _Decline
            seen.add(key)
            names.append(name)
            tags.append(frozenset(_strings(cand.get("tags", []))))
            cloc: yamlio.Loc = ("candidates", i)
            # A missing value is located at the `metrics:` key, or at `name:` without one.
            anchor = (*cloc, "metrics") if (*cloc, "metrics") in doc.keys else (*cloc, "name")
            line, col = doc.pos(anchor, key=True)
            cand_lines[i] = line
            lines[i], cols[i] = line, col
            given = cand.get("metrics", {})
            if type(given) is not dict:
                raise _Decline
            for metric, value in given.items():
                j = index.get(metric)
                if j is None:
                    raise _Decline
                if value is None:
                    continue
                lines[i, j], cols[i, j] = doc.pos((*cloc, "metrics", metric))
                if type(value) is not dict:
                    values[i, j] = _number(value)
                    continue
                values[i, j], stderr[i, j], prov = _measurement(value)
                if prov:
                    provenance[(i, j)] = prov
        return Block(
            names, values, stderr, lines, cols, cand_lines, frozenset(), provenance, row_tags=tags
        )


def _measurement(raw: dict[str, Any]) -> tuple[float, float, dict[str, Any]]:
    """Value, stderr (NaN when none) and provenance of `{value: ..., stderr: ..., ...}`."""
    m = _mapping(raw, _MEASUREMENT)
    if "value" not in m:
        raise _Decline
    value = _number(m["value"])
    se = m.get("stderr")
    stderr = float("nan")
    if se is not None:
        stderr = _number(se)
        if stderr < 0:
            raise _Decline
    prov: dict[str, Any] = {}
    kind = _choice(m.get("kind", "measured"), _KINDS)
    if kind != "measured":
        prov["kind"] = kind
    date = _text(m.get("date"))
    if date is not None:
        try:
            prov["date"] = dt.date.fromisoformat(date.strip()).isoformat()
        except ValueError:
            raise _Decline from None
    citation = _text(m.get("citation"))
    if citation is not None:
        prov["citation"] = citation
    return value, stderr, prov
