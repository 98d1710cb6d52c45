"""`ivrgraph serve`: the API and a FastAGI server in one process, sharing one database, one publish hub and one
cache of the SQL blocks' data sources.

A publish made through this API reaches this process's FastAGI server at once (the hub); publishes made on
another node arrive through the version stamp poller. A data source edited or deleted through this API reaches
this process's calls at once (the shared cache); another node re-reads it within `persistence.datasources`'s
_CONFIG_TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import uvicorn
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agi_server.ami import AmiSettings
from agi_server.cli import cutting_short, dialling_cut_short, held_versions, stop_on_signals, stop_server
from agi_server.dialer import NOT_CONFIGURED, warn_without_dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.errors import CannotListen
from agi_server.loop_watch import LoopStallWatch
from agi_server.metrics import METRICS_HOST
from agi_server.missing_recordings import check_in_background
from agi_server.node import DatabaseRuntime, check_speech_settings
from agi_server.plugin_services import warn_of_blocks_not_ready
from agi_server.process_limits import tune_collector_for_serving
from agi_server.server import AgiServer, AgiServerConfig
from agi_server.spool import RecordSpool
from api import errors
from api.app import create_app
from api.routes import dialer as dialer_routes
from api.seed import seed_folder
from api.settings import Settings
from api.stale_designer import stale_designer_warning
from blocks import default_registry
from graph_engine.readiness import host_registry
from persistence.db import Database
from persistence.migrate import head_revision, upgrade
from persistence.models import utcnow
from persistence.publishing import PublishHub
from persistence.retention import RetentionPolicy, purge_if_due, shown_period
from persistence.users import CHEAP_HASHES_ENV, cheap_password_hashes
from voice.service import TtsService

log = logging.getLogger(__name__)


async def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    agi_config: AgiServerConfig,
    seed: Path | None = None,
    metrics_port: int | None = None,
    metrics_host: str = METRICS_HOST,
) -> None:
    # A value that cannot work (SettingError) stops `serve` before it migrates.
    ami = AmiSettings.from_environ()
    dialer = DialerSettings.from_environ(node_id=agi_config.node_id) if ami is not None else None
    check_speech_settings()
    await asyncio.to_thread(upgrade, settings.database_url)
    if ami is None:
        warn_without_dialer("ivrgraph serve")
    stale = stale_designer_warning(settings.designer_dist)  # a checkout's sources changed since `make ui-build`
    if stale is not None:
        log.warning("%s", stale)
    if cheap_password_hashes():  # copied from a test setup: a stolen database's passwords would fall at once
        log.warning(
            "%s=1: passwords are hashed with argon2's cheapest parameters, for test suites only; unset it and each "
            "password is hashed at full strength again at its next sign-in",
            CHEAP_HASHES_ENV,
        )
    database = Database(settings.database_url)
    registry = default_registry(skip_broken=True)  # a broken plugin fails only the scenarios using it
    if seed is not None:
        for item in await asyncio.to_thread(seed_folder, database, registry, seed):
            log.info("seed %s: %s", item.slug, item.outcome)
    runtime = DatabaseRuntime(database, poll_seconds=settings.version_poll_seconds, registry=registry)
    # The blocks as this node runs them, for the API and the FastAGI server alike: a block its plugin's services
    # leave unable to run here is refused at publish and takes its error exit in calls (graph_engine.readiness).
    registry = host_registry(registry, runtime.services.extras)
    hub = PublishHub()
    hub.subscribe(runtime.publish)  # this process's publishes reach its FastAGI cache at once
    hub.subscribe_withdrawals(runtime.withdraw)  # and its deletions leave it at once
    agi = AgiServer(
        agi_config,
        source=runtime.source,
        registry=registry,
        services=runtime.services,
        write_batch=runtime.write_batch,
        resolve_inputs=runtime.resolve_inputs,
        spool=runtime.spool,
        call_ended=runtime.call_ended,
    )
    agi.metrics.runs_on_schema(head_revision())
    held = held_versions(runtime.source)
    if held is not None:
        agi.metrics.watch_scenarios(held)
    app = create_app(
        dataclasses.replace(settings, migrate_on_start=False, media_root=shared_media_root(settings, runtime)),
        registry=registry,
        hub=hub,
        database=database,
        # One cache of the SQL blocks' sources: an admin's edit or delete reaches this node's calls at once.
        data_sources=runtime.data_sources,
    )
    metrics_elsewhere(app)
    api = _ApiServer(uvicorn_config(app, host=host, port=port))
    await agi.start()
    if metrics_port is not None:
        agi.metrics.serve(metrics_port, metrics_host)
    agi.metrics.watch_version_poller(runtime.poller)  # its health in /metrics and /healthz
    await runtime.start(ami=ami, dialer=dialer)  # AMI down or refusing: the node serves calls all the same
    await warn_of_blocks_not_ready(registry, runtime.source)  # every published scenario is held now
    check_in_background(runtime.source, runtime.services.tts, database)  # recordings a restore left out, logged
    if runtime.dialer is not None:
        agi.metrics.watch_dialer(runtime.dialer)
    # GET /api/dialer: what this node's dialer does now (a supervisor's "why is nobody called?").
    dialer_routes.attach(app, runtime.dialer.status if runtime.dialer is not None else lambda: NOT_CONFIGURED)
    # Retention: once a day, the first a while after the start (not in the way of a restart's busy minutes).
    stop_purging = threading.Event()
    purging = asyncio.create_task(
        purge_daily(database, settings.retention, runtime.spool, stop=stop_purging), name="retention"
    )
    tune_collector_for_serving()
    stall_watch = LoopStallWatch()
    stall_watch.start()
    stop = asyncio.Event()

    def stop_waiting_for_requests() -> None:
        api.force_exit = True  # what uvicorn's own second Ctrl-C does: requests in progress are not waited for

    stop_on_signals(stop, cutting_short(agi, dialling_cut_short(runtime.dialer), stop_waiting_for_requests))
    serving = asyncio.create_task(_serve_api(api, host, port), name="api")
    asked = asyncio.create_task(stop.wait(), name="shutdown-signal")
    try:
        await asyncio.wait({serving, asked}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        asked.cancel()
        stop_purging.set()  # a purge in its thread ends after the batch it is on (the next one goes on from there)
        purging.cancel()
        # The API finishes its requests while FastAGI stops accepting and lets its calls finish.
        api.should_exit = True
        await stop_server(agi, runtime.stop, hold=runtime)  # open while callbacks ring, for them only
        await serving
        stall_watch.stop()
        await runtime.close_services()
        runtime.close()
        database.dispose()


PURGE_FIRST_DELAY: Final = 600.0  # seconds after the start
PURGE_INTERVAL: Final = 86_400.0
PURGE_ACTOR: Final = "ivrgraph serve (retention)"


async def purge_daily(
    database: Database,
    policy: RetentionPolicy,
    spool: RecordSpool,
    *,
    stop: threading.Event,
    first_delay: float = PURGE_FIRST_DELAY,
    interval: float = PURGE_INTERVAL,
) -> None:
    """Apply the retention periods (persistence.retention) after `first_delay`, then every `interval`, until
    cancelled: in the database, by one node at a time and at most once in `retention.PURGE_EVERY` whatever the
    number of nodes (`purge_if_due`), and in this node's spool of call records (local disk: every node its own).
    A purge that fails (the database away) is logged and tried at the next turn. `stop` ends a purge under way after
    its current batch (set before the process stops: its thread is not cancelled with the task)."""
    await asyncio.sleep(first_delay)
    while True:
        try:
            await asyncio.to_thread(_purge_once, database, policy, spool, stop)
        except Exception:
            log.exception("the retention purge failed; it is tried again in %.0f s", interval)
        await asyncio.sleep(interval)


def _purge_once(database: Database, policy: RetentionPolicy, spool: RecordSpool, stop: threading.Event) -> None:
    now = utcnow()
    if policy.calls is not None:
        files = spool.remove_older_than(now - policy.calls)
        if files:
            log.info("retention: %d spooled call-record files older than %s removed from %s",
                     files, shown_period(policy.calls), spool.folder)  # fmt: skip
    report = purge_if_due(database, now=now, policy=policy, actor=PURGE_ACTOR, stop=stop)
    if report is None:
        log.debug("retention: purged by another node, or already today")
        return
    removed = ", ".join(f"{table} {count}" for table, count in report.counts().items() if count) or "nothing"
    stopped = " before it was stopped" if report.interrupted else ""
    log.info("retention (%s): removed %s%s", policy.describe(), removed, stopped)


def shared_media_root(settings: Settings, runtime: DatabaseRuntime) -> Path | None:
    """The media root the API stores uploads in and renders published phrases into: the one this node's calls play
    from. The node falls back on ./media when the configured root is unusable (`agi_server.node.speech`, a developer
    machine without /var/lib/ivrgraph) and the API used to try the configured one all the same: its uploads and
    prerendered phrases failed there, or landed where no call looked."""
    tts = runtime.services.tts
    return tts.media.root if isinstance(tts, TtsService) else settings.media_root


def uvicorn_config(app: FastAPI, *, host: str, port: int) -> uvicorn.Config:
    """uvicorn logging as the rest of the process does (`agi_server.logs`): its loggers keep no handler and no
    level of their own, so their records reach the root handler, in its format, at its level (the access lines
    are INFO), and an access line names the path without its query string."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(known, _PathWithoutQuery) for known in access.filters):
        access.addFilter(_PathWithoutQuery())
    return uvicorn.Config(app, host=host, port=port, log_config=None, log_level=None)


