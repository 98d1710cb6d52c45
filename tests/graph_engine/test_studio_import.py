"""Twilio Studio flow exports converted to scenario documents (graph_engine.studio_import): a team leaving Studio
for its own Asterisk got only schema errors for its export (review, 2026-12)."""

from __future__ import annotations

import asyncio
import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from graph_engine.issues import Severity
from graph_engine.registry import BlockRegistry
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.studio_import import StudioFlowError, convert_studio_flow, is_studio_flow
from graph_engine.validation import validate

FIXTURE = Path(__file__).parents[1] / "fixtures" / "studio" / "support-line.json"


@pytest.fixture
def studio_flow() -> dict[str, Any]:
    return dict(json.loads(FIXTURE.read_text(encoding="utf-8")))


def _node(document: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(node for node in document["nodes"] if node["id"] == node_id)


def _errors(document: dict[str, Any], registry: BlockRegistry) -> list[str]:
    return [f"{i.code} {i.path}: {i.message}" for i in validate(document, registry) if i.severity is Severity.ERROR]


def test_a_studio_export_is_told_from_a_scenario(studio_flow: dict[str, Any], load_example: Any) -> None:
    assert is_studio_flow(studio_flow)
    assert not is_studio_flow(load_example("inbound-hotline"))
    assert not is_studio_flow([1, 2])


def test_the_support_line_converts_to_a_scenario_that_validates(
    studio_flow: dict[str, Any], registry: BlockRegistry
) -> None:
    document, _report = convert_studio_flow(studio_flow)
    assert _errors(document, registry) == []
    assert document["name"] == "Acme support line"
    assert document["language"] == "en-US"
    types = {node["id"]: node["type"] for node in document["nodes"]}
    assert types["Trigger"] == "start"
    assert types["greeting"] == "say_phrase"
    assert types["main_menu"] == "ivr"
    assert types["connect_sales"] == "transfer"
    assert types["remember_caller"] == "set_variable"
    assert "route_menu" not in types  # the split on the menu's digits became the menu's keys
    assert _node(document, "greeting")["position"] == {"x": 40, "y": 200}


def test_the_gather_and_its_split_become_a_menu(studio_flow: dict[str, Any]) -> None:
    document, _ = convert_studio_flow(studio_flow)
    menu = _node(document, "main_menu")["config"]
    assert menu["mode"] == "menu"
    assert [option["key"] for option in menu["options"]] == ["1", "2"]
    assert menu["prompt"]["text"].startswith("Hello {{ customer_name }}.")
    exits = {(e["source"], e["exit"]): e["target"] for e in document["edges"]}
    assert exits[("main_menu", "1")] == "connect_sales"
    assert exits[("main_menu", "2")] == "opening_hours"
    assert exits[("main_menu", "invalid")] == "goodbye"  # Studio's noMatch
    assert exits[("main_menu", "no_input")] == "goodbye"  # the gather's timeout


def test_studio_paths_and_liquid_become_variables_and_jinja(studio_flow: dict[str, Any]) -> None:
    document, _ = convert_studio_flow(studio_flow)
    assert _node(document, "greeting")["config"]["text"].endswith("from {{ caller_id }}.")
    assignments = _node(document, "remember_caller")["config"]["assignments"]
    assert assignments[0]["variable"] == "customer_name"
    assert assignments[0]["value"] == "{{ crm_lookup_parsed_name | default('friend') | upper }}"
    assert assignments[1]["value"] == "{{ caller_id }}"
    transfer = _node(document, "connect_sales")["config"]
    assert transfer == {"target": "+15551230000", "timeout": 30}  # the caller's number, as Studio showed


def test_key_1_reaches_the_transfer(studio_flow: dict[str, Any], registry: BlockRegistry) -> None:
    document, _ = convert_studio_flow(studio_flow)
    run = asyncio.run(simulate(document, registry, SimulationInput(keys=["1"], transfers=["answered"])))
    visited = run.result.path
    assert visited[-1] == "connect_sales", run.story
    assert any(event.op == "transfer" and event.detail.get("target") == "+15551230000" for event in run.channel_events)
    assert run.said()[0] == "Thanks for calling Acme. You are calling from +34600000000."


def test_key_2_hears_the_hours_and_hangs_up(studio_flow: dict[str, Any], registry: BlockRegistry) -> None:
    document, _ = convert_studio_flow(studio_flow)
    run = asyncio.run(simulate(document, registry, SimulationInput(keys=["2"])))
    assert run.said()[-2:] == ["We are open from nine to five, Monday to Friday.", "Goodbye."]
    assert run.result.path[-1] == "end"


def test_the_report_names_each_state_not_converted_or_approximated(studio_flow: dict[str, Any]) -> None:
    document, report = convert_studio_flow(studio_flow)
    http = [line for line in report if "crm_lookup" in line]
    assert http and "make-http-request" in http[0] and "not converted" in http[0]
    placeholder = _node(document, "crm_lookup")
    assert placeholder["type"] == "set_variable"
    assert "https://crm.example.com/lookup" in placeholder["notes"]
    assert document["meta"]["studio_import"]["report"] == report


def test_a_split_on_numbers_becomes_conditions(studio_flow: dict[str, Any], registry: BlockRegistry) -> None:
    flow = copy.deepcopy(studio_flow)
    split = next(state for state in flow["states"] if state["name"] == "route_menu")
    split["transitions"][1]["conditions"] = [
        {"friendly_name": "big", "arguments": ["{{flow.variables.amount}}"], "type": "greater_than", "value": "100"}
    ]
    split["properties"]["input"] = "{{flow.variables.amount}}"
    document, _ = convert_studio_flow(flow)
    assert _errors(document, registry) == []
    kinds = [node["type"] for node in document["nodes"] if node["id"].startswith("route_menu")]
    assert "condition" in kinds
    run = asyncio.run(simulate(document, registry, SimulationInput(keys=["7"], variables={"amount": "250"})))
    assert "connect_sales" in run.result.path, run.story


@pytest.mark.parametrize(
    ("flow", "said"),
    [
        ({"states": "nope", "initial_state": "Trigger"}, "$.states"),
        ({"states": [{"type": "say-play"}], "initial_state": "Trigger"}, "$.states[0].name"),
        (
            {
                "states": [
                    {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "x"}]}
                ],
                "initial_state": "Trigger",
            },
            "no state is named 'x'",
        ),
        ({"states": [{"name": "a", "type": "say-play"}], "initial_state": "Trigger"}, "no state is named 'Trigger'"),
    ],
)
def test_garbage_that_looks_like_studio_is_refused_plainly(flow: dict[str, Any], said: str) -> None:
    assert is_studio_flow(flow)
    with pytest.raises(StudioFlowError) as refused:
        convert_studio_flow(flow)
    assert said in str(refused.value)
    assert "Twilio Studio" in str(refused.value)
    assert refused.value.problems


