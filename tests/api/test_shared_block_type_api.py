"""`GET /api/blocks/broken` and validation when two installed plugins claim one block type name (acme-dup1 and
acme-dup2, both `acme_dup`): both are listed, each with the type it leaves missing, and neither serves it.

Before, the one whose `.dist-info` the directory listing gave first served the type, and the other was listed with
`"type": null` (tests/graph_engine/test_registry_shared_types.py installs them the same way). Over real HTTP, with
a server whose registry was loaded the way `ivrgraph serve` loads it; SQLite only.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from graph_engine.registry import BlockRegistry, load_registry
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api
from tests.conftest import make_document
from tests.graph_engine.test_registry_shared_types import install

ORIGINS = [
    "acme_dup = acme_dup1:DupBlock (from acme-dup1)",
    "acme_dup = acme_dup2:DupBlock (from acme-dup2)",
]


def registry_with_both(root: Path) -> BlockRegistry:
    """The installed plugins plus acme-dup2 and acme-dup1, acme-dup2 listed first (as in the review)."""
    sites = [root / "site2", root / "site1"]
    for site, number in zip(sites, (2, 1), strict=True):
        install(site, number)
    sys.path[:0] = [str(site) for site in sites]
    try:
        return load_registry(skip_broken=True)
    finally:
        del sys.path[: len(sites)]
        for number in (1, 2):
            sys.modules.pop(f"acme_dup{number}", None)


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}"
    settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=None,
                        media_root=tmp_path_factory.mktemp("media"))  # fmt: skip
    for base_url in serve_api(settings, PublishHub(), registry_with_both(tmp_path_factory.mktemp("plugins"))):
        with Client(base_url=base_url, timeout=30) as client:
            assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
            yield client


def test_both_plugins_are_listed_broken_with_the_type_they_leave_missing(signed_in: Client) -> None:
    response = signed_in.get("/api/blocks/broken")

    assert response.status_code == 200, response.text
    listed = response.json()
    assert sorted(plugin["plugin"] for plugin in listed) == ORIGINS
    for plugin in listed:
        assert plugin["type"] == "acme_dup"
        other = next(origin for origin in ORIGINS if origin != plugin["plugin"])
        assert f"also claimed by {other}" in plugin["reason"]
    assert "acme_dup" not in {entry["type"] for entry in signed_in.get("/api/blocks").json()}


def test_a_scenario_using_the_type_fails_validation_instead_of_running_either_block(signed_in: Client) -> None:
    document = make_document(
        [{"id": "start", "type": "start"}, {"id": "dup", "type": "acme_dup", "label": "Notify", "config": {}},
         {"id": "bye", "type": "hangup", "label": "Bye"}],
        [("start", "next", "dup"), ("dup", "next", "bye")],
    )  # fmt: skip
    created = signed_in.post("/api/scenarios", json={"slug": "uses-acme-dup", "name": "Dup", "document": document})
    assert created.status_code == 201, created.text

    problems = signed_in.post("/api/scenarios/uses-acme-dup/validate", json={"document": document}).json()["problems"]
    (problem,) = [p for p in problems if p["severity"] == "error"]
    assert (problem["code"], problem["node"]) == ("unknown_type", "dup")
    assert "(from acme-dup1)" in problem["message"] and "(from acme-dup2)" in problem["message"]
    assert signed_in.post("/api/scenarios/uses-acme-dup/publish", json={"message": "x"}).status_code == 422
