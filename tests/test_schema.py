"""`tradeoff schema`: a JSON Schema valid under Draft 7 and Draft 2020-12 that accepts every
shipped goals file and rejects unknown keys, with the models' attribute docstrings as
descriptions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.protocols import Validator

from conftest import GOALS, ROOT, runner
from tradeoff.cli.app import app
from tradeoff.goals import yamlio
from tradeoff.goals.starter import STARTER

VALIDATORS: list[type[Validator]] = [Draft7Validator, Draft202012Validator]
SHIPPED = [ROOT / "goals.yaml", *sorted((ROOT / "examples").glob("*.yaml"))]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    result = runner.invoke(app, ["schema"])
    assert (result.exit_code, result.stderr) == (0, "")
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def _yaml11(text: str) -> Any:
    """What PyYAML (YAML 1.1) reads, as an editor plugin might."""
    return yaml.safe_load(text)


def _yaml12(text: str) -> Any:
    """What tradeoff (YAML 1.2 core schema) reads."""
    return yamlio.parse(text, "goals.yaml").data


READERS: list[Callable[[str], Any]] = [_yaml11, _yaml12]


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda v: v.__name__)
def test_schema_is_a_valid_schema(schema: dict[str, Any], validator: type[Validator]) -> None:
    validator.check_schema(schema)


def test_schema_declares_draft_7_and_avoids_newer_keywords(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    text = json.dumps(schema)
    assert "prefixItems" not in text
    assert '"$dynamicRef"' not in text
    assert '"unevaluatedProperties"' not in text


def test_schema_written_to_a_file_matches_stdout(tmp_path: Path, schema: dict[str, Any]) -> None:
    out = tmp_path / "goals.schema.json"
    result = runner.invoke(app, ["schema", "--output", str(out)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert json.loads(out.read_text(encoding="utf-8")) == schema


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda v: v.__name__)
@pytest.mark.parametrize("read", READERS, ids=["yaml1.1", "yaml1.2"])
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_files_validate(
    schema: dict[str, Any],
    validator: type[Validator],
    read: Callable[[str], Any],
    path: Path,
) -> None:
    data = read(path.read_text(encoding="utf-8"))
    errors = [e.message for e in validator(schema).iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda v: v.__name__)
@pytest.mark.parametrize("text", [GOALS, STARTER], ids=["conftest-goals", "init-starter"])
def test_test_goals_and_starter_validate(
    schema: dict[str, Any], validator: type[Validator], text: str
) -> None:
    assert list(validator(schema).iter_errors(_yaml12(text))) == []


UNKNOWN_KEYS = {
    "top level": ("title:", "titel:"),
    "metric": ('{direction: max, unit: "%", additive: true}', "{direction: max, colour: red}"),
    "candidate": ("    tags: [api]\n", "    tags: [api]\n    size: 7\n"),
    "measurement": ("{value: 44.3, stderr: 0.5}", "{value: 44.3, stdev: 0.5}"),
    "budget": ("{max: 80, level: warn}", "{max: 80, level: warn, hard: true}"),
}


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda v: v.__name__)
@pytest.mark.parametrize("place", UNKNOWN_KEYS)
def test_unknown_key_is_rejected(
    schema: dict[str, Any], validator: type[Validator], place: str
) -> None:
    old, new = UNKNOWN_KEYS[place]
    assert GOALS.count(old) == 1
    data = _yaml12(GOALS.replace(old, new))
    errors = list(validator(schema).iter_errors(data))
    assert errors
    # Under an anyOf (one bound or a list; a number or a measurement) the reason is nested.
    assert any("Additional properties are not allowed" in m for m in _messages(errors))


def _messages(errors: list[Any]) -> list[str]:
    out = []
    for e in errors:
        out.append(e.message)
        out.extend(_messages(list(e.context or [])))
    return out


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda v: v.__name__)
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("direction: min, unit: ms}", "direction: down, unit: ms}"),
        ("version: 1", "version: 2"),
        ("latency_p95:", "latency-p95:"),
        ("{max: 24, tags: [edge]}", "{max: 24, tags: []}"),
        ("range: [0, 1]", "range: [0, 1, 2]"),
        ("level: warn", "level: fatal"),
    ],
)
def test_invalid_values_are_rejected(
    schema: dict[str, Any], validator: type[Validator], old: str, new: str
) -> None:
    assert old in GOALS
    data = _yaml12(GOALS.replace(old, new, 1))
    assert list(validator(schema).iter_errors(data))


def _property(schema: dict[str, Any], model: str, field: str) -> dict[str, Any]:
    prop: dict[str, Any] = schema["$defs"][model]["properties"][field]
    return prop


def test_descriptions_come_from_attribute_docstrings(schema: dict[str, Any]) -> None:
    assert "more is better" in _property(schema, "Metric", "direction")["description"]
    assert "goalposts" in _property(schema, "Metric", "range")["description"]
    assert "Standard error" in _property(schema, "Measurement", "stderr")["description"]
    assert "error" in _property(schema, "Bound", "level")["description"]
    assert "Unique name" in _property(schema, "Candidate", "name")["description"]
    assert "column order" in schema["properties"]["metrics"]["description"]
    assert schema["description"].startswith("A tradeoff goals file")
    for name, model in schema["$defs"].items():
        for field, prop in model.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{field} has no description"


def test_schema_shapes_editors_rely_on(schema: dict[str, Any]) -> None:
    assert schema["properties"]["metrics"]["propertyNames"] == {
        "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"
    }
    assert _property(schema, "Metric", "direction")["enum"] == ["max", "min"]
    assert _property(schema, "Measurement", "date") == {
        **_property(schema, "Measurement", "date"),
        "anyOf": [{"type": "string", "format": "date"}, {"type": "null"}],
    }
    assert schema["properties"]["candidates"]["items"] == {"$ref": "#/$defs/Candidate"}
    assert "from" in schema["$defs"]["Candidate"]["properties"]
