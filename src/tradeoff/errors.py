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


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' (did you mean 'x'?)' when a choice is close to `word`, else ''."""
    options = list(choices)
    folded = [c for c in options if c.casefold() == word.casefold()]  # 'A' for 'a': too short
    close = folded or difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
