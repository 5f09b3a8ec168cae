"""The validated contents of a goals file, as arrays: what every computation starts from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from tradeoff.errors import Diagnostic, did_you_mean

if TYPE_CHECKING:
    from tradeoff.sources.dataset import Dataset


@dataclass(frozen=True)
class MetricSpec:
    """One goal of the study."""

    name: str
    maximize: bool
    unit: str | None = None
    description: str | None = None
    range: tuple[float, float] | None = None
    additive: bool = False

    @property
    def direction(self) -> Literal["max", "min"]:
        return "max" if self.maximize else "min"

    @property
    def proportion_scale(self) -> float | None:
        """100 for a metric in `%`, 1 for one with `range: [0, 1]`, None for any other: a value
        over this scale is a proportion of items (SPEC "Sample counts and honest noise")."""
        if (self.unit or "").strip() == "%":
            return 100.0
        if self.range is not None and tuple(self.range) == (0.0, 1.0):
            return 1.0
        return None

    @property
    def header(self) -> str:
        """Column header: `latency_p95 [ms]`."""
        return f"{self.name} [{self.unit}]" if self.unit else self.name


@dataclass(frozen=True)
class BudgetSpec:
    """One bound of one budget, with the place it was written."""

    metric: str
    bound: Literal["max", "min"]
    limit: float
    level: Literal["error", "warn"]
    tags: frozenset[str] | None
    line: int
    col: int

    def applies_to(self, tags: frozenset[str]) -> bool:
        return self.tags is None or not self.tags.isdisjoint(tags)


@dataclass
class SourceGroup:
    """Rows that came from one candidate table (`from: sweep.parquet`)."""

    display: str
    row_numbers: NDArray[np.int64]  # per row of the group, its row (or line) in the file
    row_label: str  # "row" or "line"
    provenance: dict[str, Any]
    start: int = 0  # first row of the group in the study


@dataclass(frozen=True)
class ItemScores:
    """One candidate's per-item values of one metric, from an lm-eval `--log_samples` file.

    `values` are on the harness's scale (fractions); `scale` converts them to the metric's unit
    (100 for `%`). Items are identified by `doc_id` and `doc_hash` together; `lines` are the
    items' 1-based lines in the file (to find their prompts again, see `sources.samples`).
    """

    display: str  # the samples file as messages show it
    path: Path
    field: str  # the per-item key, e.g. `acc`
    filter: str  # the harness's filter the lines were selected by, e.g. `none`
    doc_ids: NDArray[np.int64]
    doc_hashes: tuple[str, ...]
    prompt_hashes: tuple[str, ...]
    values: NDArray[np.float64]
    lines: NDArray[np.int64]
    scale: float = 1.0

    @property
    def binary(self) -> bool:
        """Every item scored 0 or 1 (accuracy, exact match): McNemar's test applies."""
        return bool(np.isin(self.values, (0.0, 1.0)).all())


@dataclass
class Inputs:
    """Values of the `role: input` metrics, candidates x inputs: they feed formulas and are
    shown (explain, JSON `inputs`), never weighted, compared, budgeted or plotted."""

    names: list[str]
    units: list[str | None]
    values: NDArray[np.float64]
    stderr: NDArray[np.float64]

    def row(self, i: int) -> dict[str, float | None]:
        return {
            n: (None if v != v else v)
            for n, v in zip(self.names, self.values[i].tolist(), strict=True)
        }


@dataclass(frozen=True)
class Derivation:
    """A metric's formula, and the candidates whose value it computed."""

    formula: str
    uses: tuple[str, ...]
    rows: NDArray[np.bool_]


@dataclass
class DatasetRef:
    """A `from:` Parquet dataset folder listed but left unread, for the dask engine.

    Its rows would stand at `start` among the study's rows (entries keep their file order).
    `columns`, `units` and `factors` say how its columns feed the metrics (`sources.columns`).
    """

    dataset: Dataset
    columns: dict[str, str]
    units: dict[str, str | None]
    factors: dict[str, float]
    name_column: str
    tags: frozenset[str]
    line: int
    col: int
    where: str  # the `from:` entry, as messages name it: candidates[2].from
    start: int = 0


