"""Sensitive variables in the engine (graph_engine.sensitive): every value the call's record keeps of a variable the
scenario declares `sensitive` is its mask, with its length; the call itself runs on the real value, and so do a
scenario test's expectations (its values are the author's, not a caller's)."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from graph_engine.document import parse_document
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests
from graph_engine.sensitive import mask, masked_variables, scrub
from graph_engine.simulation import SimulationInput, SimulationResult, simulate
from tests.conftest import make_document

PIN, ACCOUNT = "4321", "123456789"
ROWS = {"bank": [{"name": "María", "balance": 1532.75, "dob": "1980-02-29"}]}


def _capture(node: str, variable: str, prompt: str, length: tuple[int, int] = (4, 12)) -> dict[str, Any]:
    return {
        "id": node,
        "type": "ivr",
        "config": {
            "mode": "capture",
            "prompt": {"text": prompt},
            "variable": variable,
            "min_length": length[0],
            "max_length": length[1],
        },
    }


def _bank(*extra: dict[str, Any], edges: list[tuple[str, str, str]] | None = None, **document: Any) -> dict[str, Any]:
    """Account and PIN captured, looked up, the balance said; `extra` nodes after the saying, in order."""
    nodes = [
        {"id": "start", "type": "start"},
        _capture("account", "account", "Cuenta"),
        _capture("pin", "pin", "PIN", (4, 4)),
        {
            "id": "lookup",
            "type": "sql",
            "config": {
                "source": "bank",
                "query": "SELECT name, balance, dob FROM accounts WHERE account = :account AND pin = :pin",
                "columns": {"name": "client_name", "balance": "balance", "dob": "dob"},
                "rows_variable": "rows",
            },
        },
        {"id": "say", "type": "say_phrase", "config": {"text": "Hola {{ client_name }}, debe {{ balance }} euros"}},
        *extra,
    ]
    chain = ["start", "account", "pin", "lookup", "say", *(node["id"] for node in extra)]
    exits = {"lookup": "found", "cond": "true"}
    wired = [(a, exits.get(a, "next"), b) for a, b in itertools.pairwise(chain)]
    variables = document.pop(
        "variables",
        [
            {"name": "account", "sensitive": True},
            {"name": "pin", "sensitive": True},
            {"name": "balance", "type": "number", "sensitive": True},
            {"name": "dob", "type": "date", "sensitive": True},
            {"name": "client_name"},
        ],
    )
    return make_document(nodes, edges if edges is not None else wired, variables=variables, **document)


async def _call(registry: BlockRegistry, document: dict[str, Any], keys: list[str], **inputs: Any) -> SimulationResult:
    return await simulate(document, registry, SimulationInput(keys=keys, data_rows=ROWS, **inputs))


def _record(simulation: SimulationResult) -> str:
    """All the call's record holds (trace, variables, story, what the test call answers), as text."""
    return json.dumps({"call": simulation.as_dict(), "story": simulation.story}, ensure_ascii=False)


def test_a_mask_tells_the_length_and_nothing_else() -> None:
    assert mask(PIN) == "[hidden: 4 characters]"
    assert mask("7") == "[hidden: 1 character]"
    assert mask(1532.75) == "[hidden: 7 characters]"
    assert mask(42) == "[hidden: 2 characters]"
    assert mask([1, 2]) == "[hidden: 2 items]"
    assert mask({"name": "x"}) == "[hidden: 1 field]"
    assert mask(True) == "[hidden]"
    assert mask(None) is None  # "never set" holds nothing of the caller's
    assert masked_variables({"pin": PIN, "x": 1}, {"pin", "absent"}) == {"pin": "[hidden: 4 characters]", "x": 1}
    assert scrub(f"could not convert {PIN}x", {"pin": PIN}, {"pin"}) == "could not convert [hidden: 4 characters]x"
    assert scrub("line 1 of 12", {"pin": "1"}, {"pin"}) == "line 1 of 12"  # too short to hide: left readable


