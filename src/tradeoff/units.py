"""Numbers with units ("0.64 s") converted to a metric's declared unit."""

from __future__ import annotations


def _norm(unit: str) -> str:
    return "".join(unit.split())


def convert(number: float, unit: str, target: str | None) -> float:
    """Convert `number` in `unit` to the metric's unit `target`.

    Raises:
        ValueError: the metric declares no unit, or the units do not convert.
    """
    if target is None:
        raise ValueError(f"a value with a unit ('{unit}') needs the metric to declare its unit")
    if _norm(unit) == _norm(target):
        return number
    raise ValueError(f"cannot convert '{unit}' to the metric's unit '{target}'")
