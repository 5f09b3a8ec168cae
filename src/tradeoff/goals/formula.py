"""`formula:` text -> a small expression tree of our own, with its units checked.

A formula is parsed by Python's `ast` (never evaluated by it) and every node is checked against
the short list below before it becomes one of our nodes; anything else is refused, located at
the formula's line and column:

    number literals, metric names, + - * /, unary -, ** with a number-literal exponent of at
    most 16 in absolute value, parentheses, mean min max sum (arguments of one dimension),
    sqrt, log and exp (log and exp of a dimensionless argument).

Limits keep hostile input cheap: at most 1,000 characters (checked before parsing) and 200
expression nodes (counted iteratively before our recursive conversion).

`compile_units` then follows the units through the arithmetic with pint, once per formula (not
per row): it inserts the constant factors that align `a + b` when `a` is in ms and `b` in s,
and the final factor to the metric's unit, or reports the unit the formula gives when it cannot
become the metric's ("kWh cannot convert to Wh/request"). `goals.derive` evaluates the result
with NumPy over every candidate at once.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tradeoff import units
from tradeoff.errors import did_you_mean
from tradeoff.goals.expr import Bin, Call, Node, Num, Pow, Ref, Scale, refs

MAX_CHARS = 1_000
MAX_NODES = 200
MAX_EXPONENT = 16.0
AGGREGATES = ("mean", "min", "max", "sum")
FUNCTIONS = (*AGGREGATES, "sqrt", "log", "exp")


class FormulaError(ValueError):
    """A formula that cannot be used; `line` and `col` (1-based) are within the formula."""

    def __init__(self, what: str, line: int = 1, col: int = 1) -> None:
        self.line, self.col = line, col
        super().__init__(what)

    def __str__(self) -> str:
        where = f"column {self.col}" if self.line == 1 else f"line {self.line}, column {self.col}"
        return f"{self.args[0]} (at {where} of the formula)"


_BINOPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_OTHER_OPS: dict[type, str] = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
}
_CONSTRUCTS: dict[type, str] = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing ('[...]')",
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and' / 'or'",
    ast.IfExp: "a conditional expression",
    ast.NamedExpr: "an assignment (':=')",
    ast.Starred: "'*' unpacking",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a mapping",
    ast.JoinedStr: "an f-string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text, its tree and the metric names it uses (first use first)."""

    text: str
    tree: Node
    names: tuple[str, ...]


def parse(text: str) -> Formula:
    """Parse a formula's text into our tree; names are not resolved yet.

    Raises:
        FormulaError: too long, too many nodes, a syntax error or an unsupported construct.
    """
    if len(text) > MAX_CHARS:
        raise FormulaError(
            f"a formula has at most {MAX_CHARS:,} characters, this one {len(text):,}"
        )
    if not text.strip():
        raise FormulaError("the formula is empty")
    if not text.isascii():
        # Python reads fullwidth letters as ASCII ones (NFKC); names here are ASCII identifiers.
        k = next(k for k, ch in enumerate(text) if not ch.isascii())
        line = text.count("\n", 0, k) + 1
        col = k - (text.rfind("\n", 0, k) + 1) + 1
        raise FormulaError(
            "a formula is written in ASCII (numbers, metric names, + - * / **)", line, col
        )
    # Wrapped in parentheses so that a formula may span lines (a YAML block scalar); the
    # column of the first line shifts by one, undone in `_pos`.
    try:
        tree = ast.parse(f"({text}\n)", mode="eval")
    except SyntaxError as exc:
        line, col = exc.lineno or 1, exc.offset or 1
        what = (exc.msg or "invalid syntax").split(" (")[0]
        lines = text.split("\n")
        if line > len(lines):  # at the closing parenthesis we added: the end of the formula
            line, col = len(lines), len(lines[-1]) + 2
        col = max(col - 1 if line == 1 else col, 1)
        raise FormulaError(f"syntax error: {what}", line, col) from None
    except (ValueError, MemoryError, RecursionError):  # NUL bytes; pathological nesting
        raise FormulaError("the formula cannot be read") from None
    count = sum(1 for node in ast.walk(tree) if isinstance(node, ast.expr))
    if count > MAX_NODES:
        raise FormulaError(
            f"a formula has at most {MAX_NODES} terms and operators, this one {count}"
        )
    root = _Converter(text).convert(tree.body)
    names = dict.fromkeys(r.name for r in refs(root))
    return Formula(text, root, tuple(names))


