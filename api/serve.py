"""`ivrgraph serve`: the API and a FastAGI server in one process, sharing one database and one publish hub.

A publish made through this API reaches this process's FastAGI server at once (the hub); publishes made on
another node arrive through the version stamp poller.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from pathlib import Path

import uvicorn

from agi_server.ami import AmiSettings
from agi_server.dialer import DatabaseJobStore, DialerSettings, RunningDialer, callback_resolver, start_dialer
from agi_server.scenarios import CachedScenarioSource, PublishedScenario, SourceLoader
from agi_server.server import AgiServer, AgiServerConfig, SystemClock
from api.app import create_app
from api.seed import seed_folder
from api.settings import Settings
from blocks import default_registry
from graph_engine.document import build_scenario
from graph_engine.services import Services, SilentTts, TextToSpeech
from persistence.callbacks import DatabaseCallbackScheduler
from persistence.calls import CallRecordWriter
from persistence.datasources import DatabaseDataSources
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.publishing import PublishHub
from persistence.scenario_source import DatabaseScenarios, VersionPoller
from persistence.scenarios import Published

log = logging.getLogger(__name__)


def _as_runtime(published: Published) -> PublishedScenario:
    # A stored version passed validation before it was stored: its structure is sound.
    return PublishedScenario(published.slug, published.number, build_scenario(published.document))


def _speech() -> TextToSpeech:
    try:
        from voice.service import TtsService
        from voice.settings import VoiceSettings
        from voice.templating import install_template_functions
    except ImportError:  # voice not installed: spoken phrases get names but no audio
        log.error("the voice package is not installed: text-to-speech prompts will not play")
        return SilentTts()

    install_template_functions()
    settings = VoiceSettings.from_env()
    try:
        return TtsService.from_settings(settings)
    except OSError as error:
        if "IVRGRAPH_MEDIA_ROOT" in os.environ:
            raise
        # A developer machine without /var/lib/ivrgraph: keep media beside the database.
        local = Path.cwd() / "media"
        log.warning("media root %s unusable (%s); using %s", settings.media_root, error, local)
        return TtsService.from_settings(dataclasses.replace(settings, media_root=local))


async def serve(
    settings: Settings, *, host: str, port: int, agi_host: str, agi_port: int, seed: Path | None = None
) -> None:
    await asyncio.to_thread(upgrade, settings.database_url)
    database = Database(settings.database_url)
    registry = default_registry()
    if seed is not None:
        for item in await asyncio.to_thread(seed_folder, database, registry, seed):
            log.info("seed %s: %s", item.slug, item.outcome)
    stored = DatabaseScenarios(database)

    async def load(slug: str) -> PublishedScenario | None:
        found = await stored.published(slug)
        return _as_runtime(found) if found is not None else None

    source = CachedScenarioSource(load)
    loop = asyncio.get_running_loop()

    def on_publish(published: Published) -> None:
        # The hub may call from a worker thread; the cache belongs to the event loop.
        loop.call_soon_threadsafe(source.publish, _as_runtime(published))

    hub = PublishHub()
    hub.subscribe(on_publish)
    poller = VersionPoller(stored, on_publish, interval=settings.version_poll_seconds)
    jobs = DatabaseJobStore(database)
    data_sources = DatabaseDataSources(database)
    services = Services(
        clock=SystemClock(),
        tts=_speech(),
        data_sources=data_sources,
        scheduler=DatabaseCallbackScheduler(database),
        scenarios=SourceLoader(source),
    )
    allow = tuple(n.strip() for n in os.environ.get("IVRGRAPH_AGI_ALLOW", "").split(",") if n.strip())
    agi_config = AgiServerConfig(host=agi_host, port=agi_port)
    if allow:  # Asterisk peers allowed to connect, e.g. "10.0.0.0/24,10.0.1.5/32"
        agi_config = dataclasses.replace(agi_config, allow=allow)
    agi = AgiServer(
        agi_config,
        source=source,
        registry=registry,
        services=services,
        write_batch=CallRecordWriter(database),
        resolve_inputs=callback_resolver(jobs, SystemClock()),
    )
    app = create_app(
        dataclasses.replace(settings, migrate_on_start=False), registry=registry, hub=hub, database=database
    )
    api = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info"))
    await agi.start()
    dialer: RunningDialer | None = None
    ami = AmiSettings.from_environ()
    if ami is not None:
        dialer = await start_dialer(store=jobs, ami=ami, settings=DialerSettings.from_environ(), clock=SystemClock())
    polling = asyncio.create_task(poller.run(), name="version-poller")
    try:
        await api.serve()  # returns on SIGINT/SIGTERM
    finally:
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        if dialer is not None:
            await dialer.stop()
        await agi.stop()
        data_sources.close()
        database.dispose()
