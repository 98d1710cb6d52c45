"""Call records: what happened on each call, written off the hot path in batches.

A call puts its record on a bounded queue as it ends; one writer task takes whatever has piled up (up to a
batch) and hands it to the injected `write_batch` (the persistence layer's SQL insert in production).
Writes are at least `flush_interval` apart: a record arriving after a quiet spell is written at once (no timer
wakes the process later just for it), and under load the records of an interval pile up and go in one batch:
at thousands of calls one wake-up and one INSERT per interval instead of one per call. `close()` writes
everything left.

Nothing is dropped when the database fails. A batch the store refuses for what it holds (`RecordsRejected`:
a value it cannot take) is split until the refused record stands alone, which is set aside and logged; the
rest is written (should the store become unavailable meanwhile, what is left goes to the spool at once). A batch
the store cannot take now (down, unreachable, silent past `write_timeout`) goes to the `RecordSpool` on local disk
after a few quick retries and is replayed when the store answers again, and on the next start. With a spool, a
finishing call that finds the queue full spools its record instead of waiting; without one (tests, a host with no
database) it waits for room.

A full disk loses nothing either (chaos review: a spool on a full disk dropped whole batches while the node ran
on, and the database came back to find 2 of 30 calls). What fits of a batch is spooled in smaller files; what
neither the store nor the disk takes is held in memory, up to `max_held` records (the queue's size by default),
and tried again at the spool's back-off: the store first, then the disk. Past that bound, and at shutdown after
one more try, the records left are dropped, and the log and `records_dropped` say how many and why.

The spool's reads and writes (and the fsync that makes a write durable) run in a thread of the writer's own:
they happen while the database is down, when the node is already strained, and a disk flush can take tens of
milliseconds, which on the event loop every call in progress would wait out. Only the shutdown paths, which
must not yield, write on the loop. A spool write the shutdown deadline cuts off finishes in its thread anyway, so
the deadline waits for it (`_cut_off`) and keeps on the loop only the records it did not: keeping them all again
wrote the same calls into two files (SRE review: the spool gauge over-counted, and the replay counted the copy as
written). The records the writer has taken to write are in `_in_hand` until the store, the spool or memory has them.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Final, Generic, NamedTuple, Protocol, TypeVar

from agi_server.errors import first_line
from agi_server.metrics import AgiMetrics
from graph_engine.trace import CallResult, TraceStep

log = logging.getLogger(__name__)
_T = TypeVar("_T")

RETRY_DELAYS: Final = (0.1, 0.5, 2.0)
WRITE_TIMEOUT: Final = 30.0  # a batch insert takes milliseconds; a store silent this long is unavailable
REPLAY_DELAYS: Final = (1.0, 5.0, 15.0, 60.0)  # between looks at the spool while the store stays unavailable
_CLOSING_WRITE_TIMEOUT: Final = 5.0
CLOSE_TIMEOUT: Final = 10.0  # how long close() lets writes run before what is left goes to the spool
# A spool write that fails for these is tried again in smaller files: part of the batch may fit.
_NO_ROOM: Final = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class RecordsRejected(Exception):
    """Raised by a `WriteBatch` when the store refuses the records for what they hold (a value too long, a
    character it cannot store), not for its availability: writing them again would fail again."""


@dataclass(slots=True)
class CallRecord:
    call_id: str
    scenario: str  # the slug the AGI path asked for
    version: int | None  # the published version the call ran; None when no scenario ran
    started_at: datetime
    ended_at: datetime
    outcome: str  # a CallOutcome value, or "unknown_scenario", "refused_overload", "protocol_error"
    answered_at: datetime | None = None
    hangup_point: str | None = None  # node the caller was at when they hung up
    hangup_during: str | None = None  # channel operation that saw the hangup (play, read_digits...)
    facts: dict[str, str] = field(default_factory=dict)  # caller_id, caller_name, dialed_number, channel...
    inputs: dict[str, str] = field(default_factory=dict)  # query parameters and agi_arg_N, as plain strings
    asterisk_uniqueid: str = ""
    job_id: str | None = None  # the callback job this call delivers
    origin_call_id: str | None = None  # the call that scheduled that callback
    peer: str = ""  # the Asterisk host and port the call came from
    node: str = ""  # the ivrgraph node that took the call (AgiServerConfig.node_id)
    error: str | None = None
    trace: dict[str, Any] = field(default_factory=dict)  # CallResult.as_dict()
    # The published version's row id (`PublishedScenario.stamp`): it names the version the call ran once the slug
    # is deleted and created again, which `version` alone does not. None when no scenario ran, or it came from a file.
    version_id: int | None = None


# Raises RecordsRejected or any other error; returns how many of the records the store did not hold already (a
# call id it has is skipped: a batch it committed after the writer gave up on it), or None when it does not say.
WriteBatch = Callable[[list[CallRecord]], Awaitable[int | None]]


class Spool(Protocol):
    """Where records go while the store cannot take them (see agi_server.spool.RecordSpool)."""

    def put(self, records: Sequence[CallRecord]) -> Any: ...

    def reject(self, records: Sequence[CallRecord]) -> Any: ...

    def files(self) -> list[Any]: ...

    def waiting(self) -> int: ...

    def waiting_elsewhere(self) -> int | None: ...

    def claim(self, path: Any) -> Any | None: ...

    def release(self, claimed: Any) -> None: ...

    def keep_only(self, claimed: Any, records: Sequence[CallRecord]) -> None: ...

    def load(self, path: Any) -> list[CallRecord]: ...

    def remove(self, path: Any) -> None: ...


@dataclass(frozen=True, slots=True)
class _Kind:
    """The two kinds of record the writer puts in the spool, and how the log speaks of them."""

    refused: bool  # refused by the store for what they hold: set-aside files (`Spool.reject`), never replayed
    noun: str
    filed: str  # the log of a spool file that took some: their number, the file, their call ids
    next: str  # where records held in memory go, and when


_UNWRITTEN: Final = _Kind(
    False, "call records", "kept %d call records in %s until the database takes them: %s",
    "the database or the spool as soon as either takes them",
)  # fmt: skip
_REFUSED: Final = _Kind(
    True, "refused call records", "set aside %d refused call records in %s: %s",
    "the spool's set-aside files as soon as it has room",
)  # fmt: skip


def _field_reader(cls: type) -> Callable[[Any], dict[str, Any]]:
    """A function that returns `{"field": obj.field, ...}` for every field of the dataclass `cls`, in order.

    Its source is written out from the fields and compiled, as `dataclasses` writes `__init__`: a dict display
    is the fastest way CPython has to build a dict: a third of the time of `dict(zip(names, attrgetter(...)))`,
    and 54,000 instructions less per five-step call (valgrind, bench/agi_layers.py). Reading the fields
    from the class keeps the property that a field the engine adds reaches the record with no change here.
    """
    names = [item.name for item in fields(cls)]
    if not all(name.isidentifier() for name in names):  # dataclass fields always are; the source relies on it
        raise TypeError(f"{cls.__name__} has a field that is not an identifier")
    body = ", ".join(f"{name!r}: obj.{name}" for name in names)
    namespace: dict[str, Any] = {}
    exec(f"def read_fields(obj):\n    return {{{body}}}\n", namespace)  # field names only: checked above
    reader: Callable[[Any], dict[str, Any]] = namespace["read_fields"]
    return reader


_step_fields: Final = _field_reader(TraceStep)
_result_fields: Final = _field_reader(CallResult)


def trace_of(result: CallResult) -> dict[str, Any]:
    """`CallResult.as_dict()` without its deep copy: the call is over, nothing mutates the trace any more.

    `dataclasses.asdict` deep-copies every prompt, event and variable; on the call path that was a fifth of
    the server's CPU per call (bench/agi_load.py). The variables are the result's own dict, not copied again:
    `CallRun.result()` already made it a copy of the call's.
    """
    trace = _result_fields(result)
    trace["outcome"] = str(result.outcome)
    trace["steps"] = [_step_fields(step) for step in result.steps]
    return trace


class RecordWriter:
    def __init__(
        self,
        write_batch: WriteBatch,
        *,
        max_queue: int = 10_000,
        batch_size: int = 200,
        metrics: AgiMetrics | None = None,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        flush_interval: float = 1.0,
        spool: Spool | None = None,
        write_timeout: float = WRITE_TIMEOUT,
        replay_delays: tuple[float, ...] = REPLAY_DELAYS,
        close_timeout: float = CLOSE_TIMEOUT,
        max_held: int | None = None,
    ) -> None:
        # flush_interval: at 0.05 s a light load (100 calls, one ending every ~50 ms) woke the writer, and
        # wrote a one-record batch, for nearly every call, ~3 % of the server's CPU per AGI command there
        # (bench/agi_load.py --together); at 1 s the records of a second go in one batch (one transaction, one
        # fsync on SQLite). A record is in the database at most a second after its call ended.
        self._write_batch = write_batch
        # A deque and one wake-up future instead of an asyncio.Queue: queueing a record is an append (the
        # Queue took six Python calls per call), and the writer is woken once per batch, not per record.
        self._pending: deque[CallRecord] = deque()
        self._max_queue = max_queue
        self._wake: asyncio.Future[None] | None = None  # set while the writer waits for a first record
        self._flush_wait: asyncio.Future[None] | None = None  # set while it lets a batch pile up; close() ends it
        self._room = asyncio.Event()  # set when the writer took records off a full queue
        self._closing = False
        self._overflow: list[CallRecord] = []  # records submitted while cancelling, when the queue was full
        self._batch_size = batch_size
        self._metrics = metrics
        self._retry_delays = retry_delays
        self._flush_interval = flush_interval
        self._last_write = float("-inf")  # loop time the last batch went out
        self._task: asyncio.Task[None] | None = None
        self._spool = spool
        self._write_timeout = write_timeout
        self._replay_delays = replay_delays
        self._replays_failed = 0  # consecutive replays the store did not take: picks the next delay
        self._next_replay = 0.0  # loop time of the next look at the spool (at once: a previous run's records)
        self._close_timeout = close_timeout
        self._spooled = bool(spool and spool.files())  # a previous run may have left records there
        self._disk: ThreadPoolExecutor | None = None  # the spool's thread, made when the spool is first used
        # Records neither the store nor the spool could take (a full disk while the database is away), oldest
        # first, and records the store refused that the spool could not set aside: tried again at the replay's
        # back-off. Together at most `max_held` (a bound on memory; the queue's size by default): `_settle` alone
        # puts them here, and drops those past the bound.
        self._held: list[CallRecord] = []
        self._aside: list[CallRecord] = []
        self._max_held = max_queue if max_held is None else max_held
        # Records taken off the queue (or out of memory) by the writer task and not yet in the store, the spool or
        # memory, by id(): what close() cutting the task off keeps on disk, and only those (`_keep_in_hand`).
        self._in_hand: dict[int, CallRecord] = {}
        self.written = 0
        self.already_stored = 0  # of `written`, records the store held already (it says so), skipped
        self.spooled = 0  # records put in the spool (they are written later, when the store is back)
        self.rejected = 0  # records the store refused for what they hold, set aside in the spool folder
        self.lost = 0  # records dropped for good: no spool, or neither store nor spool took them within the bound
        if metrics is not None:
            metrics.watch_record_writer(self)  # read when scraped: nothing more per record

    @property
    def queued(self) -> int:
        """Records waiting for the writer, those held in memory included (read from the metrics' thread: lengths,
        each read whole)."""
        return len(self._pending) + len(self._overflow) + len(self._held) + len(self._aside)

    @property
    def held(self) -> int:
        """Records held in memory because neither the store nor the spool could take them."""
        return len(self._held) + len(self._aside)

    @property
    def spool(self) -> Spool | None:
        return self._spool

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="call-record-writer")

    async def submit(self, record: CallRecord) -> None:
        """Queue `record`. When the queue is full (the writer is behind): spool it, or without a spool wait for
        room; never drop it."""
        while not self.offer(record):
            if self._spool is not None:
                await self._keep_off_loop([*self._drain(), record])  # the queue in one file: room for the next ones
                return
            self._room.clear()
            await self._room.wait()

    def offer(self, record: CallRecord) -> bool:
        """Queue `record` if there is room (the usual case: no coroutine, no wait); False when the queue is full."""
        if len(self._pending) >= self._max_queue:
            return False
        self._pending.append(record)
        self._wake_writer()
        return True

    def submit_nowait(self, record: CallRecord) -> None:
        """For a call being cancelled at shutdown: it cannot wait, and its record must still be written."""
        if not self.offer(record):
            self._overflow.append(record)

    async def close(self) -> None:
        """Write everything queued, then stop the writer task."""
        self._closing = True
        try:
            await self._finish()
        finally:
            if self._disk is not None:
                self._disk.shutdown(wait=False)  # a write in flight finishes in its thread; its file is whole
                self._disk = None
            self._last_chance()

    async def _finish(self) -> None:
        if self._task is None:
            await self._write([*self._take_held(), *self._drain()])
            await self._retry_aside()
            return
        self._wake_writer()
        flush_wait, self._flush_wait = self._flush_wait, None
        if flush_wait is not None:
            _resolve(flush_wait)  # write now: shutdown has a deadline
        task = self._task
        try:
            await asyncio.wait_for(asyncio.shield(task), self._close_timeout)
        except TimeoutError:
            # A write still hangs on the store (retrying, or waiting out its timeout): what it holds, and what
            # is queued, goes to the spool now. A batch the store commits after all is not written twice.
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None

    def _wake_writer(self) -> None:
        wake, self._wake = self._wake, None
        if wake is not None:
            _resolve(wake)

    def _drain(self) -> list[CallRecord]:
        batch, self._overflow = self._overflow, []
        batch.extend(self._pending)
        self._pending.clear()
        self._room.set()
        return batch

    def _take(self) -> list[CallRecord]:
        pending = self._pending
        batch = [pending.popleft() for _ in range(min(self._batch_size, len(pending)))]
        self._room.set()
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if self._looking_again() and not self._closing and loop.time() >= self._next_replay:
                try:
                    await self._look_again()
                except asyncio.CancelledError:
                    self._keep_in_hand()  # close() ran out of time mid-replay: the queue goes to disk too
                    raise
            if not self._pending:
                if self._closing:
                    break
                self._wake = wake = loop.create_future()
                # While records wait in the spool or in memory, wake for the next look even if no call ends.
                timer = loop.call_at(self._next_replay, _resolve, wake) if self._looking_again() else None
                await wake
                if timer is not None:
                    timer.cancel()
                continue
            # Writes at least flush_interval apart: after a quiet spell at once, under load a batch per interval.
            hold = self._last_write + self._flush_interval - loop.time()
            if hold > 0 and len(self._pending) < self._batch_size and not self._closing:
                self._flush_wait = flush_wait = loop.create_future()
                timer = loop.call_later(hold, _resolve, flush_wait)
                await flush_wait
                timer.cancel()
                self._flush_wait = None
            self._last_write = loop.time()
            batch = self._hand(self._take())
            try:
                await self._write(batch)
            except asyncio.CancelledError:
                self._keep_in_hand()  # close() ran out of time: keep on disk what is not there or in the store
                raise
        rest = self._hand([*self._take_held(), *self._drain()])  # the held records' one more try: store, then spool
        try:
            await self._write(rest)
            await self._retry_aside()
        except asyncio.CancelledError:
            self._keep_in_hand()  # a chunk the store committed after all is not written twice
            raise
        if self._spooled:  # one more look before the process goes (a cut-off replay leaves its file as it was)
            await self._replay()

    def _looking_again(self) -> bool:
        """Records wait for a later look: in the spool, or held in memory."""
        return self._spooled or bool(self._held) or bool(self._aside)

    async def _look_again(self) -> None:
        """At the back-off: the records held in memory (store, then spool), then the spool's files."""
        if self._held or self._aside:
            await self._retry_held()
            if self._held:
                return  # the store is away and the disk full: the spool's files would not go in either
        if self._spooled:
            await self._replay()

    def _take_held(self) -> list[CallRecord]:
        held, self._held = self._held, []
        return held

    def _hand(self, records: list[CallRecord]) -> list[CallRecord]:
        """`records` taken by the writer task to write: in hand until settled (`_settled`)."""
        for record in records:
            self._in_hand[id(record)] = record
        return records

    def _settled(self, records: Iterable[CallRecord]) -> None:
        """`records` are in the store, the spool or memory now (or dropped, and counted so)."""
        if self._in_hand:
            for record in records:
                self._in_hand.pop(id(record), None)

    def _keep_in_hand(self) -> None:
        """close() cut the writer task off: the records it had in hand and not settled, and the queue, go to disk
        on the loop. Not the whole batch it was writing: part of it may be in the spool already (two files of the
        same calls), or in the store."""
        in_hand = list(self._in_hand.values())
        self._in_hand.clear()
        self._keep([*in_hand, *self._drain()])

    async def _write(self, batch: list[CallRecord]) -> None:
        for start in range(0, len(batch), self._batch_size):
            unwritten = await self._write_chunk(batch[start : start + self._batch_size])
            if unwritten:
                await self._keep_off_loop(unwritten)

    async def _write_chunk(self, chunk: list[CallRecord], *, retry: bool = True) -> list[CallRecord]:
        """Write `chunk`; return what the store could not take now (it is unavailable). Records it refuses for
        what they hold are found by halving the chunk (`Halves`) and set aside, the rest written. From the first
        part the store does not take, the rest is returned untried: it would wait out the same retries."""
        parts = Halves(chunk)
        for part in parts:
            try:
                if not await self._write_part(part, retry=retry):
                    return part + parts.rest()
            except RecordsRejected as refusal:
                if not parts.split(part):
                    await self._reject(part, refusal)
        return []

    async def _write_part(self, part: list[CallRecord], *, retry: bool) -> bool:
        """Whether the store took `part`, tried again at `retry_delays` while it is unavailable. A refusal for what
        the records hold is raised (`RecordsRejected`): trying again would not change it."""
        hurry = self._hurry()
        delays = (*self._retry_delays, None) if retry and not hurry else (None,)
        timeout = min(self._write_timeout, _CLOSING_WRITE_TIMEOUT) if hurry else self._write_timeout
        for delay in delays:
            try:
                new = await asyncio.wait_for(self._write_batch(part), timeout)
            except RecordsRejected:
                raise
            except Exception as error:
                if delay is None or self._hurry():
                    detail = first_line(error)  # a shipped log record is one line
                    log.warning("writing %d call records failed (%s: %s)", len(part), type(error).__name__, detail)
                    return False
                log.warning("writing %d call records failed; retrying in %g s", len(part), delay)
                await asyncio.sleep(delay)
            else:
                self.written += len(part)
                self.already_stored += len(part) - new if new is not None else 0
                self._settled(part)
                if self._spooled or self._held:  # the store answers again: bring them in now, not at the back-off
                    self._next_replay, self._replays_failed = 0.0, 0
                return True
        return False  # pragma: no cover - the loop always returns

    def _hurry(self) -> bool:
        """Shutting down, there is no time to wait for a store that is unavailable: one short try, then the
        spool (without a spool, the retries are the records' only chance)."""
        return self._closing and self._spool is not None

    async def _reject(self, records: list[CallRecord], refusal: RecordsRejected) -> None:
        """Records the store refused for what they hold: counted as dropped now, set aside for the operator."""
        self.rejected += len(records)
        self._count_dropped(records)
        nowhere = "" if self._spool is not None else "; set aside in nowhere (no spool)"
        for record in records:
            log.error("call_id=%s the database refused this call record (%s)%s", record.call_id, refusal, nowhere)
        if self._spool is not None:
            await self._keep_off_loop(records, _REFUSED)

    # -- records the store does not take: to the spool, else held in memory up to `max_held`, else dropped --------

    def _keep(self, records: list[CallRecord], kind: _Kind = _UNWRITTEN, *, hold: bool = True) -> None:
        """`records` to the spool's files of their kind, what does not fit held in memory (`_settle`). On the loop:
        for the shutdown paths, which cannot wait for a thread."""
        self._settle(self._to_spool(records, kind), kind, hold=hold)

    async def _keep_off_loop(self, records: list[CallRecord], kind: _Kind = _UNWRITTEN) -> None:
        """`_keep`, with the files written and flushed to disk in the spool's thread. Cut off by the shutdown
        deadline, what the thread wrote is settled all the same (`_cut_off`): the deadline keeps only the rest."""
        if self._spool is None or not records:
            placed = self._to_spool(records, kind)  # nothing to write: no thread
        else:
            writing = self._disk_work(self._to_spool, records, kind)
            try:
                placed = await asyncio.wrap_future(writing)
            except asyncio.CancelledError:
                done = _cut_off(writing)
                self._settle(done if done is not None else _Placed([], records, _UNFINISHED), kind)
                raise
        self._settle(placed, kind)

    def _to_spool(self, records: list[CallRecord], kind: _Kind) -> _Placed:
        """`_put_what_fits` into the spool's files of their kind; without a spool, nowhere."""
        if self._spool is None:
            return _Placed([], records, None)
        return _put_what_fits(self._spool.reject if kind.refused else self._spool.put, records)

    def _settle(self, placed: _Placed, kind: _Kind, *, hold: bool = True) -> None:
        """What became of records given to the spool: the one place records enter memory, leave it or are lost.
        Those in its files leave memory (and are logged, and counted when they are to be replayed). Those left are
        held for the next look, within `max_held` for both kinds together and unless shutting down (`hold` False);
        the rest are dropped: counted in `lost` and `records_dropped` (a refused record was counted when refused),
        and logged with their number, why, and their call ids."""
        pile = self._aside if kind.refused else self._held
        for chunk, _ in placed.files:
            self._settled(chunk)
        self._settled(placed.left)  # held in memory now, or dropped
        for chunk, where in placed.files:
            if not kind.refused:
                self._spooled = True
                self.spooled += len(chunk)
                if self._metrics is not None:
                    self._metrics.records_spooled.inc(len(chunk))
            log.warning(kind.filed, len(chunk), where, _ids(chunk))
        if placed.files and pile:
            filed = {id(record) for chunk, _ in placed.files for record in chunk}
            pile[:] = [record for record in pile if id(record) not in filed]
        if not placed.left:
            return
        present = {id(record) for record in pile}  # a look again, or a write cut off at shutdown handing them twice
        left = [record for record in placed.left if id(record) not in present]
        room = max(0, self._max_held - self.held) if hold else 0
        held, over = left[:room], left[room:]
        pile.extend(held)
        why = _why_left(placed.error, kind, shutting_down=not hold)
        if held and not self._closing:  # closing: close() says what became of them
            log.warning("holding %d %s in memory (%s), %d in all: they go to %s: %s", len(held), kind.noun, why,
                        self.held, kind.next, _ids(held))  # fmt: skip
        if over:
            if hold:
                why += f"; {self._max_held} records are held in memory already, the most the node holds"
            log.error("dropping %d %s (%s): %s", len(over), kind.noun, why, _ids(over))
            self.lost += len(over)
            if not kind.refused:
                self._count_dropped(over)

    async def _retry_held(self) -> None:
        """The records held in memory: the store first, then the spool; the next look waits longer for what neither
        takes. They stay held until one does (the metrics count them; close() cutting this short finds them there,
        and a record the store took meanwhile is skipped when it comes again). The same for refused records the
        spool could not set aside."""
        held = list(self._held)
        unwritten = await self._write_until_unavailable(held)
        if len(unwritten) < len(held):  # written (or refused: set aside now)
            left = {id(record) for record in unwritten}
            taken = {id(record) for record in held if id(record) not in left}
            self._held = [record for record in self._held if id(record) not in taken]  # and those held meanwhile
        await self._keep_off_loop(unwritten)
        await self._retry_aside()
        if self._held or self._aside:
            if not self._closing:
                self._replay_later()
                log.warning("%d call records still held in memory: neither the database nor the spool takes them; "
                            "trying again in %g s", self.held, self._replay_delay_now())  # fmt: skip
        elif held:
            log.info("%d call records held in memory are in the database or the spool now", len(held))

    async def _retry_aside(self) -> None:
        """Refused records held in memory: to the spool's set-aside files, now that it may have room."""
        if self._aside:
            await self._keep_off_loop(list(self._aside), _REFUSED)

    async def _write_until_unavailable(self, records: list[CallRecord]) -> list[CallRecord]:
        """Write `records` a batch at a time, one try each; from the first batch the store cannot take, the
        records not written."""
        for start in range(0, len(records), self._batch_size):
            unwritten = await self._write_chunk(records[start : start + self._batch_size], retry=False)
            if unwritten:
                return unwritten + records[start + self._batch_size :]
        return []

    def _last_chance(self) -> None:
        """At the end of close(): what is still held in memory goes to the spool if it can (on the loop: the
        shutdown cannot wait for a thread); what cannot is dropped, and the log says exactly how many."""
        held, self._held = self._held, []
        aside, self._aside = self._aside, []
        self._keep(held, hold=False)
        self._keep(aside, _REFUSED, hold=False)

    async def _on_disk(self, work: Callable[..., _T], *args: Any) -> _T:
        """Run a spool operation in the spool's thread: one thread, so spool files are written one at a time."""
        return await asyncio.wrap_future(self._disk_work(work, *args))

    def _disk_work(self, work: Callable[..., _T], *args: Any) -> Future[_T]:
        """`work` started in the spool's thread, for a caller that must know its outcome even when cut off."""
        if self._disk is None:
            self._disk = ThreadPoolExecutor(1, thread_name_prefix="call-record-spool")
        return self._disk.submit(work, *args)

    def _count_dropped(self, records: list[CallRecord]) -> None:
        if self._metrics is not None:
            self._metrics.records_dropped.inc(len(records))

    def _replay_delay(self) -> float:
        return self._replay_delays[min(self._replays_failed, len(self._replay_delays) - 1)]

    def _replay_delay_now(self) -> float:
        """How long until the next look, as `_replay_later` set it."""
        return max(0.0, self._next_replay - asyncio.get_running_loop().time())

    async def _replay(self) -> None:
        """Move spooled records into the store, oldest file first; stop at the first the store cannot take.
        A file is claimed first (another process on the same spool may replay too), and a disk that fails here
        delays the replay; it never stops the writer."""
        assert self._spool is not None
        spool = self._spool
        try:
            for path in await self._on_disk(spool.files):
                claimed = await self._on_disk(spool.claim, path)
                if claimed is None:
                    continue  # another process took it
                try:
                    unwritten, tally = await self._replay_file(claimed)
                except OSError:
                    # Unclaimed, the file is tried again at the next look (a record the store already holds is
                    # not written twice); still claimed, nothing would ever look at it again.
                    spool.release(claimed)
                    raise
                if unwritten:
                    self._replay_later()
                    return
                log.info("replayed %s: %d spooled call records written, %d already in the database (skipped), %d "
                         "refused (set aside)", path.name, *tally)  # fmt: skip
                self._replays_failed = 0
            self._spooled = bool(await self._on_disk(spool.files))  # records spooled while this replay ran
        except OSError:
            log.exception("the call-record spool could not be read or written; trying again later")
            self._replay_later()

    async def _replay_file(self, claimed: Any) -> tuple[list[CallRecord], tuple[int, int, int]]:
        """Write one claimed spool file's records; what the store did not take stays in it, alone, and the file is
        given back. The records left unwritten, and how many of the file's the store took anew, held already (a
        batch it committed after the writer gave up on it), and refused."""
        assert self._spool is not None
        spool = self._spool
        records = await self._on_disk(spool.load, claimed)
        written, already_stored, rejected = self.written, self.already_stored, self.rejected
        try:
            unwritten = await self._write_until_unavailable(records)
        except asyncio.CancelledError:
            spool.release(claimed)  # close() ran out of time: the file stays for the next start
            raise
        if unwritten:
            keeping = self._disk_work(spool.keep_only, claimed, unwritten)
            try:
                await asyncio.wrap_future(keeping)
            except asyncio.CancelledError:
                # Cut off while the thread rewrote the file: given back before that rename, it would be renamed
                # again, out from under the released name. The rest, or the whole file, stays for the next start.
                _cut_off(keeping)
                spool.release(claimed)
                raise
            await self._on_disk(spool.release, claimed)
        else:
            await self._on_disk(spool.remove, claimed)
        skipped = self.already_stored - already_stored
        return unwritten, (self.written - written - skipped, skipped, self.rejected - rejected)

    def _replay_later(self) -> None:
        self._replays_failed += 1
        self._next_replay = asyncio.get_running_loop().time() + self._replay_delay()


