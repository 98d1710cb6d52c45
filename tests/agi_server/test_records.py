"""The call-record writer: batches, back-pressure when the database falls behind, nothing lost at close or when
the database fails."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from agi_server.records import CallRecord, Halves, RecordsRejected, RecordWriter
from agi_server.spool import RecordSpool
from tests.conftest import until

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _record(n: int) -> CallRecord:
    return CallRecord(call_id=f"c{n}", scenario="s", version=1, started_at=T0, ended_at=T0, outcome="ended")


async def test_a_record_after_a_quiet_spell_goes_out_at_once_and_a_busy_spell_is_batched() -> None:
    batches: list[list[str]] = []
    written = asyncio.Event()

    async def write(batch: list[CallRecord]) -> None:
        batches.append([r.call_id for r in batch])
        written.set()

    writer = RecordWriter(write, flush_interval=0.2)
    writer.start()
    writer.offer(_record(0))
    await asyncio.wait_for(written.wait(), 0.1)  # no timer wait for the first record of a quiet spell
    assert batches == [["c0"]]
    for n in range(1, 5):  # the same interval: held until it is over, then one batch
        writer.offer(_record(n))
        await asyncio.sleep(0.01)
    assert batches == [["c0"]]
    await asyncio.sleep(0.3)
    assert batches == [["c0"], ["c1", "c2", "c3", "c4"]]
    await writer.close()
    assert writer.written == 5


async def test_a_full_queue_makes_the_call_wait_and_loses_nothing() -> None:
    release = asyncio.Event()
    written: list[str] = []

    async def slow(batch: list[CallRecord]) -> None:
        await release.wait()  # the database is behind
        written.extend(r.call_id for r in batch)

    writer = RecordWriter(slow, max_queue=2, batch_size=2, flush_interval=0)
    writer.start()
    await writer.submit(_record(0))
    await writer.submit(_record(1))
    await asyncio.sleep(0.01)  # the writer took c0 and c1 and waits on the database
    await writer.submit(_record(2))
    await writer.submit(_record(3))
    assert not writer.offer(_record(99))  # full: offer refuses rather than grow without bound
    fourth = asyncio.create_task(writer.submit(_record(4)))
    await asyncio.sleep(0.05)
    assert not fourth.done()  # the finishing call waits for room
    release.set()
    await asyncio.wait_for(fourth, 1.0)
    await writer.close()
    assert written == ["c0", "c1", "c2", "c3", "c4"]


async def test_close_writes_what_is_queued_and_what_overflowed() -> None:
    written: list[str] = []

    async def write(batch: list[CallRecord]) -> None:
        written.extend(r.call_id for r in batch)

    writer = RecordWriter(write, max_queue=2, flush_interval=10.0)  # a flush far away: close must not wait it out
    writer.start()
    writer.submit_nowait(_record(0))
    writer.submit_nowait(_record(1))
    writer.submit_nowait(_record(2))  # over the bound while shutting down: kept aside, still written
    await asyncio.wait_for(writer.close(), 1.0)
    assert sorted(written) == ["c0", "c1", "c2"]


async def test_close_without_a_writer_task_writes_directly() -> None:
    written: list[str] = []

    async def write(batch: list[CallRecord]) -> None:
        written.extend(r.call_id for r in batch)

    writer = RecordWriter(write)
    writer.submit_nowait(_record(0))
    await writer.close()
    assert written == ["c0"]


def test_halves_finds_a_failing_record_in_order_and_gives_back_what_was_not_tried() -> None:
    """The one halving rule of the writer, its spool files and replay-rejected (agi_server.records.Halves): what
    goes in of a batch goes in order, and a loop stopped at a record gets back every record after it, in order."""
    parts, tried = Halves(list(range(10))), []
    for part in parts:
        tried.append(part)
        if 3 in part and parts.split(part):
            continue
        if part == [3]:
            break
    assert tried == [list(range(10)), [0, 1, 2, 3, 4], [0, 1], [2, 3, 4], [2], [3, 4], [3]]
    assert parts.rest() == [4, 5, 6, 7, 8, 9]
    assert list(Halves([])) == []


# -- a database that fails: nothing lost (review of 2026-12-05: a 3 s outage, a frozen database, one
# record the database refused, or shutdown with the database down each lost records) ----------------------


# At most 2 s: the writer works in its own task.
_until = functools.partial(until, within=2.0)


class FlakyStore:
    """A `WriteBatch` whose database is down (ConnectionError), frozen (never answers) or up; it refuses any
    batch holding a record of scenario "poison" for what it holds, as PostgreSQL refuses a value too long."""

    def __init__(self) -> None:
        self.state = "up"
        self.rows: list[str] = []

    async def __call__(self, batch: list[CallRecord]) -> None:
        if self.state == "down":
            raise ConnectionError("connection refused")
        if self.state == "frozen":
            await asyncio.sleep(3600)
        if any(record.scenario == "poison" for record in batch):
            raise RecordsRejected("value too long for type character varying(64)")
        self.rows.extend(record.call_id for record in batch)


def _writer(store: FlakyStore, spool: RecordSpool, **overrides: Any) -> RecordWriter:
    settings: dict[str, Any] = {"flush_interval": 0, "retry_delays": (0.01,), "replay_delays": (0.05,)}
    return RecordWriter(store, spool=spool, **{**settings, **overrides})


async def test_one_refused_record_is_set_aside_and_the_rest_of_its_batch_written(tmp_path: Path) -> None:
    store, spool = FlakyStore(), RecordSpool(tmp_path)
    writer = RecordWriter(store, spool=spool, flush_interval=10.0)
    writer.start()
    records = [_record(n) for n in range(7)]
    records[3].scenario = "poison"
    for record in records:
        writer.offer(record)
    await writer.close()
    assert sorted(store.rows) == ["c0", "c1", "c2", "c4", "c5", "c6"]
    assert writer.rejected == 1
    [rejected] = tmp_path.glob("rejected-*.jsonl")
    assert [record.call_id for record in spool.load(rejected)] == ["c3"]
    assert spool.files() == []  # a refused record is never replayed


async def test_a_database_lost_while_a_refused_record_is_sought_is_waited_out_once(tmp_path: Path) -> None:
    """The database refuses a batch for one record, then goes away as the writer halves the batch to find it: the
    writer tried every half left with all its retries (a frozen database's 30 s timeout each, up to one half per
    halving: minutes with the queue filling). Now the first half it cannot take sends the whole rest to the spool."""
    tried: list[int] = []  # the size of each batch tried once the database was gone
    store = FlakyStore()

    async def refuses_then_goes(batch: list[CallRecord]) -> None:
        if store.state == "down":
            tried.append(len(batch))
        try:
            await store(batch)
        except RecordsRejected:
            store.state = "down"
            raise

    spool = RecordSpool(tmp_path)
    writer = RecordWriter(refuses_then_goes, spool=spool, batch_size=8, flush_interval=0, retry_delays=(0.01,),
                          replay_delays=(60.0,))  # fmt: skip
    records = [_record(n) for n in range(8)]
    records[7].scenario = "poison"
    for record in records:
        writer.offer(record)
    writer.start()
    await _until(lambda: writer.spooled == 8)
    await writer.close()
    assert [size for size in tried if size < 8] == [4, 4]  # the first half and its one retry; the whole file: a replay
    kept = sorted(record.call_id for path in spool.files() for record in spool.load(path))
    assert kept == [f"c{n}" for n in range(8)] and store.rows == [] and writer.lost == 0


async def test_records_of_an_outage_are_spooled_then_written_when_the_database_is_back(tmp_path: Path) -> None:
    store, spool = FlakyStore(), RecordSpool(tmp_path)
    writer = _writer(store, spool)
    writer.start()
    store.state = "down"
    for n in range(5):
        await writer.submit(_record(n))
        await asyncio.sleep(0.02)
    await _until(lambda: writer.spooled >= 5)
    assert store.rows == [] and spool.files()
    store.state = "up"
    # The next look at the spool, with no new call to wake the writer. `waiting`, not `files`: a file being replayed
    # is claimed (renamed) before its records are written, which `files` no longer lists (a flaky test under load).
    await _until(lambda: spool.waiting() == 0)
    assert sorted(store.rows) == ["c0", "c1", "c2", "c3", "c4"]
    await writer.close()


async def test_an_outage_is_logged_in_one_line_per_record(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Operations review, 2026-12-05: a driver's error went into the log with its lines of background, which a
    line-based log shipper splits into records of their own."""

    async def down(batch: list[CallRecord]) -> None:
        raise ConnectionError('connection failed: refused\n\tIs the server running on "127.0.0.1"?\n(Background)')

    writer = RecordWriter(down, spool=RecordSpool(tmp_path), flush_interval=0, retry_delays=(), replay_delays=(0.05,))
    writer.start()
    with caplog.at_level(logging.WARNING, logger="agi_server.records"):
        await writer.submit(_record(1))
        await _until(lambda: writer.spooled >= 1)
    await writer.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "agi_server.records"]
    assert lines and all("\n" not in line for line in lines), lines
    assert any("ConnectionError: connection failed: refused" in line for line in lines)


