"""Sample counts and honest noise (SPEC "Sample counts and honest noise").

lm-eval values carry the number of items they rest on (`n` in their provenance). A proportion
metric (unit `%` or `range: [0, 1]`) with no stderr gets one from that count: the half-width of
the 95 % Wilson score interval divided by 1.96, never zero for a finite n. An lm-eval value with
neither stderr nor count has unknown noise, marked `noise: unknown` so that every confidence
statement names it. Results of one task with differing few-shot counts are warned about.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradeoff.data import MetricSpec
from tradeoff.errors import Diagnostic

Z95 = 1.96


def wilson_stderr(p: float, n: float) -> float:
    """Half-width of the 95 % Wilson score interval for a proportion p of n, divided by 1.96.

    half = z / (1 + z²/n) · √(p(1 - p)/n + z²/(4n²)), z = 1.96; for 1 of 1 it is 0.3967, so the
    stderr is 0.2024 (a normal stderr √(p(1 - p)/n) would be 0).
    """
    z2 = Z95 * Z95
    half = Z95 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return half / Z95


def settle(
    file: str,
    metrics: list[MetricSpec],
    names: list[str],
    values: NDArray[np.float64],
    stderr: NDArray[np.float64],
    places: tuple[NDArray[np.int64], NDArray[np.int64]],
    provenance: dict[tuple[int, int], dict[str, Any]],
) -> list[Diagnostic]:
    """Wilson stderr (in `stderr`, in place) where a proportion has an item count and no
    stderr; `noise: unknown` in the provenance where an lm-eval value has neither. Returns a
    warning per metric whose candidates' results differ in n-shot, at the first odd one."""
    shots: dict[int, dict[int, list[int]]] = {}
    for (i, j), prov in sorted(provenance.items()):
        if "task" not in prov or np.isnan(values[i, j]):
            continue
        if isinstance(prov.get("n_shot"), int):
            shots.setdefault(j, {}).setdefault(prov["n_shot"], []).append(i)
        if not np.isnan(stderr[i, j]):
            continue
        scale = metrics[j].proportion_scale
        n = prov.get("n")
        if isinstance(n, int) and n > 0 and scale is not None:
            p = min(max(float(values[i, j]) / scale, 0.0), 1.0)
            stderr[i, j] = wilson_stderr(p, n) * scale
            prov["stderr_from"] = f"Wilson score interval, n={n}"
        else:
            prov["noise"] = "unknown"
    out = []
    for j, by in shots.items():
        if len(by) < 2:
            continue
        order = sorted(by, key=lambda s: (-len(by[s]), s))
        said = " vs ".join(f"{s}-shot ({_names([names[i] for i in by[s]])})" for s in order)
        first = by[order[1]][0]
        line, col = int(places[0][first, j]), int(places[1][first, j])
        what = f"results differ in n-shot: {said}"
        out.append(Diagnostic(file, line, col, f"metrics.{metrics[j].name}", what))
    return out


def _names(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
