"""Safe YAML 1.2 reading that remembers where every value came from.

PyYAML resolves scalars by YAML 1.1 rules (`no` is false, `1e-3` a string) and silently keeps the
last of two equal keys. We let libyaml parse the text into events only and build plain data from
them ourselves: the core schema of YAML 1.2, duplicate keys rejected with both lines, arbitrary
tags refused, and a limit on the values a document may expand to, counted as the events arrive, so
an alias bomb fails before anything is expanded. Building from events (rather than PyYAML's node
graph) is also what lets a value reached through an alias be located at the alias.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tradeoff.errors import Diagnostic, InputError, excerpt
from tradeoff.goals.textfile import MAX_BYTES, read_text
from tradeoff.goals.yamlscalars import resolve_plain
from tradeoff.goals.yamlsyntax import reader_error, syntax_error

MAX_NODES = 2_000_000
"""Values a document may hold, aliases expanded."""
MAX_ALIAS_NODES = 100_000
"""Values that aliases may add in all; far beyond sharing a few mappings, far below a bomb."""
MAX_DEPTH = 64

Loc = tuple[str | int, ...]

_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_TYPED: dict[str, type] = {_INT: int, _FLOAT: float, _BOOL: bool, _NULL: type(None)}

_Parser: type = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


@dataclass
class Document:
    """Plain data read from a YAML file, with the position of every key and value.

    `values[loc]` is the (line, col) of the value at `loc`, `keys[loc]` that of its key in the
    enclosing mapping; both 1-based. `loc` is a path such as ("candidates", 1, "metrics", "cost").
    A value reached through an alias is located at the alias; what lies inside it has no entry
    of its own, so `pos` answers with the alias too.
    """

    file: str
    data: Any
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)
    """With `parse(..., partial=True)`: problems (duplicate keys, bad tags) the data was read
    past. A repeated key keeps its first value; a value with a bad tag or alias becomes null."""

    def pos(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Position of `loc`, or of its nearest ancestor that has one.

        With `key`, the position of the key naming `loc` where there is one.
        """
        if key and loc in self.keys:
            return self.keys[loc]
        while True:
            if loc in self.values:
                return self.values[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]

    def line(self, loc: Loc) -> int:
        return self.pos(loc)[0]


def show_key(key: str) -> str:
    """A key as messages quote it: 'cost', or with escapes when it holds control characters."""
    if len(key) > 60:
        return excerpt(key, 60)
    return f"'{key}'" if key.isprintable() else repr(key).replace('"', "'")


