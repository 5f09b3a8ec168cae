"""Pareto dominance: the front, non-dominated layers, the knee and noisy dominance.

Public functions check their input once (2-D, finite, one direction per column), orient it so that
every column is minimized (maximized columns negated) and then call the kernels of
tradeoff.engine.kernels (NumPy) or tradeoff.engine.compiled (the optional compiled engine), which do
not check again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tradeoff.arrays import F64
from tradeoff.engine import compiled as pareto_moocore
from tradeoff.engine import kernels
from tradeoff.engine.kernels import halved_range
from tradeoff.engine.normalize import flat_span

__all__ = [
    "Engine",
    "dominators",
    "knee",
    "noisy_pareto_mask",
    "nondominated_layers",
    "pareto_mask",
]

Engine = Literal["auto", "numpy", "moocore"]
_ENGINES = ("auto", "numpy", "moocore")
_CELLS = 1 << 21  # boolean cells per temporary comparison matrix (bounds peak memory)


def _validate(values: ArrayLike, maximize: ArrayLike) -> F64:
    raw = np.asarray(values)
    if np.iscomplexobj(raw):
        raise ValueError("values must be real numbers, got complex ones")
    try:
        x = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"values must be numbers, got an array of {raw.dtype}") from None
    if x.ndim != 2:
        raise ValueError(f"values must be a 2-D array (rows x metrics), got {x.ndim} dimension(s)")
    bad = ~np.isfinite(x)
    if bad.any():
        r, c = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(f"values must be finite: row {r}, column {c} is {x[r, c]}")
    m = np.asarray(maximize)
    if m.ndim != 1 or m.shape[0] != x.shape[1]:
        raise ValueError(
            f"maximize must have one boolean per column: expected {x.shape[1]}, got shape {m.shape}"
        )
    if m.dtype != np.bool_:
        if m.size and not (np.issubdtype(m.dtype, np.integer) and np.isin(m, (0, 1)).all()):
            raise ValueError("maximize must contain booleans")
        m = m.astype(np.bool_)
    if not m.any():
        return x
    return np.where(m, -x, x)  # every column minimized from here on


def _moocore_asked(engine: str, y: F64) -> bool:
    """Whether to call moocore: always for engine="moocore" (an error if it is missing), never for
    "numpy"; for "auto", when it is installed and the input is large enough to pay its import."""
    if engine not in _ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, _ENGINES))}, got {engine!r}")
    n, d = (int(v) for v in y.shape)
    if engine == "numpy":
        return False
    if engine == "moocore":
        if not pareto_moocore.available():
            raise ImportError(f"engine='moocore' {pareto_moocore.why_unavailable()}")
        if d > pareto_moocore.MAX_COLUMNS:
            raise ValueError(
                f"engine='moocore' takes at most {pareto_moocore.MAX_COLUMNS} columns, got {d}"
            )
        return n > 0 and d > 0
    return (
        n >= pareto_moocore.MIN_ROWS
        and 2 <= d <= pareto_moocore.MAX_COLUMNS
        and pareto_moocore.available()
    )


def _wide_kernel(engine: str, y: F64) -> Callable[[F64], NDArray[np.bool_]] | None:
    """moocore's front kernel for kernels.mask to use on wide fronts, where "auto" allows it
    (4 columns or more: below that the NumPy sweeps keep up, and moocore is not even imported)."""
    if y.shape[1] < 4 or not _moocore_asked(engine, y):
        return None
    return pareto_moocore.mask


def pareto_mask(
    values: ArrayLike, maximize: ArrayLike, *, engine: Engine = "auto"
) -> NDArray[np.bool_]:
    """Mark the non-dominated rows (the Pareto front).

    Row a dominates row b when a is at least as good as b on every column (``>=`` where
    ``maximize`` is true, ``<=`` otherwise) and strictly better on at least one.

    Edge cases: identical rows do not dominate each other, so duplicates of a front row are all on
    the front; ties on some columns are decided by the others; zero rows give an empty mask; zero
    columns make every row non-dominated. Runs in O(n log n) for d <= 3 and with a sort-filter
    sweep for d >= 4; memory is O(n * d).

    Args:
        values: (n, d) array of finite numbers, one row per candidate.
        maximize: d booleans, true where larger is better.
        engine: "auto" (default) runs tradeoff's NumPy kernels, except that with moocore 0.3.x
            installed (the project's optional `fast` extra), 10,000 rows or more and 4 to 255
            columns, the rows that survive a cheap prefilter go to moocore's C `is_nondominated`
            when they are over 35 % of the input (a wide front, where it was 1.1-4.6x faster in
            bench/PARETO.md). "numpy" and "moocore" force one engine. Every engine gives the
            same result.

    Returns:
        (n,) boolean array, True for the non-dominated rows.

    Raises:
        ValueError: if values is not 2-D, holds NaN or infinity, maximize does not have d
            booleans, engine is not one of the three, or engine="moocore" gets more than 255
            columns.
        ImportError: for engine="moocore" when moocore 0.3.x is not installed.
    """
    y = _validate(values, maximize)
    if engine == "auto":  # moocore only where the front is wide (see kernels.mask)
        return kernels.mask(y, _wide_kernel(engine, y))
    if _moocore_asked(engine, y):
        return pareto_moocore.mask(y)
    return kernels.mask(y)


def nondominated_layers(
    values: ArrayLike, maximize: ArrayLike, *, engine: Engine = "auto"
) -> NDArray[np.int64]:
    """Number the non-dominated layers (non-dominated sorting).

    Layer 1 is the Pareto front; layer k is the front of the rows not in layers 1..k-1.
    Equivalently, a row's layer is 1 + the largest layer among the rows that dominate it.
    Identical rows share a layer; zero columns put every row in layer 1.

    Args:
        values: (n, d) array of finite numbers, one row per candidate.
        maximize: d booleans, true where larger is better.
        engine: "auto" (default) runs moocore's C `pareto_rank` when moocore 0.3.x is installed
            (the project's optional `fast` extra), there are at least 10,000 rows and 2 to 255
            columns, else tradeoff's NumPy kernels; "numpy" and "moocore" force one. Every engine
            gives the same result; on 1e5 rows with 3 to 6 columns moocore was 1.2-4.3x faster in
            bench/PARETO.md.

    Returns:
        (n,) int64 array of layer numbers starting at 1.

    Raises:
        ValueError: as for `pareto_mask`.
        ImportError: for engine="moocore" when moocore 0.3.x is not installed.
    """
    y = _validate(values, maximize)
    if _moocore_asked(engine, y):
        return pareto_moocore.layers(y)
    return kernels.layers(y)


def dominators(
    values: ArrayLike, maximize: ArrayLike, i: int, among: NDArray[np.intp] | None = None
) -> NDArray[np.intp]:
    """Rows that dominate row ``i``.

    Args:
        values: (n, d) array of finite numbers.
        maximize: d booleans, true where larger is better.
        i: index of the row whose dominators are wanted.
        among: indices of the rows to consider (default: all rows), in the order to report them.

    Returns:
        Indices into ``values`` (a subset of ``among``, same order) of the rows dominating row i.
        Identical rows are not dominators; row i never dominates itself. O(n * d).

    Raises:
        ValueError: on invalid values or maximize, or an index out of range.
    """
    y = _validate(values, maximize)
    n = y.shape[0]
    if not -n <= i < n:
        raise ValueError(f"row index {i} out of range for {n} rows")
    rows = np.arange(n, dtype=np.intp) if among is None else np.asarray(among, dtype=np.intp)
    if rows.ndim != 1 or (rows.size and (rows.min() < -n or rows.max() >= n)):
        raise ValueError(f"among must be a 1-D array of row indices below {n}")
    a, b = y[rows], y[i]
    found: NDArray[np.intp] = rows[(a <= b).all(axis=1) & (a < b).any(axis=1)]
    return found


def knee(values: ArrayLike, maximize: ArrayLike, names: Sequence[str]) -> int:
    """Index of the knee: the row nearest (Euclidean) to the ideal point after normalization.

    Each column is min-max normalized over the given rows (callers pass the front), mapped so 1 is
    best and 0 worst; a constant column normalizes to 1 for every row (no 0/0). The ideal point is
    all ones. Distances that agree to 1e-12 are tied and broken by name in code-point order.
    A single row is its own knee.

    Args:
        values: (n, d) array of finite numbers, n >= 1.
        maximize: d booleans, true where larger is better.
        names: n names, used to break ties.

    Returns:
        Row index of the knee.

    Raises:
        ValueError: on invalid input, no rows, or a names length different from n.
    """
    y = _validate(values, maximize)
    n = y.shape[0]
    if n == 0:
        raise ValueError("knee needs at least one row")
    if len(names) != n:
        raise ValueError(f"names has {len(names)} entries for {n} rows")
    lo, hi = halved_range(y)
    span, flat = flat_span(lo, hi)
    gap = (y * 0.5 - lo) / span  # 0 at best, 1 at worst; = 1 - normalized value
    gap[:, flat] = 0.0
    dist = np.sqrt((gap * gap).sum(axis=1))
    near = np.flatnonzero(dist <= dist.min() + 1e-12)
    return int(min(near.tolist(), key=lambda j: names[j]))


def noisy_pareto_mask(
    values: ArrayLike, stderr: ArrayLike, maximize: ArrayLike, k: float
) -> NDArray[np.bool_]:
    """Pareto front when metrics carry standard errors.

    Row a dominates row b only if a dominates b on the point values and, on at least one column c,
    is better by more than ``k * sqrt(se_a[c]**2 + se_b[c]**2)``. A NaN standard error means the
    value is exact (0). The result therefore always contains the exact front. Identical rows never
    dominate each other. O(n^2 * d) time in chunks, O(n * d) memory; meant for small n.

    Args:
        values: (n, d) array of finite numbers.
        stderr: (n, d) array of standard errors, each >= 0 and finite, or NaN.
        maximize: d booleans, true where larger is better.
        k: non-negative multiplier of the combined standard error.

    Returns:
        (n,) boolean array, True for rows no other row dominates under noise.

    Raises:
        ValueError: on invalid values, maximize, stderr (shape, negative or infinite) or k.
    """
    y = _validate(values, maximize)
    se = np.asarray(stderr, dtype=np.float64)
    if se.shape != y.shape:
        raise ValueError(f"stderr must have the shape of values {y.shape}, got {se.shape}")
    se = np.where(np.isnan(se), 0.0, se)
    if not (np.isfinite(se).all() and (se >= 0).all()):
        raise ValueError("stderr must be non-negative and finite (NaN means exact)")
    if not (np.isfinite(k) and k >= 0):
        raise ValueError(f"k must be a non-negative number, got {k}")
    n, d = y.shape
    out = np.ones(n, dtype=np.bool_)
    if n == 0 or d == 0:
        return out
    var = se * se
    cand = np.flatnonzero(~kernels.mask(y))  # only exactly dominated rows can lose
    step = max(1, _CELLS // max(1, n * d))
    for s in range(0, cand.shape[0], step):
        b = cand[s : s + step]
        diff = y[b][None, :, :] - y[:, None, :]  # (n, chunk, d): > 0 where a is better
        dom = (diff >= 0).all(axis=2) & (diff > 0).any(axis=2)
        margin = k * np.sqrt(var[b][None, :, :] + var[:, None, :])
        dom &= (diff > margin).any(axis=2)
        out[b] = ~dom.any(axis=0)
    return out
