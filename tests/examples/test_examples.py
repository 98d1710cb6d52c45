"""Every example is valid, its scenario tests pass, and broken copies yield the specific problem codes."""

from __future__ import annotations

import json

import pytest

from graph_engine.scenario_tests import run_scenario_tests
from graph_engine.validation import validate
from ivrgraph.scenario_files import read_test_file, sibling_documents
from tests.conftest import EXAMPLES, example_slugs


@pytest.mark.parametrize("slug", example_slugs())
async def test_scenario_tests_pass(registry, load_example, slug):
    test_file = read_test_file(EXAMPLES / f"{slug}.tests.json")
    assert test_file.tests, "every example has scenario tests"
    outcomes = await run_scenario_tests(
        load_example(slug), test_file.tests, registry, scenarios=sibling_documents(EXAMPLES)
    )
    failed = {o.name: o.failures for o in outcomes if not o.passed}
    assert failed == {}


async def test_a_wrong_expectation_fails(registry, load_example):
    test = {"name": "wrong", "keys": ["1"], "expect": {"outcome": "transferred", "path": ["start"], "said": ["nope"]}}
    (outcome,) = await run_scenario_tests(load_example("appointment-confirmation"), [test], registry)
    assert not outcome.passed
    assert len(outcome.failures) == 3


def _codes(registry, document):
    return {issue.code for issue in validate(document, registry, known_scenarios=set(example_slugs()))}


def test_broken_copies_yield_specific_codes(registry, load_example):
    doc = load_example("inbound-hotline")
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] != "start"]
    assert "no_start" in _codes(registry, doc)

    doc = load_example("inbound-hotline")
    doc["edges"] = [e for e in doc["edges"] if not (e["source"] == "menu" and e["exit"] == "3")]
    assert "unwired_exit" in _codes(registry, doc)

    doc = load_example("inbound-hotline")
    doc["edges"].append({"id": "x", "source": "menu", "exit": "1", "target": "support"})
    assert "duplicate_exit_edge" in _codes(registry, doc)

    doc = load_example("debt-reminder")
    next(n for n in doc["nodes"] if n["id"] == "greet")["config"]["text"] = "Hola {{ contact.name"
    assert "template_syntax" in _codes(registry, doc)

    doc = load_example("debt-reminder")
    next(n for n in doc["nodes"] if n["id"] == "menu")["type"] = "fancy_menu"
    assert "unknown_type" in _codes(registry, doc)

    doc = load_example("employee-callthrough")
    next(n for n in doc["nodes"] if n["id"] == "menu")["config"]["scenario"] = "no-such-scenario"
    assert "goto_unknown_scenario" in _codes(registry, doc)

    doc = load_example("employee-dialout")
    doc["edges"].append({"id": "x", "source": "bye", "exit": "next", "target": "start"})
    assert "edge_from_terminal" in _codes(registry, doc)

    doc = load_example("missed-call")
    doc["edges"] = [e for e in doc["edges"] if e["target"] != "promise"]
    assert {"unreachable", "unwired_exit"} <= _codes(registry, doc)


def test_examples_are_pretty_printed_json():
    for path in EXAMPLES.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n", path.name
