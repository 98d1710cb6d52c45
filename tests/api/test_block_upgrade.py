"""A draft written for an older version of a plugin block is handed to the designer upgraded: each node migrated by
its block and at the block's version, so the analyst edits it with the form of the version that runs it.

Before, the designer edited a v1 node with the v2 form: the form keeps the v1 key it cannot show, the node stays
version 1, and every run migrated it again, from v1, overwriting the text the analyst had typed with the old one
(review, /tmp/review_plugins/test_versions.py). Over real HTTP, with a server whose registry has a Greeting block
at version 2 (v2 renamed `message` to `text`: tests/graph_engine/test_registry.py's Greeting).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from api.settings import Settings
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry, load_registry
from graph_engine.scripted import ScriptedChannel
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api
from tests.graph_engine.test_registry import Greeting
from tests.persistence import pg

FORMAT = "ivrgraph.scenario/1"
_slugs = itertools.count(1)


class Fragile(BlockType):
    """Version 2 of a plugin block that cannot upgrade what version 1 wrote."""

    type = "fragile"
    title = "Fragile"
    version = 2

    def migrate(self, from_version: int, config: Mapping[str, Any]) -> dict[str, Any]:
        raise ValueError("version 1 configs are not supported")

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


def plugin_registry() -> BlockRegistry:
    registry = load_registry()  # the built-in blocks, as the app loads them
    registry.register(Greeting, origin="acme-greeting (test)")
    registry.register(Fragile, origin="acme-fragile (test)")
    return registry


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def admin(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """The admin of a real API server (one per backend) whose registry has the v2 plugin blocks."""

    def signed_in(base_url: str) -> Iterator[Client]:
        with Client(base_url=base_url, timeout=30) as client:
            assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
            yield client

    def settings(url: str, media: Path) -> Settings:
        return Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=None,
                        media_root=media)  # fmt: skip

    media = tmp_path_factory.mktemp("media")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}"
        for base_url in serve_api(settings(url, media), PublishHub(), plugin_registry()):
            yield from signed_in(base_url)
        return
    with pg.throwaway_database("api_upgrade") as url:
        for base_url in serve_api(settings(url, media), PublishHub(), plugin_registry()):
            yield from signed_in(base_url)


def v1_document(*nodes: dict[str, Any]) -> dict[str, Any]:
    """Start -> each node in turn -> hang up: a draft saved before the plugins were upgraded to version 2."""
    chain = [{"id": "start", "type": "start", "config": {}}, *nodes, {"id": "bye", "type": "hangup", "config": {}}]
    return {
        "format": FORMAT,
        "name": "Opening hours",
        "language": "es",
        "nodes": chain,
        "edges": [
            {"source": source["id"], "exit": "next", "target": target["id"]}
            for source, target in itertools.pairwise(chain)
        ],
    }


def greeting_v1(text: str) -> dict[str, Any]:
    return {"id": "greet", "type": "greeting", "version": 1, "config": {"message": text}}


def create(admin: Client, document: dict[str, Any]) -> str:
    slug = f"upgrade-{next(_slugs)}"
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "Opening hours", "document": document})
    assert created.status_code == 201, created.text
    return slug


def node(document: Mapping[str, Any], node_id: str) -> dict[str, Any]:
    return dict(next(n for n in document["nodes"] if n["id"] == node_id))


def stored_draft(admin: Client, slug: str) -> dict[str, Any]:
    """The draft as the database holds it (the export of the draft is that, untouched)."""
    exported = admin.get(f"/api/scenarios/{slug}/export")
    assert exported.status_code == 200, exported.text
    return dict(exported.json())


def edit_as_the_designer_does(draft: dict[str, Any], node_id: str, **typed: Any) -> dict[str, Any]:
    """The block form (rjsf, no omitExtraData) reports the config it was given plus what the analyst typed, and the
    node keeps the `version` it was loaded with (designer_ui/src/lib/convert.ts)."""
    edited = dict(draft)
    edited["nodes"] = [{**n, "config": {**n["config"], **typed}} if n["id"] == node_id else n for n in draft["nodes"]]
    return edited


async def spoken_by_a_call(document: dict[str, Any]) -> list[str]:
    result = await run_call(parse_document(document), ScriptedChannel(), plugin_registry())
    return [prompt["text"] for step in result.steps for prompt in step.prompts]


async def test_the_analysts_edit_of_an_old_node_is_what_the_published_version_says(admin: Client) -> None:
    slug = create(admin, v1_document(greeting_v1("Hola")))
    opened = admin.get(f"/api/scenarios/{slug}").json()["draft"]

    edited = edit_as_the_designer_does(opened["document"], "greet", text="Buenos dias, nuevo horario")
    saved = admin.put(f"/api/scenarios/{slug}/draft", json={"revision": opened["revision"], "document": edited})
    assert saved.status_code == 200, saved.text
    assert [p for p in saved.json()["problems"] if p["severity"] == "error"] == []
    published = admin.post(f"/api/scenarios/{slug}/publish", json={"message": "new hours"})
    assert published.status_code == 200, published.text

    version = admin.get(f"/api/scenarios/{slug}/versions/{published.json()['version']['number']}").json()
    assert await spoken_by_a_call(version["document"]) == ["Buenos dias, nuevo horario"]
    assert node(version["document"], "greet") == {
        "id": "greet",
        "type": "greeting",
        "version": 2,
        "config": {"text": "Buenos dias, nuevo horario"},
    }


def test_reading_a_draft_hands_it_upgraded_and_leaves_the_stored_one_until_the_next_save(admin: Client) -> None:
    slug = create(admin, v1_document(greeting_v1("Hola")))

    draft = admin.get(f"/api/scenarios/{slug}").json()["draft"]
    assert node(draft["document"], "greet") == {"id": "greet", "type": "greeting", "version": 2,
                                                "config": {"text": "Hola"}}  # fmt: skip
    # A read writes nothing: same revision, the stored draft as it was.
    assert draft["revision"] == 1
    assert node(stored_draft(admin, slug), "greet") == greeting_v1("Hola")

    saved = admin.put(f"/api/scenarios/{slug}/draft", json={"revision": 1, "document": draft["document"]})
    assert saved.status_code == 200, saved.text
    assert node(stored_draft(admin, slug), "greet")["version"] == 2


def test_an_imported_document_is_handed_back_upgraded(admin: Client) -> None:
    slug = f"upgrade-import-{next(_slugs)}"
    imported = admin.post("/api/scenarios/import", json={"slug": slug, "document": v1_document(greeting_v1("Hola"))})
    assert imported.status_code == 201, imported.text
    assert node(imported.json()["draft"]["document"], "greet")["config"] == {"text": "Hola"}
    assert node(admin.get(f"/api/scenarios/{slug}").json()["draft"]["document"], "greet")["version"] == 2


def test_a_conflicting_save_hands_back_the_draft_there_is_now_upgraded(admin: Client) -> None:
    """The designer takes the 409's document as the draft to go on editing (store/editor.ts, replaceDocument)."""
    slug = create(admin, v1_document(greeting_v1("Hola")))
    document = admin.get(f"/api/scenarios/{slug}").json()["draft"]["document"]
    assert admin.put(f"/api/scenarios/{slug}/draft", json={"revision": 1, "document": v1_document(
        greeting_v1("Saved by a tab opened before the upgrade"))}).status_code == 200  # fmt: skip

    conflict = admin.put(f"/api/scenarios/{slug}/draft", json={"revision": 1, "document": document})
    assert conflict.status_code == 409, conflict.text
    assert node(conflict.json()["document"], "greet") == {
        "id": "greet",
        "type": "greeting",
        "version": 2,
        "config": {"text": "Saved by a tab opened before the upgrade"},
    }