async def test_a_frozen_database_times_out_into_the_spool(tmp_path: Path) -> None:
    store, spool = FlakyStore(), RecordSpool(tmp_path)
    writer = _writer(store, spool, write_timeout=0.05)
    writer.start()
    store.state = "frozen"
    await writer.submit(_record(0))
    await _until(lambda: spool.files())
    store.state = "up"
    await _until(lambda: not spool.files())
    await writer.close()
    assert store.rows == ["c0"]


async def test_a_full_queue_spools_instead_of_holding_the_call(tmp_path: Path) -> None:
    store, spool = FlakyStore(), RecordSpool(tmp_path)
    store.state = "frozen"
    writer = _writer(store, spool, max_queue=1, batch_size=1, write_timeout=60)
    writer.start()
    await writer.submit(_record(0))
    await asyncio.sleep(0.02)  # the writer holds c0 and waits on the database
    await writer.submit(_record(1))
    await asyncio.wait_for(writer.submit(_record(2)), 0.1)  # full: kept on disk, the call does not wait
    # The queue goes to disk with it, in one file: room for the calls that end next, one fsync for all.
    [kept] = spool.files()
    assert [record.call_id for record in spool.load(kept)] == ["c1", "c2"]


async def test_shutdown_with_the_database_down_keeps_the_records_for_the_next_start(tmp_path: Path) -> None:
    store, spool = FlakyStore(), RecordSpool(tmp_path)
    store.state = "down"
    writer = _writer(store, spool, flush_interval=10.0)
    writer.start()
    for n in range(3):
        writer.offer(_record(n))
    await asyncio.wait_for(writer.close(), 2)
    assert store.rows == [] and writer.spooled == 3
    store.state = "up"
    restarted = _writer(store, RecordSpool(tmp_path))
    restarted.start()
    await _until(lambda: len(store.rows) >= 3)
    await restarted.close()
    assert sorted(store.rows) == ["c0", "c1", "c2"] and spool.files() == []