def test_settings_studio_writes_as_text_or_leaves_odd_are_read_or_defaulted(
    studio_flow: dict[str, Any], registry: BlockRegistry
) -> None:
    flow = copy.deepcopy(studio_flow)
    for state in flow["states"]:
        state["properties"] |= {"timeout": "auto", "loop": None, "number_of_digits": "x"}
        state["properties"].pop("offset")
    document, _ = convert_studio_flow(flow)
    assert _errors(document, registry) == []
    assert _node(document, "main_menu")["config"]["timeout"] == 5


_JUNK: list[Any] = [None, 1, "x", [], {}, [1], {"a": 1}, True, -3.5, "{{", "{{widgets.x.Digits}}", "1,2", "99999"]


def _mutated(value: Any, rate: float, chance: random.Random) -> Any:
    if isinstance(value, dict):
        return {
            k: chance.choice(_JUNK) if chance.random() < rate else _mutated(v, rate, chance) for k, v in value.items()
        }
    if isinstance(value, list):
        return [chance.choice(_JUNK) if chance.random() < rate else _mutated(v, rate, chance) for v in value]
    return value


def test_a_mangled_export_is_converted_or_refused_never_anything_else(studio_flow: dict[str, Any]) -> None:
    """Any export an import is sent either converts or raises StudioFlowError (a 422), never another exception (a
    500): a list where a state's `next` was made the converter raise TypeError before this test."""
    chance = random.Random(20261207)
    for _ in range(1500):
        try:
            convert_studio_flow(_mutated(studio_flow, chance.choice([0.03, 0.1, 0.3]), chance))
        except StudioFlowError:
            pass


def test_the_conditions_of_a_split_take_ids_no_state_has(studio_flow: dict[str, Any], registry: BlockRegistry) -> None:
    flow = copy.deepcopy(studio_flow)
    split = next(state for state in flow["states"] if state["name"] == "route_menu")
    for transition in split["transitions"][1:]:
        transition["conditions"][0]["type"] = "matches_any_of"
    split["properties"]["input"] = "{{flow.variables.choice}}"  # no longer the menu's digits: a split of its own
    next(state for state in flow["states"] if state["name"] == "goodbye")["name"] = "route_menu_2"
    for state in flow["states"]:
        for transition in state.get("transitions", []):
            if transition.get("next") == "goodbye":
                transition["next"] = "route_menu_2"
    document, _ = convert_studio_flow(flow)
    ids = [node["id"] for node in document["nodes"]]
    assert len(ids) == len(set(ids))
    assert _errors(document, registry) == []
