"""The files this process has opened (or was about to open) as input.

`--output` must never replace a file the run reads: not the goals file, not a `from:` file, not
the baseline, and not the `from:` files of a goals file that then failed to load (its errors
are still reported, as JSON or JUnit, to `--output`). Every reader notes its file here, by its
real path, before it reads; the CLI asks `was_read` before it writes.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

_READ: set[str] = set()


def note(path: str | Path) -> None:
    """Record that `path` is (about to be) read as input."""
    with contextlib.suppress(OSError, ValueError):  # a name too long to resolve: no output
        _READ.add(os.path.realpath(path))


def was_read(path: str | Path) -> bool:
    """Whether `path`, under any name, is a file this process has read as input."""
    try:
        return os.path.realpath(path) in _READ
    except (OSError, ValueError):
        return False


def reset() -> None:
    """Forget every file (the CLI starts each command afresh)."""
    _READ.clear()
