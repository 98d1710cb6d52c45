"""A block its plugin's services leave unable to run on this server (BlockType.readiness): the API refuses to publish
a scenario using it, says so while the draft is edited, and marks it in the catalog; test calls run it all the same.

Plugin author's review: the only hook was `check(node, scenario)`, which runs wherever validation runs (so
`ivrgraph validate` in CI failed without the gateway), could not see the plugin services and had to point at an
unrelated config field. The example SMS plugin (examples/plugins/ivrgraph-sms) is the block: installed for real, its
services built by `load_plugin_services()` as a node builds them, with and without `IVRGRAPH_SMS_GATEWAY_URL`.

Over real HTTP: the app on a registry made as `ivrgraph serve` makes it (graph_engine.readiness.host_registry), and
`ivrgraph serve` itself as a process, which a published scenario using the block is called through by the fake
Asterisk. SQLite: nothing here depends on the database's kind.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from agi_server.plugin_services import load_plugin_services
from api.settings import Settings
from blocks import default_registry
from graph_engine.readiness import host_registry
from persistence import scenarios
from persistence.calls import CallFilter, get_call, list_calls
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api
from tests.api.serve_process import IVRGRAPH, clean_env, running_serve
from tests.conftest import free_port
from tests.fakes.asterisk import FakeAsterisk, default_env
from tests.persistence import documents

GATEWAY_ENV = "IVRGRAPH_SMS_GATEWAY_URL"
REASON = "the SMS gateway is not configured: set IVRGRAPH_SMS_GATEWAY_URL"


def sms_document(*, label: str = "Reminder") -> dict[str, Any]:
    """Start -> Send SMS -> (sent) bye; its error exit to a phrase, as a careful analyst wires it."""
    return {
        "format": "ivrgraph.scenario/1",
        "name": "Reminder",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "sms", "type": "send_sms", "label": label, "config": {"text": "Su cita es el lunes"}},
            {"id": "sorry", "type": "say_phrase", "config": {"text": "No pudimos enviar el mensaje"}},
            {"id": "bye", "type": "hangup", "config": {}},
        ],
        "edges": [
            {"source": "start", "exit": "next", "target": "sms"},
            {"source": "sms", "exit": "sent", "target": "bye"},
            {"source": "sms", "exit": "failed", "target": "sorry"},
            {"source": "sms", "exit": "error", "target": "sorry"},
            {"source": "sorry", "exit": "next", "target": "bye"},
        ],
    }


@contextmanager
def gateway_setting(url: str | None) -> Iterator[None]:
    """`IVRGRAPH_SMS_GATEWAY_URL` set to `url` (unset for None) while a node builds its services, then as it was."""
    before = os.environ.get(GATEWAY_ENV)
    if url is None:
        os.environ.pop(GATEWAY_ENV, None)
    else:
        os.environ[GATEWAY_ENV] = url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(GATEWAY_ENV, None)
        else:
            os.environ[GATEWAY_ENV] = before


def _serve(tmp: pytest.TempPathFactory, gateway: str | None) -> Iterator[str]:
    with gateway_setting(gateway):
        extras = load_plugin_services()  # as the node does at start, from this host's configuration
    url = f"sqlite:///{tmp.mktemp('db') / 'api.sqlite3'}"
    settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=None,
                        media_root=tmp.mktemp("media"))  # fmt: skip
    yield from serve_api(settings, PublishHub(), host_registry(default_registry(skip_broken=True), extras))


@pytest.fixture(scope="module")
def without_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory, None)


@pytest.fixture(scope="module")
def with_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory, "http://127.0.0.1:9/sms")  # never posted to: nothing here sends


@contextmanager
def _signed_in(base_url: str) -> Iterator[Client]:
    with Client(base_url=base_url, timeout=30) as client:
        assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
        yield client


@pytest.fixture
def admin(without_gateway: str) -> Iterator[Client]:
    with _signed_in(without_gateway) as client:
        yield client


def _create(client: Client, slug: str, document: dict[str, Any]) -> None:
    created = client.post("/api/scenarios", json={"slug": slug, "name": slug, "document": document})
    assert created.status_code == 201, created.text


def _not_ready(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [problem for problem in problems if problem["code"] == "block_not_ready"]


def test_the_catalog_says_which_blocks_cannot_run_here_and_why(admin: Client, with_gateway: str) -> None:
    entries = {entry["type"]: entry for entry in admin.get("/api/blocks").json()}

    assert entries["send_sms"]["readiness"] == {"ready": False, "reasons": [REASON]}
    assert entries["say_phrase"]["readiness"] == {"ready": True, "reasons": []}
    # The rest of the entry as before: the palette and the forms are built from it.
    assert entries["send_sms"]["default_exits"] == ["sent", "failed"]
    assert entries["send_sms"]["config_schema"]["required"] == ["text"]
    assert "ivrgraph-sms" in entries["send_sms"]["plugin"]
    with _signed_in(with_gateway) as configured:
        ready = {entry["type"]: entry for entry in configured.get("/api/blocks").json()}
    assert ready["send_sms"]["readiness"] == {"ready": True, "reasons": []}


def test_publishing_a_scenario_using_a_block_that_cannot_run_here_is_refused_at_the_node(admin: Client) -> None:
    _create(admin, "sms-refused", sms_document())

    refused = admin.post("/api/scenarios/sms-refused/publish", json={"message": "v1"})

    assert refused.status_code == 422, refused.text
    [problem] = _not_ready(refused.json()["problems"])
    assert problem == {
        "severity": "error",
        "code": "block_not_ready",
        "message": f'Send SMS "Reminder" cannot run on this server: {REASON}',
        "node": "sms",
        "path": "$.nodes[1]",  # the node: no field of its config is at fault
        "params": {"block_type": "send_sms", "block_title": "Send SMS", "label": "Reminder", "detail": REASON},
    }
    assert admin.get("/api/scenarios/sms-refused/versions").json() == []


def test_the_draft_is_told_while_it_is_edited(admin: Client) -> None:
    """The designer's problems panel: the draft saved, and a document sent to validate."""
    _create(admin, "sms-draft", documents.greeting())
    document = sms_document(label="")
    saved = admin.put("/api/scenarios/sms-draft/draft", json={"revision": 1, "document": document})
    assert saved.status_code == 200, saved.text
    [on_save] = _not_ready(saved.json()["problems"])
    assert (on_save["node"], on_save["path"]) == ("sms", "$.nodes[1]")
    assert on_save["message"] == f'Send SMS "sms" cannot run on this server: {REASON}'  # no label: the node's id

    doubled = {**document, "nodes": [*document["nodes"], {**document["nodes"][1], "id": "sms2"}]}
    sent = admin.post("/api/scenarios/sms-draft/validate", json={"document": doubled}).json()["problems"]
    assert [(p["node"], p["path"]) for p in _not_ready(sent)] == [("sms", "$.nodes[1]"), ("sms2", "$.nodes[4]")]
    # A scenario without the block is not bothered.
    plain = admin.post("/api/scenarios/sms-draft/validate", json={"document": documents.greeting()})
    assert _not_ready(plain.json()["problems"]) == []


