from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from persistence import callbacks, scenarios
from persistence.db import Database
from persistence.errors import AlreadyExists, InUse, InvalidDocument, NotFound, StaleRevision
from tests.persistence import documents


def test_new_scenario_starts_with_a_start_block_at_revision_1(database: Database) -> None:
    with database.session() as session:
        created = scenarios.create_scenario(session, slug="sales", name="Sales line", actor="ana")
    with database.session() as session:
        stored = scenarios.get_scenario(session, slug="sales")
    assert created.draft_revision == stored.draft_revision == 1
    assert [node["type"] for node in stored.draft_document["nodes"]] == ["start"]
    assert stored.created_by == stored.updated_by == "ana"
    assert stored.updated_at.tzinfo is not None


def test_slug_is_unique(database: Database) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug="sales", actor="ana")
    with pytest.raises(AlreadyExists), database.session() as session:
        scenarios.create_scenario(session, slug="sales", actor="bob")


@pytest.mark.parametrize("slug", ["Sales", "-x", "a b", "", "x" * 65, "über"])
def test_slug_must_be_usable_by_go_to_scenario(database: Database, slug: str) -> None:
    with pytest.raises(InvalidDocument), database.session() as session:
        scenarios.create_scenario(session, slug=slug, actor="ana")


def test_structurally_broken_document_is_refused_with_json_paths(database: Database) -> None:
    broken = documents.greeting()
    broken["nodes"][1]["id"] = "has space"
    del broken["edges"][0]["target"]
    with pytest.raises(InvalidDocument) as caught, database.session() as session:
        scenarios.create_scenario(session, slug="broken", document=broken, actor="ana")
    paths = {problem["path"] for problem in caught.value.problems}
    assert {"$.nodes[1].id", "$.edges[0]"} <= paths


def test_save_draft_bumps_revision_and_stale_revision_is_refused_with_current_document(database: Database) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug="sales", document=documents.greeting("one"), actor="ana")
    with database.session() as session:
        saved = scenarios.save_draft(session, slug="sales", revision=1, document=documents.greeting("two"), actor="bob")
    assert saved.draft_revision == 2
    with pytest.raises(StaleRevision) as caught, database.session() as session:
        scenarios.save_draft(session, slug="sales", revision=1, document=documents.greeting("three"), actor="eve")
    assert caught.value.current_revision == 2
    assert caught.value.document["nodes"][1]["config"]["text"] == "two"


def test_a_draft_that_does_not_validate_still_saves(database: Database) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug="wip", actor="ana")
        saved = scenarios.save_draft(session, slug="wip", revision=1, document=documents.unknown_block(), actor="ana")
    assert saved.draft_document["nodes"][1]["type"] == "no_such_block"


def test_concurrent_saves_of_one_revision_have_exactly_one_winner(database: Database) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug="race", actor="ana")
    results: dict[str, str] = {}
    barrier = threading.Barrier(8)

    def edit(who: str) -> None:
        barrier.wait()
        try:
            with database.session() as session:
                scenarios.save_draft(session, slug="race", revision=1, document=documents.greeting(who), actor=who)
            results[who] = "saved"
        except StaleRevision:
            results[who] = "stale"

    threads = [threading.Thread(target=edit, args=(f"user{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [who for who, result in results.items() if result == "saved"]
    assert len(winners) == 1 and len(results) == 8
    with database.session() as session:
        stored = scenarios.get_scenario(session, slug="race")
    assert stored.draft_revision == 2
    assert stored.draft_document["nodes"][1]["config"]["text"] == winners[0]


def test_list_searches_slug_and_name_and_pages(database: Database) -> None:
    with database.session() as session:
        for n in range(7):
            scenarios.create_scenario(session, slug=f"line-{n}", name=f"Line {n}", actor="ana")
        scenarios.create_scenario(session, slug="promo", name="Summer_promo 100%", actor="ana")
    with database.session() as session:
        page, total = scenarios.list_scenarios(session, query="line", page=2, page_size=3)
        assert total == 7 and [s.slug for s in page] == ["line-3", "line-4", "line-5"]
        found, total = scenarios.list_scenarios(session, query="_promo 100%")
        assert [s.slug for s in found] == ["promo"]
        found, total = scenarios.list_scenarios(session, query="%")
        assert [s.slug for s in found] == ["promo"]  # "%" is searched for literally, not a wildcard


def test_search_ignores_case_in_every_alphabet(database: Database) -> None:
    """SQLite's LIKE folds ASCII letters only: "меню" did not find "Меню поддержки" there, as it does on
    PostgreSQL. Analysts name scenarios in their own language."""
    with database.session() as session:
        scenarios.create_scenario(session, slug="support", name="Меню поддержки", actor="ana")
        scenarios.create_scenario(session, slug="strasse", name="Straße Ñandú, ÇA VA", actor="ana")
    with database.session() as session:
        for query in ("Меню", "меню", "ПОДДЕРЖКИ"):
            assert [s.slug for s in scenarios.list_scenarios(session, query=query)[0]] == ["support"], query
        for query in ("ñandú", "straße", "ça va", "ÑANDÚ"):
            found, total = scenarios.list_scenarios(session, query=query)
            assert [s.slug for s in found] == ["strasse"] and total == 1, query


def test_delete_is_refused_while_another_scenario_jumps_to_it(database: Database) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug="target", actor="ana")
        scenarios.create_scenario(session, slug="jumper", document=documents.jumping_to("target"), actor="ana")
    with pytest.raises(InUse) as caught, database.session() as session:
        scenarios.delete_scenario(session, slug="target")
    assert caught.value.referred_by == ["scenario jumper"]
    with database.session() as session:
        scenarios.delete_scenario(session, slug="jumper")
        scenarios.delete_scenario(session, slug="target")
    with pytest.raises(NotFound), database.session() as session:
        scenarios.get_scenario(session, slug="target")


def test_delete_is_refused_while_a_callback_is_pending(database: Database) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug="callback", actor="ana")
        callbacks.create_job(session, number="+34600111222", scenario="callback", due=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(InUse, match="pending callback"), database.session() as session:
        scenarios.delete_scenario(session, slug="callback")


def test_duplicate_copies_the_draft_under_a_new_slug(database: Database) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug="a", document=documents.greeting("hi"), actor="ana")
        copy = scenarios.duplicate_scenario(session, slug="a", new_slug="b", name="Copy", actor="bob")
    assert copy.draft_document["nodes"] == documents.greeting("hi")["nodes"]
    assert copy.draft_document["name"] == copy.name == "Copy"
