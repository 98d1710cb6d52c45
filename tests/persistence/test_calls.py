from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from persistence import calls, db
from persistence.calls import CallFilter, CallRecordIn, CallRecordWriter
from persistence.db import Database, make_engine
from persistence.errors import NotFound, Refused

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _trace(*, answered: bool = True, events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"answered": answered, "steps": [{"node": "start", "type": "start", "events": events or []}]}


def _record(n: int, **overrides: Any) -> CallRecordIn:
    values: dict[str, Any] = {
        "call_id": f"call-{n:04d}",
        "scenario": "sales" if n % 2 else "support",
        "started_at": T0 + timedelta(minutes=n),
        "ended_at": T0 + timedelta(minutes=n, seconds=30),
        "answered_at": T0 + timedelta(minutes=n),
        "outcome": "hung_up",
        "caller_id": f"+3460000{n % 3}",
        "trace": _trace(),
    }
    values.update(overrides)
    return CallRecordIn(**values)


@pytest.mark.parametrize(
    ("outcome", "answered", "events", "status"),
    [
        ("hung_up", True, [], "answered"),
        ("ended", False, [], "missed"),
        ("caller_hangup", True, [], "abandoned_in_menu"),
        ("transferred", True, [], "transferred"),
        ("failed", True, [], "failed"),
        ("step_limit", True, [], "failed"),
        ("hung_up", True, [{"kind": "callback_scheduled", "job_id": "j1"}], "callback_scheduled"),
        # The FastAGI server's own outcomes (review of 2026-12-05: the first two were registered as answered
        # once the fallback's ANSWER ran, hidden from status=failed).
        ("unknown_scenario", True, [], "failed"),
        ("unknown_scenario", False, [], "failed"),
        ("protocol_error", True, [], "failed"),
        ("protocol_error", False, [], "failed"),
        ("refused_overload", False, [], "missed"),  # turned away at the node's cap: a caller nobody served
        ("refused_stopping", False, [], "missed"),  # turned away by a node told to stop
    ],
)
def test_status_is_derived_when_written(
    outcome: str, answered: bool, events: list[dict[str, Any]], status: str
) -> None:
    assert calls.derive_status(outcome=outcome, answered=answered, trace=_trace(events=events)) == status


def _transfer_trace(*, connected: bool, then: str | None = None) -> dict[str, Any]:
    """A call that reached a Transfer block: the trace it leaves (blocks/builtin/transfer.py notes a transfer that
    returned; one the caller's hangup cut short takes the `hangup` exit with no note), then maybe a further step."""
    transfer: dict[str, Any] = {"node": "sales", "type": "transfer", "exit": "hangup", "events": []}
    if connected:
        transfer["exit"] = "answered"
        transfer["events"] = [{"kind": "transfer", "target": "queue:sales", "outcome": "answered", "talk_seconds": 0}]
    steps = [{"node": "start", "type": "start", "exit": "next", "events": [{"kind": "answered"}]}, transfer]
    if then is not None:
        steps.append({"node": "survey", "type": then, "exit": "hangup", "events": []})
    return {"answered": True, "steps": steps}


@pytest.mark.parametrize(
    ("hangup_during", "trace", "status"),
    [
        # Dial's DIALSTATUS=CANCEL or a queue ABANDON: the caller gave up waiting for an operator.
        ("transfer", _transfer_trace(connected=False), "abandoned_waiting"),
        # They talked to the operator, then hung up (agi_server.channel marks that `transfer` too), and the flow's
        # `answered` exit led to a block that found them gone: a call the operator took, as when it ends there.
        ("transfer", _transfer_trace(connected=True, then="say_phrase"), "transferred"),
        ("transfer", _transfer_trace(connected=True, then="transfer"), "transferred"),
        # Left in the menu: during a prompt or a key entry, or a record that does not say (written before 0009).
        ("play", _transfer_trace(connected=True, then="say_phrase"), "abandoned_in_menu"),
        ("read_digits", _trace(), "abandoned_in_menu"),
        (None, _transfer_trace(connected=False), "abandoned_in_menu"),
    ],
)
def test_a_caller_who_left_while_a_transfer_rang_or_queued_abandoned_waiting(
    hangup_during: str | None, trace: dict[str, Any], status: str
) -> None:
    """Call-centre reports count "abandoned in the IVR menu" and "abandoned waiting for an operator" apart."""
    derived = calls.derive_status(outcome="caller_hangup", answered=True, trace=trace, hangup_during=hangup_during)
    assert derived == status


