"""Which published scenarios a publish reaches into, and the tests publishing runs for them."""

from __future__ import annotations

from typing import Any

import pytest

from blocks import default_registry
from persistence import scenarios
from persistence.db import Database
from persistence.dependents import scenarios_reaching
from persistence.publishing import BlockedByFailingTests, failing_tests_text, publish
from tests.persistence import documents


def _callback_into(slug: str) -> dict[str, Any]:
    document = documents.greeting()
    document["nodes"][1] = {"id": "hello", "type": "callback", "config": {"scenario": slug}}
    return document


def test_the_scenarios_reaching_one_directly_through_others_and_round_loops() -> None:
    published = {
        "x": documents.jumping_to("x"),  # its own "start over": not a dependent of itself
        "b": documents.jumping_to("x"),
        "a": documents.jumping_to("b"),
        "loop-1": documents.jumping_to("loop-2"),
        "loop-2": documents.jumping_to("loop-1"),  # a loop that never reaches x
        "c": _callback_into("x"),  # another call, later: not a dependent (persistence.dependents)
        "broken": {"nodes": "not a list"},
    }
    assert scenarios_reaching(published, "x") == ["a", "b"]
    assert scenarios_reaching(published, "b") == ["a"]
    assert scenarios_reaching(published, "loop-1") == ["loop-2"]
    assert scenarios_reaching(published, "nobody-jumps-here") == []


def test_the_blocking_message_names_each_failing_test_and_the_scenario_it_belongs_to() -> None:
    def outcome(scenario: str | None, name: str, passed: bool = False) -> dict[str, Any]:
        return {"scenario": scenario, "name": name, "passed": passed}

    broken = [outcome(None, "fine", True), outcome("calls", "db down"), outcome("calls", "vip"), outcome("b", "one")]
    assert failing_tests_text("hotline", broken) == (
        'publishing hotline breaks 2 tests of calls: "db down", "vip" and 1 test of b: "one"'
    )
    assert failing_tests_text("hotline", [outcome(None, "a"), outcome(None, "b"), outcome("calls", "c")]) == (
        'publishing hotline is blocked: 2 tests of its own fail: "a", "b"; and it breaks 1 test of calls: "c"'
    )
    assert (
        failing_tests_text("hotline", [outcome(None, "a")])
        == 'publishing hotline is blocked: 1 test of its own fails: "a"'
    )


def _start_over(said: str, tests: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A menu whose 9 starts the call over in the scenario itself, `start-over`, and whose 1 says `said`."""
    document = documents.menu(["1", "9"])
    document["nodes"][2]["config"]["text"] = said
    document["nodes"][3] = {"id": "k9", "type": "goto_scenario", "config": {"scenario": "start-over"}}
    if tests is not None:
        document["meta"] = {"tests": tests}
    return document


async def test_a_jump_into_itself_runs_the_document_being_published(database: Database) -> None:
    """Once published, a call that starts over continues in the new version: its tests say so, not the old one."""
    with database.session() as session:
        scenarios.create_scenario(session, slug="start-over", document=_start_over("Old news"), actor="ana")
    with database.session() as session:
        await publish(session, slug="start-over", message="v1", actor="pat", registry=default_registry())
    test = {"name": "again", "keys": ["9", "1"], "expect": {"said": ["New news"]}}
    with database.session() as session:
        outcome = await publish(session, slug="start-over", message="v2", actor="pat", registry=default_registry(),
                                document=_start_over("New news", [test]))  # fmt: skip
    assert [(t["scenario"], t["name"], t["passed"]) for t in outcome.tests] == [(None, "again", True)]


async def test_a_failing_test_is_overridden_only_when_the_publisher_says_so(database: Database) -> None:
    failing = documents.greeting("Hello", tests=[{"name": "says bye", "expect": {"said": ["Bye"]}}])
    with database.session() as session:
        scenarios.create_scenario(session, slug="tested", document=failing, actor="ana")
    with database.session() as session, pytest.raises(BlockedByFailingTests) as blocked:
        await publish(session, slug="tested", message="v1", actor="pat", registry=default_registry())
    assert str(blocked.value) == (
        'publishing tested is blocked: 1 test of its own fails: "says bye"; a publisher may publish it despite '
        "failing tests"
    )
    with database.session() as session:
        outcome = await publish(session, slug="tested", message="v1", actor="pat", registry=default_registry(),
                                despite_failing_tests=True)  # fmt: skip
    # Its first failures in English and as codes and params (for the designer to say in the analyst's language).
    assert outcome.version.validation_summary["despite_failing_tests"] == [
        {
            "scenario": "tested",
            "test": "says bye",
            "failures": [outcome.tests[0]["failures"][0]],
            "failure_details": [outcome.tests[0]["failure_details"][0]],
            "failure_count": 1,
        }
    ]
