"""A BI tool pulling the call register "since its last pull", over real HTTP on SQLite and PostgreSQL.

A supervisor's BI review: the register filtered and ordered by `started_at`, but a record is written when its
call ends (later still when it waited in a node's spool), so a pull from the newest start seen never returned an
operator call that started before the short calls of the previous pull and ended after it. `order=recorded` pages
on when each record was stored, with a cursor that neither skips nor repeats a record: whatever shares a moment
(one batch), however pages cut a batch, whatever nodes write at once or replay from their spool later.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from agi_server.records import CallRecord, RecordWriter
from agi_server.spool import RecordSpool
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from tests.api.conftest import Client, Server

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def node(server: Server) -> Iterator[CallRecordWriter]:
    """What a FastAGI node writes its records with: a batch per flush, one insert each."""
    database = Database(server.database_url)
    yield CallRecordWriter(database)
    database.dispose()


def _call(call_id: str, scenario: str, started: datetime, lasted: timedelta = timedelta(seconds=20)) -> CallRecordIn:
    return CallRecordIn(call_id=call_id, scenario=scenario, started_at=started, answered_at=started,
                        ended_at=started + lasted, outcome="hung_up", trace={"steps": []})  # fmt: skip


def _pull(client: Client, scenario: str, cursor: str, *, page_size: int = 500) -> tuple[list[dict[str, object]], str]:
    """One run of the BI tool: pages from `cursor` until one comes back short; what it got, and where the next
    run starts."""
    got: list[dict[str, object]] = []
    while True:
        params = {"scenario": scenario, "order": "recorded", "cursor": cursor, "page_size": page_size}
        response = client.get("/api/calls", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        got += page["items"]
        assert page["next_cursor"], "every page of order=recorded says where the next pull starts"
        cursor = page["next_cursor"]
        if len(page["items"]) < page_size:
            return got, cursor


def _ids(items: list[dict[str, object]]) -> list[object]:
    return [item["id"] for item in items]


def _at(item: dict[str, object], key: str) -> datetime:
    return datetime.fromisoformat(str(item[key]))


def test_a_call_in_progress_at_a_pull_comes_with_the_next_one(
    admin: Client, node: CallRecordWriter, slug: Callable[[str], str]
) -> None:
    """The review's reproduction: an operator call starts, three short calls start after it and end, a pull gets
    those, then the long call ends. Pulling from the newest start seen never returns it; the cursor does."""
    line = slug("pull")
    long_call = _call(f"{line}-long", line, T0, lasted=timedelta(minutes=12))  # talking to an operator
    for n in (1, 2, 3):  # each written as it ends, as the node's writer flushes it
        node.write_batch([_call(f"{line}-short{n}", line, T0 + timedelta(minutes=n))])

    first, cursor = _pull(admin, line, "")  # the first run starts at the beginning
    assert _ids(first) == [f"{line}-short1", f"{line}-short2", f"{line}-short3"]
    node.write_batch([long_call])  # 12 minutes in, the operator call ends

    newest_start = max(_at(item, "started_at") for item in first)
    by_start = admin.get("/api/calls", params={"scenario": line, "since": newest_start.isoformat()}).json()["items"]
    assert long_call.call_id not in _ids(by_start)  # what the BI tool did: it never sees that call
    second, cursor_after = _pull(admin, line, cursor)
    assert _ids(second) == [long_call.call_id]
    assert _at(second[0], "started_at") < _at(first[0], "started_at")
    assert _at(second[0], "recorded_at") > _at(first[-1], "recorded_at")
    third, cursor_then = _pull(admin, line, cursor_after)
    assert third == [] and cursor_then == cursor_after  # up to date: the same place to start from next time

    detail = admin.get(f"/api/calls/{long_call.call_id}").json()
    assert detail["recorded_at"] == second[0]["recorded_at"]
    recorded = _at(detail, "recorded_at")
    assert recorded.utcoffset() == timedelta(0) and recorded > datetime.now(UTC) - timedelta(minutes=1)


def test_pulls_in_small_pages_between_batches_see_every_record_once(
    admin: Client, node: CallRecordWriter, slug: Callable[[str], str]
) -> None:
    """A batch's records share their `recorded_at`; pages of 2 cut batches of 5 and 7 in the middle, and pulls
    come between batches: every record arrives exactly once, in the order stored."""
    line = slug("pages")
    written: list[str] = []
    seen: list[object] = []
    cursor = ""
    for batch, size in enumerate((5, 1, 7, 2, 3)):
        records = [_call(f"{line}-{batch}-{n}", line, T0 - timedelta(hours=batch, minutes=n)) for n in range(size)]
        node.write_batch(records)
        written += sorted(record.call_id for record in records)  # a batch in id order, ties broken by id
        got, cursor = _pull(admin, line, cursor, page_size=2)
        seen += _ids(got)
    got, cursor = _pull(admin, line, cursor, page_size=2)
    assert got == []
    assert seen == written
    everything, _ = _pull(admin, line, "", page_size=500)
    assert len({item["recorded_at"] for item in everything}) == 5  # one moment per batch, shared within it
    assert _ids(everything) == written


def test_records_from_nodes_writing_at_once_are_each_pulled_once(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """Three nodes (each its own connection pool) flush batches at the same time while the BI tool pulls."""
    line = slug("nodes")
    nodes, batches, size = 3, 12, 4
    failures: list[BaseException] = []

    def flush(index: int) -> None:
        database = Database(server.database_url)
        try:
            writer = CallRecordWriter(database)
            for batch in range(batches):
                writer.write_batch([_call(f"{line}-n{index}-b{batch}-{n}", line, T0) for n in range(size)])
        except BaseException as error:  # reported by the test below
            failures.append(error)
        finally:
            database.dispose()

    threads = [threading.Thread(target=flush, args=(index,)) for index in range(nodes)]
    for thread in threads:
        thread.start()
    seen: list[object] = []
    cursor = ""
    deadline = time.monotonic() + 60
    while any(thread.is_alive() for thread in threads) and time.monotonic() < deadline:
        got, cursor = _pull(admin, line, cursor, page_size=3)
        seen += _ids(got)
    for thread in threads:
        thread.join()
    got, _ = _pull(admin, line, cursor, page_size=3)
    seen += _ids(got)
    assert failures == []
    assert len(seen) == len(set(seen)) == nodes * batches * size


@pytest.mark.parametrize("held", ["insert", "commit"])
def test_a_batch_held_up_while_it_is_stored_is_not_skipped_by_a_pull_made_meanwhile(
    server: Server, admin: Client, node: CallRecordWriter, slug: Callable[[str], str], held: str
) -> None:
    """A node's flush is held up after its records were stamped, before its insert or before its commit (a stalled
    connection, a busy disk), while another node writes a batch and the BI tool pulls. A batch stamped first and
    committed last would come out behind the cursor that pull handed out, and be skipped for good."""
    line = slug(f"held-{held}")
    before, cursor = _pull(admin, line, "")  # the BI tool's previous run (and its sign-in's use noted: no write)
    assert before == []
    stalled, go_on = threading.Event(), threading.Event()
    slow = Database(server.database_url)  # the held-up node's own connections

    def hold() -> None:
        stalled.set()
        go_on.wait(10)

    def before_insert(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.startswith("INSERT INTO call_records"):
            hold()

    if held == "insert":
        event.listen(slow.engine, "before_cursor_execute", before_insert)
    else:
        event.listen(slow.engine, "commit", lambda _conn: hold())
    slow_thread = threading.Thread(target=CallRecordWriter(slow).write_batch, args=([_call(f"{line}-slow", line, T0)],))
    slow_thread.start()
    try:
        assert stalled.wait(10)
        fast_thread = threading.Thread(target=node.write_batch, args=([_call(f"{line}-fast", line, T0)],))
        fast_thread.start()
        time.sleep(0.5)  # the other node's flush has had time to commit, if it could
        during, cursor = _pull(admin, line, cursor)
    finally:
        go_on.set()
        slow_thread.join()
        slow.dispose()
    fast_thread.join()
    after, _ = _pull(admin, line, cursor)
    assert _ids(during) + _ids(after) == [f"{line}-slow", f"{line}-fast"]


def test_a_record_replayed_from_a_spool_after_an_outage_comes_with_the_next_pull(
    server: Server, admin: Client, node: CallRecordWriter, slug: Callable[[str], str], tmp_path: Path
) -> None:
    """A node kept a record in its spool while the database was away; meanwhile another node's records were
    written and pulled. When the node's writer starts again it replays the spool: the record is stamped then, and
    the next pull gets it, though its call ended long before what the last pull saw."""
    line = slug("spool")
    spool = RecordSpool(tmp_path / "spool")
    kept = CallRecord(call_id=f"{line}-kept", scenario=line, version=None, started_at=T0,
                      ended_at=T0 + timedelta(minutes=3), outcome="hung_up")  # fmt: skip
    spool.put([kept])  # the database was away when this call ended
    node.write_batch([_call(f"{line}-other", line, T0 + timedelta(hours=1))])
    first, cursor = _pull(admin, line, "")
    assert _ids(first) == [f"{line}-other"]

    async def start_the_node_again() -> None:
        writer = RecordWriter(node, spool=spool, flush_interval=0)
        writer.start()  # replays what a previous run left first
        async with asyncio.timeout(10):
            while spool.files():
                await asyncio.sleep(0.02)
        await writer.close()

    asyncio.run(start_the_node_again())
    second, _ = _pull(admin, line, cursor)
    assert _ids(second) == [kept.call_id]
    assert _at(second[0], "recorded_at") > _at(first[0], "recorded_at")
    assert _at(second[0], "ended_at") < _at(first[0], "started_at")


def test_a_first_pull_starts_at_recorded_since_and_cursors_are_kept_to_their_order(
    admin: Client, node: CallRecordWriter, slug: Callable[[str], str]
) -> None:
    line = slug("since")
    node.write_batch([_call(f"{line}-old", line, T0)])
    time.sleep(0.01)
    later = datetime.now(UTC)
    node.write_batch([_call(f"{line}-new", line, T0)])
    params = {"scenario": line, "order": "recorded", "recorded_since": later.isoformat()}
    page = admin.get("/api/calls", params=params).json()
    assert _ids(page["items"]) == [f"{line}-new"]
    nothing = admin.get("/api/calls", params={**params, "recorded_since": "2999-01-01T00:00:00Z"}).json()
    assert nothing["items"] == [] and nothing["next_cursor"]  # nothing stored yet: start there next time
    newest_first = admin.get("/api/calls", params={"scenario": line, "page_size": 1}).json()
    for cursor, order in ((newest_first["next_cursor"], "recorded"), (page["next_cursor"], "started")):
        refused = admin.get("/api/calls", params={"scenario": line, "order": order, "cursor": cursor})
        assert refused.status_code == 400 and "cannot page the order" in refused.text, refused.text
