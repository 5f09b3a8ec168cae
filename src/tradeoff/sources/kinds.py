"""What a `from:` file is, and which reader answers a metric's `source` from it.

The two registries here are the hooks for new file kinds (SPEC "What a file is"):

- `DETECTORS`: for `.json` and `.jsonl` files, ordered `(suffix, kind, test)` rules; the first
  whose `test` accepts the parsed JSON (for `.jsonl`, its first record) names the kind. `.csv`
  and `.parquet` are always tables, a `.json` no rule claims is plain `json`, a `.jsonl` no rule
  claims a `table`.
- `readers.KINDS`: kind -> `FileKind`: how to find a file's recorded date (for `newest: true`)
  and the runs it holds (for `run: N` and `each:`).
- `readers.READERS`: a metric's source key (`lm_eval`, `optimum_benchmark`, `json`, ...) ->
  `SourceReader`: the kinds it reads and its `lookup(file, request) -> Found | NotHere`.

Those two live in `readers.py`, whose small wrappers import each reader module on first use. A
new reader registers itself there with one entry in each; nothing in the loader changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tradeoff.sources.common import SourceProblem, excerpt
from tradeoff.sources.opening import load_json, open_binary, read_capped

_UNREAD: Any = object()


@dataclass
class SourceFile:
    """One file of a candidate (or of a run in it), read at most once.

    Attributes:
        path: the resolved path.
        display: the path as messages show it (relative to the goals file, as matched).
        kind: what `detect` found: `table`, `lm_eval`, `optimum_benchmark`, `serving`,
            `serving_runs`, `lm_eval_samples` or `json`.
        run: the 0-based run of a file that holds several (`run: N`, or one per `each:`).
        entry: index of the `from:` list item that matched it (0 for a plain string).
    """

    path: Path
    display: str
    kind: str
    run: int | None = None
    entry: int = 0
    _data: Any = field(default=_UNREAD, repr=False)

    def data(self) -> Any:
        """The parsed JSON (a `.jsonl` file: the list of its records), parsed once."""
        if self._data is _UNREAD:
            self._data = _parse(self.path, self.display)
        return self._data


def _no_date(file: SourceFile) -> str | None:
    return None


@dataclass(frozen=True)
class FileKind:
    """What the loader needs to know of a kind of file beyond its values."""

    date: Callable[[SourceFile], str | None] = _no_date
    """The ISO date the tool recorded (lm-eval's `date`, a report's timestamp), or None."""
    runs: Callable[[SourceFile], list[dict[str, Any]] | None] | None = None
    """For kinds that can hold several runs: a label mapping per run (`run`, `rate`, ...)."""


@dataclass(frozen=True)
class Request:
    """One metric to look up in one file.

    Attributes:
        metric: the metric's name.
        spec: its source as the goals file wrote it (`LmEvalSource`, a JMESPath text, ...).
        unit: the metric's declared unit, to convert into (None: the number as written).
    """

    metric: str
    spec: Any
    unit: str | None


@dataclass(frozen=True)
class Found:
    """A value found in a file: the value in the metric's unit, its stderr, where it came from."""

    value: float
    stderr: float | None
    provenance: dict[str, Any]
    warnings: tuple[str, ...] = ()  # for `validate` and `rank`'s notes (failed requests, ...)


@dataclass(frozen=True)
class NotHere:
    """The file does not hold the value: what is missing, and what it has instead (for "did you
    mean"). `what` names no file: the caller says which files it looked in."""

    what: str
    offered: tuple[str, ...] = ()
    asked: str = ""  # the word `offered` holds alternatives to (a task, a field)


Lookup = Callable[[SourceFile, Request], "Found | NotHere"]


