"""What every result record shares: the JSON schema version, JSON-safe numbers, the JSON text
of a result, and the Monte Carlo fields (`--uncertainty`) that rank and explain both carry."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

SCHEMA_VERSION = 1


def num(x: float | None) -> float | None:
    """A JSON-safe float: NaN and infinities become None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def attrs(obj: object, *names: str) -> dict[str, Any]:
    """`obj`'s attributes `names` as JSON keys of the same names, in that order."""
    return {name: getattr(obj, name) for name in names}


class JsonResult:
    """A result whose `to_json()` is exactly what its command prints with `--format json`."""

    command: str  # the command's name, as its JSON says it

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def heading(self) -> dict[str, Any]:
        """The keys every command's JSON starts with."""
        return {"schema_version": SCHEMA_VERSION, "command": self.command}

    def to_json_text(self) -> str:
        """`to_json()` as the command prints it: indented JSON text, ending in a newline."""
        import json  # only json output needs it

        return json.dumps(self.to_json(), indent=2, allow_nan=False, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class RankUncertainty:
    """Under the values' stderr (`--uncertainty`): how often a candidate came first, its median
    rank and 90% rank interval over the draws, and whether that interval overlaps the leader's."""

    p_first: float
    rank_median: float
    rank_interval: tuple[int, int]
    tied_with_leader: bool

    def to_json(self) -> dict[str, Any]:
        out = attrs(self, "p_first", "rank_median", "rank_interval", "tied_with_leader")
        return {**out, "rank_interval": list(self.rank_interval)}


def draws_json(draws: tuple[int, int]) -> dict[str, int]:
    """The Monte Carlo draws of --uncertainty, as JSON's top-level `uncertainty`."""
    return {"samples": draws[0], "seed": draws[1]}
