"""GET /api/dialer: whether anybody is being called, over HTTP on a real socket.

Review (contact-centre supervisor): with dialling paused for a trunk outage the designer showed a campaign "in
progress, next call 22:35" at 22:38; and `ivrgraph serve` without IVRGRAPH_AMI_HOST checked and scheduled lists in
green, then called nobody, for ever, with no log line.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from agi_server.ami import AmiSettings
from agi_server.dialer import RunningDialer, start_dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.job_stores import MemoryJob, MemoryJobStore
from api.app import create_app
from api.routes import dialer as dialer_routes
from api.settings import Settings
from graph_engine.services import FixedClock
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client
from tests.api.serve_process import IVRGRAPH, clean_env, running_serve
from tests.conftest import free_port
from tests.fakes import ami as fake_ami
from tests.fakes.ami import FakeAmi

T0 = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)


def test_serve_without_ami_warns_and_reports_the_dialer_off(tmp_path: Path) -> None:
    api_port, agi_port = free_port(), free_port()
    env = clean_env(
        IVRGRAPH_ADMIN_USER=ADMIN, IVRGRAPH_ADMIN_PASSWORD=ADMIN_PASSWORD, IVRGRAPH_MEDIA_ROOT=str(tmp_path / "media")
    )
    log = tmp_path / "serve.log"
    command = [*IVRGRAPH, "serve", "--port", str(api_port), "--agi-port", str(agi_port)]
    with running_serve(command, cwd=tmp_path, env=env, api_port=api_port, log=log):
        base_url = f"http://127.0.0.1:{api_port}"
        assert httpx.get(f"{base_url}/api/dialer").status_code == 401
        with Client(base_url=base_url, timeout=30) as client:
            assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
            answer = client.get("/api/dialer")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "state": "off",
        "reason": "not_configured",
        "paused_until": None,
        "congested_calls": 0,
        "node": None,
        "held": None,
    }
    warning = next(line for line in log.read_text(errors="replace").splitlines() if "no callback dialer" in line)
    assert " WARNING " in warning and "ivrgraph serve" in warning
    for variable in ("IVRGRAPH_AMI_HOST", "IVRGRAPH_AMI_PORT", "IVRGRAPH_AMI_USERNAME", "IVRGRAPH_AMI_SECRET"):
        assert variable in warning


@contextmanager
def serving(running: RunningDialer | None, tmp_path: Path) -> Iterator[str]:
    """The API as `ivrgraph serve` runs it, `running` attached, on a real socket (uvicorn in a thread)."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}",
        admin_user=ADMIN,
        admin_password=ADMIN_PASSWORD,
        media_root=tmp_path / "media",
    )
    app = create_app(settings)
    if running is not None:
        dialer_routes.attach(app, running.status)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the API server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@asynccontextmanager
