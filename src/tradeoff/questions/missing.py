"""The missing-value policy (`--missing error|exclude|worst`) and the hint it gives."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import MetricSpec, StudyData
from tradeoff.errors import MAX_LISTED, Diagnostic, InputError, UsageError

if TYPE_CHECKING:
    from tradeoff.questions.analysis import Missing


def apply_missing(
    data: StudyData, rows: NDArray[np.intp], needed: list[str], policy: Missing, weighted: list[str]
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.intp], list[tuple[int, list[str]]]]:
    """The values to judge `rows` on, by the missing-value `policy`, over the `needed` metrics.

    Returns the values (a copy with the worst known value filled in, for "worst"), which cells
    were filled, the rows kept, and the rows excluded with the metrics they lack ("exclude").

    Raises:
        tradeoff.UsageError: a needed metric has no value at all.
        tradeoff.InputError: with "error", a row lacks a needed value (a hint names the fixes).
    """
    values = data.values
    filled = np.zeros(values.shape, dtype=bool)
    idx = np.array([data.metric_index(m) for m in needed], dtype=np.intp)
    errors = []
    for j in idx:
        if np.isnan(values[:, j]).all() and len(values):
            m = data.metrics[j].name
            errors.append(
                f"no candidate has a value for metric '{m}', which is {_why(m, weighted)}"
            )
    if errors:
        raise UsageError("; ".join(errors))
    lacking = np.isnan(values[np.ix_(rows, idx)])
    bad = lacking.any(axis=1)
    if not bad.any():
        return values, filled, rows, []
    if policy == "error":
        diags = []
        hint = _missing_hint(needed, weighted, lacking, np.asarray(bad, dtype=bool))
        shown = rows[bad]
        for i, miss in zip(shown[:MAX_LISTED], lacking[bad][:MAX_LISTED], strict=True):
            names = [needed[k] for k in np.flatnonzero(miss)]
            what = ", ".join(f"{m} ({_why(m, weighted)})" for m in names)
            row = data.provenance_of(int(i), -1)  # a table row says where it is in its file
            place = f" ({row['source']} {_row_word(row)})" if "source" in row else ""
            diags.append(
                Diagnostic(
                    data.file,
                    int(data.cand_lines[i]),
                    int(data.cols[i, 0]) if data.cols.size else 1,
                    data.names[i] + place,
                    f"no value for {what}; {hint}",
                )
            )
        if len(shown) > MAX_LISTED:
            more = len(shown) - MAX_LISTED
            diags.append(
                Diagnostic(data.file, int(data.cand_lines[shown[-1]]), 1, "", f"and {more} more")
            )
        raise InputError(diags)
    if policy == "exclude":
        excluded = [
            (int(i), [needed[k] for k in np.flatnonzero(miss)])
            for i, miss in zip(rows[bad], lacking[bad], strict=True)
        ]
        return values, filled, rows[~bad], excluded
    values = values.copy()
    for k, j in enumerate(idx):
        holes = rows[lacking[:, k]]
        if len(holes) == 0:
            continue
        known = values[rows, j]
        known = known[~np.isnan(known)]
        if len(known) == 0:
            known = values[~np.isnan(values[:, j]), j]
        worst = worst_value(data.metrics[j], known)
        assert worst is not None  # a metric no candidate has was refused above
        values[holes, j] = worst
        filled[holes, j] = True
    return values, filled, rows, []


def worst_value(metric: MetricSpec, known: NDArray[np.float64]) -> float | None:
    """What `--missing worst` charges: the bad end of the metric's `range`, else the least
    favourable of the `known` values (None when there is none)."""
    if metric.range is not None:
        return metric.range[0] if metric.maximize else metric.range[1]
    if not len(known):
        return None
    return float(known.min() if metric.maximize else known.max())


def _missing_hint(
    needed: list[str], weighted: list[str], lacking: NDArray[np.bool_], bad: NDArray[np.bool_]
) -> str:
    """What to do about missing values, offering only fixes that leave a candidate: `--missing
    exclude` when someone has every value, `--metrics` without metrics that are compared but
    not weighted, and `--missing worst` (always an answer)."""
    holes = [m for k, m in enumerate(needed) if lacking[:, k].any()]
    return missing_hint(needed, weighted, holes, int((~bad).sum()))


def missing_hint(needed: list[str], weighted: list[str], holes: list[str], left: int) -> str:
    """`_missing_hint` from counts: the metrics someone lacks, and how many lack none (the dask
    engine counts them partition by partition)."""
    ways = []
    if left:
        ways.append(f"--missing exclude (leaves {left} candidate{'s' if left != 1 else ''})")
    keep = [m for m in needed if m not in holes]
    if holes and keep and not any(m in weighted for m in holes):  # compared, not weighted
        ways.append(f"--metrics {','.join(keep)} (compare without {', '.join(holes)})")
    ways.append("--missing worst (charges the worst known value)")
    note = "" if left else "; --missing exclude would leave no candidate"
    return f"use {' or '.join(ways)}{note}"


def _row_word(prov: dict[str, object]) -> str:
    return next((f"{k} {prov[k]}" for k in ("row", "line") if k in prov), "")


def _why(metric: str, weighted: list[str]) -> str:
    return "weighted" if metric in weighted else "used for dominance"
