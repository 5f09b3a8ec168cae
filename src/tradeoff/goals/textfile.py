"""Reading an input text file with the checks every input file gets.

A size limit, UTF-8 only (a BOM of UTF-16 or UTF-32 is named), no NUL bytes, and without
--allow-external-sources no FIFO, device or link out of the file's folder.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path
from typing import IO

from tradeoff import inputs
from tradeoff.errors import InputError

MAX_BYTES = 32 * 1024 * 1024


def read_text(path: Path, display: str, *, allow_external: bool = True) -> str:
    """Read a UTF-8 text file with the checks every input file gets.

    Without `allow_external`, the file must be a regular file (a FIFO would hang the run, a
    device never end) and, when `path` is a symbolic link, its target must lie in the folder
    the link is named in: a goals file in a pull request must not read `~/.ssh` for the log.
    """

    def whole(what: str) -> InputError:
        return InputError.single(display, 0, 0, "", what)

    inputs.note(path)
    try:
        with _open_input(path, allow_external) as fh:
            raw = fh.read(MAX_BYTES + 1)
    except _Refused as exc:
        raise whole(f"{exc} (pass --allow-external-sources to read it anyway)") from None
    except FileNotFoundError:
        raise whole("no such file") from None
    except IsADirectoryError:
        raise whole("is a directory, not a file") from None
    except OSError as exc:
        raise whole(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise InputError.single(
            display, 1, 1, "", f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB"
        )
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputError.single(display, 1, 1, "", "UTF-32 text; save the file as UTF-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError.single(display, 1, 1, "", "UTF-16 text; save the file as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw[:nul].count(b"\n") + 1
        raise InputError.single(display, line, 1, "", "binary file (contains NUL bytes), not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[start : exc.start].decode("utf-8", errors="replace")) + 1  # in characters
        raise InputError.single(
            display, line, col, "", f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x})"
        ) from None


class _Refused(Exception):
    """The goals file is not one we read without --allow-external-sources."""


def _open_input(path: Path, allow_external: bool) -> IO[bytes]:
    if allow_external:
        return path.open("rb")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if stat.S_ISLNK(os.lstat(path).st_mode):
        folder = os.path.realpath(path.parent)
        target = os.path.realpath(path)
        if os.path.commonpath([folder, target]) != folder:
            raise _Refused("a symbolic link to a file outside its folder")
    else:
        flags |= os.O_NOFOLLOW  # it was not a link a moment ago: it must not become one
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            raise _Refused("not a regular file (a FIFO, a device or a socket)")
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")
