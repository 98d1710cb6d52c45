"""The FastAGI runtime on the shared database: what `ivrgraph serve` and `ivrgraph agi --database URL` both run.

    published versions:  DatabaseScenarios -> CachedScenarioSource (swapped atomically) <- VersionPoller
    call records:        RecordWriter -> CallRecordWriter (batch inserts in a worker thread); RecordSpool on
                         local disk while the database cannot take them; a dialled call named after its client,
                         with the number it rang (`_callees_named`)
    answered callbacks:  "<slug>?job=<id>" -> callback_resolver(DatabaseJobStore) (job reached at once)
    Callback blocks:     CallbackDeadline(DatabaseCallbackScheduler): a job stored within SCHEDULE_TIMEOUT, or the
                         block's error exit (and a job stored after it cancelled)
    outbound calls:      the AMI dialer, when IVRGRAPH_AMI_HOST is set; on shutdown the FastAGI listener stays
                         open until its calls still ringing have ended (`callbacks_in`)

A version published on any node reaches this one within the poll interval (`ivrgraph serve` also pushes its
own publishes at once through its hub, via `publish`). Calls in progress keep the version they started on.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
    StatementError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from agi_server.ami import AmiSettings
from agi_server.ami_protocol import DialOutcome
from agi_server.callback_arrivals import EarlyHangups, callback_resolver, early_hangup_retrier
from agi_server.dialer import Dialer, RunningDialer, start_dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.errors import first_line
from agi_server.job_contacts import JobContact, job_contacts
from agi_server.job_stores import DatabaseJobStore
from agi_server.options import voice_settings
from agi_server.plugin_services import close_plugin_services, load_plugin_services
from agi_server.records import CallRecord, RecordsRejected, WriteBatch
from agi_server.scenarios import CachedScenarioSource, PublishedScenario, SourceLoader, warn_of_missing_block_types
from agi_server.server import JOB_INPUT, CallEnded, InputResolver, ResolvedInputs, SystemClock
from agi_server.spool import spool_for, warn_of_other_spools, warn_of_set_aside_records
from graph_engine.document import build_scenario
from graph_engine.errors import SchedulerError
from graph_engine.registry import BlockRegistry
from graph_engine.services import CallbackReceipt, CallbackRefused, CallbackRequest, Services, SilentTts, TextToSpeech
from persistence.callbacks import DatabaseCallbackScheduler, cancel_job
from persistence.calls import CallRecordWriter
from persistence.datasources import DatabaseDataSources
from persistence.db import Database
from persistence.errors import NotCancellable, NotFound
from persistence.failure_log import FAILURE_REMINDER_SECONDS
from persistence.models import utcnow
from persistence.scenario_source import DatabaseScenarios, VersionPoller
from persistence.scenarios import Published

log = logging.getLogger(__name__)


def as_runtime(published: Published) -> PublishedScenario:
    # A stored version passed validation before it was stored: its structure is sound.
    return PublishedScenario(published.slug, published.number, build_scenario(published.document), published.stamp)


def check_speech_settings() -> None:
    """Raise SettingError now for a text-to-speech setting that cannot work, before a start-up does slow work
    (`serve` migrates the database first) only to stop on it afterwards."""
    try:
        from voice.settings import VoiceSettings
    except ImportError:
        return  # `speech()` says so when it is asked for
    voice_settings(VoiceSettings.from_env)


def speech() -> TextToSpeech:
    """The voice package's TTS for calls (a caller waits `IVRGRAPH_TTS_CALLER_WAIT` at most, then hears the
    fallback voice); media beside the working directory when the configured root is unusable."""
    try:
        from voice.service import TtsService
        from voice.settings import VoiceSettings
        from voice.templating import install_template_functions
    except ImportError:  # voice not installed: spoken phrases get names but no audio
        log.error("the voice package is not installed: text-to-speech prompts will not play")
        return SilentTts()

    install_template_functions()
    settings = voice_settings(VoiceSettings.from_env)
    try:
        return TtsService.from_settings(settings, for_calls=True)
    except OSError as error:
        if "IVRGRAPH_MEDIA_ROOT" in os.environ:
            raise
        # A developer machine without /var/lib/ivrgraph: keep media beside the database.
        local = Path.cwd() / "media"
        log.warning("media root %s unusable (%s); using %s", settings.media_root, error, local)
        return TtsService.from_settings(dataclasses.replace(settings, media_root=local), for_calls=True)


def refusal(error: Exception) -> str | None:
    """Why the database refused call records for what they hold (a value it cannot store), from the error their
    insert raised; None for an error that says it is unavailable (down, unreachable, locked), or any other."""
    if isinstance(error, DataError | IntegrityError):
        return first_line(error.orig or error)
    if isinstance(error, StatementError):
        # The database's own error, e.g. OperationalError, is unavailability; others are about a value bound.
        return None if isinstance(error, DBAPIError) else first_line(error)
    if isinstance(error, TypeError | ValueError):
        return f"{type(error).__name__}: {error}"
    return None


def _refusals_named(write: CallRecordWriter) -> WriteBatch:
    """The database's insert, with the errors that come from what records hold (a value it cannot store)
    raised as `RecordsRejected`: the writer sets those records aside instead of retrying and spooling them, as
    it does when the database is unavailable."""

    async def write_batch(records: list[CallRecord]) -> int:
        try:
            return await write(records)
        except Exception as error:
            reason = refusal(error)
            if reason is None:
                raise
            raise RecordsRejected(reason) from error

    return write_batch


# A lookup of the callees failing with one of these met a database that is away (down, unreachable, its connections
# all taken): the insert right after it would fail alike.
_DATABASE_AWAY: Final = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    PoolTimeoutError,
    ConnectionError,
    TimeoutError,
)


def name_callees(records: Sequence[CallRecord], contacts: Mapping[str, JobContact]) -> None:
    """Each record of a call placed for a callback job named after whom the job calls (`contacts`, by job id): the
    client's name as its caller name (none when the job has none), and the job's number as the number dialled.

    An originated call's CallerID is the dialer's own, and Asterisk's env names the dialplan's `s` extension as its
    dialled number: the register's caller name was empty (or the company's), and a callback whose job could not be
    loaded (JOB_UNAVAILABLE), or that a stopping node refused, was recorded as dialled to `s`, so neither the Calls
    page's name search nor its number search (`?caller=`: the number's `dialed_key`, persistence.calls) found the
    client's calls. Set in the records' facts before the insert, so a record the database cannot take now keeps
    them in the spool; what API users without `sees_personal_data` read of them is masked as any caller's."""
    for record in records:
        contact = contacts.get(record.job_id or "")
        if contact is None:
            continue
        # The client's name, or none: not the CallerID name the dialer went out with (the company's), which the
        # register, showing a dialled call as ours ("outbound → <name> (<number>)"), would give as the client's.
        record.facts["caller_name"] = contact.name
        if contact.number:
            record.facts["dialed_number"] = contact.number


