"""Numbers with units ("0.64 s", "2.5 USD/1M tokens") converted to a metric's declared unit.

A metric's `unit` is only a label until a value or budget carries a unit; then both must parse.
pint does the work; it is imported on the first conversion (it costs a few hundred ms), so files
without unit strings never pay for it.

Every unit string, wherever it comes from (a value, a budget, a table cell or header, a report's
`unit` field, a metric's `unit:`, a baseline's `units`), reaches pint only through `check()`: a
small grammar of our own (at most 64 characters; words, plain numbers, `* / · ( )` and integer
exponents of at most two digits on a word; every word a unit the registry knows). Goals files come
from strangers, and pint's own parser evaluates `9**9**9` (forever), overflows on `2**1024` and is
quadratic in the length of a name.
"""

from __future__ import annotations

import functools
import math
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pint

_PREFIX = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12}
# "1M tokens", "1k requests", "1000 requests": a count of something, as a factor.
_COUNT_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*([kKMBGT]?)\s+([A-Za-z_][A-Za-z_]*)")


MAX_UNIT = 64
"""Characters a unit string may have; real ones ("USD/1M tokens", "kWh/request") are short."""
_TOKEN_RE = re.compile(
    r"\s*(?:"
    r"(?P<num>\d{1,9}(?:\.\d{1,9})?(?:[eE][-+]?\d{1,2})?(?![\d.eE])"
    r"(?:\s*[kKMBGT](?=\s+[^\W\d]))?)"
    r"|(?P<word>[^\W\d]\w{0,31}(?!\w)|%|°[CF]?)"
    r"|(?P<pow>\*\*|\^)\s*(?P<exp>[-+]?\d{1,2})(?![\d.])"
    r"|(?P<op>[*/·()])"
    r")"
)
# Words pint reads as operators ("parsecs per furlong", "square meter"), not as units.
_PINT_WORDS = frozenset({"per", "square", "squared", "sq", "cubic", "cubed"})
_SUPERSCRIPTS = "²³"


def _excerpt(text: str, limit: int = 40) -> str:
    return repr(text[:limit]) + ("…" if len(text) > limit else "")


def check(unit: str) -> list[str]:
    """Check a unit string against our grammar before pint sees it; return its words.

    At most `MAX_UNIT` characters of: numbers (at most 9 digits, exponent at most 2 digits),
    words (a letter, then at most 31 letters, digits or `_`; `%`, `°C`, `°F`), the operators
    `* / ·`, parentheses (nested at most 3 deep) and an integer exponent (`^2`, `**-1`, at most
    two digits) directly after a word. Linear in the length, and nothing is evaluated.

    Raises:
        ValueError: the text is not a unit by this grammar (the message quotes a short, escaped
            excerpt).
    """
    if len(unit) > MAX_UNIT:
        raise ValueError(f"a unit is at most {MAX_UNIT} characters, got {len(unit)}")
    words: list[str] = []
    pos, depth, previous = 0, 0, ""
    text = unit.rstrip()
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"not a unit: {_excerpt(unit)} (at character {pos + 1})")
        kind = match.lastgroup if match.lastgroup != "exp" else "pow"
        if kind == "pow" and previous != "word":
            raise ValueError(f"not a unit: {_excerpt(unit)} (an exponent goes right after a unit)")
        if kind == "op":
            op = match.group("op")
            depth += {"(": 1, ")": -1}.get(op, 0)
            if depth < 0 or depth > 3:
                raise ValueError(f"not a unit: {_excerpt(unit)} (parentheses)")
            if op in "*/·" and previous in ("", "(", "*/·"):
                raise ValueError(f"not a unit: {_excerpt(unit)} (at character {pos + 1})")
            kind = op if op in "()" else "*/·"
        if kind == "word":
            words.append(match.group("word"))
        previous, pos = kind or "", match.end()
    if depth:
        raise ValueError(f"not a unit: {_excerpt(unit)} (parentheses)")
    if previous == "*/·":
        raise ValueError(f"not a unit: {_excerpt(unit)} (it ends with an operator)")
    if not words:
        raise ValueError(f"not a unit: {_excerpt(unit)} (no unit name in it)")
    return words


