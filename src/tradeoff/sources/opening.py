"""Opening a `from:` file to read it, from the descriptor a link-free walk gave (issue 12).

`readers.resolve_source` confines a `from:` path to the goals file's folder: it resolves the path,
checks that it stays inside, and walks it one component at a time with `O_NOFOLLOW`. A reader
that then reopened the file *by name* would follow a link that a concurrent rename put in place
of a folder after that check. So every reader opens its file here: a path `resolve_source`
confined is opened again one component at a time from the root, never following a link (the
resolved path has none), and the reader reads from that descriptor, never from the name. A path
nobody confined (`--allow-external-sources`, the Python API on a path of one's own) is opened
as usual.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any, BinaryIO

from tradeoff.sources.common import MAX_JSON_BYTES, SourceProblem, parse_json

_CONFINED: set[str] = set()
"""Resolved paths `resolve_source` confined to a goals file's folder."""

_LINK = (
    "a folder on the path became a symbolic link after it was checked; from: paths are opened"
    " without following links (pass --allow-external-sources to allow it)"
)


def confine(path: Path) -> None:
    """Open `path` (resolved, inside the goals file's folder) without following links from now
    on."""
    _CONFINED.add(str(path))


def open_binary(path: Path, display: str) -> BinaryIO:
    """`path` opened for reading in binary mode (the caller closes it).

    Raises:
        SourceProblem: the file cannot be opened, is not a regular file, or (for a confined
            path) a component of it is now a symbolic link.
    """
    confined = str(path) in _CONFINED
    try:
        handle = (
            os.fdopen(_walk(Path(os.path.abspath(path))), "rb") if confined else path.open("rb")
        )
    except OSError as exc:
        if confined and exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            raise SourceProblem([(display, _LINK)]) from None
        what = f"cannot read the file: {exc.strerror or type(exc).__name__}"
        raise SourceProblem([(display, what)]) from None
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise SourceProblem([(display, "not a regular file")])
    return handle


def read_capped(path: Path, display: str, max_bytes: int = MAX_JSON_BYTES) -> bytes:
    """The file's bytes, refusing a file over `max_bytes` (the message says the cap)."""
    with open_binary(path, display) as handle:
        return read_all(handle, display, max_bytes)


def read_all(handle: BinaryIO, display: str, max_bytes: int) -> bytes:
    """The rest of an open file, refusing a file over `max_bytes` (the message says the cap)."""
    try:
        found = size(handle)
        data = handle.read(found + 1) if found <= max_bytes else b""  # read(n) allocates n
    except OSError as exc:
        raise SourceProblem([(display, f"cannot read the file: {exc.strerror}")]) from None
    if found > max_bytes or len(data) > max_bytes:  # a file growing while read, too
        cap = f"{max_bytes // (1024 * 1024)} MB"
        shown = max(found, len(data))
        raise SourceProblem([(display, f"the file is {shown} bytes; the limit is {cap}")])
    return data


def load_json(path: Path, display: str, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Parse a JSON report, refusing huge files; NaN and Infinity parse as floats (then rejected).

    Raises:
        SourceProblem: unreadable, over `max_bytes`, not UTF-8, not JSON, or nested absurdly deep.
    """
    return parse_json(read_capped(path, display, max_bytes), display)


def size(handle: BinaryIO) -> int:
    """The size in bytes of the open file."""
    return os.fstat(handle.fileno()).st_size


def _walk(path: Path) -> int:
    """A descriptor of `path`, opened one component at a time from the root with `O_NOFOLLOW`
    (the last with `O_NONBLOCK`: a FIFO put in its place must not hang the run)."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    parts = path.parts
    fd = os.open(parts[0], flags | os.O_DIRECTORY)
    try:
        for k, part in enumerate(parts[1:], start=1):
            extra = os.O_NONBLOCK if k == len(parts) - 1 else os.O_DIRECTORY
            step = os.open(part, flags | extra | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = step
    except BaseException:
        os.close(fd)
        raise
    os.set_blocking(fd, True)
    return fd