async def test_keys_variables_and_the_final_variables_keep_masks(registry: BlockRegistry) -> None:
    simulation = await _call(registry, _bank(), [f"{ACCOUNT}#", "43#", PIN])
    steps = {step.node: step for step in simulation.result.steps}
    assert steps["lookup"].exit == "found"
    assert steps["account"].keys == "[hidden: 9 characters]#"
    assert steps["pin"].keys == "[hidden: 2 characters]#[hidden: 4 characters]"  # the short try tells its length
    invalid = [event for event in steps["pin"].events if event["kind"] == "invalid"]
    assert invalid == [
        {"kind": "invalid", "attempt": 1, "keys": "[hidden: 2 characters]", "terminator": "#", "reason": "too_short"}
    ]
    assert steps["account"].variables_changed == {"account": "[hidden: 9 characters]"}
    assert steps["pin"].variables_changed == {"pin": "[hidden: 4 characters]"}
    # The rows hold what the sensitive columns give: hidden with them.
    assert steps["lookup"].variables_changed == {
        "rows": "[hidden: 1 item]",
        "client_name": "María",
        "balance": "[hidden: 7 characters]",
        "dob": "[hidden: 10 characters]",
    }
    final = simulation.result.variables
    assert (final["account"], final["pin"], final["client_name"]) == (
        "[hidden: 9 characters]",
        "[hidden: 4 characters]",
        "María",
    )
    record = _record(simulation)
    for secret in (PIN, ACCOUNT, "1532", "1980-02-29"):
        assert secret not in record
    assert "caller pressed [hidden: 4 characters]; pin = '[hidden: 4 characters]'" in " ".join(simulation.story)
    # The call ran on the real values: the data source was asked with them, and they are what the call holds.
    [(_, _, params)] = simulation.queries
    assert params == {"account": ACCOUNT, "pin": PIN}
    assert (simulation.variables["pin"], simulation.variables["balance"]) == (PIN, 1532.75)


async def test_a_phrase_saying_a_sensitive_value_is_traced_with_its_mask(registry: BlockRegistry) -> None:
    """The trace keeps what was said, rendered again over the masks: the rest of the phrase stays readable. The
    audio's name is a hash of the text said, which the PIN's ten thousand candidates would find: it goes too."""
    say_pin = {"id": "pin_back", "type": "say_phrase", "config": {"text": "Su PIN es {{ pin }}, {{ client_name }}"}}
    simulation = await _call(registry, _bank(say_pin), [f"{ACCOUNT}#", PIN])
    said = {step.node: step.prompts for step in simulation.result.steps}
    assert said["say"] == [
        {"audio": "[hidden]", "text": "Hola María, debe [hidden: 7 characters] euros", "language": "es"}
    ]
    assert said["pin_back"][0]["text"] == "Su PIN es [hidden: 4 characters], María"
    assert said["account"][0]["audio"] != "[hidden]"  # a phrase with nothing sensitive is noted as it was
    # What the caller heard was the real phrase.
    assert "Su PIN es 4321, María" in simulation.said()
    assert PIN not in _record(simulation)


async def test_a_phrase_whose_filter_cannot_take_a_mask_is_traced_as_its_template(registry: BlockRegistry) -> None:
    money = {"id": "sum", "type": "say_phrase", "config": {"text": "Son {{ '%.1f' | format(balance) }} euros"}}
    simulation = await _call(registry, _bank(money), [f"{ACCOUNT}#", PIN])
    [prompt] = simulation.result.steps[-1].prompts
    assert prompt["text"] == "Son {{ '%.1f' | format(balance) }} euros"
    assert simulation.said()[-1] == "Son 1532.8 euros"


async def test_what_is_made_of_a_sensitive_value_is_hidden_too(registry: BlockRegistry) -> None:
    """A Condition's values read, a Switch's value, a Set Variable's copy: all noted as masks. A yes/no worked out
    from it stays readable: a decision, which the analyst needs, not the value."""
    nodes = [
        {"id": "cond", "type": "condition", "config": {"expression": "pin | length == 4 and client_name"}},
        {
            "id": "set",
            "type": "set_variable",
            "config": {
                "assignments": [
                    {"variable": "last_digits", "value": "{{ account[-4:] }}"},
                    {"variable": "pin_ok", "value": "pin | length == 4", "mode": "expression"},
                ]
            },
        },
        {"id": "sw", "type": "switch", "config": {"value": "last_digits", "cases": [{"exit": "a", "equals": "6789"}]}},
        {"id": "echo", "type": "say_phrase", "config": {"text": "Termina en {{ last_digits }}"}},
    ]
    edges = [
        ("start", "next", "account"),
        ("account", "next", "pin"),
        ("pin", "next", "lookup"),
        ("lookup", "found", "say"),
        ("say", "next", "cond"),
        ("cond", "true", "set"),
        ("set", "next", "sw"),
        ("sw", "a", "echo"),
    ]
    simulation = await _call(registry, _bank(*nodes, edges=edges), [f"{ACCOUNT}#", PIN])
    steps = {step.node: step for step in simulation.result.steps}
    [checked] = steps["cond"].events
    assert checked["read"] == {"pin": "[hidden: 4 characters]", "client_name": "María"}
    assert steps["set"].variables_changed == {"last_digits": "[hidden: 4 characters]", "pin_ok": True}
    assert [(e["value"], e["case"]) for e in steps["sw"].events] == [("[hidden: 4 characters]", "a")]
    assert steps["echo"].prompts[0]["text"] == "Termina en [hidden: 4 characters]"
    assert simulation.result.variables["last_digits"] == "[hidden: 4 characters]"
    assert "6789" not in _record(simulation) and simulation.variables["last_digits"] == "6789"


