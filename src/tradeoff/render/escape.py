"""One escaping function per output kind, for every piece of user-controlled text.

A goals file, and every file it names, may come from a stranger's pull request, and the output
lands in a CI log, a job summary, a pull-request comment or a spreadsheet. Candidate names, tags,
units, titles, citations, column, task and field names, file names and baseline units all pass
through one of these on their way out:

- `terminal(text)`: a piece of text for the terminal or a plain-text log: control characters
  (ESC, CR, NUL, C1 controls, DEL) and bidirectional overrides become visible escapes (`\\x1b`).
- `log_lines(text)`: a whole block of plain output (a table, messages on stderr): as
  `terminal` on every line, and no line may begin with `::` once leading blanks are dropped
  (the Actions runner strips them, and rich indents wrapped lines), so no workflow command can be
  injected; such a line gets a backslash in front. Only `-f github` writes `::` commands, and it
  builds them with `annotation_data` and `annotation_property`. `json_lines(text)` is the same
  for JSON text from json's encoders, which leave it less to look at.
- `markdown(text)`: inside a GitHub Markdown table cell or line: pipes, backslashes, line breaks,
  HTML tags, and link, image and mention syntax (`[..](..)`, `![..]`, `@user`) are escaped.
- `csv_cell(value)`: a CSV cell: text starting with `=`, `+`, `-`, `@`, a tab or CR gets a
  leading `'` (a spreadsheet would run it as a formula); numbers stay numbers.
- `xml(text)`: text for JUnit XML: characters XML 1.0 cannot hold become U+FFFD.
- `annotation_data`, `annotation_property`: the Actions toolkit's own escapes.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from tradeoff import rules

# C0 and C1 controls, DEL, and the bidirectional controls that reorder what a reader sees
# (Trojan Source); newlines and tabs are kept by `log_lines`, escaped by `terminal`.
# Every class below is written from `rules.CONTROL_ABOVE_C0` (the characters the loader refuses
# in names), so a control added there is escaped in every output too.
_ABOVE_C0 = rules.CONTROL_ABOVE_C0
_CONTROL = re.compile(rf"[\x00-\x1f{_ABOVE_C0}]")
_CONTROL_KEEP_LINES = re.compile(rf"[\x00-\x08\x0b-\x1f{_ABOVE_C0}]")  # tab and LF kept
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_MD_SPECIAL = re.compile(r"([\\|]|\](?=[(\[])|(?<=!)\[)")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _visible(match: re.Match[str]) -> str:
    c = match.group(0)
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def terminal(text: str) -> str:
    """User text for a terminal or plain log: every control character as a visible escape."""
    return _CONTROL.sub(_visible, text)


def log_lines(text: str, *, colored: bool = False) -> str:
    """A block of plain output: control characters escaped (newlines and tabs kept), and no
    line that begins with `::` after its leading blanks (a backslash goes in front).

    `colored`: the text is rich's output for a colour terminal, whose own escape sequences
    stay (user text in it went through `terminal` or was refused at load)."""
    if not colored and _has_control(text):
        text = _CONTROL_KEEP_LINES.sub(_visible, text)
    return _command_starts(text) if "::" in text else text


def json_lines(text: str, *, colored: bool = False) -> str:
    """`log_lines` for a piece of JSON text written by json's encoders (`json.dumps`, or
    `questions.bulk_json` through json's string encoder): the same text, found with less
    looking. Those encoders write every C0 control character inside a string as an escape
    (`\\n`, `\\u001b`) and nothing but blanks and line breaks between tokens, so every line
    begins, after its blanks, with a token (`{`, `"`, a digit ...), never with `::`, and ASCII
    text holds no control character but DEL. Left to look for: DEL, the C1 and bidirectional
    controls (written as they are with ensure_ascii=False: non-ASCII text takes `log_lines`),
    and `::` at the piece's own start, judged as a line's. A million-row ranking is ~600 MB
    of JSON; this reads it at memchr's speed."""
    blanks = _BLANKS.match(text)
    start = blanks.end() if blanks else 0
    if text.isascii() and (colored or "\x7f" not in text) and not text.startswith("::", start):
        return text
    return log_lines(text, colored=colored)


_ASCII_CONTROL = bytes([*range(9), *range(11, 32), 127])  # _CONTROL_KEEP_LINES below 128
_BLANKS = re.compile(r"\s*")


def _has_control(text: str) -> bool:
    """Whether `_CONTROL_KEEP_LINES` finds something, with str's and bytes' C loops where
    they can answer (a regex over megabytes of text is slower)."""
    if text.isascii():
        raw = text.encode("ascii")
        return len(raw.translate(None, _ASCII_CONTROL)) != len(raw)
    if text.replace("\n", "").isprintable():  # Cc and Cf characters are not printable
        return False
    return _CONTROL_KEEP_LINES.search(text) is not None


def _command_starts(text: str) -> str:
    """A backslash before every `::` that begins a line after its blanks: what
    `re.sub(r"^(\\s*)::", r"\\1\\\\::", text, flags=re.M)` does, found with `str.find` (a
    regex tries every position of a text of hundreds of MB). A line begins at the start and
    after each `\\n`; its blanks are what `\\s` (`str.isspace`) matches."""
    out: list[str] = []
    done = 0
    at = text.find("::")
    while at >= 0:
        line = text.rfind("\n", 0, at) + 1
        if line == at or text[line:at].isspace():
            out += [text[done:at], "\\"]
            done = at
        end = text.find("\n", at)  # no later `::` on this line begins it
        at = -1 if end < 0 else text.find("::", end)
    return "".join([*out, text[done:]])


