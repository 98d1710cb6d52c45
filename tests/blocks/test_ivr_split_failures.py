"""The IVR's opt-in split of its last failed try (`split_failures`): `no_input` when no try got a key, `invalid`
when at least one got a wrong one, in place of the single `max_tries` exit.

Review of an appointment-reminder autoinformer ("Pulse 1 para confirmar, 2 para cancelar"): after the last failed
try the scenario could not tell a callee who never pressed anything (nobody listening, an answering machine:
report "no answer") from one who pressed wrong keys (report "invalid key")."""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine.scenario_tests import run_scenario_tests
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.validation import validate
from tests.agi_server.conftest import call
from tests.conftest import make_document
from tests.fakes.asterisk import CallerScript

MENU = {"prompt": {"text": "Pulse 1 para confirmar"}, "options": [{"key": "1"}], "max_tries": 2}
CAPTURE = {"mode": "capture", "prompt": {"text": "Su número"}, "variable": "account", "min_length": 4,
           "max_length": 8, "max_tries": 2}  # fmt: skip
SPLIT = {"split_failures": True}


def menu_document(config: dict[str, Any], *failure_exits: str) -> dict[str, Any]:
    """Start -> the IVR "menu", its key 1 (menu mode) or `next` (capture) and `failure_exits` each to a Hang Up
    of the exit's name."""
    first = "next" if config.get("mode") == "capture" else "1"
    exits = [first, *failure_exits]
    nodes = [{"id": "start", "type": "start"}, {"id": "menu", "type": "ivr", "label": "Confirm?", "config": config}]
    nodes += [{"id": f"after_{name}", "type": "hangup"} for name in exits]
    edges = [("start", "next", "menu"), *(("menu", name, f"after_{name}") for name in exits)]
    return make_document(nodes, edges)


async def exit_taken(registry, config: dict[str, Any], given: SimulationInput) -> str | None:
    simulation = await simulate(menu_document(config), registry, given)
    return next(step.exit for step in simulation.result.steps if step.node == "menu")


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["-", "-"], "no_input"),
        (["9", "9"], "invalid"),
        (["9", "-"], "invalid"),  # a wrong key, then silence: someone was there
        (["-", "9"], "invalid"),
        (["-", "1"], "1"),  # a valid key still takes its own exit
    ],
)
async def test_a_split_menu_tells_silence_from_wrong_keys(registry, keys, expected):
    assert await exit_taken(registry, {**MENU, **SPLIT}, SimulationInput(keys=keys)) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["-", "-"], "no_input"),
        (["#", "-"], "no_input"),  # the terminator alone: an empty entry, told as no input (its prompt too)
        (["12#", "-"], "invalid"),  # too short
        (["-", "123456789#"], "invalid"),  # too long
        (["-", "1234#"], "next"),
    ],
)
async def test_a_split_capture_tells_silence_from_invalid_entries(registry, keys, expected):
    assert await exit_taken(registry, {**CAPTURE, **SPLIT}, SimulationInput(keys=keys)) == expected


@pytest.mark.parametrize("keys", [["-", "-"], ["9", "9"], ["9", "-"]])
@pytest.mark.parametrize("config", [MENU, CAPTURE, {**MENU, "split_failures": False}], ids=["menu", "capture", "off"])
async def test_without_the_option_every_failure_is_max_tries_as_before(registry, config, keys):
    assert await exit_taken(registry, config, SimulationInput(keys=keys)) == "max_tries"


async def test_keys_at_moments_on_the_line_reach_both_exits(registry):
    """Each try plays its 2 s prompt and listens 5 s: a wrong key in the second try (from 7 s) is `invalid`."""
    config = {**MENU, **SPLIT, "timeout": 5}
    assert await exit_taken(registry, config, SimulationInput(timed_keys=[])) == "no_input"
    assert await exit_taken(registry, config, SimulationInput(timed_keys=[(10.0, "9")])) == "invalid"


