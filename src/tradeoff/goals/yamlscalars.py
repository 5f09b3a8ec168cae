"""Plain YAML scalars resolved by the YAML 1.2 core schema, not PyYAML's 1.1 rules.

`no` stays a string and `1e-3` is a number; a number too large for a float keeps its text.
"""

from __future__ import annotations

import math
import re
from typing import Any

# YAML 1.2.2 core schema, section 10.3.2.
_NULL_RE = re.compile(r"~|null|Null|NULL|")
_BOOL_RE = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT_RE = re.compile(r"[-+]?[0-9]+")
_OCT_RE = re.compile(r"0o[0-7]+")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF_RE = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN_RE = re.compile(r"\.(nan|NaN|NAN)")
_MAX_DIGITS = 4000
_BIG_RE = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
# Plain scalars that start otherwise are strings (most keys and names): no regex needed.
_MAYBE_NOT_STR = frozenset(("", "~", "n", "N", "t", "T", "f", "F"))


class Overflow(float):
    """A number written too large for a float (1e400): infinite, but it keeps its text so that
    an error can quote what the file says instead of '.inf'."""

    text: str

    def __new__(cls, text: str) -> Overflow:
        out = super().__new__(cls, "-inf" if text.startswith("-") else "inf")
        out.text = text
        return out


def resolve_plain(text: str) -> Any:
    """Resolve an untagged plain scalar by the YAML 1.2 core schema."""
    first = text[:1]
    if first.isdigit() or first in ("-", "+", "."):  # the numbers, tried most common first
        if len(text) > _MAX_DIGITS and _BIG_RE.fullmatch(text):
            # Python refuses to convert such long integers; as floats they are merely huge.
            return Overflow(text)
        if _INT_RE.fullmatch(text):
            return int(text)
        if _FLOAT_RE.fullmatch(text):
            number = float(text)
            return number if math.isfinite(number) else Overflow(text)
        if _OCT_RE.fullmatch(text):
            return int(text[2:], 8)
        if _HEX_RE.fullmatch(text):
            return int(text[2:], 16)
        if _INF_RE.fullmatch(text):
            return -math.inf if first == "-" else math.inf
        if _NAN_RE.fullmatch(text):
            return math.nan
        return text
    if first not in _MAYBE_NOT_STR:
        return text
    if _NULL_RE.fullmatch(text):
        return None
    if _BOOL_RE.fullmatch(text):
        return text[0] in "tT"
    return text
