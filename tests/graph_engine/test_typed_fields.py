"""What a person types (the scenario's name and language, variables, block labels) may be unfinished in a draft:
the shape check a save makes lets it through, validation names it at its field, and the engine never runs it."""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine.document import parse_document, shape_problems, structure_problems
from graph_engine.errors import DocumentError
from graph_engine.issues import Severity
from graph_engine.validation import validate
from schemas import CONTENT_RULES, TYPED, draft_schema, scenario_schema
from tests.conftest import make_document


def _greeting(**extra: Any) -> dict[str, Any]:
    nodes = [
        {"id": "start", "type": "start"},
        {"id": "hello", "type": "say_phrase", "config": {"text": "Hola"}},
        {"id": "bye", "type": "hangup"},
    ]
    return make_document(nodes, [("start", "next", "hello"), ("hello", "next", "bye")], **extra)


def _labelled(label: str) -> dict[str, Any]:
    document = _greeting()
    document["nodes"][1]["label"] = label
    return document


# (the document, where the unfinished field is, the node it belongs to, words the message holds)
UNFINISHED = {
    "name cleared": (_greeting(name=""), "$.name", None, "Scenario name: must not be empty"),
    "language half typed": (_greeting(language="es-"), "$.language", None, "Scenario language: 'es-'"),
    "variable name with a space": (
        _greeting(variables=[{"name": "customer name"}]),
        "$.variables[0].name",
        None,
        "Variable 1 name: 'customer name'",
    ),
    "variable type unknown": (
        _greeting(variables=[{"name": "x", "type": "text"}]),
        "$.variables[0].type",
        None,
        "Variable 1 type: 'text' is not one of",
    ),
    "description too long": (_greeting(description="d" * 5001), "$.description", None, "at most 5000 characters"),
    "label too long": (
        _labelled("L" * 201),
        "$.nodes[1].label",
        "hello",
        'Say Phrase "hello": Label: at most 200 characters (this has 201)',
    ),
}


@pytest.mark.parametrize("document, path, node, words", UNFINISHED.values(), ids=UNFINISHED.keys())
def test_an_unfinished_field_has_the_shape_of_a_scenario_and_is_named_by_validation(
    registry, document: dict[str, Any], path: str, node: str | None, words: str
) -> None:
    assert shape_problems(document) == []
    assert [problem.path for problem in structure_problems(document)] == [path]
    with pytest.raises(DocumentError):
        parse_document(document)  # the engine runs no such document: publishing is what would hand it one
    issues = validate(document, registry)
    assert [(i.severity, i.code, i.node, i.path) for i in issues] == [(Severity.ERROR, "invalid_value", node, path)]
    assert words in issues[0].message


def test_the_rest_of_the_scenario_is_still_checked_around_an_unfinished_field(registry) -> None:
    document = _greeting(name="")
    document["nodes"].append({"id": "ghost", "type": "no_such_block", "config": {}})
    issues = validate(document, registry)
    assert {"invalid_value", "unknown_type", "unreachable"} <= {issue.code for issue in issues}


def _with(change: Any) -> dict[str, Any]:
    document = _greeting()
    change(document)
    return document


# What the engine and the designer cannot load, or what would break keys: refused when saved.
NO_SCENARIO = {
    "not an object": ([_greeting()], "$"),
    "nodes not a list": (_with(lambda d: d.update(nodes={})), "$.nodes"),
    "edges missing": (_with(lambda d: d.pop("edges")), "$"),
    "node id with a space": (_with(lambda d: d["nodes"][0].update(id="a b")), "$.nodes[0].id"),
    "node id too long": (_with(lambda d: d["nodes"][0].update(id="n" * 65)), "$.nodes[0].id"),
    "edge to an id no node can have": (_with(lambda d: d["edges"][0].update(target="a b")), "$.edges[0].target"),
    "block type that is no registry key": (_with(lambda d: d["nodes"][1].update(type="Say Phrase")), "$.nodes[1].type"),
    "config not an object": (_with(lambda d: d["nodes"][1].update(config="text")), "$.nodes[1].config"),
    "name not text": (_with(lambda d: d.update(name=7)), "$.name"),
    "variable type not text": (_with(lambda d: d.update(variables=[{"name": "x", "type": 3}])), "$.variables[0].type"),
    "label not text": (_with(lambda d: d["nodes"][1].update(label=["x"])), "$.nodes[1].label"),
    "another format": (_with(lambda d: d.update(format="ivrgraph.scenario/2")), "$.format"),
    "a key the format lacks": (_with(lambda d: d.update(colour="red")), "$"),
    "version below 1": (_with(lambda d: d["nodes"][1].update(version=0)), "$.nodes[1].version"),
}


@pytest.mark.parametrize("document, path", NO_SCENARIO.values(), ids=NO_SCENARIO.keys())
def test_what_is_no_scenario_keeps_breaking_its_shape(registry, document: Any, path: str) -> None:
    assert path in [problem.path for problem in shape_problems(document)]
    assert {issue.code for issue in validate(document, registry)} == {"structure"}


def _typed_fields(schema: Any) -> list[dict[str, Any]]:
    if isinstance(schema, list):
        return [found for item in schema for found in _typed_fields(item)]
    if not isinstance(schema, dict):
        return []
    here = [schema] if schema.get(TYPED) is True else []
    return here + [found for value in schema.values() for found in _typed_fields(value)]


def test_the_draft_schema_drops_only_the_content_rules_of_typed_fields() -> None:
    full, draft = _typed_fields(scenario_schema()), _typed_fields(draft_schema())
    assert len(full) == len(draft) == 10  # a declared result's code, label and description among them
    for before, after in zip(full, draft, strict=True):
        assert after == {key: value for key, value in before.items() if key not in CONTENT_RULES}
        assert after["type"] == "string"  # still text: only what it says is left to validation
    assert draft_schema()["$defs"]["nodeId"] == scenario_schema()["$defs"]["nodeId"]