def test_a_test_call_runs_the_block_as_anywhere_else(admin: Client) -> None:
    """What a test call does never depends on the host: the plugin's `simulate` tells what a real call would send."""
    _create(admin, "sms-test-call", sms_document())

    simulated = admin.post("/api/scenarios/sms-test-call/simulate", json={"caller_id": "+34600111222"})

    assert simulated.status_code == 200, simulated.text
    steps = simulated.json()["result"]["steps"]
    assert [(step["node"], step["exit"]) for step in steps[:2]] == [("start", "next"), ("sms", "sent")]
    assert "would send 'Su cita es el lunes' to +34600111222" in "\n".join(simulated.json()["story"])


def test_with_the_gateway_configured_the_same_scenario_publishes(with_gateway: str) -> None:
    with _signed_in(with_gateway) as client:
        _create(client, "sms-sent", sms_document())
        validated = client.post("/api/scenarios/sms-sent/validate").json()["problems"]
        published = client.post("/api/scenarios/sms-sent/publish", json={"message": "v1"})
    assert _not_ready(validated) == []
    assert published.status_code == 200, published.text


# -- `ivrgraph serve`, the process ---------------------------------------------------------------


def _published_before_the_start(url: str) -> None:
    """A scenario using Send SMS, published while the node was down (by another node, which has the gateway)."""
    upgrade(url)
    database = Database(url)
    try:
        with database.session() as session:
            document = sms_document()
            scenario = scenarios.create_scenario(session, slug="reminder", document=document, actor="test")
            scenarios.store_version(session, scenario=scenario, document=document, message="", summary={}, actor="t")
    finally:
        database.dispose()


