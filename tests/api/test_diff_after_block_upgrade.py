"""The diff a reviewer reads after a plugin upgrade shows what someone changed, not what the upgrade migrated.

Review: CRM Lookup was upgraded to version 2 (`timeout` renamed `timeout_s`, by the block's `migrate()`); the
diff of `crm-flow`, untouched, against its version 1 said `block "crm" (crm_lookup) changed: version, timeout,
timeout_s`, `"empty": false`: the stored version-1 node, not migrated, against the migrated draft. Calls already
run version 1 through that same migration, so for a caller nothing changed: both sides are now compared as the
installed blocks read them, and an untouched scenario's diff is empty.

Over real HTTP: a server with CRM Lookup at version 1 publishes the flow; a second server on the same database,
with CRM Lookup at version 2 (the plugin upgraded), is asked for the diff. SQLite only: the diff is computed from
the stored documents, the same on either backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pytest

from api.settings import Settings
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.registry import BlockRegistry, load_registry
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api
from tests.conftest import make_document

SLUG = "crm-flow"


class CrmLookupV1(BlockType):
    type = "crm_lookup"
    title = "CRM Lookup"
    version = 1
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"timeout": {"type": "integer", "minimum": 1}},
        "additionalProperties": False,
    }

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


class CrmLookupV2(CrmLookupV1):
    """The upgrade: `timeout` is `timeout_s` now, and version-1 configs are migrated."""

    version = 2
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"timeout_s": {"type": "integer", "minimum": 1}},
        "additionalProperties": False,
    }

    def migrate(self, from_version: int, config: Mapping[str, Any]) -> dict[str, Any]:
        upgraded = dict(config)
        if from_version < 2 and "timeout" in upgraded:
            upgraded["timeout_s"] = upgraded.pop("timeout")
        return upgraded


def with_block(block_class: type[BlockType]) -> BlockRegistry:
    registry = load_registry()  # the built-in blocks, as the app loads them
    registry.register(block_class, origin=f"acme-crm {block_class.version} (test)")
    return registry


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}"
    return Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=None,
                    media_root=tmp_path_factory.mktemp("media"))  # fmt: skip


def signed_in(settings: Settings, registry: BlockRegistry) -> Iterator[Client]:
    for base_url in serve_api(settings, PublishHub(), registry):
        with Client(base_url=base_url, timeout=30) as client:
            assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
            yield client


@pytest.fixture(scope="module")
def upgraded(database: Settings) -> Iterator[Client]:
    """The admin of a server whose CRM Lookup is at version 2, after `crm-flow` was published with version 1."""
    document = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "crm", "type": "crm_lookup", "version": 1, "label": "Find the client", "config": {"timeout": 5}},
            {"id": "bye", "type": "hangup", "label": "Bye"},
        ],
        [("start", "next", "crm"), ("crm", "next", "bye")],
    )
    for before in signed_in(database, with_block(CrmLookupV1)):
        created = before.post("/api/scenarios", json={"slug": SLUG, "name": "CRM flow", "document": document})
        assert created.status_code == 201, created.text
        published = before.post(f"/api/scenarios/{SLUG}/publish", json={"message": "first"})
        assert published.status_code == 200, published.text
    yield from signed_in(database, with_block(CrmLookupV2))


def published_crm_node(admin: Client) -> dict[str, Any]:
    version = admin.get(f"/api/scenarios/{SLUG}/versions/1").json()["document"]
    return dict(next(node for node in version["nodes"] if node["id"] == "crm"))


def test_the_untouched_scenario_shows_no_change_against_the_version_before_the_upgrade(upgraded: Client) -> None:
    assert published_crm_node(upgraded)["config"] == {"timeout": 5}  # stored as version 1 wrote it

    response = upgraded.get(f"/api/scenarios/{SLUG}/diff")

    assert response.status_code == 200, response.text
    diff = response.json()["diff"]
    assert (diff["empty"], diff["changes"], diff["summary"]) == (True, [], [])


def test_publishing_the_untouched_scenario_tells_no_change(upgraded: Client) -> None:
    """The publish dialog shows the diff the publish answers with: the version stored is the migrated one
    (persistence.publishing.publish says why), and nothing an analyst did is in it."""
    published = upgraded.post(f"/api/scenarios/{SLUG}/publish", json={"message": "after the CRM upgrade"})

    assert published.status_code == 200, published.text
    diff = published.json()["diff"]
    assert (diff["empty"], diff["changes"], diff["summary"]) == (True, [], [])


def test_an_edit_after_the_upgrade_is_told_in_the_new_field_with_the_old_value_migrated(upgraded: Client) -> None:
    opened = upgraded.get(f"/api/scenarios/{SLUG}").json()["draft"]
    document = opened["document"]
    document["nodes"] = [
        {**node, "config": {"timeout_s": 8}} if node["id"] == "crm" else node for node in document["nodes"]
    ]
    saved = upgraded.put(f"/api/scenarios/{SLUG}/draft", json={"revision": opened["revision"], "document": document})
    assert saved.status_code == 200, saved.text

    # Against version 1, published before the upgrade: the old `timeout` read as the `timeout_s` it migrates to.
    diff = upgraded.get(f"/api/scenarios/{SLUG}/diff", params={"from": 1}).json()["diff"]

    assert diff["changes"] == [
        {
            "kind": "block_changed",
            "node": "crm",
            "label": "Find the client",
            "type": "crm_lookup",
            "fields": ["timeout_s"],
            "values": [{"field": "timeout_s", "before": 5, "after": 8}],
        }
    ]


def test_two_versions_either_side_of_the_upgrade_compare_as_the_blocks_read_them(upgraded: Client) -> None:
    published = upgraded.post(f"/api/scenarios/{SLUG}/publish", json={"message": "longer CRM timeout"})
    assert published.status_code == 200, published.text
    number = published.json()["version"]["number"]

    diff = upgraded.get(f"/api/scenarios/{SLUG}/diff", params={"from": 1, "to": number}).json()["diff"]

    assert diff["summary"] == ['block "Find the client" (crm_lookup) changed: timeout_s']
