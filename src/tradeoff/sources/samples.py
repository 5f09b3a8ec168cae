"""lm-evaluation-harness `--log_samples` files: per-item scores, read as a stream.

`samples_<task>_<date>.jsonl` holds one JSON object a line, one line per item and filter, with
`doc_id`, `doc_hash`, `prompt_hash`, the `filter` and each per-item metric under its bare name
(`"acc": 1.0`); `lm_eval/evaluator.py` builds the line, `loggers/evaluation_tracker.py` writes it
(v0.4.3+; v0.4.0-0.4.2 wrote one JSON array despite the `.jsonl` name, which is read too).

Speed: every line is parsed whole with the stdlib's `json.loads` (about 9 us for a 1.4 KB line,
so 200,000 lines in under 2 s); only the few keys needed are kept. The prompts are not kept:
`prompts()` reads the lines it is asked for again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradeoff import rules
from tradeoff.data import ItemScores
from tradeoff.sources.common import Problems, SourceProblem, excerpt
from tradeoff.sources.opening import open_binary

MAX_LINE_BYTES = 64 * 1024 * 1024
"""A longer line is refused rather than parsed (a log line is kilobytes)."""
MAX_ARRAY_BYTES = 256 * 1024 * 1024
"""The v0.4.0-0.4.2 layout is one JSON array, parsed at once: refuse anything bigger."""
_ABSENT = object()  # a line without the per-item key


@dataclass
class _Filter:
    """Items of one filter as read: parallel lists."""

    doc_ids: list[int] = field(default_factory=list)
    doc_hashes: list[str] = field(default_factory=list)
    prompt_hashes: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    values: dict[str, list[Any]] = field(default_factory=dict)
    seen: dict[int, int] = field(default_factory=dict)  # doc_id -> first line


def split_field(field_name: str) -> tuple[str, str | None]:
    """`"acc,none"` -> `("acc", "none")`; `"acc"` -> `("acc", None)` (filter chosen later)."""
    bare, comma, filt = field_name.partition(",")
    return bare, (filt if comma else None)


TOO_LONG = "not valid JSON: an integer too long to read (over 4,300 digits)"


def _records(path: Path, display: str, problems: Problems) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object) for every non-blank line; bad lines become problems."""
    with open_binary(path, display) as handle:  # read from this descriptor, never by name
        head = handle.read(1024).lstrip()
        handle.seek(0)
        if head.startswith(b"["):
            yield from _array(handle.read(MAX_ARRAY_BYTES + 1), display)
            return
        for number, raw in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), 1):
            if len(raw) > MAX_LINE_BYTES:
                raise SourceProblem([(f"{display} line {number}", "the line is over 64 MB")])
            if not raw.strip():
                continue
            try:
                yield number, json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                problems.add(f"{display} line {number}", f"not UTF-8 text (byte {exc.start})")
            except json.JSONDecodeError as exc:
                where = f"{display} line {number}, column {exc.colno}"
                problems.add(where, f"not valid JSON: {exc.msg}")
            except ValueError:  # Python's limit on integer digits (int_max_str_digits)
                problems.add(f"{display} line {number}", TOO_LONG)
            except RecursionError:
                problems.add(f"{display} line {number}", "JSON nested too deeply")


def _array(raw: bytes, display: str) -> Iterator[tuple[int, Any]]:
    """The v0.4.0-0.4.2 layout: one JSON array of items; an item's 'line' is its position."""
    if len(raw) > MAX_ARRAY_BYTES:
        raise SourceProblem([(display, "a samples file written as one JSON array is over 256 MB")])
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SourceProblem([(display, f"not UTF-8 text (byte {exc.start})")]) from None
    except json.JSONDecodeError as exc:
        place = f"{display} line {exc.lineno}, column {exc.colno}"
        raise SourceProblem([(place, f"not valid JSON: {exc.msg}")]) from None
    except ValueError:  # Python's limit on integer digits (int_max_str_digits)
        raise SourceProblem([(display, TOO_LONG)]) from None
    except RecursionError:
        raise SourceProblem([(display, "JSON nested too deeply")]) from None
    if not isinstance(data, list):
        raise SourceProblem([(display, "expected one JSON object a line (or a JSON array)")])
    yield from enumerate(data, 1)


