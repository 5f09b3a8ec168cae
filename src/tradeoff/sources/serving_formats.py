"""Each serving-benchmark tool's result file -> `Run`s with one meaning per field.

Each tool's keys are mapped here, following the tool's own writer (read from its source):

- vLLM `vllm bench serve`: `vllm/benchmarks/serve.py` @ def9ce85 (`benchmark_serving.py`
  delegates to it), and the mid-2024 `benchmarks/benchmark_serving.py` (v0.5.4 era, whose
  end-to-end stats are `*_latency_ms`). Stats `{mean,median,std,pNN}_{ttft,tpot,itl,e2el}_ms`
  in ms; per-request lists (`--save-detailed`) `ttfts` and `itls` in seconds, `output_lens`,
  `errors` ("" for a completed request); `--append-result` writes one JSON object per line.
- SGLang `python/sglang/bench_serving.py` (2025, adapted from vLLM's script): the same stats,
  `*_e2e_latency_ms` for e2el and `total_throughput`; with `--output-details` the lists sit at
  the top level, or under `details` in the refactored `sglang/benchmark/metrics.py`; runs are
  appended one per line.
- GuideLLM v0.7.3 `src/guidellm/benchmark/schemas/{report,benchmark,metrics}.py` and v0.3.1
  `src/guidellm/benchmark/benchmark.py`: `benchmarks[i].metrics.<name>.successful` holds
  mean/median/min/max/std_dev/percentiles{p001..p999}; a request's `inter_token_latency_ms` is
  vLLM's TPOT, but its summary is token-weighted and not read (`time_per_output_token_ms`
  counts the first token and is not used);
  `request_latency` is in seconds; `requests.successful` is a sample of the requests.
- genai-perf 0.0.16dev `genai_perf/export_data/json_exporter.py`
  (`profile_export_genai_perf.json`): `{unit, avg, p1..p99, min, max, std}` per metric, time
  metrics in ms, its `inter_token_latency` is vLLM's TPOT; no per-request data.

Times are kept in milliseconds; `read_serving` converts them to the metric's unit.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import msgspec
import numpy as np
from numpy.typing import NDArray

from tradeoff import units as units_mod
from tradeoff.arrays import F64
from tradeoff.sources.common import Problems, SourceProblem, excerpt, parse_json
from tradeoff.sources.serving_model import (
    TIMES,
    Requests,
    Run,
    Totals,
    as_dict,
    finite,
    pkey,
    stat_key,
    text,
)

_GUIDELLM_PCT = {
    "p001": 0.1, "p01": 1.0, "p05": 5.0, "p10": 10.0, "p25": 25.0, "p50": 50.0,
    "p75": 75.0, "p90": 90.0, "p95": 95.0, "p99": 99.0, "p999": 99.9,
}  # fmt: skip
_GUIDELLM_KEYS = {  # field -> (metrics key, factor to ms)
    "ttft": ("time_to_first_token_ms", 1.0),
    "e2el": ("request_latency", 1000.0),  # seconds
}
# GuideLLM's per-request ITL, (last - first token) / (out - 1), is the spec's tpot, but its
# summary `inter_token_latency_ms` is built from (itl, out - 1) pairs (v0.3.1 benchmark.py
# `weights=[req.output_tokens - 1 ...]`, v0.7.3 schemas/metrics.py `from_values_function`):
# a per-token distribution, not per request. So tpot comes only from the request list.
_GUIDELLM_TPOT_WEIGHTED = (
    "its inter_token_latency_ms summary is weighted by each request's output tokens - 1, "
    "so tpot is computed from the request list only"
)
_GUIDELLM_RATES = {
    "request_throughput": "requests_per_second",
    "output_throughput": "output_tokens_per_second",
    "total_token_throughput": "tokens_per_second",
}
_GENAI_KEYS = {
    "ttft": "time_to_first_token",
    "tpot": "inter_token_latency",  # (latency - ttft) / (tokens - 1): vLLM's TPOT
    "e2el": "request_latency",
}
_GENAI_RATES = {
    "request_throughput": "request_throughput",
    "output_throughput": "output_token_throughput",
}
_VLLM_TIME_KEYS = {"ttft": ("ttft",), "tpot": ("tpot",), "itl": ("itl",),
                   "e2el": ("e2el", "e2e_latency", "latency")}  # fmt: skip
_VLLM_RATES = {
    "request_throughput": ("request_throughput",),
    "output_throughput": ("output_throughput",),
    "total_token_throughput": ("total_token_throughput", "total_throughput"),
}


# --- vLLM and SGLang ------------------------------------------------------------------


def vllm(data: dict[str, Any], where: str, index: int | None) -> Run:
    sglang = "total_throughput" in data or any(k.endswith("_e2e_latency_ms") for k in data)
    tool = "SGLang" if sglang else "vLLM"
    stored: dict[str, dict[str, float]] = {f: {} for f in TIMES}
    for key, value in data.items():
        if not key.endswith("_ms") or (ms := finite(value)) is None:
            continue
        stat, _, name = key[:-3].partition("_")
        field = next((f for f, names in _VLLM_TIME_KEYS.items() if name in names), None)
        canon = stat_key(stat)
        if field is not None and canon is not None:
            stored[field][canon] = ms
    rates: dict[str, float] = {}
    for field, names in _VLLM_RATES.items():
        given = [finite(data.get(n)) for n in names]
        if (value := next((v for v in given if v is not None), None)) is not None:
            rates[field] = value
    details = data["details"] if isinstance(data.get("details"), dict) else data
    requests, failed = _vllm_requests(details, where)
    completed = _count(data.get("completed"))
    if failed is None:
        failed = _count(data.get("failed"))
    rate = text(data.get("request_rate"), 40)
    return Run(
        tool=tool,
        label=f"rate {rate}" if rate is not None else "",
        index=index,
        stored=stored,
        rates=rates,
        totals=Totals(completed, failed, finite(data.get("duration"))),
        requests=requests,
        why_no_requests=(
            f"this {tool} result has no per-request lists (ttfts, itls, output_lens); "
            + ("rerun with --output-details" if sglang else "rerun with --save-detailed")
        ),
        rate=rate,
        date=_iso(data.get("date")),
        model=text(data.get("model_id"), 200),
    )


def _iso(stamp: Any) -> str | None:
    """vLLM's `date` ("20240907-082731", `%Y%m%d-%H%M%S`) as an ISO date, for `--max-age`."""
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})-\d{6}", stamp) if isinstance(stamp, str) else None
    return "-".join(match.groups()) if match else None


