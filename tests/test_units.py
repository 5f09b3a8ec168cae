"""Units: conversions both ways against hand arithmetic, and clear errors for mismatches."""

from __future__ import annotations

import pytest

from tradeoff import units


@pytest.mark.parametrize(
    ("number", "unit", "target", "expected"),
    [
        (640, "ms", "s", 0.64),
        (0.64, "s", "ms", 640),
        (1.5, "GB", "MB", 1500),
        (1500, "MB", "GB", 1.5),
        (1, "GiB", "MB", 1073.741824),  # 2**30 bytes
        (3600, "J", "Wh", 1),
        (1, "Wh", "J", 3600),
        (2, "kWh", "Wh", 2000),
        (2.5, "USD/1M tokens", "USD/1k tokens", 0.0025),  # 2.5 / 1000
        (0.0025, "USD/1k tokens", "USD/1M tokens", 2.5),
        (2.5, "USD/1M tokens", "USD/token", 2.5e-6),
        (0.0078, "USD/request", "USD/1k requests", 7.8),
        (7.8, "USD/1k requests", "USD/request", 0.0078),
        (72.6, "%", "%", 72.6),
        (120, "tokens/s", "tokens/min", 7200),
        (8, "Gb", "GB", 1),  # gigabits, not pint's gilbert
        (8, "Mb", "MB", 1),  # megabits, not megabarns
        (1000, "kb", "Mb", 1),
        (100, "Gb/s", "GB/s", 12.5),
        (2, "Tbit", "Tb", 2),
    ],
)
def test_conversions(number: float, unit: str, target: str, expected: float) -> None:
    assert units.convert(number, unit, target) == pytest.approx(expected, rel=1e-12)


def test_round_trip_is_the_identity() -> None:
    for unit, target in [
        ("ms", "s"),
        ("GB", "MB"),
        ("J", "Wh"),
        ("USD/1M tokens", "USD/1k tokens"),
    ]:
        there = units.convert(123.456, unit, target)
        assert units.convert(there, target, unit) == pytest.approx(123.456, rel=1e-12)


def test_mismatched_units_name_both() -> None:
    with pytest.raises(ValueError, match=r"cannot convert 'ms' to the metric's unit 'GB'"):
        units.convert(1, "ms", "GB")


def test_unknown_unit_is_named() -> None:
    with pytest.raises(ValueError, match=r"unknown unit 'blorp' \(the metric's unit is 'ms'\)"):
        units.convert(1, "blorp", "ms")
    # A real unit of another dimension is a conversion error, not an unknown unit.
    with pytest.raises(ValueError, match=r"cannot convert 'parsecs per furlong'"):
        units.convert(1, "parsecs per furlong", "ms")


def test_a_unit_needs_a_declared_metric_unit() -> None:
    with pytest.raises(ValueError, match=r"needs the metric to declare its unit"):
        units.convert(1, "ms", None)


def test_per_request_scale() -> None:
    assert units.per_request("USD/request") == 1
    assert units.per_request("USD/1k requests") == pytest.approx(1000)
    assert units.per_request("ms") is None
    assert units.per_request(None) is None
