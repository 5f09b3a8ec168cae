"""A sequence whose items are made when asked for: a million-row table would otherwise build a
million strings or rows that no message and no output ever shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar, overload

T = TypeVar("T")


class LazySequence(Sequence[T]):
    """`len()` is known up front; `_item(k)` makes item k (0 <= k < len) on access."""

    _count: int = 0

    def _item(self, k: int) -> T:
        raise NotImplementedError

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, k: int) -> T: ...
    @overload
    def __getitem__(self, k: slice) -> list[T]: ...
    def __getitem__(self, k: int | slice) -> T | list[T]:
        if isinstance(k, slice):
            return [self._item(i) for i in range(*k.indices(self._count))]
        if not -self._count <= k < self._count:
            raise IndexError(k)
        return self._item(k % self._count)
