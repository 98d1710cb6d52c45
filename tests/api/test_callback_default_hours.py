"""Over real HTTP: a callback or a call list sent without `hours` is never dialled at night. It keeps the node's
default hours (IVRGRAPH_DIAL_DEFAULT_HOURS, every day 09:00-21:00 unless set), in the request's `timezone` or the
node's (IVRGRAPH_DIAL_DEFAULT_TIMEZONE), and the API answers them; every day 00:00-00:00 asks for any time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from api.settings import Settings
from persistence.dial_hours import DefaultHours
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api
from tests.persistence import documents

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYTIME = [{"days": EVERY_DAY, "from": "09:00", "to": "21:00"}]
ANY_TIME = [{"days": EVERY_DAY, "from": "00:00", "to": "00:00"}]
# 2030-06-01 is a Saturday; Madrid is UTC+2 in June.
AT_3_IN_MADRID = "2030-06-01T03:00:00+02:00"


def _published(admin: Client, name: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": name, "name": "cb", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


def _job(admin: Client, body: dict[str, Any]) -> dict[str, Any]:
    created = admin.post("/api/callbacks", json=body)
    assert created.status_code == 201, created.text
    job: dict[str, Any] = created.json()
    return job


def test_a_callback_without_hours_at_3_am_waits_for_9_in_its_zone(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("night")
    _published(admin, name)
    job = _job(admin, {"number": "+34600111222", "scenario": name, "due": AT_3_IN_MADRID, "timezone": "Europe/Madrid"})
    # 09:00-21:00 in Madrid: 07:00-19:00 UTC. Before this change: due at 03:00, no window, rung at night.
    assert (job["due"], job["window_end"]) == ("2030-06-01T07:00:00Z", "2030-06-01T19:00:00Z")
    assert (job["hours"], job["timezone"], job["holidays"]) == (DAYTIME, "Europe/Madrid", [])
    # Kept on the job, as explicit hours are: read back the same.
    read = admin.get(f"/api/callbacks/{job['id']}").json()
    assert (read["due"], read["window_end"], read["hours"], read["timezone"]) == (
        job["due"], job["window_end"], DAYTIME, "Europe/Madrid",
    )  # fmt: skip


def test_without_a_zone_the_nodes_default_zone_is_read(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("night-utc")
    _published(admin, name)
    job = _job(admin, {"number": "+34600111222", "scenario": name, "due": "2030-06-01T22:30:00Z"})
    assert (job["due"], job["window_end"]) == ("2030-06-02T09:00:00Z", "2030-06-02T21:00:00Z")
    assert (job["hours"], job["timezone"]) == (DAYTIME, "UTC")
    # Inside the hours: called when asked, its window closing with them; an earlier window_end is kept.
    day = _job(admin, {"number": "+34600111223", "scenario": name, "due": "2030-06-01T10:00:00Z",
                       "window_end": "2030-06-01T12:00:00Z"})  # fmt: skip
    assert (day["due"], day["window_end"]) == ("2030-06-01T10:00:00Z", "2030-06-01T12:00:00Z")


def test_calling_at_any_time_is_asked_for_with_hours_round_the_clock(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("any-time")
    _published(admin, name)
    body = {"number": "+34600111222", "scenario": name, "due": AT_3_IN_MADRID, "hours": ANY_TIME}
    job = _job(admin, body)
    assert job["due"] == "2030-06-01T01:00:00Z"  # 03:00 in Madrid, as asked
    assert job["hours"] == ANY_TIME
    ended = _job(admin, {**body, "number": "+34600111223", "window_end": "2030-06-01T05:00:00+02:00"})
    assert (ended["due"], ended["window_end"]) == ("2030-06-01T01:00:00Z", "2030-06-01T03:00:00Z")
    # An empty list is no such request (a client writing "no hours"): the default applies.
    empty = _job(admin, {**body, "number": "+34600111224", "hours": [], "timezone": "Europe/Madrid"})
    assert (empty["due"], empty["hours"]) == ("2030-06-01T07:00:00Z", DAYTIME)


def test_hours_that_never_open_in_the_window_or_an_unknown_zone_are_refused(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("never")
    _published(admin, name)
    body = {"number": "+34600111222", "scenario": name, "due": AT_3_IN_MADRID, "timezone": "Europe/Madrid",
            "window_end": "2030-06-01T08:00:00+02:00"}  # fmt: skip
    never = admin.post("/api/callbacks", json=body)
    assert never.status_code == 422, never.text
    assert never.json()["problems"] == [
        {"path": "$.hours", "code": "hours_never_open", "params": {"end": "window_end"},
         "message": "the hours never open between the due time and the window's end"}
    ]  # fmt: skip
    unknown = admin.post("/api/callbacks", json={**body, "window_end": None, "timezone": "Mars/Olympus"})
    assert unknown.status_code == 422, unknown.text
    assert [(p["path"], p["code"]) for p in unknown.json()["problems"]] == [("$.timezone", "unknown_timezone")]
    assert admin.get("/api/callbacks", params={"scenario": name}).json() == []


def test_a_call_list_without_hours_keeps_the_default_and_says_so(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("list-night")
    _published(admin, name)
    batch = {"scenario": name, "rows": [{"phone": "600111213"}], "due": AT_3_IN_MADRID, "timezone": "Europe/Madrid"}
    checked = admin.post("/api/callbacks/batch", json={**batch, "dry_run": True})
    assert checked.status_code == 200, checked.text
    answer = checked.json()
    assert (answer["hours"], answer["timezone"]) == (DAYTIME, "Europe/Madrid")
    (job,) = answer["preview"]
    assert (job["due"], job["window_end"]) == ("2030-06-01T07:00:00Z", "2030-06-01T19:00:00Z")
    created = admin.post("/api/callbacks/batch", json=batch).json()
    campaign = admin.get(f"/api/callbacks/campaigns/{created['campaign_id']}").json()
    assert (campaign["settings"]["hours"], campaign["settings"]["timezone"]) == (DAYTIME, "Europe/Madrid")
    (stored,) = admin.get("/api/callbacks", params={"campaign": created["campaign_id"]}).json()
    assert (stored["due"], stored["hours"], stored["timezone"]) == ("2030-06-01T07:00:00Z", DAYTIME, "Europe/Madrid")
    # Round the clock, asked for: called at 03:00.
    anytime = admin.post("/api/callbacks/batch", json={**batch, "hours": ANY_TIME, "dry_run": True}).json()
    assert (anytime["preview"][0]["due"], anytime["hours"]) == ("2030-06-01T01:00:00Z", ANY_TIME)


@pytest.fixture(scope="module")
def office_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A node whose default hours are an office's, in its zone (IVRGRAPH_DIAL_DEFAULT_HOURS, _TIMEZONE)."""
    folder: Path = tmp_path_factory.mktemp("office")
    dial_hours = DefaultHours.from_env(
        {"IVRGRAPH_DIAL_DEFAULT_HOURS": "mon-fri@10:00-18:00,sat@10:00-14:00",
         "IVRGRAPH_DIAL_DEFAULT_TIMEZONE": "Europe/Moscow"}
    )  # fmt: skip
    settings = Settings(database_url=f"sqlite:///{folder / 'office.sqlite3'}", admin_user=ADMIN,
                        admin_password=ADMIN_PASSWORD, designer_dist=None, media_root=folder,
                        dial_hours=dial_hours)  # fmt: skip
    yield from serve_api(settings, PublishHub())


def test_the_nodes_own_default_hours_and_zone(office_node: str, slug: Callable[[str], str]) -> None:
    with Client(base_url=office_node, timeout=30) as admin:
        assert admin.login(ADMIN, ADMIN_PASSWORD).status_code == 200
        name = slug("office")
        _published(admin, name)
        # Saturday 16:00 in Moscow (UTC+3): closed after 14:00, Sunday closed: Monday 10:00 Moscow, 07:00 UTC.
        job = _job(admin, {"number": "+79161234567", "scenario": name, "due": "2030-06-01T13:00:00Z"})
        assert (job["due"], job["window_end"]) == ("2030-06-03T07:00:00Z", "2030-06-03T15:00:00Z")
        assert job["timezone"] == "Europe/Moscow"
        assert job["hours"] == [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "10:00", "to": "18:00"},
            {"days": ["sat"], "from": "10:00", "to": "14:00"},
        ]
        # A request's own zone is read instead of the node's.
        madrid = _job(admin, {"number": "+79161234568", "scenario": name, "due": "2030-06-01T13:00:00Z",
                              "timezone": "Europe/Madrid"})  # fmt: skip
        assert (madrid["due"], madrid["timezone"]) == ("2030-06-03T08:00:00Z", "Europe/Madrid")
