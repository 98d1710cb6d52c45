"""`ivrgraph agi`: a FastAGI-only node (for extra nodes behind `hagi://` SRV records).

    IVRGRAPH_DATABASE_URL=postgresql+psycopg://ivr@db/ivrgraph ivrgraph agi --host 0.0.0.0 --allow 10.0.0.0/8
    ivrgraph agi --scenarios ./scenarios --metrics-port 9573

With a database (`--database URL` or IVRGRAPH_DATABASE_URL) the node serves the latest published versions
of the shared database, picks up new ones within `--poll-interval`, writes call records there, resolves
answered callbacks and, when IVRGRAPH_AMI_HOST is set, dials callback jobs through AMI (`node.DatabaseRuntime`,
the wiring `ivrgraph serve` uses). It does not migrate the database: the `ivrgraph serve` node or
`ivrgraph db upgrade` does, and a node whose code expects another schema revision than the database's (a
rolling upgrade half done) refuses to start, saying which to upgrade. An AMI that cannot be reached yet does
not keep the node from serving calls: the dialer keeps trying. Without a database it serves a folder of
`<slug>.json` files as version 1 (`--scenarios`).

SIGTERM and SIGINT stop accepting, let calls finish up to the shutdown deadline, cancel the rest (their
partial traces are kept) and flush the call records. A node whose dialer is ringing callees keeps accepting their
calls, and only theirs, until those calls have been answered or have ended (hung up at the deadline): see
`stop_server`. A second one brings the deadline forward to now: the way out of a long `--shutdown-deadline` that keeps
the records, which SIGKILL loses. The same signal again within `SAME_SIGNAL_WITHIN` is not a second one: a process
group's signal reaches the node twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from sqlalchemy.exc import SQLAlchemyError

from agi_server.ami_errors import AmiError
from agi_server.errors import CannotListen, ServicePluginError, SettingError, told
from agi_server.logs import configure_logging
from agi_server.loop_watch import LoopStallWatch
from agi_server.metrics import METRICS_HOST
from agi_server.options import (
    add_fastagi_options,
    add_logging_options,
    default_country_setting,
    fastagi_config,
    log_settings,
    port,
    positive_seconds,
    voice_settings,
)
from agi_server.plugin_services import close_plugin_services, load_plugin_services, warn_of_blocks_not_ready
from agi_server.process_limits import tune_collector_for_serving
from agi_server.records import Spool, WriteBatch
from agi_server.scenarios import CachedScenarioSource, ScenarioSource, SourceLoader, folder_source
from agi_server.server import AgiServer, AgiServerConfig, CallEnded, InputResolver, SystemClock
from graph_engine.readiness import host_registry
from graph_engine.registry import BlockRegistry
from graph_engine.services import Services
from persistence.db import DATABASE_URL_ENV
from persistence.phone_numbers import configure_default_country

if TYPE_CHECKING:
    from agi_server.dialer import RunningDialer

log = logging.getLogger(__name__)


class ListenerHold(Protocol):
    """What keeps a stopping node's listener open for the callees its dialer rings (`node.DatabaseRuntime`):
    `callbacks_in(deadline)` returns once none may still come, and `awaits_callback(job_id)` tells their calls from
    any other meanwhile (`stop_server`)."""

    async def callbacks_in(self, timeout: float) -> None: ...

    def awaits_callback(self, job_id: str) -> bool: ...


def installed_blocks() -> BlockRegistry:
    """The installed blocks as a node serving calls loads them: a broken plugin fails only the calls that reach its
    blocks. Loaded once per start and handed to all that needs it: each load scans the plugins again and logs each
    broken one again."""
    from blocks import default_registry

    return default_registry(skip_broken=True)


def scenario_source(args: argparse.Namespace, registry: BlockRegistry | None = None) -> ScenarioSource:
    """Where scenarios come from without a database: the folder's files, each checked against the installed blocks
    (`registry`; a scenario using a type no plugin here provides is logged at start-up)."""
    return folder_source(Path(args.scenarios), registry=registry if registry is not None else installed_blocks())


def default_services(source: ScenarioSource) -> Services:
    """A real clock, the voice package's TTS when it is installed, Go To Scenario through `source`."""
    services = Services(clock=SystemClock(), scenarios=SourceLoader(source), extras=load_plugin_services())
    try:
        from voice.service import TtsService
        from voice.settings import VoiceSettings
    except ImportError:  # pragma: no cover - voice is part of the distribution
        return services
    services.tts = TtsService.from_settings(voice_settings(VoiceSettings.from_env), for_calls=True)
    return services


