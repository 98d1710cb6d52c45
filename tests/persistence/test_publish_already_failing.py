"""A test of a scenario continuing in the one published that fails with its live version too blocks nothing.

Finding: publishing X runs the tests of every scenario that continues into X by Go To Scenario. Once one of those
failed already (broken by something else, or X shipped past it), every later publish of X was blocked by a failure
it did not cause, and each had to be an override in the audit log. Now such a failure is reported, marked
`already_failing`, and recorded apart; a failure this publish causes still blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from blocks import default_registry
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests
from persistence import audit, scenarios
from persistence.db import Database
from persistence.publishing import BlockedByFailingTests, PublishOutcome, publish
from tests.persistence import documents

HEARS_HELLO = {"name": "hears hello", "expect": {"said": ["Hello"]}}
HEARS_BYE = {"name": "hears bye", "expect": {"said": ["Bye"]}}  # X never says it: fails with any X here


def _jumping(target: str, tests: list[dict[str, Any]]) -> dict[str, Any]:
    document = documents.jumping_to(target)
    document["meta"] = {"tests": tests}
    return document


async def _publish(database: Database, slug: str, document: dict[str, Any], **options: Any) -> PublishOutcome:
    with database.session() as session:
        return await publish(session, slug=slug, message="m", actor="pat", registry=default_registry(),
                             document=document, **options)  # fmt: skip


def _create(database: Database, slug: str, document: dict[str, Any]) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug=slug, document=document, actor="ana")


def _marks(tests: Sequence[Mapping[str, Any]]) -> list[tuple[str | None, str, bool, bool]]:
    return [(test["scenario"], test["name"], test["passed"], test.get("already_failing", False)) for test in tests]


def _last_publish_event(database: Database, slug: str) -> dict[str, Any]:
    with database.session() as session:
        [event] = audit.list_events(session, target=f"scenario:{slug}", action="publish", limit=1)
        return dict(event.details)


async def _live_pair(database: Database) -> None:
    """x says Hello; d continues in x, one test passing, one failing whatever x is (shipped past it)."""
    _create(database, "x", documents.greeting("Hello"))
    await _publish(database, "x", documents.greeting("Hello"))
    _create(database, "d", _jumping("x", [HEARS_HELLO, HEARS_BYE]))
    await _publish(database, "d", _jumping("x", [HEARS_HELLO, HEARS_BYE]), despite_failing_tests=True)


async def test_a_dependent_test_failing_with_the_live_version_too_does_not_block_nor_count_as_an_override(
    database: Database,
) -> None:
    await _live_pair(database)

    outcome = await _publish(database, "x", documents.greeting("Hello", name="Greeting, renamed"))

    assert outcome.version.number == 2
    assert _marks(outcome.tests) == [("d", "hears hello", True, False), ("d", "hears bye", False, True)]
    summary = outcome.version.validation_summary
    assert summary["already_failing"] == [{"scenario": "d", "test": "hears bye"}]
    assert summary["tests_passed"] == 1 and summary["other_scenarios_tested"] == ["d"]
    assert "despite_failing_tests" not in summary
    details = _last_publish_event(database, "x")
    assert details["version"] == 2 and "despite_failing_tests" not in details


async def test_a_failure_this_publish_causes_still_blocks_naming_only_it(database: Database) -> None:
    await _live_pair(database)

    with pytest.raises(BlockedByFailingTests) as blocked:
        await _publish(database, "x", documents.greeting("Goodbye"))  # d no longer hears Hello: this breaks it

    assert str(blocked.value) == (
        'publishing x breaks 1 test of d: "hears hello"; a publisher may publish it despite failing tests'
    )
    assert _marks(blocked.value.tests) == [("d", "hears hello", False, False), ("d", "hears bye", False, True)]
    with database.session() as session:
        assert [v.number for v in scenarios.list_versions(session, slug="x")] == [1]

    forced = await _publish(database, "x", documents.greeting("Goodbye"), despite_failing_tests=True)
    summary = forced.version.validation_summary
    [shipped] = summary["despite_failing_tests"]
    assert (shipped["scenario"], shipped["test"]) == ("d", "hears hello")
    assert summary["already_failing"] == [{"scenario": "d", "test": "hears bye"}]
    assert [record["test"] for record in _last_publish_event(database, "x")["despite_failing_tests"]] == ["hears hello"]


async def test_its_own_failing_tests_always_block_even_when_they_fail_live_too(database: Database) -> None:
    own_failing = documents.greeting("Hello", tests=[HEARS_BYE])
    _create(database, "x", own_failing)
    await _publish(database, "x", own_failing, despite_failing_tests=True)

    renamed = documents.greeting("Hello", name="Renamed", tests=[HEARS_BYE])
    with pytest.raises(BlockedByFailingTests) as blocked:
        await _publish(database, "x", renamed)
    assert _marks(blocked.value.tests) == [(None, "hears bye", False, False)]


async def test_only_the_failing_tests_of_dependents_that_fail_are_run_again_with_the_live_version(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _live_pair(database)
    _create(database, "fine", _jumping("x", [HEARS_HELLO]))
    await _publish(database, "fine", _jumping("x", [HEARS_HELLO]))
    runs: list[tuple[str, list[str], bool]] = []

    async def counted(document: Mapping[str, Any], tests: Sequence[object], registry: BlockRegistry,
                      **options: Any) -> Any:  # fmt: skip
        names = [str(test["name"]) for test in tests if isinstance(test, Mapping)]
        runs.append((str(document["name"]), names, options["scenarios"]["x"]["name"] == "Renamed"))
        return await run_scenario_tests(document, tests, registry, **options)

    monkeypatch.setattr("persistence.publishing.run_scenario_tests", counted)
    await _publish(database, "x", documents.greeting("Hello", name="Renamed"))

    # x's own (none), then each dependent with the new x; then only d's failing test, with x as live (not renamed).
    assert sorted(runs) == sorted(
        [
            ("Renamed", [], True),
            ("Jump to x", ["hears hello", "hears bye"], True),
            ("Jump to x", ["hears hello"], True),
            ("Jump to x", ["hears bye"], False),
        ]
    )


async def test_with_no_live_version_of_it_a_dependent_failure_is_an_old_one(database: Database) -> None:
    """d's version jumps into x, which was never published (stored before Go To Scenario was checked, say): d's
    calls cannot continue there now, so its failing test was failing already; nothing to run it against."""
    _create(database, "x", documents.greeting("Hello"))
    _create(database, "d", _jumping("x", [HEARS_HELLO, HEARS_BYE]))
    with database.session() as session:
        scenario = scenarios.get_scenario(session, slug="d", for_update=True)
        scenarios.store_version(session, scenario=scenario, document=_jumping("x", [HEARS_HELLO, HEARS_BYE]),
                                message="imported", summary={}, actor="ana")  # fmt: skip

    outcome = await _publish(database, "x", documents.greeting("Hello"))

    assert _marks(outcome.tests) == [("d", "hears hello", True, False), ("d", "hears bye", False, True)]
    assert outcome.version.validation_summary["already_failing"] == [{"scenario": "d", "test": "hears bye"}]
