"""Opening `from:` files: where a path may lead, what kind of file it is, and the readers.

The readers live in `tables.py` (CSV, Parquet, JSON Lines) and `files.py` (lm-eval,
optimum-benchmark, genai-prices); they are imported on first use, so `import tradeoff` stays light.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tradeoff import inputs
from tradeoff.sources import opening
from tradeoff.sources.common import SourceProblem, Table, excerpt
from tradeoff.sources.kinds import (
    FileKind,
    Found,
    NotHere,
    Request,
    SourceFile,
    SourceReader,
    detect,
)

if TYPE_CHECKING:
    from tradeoff.sources.cells import Options

# --- the registries: file kinds and metric sources (see `kinds.py`) ---------------------------


def _lm_eval(file: SourceFile, request: Request) -> Found | NotHere:
    from tradeoff.sources.files import lookup_lm_eval

    return lookup_lm_eval(file, request)


def _lm_eval_date(file: SourceFile) -> str | None:
    from tradeoff.sources.files import lm_eval_date

    return lm_eval_date(file)


def _optimum(file: SourceFile, request: Request) -> Found | NotHere:
    from tradeoff.sources.files import lookup_optimum_benchmark

    return lookup_optimum_benchmark(file, request)


def _optimum_date(file: SourceFile) -> str | None:
    from tradeoff.sources.files import optimum_benchmark_date

    return optimum_benchmark_date(file)


def _json(file: SourceFile, request: Request) -> Found | NotHere:
    from tradeoff.sources.jmes import lookup_json

    return lookup_json(file, request)


def _serving(file: SourceFile, request: Request) -> Found | NotHere:
    from tradeoff.sources.serving import lookup_serving

    return lookup_serving(file, request)


def _serving_date(file: SourceFile) -> str | None:
    from tradeoff.sources.serving import serving_date

    return serving_date(file)


def _serving_runs(file: SourceFile) -> list[dict[str, Any]] | None:
    from tradeoff.sources.serving import run_labels

    return run_labels(file)


_SERVING = FileKind(date=_serving_date, runs=_serving_runs)

KINDS: dict[str, FileKind] = {
    "lm_eval": FileKind(date=_lm_eval_date),
    "optimum_benchmark": FileKind(date=_optimum_date),
    "serving": _SERVING,
    "serving_runs": _SERVING,
}
"""File kind -> its recorded date and runs (a kind without an entry has neither)."""

READERS: dict[str, SourceReader] = {
    "lm_eval": SourceReader(frozenset({"lm_eval"}), _lm_eval),
    "optimum_benchmark": SourceReader(frozenset({"optimum_benchmark"}), _optimum),
    "json": SourceReader(None, _json),
    "serving": SourceReader(frozenset({"serving", "serving_runs"}), _serving),
}
"""A metric's source key -> the reader that answers it (`price` is not a file source)."""


def file_date(file: SourceFile) -> str | None:
    """The ISO date the tool recorded in `file` (for `newest: true`), or None."""
    return KINDS.get(file.kind, FileKind()).date(file)


def file_runs(file: SourceFile) -> list[dict[str, Any]] | None:
    """A label mapping per run (`{"run": 0, "rate": 4.0}`) when `file` can hold several runs."""
    how = KINDS.get(file.kind, FileKind()).runs
    return None if how is None else how(file)


def read_json_rows(file: SourceFile, expression: str) -> list[dict[str, Any]]:
    """`rows: EXPR` on a `.json` table entry: the list of objects the expression gives."""
    from tradeoff.sources.jmes import rows

    return rows(file, expression)


def check_jmespath(expression: str) -> str | None:
    """Why `expression` is not a JMESPath expression, or None when it is."""
    from tradeoff.sources.jmes import compiled

    try:
        compiled(expression)
    except ValueError as exc:
        return str(exc)
    return None