async def run_agi(
    config: AgiServerConfig,
    *,
    source: ScenarioSource,
    services: Services | None = None,
    write_batch: WriteBatch | None = None,
    resolve_inputs: InputResolver | None = None,
    spool: Spool | None = None,
    call_ended: CallEnded | None = None,
    metrics_port: int | None = None,
    metrics_host: str = METRICS_HOST,
    stop: asyncio.Event | None = None,
    ready: Callable[[AgiServer], None] | None = None,
    stop_alongside: Callable[[float], Awaitable[None]] | None = None,
    hurry_alongside: Callable[[], None] | None = None,
    blocks: BlockRegistry | None = None,
    hold: ListenerHold | None = None,
) -> AgiServer:
    """Run a FastAGI server until `stop` is set (or SIGTERM/SIGINT), then shut it down gracefully.

    `stop_alongside(deadline)` runs at the same time as the server's own stop, with the same deadline (the
    dialer: no new jobs, calls being dialled get until the deadline); `hurry_alongside()` brings its deadline
    forward to now, as a second signal does the server's. The server stops accepting at once, or, with `hold`, once
    its callbacks are in, taking only theirs meanwhile (`stop_server`). `blocks`: the installed blocks when the
    caller loaded them already (`installed_blocks`).
    """
    made_here = services is None
    services = services or default_services(source)
    try:
        # The blocks as this node runs them: a broken plugin fails only the calls that reach its blocks, and so does
        # a block its plugin's services leave unable to run here (its error exit, with the reason:
        # graph_engine.readiness).
        registry = host_registry(blocks if blocks is not None else installed_blocks(), services.extras)
        server = AgiServer(
            config,
            source=source,
            registry=registry,
            services=services,
            write_batch=write_batch,
            resolve_inputs=resolve_inputs,
            spool=spool,
            call_ended=call_ended,
        )
        held = held_versions(source)
        if held is not None:
            server.metrics.watch_scenarios(held)
        if metrics_port is not None:
            server.metrics.serve(metrics_port, metrics_host)
        stop = stop or asyncio.Event()
        stop_on_signals(stop, cutting_short(server, hurry_alongside))
        await server.start()
        await warn_of_blocks_not_ready(registry, source)
        tune_collector_for_serving()
        stall_watch = LoopStallWatch()
        stall_watch.start()
        try:
            if ready is not None:
                ready(server)
            await stop.wait()
            await stop_server(server, stop_alongside, hold=hold)
        finally:
            stall_watch.stop()
        return server
    finally:
        if made_here:  # closed once no call can use them (a node on a database closes its runtime's)
            await close_plugin_services(services.extras)


# The same signal again within this many seconds of the one the node acted on is that signal still, not a second
# one: `kill -TERM -- -<pgid>` of `make run` reaches ivrgraph from the kill and again from make, which passes SIGTERM
# on to its children, and systemd's KillMode=control-group does the same through any parent in the unit (review: the
# drain was cut short in the millisecond it began).
SAME_SIGNAL_WITHIN: Final = 1.0


def stop_on_signals(stop: asyncio.Event, hurry: Callable[[], None] | None = None) -> None:
    """SIGTERM and SIGINT set `stop`; once it is set, each one calls `hurry` (`cutting_short`), unless it is the
    signal last acted on again within `SAME_SIGNAL_WITHIN` seconds (logged, and otherwise ignored). On the main
    thread; elsewhere only `stop` itself ends the server.

    A second signal used to be ignored: with `--shutdown-deadline 120` an operator had no way out but SIGKILL, which
    loses the call records still in memory (SRE review)."""
    loop = asyncio.get_running_loop()
    heeded: dict[int, float] = {}  # signal -> the loop's time when it was last acted on

    def signalled(signum: int) -> None:
        now = loop.time()
        last = heeded.get(signum)
        if last is not None and now - last < SAME_SIGNAL_WITHIN:
            log.info(
                "%s again %.0f ms after the last: taken as the same one (a process group's signal reaches the node "
                "twice); send it again later to cut the stop short",
                signal.Signals(signum).name,
                (now - last) * 1000,
            )
            return
        heeded[signum] = now
        if not stop.is_set():
            stop.set()
        elif hurry is not None:
            hurry()

    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on the main thread
            loop.add_signal_handler(signum, signalled, signum)


