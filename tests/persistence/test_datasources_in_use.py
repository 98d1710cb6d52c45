"""A data source the published scenarios need cannot be deleted, nor made read-only under a query that writes.

Review of 2026-12-06: both were accepted without a word, and every later call of the scenario took the SQL
block's error exit; scenarios and audio assets were refused with InUse (409) while a published version needed
them. Only the latest published version of a live scenario counts: a draft, an older version or a deleted
scenario runs no call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from blocks import default_registry
from persistence import datasources, scenarios
from persistence.db import Database
from persistence.errors import InUse, NotFound
from persistence.publishing import publish

READS = "SELECT name FROM staff WHERE phone = :caller_id"
WRITES = "UPDATE staff SET seen = 1 WHERE phone = :caller_id"


def _document(*queries: tuple[str, str]) -> dict[str, Any]:
    """A scenario whose SQL blocks run `queries` ((source, query) each) one after the other."""
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start", "config": {}}]
    edges, previous = [], "start"
    for index, (source, query) in enumerate(queries):
        node = f"q{index}"
        nodes.append({"id": node, "type": "sql", "label": f"Ask {index}", "config": {"source": source, "query": query}})
        edges.append({"source": previous, "exit": "next" if previous == "start" else "found", "target": node})
        previous = node
    nodes.append({"id": "bye", "type": "hangup", "config": {}})
    edges.append({"source": previous, "exit": "next" if previous == "start" else "found", "target": "bye"})
    return {"format": "ivrgraph.scenario/1", "name": "Lookup", "nodes": nodes, "edges": edges}


def _source(database: Database, tmp_path: Path, name: str, *, read_only: bool = True) -> int:
    with database.session() as session:
        url = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        return datasources.create_data_source(session, name=name, url=url, read_only=read_only).id


async def _published(database: Database, slug: str, document: dict[str, Any]) -> None:
    """`document` published as `slug`'s next version (the scenario created first when there is none)."""
    with database.session() as session:
        try:
            scenarios.get_scenario(session, slug=slug)
        except NotFound:
            scenarios.create_scenario(session, slug=slug, document=document, actor="ana")
    with database.session() as session:
        await publish(session, slug=slug, message="go", actor="pat", registry=default_registry(), document=document)


def _names(database: Database) -> set[str]:
    with database.session() as session:
        return {source.name for source in datasources.list_data_sources(session)}


async def test_a_source_a_published_scenario_uses_cannot_be_deleted(database: Database, tmp_path: Path) -> None:
    crm = _source(database, tmp_path, "crm")
    await _published(database, "lookup", _document(("crm", READS)))
    await _published(database, "billing", _document(("other", READS), ("crm", READS)))
    with pytest.raises(InUse) as refused, database.session() as session:
        datasources.delete_data_source(session, source_id=crm)
    assert refused.value.referred_by == ["scenario billing", "scenario lookup"]
    assert "data source 'crm'" in str(refused.value) and "scenario lookup" in str(refused.value)
    assert _names(database) == {"crm"}


async def test_drafts_older_versions_and_deleted_scenarios_do_not_hold_a_source(
    database: Database, tmp_path: Path
) -> None:
    crm = _source(database, tmp_path, "crm")
    with database.session() as session:  # a draft only: no call runs it
        scenarios.create_scenario(session, slug="draft", document=_document(("crm", READS)), actor="ana")
    await _published(database, "moved", _document(("crm", READS)))  # version 1 used it; version 2 no longer does
    await _published(database, "moved", _document(("other", READS)))
    await _published(database, "gone", _document(("crm", READS)))
    with database.session() as session:
        scenarios.delete_scenario(session, slug="gone")  # kept for its calls' history, marked deleted
    with database.session() as session:
        datasources.delete_data_source(session, source_id=crm)
    assert _names(database) == set()


async def test_a_source_published_queries_write_on_cannot_be_made_read_only(database: Database, tmp_path: Path) -> None:
    crm = _source(database, tmp_path, "crm", read_only=False)
    await _published(database, "reader", _document(("crm", READS)))
    await _published(database, "writer", _document(("crm", READS), ("crm", WRITES)))
    with pytest.raises(InUse) as refused, database.session() as session:
        datasources.update_data_source(session, source_id=crm, read_only=True)
    assert refused.value.referred_by == ["scenario writer"]
    assert "read-only" in str(refused.value) and "scenario writer" in str(refused.value)
    with database.session() as session:
        assert datasources.get_data_source(session, source_id=crm).read_only is False
        datasources.update_data_source(session, source_id=crm, description="still writable")  # other changes pass

    await _published(database, "writer", _document(("crm", READS)))  # the write is gone from what calls run
    with database.session() as session:
        assert datasources.update_data_source(session, source_id=crm, read_only=True).read_only is True
    with database.session() as session:  # writable again: nothing to check
        assert datasources.update_data_source(session, source_id=crm, read_only=False).read_only is False
