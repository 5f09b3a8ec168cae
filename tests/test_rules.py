"""One home for the rules a name, a tag, a unit or a number follows (tradeoff.rules): the same
strings are refused inline and from a table, with the same words."""

from __future__ import annotations

import csv
import textwrap
from pathlib import Path

import pytest

from conftest import runner
from tradeoff.cli.app import app
from tradeoff.goals import fastpath, schema

BAD_TEXT = [
    "a\u202eb",  # right-to-left override: 'ab' that displays as 'a' + reversed text
    "x\u2066y",  # left-to-right isolate
    "esc\x1b[2Jfake",  # a terminal escape
    "tab\there",
    "new\nline",
    "del\x7f",
    "c1\x85",
]
BAD_NUMBERS = ["1_000", "0x1F", "0b101", "1:30", "inf", "1e999", "\uff11\uff12", "1,000"]


def _validate(path: Path) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["validate", str(path)])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr.splitlines()


def _what(line: str) -> str:
    """The message after its place: 'goals.yaml:3:4: where: what' -> what; a table's own place
    ('t.csv row 1, column name: ') is dropped too."""
    what = line.split(": ", 2)[2]
    return what.split(": ", 1)[1] if " row " in what.split(": ", 1)[0] else what


def _inline(tmp_path: Path, name: str = "ok", tag: str = "t", value: str = "1") -> Path:
    goals = f"""\
    version: 1
    metrics:
      quality: {{direction: max}}
    candidates:
      - name: {_yaml(name)}
        tags: [{_yaml(tag)}]
        metrics: {{quality: {_yaml(value)}}}
      - name: other
        metrics: {{quality: 2}}
    """
    path = tmp_path / "inline.yaml"
    path.write_text(textwrap.dedent(goals), encoding="utf-8")
    return path


def _yaml(text: str) -> str:
    import json

    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar, escapes and all


def _table(tmp_path: Path, name: str = "ok", tag: str = "t", value: str = "1") -> Path:
    with (tmp_path / "t.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(
            [["name", "kind", "quality"], [name, tag, value], ["other", "t", 2]]
        )
    goals = """\
    version: 1
    metrics:
      quality: {direction: max}
    candidates:
      - from: t.csv
        tag_columns: [kind]
    """
    path = tmp_path / "table.yaml"
    path.write_text(textwrap.dedent(goals), encoding="utf-8")
    return path


@pytest.mark.parametrize("bad", BAD_TEXT, ids=[repr(b) for b in BAD_TEXT])
def test_a_bad_name_is_refused_inline_and_from_a_table_with_the_same_words(
    tmp_path: Path, bad: str
) -> None:
    code, inline = _validate(_inline(tmp_path, name=bad))
    code2, table = _validate(_table(tmp_path, name=bad))
    assert (code, code2) == (2, 2)
    assert (
        [_what(x) for x in inline]
        == [_what(x) for x in table]
        == ["a name must not contain control characters"]
    )


@pytest.mark.parametrize("bad", BAD_TEXT, ids=[repr(b) for b in BAD_TEXT])
def test_a_bad_tag_is_refused_inline_and_from_a_table_with_the_same_words(
    tmp_path: Path, bad: str
) -> None:
    code, inline = _validate(_inline(tmp_path, tag=bad))
    code2, table = _validate(_table(tmp_path, tag=bad))
    assert (code, code2) == (2, 2)
    assert (
        [_what(x) for x in inline]
        == [_what(x) for x in table]
        == ["must not contain control characters (escape codes, line breaks)"]
    )


@pytest.mark.parametrize("bad", BAD_NUMBERS)
def test_a_bad_number_is_refused_inline_and_from_a_table_with_the_same_words(
    tmp_path: Path, bad: str
) -> None:
    code, inline = _validate(_inline(tmp_path, value=bad))
    code2, table = _validate(_table(tmp_path, value=bad))
    assert (code, code2) == (2, 2)
    expected = f"expected a finite number, got {bad!r}"
    assert [_what(x) for x in inline] == [_what(x) for x in table] == [expected]


def test_an_empty_name_is_refused_inline_and_from_a_table_with_the_same_words(
    tmp_path: Path,
) -> None:
    _, inline = _validate(_inline(tmp_path, name="  "))
    _, table = _validate(_table(tmp_path, name="  "))
    assert [_what(x) for x in inline] == [_what(x) for x in table] == ["must not be empty"]


@pytest.mark.parametrize("bad", BAD_TEXT[:3], ids=[repr(b) for b in BAD_TEXT[:3]])
def test_a_bad_unit_is_refused_inline_and_in_a_header_with_the_same_words(
    tmp_path: Path, bad: str
) -> None:
    goals = f"""\
    version: 1
    metrics:
      quality: {{direction: max, unit: {_yaml("m" + bad)}}}
    candidates:
      - {{name: a, metrics: {{quality: 1}}}}
    """
    path = tmp_path / "inline.yaml"
    path.write_text(textwrap.dedent(goals), encoding="utf-8")
    _, inline = _validate(path)
    with (tmp_path / "t.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["name", f"quality (m{bad})"], ["a", 1]])
    table = tmp_path / "table.yaml"
    table.write_text(
        "version: 1\nmetrics:\n  quality: {direction: max, unit: m}\ncandidates:\n"
        "  - from: t.csv\n",
        encoding="utf-8",
    )
    _, from_table = _validate(table)
    expected = "must not contain control characters (escape codes, line breaks)"
    assert [_what(x) for x in inline] == [expected]
    assert [x.rsplit(": ", 1)[1] for x in from_table] == [expected]


def _aliases(model: type[schema.BaseModel]) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


def test_the_fast_paths_keys_are_the_models_fields() -> None:
    # What the fast path reads itself, plus what it leaves to the full path, is every field of
    # the models: a new field fails here until the fast path reads it or declines it.
    pairs = [
        (fastpath._TOP | fastpath.DECLINED["top"], schema.GoalsFile),
        (fastpath._METRIC | fastpath.DECLINED["metric"], schema.Metric),
        (fastpath._BOUND | fastpath.DECLINED["bound"], schema.Bound),
        (fastpath._CANDIDATE | fastpath.DECLINED["candidate"], schema.Candidate),
        (fastpath._MEASUREMENT | fastpath.DECLINED["measurement"], schema.Measurement),
    ]
    for known, model in pairs:
        assert known == _aliases(model), model.__name__
    # and what it declines it really declines: such a file goes the full way
    for section, keys in fastpath.DECLINED.items():
        assert (
            not keys
            & {
                "top": fastpath._TOP,
                "metric": fastpath._METRIC,
                "bound": fastpath._BOUND,
                "candidate": fastpath._CANDIDATE,
                "measurement": fastpath._MEASUREMENT,
            }[section]
        )
