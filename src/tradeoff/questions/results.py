"""Results as data: frozen records that renderers format; `to_json()` gives the spec's shapes.

Where the spec leaves room, these shapes decide:

- rank: `normalized` holds every metric of the study (not only the weighted ones), min-max over
  the candidates considered, whatever `--method` scored them; null where the value is missing.
  `excluded` is always present (empty without `--missing exclude`), like `infeasible`.
- pareto: an `excluded` key follows the spec's keys, as in rank.

What all results share is in `questions.record`; explain's result in `questions.explain_result`,
the closest infeasible candidates in `questions.closest`. Their names are importable from here
too, as before the split.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypedDict

from tradeoff.data import MetricSpec
from tradeoff.engine.budgets import BudgetResult
from tradeoff.lazy import LazySequence
from tradeoff.questions.closest import Closest as Closest
from tradeoff.questions.closest import closest_of as closest_of
from tradeoff.questions.explain_result import ExplainResult as ExplainResult
from tradeoff.questions.explain_result import InputLine as InputLine
from tradeoff.questions.explain_result import MetricLine as MetricLine
from tradeoff.questions.record import SCHEMA_VERSION as SCHEMA_VERSION
from tradeoff.questions.record import JsonResult as JsonResult
from tradeoff.questions.record import RankUncertainty as RankUncertainty
from tradeoff.questions.record import draws_json as draws_json
from tradeoff.questions.record import num as num
from tradeoff.questions.volume import FrontVolume

if TYPE_CHECKING:
    from tradeoff.data import StudyData


@dataclass(frozen=True)
class Row:
    """One candidate as shown by rank or pareto."""

    name: str
    values: tuple[float | None, ...]  # per metric, study order; None = missing or filled
    normalized: dict[str, float | None] = field(default_factory=dict)
    score: float | None = None
    rank: int | None = None
    layer: int | None = None
    knee: bool = False
    on_front: bool = True
    dominated_by: tuple[str, ...] = ()
    dominated_total: int = 0  # how many front members dominate it (dominated_by stops at 3)
    violations: tuple[BudgetResult, ...] = ()
    feasible: bool = True
    uncertainty: RankUncertainty | None = None  # rank --uncertainty
    noise_only: bool = False  # pareto --noise: on the front only because of noise
    # Values `--missing worst` filled in (None elsewhere): JSON shows them as null, as the spec
    # says; tables show them marked, so a reader sees what the candidate was charged.
    filled: tuple[float | None, ...] = ()
    # Per metric, the items a subset result rests on (lm-eval `--limit`): tables show "40 (n=20)".
    counts: tuple[int | None, ...] = ()
    inputs: dict[str, float | None] = field(default_factory=dict)  # `role: input` values

    def metric_dict(self, metrics: list[MetricSpec]) -> dict[str, float | None]:
        return {m.name: num(v) for m, v in zip(metrics, self.values, strict=True)}


_BLOCK = 10_000  # rows LazyRows builds at once when iterated


class LazyRows(LazySequence[Row]):
    """Rows built on first access: a million infeasible candidates cost nothing until shown."""

    def __init__(
        self,
        count: int,
        make: Callable[[int], Row],
        many: Callable[[int, int], list[Row]] | None = None,
    ) -> None:
        self._count, self._make, self._many = count, make, many  # many(a, b): rows a..b-1
        self._built: dict[int, Row] = {}

    def __iter__(self) -> Iterator[Row]:
        if len(self._built) == self._count:
            return map(self._built.__getitem__, range(self._count))
        return super().__iter__() if self._many is None else self._blocks(self._many)

    def _blocks(self, many: Callable[[int, int], list[Row]]) -> Iterator[Row]:
        for start in range(0, self._count, _BLOCK):  # built a block at a time: a table shows all
            made = many(start, min(start + _BLOCK, self._count))
            for k, row in enumerate(made, start):
                yield self._built.setdefault(k, row)

    def _item(self, k: int) -> Row:
        if k not in self._built:
            self._built[k] = self._make(k)
        return self._built[k]


@dataclass(frozen=True)
class NoGroups:
    """No significance groups (nothing drew): every row's letter is None."""

    letters: list[None]
    source: None = None

    def line(self) -> None:
        return None


