"""The expression tree of a formula: a few frozen node types and two walks over them.

`goals.formula` builds it (from Python's `ast`, restricted) and inserts unit factors (`Scale`);
`goals.derive` evaluates it with NumPy over every candidate at once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    """Where the node starts in the goals file, for messages."""

    line: int
    col: int


@dataclass(frozen=True)
class Num(Node):
    """A number written in the formula: `1000`, `1e-3`."""

    value: float


@dataclass(frozen=True)
class Ref(Node):
    """Another metric, by name: its value per candidate, in the metric's unit."""

    name: str
    start: int  # offsets of the name in the formula's text (for explain's substitution)
    end: int


@dataclass(frozen=True)
class Bin(Node):
    """`left op right`: + and - need one dimension on both sides, * and / any."""

    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Pow(Node):
    """`base ** exponent`: the exponent a number literal (|e| <= 16), so the unit stays known."""

    base: Node
    exponent: float


@dataclass(frozen=True)
class Call(Node):
    """`mean`, `min`, `max`, `sum` of arguments of one dimension; `sqrt`; `log` and `exp`
    of a dimensionless argument."""

    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Scale(Node):
    """`arg` times a constant: -1 for `-arg`, or a unit conversion that `compile_units`
    inserted."""

    arg: Node
    factor: float


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of `node`."""
    if isinstance(node, Bin):
        return (node.left, node.right)
    if isinstance(node, Scale):
        return (node.arg,)
    if isinstance(node, Pow):
        return (node.base,)
    if isinstance(node, Call):
        return node.args
    return ()


def refs(node: Node) -> list[Ref]:
    """Every metric reference in `node`, in text order."""
    out: list[Ref] = []
    todo = [node]
    while todo:
        here = todo.pop()
        if isinstance(here, Ref):
            out.append(here)
        todo.extend(children(here))
    return sorted(out, key=lambda r: r.start)
