"""A published example with four weight sets, re-scored and used as a sensitivity fixture.

Source: S. Opricovic and G.-H. Tzeng (2007), "Extended VIKOR method in comparison with outranking
methods", European Journal of Operational Research 178(2):514-529, the numerical example
(hydropower: six alternatives A1..A6, eight criteria, four weight sets W1..W4).

What was read, and where: the paper itself could not be read past its first page (the copy at
https://slideblast.com/extended-vikor-method-in-comparison-with-semantic-scholar_5970284d1723dd58d825b77e.html
returned only the title page and abstract), so its TOPSIS, PROMETHEE and ELECTRE tables were NOT
read. The decision matrix, the criteria directions, the four weight sets and the published VIKOR
values were read as transcribed in quatrope/scikit-criteria, tests/agg/test_vikor.py,
test_VIKOR_opricovic2007extended, at commit 6918a29f0f5c4592eff2ad86bb4e1e1bdd4c5632
(https://github.com/quatrope/scikit-criteria/blob/6918a29f0f5c4592eff2ad86bb4e1e1bdd4c5632/tests/agg/test_vikor.py),
which checks them against its VIKOR with rtol = atol = 1e-3:

    criterion (direction)                      A1      A2      A3      A4      A5      A6
    Profit [10e6 Din] (max)                4184.3  5211.9  5021.3  5566.1  5060.5  4317.9
    Cost [10e6 Din] (min)                  2914.0  3630.0  3920.5  3957.9  3293.5  2925.9
    Energy produced [GW hour] (max)         407.2   501.7   504.0   559.5   514.1   432.8
    Peak energy produced [GW hour] (max)    251.0   308.3   278.6   335.3   284.2   239.3
    Homes to be relocated [Num] (min)         195     282      12     167      69      12
    Reservoirs area [ha] (min)                244     346      56     268      90      55
    Villages to displace [Num] (min)           15      21       3      16       7       3
    Environmental protection [Grade] (max)   2.41    1.41    4.42    3.36    4.04    4.36

    W1 = (1, 1, 1, 1, 1, 1, 1, 1)          W2 = (2, 2, 2, 2, 1, 1, 1, 1)
    W3 = (1, 1, 1, 1, 2, 2, 2, 2)          W4 = (1, 1, 1, 1, 3.2, 3.2, 3.2, 3.2)

and, per weight set, VIKOR's S (group utility), R (individual regret), Q (v = 0.5) and rank by Q
(in the PUBLISHED dict below).

We do not implement VIKOR, but two of its three numbers are ours in disguise. With weights summing
to 1, VIKOR's S_j = sum_i w_i (f*_i - f_ij) / (f*_i - f^-_i) is exactly 1 minus our weighted-sum
score, because our min-max normalization is n_ij = (f_ij - f^-_i) / (f*_i - f^-_i), oriented so 1
is best; and VIKOR's R_j = max_i w_i (1 - n_ij). So the published S and R check our weighted-sum
scores and our `normalized` values to the paper's three decimals, and Q (and the published VIKOR
ranking) follows from them. TOPSIS and weighted-product are checked against an independent
plain-Python implementation here (not against the paper's TOPSIS table, which was not read).

As a sensitivity fixture: the published sets differ in four weights at once, so the tests walk from
one published set to the next one weight at a time (W1 -> W2, W1 -> W3, W3 -> W4); at every step
`tradeoff sensitivity` at the current weights predicts whether the winner survives the step (it does
iff the new weight lies in the reported stability interval), and `tradeoff rank` at the new weights
must agree. Every reported interval end is also checked by re-ranking just inside and just outside,
for weighted-sum (exact) and TOPSIS (bisected), and SMAA acceptability is a doubly stochastic
matrix.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from conftest import runner, write_goals
from tradeoff.cli.app import app

# metric name in goals.yaml -> (direction, unit label), in the paper's column order
CRITERIA: dict[str, tuple[str, str]] = {
    "profit": ("max", "10e6 Din"),
    "cost": ("min", "10e6 Din"),
    "energy": ("max", "GWh"),
    "peak_energy": ("max", "GWh"),
    "homes_relocated": ("min", "homes"),
    "reservoir_area": ("min", "ha"),
    "villages_displaced": ("min", "villages"),
    "environment": ("max", "grade"),
}
METRICS = list(CRITERIA)
MATRIX: dict[str, list[float]] = {
    "A1": [4184.3, 2914.0, 407.2, 251.0, 195, 244, 15, 2.41],
    "A2": [5211.9, 3630.0, 501.7, 308.3, 282, 346, 21, 1.41],
    "A3": [5021.3, 3920.5, 504.0, 278.6, 12, 56, 3, 4.42],
    "A4": [5566.1, 3957.9, 559.5, 335.3, 167, 268, 16, 3.36],
    "A5": [5060.5, 3293.5, 514.1, 284.2, 69, 90, 7, 4.04],
    "A6": [4317.9, 2925.9, 432.8, 239.3, 12, 55, 3, 4.36],
}
NAMES = list(MATRIX)
WEIGHT_SETS: dict[str, list[float]] = {
    "W1": [1, 1, 1, 1, 1, 1, 1, 1],
    "W2": [2, 2, 2, 2, 1, 1, 1, 1],
    "W3": [1, 1, 1, 1, 2, 2, 2, 2],
    "W4": [1, 1, 1, 1, 3.2, 3.2, 3.2, 3.2],
}
# Published VIKOR results per weight set, for A1..A6 (three decimals).
PUBLISHED: dict[str, dict[str, list[float]]] = {
    "W1": {
        "S": [0.692, 0.7, 0.29, 0.423, 0.28, 0.346],
        "R": [0.125, 0.125, 0.121, 0.125, 0.067, 0.125],
        "Q": [0.991, 1.0, 0.473, 0.670, 0.0, 0.578],
        "rank": [5, 6, 2, 4, 1, 3],
    },
    "W2": {
        "S": [0.701, 0.6, 0.386, 0.365, 0.317, 0.459],
        "R": [0.167, 0.114, 0.161, 0.167, 0.089, 0.167],
        "Q": [1.0, 0.533, 0.552, 0.563, 0.0, 0.686],
        "rank": [6, 2, 3, 4, 1, 5],
    },
    "W3": {
        "S": [0.683, 0.8, 0.193, 0.48, 0.243, 0.232],
        "R": [0.113, 0.167, 0.08, 0.122, 0.044, 0.083],
        "Q": [0.684, 1.0, 0.147, 0.554, 0.041, 0.191],
        "rank": [5, 6, 2, 4, 1, 3],
    },
    "W4": {
        "S": [0.678, 0.857, 0.138, 0.513, 0.222, 0.167],
        "R": [0.129, 0.190, 0.057, 0.139, 0.042, 0.060],
        "Q": [0.668, 1.0, 0.051, 0.588, 0.058, 0.078],
        "rank": [5, 6, 1, 4, 2, 3],
    },
}
HALF_ULP_3 = 5e-4 + 1e-9  # a value published to three decimals is within this of the exact one
SETS = list(WEIGHT_SETS)
SAMPLES = ["--samples", "2000", "--seed", "11"]


def goals_text() -> str:
    lines = ["version: 1", "title: Opricovic & Tzeng (2007) hydropower example", "metrics:"]
    for m, (direction, unit) in CRITERIA.items():
        lines.append(f'  {m}: {{direction: {direction}, unit: "{unit}"}}')
    lines.append("profiles:")
    for p, ws in WEIGHT_SETS.items():
        pairs = ", ".join(f"{m}: {w}" for m, w in zip(METRICS, ws, strict=True))
        lines.append(f"  {p}: {{{pairs}}}")
    lines.append("candidates:")
    for name, row in MATRIX.items():
        pairs = ", ".join(f"{m}: {v}" for m, v in zip(METRICS, row, strict=True))
        lines += [f"  - name: {name}", f"    metrics: {{{pairs}}}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def goals(tmp_path: Path) -> Path:
    return write_goals(tmp_path, goals_text())


def cli_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    return out


Weights = dict[str, float] | None
"""Raw weights that replace the profile's (`--weight METRIC=W`), or None."""