def _pos(node: ast.expr) -> tuple[int, int]:
    line, col = node.lineno, node.col_offset + 1
    return line, col - 1 if line == 1 else col


def _fail(node: ast.expr, what: str) -> FormulaError:
    return FormulaError(what, *_pos(node))


class _Converter:
    """`ast` nodes -> ours, refusing every other construct. Recursion is bounded by MAX_NODES."""

    def __init__(self, text: str) -> None:
        self.lines = f"({text}".split("\n")  # as parsed (columns are ASCII offsets)
        self.starts = [0]
        for k, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(k + 1)

    def op_pos(self, left: ast.expr) -> tuple[int, int]:
        """Where the operator after `left` is: the first character past it that is not a
        space or a closing parenthesis."""
        line, col = left.end_lineno or left.lineno, left.end_col_offset or 0
        while line <= len(self.lines):
            rest = self.lines[line - 1]
            while col < len(rest) and rest[col] in " \t)":
                col += 1
            if col < len(rest):
                return line, col if line == 1 else col + 1
            line, col = line + 1, 0
        return _pos(left)

    def convert(self, node: ast.expr) -> Node:
        line, col = _pos(node)
        if isinstance(node, ast.Constant):
            return Num(line, col, _literal(node))
        if isinstance(node, ast.Name):
            start = self.starts[line - 1] + col - 1
            return Ref(line, col, node.id, start, start + len(node.id))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            arg = self.convert(node.operand)
            return Scale(line, col, arg, -1.0) if isinstance(node.op, ast.USub) else arg
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        what = _CONSTRUCTS.get(type(node), type(node).__name__)
        raise _fail(
            node,
            f"unsupported: {what}; a formula has numbers, metric names, + - * / ** and "
            + ", ".join(FUNCTIONS),
        )

    def binop(self, node: ast.BinOp) -> Node:
        line, col = self.op_pos(node.left)
        if isinstance(node.op, ast.Pow):
            return Pow(line, col, self.convert(node.left), _exponent(node.right))
        op = _BINOPS.get(type(node.op))
        if op is None:
            shown = _OTHER_OPS.get(type(node.op), type(node.op).__name__)
            raise FormulaError(f"unsupported operator '{shown}'; use + - * / and **", line, col)
        return Bin(line, col, op, self.convert(node.left), self.convert(node.right))

    def call(self, node: ast.Call) -> Node:
        line, col = _pos(node)
        if not isinstance(node.func, ast.Name):
            self.convert(node.func)  # says "attribute access", "lambda", ... where it is one
            what = "unsupported: only the functions " + ", ".join(FUNCTIONS) + " may be called"
            raise _fail(node, what)
        func = node.func.id
        if func not in FUNCTIONS:
            raise _fail(
                node,
                f"unknown function '{func}'{did_you_mean(func, FUNCTIONS)}; "
                f"the functions are {', '.join(FUNCTIONS)}",
            )
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise _fail(node, f"{func}() takes plain arguments (no '*' or name=)")
        if func in AGGREGATES and not node.args:
            raise _fail(node, f"{func}() needs at least one argument")
        if func not in AGGREGATES and len(node.args) != 1:
            raise _fail(node, f"{func}() takes exactly one argument, got {len(node.args)}")
        return Call(line, col, func, tuple(self.convert(a) for a in node.args))


def _literal(node: ast.Constant) -> float:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(node, f"unsupported: a {type(value).__name__} literal; only numbers")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _fail(node, "a number in a formula must be finite")
    return number


def _exponent(node: ast.expr) -> float:
    sign, inner = 1.0, node
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign, inner = (-1.0 if isinstance(node.op, ast.USub) else 1.0), node.operand
    if not isinstance(inner, ast.Constant):
        raise _fail(node, "the exponent of ** must be a number literal (such as 2 or 0.5)")
    value = sign * _literal(inner)
    if abs(value) > MAX_EXPONENT:
        raise _fail(node, f"the exponent of ** is at most {MAX_EXPONENT:g} in absolute value")
    return value


def check_names(formula: Formula, declared: Mapping[str, Any]) -> None:
    """Every name must be a declared metric.

    Raises:
        FormulaError: the first unknown name, with a close match.
    """
    for ref in refs(formula.tree):
        if ref.name in declared:
            continue
        if ref.name in FUNCTIONS:
            raise FormulaError(
                f"'{ref.name}' is a function: write {ref.name}(...)", ref.line, ref.col
            )
        hint = did_you_mean(ref.name, declared)
        raise FormulaError(f"unknown metric '{ref.name}'{hint}", ref.line, ref.col)


