"""Over HTTP: a data source that published scenarios need is refused deletion, and being made read-only under
their writes, with 409 in-use naming the scenarios (review of 2026-12-06), as a scenario delete is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.api.conftest import Client


def _document(source: str, query: str) -> dict[str, Any]:
    return {
        "format": "ivrgraph.scenario/1",
        "name": "Lookup",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "q", "type": "sql", "label": "Mark", "config": {"source": source, "query": query}},
            {"id": "bye", "type": "hangup", "config": {}},
        ],
        "edges": [
            {"source": "start", "exit": "next", "target": "q"},
            {"source": "q", "exit": "found", "target": "bye"},
        ],
    }


def _published(admin: Client, name: str, document: dict[str, Any]) -> None:
    created = admin.post("/api/scenarios", json={"slug": name, "name": name.title(), "document": document})
    assert created.status_code == 201, created.text
    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "go"})
    assert published.status_code in (200, 201), published.text


def test_a_source_published_scenarios_need_is_refused_with_in_use(
    admin: Client, slug: Callable[[str], str], tmp_path: Path
) -> None:
    source = f"crm_{id(tmp_path) % 100000}"
    created = admin.post(
        "/api/data-sources", json={"name": source, "url": f"sqlite:///{tmp_path / 'crm.db'}", "read_only": False}
    )
    assert created.status_code == 201, created.text
    path = f"/api/data-sources/{created.json()['id']}"
    drafted, writer = slug("draftsql"), slug("writer")
    draft = {"slug": drafted, "name": "Draft", "document": _document(source, "SELECT 1")}
    assert admin.post("/api/scenarios", json=draft).status_code == 201  # never published
    _published(admin, writer, _document(source, "UPDATE staff SET seen = 1 WHERE phone = :caller_id"))

    made_read_only = admin.patch(path, json={"read_only": True})
    assert made_read_only.status_code == 409, made_read_only.text
    body = made_read_only.json()
    assert body["type"].endswith("/in-use") and body["referred_by"] == [f"scenario {writer}"]
    assert "read-only" in body["detail"] and writer in body["detail"]
    assert admin.get(path).json()["read_only"] is False

    deleted = admin.delete(path)
    assert deleted.status_code == 409, deleted.text
    assert deleted.json()["referred_by"] == [f"scenario {writer}"]  # the draft alone runs no call
    assert admin.get(path).status_code == 200

    assert admin.delete(f"/api/scenarios/{writer}").status_code == 204  # no call runs it any more
    assert admin.patch(path, json={"read_only": True}).json()["read_only"] is True
    assert admin.delete(path).status_code == 204