def weight_flags(weights: Weights) -> list[str]:
    flags: list[str] = []
    for m, w in (weights or {}).items():
        flags += ["--weight", f"{m}={w!r}"]
    return flags


def rank(
    path: Path, profile: str, method: str = "weighted-sum", weights: Weights = None
) -> dict[str, Any]:
    args = ["rank", str(path), "--profile", profile, "--method", method]
    return cli_json(*args, *weight_flags(weights))


def winner(path: Path, profile: str, method: str = "weighted-sum", weights: Weights = None) -> str:
    name: str = rank(path, profile, method, weights)["candidates"][0]["name"]
    return name


def sensitivity(
    path: Path, profile: str, method: str = "weighted-sum", weights: Weights = None
) -> dict[str, Any]:
    args = ["sensitivity", str(path), "--profile", profile, "--method", method, *SAMPLES]
    return cli_json(*args, *weight_flags(weights))


# --- independent plain-Python scoring (no numpy, no tradeoff code) ----------------------------


def _columns() -> list[list[float]]:
    return [[MATRIX[n][j] for n in NAMES] for j in range(len(METRICS))]


def _maximize(j: int) -> bool:
    return CRITERIA[METRICS[j]][0] == "max"


def plain_weighted_sum(ws: list[float]) -> dict[str, float]:
    total = sum(ws)
    scores = dict.fromkeys(NAMES, 0.0)
    for j, col in enumerate(_columns()):
        lo, hi = min(col), max(col)
        for n, x in zip(NAMES, col, strict=True):
            good = (x - lo) / (hi - lo) if _maximize(j) else (hi - x) / (hi - lo)
            scores[n] += ws[j] / total * good
    return scores


