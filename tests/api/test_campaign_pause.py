"""A campaign paused and resumed over real HTTP (`POST /api/callbacks/campaigns/<id>/pause`, `/resume`), and the
real dialer (over TCP, against the fake Asterisk of tests/fakes/ami.py) claiming nothing of it meanwhile, on SQLite
and PostgreSQL.

Review (a Spanish bank's outbound supervisor): a campaign could only be stopped, for good, when she had to hold it
for a complaint, a change in the script or the PBX's maintenance and then carry on; and "Llamados: 19 de 19 (100 %)"
read as finished while 3 clients still waited for a retry."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agi_server.ami import AmiClient, AmiSettings
from agi_server.job_stores import DatabaseJobStore
from api.settings import Settings
from graph_engine.services import FixedClock
from persistence import callbacks
from persistence.db import Database
from persistence.publishing import PublishHub
from tests.agi_server.test_dialer import make_dialer, scenario_runs, settle
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, Server, serve_api
from tests.fakes.ami import FakeAmi
from tests.persistence import documents, pg

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ANY_TIME = [{"days": EVERY_DAY, "from": "00:00", "to": "00:00"}]  # the test runs at whatever hour it is


def _published(admin: Client, slug: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": slug, "name": slug, "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"}).status_code == 200


def _campaign(admin: Client, scenario: str, phones: list[str], **settings: Any) -> str:
    rows = [{"phone": phone} for phone in phones]
    body = {"scenario": scenario, "rows": rows, "hours": ANY_TIME, **settings}
    created = admin.post("/api/callbacks/batch", json=body)
    assert created.status_code == 200, created.text
    return str(created.json()["campaign_id"])


def _jobs(client: Client, campaign: str) -> dict[str, tuple[str, int]]:
    """The campaign's clients by number: their status and attempts."""
    found = client.get("/api/callbacks", params={"campaign": campaign}).json()
    return {job["number"]: (job["status"], job["attempts"]) for job in found}


def _audit(admin: Client, campaign: str) -> list[tuple[str, str]]:
    events = admin.get("/api/audit", params={"target": f"campaign:{campaign}"}).json()
    return [(event["action"], event["actor"]) for event in events]


# -- the dialer: a server and a database of the test's own, so that no other test's clients are due ---------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def own_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'pause.sqlite3'}"
        else:
            url = stack.enter_context(pg.throwaway_database("pause"))
        hub = PublishHub()
        settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=None,
                            media_root=tmp_path / "media")  # fmt: skip
        for base_url in serve_api(settings, hub):
            yield Server(base_url, hub, request.param, url, tmp_path / "media")


@pytest.fixture
def signed_in(own_server: Server) -> Iterator[Client]:
    with Client(base_url=own_server.base_url, timeout=30) as client:
        assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
        yield client


@pytest.fixture
async def fake() -> AsyncIterator[FakeAmi]:
    peer = FakeAmi(time_scale=0.01)
    await peer.start()
    yield peer
    await peer.close()


@pytest.fixture
async def ami(fake: FakeAmi) -> AsyncIterator[AmiClient]:
    client = AmiClient(AmiSettings("127.0.0.1", fake.port, "probe", "probe", reconnect_initial=0.05), node_id="t")
    await client.start()
    yield client
    await client.close()


@pytest.fixture
def database(own_server: Server) -> Iterator[Database]:
    database = Database(own_server.database_url)
    yield database
    database.dispose()


def _rung(fake: FakeAmi) -> list[str]:
    """The numbers the fake Asterisk was asked to ring, in order (Local/<number>@callees/n)."""
    return [str(action.get("Channel")).removeprefix("Local/").split("@")[0] for action in fake.actions("Originate")]