def _count(value: Any) -> int | None:
    number = finite(value)
    return int(number) if number is not None and number >= 0 else None


def _vllm_requests(data: dict[str, Any], where: str) -> tuple[Requests | None, int | None]:
    """Completed requests from `ttfts`, `itls`, `output_lens` and `errors`, or (None, None)."""
    if not any(k in data for k in ("ttfts", "itls", "output_lens")):
        return None, None
    problems = Problems(where)
    arrays: dict[str, F64] = {}
    for key in ("ttfts", "output_lens"):
        arrays[key] = _floats(data.get(key), f"{where} {excerpt(key)}", problems)
    items = _items(data.get("itls"))
    if items is None:
        shown = _plain(data.get("itls"))
        problems.add(f"{where} 'itls'", _missing_or_type(shown, "a list of lists of numbers"))
    problems.raise_if_any()
    assert items is not None
    n = len(arrays["ttfts"])
    errors = data.get("errors")
    if errors is None:
        ok = arrays["output_lens"] > 0  # the mid-2024 writer: a failed request has 0 tokens
    elif isinstance(errors, list) and all(e is None or isinstance(e, str) for e in errors):
        ok = np.array([not e for e in errors], dtype=bool)
    else:
        problems.add(f"{where} 'errors'", 'expected a list of strings ("" for a success)')
        ok = np.ones(n, dtype=bool)
    sizes = {"ttfts": n, "output_lens": len(arrays["output_lens"]), "itls": len(items)}
    sizes.update({"errors": len(ok)} if errors is not None else {})
    if len(set(sizes.values())) > 1:
        told = ", ".join(f"{k} {v}" for k, v in sizes.items())
        problems.add(where, f"the per-request lists differ in length ({told})")
    problems.raise_if_any()
    keep = np.flatnonzero(ok)

    def gaps() -> tuple[F64, F64]:
        kept = [items[int(i)] for i in keep]
        if kept and isinstance(kept[0], msgspec.Raw):  # parsed only now, and only these
            kept = parse_json(b"[" + b",".join(bytes(x) for x in kept) + b"]", f"{where} 'itls'")
        found = Problems(where)
        pooled = _pooled(kept, keep, f"{where} 'itls'", found)
        found.raise_if_any()
        return pooled

    requests = Requests(arrays["ttfts"][keep], arrays["output_lens"][keep], gaps=gaps)
    return requests, int(n - len(keep))


