"""A rollback that also puts the rolled-back document back into the draft (`reset_draft`), over real HTTP on SQLite
and PostgreSQL. Review (migrating from Twilio Studio): a rollback left the draft holding the change rolled back, the
editor said "Saved", and the next routine publish shipped that change again. The draft replaced stays recoverable:
its revision comes back and the audit event keeps its document; a draft moved on since the client read it is a 409,
as a save is. Without `reset_draft` the draft stays as it was (the API's clients from before)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client
from tests.persistence import documents


def _two_versions(admin: Client, name: str) -> dict[str, Any]:
    """`name` published twice, menu ["1"] then ["1", "2"], the draft still the second; its draft as read."""
    created = admin.post("/api/scenarios", json={"slug": name, "name": "Reset", "document": documents.menu(["1"])})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "first"}).status_code == 200
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": 1, "document": documents.menu(["1", "2"])})
    assert saved.status_code == 200, saved.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "second"}).status_code == 200
    draft: dict[str, Any] = admin.get(f"/api/scenarios/{name}").json()["draft"]
    return draft


def test_a_rollback_resetting_the_draft_makes_the_next_publish_publish_the_old_document(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("reset")
    before = _two_versions(admin, name)
    version_1 = admin.get(f"/api/scenarios/{name}/versions/1").json()["document"]

    body = {"reset_draft": True, "revision": before["revision"], "scenario_created_at": before["scenario_created_at"]}
    rolled = admin.post(f"/api/scenarios/{name}/versions/1/rollback", json=body)
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["draft_reset"] == {"revision": before["revision"] + 1, "replaced_revision": before["revision"]}

    draft = admin.get(f"/api/scenarios/{name}").json()["draft"]
    assert (draft["document"], draft["revision"]) == (version_1, before["revision"] + 1)
    # The draft is what is live now: nothing to publish, so the rolled-back change cannot ship again unnoticed.
    again = admin.post(f"/api/scenarios/{name}/publish", json={"message": "routine"})
    assert again.status_code == 409, again.text
    # An edit after it publishes on top of version 1, not of the change rolled back.
    edit = {"revision": draft["revision"], "document": documents.menu(["1", "3"])}
    edited = admin.put(f"/api/scenarios/{name}/draft", json=edit)
    assert edited.status_code == 200, edited.text
    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "next"}).json()["version"]["number"]
    assert (
        admin.get(f"/api/scenarios/{name}/versions/{published}").json()["document"]
        == admin.get(f"/api/scenarios/{name}").json()["draft"]["document"]
    )

    events = admin.get("/api/audit", params={"target": f"scenario:{name}"}).json()
    reset = [event for event in events if event["action"] == "reset_draft"]
    assert len(reset) == 1, events
    details = reset[0]["details"]
    assert (details["version"], details["rolled_back_to"]) == (3, 1)
    assert (details["replaced_revision"], details["revision"]) == (before["revision"], before["revision"] + 1)
    assert details["replaced_document"] == before["document"]  # the draft replaced, recoverable


def test_a_rollback_without_reset_draft_leaves_the_draft_as_it_was(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("keep")
    before = _two_versions(admin, name)
    rolled = admin.post(f"/api/scenarios/{name}/versions/1/rollback", json={"message": "back"})
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["draft_reset"] is None
    assert admin.get(f"/api/scenarios/{name}").json()["draft"] == before
    # As before: the draft (version 2's document) is published again by the next publish.
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "again"}).json()["version"]["number"] == 4


def test_a_rollback_resetting_a_draft_moved_on_is_refused_and_publishes_nothing(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("moved")
    before = _two_versions(admin, name)
    edit = {"revision": before["revision"], "document": documents.menu(["4"])}
    moved = admin.put(f"/api/scenarios/{name}/draft", json=edit)
    assert moved.status_code == 200, moved.text

    body = {"reset_draft": True, "revision": before["revision"]}
    refused = admin.post(f"/api/scenarios/{name}/versions/1/rollback", json=body)
    assert refused.status_code == 409, refused.text
    assert refused.json()["current_revision"] == before["revision"] + 1
    assert [v["number"] for v in admin.get(f"/api/scenarios/{name}/versions").json()] == [2, 1]
    assert admin.get(f"/api/scenarios/{name}").json()["draft"]["document"] == documents.menu(["4"])
