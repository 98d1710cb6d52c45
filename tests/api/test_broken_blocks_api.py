"""`GET /api/blocks/broken`: the plugins a server serving calls left out (`load_registry(skip_broken=True)`), beside
the catalog, so the designer can say which plugin is broken and why instead of only failing the scenarios using it.

Over real HTTP, with a server whose registry was loaded the way `ivrgraph serve` loads it, from the built-in entry
points plus two broken plugins: one whose module cannot be imported (a dependency gone after an upgrade, as in
tests/plugins/test_broken_plugins.py), one that imports but takes a built-in's type name. SQLite only: nothing here
is stored; the database only signs the user in.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pytest

from api.settings import Settings
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.registry import ENTRY_POINT_GROUP, BlockRegistry, load_registry
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api

BUILTINS = [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.dist is not None and e.dist.name == "ivrgraph"]
CLASH_MODULE = "acme_clash_blocks"
UNIMPORTABLE = EntryPoint(name="acme_crm", value="acme_crm_gone_after_upgrade:CrmBlock", group=ENTRY_POINT_GROUP)
CLASHING = EntryPoint(name="acme_hangup", value=f"{CLASH_MODULE}:Hangup", group=ENTRY_POINT_GROUP)


class Hangup(BlockType):
    """A plugin block that takes the built-in `hangup` type name: refused, and the built-in keeps the name."""

    type = "hangup"
    title = "Acme Hangup"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


def broken_registry() -> BlockRegistry:
    module = types.ModuleType(CLASH_MODULE)
    module.Hangup = Hangup  # type: ignore[attr-defined]
    sys.modules[CLASH_MODULE] = module
    try:
        return load_registry([*BUILTINS, UNIMPORTABLE, CLASHING], skip_broken=True)
    finally:
        del sys.modules[CLASH_MODULE]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}"
    settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=None,
                        media_root=tmp_path_factory.mktemp("media"))  # fmt: skip
    yield from serve_api(settings, PublishHub(), broken_registry())


@pytest.fixture
def signed_in(base_url: str) -> Iterator[Client]:
    with Client(base_url=base_url, timeout=30) as client:
        assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
        yield client


def test_the_broken_plugins_are_listed_with_their_reason_and_the_type_they_leave_missing(signed_in: Client) -> None:
    response = signed_in.get("/api/blocks/broken")

    assert response.status_code == 200, response.text
    unimportable, clashing = response.json()
    assert unimportable["plugin"] == "acme_crm = acme_crm_gone_after_upgrade:CrmBlock"
    assert unimportable["reason"].startswith("cannot be imported: ModuleNotFoundError")
    assert unimportable["type"] == "acme_crm"  # scenarios using it fail validation saying why
    assert clashing["plugin"] == f"acme_hangup = {CLASH_MODULE}:Hangup"
    assert "taken by the built-in" in clashing["reason"]
    assert clashing["type"] is None  # `hangup` is still installed: the built-in's, no scenario misses it


def test_the_catalog_stays_a_list_of_the_blocks_that_loaded(signed_in: Client) -> None:
    catalog = signed_in.get("/api/blocks").json()

    assert isinstance(catalog, list)
    types_listed = {entry["type"] for entry in catalog}
    assert "acme_crm" not in types_listed
    assert next(entry for entry in catalog if entry["type"] == "hangup")["title"] != "Acme Hangup"


def test_the_broken_plugins_need_the_catalogs_role(base_url: str) -> None:
    with Client(base_url=base_url, timeout=30) as anonymous:
        assert anonymous.get("/api/blocks/broken").status_code == 401
        schema = anonymous.get("/openapi.json").json()
    catalog, broken = schema["paths"]["/api/blocks"]["get"], schema["paths"]["/api/blocks/broken"]["get"]
    assert broken["x-role"] == catalog["x-role"] == "viewer"


def test_a_server_without_broken_plugins_lists_none(admin: Client) -> None:
    """The shared server, loaded from the installed plugins, none of them broken: the designer shows nothing."""
    assert admin.get("/api/blocks/broken").json() == []
