"""The baseline of `tradeoff check --baseline`: an earlier `tradeoff pareto` result, validated.

The baseline is the JSON output of `tradeoff pareto --layers --format json` (without `--layers`
it holds the front only, which is all the default comparison needs). `tradeoff.questions.regression`
compares a goals file with it. Nothing here prints or exits.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tradeoff import inputs
from tradeoff.errors import Diagnostic, InputError
from tradeoff.questions.record import SCHEMA_VERSION

_PRODUCER = "the JSON output of `tradeoff pareto --layers --format json`"


@dataclass(frozen=True)
class BaselineEntry:
    """One candidate of the baseline: its layer (1 = front) and its values (None = null)."""

    name: str
    layer: int
    values: dict[str, float | None]


@dataclass(frozen=True)
class BaselineVolume:
    """The baseline front's hypervolume, its reference point and goalposts (baseline units)."""

    value: float | None
    reference: dict[str, float]
    goalposts: dict[str, tuple[float, float]]


@dataclass(frozen=True)
class Baseline:
    """A validated baseline: the metrics its front was judged on, and its candidates."""

    file: str
    metrics: list[str]
    candidates: list[BaselineEntry]
    # metric -> unit as the baseline's goals file declared it (None: no unit); None for a
    # baseline written before pareto's JSON recorded units
    units: dict[str, str | None] | None = None
    # The front's hypervolume and what it was measured against; None when the baseline has
    # none (older tradeoff) or an unusable one, with the reason in `volume_problem`.
    volume: BaselineVolume | None = None
    volume_problem: str | None = None

    @property
    def front(self) -> list[BaselineEntry]:
        """The members of the baseline's front (layer 1), in the baseline's order."""
        return [c for c in self.candidates if c.layer == 1]

    def entry(self, name: str) -> BaselineEntry | None:
        return next((c for c in self.candidates if c.name == name), None)