def _wanted(records: Sequence[CallRecord]) -> list[str]:
    return sorted({record.job_id for record in records if record.job_id})


def _callees_named(write: WriteBatch, jobs: DatabaseJobStore) -> WriteBatch:
    """The records' insert, each call placed for a callback job named after whom it rang first (`name_callees`).

    A lookup the database cannot answer (it is away: `_DATABASE_AWAY`) fails the batch as its insert would have: the
    writer tries it again and then keeps it in the spool, whose replay comes back here, so the records are written
    named once the database is back. Written unnamed, they stayed so for good (two-node review), the failure logged
    at debug only. Any other failure of the lookup (a bug, a job's data it cannot read) would fail every batch the
    same way, and the spool would keep every call of the node from the register: those records are written as
    Asterisk named them, and a WARNING says so, once a minute at most while it goes on."""
    warned_at: float | None = None
    unnamed = 0  # batches written unnamed since the last warning

    async def write_batch(records: list[CallRecord]) -> int | None:
        nonlocal warned_at, unnamed
        wanted = _wanted(records)
        if wanted:
            try:
                contacts = await jobs.contacts(wanted)
            except _DATABASE_AWAY:
                raise
            except Exception as error:
                contacts = {}
                unnamed += 1
                now = time.monotonic()
                if warned_at is None or now - warned_at >= FAILURE_REMINDER_SECONDS:
                    log.warning(
                        "the clients' names and numbers of %d callback calls could not be read (%s: %s): their "
                        "records are written as Asterisk named them (%d batches so far)",
                        len(wanted),
                        type(error).__name__,
                        first_line(error),
                        unnamed,
                    )
                    warned_at, unnamed = now, 0
            name_callees(records, contacts)
        return await write(records)

    return write_batch


class CalleesUnknown(Exception):
    """The clients of the callback calls a replay writes could not be read (`callees_named_now`)."""