class Halves(Generic[_T]):
    """The parts of a batch to try one after the other, the whole batch first. A part that fails for some of its
    records (a value the store refuses, a disk without room for all of it) is split in two (`split`), tried next in
    its place, down to single records: what the store or the disk takes goes in, in order, and the records it does
    not take are found in a few tries. The one halving rule of the writer's batches, its spool files and `ivrgraph
    records replay-rejected` (agi_server.rejected)."""

    def __init__(self, records: list[_T]) -> None:
        self._parts = [records] if records else []  # a stack: the next part last

    def __iter__(self) -> Iterator[list[_T]]:
        while self._parts:
            yield self._parts.pop()

    def split(self, part: list[_T]) -> bool:
        """Try `part` again as its two halves, next; False when it is one record, which cannot be split."""
        if len(part) < 2:
            return False
        half = len(part) // 2
        self._parts += (part[half:], part[:half])
        return True

    def rest(self) -> list[_T]:
        """The records of the parts not tried yet, in order: for a loop that stops early."""
        return [record for part in reversed(self._parts) for record in part]


class _Placed(NamedTuple):
    """What `_put_what_fits` put in the spool."""

    files: list[tuple[list[CallRecord], Any]]  # each file written, with its records, in order
    left: list[CallRecord]  # the records in none of them
    error: OSError | None  # why they are not (None: no spool)