def cutting_short(server: AgiServer, *alongside: Callable[[], None] | None) -> Callable[[], None]:
    """What a signal does once the node is stopping already: the shutdown deadline comes now. The calls left are
    cancelled and recorded as at the deadline (`AgiServer.stop_now`), and what stops `alongside` is hurried too (the
    dialer's calls, the API's requests; None: nothing there)."""

    def now() -> None:
        log.warning("already stopping: %d calls left; cancelling them now", server.calls_left)
        server.stop_now()
        for hurry in alongside:
            if hurry is not None:
                hurry()

    return now


def dialling_cut_short(dialer: RunningDialer | None) -> Callable[[], None] | None:
    """The dialer's part of a second signal: the calls it dials are let go now, not at the deadline (those still
    ringing hung up, their attempts recorded uncounted: `Dialer.let_go`). None without a dialer."""
    if dialer is None:
        return None
    letting_go: list[asyncio.Future[None]] = []  # held: the loop keeps only a weak reference to a task

    def let_go() -> None:
        if not letting_go:  # once: a third signal must not cancel an attempt again while it records its outcome
            letting_go.append(asyncio.ensure_future(dialer.dialer.let_go()))

    return let_go


def held_versions(source: ScenarioSource) -> Callable[[], dict[str, int]] | None:
    """The version number of each scenario a cache of published scenarios holds (slug -> number), read when
    Prometheus scrapes, possibly from the exporter's thread; None for a source that holds none in memory."""
    if not isinstance(source, CachedScenarioSource):
        return None
    return source.held_versions


async def stop_server(
    server: AgiServer,
    stop_alongside: Callable[[float], Awaitable[None]] | None = None,
    *,
    hold: ListenerHold | None = None,
) -> None:
    """Stop accepting, let calls finish up to the server's shutdown deadline, flush the records; run
    `stop_alongside(deadline)` meanwhile. What `ivrgraph agi` and `ivrgraph serve` do on SIGTERM.

    `hold.callbacks_in(deadline)` returns once no call this node started may still come to its listener: the
    callbacks its dialer rings (`DatabaseRuntime.callbacks_in`), hung up at the deadline when still ringing. Until
    then the listener stays open for them, as a callee who answers during the drain must be heard (review: refused,
    they heard silence and were rung again after the restart), and for them only: a call naming no job
    `hold.awaits_callback` knows (a new inbound call, a callback another node dialled) is refused at once as a stopping
    node refuses one, so that the dialplan sends it on instead of starting it on a node going away
    (`AgiServer.hold_for`). The server's own stop begins after it, with what is left of the deadline. The node says
    it is stopping (/readyz 503) at once all the same."""
    deadline = server.config.shutdown_deadline
    log.info("stopping FastAGI: letting calls finish for up to %g s", deadline)
    loop = asyncio.get_running_loop()
    ends = loop.time() + deadline
    held = None if hold is None else asyncio.ensure_future(hold.callbacks_in(deadline))
    stopping: list[Awaitable[None]] = []
    if stop_alongside is not None:  # at once: the dialer claims no job from now on
        stopping.append(asyncio.ensure_future(stop_alongside(deadline)))
    if held is not None and hold is not None:
        server.hold_for(hold.awaits_callback)
        try:
            await held
        except Exception:
            log.exception("waiting for the callbacks being dialled failed; FastAGI stops accepting now")
    stopping.append(server.stop(max(0.0, ends - loop.time())))
    for outcome in await asyncio.gather(*stopping, return_exceptions=True):
        if isinstance(outcome, BaseException):
            log.error("shutdown step failed", exc_info=outcome)


