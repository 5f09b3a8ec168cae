"""Safe YAML 1.2 reading that remembers where every value came from.

PyYAML resolves scalars by YAML 1.1 rules (`no` is false, `1e-3` a string) and silently keeps the
last of two equal keys. We let libyaml compose the node graph only, then build plain data ourselves:
the core schema of YAML 1.2, duplicate keys rejected with both lines, arbitrary tags refused, and a
hard limit on nodes so an alias bomb fails fast instead of exhausting memory.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tradeoff.errors import Diagnostic, InputError

MAX_BYTES = 32 * 1024 * 1024
MAX_NODES = 2_000_000
MAX_DEPTH = 64

Loc = tuple[str | int, ...]

_PLAIN = "tag:tradeoff,2024:plain"
_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"

# YAML 1.2.2 core schema, section 10.3.2.
_NULL_RE = re.compile(r"~|null|Null|NULL|")
_BOOL_RE = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT_RE = re.compile(r"[-+]?[0-9]+")
_OCT_RE = re.compile(r"0o[0-7]+")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF_RE = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN_RE = re.compile(r"\.(nan|NaN|NAN)")


class _Loader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """Composes only; every plain scalar gets one tag and is resolved by `resolve_plain`."""

    yaml_implicit_resolvers = {None: [(_PLAIN, re.compile(r".*", re.DOTALL))]}  # noqa: RUF012


def resolve_plain(text: str) -> Any:
    """Resolve an untagged plain scalar by the YAML 1.2 core schema."""
    if _NULL_RE.fullmatch(text):
        return None
    if _BOOL_RE.fullmatch(text):
        return text[0] in "tT"
    if _INT_RE.fullmatch(text):
        return int(text)
    if _OCT_RE.fullmatch(text):
        return int(text[2:], 8)
    if _HEX_RE.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT_RE.fullmatch(text):
        return float(text)
    if _INF_RE.fullmatch(text):
        return -math.inf if text[0] == "-" else math.inf
    if _NAN_RE.fullmatch(text):
        return math.nan
    return text


@dataclass
class Document:
    """Plain data read from a YAML file, with the position of every key and value.

    `values[loc]` is the (line, col) of the value at `loc`, `keys[loc]` that of its key in the
    enclosing mapping; both 1-based. `loc` is a path such as ("candidates", 1, "metrics", "cost").
    """

    file: str
    data: Any
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def pos(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Position of `loc`, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        while True:
            if loc in table:
                return table[loc]
            if key and loc in self.values:
                return self.values[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]

    def line(self, loc: Loc) -> int:
        return self.pos(loc)[0]


def format_loc(loc: Loc) -> str:
    """("candidates", 1, "metrics", "cost") -> "candidates[1].metrics.cost"."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.errors: list[Diagnostic] = []

    def fail(self, node: yaml.Node, loc: Loc, what: str) -> None:
        mark = node.start_mark
        self.errors.append(
            Diagnostic(self.doc.file, mark.line + 1, mark.column + 1, format_loc(loc), what)
        )

    def build(self, node: yaml.Node, loc: Loc, active: frozenset[int]) -> Any:
        if len(loc) > MAX_DEPTH:
            self.fail(node, loc, f"nested more than {MAX_DEPTH} levels deep")
            return None
        mark = node.start_mark
        self.doc.values.setdefault(loc, (mark.line + 1, mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, loc)
        if id(node) in active:
            self.fail(node, loc, "an alias refers to a node that contains it (a recursive alias)")
            return None
        inner = active | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.fail(node, loc, f"unsupported tag {node.tag!r}")
            return [self.build(item, (*loc, i), inner) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                self.fail(node, loc, f"unsupported tag {node.tag!r}")
            return self.mapping(node, loc, inner)
        self.fail(node, loc, "unsupported YAML node")  # pragma: no cover - PyYAML has 3 node kinds
        return None

    def mapping(self, node: yaml.MappingNode, loc: Loc, active: frozenset[int]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, loc, "a key must be a plain string, not a list or mapping")
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                self.fail(
                    key_node, (*loc, key), f"duplicate key '{key}' (first on line {seen[key]})"
                )
                continue
            seen[key] = line
            self.doc.keys[(*loc, key)] = (line, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, (*loc, key), active)
        return out

    def scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        text = node.value
        tag = node.tag
        if tag == _PLAIN:
            return resolve_plain(text)
        if tag == _STR:
            return text
        if tag in (_INT, _FLOAT, _BOOL, _NULL):
            value = resolve_plain(text)
            kind = {_INT: int, _FLOAT: float, _BOOL: bool, _NULL: type(None)}[tag]
            if tag == _FLOAT and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind):
                self.fail(node, loc, f"{text!r} is not a valid {tag.rsplit(':', 1)[-1]}")
                return None
            return value
        self.fail(node, loc, f"unsupported tag {tag!r}")
        return None


def _expanded_size(root: yaml.Node) -> int:
    """Number of nodes once every alias is expanded, counted on the graph (so in linear time)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        if done:
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            sizes[id(node)] = min(total, MAX_NODES + 1)
            continue
        stack.append((node, True))
        # A recursive alias is already on the stack: it counts 1 here and is reported later.
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def read_text(path: Path, display: str) -> str:
    """Read a UTF-8 text file with the checks every input file gets."""

    def whole(what: str) -> InputError:
        return InputError.single(display, 0, 0, "", what)

    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise whole("no such file") from None
    except IsADirectoryError:
        raise whole("is a directory, not a file") from None
    except OSError as exc:
        raise whole(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise InputError.single(
            display, 1, 1, "", f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB"
        )
    if b"\x00" in raw:
        raise InputError.single(display, 1, 1, "", "binary file (contains NUL bytes), not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError.single(display, line, 1, "", "not valid UTF-8 text") from None


def parse(text: str, display: str) -> Document:
    """Parse YAML text into a `Document`; every problem becomes an `InputError`."""
    doc = Document(display, None)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise InputError.single(display, line, col, "", f"invalid YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise InputError.single(display, 1, 1, "", f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError.single(display, 1, 1, "", "invalid YAML: nested too deeply") from None
    if node is None:
        raise InputError.single(display, 1, 1, "", "file is empty; expected a YAML mapping")
    if _expanded_size(node) > MAX_NODES:
        raise InputError.single(
            display, 1, 1, "", f"document expands to more than {MAX_NODES:,} values (alias bomb?)"
        )
    builder = _Builder(doc)
    doc.data = builder.build(node, (), frozenset())
    if builder.errors:
        raise InputError(sorted(set(builder.errors)))
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else f"a scalar ({doc.data!r})"
        raise InputError.single(
            display, 1, 1, "", f"expected a YAML mapping at the top, got {kind}"
        )
    return doc


def load(path: str | Path, display: str | None = None) -> Document:
    """Read and parse a YAML file."""
    path = Path(path)
    name = display if display is not None else str(path)
    return parse(read_text(path, name), name)