def _norm(unit: str) -> str:
    return "".join(unit.split())


@functools.cache
def registry() -> pint.UnitRegistry[Any]:
    """pint's SI and data units, plus USD, token, request, sample and image as base units."""
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
    # optimum-benchmark's throughput units "samples/s" and "images/s" (scenarios/inference/
    # scenario.py @ b263af46): counts of their own, not requests
    ureg.define("sample = [sample] = samples")
    ureg.define("image = [image] = images")
    return ureg


def _expression(unit: str) -> str:
    def scaled(match: re.Match[str]) -> str:
        number = float(match.group(1)) * _PREFIX[match.group(2)]
        return f"({number!r} * {match.group(3)})"

    return _COUNT_RE.sub(scaled, unit.strip())


def _quantity(unit: str) -> Any:
    words = check(unit)
    ureg = registry()
    for word in words:
        name = word.rstrip(_SUPERSCRIPTS)
        if name.lower() not in _PINT_WORDS and not ureg.parse_unit_name(name):
            raise ValueError(f"unknown unit {_excerpt(unit)}")
    try:
        q = ureg.parse_expression(_expression(unit))
    except Exception:  # pint raises several unrelated types for text it cannot read
        raise ValueError(f"unknown unit {_excerpt(unit)}") from None
    if not isinstance(q, ureg.Quantity):
        q = ureg.Quantity(q, "dimensionless")
    return q


def quantity(unit: str | None) -> Any:
    """`unit` as a pint quantity ("USD/1k requests" is 0.001 USD/request); None is 1.

    Raises:
        ValueError: the unit does not parse.
    """
    if unit is None:
        return registry().Quantity(1.0, "dimensionless")
    return _quantity(unit)


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
        value = float((source / dest).to("dimensionless").magnitude)
    except pint.DimensionalityError:
        raise ValueError(f"cannot convert {_excerpt(unit)} to {_excerpt(target)}") from None
    except (ArithmeticError, ValueError):  # OverflowError, ZeroDivisionError from huge exponents
        value = math.inf
    if not math.isfinite(value) or value == 0:
        raise ValueError(f"converting {_excerpt(unit)} to {_excerpt(target)} is out of range")
    return value


def convert(number: float, unit: str, target: str | None) -> float:
    """Convert `number` in `unit` to the metric's unit `target`.

    Raises:
        ValueError: the metric declares no unit, a unit does not parse, or they do not convert.
    """
    if target is None:
        raise ValueError(f"a value in {_excerpt(unit)} needs the metric to declare its unit")
    try:
        value = number * factor(unit, target)
    except ValueError as exc:
        if str(exc).startswith(("unknown unit", "not a unit", "a unit is")):
            if _norm(unit) == _norm(target):
                hint = "write a plain number: the metric's unit is then only a label"
                raise ValueError(f"{exc} ({hint})") from None
            raise ValueError(f"{exc} (the metric's unit is {_excerpt(target)})") from None
        if "out of range" in str(exc):
            raise
        what = f"cannot convert {_excerpt(unit)} to the metric's unit {_excerpt(target)}"
        raise ValueError(what) from None
    if not math.isfinite(value):
        shown = _excerpt(f"{number:g} {unit}")
        raise ValueError(f"{shown} is too large in the metric's unit {_excerpt(target)}")
    return value


def per_request(unit: str | None) -> float | None:
    """USD per request in `unit` for 1 USD/request, or None when `unit` is not cost per request."""
    if unit is None:
        return None
    try:
        return factor("USD/request", unit)
    except ValueError:
        return None


_SHOWN = {"USD": "USD", "request": "request", "token": "token"}


def show(q: Any) -> str:
    """A pint quantity's unit as messages show it: "kWh", "USD*s/h/request", "1" when none."""
    up: list[str] = []
    down: list[str] = []
    for name, exp in q.unit_items():
        symbol = _SHOWN.get(name) or registry().get_symbol(name)
        power = abs(exp)
        term = symbol if power == 1 else f"{symbol}^{power:g}"
        (up if exp > 0 else down).append(term)
    return ("*".join(up) or "1") + "".join(f"/{t}" for t in down)
