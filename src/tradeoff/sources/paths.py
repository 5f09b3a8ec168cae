"""`from:` and `each:` patterns: globs expanded in sorted order, confined to the goals folder.

`*` matches within one path component (as little as it can, for the `{1}`, `{2}` captures of a
`name` template), `?` one character, `**` any number of folders (none included). Other glob
syntax (`[abc]`) is taken literally. Every match then passes `resolve_source`, so a symlink or a
`..` leading out of the folder is refused as for a plain path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tradeoff.sources.common import SourceProblem, excerpt

MAX_MATCHES = 10_000
"""Files one pattern may match; a pattern over a whole disk stops here with an error."""
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


def _glob(base: Path, pattern: str) -> list[str]:
    import glob

    literal = pattern.replace("[", "[[]")  # only *, ? and ** are wildcards here
    found = []
    for k, rel in enumerate(glob.iglob(literal, root_dir=base, recursive=True)):
        if k >= MAX_MATCHES:
            what = f"matches more than {MAX_MATCHES} files; narrow it"
            raise SourceProblem([(f"pattern {shown(pattern)}", what)])
        found.append(rel)
    return sorted(found)


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
    for rel in _glob(base, pattern):
        if (base / rel).is_dir():
            continue
        path = resolve_source(base_dir, rel, allow_external)
        match = regex.fullmatch(rel.replace("\\", "/"))
        groups = tuple(g or "" for g in match.groups()) if match else ()
        out.append(Match(rel, path, tuple(g.rstrip("/") for g in groups)))
    if not out:
        raise SourceProblem([(f"pattern {shown(pattern)}", "matches no file")])
    return out
