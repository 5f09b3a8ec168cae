"""The shapes every serving-benchmark reader fills: a run's stored stats, rates and requests."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tradeoff.arrays import F64

TIMES = ("ttft", "tpot", "itl", "e2el")
RATES = {
    "request_throughput": "request/s",
    "output_throughput": "token/s",
    "total_token_throughput": "token/s",
}
FIELDS = (*TIMES, *RATES)
STAT_RE = re.compile(r"mean|median|min|max|std|p(\d{1,2}(?:\.\d+)?|100)")


def stat_key(stat: str) -> str | None:
    """'p99' -> 'p99', 'p99.90' -> 'p99.9', 'P50' -> None; None for anything not a stat."""
    if not STAT_RE.fullmatch(stat):
        return None
    return stat if not stat.startswith("p") else pkey(float(stat[1:]))


def pkey(p: float) -> str:
    return f"p{p:g}"


@dataclass
class Requests:
    """The completed requests of a run, in seconds (one entry per request unless said).

    vLLM and SGLang give no per-request latency, only the gaps between streamed chunks; e2el is
    ttft + the sum of a request's gaps. Those gaps (millions of numbers for 10,000 requests) are
    parsed on first use by `gaps`, so a stat of ttft never pays for them.
    """

    ttft: F64
    output_len: F64
    given_e2el: F64 | None = None  # where the tool measures it (GuideLLM)
    tpot_given: F64 | None = None  # per request, where the tool measures it itself (GuideLLM)
    gaps: Callable[[], tuple[F64, F64]] | None = None  # -> (pooled gaps, sum per request)
    _loaded: tuple[F64, F64] | None = None

    def _gaps(self) -> tuple[F64, F64] | None:
        if self._loaded is None and self.gaps is not None:
            self._loaded = self.gaps()
        return self._loaded

    @property
    def e2el(self) -> F64:
        if self.given_e2el is not None:
            return self.given_e2el
        gaps = self._gaps()
        assert gaps is not None
        return self.ttft + gaps[1]

    @property
    def itl(self) -> F64 | None:
        """Every gap between streamed chunks, pooled; None without per-token data."""
        gaps = self._gaps()
        return None if gaps is None else gaps[0]

    def tpot(self, goodput: bool = False) -> F64:
        """(e2el - ttft) / (out - 1) per request with out > 1; with `goodput`, 0 for the rest."""
        many = self.output_len > 1
        if self.tpot_given is not None:
            gaps = np.where(many, self.tpot_given, 0.0)
        else:
            gaps = np.divide(
                self.e2el - self.ttft,
                self.output_len - 1,
                out=np.zeros_like(self.ttft),
                where=many,
            )
        return gaps if goodput else gaps[many]

    def values(self, field: str) -> F64 | None:
        if field == "ttft":
            return self.ttft
        if field == "e2el":
            return self.e2el
        if field == "tpot":
            return self.tpot()
        return self.itl


@dataclass(frozen=True)
class Totals:
    """How many requests a run completed and how many failed, over how many seconds (None: the
    file does not say)."""

    completed: int | None
    failed: int | None = None
    duration: float | None = None


@dataclass
class Run:
    """One benchmark run, whatever the tool: stored stats (ms), rates, and the requests."""

    tool: str
    label: str  # what the run was: "rate 8.0", "constant 4.0", "" when the file does not say
    stored: dict[str, dict[str, float]]  # field -> stat key -> value in ms
    rates: dict[str, float]  # field -> per second
    totals: Totals
    requests: Requests | None
    why_no_requests: str  # why per-request data is absent (for goodput and computed stats)
    # field -> why the tool's own summary of it is not read (GuideLLM's token-weighted ITL)
    why_not_stored: dict[str, str] = field(default_factory=dict)
    rate: str | None = None
    date: str | None = None
    model: str | None = None
    index: int | None = None  # in a file of several runs

    @property
    def name(self) -> str:
        """'run 1 (rate 8.0)' in a file of several runs, else 'the run (rate 8.0)'."""
        base = "the run" if self.index is None else f"run {self.index}"
        return f"{base} ({self.label})" if self.label else base


def finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer no float holds
        return None
    return number if math.isfinite(number) else None


def text(value: Any, limit: int = 200) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)[:limit]
    return None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