def _hash(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


def _scan(path: Path, display: str, bare: set[str], problems: Problems) -> dict[str, _Filter]:
    """Every item line, grouped by filter; per-item values of the `bare` keys kept as found."""
    filters: dict[str, _Filter] = {}
    for number, record in _records(path, display, problems):
        place = f"{display} line {number}"
        if not isinstance(record, dict):
            problems.add(place, "expected a JSON object (one item of the log)")
            continue
        doc_id = record.get("doc_id")
        if isinstance(doc_id, bool) or not isinstance(doc_id, int):
            problems.add(place, f"'doc_id' must be an integer, got {excerpt(doc_id)}")
            continue
        filt = record.get("filter", "none")
        if not isinstance(filt, str):
            problems.add(place, f"'filter' must be text, got {excerpt(filt)}")
            continue
        got = filters.setdefault(filt, _Filter())
        first = got.seen.setdefault(doc_id, number)
        if first != number:
            problems.add(
                place, f"doc_id {doc_id} of filter {excerpt(filt)} is also on line {first}"
            )
            continue
        got.doc_ids.append(doc_id)
        got.doc_hashes.append(_hash(record, "doc_hash"))
        got.prompt_hashes.append(_hash(record, "prompt_hash"))
        got.lines.append(number)
        for key in bare:
            got.values.setdefault(key, []).append(record.get(key, _ABSENT))
    return filters


def _listing(shown: list[str], limit: int = 5) -> str:
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


def _choose_filter(bare: str, filt: str | None, filters: dict[str, _Filter], display: str) -> str:
    having = [f for f, got in filters.items() if any(v is not _ABSENT for v in got.values[bare])]
    if filt is not None:
        if filt in filters:
            return filt
        listed = _listing([excerpt(f) for f in filters]) or "none at all"
        raise SourceProblem([(display, f"no item lines with filter {excerpt(filt)}: {listed}")])
    if "none" in having or (not having and "none" in filters):
        return "none"
    if len(having) == 1:
        return having[0]
    if not having:
        raise SourceProblem([(display, f"no item has a per-item {excerpt(bare)}")])
    listed = _listing([excerpt(f"{bare},{f}") for f in having])
    raise SourceProblem([(display, f"{excerpt(bare)} is logged under several filters: {listed}")])


def _values(
    raw: list[Any], lines: list[int], bare: str, problems: Problems, display: str
) -> NDArray[np.float64]:
    out = np.empty(len(raw), dtype=np.float64)
    for k, value in enumerate(raw):
        if isinstance(value, (int, float)) and math.isfinite(value):
            out[k] = float(value)
            continue
        place = f"{display} line {lines[k]}"
        if value is _ABSENT:
            problems.add(place, f"no per-item {excerpt(bare)} on this line")
        elif isinstance(value, (int, float)):
            problems.add(place, f"per-item {excerpt(bare)} is not finite: {value}")
        else:
            problems.add(
                place,
                f"per-item {excerpt(bare)} is {excerpt(value)}, not a number: only metrics "
                "the harness aggregates by mean can be read per item",
            )
        out[k] = math.nan
    return out


def read_samples(
    path: Path,
    fields: Mapping[str, str],
    display: str | None = None,
    scale: Mapping[str, float] | None = None,
) -> dict[str, ItemScores]:
    """Per-item values from an lm-eval `samples_<task>_<date>.jsonl` file, one pass over it.

    `fields` maps a metric to the results file's field (`"acc,none"`, `"exact_match,strict-
    match"`, or a bare `"acc"`). The part after the comma selects the lines by their `filter`; a
    bare field takes filter `none`, else the only filter whose lines have it (several: an error
    listing them). `scale[metric]` is recorded on the result (100 for a `%` metric).

    Returns:
        metric -> its `ItemScores`, items in file order.

    Raises:
        SourceProblem: an unreadable line (not JSON, not an object, no integer `doc_id`), a
            doc_id twice under one filter, or a per-item value that is not a finite number, each
            naming the file's line; no line with the filter; several filters for a bare field.
    """
    shown = display or path.name
    wanted = {m: split_field(f) for m, f in fields.items()}
    problems = Problems(shown)
    filters = _scan(path, shown, {b for b, _ in wanted.values()}, problems)
    problems.raise_if_any()
    if not filters:
        raise SourceProblem([(shown, "the samples file holds no items")])
    out: dict[str, ItemScores] = {}
    for metric, (bare, filt) in wanted.items():
        chosen = _choose_filter(bare, filt, filters, shown)
        got = filters[chosen]
        values = _values(got.values[bare], got.lines, bare, problems, shown)
        out[metric] = ItemScores(
            display=shown,
            path=path,
            field=bare,
            filter=chosen,
            doc_ids=np.asarray(got.doc_ids, dtype=np.int64),
            doc_hashes=tuple(got.doc_hashes),
            prompt_hashes=tuple(got.prompt_hashes),
            values=values,
            lines=np.asarray(got.lines, dtype=np.int64),
            scale=float((scale or {}).get(metric, 1.0)),
        )
    problems.raise_if_any()
    return out


def _prompt_of(record: dict[str, Any]) -> str:
    """The first request's context: saved logs hold `{"gen_args_0": {"arg_0": ...}}`, the
    harness's in-memory form `[[context, continuation], ...]`."""
    args = record.get("arguments")
    first: Any = None
    if isinstance(args, dict) and args:
        first = next(iter(args.values()))
        first = next(iter(first.values()), None) if isinstance(first, dict) else first
    elif isinstance(args, list) and args:
        first = args[0][0] if isinstance(args[0], list) and args[0] else args[0]
    if isinstance(first, str):
        return first
    doc = record.get("doc")
    return json.dumps(doc, ensure_ascii=False)[:1000] if doc is not None else ""


def prompts(items: ItemScores, lines: Sequence[int]) -> dict[int, str]:
    """The prompts of the items on `lines` (1-based), read again from the file; raw text."""
    wanted = set(lines)
    out: dict[int, str] = {}
    if not wanted:
        return out
    problems = Problems(items.display)
    try:
        for number, record in _records(items.path, items.display, problems):
            if number in wanted and isinstance(record, dict):
                out[number] = _prompt_of(record)
                if len(out) == len(wanted):
                    break
    except SourceProblem:
        pass  # the file changed since it was read: the prompts stay unknown
    return out


def short_text(text: str, limit: int = 60) -> str:
    """Untrusted text for one output cell: whitespace runs as one space, control and
    bidirectional characters as `\\xNN` escapes, cut at `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    flat = rules.CONTROL_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), flat)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class Aligned:
    """Several candidates' per-item values of one metric on the items they all have.

    Attributes:
        values: (candidates, items) in the metric's unit, items in increasing doc_id.
        doc_ids: (items,) the common items' doc_ids.
        rows: per candidate, the common items' positions in its own `ItemScores`.
        hash_differs: doc_ids present in every log whose doc_hash differs somewhere (left out:
            the same id names different questions).
        prompt_differs: common items whose prompt_hash differs between candidates (kept: chat
            templates and few-shot formats differ between models).
    """

    values: NDArray[np.float64]
    doc_ids: NDArray[np.int64]
    rows: list[NDArray[np.intp]]
    hash_differs: int
    prompt_differs: int

    @property
    def count(self) -> int:
        return int(self.doc_ids.size)


def align(logs: Sequence[ItemScores]) -> Aligned:
    """Match items across candidates by `doc_id` and `doc_hash` (items a log lacks are dropped).

    An empty log, or no item common to all, gives `count == 0`; callers decide whether that is
    an error (it is where the goals file is loaded).
    """
    keyed = [
        dict(
            zip(
                zip(g.doc_ids.tolist(), g.doc_hashes, strict=True),
                range(len(g.doc_hashes)),
                strict=True,
            )
        )
        for g in logs
    ]
    if not keyed:
        empty = np.zeros(0, dtype=np.int64)
        return Aligned(np.zeros((0, 0)), empty, [], 0, 0)
    common = set(keyed[0]).intersection(*keyed[1:])
    ids = [set(g.doc_ids.tolist()) for g in logs]
    shared_ids = ids[0].intersection(*ids[1:])
    keys = sorted(common)
    rows = [np.array([k[key] for key in keys], dtype=np.intp) for k in keyed]
    values = np.array([g.values[r] * g.scale for g, r in zip(logs, rows, strict=True)])
    values = values.reshape(len(logs), len(keys))
    prompts = [[g.prompt_hashes[i] for i in r.tolist()] for g, r in zip(logs, rows, strict=True)]
    differs = sum(1 for column in zip(*prompts, strict=True) if len(set(column)) > 1)
    return Aligned(
        values=values,
        doc_ids=np.array([key[0] for key in keys], dtype=np.int64),
        rows=rows,
        hash_differs=len(shared_ids) - len({key[0] for key in keys}),
        prompt_differs=differs,
    )
