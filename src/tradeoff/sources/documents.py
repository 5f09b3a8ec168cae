"""JSON documents as the tools write them: one per file, or one per line (JSON Lines).

Serving results can be tens of MB: they are parsed with msgspec, their per-token gaps and
generated texts left unparsed until a reader needs them, and the last file parsed is kept so
that deciding what a file is and reading it parse it once.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, BinaryIO

from tradeoff.sources.common import MAX_JSON_BYTES, SourceProblem, parse_json
from tradeoff.sources.opening import open_binary, read_all

MAX_SERVING_BYTES = 1024 * 1024 * 1024
"""A vLLM result of 10,000 requests with per-token lists is tens of MB; refuse above 1 GB."""


_LAST: dict[tuple[str, int, int], list[tuple[int, Any]]] = {}


def load_records(path: Path, display: str) -> list[tuple[int, Any]]:
    """The file's JSON records with their 1-based line: one for a JSON document, one per
    non-blank line for JSON Lines (`vllm bench serve --append-result`, which keeps the `.json`
    name, and SGLang's appended runs).

    The last file parsed is kept (keyed by path, size and modification time): deciding what a
    file is and then reading it parse a 30 MB result once, not twice.
    """
    with open_binary(path, display) as handle:  # read from this descriptor, never by name
        stat = os.fstat(handle.fileno())
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key in _LAST:
            return _LAST[key]
        if stat.st_size > MAX_JSON_BYTES and not _serving_head(handle):
            cap = f"{MAX_JSON_BYTES >> 20} MB ({MAX_SERVING_BYTES >> 20} MB for serving results)"
            what = f"the file is {stat.st_size} bytes; the limit is {cap}"
            raise SourceProblem([(display, what)])
        raw = read_all(handle, display, MAX_SERVING_BYTES)
    if path.suffix.lower() != ".jsonl" and not _several(raw):
        records = [(1, _decode(raw, display))]
    else:
        lines = [(k, line) for k, line in enumerate(raw.splitlines(), start=1) if line.strip()]
        records = [(k, _decode(line, display, k)) for k, line in lines]
    _LAST.clear()
    _LAST[key] = records
    return records


_LAZY = ("itls", "generated_texts")
"""Keys of a vLLM or SGLang result left unparsed until needed: the per-token gaps (parsed for
itl, tpot, e2el and goodput only) and the generated texts (never)."""


def _decode(raw: bytes, display: str, line: int | None = None) -> Any:
    import msgspec

    try:
        top = msgspec.json.decode(raw, type=dict[str, msgspec.Raw])
        return {k: v if k in _LAZY else msgspec.json.decode(v) for k, v in top.items()}
    except (msgspec.DecodeError, RecursionError):
        return parse_json(raw, display, line)  # not an object, NaN, or bad JSON: its own words


def _serving_head(handle: BinaryIO) -> bool:
    """Whether a big file starts as a serving result: vLLM and SGLang write `duration` and
    `request_throughput` before their per-request lists, GuideLLM's `benchmarks` key comes
    after a short metadata block."""
    head = handle.read(1 << 20)
    handle.seek(0)
    return b'"request_throughput"' in head or b'"benchmarks"' in head


def _several(raw: bytes) -> bool:
    """Whether a `.json` file holds JSON Lines: one object ends and the next begins on a new
    line (an indented document never has a line starting with `{` after its first)."""
    return re.search(rb"\}\s*\n\{", raw) is not None