async def run_database_agi(
    config: AgiServerConfig,
    *,
    database_url: str,
    poll_seconds: float = 2.0,
    metrics_port: int | None = None,
    metrics_host: str = METRICS_HOST,
    stop: asyncio.Event | None = None,
    ready: Callable[[AgiServer], None] | None = None,
) -> AgiServer:
    """`run_agi` on the shared database (see the module docstring); the dialer runs when IVRGRAPH_AMI_HOST is set.

    Raises SettingError for an environment value that cannot work and `persistence.migrate.SchemaMismatch` when
    the database is at another revision than this code's, both before anything listens."""
    from agi_server.ami import AmiSettings
    from agi_server.dialer import warn_without_dialer
    from agi_server.dialer_settings import DialerSettings
    from agi_server.missing_recordings import check_in_background
    from agi_server.node import DatabaseRuntime
    from persistence.db import Database
    from persistence.migrate import head_revision, require_current

    ami = AmiSettings.from_environ()
    dialer = DialerSettings.from_environ(node_id=config.node_id) if ami is not None else None
    # Code newer than the database fails calls on a missing column; older, it writes what the schema no longer
    # means. Either way the node must not serve.
    await asyncio.to_thread(require_current, database_url)
    if ami is None:
        warn_without_dialer("ivrgraph agi")
    database = Database(database_url)
    blocks = installed_blocks()
    runtime = DatabaseRuntime(database, poll_seconds=poll_seconds, registry=blocks)

    def started(server: AgiServer) -> None:
        server.metrics.runs_on_schema(head_revision())  # read once already, by require_current
        server.metrics.watch_version_poller(runtime.poller)  # its health in /metrics and /healthz
        if runtime.dialer is not None:
            server.metrics.watch_dialer(runtime.dialer)
        if ready is not None:
            ready(server)

    try:
        await runtime.start(ami=ami, dialer=dialer)
        check_in_background(runtime.source, runtime.services.tts, database)  # recordings a restore left out, logged
        return await run_agi(
            config,
            source=runtime.source,
            services=runtime.services,
            write_batch=runtime.write_batch,
            resolve_inputs=runtime.resolve_inputs,
            spool=runtime.spool,
            call_ended=runtime.call_ended,
            metrics_port=metrics_port,
            metrics_host=metrics_host,
            stop=stop,
            ready=started,
            stop_alongside=runtime.stop,
            hurry_alongside=dialling_cut_short(runtime.dialer),
            blocks=blocks,
            hold=runtime,
        )
    finally:
        await runtime.stop()
        await runtime.close_services()
        runtime.close()
        database.dispose()


def cmd_agi(args: argparse.Namespace) -> int:
    try:
        configure_logging(log_settings(args))  # first: whatever follows may log
    except ValueError as error:
        return _explain("ivrgraph agi", str(error), 2)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # it only reads the schema revision here
    try:
        config = fastagi_config(args, host=args.host, port=args.port)
        configure_default_country(default_country_setting())  # as `ivrgraph serve` does (api.app.create_app)
    except ValueError as error:
        print(f"ivrgraph agi: error: {error}", file=sys.stderr)
        return 2
    database_url = args.database or os.environ.get(DATABASE_URL_ENV, "").strip()
    if not database_url and not Path(args.scenarios).is_dir():
        print(f"ivrgraph agi: error: no scenario folder {args.scenarios!r} (and no database)", file=sys.stderr)
        return 2
    if database_url:
        run = run_database_agi(
            config,
            database_url=database_url,
            poll_seconds=args.poll_interval,
            metrics_port=args.metrics_port,
            metrics_host=args.metrics_host,
        )
    else:
        blocks = installed_blocks()
        run = run_agi(
            config,
            source=scenario_source(args, blocks),
            metrics_port=args.metrics_port,
            metrics_host=args.metrics_host,
            blocks=blocks,
        )
    return run_or_explain("ivrgraph agi", run)


# How long a node that has stopped serving waits for threads still at work for it before it exits anyway.
STUCK_THREADS_GRACE = 10.0


