"""Errors the library raises. The CLI turns `InputError` into exit code 2."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in the input, located in a file.

    `line` and `col` are 1-based; 0 means "the file as a whole".
    """

    file: str
    line: int
    col: int
    where: str
    what: str

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        if self.line <= 0:  # the file as a whole: it is missing or unreadable
            return f"{self.file}: {where}{self.what}"
        return f"{self.file}:{self.line}:{self.col}: {where}{self.what}"


class TradeoffError(Exception):
    """Base class of every error raised on purpose by tradeoff."""


class InputError(TradeoffError):
    """The input (a goals file, a flag, a source file) is invalid.

    Holds every problem found, not only the first one.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @classmethod
    def single(cls, file: str, line: int, col: int, where: str, what: str) -> InputError:
        return cls([Diagnostic(file, line, col, where, what)])


class UsageError(TradeoffError):
    """A flag or argument is wrong (unknown profile, metric or candidate name)."""


MAX_LISTED = 20  # problems (or candidates) a message lists; the rest are counted
MAX_CHOICES = 500
"""Names "did you mean" compares a word with: difflib is quadratic in the lengths, and a file
from a stranger may hold thousands of keys; beyond this many, no suggestion is made."""


def excerpt(value: object, limit: int = 40) -> str:
    """A short, escaped quotation of untrusted text: `repr`, cut at `limit` characters.

    `repr` escapes control characters, newlines and invisible or bidirectional marks, so a cell
    cannot smuggle terminal escapes or fake output lines into an error message; the cut keeps a
    whole file (a symlinked private key, say) out of any message.
    """
    try:
        text = value if isinstance(value, str) else str(value)
    except ValueError:  # an int beyond Python's 4,300-digit string limit
        return "a number too large to show"
    if len(text) > limit:
        return repr(text[:limit]) + "…"
    return repr(text)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' (did you mean 'x'?)' when a choice is close to `word`, else ''.

    At most `MAX_CHOICES` choices of at most 100 characters are compared, and only for a word
    of at most 100 characters, so the suggestion stays cheap on hostile input."""
    options = [c for c in capped_choices(choices) if len(c) <= 100]
    if len(word) > 100:
        return ""
    folded = [c for c in options if c.casefold() == word.casefold()]  # 'A' for 'a': too short
    close = folded or difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {excerpt(close[0], 60)}?)" if close else ""


def capped_choices(choices: Iterable[str]) -> list[str]:
    """The choices, or none when there are more than `MAX_CHOICES` of them."""
    out: list[str] = []
    for c in choices:
        if len(out) == MAX_CHOICES:
            return []
        out.append(c)
    return out


def did_you_mean_name(word: str, names: Iterable[str]) -> str:
    """As `did_you_mean`, for candidate names: names that start with `word` come first
    ("gpt-4o" -> 'gpt-4o-2024-08-06', 'gpt-4o-mini'), at most three of them, in order.
    Prefixes are found in linear time, so any number of names is searched."""
    if word:
        starts = [n for n in names if n.startswith(word) and n != word]
        if starts:
            shown = ", ".join(excerpt(n, 60) for n in starts[:3])
            more = f" or {len(starts) - 3} more" if len(starts) > 3 else ""
            return f" (did you mean {shown}{more}?)"
    return did_you_mean(word, names)
