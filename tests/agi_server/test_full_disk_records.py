"""A full disk loses no call record while the node runs (chaos review: a spool on a 48 kB tmpfs with PostgreSQL cut at
a proxy kept 2 of 30 calls, the log saying `dropping 28 call records (the spool cannot keep them either)`; an SQLite
file on a full tmpfs lost 9 of 10; the half-written `.records-...tmp` stayed, keeping the disk full for good).

What fits of a batch goes to the spool, the rest is held in memory and tried again (the database, then the spool)
until one takes it; a failed write leaves no temporary file; one a dead process left is made a batch again at
start. Real small tmpfs mounts where this runs as root (skipped where mount is refused), and a disk whose write
raises ENOSPC past a number of bytes where it does not.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import func, select

from agi_server import spool as spool_module
from agi_server.metrics import AgiMetrics
from agi_server.records import CallRecord, RecordsRejected, RecordWriter
from agi_server.spool import RecordSpool
from persistence.db import Database
from persistence.models import CallRecord as StoredCall

T0 = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
DROPPED = "ivrgraph_agi_call_records_dropped_total"


def _record(n: int, *, size: int = 500) -> CallRecord:
    """A call record of about `size` bytes on disk (its JSON line): callers' facts take the room."""
    record = CallRecord(call_id=f"c{n:03d}", scenario="s", version=1, started_at=T0, ended_at=T0, outcome="ended")
    record.facts = {"caller_id": "+34600123456", "note": ""}
    record.facts["note"] = "x" * max(0, size - len(_lines([record])))
    return record


async def _until(condition: Callable[[], object], timeout: float = 5.0) -> bool:
    """Whether `condition()` came to hold within `timeout` s (the writer works in its own task)."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + timeout
    while not condition():
        if loop.time() > ends:
            return False
        await asyncio.sleep(0.01)
    return True


def _spooled_ids(spool: RecordSpool) -> list[str]:
    return sorted(record.call_id for path in spool.files() for record in spool.load(path))


def _temporary(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


async def _no_temporary_file_stays(folder: Path) -> bool:
    """While the writer runs, a retry may be writing a file now: none may stay."""
    return await _until(lambda: _temporary(folder) == [], timeout=2)


def _dropped(metrics: AgiMetrics) -> float:
    return metrics.registry.get_sample_value(DROPPED) or 0.0


class Store:
    """A `WriteBatch` whose database is down (ConnectionError) or up; it refuses a batch holding a record of scenario
    "poison" for what it holds. `rows` keeps every record it took, so a record written twice shows."""

    def __init__(self, *, up: bool = True) -> None:
        self.up = up
        self.rows: list[str] = []

    async def __call__(self, batch: list[CallRecord]) -> None:
        if not self.up:
            raise ConnectionError("connection refused")
        if any(record.scenario == "poison" for record in batch):
            raise RecordsRejected("value too long for type character varying(64)")
        self.rows.extend(record.call_id for record in batch)


# -- a disk that fills up, by fault injection (no root needed) ------------------------------------------------


class FillingDisk:
    """The free space of the spool's disk: a file's writes past `room` bytes write what fits and raise ENOSPC, as a
    full disk's write() does; a file written whole takes its bytes from `room`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, room: int) -> None:
        self.room = room
        self.refusals = 0
        real = spool_module._private

        def private(path: Path) -> IO[str]:
            return _CappedFile(real(path), self)  # type: ignore[return-value]

        monkeypatch.setattr(spool_module, "_private", private)


class _CappedFile:
    def __init__(self, real: IO[str], disk: FillingDisk) -> None:
        self._real, self._disk, self._size = real, disk, 0

    def write(self, text: str) -> int:
        room = self._disk.room - self._size
        if len(text.encode()) > room:
            self._real.write(text[: max(0, room)])
            self._real.flush()  # the part that fitted is on disk, in the temporary file
            self._disk.refusals += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._size += len(text.encode())
        return self._real.write(text)

    def flush(self) -> None:
        self._real.flush()

    def fileno(self) -> int:
        return self._real.fileno()

    def __enter__(self) -> _CappedFile:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        self._real.close()
        if kind is None:
            self._disk.room -= self._size