def test_a_spooled_record_reads_back_as_it_was_written(tmp_path: Path) -> None:
    spool = RecordSpool(tmp_path)
    record = _record(1)
    record.answered_at, record.facts, record.trace = T0, {"caller_id": "100"}, {"steps": [{"node": "a"}]}
    [back] = spool.load(spool.put([record]))
    assert back == record


async def test_the_database_runtime_tells_a_refusal_from_an_outage(tmp_path: Path) -> None:
    """What the writer splits and sets aside (the database refuses a record for what it holds) against what it
    spools and replays (the database is unavailable), on a real SQLite file and an unreachable PostgreSQL."""
    from agi_server.node import DatabaseRuntime
    from graph_engine.services import SilentTts
    from persistence.db import Database
    from persistence.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    upgrade(url)
    database = Database(url)
    unreachable = Database("postgresql://nobody@127.0.0.1:1/none")
    try:
        runtime = DatabaseRuntime(database, tts=SilentTts())
        broken = _record(1)
        broken.outcome = None  # type: ignore[assignment]  # the column is NOT NULL: refused for what it holds
        with pytest.raises(RecordsRejected) as refused:
            await runtime.write_batch([broken])
        assert isinstance(refused.value.__cause__, IntegrityError)  # the database's own refusal, not ours
        await runtime.write_batch([_record(2)])
        assert runtime.spool.folder == tmp_path / "calls.sqlite3-spool"
        with pytest.raises(Exception) as outage:
            await DatabaseRuntime(unreachable, tts=SilentTts()).write_batch([_record(3)])
        assert not isinstance(outage.value, RecordsRejected)
    finally:
        database.dispose()
        unreachable.dispose()


