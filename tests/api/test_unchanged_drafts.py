"""A draft saved again as it is stored (a CRM's sync bot re-saving, an autosave after undoing back to it) is no
edit: it keeps its revision, so a designer open on the scenario is not told someone saved first (review of the
HTTP API by a CRM integrator, 2026-12). Over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client
from tests.persistence import documents

STALE = "https://ivrgraph.dev/problems/stale-revision"


def _create(client: Client, name: str, document: dict[str, Any]) -> None:
    created = client.post("/api/scenarios", json={"slug": name, "name": "Greeting", "document": document})
    assert created.status_code == 201, created.text


def _draft(client: Client, name: str) -> dict[str, Any]:
    response = client.get(f"/api/scenarios/{name}")
    assert response.status_code == 200, response.text
    return dict(response.json()["draft"])


def _save(client: Client, name: str, revision: int, document: dict[str, Any], stamp: str | None = None) -> Any:
    body: dict[str, Any] = {"revision": revision, "document": document}
    if stamp is not None:
        body["scenario_created_at"] = stamp
    return client.put(f"/api/scenarios/{name}/draft", json=body)


def _listed(client: Client, name: str) -> dict[str, Any]:
    items = client.get("/api/scenarios", params={"q": name}).json()["items"]
    return next(dict(item) for item in items if item["slug"] == name)


def test_a_bot_saving_the_draft_unchanged_leaves_the_designer_open_on_it_free_to_save(
    user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    name = slug("resaved")
    designer, bot = user_factory("editor"), user_factory("editor")
    _create(designer, name, documents.greeting())
    opened = _draft(designer, name)
    assert opened["revision"] == 1

    again = _save(bot, name, 1, opened["document"], opened["scenario_created_at"])
    assert again.status_code == 200, again.text
    assert again.json()["revision"] == 1  # was 2: the designer's next autosave then got a 409
    after = _draft(designer, name)
    assert (after["revision"], after["updated_at"], after["updated_by"]) == (1, opened["updated_at"], designer.username)
    listed = _listed(designer, name)
    assert (listed["draft_revision"], listed["updated_at"]) == (1, opened["updated_at"])

    edited = documents.greeting("Hello, edited in the designer")
    saved = _save(designer, name, opened["revision"], edited, opened["scenario_created_at"])
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == 2 and _draft(bot, name)["document"] == edited


def test_the_same_draft_with_its_keys_in_another_order_is_no_edit_but_a_changed_value_type_is(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """PostgreSQL hands a JSONB document back with its keys in an order of its own: a client that sends it back as
    it came, or as it built it, saves the same draft either way. `true` and `1` are one value to Python's `==`,
    but not to the scenario: that change is saved."""
    name = slug("reordered")
    document = documents.greeting() | {"meta": {"flag": True}}
    _create(admin, name, document)
    reordered = {key: copy.deepcopy(document[key]) for key in reversed(list(document))}
    reordered["nodes"] = [{key: node[key] for key in reversed(list(node))} for node in reordered["nodes"]]
    assert _save(admin, name, 1, reordered).json()["revision"] == 1

    changed = copy.deepcopy(document)
    changed["meta"]["flag"] = 1
    saved = _save(admin, name, 1, changed)
    assert saved.status_code == 200 and saved.json()["revision"] == 2
    assert _draft(admin, name)["document"]["meta"] == {"flag": 1}
    assert _save(admin, name, 2, changed).json()["revision"] == 2


def test_a_save_naming_an_older_revision_is_refused_even_with_the_draft_there_is(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """The revision names the draft a client edited; a client behind is handed the one there is (409), as before."""
    name = slug("behind")
    _create(admin, name, documents.greeting())
    edited = documents.greeting("Second")
    assert _save(admin, name, 1, edited).json()["revision"] == 2
    refused = _save(admin, name, 1, edited)
    assert refused.status_code == 409 and refused.json()["type"] == STALE
    assert refused.json()["current_revision"] == 2
    assert _draft(admin, name)["revision"] == 2
