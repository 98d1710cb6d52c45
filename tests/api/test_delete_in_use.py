"""A scenario delete refused because others still need it says who as data, over real HTTP on both databases.

The 409 `in-use` listed them in English words only (`referred_by`: "scenario other", "3 pending callback(s)"),
which a client could show in English and nothing else. It now lists them in `referrers` too: each scenario naming
the one deleted, by slug and name, with where (its draft, its published version, both), then how many callbacks
wait to ring into it; `referred_by` stays as it was for the clients that read it. Both are in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client
from tests.persistence import documents


def _create(admin: Client, slug: str, name: str, document: dict[str, Any], *, publish: bool = False) -> None:
    created = admin.post("/api/scenarios", json={"slug": slug, "name": name, "document": document})
    assert created.status_code == 201, created.text
    if publish:
        published = admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"})
        assert published.status_code == 200, published.text


def _save(admin: Client, slug: str, document: dict[str, Any]) -> None:
    revision = admin.get(f"/api/scenarios/{slug}").json()["draft"]["revision"]
    saved = admin.put(f"/api/scenarios/{slug}/draft", json={"revision": revision, "document": document})
    assert saved.status_code == 200, saved.text


def _calling_back(slug: str) -> dict[str, Any]:
    document = documents.greeting(name=f"Call back into {slug}")
    document["nodes"][1] = {"id": "later", "type": "callback", "config": {"scenario": slug}}
    return document


def test_a_refused_delete_names_who_needs_the_scenario_as_data(admin: Client, slug: Callable[[str], str]) -> None:
    target, both, published, draft = slug("needed"), slug("both"), slug("live"), slug("draft")
    _create(admin, target, "Needed", documents.greeting(), publish=True)
    _create(admin, both, "Главное меню", documents.jumping_to(target), publish=True)
    _create(admin, published, "Live jumper", documents.jumping_to(target), publish=True)
    _save(admin, published, documents.greeting())  # its calls still jump there; its draft no longer does
    _create(admin, draft, "Rings back", _calling_back(target))
    for number in ("+34600111222", "+34600111333"):
        job = admin.post("/api/callbacks", json={"number": number, "scenario": target, "due": "2030-06-01T10:00:00Z"})
        assert job.status_code == 201, job.text

    refused = admin.delete(f"/api/scenarios/{target}")

    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["type"] == "https://ivrgraph.dev/problems/in-use"
    expected = sorted([
        {"kind": "scenario", "slug": both, "name": "Главное меню", "where": "both"},
        {"kind": "scenario", "slug": published, "name": "Live jumper", "where": "published"},
        {"kind": "scenario", "slug": draft, "name": "Rings back", "where": "draft"},
    ], key=lambda item: item["slug"])  # fmt: skip
    assert body["referrers"] == [*expected, {"kind": "callbacks", "count": 2}]
    # What existing clients read, word for word as before.
    assert body["referred_by"] == [*(f"scenario {item['slug']}" for item in expected), "2 pending callback(s)"]
    assert admin.get(f"/api/scenarios/{target}").status_code == 200


def test_a_scenario_only_callbacks_need_lists_them_alone(admin: Client, slug: Callable[[str], str]) -> None:
    target = slug("rung")
    _create(admin, target, "Rung", documents.greeting(), publish=True)
    job = admin.post(
        "/api/callbacks", json={"number": "+34600111444", "scenario": target, "due": "2030-06-01T10:00:00Z"}
    )
    assert job.status_code == 201, job.text

    body = admin.delete(f"/api/scenarios/{target}").json()

    assert body["referrers"] == [{"kind": "callbacks", "count": 1}]
    assert body["referred_by"] == ["1 pending callback(s)"]


def test_the_openapi_document_describes_the_referrers(anonymous: Client) -> None:
    schemas = anonymous.get("/openapi.json").json()["components"]["schemas"]
    conflict = schemas["ConflictProblem"]["properties"]
    assert {"referred_by", "referrers"} <= set(conflict)
    items = conflict["referrers"]["anyOf"][0]["items"]
    assert items["discriminator"]["propertyName"] == "kind"
    assert schemas["ScenarioReferrer"]["properties"]["where"]["enum"] == ["draft", "published", "both"]
    assert set(schemas["CallbacksReferrer"]["required"]) == {"kind", "count"}