def resolve_source(base_dir: Path, relative: str, allow_external: bool) -> Path:
    """Resolve a `from:` path against the goals file's folder.

    The path must be relative and stay inside `base_dir` after following symlinks, unless
    `allow_external` (the CLI's `--allow-external-sources`). A `..` that stays inside
    (`a/../b.csv`) is fine; one that leaves is not. The file must exist and be a regular file
    or a folder (a Parquet dataset, `tradeoff.sources.dataset`), not a FIFO or device.

    Returns:
        The resolved, absolute path.

    Raises:
        SourceProblem: the path is empty, absolute, escapes the folder, or names no regular file.
    """
    shown = excerpt(relative, 300)

    def fail(what: str) -> SourceProblem:
        return SourceProblem([(shown, what)])

    hint = " (pass --allow-external-sources to allow it)"
    if not relative.strip():
        raise fail("the path is empty")
    if "\x00" in relative:
        raise fail("the path contains a NUL character")
    path = Path(relative).expanduser() if allow_external else Path(relative)
    if path.is_absolute() and not allow_external:
        raise fail("an absolute path is not allowed; give it relative to the goals file" + hint)
    base = base_dir.resolve()
    target = base / path
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise fail(f"cannot resolve the path: {type(exc).__name__}") from None
    if not allow_external and not resolved.is_relative_to(base):
        inside = Path(os.path.normpath(target)).is_relative_to(base)
        how = "through a symlink" if inside else "with '..'"
        raise fail(f"the path leads outside the goals file's folder {how}" + hint)
    inputs.note(resolved)
    try:
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        raise fail("no such file") from None
    except OSError as exc:  # a name over 255 bytes, a path too long, a loop
        raise fail(f"cannot open the path: {exc.strerror or type(exc).__name__}") from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a folder is a Parquet dataset
        raise fail("not a regular file or a folder")
    if not allow_external:
        link = _linked_component(base, Path(os.path.normpath(target)))
        if link is not None:
            what = f"{excerpt(link, 80)} is a symbolic link; from: paths are opened without"
            raise fail(f"{what} following links" + hint)
        opening.confine(resolved)  # every reader opens it without following links again
    return resolved


def _linked_component(base: Path, target: Path) -> str | None:
    """Open `target` one component at a time from `base`, never following a link (O_NOFOLLOW
    on each, relative to the folder's descriptor), so that a folder swapped for a link between
    two checks is caught; the first component that is a link, else None."""
    try:
        parts = target.relative_to(base).parts
    except ValueError:
        return str(target)
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    fds = [os.open(base, flags | os.O_DIRECTORY)]
    try:
        for k, part in enumerate(parts):
            last = k == len(parts) - 1
            extra = os.O_NONBLOCK if last else os.O_DIRECTORY
            try:
                fds.append(os.open(part, flags | extra | os.O_NOFOLLOW, dir_fd=fds[-1]))
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    return str(Path(*parts[: k + 1]))
                raise
        return None
    finally:
        for fd in fds:
            os.close(fd)


def kind_of(path: Path, display: str | None = None) -> str:
    """What a `from:` file is, by extension and content (see `kinds.detect`).

    Raises:
        SourceProblem: an unsupported extension, or a JSON file that does not parse.
    """
    return detect(path, display or path.name)[0]


def read_table(
    path: Path,
    metrics: Sequence[str],
    columns: Mapping[str, str] | None = None,
    display: str | None = None,
    units: Mapping[str, str | None] | None = None,
    options: Options | None = None,
) -> Table:
    """Read candidates from a CSV, Parquet or JSON Lines file (by extension), as arrays.

    A `name` column is required; each metric reads the column of its own name, or the one
    `columns` maps it to; other columns are ignored. A metric whose column is absent is missing
    for every row, but a `columns` entry naming an absent column is an error. An empty cell (or
    a JSON/Parquet null) is a missing value; a literal NaN, an infinity, a boolean or text is an
    error, except that when `units` is given a text cell with a unit ("210 ms") is converted to
    that metric's unit. Names must be non-empty text without control characters and unique
    within the file (both rows of a duplicate are named). Columns are checked as arrays: a
    1,000,000-row Parquet file of 6 metrics reads in about a second.

    `options` (`cells.Options`) name another name column, text columns to read too (a date,
    tag columns), allow rows to share a name, or give the rows of a `.json` file instead.

    Raises:
        SourceProblem: every problem found, at most `MAX_LISTED` of them plus a count.
    """
    columns = dict(columns or {})
    from tradeoff.sources.tables import read_table as read

    return read(path, list(metrics), columns, display or path.name, units, options)


