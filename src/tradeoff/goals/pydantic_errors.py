"""pydantic's validation errors -> located diagnostics in the words of goals.yaml.

Each error's `loc` is trimmed to the part that exists in the file (unions and injected wrappers
add steps), placed at its line and column, and given a message a user can act on, with "did you
mean" drawn from the keys allowed at that place of the schema. One message per place.
"""

from __future__ import annotations

import types
import typing
from typing import TYPE_CHECKING, Any

from tradeoff.errors import Diagnostic, did_you_mean
from tradeoff.goals import yamlio
from tradeoff.goals.yamlio import show_key
from tradeoff.quantity import describe

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError


def _unwrap(tp: Any) -> Any:
    """The model, dict or list type inside Annotated / Optional / union wrappers."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            inner = [a for a in typing.get_args(tp) if _is_container(a)]
            if not inner:
                return tp
            tp = inner[0]
        else:
            return tp


def _is_container(tp: Any) -> bool:
    from pydantic import BaseModel

    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _is_container(typing.get_args(tp)[0])
    if origin in (dict, list, typing.Union, types.UnionType):
        return True
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    return {info.alias or key: info.annotation for key, info in model.model_fields.items()}


def _keys_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the mapping at pydantic `loc`, for "did you mean" on an unknown key."""
    from pydantic import BaseModel

    from tradeoff.goals.schema import GoalsFile

    tp: Any = GoalsFile
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            tp = _fields(tp).get(str(part), tp)  # a union branch's tag leaves the type as it is
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        elif origin is list:
            tp = typing.get_args(tp)[0]
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(_fields(tp))
    return []


def _real_loc(data: Any, loc: tuple[Any, ...]) -> yamlio.Loc:
    """The part of a pydantic `loc` that exists in the data (drops injected wrappers)."""
    out: list[str | int] = []
    for part in loc:
        in_map = isinstance(data, dict) and isinstance(part, str) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if in_map or in_list:
            data = data[part]
            out.append(part)
    return tuple(out)


def _message(err: Any) -> str:
    kind, value, loc = err["type"], err.get("input"), err["loc"]
    shown = describe(value)
    last = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        return f"unknown key {show_key(key)}{did_you_mean(key, _keys_at(loc[:-1]))}"
    if kind == "literal_error" and loc == ("version",):
        if isinstance(value, str) and value.strip() == "1":
            return f"expected the number 1, got the text {shown} (write version: 1, unquoted)"
        return f"unsupported version {shown}; this tradeoff reads version 1"
    if kind == "literal_error":
        return f"expected {err['ctx']['expected']}, got {shown}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        if value is None and len(loc) == 1 and loc[0] in ("budgets", "profiles"):
            return f"expected a mapping, got null (for none, write {loc[0]}: {{}} or drop the key)"
        return f"expected a mapping, got {shown}"
    if kind == "list_type" and len(loc) == 2 and loc[0] == "budgets":
        return f"expected a bound such as {{max: 800}}, or a list of them, got {shown}"
    if kind == "list_type" and last == "range":
        return f"expected a list of 2 numbers [low, high], got {shown}"
    if kind == "list_type":
        return f"expected a list, got {shown}"
    if kind == "string_type":
        hint = " (quote it to use it as text)" if isinstance(value, int | float) else ""
        return f"expected a string, got {shown}{hint}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {shown}"
    if kind.startswith("date"):
        return f"expected an ISO date (YYYY-MM-DD), got {shown}"
    if kind in ("too_short", "too_long") and last == "range" and isinstance(value, list):
        return f"expected a list of 2 numbers [low, high], got {len(value)} item(s)"
    if kind == "too_short" and last == "tags":
        return "must not be empty (leave 'tags' out to apply the budget to every candidate)"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    msg: str = err["msg"]
    msg = msg.removeprefix("Value error, ")
    return msg[:1].lower() + msg[1:]


def translate(exc: ValidationError, doc: yamlio.Document) -> list[Diagnostic]:
    out: dict[yamlio.Loc, Diagnostic] = {}
    for err in exc.errors(include_url=False):
        loc = _real_loc(doc.data, err["loc"])
        if err["type"] == "extra_forbidden":
            if err["loc"][-1] not in loc[-1:]:
                loc = (*loc, str(err["loc"][-1]))
            line, col = doc.pos(loc, key=True)
        else:
            # For a missing key this is the mapping that lacks it.
            line, col = doc.pos(loc)
        what = _message(err) + _metric_hint(err, loc, doc.data)
        # One message per place: a union's other branches only repeat the first complaint.
        out.setdefault(loc, Diagnostic(doc.file, line, col, yamlio.format_loc(loc), what))
    return list(out.values())


def _metric_hint(err: Any, loc: yamlio.Loc, data: Any) -> str:
    """A metric's value written straight under a candidate, not under its `metrics:`."""
    if err["type"] != "extra_forbidden" or len(loc) != 3 or loc[0] != "candidates":
        return ""
    metrics = data.get("metrics") if isinstance(data, dict) else None
    if isinstance(metrics, dict) and loc[2] in metrics:
        return " (did you mean to put this under `metrics:`?)"
    return ""
