"""libyaml's syntax errors as located messages, with a hint when a tab or indentation is why."""

from __future__ import annotations

import yaml

from tradeoff.errors import InputError


def syntax_error(text: str, display: str, exc: yaml.MarkedYAMLError) -> InputError:
    """The located error for a problem libyaml found at a mark in `text`."""
    mark = exc.problem_mark or exc.context_mark
    line, col = _in_text(text, mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = exc.problem or exc.context or "not valid YAML"
    if exc.problem and exc.context:
        ctx = exc.context_mark
        at = _in_text(text, ctx.line + 1, 1)[0] if ctx else line
        where = f" started on line {at}" if at != line else ""
        what = f"{exc.problem} ({exc.context}{where})"
    if len(what) > 160:  # libyaml quotes alias names and tokens whole
        what = what[:160] + "…"
    if "tab" not in what and mark is not None and _tab_at(text, line, col):
        what += " (a tab: YAML indents with spaces only)"
    elif exc.problem and exc.problem.startswith(_INDENT_PROBLEMS):
        what += _indent_hint(text, line)
    return InputError.single(display, line, col, "", f"invalid YAML: {what}")


def reader_error(text: str, display: str, exc: yaml.reader.ReaderError) -> InputError:
    """The located error for a character libyaml refuses to read."""
    pos = max(0, min(exc.position, len(text)))
    line = text[:pos].count("\n") + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    what = f"invalid YAML: {exc.reason} (U+{char:04X})"
    return InputError.single(display, line, col, "", what)


def _tab_at(text: str, line: int, col: int) -> bool:
    """Whether the 1-based (line, col) of `text` falls in an indentation that holds a tab."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return False
    row = lines[line - 1]
    lead = row[: len(row) - len(row.lstrip(" \t"))]
    return "\t" in lead and col <= len(lead) + 1


# libyaml's words when a line is indented more or less than the mapping or list it belongs to.
_INDENT_PROBLEMS = (
    "did not find expected key",
    "did not find expected '-' indicator",
    "expected <block end>",
    "mapping values are not allowed here",
)


def _indent_hint(text: str, line: int) -> str:
    """A plain hint about indentation at `line` (1-based), naming the line above it."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return ""

    def indent(row: str) -> int:
        return len(row) - len(row.lstrip(" "))

    here = indent(lines[line - 1])
    above = next(
        (
            k
            for k in range(line - 1, 0, -1)
            if lines[k - 1].strip() and not lines[k - 1].lstrip().startswith("#")
        ),
        None,
    )
    if above is None:
        return f"; check the indentation of line {line}"
    there = indent(lines[above - 1])
    return (
        f"; check the indentation of line {line} ({here} spaces; line {above} has {there}): "
        "the keys of one mapping, and the items of one list, start in the same column"
    )


def _in_text(text: str, line: int, col: int) -> tuple[int, int]:
    """libyaml puts the end of a file without a final newline on the line after its last: the
    position just past the last character instead."""
    lines = text.split("\n")
    if line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return line, col
