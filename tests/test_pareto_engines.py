"""The optional compiled engine (moocore, the `fast` extra) against the NumPy kernels and the
brute-force reference, and the rules by which engine="auto" picks one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from numpy.typing import NDArray

from test_pareto import _arr, brute_layers, brute_mask, problems
from tradeoff.engine import compiled as pareto_moocore
from tradeoff.engine import kernels as pareto_kernels
from tradeoff.engine.pareto import nondominated_layers, pareto_mask

ENGINES = ("auto", "numpy", "moocore")


def _data(kind: str, n: int, d: int, seed: int = 0) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        return rng.random((n, d))
    if kind == "ties":  # many duplicate rows and ties on single columns
        return rng.integers(0, 4, (n, d)).astype(np.float64)
    if kind == "correlated":
        return rng.random((n, 1)) + 0.1 * rng.standard_normal((n, d))
    return rng.dirichlet(np.ones(d), n) + 0.01 * rng.standard_normal((n, d))  # anti-correlated


def _spy(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Count calls of pareto_moocore.<name> (rows passed, per call) while still calling it."""
    calls: list[int] = []
    real: Callable[[Any], Any] = getattr(pareto_moocore, name)

    def spy(y: NDArray[np.float64]) -> Any:
        calls.append(y.shape[0])
        return real(y)

    monkeypatch.setattr(pareto_moocore, name, spy)
    return calls


def test_moocore_is_installed_for_the_tests() -> None:
    # The dev extra installs it, so that every comparison below runs both engines.
    assert pareto_moocore.available()


@settings(max_examples=200, deadline=None)
@given(problems())
def test_moocore_mask_matches_brute_force(p: tuple[list[list[float]], list[bool]]) -> None:
    rows, mx = p
    got = pareto_mask(_arr(rows, len(mx)), mx, engine="moocore").tolist()
    assert got == brute_mask(rows, mx)


@settings(max_examples=150, deadline=None)
@given(problems(max_n=40))
def test_moocore_layers_match_brute_force(p: tuple[list[list[float]], list[bool]]) -> None:
    rows, mx = p
    got = nondominated_layers(_arr(rows, len(mx)), mx, engine="moocore")
    assert got.dtype == np.int64
    assert got.tolist() == brute_layers(rows, mx)


