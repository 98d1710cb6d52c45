"""A rollback that also puts the rolled-back document back into the draft (`reset_draft`), over real HTTP on SQLite
and PostgreSQL. Review (migrating from Twilio Studio): a rollback left the draft holding the change rolled back, the
editor said "Saved", and the next routine publish shipped that change again. The draft replaced stays recoverable:
its revision comes back and the audit event keeps its document; a draft moved on since the client read it is a 409,
as a save is. Without `reset_draft` the draft stays as it was (the API's clients from before)."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from typing import Any

from persistence.audit import listed_details
from tests.api.conftest import Client, UserFactory
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
    assert rolled.json()["draft_reset"] == {
        "revision": before["revision"] + 1,
        "replaced_revision": before["revision"],
        "replaced_kept": "version",
    }

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
    # The draft replaced was version 2's document, the one live before the rollback: nothing is lost, and the event
    # names the version instead of holding the document again.
    assert details["replaced_is_version"] == 2
    assert "replaced_document" not in details
    assert admin.get(f"/api/audit/{reset[0]['id']}").json()["details"] == details


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


def _reset_over(admin: Client, name: str, draft_document: dict[str, Any], *, kept: str) -> dict[str, Any]:
    """`name` published twice, its draft then saved as `draft_document` (never published), rolled back to version 1
    with `reset_draft`, the answer saying the event `kept` it so: the `reset_draft` audit event as the list gives
    it."""
    before = _two_versions(admin, name)
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": before["revision"], "document": draft_document})
    assert saved.status_code == 200, saved.text
    body = {"reset_draft": True, "revision": saved.json()["revision"]}
    rolled = admin.post(f"/api/scenarios/{name}/versions/1/rollback", json=body)
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["draft_reset"]["replaced_kept"] == kept
    events = admin.get("/api/audit", params={"target": f"scenario:{name}", "action": "reset_draft"}).json()
    assert len(events) == 1, events
    event: dict[str, Any] = events[0]
    return event


def _size(document: dict[str, Any]) -> int:
    return len(json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode())


def test_the_audit_list_gives_a_replaced_draft_as_its_size_and_the_event_gives_it_whole(
    admin: Client, slug: Callable[[str], str], user_factory: UserFactory
) -> None:
    name = slug("unpublished")
    work = documents.menu(["1", "2", "7"], name="Work never published")
    event = _reset_over(admin, name, work, kept="document")

    # Review: three rollbacks over a 15 MB draft made GET /api/audit?limit=500 answer 47 MB.
    listed = event["details"]
    assert "replaced_document" not in listed
    assert listed["replaced_document_size"] == _size(work)
    assert listed["replaced_revision"] == 3

    whole = admin.get(f"/api/audit/{event['id']}")
    assert whole.status_code == 200, whole.text
    assert whole.json()["details"]["replaced_document"] == work  # the work replaced, recoverable
    assert "replaced_document_sha256" not in whole.json()["details"]  # it would outlive an erasure's scrubbing
    assert {key: value for key, value in whole.json().items() if key != "details"} == {
        key: value for key, value in event.items() if key != "details"
    }
    assert admin.get("/api/audit/999999999").status_code == 404
    assert user_factory("publisher").get(f"/api/audit/{event['id']}").status_code == 403


def test_a_replaced_draft_too_large_to_keep_is_kept_as_its_size_and_hash(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("huge")
    huge = documents.menu(["1", "2", "8"])
    # Noise that no compression shrinks: the cap is on the document's size, not on how well it packs.
    huge["meta"] = {"notes": "".join(f"{zlib.crc32(str(i).encode()):08x}" for i in range(40_000))}
    size = _size(huge)
    assert size > 256 * 1024
    event = _reset_over(admin, name, huge, kept="too_large")

    details = admin.get(f"/api/audit/{event['id']}").json()["details"]
    assert "replaced_document" not in details
    assert details["replaced_document_dropped"] == "too_large"
    assert details["replaced_document_size"] == size
    canonical = json.dumps(huge, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
    assert details["replaced_document_sha256"] == hashlib.sha256(canonical).hexdigest()
    assert event["details"]["replaced_document_dropped"] == "too_large"


def test_erasing_a_number_removes_it_from_a_replaced_draft_kept_in_the_audit_log(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("erase")
    number = f"+3469{zlib.crc32(name.encode()) % 10_000_000:07d}"
    draft = documents.menu(["1", "2", "9"], name=f"Callback for {number}")
    draft["meta"] = {"tests": [{"name": "Saved call", "caller_id": number, "notes": f"rang from {number} twice"}]}
    event = _reset_over(admin, name, draft, kept="document")
    assert number in json.dumps(admin.get(f"/api/audit/{event['id']}").json()["details"])

    erased = admin.post("/api/privacy/erasure", json={"number": number, "dry_run": False})
    assert erased.status_code == 200, erased.text
    assert erased.json()["audit_events"] >= 1

    kept = admin.get(f"/api/audit/{event['id']}").json()["details"]["replaced_document"]
    assert number not in json.dumps(kept)
    hidden = f"[erased {erased.json()['subject']}]"
    assert kept["name"] == f"Callback for {hidden}"
    assert kept["meta"]["tests"][0]["caller_id"] == hidden


def test_an_event_kept_before_sizes_were_noted_is_listed_with_its_size_all_the_same() -> None:
    old = {"version": 3, "replaced_revision": 2, "replaced_document": documents.menu(["1"])}
    assert listed_details(old) == {
        "version": 3,
        "replaced_revision": 2,
        "replaced_document_size": _size(old["replaced_document"]),
    }
    assert listed_details({"version": 3}) == {"version": 3}
