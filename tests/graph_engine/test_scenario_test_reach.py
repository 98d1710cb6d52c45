"""What a scenario test names in its scenarios: nodes (`menu`, or `slug:menu` after a Go To Scenario), the data
sources it gives rows for and the exits it forces.

QA review: after a Go To Scenario into a scenario whose nodes are also called `start`/`menu`/`bye`, `not_visits:
["bye"]` failed because of the other scenario's `bye` and `visits: ["lookup", "bye"]` passed wrongly;
`not_visits: ["opertor"]` and `data_rows: {"staf": [...]}` passed whatever the call did; and a plugin whose
`simulate` always takes `sent` left its `failed` branch untestable.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from graph_engine import scenario_tests
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_test_format import MAX_DATA_ROWS_KEYS
from graph_engine.scenario_test_reach import reach_of, unknown_sources
from graph_engine.scenario_tests import run_scenario_tests
from tests.conftest import make_document


def hotline() -> dict[str, Any]:
    """The scenario a Go To Scenario leads to: its nodes are called as the tested one's (`start`, `menu`, `bye`)."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "menu",
                "type": "ivr",
                "config": {"prompt": {"text": "Pulse 1"}, "options": [{"key": "1", "label": "one"}], "max_tries": 1},
            },
            {
                "id": "lookup_hours",
                "type": "sql",
                "config": {"source": "hours", "query": "SELECT 1 AS open", "columns": {"open": "open"}},
            },
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "menu"),
            ("menu", "1", "lookup_hours"),
            ("menu", "max_tries", "bye"),
            ("lookup_hours", "found", "bye"),
            ("lookup_hours", "not_found", "bye"),
            ("lookup_hours", "error", "bye"),
        ],
        name="Hotline",
    )


def callthrough() -> dict[str, Any]:
    """The tested scenario: looks the caller up, then continues in the hotline; its own `bye` is another branch."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "lookup",
                "type": "sql",
                "config": {"source": "staff", "query": "SELECT name FROM staff", "columns": {"name": "name"}},
            },
            {"id": "operator", "type": "transfer", "config": {"target": "200"}},
            {"id": "menu", "type": "goto_scenario", "config": {"scenario": "inbound-hotline"}},
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "lookup"),
            ("lookup", "found", "operator"),
            ("lookup", "not_found", "menu"),
            ("lookup", "error", "menu"),
            ("operator", "busy", "bye"),
        ],
    )


async def outcome_of(registry: BlockRegistry, **test: Any) -> scenario_tests.TestOutcome:
    test = {"name": "t", "keys": ["1"], "data_rows": {"staff": [], "hours": [{"open": 1}]}, **test}
    (outcome,) = await run_scenario_tests(callthrough(), [test], registry, scenarios={"inbound-hotline": hotline()})
    return outcome


async def test_a_path_names_the_other_scenarios_nodes_with_its_slug(registry: BlockRegistry) -> None:
    path = [
        "start",
        "lookup",
        "menu",
        "inbound-hotline:start",
        "inbound-hotline:menu",
        "inbound-hotline:lookup_hours",
        "inbound-hotline:bye",
    ]

    outcome = await outcome_of(registry, expect={"path": path})

    assert (outcome.passed, outcome.failures) == (True, [])


async def test_the_other_scenarios_bye_is_not_this_ones(registry: BlockRegistry) -> None:
    """The review's case: not_visits `bye` failed, visits `lookup`, `bye` passed, both for the hotline's `bye`."""
    not_own = await outcome_of(registry, expect={"not_visits": ["bye", "operator"]})
    own = await outcome_of(registry, expect={"visits": ["lookup", "bye"]})
    other = await outcome_of(
        registry, expect={"visits": ["lookup", "menu", "inbound-hotline:menu", "inbound-hotline:bye"]}
    )

    assert (not_own.passed, not_own.failures) == (True, [])
    assert own.failures == [
        "did not visit 'bye' (in this order) - path was ['start', 'lookup', 'menu', 'inbound-hotline:start', "
        "'inbound-hotline:menu', 'inbound-hotline:lookup_hours', 'inbound-hotline:bye']"
    ]
    assert (other.passed, other.failures) == (True, [])


async def test_not_visits_of_the_other_scenarios_node_names_its_scenario(registry: BlockRegistry) -> None:
    outcome = await outcome_of(registry, expect={"not_visits": ["inbound-hotline:bye"]})

    assert outcome.failures == ["visited 'inbound-hotline:bye', which it should not"]


@pytest.mark.parametrize(
    ("field", "name", "said"),
    [
        ("not_visits", "opertor", "unknown node 'opertor' (did you mean 'operator'?)"),
        (
            "visits",
            "lookup_hours",
            "unknown node 'lookup_hours' (did you mean 'inbound-hotline:lookup_hours'? a node "
            "of another scenario is named with its slug: slug:id)",
        ),
        (
            "not_visits",
            "inbound-hotline:menuu",
            "unknown node 'inbound-hotline:menuu' (did you mean 'inbound-hotline:menu'?)",
        ),
        (
            "path",
            "inbound-hotlin:menu",
            "unknown node 'inbound-hotlin:menu' (did you mean 'inbound-hotline:menu'?): "
            "no Go To Scenario this test's call can take leads to a scenario "
            "'inbound-hotlin'",
        ),
    ],
)
async def test_a_node_no_scenario_of_the_call_has_fails_the_test_naming_it(
    registry: BlockRegistry, field: str, name: str, said: str
) -> None:
    outcome = await outcome_of(registry, expect={field: [name]})

    assert not outcome.passed
    assert f"expect.{field}: {said}" in outcome.failures


async def test_a_misspelt_node_in_not_visits_no_longer_passes(registry: BlockRegistry) -> None:
    """The review's case: it passed, the call never visiting a node that does not exist."""
    outcome = await outcome_of(registry, expect={"not_visits": ["opertor", "bye"]})

    assert outcome.failures == ["expect.not_visits: unknown node 'opertor' (did you mean 'operator'?)"]