def load_baseline(path: str | Path) -> Baseline:
    """Read and validate the JSON output of an earlier `tradeoff pareto --layers --format json`.

    Raises:
        tradeoff.InputError: the file cannot be read, is not JSON, is another command's output
            or another schema version, or lacks keys or has values of the wrong type (every
            problem found, each as `BASE.json: where: what`).
    """
    file = str(path)
    inputs.note(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError.single(file, 0, 0, "", "not UTF-8 text, so not JSON") from None
    except OSError as exc:
        raise InputError.single(file, 0, 0, "", f"cannot read: {exc.strerror or exc}") from None
    try:
        doc = json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite, parse_int=_finite_int
        )
    except json.JSONDecodeError as exc:
        raise InputError.single(file, exc.lineno, exc.colno, "", f"not JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        what = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise InputError.single(file, 0, 0, "", f"not JSON: {what}") from None
    return _validate(file, doc)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number (tradeoff writes null instead)")


def _too_large(text: str) -> ValueError:
    shown = text if len(text) <= 20 else text[:20] + "…"
    return ValueError(f"the number {shown} is too large")


def _finite(text: str) -> float:
    """A JSON float, refused where it overflows (`1e999` would be read as inf)."""
    x = float(text)
    if not math.isfinite(x):
        raise _too_large(text)
    return x


def _finite_int(text: str) -> int:
    """A JSON integer, refused where no float holds it (it is compared as one)."""
    n = int(text)
    try:
        float(n)
    except OverflowError:
        raise _too_large(text) from None
    return n


def _kind(x: object) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "a boolean"
    if isinstance(x, int | float):
        return "a number"
    if isinstance(x, str):
        return f"'{x}'" if len(x) <= 40 else "a string"
    return "a list" if isinstance(x, list) else "an object"


def _validate(file: str, doc: object) -> Baseline:
    problems: list[Diagnostic] = []

    def bad(where: str, what: str) -> None:
        problems.append(Diagnostic(file, 0, 0, where, what))

    if not isinstance(doc, dict):
        raise InputError.single(file, 0, 0, "", f"expected {_PRODUCER}, got {_kind(doc)}")
    if doc.get("command") != "pareto":
        got = _kind(doc["command"]) if "command" in doc else "no 'command' key"
        raise InputError.single(
            file, 0, 0, "command", f"expected 'pareto' ({_PRODUCER}), got {got}"
        )
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        got = _kind(version) if "schema_version" in doc else "no 'schema_version' key"
        if isinstance(version, int) and not isinstance(version, bool):
            got = str(version)
        bad("schema_version", f"expected {SCHEMA_VERSION}, got {got}")
    metrics = doc.get("metrics")
    if "metrics" not in doc:
        bad("", "missing key 'metrics'")
    elif not (isinstance(metrics, list) and metrics and all(isinstance(m, str) for m in metrics)):
        bad("metrics", f"expected a non-empty list of metric names, got {_kind(metrics)}")
        metrics = None
    entries: list[BaselineEntry] = []
    cands = doc.get("candidates")
    if "candidates" not in doc:
        bad("", "missing key 'candidates'")
    elif not isinstance(cands, list):
        bad("candidates", f"expected a list, got {_kind(cands)}")
    else:
        names: set[str] = set()
        for k, c in enumerate(cands):
            entry = _entry(f"candidates[{k}]", c, metrics, bad)
            if entry is None:
                continue
            if entry.name in names:
                bad(f"candidates[{k}].name", f"duplicate candidate '{entry.name}'")
            names.add(entry.name)
            entries.append(entry)
    # check judges the exact front among feasible candidates: a baseline whose front was judged
    # with noise or over infeasible candidates would fail an unchanged file
    noisy = doc.get("noise") is not None or any(
        isinstance(c, dict) and "noise_only" in c
        for c in (cands if isinstance(cands, list) else [])
    )
    if noisy:
        bad("noise", "made with `pareto --noise`; check needs a baseline made without it")
    if doc.get("ignore_budgets") is True:
        bad("ignore_budgets", "made with --ignore-budgets; check needs a baseline made without it")
    units = doc.get("units")
    if units is not None and not (
        isinstance(units, dict) and all(isinstance(u, str | None) for u in units.values())
    ):
        bad("units", f"expected an object of unit names (or null), got {_kind(units)}")
    if problems:
        raise InputError(problems)
    assert isinstance(metrics, list)  # checked above
    volume, why = _volume(doc.get("hypervolume"), metrics)
    return Baseline(file, list(dict.fromkeys(metrics)), entries, units, volume, why)


def _volume(hv: object, metrics: list[str]) -> tuple[BaselineVolume | None, str | None]:
    """The baseline's `hypervolume`, or why it cannot serve (refused only when it is needed)."""
    if hv is None:
        return None, "it has no 'hypervolume' (made by a tradeoff older than the front's measure)"
    if not isinstance(hv, dict):
        return None, f"its 'hypervolume' is {_kind(hv)}, not an object"
    value = hv.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        return None, f"its hypervolume.value is {_kind(value)}, not a number"
    ref, posts = hv.get("reference"), hv.get("goalposts")
    if not isinstance(ref, dict) or not isinstance(posts, dict):
        return None, "its 'hypervolume' lacks 'reference' or 'goalposts'"
    reference: dict[str, float] = {}
    goalposts: dict[str, tuple[float, float]] = {}
    for m in metrics:
        r, g = ref.get(m), posts.get(m)
        ok = _number(r) and isinstance(g, list) and len(g) == 2 and all(map(_number, g))
        if not ok:
            return None, f"its hypervolume has no usable reference and goalposts for '{m}'"
        assert isinstance(g, list)
        reference[m] = float(r)  # type: ignore[arg-type]
        goalposts[m] = (float(g[0]), float(g[1]))
    return BaselineVolume(None if value is None else float(value), reference, goalposts), None


def _number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _entry(
    where: str, c: object, metrics: list[str] | None, bad: Callable[[str, str], None]
) -> BaselineEntry | None:
    if not isinstance(c, dict):
        bad(where, f"expected an object, got {_kind(c)}")
        return None
    ok = True
    for key in ("name", "layer", "metrics"):
        if key not in c:
            bad(where, f"missing key '{key}'")
            ok = False
    name, layer, values = c.get("name"), c.get("layer"), c.get("metrics")
    if "name" in c and not isinstance(name, str):
        bad(f"{where}.name", f"expected a string, got {_kind(name)}")
        ok = False
    if "layer" in c and (isinstance(layer, bool) or not isinstance(layer, int) or layer < 1):
        bad(f"{where}.layer", f"expected an integer >= 1, got {_kind(layer)}")
        ok = False
    out: dict[str, float | None] = {}
    if "metrics" in c and not isinstance(values, dict):
        bad(f"{where}.metrics", f"expected an object, got {_kind(values)}")
        ok = False
    elif isinstance(values, dict):
        for m in metrics or []:
            if m not in values:
                bad(f"{where}.metrics", f"missing key '{m}'")
                ok = False
                continue
            v = values[m]
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                bad(f"{where}.metrics.{m}", f"expected a number or null, got {_kind(v)}")
                ok = False
                continue
            out[m] = None if v is None else float(v)
    if not ok:
        return None
    assert isinstance(name, str) and isinstance(layer, int)
    return BaselineEntry(name, layer, out)
