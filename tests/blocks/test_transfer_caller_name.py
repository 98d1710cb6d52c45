# ruff: noqa: RUF001  -- the clients' names are Cyrillic on purpose
"""The Transfer block's "Caller name shown": validation, and what a test call shows it set.

Review of a Russian contact centre: '"Иванов" <+74951234567>' as the caller ID shown was refused, and the template
'"{{ contact.name }}" <{{ caller_id }}>' failed every call; the operator's screen is to show the client's name, as
Oktell puts it there. The name has a field of its own, templated like the number.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine.registry import BlockRegistry
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.validation import validate
from tests.blocks.test_builtin import flow

CONTACT = {"contact": {"name": "Иванов Иван Иванович"}}


def _transfer(**config: Any) -> dict[str, Any]:
    return flow({"id": "t", "type": "transfer", "label": "Operator", "config": {"target": "PJSIP/101", **config}})


def _problems(registry: BlockRegistry, **config: Any) -> list[tuple[str, str | None]]:
    """The node's errors (warnings, e.g. a variable nothing in this small flow sets, are left out)."""
    return [(i.code, i.path) for i in validate(_transfer(**config), registry) if i.severity == "error"]


@pytest.mark.parametrize(
    "name",
    [
        "Иванов",
        '"Иванов" ООО "Ромашка", (VIP) ${x} \\',  # any text is a name: the channel escapes it, Asterisk stores it
        "{{ contact.name }}",
        "{{ contact.name }} ({{ contact.segment | default('new') }})",
        "{% if vip %}VIP {% endif %}{{ contact.name | upper }}",
        "Я" * 200,  # longer than is shown: cut when the call sets it, not refused
    ],
)
def test_a_literal_name_or_a_template_passes_validation(registry: BlockRegistry, name: str) -> None:
    assert _problems(registry, caller_id="+74951234567", caller_name=name) == []


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"caller_name": "{{ contact.name "}, ("template_syntax", "$.nodes[1].config.caller_name")),
        ({"caller_name": "Я" * 201}, ("config", "$.nodes[1].config.caller_name")),
        ({"caller_name": 7}, ("config", "$.nodes[1].config.caller_name")),
        # The review's two attempts in the number field: refused at validation, pointing to the name field.
        ({"caller_id": '"Иванов" <+74951234567>'}, ("transfer_bad_caller_id", "$.nodes[1].config.caller_id")),
        (
            {"caller_id": '"{{ contact.name }}" <{{ caller_id }}>'},
            ("transfer_bad_caller_id", "$.nodes[1].config.caller_id"),
        ),
    ],
)
def test_a_bad_name_or_a_name_in_the_number_field_is_refused(
    registry: BlockRegistry, config: dict[str, Any], problem: tuple[str, str]
) -> None:
    assert _problems(registry, **config) == [problem]


def test_the_number_field_says_where_the_name_goes(registry: BlockRegistry) -> None:
    (issue,) = [i for i in validate(_transfer(caller_id='"Иванов" <+74951234567>'), registry) if i.severity == "error"]
    assert issue.message == (
        'Transfer "Operator": caller ID \'"Иванов" <+74951234567>\' is not a phone number (a name goes in '
        '"Caller name shown")'
    )


@pytest.mark.parametrize("number", ["+74951234567", "{{ caller_id }}", "+7{{ typed }}", "{{ a }}{{ b }}"])
def test_a_number_template_still_passes(registry: BlockRegistry, number: str) -> None:
    assert _problems(registry, caller_id=number) == []


async def test_a_test_call_shows_the_name_and_number_it_sets(registry: BlockRegistry) -> None:
    document = _transfer(caller_id="+74951234567", caller_name="{{ contact.name }}")
    sim = await simulate(document, registry, SimulationInput(variables=CONTACT, transfers=["busy"]))
    (event,) = [e for e in sim.result.steps[1].events if e["kind"] == "transfer"]
    assert event["caller_name"] == "Иванов Иван Иванович" and event["caller_id"] == "+74951234567"
    (dialled,) = [e for e in sim.channel_events if e.op == "transfer"]
    assert dialled.detail["caller_name"] == "Иванов Иван Иванович"
    assert any('dialed PJSIP/101 showing "Иванов Иван Иванович" <+74951234567>: busy' in line for line in sim.story), (
        sim.story
    )


async def test_a_test_call_shows_the_name_cleaned_and_cut(registry: BlockRegistry) -> None:
    name = "Иванов\nИван\u202e " + "Я" * 100
    sim = await simulate(_transfer(caller_name=name), registry, SimulationInput(transfers=["answered"]))
    (dialled,) = [e for e in sim.channel_events if e.op == "transfer"]
    assert dialled.detail["caller_name"] == ("Иванов Иван " + "Я" * 100)[:50]
    assert sim.result.steps[1].exit == "answered"


@pytest.mark.parametrize(
    ("variables", "why"),
    [({"contact": {"name": " \n "}}, None), ({}, "unknown variable: 'contact' is undefined")],
)
async def test_a_name_that_renders_empty_or_not_at_all_is_not_set_and_the_call_goes_through(
    registry: BlockRegistry, variables: dict[str, Any], why: str | None
) -> None:
    """A lookup that found nobody: the operator sees the caller's own name, and the caller still gets through."""
    document = _transfer(caller_name="{{ contact.name }}")
    sim = await simulate(document, registry, SimulationInput(variables=variables, transfers=["answered"]))
    assert sim.result.steps[1].exit == "answered"
    (dialled,) = [e for e in sim.channel_events if e.op == "transfer"]
    assert dialled.detail["caller_name"] is None
    (event,) = [e for e in sim.result.steps[1].events if e["kind"] == "transfer"]
    assert "caller_name" not in event and event.get("caller_name_unset") == why
    if why:
        assert any(f"(caller name not set: {why})" in line for line in sim.story), sim.story