def plain_topsis(ws: list[float]) -> dict[str, float]:
    total = sum(ws)
    d_plus = dict.fromkeys(NAMES, 0.0)
    d_minus = dict.fromkeys(NAMES, 0.0)
    for j, col in enumerate(_columns()):
        norm = math.sqrt(sum(x * x for x in col))
        v = [ws[j] / total * x / norm for x in col]
        best, worst = (max(v), min(v)) if _maximize(j) else (min(v), max(v))
        for n, x in zip(NAMES, v, strict=True):
            d_plus[n] += (x - best) ** 2
            d_minus[n] += (x - worst) ** 2
    return {
        n: math.sqrt(d_minus[n]) / (math.sqrt(d_plus[n]) + math.sqrt(d_minus[n])) for n in NAMES
    }


def plain_weighted_product(ws: list[float]) -> dict[str, float]:
    total = sum(ws)
    scores = dict.fromkeys(NAMES, 1.0)
    for j, col in enumerate(_columns()):
        best = max(col) if _maximize(j) else min(col)
        for n, x in zip(NAMES, col, strict=True):
            ratio = x / best if _maximize(j) else best / x
            scores[n] *= ratio ** (ws[j] / total)
    return scores


PLAIN = {
    "weighted-sum": plain_weighted_sum,
    "topsis": plain_topsis,
    "weighted-product": plain_weighted_product,
}


def vikor_q(s: list[float], r: list[float], v: float = 0.5) -> list[float]:
    """VIKOR's Q from S and R (Opricovic & Tzeng): v on group utility, 1 - v on regret."""
    s_lo, s_hi, r_lo, r_hi = min(s), max(s), min(r), max(r)
    return [
        v * (a - s_lo) / (s_hi - s_lo) + (1 - v) * (b - r_lo) / (r_hi - r_lo)
        for a, b in zip(s, r, strict=True)
    ]


# --- (a) re-scoring each published weight set ---------------------------------------------------


def test_the_fixture_validates(goals: Path) -> None:
    result = runner.invoke(app, ["validate", str(goals)])
    assert result.exit_code == 0, result.stderr
    assert "8 metrics, 6 candidates, 0 budgets, 4 profiles" in result.stdout


