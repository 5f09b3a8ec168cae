"""`source: {lm_eval: {..., samples: true}}`: per-item scores beside a candidate's results.

The samples file of a task is `samples_<task>_<date>.jsonl`, written by the harness with the same
`<date>` as `results_<date>.json`. It is taken from the candidate's `from:` files when one of
them is a samples file of the task, else found beside the results file by that naming rule.
Its items must reproduce the results file's value (mean, 1e-6 absolute on the harness's scale).
After every candidate is read, the items of each metric must overlap across candidates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tradeoff.data import ItemScores
from tradeoff.goals import yamlio
from tradeoff.sources.common import excerpt
from tradeoff.sources.paths import shown

if TYPE_CHECKING:
    from tradeoff.goals.blocks import Context
    from tradeoff.sources.kinds import SourceFile

TOLERANCE = 1e-6  # on the harness's scale (fractions)
_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2}T[\d.-]+)\.json$")


def _date_id(display: str) -> str | None:
    match = _DATE.search(display)
    return match.group(1) if match else None


def sample_files(results: str, task: str, given: Sequence[SourceFile]) -> list[SourceFile]:
    """The task's samples files among `given` (the candidate's `lm_eval_samples` files); with
    several, those of the results file's run (same `<date>`) when that narrows them."""
    prefix = f"samples_{task}_"
    named = [f for f in given if Path(f.display).name.startswith(prefix)]
    date = _date_id(results)
    same_run = [f for f in named if date is not None and Path(f.display).stem.endswith(date)]
    return same_run or named


def beside(results: str, task: str) -> str | None:
    """Where the harness writes the task's samples file: `samples_<task>_<date>.jsonl` in the
    results file's folder, with the results file's `<date>`."""
    date = _date_id(results)
    if date is None:
        return None
    return (Path(results).parent / f"samples_{task}_{date}.jsonl").as_posix()


def read_items(
    ctx: Context,
    results: dict[str, tuple[str, float]],
    given: Sequence[SourceFile],
    place: Callable[[SourceFile | None], yamlio.Loc],
) -> dict[str, ItemScores]:
    """Per-item values of the `samples: true` metrics in `results` (metric -> the results file
    its value came from, as displayed, and the value), from `given` or beside that file.

    Problems are recorded in `ctx` at `place(file)`; a metric with a problem is left out.
    """
    from tradeoff.sources.common import SourceProblem
    from tradeoff.sources.kinds import SourceFile
    from tradeoff.sources.readers import resolve_source
    from tradeoff.sources.samples import read_samples

    by_file: dict[tuple[str, str], dict[str, str]] = {}
    for metric, (display, _) in results.items():
        task, field = ctx.samples[metric]
        by_file.setdefault((task, display), {})[metric] = field
    out: dict[str, ItemScores] = {}
    for (task, display), fields in by_file.items():
        found = sample_files(display, task, given)
        if len(found) > 1:
            names = ", ".join(shown(f.display) for f in found[:3])
            what = f"several samples files of {task} for {shown(display)}: {names}"
            ctx.fail(place(found[1]), what)
            continue
        if not found:
            path_text = beside(display, task)
            try:
                if path_text is None:
                    raise SourceProblem([])
                path = resolve_source(ctx.base_dir, path_text, ctx.allow_external)
            except SourceProblem:
                ctx.fail(place(None), _not_found(task, display, path_text))
                continue
            ctx.read.append(path)
            found = [SourceFile(path, path_text, "lm_eval_samples")]
        f = found[0]
        scale = {m: _scale(ctx, m) for m in fields}
        try:
            got = read_samples(f.path, fields, f.display, scale)
        except SourceProblem as exc:
            for where, what in exc.problems:
                ctx.fail(place(f), f"{where}: {what}" if where else what)
            continue
        for metric, items in got.items():
            if _reproduces(ctx, place(f), metric, items, results[metric][1], display):
                out[metric] = items
    return out


def _scale(ctx: Context, metric: str) -> float:
    unit = ctx.metrics[ctx.index[metric]].unit
    return 100.0 if (unit or "").strip() == "%" else 1.0


def _not_found(task: str, display: str, path: str | None) -> str:
    looked = f" (looked for {shown(path)})" if path else ""
    return (
        f"`samples: true` needs the harness's samples_{task}_<date>.jsonl (--log_samples) "
        f"for {shown(display)}: give it in `from:` or keep it beside the results file{looked}"
    )


def _reproduces(
    ctx: Context, floc: yamlio.Loc, metric: str, items: ItemScores, value: float, display: str
) -> bool:
    mean = float(items.values.mean()) if items.values.size else float("nan")
    expected = value / items.scale
    if abs(mean - expected) <= TOLERANCE:
        return True
    ctx.fail(
        floc,
        f"{shown(items.display)}: the mean of per-item {excerpt(items.field)} (filter "
        f"{excerpt(items.filter)}) over {items.values.size} items is {mean:.9g}, but "
        f"{shown(display)} says {expected:.9g} for "
        f"{metric}; the samples and results files must come from the same run",
    )
    return False


def check_overlap(
    ctx: Context, items: dict[tuple[int, int], ItemScores], lines: dict[int, int]
) -> None:
    """Every `samples: true` metric's items must have a doc_id in common across candidates.

    `lines` maps a candidate row to its entry index in `candidates`, for the error's place.
    """
    by_metric: dict[int, list[tuple[int, ItemScores]]] = {}
    for (row, j), got in sorted(items.items()):
        by_metric.setdefault(j, []).append((row, got))
    for j, rows in by_metric.items():
        common: set[int] | None = None
        first = rows[0]
        for row, got in rows:
            ids = set(got.doc_ids.tolist())
            if common is not None and not common & ids:
                ctx.fail(
                    ("candidates", lines[row], "from"),
                    f"{shown(got.display)}: no doc_id in common with {shown(first[1].display)} "
                    "(and the "
                    f"candidates before it) for {ctx.metrics[j].name}: per-item comparisons "
                    "need the same items",
                )
                break
            common = ids if common is None else common & ids
        else:
            if len(rows) > 1:
                _compare_hashes(ctx, ctx.metrics[j].name, rows, lines)


def _compare_hashes(
    ctx: Context, metric: str, rows: list[tuple[int, ItemScores]], lines: dict[int, int]
) -> None:
    """No common item once doc_hash counts: an error. Prompts that differ: a warning (a note in
    rank), since chat templates and few-shot formats differ between models."""
    from tradeoff.sources.samples import align

    got = align([g for _, g in rows])
    loc: yamlio.Loc = ("candidates", lines[rows[-1][0]], "from")
    if got.count == 0:
        what = "the doc_ids in common have a different doc_hash"
        where = shown(rows[-1][1].display)
        ctx.fail(loc, f"{where}: {what} for {metric}: the logs are of other items")
        return
    if got.hash_differs:
        ctx.warn(
            loc,
            f"{metric}: {got.hash_differs} doc_ids name different documents (doc_hash) across "
            f"the candidates' logs; comparisons use the {got.count} items they share",
        )
    if got.prompt_differs:
        ctx.warn(
            loc,
            f"{metric}: the prompt differs between candidates on {got.prompt_differs} of "
            f"{got.count} shared items (prompt_hash: chat templates or few-shot formats differ)",
        )