def run_or_explain(command: str, run: Coroutine[Any, Any, Any], *, grace: float = STUCK_THREADS_GRACE) -> int:
    """Run the server. What stops it from starting is one line naming it: a configuration value that cannot
    work exits 2 (as argparse does), anything else (the schema, the database, an address) exits 1."""
    from alembic.util import CommandError

    from persistence.migrate import SchemaMismatch

    timers: list[threading.Timer] = []
    try:
        asyncio.run(_exiting_after(run, grace, timers))
        _LOOP_CLOSED.set()
    except SettingError as error:
        return _explain(command, str(error), 2)
    except ServicePluginError as error:
        return _explain(command, str(error), 1)
    except SchemaMismatch as error:
        return _explain(command, str(error), 1)
    except CommandError as error:  # `ivrgraph serve` migrating a database this code cannot
        detail = told(error)
        if detail.startswith("Can't locate revision"):
            detail += " (the database was migrated by a newer ivrgraph: upgrade ivrgraph)"
        return _explain(command, f"the database cannot be migrated: {detail}", 1)
    except AmiError as error:
        return _explain(command, f"AMI: {told(error)}", 1)
    except CannotListen as error:
        return _explain(command, str(error), 1)
    except OSError as error:  # a file or folder the node needs (media root, spool): the OS says which
        return _explain(command, f"cannot start: {told(error)}", 1)
    except SQLAlchemyError as error:
        detail = told(error)
        return _explain(command, f"the database cannot be used: {detail}", 1)
    finally:
        if not _threads_at_work():  # every thread ended in time: nothing to cut short
            for timer in timers:
                timer.cancel()
    # Otherwise the timer stays: a pool of another loop's or library's (a data source's queries) is waited for at
    # interpreter exit, after this returns, and a thread of it stuck on a frozen database would hold the exit.
    return 0


async def _exiting_after(run: Coroutine[Any, Any, Any], grace: float, timers: list[threading.Timer]) -> Any:
    """`run`, then an exit within `grace` seconds even if threads of the node are still at work.

    A database that froze in the middle of a query (a stopped server or proxy: TCP still acknowledged, so no
    timeout of ours or the kernel's fires) holds the thread running it for good, and the process would never
    end: asyncio waits for its executor's threads when the loop closes, and the interpreter for them at exit
    (review of 2026-12-05). By the time `run` has returned the calls are over and their records written or
    spooled, so what such a thread was doing (a version poll, a callback job's read) is safe to abandon."""
    result = await run
    timer = threading.Timer(grace, _exit_now, args=(grace,))
    timer.daemon = True  # the process ending before it fires ends it too
    timers.append(timer)
    timer.start()
    return result


def _threads_at_work() -> list[str]:
    """Threads the interpreter waits for at exit, besides this one and the main thread."""
    others = (threading.current_thread(), threading.main_thread())
    return [t.name for t in threading.enumerate() if t not in others and not t.daemon]


# Set once `asyncio.run` has returned: until then the loop is closing, cancelling the tasks left (`_exit_now`).
_LOOP_CLOSED: Final = threading.Event()


def _exit_now(grace: float) -> None:
    stuck = _threads_at_work()
    if stuck:
        log.warning("exiting: %g s after the node stopped, threads still at work: %s", grace, ", ".join(stuck))
    elif not _LOOP_CLOSED.is_set():
        # asyncio.run's final cancel-all waits for a task that ignores its cancellation: a plugin's block the node
        # gave up on (agi_server.server.AgiServer._give_up), which holds the exit as long as it runs.
        log.warning("exiting: %g s after the node stopped, a task still ignores its cancellation", grace)
    else:
        return  # they ended after all: the process exits by itself
    logging.shutdown()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(0)


def _explain(command: str, message: str, code: int) -> int:
    print(f"{command}: error: {message}", file=sys.stderr)
    return code


def add_parser(commands: Any) -> None:
    """Add `agi` to the `ivrgraph` command."""
    defaults = AgiServerConfig()
    agi = commands.add_parser("agi", help="run a FastAGI server (no API): Asterisk calls AGI(agi://host/<slug>)")
    agi.add_argument("--host", default=defaults.host, help="listen address (default %(default)s)")
    agi.add_argument("--port", type=port, default=defaults.port, help="FastAGI port (default %(default)s)")
    agi.add_argument(
        "--database",
        metavar="URL",
        help="serve the published scenarios of this database (default: IVRGRAPH_DATABASE_URL when set)",
    )
    agi.add_argument(
        "--poll-interval",
        type=positive_seconds,
        default=2.0,
        help="seconds between looks for versions published on other nodes (default %(default)s)",
    )
    agi.add_argument("--scenarios", default="scenarios", help="without a database: folder of <slug>.json files")
    add_fastagi_options(agi)
    add_logging_options(agi)
    agi.set_defaults(handler=cmd_agi)