def markdown(text: str) -> str:
    """User text inside GitHub Markdown (a table cell, a list item, a heading).

    Backslash-escapes `\\` and `|` (no cell break), a `]` before `(` or `[` and a `[` after
    `!`, so no link or image (`[x](url)`, `[x][ref]`, `![x](url)`; "latency [ms]" stays);
    writes `&` as `&amp;` (so `&#64;` is no `@`) and a `<` that could open a tag, comment or
    autolink as `&lt;`; breaks `@name`
    mentions with a zero-width space (`@&#8203;`) so nobody is pinged; line breaks become
    spaces; control characters are escaped.
    """
    text = terminal(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    # '&' first: a name is text, so '&#64;bob' must not render as a mention, nor 'R&amp;D' as R&D
    text = _MD_SPECIAL.sub(r"\\\1", _TAG_OPEN.sub("&lt;", text.replace("&", "&amp;")))
    # '@name' would mention (notify) a GitHub user from a job summary or PR comment: a
    # zero-width space after '@' keeps the text and drops the mention (as Renovate does).
    return text.replace("@", "@&#8203;")


# What `markdown` changes: control characters (line breaks among them), `&`, `<`, `\`, `|`,
# `[`, `]` and `@`. A cell without any of them is written as it is.
_MD_TOUCHED = re.compile(rf"[\x00-\x1f{_ABOVE_C0}&<\\|\[\]@]")


def markdown_cells(cells: Sequence[str]) -> Sequence[str]:
    """`[markdown(c) for c in cells]` (a row of a Markdown table), found with one search of
    the row where no cell holds anything `markdown` changes (numbers, most names): a rank
    table of 100,000 rows ran five regexes a cell."""
    if _MD_TOUCHED.search(" ".join(cells)) is None:
        return cells
    return [markdown(c) for c in cells]


def csv_cell(value: Any) -> Any:
    """A CSV cell: numbers as they are; text that a spreadsheet would take for a formula
    (starting with `= + - @`, a tab or CR) gets a leading `'`; control characters escaped.
    Text that reads as a number ("-5", "+1e3") stays as it is: it is data, not a formula."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START) and not _is_number(value):
        value = "'" + value
    return terminal(value)


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document (header row first), every cell through `csv_cell`; a row whose first cell
    starts with `:` has it quoted, so that no line of the file begins with `::`."""
    table = [header, *rows]
    buf = io.StringIO()
    if header and len({len(row) for row in table}) == 1:  # columns: most need no escaping
        columns = [_csv_column(list(column)) for column in zip(*table, strict=True)]
        first = [c for c in columns[0] if isinstance(c, str)]
        if "::" not in "\n".join(first):  # no row to quote (cells hold no line break now)
            csv.writer(buf, lineterminator="\n").writerows(zip(*columns, strict=True))
            return buf.getvalue()
    writer = csv.writer(buf, lineterminator="\n")
    for row in table:
        cells = [csv_cell(c) for c in row]
        if cells and isinstance(cells[0], str) and cells[0].lstrip().startswith("::"):
            writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
            writer.writerow(cells)
            writer = csv.writer(buf, lineterminator="\n")
        else:
            writer.writerow(cells)
    return buf.getvalue()


_CONTROL_BUT_LF = re.compile(rf"[\x00-\x09\x0b-\x1f{_ABOVE_C0}]")


def _csv_column(cells: list[Any]) -> list[Any]:
    """`csv_cell` of every cell of a column: the cells themselves when none is text that
    `csv_cell` changes (a control character, or a start a spreadsheet reads as a formula), which
    is found with a few searches of the column's text at once, not one call a cell."""
    texts = [c for c in cells if isinstance(c, str)]
    if not texts:
        return cells
    lines = "\n" + "\n".join(texts)
    if (
        lines.count("\n") == len(texts)  # no line break inside a cell
        and _CONTROL_BUT_LF.search(lines) is None
        and not any("\n" + start in lines for start in _FORMULA_START)
    ):
        return cells
    return [csv_cell(c) for c in cells]


# XML 1.0 allows only these characters (https://www.w3.org/TR/xml/#charsets); ElementTree
# escapes markup characters but would write the others as they are, giving unparsable XML.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml(text: str) -> str:
    """Text for JUnit XML (ElementTree escapes the markup): characters XML 1.0 cannot hold
    (control characters, lone surrogates) become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def annotation_data(s: str) -> str:
    """A workflow command's message, as the Actions toolkit escapes it (`escapeData` in
    actions/toolkit packages/core/src/command.ts): % -> %25, CR -> %0D, LF -> %0A, percent
    first so that escapes cannot be forged; other control characters are escaped as well."""
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _CONTROL.sub(_visible, s)


def annotation_property(s: str) -> str:
    """A workflow command's property value (`escapeProperty`): as `annotation_data`, plus
    `:` -> %3A and `,` -> %2C."""
    return annotation_data(s).replace(":", "%3A").replace(",", "%2C")
