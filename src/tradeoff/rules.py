"""The rules a name, a tag, a unit or a number must follow, wherever it is written.

One home for them: the inline loader (`goals/loader.py`), its fast path (`goals/fastpath.py`) and
every table reader (`sources/`) ask here, so a string refused in goals.yaml is refused in a CSV
cell or header with the same words. Numbers follow `tradeoff.quantity.parse_quantity` (YAML 1.2's
core schema, plus a unit), re-exported here as `number`.
"""

from __future__ import annotations

import re
import unicodedata

from tradeoff.quantity import parse_quantity as number

__all__ = [
    "CONTROL_RE",
    "IDENTIFIER_RE",
    "name_key",
    "name_problem",
    "number",
    "tag_problem",
    "text_problem",
]

IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""A metric name: `[A-Za-z_][A-Za-z0-9_]*`."""

# C0/C1 control characters (escape codes, newlines), and the bidirectional controls that make text
# display in another order than it is stored (a name could read as another in a terminal or a CI
# log): never in a name, tag, title or unit, which end up in terminals, CI logs and tables.
CONTROL_ABOVE_C0 = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # DEL, C1, bidi
CONTROL_CHARS = "\x00-\x1f" + CONTROL_ABOVE_C0
CONTROL_RE = re.compile(f"[{CONTROL_CHARS}]")

TEXT_RULE = "must not contain control characters (escape codes, line breaks)"
NAME_RULE = "a name must not contain control characters"
EMPTY_NAME = "must not be empty"


def name_key(name: str) -> str:
    """A name as it compares for uniqueness: two spellings of the same text (NFC and NFD 'é')
    are one name."""
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def distinct_names(names: list[str]) -> bool:
    """No two of `names` are one name (`name_key`); a million ASCII names are checked fast."""
    if len(set(names)) == len(names) and "".join(names).isascii():
        return True
    return len({name_key(n) for n in names}) == len(names)


def text_problem(text: str) -> str | None:
    """Why `text` may not be a tag, a title or a unit, or None when it may."""
    return TEXT_RULE if CONTROL_RE.search(text) else None


def tag_problem(tag: str) -> str | None:
    """Why `tag` may not be a tag, or None (the same rule as any shown text)."""
    return text_problem(tag)


def name_problem(name: str) -> str | None:
    """Why `name` may not be a candidate's name, or None when it may."""
    if not name.strip():
        return EMPTY_NAME
    return NAME_RULE if CONTROL_RE.search(name) else None