@pytest.mark.parametrize("profile", SETS)
def test_weighted_sum_reproduces_the_published_vikor_s_r_q(goals: Path, profile: str) -> None:
    out = rank(goals, profile)
    raw = WEIGHT_SETS[profile]
    assert out["weights"] == pytest.approx(
        {m: w / sum(raw) for m, w in zip(METRICS, raw, strict=True)}
    )
    by_name = {c["name"]: c for c in out["candidates"]}
    w = out["weights"]
    s = [1 - by_name[n]["score"] for n in NAMES]
    r = [max(w[m] * (1 - by_name[n]["normalized"][m]) for m in METRICS) for n in NAMES]
    pub = PUBLISHED[profile]
    for name, ours_s, ours_r, pub_s, pub_r in zip(NAMES, s, r, pub["S"], pub["R"], strict=True):
        assert ours_s == pytest.approx(pub_s, abs=HALF_ULP_3), (profile, name, "S")
        assert ours_r == pytest.approx(pub_r, abs=HALF_ULP_3), (profile, name, "R")
    q = vikor_q(s, r)
    assert q == pytest.approx(pub["Q"], abs=HALF_ULP_3)
    assert [sorted(q).index(x) + 1 for x in q] == pub["rank"]  # the published VIKOR ranking
    # Our weighted-sum ranking is the ranking by S (smaller S is better), published or ours.
    by_s = sorted(NAMES, key=lambda n: pub["S"][NAMES.index(n)])
    assert [c["name"] for c in out["candidates"]] == by_s


@pytest.mark.parametrize("method", list(PLAIN))
@pytest.mark.parametrize("profile", SETS)
def test_scores_match_an_independent_implementation(goals: Path, profile: str, method: str) -> None:
    out = rank(goals, profile, method)
    expected = PLAIN[method](WEIGHT_SETS[profile])
    scores = {c["name"]: c["score"] for c in out["candidates"]}
    assert scores == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert list(scores) == sorted(NAMES, key=lambda n: -expected[n])
    assert [c["rank"] for c in out["candidates"]] == list(range(1, len(NAMES) + 1))


def test_winners_per_published_set(goals: Path) -> None:
    """What the published sets say about the choice, per method (a regression anchor).

    Weighted-sum follows VIKOR's S: A5 under W1 and W2, A3 once the social/environmental weights
    are doubled (W3; VIKOR's Q still picks A5 there, its regret term R favours A5) and under W4,
    where VIKOR also turns to A3. TOPSIS and weighted-product pick A3 under all four sets.
    """
    assert {p: winner(goals, p) for p in SETS} == {"W1": "A5", "W2": "A5", "W3": "A3", "W4": "A3"}
    for method in ("topsis", "weighted-product"):
        assert {p: winner(goals, p, method) for p in SETS} == dict.fromkeys(SETS, "A3")


# --- (b) the weight sets as a sensitivity fixture ------------------------------------------------

# One weight at a time, from one published set to another: (start, [(metric, new raw weight)...]).
PATHS = {
    "W1->W2": ("W1", [("profit", 2.0), ("cost", 2.0), ("energy", 2.0), ("peak_energy", 2.0)]),
    "W1->W3": (
        "W1",
        [
            ("homes_relocated", 2.0),
            ("reservoir_area", 2.0),
            ("villages_displaced", 2.0),
            ("environment", 2.0),
        ],
    ),
    "W3->W4": (
        "W3",
        [
            ("homes_relocated", 3.2),
            ("reservoir_area", 3.2),
            ("villages_displaced", 3.2),
            ("environment", 3.2),
        ],
    ),
}
END = {"W1->W2": "W2", "W1->W3": "W3", "W3->W4": "W4"}