def _items(value: Any) -> list[Any] | None:
    """A JSON list, or one left unparsed (`msgspec.Raw`) as a list of unparsed items."""
    if isinstance(value, list):
        return value
    if isinstance(value, msgspec.Raw):
        try:
            return msgspec.json.decode(value, type=list[msgspec.Raw])
        except (msgspec.DecodeError, RecursionError):
            return None
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, msgspec.Raw):
        try:
            return msgspec.json.decode(value)
        except (msgspec.DecodeError, RecursionError):
            return bytes(value)[:40].decode("utf-8", "replace")
    return value


def _missing_or_type(value: Any, expected: str) -> str:
    if value is None:
        return f"missing: expected {expected}"
    return f"expected {expected}, got {type(value).__name__} {excerpt(value)}"


def _floats(value: Any, place: str, problems: Problems) -> F64:
    if not isinstance(value, list):
        problems.add(place, _missing_or_type(value, "a list of numbers"))
        return np.zeros(0)
    try:
        out = np.asarray(value, dtype=np.float64)
        if out.ndim == 1 and np.isfinite(out).all() and not any(type(v) is bool for v in value):
            return out
    except (TypeError, ValueError):
        pass
    k = next(k for k, v in enumerate(value) if finite(v) is None)
    problems.add(f"{place} item {k}", f"expected a finite number, got {excerpt(value[k])}")
    return np.zeros(0)


def _pooled(
    lists: list[Any], rows: NDArray[np.intp], place: str, problems: Problems
) -> tuple[F64, F64]:
    """Every gap of the kept requests as one array, and each request's sum of gaps.

    Flattened with `np.fromiter` over one chain: 10,000 requests of a few hundred tokens (some
    millions of floats) take well under a tenth of a second, where a loop per request would not.
    """
    bad = next((k for k, v in enumerate(lists) if not isinstance(v, list)), None)
    if bad is not None:
        what = f"expected a list of numbers, got {excerpt(lists[bad])}"
        problems.add(f"{place} item {int(rows[bad])}", what)
        return np.zeros(0), np.zeros(len(lists))
    sizes = np.fromiter(map(len, lists), dtype=np.intp, count=len(lists))
    try:
        gaps = np.fromiter(
            itertools.chain.from_iterable(lists), dtype=np.float64, count=int(sizes.sum())
        )
    except (TypeError, ValueError):
        gaps = np.zeros(0)
    if len(gaps) != int(sizes.sum()) or not np.isfinite(gaps).all():
        for k, items in enumerate(lists):
            j = next((j for j, v in enumerate(items) if finite(v) is None), None)
            if j is not None:
                what = f"expected a finite number, got {excerpt(items[j])}"
                problems.add(f"{place} item {int(rows[k])}[{j}]", what)
                break
        return np.zeros(0), np.zeros(len(lists))
    owner = np.repeat(np.arange(len(lists)), sizes)
    return gaps, np.bincount(owner, weights=gaps, minlength=len(lists)).astype(np.float64)


# --- GuideLLM -------------------------------------------------------------------------


def guidellm(data: dict[str, Any], display: str) -> list[Run]:
    version = text(as_dict(data.get("metadata")).get("guidellm_version"), 40)
    runs = []
    for k, bench in enumerate(data["benchmarks"]):
        where = f"{display} benchmarks[{k}]"
        if not isinstance(bench, dict) or not isinstance(bench.get("metrics"), dict):
            raise SourceProblem([(where, "expected a benchmark object with 'metrics'")])
        runs.append(_guidellm_run(bench, k, where, version))
    if not runs:
        raise SourceProblem([(display, "the report holds no benchmarks ('benchmarks' is empty)")])
    return runs