async def test_a_node_of_a_scenario_the_test_was_not_given_is_taken_at_its_word(registry: BlockRegistry) -> None:
    """`ivrgraph test` of one file, or a publish before the other scenario is: its nodes cannot be checked, and a
    test of the branch that does not go there still runs."""
    test = {
        "name": "t",
        "data_rows": {"staff": [{"name": "Luis"}]},
        "transfers": ["busy"],
        "expect": {"path": ["start", "lookup", "operator", "bye"], "not_visits": ["inbound-hotline:menu"]},
    }

    (outcome,) = await run_scenario_tests(callthrough(), [test], registry)

    assert (outcome.passed, outcome.failures) == (True, [])


async def test_rows_for_a_source_no_sql_block_reads_are_refused_before_the_call(registry: BlockRegistry) -> None:
    outcome = await outcome_of(registry, data_rows={"staf": [{"name": "Luis"}], "hours": []}, expect={"callbacks": 0})

    assert outcome.failures == [
        "data_rows: unknown data source 'staf' (did you mean 'staff'?): no SQL block this test's call can reach "
        "reads it; they read hours, staff"
    ]
    assert outcome.story == []  # not run


async def test_rows_for_a_source_read_only_in_the_scenario_a_go_to_scenario_leads_to_are_taken(
    registry: BlockRegistry,
) -> None:
    outcome = await outcome_of(registry, data_rows={"hours": [{"open": 1}]}, expect={"variables": {"open": 1}})

    assert (outcome.passed, outcome.failures) == (True, [])


# -- forced exits ---------------------------------------------------------------------------------------------