@pytest.mark.parametrize("path_id", list(PATHS))
def test_stability_intervals_predict_the_next_published_set(goals: Path, path_id: str) -> None:
    """Each single-weight step keeps the winner iff the new weight is in the current interval."""
    start, steps = PATHS[path_id]
    changed: dict[str, float] = {}
    changes_of_winner = 0
    for metric, new in steps:
        sens = sensitivity(goals, start, weights=changed)
        current = sens["winner"]
        assert current == winner(goals, start, weights=changed)
        (entry,) = [s for s in sens["stability"] if s["metric"] == metric]
        assert entry["weight"] == changed.get(metric, WEIGHT_SETS[start][METRICS.index(metric)])
        low, high = entry["low"], entry["high"]
        inside = low <= new and (high is None or new <= high)
        # No published step lands within rounding of an interval end, so the prediction is sharp.
        assert min(abs(new - low), abs(new - (high if high is not None else math.inf))) > 1e-6
        changed[metric] = new
        after = winner(goals, start, weights=changed)
        assert (after == current) == inside, (path_id, metric, new, low, high, current, after)
        changes_of_winner += after != current
    # The walk ends at the published set itself.
    assert rank(goals, start, weights=changed)["weights"] == pytest.approx(
        rank(goals, END[path_id])["weights"]
    )
    assert winner(goals, start, weights=changed) == winner(goals, END[path_id])
    # W1 -> W3 is where the published sets change the weighted-sum winner (A5 -> A3).
    assert changes_of_winner == (1 if path_id == "W1->W3" else 0)


def _check_ends(goals: Path, profile: str, method: str, rel: float) -> int:
    """Every reported end: the winner holds just inside, and `below`/`above` leads just outside."""
    sens = sensitivity(goals, profile, method)
    assert sens["winner"] == winner(goals, profile, method)
    checked = 0
    for s in sens["stability"]:
        m = s["metric"]
        assert s["weight"] == WEIGHT_SETS[profile][METRICS.index(m)]
        low, high = s["low"], s["high"]
        assert low is not None and low <= s["weight"]
        assert high is None or s["weight"] <= high
        if low > 0:
            eps = rel * max(1.0, low)
            assert winner(goals, profile, method, {m: low + eps}) == sens["winner"]
            assert winner(goals, profile, method, {m: low - eps}) == s["below"]
            checked += 1
        else:
            assert s["below"] is None
        if high is not None:
            eps = rel * max(1.0, high)
            assert winner(goals, profile, method, {m: high - eps}) == sens["winner"]
            assert winner(goals, profile, method, {m: high + eps}) == s["above"]
            checked += 1
        else:
            assert s["above"] is None
            assert winner(goals, profile, method, {m: 1e6}) == sens["winner"]
    return checked


@pytest.mark.parametrize("profile", SETS)
def test_weighted_sum_interval_ends_are_exact(goals: Path, profile: str) -> None:
    assert _check_ends(goals, profile, "weighted-sum", 1e-6) >= 4


@pytest.mark.parametrize("profile", ["W1", "W4"])
def test_topsis_interval_ends_found_by_bisection(goals: Path, profile: str) -> None:
    assert _check_ends(goals, profile, "topsis", 1e-5) >= 1


@pytest.mark.parametrize("method", ["weighted-sum", "topsis"])
def test_acceptability_is_doubly_stochastic_and_the_same_for_every_set(
    goals: Path, method: str
) -> None:
    """SMAA draws uniformly over the weighted metrics, whatever their profile weights: the four
    published sets all weigh all eight criteria, so with one seed they give one matrix."""
    first: dict[str, list[float]] | None = None
    for profile in SETS:
        out = sensitivity(goals, profile, method)
        accept = out["acceptability"]
        assert sorted(accept) == NAMES
        for name, row in accept.items():
            assert len(row) == len(NAMES)
            assert sum(row) == pytest.approx(1.0), name
        for k in range(len(NAMES)):
            assert sum(row[k] for row in accept.values()) == pytest.approx(1.0), k
        assert accept[out["winner"]][0] > 0
        for name, weights in out["central_weights"].items():
            assert accept[name][0] > 0
            assert list(weights) == METRICS
            assert sum(weights.values()) == pytest.approx(1.0)
        if first is None:
            first = accept
        else:
            assert accept == first, profile
