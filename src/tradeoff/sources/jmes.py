"""Any JSON: a metric's `source: {json: EXPR}` and a table entry's `rows: EXPR` (JMESPath).

jmespath is imported on first use. An expression is compiled once per text; a bad one is an
error the loader reports at the metric's (or the entry's) line.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from tradeoff import units as units_mod
from tradeoff.quantity import parse_quantity
from tradeoff.sources.common import SourceProblem, excerpt
from tradeoff.sources.kinds import Found, NotHere, Request, SourceFile


@functools.cache
def compiled(expression: str) -> Any:
    """The parsed JMESPath expression.

    Raises:
        ValueError: the text is not a JMESPath expression (the message says where).
    """
    import jmespath  # type: ignore[import-untyped, unused-ignore]
    from jmespath.exceptions import JMESPathError  # type: ignore[import-untyped, unused-ignore]

    try:
        return jmespath.compile(expression)
    except JMESPathError as exc:
        detail = " ".join(str(getattr(exc, "msg", "") or exc).split())[:120]
        raise ValueError(f"not a JMESPath expression: {detail}") from None


def search(expression: str, data: Any, display: str) -> Any:
    """The value at `expression` in `data`.

    Raises:
        SourceProblem: the expression does not compile or fails on this data.
    """
    from jmespath.exceptions import JMESPathError  # type: ignore[import-untyped, unused-ignore]

    try:
        return compiled(expression).search(data)
    except ValueError as exc:
        raise SourceProblem([(display, str(exc))]) from None
    except (JMESPathError, RecursionError) as exc:
        what = f"JMESPath {excerpt(expression, 300)} fails here: {type(exc).__name__}"
        raise SourceProblem([(display, what)]) from None


def lookup_json(file: SourceFile, request: Request) -> Found | NotHere:
    """`json: EXPR`: one finite number (or a number-with-unit string, converted to the metric's
    unit) at the expression; null means "not in this file"."""
    expression = str(request.spec)
    got = search(expression, file.data(), file.display)
    if got is None:
        return NotHere(f"nothing at {excerpt(expression, 300)}")
    place = f"{file.display} at {excerpt(expression, 300)}"
    if isinstance(got, bool) or not isinstance(got, (int, float, str)):
        shown = excerpt(_shown(got), 60)
        raise SourceProblem([(place, f"expected one finite number, got {shown}")])
    if isinstance(got, float) and not math.isfinite(got):
        raise SourceProblem([(place, f"expected one finite number, got {got}")])
    try:
        number, unit = parse_quantity(got)
    except ValueError as exc:
        raise SourceProblem([(place, str(exc))]) from None
    if unit is not None:
        try:
            number = units_mod.convert(number, unit, request.unit)
        except ValueError as exc:
            raise SourceProblem([(place, str(exc))]) from None
    return Found(number, None, {"source": file.display, "json": expression})


def _shown(value: Any) -> str:
    import json

    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return type(value).__name__


def rows(file: SourceFile, expression: str) -> list[dict[str, Any]]:
    """`rows: EXPR` on a `.json` table entry: the list of objects at the expression.

    Raises:
        SourceProblem: the result is not a list, or an item of it is not an object.
    """
    got = search(expression, file.data(), file.display)
    place = f"{file.display} rows {excerpt(expression, 300)}"
    if not isinstance(got, list):
        kind = "null" if got is None else type(got).__name__
        raise SourceProblem([(place, f"expected a list of objects, got {kind}")])
    bad = [k for k, item in enumerate(got) if not isinstance(item, dict)]
    if bad:
        shown = ", ".join(str(k) for k in bad[:5])
        what = f"expected a list of objects; item {shown} is not an object"
        if len(bad) > 5:
            what = f"expected a list of objects; {len(bad)} items are not (first: {shown})"
        raise SourceProblem([(place, what)])
    return got
