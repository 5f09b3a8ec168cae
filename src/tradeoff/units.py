"""Numbers with units ("0.64 s", "2.5 USD/1M tokens") converted to a metric's declared unit.

A metric's `unit` is only a label until a value or budget carries a unit; then both must parse.
pint does the work; it is imported on the first conversion (it costs a few hundred ms), so files
without unit strings never pay for it.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pint

_PREFIX = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12}
# "1M tokens", "1k requests", "1000 requests": a count of something, as a factor.
_COUNT_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*([kKMBGT]?)\s+([A-Za-z_][A-Za-z_]*)")


def _norm(unit: str) -> str:
    return "".join(unit.split())


@functools.cache
def registry() -> pint.UnitRegistry[Any]:
    """pint's SI and data units, plus USD, token and request as base units of their own."""
    import pint

    ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(
        cache_folder=None, autoconvert_offset_to_baseunit=True, on_redefinition="ignore"
    )
    ureg.define("USD = [currency] = usd = dollar = dollars")
    # Data units: "8 Gb" is 8 gigabits here, not pint's gilbert (Gb) or megabarn (Mb).
    for prefix in ("k", "M", "G", "T", "P"):
        ureg.define(f"{prefix}b = {prefix.lower() if prefix == 'k' else prefix}bit")
    ureg.define("token = [token] = tokens = tok")
    ureg.define("request = [request] = requests = req = query = queries")
    return ureg


def _expression(unit: str) -> str:
    def scaled(match: re.Match[str]) -> str:
        number = float(match.group(1)) * _PREFIX[match.group(2)]
        return f"({number!r} * {match.group(3)})"

    return _COUNT_RE.sub(scaled, unit.strip())


def _quantity(unit: str) -> Any:
    ureg = registry()
    try:
        q = ureg.parse_expression(_expression(unit))
    except Exception:  # pint raises several unrelated types for text it cannot read
        raise ValueError(f"unknown unit '{unit}'") from None
    if not isinstance(q, ureg.Quantity):
        q = ureg.Quantity(q, "dimensionless")
    return q


@functools.cache
def factor(unit: str, target: str) -> float:
    """How many `target` one `unit` is: factor("s", "ms") == 1000.

    Both must parse, even when they are written alike ("3 furlongz" for a metric in furlongz is
    not a unit). Cached: a table converts the same pair once per cell.

    Raises:
        ValueError: a unit does not parse, or the two do not convert.
    """
    import pint

    source, dest = _quantity(unit), _quantity(target)
    if _norm(unit) == _norm(target):
        return 1.0
    try:
        return float((source / dest).to("dimensionless").magnitude)
    except pint.DimensionalityError:
        raise ValueError(f"cannot convert '{unit}' to '{target}'") from None


def convert(number: float, unit: str, target: str | None) -> float:
    """Convert `number` in `unit` to the metric's unit `target`.

    Raises:
        ValueError: the metric declares no unit, a unit does not parse, or they do not convert.
    """
    if target is None:
        raise ValueError(f"a value in '{unit}' needs the metric to declare its unit")
    try:
        return number * factor(unit, target)
    except ValueError as exc:
        if str(exc).startswith("unknown unit") and _norm(unit) == _norm(target):
            hint = "write a plain number: the metric's unit is then only a label"
            raise ValueError(f"{exc} ({hint})") from None
        if str(exc).startswith("unknown unit"):
            raise ValueError(f"{exc} (the metric's unit is '{target}')") from None
        raise ValueError(f"cannot convert '{unit}' to the metric's unit '{target}'") from None


def per_request(unit: str | None) -> float | None:
    """USD per request in `unit` for 1 USD/request, or None when `unit` is not cost per request."""
    if unit is None:
        return None
    try:
        return factor("USD/request", unit)
    except ValueError:
        return None
