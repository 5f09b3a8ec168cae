"""What every `tradeoff` command shares: messages, errors to exit code 2, writing the output.

The flags are in `cli.flags` (one flag) and `cli.groups` (flags several commands take together).
"""

import contextlib
import gc
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

import typer

from tradeoff.errors import Diagnostic, InputError, UsageError
from tradeoff.inputs import was_read
from tradeoff.render.escape import json_lines, log_lines

if TYPE_CHECKING:
    from rich.console import Console

    from tradeoff.questions.study import Study

DEFAULT_FILE: Path = Path("goals.yaml")


def err_console() -> "Console":
    from rich.console import Console  # 6 ms; `validate` prints without it

    # emoji=False: ":100:" in "goals.yaml:100:1" must not become an emoji.
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def say(message: str) -> None:
    """A message on stderr. Its user text (names, file names, excerpts) may come from a
    stranger's pull request: every line passes `render.escape.log_lines` (no control
    characters, no line that starts a workflow command) and rich markup is escaped."""
    from rich.markup import escape  # with the console: a run that says nothing imports neither

    err_console().print(escape(log_lines(message)))


def fail(message: str) -> NoReturn:
    say(f"error: {message}")
    raise typer.Exit(code=2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Bad input and bad flags become located messages on stderr and exit code 2."""
    try:
        yield
    except InputError as exc:
        say("\n".join(str(d) + _start_hint(d) for d in exc.diagnostics))
        raise typer.Exit(code=2) from None
    except UsageError as exc:
        fail(str(exc))


def out_of_memory() -> NoReturn:
    """Running out of memory ends in a clear message and exit code 2, never a traceback (issue
    12): written straight to stderr, since building anything more may fail again."""
    sys.stderr.write(
        "error: out of memory: this input needs more memory than the process may use"
        " (fewer rows, --top, or fewer --samples need less)\n"
    )
    sys.stderr.flush()
    raise SystemExit(2)


def _start_hint(d: Diagnostic) -> str:
    """A goals.yaml that is not there: say how to start one, or how to name another file."""
    if d.line == 0 and d.what == "no such file" and Path(d.file) == DEFAULT_FILE:
        return " in this folder: start one with `tradeoff init`, or pass the goals file's path"
    return ""


def load_study(file: Path, allow_external: bool) -> "Study":
    """`tradeoff.load`, then the values that look like another scale, as warnings on stderr."""
    import tradeoff

    study = tradeoff.load(file, allow_external_sources=allow_external)
    warn(study.warnings)
    return study


def warn(diagnostics: Iterable[Diagnostic]) -> None:
    for d in diagnostics:
        say(f"warning: {d}")


def use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


COLOR_ROWS = 2_000
"""A table of more rows is written without colour: rich colours a table cell by cell (about
30 s for 100,000 rows), the plain one is written in bulk in a few seconds."""


def shown_rows(result: object) -> int:
    """The rows a table of `result` lays out: its rows, and the infeasible ones with `--all`."""
    rows = len(getattr(result, "rows", ()))
    if getattr(result, "show_infeasible", False):
        rows += len(getattr(result, "infeasible", ()))
    return rows


def terminal_width() -> int:
    """The width tables are laid out for: COLUMNS (at least 40), else the terminal's, else 80
    when stdout is not a terminal (piped or redirected: a log, a pull-request comment). Renderers
    are given it, as they are told whether to colour."""
    if "COLUMNS" in os.environ:
        try:
            return max(40, int(os.environ["COLUMNS"]))
        except ValueError:
            pass
    return shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 80


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that a failed run never leaves a half-written file."""
    save(path, lambda fh: fh.write(text.encode("utf-8")))


def save(path: Path, writer: Callable[[IO[bytes]], object]) -> None:
    """Write through `writer(fh)` to `path`, atomically where the path is (or will be) a file.

    A regular file is written to a temporary file beside it and renamed into place, keeping the
    mode of the file it replaces (new files get the usual 0666 minus umask). A symbolic link is
    followed: its target is replaced, the link stays. Devices, FIFOs and sockets (/dev/null,
    /dev/stdout, a named pipe) are written directly: renaming over them would destroy them.
    `-` is standard output.
    """
    import stat
    import tempfile  # only --output needs it

    if str(path) == "-":
        sys.stdout.flush()
        writer(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    try:
        target = Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:  # a new file, or a link to one
        target = Path(os.path.realpath(path))
    except OSError as exc:  # a loop of symbolic links
        fail(f"cannot write {path}: {exc.strerror or exc}")
    try:
        st: os.stat_result | None = target.stat()
    except OSError:
        st = None
    if st is not None and not os.access(target, os.W_OK):
        fail(f"cannot write {path}: permission denied (the file is read-only)")
    if st is not None and stat.S_ISDIR(st.st_mode):
        fail(f"cannot write {path}: it is a directory")
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            with open(target, "wb") as fh:
                writer(fh)
        except OSError as exc:
            fail(f"cannot write {path}: {exc.strerror or exc}")
        return
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except PermissionError:
        # The file is written beside its target and renamed into place (so a failed run never
        # leaves half a file): that needs the folder to be writable, not only the file.
        fail(f"cannot write {path}: its folder {target.parent} is not writable")
    except FileNotFoundError:
        folder = target.parent if Path(path).is_symlink() else Path(path).parent
        if folder.is_dir():  # /proc, /sys: a folder that takes no new file
            fail(f"cannot write {path}: no file can be created in its folder {folder}")
        fail(f"cannot write {path}: its folder {folder} does not exist")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    previous = _exit_on_sigterm()  # so that `finally`/`except` below can remove the file
    try:
        with os.fdopen(fd, "wb") as fh:
            writer(fh)
        os.chmod(tmp, mode)  # mkstemp makes 0600
        if st is not None and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):  # keep the owner where we may (as root)
                os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        fail(f"cannot write {path}: {exc.strerror or exc}")
    except BaseException:  # Ctrl-C (KeyboardInterrupt), SIGTERM (SystemExit), anything
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        _restore_sigterm(previous)


def _exit_on_sigterm() -> object:
    """Turn SIGTERM into SystemExit(143) while a temporary file exists (a CI runner cancelling
    the job sends it), so the file is removed; returns the handler to restore."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, stop)


def _restore_sigterm(previous: object) -> None:
    import signal

    if previous is not None:
        signal.signal(signal.SIGTERM, previous)  # type: ignore[arg-type]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def reads_output(output: Path | None, inputs: Iterable[Path | None]) -> bool:
    """Whether --output names one of the files the command reads (under any name)."""
    if output is None or str(output) == "-":
        return False
    out = os.path.realpath(output)
    if was_read(out):  # a `from:` file, also of a goals file that failed to load
        return True
    return any(path is not None and os.path.realpath(path) == out for path in inputs)


def not_an_input(output: Path | None, inputs: Iterable[Path | None]) -> None:
    """Refuse an --output that is one of the files the command reads: the goals file would be
    replaced by the result (and a failed run could not even be retried)."""
    if reads_output(output, inputs):
        fail(f"--output {output} is the file this command reads; write the result elsewhere")


def emit(text: str, output: Path | None, *, commands: bool = False) -> None:
    """Write a result to stdout or to --output. Every line passes `render.escape.log_lines`
    unless `commands` (`check -f github`, whose `::` lines are ours, built with the toolkit's
    escapes)."""
    if not commands:
        text = log_lines(text, colored=output is None and use_color())
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text)


def emit_chunks(chunks: Iterable[str], output: Path | None) -> None:
    """`emit` for JSON text written in pieces (rank's JSON of a million candidates): each piece
    is escaped (`render.escape.json_lines`) and written as it comes, so the whole text is never
    held. No piece may start with `::` (judged at a piece's start as at a line's)."""
    if output is None:
        colored = use_color()
        for chunk in chunks:
            sys.stdout.write(json_lines(chunk, colored=colored))
        sys.stdout.flush()
        return

    def write(fh: IO[bytes]) -> None:
        for chunk in chunks:
            fh.write(json_lines(chunk).encode("utf-8"))

    save(output, write)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Render and write a result with the cyclic garbage collector paused: a 100,000-row table
    builds millions of small objects (rows, cells, lines), none of them in a cycle, and the
    collector's passes over them took as long as building them (1.7 s of 4.5 s of CPU)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