def compile_units(formula: Formula, unit_of: Mapping[str, str | None], target: str | None) -> Node:
    """The tree with unit factors in place, so that it computes the value in `target`.

    A value without a unit is taken in its metric's declared unit; a metric without a unit is
    dimensionless. pint works on one quantity per node here, never on the candidates' values.

    Raises:
        FormulaError: a unit that does not parse, dimensions that do not add up, or a result
            that does not convert to `target` (naming the unit it got).
    """

    def unit(name: str, ref: Ref) -> Any:
        try:
            return units.quantity(unit_of[name])
        except ValueError:
            raise FormulaError(
                f"'{name}' has unit '{unit_of[name]}', which does not parse (a formula follows "
                "the units of what it names)",
                ref.line,
                ref.col,
            ) from None

    node, got = _units(formula.tree, unit)
    try:
        want = units.quantity(target)
    except ValueError:
        raise FormulaError(f"the metric's unit '{target}' does not parse") from None
    k = _ratio(got, want)
    if k is None:
        shown = target if target else "a number without unit (declare the metric's unit)"
        raise FormulaError(f"{units.show(got)} cannot convert to {shown}")
    return node if k == 1.0 else Scale(node.line, node.col, node, k)


def _ratio(a: Any, b: Any) -> float | None:
    """a / b as a plain number, or None when their dimensions differ."""
    import pint

    try:
        return float((a / b).to("dimensionless").magnitude)
    except pint.DimensionalityError:
        return None


def _factor(u: Any, to: Any, node: Node, needs: str, *, both: bool = True) -> float:
    """The number that converts `u` to `to`'s unit; else a FormulaError at `node`: "`needs`,
    got <to> and <u>" (without `both`, "got <u>")."""
    k = _ratio(u, to)
    if k is None:
        got = f"{units.show(to)} and {units.show(u)}" if both else units.show(u)
        raise FormulaError(f"{needs}, got {got}", node.line, node.col)
    return k


def _units(node: Node, unit: Any) -> tuple[Node, Any]:
    one = units.quantity(None)
    if isinstance(node, Num):
        return node, one
    if isinstance(node, Ref):
        return node, unit(node.name, node)
    if isinstance(node, Scale):  # -arg (unit factors are inserted below, after this walk)
        arg, u = _units(node.arg, unit)
        return Scale(node.line, node.col, arg, node.factor), u
    if isinstance(node, Pow):
        base, u = _units(node.base, unit)
        return Pow(node.line, node.col, base, node.exponent), u**node.exponent
    if isinstance(node, Bin):
        left, lu = _units(node.left, unit)
        right, ru = _units(node.right, unit)
        if node.op == "*":
            return Bin(node.line, node.col, "*", left, right), lu * ru
        if node.op == "/":
            return Bin(node.line, node.col, "/", left, right), lu / ru
        k = _factor(ru, lu, node, f"'{node.op}' needs one dimension on both sides")
        return Bin(node.line, node.col, node.op, left, _scaled(right, k)), lu
    if isinstance(node, Call):
        return _call_units(node, unit, one)
    raise AssertionError(node)


def _call_units(node: Call, unit: Any, one: Any) -> tuple[Node, Any]:
    parts = [_units(a, unit) for a in node.args]
    if node.func in AGGREGATES:
        first = parts[0][1]
        args = []
        for arg, u in parts:
            k = _factor(u, first, node, f"{node.func}() needs arguments of one dimension")
            args.append(_scaled(arg, k))
        return Call(node.line, node.col, node.func, tuple(args)), first
    arg, u = parts[0]
    if node.func == "sqrt":
        return Call(node.line, node.col, "sqrt", (arg,)), u**0.5
    k = _factor(u, one, node, f"{node.func}() needs a dimensionless argument", both=False)
    return Call(node.line, node.col, node.func, (_scaled(arg, k),)), one


def _scaled(node: Node, k: float) -> Node:
    return node if k == 1.0 else Scale(node.line, node.col, node, k)


def substitute(text: str, shown: Mapping[str, str]) -> str:
    """The formula's text with every metric name replaced by `shown[name]` (explain's "with
    the candidate's numbers"); spacing and parentheses stay as written."""
    out, at = [], 0
    for ref in refs(parse(text).tree):
        out += [text[at : ref.start], shown.get(ref.name, ref.name)]
        at = ref.end
    return "".join([*out, text[at:]])
