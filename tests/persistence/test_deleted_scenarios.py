"""A deleted scenario that was published is kept for the calls that ran its versions, and is seen by nothing
else: not listed, not found by its slug, not published to FastAGI, not a referrer, and its slug free again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from persistence import audio, calls, scenarios
from persistence.calls import CallRecordIn
from persistence.db import Database
from persistence.errors import InUse, NotFound
from persistence.models import Scenario, ScenarioVersion
from tests.persistence import documents

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _published(database: Database, slug: str, document: dict[str, Any]) -> scenarios.Published:
    with database.session() as session:
        scenario = scenarios.create_scenario(session, slug=slug, document=document, actor="ana")
        scenarios.store_version(session, scenario=scenario, document=document, message="", summary={}, actor="ana")
        found = scenarios.published(session, slug=slug)
    assert found is not None
    return found


def _call(database: Database, call_id: str, ran: scenarios.Published | None, *, slug: str, at: datetime) -> None:
    record = CallRecordIn(call_id=call_id, scenario=slug, version=ran.number if ran else None,
                          version_id=ran.stamp if ran else None, started_at=at, ended_at=at + timedelta(seconds=5),
                          outcome="hung_up", trace={"steps": []})  # fmt: skip
    with database.session() as session:
        calls.write_batch(session, records=[record])


def _ran(database: Database, call_id: str) -> dict[str, Any]:
    with database.session() as session:
        return calls.version_ran(session, call_id=call_id).document


def test_a_deleted_scenario_is_seen_by_nothing_and_its_slug_is_free(database: Database) -> None:
    first = _published(database, "sales", documents.greeting("Original"))
    with database.session() as session:
        scenarios.delete_scenario(session, slug="sales")
    with database.session() as session:
        with pytest.raises(NotFound):
            scenarios.get_scenario(session, slug="sales")
        with pytest.raises(NotFound):
            scenarios.get_version(session, slug="sales", number=1)
        assert scenarios.list_scenarios(session) == ([], 0)
        assert scenarios.published(session, slug="sales") is None
        assert scenarios.hold_published(session, slug="sales") is None
        assert scenarios.published_slugs(session) == set()
        assert scenarios.published_versions(session) == {}
        # Kept, with its version, under a slug no scenario can have.
        kept = session.scalars(select(Scenario)).one()
        assert (kept.slug, kept.deleted_at is not None) == (f"~{kept.id}-sales", True)
        assert session.get(ScenarioVersion, first.stamp) is not None

    again = _published(database, "sales", documents.greeting("Something else"))
    with database.session() as session:
        assert [s.slug for s in scenarios.list_scenarios(session)[0]] == ["sales"]
        assert scenarios.get_version(session, slug="sales", number=1).document == documents.greeting("Something else")
        assert scenarios.published_versions(session) == {"sales": (again.stamp, 1)}
        # A save naming the revision alone reaches the live draft, never the deleted one's.
        saved = scenarios.save_draft(session, slug="sales", revision=1, document=documents.greeting("v2"), actor="ana")
        assert saved.draft_revision == 2
    with database.session() as session:
        kept = session.scalars(select(Scenario).where(Scenario.deleted_at.is_not(None))).one()
        assert (kept.draft_revision, kept.draft_document) == (1, documents.greeting("Original"))


def test_a_scenario_never_published_goes_for_good(database: Database) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug="draft-only", actor="ana")
    with database.session() as session:
        scenarios.delete_scenario(session, slug="draft-only")
    with database.session() as session:
        assert session.scalars(select(Scenario)).all() == []


def test_what_a_deleted_scenario_names_holds_nothing_back(database: Database) -> None:
    """Its draft and versions jumping to another scenario, or playing a recording, no longer need them."""
    _published(database, "target", documents.greeting("assets/hello.wav"))  # as the quoted value users_of seeks
    _published(database, "jumper", documents.jumping_to("target"))
    with database.session() as session:
        assert audio.users_of(session, media_name="assets/hello.wav") == ["target"]
        scenarios.delete_scenario(session, slug="jumper")
    with database.session() as session:
        assert scenarios.referrers(session, slug="target") == []
        scenarios.delete_scenario(session, slug="target")
    with database.session() as session:
        assert audio.users_of(session, media_name="assets/hello.wav") == []


def test_a_call_opens_the_version_it_ran_after_delete_and_recreate(database: Database) -> None:
    ran = _published(database, "sales", documents.greeting("Original"))
    _call(database, "old", ran, slug="sales", at=T0)
    _call(database, "lost", None, slug="sales", at=T0)  # an unknown scenario: it ran nothing
    with database.session() as session:
        scenarios.delete_scenario(session, slug="sales")
    assert _ran(database, "old") == documents.greeting("Original")

    now_ran = _published(database, "sales", documents.greeting("Something else"))
    _call(database, "new", now_ran, slug="sales", at=T0 + timedelta(days=1))
    assert (ran.number, now_ran.number) == (1, 1)
    assert _ran(database, "old") == documents.greeting("Original")
    assert _ran(database, "new") == documents.greeting("Something else")
    with pytest.raises(NotFound):
        _ran(database, "lost")


def test_a_record_without_its_version_row_is_read_in_the_scenario_it_ran(database: Database) -> None:
    """Written before 0012 traced it, or by a node not yet upgraded: by slug and number, in the scenario live under
    the slug if it was there when the call started; a call older than that scenario ran one deleted since."""
    ran = _published(database, "sales", documents.greeting("Original"))
    with database.session() as session:
        created = scenarios.get_scenario(session, slug="sales").created_at
    record = {"scenario": "sales", "version": 1, "outcome": "hung_up", "trace": {}}
    with database.session() as session:
        calls.write_batch(session, records=[
            {**record, "call_id": "after", "started_at": created + timedelta(minutes=1)},
            {**record, "call_id": "before", "started_at": created - timedelta(days=1)},
        ])  # fmt: skip
    assert _ran(database, "after") == documents.greeting("Original")
    with pytest.raises(NotFound):
        _ran(database, "before")
    assert ran.stamp > 0


def test_a_scenario_still_needed_is_not_deleted(database: Database) -> None:
    _published(database, "target", documents.greeting())
    _published(database, "jumper", documents.jumping_to("target"))
    with pytest.raises(InUse), database.session() as session:
        scenarios.delete_scenario(session, slug="target")
    with database.session() as session:
        assert scenarios.get_scenario(session, slug="target").deleted_at is None
