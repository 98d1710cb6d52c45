"""Each failure of a scenario test is data: a stable code, its params (JSON values) and the English text.

QA review: the designer is in English, Spanish and Russian, but a test's failures reached it as English sentences
only, with block ids where the canvas shows labels. Now each failure carries a code (one of `FailureCode`, listed in
docs/scenario-format.md) and the params its words are made of, so the designer can say it in the analyst's
language; the English text `ivrgraph test` prints is the one it always was (the other test_scenario_test* files
check those words).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from blocks import default_registry
from graph_engine import scenario_tests
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_test_failures import Failure, FailureCode, path_mismatch
from graph_engine.scenario_tests import run_scenario_tests
from tests.conftest import make_document

DOCS = Path(__file__).parents[2] / "docs" / "scenario-format.md"
EVENING = "2026-11-23T20:50:00+01:00"


class NotifyCrm(BlockType):
    """A plugin's block, which a test call does not run: a test forces its exit."""

    type = "notify_crm"
    title = "Notify CRM"
    category = "Connect"
    exit_rules: ClassVar[list[dict[str, Any]]] = [
        {"name": "sent", "label": "Sent"},
        {"name": "failed", "label": "Failed"},
    ]

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        raise AssertionError("a test call never runs a plugin's run")


@pytest.fixture(scope="module")
def plugins() -> BlockRegistry:
    registry = BlockRegistry.of([NotifyCrm])
    for block in default_registry():
        registry.register(type(block), origin="builtin")
    return registry


def menu() -> dict[str, Any]:
    """Press 2 for the operator (busy: sorry), 3 for an SMS; anything else ends the call."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "menu",
                "type": "ivr",
                "label": "Main menu",
                "config": {
                    "prompt": {"text": "Pulse 2 para hablar con un operador"},
                    "options": [{"key": "2", "label": "operator"}, {"key": "3", "label": "sms"}],
                    "max_tries": 1,
                },
            },
            {"id": "operator", "type": "transfer", "config": {"target": "200"}},
            {"id": "sms", "type": "notify_crm"},
            {"id": "sorry", "type": "say_phrase", "config": {"text": "Lo sentimos."}},
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "menu"),
            ("menu", "2", "operator"),
            ("menu", "3", "sms"),
            ("menu", "max_tries", "bye"),
            ("operator", "busy", "sorry"),
            ("sorry", "next", "bye"),
            ("sms", "sent", "bye"),
        ],
    )


def greeting(*, error_wired: bool) -> dict[str, Any]:
    """Greets a client whose name nothing sets: the phrase fails, its error exit wired to Hang Up or not."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "hello", "type": "say_phrase", "config": {"text": "Hola {{ client_name }}"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "hello"), ("hello", "next", "bye"), *([("hello", "error", "bye")] if error_wired else [])],
    )