def _call_steps(database: Database, agi_port: int, uniqueid: str) -> tuple[list[dict[str, Any]], str]:
    """Call `reminder` through the fake Asterisk; its record's steps and outcome once the node wrote it."""
    env = default_env("reminder", agi_callerid="+34600111222", agi_uniqueid=uniqueid)
    fake = asyncio.run(FakeAsterisk("127.0.0.1", agi_port, env=env, hold=2).run(timeout=20))
    assert fake.commands, "the node said nothing to the call"
    deadline = time.monotonic() + 15
    while True:
        with database.session() as session:
            found, _ = list_calls(session, filters=CallFilter(asterisk_uniqueid=uniqueid), limit=1)
            if found:
                call = get_call(session, call_id=found[0].id)
                return list(call.trace["steps"]), str(call.outcome)
        assert time.monotonic() < deadline, "the call's record never arrived"
        time.sleep(0.2)


@pytest.mark.slow
def test_serve_without_the_gateway_refuses_the_block_warns_at_start_and_its_calls_take_the_error_exit(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
    _published_before_the_start(url)
    api_port, agi_port = free_port(), free_port()
    env = clean_env(  # no IVRGRAPH_SMS_GATEWAY_URL: the machine's own is dropped too
        IVRGRAPH_DATABASE_URL=url,
        IVRGRAPH_ADMIN_USER="admin",
        IVRGRAPH_ADMIN_PASSWORD="admin-pass-1",
        IVRGRAPH_MEDIA_ROOT=str(tmp_path / "media"),
    )
    command = [*IVRGRAPH, "serve", "--port", str(api_port), "--agi-port", str(agi_port)]
    log = tmp_path / "serve.log"
    database = Database(url)
    try:
        with running_serve(command, cwd=tmp_path, env=env, api_port=api_port, log=log):
            with Client(base_url=f"http://127.0.0.1:{api_port}", timeout=30) as client:
                assert client.login("admin", "admin-pass-1").status_code == 200
                entries = {entry["type"]: entry for entry in client.get("/api/blocks").json()}
                _create(client, "reminder-2", sms_document())
                refused = client.post("/api/scenarios/reminder-2/publish", json={"message": "v1"})
            steps, outcome = _call_steps(database, agi_port, "1700000000.42")
            said = log.read_text(errors="replace")
    finally:
        database.dispose()
        print(log.read_text(errors="replace")[-3000:])  # shown by pytest when the test failed

    assert entries["send_sms"]["readiness"] == {"ready": False, "reasons": [REASON]}
    assert refused.status_code == 422 and _not_ready(refused.json()["problems"]), refused.text
    warning = next(line for line in said.splitlines() if "block 'send_sms' cannot run on this node" in line)
    assert "WARNING" in warning and REASON in warning and "reminder v1" in warning, warning
    # The call reached the block: its error exit, with the reason, instead of a run that cannot work.
    sms = next(step for step in steps if step["node"] == "sms")
    assert sms["exit"] == "error"
    assert sms["error"] == f"Send SMS cannot run on this node: {REASON}"
    assert [step["node"] for step in steps] == ["start", "sms", "sorry", "bye"]
    assert outcome == "hung_up", outcome