_STARTED: list[RecordWriter] = []


@pytest.fixture(autouse=True)
async def _writers_closed() -> AsyncIterator[None]:
    """A writer a failed test left running is closed: its task, retrying at a short back-off, would outlive it."""
    yield
    while _STARTED:
        await asyncio.wait_for(_STARTED.pop().close(), 15)


def _started(writer: RecordWriter) -> RecordWriter:
    writer.start()
    _STARTED.append(writer)
    return writer


def _writer(store: Store, spool: RecordSpool, **overrides: Any) -> RecordWriter:
    """A started writer on `store` and `spool`, with short retries and back-off."""
    settings: dict[str, Any] = {"flush_interval": 0, "retry_delays": (0.01,), "replay_delays": (0.05,)}
    return _started(RecordWriter(store, spool=spool, **{**settings, **overrides}))


def _on_disk(spool: RecordSpool) -> set[str]:
    """The call ids in the spool's files, those claimed by a replay running now included (a replay the database
    refuses writes its file's records to a new file before it removes the old one: an id may be in both)."""
    while True:
        try:
            return {r.call_id for path in spool.folder.glob("*records-*.jsonl") for r in spool.load(path)}
        except FileNotFoundError:
            continue  # claimed, or given back, meanwhile


def test_a_write_the_full_disk_cuts_off_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review's `.records-...-000003.jsonl.tmp` of 40,960 bytes of callers' data: now gone with the failure."""
    spool = RecordSpool(tmp_path)
    disk = FillingDisk(monkeypatch, room=1200)
    with pytest.raises(OSError) as full:
        spool.put([_record(n) for n in range(5)])
    assert full.value.errno == errno.ENOSPC and disk.refusals == 1
    with pytest.raises(OSError):
        spool.reject([_record(n) for n in range(5)])  # the set-aside files too (agi_server.rejected reads them)
    assert list(tmp_path.iterdir()) == []


async def test_a_full_spool_keeps_what_fits_holds_the_rest_and_loses_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, spool, metrics = Store(up=False), RecordSpool(tmp_path), AgiMetrics()
    disk = FillingDisk(monkeypatch, room=2600)  # five records of 500 bytes fit, not ten
    writer = _writer(store, spool, metrics=metrics, batch_size=10, flush_interval=10.0)
    for n in range(10):
        writer.offer(_record(n))
    await _until(lambda: writer.spooled + writer.held >= 10)
    # The batch of ten halved until a part fitted: five on disk, five held in memory, no file left half-written.
    assert (writer.spooled, writer.held, _dropped(metrics)) == (5, 5, 0)
    assert _on_disk(spool) == {f"c{n:03d}" for n in range(5)} and await _no_temporary_file_stays(tmp_path)
    disk.room = 10_000  # space comes back; the database is still away: the held records go to disk
    assert await _until(lambda: writer.spooled == 10)
    assert _on_disk(spool) == {f"c{n:03d}" for n in range(10)} and store.rows == []
    store.up = True
    assert await _until(lambda: not spool.files())
    await writer.close()
    assert sorted(store.rows) == [f"c{n:03d}" for n in range(10)]  # each once
    assert (_dropped(metrics), writer.lost, _temporary(tmp_path)) == (0, 0, [])


async def test_held_records_go_to_the_database_when_it_is_back_before_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store, spool, metrics = Store(up=False), RecordSpool(tmp_path), AgiMetrics()
    FillingDisk(monkeypatch, room=0)
    writer = _writer(store, spool, metrics=metrics)
    with caplog.at_level(logging.WARNING, logger="agi_server.records"):
        for n in range(4):
            await writer.submit(_record(n))
        assert await _until(lambda: writer.held == 4)
    assert writer.queued == 4  # the metric of records waiting for the writer counts them
    assert any("holding" in r.getMessage() and "c000" in r.getMessage() for r in caplog.records)
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)  # nothing is dropped
    store.up = True
    assert await _until(lambda: len(store.rows) == 4)
    await writer.close()
    assert sorted(store.rows) == ["c000", "c001", "c002", "c003"] and spool.files() == []
    assert _dropped(metrics) == 0 and _temporary(tmp_path) == []


async def test_records_past_the_bound_of_memory_are_dropped_and_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store, spool, metrics = Store(up=False), RecordSpool(tmp_path), AgiMetrics()
    FillingDisk(monkeypatch, room=0)
    writer = _writer(store, spool, metrics=metrics, max_held=2, batch_size=5, flush_interval=10.0)
    with caplog.at_level(logging.ERROR, logger="agi_server.records"):
        for n in range(5):
            writer.offer(_record(n))
        assert await _until(lambda: writer.lost == 3)
    assert writer.held == 2 and _dropped(metrics) == 3
    [dropped] = [r.getMessage() for r in caplog.records if "dropping" in r.getMessage()]
    assert dropped.startswith("dropping 3 call records (the spool cannot keep them either: ")
    assert "2 records are held in memory already" in dropped and "c002, c003, c004" in dropped
    store.up = True
    assert await _until(lambda: len(store.rows) == 2)
    await writer.close()
    assert store.rows == ["c000", "c001"]


@pytest.mark.parametrize("space_returns", [False, True])
async def test_shutdown_tries_once_more_then_says_how_many_are_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, space_returns: bool
) -> None:
    store, spool, metrics = Store(up=False), RecordSpool(tmp_path), AgiMetrics()
    disk = FillingDisk(monkeypatch, room=0)
    writer = _writer(store, spool, metrics=metrics, replay_delays=(60.0,))
    for n in range(3):
        await writer.submit(_record(n))
    assert await _until(lambda: writer.held == 3)
    if space_returns:
        disk.room = 10_000  # the next look is a minute away: only close()'s last try sees the space
    with caplog.at_level(logging.ERROR, logger="agi_server.records"):
        await asyncio.wait_for(writer.close(), 2)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    if space_returns:
        assert _spooled_ids(spool) == ["c000", "c001", "c002"] and errors == [] and writer.lost == 0
    else:
        assert [message.split(":")[0] for message in errors] == ["dropping 3 call records (shutting down, and the "
                                                                 "database and the spool cannot keep them"]  # fmt: skip
        assert errors[0].endswith("c000, c001, c002") and (writer.lost, _dropped(metrics)) == (3, 3)
    assert _temporary(tmp_path) == []


async def test_a_refused_record_the_full_disk_cannot_set_aside_waits_for_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, spool = Store(), RecordSpool(tmp_path)
    disk = FillingDisk(monkeypatch, room=0)
    writer = _writer(store, spool)
    poison = _record(1)
    poison.scenario = "poison"
    await writer.submit(poison)
    assert await _until(lambda: writer.held == 1)
    assert spool.rejected_files() == [] and writer.lost == 0
    disk.room = 10_000
    assert await _until(lambda: spool.rejected_files() != [])
    await writer.close()
    [aside] = spool.rejected_files()
    assert [record.call_id for record in spool.load(aside)] == ["c001"] and store.rows == []


# -- temporary files left behind ------------------------------------------------------------------------------


def _gone_pid() -> int:
    """The pid of a process that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


