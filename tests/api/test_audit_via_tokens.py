"""The audit log names the API token an action was taken with (`via`): a CRM's two integrations acting as the admin
who made their tokens read as "admin" alone, so nobody could tell which one scheduled the calls, nor which token
to revoke (review of the HTTP API by a CRM integrator, 2026-12). A session names none, however its requests and
a token's interleave. Over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from api import personal_data
from persistence.db import Database
from tests.api.conftest import ADMIN, Client, Server
from tests.persistence import documents


@pytest.fixture
def tokens(admin: Client, slug: Callable[[str], str]) -> Iterator[dict[str, dict[str, Any]]]:
    """Two of the admin's API tokens, as a CRM's integrations hold them: {name: the create answer}."""
    made: dict[str, dict[str, Any]] = {}
    for name, role in (("crm-publisher", "publisher"), ("crm-editor", "editor")):
        created = admin.post("/api/tokens", json={"name": f"{name} {slug('t')}", "role": role})
        assert created.status_code == 201, created.text
        made[name] = created.json()
    yield made
    for token in made.values():
        admin.delete(f"/api/tokens/{token['id']}")


def _bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['token']}"}


def _events(admin: Client, **asked: Any) -> list[dict[str, Any]]:
    response = admin.get("/api/audit", params={"limit": 500, **asked})
    assert response.status_code == 200, response.text
    return list(response.json())


def _via(token: dict[str, Any]) -> dict[str, Any]:
    return {"token_id": token["id"], "token_name": token["name"]}


def test_what_a_token_did_names_the_token_and_what_a_session_did_names_none(
    server: Server, admin: Client, tokens: dict[str, dict[str, Any]], slug: Callable[[str], str]
) -> None:
    publisher, editor = tokens["crm-publisher"], tokens["crm-editor"]
    name, other = slug("via"), slug("via")
    with httpx.Client(base_url=server.base_url, headers=_bearer(publisher), timeout=30) as crm:
        for scenario in (name, other):
            body = {"slug": scenario, "name": "CRM line", "document": documents.greeting()}
            assert crm.post("/api/scenarios", json=body).status_code == 201
            assert crm.post(f"/api/scenarios/{scenario}/publish", json={"message": "v1"}).status_code == 200
        job = {"number": "+34600111222", "scenario": name, "due": "2030-06-01T10:00:00Z"}
        scheduled = crm.post("/api/callbacks", json=job)
        assert scheduled.status_code == 201, scheduled.text
    edited = {"revision": 1, "document": documents.greeting("v2")}
    assert admin.put(f"/api/scenarios/{other}/draft", json=edited).status_code == 200
    assert admin.post(f"/api/scenarios/{other}/publish", json={"message": "v2"}).status_code == 200
    with httpx.Client(base_url=server.base_url, headers=_bearer(editor), timeout=30) as sync_bot:
        refused = sync_bot.post(f"/api/callbacks/{scheduled.json()['id']}/cancel")
        assert refused.status_code == 403  # an editor's token: nothing happened, nothing is audited
    assert admin.post(f"/api/callbacks/{scheduled.json()['id']}/cancel").status_code == 200

    published = _events(admin, action="publish", target=f"scenario:{other}")
    assert [(e["actor"], e["via"], e["details"].get("via")) for e in published] == [
        (ADMIN, None, None),  # the designer's, newest first
        (ADMIN, _via(publisher), _via(publisher)),
    ]
    (scheduled_event,) = _events(admin, action="schedule", target=f"callback:{scheduled.json()['id']}")
    assert (scheduled_event["actor"], scheduled_event["via"]) == (ADMIN, _via(publisher))
    (cancelled,) = _events(admin, action="cancel", target=f"callback:{scheduled.json()['id']}")
    assert cancelled["via"] is None and "via" not in cancelled["details"]


def test_a_sessions_requests_interleaved_with_tokens_ones_are_never_taken_for_theirs(
    server: Server, admin: Client, tokens: dict[str, dict[str, Any]]
) -> None:
    """Sync routes run in a thread pool whose threads serve one request after another, and one connection carries
    a token's requests and a session's in turn: each lookup of a number is audited with the credential of its own
    request. 120 lookups, in a random order, twelve at a time, and then in turn on one connection."""
    base = 600_000_000 + random.randrange(10**6) * 100
    asked = [(f"+34{base + n}", kind) for n, kind in enumerate(["crm-publisher", "crm-editor", None] * 40)]
    random.shuffle(asked)

    def look_up(number: str, kind: str | None, client: httpx.Client) -> None:
        headers = _bearer(tokens[kind]) if kind else {}  # the admin's session cookie goes with every request
        response = client.get("/api/calls", params={"caller": number}, headers=headers)
        assert response.status_code == 200, response.text

    with ThreadPoolExecutor(12) as pool:
        for done in [pool.submit(look_up, number, kind, admin) for number, kind in asked[:90]]:
            done.result()
    for number, kind in asked[90:]:  # one keep-alive connection, a token's request then a session's...
        look_up(number, kind, admin)

    database = Database(server.database_url)
    try:
        with database.session() as session:
            label = {personal_data.subject_label(session, number): kind for number, kind in asked}
    finally:
        database.dispose()
    seen = {e["target"]: e for e in _events(admin, action="lookup_number") if e["target"] in label}
    assert len(seen) == len(asked)
    for target, kind in label.items():
        expected = _via(tokens[kind]) if kind else None
        assert (seen[target]["actor"], seen[target]["via"]) == (ADMIN, expected), (kind, seen[target])
        assert seen[target]["details"].get("via") == expected
