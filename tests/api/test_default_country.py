"""IVRGRAPH_DEFAULT_COUNTRY through the API, over HTTP: with it set, the call register, a client's callback jobs and a
call list's duplicates find a phone written nationally ("8 916 123-45-67") when it is asked for in E.164, and the
other way round; a value that is not a country stops `ivrgraph serve` and `ivrgraph agi` with one line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from persistence.phone_numbers import configure_default_country, configured_default_country
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, Server, _designer_dist, serve_api
from tests.api.serve_process import IVRGRAPH, clean_env, running_serve
from tests.conftest import free_port
from tests.persistence import documents, pg
from tests.persistence.published import publish

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The API of a Russian deployment (IVRGRAPH_DEFAULT_COUNTRY=RU), on each backend, for this module's tests
    (`admin` and the other fixtures of tests/api take it); the process compares numbers as before afterwards."""
    before = configured_default_country()
    dist, media = _designer_dist(tmp_path_factory.mktemp("dist")), tmp_path_factory.mktemp("media")
    try:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}"
            yield from _served(url, "sqlite", dist, media)
            return
        with pg.throwaway_database("country") as url:
            yield from _served(url, "postgres", dist, media)
    finally:
        configure_default_country(before)


def _served(url: str, backend: str, dist: Path, media: Path) -> Iterator[Server]:
    settings = Settings(
        database_url=url,
        admin_user=ADMIN,
        admin_password=ADMIN_PASSWORD,
        designer_dist=dist,
        media_root=media,
        default_country="RU",
    )
    hub = PublishHub()
    for base_url in serve_api(settings, hub):
        yield Server(base_url, hub, backend, url, media)


def _calls(server: Server, *callers: tuple[str, str]) -> None:
    """Calls written as the FastAGI runtime writes them, each (call id, the caller as the trunk wrote it)."""
    database = Database(server.database_url)
    trace = {"steps": [{"node": "start", "type": "start", "events": []}], "answered": True}
    try:
        CallRecordWriter(database).write_batch(
            [
                CallRecordIn(
                    call_id=call_id,
                    scenario="country-calls",
                    started_at=T0 + timedelta(minutes=n),
                    ended_at=T0 + timedelta(minutes=n, seconds=20),
                    answered_at=T0,
                    outcome="hung_up",
                    caller_id=caller,
                    trace=trace,
                )
                for n, (call_id, caller) in enumerate(callers)
            ]
        )
    finally:
        database.dispose()


def test_the_call_register_finds_a_caller_written_nationally_or_in_e164(admin: Client, server: Server) -> None:
    national, international = f"national-{server.backend}", f"e164-{server.backend}"
    _calls(server, (national, "89161234567"), (international, "+79161234568"))
    for typed, found in [
        ("+7 916 123-45-67", national),
        ("89161234567", national),
        ("8 (916) 123-45-68", international),
        ("+79161234568", international),
    ]:
        listed = admin.get("/api/calls", params={"scenario": "country-calls", "caller": typed})
        assert listed.status_code == 200, listed.text
        assert [call["id"] for call in listed.json()["items"]] == [found], typed


def test_a_clients_callback_written_nationally_is_found_by_its_e164_number(admin: Client, server: Server) -> None:
    """A CRM asks nationally, an integration looks in E.164: one client, and the job rings the number as typed."""
    database = Database(server.database_url)
    try:
        publish(database, "country-callbacks")
    finally:
        database.dispose()
    asked = admin.post(
        "/api/callbacks",
        json={"number": "8 916 123-45-69", "scenario": "country-callbacks", "due": "2030-12-01T10:00:00Z"},
    )
    assert asked.status_code == 201, asked.text
    for typed in ("+79161234569", "+7 916 123 45 69", "89161234569"):
        found = admin.get("/api/callbacks", params={"number": typed})
        assert [(job["id"], job["number"]) for job in found.json()] == [(asked.json()["id"], "89161234569")], typed


def test_a_call_list_with_one_client_written_two_ways_reports_the_duplicate(admin: Client, server: Server) -> None:
    slug = f"country-list-{server.backend}"
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "list", "document": documents.greeting()})
    assert created.status_code == 201 and admin.post(f"/api/scenarios/{slug}/publish", json={}).status_code == 200
    rows = [{"phone": "8 916 123-45-67"}, {"phone": "+7 916 123 45 67"}]
    refused = admin.post("/api/callbacks/batch", json={"scenario": slug, "rows": rows, "dry_run": True})
    assert refused.status_code == 422, refused.text
    assert [(p["path"], p["code"], p["message"]) for p in refused.json()["problems"]] == [
        ("$.rows[1].phone", "duplicate_number", "client 2: +79161234567 is already client 1")
    ]


def test_ivrgraph_serve_compares_numbers_in_its_default_country(tmp_path: Path) -> None:
    """The variable reaches the API of a real `ivrgraph serve` process."""
    api_port = free_port()
    env = clean_env(
        IVRGRAPH_DEFAULT_COUNTRY="ru",
        IVRGRAPH_ADMIN_USER="admin",
        IVRGRAPH_ADMIN_PASSWORD="admin-pass-1",
        IVRGRAPH_MEDIA_ROOT=str(tmp_path / "media"),
    )
    command = [*IVRGRAPH, "serve", "--port", str(api_port), "--agi-port", str(free_port())]
    with running_serve(command, cwd=tmp_path, env=env, api_port=api_port, log=tmp_path / "serve.log"):
        database = Database(f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}")
        trace = {"steps": [], "answered": True}
        try:
            CallRecordWriter(database).write_batch(
                [
                    CallRecordIn(
                        call_id="c1",
                        scenario="s",
                        started_at=T0,
                        ended_at=T0,
                        answered_at=T0,
                        outcome="hung_up",
                        caller_id="89161234567",
                        trace=trace,
                    )
                ]
            )
        finally:
            database.dispose()
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=30) as client:
            assert client.post("/api/auth/login", json={"username": "admin", "password": "admin-pass-1"}).is_success
            found = client.get("/api/calls", params={"caller": "+7 916 123-45-67"}).json()["items"]
    assert [call["id"] for call in found] == ["c1"]


@pytest.mark.parametrize(
    "command",
    [
        [*IVRGRAPH, "serve", "--port", "0", "--agi-port", "0"],
        [sys.executable, "-m", "ivrgraph.cli", "agi", "--port", "0"],
    ],
    ids=["serve", "agi"],
)
def test_a_default_country_that_is_not_a_country_stops_the_start_in_one_line(
    command: list[str], tmp_path: Path
) -> None:
    done = subprocess.run(
        command,
        cwd=tmp_path,
        env=clean_env(IVRGRAPH_DEFAULT_COUNTRY="Russia"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    name = command[command.index("serve") if "serve" in command else command.index("agi")]
    assert done.stderr.strip().splitlines() == [
        f"ivrgraph {name}: error: IVRGRAPH_DEFAULT_COUNTRY='Russia': expected a country's ISO 3166 code such as RU, "
        "ES, GB or US"
    ]
    assert not (tmp_path / "ivrgraph.sqlite3").exists()