async def test_a_paused_campaign_is_not_dialled_while_another_is_and_goes_on_when_resumed(
    signed_in: Client, database: Database, fake: FakeAmi, ami: AmiClient
) -> None:
    admin = signed_in
    _published(admin, "debt")
    # 1123... answer (the fake plays a number by its first four digits): each client is reached at the first ring.
    held = _campaign(admin, "debt", ["11230001", "11230002"], name="held")
    other = _campaign(admin, "debt", ["11230003", "11230004"], name="other")
    paused = admin.post(f"/api/callbacks/campaigns/{held}/pause")
    assert paused.status_code == 200, paused.text
    assert (paused.json()["paused"], paused.json()["paused_by"]) == (True, ADMIN)

    clock = FixedClock(datetime.now(UTC) + timedelta(seconds=1))  # the lists' first calls are due "now"
    store = DatabaseJobStore(database)
    scenario_runs(fake, store, clock)
    node_a = make_dialer(store, ami, clock, node_id="node-a")
    node_b = make_dialer(DatabaseJobStore(database), ami, clock, node_id="node-b")
    # Four free lines each: the other campaign's two clients ring, the held one's are left in the database.
    assert len(await node_a.run_once()) == 2
    assert await node_b.run_once() == []  # another node's next claim sees the pause too: it is in the database
    await settle(node_a)
    assert sorted(_rung(fake)) == ["11230003", "11230004"]
    assert _jobs(admin, other) == {"11230003": ("done", 1), "11230004": ("done", 1)}
    assert _jobs(admin, held) == {"11230001": ("pending", 0), "11230002": ("pending", 0)}
    shown = admin.get(f"/api/callbacks/campaigns/{held}").json()
    assert (shown["paused"], shown["statuses"], shown["dialled"], shown["awaiting_retry"]) == (
        True,
        {"pending": 2},
        0,
        0,
    )
    clock.advance(600)
    assert await node_a.run_once() == [] and await node_b.run_once() == []  # still held, however long

    resumed = admin.post(f"/api/callbacks/campaigns/{held}/resume")
    assert resumed.status_code == 200, resumed.text
    assert (resumed.json()["paused"], resumed.json()["paused_at"], resumed.json()["paused_by"]) == (False, None, None)
    assert len(await node_b.run_once()) == 2  # due during the pause: at once, in the list's order
    await settle(node_b)
    assert _rung(fake)[2:] == ["11230001", "11230002"]
    assert _jobs(admin, held) == {"11230001": ("done", 1), "11230002": ("done", 1)}
    assert _audit(admin, held) == [("resume_campaign", ADMIN), ("pause_campaign", ADMIN), ("call_list", ADMIN)]


async def test_a_paused_campaigns_clients_whose_window_ends_meanwhile_expire_as_they_would(
    signed_in: Client, database: Database, fake: FakeAmi, ami: AmiClient
) -> None:
    admin = signed_in
    _published(admin, "debt")
    until = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    held = _campaign(admin, "debt", ["11230001", "11230002"], until=until)
    assert admin.post(f"/api/callbacks/campaigns/{held}/pause").status_code == 200
    clock = FixedClock(datetime.now(UTC) + timedelta(hours=2))  # the campaign's last moment passed while held
    dialer = make_dialer(DatabaseJobStore(database), ami, clock)
    assert await dialer.run_once() == []
    assert fake.actions("Originate") == []
    assert _jobs(admin, held) == {"11230001": ("expired", 0), "11230002": ("expired", 0)}
    shown = admin.get(f"/api/callbacks/campaigns/{held}").json()
    assert (shown["paused"], shown["statuses"], shown["awaiting_retry"]) == (True, {"expired": 2}, 0)


# -- the API: one shared server per backend (tests/api/conftest.py) ----------------------------------------------


