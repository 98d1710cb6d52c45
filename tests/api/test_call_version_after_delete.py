"""A call stays traceable to the version it ran after its scenario is deleted, and after the slug is created again
and published: the whole path, over real HTTP on both databases, with the calls taken by a FastAGI server over
the fake Asterisk and recorded in the API's database as `ivrgraph serve` records them."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from tests.agi_server.conftest import call
from tests.api.agi_node import serving_node
from tests.api.conftest import Client, Server
from tests.fakes.asterisk import CallerScript, default_env
from tests.persistence import documents

_channels = itertools.count(1)


async def _take_a_call(server: Server, admin: Client, slug: str) -> dict[str, Any]:
    """One call to `slug` through a FastAGI node reading the published versions from the API's database; its
    record as the call register shows it."""
    uniqueid = f"pbx1-1795295104.{server.backend}{next(_channels)}"
    async with serving_node(server) as agi:
        await call(agi, slug, CallerScript(), env={**default_env(slug), "agi_uniqueid": uniqueid}, time_scale=0.01)
    (found,) = admin.get("/api/calls", params={"uniqueid": uniqueid}).json()["items"]
    return dict(found)


def _publish(admin: Client, slug: str, text: str) -> dict[str, Any]:
    document = documents.greeting(text)
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "Sales", "document": document})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": text}).status_code == 200
    return document


def _ran(admin: Client, call_id: str) -> Any:
    response = admin.get(f"/api/calls/{call_id}/version")
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_call_opens_the_version_it_ran_after_its_scenario_is_deleted_and_created_again(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("trace")
    original = _publish(admin, name, "Original prompt")
    old = await _take_a_call(server, admin, name)
    assert (old["scenario"], old["version"], old["outcome"]) == (name, 1, "hung_up")
    assert _ran(admin, old["id"])["document"] == original

    assert admin.delete(f"/api/scenarios/{name}").status_code == 204
    # Gone for everyone else: not found, not listed, no versions by its slug, no calls answered by it.
    assert admin.get(f"/api/scenarios/{name}").status_code == 404
    assert admin.get(f"/api/scenarios/{name}/versions/1").status_code == 404
    assert name not in [s["slug"] for s in admin.get("/api/scenarios", params={"q": name}).json()["items"]]
    assert (await _take_a_call(server, admin, name))["outcome"] == "unknown_scenario"
    assert _ran(admin, old["id"])["document"] == original  # its call still opens it

    replacement = _publish(admin, name, "Something else entirely")  # e.g. re-imported the next day
    new = await _take_a_call(server, admin, name)
    assert (new["version"], old["version"]) == (1, 1)  # the same number: the slug's v1 is the new scenario's
    assert admin.get(f"/api/scenarios/{name}/versions/1").json()["document"] == replacement
    assert _ran(admin, old["id"]) == {**_ran(admin, old["id"]), "number": 1, "message": "Original prompt",
                                      "document": original}  # fmt: skip
    assert _ran(admin, new["id"])["document"] == replacement


async def test_a_call_that_ran_no_version_has_none_to_open(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    lost = await _take_a_call(server, admin, slug("nobody"))
    assert lost["version"] is None
    response = admin.get(f"/api/calls/{lost['id']}/version")
    assert response.status_code == 404
    assert admin.get("/api/calls/no-such-call/version").status_code == 404
