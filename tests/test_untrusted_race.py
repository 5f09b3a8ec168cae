"""Issue 12: a `from:` file is read from the descriptor a link-free walk opened, never reopened by
name, so a folder swapped for a link after the path was checked is refused, not followed.

Each case confines a path (`resolve_source`), then renames its folder away and puts a link to a
folder outside in its place, as a concurrent rename would between the check and the read; the
reader must then refuse, and must not return what the file outside holds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tradeoff.sources import columns, kinds, readers, serving
from tradeoff.sources.common import SourceProblem
from tradeoff.sources.samples import read_samples

DATA = Path(__file__).parent / "data"
LINK = "a folder on the path became a symbolic link after it was checked"


def _csv(path: Path, value: float) -> None:
    path.write_text(f"name,q\na,{value}\n")


def _jsonl(path: Path, value: float) -> None:
    path.write_text(json.dumps({"name": "a", "q": value}) + "\n")


def _parquet(path: Path, value: float) -> None:
    pq.write_table(pa.table({"name": ["a"], "q": [value]}), path)


def _lm_eval(path: Path, value: float) -> None:
    path.write_text(json.dumps({"results": {"mmlu": {"acc,none": value}}}))


def _serving(path: Path, value: float) -> None:
    source = json.loads((DATA / "serving" / "vllm_serve_summary.json").read_text())
    source["request_throughput"] = value
    path.write_text(json.dumps(source))


def _samples(path: Path, value: float) -> None:
    item = {"doc_id": 0, "filter": "none", "acc": value}
    path.write_text(json.dumps(item) + "\n")


def _csv_header(path: Path, value: float) -> None:
    path.write_text(f"name,q{value:g}\na,1\n")  # the header tells the files apart


def _parquet_header(path: Path, value: float) -> None:
    pq.write_table(pa.table({"name": ["a"], f"q{value:g}": [1.0]}), path)


def _header(path: Path) -> float | None:
    found = columns.headers(path, "runs/f")
    return float(found[1][1:]) if found else None  # nothing to show: unreadable (then refused)


def _table(path: Path) -> Any:
    return readers.read_table(path, ["q"], display="runs/f").values[0, 0]


READS: dict[str, tuple[str, Callable[[Path, float], None], Callable[[Path], Any]]] = {
    "csv": ("f.csv", _csv, _table),
    "jsonl": ("f.jsonl", _jsonl, _table),
    "parquet": ("f.parquet", _parquet, _table),
    "csv header": ("f.csv", _csv_header, _header),
    "parquet header": ("f.parquet", _parquet_header, _header),
    "lm-eval": (
        "results.json",
        _lm_eval,
        lambda p: readers.read_lm_eval(p, {"q": ("mmlu", "acc,none")}, display="r")["q"][0],
    ),
    "kind of a jsonl": ("f.jsonl", _jsonl, lambda p: kinds.first_record(p, "runs/f")["q"]),
    "serving": (
        "bench.json",
        _serving,
        lambda p: serving.read_runs(p, "runs/bench.json")[0].rates["request_throughput"],
    ),
    "samples": (
        "samples_mmlu.jsonl",
        _samples,
        lambda p: read_samples(p, {"q": "acc,none"}, "s")["q"].values[0],
    ),
}


@pytest.mark.parametrize("case", list(READS))
def test_a_folder_swapped_for_a_link_after_the_check_is_not_followed(
    tmp_path: Path, case: str
) -> None:
    name, write, read = READS[case]
    folder, outside = tmp_path / "goals", tmp_path / "outside"
    (folder / "runs").mkdir(parents=True)
    (outside / "runs").mkdir(parents=True)
    write(folder / "runs" / name, 1.0)
    write(outside / "runs" / name, 7.0)  # what must never be read
    path = readers.resolve_source(folder, f"runs/{name}", allow_external=False)
    assert read(path) == 1.0  # the reader works on the file as checked

    (folder / "runs").rename(folder / "checked")  # the race: a rename after the check
    (folder / "runs").symlink_to(outside / "runs", target_is_directory=True)
    try:
        got = read(path)
    except SourceProblem as exc:
        assert any(LINK in what for _, what in exc.problems), exc.problems
    else:
        assert got is None, f"read {got} through the link"  # headers: nothing to show


def test_a_path_nobody_confined_is_opened_as_usual(tmp_path: Path) -> None:
    """The Python API on a path of one's own, or --allow-external-sources: links are followed."""
    (tmp_path / "real").mkdir()
    _csv(tmp_path / "real" / "t.csv", 3.0)
    (tmp_path / "alias").symlink_to("real")
    assert _table(tmp_path / "alias" / "t.csv") == 3.0
    path = readers.resolve_source(tmp_path, "alias/t.csv", allow_external=True)
    assert _table(path) == 3.0


def _timeout(signum: int, frame: object) -> None:
    raise TimeoutError("the reader hung on a FIFO")


def test_a_fifo_swapped_in_for_the_file_is_refused_without_hanging(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    _csv(tmp_path / "runs" / "f.csv", 1.0)
    path = readers.resolve_source(tmp_path, "runs/f.csv", allow_external=False)
    shutil.rmtree(tmp_path / "runs")
    (tmp_path / "runs").mkdir()
    os.mkfifo(tmp_path / "runs" / "f.csv")
    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(20)
    try:
        with pytest.raises(SourceProblem) as caught:
            _table(path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert caught.value.problems == [("runs/f", "not a regular file")]
