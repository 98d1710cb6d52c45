"""The scenario list names the block types a live scenario uses that the server lacks.

Plugin author's review: uninstalling a plugin a published scenario used was told nowhere. The list showed the
scenario as normal while every call failed at the plugin's block. Now each item carries `missing_block_types`, the
types of its live (latest published) version that are not installed.

Over real HTTP: a server with the CRM plugin publishes the scenarios; a second server on the same database, without
the plugin (as after `pip uninstall` and a restart), lists them. On SQLite and PostgreSQL: the live versions are
read with one join.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from api.settings import Settings
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.registry import BlockRegistry, load_registry
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api
from tests.conftest import make_document
from tests.persistence import pg


class CrmTicketCreate(BlockType):
    type = "crm_ticket_create"
    title = "Create CRM ticket"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {}, "additionalProperties": False}

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


def with_crm_plugin() -> BlockRegistry:
    registry = load_registry()  # the built-in blocks, as the app loads them
    registry.register(CrmTicketCreate, origin="acme-crm 1.0 (test)")
    return registry


def flow(*, ticket: bool) -> dict[str, Any]:
    """Start -> (Create ticket ->) Hang up."""
    nodes = [{"id": "start", "type": "start"}, {"id": "bye", "type": "hangup", "label": "Bye"}]
    if not ticket:
        return make_document(nodes, [("start", "next", "bye")])
    nodes.append({"id": "ticket", "type": "crm_ticket_create", "label": "Open a ticket"})
    return make_document(nodes, [("start", "next", "ticket"), ("ticket", "next", "bye")])


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    media = tmp_path_factory.mktemp("media")
    if request.param == "sqlite":
        yield settings_for(f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}", media)
        return
    with pg.throwaway_database("missing_types") as url:
        yield settings_for(url, media)


def settings_for(url: str, media: Path) -> Settings:
    return Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=None,
                    media_root=media)  # fmt: skip


def signed_in(settings: Settings, registry: BlockRegistry | None) -> Iterator[Client]:
    for base_url in serve_api(settings, PublishHub(), registry):
        with Client(base_url=base_url, timeout=30) as client:
            assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
            yield client


def save_and_publish(client: Client, slug: str, document: dict[str, Any]) -> None:
    current = client.get(f"/api/scenarios/{slug}")
    if current.status_code == 404:
        created = client.post("/api/scenarios", json={"slug": slug, "name": slug, "document": document})
        assert created.status_code == 201, created.text
    else:
        revision = current.json()["draft"]["revision"]
        saved = client.put(f"/api/scenarios/{slug}/draft", json={"revision": revision, "document": document})
        assert saved.status_code == 200, saved.text
    published = client.post(f"/api/scenarios/{slug}/publish", json={"message": "live"})
    assert published.status_code == 200, published.text


@pytest.fixture(scope="module")
def published_with_plugin(database: Settings) -> Settings:
    """The scenarios, published on a server with the CRM plugin installed."""
    for client in signed_in(database, with_crm_plugin()):
        save_and_publish(client, "crm-live", flow(ticket=True))
        save_and_publish(client, "plain", flow(ticket=False))
        # Live without the ticket now: only the live version counts, not an older one.
        save_and_publish(client, "ticket-dropped", flow(ticket=True))
        save_and_publish(client, "ticket-dropped", flow(ticket=False))
        # Live with it now, though version 1 had none.
        save_and_publish(client, "ticket-added", flow(ticket=False))
        save_and_publish(client, "ticket-added", flow(ticket=True))
        # Never published: a draft's unknown blocks are the designer's canvas's to tell (nothing runs it).
        created = client.post("/api/scenarios", json={"slug": "crm-draft", "name": "d", "document": flow(ticket=True)})
        assert created.status_code == 201, created.text
    return database


def listed(client: Client) -> dict[str, list[str]]:
    response = client.get("/api/scenarios", params={"page_size": 200})
    assert response.status_code == 200, response.text
    return {item["slug"]: item["missing_block_types"] for item in response.json()["items"]}


def test_without_the_plugin_the_list_names_the_types_live_versions_miss(published_with_plugin: Settings) -> None:
    for client in signed_in(published_with_plugin, None):  # the installed blocks: the CRM plugin is gone
        assert listed(client) == {
            "crm-live": ["crm_ticket_create"],
            "plain": [],
            "ticket-dropped": [],
            "ticket-added": ["crm_ticket_create"],
            "crm-draft": [],
        }


def test_with_the_plugin_installed_nothing_is_missing(published_with_plugin: Settings) -> None:
    for client in signed_in(published_with_plugin, with_crm_plugin()):
        missing = listed(client)
        assert set(missing) == {"crm-live", "plain", "ticket-dropped", "ticket-added", "crm-draft"}
        assert all(types == [] for types in missing.values()), missing


def test_a_search_page_carries_the_field_for_its_own_items(published_with_plugin: Settings) -> None:
    for client in signed_in(published_with_plugin, None):
        response = client.get("/api/scenarios", params={"q": "ticket-added", "page_size": 1})
        assert response.status_code == 200, response.text
        assert [(i["slug"], i["missing_block_types"]) for i in response.json()["items"]] == [
            ("ticket-added", ["crm_ticket_create"])
        ]