async def test_close_does_not_wait_out_a_frozen_database(tmp_path: Path) -> None:
    """Shutdown with the database frozen mid-write: close() returns within its timeout and the batch being
    written, and the queue, are on disk (the writer used to wait for every retry of a 30 s timeout)."""
    store, spool = FlakyStore(), RecordSpool(tmp_path)
    store.state = "frozen"
    writer = _writer(store, spool, close_timeout=0.2)
    writer.start()
    await writer.submit(_record(0))
    await asyncio.sleep(0.02)  # c0 is being written
    writer.offer(_record(1))
    await asyncio.wait_for(writer.close(), 1.0)
    kept = sorted(record.call_id for path in spool.files() for record in spool.load(path))
    assert kept == ["c0", "c1"]


async def test_the_spool_comes_in_as_soon_as_a_write_succeeds_again(tmp_path: Path) -> None:
    store, spool = FlakyStore(), RecordSpool(tmp_path)
    writer = _writer(store, spool, replay_delays=(60.0,))  # back-off far away: the success must not wait it out
    writer.start()
    store.state = "down"
    await writer.submit(_record(0))
    await _until(lambda: spool.files())
    await asyncio.sleep(0.05)  # the replay right after spooling failed: the next one is a minute away
    store.state = "up"
    await writer.submit(_record(1))
    await _until(lambda: not spool.files())
    await writer.close()
    assert sorted(store.rows) == ["c0", "c1"]


async def test_a_damaged_or_shared_spool_never_stops_the_writer(tmp_path: Path) -> None:
    """Review of 2026-12-05: a spool line of invalid UTF-8 or `null`, a full disk, or a second process replaying
    the same spool killed the writer task for good, and nothing more reached the database."""
    store, spool = FlakyStore(), RecordSpool(tmp_path)
    (tmp_path / "records-00000000000000000001-1-000001.jsonl").write_bytes(b"\xff\xfe not json\nnull\n")
    good = spool.put([_record(7)])
    other = RecordSpool(tmp_path)  # another process on the same spool takes this file first
    assert other.claim(good) is not None
    writer = _writer(store, spool)
    writer.start()
    await writer.submit(_record(1))
    await _until(lambda: "c1" in store.rows)
    await writer.close()
    assert store.rows == ["c1"] and spool.files() == []  # the damaged lines were logged and skipped


async def test_a_claim_left_by_a_process_that_died_goes_back_to_the_spool(tmp_path: Path) -> None:
    spool = RecordSpool(tmp_path)
    path = spool.put([_record(3)])
    path.rename(path.with_name(f"claimed-999999999-{path.name}"))  # no such process
    assert [record.call_id for file in RecordSpool(tmp_path).files() for record in spool.load(file)] == ["c3"]


@pytest.mark.parametrize("left_by", ["same-pid", "same-pid-before-tokens"])
async def test_a_claim_left_under_our_own_pid_by_a_predecessor_goes_back_to_the_spool(
    tmp_path: Path, left_by: str
) -> None:
    """A restarted container's server often has its predecessor's pid (1, or the same small number): a claim
    that process left mid-replay passed for our own and its records were never written (review of 2026-12-05,
    second day). A claim this process makes is still its own."""
    spool = RecordSpool(tmp_path)
    path = spool.put([_record(3)])
    owner = f"{os.getpid()}.0badc0de" if left_by == "same-pid" else str(os.getpid())
    path.rename(path.with_name(f"claimed-{owner}-{path.name}"))
    restarted = RecordSpool(tmp_path)
    assert [record.call_id for file in restarted.files() for record in spool.load(file)] == ["c3"]
    mine = restarted.claim(restarted.files()[0])
    assert mine is not None and RecordSpool(tmp_path).files() == []  # a live claim of ours is left alone


class _OnceUnreadableSpool(RecordSpool):
    """A spool whose first read fails as a busy disk's may (EIO, or EMFILE under load)."""

    failed = False

    def load(self, path: Path) -> list[CallRecord]:
        if not self.failed:
            self.failed = True
            raise OSError(24, "Too many open files")
        return super().load(path)


async def test_a_spool_file_that_could_not_be_read_is_tried_again(tmp_path: Path) -> None:
    """The file was claimed, the read failed, and the claim stayed: the spool no longer listed it and its records
    never reached the store (review of 2026-12-05, second day)."""
    store, spool = FlakyStore(), _OnceUnreadableSpool(tmp_path)
    spool.put([_record(5)])
    writer = _writer(store, spool, replay_delays=(0.05,))
    writer.start()
    await _until(lambda: "c5" in store.rows)
    await writer.close()
    assert store.rows == ["c5"] and spool.files() == [] and list(tmp_path.glob("claimed-*")) == []


