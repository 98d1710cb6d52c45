"""A test names blocks by id; the designer shows their labels. A name that is (or is close to) a block's label is
answered with that block's id, wherever a test names blocks: `path`, `visits`, `not_visits` and `exits`.

QA review: `"not_visits": ["Operator"]`, the exact label of block `transfer_4`, failed with `expect.not_visits:
unknown node 'Operator'` and no suggestion; `opertor` too.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine import scenario_tests
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests
from tests.conftest import make_document

CALLER = "+34600111222"


def hotline() -> dict[str, Any]:
    """Ids as the designer makes them (`transfer_4`), labels as it shows them; two blocks share "Goodbye"."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "sms_1", "type": "send_sms", "label": "Reminder SMS", "config": {"text": "Su cita es el lunes"}},
            {"id": "transfer_4", "type": "transfer", "label": "Operator", "config": {"target": "200"}},
            {"id": "hangup_2", "type": "hangup", "label": "Goodbye"},
            {"id": "hangup_3", "type": "hangup", "label": "Goodbye"},
            {"id": "go", "type": "goto_scenario", "label": "To sales", "config": {"scenario": "sales"}},
        ],
        [
            ("start", "next", "sms_1"),
            ("sms_1", "sent", "transfer_4"),
            ("sms_1", "failed", "go"),
            ("transfer_4", "busy", "hangup_2"),
            ("transfer_4", "no_answer", "hangup_3"),
        ],
    )


def sales() -> dict[str, Any]:
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "say_1", "type": "say_phrase", "label": "Sales welcome", "config": {"text": "Ventas"}},
        ],
        [("start", "next", "say_1")],
    )


async def outcome_of(registry: BlockRegistry, **test: Any) -> scenario_tests.TestOutcome:
    test = {"name": "t", "caller_id": CALLER, "transfers": ["busy"], **test}
    (outcome,) = await run_scenario_tests(hotline(), [test], registry, scenarios={"sales": sales()})
    return outcome


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Operator", "unknown node 'Operator' (did you mean 'transfer_4', labelled \"Operator\"?)"),  # the review's
        ("operator", "unknown node 'operator' (did you mean 'transfer_4', labelled \"Operator\"?)"),
        (" OPERATOR ", "unknown node ' OPERATOR ' (did you mean 'transfer_4', labelled \"Operator\"?)"),
        ("opertor", "unknown node 'opertor' (did you mean 'transfer_4', labelled \"Operator\"?)"),  # the review's
        ("Goodbye", "unknown node 'Goodbye' (did you mean 'hangup_2' or 'hangup_3', both labelled \"Goodbye\"?)"),
        ("Sales welcome", "unknown node 'Sales welcome' (did you mean 'sales:say_1', labelled \"Sales welcome\"?)"),
        ("transfr_4", "unknown node 'transfr_4' (did you mean 'transfer_4'?)"),  # an id's suggestion, as before
        ("zzz", "unknown node 'zzz'"),
    ],
)
async def test_a_label_is_answered_with_its_blocks_id(registry: BlockRegistry, name: str, said: str) -> None:
    outcome = await outcome_of(registry, expect={"not_visits": [name]})

    assert outcome.failures == [f"expect.not_visits: {said}"]


@pytest.mark.parametrize("field", ["path", "visits", "not_visits"])
async def test_every_expectation_naming_blocks_answers_so(registry: BlockRegistry, field: str) -> None:
    outcome = await outcome_of(registry, expect={field: ["start", "Reminder SMS"]})

    assert f"expect.{field}: unknown node 'Reminder SMS' (did you mean 'sms_1', labelled \"Reminder SMS\"?)" in (
        outcome.failures
    )


async def test_a_forced_exit_named_by_label_is_refused_with_its_blocks_id_before_the_call(
    registry: BlockRegistry,
) -> None:
    outcome = await outcome_of(registry, exits={"Reminder SMS": "failed"}, expect={"outcome": "hung_up"})

    assert outcome.failures == ["exits: unknown node 'Reminder SMS' (did you mean 'sms_1', labelled \"Reminder SMS\"?)"]
    assert outcome.story == []


async def test_the_id_it_suggests_is_the_one_that_passes(registry: BlockRegistry) -> None:
    outcome = await outcome_of(
        registry, exits={"sms_1": "sent"}, expect={"visits": ["transfer_4", "hangup_2"], "not_visits": ["go"]}
    )

    assert (outcome.passed, outcome.failures) == (True, [])


async def test_an_id_close_to_the_name_is_still_suggested_before_a_label(registry: BlockRegistry) -> None:
    """`opertor` beside a block whose id is `operator`: the id, as before, though another block's label is close."""
    document = hotline()
    document["nodes"].append({"id": "operator", "type": "hangup", "config": {}})
    test = {"name": "t", "caller_id": CALLER, "transfers": ["busy"], "expect": {"not_visits": ["opertor"]}}

    (outcome,) = await run_scenario_tests(document, [test], registry, scenarios={"sales": sales()})

    assert outcome.failures == ["expect.not_visits: unknown node 'opertor' (did you mean 'operator'?)"]