def test_signed_zero_and_duplicates_alike_in_both_engines() -> None:
    v = np.array([[0.0, 1.0], [-0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    for engine in ENGINES:
        assert nondominated_layers(v, [False, False], engine=engine).tolist() == [1, 1, 1, 1, 2, 3]
        assert pareto_mask(v, [False, False], engine=engine).tolist() == [1, 1, 1, 1, 0, 0]


@pytest.mark.parametrize("d", [2, 3, 4, 6])
@pytest.mark.parametrize("kind", ["uniform", "ties", "correlated", "anti"])
def test_engines_agree_on_larger_inputs(monkeypatch: pytest.MonkeyPatch, kind: str, d: int) -> None:
    monkeypatch.setattr(pareto_moocore, "MIN_ROWS", 500)  # "auto" takes the moocore paths here
    v = _data(kind, 3000, d, seed=d)
    mx = [bool(j % 2) for j in range(d)]
    masks = {e: pareto_mask(v, mx, engine=e) for e in ENGINES}
    lays = {e: nondominated_layers(v, mx, engine=e) for e in ENGINES}
    for e in ENGINES:
        assert (masks[e] == masks["numpy"]).all(), e
        assert (lays[e] == lays["numpy"]).all(), e
    assert (masks["numpy"] == (lays["numpy"] == 1)).all()
    # spot-check the NumPy answer itself on a slice small enough for the reference
    rows = v[:300].tolist()
    assert nondominated_layers(v[:300], mx, engine="moocore").tolist() == brute_layers(rows, mx)


def test_auto_layers_use_moocore_from_min_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch, "layers")
    monkeypatch.setattr(pareto_moocore, "MIN_ROWS", 1000)
    v = _data("uniform", 1000, 3)
    want = nondominated_layers(v, [False] * 3, engine="numpy")
    assert (nondominated_layers(v[:999], [False] * 3) == want[:999]).all()
    assert calls == []  # below MIN_ROWS: NumPy, and moocore is not even needed
    assert (nondominated_layers(v, [False] * 3) == want).all()
    assert calls == [1000]
    ranks = np.unique(v[:, 0], return_inverse=True)[1] + 1
    assert (nondominated_layers(v[:, :1], [False]) == ranks).all()
    assert calls == [1000]  # one column: NumPy (a sort)


def test_auto_mask_sends_only_wide_fronts_to_moocore(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch, "mask")
    monkeypatch.setattr(pareto_moocore, "MIN_ROWS", 1000)
    narrow = _data("correlated", 5000, 4)  # the prefilter leaves ~1 % of the rows
    want = pareto_mask(narrow, [False] * 4, engine="numpy")
    assert (pareto_mask(narrow, [False] * 4) == want).all()
    assert calls == []
    wide = _data("anti", 5000, 4)  # nearly every row survives the prefilter
    want = pareto_mask(wide, [False] * 4, engine="numpy")
    assert (pareto_mask(wide, [False] * 4) == want).all()
    assert len(calls) == 1 and calls[0] > 0.35 * 5000
    for d in (2, 3):  # below 4-D the NumPy sweeps keep up with moocore on wide fronts too
        low = _data("anti", 5000, d)
        assert (
            pareto_mask(low, [False] * d) == pareto_mask(low, [False] * d, engine="numpy")
        ).all()
    assert len(calls) == 1


def test_without_moocore(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pareto_moocore, "_moocore", lambda: None)
    monkeypatch.setattr(pareto_moocore, "installed_version", lambda: None)
    monkeypatch.setattr(pareto_moocore, "MIN_ROWS", 10)
    v = _data("ties", 200, 3)
    rows = v.tolist()
    assert nondominated_layers(v, [True] * 3).tolist() == brute_layers(rows, [True] * 3)
    assert pareto_mask(v, [True] * 3).tolist() == brute_mask(rows, [True] * 3)
    for call in (nondominated_layers, pareto_mask):
        with pytest.raises(ImportError, match=r"needs the moocore package: pip install 'moocore"):
            call(v, [True] * 3, engine="moocore")


_VERSIONS = [("0.3.2", True), ("0.3.0", True), ("0.3.10.dev1", True), ("0.2.9", False)]
_VERSIONS += [("0.4.0", False), ("1.0", False), ("", False), ("x.y", False), ("3", False)]


def test_an_unsupported_moocore_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pareto_moocore, "_moocore", lambda: None)
    monkeypatch.setattr(pareto_moocore, "installed_version", lambda: "0.4.0")
    with pytest.raises(ImportError, match=r"needs moocore 0\.3\.x, not 0\.4\.0: pip install"):
        nondominated_layers(np.zeros((3, 2)), [False, False], engine="moocore")
    monkeypatch.setattr(pareto_moocore, "installed_version", lambda: "0.3.2")  # fails to load
    with pytest.raises(
        ImportError, match=r"needs moocore, and moocore 0\.3\.2 is installed but does not import"
    ):
        pareto_mask(np.zeros((3, 2)), [False, False], engine="moocore")


def test_values_near_the_float_limit_raise_no_warning() -> None:
    # filterwarnings=error: an overflow warning in any kernel (the Z-order of the box tiles)
    # would fail here; the answer must also be the brute-force one.
    v = (np.random.default_rng(0).dirichlet(np.ones(4), 600) - 0.5) * 2 * 1.5e308
    mx = [False] * 4
    want = brute_mask(v.tolist(), mx)
    saved = pareto_kernels._BOXES, pareto_kernels._BLOCK
    try:
        pareto_kernels._BOXES, pareto_kernels._BLOCK = 16, 64  # reach the box path on 600 rows
        for engine in ENGINES:
            assert pareto_mask(v, mx, engine=engine).tolist() == want
    finally:
        pareto_kernels._BOXES, pareto_kernels._BLOCK = saved


@pytest.mark.parametrize(("version", "ok"), _VERSIONS)
def test_only_tested_moocore_versions_are_used(version: str, ok: bool) -> None:
    assert pareto_moocore.supported(version) is ok


def test_engine_argument_checked() -> None:
    v = np.zeros((3, 2))
    no_columns: dict[Any, list[Any]] = {nondominated_layers: [1] * 4, pareto_mask: [True] * 4}
    for call in (nondominated_layers, pareto_mask):
        with pytest.raises(ValueError, match="engine must be one of 'auto', 'numpy', 'moocore'"):
            call(v, [False, False], engine="fortran")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="at most 255 columns"):
            call(np.zeros((2, 256)), [False] * 256, engine="moocore")
        # no rows or no columns: answered without moocore, as by NumPy
        assert call(np.empty((0, 3)), [False] * 3, engine="moocore").shape == (0,)
        assert call(np.empty((4, 0)), [], engine="moocore").tolist() == no_columns[call]
    assert nondominated_layers(np.zeros((2, 300)), [False] * 300).tolist() == [1, 1]  # auto: NumPy