def _put_what_fits(put: Callable[[Sequence[CallRecord]], Any], records: list[CallRecord]) -> _Placed:
    """Put `records` in the spool with `put`; a disk without room for them in one file takes them in smaller ones
    (`Halves`), so that what fits of a large batch is kept (a nearly full disk). It stops at a single record the disk
    has no room for, or any other error: the records after it would not go in either."""
    files: list[tuple[list[CallRecord], Any]] = []
    parts = Halves(records)
    for part in parts:
        try:
            files.append((part, put(part)))
        except OSError as error:
            if error.errno in _NO_ROOM and parts.split(part):
                continue
            return _Placed(files, part + parts.rest(), error)
    return _Placed(files, [], None)


def _why_left(error: OSError | None, kind: _Kind, *, shutting_down: bool) -> str:
    """Why records are not on disk, as the log says it; `error` is the spool's (None: there is no spool, which a
    refused record is never held for)."""
    if error is None:
        why = "the database cannot take them and there is no spool" if shutting_down else "no spool to keep them"
    elif kind.refused:
        why = f"the spool cannot set them aside: {error}"
    elif shutting_down:
        why = f"the database and the spool cannot keep them: {error}"
    else:
        why = f"the spool cannot keep them either: {error}"
    return f"shutting down, and {why}" if shutting_down else why


# Why records are not on disk when the shutdown deadline cut off the spool's thread before it said (`_cut_off`).
_UNFINISHED: Final = TimeoutError("the shutdown deadline came before the spool's disk had written them")


def _cut_off(work: Future[_T]) -> _T | None:
    """The outcome of spool work the shutdown deadline cut off (close() cancelled the task awaiting it): the thread
    cannot be stopped mid-write, so it is waited for here, on the loop as the shutdown's own writes are, up to
    `_CLOSING_WRITE_TIMEOUT`. None when it did nothing (it had not started: it never will), failed, or is still at it
    then: its records are kept again, twice on disk rather than lost."""
    if work.cancel():
        return None
    try:
        return work.result(timeout=_CLOSING_WRITE_TIMEOUT)
    except Exception as error:  # the work's own failure (a disk error), or TimeoutError
        log.warning("a call-record spool write cut off at shutdown did not finish (%s)", first_line(error))
        return None


def _ids(records: list[CallRecord]) -> str:
    return ", ".join(record.call_id for record in records)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
