"""Saving the draft that is stored writes nothing (persistence.scenarios.save_draft): no new revision, no new
`updated_at` or `updated_by`, no UPDATE at all. On SQLite and PostgreSQL (whose JSONB keeps keys in an order of
its own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from persistence import scenario_transfer, scenarios
from persistence.db import Database
from tests.persistence import documents

MADE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _updates_of_scenarios(database: Database) -> list[str]:
    seen: list[str] = []

    def look(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE SCENARIOS"):
            seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", look)
    return seen


def test_saving_the_stored_draft_again_writes_nothing(database: Database) -> None:
    document = documents.greeting() | {"meta": {"n": 1.5, "flags": [True, None, "ü"]}}
    with database.session() as session:
        scenarios.create_scenario(session, slug="sales", document=document, actor="ana", now=MADE)
    with database.session() as session:
        stored = scenarios.get_scenario(session, slug="sales").draft_document
    updates = _updates_of_scenarios(database)
    for sent in (document, stored, dict(reversed(list(document.items())))):
        with database.session() as session:
            saved = scenarios.save_draft(session, slug="sales", revision=1, document=sent, actor="sync-bot",
                                         now=MADE + timedelta(hours=1))  # fmt: skip
            assert saved.draft_revision == 1
    assert updates == []
    with database.session() as session:
        kept = scenarios.get_scenario(session, slug="sales")
        assert (kept.draft_revision, kept.updated_at, kept.updated_by) == (1, MADE, "ana")


def test_an_edit_is_saved_however_close_to_the_stored_draft(database: Database) -> None:
    document = documents.greeting() | {"meta": {"flag": True}}
    with database.session() as session:
        scenarios.create_scenario(session, slug="sales", document=document, actor="ana", now=MADE)
    for revision, flag in enumerate([1, 1.0, False, "true"], start=1):
        with database.session() as session:
            sent = documents.greeting() | {"meta": {"flag": flag}}
            saved = scenarios.save_draft(session, slug="sales", revision=revision, document=sent, actor="bob")
            assert saved.draft_revision == revision + 1, flag
    with database.session() as session:
        assert scenarios.get_scenario(session, slug="sales").draft_document["meta"] == {"flag": "true"}


def test_an_import_over_the_draft_with_the_same_document_keeps_its_revision(database: Database) -> None:
    """`replace_draft` saves through `save_draft`: importing the file the draft came from is no edit either, and
    is audited all the same (with the revision there is)."""
    with database.session() as session:
        scenarios.create_scenario(session, slug="sales", document=documents.greeting(), actor="ana", now=MADE)
    with database.session() as session:
        imported = scenario_transfer.import_scenario(session, slug="sales", name=None, document=documents.greeting(),
                                                     actor="bob", replace_draft=True)  # fmt: skip
        assert imported.replaced_draft and imported.scenario.draft_revision == 1
