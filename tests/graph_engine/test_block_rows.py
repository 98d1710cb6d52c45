"""Test rows per SQL block: a test gives rows to one block (`data_rows: {"#last_pay": []}`) as well as to a data
source, the block's own winning over its source's.

Review (a team moving from Twilio Studio): a scenario with two lookups on one source (`lookup` reads accounts,
`last_pay` payments) could not be tested. Both got the source's rows, so the second failed ("the result has no
column 'amount'"), and no test could have the first find a row and the second none.
"""

from __future__ import annotations

from typing import Any

from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests
from graph_engine.simulation import SimulationInput, simulate
from tests.conftest import make_document

ACCOUNT = {"holder": "Ana", "balance": 120}


def two_lookups_on_one_source() -> dict[str, Any]:
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "lookup",
                "type": "sql",
                "config": {
                    "source": "billing",
                    "query": "SELECT holder, balance FROM accounts WHERE phone = :caller_id",
                    "columns": {"holder": "holder", "balance": "balance"},
                },
            },
            {
                "id": "last_pay",
                "type": "sql",
                "config": {
                    "source": "billing",
                    "query": "SELECT amount FROM payments WHERE phone = :caller_id",
                    "columns": {"amount": "last_amount"},
                },
            },
            {"id": "paid", "type": "hangup"},
            {"id": "never_paid", "type": "hangup"},
            {"id": "unknown", "type": "hangup"},
            {"id": "broken", "type": "hangup"},
        ],
        [
            ("start", "next", "lookup"),
            ("lookup", "found", "last_pay"),
            ("lookup", "not_found", "unknown"),
            ("lookup", "error", "broken"),
            ("last_pay", "found", "paid"),
            ("last_pay", "not_found", "never_paid"),
            ("last_pay", "error", "broken"),
        ],
    )


def exits(simulation: Any) -> dict[str, str | None]:
    return {step.node: step.exit for step in simulation.result.steps}


async def test_one_lookup_finds_the_sources_row_and_the_other_none_of_its_own(registry: BlockRegistry) -> None:
    rows = {"billing": [ACCOUNT], "#last_pay": []}

    simulation = await simulate(two_lookups_on_one_source(), registry, SimulationInput(data_rows=rows))

    assert exits(simulation) == {"start": "next", "lookup": "found", "last_pay": "not_found", "never_paid": "hangup"}
    assert simulation.variables["holder"] == "Ana"
    assert [source for source, _, _ in simulation.queries] == ["billing", "billing"]


async def test_a_blocks_own_rows_win_over_its_sources(registry: BlockRegistry) -> None:
    rows = {"billing": [ACCOUNT], "#last_pay": [{"amount": 40}]}

    simulation = await simulate(two_lookups_on_one_source(), registry, SimulationInput(data_rows=rows))

    assert exits(simulation)["last_pay"] == "found"
    assert simulation.variables["last_amount"] == 40


async def test_a_block_with_rows_of_its_own_needs_none_for_its_source(registry: BlockRegistry) -> None:
    rows = {"#lookup": [ACCOUNT], "#last_pay": [{"amount": 40}]}

    simulation = await simulate(two_lookups_on_one_source(), registry, SimulationInput(data_rows=rows))

    assert exits(simulation)["lookup"] == "found" and exits(simulation)["last_pay"] == "found"


async def test_without_rows_of_its_own_a_block_still_has_its_sources(registry: BlockRegistry) -> None:
    simulation = await simulate(
        two_lookups_on_one_source(), registry, SimulationInput(data_rows={"billing": [ACCOUNT]})
    )

    last_pay = next(step for step in simulation.result.steps if step.node == "last_pay")
    assert last_pay.exit == "error" and "amount" in (last_pay.error or "")


async def test_a_saved_test_with_rows_for_a_block_passes(registry: BlockRegistry) -> None:
    test = {
        "name": "a client who never paid",
        "data_rows": {"billing": [ACCOUNT], "#last_pay": []},
        "expect": {"path": ["start", "lookup", "last_pay", "never_paid"], "variables": {"holder": "Ana"}},
    }

    [outcome] = await run_scenario_tests(two_lookups_on_one_source(), [test], registry)

    assert outcome.passed, outcome.failure_details


async def test_rows_for_a_block_that_is_no_sql_block_of_the_scenario_are_refused(registry: BlockRegistry) -> None:
    tests = [
        {"name": "misspelt", "data_rows": {"billing": [ACCOUNT], "#last_pai": []}, "expect": {"outcome": "hung_up"}},
        {"name": "not sql", "data_rows": {"billing": [ACCOUNT], "#paid": []}, "expect": {"outcome": "hung_up"}},
    ]

    misspelt, not_sql = await run_scenario_tests(two_lookups_on_one_source(), tests, registry)

    assert not misspelt.passed and not not_sql.passed
    assert [failure.text for failure in misspelt.failure_details] == [
        "data_rows: unknown SQL block '#last_pai' (did you mean '#last_pay'?): rows for one SQL block are named "
        "#id; the SQL blocks this test's call can reach are #lookup, #last_pay"
    ]
    assert [failure.text for failure in not_sql.failure_details] == [
        "data_rows: unknown SQL block '#paid': rows for one SQL block are named #id; the SQL blocks this test's "
        "call can reach are #lookup, #last_pay"
    ]


async def test_rows_for_a_block_of_the_scenario_a_go_to_scenario_leads_to_are_named_with_its_slug(
    registry: BlockRegistry,
) -> None:
    caller = make_document(
        [{"id": "start", "type": "start"}, {"id": "go", "type": "goto_scenario", "config": {"scenario": "billing"}}],
        [("start", "next", "go")],
    )
    test = {
        "name": "through billing",
        "data_rows": {"billing": [ACCOUNT], "#billing:last_pay": [{"amount": 7}]},
        "expect": {"variables": {"last_amount": 7}},
    }

    [outcome] = await run_scenario_tests(caller, [test], registry, scenarios={"billing": two_lookups_on_one_source()})

    assert outcome.passed, outcome.failure_details