def read_lm_eval(
    path: Path,
    fields: Mapping[str, tuple[str, str]],
    percent: Mapping[str, bool] | None = None,
    display: str | None = None,
) -> dict[str, tuple[float, float | None, dict[str, Any]]]:
    """Values and stderrs from an lm-evaluation-harness results file (`results_*.json`).

    `fields` maps a metric to `(task, field)`, e.g. `("mmlu_pro", "exact_match,custom-extract")`;
    the task is looked up in `results`, then in `groups`. The stderr is the field with `_stderr`
    inserted before the comma (`exact_match_stderr,custom-extract`), or appended when there is
    no comma (lighteval's `acc` / `acc_stderr`); an absent stderr or `"N/A"` gives None. The
    harness writes fractions: a metric with `percent[metric]` gets value and stderr x100.

    Returns:
        metric -> (value, stderr or None, provenance). Provenance holds `source`, `task`,
        `field`, and where the file has them `lm_eval_version`, `model` and `date` (ISO date
        from the unix timestamp `date`, else from a `results_YYYY-MM-DDT...json` file name).

    Raises:
        SourceProblem: not a results file, a task or field not in it (with close matches), or a
            value that is not a finite number.
    """
    from tradeoff.sources.files import read_lm_eval as read

    return read(path, dict(fields), dict(percent or {}), display or path.name)


def read_optimum_benchmark(
    path: Path,
    fields: Mapping[str, tuple[str, str]],
    units: Mapping[str, str | None] | None = None,
    display: str | None = None,
) -> dict[str, tuple[float, dict[str, Any]]]:
    """Values from an optimum-benchmark `benchmark.json` or `benchmark_report.json`.

    `fields` maps a metric to `(target, dotted field)`, e.g. `("decode", "latency.p95")`. The
    value's unit is the `unit` beside it (`decode.latency.unit`); it is converted to
    `units[metric]` with `tradeoff.units.convert` (s -> ms, MB -> GB, kWh -> Wh). A metric
    without a unit takes the number as written.

    Returns:
        metric -> (value, provenance with `source`, `target`, `field`, `unit` as written, and
        `optimum_benchmark_version`, `model`, `benchmark` from the config when present).

    Raises:
        SourceProblem: no such target or field (with close matches), a group the run did not
            measure (null), a value that is not a finite number, or a unit that cannot convert.
    """
    from tradeoff.sources.files import read_optimum_benchmark as read

    return read(path, dict(fields), dict(units or {}), display or path.name)


def price_per_request(
    provider: str,
    model: str,
    input_tokens: float,
    output_tokens: float,
    at: datetime | None = None,
    cached_input_tokens: float = 0.0,
) -> tuple[float, dict[str, Any]]:
    """USD for one request of `input_tokens` in and `output_tokens` out, from genai-prices.

    Only the data bundled with the installed genai-prices is used, never its network update:
    the lookup goes through a snapshot built from `genai_prices.data.providers`, so even an
    `UpdatePrices` running elsewhere in the process cannot change the answer. Prices can depend
    on the request time (dated price changes, off-peak hours) and on the input size (tiers);
    the price is the one in force at `at` (default: now, UTC) for this many input tokens, and
    `looked_up_at` records that time. `cached_input_tokens` (part of `input_tokens`) are billed
    at the model's cache-read price where it has one, else at its input price.

    Returns:
        (USD per request, provenance: `source`, `genai_prices_version`, `looked_up_at`,
        `provider`, `model` (resolved id), `input_usd_per_mtok`, `output_usd_per_mtok` (the
        rates applied, tiers included), `cache_read_usd_per_mtok` with cached tokens, and
        `first_price` (ISO date) when `at` is before the model's first recorded price).

    Raises:
        SourceProblem: an unknown provider or model (with close matches), or negative tokens.
    """
    from tradeoff.sources.files import price_per_request as lookup

    return lookup(provider, model, input_tokens, output_tokens, at, cached_input_tokens)
