"""Review: with a plugin block whose `run` never returns (`await asyncio.sleep(3600)`), the designer's Test call
(`POST /api/scenarios/{slug}/simulate`) never answered, nor did publishing a scenario with `meta.tests`, and the API
server could not shut down afterwards (needed kill -9). Now the test call stops the block at its `max_seconds`, as a
real call does. Over real HTTP, with a server whose registry has the block (tests/fakes/hanging_blocks.py)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.settings import Settings
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api
from tests.conftest import make_document
from tests.fakes.hanging_blocks import registry_with_hanging_blocks
from tests.persistence import pg

_slugs = itertools.count(1)


@dataclass
class Running:
    admin: Client
    stop: Any  # ends the server; returns the threads it left alive


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def running(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Running]:
    """A real API server (one per backend) whose registry has the hanging blocks, and its signed-in admin."""

    def serve(url: str) -> Iterator[Running]:
        settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=None,
                            media_root=tmp_path / "media")  # fmt: skip
        before = set(threading.enumerate())
        server = serve_api(settings, PublishHub(), registry_with_hanging_blocks())
        base_url = next(server)

        def stop() -> list[threading.Thread]:
            server.close()  # asks uvicorn to exit and waits (up to 10 s) for its thread
            # AnyIO's idle worker threads (publishing's) end by themselves; they keep no server alive.
            left = set(threading.enumerate()) - before
            return [thread for thread in left if thread.is_alive() and not thread.name.startswith("AnyIO worker")]

        with Client(base_url=base_url, timeout=15) as client:
            assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
            yield Running(client, stop)
        server.close()

    if request.param == "sqlite":
        yield from serve(f"sqlite:///{tmp_path / 'api.sqlite3'}")
        return
    with pg.throwaway_database("api_time_limit") as url:
        yield from serve(url)


def _document(**extra: Any) -> dict[str, Any]:
    """Start -> h, a block whose `run` never returns (max_seconds 0.2) -> on `error`, a Hang Up."""
    return make_document(
        [{"id": "start", "type": "start"}, {"id": "h", "type": "acme.hang"}, {"id": "bye", "type": "hangup"}],
        [("start", "next", "h"), ("h", "error", "bye")],
        **extra,
    )


def _create(admin: Client, document: dict[str, Any]) -> str:
    slug = f"hangs-{next(_slugs)}"
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "Hangs", "document": document})
    assert created.status_code == 201, created.text
    return slug


def test_the_test_call_answers_with_the_blocks_error_exit_and_the_server_stops(running: Running) -> None:
    slug = _create(running.admin, _document())

    response = running.admin.post(f"/api/scenarios/{slug}/simulate", json={"keys": []})

    assert response.status_code == 200, response.text
    assert response.elapsed.total_seconds() < 5
    steps = response.json()["result"]["steps"]
    assert [(step["node"], step["exit"]) for step in steps] == [("start", "next"), ("h", "error"), ("bye", "hangup")]
    assert steps[1]["error"] == (
        "block 'h' (acme.hang) was busy away from the call's channel for over 0.2 s, its time limit (max_seconds)"
    )
    assert running.stop() == []  # nothing of the test call keeps the server alive


def test_publishing_with_tests_through_the_block_answers(running: Running) -> None:
    tests = [{"name": "takes the error route", "expect": {"path": ["start", "h", "bye"], "outcome": "hung_up"}}]
    slug = _create(running.admin, _document(meta={"tests": tests}))

    published = running.admin.post(f"/api/scenarios/{slug}/publish", json={"message": "with a hanging block"})

    assert published.status_code == 200, published.text
    assert published.elapsed.total_seconds() < 5
    assert [(test["name"], test["passed"]) for test in published.json()["tests"]] == [("takes the error route", True)]
    assert running.stop() == []