class About(TypedDict):
    """What every answer says of its goals file (`about(data)` fills it)."""

    file: str
    title: str | None
    metrics: list[MetricSpec]


def about(data: StudyData) -> About:
    return About(file=data.file, title=data.title, metrics=data.metrics)


@dataclass(frozen=True)
class Answer(JsonResult):
    """The goals file's title and metrics, the metrics dominance was judged on, and the
    candidates left out for a missing value (name, metrics) -- as rank and pareto report them."""

    file: str
    title: str | None
    metrics: list[MetricSpec]
    dominance: list[str]
    excluded: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class RankResult(Answer):
    """`tradeoff rank`: feasible candidates best first, and the infeasible ones."""

    profile: str
    method: str
    weights: dict[str, float]
    rows: Sequence[Row]
    infeasible: Sequence[Row]
    show_infeasible: bool = False
    notes: list[str] = field(default_factory=list)
    draws: tuple[int, int] | None = None  # --uncertainty: (samples, seed)
    meta: dict[str, Any] = field(default_factory=dict)  # about the sources (genai-prices lookup)
    # The one-line confidence summary (table, markdown) when stderr values exist; computed on
    # first use, so json and csv never pay for its Monte Carlo.
    summary: Callable[[], str | None] | None = None
    _memo: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    command: str = "rank"
    top: int | None = None  # --top N: JSON lists the first N infeasible (file order), and a count
    # The JSON text of the first n infeasible candidates, encoded in bulk (see `json_text`).
    infeasible_json: Callable[[int], list[str]] | None = None
    # The candidates' JSON items in chunks, encoded in bulk, given each row's group letter.
    candidates_json: Callable[[Sequence[str | None]], Iterator[str]] | None = None

    @property
    def infeasible_shown(self) -> int:
        """How many infeasible candidates the JSON lists: all, or the first N with --top N."""
        n = len(self.infeasible)
        return n if self.top is None else min(n, self.top)

    # With no feasible candidate: the (at most 3) nearest to feasibility.
    closest: list[Closest] = field(default_factory=list)
    # Significance groups of the rows (confidence.Groups: `source`, `letters`, `line()`), from
    # the same draws as the confidence line, made on first use.
    grouping: Callable[[], Any] | None = None
    # The engine that answered when not this process's (JSON `engine`, with `not_computed`:
    # what the default engine adds that this one did not compute, and why).
    engine: str | None = None
    not_computed: dict[str, str] = field(default_factory=dict)

    @property
    def groups(self) -> Any:
        """The rows' significance groups (`confidence.Groups`), drawn on first use."""
        if "groups" not in self._cache:
            self._cache["groups"] = self.grouping() if self.grouping is not None else None
        return self._cache["groups"]

    @property
    def confidence(self) -> str | None:
        if "line" not in self._memo:
            self._memo["line"] = self.summary() if self.summary is not None else None
        return self._memo["line"]

    def to_json(self) -> dict[str, Any]:
        groups = self.groups or NoGroups([None] * len(self.rows))
        out: dict[str, Any] = {
            **self.heading(),
            "profile": self.profile,
            "method": self.method,
            "weights": {m: num(w) for m, w in self.weights.items()},
            "candidates": [
                {
                    "rank": r.rank,
                    "name": r.name,
                    "score": num(r.score),
                    "metrics": r.metric_dict(self.metrics),
                    "inputs": r.inputs,
                    "normalized": {m: num(v) for m, v in r.normalized.items()},
                    "dominated_by": list(r.dominated_by),
                    "group": group,
                    **(r.uncertainty.to_json() if r.uncertainty else {}),
                }
                for r, group in zip(self.rows, groups.letters, strict=True)
            ],
            "infeasible": [
                {"name": r.name, "violations": [v.violation() for v in r.violations]}
                for r in self.infeasible[: self.infeasible_shown]
            ],
            "infeasible_count": len(self.infeasible),
            "closest": [c.to_json() for c in self.closest],
            "groups_from": groups.source,
            "excluded": [{"name": n, "missing": m} for n, m in self.excluded],
        }
        if self.draws:
            out["uncertainty"] = draws_json(self.draws)
        if self.engine is not None:
            out |= {"engine": self.engine, "not_computed": dict(self.not_computed)}
        out.update(self.meta)
        return out

    def to_json_text(self) -> str:
        """`to_json()` as indented JSON text (see `json_chunks`)."""
        return "".join(self.json_chunks())

    def json_chunks(self) -> Iterator[str]:
        """`to_json_text()` in pieces, with the candidates and the infeasible list encoded in
        bulk, one infeasible candidate a line: a million-row sweep has hundreds of thousands of
        each, and a Python dict per value (through json's indenting encoder) took minutes. The
        pieces are written as they come, so the whole text never has to be in memory."""
        import json

        if self.infeasible_json is None:
            yield super().to_json_text()
            return
        doc = self.to_json_without_infeasible()
        keys = list(doc)
        at = keys.index("infeasible")
        bulk = self.candidates_json is not None and keys[at - 1] == "candidates"
        head = {k: doc[k] for k in keys[: at - 1 if bulk else at]}
        tail = {k: doc[k] for k in keys[at + 1 :]}
        dump = json.dumps
        yield dump(head, indent=2, allow_nan=False, ensure_ascii=False)[:-2]  # without "\n}"
        if bulk and self.candidates_json is not None:
            groups = self.groups or NoGroups([None] * len(self.rows))
            yield ',\n  "candidates": ['
            sep = "\n"
            for chunk in self.candidates_json(groups.letters):
                yield sep  # apart: `sep + chunk` would copy megabytes of text
                yield chunk
                sep = ",\n"
            yield "\n  ]" if sep != "\n" else "]"
        texts = self.infeasible_json(self.infeasible_shown)
        if texts:
            yield ',\n  "infeasible": [\n    '
            yield ",\n    ".join(texts)
            yield "\n  ],"
        else:
            yield ',\n  "infeasible": [],'
        yield dump(tail, indent=2, allow_nan=False, ensure_ascii=False)[1:] + "\n"  # without "{"

    def to_json_without_infeasible(self) -> dict[str, Any]:
        """`to_json()` with an empty `infeasible` list (its place kept), built without it, and
        without candidates when they are encoded in bulk (`candidates_json`)."""
        if self.candidates_json is None:
            return replace(self, infeasible=(), top=None).to_json() | {
                "infeasible_count": len(self.infeasible)
            }
        groups = self.groups or NoGroups([None] * len(self.rows))
        bare = replace(self, rows=(), infeasible=(), top=None, grouping=None, _cache={})
        return bare.to_json() | {
            "groups_from": groups.source,
            "infeasible_count": len(self.infeasible),
        }