async def signed_in(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        login = await client.post("/api/auth/login", json={"username": ADMIN, "password": ADMIN_PASSWORD})
        assert login.status_code == 200
        client.headers["X-CSRF-Token"] = login.json()["csrf_token"]  # for the unsafe requests, as the designer
        yield client


async def test_a_trunk_outage_is_reported_with_its_end_and_its_congested_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real dialer logged in to the fake Asterisk: every callee congests (c4x.txt), the trunk looks down, and the
    API says paused until when, and why, then running again once a call gets through."""
    fake = FakeAmi(time_scale=0.01)
    await fake.start()
    clock = FixedClock(T0)
    store = MemoryJobStore()
    for n in range(4):
        store.add(MemoryJob(id=f"out-{n}", number=f"4000{n}", scenario="debt", due=T0))
    settings = DialerSettings(
        context="outbound-ivr",
        channel_template="Local/{number}@callees/n",
        max_lines=4,
        poll_interval=0.01,
        node_id="node-a",
    )
    ami = AmiSettings("127.0.0.1", fake.port, "probe", "probe")
    running = await start_dialer(store=store, ami=ami, settings=settings, clock=clock)
    try:
        with serving(running, tmp_path) as base_url:
            async with signed_in(base_url) as client:
                async with asyncio.timeout(10):
                    while not running.trunk_down:
                        await asyncio.sleep(0.01)
                answer = (await client.get("/api/dialer")).json()
                assert answer == {
                    "state": "paused",
                    "reason": "trunk_down",
                    "paused_until": "2026-03-02T22:31:00Z",
                    "congested_calls": 4,
                    "node": "node-a",
                    "held": None,
                }
                monkeypatch.setitem(fake_ami.CALLEE_CAPTURES, "4000", "c5x.txt")  # type: ignore[arg-type]
                clock.advance(60)
                running.dialer.wake()
                async with asyncio.timeout(10):
                    while running.trunk_down:
                        await asyncio.sleep(0.01)
                answer = (await client.get("/api/dialer")).json()
                assert (answer["state"], answer["reason"], answer["node"]) == ("running", None, "node-a")
    finally:
        await running.stop()
        await fake.close()


async def test_an_ami_that_cannot_be_reached_is_reported_paused(tmp_path: Path) -> None:
    ami = AmiSettings("127.0.0.1", free_port(), "probe", "probe", reconnect_initial=0.05)
    settings = DialerSettings(max_lines=1, poll_interval=0.01, node_id="node-b")
    running = await start_dialer(store=MemoryJobStore(), ami=ami, settings=settings, clock=FixedClock(T0))
    try:
        with serving(running, tmp_path) as base_url:
            async with signed_in(base_url) as client:
                answer = (await client.get("/api/dialer")).json()
        assert (answer["state"], answer["reason"], answer["paused_until"]) == ("paused", "ami_unreachable", None)
    finally:
        await running.stop()


async def test_an_api_without_a_dialer_beside_it_reports_off(tmp_path: Path) -> None:
    with serving(None, tmp_path) as base_url:
        async with signed_in(base_url) as client:
            answer = (await client.get("/api/dialer")).json()
    assert (answer["state"], answer["reason"]) == ("off", "not_configured")


async def test_an_admin_holds_dialling_for_every_node_and_resumes_it_and_nobody_else_may(tmp_path: Path) -> None:
    """The hold is the database's, read at each request: a node without a dialer says it too (its own `off`
    beside it), so a supervisor sees why nobody is called whichever node answers (persistence.dialling_hold)."""
    with serving(None, tmp_path) as base_url:
        async with signed_in(base_url) as admin:
            made = await admin.post(
                "/api/users", json={"username": "pia", "password": "password-123", "role": "publisher"}
            )
            assert made.status_code == 201, made.text
            held = await admin.post("/api/dialer/hold")
            assert held.status_code == 200, held.text
            answer = held.json()
            assert (answer["state"], answer["reason"]) == ("off", "not_configured")
            assert (answer["held"]["held_by"], answer["held"]["reason"]) == (ADMIN, "admin")
            again = (await admin.post("/api/dialer/hold")).json()  # held already: the first hold stays
            assert again["held"] == answer["held"]
            async with httpx.AsyncClient(base_url=base_url, timeout=30) as publisher:
                login = await publisher.post("/api/auth/login", json={"username": "pia", "password": "password-123"})
                publisher.headers["X-CSRF-Token"] = login.json()["csrf_token"]
                assert (await publisher.get("/api/dialer")).json()["held"] == answer["held"]
                assert (await publisher.post("/api/dialer/resume")).status_code == 403
                assert (await publisher.post("/api/dialer/hold")).status_code == 403
            resumed = await admin.post("/api/dialer/resume")
            assert resumed.status_code == 200 and resumed.json()["held"] is None
            assert (await admin.get("/api/dialer")).json()["held"] is None
            assert (await admin.post("/api/dialer/resume")).json()["held"] is None  # not held: nothing changes
            events = (await admin.get("/api/audit", params={"target": "dialling"})).json()
    assert [(e["actor"], e["action"]) for e in reversed(events)] == [
        (ADMIN, "hold_dialling"),
        (ADMIN, "resume_dialling"),
    ]
    assert events[0]["details"] == {**answer["held"], "held_at": events[0]["details"]["held_at"]}
