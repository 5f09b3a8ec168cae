"""The optional compiled engine: moocore's C kernels, used where they beat tradeoff's NumPy ones.

tradeoff's own kernels (tradeoff.engine.kernels) are pure NumPy and always installed. moocore
(LGPL, https://multi-objective.github.io/moocore/) is optional: the project's `fast` extra
(`pip install '.[fast]'` from a clone) or `pip install 'moocore>=0.3,<0.4'`; pymoo installs it
too. Its `pareto_rank` sorts into layers with Jensen's O(n log n) sweep in 2-D and peels one front
at a time with its compiled non-dominance filters from 3-D on; no NumPy formulation found here
keeps up with that at 1e5 rows (bench/PARETO.md). For the Pareto front alone the NumPy kernels are
faster except on fronts that hold most of the rows in 4-D and up.

Functions here take the array the public functions of tradeoff.engine.pareto have checked and
oriented (finite, 2-D, every column minimized) and return results in tradeoff's conventions.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

import numpy as np
from numpy.typing import NDArray

from tradeoff.arrays import F64

MIN_ROWS = 10_000  # "auto" below this: NumPy takes milliseconds, importing moocore ~60 ms
MAX_COLUMNS = 255  # moocore's DIMENSION_MAX
INSTALL_HINT = "pip install 'moocore>=0.3,<0.4' (the project's `fast` extra)"


SUPPORTED = ((0, 3), (0, 4))  # versions [0.3, 0.4): the ones whose results the tests compare


@cache
def _moocore() -> ModuleType | None:
    try:
        import moocore
    except (ImportError, OSError):  # not installed, or its compiled library fails to load
        return None
    return moocore if supported(str(getattr(moocore, "__version__", ""))) else None


def supported(version: str) -> bool:
    """Whether tradeoff uses this moocore version ("0.3.2": yes; "0.4.0", "": no)."""
    parts = version.split(".")
    try:
        got = (int(parts[0]), int(parts[1]))
    except (ValueError, IndexError):
        return False
    return SUPPORTED[0] <= got < SUPPORTED[1]


def installed_version() -> str | None:
    """The version of an importable moocore, supported or not (None when there is none)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("moocore")
    except PackageNotFoundError:
        return None


def why_unavailable() -> str:
    """What stands in the way of moocore, with the install hint (for an error message)."""
    have = installed_version()
    if have is None:
        what = "needs the moocore package"
    elif supported(have):
        what = f"needs moocore, and moocore {have} is installed but does not import"
    else:
        what = f"needs moocore 0.3.x, not {have}"
    return f"{what}: {INSTALL_HINT}"


def available() -> bool:
    """True when a supported moocore can be imported (another version is left alone: a change
    in its conventions must not change tradeoff's results silently)."""
    return _moocore() is not None


def layers(y: F64) -> NDArray[np.int64]:
    """Layer of each row, 1 = front. Identical rows share a rank in moocore too."""
    mod = _moocore()
    assert mod is not None, "callers check available() first"
    if y.shape[1] < 4:
        ranks = mod.pareto_rank(y)
    else:
        # From 4 columns on, moocore peels front after front, each pass over rows it sorts by
        # the first column: handing it the rows in that order already makes the sort cheap and the
        # passes cache-friendly (0.67-0.98x its time on shuffled rows at 1e5, bench/PARETO.md).
        # In 2-D and 3-D it sorts once, and its own order beats ours.
        order = np.argsort(y[:, 0], kind="stable")
        ranks = np.empty(y.shape[0], dtype=np.intc)
        ranks[order] = mod.pareto_rank(y[order])
    out: NDArray[np.int64] = ranks.astype(np.int64)
    out += 1
    return out


def mask(y: F64) -> NDArray[np.bool_]:
    """Non-dominated rows; duplicates of a front row all stay (keep_weakly)."""
    mod = _moocore()
    assert mod is not None, "callers check available() first"
    out: NDArray[np.bool_] = np.asarray(mod.is_nondominated(y, keep_weakly=True), dtype=np.bool_)
    return out


def hypervolume(y: F64, reference: F64) -> float:
    """moocore's exact hypervolume of rows `y` (every column minimized) up to `reference`."""
    mod = _moocore()
    assert mod is not None, "callers check available() first"
    return float(mod.hypervolume(y, ref=reference))
