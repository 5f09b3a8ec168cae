"""Significance groups in `rank`: pairwise p over shared draws, Benjamini-Hochberg, letters.

Compact letter display sources:
- A hand-worked example (explained in the test).
- The sample input and output of the UVa Online Judge problem 629 "Test" (read from
  http://aren.cs.ui.ac.id/sda/archive/resources/contest/OnlineJudge/v6/629.html): each case
  gives, for n samples, an upper-triangle matrix with '*' where two samples differ, and the
  letters of each sample. That problem names its letters by set size (the largest set is 'a'),
  where we name them by their best member, so the comparison is of the sets each letter holds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import tradeoff
from conftest import runner, write_goals
from lmeval_logs import goals_text, pair, write_run
from tradeoff.cli.app import app
from tradeoff.engine.paired import benjamini_hochberg, draws_p, letter_groups, pairwise_p
from tradeoff.questions.analysis import Options, analyse
from tradeoff.questions.confidence import uncertainty
from tradeoff.questions.noise import Setting


def _sets(letters: list[str]) -> list[tuple[int, ...]]:
    names = sorted(set("".join(letters)))
    return sorted(tuple(k for k, got in enumerate(letters) if n in got) for n in names)


def test_letters_on_a_hand_worked_example() -> None:
    # Four candidates, best first; 1-3, 1-4 and 2-4 differ (0-based: (0,2), (0,3), (1,3)).
    # Start with one letter {1,2,3,4}. (1,3): split into {2,3,4} and {1,2,4}. (1,4): {1,2,4}
    # holds both: {2,4} (absorbed by {2,3,4}) and {1,2}. (2,4): {2,3,4} -> {3,4} and {2,3}.
    # Letters by best member: {1,2} a, {2,3} b, {3,4} c -> 1 a, 2 ab, 3 bc, 4 c: each
    # neighbouring pair shares a letter, every pair declared different shares none.
    assert letter_groups(4, [(0, 2), (0, 3), (1, 3)]) == ["a", "ab", "bc", "c"]
    assert letter_groups(3, []) == ["a", "a", "a"]
    assert letter_groups(0, []) == []


UVA_629 = [
    ("-*- --- ---", "a b ab"),
    ("-** --* ---", "a b c"),
    ("--- --- ---", "a a a"),
    ("---- --** ---* ----", "abc a b c"),
    (
        "---*--*-- -----*--- ------*-- --------- -------*- --------* --------- --------- ---------",
        "abgh abcdef abcdghij cdefijkl acegik ghijkl efkl bdfhjl abcdef",
    ),
]


@pytest.mark.parametrize(("matrix", "published"), UVA_629)
def test_letters_match_the_published_uva_629_examples(matrix: str, published: str) -> None:
    rows = matrix.split()
    pairs = [(i, j) for i, row in enumerate(rows) for j, c in enumerate(row) if c == "*"]
    assert _sets(letter_groups(len(rows), pairs)) == _sets(published.split())


def test_benjamini_hochberg_steps_up() -> None:
    # m = 4, q = 0.05: thresholds 0.0125, 0.025, 0.0375, 0.05 for the sorted p-values.
    p = np.array([0.03, 0.5, 0.01, 0.02])
    assert benjamini_hochberg(p, 0.05).tolist() == [True, False, True, True]
    # None below its own threshold but the largest: step-up rejects all four.
    assert benjamini_hochberg(np.array([0.02, 0.03, 0.04, 0.045]), 0.05).all()
    assert not benjamini_hochberg(np.array([0.02, 0.03, 0.04, 0.06]), 0.05).any()


def test_pairwise_p_is_twice_the_smaller_tail() -> None:
    d = np.array([-1.0, 0.0, 1.0, 2.0, 3.0])  # P(d <= 0) = 2/5, P(d >= 0) = 4/5
    assert draws_p(d) == pytest.approx(0.8)
    scores = np.column_stack([d + 5.0, np.full(5, 5.0), np.full(5, 5.0)])
    p = pairwise_p(scores)
    assert p[0, 1] == p[1, 0] == pytest.approx(0.8) and p[1, 2] == 1.0  # equal: 2 * 1, capped


@pytest.fixture
def three(tmp_path: Path) -> Path:
    # model-a beats model-b by 1.5 points on 2,000 shared items (tests/test_compare.py);
    # model-c is 15 points behind.
    a, b = pair()
    c = b.copy()
    c[:300] = 0
    write_run(tmp_path / "model-a", a.tolist())
    write_run(tmp_path / "model-b", b.tolist())
    write_run(tmp_path / "model-c", c.tolist())
    return write_goals(tmp_path, goals_text(["model-a", "model-b", "model-c"]))


def _groups(path: Path, *flags: str) -> tuple[str | None, list[str | None]]:
    result = runner.invoke(app, ["rank", str(path), "-f", "json", *flags])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    return doc["groups_from"], [c["group"] for c in doc["candidates"]]


def test_per_item_evidence_tells_close_models_apart_and_stderrs_do_not(three: Path) -> None:
    assert _groups(three) == ("items", ["a", "b", "c"])
    assert _groups(three, "--uncertainty") == ("items", ["a", "b", "c"])
    table = runner.invoke(app, ["rank", str(three)], env={"COLUMNS": "200"}).stdout
    assert "(per-item scores on 2000 shared items, paired bootstrap, 4000 draws," in table
    assert "(the per-item scores of arc; other metrics exact; 4000 draws, seed 0)" in table
    unpaired = three.read_text().replace("samples: true", "samples: false")
    three.write_text(unpaired)
    assert _groups(three) == ("stderr", ["a", "a", "b"])
    table = runner.invoke(app, ["rank", str(three)]).stdout
    assert "group: a shared letter = not told apart (stderrs, 4000 draws" in table


def test_the_bootstrap_resamples_are_shared_by_every_candidate(three: Path) -> None:
    text = three.read_text().replace('unit: "%"\n', 'unit: "%"\n    range: [0, 100]\n')
    write_run(three.parent / "model-c", pair()[0].tolist())  # model-c's items = model-a's
    three.write_text(text)  # fixed goalposts: every score moves with its own draws
    study = tradeoff.load(three)
    a = analyse(study.data, Options())
    s = Setting.of(a, "weighted-sum")
    assert len(s.boot) == 1 and (s.se == 0).all()  # the items replace the normal draws
    u = uncertainty(s, 500, 0, keep=3)
    assert u.scores is not None
    names = s.names
    ia, ic = names.index("model-a"), names.index("model-c")
    np.testing.assert_array_equal(u.scores[:, ia], u.scores[:, ic])  # same items, same draws
    assert u.scores[:, ia].std() > 0 and u.scores[:, names.index("model-b")].std() > 0


def test_no_noise_means_no_groups(tmp_path: Path) -> None:
    text = """\
        version: 1
        metrics: {q: {direction: max}}
        candidates: [{name: a, metrics: {q: 1}}, {name: b, metrics: {q: 2}}]
    """
    path = write_goals(tmp_path, text)
    assert _groups(path) == (None, [None, None])
    assert "group" not in runner.invoke(app, ["rank", str(path)]).stdout


def test_groups_cover_the_first_50_shown_rows(tmp_path: Path) -> None:
    rows = "\n".join(
        f"  - {{name: m{k:02d}, metrics: {{q: {{value: {100 - k}, stderr: 0.1}}}}}}"
        for k in range(55)
    )
    path = write_goals(
        tmp_path, f"version: 1\nmetrics: {{q: {{direction: max}}}}\ncandidates:\n{rows}\n"
    )
    source, letters = _groups(path)
    assert source == "stderr" and all(letters[:50]) and letters[50:] == [None] * 5
    assert letters[:3] == ["a", "b", "c"]  # 1 apart with stderr 0.1: all told apart
    _, top = _groups(path, "--top", "3")
    assert top == ["a", "b", "c"]


def test_fdr_must_be_a_rate(three: Path) -> None:
    result = runner.invoke(app, ["rank", str(three), "--fdr", "1.5"])
    assert result.exit_code == 2
    with pytest.raises(tradeoff.UsageError, match="fdr must be between 0 and 1"):
        tradeoff.load(three).rank_result(fdr=0.0)


def test_the_confidence_line_names_everyone_who_shares_the_leaders_letter() -> None:
    # The shipped file: bedrock's 90% rank interval does not reach the leader's, but the
    # pairwise test cannot tell the two apart (letters a and ab). The line under the table must
    # not say "no other candidate is within noise" beside a shared letter.
    from conftest import ROOT

    result = tradeoff.load(ROOT / "goals.yaml").rank_result()
    letters = [g for g in result.groups.letters if g is not None]
    names = [r.name for r in result.rows][: len(letters)]
    mates = [n for n, g in zip(names[1:], letters[1:], strict=True) if set(g) & set(letters[0])]
    assert mates, "the shipped file no longer has a leader with a shared letter"
    line = result.confidence
    assert line is not None and "no other candidate is within noise" not in line
    assert all(n in line.split(";")[1] for n in mates), line