class _PathWithoutQuery(logging.Filter):
    """Cuts the query string off the path of uvicorn's access line: a query can carry a token or a caller's
    number, and logs are kept longer and read by more people than the requests were. The arguments are
    (client, method, path with query, HTTP version, status), the order uvicorn's own AccessFormatter unpacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            if isinstance(path, str):
                record.args = (client, method, path.partition("?")[0], version, status)
        return True


async def _serve_api(api: uvicorn.Server, host: str, port: int) -> None:
    try:
        await api.serve()
    except SystemExit as exit_:
        # uvicorn exits the process when it cannot start (its port taken): in a task, that escaped the event
        # loop and left the FastAGI side and a worker thread hanging. Here it is an error that stops `serve`.
        raise CannotListen("the API", host, port, OSError(None, "uvicorn's error above says why")) from exit_


def metrics_elsewhere(app: FastAPI) -> None:
    """GET /metrics on the API port: a 404 saying where the metrics are, ahead of the designer's catch-all, which
    answered it with the designer's page (200, HTML): a Prometheus pointed at the API port saw a target up and no
    metric (SRE review). The node's metrics are on --metrics-port (docs/operations.md); `/readyz` is the API's."""

    async def answer(request: Request) -> Response:
        return errors.problem(
            404, "not-found", "this port serves the API: the node's metrics are on its --metrics-port (/metrics)"
        )

    app.router.routes.insert(0, Route("/metrics", answer, include_in_schema=False))


class _ApiServer(uvicorn.Server):
    """uvicorn's server without its own signal handling. uvicorn puts the previous handlers back when it
    returns and raises the signal again, which for SIGTERM is the default action: the process died before
    FastAGI's calls could finish and their records be written. Here `serve` owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
