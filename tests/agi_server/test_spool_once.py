"""Each call record in one spool file, and a replay that says what it wrote (SRE review: a shutdown while a write
hung spooled one record twice, files -000001 and -000002 holding the same call id, so the in-spool gauge
over-counted and the replay logged "wrote 3" when one of them was skipped as already stored).

The spool's writes run in a thread of the writer's own, which the shutdown deadline cannot stop mid-file: it
finished the file while the deadline kept the same records again on the loop. On real files in a temporary folder
(a disk slowed down as a loaded one's fsync is), and a real SQLite database for the replay's counts."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agi_server.node import DatabaseRuntime
from agi_server.records import CallRecord, RecordWriter
from agi_server.spool import RecordSpool
from graph_engine.services import SilentTts
from persistence.db import Database
from persistence.migrate import upgrade
from tests.conftest import until

T0 = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)


def _record(n: int) -> CallRecord:
    return CallRecord(call_id=f"c{n}", scenario="s", version=1, started_at=T0, ended_at=T0, outcome="hung_up")


class SlowWritesSpool(RecordSpool):
    """A spool whose writes take `delay` seconds (a loaded disk's fsync), saying when the first begins."""

    def __init__(self, folder: Path, delay: float) -> None:
        super().__init__(folder)
        self.delay = delay
        self.writing = threading.Event()

    def put(self, records: Sequence[CallRecord]) -> Path:
        self.writing.set()
        time.sleep(self.delay)
        return super().put(records)

    def keep_only(self, claimed: Path, records: Sequence[CallRecord]) -> None:
        self.writing.set()
        time.sleep(self.delay)
        super().keep_only(claimed, records)


def _kept(folder: Path) -> list[str]:
    """The call ids in every batch file of `folder`, claimed ones too: what the gauge counts and a replay reads."""
    paths = folder.glob("*records-*.jsonl")
    return sorted(json.loads(line)["call_id"] for path in paths for line in path.read_text().splitlines())


async def test_a_spool_write_the_shutdown_deadline_cuts_off_keeps_its_records_once(tmp_path: Path) -> None:
    """The database hangs; the write times out and its batch goes to the spool, in the spool's thread; close()'s
    deadline comes while that thread writes. The file it finishes is the batch's only one."""

    async def frozen(batch: list[CallRecord]) -> None:
        await asyncio.sleep(3600)

    spool = SlowWritesSpool(tmp_path, delay=0.3)
    writer = RecordWriter(frozen, spool=spool, flush_interval=0, retry_delays=(), write_timeout=0.05,
                          close_timeout=0.05, replay_delays=(60.0,))  # fmt: skip
    writer.start()
    writer.offer(_record(1))
    await asyncio.to_thread(spool.writing.wait, 2)  # c1 timed out and is being written to the spool
    await asyncio.wait_for(writer.close(), 2)  # its deadline comes during that write
    assert _kept(tmp_path) == ["c1"]
    assert spool.waiting() == 1 and writer.spooled == 1 and writer.lost == 0


async def test_a_replay_cut_off_while_it_keeps_what_is_left_leaves_each_record_in_one_file(tmp_path: Path) -> None:
    """A replay wrote c1, the database went away, and what is left (c2) is being kept on disk when the deadline
    comes: the claimed file used to stay beside the new file of c2, holding c2 as well (given back at the next
    start). Nor does c2 stand in two files while the replay runs (the gauge read them twice)."""
    RecordSpool(tmp_path).put([_record(1), _record(2)])
    spool = SlowWritesSpool(tmp_path, delay=0.3)
    taken: list[str] = []

    async def first_batch_only(batch: list[CallRecord]) -> None:
        if taken:
            raise ConnectionError("the database went away")
        taken.extend(record.call_id for record in batch)

    writer = RecordWriter(first_batch_only, spool=spool, batch_size=1, retry_delays=(), replay_delays=(60.0,),
                          close_timeout=0.05)  # fmt: skip
    writer.start()
    await asyncio.to_thread(spool.writing.wait, 2)  # c1 is written; c2 is being kept in a file of its own
    await asyncio.wait_for(writer.close(), 2)
    assert taken == ["c1"] and _kept(tmp_path) == ["c2"]
    assert spool.waiting() == 1 and list(tmp_path.glob("claimed-*")) == []


async def test_a_replay_logs_the_records_written_apart_from_those_already_stored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A spooled batch whose record the database took after all (a write given up on that committed later), and a
    batch kept twice by a release before this fix: each record is written once, and the log says so."""
    url = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        runtime = DatabaseRuntime(database, tts=SilentTts())
        await runtime.write_batch([_record(2)])
        first = runtime.spool.put([_record(1), _record(2), _record(3)])
        again = runtime.spool.put([_record(3)])
        writer = RecordWriter(runtime.write_batch, spool=runtime.spool, flush_interval=0)
        with caplog.at_level(logging.INFO, logger="agi_server.records"):
            writer.start()
            await until(lambda: runtime.spool.waiting() == 0)
            await writer.close()
        runtime.close()
    finally:
        database.dispose()
    said = [record.getMessage() for record in caplog.records if record.name == "agi_server.records"]
    assert f"replayed {first.name}: 2 spooled call records written, 1 already in the database (skipped), 0 refused " \
           "(set aside)" in said  # fmt: skip
    assert f"replayed {again.name}: 0 spooled call records written, 1 already in the database (skipped), 0 refused " \
           "(set aside)" in said  # fmt: skip
    assert writer.written == 4 and writer.already_stored == 2


class SlowFileOpsSpool(SlowWritesSpool):
    """`SlowWritesSpool` whose removals and renames take as long: the moments between two steps of a replay last."""

    def remove(self, path: Path) -> None:
        time.sleep(self.delay)
        super().remove(path)

    def release(self, claimed: Path) -> None:
        time.sleep(self.delay)
        super().release(claimed)


async def test_what_a_replay_leaves_is_never_counted_twice(tmp_path: Path) -> None:
    """The replay used to put what it did not write in a new file, then remove the claimed one: in between, the
    spool gauge counted those records twice (the metrics-port test saw 2 spooled records with one still queued)."""
    RecordSpool(tmp_path).put([_record(1), _record(2)])
    spool = SlowFileOpsSpool(tmp_path, delay=0.2)
    taken: list[str] = []

    async def first_batch_only(batch: list[CallRecord]) -> None:
        if taken:
            raise ConnectionError("the database went away")
        taken.extend(record.call_id for record in batch)

    writer = RecordWriter(first_batch_only, spool=spool, batch_size=1, retry_delays=(), replay_delays=(60.0,))
    writer.start()
    counted = []
    for _ in range(150):  # the replay's steps take 0.2 s each: well within these 1.5 s
        counted.append(spool.waiting())
        await asyncio.sleep(0.01)
    await writer.close()
    assert taken == ["c1"] and _kept(tmp_path) == ["c2"]
    assert max(counted) == 2 and counted[-1] == 1, counted
