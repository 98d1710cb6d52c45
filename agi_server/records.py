"""Call records: what happened on each call, written off the hot path in batches.

A call puts its record on a bounded queue as it ends; one writer task takes whatever has piled up (up to a
batch) and hands it to the injected `write_batch` (the persistence layer's SQL insert in production).
Writes are at least `flush_interval` apart: a record arriving after a quiet spell is written at once (no timer
wakes the process later just for it), and under load the records of an interval pile up and go in one batch:
at thousands of calls one wake-up and one INSERT per interval instead of one per call. A full queue makes the
finishing call wait, never drops its record; `close()` writes everything left.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Final

from agi_server.metrics import AgiMetrics
from graph_engine.trace import CallResult, TraceStep

log = logging.getLogger(__name__)

RETRY_DELAYS: Final = (0.1, 0.5, 2.0)


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
    peer: str = ""
    error: str | None = None
    trace: dict[str, Any] = field(default_factory=dict)  # CallResult.as_dict()


WriteBatch = Callable[[list[CallRecord]], Awaitable[None]]


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
        self.written = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="call-record-writer")

    async def submit(self, record: CallRecord) -> None:
        """Queue `record`; wait while the queue is full (the writer is behind), never drop it."""
        while not self.offer(record):
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
        if self._task is None:
            await self._write(self._drain())
            return
        self._wake_writer()
        flush_wait, self._flush_wait = self._flush_wait, None
        if flush_wait is not None:
            _resolve(flush_wait)  # write now: shutdown has a deadline
        await self._task
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
            if not self._pending:
                if self._closing:
                    break
                self._wake = loop.create_future()
                await self._wake
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
            await self._write(self._take())
        await self._write(self._drain())

    async def _write(self, batch: list[CallRecord]) -> None:
        for start in range(0, len(batch), self._batch_size):
            chunk = batch[start : start + self._batch_size]
            for attempt, delay in enumerate((*self._retry_delays, None)):
                try:
                    await self._write_batch(chunk)
                    self.written += len(chunk)
                    break
                except Exception:
                    if delay is None:
                        log.exception("dropping %d call records after %d attempts", len(chunk), attempt + 1)
                        if self._metrics is not None:
                            self._metrics.records_dropped.inc(len(chunk))
                        break
                    log.warning("writing %d call records failed; retrying in %g s", len(chunk), delay)
                    await asyncio.sleep(delay)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
