"""Numbers as goals files write them, and values as error messages quote them.

Kept apart from `schema.py` (and free of pydantic) so that the fast path of the loader can read
numbers exactly as the models do without importing them.
"""

from __future__ import annotations

import math
import re
from typing import Any

NUMBER_RE = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
WITH_UNIT_RE = re.compile(rf"({NUMBER_RE.pattern})\s*([^\s0-9.+-].*?)")
RADIX_RE = re.compile(r"[-+]?0[bBoOxX]")
_UNIT_START = "%$€£°"
_BIG = 2**1023


def describe(value: Any) -> str:
    """How a YAML value reads in an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        text = getattr(value, "text", None)  # yamlscalars.Overflow: a number written too large
        if isinstance(text, str):
            shown = text if len(text) <= 24 else f"{text[:20]}... ({len(text)} characters)"
            return f"{shown}, too large for a number"
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    if len(text) <= 60:
        return text
    return text[:56] + ("...'" if isinstance(value, str) else "...")


def unit_may_start(unit: str) -> bool:
    """A unit starts with a letter or one of `%$€£°` (so `1_000` is no number with a unit)."""
    return bool(unit) and (unit[0].isalpha() or unit[0] in _UNIT_START)


def parse_quantity(value: Any) -> tuple[float, str | None]:
    """A finite number, a quoted number, or a number with a unit ("0.64 s").

    Returns the number and the unit text (None when there is no unit). A unit starts with a
    letter or one of `%$€£°`, so that YAML 1.1 number forms (`1_000`, `0b101`, `1:30`) are not
    read as a number with a strange unit.
    """
    kind = type(value)
    if kind is float:  # the common case first
        if math.isfinite(value):
            return value, None
    elif kind is int:
        if abs(value) < _BIG:  # float() of a larger int raises OverflowError
            return float(value), None
    elif kind is str:
        text = value.strip()
        if NUMBER_RE.fullmatch(text):
            number = float(text)
            if math.isfinite(number):  # "1e999" overflows to inf
                return number, None
        elif (match := WITH_UNIT_RE.fullmatch(text)) is not None and not RADIX_RE.match(text):
            number, unit = float(match.group(1)), match.group(2)
            if math.isfinite(number) and unit_may_start(unit):
                return number, unit
    raise ValueError(f"expected a finite number, got {describe(value)}")
