"""`GET /api/scenarios/{slug}/stats`, the canvas's flow statistics, over real HTTP on both databases: calls taken by
a FastAGI node over the fake Asterisk, and calls written as such a node writes them, counted by the UTC hour they
started; the range widened to whole hours, a version, a clock, and the refusals."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from persistence import scenarios
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from tests.agi_server.conftest import EXAMPLES, call
from tests.api.agi_node import serving_node
from tests.api.conftest import Client, Server
from tests.fakes.asterisk import CallerScript, default_env
from tests.persistence import documents

_channels = itertools.count(1)
NINE = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday; 10:00 in Madrid


def _create_and_publish(admin: Client, slug: str, document: dict[str, Any]) -> None:
    created = admin.post("/api/scenarios", json={"slug": slug, "name": document["name"], "document": document})
    assert created.status_code == 201, created.text
    published = admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"})
    assert published.status_code == 200, published.text


async def _take_calls(server: Server, slug: str, callers: list[CallerScript]) -> list[str]:
    """Calls to `slug` through a FastAGI node reading the published versions from the API's database and writing
    its records there, as `ivrgraph serve` does; their Asterisk UNIQUEIDs."""
    uniqueids = [f"pbx1-1795295104.stats{server.backend}{next(_channels)}" for _ in callers]
    async with serving_node(server) as agi:  # every record written when it stops
        for caller, uniqueid in zip(callers, uniqueids, strict=True):
            await call(agi, slug, caller, env={**default_env(slug), "agi_uniqueid": uniqueid}, time_scale=0.01)
    return uniqueids


def _stats(client: Client, slug: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/scenarios/{slug}/stats", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_calls_a_fastagi_node_took_are_counted_as_their_traces_went(
    server: Server, admin: Client, slug: Callable[[str], str], user_factory: Callable[[str], Client]
) -> None:
    """The example hotline, called twice: a caller who asks for support, one who hangs up at the third command.
    The counts are those of the two recorded traces (which path each took depends on the hour the test runs)."""
    name = slug("hotline")
    hotline = json.loads((EXAMPLES / "inbound-hotline.json").read_text(encoding="utf-8"))
    # Its callbacks ring a scenario of this test's own (the examples' callback-connect is another test's).
    _create_and_publish(admin, f"{name}-back", documents.greeting("Le llamamos"))
    next(node for node in hotline["nodes"] if node["type"] == "callback")["config"]["scenario"] = f"{name}-back"
    _create_and_publish(admin, name, hotline)
    uniqueids = await _take_calls(server, name, [CallerScript(keys=["2"], far_end=["answered"]),
                                                 CallerScript(hangup_at_command=3)])  # fmt: skip
    records = []
    for uniqueid in uniqueids:
        (listed,) = admin.get("/api/calls", params={"uniqueid": uniqueid}).json()["items"]
        records.append(admin.get(f"/api/calls/{listed['id']}").json())
    assert records[1]["outcome"] == "caller_hangup"

    stats = _stats(user_factory("viewer"), name)  # the Viewer role is enough

    paths = [[step["node"] for step in record["trace"]["steps"]] for record in records]
    left = [[(step["node"], step["exit"]) for step in record["trace"]["steps"]] for record in records]
    visits = Counter(node for path in paths for node in path)
    expected_nodes = [
        {"node": node, "visits": visits[node], "calls": sum(node in path for path in paths),
         "hangups": int(node == records[1]["last_node"]), "ended": sum(path[-1] == node for path in paths)}
        for node in sorted(visits)
    ]  # fmt: skip
    took = Counter(pair for pairs in left for pair in pairs if pair[1])
    expected_exits = [{"node": node, "exit": exit_name, "visits": took[node, exit_name],
                       "calls": sum((node, exit_name) in pairs for pairs in left)}
                      for node, exit_name in sorted(took)]  # fmt: skip
    assert stats == {"scenario": name, "version": None, "since": None, "until": None, "calls": 2,
                     "nodes": expected_nodes, "exits": expected_exits}  # fmt: skip
    assert {"start", "hours"} <= set(visits) and sum(node["hangups"] for node in stats["nodes"]) == 1


@pytest.fixture
def two_versions(server: Server, admin: Client, slug: Callable[[str], str]) -> Iterator[str]:
    """A scenario published twice, with calls written as a FastAGI node writes them: version 1 at 09:10 and 09:50
    UTC, version 2 at 10:20 UTC; one a caller hung up at the greeting."""
    name = slug("stats")
    _create_and_publish(admin, name, documents.greeting("Hello"))
    draft = admin.get(f"/api/scenarios/{name}").json()["draft"]
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"document": documents.greeting("Hi"),
                                                           "revision": draft["revision"]})  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v2"}).status_code == 200
    database = Database(server.database_url)
    with database.session() as session:
        v1, v2 = (scenarios.get_version(session, slug=name, number=n).id for n in (1, 2))
    greeted = [("start", "next"), ("hello", "next"), ("bye", "hangup")]
    CallRecordWriter(database).write_batch([
        _record(f"{name}-a", name, 1, v1, NINE + timedelta(minutes=10), greeted),
        _record(f"{name}-b", name, 1, v1, NINE + timedelta(minutes=50), [("start", "next"), ("hello", "hangup")],
                outcome="caller_hangup"),
        _record(f"{name}-c", name, 2, v2, NINE + timedelta(minutes=80), greeted),
    ])  # fmt: skip
    database.dispose()
    yield name


def _record(
    call_id: str,
    slug: str,
    number: int,
    version_id: int,
    started: datetime,
    steps: list[tuple[str, str]],
    outcome: str = "hung_up",
) -> CallRecordIn:
    trace = {"steps": [{"node": node, "type": "x", "exit": exit_name} for node, exit_name in steps]}
    return CallRecordIn(call_id=call_id, scenario=slug, version=number, version_id=version_id, started_at=started,
                        ended_at=started + timedelta(seconds=30), outcome=outcome, trace=trace,
                        last_node=steps[-1][0])  # fmt: skip


def test_every_version_or_one_and_the_range_in_whole_utc_hours(admin: Client, two_versions: str) -> None:
    every = _stats(admin, two_versions)
    assert (every["version"], every["since"], every["until"], every["calls"]) == (None, None, None, 3)
    assert every["nodes"] == [
        {"node": "bye", "visits": 2, "calls": 2, "hangups": 0, "ended": 2},
        {"node": "hello", "visits": 3, "calls": 3, "hangups": 1, "ended": 1},
        {"node": "start", "visits": 3, "calls": 3, "hangups": 0, "ended": 0},
    ]
    assert every["exits"] == [
        {"node": "bye", "exit": "hangup", "visits": 2, "calls": 2},
        {"node": "hello", "exit": "hangup", "visits": 1, "calls": 1},
        {"node": "hello", "exit": "next", "visits": 2, "calls": 2},
        {"node": "start", "exit": "next", "visits": 3, "calls": 3},
    ]
    first = _stats(admin, two_versions, version=1)
    assert (first["version"], first["calls"]) == (1, 2)
    assert _stats(admin, two_versions, version=2)["calls"] == 1

    # 09:15 to 09:20 is read as 09:00 to 10:00: both calls of 09:xx, and the bounds applied are said.
    inside = _stats(admin, two_versions, since="2026-12-07T09:15:00Z", until="2026-12-07T09:20:00Z")
    assert (inside["since"], inside["until"], inside["calls"]) == ("2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z", 2)
    since_ten = _stats(admin, two_versions, since="2026-12-07T10:00:00Z")
    assert (since_ten["since"], since_ten["until"], since_ten["calls"]) == ("2026-12-07T10:00:00Z", None, 1)
    # On Madrid's clock (UTC+01:00): 11:10 to 11:40 is 10:10 to 10:40 UTC, so the hour 10:00 UTC.
    madrid = _stats(admin, two_versions, since="2026-12-07T11:10:00", until="2026-12-07T11:40", tz="Europe/Madrid")
    assert (madrid["since"], madrid["until"], madrid["calls"]) == ("2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z", 1)
    day = _stats(admin, two_versions, since="2026-12-07", until="2026-12-08", tz="Asia/Kolkata")  # UTC+05:30
    assert (day["since"], day["until"], day["calls"]) == ("2026-12-06T18:00:00Z", "2026-12-07T19:00:00Z", 3)


def test_unknown_scenario_or_version_is_a_404_and_a_bad_range_or_zone_a_422(
    admin: Client, two_versions: str, slug: Callable[[str], str]
) -> None:
    for path, params in [(f"{slug('nobody')}/stats", {}), (f"{two_versions}/stats", {"version": 3})]:
        response = admin.get(f"/api/scenarios/{path}", params=params)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "https://ivrgraph.dev/problems/not-found"
    backwards = admin.get(f"/api/scenarios/{two_versions}/stats",
                          params={"since": "2026-12-07T10:00:00Z", "until": "2026-12-07T09:00:00Z"})  # fmt: skip
    assert backwards.status_code == 422
    assert backwards.json()["problems"] == [
        {"path": "$.until", "message": "must not be before `since`", "code": "value_error"}
    ]
    # The same moment on two clocks is no backwards range: 10:00 in Madrid is 09:00 UTC.
    assert _stats(admin, two_versions, since="2026-12-07T09:00:00Z", until="2026-12-07T10:00:00", tz="Europe/Madrid")
    refused: list[dict[str, Any]] = [{"tz": "Mars/Olympus_Mons"}, {"tz": "not a zone"}, {"version": 0},
                                     {"since": "yesterday"}]  # fmt: skip
    for query in refused:
        response = admin.get(f"/api/scenarios/{two_versions}/stats", params=query)
        assert response.status_code == 422, query
        assert response.json()["type"] == "https://ivrgraph.dev/problems/invalid-request"


def test_the_scenario_now_under_the_slug_is_counted_not_one_deleted_before(
    admin: Client, server: Server, two_versions: str
) -> None:
    assert admin.delete(f"/api/scenarios/{two_versions}").status_code == 204
    assert admin.get(f"/api/scenarios/{two_versions}/stats").status_code == 404
    _create_and_publish(admin, two_versions, documents.greeting("Anew"))
    again = _stats(admin, two_versions)
    assert (again["calls"], again["nodes"], again["exits"]) == (0, [], [])
