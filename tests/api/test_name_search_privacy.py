"""A search by caller name tells the name: a security review rebuilt a name a viewer reads `[hidden]` one letter at a
time from which calls `GET /api/calls?caller_name=` found (1,034 requests), and no audit event was left. Now the name
search is refused to a user without `sees_personal_data` on the register and its exports (403, code
`personal_data_hidden`), whatever it would find; and one by a user who reads names leaves a `lookup_name` event
naming the name by its length only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from persistence.db import Database
from tests.api.conftest import Client, Server, UserFactory
from tests.persistence.named_calls import write_named_calls

NAME = "Zoë Ramírez"
ROUTES = ("/api/calls", "/api/calls.csv", "/api/calls.xlsx")


def _calls(server: Server, scenario: str) -> list[str]:
    database = Database(server.database_url)
    try:
        return write_named_calls(database, NAME, "Luis Gómez", scenario=scenario, prefix=scenario)
    finally:
        database.dispose()


def _events_of(admin: Client, user: Client) -> list[dict[str, Any]]:
    events = admin.get("/api/audit", params={"limit": 500}).json()
    return [event for event in reversed(events) if event["actor"] == user.username]


@pytest.mark.parametrize("route", ROUTES)
def test_a_user_who_reads_names_masked_cannot_search_by_name(
    admin: Client, user_factory: UserFactory, server: Server, slug: Callable[[str], str], route: str
) -> None:
    scenario = slug("oracle")
    _calls(server, scenario)
    viewer = user_factory("viewer", personal_data=False)
    # The same answer for a name that is there, a letter of it, and one that is not: nothing to tell them apart.
    answers = [viewer.get(route, params={"scenario": scenario, "caller_name": typed}) for typed in ("Zo", "z", "Qx")]
    for refused in answers:
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    bodies = [refused.json() for refused in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["type"] == "https://ivrgraph.dev/problems/personal-data-hidden"
    [problem] = bodies[0]["problems"]
    assert (problem["path"], problem["code"]) == ("$.caller_name", "personal_data_hidden")
    assert "sees_personal_data" in problem["message"]
    assert _events_of(admin, viewer) == []  # refused before anything was read or exported
    # Every other filter is theirs, a number among them; an empty name is no search.
    assert viewer.get(route, params={"scenario": scenario, "caller_name": ""}).status_code == 200
    assert viewer.get(route, params={"scenario": scenario, "caller": "+79160000000"}).status_code == 200


def test_every_role_without_the_permission_is_refused_and_every_one_with_it_is_not(
    user_factory: UserFactory, admin: Client, server: Server, slug: Callable[[str], str]
) -> None:
    scenario = slug("roles")
    ids = _calls(server, scenario)
    for role in ("viewer", "editor", "publisher"):
        masked = user_factory(role, personal_data=False).get("/api/calls", params={"caller_name": "zoë"})
        assert masked.status_code == 403, role
        found = user_factory(role).get("/api/calls", params={"scenario": scenario, "caller_name": "zoë"})
        assert [item["id"] for item in found.json()["items"]] == [ids[0]], role
    assert [item["id"] for item in admin.get("/api/calls", params={"scenario": scenario, "caller_name": "ramírez"})
            .json()["items"]] == [ids[0]]  # fmt: skip


def test_a_name_search_leaves_an_audit_event_naming_the_name_by_its_length(
    admin: Client, user_factory: UserFactory, server: Server, slug: Callable[[str], str]
) -> None:
    scenario = slug("named")
    ids = _calls(server, scenario)
    supervisor = user_factory("viewer")  # reads names unmasked
    found = supervisor.get("/api/calls", params={"scenario": scenario, "caller_name": "ramírez"})
    assert [item["id"] for item in found.json()["items"]] == [ids[0]]
    nobody = supervisor.get("/api/calls", params={"scenario": scenario, "caller_name": "Smirnova"})
    assert nobody.json()["items"] == []
    assert supervisor.get("/api/calls", params={"scenario": scenario}).status_code == 200  # no search: no event
    exported = supervisor.get("/api/calls.csv", params={"scenario": scenario, "caller_name": "ramírez"})
    assert exported.status_code == 200 and ids[0] in exported.text

    events = _events_of(admin, supervisor)
    assert [(e["action"], e["target"], e["details"]) for e in events] == [
        ("lookup_name", "calls", {"caller_name": "[hidden: 7 characters]", "found": 1, "personal_data": True}),
        ("lookup_name", "calls", {"caller_name": "[hidden: 8 characters]", "found": 0, "personal_data": True}),
        ("export_calls", "calls", {"format": "csv", "personal_data": True,
                                   "filters": {"scenario": scenario, "caller_name": "[hidden: 7 characters]"}}),
    ]  # fmt: skip
    shown = json.dumps(events, ensure_ascii=False).lower()
    assert "ramírez" not in shown and "smirnova" not in shown
    listed = admin.get("/api/audit", params={"action": "lookup_name", "limit": 500}).json()
    assert sum(event["actor"] == supervisor.username for event in listed) == 2