async def test_a_failure_quoting_a_sensitive_value_is_recorded_without_it(registry: BlockRegistry) -> None:
    """An expression's error quotes what it failed on ("'123456789' is not in list"): the step's error, its failure
    event and the call's error keep the mask instead."""
    failing = {"variable": "n", "value": "[1, 2].index(account)", "mode": "expression"}
    broken = {"id": "calc", "type": "set_variable", "config": {"assignments": [failing]}}
    simulation = await _call(registry, _bank(broken), [f"{ACCOUNT}#", PIN])
    step = simulation.result.steps[-1]
    assert (step.node, step.exit) == ("calc", "error")
    assert step.error == "expression failed: '[hidden: 9 characters]' is not in list"
    [failure] = [event for event in step.events if event["kind"] == "failure"]
    assert failure["detail"] == "'[hidden: 9 characters]' is not in list"
    assert ACCOUNT not in _record(simulation) and ACCOUNT not in (simulation.result.error or "x")


async def test_go_to_scenario_keeps_what_either_scenario_declares_sensitive(registry: BlockRegistry) -> None:
    """The entered scenario declares nothing, but the PIN it says is the caller's all the same; and what it
    declares is hidden from then on."""
    entered = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "ask", "type": "ivr", "config": {"mode": "capture", "prompt": {"audio": "x"}, "variable": "dob"}},
            {"id": "echo", "type": "say_phrase", "config": {"text": "PIN {{ pin }}"}},
        ],
        [("start", "next", "ask"), ("ask", "next", "echo")],
        name="entered",
        variables=[{"name": "dob", "sensitive": True}],
    )
    first = make_document(
        [
            {"id": "start", "type": "start"},
            _capture("pin", "pin", "PIN", (4, 4)),
            {"id": "go", "type": "goto_scenario", "config": {"scenario": "entered"}},
        ],
        [("start", "next", "pin"), ("pin", "next", "go")],
        variables=[{"name": "pin", "sensitive": True}],
    )
    simulation = await simulate(
        first, registry, SimulationInput(keys=[PIN, "19800229#"], scenarios={"entered": entered})
    )
    steps = {step.node: step for step in simulation.result.steps}
    assert steps["echo"].prompts[0]["text"] == "PIN [hidden: 4 characters]"
    assert steps["ask"].keys == "[hidden: 8 characters]#"
    assert "19800229" not in _record(simulation) and PIN not in _record(simulation)


async def test_a_scenario_with_nothing_sensitive_is_recorded_as_before(registry: BlockRegistry) -> None:
    document = _bank(variables=[{"name": "client_name"}])
    simulation = await _call(registry, document, [f"{ACCOUNT}#", PIN])
    steps = {step.node: step for step in simulation.result.steps}
    assert steps["pin"].keys == PIN and steps["pin"].variables_changed == {"pin": PIN}
    assert steps["say"].prompts[0]["text"] == "Hola María, debe 1532.75 euros"
    assert not parse_document(document).sensitive_variables


async def test_scenario_tests_compare_the_real_values(registry: BlockRegistry) -> None:
    """A test's keys and rows are written by the scenario's author: its expectations see what the call held and
    said, while the story it tells (shown to everyone) keeps the masks."""
    document = _bank()
    test = {
        "name": "balance",
        "keys": [f"{ACCOUNT}#", PIN],
        "data_rows": ROWS,
        "expect": {
            "variables": {"pin": PIN, "account": ACCOUNT, "balance": 1532.75},
            "said": ["debe 1532.75 euros"],
            "path": ["start", "account", "pin", "lookup", "say"],
        },
    }
    wrong = {**test, "name": "wrong pin", "expect": {"variables": {"pin": "0000"}}}
    passed, failed = await run_scenario_tests(document, [test, wrong], registry)
    assert passed.passed, passed.failures
    assert not failed.passed and failed.failures == ["variable pin was '4321', expected '0000'"]
    assert PIN not in " ".join(passed.story)


@pytest.mark.parametrize("sensitive", [True, False])
async def test_a_test_call_shows_a_callback_s_carried_sensitive_value_masked(
    registry: BlockRegistry, sensitive: bool
) -> None:
    document = make_document(
        [
            {"id": "start", "type": "start"},
            _capture("pin", "pin", "PIN", (4, 4)),
            {"id": "cb", "type": "callback", "config": {"scenario": "test", "variables": ["pin"], "delay_minutes": 0}},
        ],
        [("start", "next", "pin"), ("pin", "next", "cb")],
        variables=[{"name": "pin", "sensitive": sensitive}],
    )
    simulation = await simulate(document, registry, SimulationInput(keys=[PIN]))
    [callback] = simulation.as_dict()["callbacks"]
    assert callback["variables"] == {"pin": "[hidden: 4 characters]" if sensitive else PIN}
    assert simulation.callbacks[0].variables == {"pin": PIN}  # what the scheduler was given: the real value
