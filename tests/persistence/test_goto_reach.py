"""The published scenarios read along the Go To Scenario jumps (persistence.goto_reach): the same ones
`dependents.scenarios_reaching` finds among every published scenario, read without reading the others."""

from __future__ import annotations

from typing import Any

from persistence import scenarios
from persistence.db import Database
from persistence.dependents import scenarios_reaching
from persistence.goto_reach import published_reached, published_reaching
from tests.persistence import documents


def _callback_into(slug: str) -> dict[str, Any]:
    document = documents.greeting()
    document["nodes"][1] = {"id": "hello", "type": "callback", "config": {"scenario": slug}}
    return document


def _saying(text: str) -> dict[str, Any]:
    """A greeting whose phrase, and a node id, are spelt as a slug: it names the slug, and jumps nowhere."""
    document = documents.greeting(text)
    document["nodes"][2]["id"] = text
    document["edges"][1]["target"] = text
    return document


PUBLISHED = {
    "x": documents.jumping_to("x"),  # its own "start over": not a dependent of itself
    "b": documents.jumping_to("x"),
    "a": documents.jumping_to("b"),
    "loop-1": documents.jumping_to("loop-2"),
    "loop-2": documents.jumping_to("loop-1"),  # a loop that never reaches x
    "c": _callback_into("x"),  # another call, later: not a dependent (persistence.dependents)
    "says-x": _saying("x"),  # "x" in its text, as a phrase and a node id, but no jump
    "upper": documents.jumping_to("X"),  # SQLite's LIKE ignores case; a slug has none
    "y": documents.greeting(),
    "to-y": documents.jumping_to("y"),
    "to-draft": documents.jumping_to("draft"),
    "broken": {"nodes": "not a list"},
}


def _publish_all(database: Database) -> None:
    with database.session() as session:
        for slug, document in PUBLISHED.items():
            scenario = scenarios.create_scenario(session, slug=slug, document=documents.greeting(), actor="test")
            scenarios.store_version(session, scenario=scenario, document=document, message="", summary={}, actor="t")
        # A draft never published is reached by no one: its jump fails in a test call, as it always did.
        scenarios.create_scenario(session, slug="draft", document=documents.greeting(), actor="test")


def test_who_reaches_a_scenario_read_back_along_the_jumps_is_who_reaches_it_among_every_one(
    database: Database,
) -> None:
    _publish_all(database)
    with database.session() as session:
        for slug in ["x", "b", "a", "loop-1", "y", "says-x", "nobody-jumps-here"]:
            found = published_reaching(session, slug)
            assert sorted(found) == scenarios_reaching(PUBLISHED, slug), slug
            assert all(found[other].document == PUBLISHED[other] for other in found)


def test_the_versions_jumping_into_a_scenario_are_those_whose_go_to_scenario_names_it(database: Database) -> None:
    _publish_all(database)
    with database.session() as session:
        # Not says-x (a phrase and a node id "x"), upper ("X"), c (a Callback): SQLite's text search finds some.
        assert sorted(scenarios.published_jumping_into(session, {"x"})) == ["b", "x"]
        assert sorted(scenarios.published_jumping_into(session, {"b", "loop-1", "draft"})) == [
            "a",
            "loop-2",
            "to-draft",
        ]
        assert scenarios.published_jumping_into(session, set()) == {}


def test_what_calls_can_continue_in_is_read_along_the_jumps_and_nothing_else(database: Database) -> None:
    _publish_all(database)
    with database.session() as session:
        assert sorted(published_reached(session, [documents.jumping_to("a")])) == ["a", "b", "x"]
        assert sorted(published_reached(session, [PUBLISHED["loop-1"]])) == ["loop-1", "loop-2"]
        both = [documents.jumping_to("to-y"), documents.jumping_to("b")]
        assert sorted(published_reached(session, both)) == ["b", "to-y", "x", "y"]
        reached = published_reached(session, [documents.jumping_to("to-draft")])
        assert sorted(reached) == ["to-draft"]  # the draft has no published version to continue in
        assert reached["to-draft"].number == 1
        assert published_reached(session, [documents.greeting(), {"nodes": "not a list"}]) == {}
