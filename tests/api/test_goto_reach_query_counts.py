"""A test call, a run of a draft's tests and a publish cost the same however many unrelated scenarios are published.

Scale review (226 published scenarios on PostgreSQL): each read every published scenario's latest version, one
query a scenario, even for a scenario with no Go To Scenario at all: 226 queries, a publish of a 10-block scenario
0.8 s instead of 0.03 s, a test call 1-1.5 s. They read only the scenarios the calls can continue in, and those
that jump into the one published (persistence.goto_reach). Counted here: the SQL statements each request makes on
the server's database, with 3 unrelated scenarios published, then with 30.

A server of its own per backend (not the shared one): its database holds only what these tests publish, and
counting its statements counts no other test's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from api.settings import Settings
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api
from tests.persistence import documents, pg

FEW, MANY = 3, 30
MAIN_TEST = {"name": "greets, then the menus", "expect": {"said": ["Hello", "Welcome", "Menu B"]}}
FRONT_TEST = {"name": "the front desk ends in menu b", "expect": {"said": ["Front desk", "Hello", "Welcome", "Menu B"]}}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(the server's base URL, its database URL): a server of this module's own, on an empty database."""
    media = tmp_path_factory.mktemp("media")
    dist = _designer_dist(tmp_path_factory.mktemp("dist"))
    with _database(request.param, tmp_path_factory.mktemp("db")) as url:
        settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=dist,
                            media_root=media)  # fmt: skip
        for base_url in serve_api(settings, PublishHub()):
            yield base_url, url


@contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'counts.sqlite3'}"
        return
    with pg.throwaway_database("ivrgraph_counts") as url:
        yield url


def _designer_dist(folder: Path) -> Path:
    (folder / "index.html").write_text("<!doctype html><title>ivrgraph designer</title>", encoding="utf-8")
    return folder


@contextmanager
def _statements(database_url: str) -> Iterator[list[str]]:
    """The SQL statements run on `database_url`'s database (by any engine of this process) while inside."""
    database = make_url(database_url).database
    run: list[str] = []

    def count(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # Not the schema guard's read of the revision (api/schema_guard.py): it runs every few seconds on a thread
        # of its own, in whichever request's window it falls (a slow CI run counted it in one of the two).
        if conn.engine.url.database == database and "alembic_version" not in statement:
            run.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield run
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def _greeting_then(text: str, target: str, *, tests: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Says `text`, then continues in `target` by Go To Scenario."""
    document = documents.jumping_to(target)
    document["nodes"].insert(1, {"id": "hello", "type": "say_phrase", "config": {"text": text}})
    document["edges"] = [
        {"source": "start", "exit": "next", "target": "hello"},
        {"source": "hello", "exit": "next", "target": "jump"},
    ]
    if tests is not None:
        document["meta"] = {"tests": tests}
    return document


def _main(version: int) -> dict[str, Any]:
    """The scenario tested and published: a greeting, then menu a; named after its `version`, so each is a change."""
    document = _greeting_then("Hello", "menu-a", tests=[MAIN_TEST])
    document["name"] = f"Main {version}"
    return document


def _create_and_publish(client: Client, slug: str, document: dict[str, Any]) -> None:
    created = client.post("/api/scenarios", json={"slug": slug, "name": slug, "document": document})
    assert created.status_code == 201, created.text
    published = client.post(f"/api/scenarios/{slug}/publish", json={"message": "live"})
    assert published.status_code == 200, published.text


def _unrelated(client: Client, count: int) -> None:
    """Published scenarios until `count` unrelated ones are: greetings, and others jumping to the one before."""
    existing = {item["slug"] for item in client.get("/api/scenarios", params={"page_size": 200}).json()["items"]}
    for number in range(1, count + 1):
        slug = f"other-{number}"
        if slug in existing:
            continue
        document = documents.greeting(f"Other {number}") if number % 2 else documents.jumping_to(f"other-{number - 1}")
        _create_and_publish(client, slug, document)


def _costs(client: Client, database_url: str, version: int) -> dict[str, int]:
    """The statements a test call, a run of main's tests and a publish of main (its draft at `version`) make."""
    costs: dict[str, int] = {}
    with _statements(database_url) as run:
        called = client.post("/api/scenarios/main/simulate", json={"keys": []})
    assert called.status_code == 200, called.text
    assert any("Menu B" in line for line in called.json()["story"]), called.json()["story"]
    costs["test call"] = len(run)

    with _statements(database_url) as run:
        tested = client.post("/api/scenarios/main/tests")
    assert tested.status_code == 200, tested.text
    assert tested.json()["passed"] == 1, tested.json()
    costs["tests"] = len(run)

    revision = client.get("/api/scenarios/main").json()["draft"]["revision"]
    saved = client.put("/api/scenarios/main/draft", json={"revision": revision, "document": _main(version)})
    assert saved.status_code == 200, saved.text
    with _statements(database_url) as run:
        published = client.post("/api/scenarios/main/publish", json={"message": f"v{version}"})
    assert published.status_code == 200, published.text
    # Its own test, and the front desk's, which continues in it: what publishing it must still run.
    assert [(test["scenario"], test["passed"]) for test in published.json()["tests"]] == [(None, True), ("front", True)]
    costs["publish"] = len(run)
    return costs


def test_testing_and_publishing_cost_the_same_with_ten_times_the_unrelated_scenarios(
    server_url: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    base_url, database_url = server_url
    with Client(base_url=base_url, timeout=60) as client:
        assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
        _create_and_publish(client, "menu-b", documents.greeting("Menu B"))
        _create_and_publish(client, "menu-a", _greeting_then("Welcome", "menu-b"))
        _create_and_publish(client, "main", _main(1))
        _create_and_publish(client, "front", _greeting_then("Front desk", "main", tests=[FRONT_TEST]))

        _unrelated(client, FEW)
        few = _costs(client, database_url, version=2)
        _unrelated(client, MANY)
        many = _costs(client, database_url, version=3)

    with capsys.disabled():
        print(f"\nSQL statements with {FEW} / {MANY} unrelated scenarios published: {few} / {many}")
    assert many == few
