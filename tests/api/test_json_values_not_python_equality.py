"""`true`, `1` and `1.0` are one value to Python's `==` and three to a scenario: a Switch case changed from
`equals: 1` to `equals: true` routes calls elsewhere. Review of 2026-12-07: saving the draft knew that, while
publishing refused the change as "nothing to publish", the diff showed no change, and a rollback resetting such a
draft said version 2 held it, so the audit event kept no copy and the edit was lost. Over real HTTP, SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client


def _switch(equals: object) -> dict[str, Any]:
    return {
        "format": "ivrgraph.scenario/1",
        "name": "VIP routing",
        "variables": [{"name": "vip", "type": "boolean", "default": True}],
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "sw", "type": "switch", "config": {"value": "vip", "cases": [{"exit": "yes", "equals": equals}]}},
            {"id": "vip_line", "type": "hangup", "config": {}},
            {"id": "others", "type": "hangup", "config": {}},
        ],
        "edges": [
            {"source": "start", "exit": "next", "target": "sw"},
            {"source": "sw", "exit": "yes", "target": "vip_line"},
            {"source": "sw", "exit": "default", "target": "others"},
        ],
    }


def _published_with(admin: Client, name: str, *equals: object) -> int:
    """`name` created and published once per value of `equals`; the draft's revision after the last."""
    created = admin.post("/api/scenarios", json={"slug": name, "name": "VIP", "document": _switch(equals[0])})
    assert created.status_code == 201, created.text
    revision = 1
    for at, value in enumerate(equals):
        if at:
            saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": revision, "document": _switch(value)})
            assert saved.status_code == 200, saved.text
            revision = saved.json()["revision"]
        published = admin.post(f"/api/scenarios/{name}/publish", json={"message": f"equals {value!r}"})
        assert published.status_code == 200, published.text
    return revision


def test_a_case_changed_from_1_to_true_is_a_change_to_publish_and_to_review(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("vip")
    revision = _published_with(admin, name, 1)
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": revision, "document": _switch(True)})
    assert saved.status_code == 200, saved.text

    diff = admin.get(f"/api/scenarios/{name}/diff").json()["diff"]
    assert [(c["id"], c["fields"]) for c in diff["blocks_changed"]] == [("sw", ["cases"])]
    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "true, not 1"})
    assert published.status_code == 200, published.text
    assert published.json()["version"]["number"] == 2
    assert admin.get(f"/api/scenarios/{name}/versions/2").json()["document"]["nodes"][1]["config"]["cases"] == [
        {"exit": "yes", "equals": True}
    ]


def test_a_rollback_keeps_a_replaced_draft_that_differs_from_a_version_only_as_true_from_1(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("vip-reset")
    revision = _published_with(admin, name, "gold", 1)
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": revision, "document": _switch(True)})
    assert saved.status_code == 200, saved.text

    body = {"reset_draft": True, "revision": saved.json()["revision"]}
    rolled = admin.post(f"/api/scenarios/{name}/versions/1/rollback", json=body)

    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["draft_reset"]["replaced_kept"] == "document"  # version 2 holds `1`, not the draft's `true`
    [event] = admin.get("/api/audit", params={"target": f"scenario:{name}", "action": "reset_draft"}).json()
    whole = admin.get(f"/api/audit/{event['id']}").json()
    assert whole["details"]["replaced_document"] == _switch(True)
