"""The asyncio FastAGI server: accept, check the peer, read the env block, route by slug, walk, record.

Per connection: peer allow-list (agi_server.listening; others closed at once), env block under a size cap and a
handshake timeout (a session refused there is recorded `failed` when its block names a call: `_refuse_handshake`),
a cap on concurrent calls (over it: a channel variable tells the dialplan, then a clean close),
the slug picks the published scenario (unknown, or a lookup the store could not answer: fallback prompt, hang up,
logged error), the host's trusted inputs are looked up (a callback whose job could not be loaded never runs without
it: IVRGRAPH_STATUS=JOB_UNAVAILABLE, then a clean close), `CallRun` walks it over an `AgiChannel`, and the call's
record goes to the writer queue whatever happened, even when the caller hung up mid-prompt or shutdown cancelled
the walk. A block busy away from the channel is watched over (agi_server.walk_patrol): stopped when the caller
hangs up meanwhile or when it overruns its `max_seconds`; one that ignores that has its call given up on
(`AgiServer._give_up`): recorded and closed without waiting for the block, which may run on.

At start the fallback prompt is spoken into the media root (`_speak_fallback`), where Asterisk plays it as
`<sounds prefix>/<fallback_media>`, and the allow-list in effect is logged, with a warning when no remote Asterisk
could get in. At the shutdown deadline a call with no command in flight is told IVRGRAPH_STATUS=STOPPING before
its socket closes (`_close_call`). While a stopping node holds its listener open for the callees its dialer rings,
only their calls are taken (`hold_for`); the others are told IVRGRAPH_STATUS=DRAINING, for the dialplan to try
another node.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import os
import re
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Protocol, runtime_checkable

from agi_server.call_log import asterisk_names, call_log, failure_code_of, log_start
from agi_server.channel import AgiChannel, ChannelSettings
from agi_server.connection import AgiConnection
from agi_server.errors import (
    AgiError,
    CannotListen,
    ConnectionLost,
    EnvBlockError,
    ProtocolError,
    ScenarioLookupFailed,
    first_line,
    told,
)
from agi_server.listening import (
    IpNetwork,
    every_ipv6_address,
    ipv4_form,
    ipv6_listener,
    loopback_address,
    only_loopback,
    peer_allowed,
    unmapped,
)
from agi_server.logs import logged_phone_numbers, phone_number
from agi_server.metrics import AgiMetrics
from agi_server.process_limits import calls_within_open_file_limit
from agi_server.protocol import (
    MAX_ENV_BYTES,
    AgiRequest,
    channel_facts,
    env_before_refusal,
    parse_env_block,
    requested_path,
    require_fastagi_request,
)
from agi_server.records import CallRecord, RecordWriter, Spool, WriteBatch, trace_of
from agi_server.scenarios import ScenarioSource, is_slug
from agi_server.walk_patrol import Walking, look_at_walk
from agi_server.watchdog import PATROL_INTERVAL, Watchdog
from graph_engine.call_scope import CALL_ID
from graph_engine.channel import Prompt
from graph_engine.document import CHANNEL_FACTS
from graph_engine.errors import CallerHangup
from graph_engine.interpreter import CallRun
from graph_engine.registry import BlockRegistry
from graph_engine.sensitive import masked_variables
from graph_engine.services import Services
from graph_engine.trace import CallOutcome

log = logging.getLogger(__name__)

_INPUT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
# Facts Asterisk vouches for; query parameters cannot pose as them. `language` (the language the call is
# spoken in) is deliberately settable from the dialplan: AGI(agi://host/menu?language=es).
_PROTECTED_NAMES: Final = frozenset({*CHANNEL_FACTS, "call_id"} - {"language"})
# Set on the channel before we close a call we do not serve, so the dialplan can route it elsewhere: OVERLOADED for
# one turned away over the cap (another node is likely as busy: the example dialplan sends it to [fallback]),
# DRAINING for one turned away because the node stops (its listener held open for its own callees, or the call's env
# block came after the stop began: another node takes it, so the example dialplan tries the cluster again once),
# STOPPING for one the shutdown deadline cut off, JOB_UNAVAILABLE for a callback whose job this node could not load
# (`AgiServer._inputs`). hagi:// fails over on a refused connection only: a node that answers and closes is not
# skipped by it, whatever it says.
STATUS_VARIABLE: Final = "IVRGRAPH_STATUS"
# The query parameter naming the callback job a call delivers: AGI(agi://node/<scenario>?job=<id>).
JOB_INPUT: Final = "job"
JOB_UNAVAILABLE: Final = "JOB_UNAVAILABLE"  # IVRGRAPH_STATUS of a callback whose job could not be loaded
# What the fallback prompt says (`AgiServerConfig.fallback_phrase`), in the product's languages.
FALLBACK_PHRASES: Final = {
    "en": "This service is not available right now. Please call again later.",
    "es": "Este servicio no está disponible en este momento. Por favor, llame más tarde.",
    "ru": "Сервис сейчас недоступен. Пожалуйста, перезвоните позже.",
}
_MAX_KNOWN_PEERS: Final = 1024
_FAILED: Final = str(CallOutcome.FAILED)
# How long the shutdown waits for the calls it cancelled to close (docs/operations.md: "5 s for cancelled calls").
CANCELLED_CALLS_WAIT: Final = 5.0
# How long a call cancelled during its input lookup waits for that lookup to end (`AgiServer._lookup_cut_off`).
_CUT_OFF_LOOKUP_WAIT: Final = 1.0


@dataclass(frozen=True, slots=True)
class _RefusedHandshake:
    """A session that ended at its env block (`AgiServer._read_env`): why, as `metrics.HANDSHAKE_REFUSALS` counts
    it and in words, and the block as far as it came."""

    reason: str
    why: str
    block: bytes


@dataclass(frozen=True, slots=True)
class ResolvedInputs:
    """What the host trusts about a call, looked up from its AGI inputs (a callback job by `?job=<id>`)."""

    variables: Mapping[str, Any] = field(default_factory=dict)  # merged over the AGI inputs
    job_id: str | None = None
    origin_call_id: str | None = None  # the call that scheduled this callback, linked in the record
    # The number this call rang, when the host originated it: Asterisk's env then names only our own CallerID and
    # the dialplan's `s` extension, so without it the register would not say whom the call was to.
    dialed_number: str | None = None


# The host's hook: given the scenario the AGI path names and its untrusted inputs, the trusted ones (None: nothing
# to add).
InputResolver = Callable[[str, Mapping[str, str]], Awaitable[ResolvedInputs | None]]
# The host's hook told a callback's finished call (its record in memory, before it is written).
CallEnded = Callable[[CallRecord], Awaitable[None]]


class SystemClock:
    """The wall clock, in UTC. `now` is bound straight to the C function: the engine reads the clock at every
    step, and a Python method around it was a measurable share of a step (bench/agi_load.py)."""

    def __init__(self) -> None:
        self.now: Callable[[], datetime] = functools.partial(datetime.now, UTC)


@dataclass(frozen=True, slots=True)
class AgiServerConfig:
    host: str = "127.0.0.1"
    port: int = 4573
    allow: tuple[str, ...] = ("127.0.0.1/32", "::1/128")  # Asterisk peers; any other is closed at once
    handshake_timeout: float = 2.0  # Asterisk sends the whole env block within a millisecond
    max_env_bytes: int = MAX_ENV_BYTES  # also the longest response line accepted
    idle_timeout: float = 300.0  # longest wait for an answer to a non-blocking command
    max_calls: int = 2000
    shutdown_deadline: float = 10.0
    fallback_media: str | None = "unavailable"  # played (under the sounds prefix) for an unknown slug
    # What the fallback media says, spoken into the media root at start (empty: not spoken, e.g. a studio recording
    # is in place), and in which language.
    fallback_phrase: str = FALLBACK_PHRASES["en"]
    fallback_language: str = "en"
    max_input_length: int = 256  # query parameters and agi_arg_N are cut to this many characters
    record_queue: int = 10_000
    resolve_timeout: float = 3.0  # longest wait for the host's trusted inputs (a callback job's row)
    backlog: int = 1024
    channel: ChannelSettings = field(default_factory=ChannelSettings)
    node_id: str = field(default_factory=socket.gethostname)  # this node, in each call record's `node`

    def networks(self) -> tuple[IpNetwork, ...]:
        return tuple(unmapped(ipaddress.ip_network(network, strict=False)) for network in self.allow)


@runtime_checkable
class PromptInstaller(Protocol):
    """A text-to-speech service that can also speak a phrase into the media root under a fixed name (voice's
    `TtsService.install`): True when it wrote the files, False when they were already there as asked."""

    async def install(self, name: str, text: str, *, language: str) -> bool: ...


def call_inputs(request: AgiRequest, *, max_length: int) -> dict[str, str]:
    """Query parameters and AGI() arguments as plain strings: never evaluated, never allowed to pose as facts."""
    inputs: dict[str, str] = {}
    for name, value in request.query:
        if _INPUT_NAME.match(name) and name not in _PROTECTED_NAMES:
            inputs[name] = value[:max_length]
    for index, value in enumerate(request.args, start=1):
        inputs[f"agi_arg_{index}"] = value[:max_length]
    return inputs


class AgiServer:
    def __init__(
        self,
        config: AgiServerConfig,
        *,
        source: ScenarioSource,
        registry: BlockRegistry,
        services: Services | None = None,
        write_batch: WriteBatch | None = None,
        metrics: AgiMetrics | None = None,
        resolve_inputs: InputResolver | None = None,
        spool: Spool | None = None,
        call_ended: CallEnded | None = None,
    ) -> None:
        self.config = config
        self.resolve_inputs = resolve_inputs
        # Told each finished call's record in memory, as the call ends, before the record is written (which may be
        # late: the writer behind, the spool): a campaign's early hangup is called again from it (callback_arrivals).
        self.call_ended = call_ended
        self.source = source
        self.registry = registry
        self.services = services or Services(clock=SystemClock())
        self.metrics = metrics or AgiMetrics()
        self.records = RecordWriter(
            write_batch or _discard, max_queue=config.record_queue, metrics=self.metrics, spool=spool
        )
        self._networks = config.networks()
        # host -> allowed: a handful of Asterisk hosts connect thousands of times (bounded: see _on_connect).
        self._peers: dict[str, bool] = {}
        self._loop: asyncio.AbstractEventLoop | None = None  # set in start(); saves a lookup per connection
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._connections: dict[asyncio.Task[Any], AgiConnection] = {}  # each session's task (stop() waits for them)
        self._abandoned: set[asyncio.Task[Any]] = set()  # calls given up on, their blocks still running (_give_up)
        self.metrics.watch_abandoned_blocks(self._abandoned.__len__)
        self._late_lookups: set[asyncio.Future[Any]] = set()  # resolver answers still awaited (see `_inputs`)
        self._watchdog: Watchdog | None = None  # made in start(), inside the event loop
        self.active_calls = 0
        # The calls taken at once: config.max_calls, unless the open-file limit allows fewer (see start()).
        self.max_calls = config.max_calls
        self._stopping = False
        # Set by `hold_for` while the node stops with its listener held open: the callback jobs still taken.
        self._held_for: Callable[[str], bool] | None = None
        self._cut_short = asyncio.Event()  # set by `stop_now`: the shutdown deadline is now

    # -- lifecycle -------------------------------------------------------------------------------------
    async def start(self) -> None:
        self.max_calls = calls_within_open_file_limit(self.config.max_calls)
        self.records.start()
        loop = self._loop = asyncio.get_running_loop()
        self._watchdog = Watchdog(look=functools.partial(look_at_walk, self.metrics, self._stubborn_block))
        host, port, backlog = self.config.host, self.config.port, self.config.backlog
        dual_stack = False
        try:
            if every_ipv6_address(host):
                listener = ipv6_listener(port, self._networks)
                dual_stack = not listener.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)
                self._server = await loop.create_server(self._new_connection, sock=listener, backlog=backlog)
            else:
                self._server = await loop.create_server(self._new_connection, host, port, backlog=backlog)
        except OSError as error:
            raise CannotListen("FastAGI", host, port, error) from error
        self._port = int(self._server.sockets[0].getsockname()[1])
        await self._speak_fallback()
        allowed = ", ".join(self.config.allow)
        log.info(
            "FastAGI listening on %s%s; Asterisk peers allowed: %s; phone numbers in the log: %s",
            ", ".join(str(s.getsockname()) for s in self._server.sockets),
            " (IPv6 and IPv4)" if dual_stack else "",
            allowed,
            logged_phone_numbers(),
        )
        if only_loopback(self._networks) and not loopback_address(self.config.host):
            log.warning(
                "FastAGI listens on %s but lets in loopback peers only (%s): every Asterisk on another host will be "
                "refused; name its network with --allow or %s",
                self.config.host or "every address",
                allowed,
                "IVRGRAPH_AGI_ALLOW",
            )

    async def _speak_fallback(self) -> None:
        """Speak the fallback prompt into the media root, where Asterisk plays it as `<sounds prefix>/<name>`: to a
        call for an unknown scenario here, and in the dialplan's own fallback when no node answers. Only a TTS that
        puts a phrase under a fixed name does it (voice's TtsService; not SilentTts, of tests and nodes without
        voice). A failure is one warning: the node serves, and such a call still hangs up, in silence."""
        name, phrase, tts = self.config.fallback_media, self.config.fallback_phrase, self.services.tts
        if not name or not phrase or not isinstance(tts, PromptInstaller):
            return
        language = self.config.fallback_language
        try:
            spoken = await tts.install(name, phrase, language=language)
        except Exception as error:  # TtsError, OSError: whatever it is, the node must still serve
            log.warning(
                "the fallback prompt %r could not be spoken (%s: %s); a call sent to it hears silence",
                name,
                type(error).__name__,
                first_line(error),
            )
            return
        if spoken:
            log.info("spoke the fallback prompt %r in %s: %r", name, language, phrase)

    @property
    def port(self) -> int:
        """The port listened on (the real one when the config said 0)."""
        if self._port is None:
            raise RuntimeError("the server is not started")
        return self._port

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        with contextlib.suppress(asyncio.CancelledError):
            await self._server.serve_forever()

    @property
    def calls_left(self) -> int:
        """The FastAGI sessions still open: what a shutdown waits for."""
        return len(self._connections)

    def hold_for(self, awaited: Callable[[str], bool]) -> None:
        """The node is stopping, its listener held open for the callees its dialer rings (`agi_server.cli.stop_server`):
        until `stop`, a call is taken only when the callback job it names (`?job=<id>`) is one `awaited` says may
        still come here. Any other, a new inbound call or a callback another node dialled, is refused as a stopping
        node refuses one (`_refuse_overload`: IVRGRAPH_STATUS=DRAINING and a clean close at once): it must not start
        on a node that is going away (review: they ran here and were cut off). The listener being open, hagi://
        does not skip this node: the dialplan reads DRAINING and tries again, once (examples/asterisk/
        extensions.conf); told OVERLOADED, it sent them to [fallback] for the whole hold (two-node review)."""
        self._held_for = awaited
        self.metrics.node_stopping()

    def _taken_while_held(self, env: Mapping[str, str]) -> bool:
        """Is the call of `env` taken while the listener is held open (`hold_for`)? Every call when it is not."""
        awaited = self._held_for
        if awaited is None:
            return True
        job = self._job_named(env)
        return job is not None and awaited(job)

    def _job_named(self, env: Mapping[str, str]) -> str | None:
        """The callback job the request of `env` names (`?job=<id>`), as a call's inputs read it; None for none, or
        a query that cannot be read. For the calls refused before they run (once per call, off the command path)."""
        try:
            request = AgiRequest.from_env(env)
        except EnvBlockError:
            return None
        return call_inputs(request, max_length=self.config.max_input_length).get(JOB_INPUT) or None

    def stop_now(self) -> None:
        """Bring the shutdown deadline forward to now (an operator's second SIGTERM during a long drain): the calls
        still running are cancelled and recorded as at the deadline, whether `stop` waits for them already or is
        still to begin."""
        self._cut_short.set()

    async def stop(self, deadline: float | None = None) -> None:
        """Stop accepting, let calls finish up to `deadline` seconds (or until `stop_now`), cancel the rest, flush
        the records.

        A cancelled call has `CANCELLED_CALLS_WAIT` seconds to close. One whose block catches the CancelledError and
        carries on is cancelled again at each patrol interval meanwhile, and then given up on (`_give_up`): its
        record is written all the same, from its walk so far, and its socket closed. The blocks of calls given up on
        before are cancelled the same way meanwhile, so that they may end before the process does."""
        self._stopping = True
        self.metrics.node_stopping()  # /readyz answers 503 from now on
        if self._server is not None:
            self._server.close()
        pending = set(self._connections)
        if pending:
            grace = self.config.shutdown_deadline if deadline is None else deadline
            pending = await self._let_calls_finish(pending, grace)
        cancelled = len(pending)
        abandoned = set(self._abandoned)
        for task in (*pending, *abandoned):
            task.cancel()
        if pending or abandoned:
            pending = await self._unwind(pending, abandoned)
        for task in pending:
            connection = self._connections.get(task)
            walking = connection.walk if connection is not None else None
            if connection is not None and isinstance(walking, Walking):
                self._give_up(connection, walking, why="server shutdown")
        for lookup in self._late_lookups:  # the calls that waited for them are over, their records written
            lookup.cancel()
        if self._watchdog is not None:
            self._watchdog.stop_patrol()
        await self.records.close()
        if self._server is not None:
            await self._server.wait_closed()
        log.info("FastAGI stopped; %d calls cancelled at the deadline", cancelled)
        running = sum(not task.done() for task in self._abandoned)
        if running:
            log.warning(
                "%d calls given up on have a block still running, which ignores cancellation: the process may not "
                "exit until it returns",
                running,
            )

    async def _let_calls_finish(self, calls: set[asyncio.Task[Any]], grace: float) -> set[asyncio.Task[Any]]:
        """Wait up to `grace` seconds for `calls` to end, no longer once `stop_now` is called; those still running."""
        finishing = asyncio.ensure_future(asyncio.wait(calls, timeout=grace))
        cut_short = asyncio.ensure_future(self._cut_short.wait())
        try:
            await asyncio.wait({finishing, cut_short}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # the calls themselves are not cancelled here: only the waits for them
            finishing.cancel()
            cut_short.cancel()
        return {task for task in calls if not task.done()}

    async def _unwind(
        self, pending: set[asyncio.Task[Any]], abandoned: set[asyncio.Task[Any]]
    ) -> set[asyncio.Task[Any]]:
        """Wait up to `CANCELLED_CALLS_WAIT` seconds for the cancelled calls to close (and the blocks of calls given
        up on to end); the calls still not closed. A call whose walk still runs at a patrol interval has a block
        that caught its CancelledError: it is cancelled again (one closing its session, past its walk, is left to
        close), as is a block given up on that still runs."""
        loop = asyncio.get_running_loop()
        until = loop.time() + CANCELLED_CALLS_WAIT
        waiting = pending | abandoned
        while waiting and (left := until - loop.time()) > 0:
            _, waiting = await asyncio.wait(waiting, timeout=min(PATROL_INTERVAL, left))
            for task in waiting:
                connection = self._connections.get(task)
                if task in abandoned or (connection is not None and connection.walk is not None):
                    task.cancel()
        return waiting - abandoned

    # -- one connection ----------------------------------------------------------------------------------
    def _new_connection(self) -> AgiConnection:
        return AgiConnection(
            idle_timeout=self.config.idle_timeout,
            on_round_trip=self.metrics.observe_round_trip,
            on_connect=self._on_connect,
            max_line_bytes=self.config.max_env_bytes,
            watchdog=self._watchdog,
            loop=self._loop,
        )

    def _on_connect(self, connection: AgiConnection, transport: asyncio.Transport) -> None:
        """Refuse a peer outside the allow-list before a single byte is read; otherwise start the session."""
        peer = transport.get_extra_info("peername")
        host = ipv4_form(str(peer[0])) if isinstance(peer, tuple) else ""
        allowed = self._peers.get(host)
        if allowed is None:
            if len(self._peers) >= _MAX_KNOWN_PEERS:  # refused scanners must not grow it without bound
                self._peers.clear()
            allowed = self._peers[host] = peer_allowed(host, self._networks)
        if not allowed:
            log.warning("refused FastAGI connection from %s: not in the allowed networks", host or peer)
            self.metrics.refused.labels("peer").inc()
            transport.abort()
            return
        if self._stopping:
            transport.abort()
            return
        loop = self._loop or asyncio.get_running_loop()
        task = loop.create_task(self._call(connection, transport, f"{host}:{peer[1]}"))
        self._connections[task] = connection
        task.add_done_callback(self._forget_task)

    def _forget_task(self, task: asyncio.Task[Any]) -> None:
        self._connections.pop(task, None)  # gone already when its call was given up on (`_give_up`)

    async def _read_env(self, connection: AgiConnection) -> dict[str, str] | _RefusedHandshake:
        """The env block of a FastAGI request, or why the session ends at it."""
        timeout = self.config.handshake_timeout
        try:
            data = await connection.read_env_block(timeout)
        except TimeoutError:
            return _RefusedHandshake("timeout", f"not whole within {timeout:g} s", connection.env_so_far)
        except ProtocolError as error:  # the size cap: the one thing the connection refuses before the block ends
            return _RefusedHandshake("too_large", str(error), connection.env_so_far)
        except ConnectionLost:
            return _RefusedHandshake("closed", "the connection closed before its end", connection.env_so_far)
        cap = self.config.max_env_bytes
        try:
            env = parse_env_block(data, max_bytes=cap)
        except EnvBlockError as error:  # over the cap too, when the whole block came in the read that passed it
            return _RefusedHandshake("too_large" if len(data) > cap else "malformed", str(error), data[:cap])
        try:
            require_fastagi_request(env)
        except EnvBlockError as error:
            return _RefusedHandshake("not_fastagi", str(error), data)
        return env

    async def _admit(self, connection: AgiConnection, transport: asyncio.Transport, peer: str) -> dict[str, str] | None:
        """The env block of a call we take; None when the session was refused (bad handshake, over capacity)
        and closed here."""
        try:
            env = await self._read_env(connection)
        except asyncio.CancelledError:  # shutdown while Asterisk was still sending the env block
            transport.abort()
            raise
        if isinstance(env, _RefusedHandshake):
            await self._refuse_handshake(connection, env, peer)
            return None
        if self._stopping or not self._taken_while_held(env):
            # Its env block came after shutdown began (review of 2026-12-05: it was answered and then cut off at
            # the deadline), or while the listener is held open for callbacks of ours only (`hold_for`): turned
            # away as DRAINING, so the dialplan sends it to another node.
            await self._refuse_overload(connection, env, peer, outcome="refused_stopping")
            return None
        if self.active_calls >= self.max_calls:
            await self._refuse_overload(connection, env, peer)
            return None
        return env

    async def _refuse_handshake(self, connection: AgiConnection, refused: _RefusedHandshake, peer: str) -> None:
        """Close a session that ended at its env block. One whose block names Asterisk's request and the channel or
        uniqueid, as every call of Asterisk's does, is a call: recorded `failed` with what the block says before it
        broke (`env_before_refusal`: a caller whose CallerID name breaks the block must not leave no trace), the
        error `env block refused: ...`, and a WARNING naming the caller's number as a call's lines do. Anything else
        (a port scan, a health check's bare connect, a client that is not Asterisk) is not a call: the register is
        not flooded with them, and a WARNING names the peer. Both are counted by why, and whether recorded, in
        `ivrgraph_agi_sessions_refused_total{reason,recorded}`."""
        read = env_before_refusal(refused.block)
        recorded = bool(read.get("agi_channel") or read.get("agi_uniqueid"))
        self.metrics.refused.labels("handshake").inc()
        self.metrics.sessions_refused.labels(refused.reason, "true" if recorded else "false").inc()
        if not recorded:
            log.warning("FastAGI handshake from %s failed (%s): %s", peer, refused.reason, refused.why)
            await connection.close(drain_timeout=0.1)
            return
        record = self._refused_record(read, peer, _FAILED, error=f"env block refused: {refused.why}")
        names = asterisk_names(record)
        # The why is ours: a caller's text in it (an unreadable first line) is quoted with repr, escapes included.
        call_log(record).warning(
            "refused a FastAGI call from %r: env block refused (%s): %s (Asterisk %s, channel=%r uniqueid=%r)",
            phone_number(record.facts["caller_id"]),
            refused.reason,
            refused.why,
            peer,
            names["channel"],
            names["uniqueid"],
            extra=names,
        )
        await self._end_refused(connection, record, lambda: connection.close(drain_timeout=0.1))

    def _refused_record(self, env: dict[str, str], peer: str, outcome: str, *, error: str | None = None) -> CallRecord:
        """The record of a call refused before its scenario ran: no version, started and ended now; under the
        callback job it names, so that `?callback_job_id=` lists every attempt of the job (the node writing the
        record names it after the job's client and number: agi_server.node)."""
        now = self.services.clock.now()
        return CallRecord(
            os.urandom(16).hex(),
            requested_path(env)[:100],  # not the query: one Asterisk cannot parse must not keep the caller waiting
            None,
            now,
            now,
            outcome,
            facts=channel_facts(env),
            asterisk_uniqueid=env.get("agi_uniqueid", ""),
            peer=peer,
            node=self.config.node_id,
            error=error,
            job_id=self._job_named(env),
        )

    async def _end_refused(
        self, connection: AgiConnection, record: CallRecord, closing: Callable[[], Awaitable[None]]
    ) -> None:
        """Close a refused call's connection (`closing`) and keep its record, also when the shutdown deadline cancels
        the closing: Asterisk gets its channel back and the record is still written."""
        try:
            await closing()
        except asyncio.CancelledError:
            connection.close_now()
            self.records.submit_nowait(record)
            raise
        finally:
            self.metrics.call_finished(record.outcome)
        if not self.records.offer(record):
            await self._keep_record(record, cancelled=False)

    async def _refuse_overload(
        self, connection: AgiConnection, env: dict[str, str], peer: str, *, outcome: str = "refused_overload"
    ) -> None:
        """A node at its cap, or stopping: the dialplan is told (OVERLOADED, or DRAINING: another node takes it),
        and the call register still shows the caller who was turned away (outcome `refused_overload` or
        `refused_stopping`), as reports of missed calls need."""
        record = self._refused_record(env, peer, outcome)
        stopping = outcome == "refused_stopping"
        why = "the node is stopping" if stopping else f"{self.active_calls} calls already active"
        if stopping and not self._stopping:  # held open (`hold_for`)
            why += "; until the callbacks it dials have come in, it takes only those (this call names none of them)"
        call_log(record).warning("refused a FastAGI call from %s: %s", peer, why)
        self.metrics.refused.labels("stopping" if stopping else "overload").inc()

        async def tell_and_close() -> None:
            with contextlib.suppress(AgiError):
                if stopping:
                    await connection.command("SET VARIABLE", STATUS_VARIABLE, "DRAINING", timeout=1.0)
                else:
                    await connection.command("SET VARIABLE", STATUS_VARIABLE, "OVERLOADED", timeout=1.0)
            await connection.close(drain_timeout=0.5)

        await self._end_refused(connection, record, tell_and_close)

    async def _call(self, connection: AgiConnection, transport: asyncio.Transport, peer: str) -> None:
        # The session's task runs this coroutine itself: every command of the call waits through the chain of
        # frames above it, and each level costs at every suspension and resumption.
        env = await self._admit(connection, transport, peer)
        if env is None:
            return
        self.active_calls += 1
        self.metrics.call_started()
        clock = self.services.clock
        call_id = os.urandom(16).hex()  # uuid4's randomness and 32 hex digits, without building a UUID
        # This task's context only: what the layers below log during the call names it (graph_engine.call_scope).
        CALL_ID.set(call_id)
        started = clock.now()
        facts = channel_facts(env)
        # Positional, in the dataclass's field order (keywords cost ~4,400 instructions more per call).
        record = CallRecord(
            call_id,
            "",  # scenario: the AGI path, once parsed
            None,  # version: the published version, once found
            started,  # started_at
            started,  # ended_at, until the call ends
            _FAILED,  # outcome, until the call has one
            None,  # answered_at
            None,  # hangup_point
            None,  # hangup_during
            facts,
            {},  # inputs
            env.get("agi_uniqueid", ""),  # asterisk_uniqueid
            None,  # job_id
            None,  # origin_call_id
            peer,
            self.config.node_id,  # node
        )
        channel = AgiChannel(connection, settings=self.config.channel, now=clock.now)
        run: CallRun | None = None
        walking: Walking | None = None
        cancelled = blamed = False
        try:
            request = AgiRequest.from_env(env)
            record.scenario = request.path
            record.inputs = call_inputs(request, max_length=self.config.max_input_length)
            try:
                published = await self.source.get(request.path) if is_slug(request.path) else None
            except Exception as error:  # ScenarioLookupFailed, or a host's own source failing its own way
                self._lookup_failed(record, request.path, peer, error)
                await self._fallback(channel)
                return
            if published is None:
                call_log(record).error(
                    "unknown scenario %r requested by %s; playing the fallback", request.path[:100], peer
                )
                self.metrics.errors.labels("unknown_scenario").inc()
                record.outcome = "unknown_scenario"
                await self._fallback(channel)
                return
            record.version = published.version
            record.version_id = published.stamp or None  # 0: a scenario read from a file, no version row
            # Before the walk's facts are read: a callback's resolved inputs say the number it rang (`_inputs`).
            inputs = await self._inputs(record) if self.resolve_inputs else dict(record.inputs)
            if inputs is None:  # a callback whose job could not be loaded: its scenario never runs without it
                await self._tell_job_unavailable(connection)
                return
            if log.isEnabledFor(logging.INFO):  # two lines a call: skip the adapter's work when nobody reads them
                log_start(record, published.slug, published.version)
            run = CallRun(
                published.scenario,
                channel=channel,
                registry=self.registry,
                services=self.services,
                call_id=call_id,
                facts=facts,
                inputs=inputs,
            )
            if published.scenario.sensitive_variables:  # an AGI argument filling one: the walk has it, not the record
                record.inputs = masked_variables(record.inputs, published.scenario.sensitive_variables)
            # For a block busy away from the channel: the caller's hangup interrupts it, and so does the watchdog's
            # patrol past its time (`look_at_walk`). Per call, not per command.
            walking = connection.walk = Walking(run, record, channel, asyncio.current_task())
            connection.walk_began()  # a caller who hung up during the lookups above: told once the walk starts
            if self._watchdog is not None:
                self._watchdog.patrol(connection)
            try:
                result = await run.run()
            finally:
                connection.walk = None
            if walking.given_up:
                return  # its block returned at last, long after `_give_up` ended the call
            self._finish(
                record, trace_of(result), str(result.outcome), result.hangup_node or result.last_node, result.error
            )
            if (
                connection.failure is not None
                and not connection.hung_up  # Asterisk did say the caller hung up: that stands
                and record.outcome == CallOutcome.CALLER_HANGUP
            ):
                self._blame_the_session(record, connection.failure)
                blamed = True
        except asyncio.CancelledError:
            if walking is not None and walking.given_up:
                raise  # its block let a cancellation through at last, long after `_give_up` ended the call
            # Shutdown deadline: keep the partial trace; the record is still written.
            cancelled = True
            if run is not None:
                result = run.result(CallOutcome.FAILED)
                self._finish(record, trace_of(result), _FAILED, result.last_node, "server shutdown")
            else:
                record.error = "server shutdown"
            told = "told IVRGRAPH_STATUS=STOPPING" if _can_tell(connection) else "a command in flight: not told"
            call_log(record).warning("call cancelled at the shutdown deadline (%s)", told)
        except ProtocolError as error:
            record.outcome, record.error = "protocol_error", str(error)
            self.metrics.errors.labels("protocol").inc()
            call_log(record).error("protocol error: %s", error)
        except Exception as error:  # a bug of ours: the call still gets its record and a closed socket
            record.error = f"{type(error).__name__}: {error}"
            self.metrics.errors.labels("internal").inc()
            call_log(record).exception("call failed")
        finally:
            if walking is None or not walking.given_up:  # else `_give_up` closed the call and wrote its record
                try:
                    await self._close_call(connection, channel, record, cancelled=cancelled, blamed=blamed)
                finally:
                    # The call is over: its place goes to the next caller before its record is queued, which may
                    # wait while the writer is behind.
                    self.active_calls -= 1
                    self.metrics.call_ended()
                    if cancelled or self._stopping or not self.records.offer(record):
                        await self._keep_record(record, cancelled=cancelled)
                    if self.call_ended is not None and record.job_id is not None and not cancelled:
                        await self._tell_call_ended(record)

    async def _tell_call_ended(self, record: CallRecord) -> None:
        """`call_ended(record)`; its failure is logged, the call is over either way."""
        assert self.call_ended is not None
        try:
            await self.call_ended(record)
        except Exception:
            call_log(record).exception("the host's call-ended hook failed for callback job %s", record.job_id)

    def _stubborn_block(self, connection: AgiConnection, walking: Walking) -> None:
        """The patrol's word on a call whose block ignored `STUBBORN_BLOCK_CANCELS` cancellations: given up on,
        unless the node is stopping (stop() then cancels it as a call, and gives up on it past its own wait)."""
        if not self._stopping:
            self._give_up(connection, walking)

    def _give_up(self, connection: AgiConnection, walking: Walking, *, why: str | None = None) -> None:
        """End a call whose block ignores its cancellation, without its task, which that block holds: a coroutine
        cannot be killed, so the block may run on in the background. Its record is written now, the call failed
        with the steps so far (`CallRun.abandon`; `why`: the host's reason for its own cancellation, else the
        interruption's); its FastAGI session is closed, so that Asterisk's channel goes on by ${AGISTATUS}; its
        place under max_calls is free again. Should the task end one day, it does nothing more for the call."""
        if walking.given_up:
            return
        walking.given_up = True
        connection.walk = None
        task, run, record = walking.task, walking.run, walking.record
        self._connections.pop(task, None)  # the shutdown waits for it no more: nothing of the call is left to it
        self._abandoned.add(task)
        task.add_done_callback(self._abandoned.discard)
        self.metrics.errors.labels("abandoned_block").inc()
        block = run.steps[-1].type if run.steps else None
        result = run.abandon(why)
        self._finish(record, trace_of(result), _FAILED, result.last_node, result.error)
        call_log(record).error(
            "%s (plugin %s): its session is closed and its record written, but a coroutine cannot be killed: the "
            "block may still be running in the background",
            result.error,
            self.registry.origin(block) if block is not None else None,
        )
        if why is not None or connection.busy:
            connection.close_now()  # the shutdown has no time left; or a command in flight, whose answer nobody reads
        else:
            connection.closed = True  # before the close below starts: nothing more goes out, whatever the block does
            closing = (self._loop or asyncio.get_running_loop()).create_task(connection.close(drain_timeout=2.0))
            self._connections[closing] = connection  # a shutdown lets it close (its Asterisk reads the goodbye)
            closing.add_done_callback(self._forget_task)
        self._ended(record, walking.channel, blamed=False)
        self.active_calls -= 1
        self.metrics.call_ended()
        self.records.submit_nowait(record)

    def _lookup_failed(self, record: CallRecord, path: str, peer: str, error: Exception) -> None:
        """The store could not say whether `path` is published (the database down or silent): not an unknown
        scenario. The caller hears the fallback all the same; the call fails with the cause, in one line with its
        id."""
        failure = error if isinstance(error, ScenarioLookupFailed) else ScenarioLookupFailed(path[:100], error)
        record.outcome, record.error = _FAILED, str(failure)
        self.metrics.errors.labels("scenario_lookup").inc()
        call_log(record).error("%s: %r (requested by %s); playing the fallback", failure, failure.detail, peer)

    async def _inputs(self, record: CallRecord) -> dict[str, Any] | None:
        """The walk's inputs: the AGI inputs with the host's trusted ones over them (`resolve_inputs`: a callback
        job's variables, by `?job=<id>`). None for a call whose request names a job that could not be loaded (the
        resolver failed, or did not answer within `resolve_timeout`): its scenario must not run without the job's
        data (SRE review: a debt reminder said "Hola cliente", then failed on a missing amount), so the call is
        recorded failed under that job (`_job_unavailable`) and the dialplan told. A job the host says does not
        exist (the resolver answers None) is another case: the call runs on its AGI inputs, as the resolver logs."""
        if self.resolve_inputs is None:
            return dict(record.inputs)
        job = record.inputs.get(JOB_INPUT) or None
        lookup = asyncio.ensure_future(self.resolve_inputs(record.scenario, record.inputs))
        # Bounded like the scenario lookup: a store that hangs must not hold the caller (whose hangup wakes nothing
        # here) and a place under max_calls for ever.
        try:
            done, _ = await asyncio.wait({lookup}, timeout=self.config.resolve_timeout)
        except asyncio.CancelledError:
            await self._lookup_cut_off(record, job, lookup)
            raise
        if not done:
            self.metrics.errors.labels("inputs").inc()
            self._late_lookups.add(lookup)
            lookup.add_done_callback(functools.partial(self._late_inputs, record))
            if job is not None:
                # The call does not run on the job, so its lookup must not mark it reached after all (in the product
                # a worker thread's transaction, then rolled back: `DatabaseJobStore.reach`): the job would pass for
                # delivered and never be dialled again, though the callee heard nothing.
                lookup.cancel()
                self._job_unavailable(record, job, f"no answer within {self.config.resolve_timeout:g} s", None)
                return None
            # Not cancelled here: its work may go on in a thread and land after all (`_late_inputs`).
            call_log(record).error(
                "the host's input resolver did not answer within %g s; the call runs on the AGI inputs only",
                self.config.resolve_timeout,
            )
            return dict(record.inputs)
        try:
            resolved = lookup.result()
        except Exception as error:
            self.metrics.errors.labels("inputs").inc()
            if job is not None:
                self._job_unavailable(record, job, type(error).__name__, error)
                return None
            call_log(record).exception("the host's input resolver failed; the call runs on the AGI inputs only")
            return dict(record.inputs)
        if resolved is None:
            return dict(record.inputs)
        record.job_id, record.origin_call_id = resolved.job_id, resolved.origin_call_id
        if resolved.dialed_number:  # the record's facts are the ones the walk starts from
            record.facts["dialed_number"] = resolved.dialed_number
        trusted = {k: v for k, v in resolved.variables.items() if k not in _PROTECTED_NAMES}
        return {**record.inputs, **trusted}

    async def _lookup_cut_off(
        self, record: CallRecord, job: str | None, lookup: asyncio.Future[ResolvedInputs | None]
    ) -> None:
        """The call was cancelled (the shutdown deadline, an operator's second SIGTERM) while its inputs were looked
        up: the call runs nothing, so its lookup must not mark its callback job reached after all (as one given up
        on at `resolve_timeout`: `DatabaseJobStore.reach` then rolls back), and the dialer that rang the callee
        finds the job not reached and dials it again (`Dialer._settle_answer`). Left running, it committed, the job
        passed for delivered and its task outlived `stop`. It is cancelled and, briefly, waited for (within the time
        `stop` gives a cancelled call to close; `stop` cancels it again if it is still running then); the record
        names the job the request names. A lookup that answered already, as the call was cancelled, did mark it."""
        lookup.cancel()
        if not lookup.done():
            self._late_lookups.add(lookup)
            lookup.add_done_callback(self._late_lookups.discard)
            with contextlib.suppress(asyncio.CancelledError):  # cancelled again: `stop` sees to the lookup
                await asyncio.wait({lookup}, timeout=_CUT_OFF_LOOKUP_WAIT)
        answered = lookup.done() and not lookup.cancelled() and lookup.exception() is None
        resolved = lookup.result() if answered else None
        if resolved is not None:
            record.job_id, record.origin_call_id = resolved.job_id, resolved.origin_call_id
            if resolved.job_id is not None:
                call_log(record).error(
                    "callback job %s was marked reached as its call was cancelled, before its scenario ran: the "
                    "job is done, though its callee heard nothing; schedule the callback again",
                    resolved.job_id,
                )
        elif job is not None:
            record.job_id = job

    def _late_inputs(self, record: CallRecord, lookup: asyncio.Future[ResolvedInputs | None]) -> None:
        """The resolver answered after the call started without it: the call keeps running on its AGI inputs, but
        its record still links the callback job (which the resolver may have marked reached) if not yet written."""
        self._late_lookups.discard(lookup)
        if lookup.cancelled() or lookup.exception() is not None:
            return
        resolved = lookup.result()
        if resolved is None or record.job_id is not None:
            return
        record.job_id, record.origin_call_id = resolved.job_id, resolved.origin_call_id
        call_log(record).warning("the input resolver answered late: job %s, its variables unused", resolved.job_id)

    def _job_unavailable(self, record: CallRecord, job: str, cause: str, error: Exception | None) -> None:
        """A call naming callback job `job`, which could not be loaded (`cause`: the resolver's error by its kind, or
        its silence): recorded failed under the job, so that the job's calls and its campaign's report find it. The
        dialer that rang the callee finds the job not reached when the callee hangs up, and dials it again on the
        job's retry rules (`agi_server.dialer.Dialer._settle_answer`)."""
        record.job_id, record.outcome = job, _FAILED
        # The error's kind only, as for a scenario lookup (ScenarioLookupFailed): the record is read by every API
        # user, and a driver's words name the database's host and user. Those go to this line.
        record.error = f"callback job {job!r} could not be loaded: {cause}"
        said = f"{type(error).__name__}: {told(error)}" if error is not None else cause
        call_log(record).error(
            "callback job %r could not be loaded (%s): scenario %s does not run without the job's data; the call "
            "is told %s=%s and closed, and the dialer that rang it retries the job",
            job,
            said,
            record.scenario,
            STATUS_VARIABLE,
            JOB_UNAVAILABLE,
        )

    async def _tell_job_unavailable(self, connection: AgiConnection) -> None:
        """Tell the dialplan a callback's job could not be loaded (`_job_unavailable`); the session then closes
        as a refused call's does, neither answering nor hanging up: the dialplan decides what the callee hears
        (examples/asterisk/extensions.conf sends JOB_UNAVAILABLE to [fallback])."""
        with contextlib.suppress(AgiError):
            await connection.command("SET VARIABLE", STATUS_VARIABLE, JOB_UNAVAILABLE, timeout=1.0)

    def _finish(
        self, record: CallRecord, trace: dict[str, Any], outcome: str, last_node: str | None, error: str | None
    ) -> None:
        record.trace = trace
        record.outcome = outcome
        record.error = error
        if outcome == CallOutcome.CALLER_HANGUP:
            record.hangup_point = last_node

    def _blame_the_session(self, record: CallRecord, failure: AgiError) -> None:
        """The engine saw the line go, as on a hangup, but we closed it: Asterisk went silent past a deadline
        or said what we cannot follow. The record says so instead of blaming the caller."""
        protocol = isinstance(failure, ProtocolError)
        record.outcome = "protocol_error" if protocol else _FAILED
        record.error = record.error or f"{'protocol error' if protocol else 'Asterisk did not answer'}: {failure}"
        record.hangup_point = None
        self.metrics.errors.labels("protocol" if protocol else "answer_timeout").inc()
        call_log(record).error("call ended on our side: %s", record.error)

    async def _fallback(self, channel: AgiChannel) -> None:
        with contextlib.suppress(CallerHangup, AgiError):
            await channel.answer()
            if self.config.fallback_media:
                await channel.play(Prompt(audio=self.config.fallback_media))
        with contextlib.suppress(CallerHangup, AgiError):
            await channel.hangup()

    async def _close_call(
        self, connection: AgiConnection, channel: AgiChannel, record: CallRecord, *, cancelled: bool, blamed: bool
    ) -> None:
        """`cancelled`: the shutdown deadline cancelled the call, so nothing here may wait long. `blamed`: the
        session failed on our side (`_blame_the_session`), so the operation that lost the line is no caller's
        hangup either."""
        if cancelled and _can_tell(connection):
            with contextlib.suppress(AgiError, asyncio.CancelledError):
                await connection.command("SET VARIABLE", STATUS_VARIABLE, "STOPPING", timeout=0.5)
        try:
            await connection.close(drain_timeout=0.2 if cancelled else 2.0)
        except asyncio.CancelledError:
            pass
        self._ended(record, channel, blamed=blamed)

    def _ended(self, record: CallRecord, channel: AgiChannel, *, blamed: bool) -> None:
        """The record's last facts, the call counted, and its "call ended" line."""
        record.ended_at = self.services.clock.now()
        record.answered_at = channel.answered_at
        record.hangup_during = None if blamed else channel.hangup_during
        self.metrics.call_finished(record.outcome)
        # A failed call says why at WARNING (a block type this node lacks, a block's failure with no error route):
        # the plugin review found only "call ended: failed at ask" in the log, the reason in the register alone.
        failed = record.outcome == _FAILED and record.error is not None
        if failed or log.isEnabledFor(logging.INFO):
            where = record.hangup_point or record.trace.get("last_node")
            at = f" at {where}" if where else ""  # none when it never reached a block (an unknown scenario)
            names = asterisk_names(record)
            where = (names["channel"], names["uniqueid"])
            if failed:
                # repr: the error may quote caller data back (a database echoing a bad value, a caller ID that
                # cannot be shown), escapes included; unless numbers may be logged, its code stands for it.
                why = record.error if logged_phone_numbers() == "full" else failure_code_of(record.trace)
                call_log(record).warning(
                    "call ended: %s%s: %r (channel=%r uniqueid=%r)", record.outcome, at, why, *where, extra=names
                )
            else:
                call_log(record).info(
                    "call ended: %s%s (channel=%r uniqueid=%r)", record.outcome, at, *where, extra=names
                )

    async def _keep_record(self, record: CallRecord, *, cancelled: bool) -> None:
        """A record the queue did not take at once (full), or one of a call that shutdown cancelled."""
        if cancelled or self._stopping:
            self.records.submit_nowait(record)
            return
        try:
            await self.records.submit(record)  # the writer is behind: spool it, or wait for room; never drop
        except asyncio.CancelledError:  # shutdown's deadline came while it waited: still written
            self.records.submit_nowait(record)
            raise


def _can_tell(connection: AgiConnection) -> bool:
    """May a call the shutdown deadline cancelled still be told IVRGRAPH_STATUS=STOPPING? Only between commands.
    A command in flight may be a playback or a wait for keys, and any byte written over one stops it with no result
    line (tests/fakes/asterisk.py, issue 3); what Asterisk then does with the command written is in no capture of
    ../shared/asterisk/, so nothing is written over one: its session is cancelled with `closed` set
    (AgiConnection._send). A dead channel has nobody to send on."""
    return not (connection.closed or connection.hung_up or connection.busy)


async def _discard(records: list[CallRecord]) -> None:
    """Default writer when the host wires no persistence: records only reach the logs."""
    del records


__all__ = [
    "FALLBACK_PHRASES",
    "AgiServer",
    "AgiServerConfig",
    "InputResolver",
    "PromptInstaller",
    "ResolvedInputs",
    "SystemClock",
    "call_inputs",
]
