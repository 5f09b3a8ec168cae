"""A candidate's metrics looked up across its files (SPEC "Several files per candidate").

Each metric with a file `source` is looked up in every file of the candidate whose kind fits
(`sources.readers.READERS`): found in one, taken; in two or more, an error naming both unless
the entry says `newest: true` (the file with the latest recorded date wins); in none, an error
with close matches, unless the candidate writes the metric inline (`mmlu: null`: not measured).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tradeoff.goals import yamlio

if TYPE_CHECKING:
    from tradeoff.goals.blocks import Context, Row
    from tradeoff.goals.schema import Candidate
    from tradeoff.sources.kinds import Found, NotHere, SourceFile, SourceReader


def listing(names: list[str], limit: int = 5) -> str:
    """'a.json, b.json and c.json' (at most `limit` named, then how many more)."""
    shown = [f"'{n}'" if "'" not in n else repr(n) for n in names[:limit]]
    if len(names) > limit:
        return ", ".join(shown) + f" and {len(names) - limit} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _close(word: str, offered: list[str]) -> str:
    close = difflib.get_close_matches(word, offered, n=3, cutoff=0.6)
    if not close:
        return ""
    return f" (did you mean {listing(close).replace(' and ', ' or ')}?)"


def _asked(spec: Any) -> str:
    """The word of a source to suggest close matches for: a task, a target, a field."""
    for attr in ("task", "target", "field"):
        if isinstance(getattr(spec, attr, None), str):
            return str(getattr(spec, attr))
    return str(spec)


def fill(
    ctx: Context,
    i: int,
    cand: Candidate,
    files: list[SourceFile],
    row: Row,
    place: Callable[[SourceFile], yamlio.Loc],
) -> None:
    """Fill `row` from `files` for every metric with a file source; errors go to `ctx`."""
    from tradeoff.sources.readers import READERS

    files = [f for f in files if _one_run(ctx, f, place)]
    unread = {id(f) for f in files}
    for metric, (key, spec) in ctx.file_sources.items():
        reader = READERS.get(key)
        if reader is None:
            continue
        fitting = [f for f in files if reader.fits(f.kind)]
        unread -= {id(f) for f in fitting}
        if fitting:
            _one_metric(ctx, i, cand, (metric, spec), reader, fitting, row, place)
    for f in files:
        if id(f) in unread and not ctx.notes.get("dropped_sources"):
            what = f"{_shown(f)} is {_kind_words(f.kind)}, but no metric's `source` reads it"
            ctx.fail(place(f), what)


def _one_run(ctx: Context, f: SourceFile, place: Callable[[SourceFile], yamlio.Loc]) -> bool:
    """A file holding several runs is read at `run: N` (or one candidate per run with `each:`).

    False (with an error in `ctx`) when the file holds several and none is chosen, or the one
    chosen is not there, or `run:` names a run in a file of one."""
    from tradeoff.sources.common import SourceProblem
    from tradeoff.sources.readers import file_runs

    try:
        runs = file_runs(f)
    except SourceProblem as exc:
        for where, what in exc.problems:
            ctx.fail(place(f), f"{where}: {what}" if where else what)
        return False
    if runs is None or len(runs) <= 1:
        if f.run is not None and f.run > 0:
            ctx.fail(place(f), f"`run: {f.run}`, but {_shown(f)} holds one run (run 0)")
            return False
        return True
    if f.run is not None and f.run < len(runs):
        return True
    labels = ", ".join(
        "run " + " ".join(f"{k} {v}" if k != "run" else str(v) for k, v in r.items() if v != "")
        for r in runs[:5]
    )
    more = f" and {len(runs) - 5} more" if len(runs) > 5 else ""
    if f.run is not None:
        what = f"`run: {f.run}`, but {_shown(f)} holds {len(runs)} runs ({labels}{more})"
    else:
        what = (
            f"{_shown(f)} holds {len(runs)} runs ({labels}{more}); choose one with `run: N`, "
            "or make one candidate per run with `each:`"
        )
    ctx.fail(place(f), what)
    return False


def _kind_words(kind: str) -> str:
    words = {
        "lm_eval": "lm-eval results",
        "optimum_benchmark": "an optimum-benchmark report",
        "serving": "a serving result",
        "serving_runs": "a file of serving runs",
        "lm_eval_samples": "an lm-eval samples file",
        "json": "plain JSON",
        "table": "a table",
    }
    return words.get(kind, f"a {kind} file")


def _shown(f: SourceFile) -> str:
    from tradeoff.sources.paths import shown

    return shown(f.display)


def _one_metric(
    ctx: Context,
    i: int,
    cand: Candidate,
    wanted: tuple[str, Any],
    reader: SourceReader,
    fitting: list[SourceFile],
    row: Row,
    place: Callable[[SourceFile], yamlio.Loc],
) -> None:
    from tradeoff.sources.common import SourceProblem
    from tradeoff.sources.kinds import Found, Request

    metric, spec = wanted
    inline = metric in cand.metrics
    j = ctx.index[metric]
    request = Request(metric, spec, ctx.metrics[j].unit)
    found: list[tuple[SourceFile, Found]] = []
    missing: list[tuple[SourceFile, NotHere]] = []
    broken = False
    for f in fitting:
        try:
            got = reader.lookup(f, request)
        except SourceProblem as exc:
            for where, what in exc.problems:
                ctx.fail(place(f), f"{where}: {what}" if where else what)
            broken = True
            continue
        if isinstance(got, Found):
            found.append((f, got))
        else:
            missing.append((f, got))
    if inline:
        if found:
            loc: yamlio.Loc = ("candidates", i, "metrics", metric)
            what = f"'{metric}' is given here and also comes from {_shown(found[0][0])}; keep one"
            ctx.fail(loc, what, key=True)
        return
    if broken:
        return
    if not found:
        _not_found(ctx, metric, spec, missing, place)
        return
    if len(found) > 1 and not cand.newest:
        names = listing([f.display for f, _ in found])
        what = (
            f"{metric} is in {names}; keep one file, or add `newest: true` to take the one "
            "with the latest recorded date"
        )
        ctx.fail(place(found[1][0]), what)
        return
    chosen = _newest(ctx, metric, found, place) if len(found) > 1 else (found[0][0], found[0][1])
    if chosen is None:
        return
    f, got = chosen
    line, col = ctx.doc.pos(place(f))
    extra = {"newest_of": [g.display for g, _ in found]} if len(found) > 1 else {}
    row.put(j, got, line, col, extra)
    for warning in got.warnings:
        ctx.warn_once(place(f), warning)


def _not_found(
    ctx: Context,
    metric: str,
    spec: Any,
    missing: list[tuple[SourceFile, NotHere]],
    place: Callable[[SourceFile], yamlio.Loc],
) -> None:
    # The deepest miss says the most: a file that has the task but not the field ("no field
    # 'acc_norm' in task 'hellaswag'") over the files without the task at all.
    shallow = ("no task", "no target", "nothing at")
    deep = [(f, got) for f, got in missing if not got.what.startswith(shallow)]
    shown_misses = deep or missing
    offered: list[str] = []
    for _, got in shown_misses:
        offered.extend(o for o in got.offered if o not in offered)
    first = shown_misses[0][1].what
    files = listing([f.display for f, got in shown_misses if got.what == first])
    asked = shown_misses[0][1].asked or _asked(spec)
    what = f"{metric}: {first} in {files}" + _close(asked, offered)
    what += f"; if this candidate has no such result, write `{metric}: null` under metrics"
    missing = shown_misses
    ctx.fail(place(missing[0][0]), what)


def _newest(
    ctx: Context,
    metric: str,
    found: list[tuple[SourceFile, Found]],
    place: Callable[[SourceFile], yamlio.Loc],
) -> tuple[SourceFile, Found] | None:
    from tradeoff.sources.readers import file_date

    dated = []
    for f, got in found:
        date = file_date(f)
        if date is None:
            what = f"`newest: true` needs a recorded date, and {_shown(f)} has none"
            ctx.fail(place(f), f"{metric}: {what}")
            return None
        dated.append((date, f, got))
    dated.sort(key=lambda t: t[0])
    if dated[-1][0] == dated[-2][0]:
        names = listing([dated[-2][1].display, dated[-1][1].display])
        ctx.fail(place(dated[-1][1]), f"{metric}: {names} share the latest date {dated[-1][0]}")
        return None
    return dated[-1][1], dated[-1][2]
