"""`from:` and `each:` patterns: globs expanded in sorted order, confined to the goals folder.

`*` matches within one path component (as little as it can, for the `{1}`, `{2}` captures of a
`name` template), `?` one character, `**` any number of folders (none included). Other glob
syntax (`[abc]`) is taken literally. Every match then passes `resolve_source`, so a symlink or a
`..` leading out of the folder is refused as for a plain path.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from tradeoff.sources.common import SourceProblem, excerpt

MAX_MATCHES = 10_000
"""Files one pattern may match; a pattern over a whole disk stops here with an error."""
MAX_VISITS = 200_000
"""Folder entries one pattern may look at; a `**` over a huge tree stops here with an error."""
WILDCARDS = ("*", "?")


@dataclass(frozen=True)
class Match:
    """One file a pattern matched.

    Attributes:
        display: its path relative to the goals file's folder, as messages show it.
        path: the resolved path.
        groups: what each wildcard matched, left to right (`{1}`, `{2}`, ... in a name).
    """

    display: str
    path: Path
    groups: tuple[str, ...] = ()


def shown(pattern: str) -> str:
    """A path or pattern as messages quote it: whole, escaped, at most 300 characters."""
    return excerpt(pattern, 300)


def is_pattern(text: str) -> bool:
    return any(w in text for w in WILDCARDS)


def _regex(pattern: str) -> re.Pattern[str]:
    """The pattern as a regular expression with one group per wildcard."""
    out = []
    parts = pattern.split("/")
    for k, part in enumerate(parts):
        last = k == len(parts) - 1
        if part == "**":
            out.append("((?:[^/]*/)*?)" if not last else "(.*?)")
            continue
        piece = "".join(
            "([^/]*?)" if ch == "*" else "([^/])" if ch == "?" else re.escape(ch) for ch in part
        )
        out.append(piece + ("" if last else "/"))
    return re.compile("".join(out))


def _glob(base: Path, pattern: str, base_dir: Path, allow_external: bool) -> list[str]:
    """The paths `pattern` matches under `base`, as glob's `root_dir` gives them, sorted.

    Python's glob follows every symlinked folder under `**`: a link back up the tree made the
    walk exponential, a link to / walked the disk. Here `**` enters each folder once, and a
    symlinked one only after `resolve_source` (from `base_dir`) has let it through: a link out
    of the goals file's folder is refused before anything behind it is listed. `*`, `?` and
    `**` skip names starting with `.`, as glob does; every other character is literal.
    """
    from tradeoff.sources.readers import resolve_source

    parts = [p for p in pattern.split("/") if p]
    start = "/" if pattern.startswith("/") else ""
    found: set[str] = set()
    entered: set[tuple[int, int]] = set()  # (device, inode) of each folder `**` went into
    visits = 0

    def problem(what: str) -> SourceProblem:
        return SourceProblem([(f"pattern {shown(pattern)}", what)])

    def entries(rel: str) -> list[os.DirEntry[str]]:
        nonlocal visits
        try:
            with os.scandir(base / rel if rel else base) as it:
                out = sorted(it, key=lambda e: e.name)  # the first problem met is the same each run
        except OSError:  # not a folder, gone, or unreadable: nothing under it
            return []
        visits += len(out)
        if visits > MAX_VISITS:
            raise problem(f"looks at more than {MAX_VISITS} folder entries; narrow it")
        return out

    def add(rel: str) -> None:
        found.add(rel)
        if len(found) > MAX_MATCHES:
            raise problem(f"matches more than {MAX_MATCHES} files; narrow it")

    def visit(rel: str, k: int) -> None:
        if k == len(parts):
            add(rel)
            return
        part = parts[k]

        def join(name: str) -> str:
            return f"{rel}/{name}" if rel and rel != "/" else rel + name

        if part == "**":
            visit(rel, k + 1)  # no folder
            last = k + 1 == len(parts)
            for e in entries(rel):
                if e.name.startswith("."):
                    continue
                if not e.is_dir():
                    if last:
                        add(join(e.name))  # a file under a final `**`
                    continue
                if e.is_symlink():  # raises for a link out of the folder
                    resolve_source(base_dir, join(e.name), allow_external)
                here = e.stat()
                if (here.st_dev, here.st_ino) not in entered:  # a link back up: not again
                    entered.add((here.st_dev, here.st_ino))
                    visit(join(e.name), k)  # one folder more, still inside `**`
        elif not is_pattern(part):
            if k + 1 < len(parts) or os.path.lexists(base / join(part)):
                visit(join(part), k + 1)
        else:
            regex = _component(part)
            hidden = part.startswith(".")
            for e in entries(rel):
                if (hidden or not e.name.startswith(".")) and regex.fullmatch(e.name):
                    visit(join(e.name), k + 1)

    try:
        visit(start, 0)
    except RecursionError:  # folders nested some thousand deep
        raise problem("goes through folders nested too deeply; narrow it") from None
    return sorted(found)


def _component(part: str) -> re.Pattern[str]:
    """One path component of a pattern as a regular expression over a folder entry's name."""
    return re.compile(
        "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in part),
        re.DOTALL,
    )


def expand(base_dir: Path, pattern: str, allow_external: bool) -> list[Match]:
    """The files `pattern` names, in sorted order, each resolved by `resolve_source`.

    A plain path gives itself. Folders matched by a pattern are skipped.

    Raises:
        SourceProblem: the pattern matches no file, or a match leads out of the folder.
    """
    from tradeoff.sources.readers import resolve_source

    if not is_pattern(pattern):
        return [Match(pattern, resolve_source(base_dir, pattern, allow_external))]
    if not allow_external and (pattern.startswith("/") or pattern.startswith("~")):
        resolve_source(base_dir, pattern, allow_external)  # raises with the usual words
    regex = _regex(pattern.replace("\\", "/"))
    base = base_dir if not Path(pattern).is_absolute() else Path("/")
    out = []
    for rel in _glob(base, pattern, base_dir, allow_external):
        if (base / rel).is_dir():
            continue
        path = resolve_source(base_dir, rel, allow_external)
        match = regex.fullmatch(rel.replace("\\", "/"))
        groups = tuple(g or "" for g in match.groups()) if match else ()
        out.append(Match(rel, path, tuple(g.rstrip("/") for g in groups)))
    if not out:
        raise SourceProblem([(f"pattern {shown(pattern)}", "matches no file")])
    return out
