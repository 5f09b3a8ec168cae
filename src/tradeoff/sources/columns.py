"""Tables as they are found: which header feeds which metric, and in what unit.

`columns:` maps metrics, and the reserved keys `name` and `date`, to a file's own headers; a
mapping `{column, unit}` gives a header's unit. A header's trailing unit in parentheses or
brackets (`P99 TTFT (ms)`, `latency [s]`) applies to every cell of the column and is converted
to the metric's unit; a unit that does not parse or convert is an error naming the header,
unless it is written exactly as the metric's declared unit. It is never ignored. A metric not
in `columns` reads the header of its own name, or the one whose name before its unit is the
metric's (`Latency (s)` for `latency`, case aside).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tradeoff import rules
from tradeoff import units as units_mod
from tradeoff.sources.common import Problems, SourceProblem, close_matches, excerpt
from tradeoff.sources.opening import open_binary

_HEADER_UNIT = re.compile(r"^(.*?)\s*(?:\(([^()]*)\)|\[([^\[\]]*)\])\s*$")
RESERVED = ("name", "date")


@dataclass
class Plan:
    """How one file's columns feed the metrics.

    Attributes:
        columns: metric -> header, for every metric the file has a column for.
        cell_units: metric -> the unit a cell's own unit ("210 ms") converts to: the header's.
        factors: metric -> what a number in the header's unit is in the metric's unit.
        header_units: metric -> the header's unit as written (for provenance).
        name: the header of candidate names.
        date: the header of dates, if any.
        tags: the headers whose values become tags.
    """

    columns: dict[str, str] = field(default_factory=dict)
    cell_units: dict[str, str | None] = field(default_factory=dict)
    factors: dict[str, float] = field(default_factory=dict)
    header_units: dict[str, str] = field(default_factory=dict)
    name: str = "name"
    date: str | None = None
    tags: list[str] = field(default_factory=list)


def header_unit(header: str) -> tuple[str, str | None]:
    """'P99 TTFT (ms)' -> ('P99 TTFT', 'ms'); 'latency [s]' -> ('latency', 's'); else no unit."""
    match = _HEADER_UNIT.match(header)
    if match is None:
        return header, None
    unit = match.group(2) if match.group(2) is not None else match.group(3)
    return match.group(1), unit.strip()


def headers(path: Path, display: str, records: list[Any] | None = None) -> list[str]:
    """A table's headers, read cheaply (a CSV's first row, a Parquet schema, JSON keys)."""
    if records is not None:
        seen: dict[str, None] = {}
        for item in records:
            if isinstance(item, dict):
                seen.update(dict.fromkeys(str(k) for k in item))
        return list(seen)
    suffix = path.suffix.lower()
    try:
        if path.is_dir():  # a Parquet dataset: its files' columns and its partition keys
            from tradeoff.sources.dataset import open_dataset

            return list(open_dataset(path, display).available)
        if suffix == ".csv":
            from tradeoff.sources.text_tables import csv_header

            with open_binary(path, display) as handle:  # from this descriptor, never by name
                return csv_header(handle)
        if suffix == ".parquet":
            import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

            with open_binary(path, display) as handle:
                return list(pq.ParquetFile(handle).schema_arrow.names)
    except Exception:  # the table reader reports an unreadable file in its own words
        return []
    from tradeoff.sources.kinds import first_record

    first = first_record(path, display)
    return [str(k) for k in first] if isinstance(first, dict) else []


def plan(
    available: Sequence[str],
    metrics: Sequence[str],
    units: Mapping[str, str | None],
    spec: Mapping[str, str | tuple[str, str]],
    tag_columns: Sequence[str],
    display: str,
) -> Plan:
    """Which header feeds each metric, with its unit and conversion factor.

    Raises:
        SourceProblem: a header unit that does not parse or convert (naming the header), two
            headers for one metric, or a unit with control characters.
    """
    problems = Problems(display)
    out = Plan(tags=list(tag_columns))
    name = spec.get("name", "name")
    out.name = name if isinstance(name, str) else name[0]
    date = spec.get("date")
    if date is not None:
        out.date = date if isinstance(date, str) else date[0]
    elif "date" in available:
        out.date = "date"
    by_base: dict[str, list[tuple[str, str]]] = {}
    for h in available:
        base, found = header_unit(h)
        if found is not None:
            by_base.setdefault(base.casefold(), []).append((h, found))
    for metric in metrics:
        given = spec.get(metric)
        unit: str | None
        if isinstance(given, tuple):
            column, unit = given
        elif isinstance(given, str):
            column, unit = given, header_unit(given)[1]
        elif metric in available:
            column, unit = metric, None
        elif len(by_base.get(metric.casefold(), [])) == 1:
            column, unit = by_base[metric.casefold()][0]
        elif by_base.get(metric.casefold()):
            listed = ", ".join(excerpt(h, 60) for h, _ in by_base[metric.casefold()])
            what = f"{metric} matches the columns {listed}; choose one under `columns:`"
            problems.add(display, what)
            continue
        else:
            continue
        out.columns[metric] = column
        _unit(out, problems, metric, column, unit, units.get(metric), display)
    problems.raise_if_any()
    return out


def _unit(
    out: Plan,
    problems: Problems,
    metric: str,
    column: str,
    unit: str | None,
    target: str | None,
    display: str,
) -> None:
    out.cell_units[metric] = target
    if unit is None:
        return
    place = f"{display} column {excerpt(column, 60)}"
    if (problem := rules.text_problem(unit)) is not None:
        problems.add(place, problem)
        return
    out.header_units[metric] = unit
    out.cell_units[metric] = unit
    if target is not None and unit.strip() == target.strip():
        out.factors[metric] = 1.0
        return
    try:
        out.factors[metric] = units_mod.convert(1.0, unit, target)
    except ValueError as exc:
        hint = " (give the column as {column, unit} to say its unit)"
        problems.add(place, f"unit {excerpt(unit, 60)} for {metric}: {exc}{hint}")


def check_spec(spec: Mapping[str, Any], metrics: Sequence[str]) -> list[str]:
    """`columns:` keys that are neither a metric nor `name`/`date` (with close matches)."""
    known = [*metrics, *RESERVED]
    return [
        f"'columns' names an unknown metric {excerpt(k)}" + close_matches(k, known)
        for k in spec
        if k not in known
    ]


def raise_problems(display: str, found: list[str]) -> None:
    if found:
        raise SourceProblem([(display, what) for what in found])
