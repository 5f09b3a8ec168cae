"""The flags several `tradeoff` commands take: their value types, `Annotated` aliases, and how
their text is read (METRIC=NUMBER, a,b lists).

No `from __future__ import annotations` here either: typer reads these annotations at run time.
"""

import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tradeoff.cli.common import fail


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class MethodName(StrEnum):
    weighted_sum = "weighted-sum"
    weighted_product = "weighted-product"
    topsis = "topsis"


class EngineName(StrEnum):
    default = "default"
    dask = "dask"


class MissingPolicy(StrEnum):
    error = "error"
    exclude = "exclude"
    worst = "worst"


def metric_number(flag: str, item: str, form: str) -> tuple[str, float]:
    """Read `item`, the value of `flag`, as METRIC=NUMBER (the metric stripped); else exit 2
    saying the `form` expected (e.g. "METRIC=WEIGHT (e.g. cost=2)")."""
    metric, sep, text = item.partition("=")
    try:
        if not sep or not metric.strip():
            raise ValueError
        number = float(text)
    except ValueError:
        fail(f"{flag} expects {form}, got '{item}'")
    return metric.strip(), number


def parse_weights(items: list[str] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items or []:
        metric, weight = metric_number("--weight", item, "METRIC=WEIGHT (e.g. cost=2)")
        if metric in out:  # as --tolerance: one value per metric, never a silent choice
            fail(f"--weight: metric '{metric}' given twice")
        out[metric] = weight
    return out


def parse_target(value: str | None) -> tuple[str, float] | None:
    if value is None:
        return None
    metric, target = metric_number("--target", value, "METRIC=VALUE (e.g. quality=85)")
    if not math.isfinite(target):
        fail(f"--target needs a finite value, got '{value.partition('=')[2].strip()}'")
    return metric, target


def parse_metrics(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [m.strip() for m in value.split(",") if m.strip()]
    if not names:
        fail("--metrics expects a comma-separated list of metric names")
    return names


FileArg = Annotated[Path, typer.Argument(help="The goals file.", show_default=True)]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file (atomically) instead of stdout; - is stdout."
    ),
]
MetricsOpt = Annotated[
    str | None, typer.Option("--metrics", help="Comma-separated metrics to judge dominance on.")
]
MissingOpt = Annotated[
    MissingPolicy,
    typer.Option("--missing", help="Missing values: error, exclude the candidate, or worst value."),
]
AllowExternalOpt = Annotated[
    bool,
    typer.Option(
        "--allow-external-sources",
        help="Let `from:` read files outside the goals file's folder (absolute paths, ..).",
    ),
]
UncertaintyOpt = Annotated[
    bool,
    typer.Option(
        "--uncertainty", help="Monte Carlo over stderr: P(first), median rank, 90% interval."
    ),
]
# rank's --top and --all, taken by explain and sensitivity so that rank's flags can be passed to
# them unchanged (the spec: "takes rank's flags"); one candidate, or every rank, is shown anyway.
PassTopOpt = Annotated[
    int | None, typer.Option("--top", min=1, hidden=True, help="As in rank; no effect here.")
]
PassAllOpt = Annotated[bool, typer.Option("--all", hidden=True, help="As in rank; no effect here.")]
EngineOpt = Annotated[
    EngineName,
    typer.Option(
        "--engine",
        help="default (this process) or dask: a Parquet dataset folder on a dask cluster.",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="With --engine dask: the scheduler (tcp://host:8786); default a local cluster.",
    ),
]
