"""tradeoff.engine.dominators (the bitset kernel behind rank's and pareto's `dominated_by`)
against a plain-Python brute force, with ties, duplicates and several member blocks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeoff.engine import dominators
from tradeoff.engine.dominators import first_dominators


def _brute(rows: list[list[float]], members: list[list[float]], limit: int) -> tuple[list, list]:
    firsts, totals = [], []
    for r in rows:
        hits = [
            k
            for k, m in enumerate(members)
            if all(a >= b for a, b in zip(m, r, strict=True))
            and any(a > b for a, b in zip(m, r, strict=True))
        ]
        totals.append(len(hits))
        firsts.append(hits[:limit] + [-1] * (limit - len(hits[:limit])))
    return firsts, totals


@st.composite
def _case(draw: st.DrawFn) -> tuple[list[list[float]], list[list[float]], int, int]:
    d = draw(st.integers(1, 4))
    value = st.sampled_from([0.0, 1.0, 2.0, 3.0, -0.0, 1.5])  # few values: many ties
    point = st.lists(value, min_size=d, max_size=d)
    members = draw(st.lists(point, max_size=150))
    rows = draw(st.lists(point, max_size=30))
    rows += draw(st.lists(st.sampled_from(members), max_size=5)) if members else []  # equal ones
    return rows, members, draw(st.integers(0, 5)), draw(st.integers(1, 200))


@settings(max_examples=300, deadline=None)
@given(_case())
def test_matches_brute_force(case: tuple[list[list[float]], list[list[float]], int, int]) -> None:
    rows, members, limit, block = case
    d = len((rows or members or [[0.0]])[0])
    r = np.array(rows, dtype=np.float64).reshape(-1, d)
    m = np.array(members, dtype=np.float64).reshape(-1, d)
    want_first, want_total = _brute(rows, members, limit)
    old = dominators.BLOCK
    dominators.BLOCK = block  # blocks of members as small as one: hits merge across blocks
    try:
        first, total = first_dominators(r, m, limit)
    finally:
        dominators.BLOCK = old
    assert first.shape == (len(rows), limit)
    assert first.tolist() == want_first
    assert total.tolist() == want_total


def test_popcount_without_bitwise_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """NumPy < 2.0 has no bitwise_count: the byte table gives the same counts."""
    bits = np.array([[0, 1, 2**63 + 5], [2**64 - 1, 0, 6]], dtype=np.uint64)
    want = [[0, 1, 3], [64, 0, 2]]
    assert dominators._popcount(bits).tolist() == want
    monkeypatch.delattr(np, "bitwise_count", raising=False)
    assert dominators._popcount(bits).tolist() == want


def test_a_wide_random_case_against_broadcasting() -> None:
    """Hundreds of members over several words and blocks, continuous values."""
    rng = np.random.default_rng(7)
    rows, members = rng.random((400, 5)), rng.random((700, 5)) ** 0.3
    first, total = first_dominators(rows, members, 3)
    hit = (members[None] >= rows[:, None]).all(axis=2) & (members[None] > rows[:, None]).any(axis=2)
    assert total.tolist() == hit.sum(axis=1).tolist()
    for k in range(len(rows)):
        want = np.flatnonzero(hit[k])[:3].tolist()
        assert first[k].tolist() == want + [-1] * (3 - len(want))