@pytest.fixture
def live_pid() -> Iterator[int]:
    """The pid of another process that runs (a node writing to the same spool)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield process.pid
    finally:
        process.kill()
        process.wait()


def _lines(records: list[CallRecord]) -> bytes:
    return b"".join(json.dumps(spool_module._fields(record), default=str).encode() + b"\n" for record in records)


def test_temporary_files_a_dead_process_left_are_made_batches_again_at_start(
    tmp_path: Path, live_pid: int, caplog: pytest.LogCaptureFixture
) -> None:
    """A process that died mid-write, or (before the fix) a write the full disk cut off: the whole lines are records
    nothing else holds. A live process's file is its own; one with nothing whole in it is only removed."""
    gone, ns = _gone_pid(), f"{1_800_000_000_000_000_000:020d}"
    torn = tmp_path / f".records-{ns}-{gone}-000003.jsonl.tmp"
    torn.write_bytes(_lines([_record(1), _record(2)]) + b'{"call_id": "c003", "scen')
    same_pid = tmp_path / f".records-{ns}-{os.getpid()}-000004.jsonl.tmp"  # a predecessor with our pid, no token
    same_pid.write_bytes(_lines([_record(4)]))
    empty = tmp_path / f".rejected-{ns}-{gone}-000005.jsonl.0badc0de.tmp"
    empty.write_bytes(b'{"call_')
    set_aside = tmp_path / f".rejected-{ns}-{gone}-000006.jsonl.0badc0de.tmp"
    set_aside.write_bytes(_lines([_record(6)]))
    writing = tmp_path / f".records-{ns}-{live_pid}-000007.jsonl.0badc0de.tmp"
    writing.write_bytes(_lines([_record(7)]))

    with caplog.at_level(logging.WARNING, logger="agi_server.spool"):
        spool = RecordSpool(tmp_path)

    assert _spooled_ids(spool) == ["c001", "c002", "c004"]
    assert f"records-{ns}-{gone}-000003.jsonl" in [path.name for path in spool.files()]  # dated as it was
    assert [record.call_id for path in spool.rejected_files() for record in spool.load(path)] == ["c006"]
    assert _temporary(tmp_path) == [writing.name]
    assert spool.waiting() == 3
    messages = [r.getMessage() for r in caplog.records]
    assert any("2 call records" in m and "a torn last line of 25 bytes was cut" in m for m in messages), messages
    assert not any("unreadable" in m for m in messages)