def test_a_pause_and_a_resume_are_idempotent_and_audited_once_each(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("pause")
    _published(admin, name)
    campaign = _campaign(admin, name, ["600000101", "600000102"])
    first = admin.post(f"/api/callbacks/campaigns/{campaign}/pause").json()
    again = admin.post(f"/api/callbacks/campaigns/{campaign}/pause").json()
    assert first["paused"] and again["paused"]
    assert (again["paused_at"], again["paused_by"]) == (first["paused_at"], ADMIN)  # the first pause's, kept
    listed = admin.get("/api/callbacks/campaigns", params={"scenario": name}).json()
    assert [(c["campaign_id"], c["paused"], c["paused_by"]) for c in listed] == [(campaign, True, ADMIN)]
    assert admin.post(f"/api/callbacks/campaigns/{campaign}/resume").json()["paused"] is False
    assert admin.post(f"/api/callbacks/campaigns/{campaign}/resume").json()["paused"] is False
    assert _audit(admin, campaign) == [("resume_campaign", ADMIN), ("pause_campaign", ADMIN), ("call_list", ADMIN)]


def test_publishers_pause_and_resume_as_they_stop_and_others_only_see_it(
    admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    name = slug("pause-roles")
    _published(admin, name)
    campaign = _campaign(admin, name, ["600000111"])
    editor, publisher, viewer = user_factory("editor"), user_factory("publisher"), user_factory("viewer")
    for action in ("pause", "resume"):
        refused = editor.post(f"/api/callbacks/campaigns/{campaign}/{action}")
        assert (refused.status_code, refused.json()["type"]) == (403, "https://ivrgraph.dev/problems/forbidden")
    assert publisher.post(f"/api/callbacks/campaigns/{campaign}/pause").status_code == 200
    seen = viewer.get(f"/api/callbacks/campaigns/{campaign}").json()
    assert (seen["paused"], seen["paused_by"]) == (True, publisher.username)
    assert viewer.post(f"/api/callbacks/campaigns/{campaign}/resume").status_code == 403
    assert publisher.post(f"/api/callbacks/campaigns/{campaign}/resume").status_code == 200
    assert _audit(admin, campaign) == [
        ("resume_campaign", publisher.username), ("pause_campaign", publisher.username), ("call_list", ADMIN)
    ]  # fmt: skip
    for action in ("pause", "resume"):
        assert admin.post(f"/api/callbacks/campaigns/no-such-campaign/{action}").status_code == 404


def test_a_stop_ends_a_pause_and_a_stopped_campaign_is_neither_paused_nor_resumed(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("pause-stop")
    _published(admin, name)
    campaign = _campaign(admin, name, ["600000121", "600000122"])
    assert admin.post(f"/api/callbacks/campaigns/{campaign}/pause").status_code == 200
    stopped = admin.post(f"/api/callbacks/campaigns/{campaign}/cancel").json()
    assert (stopped["statuses"], stopped["paused"], stopped["paused_at"]) == ({"cancelled": 2}, False, None)
    for action in ("pause", "resume"):
        refused = admin.post(f"/api/callbacks/campaigns/{campaign}/{action}")
        assert refused.status_code == 409, refused.text
        (problem,) = refused.json()["problems"]
        assert (problem["code"], problem["params"]) == ("campaign_stopped", {"campaign_id": campaign, "action": action})
    assert [action for action, _ in _audit(admin, campaign)] == ["cancel", "pause_campaign", "call_list"]


def test_the_clients_waiting_for_a_retry_are_told_from_those_over(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """A campaign read "Called 3 of 3 (100%)" while one waited for a retry: a supervisor took it for over.
    `awaiting_retry` counts those rung who wait, apart from the clients over (`statuses`); `dialled` stays."""
    name = slug("finished")
    _published(admin, name)
    campaign = _campaign(admin, name, ["600000131", "600000132", "600000133"])
    ids = {job["number"]: job["id"] for job in admin.get("/api/callbacks", params={"campaign": campaign}).json()}
    database = Database(server.database_url)
    try:  # as the dialer records them (the server is shared: no dialer runs here)
        with database.session() as session:
            now = datetime.now(UTC)
            callbacks.record_attempt(session, job_id=ids["600000131"], outcome="answered", at=now)
            callbacks.record_attempt(session, job_id=ids["600000132"], outcome="busy", at=now)
            callbacks.record_attempt(session, job_id=ids["600000133"], outcome="failed", at=now, final=True)
    finally:
        database.dispose()
    shown = admin.get(f"/api/callbacks/campaigns/{campaign}").json()
    assert (shown["dialled"], shown["awaiting_retry"]) == (3, 1)
    assert shown["statuses"] == {"done": 1, "pending": 1, "failed": 1}
    (listed,) = admin.get("/api/callbacks/campaigns", params={"scenario": name}).json()
    assert (listed["dialled"], listed["awaiting_retry"]) == (3, None)
