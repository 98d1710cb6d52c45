"""A field a scenario test does not know fails that test, named, instead of being ignored.

Review: `{"name": "typo", "kyes": ["1234#"], "expect": {"outcome": "hung_up"}}` passed: `kyes` was ignored, the
call ran with no keys and hung up as expected. Only `expect`'s keys were checked; the test's own inputs were read
with `.get()`. docs/scenario-format.md: "A field the format does not know ... fails the test rather than being
ignored".
"""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine.registry import BlockRegistry
from graph_engine.scenario_test_format import MAX_DATA_ROWS_KEY, MAX_DATA_ROWS_KEYS, TEST_FIELDS
from graph_engine.scenario_tests import run_scenario_tests
from graph_engine.scenario_tests import tests_in_document as meta_tests  # pytest would collect `tests_...`
from tests.conftest import make_document

KNOWN = "not run: a test's fields are " + ", ".join(TEST_FIELDS)


def pin_entry() -> dict[str, Any]:
    """Start -> the caller types a PIN (`1234#`) -> hang up; no PIN typed hangs up too, as the review's flow did."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "pin",
                "type": "ivr",
                "label": "PIN",
                "config": {"mode": "capture", "prompt": {"text": "Su PIN, por favor"}, "variable": "pin"},
            },
            {"id": "bye", "type": "hangup", "label": "Bye"},
        ],
        [("start", "next", "pin"), ("pin", "next", "bye"), ("pin", "max_tries", "bye")],
        variables=[{"name": "pin", "type": "string"}],
    )


@pytest.mark.parametrize(
    ("field", "said"),
    [
        ("kyes", "unknown field 'kyes' (did you mean 'keys'?)"),
        ("input", "unknown field 'input'"),  # nothing it is close to: no guess
        ("data", "unknown field 'data' (did you mean 'data_rows'?)"),  # not `at`, though spelt closer
        ("Keys", "unknown field 'Keys' (did you mean 'keys'?)"),
    ],
)
async def test_an_unknown_field_fails_the_test_naming_it_and_the_fields_there_are(
    registry: BlockRegistry, field: str, said: str
) -> None:
    test = {"name": "typo", field: ["1234#"], "expect": {"outcome": "hung_up"}}

    (outcome,) = await run_scenario_tests(pin_entry(), [test], registry)

    assert not outcome.passed
    assert outcome.name == "typo"
    assert outcome.failures == [said, KNOWN]
    assert outcome.story == []  # not run: its result, a call with other inputs than meant, would only mislead


async def test_each_unknown_field_is_named(registry: BlockRegistry) -> None:
    test = {"name": "typos", "kyes": ["1"], "caller": "+34600111222", "expect": {"outcome": "hung_up"}}

    (outcome,) = await run_scenario_tests(pin_entry(), [test], registry)

    assert outcome.failures == [
        "unknown field 'kyes' (did you mean 'keys'?)",
        "unknown field 'caller' (did you mean 'caller_id'?)",
        KNOWN,
    ]


async def test_the_same_test_spelt_right_runs_and_passes(registry: BlockRegistry) -> None:
    test = {"name": "pin", "keys": ["1234#"], "expect": {"variables": {"pin": "1234"}, "outcome": "hung_up"}}

    (outcome,) = await run_scenario_tests(pin_entry(), [test], registry)

    assert (outcome.passed, outcome.failures) == (True, [])


async def test_every_field_of_the_format_is_known(registry: BlockRegistry) -> None:
    test = {
        "name": "all of them",
        "keys": ["1234#"],
        "caller_id": "+34600111222",
        "caller_name": "Ana",
        "dialed_number": "900",
        "at": "2026-11-23T10:00:00+01:00",
        "variables": {},
        "data_rows": {},
        "transfers": [],
        "hangup_at": None,
        "scheduler": "accept",
        "expect": {"outcome": "hung_up"},
    }
    timed = {"name": "timed", "timed_keys": [[0.5, "1234#"]], "expect": {"outcome": "hung_up"}}

    outcomes = await run_scenario_tests(pin_entry(), [test, timed], registry)

    assert [(outcome.passed, outcome.failures) for outcome in outcomes] == [(True, []), (True, [])]


# Review, 2026-12: a test written in the wrong shape crashed `ivrgraph test` with a traceback (`"tests": [1]`,
# `"expect": []`), or was read letter by letter and passed (`"said": "Hola"` checked "H", "o", "l" and "a").
OBJECT = 'a test must be an object such as {"name": "pays", "keys": ["1"], "expect": {"outcome": "hung_up"}}'
RIGHT = {"name": "pin", "keys": ["1234#"], "expect": {"variables": {"pin": "1234"}, "outcome": "hung_up"}}


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        (1, f"{OBJECT}; it is a number: 1"),
        ("pays", f'{OBJECT}; it is a string: "pays"'),
        (None, f"{OBJECT}; it is null"),
        ([["1234#"]], f'{OBJECT}; it is a list: [["1234#"]]'),
        pytest.param("x" * 100, f'{OBJECT}; it is a string: "{"x" * 76}...', id="a long value is cut short"),
    ],
)
async def test_a_test_that_is_not_an_object_fails_named_by_its_place_and_the_others_run(
    registry: BlockRegistry, entry: Any, said: str
) -> None:
    malformed, right = await run_scenario_tests(pin_entry(), [entry, RIGHT], registry)

    assert (malformed.name, malformed.passed, malformed.failures, malformed.story) == ("test 1", False, [said], [])
    assert (right.name, right.passed) == ("pin", True)


KEYS = 'a list of key tokens (strings) such as ["1", "1234#", "-"]'
TIMED = 'a list of [seconds, key] pairs such as [[3.5, "1"]]'
AT = 'an ISO 8601 date-time such as "2026-11-23T10:00:00+01:00"'
EXPECT = 'an object of expectations such as {"outcome": "hung_up"}'


@pytest.mark.parametrize(
    ("field", "value", "wanted", "found"),
    [
        ("keys", "1234#", KEYS, 'a string: "1234#"'),
        ("keys", [1234], KEYS, "a list: [1234]"),
        ("timed_keys", [[0.5]], TIMED, "a list: [[0.5]]"),
        ("timed_keys", [["0.5", "1234#"]], TIMED, 'a list: [["0.5", "1234#"]]'),
        ("caller_id", 34600111222, 'a string such as "+34600111222"', "a number: 34600111222"),
        ("caller_name", ["Ana"], "a string", 'a list: ["Ana"]'),
        ("dialed_number", 900, "a string", "a number: 900"),
        ("at", "tomorrow", AT, 'a string: "tomorrow"'),
        ("at", 1764000000, AT, "a number: 1764000000"),
        ("variables", [["pin", "1"]], "an object: variable name -> value", 'a list: [["pin", "1"]]'),
        (
            "data_rows",
            {"crm": {"name": "Ana"}},
            "an object: data source name -> list of rows (objects)",
            'an object: {"crm": {"name": "Ana"}}',
        ),
        (
            "transfers",
            ["busyy"],
            "a list of transfer outcomes, one per Transfer: answered, busy, no_answer, failed",
            'a list: ["busyy"]',
        ),
        ("hangup_at", -1, "a channel operation's number (0 is the first)", "a number: -1"),
        ("hangup_at", True, "a channel operation's number (0 is the first)", "true"),
        ("scheduler", "fails", '"accept" or "fail"', 'a string: "fails"'),
        ("expect", [], EXPECT, "a list: []"),
        ("expect", "hung_up", EXPECT, 'a string: "hung_up"'),
        ("name", 7, "a string", "a number: 7"),
    ],
)
async def test_a_field_of_the_wrong_shape_fails_the_test_naming_it_and_what_belongs(
    registry: BlockRegistry, field: str, value: Any, wanted: str, found: str
) -> None:
    test = {**RIGHT, field: value}

    (outcome,) = await run_scenario_tests(pin_entry(), [test], registry)

    assert (outcome.passed, outcome.failures) == (False, [f"{field} must be {wanted}; it is {found}"])
    assert outcome.story == []  # not run: a call with other inputs than meant would only mislead


async def test_a_test_without_a_name_it_can_show_is_named_by_its_place(registry: BlockRegistry) -> None:
    outcomes = await run_scenario_tests(pin_entry(), [RIGHT, {**RIGHT, "name": ""}, {**RIGHT, "name": 7}], registry)

    assert [outcome.name for outcome in outcomes] == ["pin", "test 2", "test 3"]


@pytest.mark.parametrize(
    ("expectation", "said"),
    [
        ("outcom", "unknown expectation 'outcom' (did you mean 'outcome'?)"),
        ("visit", "unknown expectation 'visit' (did you mean 'visits'?)"),
        ("Said", "unknown expectation 'Said' (did you mean 'said'?)"),
        ("heard", "unknown expectation 'heard'"),  # nothing it is close to: no guess
    ],
)
async def test_an_unknown_expectation_names_the_one_it_likely_meant(
    registry: BlockRegistry, expectation: str, said: str
) -> None:
    test = {**RIGHT, "expect": {**RIGHT["expect"], expectation: ["Su PIN"]}}

    (outcome,) = await run_scenario_tests(pin_entry(), [test], registry)

    assert (outcome.passed, outcome.failures) == (False, [said])


NODES = "a list of node ids (strings)"
OUTCOMES = "one of hung_up, caller_hangup, transferred, ended, failed, step_limit"


@pytest.mark.parametrize(
    ("expectation", "value", "wanted", "found"),
    [
        ("said", "Su PIN", "a list of strings, each a fragment of what was said", 'a string: "Su PIN"'),
        ("path", "start", NODES, 'a string: "start"'),
        ("visits", [1], NODES, "a list: [1]"),
        ("not_visits", "menu", NODES, 'a string: "menu"'),
        ("outcome", "hungup", OUTCOMES, 'a string: "hungup"'),
        ("variables", [["pin", "1234"]], "an object: variable name -> value expected", 'a list: [["pin", "1234"]]'),
        ("callbacks", "0", "the number of callbacks scheduled", 'a string: "0"'),
        ("transfers", "200", "a list of the destinations dialled (strings)", 'a string: "200"'),
    ],
)
async def test_an_expectation_of_the_wrong_shape_fails_the_test_rather_than_checking_something_else(
    registry: BlockRegistry, expectation: str, value: Any, wanted: str, found: str
) -> None:
    """The call runs (its story shows what happened) and the other expectations are checked as usual."""
    test = {**RIGHT, "expect": {**RIGHT["expect"], expectation: value}}

    (outcome,) = await run_scenario_tests(pin_entry(), [test], registry)

    assert (outcome.passed, outcome.failures) == (False, [f"expect.{expectation} must be {wanted}; it is {found}"])
    assert outcome.story != []


async def test_meta_tests_that_are_not_a_list_fail_rather_than_publish_untested(registry: BlockRegistry) -> None:
    document = {**pin_entry(), "meta": {"tests": {"keys": ["1234#"]}}}  # one test, not in a list

    (outcome,) = await run_scenario_tests(document, meta_tests(document), registry)

    assert (outcome.name, outcome.passed) == ("meta.tests", False)
    assert outcome.failures == ['meta.tests must be a list of tests; it is an object: {"keys": ["1234#"]}']


async def test_a_document_without_meta_tests_has_none(registry: BlockRegistry) -> None:
    assert meta_tests(pin_entry()) == []
    assert meta_tests({**pin_entry(), "meta": {"tests": None}}) == []
    assert meta_tests({**pin_entry(), "meta": {"tests": [RIGHT]}}) == [RIGHT]


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        (
            {f"source_{n}": [] for n in range(MAX_DATA_ROWS_KEYS + 1)},
            f"data_rows names {MAX_DATA_ROWS_KEYS + 1} data sources and SQL blocks; at most {MAX_DATA_ROWS_KEYS}",
        ),
        (
            {"s" * (MAX_DATA_ROWS_KEY + 1): []},
            f"data_rows: a name of {MAX_DATA_ROWS_KEY + 1} characters ('ssssssssssssssssssss...'); at most "
            f"{MAX_DATA_ROWS_KEY}",
        ),
    ],
)
async def test_data_rows_of_too_many_or_too_long_names_is_refused(
    rows: dict[str, Any], said: str, registry: BlockRegistry
) -> None:
    """Security review, 2026-12: nothing capped the names a test gives rows for, and each is checked against every
    SQL block the call can reach."""
    (outcome,) = await run_scenario_tests(
        pin_entry(), [{"data_rows": rows, "expect": {"outcome": "hung_up"}}], registry
    )
    assert not outcome.passed
    assert any(failure.startswith(said) for failure in outcome.failures), outcome.failures