def callees_named_now(
    write: Callable[[Sequence[CallRecord]], object], database: Database
) -> Callable[[Sequence[CallRecord]], object]:
    """`_callees_named` for a write in the caller's thread (`ivrgraph records replay`, agi_server.rejected): the records
    are named before `write`. A lookup that fails fails the write as one the database is away for (`CalleesUnknown`,
    never read as a refusal of what the records hold): the replay stops, its files kept for the next run."""

    def write_batch(records: Sequence[CallRecord]) -> object:
        wanted = _wanted(records)
        if wanted:
            try:
                contacts = job_contacts(database, wanted)
            except Exception as error:
                raise CalleesUnknown(
                    f"the clients of {len(wanted)} callback calls could not be read: {type(error).__name__}: "
                    f"{first_line(error)}"
                ) from error
            name_callees(records, contacts)
        return write(records)

    return write_batch


SCHEDULE_TIMEOUT: Final = 3.0  # a caller waits this long at most for a Callback block's job to be stored
STORED_TOO_LATE: Final = "stored_too_late"  # the outcome of a job cancelled by `CallbackDeadline`
Scheduled = CallbackReceipt | CallbackRefused


class CallbackDeadline:
    """The Callback block's scheduler with a deadline of the host's: the job is stored within `timeout` seconds or
    the block takes its error exit then. A database that froze (a stopped server, a dead proxy: TCP still
    acknowledged) kept the caller in silence 10-15 s, the driver's connect and ping timeouts (chaos review).

    The store cannot be stopped in its thread, and may still commit after the deadline, once the database answers.
    The caller was told then that no callback was scheduled, and the call's trace names no job, so a job it makes
    is cancelled (outcome `stored_too_late`, a WARNING naming it): nobody is called back unannounced. A request
    that joined a job already waiting (`merged`: another call's promise) is kept, and logged: that callee is called
    back once in any case. A job that cannot be cancelled (the database gone again, or the dialer took it in
    between) is logged as an ERROR naming it, for an operator to cancel."""

    def __init__(
        self, scheduler: DatabaseCallbackScheduler, database: Database, *, timeout: float = SCHEDULE_TIMEOUT
    ) -> None:
        self._scheduler = scheduler
        self._database = database
        self._timeout = timeout
        self._late: set[asyncio.Task[None]] = set()  # cancellations under way: held until they are done

    async def schedule(self, request: CallbackRequest) -> Scheduled:
        storing = asyncio.ensure_future(self._scheduler.schedule(request))
        try:
            # shield: the deadline ends the caller's wait, not the store, whose outcome `_stored_late` still reads.
            return await asyncio.wait_for(asyncio.shield(storing), self._timeout)
        except TimeoutError:
            storing.add_done_callback(functools.partial(self._stored_late, request))
            raise SchedulerError(
                f"the callback could not be stored within {self._timeout:g} s: the database did not answer"
            ) from None

    def _stored_late(self, request: CallbackRequest, storing: asyncio.Future[Scheduled]) -> None:
        if storing.cancelled():
            return
        failure = storing.exception()
        if failure is not None:  # nothing was stored: what the caller heard holds
            log.info("call %s: the callback given up at its deadline failed too: %s", request.origin_call_id, failure)
            return
        answer = storing.result()
        if not isinstance(answer, CallbackReceipt):
            return
        if answer.merged:
            log.warning(
                "callback job %s: call %s joined it after its Callback block gave up at its deadline; the job is "
                "kept (an earlier call was promised it)",
                answer.job_id,
                request.origin_call_id,
            )
            return
        cancelling = asyncio.create_task(
            asyncio.to_thread(self._cancel, answer.job_id, request.origin_call_id), name="late-callback"
        )
        self._late.add(cancelling)
        cancelling.add_done_callback(self._late.discard)

    def _cancel(self, job_id: str, call_id: str | None) -> None:
        try:
            with self._database.session() as session:
                cancel_job(session, job_id=job_id, now=utcnow(), outcome=STORED_TOO_LATE)
        except (NotCancellable, NotFound, SQLAlchemyError) as error:
            log.error(
                "callback job %s was stored after call %s's Callback block gave up at its deadline (the caller "
                "was told no callback was scheduled) and could not be cancelled: %s; cancel it with "
                "POST /api/callbacks/%s/cancel",
                job_id,
                call_id,
                first_line(error),
                job_id,
            )
            return
        log.warning(
            "callback job %s was stored after call %s's Callback block gave up at its deadline: cancelled (%s), as "
            "the caller was told no callback was scheduled",
            job_id,
            call_id,
            STORED_TOO_LATE,
        )


