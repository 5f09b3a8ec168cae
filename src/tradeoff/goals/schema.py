"""The pydantic models of goals.yaml. Their attribute docstrings become `tradeoff schema`.

These models check shapes and single values. Cross-references (unknown metric names, duplicate
candidates) are checked afterwards, in `loader.py`, so that every problem is reported at once.

They define the format, but most files are read without them: `fastpath.py` accepts the plain,
valid files they accept (and builds the same study), and only the rest, errors included, come
here. A change to a model needs the same change there, or there a decline.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    model_validator,
)

# Re-exported: they lived here first.
from tradeoff.quantity import describe as describe
from tradeoff.quantity import parse_quantity as parse_quantity


def _finite(value: Any) -> float:
    number, unit = parse_quantity(value)
    if unit is not None:
        raise ValueError(f"expected a plain number here, got {describe(value)}")
    return number


def _quantity(value: Any) -> Any:
    parse_quantity(value)  # raises with a clear message; the text is kept for unit conversion
    return value


def _non_negative(value: Any) -> float:
    number = _finite(value)
    if number < 0:
        raise ValueError(f"must be at least 0, got {describe(value)}")
    return number


def _iso_date(value: Any) -> Any:
    # pydantic would read an integer as seconds since 1970; a date here is written as text.
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO date (YYYY-MM-DD), got {describe(value)}")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"expected an ISO date (YYYY-MM-DD), got {describe(value)}") from None


IsoDate = Annotated[
    dt.date, BeforeValidator(_iso_date), WithJsonSchema({"type": "string", "format": "date"})
]

FiniteFloat = Annotated[float, BeforeValidator(_finite, json_schema_input_type=float | str)]
NonNegativeFloat = Annotated[
    float, BeforeValidator(_non_negative, json_schema_input_type=float | str)
]
Quantity = Annotated[
    float | str,
    BeforeValidator(_quantity, json_schema_input_type=float | str),
    Field(description='A number, or a number with a unit such as "0.64 s".'),
]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", use_attribute_docstrings=True, frozen=True, populate_by_name=True
    )


class LmEvalSource(_Model):
    """Where a metric's value sits in lm-evaluation-harness results."""

    task: str
    """Task name under `results`, e.g. `mmlu_pro`."""
    field: str
    """Field of that task, e.g. `"exact_match,custom-extract"`; its stderr comes along."""
    samples: StrictBool = False
    """Also read the per-item scores of the harness's `--log_samples` file
    (`samples_<task>_<date>.jsonl`, in the candidate's `from:` or beside its results file), for
    paired comparisons; only for metrics the harness aggregates by mean."""


class OptimumBenchmarkSource(_Model):
    """Where a metric's value sits in an optimum-benchmark report."""

    target: str
    """Report section, e.g. `decode`, `prefill` or `per_token`."""
    field: str
    """Dotted path inside the section, e.g. `latency.p95`."""


ServingField = Literal[
    "ttft",
    "tpot",
    "itl",
    "e2el",
    "request_throughput",
    "output_throughput",
    "total_token_throughput",
]
_SERVING_RATES = ("request_throughput", "output_throughput", "total_token_throughput")
_STAT_RE = re.compile(r"mean|median|min|max|std|p(\d{1,2}(\.\d+)?|100)")


class ServingSource(_Model):
    """A field of a serving-benchmark result (vLLM, SGLang, GuideLLM, genai-perf), or goodput."""

    field: ServingField | None = None
    """`ttft`, `tpot`, `itl`, `e2el` (per request: give a `stat`), or `request_throughput`,
    `output_throughput`, `total_token_throughput` (one number per run)."""
    stat: str | None = None
    """`mean`, `median`, `min`, `max`, `std` (ddof 0) or `pNN` (any percentile, e.g. `p99.9`)."""
    goodput: dict[Literal["ttft", "tpot", "e2el"], Quantity] | None = None
    """SLOs with time units (`{ttft: "500 ms", tpot: "50 ms"}`): completed requests meeting
    every one, per second of the run, from per-request data."""

    @model_validator(mode="after")
    def _one_of(self) -> ServingSource:
        if (self.field is None) == (self.goodput is None):
            raise ValueError("give either `field` (with `stat` for a latency) or `goodput`")
        if self.goodput is not None:
            if self.stat is not None:
                raise ValueError("`stat` does not go with `goodput`")
            if not self.goodput:
                raise ValueError("`goodput` needs at least one SLO: ttft, tpot or e2el")
            for name, raw in self.goodput.items():
                number, unit = parse_quantity(raw)
                if unit is None:
                    raise ValueError(f"the {name} SLO needs a time unit, such as '{number:g} ms'")
        elif self.field in _SERVING_RATES and self.stat is not None:
            raise ValueError(f"{self.field} is one number per run: leave out `stat`")
        elif self.field not in _SERVING_RATES and self.stat is None:
            raise ValueError(f"{self.field} needs a `stat`: mean, median, min, max, std or pNN")
        elif self.stat is not None and not _STAT_RE.fullmatch(self.stat):
            raise ValueError(
                f"unknown stat {self.stat!r}: use mean, median, min, max, std or pNN "
                "(p50, p99, p99.9)"
            )
        return self


