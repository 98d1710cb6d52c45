"""Which draft a client saves over and publishes: its revision, and the scenario it was opened from (review of
the drafts, two data-safety defects). Over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tests.api.conftest import Client
from tests.persistence import documents

STALE = "https://ivrgraph.dev/problems/stale-revision"


def _text(document: dict[str, Any]) -> str:
    return str(document["nodes"][1]["config"]["text"])


def _stamp(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _draft(client: Client, name: str) -> dict[str, Any]:
    response = client.get(f"/api/scenarios/{name}")
    assert response.status_code == 200, response.text
    return dict(response.json()["draft"])


def test_a_tab_on_a_deleted_scenario_cannot_overwrite_the_one_created_again_under_its_slug(
    admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    """Ana has the scenario open at revision 1; Bob deletes it and imports his file under the same slug, whose
    draft is at revision 1 again. Ana's autosave names the scenario she opened, and is refused as a stale one."""
    name = slug("reborn")
    ana, bob = user_factory("editor"), user_factory("publisher")
    assert ana.post("/api/scenarios", json={"slug": name, "name": "Old"}).status_code == 201
    opened = _draft(ana, name)
    assert bob.delete(f"/api/scenarios/{name}").status_code == 204
    imported = documents.greeting("Bob's imported flow")
    assert bob.post("/api/scenarios/import", json={"slug": name, "document": imported}).status_code == 201
    reborn = _draft(admin, name)
    assert reborn["revision"] == opened["revision"] == 1
    assert _stamp(reborn["scenario_created_at"]) != _stamp(opened["scenario_created_at"])

    body = {
        "revision": opened["revision"],
        "scenario_created_at": opened["scenario_created_at"],
        "document": documents.greeting("Ana's old tab"),
    }
    saved = ana.put(f"/api/scenarios/{name}/draft", json=body)

    assert saved.status_code == 409, saved.text
    conflict = saved.json()
    assert conflict["type"] == STALE
    assert conflict["current_revision"] == 1 and conflict["document"] == imported
    assert _stamp(conflict["scenario_created_at"]) == _stamp(reborn["scenario_created_at"])
    assert _draft(admin, name)["document"] == imported
    # What the designer's "keep mine" does: save again over the draft the conflict named, on purpose.
    body |= {"revision": conflict["current_revision"], "scenario_created_at": conflict["scenario_created_at"]}
    again = ana.put(f"/api/scenarios/{name}/draft", json=body)
    assert again.status_code == 200 and again.json()["revision"] == 2
    assert _text(_draft(admin, name)["document"]) == "Ana's old tab"


def test_a_save_naming_the_scenario_it_was_opened_from_saves_and_one_without_it_still_does(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("token")
    assert admin.post("/api/scenarios", json={"slug": name, "name": "T"}).status_code == 201
    opened = _draft(admin, name)
    pinned = {"revision": 1, "scenario_created_at": opened["scenario_created_at"], "document": documents.greeting("a")}
    assert admin.put(f"/api/scenarios/{name}/draft", json=pinned).status_code == 200
    # Clients written before the stamp send the revision alone, and keep working.
    bare = {"revision": 2, "document": documents.greeting("b")}
    assert admin.put(f"/api/scenarios/{name}/draft", json=bare).status_code == 200
    after = _draft(admin, name)
    assert after["revision"] == 3 and after["scenario_created_at"] == opened["scenario_created_at"]
    # A stamp without its offset cannot name a moment: refused as a bad request, not a 500.
    naive = {"revision": 3, "scenario_created_at": "2026-01-01T10:00:00", "document": documents.greeting("c")}
    assert admin.put(f"/api/scenarios/{name}/draft", json=naive).status_code == 422


def test_publish_of_the_reviewed_revision_is_refused_when_a_colleague_saved_after_it(
    admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    """Ana saves (revision 2) and publishes in a second request; Bob's autosave lands in between. Her publish
    names revision 2 and gets the save conflict's 409, with Bob's draft, instead of publishing his text."""
    name = slug("pinned")
    assert admin.post("/api/scenarios", json={"slug": name, "name": "P"}).status_code == 201
    ana, bob = user_factory("publisher"), user_factory("editor")
    stamp = _draft(ana, name)["scenario_created_at"]
    saved = ana.put(f"/api/scenarios/{name}/draft", json={"revision": 1, "document": documents.greeting("Ana's")})
    assert saved.status_code == 200 and saved.json()["revision"] == 2
    bobs = bob.put(f"/api/scenarios/{name}/draft", json={"revision": 2, "document": documents.greeting("Bob WIP")})
    assert bobs.status_code == 200

    refused = ana.post(
        f"/api/scenarios/{name}/publish", json={"message": "Ana", "revision": 2, "scenario_created_at": stamp}
    )

    assert refused.status_code == 409, refused.text
    assert refused.json()["type"] == STALE
    assert refused.json()["current_revision"] == 3 and _text(refused.json()["document"]) == "Bob WIP"
    assert admin.get(f"/api/scenarios/{name}/versions").json() == []
    # The revision alone pins it too; naming the current one publishes it.
    assert ana.post(f"/api/scenarios/{name}/publish", json={"message": "x", "revision": 2}).status_code == 409
    published = ana.post(f"/api/scenarios/{name}/publish", json={"message": "Bob's, reviewed", "revision": 3})
    assert published.status_code == 200, published.text
    assert _text(admin.get(f"/api/scenarios/{name}/versions/1").json()["document"]) == "Bob WIP"


def test_publish_naming_a_deleted_scenario_is_refused_and_one_naming_nothing_still_publishes(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("gone")
    body = {"slug": name, "name": "G", "document": documents.greeting("old")}
    assert admin.post("/api/scenarios", json=body).status_code == 201
    opened = _draft(admin, name)
    assert admin.delete(f"/api/scenarios/{name}").status_code == 204
    body = {"slug": name, "name": "G", "document": documents.greeting("new")}
    assert admin.post("/api/scenarios", json=body).status_code == 201

    pin = {"revision": opened["revision"], "scenario_created_at": opened["scenario_created_at"]}
    refused = admin.post(f"/api/scenarios/{name}/publish", json={"message": "old tab"} | pin)
    assert refused.status_code == 409 and refused.json()["type"] == STALE
    assert _text(refused.json()["document"]) == "new"
    assert admin.get(f"/api/scenarios/{name}/versions").json() == []
    # Integrations that publish without naming a revision keep working: they publish the draft as it is.
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "cli"}).status_code == 200
