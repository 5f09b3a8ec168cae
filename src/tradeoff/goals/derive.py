"""Formulas evaluated over every candidate at once: one NumPy expression per formula.

Per candidate and formula metric: a value given inline, by `price:` or by a source is kept; else
the formula is evaluated if every metric it names has a value; else the value stays missing (and
`--missing` decides later: formulas see the loaded values only). A candidate with a given value
and every input is an error naming both, as is a result that is not finite.

stderr propagates to first order, by forward-mode differentiation over the same arrays: each
column carries its derivatives with respect to the loaded values it was computed from (a loaded
value with respect to itself), so a formula that uses another formula's result, or one input
twice, still counts every source of noise once. Values without stderr count as exact; a result
whose sources are all exact has no stderr.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tradeoff.arrays import F64
from tradeoff.goals.expr import Bin, Call, Node, Num, Pow, Ref, Scale

Array = F64 | float
Grads = dict[str, Array]  # d value / d loaded column, per column name
MAX_REPORTED = 20


@dataclass(frozen=True)
class Compiled:
    """One metric's formula, ready to run: `tree` computes the value in the metric's unit."""

    metric: str
    text: str
    tree: Node
    names: tuple[str, ...]


def cycle(formulas: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A cycle among formula metrics, as `[a, b, a]`, or None. `formulas[m]` are the names m
    uses; only names that have formulas themselves can close a cycle."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for d in formulas.get(m, ()):
            if d not in formulas:
                continue
            if state.get(d) == 1:
                return [*path[path.index(d) :], d]
            if d not in state and (found := visit(d)) is not None:
                return found
        path.pop()
        state[m] = 2
        return None

    for m in formulas:
        if m not in state and (found := visit(m)) is not None:
            return found
    return None


def order(formulas: Mapping[str, Sequence[str]]) -> list[str]:
    """Formula metrics, each after the formula metrics it uses (there is no cycle)."""
    out: list[str] = []
    done: set[str] = set()

    def visit(m: str) -> None:
        done.add(m)
        for d in formulas[m]:
            if d in formulas and d not in done:
                visit(d)
        out.append(m)

    for m in formulas:
        if m not in done:
            visit(m)
    return out


Report = Callable[[str, int, str], None]  # (metric, row, what)


def apply(
    columns: Sequence[str],
    compiled: Mapping[str, Compiled],
    values: F64,
    stderr: F64,
    report: Report,
) -> dict[str, NDArray[np.bool_]]:
    """Fill formula metrics in `values` and `stderr` (in place) where they are derived.

    Returns, per formula metric, the rows whose value its formula computed.
    """
    index = {c: j for j, c in enumerate(columns)}
    # stderr as loaded: only formula columns get written below, so only they need a copy
    loaded_se = {c: stderr[:, j] for c, j in index.items()}
    loaded_se.update({m: stderr[:, index[m]].copy() for m in compiled})
    grads: dict[str, Grads] = {}
    derived: dict[str, NDArray[np.bool_]] = {}
    n = values.shape[0]
    for m in order({k: c.names for k, c in compiled.items()}):
        c, j = compiled[m], index[m]
        present = np.ones(n, dtype=bool)
        for name in c.names:
            present &= ~np.isnan(values[:, index[name]])
        given = ~np.isnan(values[:, j])
        _report_rows(given & present, _clash(c), m, report)
        rows = ~given & present
        derived[m] = rows
        if not rows.any():
            continue
        env = {name: (values[:, index[name]], grads.get(name, {name: 1.0})) for name in c.names}
        bases = {b for name in c.names for b in env[name][1]}
        noisy = [b for b in bases if not np.isnan(loaded_se[b]).all()]
        with np.errstate(all="ignore"):
            value, g = _eval(c.tree, env, bool(noisy))
            result = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
            bad = rows & ~np.isfinite(result)
            _report_rows(bad, _not_finite(c), m, report)
            values[rows, j] = result[rows]
            if noisy:
                stderr[rows, j] = _stderr(g, noisy, loaded_se, n)[rows]
                grads[m] = {b: np.where(rows, g.get(b, 0.0), 0.0) for b in bases}
                grads[m][m] = given.astype(np.float64)
    return derived


def _clash(c: Compiled) -> str:
    uses = ", ".join(c.names)
    return (
        f"a value for '{c.metric}' is given and its formula could compute one (it has {uses}); "
        "keep one"
    )


def _not_finite(c: Compiled) -> str:
    return f"{c.metric} = {c.text} is not finite (a division by 0, or log or sqrt of a value <= 0?)"


def _report_rows(mask: NDArray[np.bool_], what: str, metric: str, report: Report) -> None:
    rows = np.flatnonzero(mask)
    for i in rows[:MAX_REPORTED].tolist():
        report(metric, i, what)
    if len(rows) > MAX_REPORTED:
        report(metric, int(rows[MAX_REPORTED]), f"... and {len(rows) - MAX_REPORTED} more like it")


def _stderr(g: Grads, noisy: list[str], loaded_se: Mapping[str, F64], n: int) -> F64:
    var = np.zeros(n)
    known = np.zeros(n, dtype=bool)
    for b in noisy:
        se = loaded_se[b]
        has = ~np.isnan(se)
        known |= has
        var += np.where(has, (np.asarray(g.get(b, 0.0)) * np.where(has, se, 0.0)) ** 2, 0.0)
    return np.where(known, np.sqrt(var), np.nan)


def _eval(node: Node, env: Mapping[str, tuple[F64, Grads]], grad: bool) -> tuple[Array, Grads]:
    """The value of `node` over every row, and (with `grad`) its derivatives."""
    if isinstance(node, Num):  # a NumPy float: 1 / 0 gives inf (reported), not ZeroDivisionError
        return np.float64(node.value), {}
    if isinstance(node, Ref):
        v, g = env[node.name]
        return v, (g if grad else {})
    if isinstance(node, Scale):
        x, gx = _eval(node.arg, env, grad)
        return x * node.factor, _lin(gx, node.factor)
    if isinstance(node, Pow):
        x, gx = _eval(node.base, env, grad)
        e = node.exponent
        return np.power(x, e), _chain(gx, e * np.power(x, e - 1.0)) if grad else {}
    if isinstance(node, Bin):
        return _bin(node, env, grad)
    if isinstance(node, Call):
        return _call(node, env, grad)
    raise AssertionError(node)


def _bin(node: Bin, env: Mapping[str, tuple[F64, Grads]], grad: bool) -> tuple[Array, Grads]:
    a, ga = _eval(node.left, env, grad)
    b, gb = _eval(node.right, env, grad)
    if node.op == "+":
        return a + b, _add(ga, gb, 1.0, 1.0)
    if node.op == "-":
        return a - b, _add(ga, gb, 1.0, -1.0)
    if node.op == "*":
        return a * b, _add(ga, gb, b, a)
    return a / b, _add(ga, gb, 1.0 / b, -a / (b * b))  # "/"


def _call(node: Call, env: Mapping[str, tuple[F64, Grads]], grad: bool) -> tuple[Array, Grads]:
    parts = [_eval(a, env, grad) for a in node.args]
    if node.func in ("sum", "mean"):
        k = 1.0 if node.func == "sum" else 1.0 / len(parts)
        total: Array = 0.0
        g: Grads = {}
        for v, gv in parts:
            total = total + v
            g = _add(g, gv, 1.0, k)
        return total * k, g
    if node.func in ("min", "max"):
        stacked = np.stack(
            [np.broadcast_to(np.asarray(v, dtype=np.float64), _shape(parts)) for v, _ in parts]
        )
        pick = (np.argmin if node.func == "min" else np.argmax)(stacked, axis=0)
        chosen = np.take_along_axis(stacked, pick[None], axis=0)[0]
        g = {}
        for b in {b for _, gv in parts for b in gv}:
            each = np.stack(
                [np.broadcast_to(np.asarray(gv.get(b, 0.0)), _shape(parts)) for _, gv in parts]
            )
            g[b] = np.take_along_axis(each, pick[None], axis=0)[0]
        return chosen, g
    ((v, gv),) = parts
    if node.func == "sqrt":
        root = np.sqrt(v)
        return root, _chain(gv, 0.5 / root) if grad else {}
    if node.func == "log":
        return np.log(v), _chain(gv, 1.0 / np.asarray(v)) if grad else {}
    out = np.exp(v)  # "exp"
    return out, _chain(gv, out) if grad else {}


def _shape(parts: list[tuple[Array, Grads]]) -> tuple[int, ...]:
    return np.broadcast_shapes(*(np.shape(v) for v, _ in parts))


def _lin(g: Grads, k: float) -> Grads:
    return {b: d * k for b, d in g.items()}


def _chain(g: Grads, d: Array) -> Grads:
    return {b: x * d for b, x in g.items()}


def _add(ga: Grads, gb: Grads, ka: Array, kb: Array) -> Grads:
    out: Grads = {b: d * ka for b, d in ga.items()}
    for b, d in gb.items():
        out[b] = out[b] + d * kb if b in out else d * kb
    return out