class MetricSource(_Model):
    """Which external data fills a metric: `price`, or a field of a results file."""

    price: StrictBool = False
    """Filled from the candidates' `price:` entries (written `source: price`)."""
    lm_eval: LmEvalSource | None = None
    """Take the value from lm-evaluation-harness results."""
    optimum_benchmark: OptimumBenchmarkSource | None = None
    """Take the value from an optimum-benchmark report."""
    json_: str | None = Field(default=None, alias="json", min_length=1)
    """A JMESPath expression giving one number (or a number with a unit) in any JSON file."""
    serving: ServingSource | None = None
    """Take the value from a serving-benchmark result (vLLM, SGLang, GuideLLM, genai-perf)."""


def _as_source(value: Any) -> Any:
    if value == "price":
        return {"price": True}
    if isinstance(value, str):
        raise ValueError(f"expected 'price' or a mapping, got {describe(value)}")
    return value


Source = Annotated[
    MetricSource | None,
    BeforeValidator(_as_source, json_schema_input_type=Literal["price"] | MetricSource | None),
]


Direction = Annotated[
    Literal["max", "min"] | None, WithJsonSchema({"type": "string", "enum": ["max", "min"]})
]


class Metric(_Model):
    """A goal (one measured property of every candidate), or an input that feeds formulas."""

    model_config = ConfigDict(
        json_schema_extra={
            # a goal needs a direction; an input has none (checked with located messages in
            # loader.py; here for editors)
            "anyOf": [
                {"required": ["direction"]},
                {"required": ["role"], "properties": {"role": {"const": "input"}}},
            ]
        }
    )

    role: Literal["goal", "input"] = "goal"
    """`goal` (the default): compared, weighted, budgeted. `input`: a value that only feeds
    formulas (GPU count, price per GPU-hour, throughput); it has no direction, range, additive
    or budget, and is shown in `explain` and JSON `inputs`, never as a column."""
    direction: Direction = None
    """`max` when more is better (quality, safety), `min` when less is better (cost, latency).
    Required for goals."""
    unit: str | None = None
    """The unit values are expressed in, e.g. `ms`, `USD/request`, `%`."""
    description: str | None = None
    """What the metric measures, for people."""
    range: Annotated[list[FiniteFloat], Field(min_length=2, max_length=2)] | None = None
    """Fixed goalposts `[low, high]` for normalization instead of the candidates' min and max."""
    additive: StrictBool = False
    """True when the mean over a traffic mix is the mix of the means (cost, mean accuracy)."""
    source: Source = None
    """Where values come from: `price` (filled from `price:` entries) or a results file field."""
    formula: str | None = None
    """Computes the value from other metrics where none is given, e.g.
    `"gpus * gpu_price / throughput"`: numbers, metric names, `+ - * /`, `**` with a number
    exponent, parentheses, `mean min max sum sqrt log exp`. Units follow the arithmetic."""


class Bound(_Model):
    """A hard constraint on one metric."""

    max: Quantity | None = None
    """Upper limit, in the metric's unit (or with a unit of its own)."""
    min: Quantity | None = None
    """Lower limit, in the metric's unit (or with a unit of its own)."""
    level: Literal["error", "warn"] = "error"
    """`error` fails `tradeoff check`; `warn` is reported but passes unless `--strict`."""
    tags: Annotated[list[str], Field(min_length=1)] | None = None
    """Applies only to candidates that carry at least one of these tags (leave it out for all)."""


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


Bounds = Annotated[
    list[Bound],
    BeforeValidator(_as_list, json_schema_input_type=Bound | list[Bound]),
]


class Measurement(_Model):
    """A metric value with its uncertainty and provenance."""

    value: Quantity
    """The value: a number, or a number with a unit."""
    stderr: Quantity | None = None
    """Standard error of the value (at least 0), in the same unit."""
    kind: Literal["measured", "estimated", "claimed"] = "measured"
    """How the value was obtained."""
    date: IsoDate | None = None
    """When it was measured or published (ISO date)."""
    citation: str | None = None
    """Where it came from: a paper, a page, a file."""


def _as_measurement(value: Any) -> Any:
    if value is None or isinstance(value, dict):
        return value
    return {"value": value}  # checked once, by `Measurement.value`


Value = Annotated[
    Measurement | None,
    BeforeValidator(_as_measurement, json_schema_input_type=float | str | Measurement | None),
]


