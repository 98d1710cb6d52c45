"""A Condition comparing the digits a caller typed with a number, through a whole call (review of a migration from
Twilio Studio: `guess > points` passed validation and failed in the call with Python's words)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from graph_engine.simulation import SimulationInput, simulate
from graph_engine.validation import validate
from tests.conftest import make_document


def guessing(expression: str) -> dict[str, Any]:
    nodes = [
        {"id": "start", "type": "start"},
        {"id": "ask", "type": "ivr", "config": {"mode": "capture", "prompt": {"text": "Su número"},
                                                "variable": "guess", "min_length": 1, "max_length": 6}},
        {"id": "more", "type": "condition", "config": {"expression": expression}},
        {"id": "yes", "type": "hangup", "config": {"result": "more"}},
        {"id": "no", "type": "hangup", "config": {"result": "not more"}},
    ]  # fmt: skip
    edges = [*itertools.pairwise(["start", "ask", "more"])]
    document = make_document(
        nodes,
        [(a, "next", b) for a, b in edges] + [("more", "true", "yes"), ("more", "false", "no")],
    )
    document["variables"] = [{"name": "points", "type": "number", "default": 1200}]
    return document


@pytest.mark.parametrize(
    ("expression", "keys", "result"),
    [
        ("guess > points", "1300#", "more"),
        ("guess > points", "1200#", "not more"),
        ("guess >= points", "1200#", "more"),
        ("guess == 1200", "1200#", "more"),
    ],
)
async def test_the_keys_typed_compare_with_a_number(registry, expression, keys, result):
    document = guessing(expression)
    assert [issue for issue in validate(document, registry) if issue.severity == "error"] == []
    sim = await simulate(document, registry, SimulationInput(keys=[keys]))
    assert sim.result.variables["result"] == result


async def test_a_text_that_is_no_number_is_a_named_failure_in_the_trace(registry):
    document = guessing("caller_name > points")
    sim = await simulate(document, registry, SimulationInput(keys=["5#"], caller_name="Ann"))
    failure = next(e for step in sim.result.steps for e in step.events if e.get("kind") == "failure")
    assert (failure["code"], failure["reason"], failure["value"]) == ("template_failed", "not_a_number", "'Ann'")