def test_the_retention_purge_removes_old_temporary_files(tmp_path: Path, live_pid: int) -> None:
    """`ivrgraph records purge` and `serve`'s daily purge (RecordSpool.remove_older_than): a temporary file begun
    before the cutoff is nobody's write any more, whoever's name it bears."""
    old, recent, cutoff = T0 - timedelta(days=100), T0 - timedelta(days=1), T0 - timedelta(days=50)
    stale = tmp_path / f".records-{int(old.timestamp() * 1e9):020d}-{live_pid}-000001.jsonl.0badc0de.tmp"
    stale.write_bytes(_lines([_record(1)]))
    current = tmp_path / f".records-{int(recent.timestamp() * 1e9):020d}-{live_pid}-000002.jsonl.0badc0de.tmp"
    current.write_bytes(_lines([_record(2)]))
    spool = RecordSpool(tmp_path)
    assert spool.remove_older_than(cutoff, dry_run=True) == 1 and stale.exists()
    assert spool.remove_older_than(cutoff) == 1
    assert _temporary(tmp_path) == [current.name]


# -- real full disks: small tmpfs mounts ----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """`mount("48k")`: a folder on a tmpfs of that size, unmounted afterwards; the test is skipped where mounting
    is not allowed (not root, no CAP_SYS_ADMIN)."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        folder = tmp_path / f"disk{len(mounted)}"
        folder.mkdir()
        if shutil.which("mount") is None:
            pytest.skip("no mount command")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "--lazy", str(folder)], check=True)


