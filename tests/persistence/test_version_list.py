"""A scenario's versions listed without their documents, and JSON stored compact. On SQLite and PostgreSQL.

The list read and parsed every version's whole document to answer number, message, author and summary: 1.1-1.6 s
at 122 versions of an 800-block scenario, growing with every publish (review of 2026-12)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, inspect

from persistence import scenarios
from persistence.db import Database
from persistence.errors import NotFound
from tests.persistence import documents
from tests.persistence.statements import run_statements

SUMMARY = {"warnings": 1, "tests_passed": 0, "codes": ["unreachable"]}


def _published(database: Database, slug: str, count: int) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug=slug, document=documents.greeting(), actor="ana")
        for number in range(1, count + 1):
            scenario = scenarios.get_scenario(session, slug=slug, for_update=True)
            scenarios.store_version(session, scenario=scenario, document=documents.greeting(f"Hello {number}"),
                                    message=f"v{number}", summary=SUMMARY, actor="pat")  # fmt: skip


@contextmanager
def _statements(database: Database) -> Iterator[list[str]]:
    """The SQL the database is sent meanwhile."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        sent.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def test_the_list_reads_no_document_and_a_version_still_opens_whole(database: Database) -> None:
    _published(database, "listed", 3)
    with database.session() as session, _statements(database) as sent:
        versions = scenarios.list_versions(session, slug="listed")
        listed = [(v.number, v.message, v.created_by, v.validation_summary) for v in versions]
        assert listed == [(n, f"v{n}", "pat", SUMMARY) for n in (3, 2, 1)]
        assert all("document" in inspect(version).unloaded for version in versions)
        assert not [sql for sql in sent if "document" in sql], sent  # neither a version's nor the draft
        assert versions[1].document["nodes"][1]["config"]["text"] == "Hello 2"  # read when asked for


def test_the_list_of_a_scenario_not_there_is_not_found(database: Database) -> None:
    _published(database, "gone", 1)
    with database.session() as session:
        scenarios.delete_scenario(session, slug="gone")  # kept for its calls, under another slug
    for slug in ("gone", "nowhere"):
        with database.session() as session, pytest.raises(NotFound):
            scenarios.list_versions(session, slug=slug)


def test_json_is_stored_compact_and_read_back_as_written(tmp_path: Any) -> None:
    """SQLite stores JSON as written: Python's ", " and ": " took 10 % of an 800-block version."""
    from persistence.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'compact.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        _published(database, "compact", 1)
        [(stored,)] = run_statements(url, ("SELECT document FROM scenario_versions", {}))
        assert stored == json.dumps(documents.greeting("Hello 1"), separators=(",", ":"))
        with database.session() as session:
            assert scenarios.get_version(session, slug="compact", number=1).document == documents.greeting("Hello 1")
    finally:
        database.dispose()
