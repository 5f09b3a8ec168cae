"""The lazy sequence behind table places and infeasible rows indexes like a list."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradeoff.lazy import LazySequence


class Squares(LazySequence[int]):
    def __init__(self, n: int) -> None:
        self._count = n
        self.made: list[int] = []

    def _item(self, k: int) -> int:
        self.made.append(k)
        return k * k


@given(st.integers(0, 30), st.integers(-40, 40), st.integers(-40, 40), st.integers(-5, 5))
def test_indexes_and_slices_like_a_list(n: int, i: int, j: int, step: int) -> None:
    lazy, eager = Squares(n), [k * k for k in range(n)]
    assert len(lazy) == n
    assert list(lazy) == eager
    if step:
        assert lazy[i:j:step] == eager[i:j:step]
    if -n <= i < n:
        assert lazy[i] == eager[i]
    else:
        with pytest.raises(IndexError):
            lazy[i]


def test_makes_only_what_is_asked_for() -> None:
    lazy = Squares(10**9)
    assert lazy[-1] == (10**9 - 1) ** 2
    assert lazy[:2] == [0, 1]
    assert lazy.made == [10**9 - 1, 0, 1]