def _fill(disk: Path) -> Path:
    """A file taking every free byte of `disk`, as the review's dd did."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for block in (b"\0" * 4096, b"\0"):  # pages, then the last bytes
            try:
                while True:
                    out.write(block)
            except OSError as error:
                assert error.errno == errno.ENOSPC
    return filler


def _accounted(caplog: pytest.LogCaptureFixture) -> int:
    """Records the writer said what became of, once each: `kept` in a spool file, `holding` in memory, `dropping`."""
    told = 0
    for record in caplog.records:
        said = re.match(r"(?:kept|holding|dropping) ([0-9]+) call records", record.getMessage())
        if said is not None and record.name == "agi_server.records":
            told += int(said.group(1))
    return told


async def test_sqlite_on_a_full_disk_loses_no_record_once_space_is_freed(
    small_disk: Callable[[str], Path], caplog: pytest.LogCaptureFixture
) -> None:
    """The review's SQLite case: the database file and its spool on a 2 MB tmpfs filled up, 10 calls, space freed:
    `database or disk is full`, then `dropping 9 call records`, 0 of 10 in the register."""
    from agi_server.node import DatabaseRuntime
    from graph_engine.services import SilentTts
    from persistence.migrate import upgrade

    disk = small_disk("2m")
    url = f"sqlite:///{disk / 'calls.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        runtime = DatabaseRuntime(database, tts=SilentTts())
        metrics = AgiMetrics()
        writer = RecordWriter(runtime.write_batch, spool=runtime.spool, metrics=metrics, flush_interval=0,
                              retry_delays=(0.01,), replay_delays=(0.2,), write_timeout=5)  # fmt: skip
        _started(writer)
        filler = _fill(disk)
        with caplog.at_level(logging.WARNING):
            for n in range(10):
                await writer.submit(_record(n, size=1000))
            await _until(lambda: _accounted(caplog) >= 10)
        # SQLite says `database or disk is full`, or `disk I/O error` when its WAL index cannot grow either.
        assert any("(sqlite3.OperationalError)" in r.getMessage() for r in caplog.records)
        assert _dropped(metrics) == 0 and await _no_temporary_file_stays(runtime.spool.folder)
        filler.unlink()
        await _until(lambda: writer.written >= 10, timeout=10)
        await writer.close()
        with database.session() as session:
            stored = sorted(session.scalars(select(StoredCall.id)))
        assert stored == [f"c{n:03d}" for n in range(10)]  # each once: the call id is the key
        assert runtime.spool.files() == [] and _temporary(runtime.spool.folder) == [] and _dropped(metrics) == 0
    finally:
        database.dispose()


@pytest.mark.postgres
async def test_postgresql_cut_and_a_48k_spool_lose_no_record_once_the_database_is_back(
    small_disk: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The review's PostgreSQL case: `IVRGRAPH_SPOOL_DIR` on a 48 kB tmpfs, the database cut at a proxy, 30 calls at
    once; only 2 of 30 reached call_records once the database was back."""
    from agi_server.node import DatabaseRuntime
    from graph_engine.services import SilentTts
    from persistence.migrate import upgrade
    from tests.persistence import pg
    from tests.persistence.outage import outage_proxy

    monkeypatch.setenv("IVRGRAPH_SPOOL_DIR", str(small_disk("48k")))
    caplog.set_level(logging.WARNING, logger="agi_server.records")
    with pg.throwaway_database("ivrgraph_full_disk") as direct, outage_proxy(direct) as (proxy, through):
        upgrade(direct)
        database, register = Database(through), Database(direct)
        try:
            runtime = DatabaseRuntime(database, tts=SilentTts())
            metrics = AgiMetrics()
            writer = RecordWriter(runtime.write_batch, spool=runtime.spool, metrics=metrics, flush_interval=0.2,
                                  retry_delays=(0.01,), replay_delays=(0.3,), write_timeout=5)  # fmt: skip
            _started(writer)
            proxy.go_down()
            await asyncio.gather(*(writer.submit(_record(n, size=2500)) for n in range(30)))  # 75 kB of records
            await _until(lambda: _accounted(caplog) >= 30)
            assert 0 < writer.spooled < 30 and _dropped(metrics) == 0  # what fitted is on disk, the rest in memory
            assert await _no_temporary_file_stays(runtime.spool.folder)
            await asyncio.sleep(0.5)  # a few looks fail while the database is away
            proxy.come_back()
            await _until(lambda: writer.written >= 30 and not runtime.spool.files(), timeout=20)
            await writer.close()
            with register.session() as session:
                stored = sorted(session.scalars(select(StoredCall.id)))
                count = session.scalar(select(func.count()).select_from(StoredCall))
            assert stored == [f"c{n:03d}" for n in range(30)] and count == 30
            assert runtime.spool.files() == [] and _temporary(runtime.spool.folder) == []
            assert _dropped(metrics) == 0
        finally:
            database.dispose()
            register.dispose()
