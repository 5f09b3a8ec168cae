"""Serving-benchmark results: vLLM, SGLang, GuideLLM and genai-perf, one meaning per field.

This module finds the runs in a file and answers for one field, stat or goodput; each tool's keys
are mapped (with the source file and version each mapping follows) in `serving_formats.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tradeoff import units as units_mod
from tradeoff.arrays import F64
from tradeoff.quantity import parse_quantity
from tradeoff.sources.common import SourceProblem
from tradeoff.sources.documents import load_records
from tradeoff.sources.kinds import Found, Request, SourceFile
from tradeoff.sources.serving_formats import genai_perf, guidellm, vllm
from tradeoff.sources.serving_model import RATES, Run, stat_key


def is_serving(data: Any) -> bool:
    """Whether a parsed JSON value is a serving result (vLLM/SGLang, GuideLLM or genai-perf)."""
    if not isinstance(data, dict):
        return False
    if "request_throughput" in data and "duration" in data:
        return True
    if isinstance(data.get("benchmarks"), list):
        return True
    return isinstance(data.get("time_to_first_token"), dict) or (
        isinstance(data.get("request_throughput"), dict) and "input_config" in data
    )


def read_runs(path: Path, display: str) -> list[Run]:
    """Every run in a serving result file, in file order.

    Raises:
        SourceProblem: not a serving result, or a run whose data is malformed (with its place).
    """
    records = load_records(path, display)
    lines = len(records) > 1
    runs: list[Run] = []
    for k, (number, data) in enumerate(records):
        where = f"{display} line {number}" if lines else display
        if not is_serving(data):
            what = (
                "not a serving result: expected vLLM/SGLang keys (request_throughput, "
                "duration), GuideLLM's 'benchmarks' or genai-perf's export keys"
            )
            raise SourceProblem([(where, what)])
        if isinstance(data.get("benchmarks"), list):
            runs.extend(guidellm(data, display))
        elif "duration" in data:
            runs.append(vllm(data, where, k if lines else None))
        else:
            runs.append(genai_perf(data, where))
    return runs


def pick_run(runs: list[Run], run: int | None, display: str) -> Run:
    """The run `run:` names; a file of one run needs none, one of several needs it."""
    if run is None and len(runs) == 1:
        return runs[0]
    listed = "; ".join(f"{k}: {r.label or 'no rate given'}" for k, r in enumerate(runs[:10]))
    more = f" and {len(runs) - 10} more" if len(runs) > 10 else ""
    if run is None:
        what = f"holds {len(runs)} runs ({listed}{more}); say which with `run: N` (0-based)"
        raise SourceProblem([(display, what)])
    if not 0 <= run < len(runs):
        what = f"no run {run}: the file holds {len(runs)} ({listed}{more})"
        raise SourceProblem([(display, what)])
    return runs[run]


# --- fields, stats and goodput --------------------------------------------------------


def check_completed(run: Run, display: str) -> str | None:
    """An error for a run where no request completed; else a note on failures (or None)."""
    if run.totals.completed == 0 or (run.requests is not None and len(run.requests.ttft) == 0):
        failed = f" ({run.totals.failed} failed)" if run.totals.failed else ""
        what = f"{run.name}: no request completed{failed}; its stats are not measurements"
        raise SourceProblem([(display, what)])
    if run.totals.failed:
        total = (run.totals.completed or 0) + run.totals.failed
        return (
            f"{display} {run.name}: {run.totals.failed} of {total} requests failed and are left out"
        )
    return None


def field_value(run: Run, field: str, stat: str | None, place: str) -> tuple[float, str]:
    """(value, unit) of one field: a stored stat (ms), else computed from the lists (ms), or a
    run-level rate (per second).

    Raises:
        SourceProblem: the field or stat is not in the run, with what it does have.
    """
    if field in RATES:
        if field not in run.rates:
            has = ", ".join(sorted(run.rates)) or "none"
            raise SourceProblem([(place, f"{run.tool} gives no {field} (it has: {has})")])
        return run.rates[field], RATES[field]
    key = stat_key(stat or "")
    assert key is not None
    stored = run.stored.get(field, {})
    twin = {"median": "p50", "p50": "median"}.get(key)
    for k in (key, twin):
        if k is not None and k in stored:
            return stored[k], "ms"
    values = run.requests.values(field) if run.requests is not None else None
    if values is not None and len(values):
        return _stat(values, key) * 1000.0, "ms"
    has = ", ".join(sorted(stored, key=_stat_order)) or "none"
    if field == "itl" and not run.tool.startswith(("vLLM", "SGLang")):
        why = f"{run.tool} records no gaps between tokens (its inter-token latency is tpot here)"
    elif run.requests is None:
        why = run.why_no_requests
    else:
        why = "no completed request has more than one output token"
    if field in run.why_not_stored:
        why = f"{run.why_not_stored[field]}; {why}"
    what = f"no {key} of {field} in {run.name} (stored: {has}); {why}"
    raise SourceProblem([(place, what)])


def _stat_order(key: str) -> tuple[int, float]:
    names = ["mean", "median", "std", "min", "max"]
    return (names.index(key), 0.0) if key in names else (len(names), float(key[1:]))


def _stat(values: F64, key: str) -> float:
    if key == "mean":
        return float(values.mean())
    if key == "median":
        return float(np.median(values))
    if key == "std":
        return float(values.std())  # ddof 0, as the tools write it
    if key == "min":
        return float(values.min())
    if key == "max":
        return float(values.max())
    return float(np.percentile(values, float(key[1:])))


def goodput(run: Run, slos: dict[str, float], place: str) -> float:
    """Completed requests meeting every SLO (seconds, `<=`) per second of the run.

    A request with one output token counts a TPOT of 0, as vLLM's own goodput does.
    """
    if run.requests is None:
        raise SourceProblem([(place, f"goodput needs per-request data: {run.why_no_requests}")])
    if run.totals.duration is None or run.totals.duration <= 0:
        raise SourceProblem([(place, f"{run.name} has no positive 'duration' to divide by")])
    r = run.requests
    measured = {"ttft": r.ttft, "tpot": r.tpot(goodput=True), "e2el": r.e2el}
    good = np.ones(len(r.ttft), dtype=bool)
    for name, limit in slos.items():
        good &= measured[name] <= limit
    return float(good.sum()) / run.totals.duration


def lookup_serving(file: SourceFile, request: Request) -> Found:
    """A `source: {serving: ...}` metric from one serving result (see `readers.READERS`).

    The run is `file.run` (`run: N`, or the run an `each:` candidate stands for); a file of
    several runs needs one. A stored stat is read, another computed from the per-request lists;
    goodput SLOs are converted to seconds. A run where requests failed gives a warning.

    Raises:
        SourceProblem: the run cannot be chosen, completed no request, lacks the field or stat
            (naming what it has), has no per-request data for goodput, or a unit will not convert.
    """
    display = file.display
    chosen = pick_run(read_runs(file.path, display), file.run, display)
    note = check_completed(chosen, display)
    spec = request.spec
    base: dict[str, Any] = {"source": display, "tool": chosen.tool}
    if chosen.index is not None:
        base["run"] = chosen.index
    base.update({k: v for k, v in (("date", chosen.date), ("model", chosen.model)) if v})
    place = f"{display} (for {request.metric})"
    try:
        if spec.goodput is not None:
            slos = {name: _seconds(raw) for name, raw in spec.goodput.items()}
            value, unit = goodput(chosen, slos, place), "request/s"
            prov = {**base, "goodput": {k: str(v) for k, v in spec.goodput.items()}}
        else:
            value, unit = field_value(chosen, spec.field, spec.stat, place)
            prov = {**base, "field": spec.field, **({"stat": spec.stat} if spec.stat else {})}
        if request.unit:
            value = units_mod.convert(value, unit, request.unit)
    except ValueError as exc:
        raise SourceProblem([(place, str(exc))]) from None
    return Found(value, None, prov, warnings=(note,) if note else ())


def _seconds(raw: float | str) -> float:
    number, unit = parse_quantity(raw)
    return units_mod.convert(number, unit or "s", "s")


def run_labels(file: SourceFile) -> list[dict[str, Any]] | None:
    """For `each:`: one `{run, rate}` per run of a file holding several, else None."""
    runs = read_runs(file.path, file.display)
    if len(runs) < 2:
        return None
    return [{"run": k, "rate": r.rate if r.rate is not None else ""} for k, r in enumerate(runs)]


def serving_date(file: SourceFile) -> str | None:
    """vLLM's recorded `date` of the run (for `newest: true`), as an ISO date."""
    runs = read_runs(file.path, file.display)
    k = file.run if file.run is not None else 0
    return runs[k].date if 0 <= k < len(runs) else None
