"""Who keeps a scenario from being deleted, found by the database and said as data.

Before, the delete read every live scenario, its draft and its latest version, one query a scenario, and looked
for the slug in Python: 2 + N statements for one delete among N scenarios (a 226-scenario installation read every
document). Now the database finds them, PostgreSQL by JSONB containment, SQLite by LIKE and then the nodes of what
it found, in the same statements whatever N. And the refusal (`ScenarioInUse`) carries who, where (draft,
published version, both) and how many callbacks, for a client to say in its own language; `referred_by` keeps its
English words. SQLite and PostgreSQL, real databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, update

from persistence import callbacks, scenarios
from persistence.db import Database
from persistence.errors import InUse
from persistence.models import CallbackJob
from tests.persistence import documents

DUE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _create(database: Database, slug: str, document: dict[str, Any], *, name: str | None = None) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug=slug, name=name, document=document, actor="ana")


def _publish(database: Database, slug: str, document: dict[str, Any]) -> None:
    with database.session() as session:
        scenario = scenarios.get_scenario(session, slug=slug, for_update=True)
        scenarios.store_version(session, scenario=scenario, document=document, message="", summary={}, actor="ana")


def _save(database: Database, slug: str, document: dict[str, Any]) -> None:
    with database.session() as session:
        held = scenarios.get_scenario(session, slug=slug)
        scenarios.save_draft(session, slug=slug, revision=held.draft_revision, document=document, actor="ana")


def _calling_back(slug: str) -> dict[str, Any]:
    """A scenario whose Callback block rings the client into `slug`."""
    document = documents.greeting(name=f"Call back into {slug}")
    document["nodes"][1] = {"id": "later", "type": "callback", "config": {"scenario": slug, "delay_minutes": 5}}
    return document


def _refusal(database: Database, slug: str) -> scenarios.ScenarioInUse:
    with pytest.raises(InUse) as refused, database.session() as session:
        scenarios.delete_scenario(session, slug=slug)
    assert isinstance(refused.value, scenarios.ScenarioInUse)
    return refused.value


@contextmanager
def _statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements `database` runs while inside."""
    run: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        run.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield run
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def test_the_refusal_names_each_scenario_where_it_names_the_slug_and_the_callbacks(database: Database) -> None:
    _create(database, "target", documents.greeting(), name="Target line")
    # Its draft only: published before it jumped.
    _create(database, "draft-jump", documents.greeting(), name="Draft jumper")
    _publish(database, "draft-jump", documents.greeting())
    _save(database, "draft-jump", documents.jumping_to("target"))
    # Its live version only: the draft jumps elsewhere now, the calls still go there.
    _create(database, "live-jump", documents.jumping_to("target"), name="Live jumper")
    _publish(database, "live-jump", documents.jumping_to("target"))
    _save(database, "live-jump", documents.jumping_to("elsewhere"))
    # Both, by a Callback block: the block's `scenario` field is a reference as Go To Scenario's is.
    _create(database, "rings-back", _calling_back("target"), name="Обратный звонок")
    _publish(database, "rings-back", _calling_back("target"))
    with database.session() as session:
        for status in ("pending", "dialing", "done", "failed"):
            job = callbacks.create_job(session, number="+34600111222", scenario="target", due=DUE)
            session.flush()
            session.execute(update(CallbackJob).where(CallbackJob.id == job.id).values(status=status))

    refused = _refusal(database, "target")

    assert refused.referrers == scenarios.Referrers(
        scenarios=(
            scenarios.ReferringScenario("draft-jump", "Draft jumper", "draft"),
            scenarios.ReferringScenario("live-jump", "Live jumper", "published"),
            scenarios.ReferringScenario("rings-back", "Обратный звонок", "both"),
        ),
        pending_callbacks=2,  # pending and being dialled: the done and the failed need it no more
    )
    # The English list older clients read is what it was.
    assert refused.referred_by == ["scenario draft-jump", "scenario live-jump", "scenario rings-back",
                                   "2 pending callback(s)"]  # fmt: skip
    with database.session() as session:
        assert scenarios.get_scenario(session, slug="target").deleted_at is None


def test_what_only_looks_like_a_reference_holds_nothing_back(database: Database) -> None:
    """The slug as a phrase, a node id, in another case, in an older version only, in a deleted scenario, in the
    scenario itself: SQLite's LIKE finds some of these, and their nodes say they name nothing."""
    _create(database, "target", documents.jumping_to("target"))  # itself: a loop, not a referrer
    _create(database, "says-it", documents.greeting("target"))
    node_id = documents.greeting()
    node_id["nodes"][1]["id"] = "target"
    node_id["edges"][0]["target"] = node_id["edges"][1]["source"] = "target"
    _create(database, "node-id", node_id)
    _create(database, "upper", documents.jumping_to("TARGET"))
    _create(database, "jumps-elsewhere", documents.jumping_to("elsewhere"))  # its edges have a "target" key
    _create(database, "old-version", documents.jumping_to("target"))
    _publish(database, "old-version", documents.jumping_to("target"))
    _publish(database, "old-version", documents.greeting())  # the latest is the one calls run
    _save(database, "old-version", documents.greeting())
    _create(database, "gone", documents.jumping_to("target"))
    _publish(database, "gone", documents.jumping_to("target"))
    with database.session() as session:
        found = scenarios.needed_by(session, slug="target")
        assert found.scenarios == (scenarios.ReferringScenario("gone", "Jump to target", "both"),)
        # Deleted, it is kept for its calls, its draft and version naming the slug still: it needs nothing now.
        scenarios.delete_scenario(session, slug="gone")
    with database.session() as session:
        found = scenarios.needed_by(session, slug="target")
        assert found == scenarios.Referrers() and not found
        assert scenarios.referrers(session, slug="target") == []
        scenarios.delete_scenario(session, slug="target")


def test_a_refused_delete_costs_the_same_statements_however_many_scenarios_there_are(database: Database) -> None:
    """Counted on the whole delete, with 3 unrelated published scenarios and then with 60: before, the referrers
    alone took 2 + N statements (one a scenario for its latest version)."""
    _create(database, "target", documents.greeting())
    _create(database, "jumper", documents.jumping_to("target"))
    with database.session() as session:
        callbacks.create_job(session, number="+34600111222", scenario="target", due=DUE)
    counted: list[int] = []
    made = 0
    for many in (3, 60):
        for n in range(made, many):
            _create(database, f"other-{n:03d}", documents.menu(["1", "2"], name=f"Other {n}"))
            _publish(database, f"other-{n:03d}", documents.menu(["1", "2"], name=f"Other {n}"))
        with _statements(database) as run, pytest.raises(InUse) as refused, database.session() as session:
            scenarios.delete_scenario(session, slug="target")
        assert refused.value.referred_by == ["scenario jumper", "1 pending callback(s)"]
        counted.append(len(run))
        made = many
    # The writer lock (SQLite only), the scenario held, the callbacks, the scenarios naming it.
    assert counted[0] == counted[1] <= 4, counted
