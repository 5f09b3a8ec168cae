"""lm-eval results beyond the value: the item counts a value rests on, and its few-shot count.

Follows lm-evaluation-harness's writer (`evaluator.py` / `loggers/evaluation_tracker.py`, v0.4.2
to v0.4.12, and the 0.3 layout): `results[task]["acc_norm,none"]`, `n-samples[task] =
{original, effective}` (since v0.4.3), `config.limit` (a float; below 1 a fraction), `n-shot`
(0.4; groups from v0.4.12) or `config.num_fewshot` (0.3), and a group's `sample_count` (v0.4.12).
lighteval's `config_general.max_samples` stands for `config.limit`.
"""

from __future__ import annotations

import math
from typing import Any

from tradeoff.sources.common import excerpt


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if math.isfinite(value) and value >= 0 and value == int(value) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def counts(data: dict[str, Any], task: str, key: str) -> dict[str, Any]:
    """What the file says about the items behind `task`'s value: `n` (items scored), `n_original`
    (items the task has) and `limit` (`--limit` as recorded), each where the file gives it.

    A group's counts are its `sample_count` (v0.4.12), else the sums over its leaf tasks.
    """
    out: dict[str, Any] = {}
    limit = _dict(data.get("config")).get("limit")
    if limit is None and "config_general" in data:
        # lighteval writes --max-samples as config_general.max_samples and no item counts
        # (src/lighteval/logging/info_loggers.py, GeneralConfigLogger @ 3fd15266)
        limit = _dict(data.get("config_general")).get("max_samples")
        out["limit_option"] = "--max-samples"
    if isinstance(limit, (int, float)) and not isinstance(limit, bool) and limit > 0:
        out["limit"] = int(limit) if limit == int(limit) else float(limit)
    else:
        out.pop("limit_option", None)
    effective, original = _leaf_counts(data, task, set())
    group = _dict(_dict(data.get("results")).get(task)).get("sample_count")
    if effective is None and _count(_dict(group).get(key)) is not None:
        effective = _count(_dict(group).get(key))
    if effective is not None:
        out["n"] = effective
    if original is not None:
        out["n_original"] = original
    return out


def _leaf_counts(data: dict[str, Any], task: str, seen: set[str]) -> tuple[int | None, int | None]:
    entry = _dict(_dict(data.get("n-samples")).get(task))
    if entry:
        return _count(entry.get("effective")), _count(entry.get("original"))
    children = _dict(data.get("group_subtasks")).get(task)
    if not isinstance(children, list) or not children or task in seen:
        return None, None
    parts = [_leaf_counts(data, str(c), seen | {task}) for c in children]
    if any(e is None or o is None for e, o in parts):
        return None, None
    return sum(e or 0 for e, _ in parts), sum(o or 0 for _, o in parts)


def n_shot(data: dict[str, Any], task: str) -> int | None:
    """The task's few-shot count: `n-shot` (0.4; a group's from v0.4.12, else its leaves' when
    they agree), or the 0.3 layout's `config.num_fewshot`."""
    shots = _dict(data.get("n-shot"))
    if not shots:
        return _count(_dict(data.get("config")).get("num_fewshot"))
    found = _leaf_shots(data, shots, task, set())
    return found.pop() if len(found) == 1 else None


def _leaf_shots(
    data: dict[str, Any], shots: dict[str, Any], task: str, seen: set[str]
) -> set[int | None]:
    if task in shots:
        return {_count(shots[task])}
    children = _dict(data.get("group_subtasks")).get(task)
    if not isinstance(children, list) or not children or task in seen:
        return {None}
    out: set[int | None] = set()
    for child in children:
        out |= _leaf_shots(data, shots, str(child), seen | {task})
    return out


def subset_warning(task: str, found: dict[str, Any]) -> str | None:
    """A warning when the value rests on fewer items than the task has (`--limit`)."""
    n, total, limit = found.get("n"), found.get("n_original"), found.get("limit")
    option = found.get("limit_option", "--limit")
    if n is not None and total is not None and n < total:
        return (
            f"task {excerpt(task)} was scored on {n} of its {total} items (--limit {limit}): "
            f"the value is an estimate, marked (n={n})"
        )
    if n is None and limit is not None:
        return f"task {excerpt(task)} ran with {option} {limit}: the value is an estimate"
    return None