@dataclass(frozen=True)
class SourceReader:
    """The reader behind one key of a metric's `source:`.

    `kinds`: the file kinds it reads (None: every JSON file, as `json:` does). `lookup` raises
    `SourceProblem` for a value that is there but broken (not a number, a negative stderr).
    """

    kinds: frozenset[str] | None
    lookup: Lookup

    def fits(self, kind: str) -> bool:
        if self.kinds is None:
            return kind not in ("table",)
        return kind in self.kinds


def _has(*keys: str) -> Callable[[Any], bool]:
    return lambda data: isinstance(data, dict) and all(k in data for k in keys)


def _lm_eval(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("results"), dict)


def _report(data: Any) -> bool:
    targets = ("load_model", "prefill", "decode", "per_token", "load", "forward")
    return isinstance(data, dict) and (
        isinstance(data.get("report"), dict) or any(isinstance(data.get(t), dict) for t in targets)
    )


def _guidellm(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("benchmarks"), list)


def _genai_perf(data: Any) -> bool:
    return isinstance(data, dict) and "time_to_first_token" in data and "request_latency" in data


DETECTORS: list[tuple[str, str, Callable[[Any], bool]]] = [
    (".json", "lm_eval", _lm_eval),
    (".json", "optimum_benchmark", _report),
    (".json", "serving", _has("request_throughput", "duration")),
    (".json", "serving", _guidellm),
    (".json", "serving", _genai_perf),
    (".jsonl", "lm_eval_samples", _has("doc_id")),
    (".jsonl", "serving_runs", _has("request_throughput", "duration")),
]
"""Content rules, first match wins (SPEC "What a file is")."""

TABLE_SUFFIXES = (".csv", ".parquet")
KNOWN_SUFFIXES = (".csv", ".parquet", ".jsonl", ".json")


def detect(path: Path, display: str) -> tuple[str, Any]:
    """The kind of a file and, for JSON, its parsed content (so it is read once).

    Raises:
        SourceProblem: an extension of no known kind, or a JSON file that does not parse.
    """
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES or path.is_dir():  # a folder: a Parquet dataset
        return "table", _UNREAD
    if suffix not in KNOWN_SUFFIXES:
        what = f"unsupported file type {excerpt(suffix or path.name)}"
        raise SourceProblem([(display, what + " (expected .csv, .parquet, .jsonl or .json)")])
    if suffix == ".jsonl":
        first = first_record(path, display)
        kind = next((k for s, k, test in DETECTORS if s == suffix and test(first)), "table")
        return kind, _UNREAD
    from tradeoff.sources.documents import load_records

    records = load_records(path, display)
    if len(records) > 1:  # `vllm bench serve --append-result` keeps the .json name
        if _has("request_throughput", "duration")(records[0][1]):
            return "serving_runs", [r for _, r in records]
        what = f"holds {len(records)} JSON documents, one a line (only serving runs may)"
        raise SourceProblem([(display, what)])
    data = records[0][1]
    kind = next((k for s, k, test in DETECTORS if s == suffix and test(data)), "json")
    return kind, data


def open_file(path: Path, display: str, entry: int = 0) -> SourceFile:
    """`detect` a file and wrap it as a `SourceFile` (its JSON kept, not parsed again)."""
    kind, data = detect(path, display)
    return SourceFile(path, display, kind, entry=entry, _data=data)


def first_record(path: Path, display: str) -> Any:
    import json

    try:
        with open_binary(path, display) as f:
            for raw in f:
                if raw.strip():
                    return json.loads(raw.decode("utf-8-sig"))
    except OSError as exc:
        raise SourceProblem([(display, f"cannot read the file: {exc.strerror}")]) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None  # the table reader says what is wrong, line by line
    return None


def _parse(path: Path, display: str) -> Any:
    if path.suffix.lower() != ".jsonl":
        return load_json(path, display)
    import json

    try:
        text = read_capped(path, display).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceProblem([(display, f"not UTF-8 text (byte {exc.start})")]) from None
    records = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except (ValueError, RecursionError):
            raise SourceProblem([(f"{display} line {number}", "not valid JSON")]) from None
    return records