def test_the_exits_follow_the_option(registry):
    ivr = registry.get("ivr")
    assert ivr.exits(MENU) == ["1", "max_tries"]
    assert ivr.exits({**MENU, **SPLIT}) == ["1", "no_input", "invalid"]
    assert ivr.exits({**CAPTURE, **SPLIT}) == ["next", "no_input", "invalid"]
    assert [ivr.exit_label(SPLIT, name) for name in ("no_input", "invalid")] == ["Nothing pressed", "Wrong keys"]
    # The input is stored only when it was valid.
    assert ivr.variables_written_on({**CAPTURE, **SPLIT}, "no_input") == set()
    assert ivr.variables_written_on({**CAPTURE, **SPLIT}, "invalid") == set()
    assert ivr.variables_written_on({**CAPTURE, **SPLIT}, "next") == {"account"}


@pytest.mark.parametrize(
    ("config", "wired", "stray"),
    [
        (MENU, ("no_input",), "no_input"),
        (MENU, ("invalid",), "invalid"),
        ({**MENU, **SPLIT}, ("max_tries",), "max_tries"),
    ],
)
def test_wiring_an_exit_the_option_does_not_give_is_an_error_naming_node_and_exit(registry, config, wired, stray):
    issues = [issue for issue in validate(menu_document(config, *wired), registry) if issue.code == "unknown_exit"]
    assert [(issue.node, issue.params["exit"], str(issue.severity)) for issue in issues] == [("menu", stray, "error")]
    assert f'has no exit "{stray}"' in issues[0].message and "Confirm?" in issues[0].message


def test_a_split_menu_with_both_exits_wired_is_valid_and_one_unwired_is_told(registry):
    assert validate(menu_document({**MENU, **SPLIT}, "no_input", "invalid"), registry) == []
    (unwired,) = validate(menu_document({**MENU, **SPLIT}, "no_input"), registry)
    assert (unwired.code, unwired.node, unwired.params["exit"]) == ("unwired_exit", "menu", "invalid")
    assert "Wrong keys leads nowhere" in unwired.message


async def test_the_story_tells_each_try_and_the_exit(registry):
    document = menu_document({**MENU, **SPLIT}, "no_input", "invalid")
    wrong_then_silent = await simulate(document, registry, SimulationInput(keys=["9", "-"]))
    silent = await simulate(document, registry, SimulationInput(keys=["-", "-"]))
    told = [next(line for line in sim.story if "Confirm?" in line) for sim in (wrong_then_silent, silent)]
    assert told[0].endswith("wrong key 9; no key pressed -> invalid")
    assert told[1].endswith("no key pressed; no key pressed -> no_input")


async def test_scenario_tests_follow_each_exit_by_the_callers_keys(registry):
    document = menu_document({**MENU, **SPLIT}, "no_input", "invalid")
    tests = [
        {"name": "silent", "keys": ["-", "-"], "expect": {"path": ["start", "menu", "after_no_input"]}},
        {"name": "wrong", "keys": ["9", "-"], "expect": {"path": ["start", "menu", "after_invalid"]}},
        {"name": "mistaken", "keys": ["9", "9"], "expect": {"path": ["start", "menu", "after_no_input"]}},
    ]
    silent, wrong, mistaken = await run_scenario_tests(document, tests, registry)
    assert (silent.passed, wrong.passed, mistaken.passed) == (True, True, False)
    assert {"scenario": None, "node": "menu", "exit": "invalid"} in wrong.steps


@pytest.mark.parametrize(
    ("keys", "exit_name", "path_end", "result"),
    [
        (["-", "-"], "no_input", ["menu", "end_silent"], "no_response"),
        (["9", "-"], "invalid", ["menu", "wrong_keys", "end_invalid"], "invalid_key"),
    ],
)
async def test_the_reminder_over_agi_reports_no_answer_apart_from_an_invalid_key(
    start_server, records, keys, exit_name, path_end, result
):
    """Over real TCP, the example autoinformer's menu (examples/appointment-confirmation.json) hears GET DATA time
    out twice, or a 9 then a timeout, and the call record says which: its `result` and the menu's exit."""
    server = await start_server()
    await call(server, "appointment-confirmation", CallerScript(keys=keys), time_scale=0.001)
    await server.stop()
    (record,) = records.records
    steps = record.trace["steps"]
    assert [step["node"] for step in steps][-len(path_end) :] == path_end
    assert next(step["exit"] for step in steps if step["node"] == "menu") == exit_name
    assert record.trace["variables"]["result"] == result