class _TalliedEarlyHangups:
    """The job store's `retry_hung_up_early`, `moved()` told once per call whose job it moved on (the store's answer
    to a retry after a lost commit is the same job, and only the answer that arrives counts)."""

    def __init__(self, jobs: EarlyHangups, moved: Callable[[], None]) -> None:
        self._jobs = jobs
        self._moved = moved

    async def retry_hung_up_early(self, job_id: str, *, at: datetime, retry_after: timedelta) -> str | None:
        status = await self._jobs.retry_hung_up_early(job_id, at=at, retry_after=retry_after)
        if status is not None:
            self._moved()
        return status


class DatabaseRuntime:
    """The database side of one FastAGI node. Create it inside the running event loop; `start`, then `stop`.

    `registry`: the blocks this node's calls run (default: the installed ones, as `ivrgraph serve` and `agi` load
    them); a published version naming a type it lacks is logged at WARNING when the node first holds it."""

    def __init__(
        self,
        database: Database,
        *,
        poll_seconds: float = 2.0,
        tts: TextToSpeech | None = None,
        registry: BlockRegistry | None = None,
    ) -> None:
        from blocks import default_registry  # as agi_server.cli does: the plugins load when a node starts

        extras = load_plugin_services()  # first: a plugin that cannot start raises before anything is opened
        self.registry = registry if registry is not None else default_registry(skip_broken=True)
        self.database = database
        self._stored = DatabaseScenarios(database)
        self.source = CachedScenarioSource(self._load)
        self.poller = VersionPoller(self._stored, self._swap_in, interval=poll_seconds, on_listed=self._keep_only)
        self.jobs = DatabaseJobStore(database)
        self.data_sources = DatabaseDataSources(database)
        self.write_batch = _callees_named(_refusals_named(CallRecordWriter(database)), self.jobs)
        self.spool = spool_for(database.url)  # records the database cannot take now, until it can
        warn_of_set_aside_records(self.spool)
        warn_of_other_spools(self.spool)  # spooled under another URL of the database, say: no node replays them
        self._callbacks = callback_resolver(self.jobs, SystemClock())
        self.resolve_inputs: InputResolver = self._resolve_inputs
        # A campaign's client who hung up early is due again after the no-answer interval its dialer uses; a node
        # that does not dial reads it from the same setting (IVRGRAPH_DIAL_RETRY_NO_ANSWER).
        self._no_answer_retry = DialerSettings.no_answer_retry()
        # Built once, not per finished call; again at `start` when the dialer's own interval is known.
        self._early_hangups = _TalliedEarlyHangups(self.jobs, self._tally_early_hangup)
        self._retry_early = early_hangup_retrier(self._early_hangups, retry_after=self._no_answer_retry)
        self.call_ended: CallEnded = self._call_ended
        self.services = Services(
            clock=SystemClock(),
            tts=tts if tts is not None else speech(),
            data_sources=self.data_sources,
            scheduler=CallbackDeadline(DatabaseCallbackScheduler(database), database),
            scenarios=SourceLoader(self.source),
            extras=extras,
        )
        self._loop = asyncio.get_running_loop()
        self._polling: asyncio.Task[None] | None = None
        # What the log last said this node serves, (stamp, number) by slug: each change is said once, whether the
        # poller or this process's publish hub brings it first (`_serve`).
        self._serving: dict[str, tuple[int, int]] = {}
        self.dialer: RunningDialer | None = None
        self._dialing: Dialer | None = None  # the dialer's loop, kept past `stop`: its calls end after it

    async def _resolve_inputs(self, slug: str, inputs: Mapping[str, str]) -> ResolvedInputs | None:
        """The callback job a call names (`callback_resolver`); the dialer is told the call came here first, so that
        a stopping node need not keep its listener open for that callee any more (`callbacks_in`)."""
        job_id = inputs.get(JOB_INPUT, "")
        if job_id and self._dialing is not None:
            self._dialing.arrived(job_id)
        return await self._callbacks(slug, inputs)

    async def _call_ended(self, record: CallRecord) -> None:
        """A callback's call over: its client, gone early, is called again if the campaign asks for it
        (`early_hangup_retrier`)."""
        await self._retry_early(record)

    def _tally_early_hangup(self) -> None:
        """An answered attempt found an early hangup as its call ended, its job moved on: `hung_up_early` in the
        dialer's attempts (counted here, on the node that took the call, when it dials too)."""
        if self._dialing is not None:
            self._dialing.tally_early_hangup()

    async def callbacks_in(self, timeout: float) -> None:
        """Return once no callback this node dialled may still come to its FastAGI listener (none rings, each
        callee who answered has come), or after `timeout` seconds; at once without a dialer. A stopping node's
        listener stays open until then (`agi_server.cli.stop_server`)."""
        if self._dialing is not None:
            await self._dialing.until_callbacks_in(timeout)

    def awaits_callback(self, job_id: str) -> bool:
        """Is callback job `job_id` one this node's dialer placed a call for that may still come to its listener
        (`Dialer.awaits`)? Only those are taken while `callbacks_in` holds a stopping node's listener open."""
        return self._dialing is not None and self._dialing.awaits(job_id)

    async def _load(self, slug: str) -> PublishedScenario | None:
        found = await self._stored.published(slug)
        return as_runtime(found) if found is not None else None

    def publish(self, published: Published) -> None:
        """A new version (from the poller, or a publish hub that may call from a worker thread)."""
        self._loop.call_soon_threadsafe(self._serve, as_runtime(published))

    def _swap_in(self, published: Published) -> None:
        """A new version the poller found (it runs on this loop: the cache is swapped before the poll returns).
        Its first poll, at `start`, finds every published scenario: one that uses a block type this node lacks is
        logged then, once (and a later version published on a node that has the plugin, once when it arrives)."""
        runtime = as_runtime(published)
        warn_of_missing_block_types(runtime, self.registry)
        self._serve(runtime)

    def _serve(self, runtime: PublishedScenario) -> None:
        """`runtime` held for new calls, and said at INFO once per version this node takes up: the hub's publish
        and the poll finding the same version a moment later say it once; an older one arriving late, not at all.
        Without it, which version a node served from when was nowhere in its log (operations review)."""
        self.source.publish(runtime)
        now = (runtime.stamp, runtime.version)
        was = self._serving.get(runtime.slug)
        if was is not None and now <= was:
            return
        self._serving[runtime.slug] = now
        if was is None:
            log.info("serving %s v%d", runtime.slug, runtime.version)
        else:
            log.info("serving %s v%d (was v%d)", runtime.slug, runtime.version, was[1])

    def withdraw(self, slug: str) -> None:
        """A scenario deleted through this process's API (the publish hub, maybe from a worker thread)."""
        self._loop.call_soon_threadsafe(self._withdraw, slug)

    def _withdraw(self, slug: str) -> None:
        """New calls to `slug` get the fallback from now on; said at INFO once, when this node held it."""
        held = slug in self.source.held_versions()
        self.source.withdraw(slug)
        if self._serving.pop(slug, None) is not None or held:
            log.info("%s withdrawn", slug)

    def _keep_only(self, published: set[str]) -> None:
        # The poller's list of published slugs: one deleted through another node goes from the cache here.
        for slug in self.source.slugs():
            if slug not in published:
                self._withdraw(slug)

    async def start(self, *, ami: AmiSettings | None = None, dialer: DialerSettings | None = None) -> None:
        """Poll for versions published elsewhere; dial callbacks through AMI when `ami` is given. AMI down or
        refusing the login does not fail this (the node serves calls): see `start_dialer`."""
        # Every published scenario, now: calls find them in memory, even while the database is away.
        await self.poller.poll_once()
        self._polling = asyncio.create_task(self.poller.run(), name="version-poller")
        if dialer is not None:
            self._no_answer_retry = dialer.retry_after.get(DialOutcome.NO_ANSWER, self._no_answer_retry)
            self._retry_early = early_hangup_retrier(self._early_hangups, retry_after=self._no_answer_retry)
        if ami is not None:
            self.dialer = await start_dialer(
                store=self.jobs, ami=ami, settings=dialer or DialerSettings.from_environ(), clock=SystemClock()
            )
            self._dialing = self.dialer.dialer

    async def stop(self, deadline: float = 10.0) -> None:
        """Stop polling and dialling: no job is claimed from now on, and calls being dialled get up to `deadline`
        seconds, those still ringing then hung up (see `RunningDialer.stop`). Run it alongside the FastAGI server's own
        stop, which has the same deadline and begins once `callbacks_in` returns; `close` after both."""
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        if self.dialer is not None:
            dialer, self.dialer = self.dialer, None
            await dialer.stop(deadline)

    async def close_services(self) -> None:
        """The plugins' services closed once no call can use them: after `stop` and the FastAGI server's stop."""
        extras, self.services.extras = self.services.extras, {}
        await close_plugin_services(extras)

    def close(self) -> None:
        self.data_sources.close()
