"""lm-evaluation-harness results, optimum-benchmark reports and genai-prices lookups.

Use the documented wrappers in `tradeoff.sources.common`; this module is their implementation.
"""

from __future__ import annotations

import functools
import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tradeoff import units as units_mod
from tradeoff.sources.common import Problems, SourceProblem, close_matches, excerpt
from tradeoff.sources.kinds import Found, NotHere, Request, SourceFile
from tradeoff.sources.lm_eval_counts import counts, n_shot, subset_warning

if TYPE_CHECKING:
    from genai_prices.data_snapshot import DataSnapshot

_FILE_DATE = re.compile(r"results_(\d{4}-\d{2}-\d{2})T")
_NOT_METRICS = {"alias", "name", "sample_len", "sample_count", "samples"}


def _text(value: Any, limit: int = 200) -> str | None:
    """A provenance string from an untrusted file: plain text, cut; None for anything else."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)[:limit]
    return None


def _number(value: Any) -> float | None:
    """A finite float, or None for a bool, text, null, NaN, infinity or an integer no float
    holds (`999...9`, 400 digits)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _stderr_field(field: str) -> str:
    metric, comma, rest = field.partition(",")
    return f"{metric}_stderr{comma}{rest}"


def _iso_date(data: dict[str, Any], path: Path) -> str | None:
    stamp = data.get("date")
    number = _number(stamp)
    if number is not None:
        try:
            return datetime.fromtimestamp(number, tz=UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(stamp, str) and re.match(r"\d{4}-\d{2}-\d{2}", stamp):
        return stamp[:10]
    match = _FILE_DATE.search(path.name)
    return match.group(1) if match else None


def _lm_eval_provenance(data: dict[str, Any], path: Path, display: str) -> dict[str, Any]:
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    general = data.get("config_general") if isinstance(data.get("config_general"), dict) else {}
    assert isinstance(config, dict) and isinstance(general, dict)
    model = data.get("model_name") or config.get("model_args") or general.get("model_name")
    found = {
        "lm_eval_version": _text(data.get("lm_eval_version")),
        "model": _text(model),
        "date": _iso_date(data, path),
    }
    return {"source": display, **{k: v for k, v in found.items() if v is not None}}


def read_lm_eval(
    path: Path, fields: dict[str, tuple[str, str]], percent: dict[str, bool], display: str
) -> dict[str, tuple[float, float | None, dict[str, Any]]]:
    file = SourceFile(path, display, "lm_eval")
    problems = Problems(display)
    out: dict[str, tuple[float, float | None, dict[str, Any]]] = {}
    for metric, (task, field) in fields.items():
        spec = (task, field)
        try:
            got = lookup_lm_eval(file, Request(metric, spec, "%" if percent.get(metric) else None))
        except SourceProblem as exc:
            for place, what in exc.problems:
                problems.add(place, what)
            continue
        if isinstance(got, NotHere):
            no_task = got.what.startswith("no task")
            what = got.what + close_matches(task if no_task else field, got.offered)
            if no_task:
                what += f"; if this model has no such result, write `{metric}: null` under metrics"
            problems.add(f"{display} (for {metric})", what)
            continue
        out[metric] = (got.value, got.stderr, got.provenance)
    problems.raise_if_any()
    return out


def _spec_pair(spec: Any, first: str, second: str) -> tuple[str, str]:
    if isinstance(spec, tuple):
        return spec[0], spec[1]
    return getattr(spec, first), getattr(spec, second)


_FILE_STAMP = re.compile(r"results_(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}(?:\.\d+)?)")


def lm_eval_date(file: SourceFile) -> str | None:
    """When the run ended, as precisely as the file says: ISO date and time where it has them
    (the unix `date`, or a `results_YYYY-MM-DDTHH-MM-SS.ffffff.json` name), else a date."""
    data = file.data()
    if not isinstance(data, dict):
        return None
    number = _number(data.get("date"))
    if number is not None:
        try:
            return datetime.fromtimestamp(number, tz=UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    stamp = _FILE_STAMP.search(file.path.name)
    if stamp is not None and not isinstance(data.get("date"), str):
        day, hours, minutes, seconds = stamp.groups()
        return f"{day}T{hours}:{minutes}:{float(seconds):09.6f}+00:00"
    return _iso_date(data, file.path)


def lookup_lm_eval(file: SourceFile, request: Request) -> Found | NotHere:
    """One metric from lm-eval results: `request.spec` has `task` and `field`; a metric in `%`
    gets value and stderr x100."""
    data, display = file.data(), file.display
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise SourceProblem([(display, "not lm-eval results: no 'results' object")])
    task, field = _spec_pair(request.spec, "task", "field")
    tasks: dict[str, Any] = dict(data["results"])
    if isinstance(data.get("groups"), dict):
        tasks = {**data["groups"], **tasks}
    entry = tasks.get(task)
    if not isinstance(entry, dict):
        offered_tasks = tuple(t for t, e in tasks.items() if isinstance(e, dict))  # not itself
        return NotHere(f"no task {excerpt(task)} in the results", offered_tasks, task)
    offered = [k for k in entry if k not in _NOT_METRICS and "_stderr" not in k]
    if field not in entry and "," not in field:
        # lm-eval 0.4 writes `metric,filter`: a bare `acc_norm` finds `acc_norm,none`, else the
        # task's only filter; lighteval and the 0.3 layout write the bare name (taken as is).
        filters = [k for k in offered if k.partition(",")[0] == field]
        if f"{field},none" in entry:
            field = f"{field},none"
        elif len(filters) == 1:
            field = filters[0]
        elif filters:
            listed = ", ".join(excerpt(k) for k in filters)
            place = f"{display} task {excerpt(task)}"
            raise SourceProblem(
                [(place, f"{excerpt(field)} has several filters: {listed}; name one")]
            )
    if field not in entry:
        what = f"no field {excerpt(field)} in task {excerpt(task)}"
        return NotHere(what, tuple(offered), field)
    value = _number(entry[field])
    if value is None:
        place = f"{display} task {excerpt(task)}, field {excerpt(field)}"
        raise SourceProblem([(place, f"expected a finite number, got {excerpt(entry[field])}")])
    stderr_field = _stderr_field(field)
    raw_stderr = entry.get(stderr_field)
    stderr = _number(raw_stderr)
    place = f"{display} task {excerpt(task)}, field {excerpt(stderr_field)}"
    if raw_stderr is not None and raw_stderr != "N/A" and stderr is None:
        what = f"expected a finite number or 'N/A', got {excerpt(raw_stderr)}"
        raise SourceProblem([(place, what)])
    if stderr is not None and stderr < 0:
        raise SourceProblem([(place, f"a standard error must be at least 0, got {raw_stderr}")])
    scale = 100.0 if (request.unit or "").strip() == "%" else 1.0
    if scale != 1.0 and not 0.0 <= value <= 1.0:
        # lm-eval writes most metrics as fractions, but bleu/chrf/ter (lm_eval/api/metrics.py,
        # sacrebleu's `.score`) and squadv2's exact/f1 are 0-100: scaling those is a 100x misread
        place = f"{display} task {excerpt(task)}"
        what = (
            f"{excerpt(field)} is {value:g}, not a fraction: the metric's unit '%' would multiply "
            "it by 100; declare another unit to take it as written"
        )
        raise SourceProblem([(place, what)])
    provenance = {**_lm_eval_provenance(data, file.path, display), "task": task, "field": field}
    if stderr is not None:
        provenance["stderr_field"] = stderr_field
    found = counts(data, task, field)  # n, n_original, limit: what the value rests on
    provenance.update(found)
    if (shots := n_shot(data, task)) is not None:
        provenance["n_shot"] = shots
    warning = subset_warning(task, found)
    if warning is not None:
        provenance["kind"] = "estimated"
    warnings = (f"{display}: {warning}",) if warning else ()
    return Found(
        value * scale, None if stderr is None else stderr * scale, provenance, warnings=warnings
    )


def read_optimum_benchmark(
    path: Path,
    fields: dict[str, tuple[str, str]],
    units: dict[str, str | None],
    display: str,
) -> dict[str, tuple[float, dict[str, Any]]]:
    file = SourceFile(path, display, "optimum_benchmark")
    problems = Problems(display)
    out: dict[str, tuple[float, dict[str, Any]]] = {}
    for metric, spec in fields.items():
        try:
            got = lookup_optimum_benchmark(file, Request(metric, spec, units.get(metric)))
        except SourceProblem as exc:
            for place, what in exc.problems:
                problems.add(place, what)
            continue
        if isinstance(got, NotHere):
            word = got.what.split("'")[1] if "'" in got.what else ""
            problems.add(f"{display} (for {metric})", got.what + close_matches(word, got.offered))
            continue
        out[metric] = (got.value, got.provenance)
    problems.raise_if_any()
    return out


def _report_of(file: SourceFile) -> tuple[dict[str, Any], dict[str, Any]]:
    data = file.data()
    if not isinstance(data, dict):
        raise SourceProblem([(file.display, "not an optimum-benchmark report: not a JSON object")])
    report = data.get("report") if isinstance(data.get("report"), dict) else data
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    assert isinstance(report, dict) and isinstance(config, dict)
    return report, config


def optimum_benchmark_date(file: SourceFile) -> str | None:
    _, config = _report_of(file)
    environment = config.get("environment")
    stamp = environment.get("timestamp") if isinstance(environment, dict) else None
    if isinstance(stamp, str) and re.match(r"\d{4}-\d{2}-\d{2}", stamp):
        return stamp[:10]
    return None


def lookup_optimum_benchmark(file: SourceFile, request: Request) -> Found | NotHere:
    """One metric from an optimum-benchmark report: `request.spec` has `target` and a dotted
    `field`; the unit beside the value converts to `request.unit`."""
    report, config = _report_of(file)
    display = file.display
    backend = config.get("backend") if isinstance(config.get("backend"), dict) else {}
    environment = config.get("environment") if isinstance(config.get("environment"), dict) else {}
    assert isinstance(backend, dict) and isinstance(environment, dict)
    found = {
        "optimum_benchmark_version": _text(environment.get("optimum_benchmark_version")),
        "model": _text(backend.get("model")),
        "benchmark": _text(config.get("name")),
    }
    base = {"source": display, **{k: v for k, v in found.items() if v is not None}}
    target, field = _spec_pair(request.spec, "target", "field")
    node: Any = report.get(target)
    if not isinstance(node, dict):
        targets = [k for k, v in report.items() if isinstance(v, dict)]
        return NotHere(f"no target {excerpt(target)}", tuple(targets), target)
    parent: dict[str, Any] = node
    walked = target
    for part in field.split("."):
        if not isinstance(node, dict):
            return NotHere(f"no field {excerpt(part)} in {excerpt(walked)}", (), part)
        if part not in node:
            offered = tuple(str(k) for k in node)
            return NotHere(f"no field {excerpt(part)} in {excerpt(walked)}", offered, part)
        parent, node, walked = node, node[part], f"{walked}.{part}"
        if node is None:
            here = f"{display} (for {request.metric})"
            what = f"{excerpt(walked)} is null: the run did not measure it"
            raise SourceProblem([(here, what)])
    value = _number(node)
    place = f"{display} {excerpt(f'{target}.{field}')}"
    if value is None:
        raise SourceProblem([(place, f"expected a finite number, got {excerpt(node)}")])
    unit = _text(parent.get("unit"), 40)
    unit = unit if unit and unit.strip() else None
    if unit is not None and request.unit is None:  # as a value written "0.64 s" inline is
        what = f"a value in {excerpt(unit)} needs the metric to declare its unit"
        raise SourceProblem([(place, what)])
    if unit is not None and request.unit is not None:
        try:
            value = units_mod.convert(value, unit, request.unit)
        except ValueError as exc:
            raise SourceProblem([(place, str(exc))]) from None
    return Found(value, None, {**base, "target": target, "field": field, "unit": unit})


@functools.cache
def _bundled() -> DataSnapshot:
    """genai-prices' bundled data only: our own snapshot, untouched by `UpdatePrices`."""
    from genai_prices.data import providers
    from genai_prices.data_snapshot import DataSnapshot

    return DataSnapshot(providers=providers, from_auto_update=False)


def _rate(price: Any, input_tokens: float) -> float | None:
    """USD per million tokens actually applied: a plain price, or the tier the input reaches."""
    from genai_prices.types import TieredPrices

    if isinstance(price, TieredPrices):
        applied = price.base
        for tier in reversed(price.tiers):  # genai-prices' rule: crossing a tier prices all tokens
            if input_tokens > tier.start:
                applied = tier.price
                break
        return float(applied)
    return float(price) if isinstance(price, Decimal) else None


def _first_price(model: Any) -> date | None:
    """The day a model's first recorded price starts, when genai-prices dates it (its first
    conditional price has a start date); None when its first price has no date."""
    from genai_prices.types import StartDateConstraint

    prices = model.prices
    if isinstance(prices, list) and prices:
        constraint = prices[0].constraint
        if isinstance(constraint, StartDateConstraint):
            return constraint.start_date
    return None


def price_per_request(
    provider: str,
    model: str,
    input_tokens: float,
    output_tokens: float,
    at: datetime | None,
    cached_input_tokens: float = 0.0,
) -> tuple[float, dict[str, Any]]:
    import genai_prices
    from genai_prices import Usage
    from genai_prices.data_snapshot import find_provider_by_id

    version = genai_prices.__version__
    tokens = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cached_input_tokens": cached_input_tokens,
    }
    bad = [k for k, v in tokens.items() if not (math.isfinite(v) and v >= 0)]
    if bad:
        raise SourceProblem([("workload", f"{k} must be a finite number >= 0") for k in bad])
    if cached_input_tokens > input_tokens:
        what = "cached_input_tokens is a part of input_tokens: it cannot be larger"
        raise SourceProblem([("workload", what)])
    snapshot = _bundled()
    if find_provider_by_id(snapshot.providers, provider) is None:
        ids = [p.id for p in snapshot.providers]
        what = f"unknown provider {excerpt(provider)} in genai-prices {version}"
        raise SourceProblem([("price.provider", what + close_matches(provider.lower(), ids))])
    when = (at or datetime.now(tz=UTC)).astimezone(UTC).replace(microsecond=0)
    try:
        found, info = snapshot.find_provider_model(model, None, provider, None)
    except LookupError:
        entry = find_provider_by_id(snapshot.providers, provider)
        assert entry is not None
        # A model's id does not always match its own match rule (fireworks' ids are matched as
        # "accounts/fireworks/models/<id>"): the id the user copied from the data is accepted.
        by_id = next((m for m in entry.models if m.id == model.strip().lower()), None)
        if by_id is None:
            ids = [m.id for m in entry.models]
            what = f"no model {excerpt(model)} at provider {entry.id} in genai-prices {version}"
            raise SourceProblem(
                [("price.model", what + close_matches(model.lower(), ids))]
            ) from None
        found, info = entry, by_id
    usage = Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_tokens=cached_input_tokens or None,
    )
    result = info.calc_price(usage, found, genai_request_timestamp=when)
    prices = result.model_price
    provenance = {
        "source": "genai-prices",
        "genai_prices_version": version,
        "looked_up_at": when.isoformat().replace("+00:00", "Z"),
        "provider": found.id,
        "model": info.id,
        "input_usd_per_mtok": _rate(getattr(prices, "input_mtok", None), input_tokens),
        "output_usd_per_mtok": _rate(getattr(prices, "output_mtok", None), input_tokens),
    }
    if cached_input_tokens:
        cache = getattr(prices, "cache_read_mtok", None)
        provenance["cache_read_usd_per_mtok"] = _rate(cache, input_tokens)
    if (first := _first_price(info)) is not None and when.date() < first:
        provenance["first_price"] = first.isoformat()
    return float(result.total_price), provenance
