"""The block types of published versions, kept by version row id: read once, bounded, one store per database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from persistence import scenarios
from persistence.db import Database
from persistence.errors import NotFound
from persistence.version_block_types import VersionBlockTypes, block_types_used, version_block_types
from tests.conftest import make_document


def flow(*types: str) -> dict[str, Any]:
    nodes = [{"id": "start", "type": "start"}, *({"id": f"n{i}", "type": t} for i, t in enumerate(types))]
    return make_document(nodes, [])


def publish(database: Database, slug: str, document: dict[str, Any]) -> int:
    with database.session() as session:
        try:
            scenario = scenarios.get_scenario(session, slug=slug)
        except NotFound:
            scenario = scenarios.create_scenario(session, slug=slug, document=document, actor="ana")
        return scenarios.store_version(
            session, scenario=scenario, document=document, message="", summary={}, actor="ana"
        ).id


@contextmanager
def documents_read(database: Database) -> Iterator[list[str]]:
    read: list[str] = []

    def sent(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if re.search(r"\bscenario_versions\.document\b", statement):
            read.append(statement)

    event.listen(database.engine, "before_cursor_execute", sent)
    try:
        yield read
    finally:
        event.remove(database.engine, "before_cursor_execute", sent)


def test_each_version_is_read_once_and_the_least_recently_asked_dropped_past_the_limit(database: Database) -> None:
    first = publish(database, "one", flow("play", "crm_ticket_create"))
    second = publish(database, "two", flow("hangup"))
    third = publish(database, "one", flow("hangup"))  # a new version of "one": another row, its own types
    kept = VersionBlockTypes(limit=2)
    with documents_read(database) as read:
        with database.session() as session:
            assert kept.of(session, [first, second]) == {
                first: {"start", "play", "crm_ticket_create"},
                second: {"start", "hangup"},
            }
            assert len(read) == 1  # both in one statement
            assert kept.of(session, [second, first]) == {first: {"start", "play", "crm_ticket_create"},
                                                         second: {"start", "hangup"}}  # fmt: skip
            assert len(read) == 1 and len(kept) == 2  # kept: nothing read
            assert kept.of(session, [third]) == {third: {"start", "hangup"}}
            assert len(read) == 2 and len(kept) == 2  # `second` was asked longest ago: dropped
            assert kept.of(session, [first]) == {first: {"start", "play", "crm_ticket_create"}}
            assert len(read) == 2
            assert kept.of(session, [second, third]) == {second: {"start", "hangup"}, third: {"start", "hangup"}}
            assert len(read) == 3 and "IN" in read[-1]
            assert kept.of(session, [2**31 - 1]) == {}  # no such version: nothing to tell, nothing kept
            assert kept.of(session, []) == {}


def test_each_database_has_its_own(database: Database, tmp_path: Any) -> None:
    """Row ids are unique within one database only: another numbers its versions from 1 too."""
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        with database.session() as session, other.session() as other_session:
            assert version_block_types(session) is version_block_types(session)
            assert version_block_types(session) is not version_block_types(other_session)
    finally:
        other.dispose()


def test_a_document_read_warily() -> None:
    assert block_types_used({"nodes": [{"type": "start"}, {"type": 5}, "x", {"id": "no type"}]}) == {"start"}
    assert block_types_used({"nodes": 5}) == block_types_used(None) == block_types_used({}) == frozenset()
