"""Shared test helpers: a CLI runner with a fixed width and no colour, and goals-file writers."""

from __future__ import annotations

import json
import os
import signal
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent

# The tests, and every `python -c` / `python -m tradeoff` they start, import this checkout's
# tradeoff, not whichever one the environment's install points at (an editable install of another
# checkout, which may change under a running suite).
_SRC = str(ROOT / "src")
if sys.path[:1] != [_SRC]:
    sys.path.insert(0, _SRC)
os.environ["PYTHONPATH"] = os.pathsep.join([_SRC, *filter(None, [os.environ.get("PYTHONPATH")])])

runner = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1"})

GOALS = """\
version: 1
title: Chat assistant model selection
metrics:
  quality:     {direction: max, unit: "%", additive: true}
  cost:        {direction: min, unit: USD/request, additive: true}
  latency_p95: {direction: min, unit: ms}
  memory:      {direction: min, unit: GB}
  energy:      {direction: min, unit: Wh/request, additive: true}
  safety:      {direction: max, range: [0, 1]}
budgets:
  latency_p95: {max: 800}
  safety:      {min: 0.9}
  memory:
    - {max: 80, level: warn}
    - {max: 24, tags: [edge]}
profiles:
  default: {quality: 4, cost: 2, latency_p95: 2, safety: 2}
  batch:   {quality: 5, cost: 4, energy: 1}
candidates:
  - name: model-a
    tags: [api]
    metrics: {quality: 72.6, cost: 0.0078, latency_p95: 640, memory: 0, energy: 0.9, safety: 0.95}
  - name: model-b-q4
    tags: [edge]
    metrics:
      quality: {value: 44.3, stderr: 0.5}
      cost: 0.0002
      latency_p95: 210
      memory: 6
      energy: 0.3
      safety: 0.91
  - name: model-c
    tags: [self-hosted]
    metrics: {quality: 70.1, cost: 0.0031, latency_p95: 920, memory: 140, energy: 1.4, safety: 0.97}
  - name: model-d
    tags: [self-hosted]
    metrics: {quality: 61.0, cost: 0.0012, latency_p95: 480, memory: 90, energy: 0.6, safety: 0.93}
"""
"""The spec's example plus two candidates: model-c breaks the latency budget (error, line 34) and
the memory warn budget; model-d breaks only the memory warn budget (90 > 80)."""


def write_goals(tmp_path: Path, text: str = GOALS, name: str = "goals.yaml") -> Path:
    """Write a goals file (dedented) into tmp_path and return its path."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def goals_path(tmp_path: Path) -> Path:
    return write_goals(tmp_path)


class Hang(Exception):
    """A test body ran past its deadline."""


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail, rather than hang, when the body runs longer than `seconds`."""

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def bad_input_report(fmt: str, stdout: str) -> None:
    """What stdout holds after exit 2: annotations (github), a report of the problems (json,
    junit), or nothing (text, markdown). Usage errors (no file problem) leave it empty."""
    if not stdout:
        return
    if fmt == "github":
        assert all(line.startswith("::error ") for line in stdout.splitlines())
    elif fmt == "json":
        doc = json.loads(stdout)
        assert doc["passed"] is False and doc["errors"]
    elif fmt == "junit":
        suite = ET.fromstring(stdout)
        assert int(suite.attrib["errors"]) == len(suite) > 0
    else:
        raise AssertionError(f"{fmt} wrote {stdout!r} for bad input")