@pytest.mark.parametrize(
    ("outcome", "answered", "events", "status"),
    [
        ("caller_hangup", False, [], "missed"),  # never answered: dialled straight away, nobody picked up
        ("caller_hangup", True, [{"kind": "callback_scheduled", "job_id": "j1"}], "callback_scheduled"),
        ("transferred", True, [], "transferred"),
        ("failed", True, [], "failed"),
    ],
)
def test_a_hangup_during_a_transfer_keeps_the_statuses_that_come_first(
    outcome: str, answered: bool, events: list[dict[str, Any]], status: str
) -> None:
    trace = _trace(answered=answered, events=events)
    assert calls.derive_status(outcome=outcome, answered=answered, trace=trace, hangup_during="transfer") == status


def test_the_register_files_and_finds_a_caller_who_abandoned_waiting(database: Database) -> None:
    waited = _record(1, outcome="caller_hangup", hangup_during="transfer", trace=_transfer_trace(connected=False))
    talked = _record(
        2, outcome="caller_hangup", hangup_during="transfer", trace=_transfer_trace(connected=True, then="say_phrase")
    )
    in_menu = _record(3, outcome="caller_hangup", hangup_during="read_digits")
    CallRecordWriter(database).write_batch([waited, talked, in_menu])
    with database.session() as session:
        statuses = {row.id: row.status for row in calls.list_calls(session, filters=CallFilter())[0]}
        found = calls.list_calls(session, filters=CallFilter(status="abandoned_waiting"))[0]
    assert statuses == {"call-0001": "abandoned_waiting", "call-0002": "transferred", "call-0003": "abandoned_in_menu"}
    assert [row.id for row in found] == ["call-0001"]
    assert "abandoned_waiting" in calls.STATUSES


def test_batches_are_written_once_and_listed_newest_first_by_keyset(database: Database) -> None:
    writer = CallRecordWriter(database)
    assert writer.write_batch([_record(n) for n in range(25)]) == 25
    writer.write_batch([_record(3)])  # a retried batch: the call is not doubled
    pages: list[list[str]] = []
    cursor = None
    with database.session() as session:
        while True:
            rows, cursor = calls.list_calls(session, filters=CallFilter(), limit=10, after=cursor)
            pages.append([row.id for row in rows])
            if cursor is None:
                break
    assert [len(page) for page in pages] == [10, 10, 5]
    assert pages[0][0] == "call-0024" and pages[-1][-1] == "call-0000"


def test_filters_combine(database: Database) -> None:
    CallRecordWriter(database).write_batch([_record(n) for n in range(30)])
    window = CallFilter(scenario="sales", since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=20))
    with database.session() as session:
        rows, _ = calls.list_calls(session, filters=window, limit=100)
        assert [r.id for r in rows] == [f"call-{n:04d}" for n in (19, 17, 15, 13, 11)]
        rows, _ = calls.list_calls(session, filters=CallFilter(caller="+34600001", status="answered"), limit=100)
        assert {r.caller_id for r in rows} == {"+34600001"} and len(rows) == 10


def test_a_caller_is_found_however_the_number_is_typed(database: Database) -> None:
    """A CRM or a supervisor types the number as they see it: with spaces, or with 00 where the trunk wrote +."""
    writer = CallRecordWriter(database)
    writer.write_batch([_record(1, caller_id="+34600111229"), _record(2, caller_id="0034600111228"), _record(3)])
    with database.session() as session:
        for typed, found in [
            ("+34600111229", "call-0001"),
            ("0034600111229", "call-0001"),
            ("+34 600 111 229", "call-0001"),
            ("+34600111228", "call-0002"),
            ("0034-600-111-228", "call-0002"),
        ]:
            rows, _ = calls.list_calls(session, filters=CallFilter(caller=typed), limit=100)
            assert [r.id for r in rows] == [found], typed
        rows, _ = calls.list_calls(session, filters=CallFilter(caller="anonymous"), limit=100)
        assert rows == []