def _guidellm_run(bench: dict[str, Any], k: int, where: str, version: str | None) -> Run:
    metrics = bench["metrics"]
    stored: dict[str, dict[str, float]] = {f: {} for f in TIMES}
    for field, (key, factor) in _GUIDELLM_KEYS.items():
        summary = as_dict(as_dict(metrics.get(key)).get("successful"))
        for name, canon in (("mean", "mean"), ("median", "median"), ("std_dev", "std"),
                            ("min", "min"), ("max", "max")):  # fmt: skip
            if (value := finite(summary.get(name))) is not None:
                stored[field][canon] = value * factor
        for name, p in _GUIDELLM_PCT.items():
            if (value := finite(as_dict(summary.get("percentiles")).get(name))) is not None:
                stored[field][pkey(p)] = value * factor
    rates = {}
    for field, key in _GUIDELLM_RATES.items():
        mean = finite(as_dict(as_dict(metrics.get(key)).get("successful")).get("mean"))
        if mean is not None:
            rates[field] = mean
    totals = as_dict(metrics.get("request_totals") or bench.get("request_totals"))
    completed, failed = _count(totals.get("successful")), _count(totals.get("errored"))
    config = as_dict(bench.get("config")) or as_dict(bench.get("args"))  # v0.7 | v0.3
    strategy = as_dict(config.get("strategy"))
    rate = text(strategy.get("rate") or strategy.get("streams"), 40)
    kind = text(strategy.get("type_"), 40)
    label = " ".join(t for t in (kind, rate) if t)
    sample = as_dict(bench.get("requests")).get("successful")
    requests = None
    why = "GuideLLM's report holds only a sample of the requests"
    if isinstance(sample, list) and completed is not None and len(sample) == completed:
        requests = _guidellm_requests(sample, f"{where} requests.successful")
    elif isinstance(sample, list):
        why += f" ({len(sample)} of {completed})"
    return Run(
        tool=f"GuideLLM {version}" if version else "GuideLLM",
        label=label,
        index=k,
        stored=stored,
        rates=rates,
        totals=Totals(completed, failed, finite(bench.get("duration"))),
        requests=requests,
        why_no_requests=why,
        why_not_stored={"tpot": _GUIDELLM_TPOT_WEIGHTED},
        rate=rate,
    )


def _guidellm_requests(sample: list[Any], place: str) -> Requests:
    problems = Problems(place)
    cols: dict[str, list[float]] = {"ttft": [], "e2el": [], "out": [], "itl": []}
    for k, item in enumerate(sample):
        item = as_dict(item)
        ttft = finite(item.get("time_to_first_token_ms"))
        e2el = finite(item.get("request_latency"))
        out = finite(item.get("output_tokens"))
        if ttft is None or e2el is None or out is None:
            names = ("time_to_first_token_ms", "request_latency", "output_tokens")
            bad = next(n for n, v in zip(names, (ttft, e2el, out), strict=True) if v is None)
            problems.add(f"{place}[{k}].{bad}", f"expected a number, got {excerpt(item.get(bad))}")
            continue
        itl = finite(item.get("inter_token_latency_ms"))
        cols["ttft"].append(ttft / 1000)
        cols["e2el"].append(e2el)
        cols["out"].append(out)
        cols["itl"].append(0.0 if itl is None else itl / 1000)
    problems.raise_if_any()
    arrays = [np.array(cols[c], dtype=np.float64) for c in ("ttft", "e2el", "out", "itl")]
    # GuideLLM's own per-request ITL ((last - first token) / (out - 1)) is the TPOT: its
    # request_latency runs to the end of the response, a little past the last token.
    return Requests(arrays[0], arrays[2], given_e2el=arrays[1], tpot_given=arrays[3])


# --- genai-perf -----------------------------------------------------------------------


def genai_perf(data: dict[str, Any], where: str) -> Run:
    problems = Problems(where)
    stored: dict[str, dict[str, float]] = {f: {} for f in TIMES}
    for field, key in _GENAI_KEYS.items():
        entry = as_dict(data.get(key))
        unit = text(entry.get("unit"), 20) or "ms"
        try:
            factor = units_mod.convert(1.0, unit, "ms") if unit != "ms" else 1.0
        except ValueError as exc:
            problems.add(f"{where} {key}.unit", str(exc))
            continue
        for name, value in entry.items():
            canon = "mean" if name == "avg" else stat_key(name)
            if canon is not None and (found := finite(value)) is not None:
                stored[field][canon] = found * factor
    problems.raise_if_any()
    rates = {}
    for field, key in _GENAI_RATES.items():
        if (avg := finite(as_dict(data.get(key)).get("avg"))) is not None:
            rates[field] = avg
    count = _count(as_dict(data.get("request_count")).get("avg"))
    return Run(
        tool="genai-perf",
        label="",
        stored=stored,
        rates=rates,
        totals=Totals(count),
        requests=None,
        why_no_requests="genai-perf's profile_export_genai_perf.json holds no per-request data "
        "(that is in profile_export.json)",
    )