def callback() -> dict[str, Any]:
    """Schedules a callback into follow-up, carrying `round`."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "later",
                "type": "callback",
                "config": {
                    "delay_minutes": 30,
                    "timezone": "Europe/Madrid",
                    "window": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "21:00"}],
                    "scenario": "follow-up",
                    "variables": ["round"],
                },
            },
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "later"), ("later", "scheduled", "bye"), ("later", "rejected", "bye")],
        variables=[{"name": "round", "type": "integer", "default": 1}],
    )


def broken() -> dict[str, Any]:
    """Not a scenario document at all: its call cannot run."""
    return {**menu(), "format": "ivrgraph.scenario/0"}


CALLER = {"caller_id": "+34600111222", "at": EVENING}

# A test for each failure: its scenario, the test, and the code the failure must carry with its params.
CASES: list[tuple[Any, dict[str, Any], FailureCode, dict[str, Any]]] = [
    (menu, {"keys": ["-"], "expect": {"path": ["start", "bye"]}}, FailureCode.PATH_MISMATCH,
     {"path": ["start", "menu", "bye"], "expected": ["start", "bye"], "step": 2, "went": "menu", "wanted": "bye"}),
    (menu, {"keys": ["-"], "expect": {"visits": ["operator"]}}, FailureCode.NOT_VISITED,
     {"node": "operator", "path": ["start", "menu", "bye"]}),
    (menu, {"keys": ["-"], "expect": {"not_visits": ["menu"]}}, FailureCode.VISITED_FORBIDDEN, {"node": "menu"}),
    (menu, {"keys": ["-"], "expect": {"outcome": "transferred"}}, FailureCode.OUTCOME_MISMATCH,
     {"outcome": "hung_up", "expected": "transferred"}),
    (menu, {"keys": ["-"], "expect": {"variables": {"caller_id": "+34600111222"}}}, FailureCode.VARIABLE_MISMATCH,
     {"variable": "caller_id", "actual": "", "expected": "+34600111222"}),
    (menu, {"keys": ["-"], "expect": {"said": ["Adiós"]}}, FailureCode.NEVER_SAID,
     {"fragment": "Adiós", "said": "Pulse 2 para hablar con un operador"}),
    (menu, {"keys": ["-"], "expect": {"callbacks": 1}}, FailureCode.CALLBACK_COUNT, {"count": 0, "expected": 1}),
    (menu, {"keys": ["2"], "transfers": ["busy"], "expect": {"transfers": ["300"]}}, FailureCode.DIALED_MISMATCH,
     {"dialed": ["200"], "expected": ["300"]}),
    (menu, {"keys": ["-", "5"], "expect": {"outcome": "hung_up"}}, FailureCode.KEYS_UNUSED,
     {"left": ["5"], "given": 2}),
    (menu, {"timed_keys": [[1, "7"], [600, "2"]], "expect": {"outcome": "hung_up"}}, FailureCode.TIMED_KEYS_UNUSED,
     {"left": [[600.0, "2"]], "given": 2}),
    (menu, {"keys": ["2"], "transfers": ["busy", "answered"], "expect": {"outcome": "hung_up"}},
     FailureCode.TRANSFERS_UNUSED, {"left": ["answered"], "given": 2}),
    (menu, {"keys": ["-"], "exits": {"sms": "failed"}, "expect": {"outcome": "hung_up"}},
     FailureCode.FORCED_EXIT_UNREACHED, {"node": "sms", "exit": "failed"}),
    (menu, {"keys": ["-"], "expect": {"outcom": "hung_up"}}, FailureCode.UNKNOWN_EXPECTATION,
     {"key": "outcom", "meant": "outcome"}),
    (menu, {"keys": ["-"], "expect": {"said": "Hola"}}, FailureCode.EXPECTATION_MALFORMED, {"key": "said"}),
    (menu, {"keys": ["-"], "expect": {"not_visits": ["opertor"]}}, FailureCode.UNKNOWN_NODE,
     {"field": "expect.not_visits", "node": "opertor"}),
    (menu, {"keys": ["-"], "expect": {"variables": {"caller_di": None}}}, FailureCode.UNKNOWN_VARIABLE,
     {"field": "expect.variables", "variable": "caller_di", "meant": "caller_id"}),
    (menu, {"keys": "2", "expect": {"outcome": "hung_up"}}, FailureCode.TEST_REFUSED, {}),
    (menu, {"data_rows": {"staf": []}, "expect": {"outcome": "hung_up"}}, FailureCode.UNKNOWN_DATA_SOURCE,
     {"source": "staf"}),
    (menu, {"exits": {"menu": "2"}, "expect": {"outcome": "hung_up"}}, FailureCode.FORCED_EXIT_REFUSED, {}),
    (broken, {"keys": ["-"], "expect": {"outcome": "hung_up"}}, FailureCode.COULD_NOT_RUN, None),
    (lambda: greeting(error_wired=False), {"expect": {"said": ["Hola"]}}, FailureCode.CALL_FAILED, None),
    (lambda: greeting(error_wired=False), {"expect": {"outcome": "hung_up"}}, FailureCode.OUTCOME_FAILED, None),
    (lambda: greeting(error_wired=True), {"expect": {"outcome": "transferred"}}, FailureCode.STEP_ERROR, None),
    (callback, {**CALLER, "expect": {"scheduled": {"number": "+34600111222"}}}, FailureCode.SCHEDULED_NOT_LIST, {}),
    (callback, {**CALLER, "expect": {"scheduled": [{}, {}]}}, FailureCode.SCHEDULED_COUNT,
     {"count": 1, "expected": 2}),
    (callback, {**CALLER, "expect": {"scheduled": [{"numbr": "+34600111222"}]}}, FailureCode.CALLBACK_UNKNOWN_FIELD,
     {"callback": 1, "key": "numbr", "meant": "number"}),
    (callback, {**CALLER, "expect": {"scheduled": [{"scenario": "other"}]}}, FailureCode.CALLBACK_MISMATCH,
     {"callback": 1, "field": "scenario", "actual": "follow-up", "expected": "other"}),
    (callback, {**CALLER, "expect": {"scheduled": [{"due": "tomorrow"}]}}, FailureCode.CALLBACK_DUE_UNREADABLE,
     {"callback": 1, "field": "due", "value": "tomorrow"}),
    (callback, {**CALLER, "expect": {"scheduled": [{"due_not_after": EVENING}]}}, FailureCode.CALLBACK_DUE_OUTSIDE,
     {"callback": 1, "field": "due_not_after", "due": "2026-11-24T09:00:00+01:00", "bound": EVENING}),
    (callback, {**CALLER, "expect": {"scheduled": [{"variables": ["round"]}]}},
     FailureCode.CALLBACK_VARIABLES_NOT_OBJECT, {"callback": 1}),
    (callback, {**CALLER, "expect": {"scheduled": [{"variables": {"ticket": 7}}]}},
     FailureCode.CALLBACK_VARIABLE_MISSING, {"callback": 1, "variable": "ticket", "carried": ["round"]}),
    (callback, {**CALLER, "expect": {"scheduled": [{"variables": {"round": 2}}]}},
     FailureCode.CALLBACK_VARIABLE_MISMATCH, {"callback": 1, "variable": "round", "actual": 1, "expected": 2}),
    (callback, {**CALLER, "expect": {"scheduled": [{"carried": "round"}]}}, FailureCode.CALLBACK_CARRIED_NOT_LIST,
     {"callback": 1}),
    (callback, {**CALLER, "expect": {"scheduled": [{"carried": []}]}}, FailureCode.CALLBACK_CARRIED_MISMATCH,
     {"callback": 1, "carried": ["round"], "expected": []}),
]  # fmt: skip


async def outcome_of(registry: BlockRegistry, scenario: Any, test: dict[str, Any]) -> scenario_tests.TestOutcome:
    (outcome,) = await run_scenario_tests(scenario(), [{"name": "t", **test}], registry)
    return outcome


def the_failure(outcome: scenario_tests.TestOutcome, code: FailureCode) -> Failure:
    found = [failure for failure in outcome.failure_details if failure.code == code]
    assert len(found) == 1, outcome.failure_details
    return found[0]


@pytest.mark.parametrize(("scenario", "test", "code", "params"), CASES, ids=[str(case[2]) for case in CASES])
async def test_each_failure_has_its_code_and_the_params_of_its_words(
    plugins: BlockRegistry, scenario: Any, test: dict[str, Any], code: FailureCode, params: dict[str, Any] | None
) -> None:
    outcome = await outcome_of(plugins, scenario, test)

    failure = the_failure(outcome, code)
    if params is not None:
        assert failure.params == params
    # The English words, unchanged: `failures` is each failure's text, in order.
    assert outcome.failures == [failure.text for failure in outcome.failure_details]
    assert not outcome.passed


def test_every_code_has_a_test() -> None:
    assert {case[2] for case in CASES} | {FailureCode.UNRUNNABLE} == set(FailureCode)


async def test_a_failed_calls_reason_names_the_block_its_type_and_its_error(plugins: BlockRegistry) -> None:
    failed = await outcome_of(plugins, lambda: greeting(error_wired=False), {"expect": {"outcome": "hung_up"}})
    went_on = await outcome_of(plugins, lambda: greeting(error_wired=True), {"expect": {"outcome": "transferred"}})

    reason = the_failure(failed, FailureCode.OUTCOME_FAILED)
    assert (reason.params["node"], reason.params["block_type"], reason.params["expected"]) == (
        "hello",
        "say_phrase",
        "hung_up",
    )
    assert "client_name" in reason.params["error"] and reason.params["error"] in reason.text
    assert reason.text.startswith("outcome was failed (block 'hello' (say_phrase) took its error exit, which leads")
    step = the_failure(went_on, FailureCode.STEP_ERROR)
    assert {key: step.params[key] for key in ("node", "block_type", "exit")} == {
        "node": "hello",
        "block_type": "say_phrase",
        "exit": "error",
    }
    assert step.text == f"block 'hello' (say_phrase) took its error exit: {step.params['error']}"


async def test_a_meta_tests_that_is_no_list_fails_as_unrunnable(plugins: BlockRegistry) -> None:
    document = {**menu(), "meta": {"tests": {"keys": ["2"]}}}

    (outcome,) = await run_scenario_tests(document, scenario_tests.tests_in_document(document), plugins)

    assert [(failure.code, failure.params) for failure in outcome.failure_details] == [(FailureCode.UNRUNNABLE, {})]
    assert outcome.failures == ['meta.tests must be a list of tests; it is an object: {"keys": ["2"]}']


async def test_params_are_json_values_and_the_outcome_says_them_as_data(plugins: BlockRegistry) -> None:
    """A variable may hold what JSON has no word for: its param is the value as JSON can say it."""
    test = {"keys": ["-"], "variables": {"due": "x"}, "expect": {"variables": {"due": {"on": "2026-11-23"}}}}
    outcome = await outcome_of(plugins, menu, test)

    data = outcome.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["failure_details"] == [
        {
            "code": "variable_mismatch",
            "params": {"variable": "due", "actual": "x", "expected": {"on": "2026-11-23"}},
            "text": "variable due was 'x', expected {'on': '2026-11-23'}",
        }
    ]
    assert data["failures"] == ["variable due was 'x', expected {'on': '2026-11-23'}"]
    assert "call" not in data  # a publish's outcomes carry no trace
    call = outcome.as_dict(with_call=True)["call"]
    assert (call["outcome"], [step["node"] for step in call["steps"]]) == ("hung_up", ["start", "menu", "bye"])


def test_the_docs_list_every_code() -> None:
    section = DOCS.read_text(encoding="utf-8").split("### Scenario test failures")[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = {code for row in rows for code in re.findall(r"`([a-z_]+)`", row.split("|")[1])}
    assert documented == {str(code) for code in FailureCode}


# QA review: a failing path printed both paths in full, and the reader compared a dozen blocks each to find where
# they part. The failure says where, and what the test expected there.
@pytest.mark.parametrize(
    ("path", "expected", "step", "went", "wanted", "said"),
    [
        (["start", "menu", "busy"], ["start", "menu"], 3, "busy", None, "expected the call to end, it went to 'busy'"),
        (["start", "menu"], ["start", "menu", "sales"], 3, None, "sales", "expected 'sales', it ended"),
        (["start", "menu", "busy", "bye"], ["start", "menu", "sales", "bye"], 3, "busy", "sales",
         "expected 'sales', it went to 'busy'"),
    ],
)  # fmt: skip
def test_a_path_mismatch_says_where_the_paths_part(
    path: list[str], expected: list[str], step: int, went: str | None, wanted: str | None, said: str
) -> None:
    failure = path_mismatch(path, expected)
    assert failure.text == f"path was {path}, expected {expected}: differs at step {step}: {said}"
    assert failure.params == {"path": path, "expected": expected, "step": step, "went": went, "wanted": wanted}