@dataclass(frozen=True)
class ParetoResult(Answer):
    """`tradeoff pareto`: the front (or every layer) with its knee."""

    rows: list[Row]
    layers: bool = False
    notes: list[str] = field(default_factory=list)
    command: str = "pareto"
    noise: float | None = None  # --noise K
    ignore_budgets: bool = False  # --ignore-budgets
    hypervolume: FrontVolume | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.heading(),
            "metrics": list(self.dominance),
            **({"hypervolume": self.hypervolume.to_json()} if self.hypervolume else {}),
            "candidates": [
                {
                    "name": r.name,
                    "layer": r.layer,
                    "knee": r.knee,
                    "metrics": r.metric_dict(self.metrics),
                    "inputs": r.inputs,
                    "dominated_by": list(r.dominated_by),
                    **({"noise_only": r.noise_only} if self.noise is not None else {}),
                    **({"feasible": r.feasible} if self.ignore_budgets else {}),
                }
                for r in self.rows
            ],
            "excluded": [{"name": n, "missing": m} for n, m in self.excluded],
            # units of every metric shown, so `check --baseline` can convert or refuse a change
            "units": {m.name: m.unit for m in self.metrics},
            # how the front was judged, so `check --baseline` can refuse a front judged otherwise
            "noise": self.noise,
            "ignore_budgets": self.ignore_budgets,
        }