async def test_publishing_stores_the_nodes_at_the_versions_that_run_them(admin: Client) -> None:
    """Published without being opened in the designer: the version holds the migrated node, and so does a rollback
    to a version published before the plugin was upgraded (the version is what calls run, and what a call's
    record opens)."""
    slug = create(admin, v1_document(greeting_v1("Hola")))
    first = admin.post(f"/api/scenarios/{slug}/publish", json={"message": "first"})
    assert first.status_code == 200, first.text
    stored = admin.get(f"/api/scenarios/{slug}/versions/1").json()["document"]
    assert node(stored, "greet") == {"id": "greet", "type": "greeting", "version": 2, "config": {"text": "Hola"}}
    assert await spoken_by_a_call(stored) == ["Hola"]

    draft = admin.get(f"/api/scenarios/{slug}").json()["draft"]
    changed = edit_as_the_designer_does(draft["document"], "greet", text="Adios")
    assert admin.put(
        f"/api/scenarios/{slug}/draft", json={"revision": draft["revision"], "document": changed}
    ).is_success
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "second"}).status_code == 200
    rolled_back = admin.post(f"/api/scenarios/{slug}/versions/1/rollback", json={})
    assert rolled_back.status_code == 200, rolled_back.text
    again = admin.get(f"/api/scenarios/{slug}/versions/{rolled_back.json()['version']['number']}").json()
    assert node(again["document"], "greet") == node(stored, "greet")


def test_a_node_that_cannot_be_upgraded_is_handed_as_it_is_and_validation_names_it(admin: Client) -> None:
    fragile = {"id": "fragile", "type": "fragile", "version": 1, "config": {"old": True}}
    missing = {"id": "sms", "type": "acme.sms", "version": 1, "config": {"to": "600"}}
    slug = create(admin, v1_document(fragile, missing))

    document = admin.get(f"/api/scenarios/{slug}").json()["draft"]["document"]
    assert node(document, "fragile") == fragile
    assert node(document, "sms") == missing
    problems = admin.post(f"/api/scenarios/{slug}/validate", json={"document": document}).json()["problems"]
    found = {(p["node"], p["code"]) for p in problems if p["severity"] == "error"}
    assert {("fragile", "block_version"), ("sms", "unknown_type")} <= found
    blocked = admin.post(f"/api/scenarios/{slug}/publish", json={"message": "x"})
    assert blocked.status_code == 422, blocked.text