def test_the_fastagi_record_object_is_accepted_as_it_is(database: Database) -> None:
    @dataclass
    class RuntimeRecord:  # the shape of agi_server.records.CallRecord
        call_id: str
        scenario: str
        version: int | None
        started_at: datetime
        ended_at: datetime
        outcome: str
        answered_at: datetime | None = None
        hangup_point: str | None = None
        facts: dict[str, str] = field(default_factory=dict)
        inputs: dict[str, str] = field(default_factory=dict)
        peer: str = ""
        error: str | None = None
        job_id: str | None = None
        origin_call_id: str | None = None
        trace: dict[str, Any] = field(default_factory=dict)

    record = RuntimeRecord(
        "c1", "sales", 4, T0, T0 + timedelta(seconds=5), "caller_hangup", T0, "menu",
        facts={"caller_id": "+34911", "channel": "PJSIP/1"}, inputs={"campaign": "x"},
        trace={"answered": True, "steps": [], "variables": {"debt": 5}}, job_id="job-1", origin_call_id="c0",
    )  # fmt: skip
    CallRecordWriter(database).write_batch([record])
    with database.session() as session:
        stored = calls.get_call(session, call_id="c1")
    assert (stored.caller_id, stored.channel, stored.last_node, stored.version) == ("+34911", "PJSIP/1", "menu", 4)
    assert (stored.status, stored.duration_ms) == ("abandoned_in_menu", 5000)
    assert stored.variables == {"debt": 5, "campaign": "x"}
    assert (stored.callback_job_id, stored.origin_call_id) == ("job-1", "c0")


def test_stored_variables_are_the_ones_the_call_ended_with(database: Database) -> None:
    """Review of 2026-12-05: the AGI inputs were put back over the trace's variables, so a query parameter the
    flow changed (a Set Variable of `lang`, the Hang Up block's `result`) was registered as the dialplan passed it.
    An input the flow never touched is still kept."""
    record = SimpleNamespace(
        call_id="c1", scenario="lang", version=1, started_at=T0, ended_at=T0 + timedelta(seconds=5),
        outcome="hung_up", answered_at=T0, inputs={"lang": "es", "result": "from-dialplan", "campaign": "x"},
        trace={"answered": True, "steps": [], "variables": {"lang": "en", "result": "done"}},
    )  # fmt: skip
    CallRecordWriter(database).write_batch([record])
    with database.session() as session:
        stored = calls.get_call(session, call_id="c1")
    assert stored.variables == {"lang": "en", "result": "done", "campaign": "x"}
    assert stored.result == "done"
    with database.session() as session:  # the register's filter finds the flow's result, not the dialplan's
        assert [row.id for row in calls.list_calls(session, filters=CallFilter(result="done"))[0]] == ["c1"]


def test_values_that_are_not_json_are_stored_as_text(database: Database) -> None:
    CallRecordWriter(database).write_batch([_record(1, variables={"when": T0})])
    with database.session() as session:
        assert calls.get_call(session, call_id="call-0001").variables == {"when": str(T0)}


def test_a_record_with_values_its_columns_cannot_take_is_still_written(database: Database) -> None:
    """A 70-character AGI path and a query argument holding %00: PostgreSQL refused the whole batch (varchar(64),
    and JSONB takes no \\u0000), and every call of that batch lost its record (review of 2026-12-05)."""
    long_path = "x" * 70
    odd = _record(1, scenario=long_path, caller_name="A\x00B", variables={"ref": "a\x00b", "k\x00": "\\u0000"})
    CallRecordWriter(database).write_batch([odd, _record(2)])
    with database.session() as session:
        stored = calls.get_call(session, call_id="call-0001")
        assert calls.get_call(session, call_id="call-0002").scenario == "support"
    assert stored.scenario == long_path[:64]
    assert stored.caller_name == "A\ufffdB"
    assert stored.variables == {"ref": "a\ufffdb", "k\ufffd": "\\u0000"}  # the text "\u0000" stays as it was