def format_loc(loc: Loc) -> str:
    """("candidates", 1, "metrics", "cost") -> "candidates[1].metrics.cost".

    A key that is empty, holds control characters or is long is written `[...]`, escaped and
    cut (`show_key`), so that a message stays on one line and quotes a short excerpt.
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part or not part.isprintable() or len(part) > 60:
            out += f"[{show_key(part)}]"
        else:
            out += f".{part}" if out else part
    return out


class _Fatal(Exception):
    """Stops building: the document cannot be read further (bomb, depth, second document)."""

    def __init__(self, line: int, col: int, what: str) -> None:
        super().__init__(what)
        self.line, self.col, self.what = line, col, what


_SKIP = object()
"""Stands for a key that cannot be used (a list, a mapping): its value is read and dropped."""


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = ("anchor", "is_key", "key", "loc", "out", "record", "seen", "size")

    def __init__(self, loc: Loc, out: dict[str, Any] | list[Any], record: bool) -> None:
        self.loc = loc
        self.out = out
        self.record = record  # False inside a dropped key or value: no positions, no data kept
        self.key: object = None  # a mapping's pending key (str or _SKIP), None when a key is due
        self.is_key = False  # this collection is itself a key (an error): drop it, then its value
        self.seen: dict[str, int] = {}
        self.size = 1  # values inside, aliases expanded, this one included
        self.anchor: str | None = None


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.errors: list[Diagnostic] = []
        self.anchors: dict[str, tuple[Any, int] | None] = {}  # None: still being built
        self.total = 0
        self.empty_root = False  # the document is an empty scalar (`---` and nothing else)
        self.aliased = 0

    def fail(self, mark: Any, loc: Loc, what: str) -> None:
        self.errors.append(
            Diagnostic(self.doc.file, mark.line + 1, mark.column + 1, format_loc(loc), what)
        )

    def count(self, mark: Any, n: int, alias: bool = False) -> None:
        self.total += n
        if alias:
            self.aliased += n
            if self.aliased > MAX_ALIAS_NODES:
                raise _Fatal(
                    mark.line + 1,
                    mark.column + 1,
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} values (an alias bomb?)",
                )
        if self.total > MAX_NODES:
            raise _Fatal(
                mark.line + 1, mark.column + 1, f"document holds more than {MAX_NODES:,} values"
            )

    def scalar(self, event: yaml.ScalarEvent, loc: Loc) -> Any:
        text, tag = event.value, event.tag
        if tag is None:
            return resolve_plain(text) if event.implicit[0] else text
        if tag in ("!", _STR):
            return text
        kind = _TYPED.get(tag)
        if kind is None:
            self.fail(event.start_mark, loc, f"unsupported tag {excerpt(tag)}")
            return None
        value = resolve_plain(text)
        if kind is float and type(value) is int:
            value = float(value)
        if type(value) is not kind:
            self.fail(
                event.start_mark, loc, f"{excerpt(text)} is not a valid {tag.rsplit(':', 1)[-1]}"
            )
            return None
        return value

    def build(self, events: Any) -> Any:
        stack: list[_Frame] = []
        root: Any = None
        documents = 0
        values, keys = self.doc.values, self.doc.keys
        scalar_event = yaml.ScalarEvent
        for event in events:
            kind = type(event)
            if kind is scalar_event and stack and event.anchor is None and event.tag is None:
                # The fast path, for most of a file: a plain key or value in a mapping.
                top = stack[-1]
                out = top.out
                if top.record and type(out) is dict:
                    key = top.key
                    mark = event.start_mark
                    if key is None:
                        text = event.value
                        if text not in top.seen and text != "<<":
                            self.total += 1
                            top.seen[text] = mark.line + 1
                            top.key = text
                            keys[(*top.loc, text)] = (mark.line + 1, mark.column + 1)
                            continue
                    elif type(key) is str:
                        self.total += 1
                        if self.total > MAX_NODES:
                            self.count(mark, 0)
                        text = event.value
                        out[key] = resolve_plain(text) if event.implicit[0] else text
                        values[(*top.loc, key)] = (mark.line + 1, mark.column + 1)
                        top.key = None
                        top.size += 1
                        continue
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    m = event.start_mark
                    raise _Fatal(m.line + 1, m.column + 1, "expected one YAML document, found more")
                continue
            if kind in (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent):
                continue
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                done = stack.pop()
                value: Any = done.out
                size = done.size
                if done.anchor is not None:
                    self.anchors[done.anchor] = (value, size)
                if not stack:
                    root = value
                    continue
                parent = stack[-1]
                parent.size += size
                if done.is_key:
                    parent.key = _SKIP
                else:
                    self.store(parent, value)
                continue

            mark = event.start_mark
            into: _Frame | None = stack[-1] if stack else None
            # Where does this node go?
            as_key = into is not None and type(into.out) is dict and into.key is None
            record = into.record if into is not None else True
            if into is None:
                loc: Loc = ()
            elif as_key:
                loc = into.loc
            elif type(into.out) is list:
                loc = (*into.loc, len(into.out))
            elif isinstance(into.key, str):
                loc = (*into.loc, into.key)
            else:  # the value of a key that cannot be used
                loc, record = into.loc, False

            if kind is yaml.AliasEvent:
                anchor = event.anchor
                if anchor not in self.anchors:
                    self.fail(mark, loc, f"unknown alias *{anchor}")
                    value, size = None, 1
                elif (entry := self.anchors[anchor]) is None:
                    self.fail(mark, loc, f"alias *{anchor} refers to a node that contains it")
                    value, size = None, 1
                else:
                    value, size = entry
                self.count(mark, size, alias=True)
                if into is None:  # pragma: no cover - libyaml has no alias before an anchor
                    continue
                if as_key:
                    self.key(into, value if isinstance(value, str) else None, mark)
                    continue
                if record:
                    self.doc.values[loc] = (mark.line + 1, mark.column + 1)
                into.size += size
                self.store(into, value)
                continue

            self.count(mark, 1)
            if kind is yaml.ScalarEvent:
                if into is not None and as_key:
                    self.key(into, event.value, mark)
                    if event.anchor is not None:
                        self.anchors[event.anchor] = (event.value, 1)
                    continue
                value = self.scalar(event, loc)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
                if record:
                    self.doc.values[loc] = (mark.line + 1, mark.column + 1)
                if into is None:
                    root = value
                    self.empty_root = event.value == "" and event.implicit[0]
                else:
                    into.size += 1
                    self.store(into, value)
                continue

            # A mapping or a sequence starts.
            if len(stack) >= MAX_DEPTH:
                raise _Fatal(mark.line + 1, mark.column + 1, f"nested more than {MAX_DEPTH} deep")
            is_map = kind is yaml.MappingStartEvent
            if as_key:
                self.fail(mark, loc, "a key must be a plain string, not a list or mapping")
                record = False
            elif record:
                self.doc.values[loc] = (mark.line + 1, mark.column + 1)
            expected = _MAP if is_map else _SEQ
            if event.tag not in (None, "!", expected):
                self.fail(mark, loc, f"unsupported tag {excerpt(event.tag)}")
            frame = _Frame(loc, {} if is_map else [], record)
            frame.is_key = as_key
            if event.anchor is not None:
                frame.anchor = event.anchor
                self.anchors[event.anchor] = None
            stack.append(frame)
        return root

    def key(self, frame: _Frame, key: str | None, mark: Any) -> None:
        if key is None:
            self.fail(mark, frame.loc, "a key must be a plain string, not a list or mapping")
            frame.key = _SKIP
            return
        line = mark.line + 1
        if key == "<<":
            what = "merge keys ('<<') are not part of YAML 1.2; write the keys out"
            self.fail(mark, (*frame.loc, key), what)
            frame.key = _SKIP
            return
        first = frame.seen.get(key)
        if first is not None:
            self.fail(
                mark, (*frame.loc, key), f"duplicate key {show_key(key)} (first on line {first})"
            )
            frame.key = _SKIP
            return
        frame.seen[key] = line
        frame.key = key
        if frame.record:
            self.doc.keys[(*frame.loc, key)] = (line, mark.column + 1)

    @staticmethod
    def store(frame: _Frame, value: Any) -> None:
        out = frame.out
        if isinstance(out, list):
            out.append(value)
            return
        key = frame.key
        frame.key = None
        if isinstance(key, str) and frame.record:
            out[key] = value


def _describe_top(data: Any) -> str:
    if data is None:
        return "null"
    if isinstance(data, list):
        return "a list"
    shown = excerpt(data)
    return f"a scalar ({shown if isinstance(data, str) else shown.strip(chr(39))})"


def parse(text: str, display: str, *, partial: bool = False) -> Document:
    """Parse YAML text into a `Document`; every problem becomes an `InputError`.

    With `partial`, problems that leave a usable mapping (a repeated key, an unsupported tag)
    are kept in `Document.problems` instead, so that a caller can report them together with its
    own findings.
    """
    doc = Document(display, None)
    if len(text) > MAX_BYTES:
        raise InputError.single(
            display, 1, 1, "", f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB"
        )
    text = text.removeprefix("\ufeff")
    builder = _Builder(doc)
    try:
        text.encode("utf-8")
        doc.data = builder.build(yaml.parse(text, Loader=_Parser))
    except UnicodeEncodeError as exc:
        line = text[: exc.start].count("\n") + 1
        raise InputError.single(display, line, 1, "", "not valid Unicode text") from None
    except _Fatal as exc:
        raise InputError.single(display, exc.line, exc.col, "", exc.what) from None
    except yaml.MarkedYAMLError as exc:
        raise syntax_error(text, display, exc) from None
    except yaml.reader.ReaderError as exc:
        raise reader_error(text, display, exc) from None
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml reports the others with a mark
        raise InputError.single(display, 1, 1, "", f"invalid YAML: {exc}") from None
    problems = sorted(set(builder.errors))
    if problems and not (partial and isinstance(doc.data, dict)):
        raise InputError(problems)
    doc.problems = problems
    if not isinstance(doc.data, dict):
        if not doc.values or builder.empty_root:
            raise InputError.single(display, 1, 1, "", "file is empty; expected a YAML mapping")
        line, col = doc.values[()]
        raise InputError.single(
            display,
            line,
            col,
            "",
            f"expected a YAML mapping at the top, got {_describe_top(doc.data)}",
        )
    return doc


def load(
    path: str | Path,
    display: str | None = None,
    *,
    partial: bool = False,
    allow_external: bool = True,
) -> Document:
    """Read and parse a YAML file (see `parse` for `partial`, `read_text` for `allow_external`)."""
    path = Path(path)
    name = display if display is not None else str(path)
    return parse(read_text(path, name, allow_external=allow_external), name, partial=partial)
