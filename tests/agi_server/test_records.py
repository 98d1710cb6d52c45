"""The call-record writer: batches, back-pressure when the database falls behind, nothing lost at close."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from agi_server.records import CallRecord, RecordWriter

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
