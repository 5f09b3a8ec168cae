"""Fast paths taken at scale, each against an independent slow computation on small inputs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeoff.questions.analysis import TIE, _order


def _order_brute(scores: list[float], names: list[str]) -> list[int]:
    """The spec's order in plain Python: the best score not yet placed leads a group of every
    score within TIE of it; groups in score order, names (code points) within a group."""
    left = sorted(range(len(scores)), key=lambda i: -scores[i])
    out: list[int] = []
    while left:
        lead = scores[left[0]]
        group = [i for i in left if lead - scores[i] <= TIE]
        out += sorted(group, key=lambda i: names[i])
        left = [i for i in left if i not in group]
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.5, 0.5 - 0.6e-9, 0.5 - 1.2e-9, 0.25, 1.0, 0.0]),
            st.text("abcAB", min_size=1, max_size=3),
        ),
        max_size=25,
        unique_by=lambda t: t[1],
    )
)
def test_order_matches_brute_force(pairs: list[tuple[float, str]]) -> None:
    scores = [s for s, _ in pairs]
    names = [n for _, n in pairs]
    got = _order(np.arange(len(pairs), dtype=np.intp), np.array(scores), names)
    assert got.tolist() == _order_brute(scores, names)


def test_order_with_distinct_scores_builds_no_names() -> None:
    """A million distinct scores: the names are never looked at (a list that raises on access)."""

    class NoNames(list[str]):
        def __getitem__(self, k: object) -> str:  # type: ignore[override]
            raise AssertionError("names read")

    rng = np.random.default_rng(3)
    scores = rng.permutation(1000) / 1000
    got = _order(np.arange(1000, dtype=np.intp), scores, NoNames(["x"] * 1000))
    assert got.tolist() == np.argsort(-scores).tolist()