class Column(_Model):
    """A table column with its unit given explicitly."""

    column: str = Field(min_length=1)
    """The column's header, as the file writes it."""
    unit: str = Field(min_length=1)
    """The unit of every cell of that column; converted to the metric's unit."""


Combine = Literal["median", "mean", "min", "max", "last"]


class Candidate(_Model):
    """A model or deployment to choose from, or (with `from` or `each`) files of them."""

    name: str | None = Field(default=None, min_length=1)
    """Unique name of the candidate."""
    tags: list[str] = Field(default_factory=list)
    """Free-form labels; budgets with `tags` apply to candidates with one of them."""
    metrics: dict[str, Value] = Field(default_factory=dict)
    """Metric values; a metric may be left out or written `null` (either is a missing value)."""
    from_: str | Annotated[list[str], Field(min_length=1)] | None = Field(
        default=None, alias="from"
    )
    """A file, or a list of files; each may be a glob (`*`, `?`, `**`). A table (CSV, Parquet,
    JSON Lines, or JSON with `rows`) of candidates, or a candidate's results files (lm-eval,
    optimum-benchmark, serving, any JSON)."""
    each: str | None = Field(default=None, min_length=1)
    """A glob: one candidate per matching file (or per run in it), named by `name`'s template
    (`{1}`, `{2}` for the wildcards, `{stem}`, `{parent}`, `{run}`, `{rate}`)."""
    newest: StrictBool = False
    """A metric found in several of the candidate's files takes the latest recorded date."""
    run: Annotated[int, Field(ge=0, strict=True)] | None = None
    """Of a file that holds several runs, the one to read (0-based)."""
    rows: str | None = Field(default=None, min_length=1)
    """With a `.json` table: a JMESPath expression giving a list of objects, one row each."""
    columns: dict[str, str | Column] | None = None
    """With a table: metric (or `name`, `date`) -> the file's column, or `{column, unit}`."""
    tag_columns: list[str] | None = None
    """With a table: columns whose value in each row becomes a tag of that row's candidate."""
    combine: Combine | None = None
    """With a table: rows sharing a name become one candidate, each metric combined this way."""
    join: Literal["name"] | None = None
    """With a table or `each:`: the values go to the candidates of the same `name` defined
    elsewhere in the file, instead of being candidates of their own."""
    unmatched: Literal["ignore", "error"] | None = None
    """With `join`: a row naming no candidate is ignored (default; `validate` counts them) or an
    error."""
    price: Price | None = None
    """Fill the `source: price` metric from the genai-prices package's bundled data."""


class Price(_Model):
    """A model's token prices, looked up offline in genai-prices."""

    provider: str
    """Provider id in genai-prices, e.g. `openai`."""
    model: str
    """Model id in genai-prices, e.g. `gpt-4o`."""
    at: IsoDate | None = None
    """Prices in force on this day (e.g. the date of the latency measurement); default today."""


class Workload(_Model):
    """Tokens of one request, to turn per-token prices into cost per request."""

    input_tokens: NonNegativeFloat
    """Input (prompt) tokens per request."""
    output_tokens: NonNegativeFloat
    """Output (completion) tokens per request."""
    cached_input_tokens: NonNegativeFloat = 0.0
    """The part of `input_tokens` read from the provider's prompt cache, billed at the model's
    cache-read price where it has one (at the input price otherwise)."""


class GoalsFile(_Model):
    """A tradeoff goals file: goals, budgets, weightings and candidates."""

    version: Literal[1]
    """Format version; 1."""
    title: str | None = None
    """What is being decided."""
    metrics: dict[str, Metric] = Field(min_length=1)
    """Every goal; the order here is the column order."""
    budgets: dict[str, Bounds] = Field(default_factory=dict)
    """Hard constraints, per metric: one bound or a list of bounds."""
    profiles: dict[str, dict[str, NonNegativeFloat]] = Field(default_factory=dict)
    """Named weightings (relative; need not sum to 1). Without any, all metrics weigh the same."""
    workload: Workload | None = None
    """Tokens per request, for `price:` entries."""
    candidates: list[Candidate] = Field(default_factory=list)
    """The candidates, or `from:` entries that load them from files."""


Candidate.model_rebuild()


SCHEMA_ID = "https://github.com/tradeoff-dev/tradeoff/schema/goals-v1.json"


def goals_schema() -> dict[str, Any]:
    """The JSON Schema of goals.yaml, valid under Draft 7 and Draft 2020-12.

    pydantic writes Draft 2020-12; we avoid the keywords Draft 7 lacks (no `prefixItems`: ranges
    are arrays with min/max items) and declare Draft 7, which yaml-language-server reads.
    """
    schema = GoalsFile.model_json_schema(by_alias=True)
    names = {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
    schema["properties"]["metrics"]["propertyNames"] = names
    return {"$schema": "http://json-schema.org/draft-07/schema#", "$id": SCHEMA_ID, **schema}