def test_nan_and_infinity_are_stored_as_text(database: Database) -> None:
    """A data source's NaN in a variable: Python wrote a bare NaN, PostgreSQL's JSONB refused it, and the call's
    record was set aside (review of 2026-12-05). JSON has no such numbers: they are stored as their names."""
    odd = _record(1, variables={"score": float("nan"), "limits": [float("inf"), -float("inf")], "ok": 1.5})
    CallRecordWriter(database).write_batch([odd, _record(2)])
    with database.session() as session:
        stored = calls.get_call(session, call_id="call-0001")
        assert calls.get_call(session, call_id="call-0002").scenario == "support"
    assert stored.variables == {"score": "NaN", "limits": ["Infinity", "-Infinity"], "ok": 1.5}


def test_unknown_call_and_forged_cursor(database: Database) -> None:
    with database.session() as session:
        with pytest.raises(NotFound):
            calls.get_call(session, call_id="nope")
        with pytest.raises(Refused):
            calls.list_calls(session, filters=CallFilter(), after="not-a-cursor!")


def test_iter_calls_walks_everything(database: Database) -> None:
    CallRecordWriter(database).write_batch([_record(n) for n in range(23)])
    with database.session() as session:
        assert len(list(calls.iter_calls(session, filters=CallFilter(), chunk=5))) == 23


async def test_a_write_held_up_on_postgresql_gives_up_and_holds_no_shared_thread(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review of 2026-12-05: with call_records locked, each batch insert blocked its thread indefinitely (the
    writer only stopped waiting), and a few of them filled the loop's default executor that the dialer and the
    version poller share. Now the insert gives up at its lock/statement timeout, in a thread of its own."""
    if not database.is_postgres:
        pytest.skip("statement and lock timeouts are PostgreSQL's")
    monkeypatch.setattr(calls, "WRITE_STATEMENT_TIMEOUT_MS", 600)
    writer = CallRecordWriter(database)
    with database.engine.connect() as holder:
        holder.execute(text("LOCK TABLE call_records IN ACCESS EXCLUSIVE MODE"))
        started = time.monotonic()
        write = asyncio.create_task(writer([_record(1)]))
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "free"), 2.0) == "free"
        with pytest.raises(OperationalError):
            await asyncio.wait_for(write, 5.0)
        assert time.monotonic() - started < 3.0
        holder.rollback()


class FreezableProxy:
    """A TCP relay to PostgreSQL that can freeze as a stopped server (SIGSTOP) does: every connection stays open
    and the kernel still acknowledges what is sent, so no TCP timeout or keepalive notices, but nothing answers."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self) -> None:
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    def close(self) -> None:
        self._flowing.set()
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
                server = socket.create_connection(self._target)
            except OSError:
                return
            self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._relay, args=(source, sink), daemon=True).start()

    def _relay(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                self._flowing.wait()  # frozen: what was sent is taken and held, and nothing is passed on
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)


@pytest.fixture
def frozen_postgres(database: Database) -> Iterator[tuple[FreezableProxy, str]]:
    """A proxy in front of the test database and the database's URL through it (PostgreSQL only)."""
    if not database.is_postgres:
        pytest.skip("a server that stops answering on an open connection: PostgreSQL's")
    url = database.engine.url
    proxy = FreezableProxy((url.host or "127.0.0.1", url.port or 5432))
    try:
        yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.close()