def sms_reminder() -> dict[str, Any]:
    """Send SMS (examples/plugins/ivrgraph-sms): its `simulate` takes `sent` for any valid number."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "sms", "type": "send_sms", "label": "Reminder SMS", "config": {"text": "Su cita es el lunes"}},
            {"id": "sent", "type": "say_phrase", "config": {"text": "Le hemos enviado un SMS."}},
            {"id": "not_sent", "type": "say_phrase", "config": {"text": "No hemos podido enviarle el SMS."}},
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "sms"),
            ("sms", "sent", "sent"),
            ("sms", "failed", "not_sent"),
            ("sent", "next", "bye"),
            ("not_sent", "next", "bye"),
        ],
    )


CALLER = "+34600111222"


async def test_a_forced_exit_takes_the_branch_a_test_call_never_would(registry: BlockRegistry) -> None:
    test = {
        "name": "gateway refuses",
        "caller_id": CALLER,
        "exits": {"sms": "failed"},
        "expect": {"path": ["start", "sms", "not_sent", "bye"], "said": ["No hemos podido"]},
    }
    unforced = {**test, "exits": {}}

    forced, plain = await run_scenario_tests(sms_reminder(), [test, unforced], registry)

    assert (forced.passed, forced.failures) == (True, [])
    assert (
        "Send SMS \"Reminder SMS\": not run in a test call: the test forces its 'failed' exit -> failed"
        in (forced.story[1])
    )
    assert not plain.passed  # the plugin's simulate takes `sent`: the branch is only reached by forcing it


async def test_a_forced_error_exit_fails_the_call_where_it_is_not_wired(registry: BlockRegistry) -> None:
    test = {"name": "t", "caller_id": CALLER, "exits": {"sms": "error"}, "expect": {"outcome": "failed"}}

    (outcome,) = await run_scenario_tests(sms_reminder(), [test], registry)

    assert (outcome.passed, outcome.failures) == (True, [])
    assert outcome.steps[1] == {"scenario": None, "node": "sms", "exit": "error"}


@pytest.mark.parametrize(
    ("exits", "said"),
    [
        ({"smss": "failed"}, "exits: unknown node 'smss' (did you mean 'sms'?)"),
        (
            {"sms": "fail"},
            "exits: node 'sms' (Send SMS) has no exit 'fail' (did you mean 'failed'?); its exits are "
            "sent, failed, error",
        ),
        (
            {"sent": "next"},
            "exits: node 'sent' (Say Phrase) runs in a test call as in a real one, so its exit is not "
            "forced: give the test the inputs that lead it there (keys, timed_keys, at, caller_id, "
            "variables, data_rows, transfers, scheduler)",
        ),
    ],
)
async def test_an_exit_that_cannot_be_forced_is_refused_before_the_call(
    registry: BlockRegistry, exits: dict[str, str], said: str
) -> None:
    test = {"name": "t", "caller_id": CALLER, "exits": exits, "expect": {"outcome": "hung_up"}}

    (outcome,) = await run_scenario_tests(sms_reminder(), [test], registry)

    assert (outcome.passed, outcome.failures, outcome.story) == (False, [said], [])


async def test_exits_of_the_wrong_shape_are_refused(registry: BlockRegistry) -> None:
    test = {"name": "t", "caller_id": CALLER, "exits": {"sms": 1}, "expect": {"outcome": "hung_up"}}

    (outcome,) = await run_scenario_tests(sms_reminder(), [test], registry)

    assert outcome.failures == [
        'exits.sms must be an exit\'s name such as "failed", or the exit and the variables it sets, such as '
        '{"exit": "duplicate", "set": {"ticket_id": "T-9"}}; it is a number: 1'
    ]


async def test_a_forced_exit_of_a_node_the_call_never_reached_fails_the_test(registry: BlockRegistry) -> None:
    document = sms_reminder()
    document["edges"][0]["target"] = "sent"  # Start -> the phrase: the SMS is never sent
    test = {"name": "t", "caller_id": CALLER, "exits": {"sms": "failed"}, "expect": {"outcome": "hung_up"}}

    (outcome,) = await run_scenario_tests(document, [test], registry)

    assert outcome.failures == ["exits: node 'sms' was never reached, so its exit 'failed' was never forced"]


async def test_an_exit_is_forced_in_the_scenario_a_go_to_scenario_leads_to(registry: BlockRegistry) -> None:
    """`slug:id` forces the other scenario's node, and only it: the tested scenario's own `sms` runs as usual."""
    entry = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "sms", "type": "send_sms", "config": {"text": "Bienvenido"}},
            {"id": "go", "type": "goto_scenario", "config": {"scenario": "reminder"}},
        ],
        [("start", "next", "sms"), ("sms", "sent", "go")],
    )
    test = {
        "name": "t",
        "caller_id": CALLER,
        "exits": {"reminder:sms": "failed"},
        "expect": {"visits": ["sms", "go", "reminder:sms", "reminder:not_sent"]},
    }

    (outcome,) = await run_scenario_tests(entry, [test], registry, scenarios={"reminder": sms_reminder()})

    assert (outcome.passed, outcome.failures) == (True, [])
    assert [step["exit"] for step in outcome.steps if step["node"] == "sms"] == ["sent", "failed"]


def many_lookups(count: int) -> dict[str, Any]:
    """Start, then `count` SQL blocks one after another, each on a source of its own."""
    ids = [f"lookup_{n:04d}" for n in range(count)]
    nodes = [{"id": "start", "type": "start"}] + [
        {"id": i, "type": "sql", "config": {"source": f"src_{i}", "query": "SELECT 1 AS one", "columns": {}}}
        for i in ids
    ]
    return make_document(nodes, [("start", "next", ids[0])])


async def test_many_misspelt_block_rows_are_refused_in_linear_time(registry: BlockRegistry) -> None:
    """Security review, 2026-12: 400 misspelt `#block` keys against 400 SQL blocks took 3.4 s (every key rebuilt the
    block list and ran difflib over it, and each refusal listed every block). Each key is still refused; only the
    first few say what they likely meant, and a refusal lists a few blocks, not all."""
    document = many_lookups(1000)
    rows = {f"#lookup_{n:04d}x": [] for n in range(MAX_DATA_ROWS_KEYS)}
    test = {"name": "t", "data_rows": rows, "expect": {"outcome": "hung_up"}}

    started = time.perf_counter()
    (outcome,) = await run_scenario_tests(document, [test], registry)
    took = time.perf_counter() - started

    assert took < 2
    assert not outcome.passed and len(outcome.failures) == MAX_DATA_ROWS_KEYS
    assert outcome.failures[0].startswith("data_rows: unknown SQL block '#lookup_0000x' (did you mean '#lookup_0000'?)")
    assert "did you mean" not in outcome.failures[-1]
    assert "(and 990 more)" in outcome.failures[-1]
    assert max(len(failure) for failure in outcome.failures) < 600


def test_unknown_sources_guesses_for_the_first_keys_only() -> None:
    reach = reach_of(many_lookups(3), {})
    rows = {f"#lookup_000{n % 3}x{n}": None for n in range(40)} | {"src_lookup_0000": None}
    said = unknown_sources(rows, reach)
    assert len(said) == 40
    assert sum("did you mean" in line for line in said) == 10
