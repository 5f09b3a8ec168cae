"""The expression tree of a formula: a few frozen node types and two walks over them.

`goals.formula` builds it (from Python's `ast`, restricted) and inserts unit factors (`Scale`);
`goals.derive` evaluates it with NumPy over every candidate at once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    line: int
    col: int


@dataclass(frozen=True)
class Num(Node):
    value: float


@dataclass(frozen=True)
class Ref(Node):
    name: str
    start: int  # offsets of the name in the formula's text (for explain's substitution)
    end: int


@dataclass(frozen=True)
class Neg(Node):
    arg: Node


@dataclass(frozen=True)
class Bin(Node):
    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Pow(Node):
    base: Node
    exponent: float


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Scale(Node):
    """`arg` times a constant: a unit conversion that `compile_units` inserted."""

    arg: Node
    factor: float


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of `node`."""
    if isinstance(node, Bin):
        return (node.left, node.right)
    if isinstance(node, Neg | Scale):
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