async def test_a_write_given_up_on_a_frozen_database_makes_the_next_fail_at_once(
    database: Database, frozen_postgres: tuple[FreezableProxy, str]
) -> None:
    """Review of 2026-12-05: a frozen PostgreSQL held the writer's one thread in its connection check, and each
    retry of the batch queued behind it and waited out a timeout of its own (a batch reached the spool after
    four of them). Now a write that finds the one given up on still waiting fails at once; once the database
    answers again the writes go through, and a batch written again (the spool's replay) is not written twice."""
    proxy, url = frozen_postgres
    proxied = Database(url)
    writer = CallRecordWriter(proxied)
    try:
        await writer([_record(1)])  # a pooled connection, as on a running node
        proxy.freeze()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(writer([_record(2)]), 0.5)  # the FastAGI writer gives up, and spools it
        started = time.monotonic()
        with pytest.raises(Exception) as refused:  # which one: below, once the wait is timed
            await asyncio.wait_for(writer([_record(3)]), 5.0)
        assert time.monotonic() - started < 0.5, f"the next write waited behind the stuck one ({refused.value!r})"
        assert isinstance(refused.value, calls.DatabaseSilent)
        proxy.thaw()  # the write given up on ends (and commits call-0002 after all)
        deadline = time.monotonic() + 10
        while True:
            try:
                await writer([_record(2), _record(3)])  # the spool's replay
                break
            except Exception:  # the write given up on has not ended yet
                assert time.monotonic() < deadline, "the abandoned write never ended"
                await asyncio.sleep(0.05)
    finally:
        proxy.thaw()
        proxied.dispose()
    with database.session() as session:
        ids = [row.id for row in calls.iter_calls(session, filters=CallFilter())]
    assert sorted(ids) == ["call-0001", "call-0002", "call-0003"]


def test_the_check_of_a_pooled_connection_gives_up_on_a_frozen_database(
    frozen_postgres: tuple[FreezableProxy, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review of 2026-12-05: the pool's check of an idle connection (SQLAlchemy's pre-ping) waited forever on a
    frozen server, in every thread that asked for a connection (the version poller's held the node at exit).
    Now the connection is dropped when the check goes unanswered, and a new one fails within connect_timeout."""
    proxy, url = frozen_postgres
    monkeypatch.setattr(db, "PING_TIMEOUT_S", 0.3)
    proxied = Database(url, engine=make_engine(url, connect_args={"connect_timeout": 2}))
    outcome: list[BaseException | None] = []

    def connect() -> None:
        try:
            with proxied.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            outcome.append(None)
        except Exception as error:
            outcome.append(error)

    try:
        connect()  # a pooled connection, idle since
        proxy.freeze()
        started = time.monotonic()
        frozen = threading.Thread(target=connect, daemon=True)
        frozen.start()
        frozen.join(8)
        assert not frozen.is_alive(), "the connection check still waits for the frozen database"
        assert time.monotonic() - started < 4  # the check (0.3 s), then a new connection's 2 s
        assert outcome[0] is None and isinstance(outcome[1], OperationalError)
        proxy.thaw()
        connect()  # the database answers again: so does a new connection
        assert outcome[2] is None
    finally:
        proxy.thaw()
        proxied.dispose()


_WRITE_THEN_FREEZE = """
import asyncio, sys
from datetime import UTC, datetime
from persistence.calls import CallRecordWriter
from persistence.db import Database

async def main() -> None:
    writer = CallRecordWriter(Database(sys.argv[1]))
    record = {"call_id": "exit-1", "scenario": "s", "started_at": datetime.now(UTC), "outcome": "hung_up", "trace": {}}
    await writer([record])
    print("written", flush=True)
    sys.stdin.readline()  # the database freezes meanwhile
    try:
        await asyncio.wait_for(writer([{**record, "call_id": "exit-2"}]), 0.5)
    except TimeoutError:
        print("given up", flush=True)

asyncio.run(main())
"""


def test_a_write_stuck_on_a_frozen_database_does_not_keep_the_process_alive(
    frozen_postgres: tuple[FreezableProxy, str],
) -> None:
    """Review of 2026-12-05: after SIGTERM a node whose database froze spooled its records but never exited: the
    interpreter waited at exit for the writer's thread, stuck in the connection check. The records are the
    FastAGI writer's to keep (it spools what a write it gave up on held), so the thread holds nothing up."""
    proxy, url = frozen_postgres
    with subprocess.Popen(
        [sys.executable, "-c", _WRITE_THEN_FREEZE, url],
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdin is not None and process.stdout is not None
        try:
            assert process.stdout.readline().strip() == "written"
            proxy.freeze()
            process.stdin.write("\n")
            process.stdin.flush()
            assert process.stdout.readline().strip() == "given up"
            assert process.wait(timeout=10) == 0
        finally:
            process.kill()