async def test_close_during_a_replay_keeps_the_queue(tmp_path: Path) -> None:
    """Review of 2026-12-05: close() cancelling a replay that hung on the database lost every queued record."""
    store, spool = FlakyStore(), RecordSpool(tmp_path)
    spool.put([_record(0)])
    store.state = "frozen"
    writer = _writer(store, spool, write_timeout=60, close_timeout=0.2)
    writer.start()
    await asyncio.sleep(0.05)  # the replay of c0 hangs on the database
    for n in (1, 2):
        writer.offer(_record(n))
    await asyncio.wait_for(writer.close(), 1.0)
    kept = sorted(record.call_id for path in spool.files() for record in spool.load(path))
    assert kept == ["c0", "c1", "c2"]


async def test_a_replay_cut_short_keeps_every_record_it_did_not_write(tmp_path: Path) -> None:
    """A spooled file of five records, replayed in batches of two, the store failing after the first batch:
    the three not written stay in the spool (mutation review of 2026-12-05: only the failed batch was kept)."""
    spool = RecordSpool(tmp_path)
    spool.put([_record(n) for n in range(5)])
    taken: list[str] = []

    async def first_batch_only(batch: list[CallRecord]) -> None:
        if taken:
            raise ConnectionError("the database went away")
        taken.extend(record.call_id for record in batch)

    writer = RecordWriter(first_batch_only, spool=spool, batch_size=2, retry_delays=(), replay_delays=(60.0,))
    writer.start()
    await _until(lambda: taken and spool.files())
    await asyncio.sleep(0.05)
    kept = sorted(record.call_id for path in spool.files() for record in spool.load(path))
    assert taken == ["c0", "c1"] and kept == ["c2", "c3", "c4"]
    await writer.close()  # its last look at the spool fails too: the three stay for the next start
    assert sorted(record.call_id for path in spool.files() for record in spool.load(path)) == ["c2", "c3", "c4"]


class SlowDiskSpool(RecordSpool):
    """A spool on a disk whose writes and reads take `delay` seconds (a loaded disk's fsync, a network volume)."""

    def __init__(self, folder: Path, delay: float) -> None:
        super().__init__(folder)
        self.delay = delay

    def put(self, records: Sequence[CallRecord]) -> Path:
        time.sleep(self.delay)
        return super().put(records)

    def load(self, path: Path) -> list[CallRecord]:
        time.sleep(self.delay)
        return super().load(path)


async def _longest_stall(during: Callable[[], Awaitable[None]]) -> float:
    """The longest the event loop went without running a 5 ms ticker while `during` ran: what every call in
    progress waits, between its answer arriving and its next command."""
    longest, running = 0.0, True

    async def tick() -> None:
        nonlocal longest
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            longest, last = max(longest, now - last), now

    ticker = asyncio.create_task(tick())
    try:
        await during()
    finally:
        running = False
        await ticker
    return longest


async def test_spooling_and_replaying_never_hold_up_the_calls(tmp_path: Path) -> None:
    """Review, 2026-12-05: the spool's write and fsync ran on the event loop, so while the database was down
    every call in progress stood still for as long as the disk took, once a batch."""
    store, spool = FlakyStore(), SlowDiskSpool(tmp_path, delay=0.3)
    writer = _writer(store, spool)
    writer.start()
    store.state = "down"

    async def outage() -> None:
        for n in range(3):
            await writer.submit(_record(n))
        await _until(lambda: writer.spooled >= 3)
        store.state = "up"
        await _until(lambda: not spool.files() and len(store.rows) == 3)

    assert await _longest_stall(outage) < 0.15
    await writer.close()
    assert sorted(store.rows) == ["c0", "c1", "c2"]


async def test_a_full_queue_spools_without_holding_up_the_calls(tmp_path: Path) -> None:
    store, spool = FlakyStore(), SlowDiskSpool(tmp_path, delay=0.3)
    store.state = "frozen"
    writer = _writer(store, spool, max_queue=1, batch_size=1, write_timeout=60)
    writer.start()

    async def overflow() -> None:
        await writer.submit(_record(0))
        await asyncio.sleep(0.02)  # the writer holds c0 and waits on the database
        writer.offer(_record(1))
        await writer.submit(_record(2))  # full: to the spool, in a thread

    assert await _longest_stall(overflow) < 0.15
    [kept] = spool.files()
    assert [record.call_id for record in spool.load(kept)] == ["c1", "c2"]
