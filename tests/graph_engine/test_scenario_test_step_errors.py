"""A failing test says the errors its call's blocks recorded: a call that took an error exit and went on looked, in
the failures alone, like one that took a wrong turn.

QA review: `ivrgraph test` printed only `path was [... 'oops' ...]`; why the call went to `oops` was in the story,
shown with `-v` only.
"""

from __future__ import annotations

from typing import Any

from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests
from tests.conftest import make_document

HELLO_FAILED = "block 'hello' (say_phrase) took its error exit: unknown variable: 'client_name' is undefined"


def greeting() -> dict[str, Any]:
    """Greets the client by name; the greeting's error exit leads to an apology (`oops`)."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "hello", "type": "say_phrase", "config": {"text": "Hola {{ client_name }}"}},
            {"id": "oops", "type": "say_phrase", "config": {"text": "Lo sentimos"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "hello"), ("hello", "next", "bye"), ("hello", "error", "oops"), ("oops", "next", "bye")],
    )


async def test_a_failing_test_names_the_block_that_took_its_error_exit_and_why(registry: BlockRegistry) -> None:
    test = {"name": "greets", "expect": {"path": ["start", "hello", "bye"]}}

    (outcome,) = await run_scenario_tests(greeting(), [test], registry)

    assert outcome.failures == [
        "path was ['start', 'hello', 'oops', 'bye'], expected ['start', 'hello', 'bye']: differs at step 3: "
        "expected 'bye', it went to 'oops'",
        HELLO_FAILED,
    ]


async def test_a_passing_test_of_the_error_branch_says_nothing(registry: BlockRegistry) -> None:
    test = {"name": "apologises", "expect": {"path": ["start", "hello", "oops", "bye"]}}

    (outcome,) = await run_scenario_tests(greeting(), [test], registry)

    assert (outcome.passed, outcome.failures) == (True, [])


async def test_the_error_of_a_call_that_failed_is_said_once(registry: BlockRegistry) -> None:
    document = greeting()
    document["edges"] = [edge for edge in document["edges"] if edge["exit"] != "error"]
    test = {"name": "greets", "expect": {"said": ["Hola"]}}

    (outcome,) = await run_scenario_tests(document, [test], registry)

    assert outcome.failures == [
        "the call failed: block 'hello' (say_phrase) took its error exit, which leads nowhere: unknown variable: "
        "'client_name' is undefined; a test of a call that fails says so: expect.outcome \"failed\"",
        "never said 'Hola' (said: '')",
    ]


async def test_an_error_exit_the_test_forced_is_not_reported_as_an_error(registry: BlockRegistry) -> None:
    document = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "sms", "type": "send_sms", "config": {"text": "Su cita es el lunes"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "sms"), ("sms", "error", "bye")],
    )
    test = {"name": "t", "caller_id": "+34600111222", "exits": {"sms": "error"}, "expect": {"callbacks": 1}}

    (outcome,) = await run_scenario_tests(document, [test], registry)

    assert outcome.failures == ["0 callback(s) scheduled, expected 1"]
