"""The FastAGI runtime on the shared database: what `ivrgraph serve` and `ivrgraph agi --database URL` both run.

    published versions:  DatabaseScenarios -> CachedScenarioSource (swapped atomically) <- VersionPoller
    call records:        RecordWriter -> CallRecordWriter (batch inserts in a worker thread); RecordSpool on
                         local disk while the database cannot take them
    answered callbacks:  "<slug>?job=<id>" -> callback_resolver(DatabaseJobStore) (job reached at once)
    outbound calls:      the AMI dialer, when IVRGRAPH_AMI_HOST is set

A version published on any node reaches this one within the poll interval (`ivrgraph serve` also pushes its
own publishes at once through its hub, via `publish`). Calls in progress keep the version they started on.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from pathlib import Path

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from agi_server.ami import AmiSettings
from agi_server.dialer import DatabaseJobStore, DialerSettings, RunningDialer, callback_resolver, start_dialer
from agi_server.errors import first_line
from agi_server.options import voice_settings
from agi_server.plugin_services import close_plugin_services, load_plugin_services
from agi_server.records import CallRecord, RecordsRejected, WriteBatch
from agi_server.scenarios import CachedScenarioSource, PublishedScenario, SourceLoader
from agi_server.server import InputResolver, SystemClock
from agi_server.spool import spool_for, warn_of_set_aside_records
from graph_engine.document import build_scenario
from graph_engine.services import Services, SilentTts, TextToSpeech
from persistence.callbacks import DatabaseCallbackScheduler
from persistence.calls import CallRecordWriter
from persistence.datasources import DatabaseDataSources
from persistence.db import Database
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

    async def write_batch(records: list[CallRecord]) -> None:
        try:
            await write(records)
        except Exception as error:
            reason = refusal(error)
            if reason is None:
                raise
            raise RecordsRejected(reason) from error

    return write_batch


class DatabaseRuntime:
    """The database side of one FastAGI node. Create it inside the running event loop; `start`, then `stop`."""

    def __init__(self, database: Database, *, poll_seconds: float = 2.0, tts: TextToSpeech | None = None) -> None:
        extras = load_plugin_services()  # first: a plugin that cannot start raises before anything is opened
        self.database = database
        self._stored = DatabaseScenarios(database)
        self.source = CachedScenarioSource(self._load)
        self.poller = VersionPoller(self._stored, self._swap_in, interval=poll_seconds, on_listed=self._keep_only)
        self.jobs = DatabaseJobStore(database)
        self.data_sources = DatabaseDataSources(database)
        self.write_batch = _refusals_named(CallRecordWriter(database))
        self.spool = spool_for(database.url)  # records the database cannot take now, until it can
        warn_of_set_aside_records(self.spool)
        self.resolve_inputs: InputResolver = callback_resolver(self.jobs, SystemClock())
        self.services = Services(
            clock=SystemClock(),
            tts=tts if tts is not None else speech(),
            data_sources=self.data_sources,
            scheduler=DatabaseCallbackScheduler(database),
            scenarios=SourceLoader(self.source),
            extras=extras,
        )
        self._loop = asyncio.get_running_loop()
        self._polling: asyncio.Task[None] | None = None
        self.dialer: RunningDialer | None = None

    async def _load(self, slug: str) -> PublishedScenario | None:
        found = await self._stored.published(slug)
        return as_runtime(found) if found is not None else None

    def publish(self, published: Published) -> None:
        """A new version (from the poller, or a publish hub that may call from a worker thread)."""
        self._loop.call_soon_threadsafe(self.source.publish, as_runtime(published))

    def _swap_in(self, published: Published) -> None:
        """A new version the poller found (it runs on this loop: the cache is swapped before the poll returns)."""
        self.source.publish(as_runtime(published))

    def withdraw(self, slug: str) -> None:
        """A scenario deleted through this process's API (the publish hub, maybe from a worker thread)."""
        self._loop.call_soon_threadsafe(self.source.withdraw, slug)

    def _keep_only(self, published: set[str]) -> None:
        # The poller's list of published slugs: one deleted through another node goes from the cache here.
        for slug in self.source.slugs():
            if slug not in published:
                self.source.withdraw(slug)

    async def start(self, *, ami: AmiSettings | None = None, dialer: DialerSettings | None = None) -> None:
        """Poll for versions published elsewhere; dial callbacks through AMI when `ami` is given. AMI down or
        refusing the login does not fail this (the node serves calls): see `start_dialer`."""
        # Every published scenario, now: calls find them in memory, even while the database is away.
        await self.poller.poll_once()
        self._polling = asyncio.create_task(self.poller.run(), name="version-poller")
        if ami is not None:
            self.dialer = await start_dialer(
                store=self.jobs, ami=ami, settings=dialer or DialerSettings.from_environ(), clock=SystemClock()
            )

    async def stop(self, deadline: float = 10.0) -> None:
        """Stop polling and dialling: no job is claimed from now on, and calls being dialled get up to `deadline`
        seconds (see `RunningDialer.stop`). Run it alongside the FastAGI server's own stop, which has the same
        deadline; `close` after both."""
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