@dataclass
class StudyData:
    """Candidates x metrics, with NaN for a missing value and the line of every value.

    `lines[i, j]`/`cols[i, j]` locate candidate i's value of metric j in the goals file (for a
    missing value: the candidate's `metrics:` key, or its `name:`). `stderr` is NaN where none
    was given. `provenance[(i, j)]` holds kind/date/citation/source where the file gave any.
    """

    file: str
    title: str | None
    metrics: list[MetricSpec]
    names: list[str]
    tags: list[frozenset[str]]
    values: NDArray[np.float64]
    stderr: NDArray[np.float64]
    lines: NDArray[np.int64]
    cols: NDArray[np.int64]
    cand_lines: NDArray[np.int64]
    provenance: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    budgets: list[BudgetSpec] = field(default_factory=list)
    profiles: dict[str, dict[str, float]] = field(default_factory=dict)
    groups: list[SourceGroup] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. the genai-prices lookup
    # (candidate row, metric column) -> its per-item values, for `samples: true` sources
    items: dict[tuple[int, int], ItemScores] = field(default_factory=dict)
    read: list[Path] = field(
        default_factory=list
    )  # files `from:` entries read (not the goals file)
    inputs: Inputs | None = None  # `role: input` metrics, apart from the goals above
    derived: dict[str, Derivation] = field(default_factory=dict)  # goal or input -> formula
    warnings: list[Diagnostic] = field(default_factory=list)  # `validate` shows them; rank notes

    datasets: list[DatasetRef] = field(default_factory=list)  # left unread (the dask engine)
    _tag_codes: tuple[list[frozenset[str]], NDArray[np.intp]] | None = field(
        default=None, repr=False
    )

    def tag_codes(self) -> tuple[list[frozenset[str]], NDArray[np.intp]]:
        """The distinct tag sets and, per row, the index of its set (rows of a table share one)."""
        if self._tag_codes is None:
            ids = np.fromiter(map(id, self.tags), dtype=np.int64, count=len(self.tags))
            _, first, codes = np.unique(ids, return_index=True, return_inverse=True)
            self._tag_codes = ([self.tags[int(k)] for k in first], codes.astype(np.intp))
        return self._tag_codes

    def subset_count(self, i: int, j: int) -> int | None:
        """The items a value rests on when it is a subset result (lm-eval run with `--limit`:
        `n` below the task's `n_original`), shown as `72.5 (n=20)`; else None."""
        prov = self.provenance.get((i, j))
        if prov is None or not isinstance(prov.get("n"), int):
            return None
        total = prov.get("n_original")
        subset = (isinstance(total, int) and prov["n"] < total) or "limit" in prov
        return int(prov["n"]) if subset else None

    def provenance_of(self, i: int, j: int) -> dict[str, Any]:
        """Where candidate i's value of metric j came from: the file's own words, or a table row."""
        how = self.derived.get(self.metrics[j].name)
        if how is not None and how.rows[i]:
            return {"formula": how.formula}
        if (i, j) in self.provenance:
            return dict(self.provenance[(i, j)])
        for g in self.groups:
            if g.start <= i < g.start + len(g.row_numbers):
                row = int(g.row_numbers[i - g.start])
                return {**g.provenance, g.row_label: row}
        return {}

    def not_a_goal(self, flag: str, name: str) -> str:
        """Why a flag cannot name `name`: an input (not a goal), or no metric at all."""
        if self.inputs is not None and name in self.inputs.names:
            return f"{flag}: '{name}' is an input, not a goal"
        return f"{flag}: unknown metric '{name}'{did_you_mean(name, self.metric_names)}"

    @property
    def metric_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def metric_index(self, name: str) -> int:
        return self.metric_names.index(name)
