"""A rollback's version says which version it published again (`rolled_back_to`), over real HTTP on SQLite and
PostgreSQL: for a client to say it in its own language, the English message kept for the clients that read it."""

from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import Client
from tests.persistence import documents


def test_a_rollback_names_the_version_it_published_again_and_a_publish_none(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("rolled")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "Rolled", "document": documents.menu(["1"])})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "first"}).status_code == 200
    admin.put(f"/api/scenarios/{name}/draft", json={"revision": 1, "document": documents.menu(["1", "2"])})
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "second"}).status_code == 200

    rolled = admin.post(f"/api/scenarios/{name}/versions/1/rollback")
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["version"] | {"created_at": None} == {
        "number": 3,
        "message": "rollback to version 1",  # as API clients have read it
        "rolled_back_to": 1,
        "created_at": None,
        "created_by": "root",
        "validation_summary": rolled.json()["version"]["validation_summary"],
    }
    own_words = admin.post(f"/api/scenarios/{name}/versions/2/rollback", json={"message": "menu 2 back"}).json()
    assert (own_words["version"]["message"], own_words["version"]["rolled_back_to"]) == ("menu 2 back", 2)

    listed = admin.get(f"/api/scenarios/{name}/versions").json()
    assert [(v["number"], v["message"], v["rolled_back_to"]) for v in listed] == [
        (4, "menu 2 back", 2),
        (3, "rollback to version 1", 1),
        (2, "second", None),
        (1, "first", None),
    ]
    assert admin.get(f"/api/scenarios/{name}/versions/3").json()["rolled_back_to"] == 1
