"""An asyncio AMI client for the outbound dialer: one logged-in session kept alive, actions correlated by ActionID.

Layers:
- `AmiSession` is one TCP connection: banner, Login, a read loop that feeds `AmiParser`, responses matched to
  waiting actions by ActionID (never by order: g1 shows Responses in send order but events in completion
  order, and a smuggled action would shift any order-based matching, d3), events handed to a callback.
- `AmiClient` keeps a session: reconnects with exponential back-off after a drop or an Asterisk restart
  (f1, f2), pings to notice a dead peer, fans events out to subscribers, and runs async Originates whose
  outcome it reads from the OriginateResponse event, or reconstructs after a reconnect (the event is not
  replayed to a new session, f1).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import random
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from agi_server.ami_errors import (
    AmiAuthenticationError,
    AmiConnectionError,
    AmiError,
    AmiProtocolError,
    AmiTimeoutError,
)
from agi_server.ami_protocol import (
    BANNER_PREFIX,
    AmiMessage,
    AmiParser,
    DialOutcome,
    encode_action,
    originate_headers,
    outcome_from_reason,
)
from agi_server.errors import SettingError

log = logging.getLogger(__name__)
_T = TypeVar("_T")

Headers = Sequence[tuple[str, str]] | Mapping[str, str]
EventHandler = Callable[[AmiMessage], None]
StateHandler = Callable[["ConnectionState"], None]


@dataclass(frozen=True, slots=True)
class AmiSettings:
    host: str
    port: int
    username: str
    secret: str
    connect_timeout: float = 5.0
    # Login takes ~0.2 ms when accepted but 1.0 s when refused (b.txt): leave room for the refusal.
    login_timeout: float = 5.0
    action_timeout: float = 10.0
    ping_interval: float = 20.0
    reconnect_initial: float = 0.2  # f2: Asterisk accepted again 0.4 s after its stop script returned
    reconnect_max: float = 30.0
    # How long an Originate waits for a lost session to come back before the attempt counts as failed.
    reconnect_grace: float = 60.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> AmiSettings | None:
        """IVRGRAPH_AMI_HOST / _PORT (5038) / _USERNAME / _SECRET; None when no host is configured."""
        env = os.environ if environ is None else environ
        host = env.get("IVRGRAPH_AMI_HOST", "").strip()
        if not host:
            return None
        return cls(
            host=host,
            port=setting_int(env, "IVRGRAPH_AMI_PORT", 5038, minimum=1, maximum=65535),
            username=_header_setting(env, "IVRGRAPH_AMI_USERNAME"),
            secret=_header_setting(env, "IVRGRAPH_AMI_SECRET"),
        )

    def __repr__(self) -> str:  # never print the secret in logs or tracebacks
        return f"AmiSettings(host={self.host!r}, port={self.port}, username={self.username!r}, secret=***)"


def setting_int(
    env: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int | None = None, unit: str = ""
) -> int:
    """The whole number the environment variable `name` holds (`default` when unset or blank); SettingError
    naming the variable and what it expects (a whole number of `unit`, when given) when it holds anything else."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value: int | None = int(text)
    except ValueError:
        value = None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        expected = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
        raise SettingError(f"{name}={text!r}: expected a whole number {f'of {unit} ' if unit else ''}{expected}")
    return value


def _header_setting(env: Mapping[str, str], name: str) -> str:
    """A value sent as an AMI header (the Login's): one with a line break or NUL cannot be sent at all."""
    value = env.get(name, "")
    if any(character in value for character in "\r\n\x00"):
        raise SettingError(
            f"{name}: a line break or NUL cannot be sent to AMI (a secret read from a file often ends in one)"
        )
    return value


class ConnectionState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    CLOSED = "closed"


@dataclass(slots=True)
class _PendingList:
    """A list action (CoreShowChannels): its events carry the ActionID and end with EventList: Complete."""

    events: list[AmiMessage] = field(default_factory=list)
    done: asyncio.Future[list[AmiMessage]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class AmiSession:
    """One connected, logged-in AMI session. Create with `await AmiSession.open(...)`."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        on_event: EventHandler,
        action_ids: Callable[[], str],
        on_response: EventHandler | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._on_event = on_event
        # Told of each Response as it is read, in the read loop (before a later message of the same chunk):
        # `AmiClient` times an Originate's outcome from its "successfully queued".
        self._on_response = on_response
        self._action_ids = action_ids
        self._parser = AmiParser()
        self._responses: dict[str, asyncio.Future[AmiMessage]] = {}
        self._lists: dict[str, _PendingList] = {}
        self._read_task: asyncio.Task[None] | None = None
        self.closed: asyncio.Future[AmiError | None] = asyncio.get_running_loop().create_future()
        # Why `abort` closed the session (the keepalive's failed Ping), told as the session's end: the read loop,
        # cancelled, has no error of its own and the log said "AMI session lost (None)" (review).
        self._abort_reason: AmiError | None = None
        self.version: str | None = None
        self._banner: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    @classmethod
    async def open(
        cls,
        settings: AmiSettings,
        *,
        on_event: EventHandler,
        action_ids: Callable[[], str],
        on_response: EventHandler | None = None,
    ) -> AmiSession:
        """Connect, read the banner, log in. Raises AmiConnectionError or AmiAuthenticationError."""
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(settings.host, settings.port), settings.connect_timeout
            )
        except (OSError, TimeoutError) as exc:
            raise AmiConnectionError(f"cannot reach AMI at {settings.host}:{settings.port}: {exc}") from exc
        session = cls(reader, writer, on_event=on_event, action_ids=action_ids, on_response=on_response)
        try:
            await session._login(settings)
        except BaseException:
            session.abort()
            raise
        return session

    async def _login(self, settings: AmiSettings) -> None:
        self._read_task = asyncio.create_task(self._read_loop(), name="ami-read")
        # The secret goes only to a peer that said it is an Asterisk manager: a host or port set wrong (an SSH or
        # HTTP server there) was sent the credentials before anything it said was read (review of 2026-12-05).
        try:
            await asyncio.wait_for(asyncio.shield(self._banner), settings.login_timeout)
        except TimeoutError as exc:
            raise AmiConnectionError(
                f"no AMI banner from {settings.host}:{settings.port} within {settings.login_timeout:g} s "
                "(is it Asterisk's manager port?)"
            ) from exc
        try:
            response = await self.action(
                "Login",
                [("Username", settings.username), ("Secret", settings.secret), ("Events", "on")],
                timeout=settings.login_timeout,
            )
        except AmiTimeoutError as exc:
            raise AmiConnectionError(f"AMI login got no answer: {exc}") from exc
        if response.name != "Success":
            # Wrong secret and unknown user look the same, and Asterisk hangs up right after (b.txt).
            raise AmiAuthenticationError(settings.username, response.get("Message") or response.name)

    # ---- sending ---------------------------------------------------------------------------------------

    async def action(
        self,
        name: str,
        headers: Headers = (),
        *,
        timeout: float = 10.0,
        action_id: str | None = None,
    ) -> AmiMessage:
        """Send one action and return its Response (Success or Error alike).

        Raises AmiEncodingError before writing anything unsafe, AmiConnectionError when the session is or goes
        down before the Response, AmiTimeoutError after `timeout` seconds.
        """
        action_id = action_id or self._action_ids()
        data = encode_action(name, headers, action_id=action_id)
        future = self._send(action_id, data)
        try:
            return await self._wait(future, timeout, name)
        finally:
            self._responses.pop(action_id, None)

    async def list_action(self, name: str, headers: Headers = (), *, timeout: float = 10.0) -> list[AmiMessage]:
        """Send a list action (e.g. CoreShowChannels) and return its item events, without the Complete event."""
        action_id = self._action_ids()
        data = encode_action(name, headers, action_id=action_id)
        pending = _PendingList()
        self._lists[action_id] = pending
        try:
            response = await self._wait(self._send(action_id, data), timeout, name)
            if response.name != "Success":
                raise AmiError(f"AMI {name} refused: {response.get('Message') or response.name}")
            return await self._wait(pending.done, timeout, name)
        finally:
            self._lists.pop(action_id, None)
            self._responses.pop(action_id, None)

    def _send(self, action_id: str, data: bytes) -> asyncio.Future[AmiMessage]:
        if self.closed.done():
            raise AmiConnectionError("AMI session is closed")
        future: asyncio.Future[AmiMessage] = asyncio.get_running_loop().create_future()
        # Registered before writing: the Response can be parsed before write() returns control.
        self._responses[action_id] = future
        self._writer.write(data)
        return future

    async def _wait(self, future: asyncio.Future[_T], timeout: float, name: str) -> _T:
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError as exc:
            raise AmiTimeoutError(f"AMI {name}: no answer within {timeout} s") from exc

    # ---- reading ---------------------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        error: AmiError | None = None
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    error = AmiConnectionError("AMI connection closed by Asterisk")
                    break
                self._parser.feed(data)
                while (message := self._parser.next_message()) is not None:
                    self._dispatch(message)
                if self.version is None and self._parser.banner:
                    self.version = self._parser.banner
                    self._banner.set_result(self.version)
        except AmiProtocolError as exc:
            error = exc
        except OSError as exc:
            error = AmiConnectionError(f"AMI connection lost: {exc}")
        finally:
            error = error or self._abort_reason
            if not self._banner.done():
                self._banner.set_exception(error or AmiConnectionError("AMI session closed"))
                self._banner.exception()  # retrieved here too: nobody may be waiting for it any more
            self._fail_waiters(error or AmiConnectionError("AMI session closed"))
            self._writer.close()
            if not self.closed.done():
                self.closed.set_result(error)

    def _dispatch(self, message: AmiMessage) -> None:
        action_id = message.action_id
        if not message.is_event:
            if self._on_response is not None:
                try:
                    self._on_response(message)
                except Exception:
                    log.exception("AMI response handler failed on %s", message.name)
            future = self._responses.pop(action_id, None) if action_id is not None else None
            if future is not None and not future.done():
                future.set_result(message)
            else:
                log.debug("AMI response nobody waits for: %s %s", message.name, action_id)
            return
        pending = self._lists.get(action_id) if action_id is not None else None
        if pending is not None:
            if (message.get("EventList") or "").lower() == "complete":
                if not pending.done.done():
                    pending.done.set_result(pending.events)
            else:
                pending.events.append(message)
            return
        try:
            self._on_event(message)
        except Exception:  # a subscriber's bug must not kill the session
            log.exception("AMI event handler failed on %s", message.name)

    def _fail_waiters(self, error: AmiError) -> None:
        for future in self._responses.values():
            if not future.done():
                future.set_exception(error)
        for pending in self._lists.values():
            if not pending.done.done():
                pending.done.set_exception(error)
                # Marked retrieved: `list_action` waits for the list's Response first and gets this error from it,
                # so nobody awaits `done`, and asyncio logged "Future exception was never retrieved" (review).
                pending.done.exception()
        self._responses.clear()

    # ---- closing ---------------------------------------------------------------------------------------

    async def logoff(self, timeout: float = 2.0) -> None:
        """Polite goodbye ("Response: Goodbye", then Asterisk closes); the session is closed either way."""
        with contextlib.suppress(AmiError, OSError):
            await self.action("Logoff", timeout=timeout)
        self.abort()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self.closed), timeout)

    def abort(self, reason: AmiError | None = None) -> None:
        """Close the connection at once; `reason` is what `closed` then says (None: closed on purpose)."""
        if reason is not None and self._abort_reason is None:
            self._abort_reason = reason
        if self._read_task is not None and not self._read_task.done():
            self._read_task.cancel()
        self._writer.transport.abort()


# ---------------------------------------------------------------------------------------------------------------
# The client: one session kept alive, and Originate


@dataclass(frozen=True, slots=True)
class OriginateRequest:
    """An async Originate into a dialplan context. Values are refused (not cleaned) if they hold CR/LF/NUL."""

    channel: str  # e.g. "PJSIP/5550123@trunk"; the dialer builds it from a validated number
    context: str  # a context whose extension runs AGI(agi://host/${IVR_SCENARIO}?job=${JOB_ID})
    channel_id: str  # our Uniqueid for the dialled leg: known before any event, echoed even on failure
    exten: str = "s"
    priority: int = 1
    timeout_ms: int = 30_000
    caller_id: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OriginateResult:
    """What became of one Originate. `lost` means the OriginateResponse was never seen (the session dropped)
    and the outcome was reconstructed from CoreShowChannels and the events seen before the drop."""

    outcome: DialOutcome
    detail: str
    reason: str | None = None
    channel: str | None = None
    uniqueid: str | None = None
    lost: bool = False
    # Seconds from reading the Originate's "successfully queued" Response to reading its OriginateResponse (None:
    # either was not read). A channel Asterisk cannot set up at all (an unknown technology, c-errors.txt test 4)
    # fails 0.26 ms after "queued"; a callee who rings and hangs up takes as long as it rang (c7x.txt: 1.003 s).
    # Both times are the read loop's: a busy event loop delays both alike (measured from sending, a node busy at
    # its start read 25-75 ms for failures Asterisk sent within a millisecond).
    seconds: float | None = None


@dataclass(slots=True)
class _CallWatch:
    action_id: str
    channel_id: str
    result: asyncio.Future[OriginateResult]
    queued_at: float | None = None  # the loop's time when its "successfully queued" Response was read
    dropped: asyncio.Event = field(default_factory=asyncio.Event)
    seen_up: bool = False
    seen_ringing: bool = False  # a Newstate Ringing of the channel: a Reason 0 after it is a callee not answering
    # The channel's name, from the first event naming its Uniqueid (Newchannel): what `hang_up` names to Asterisk.
    name: str | None = None


class AmiClient:
    """Keeps one AMI session alive and offers actions, event subscriptions and Originate.

    `await start()` makes the first connection and raises at once on a wrong secret or an unreachable peer,
    so a misconfiguration is loud; `await start(keep_trying=True)` (a node that boots before its Asterisk)
    instead tries again in the background, with the reconnect back-off, while the peer cannot be reached.
    After that, drops and Asterisk restarts are repaired in the background with exponential back-off; a Login
    refused, on reconnect or on a first connection tried in the background, stops the client (`failure` says
    why).
    """

    def __init__(self, settings: AmiSettings, *, node_id: str = "ivrgraph") -> None:
        self.settings = settings
        # Unique across nodes and restarts: an OriginateResponse is broadcast to every session of every client.
        self._prefix = f"{node_id}-{secrets.token_hex(4)}"
        self._counter = itertools.count(1)
        self._session: AmiSession | None = None
        self._connected = asyncio.Event()
        self._subscribers: list[EventHandler] = []
        self._state_handlers: list[StateHandler] = []
        self._by_action: dict[str, _CallWatch] = {}
        self._by_channel: dict[str, _CallWatch] = {}
        # ChannelId of an answered Originate -> (resolved by its Hangup event, `reconnects` when it was watched).
        self._ends: dict[str, tuple[asyncio.Future[None], int]] = {}
        self._supervisor: asyncio.Task[None] | None = None
        self._closing = False
        self.state = ConnectionState.DISCONNECTED
        self.failure: AmiError | None = None
        self.reconnects = 0

    # ---- lifecycle -----------------------------------------------------------------------------------------

    async def start(self, *, keep_trying: bool = False) -> None:
        """Connect and log in once; raises AmiAuthenticationError or AmiConnectionError (AmiProtocolError: the
        peer is not AMI). With `keep_trying`, raises nothing: a peer that cannot be reached is tried again in
        the background with the reconnect back-off, and a refused Login stops the client (`failure`)."""
        session: AmiSession | None = None
        try:
            session = await self._open()
        except AmiAuthenticationError as exc:
            if not keep_trying:
                raise
            self._give_up(exc, "AMI login refused; the client stops until a restart: %s")
            return
        except (AmiConnectionError, AmiProtocolError) as exc:
            if not keep_trying:
                raise
            log.warning("%s; trying again in the background", exc)
        self._supervisor = asyncio.create_task(self._supervise(session), name="ami-supervisor")

    async def close(self) -> None:
        """Log off and stop reconnecting. Originates still waiting end as failed (lost)."""
        self._closing = True
        session = self._session
        if session is not None:
            await session.logoff()
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        self._resolve_all("AMI client closed")
        self._set_state(ConnectionState.CLOSED)
        # Waiters for a session that will not come back (an Originate's reconcile, wait_ended) end now, not after
        # their own limits (review of 2026-12-05: up to reconnect_grace, 60 s, into a shutdown).
        self._connected.set()

    @property
    def connected(self) -> bool:
        return self._session is not None and not self._session.closed.done()

    async def wait_connected(self, timeout: float) -> None:
        """Return once a session is up; AmiConnectionError after `timeout` or once the client is closed, or the
        fatal `failure`."""
        if self.failure is not None:
            raise self.failure
        if not self._closing:
            try:
                await asyncio.wait_for(self._connected.wait(), timeout)
            except TimeoutError as exc:
                raise AmiConnectionError(f"AMI not connected after {timeout} s") from exc
        if self.failure is not None:
            raise self.failure
        if self._closing:
            raise AmiConnectionError("AMI client closed")

    def subscribe(self, handler: EventHandler) -> Callable[[], None]:
        """Call `handler` for every event; returns a function that unsubscribes."""
        self._subscribers.append(handler)

        def unsubscribe() -> None:
            if handler in self._subscribers:
                self._subscribers.remove(handler)

        return unsubscribe

    def on_state(self, handler: StateHandler) -> None:
        self._state_handlers.append(handler)

    def next_action_id(self) -> str:
        return f"{self._prefix}-{next(self._counter)}"

    async def _open(self) -> AmiSession:
        self._set_state(ConnectionState.CONNECTING)
        try:
            session = await AmiSession.open(
                self.settings, on_event=self._on_event, action_ids=self.next_action_id, on_response=self._on_response
            )
        except BaseException:
            self._set_state(ConnectionState.DISCONNECTED)
            raise
        self._session = session
        self._connected.set()
        # Every login is told, the first and each after a drop: before, a normal start said nothing of AMI, and
        # a reconnect nothing after "AMI reconnect failed ... next try in 3.2 s" (review).
        log.info(
            "AMI connected to %s:%d as %s (%s%s)",
            self.settings.host,
            self.settings.port,
            self.settings.username,
            BANNER_PREFIX,
            session.version or "?",
        )
        self._set_state(ConnectionState.CONNECTED)
        return session

    def _give_up(self, error: AmiAuthenticationError, message: str) -> None:
        """A Login refused: no more tries (a wrong secret is not knocked with again)."""
        log.error(message, error)
        self.failure = error
        self._connected.set()  # wake waiters so they see the failure
        self._resolve_all(f"AMI login refused: {error.message}")
        self._set_state(ConnectionState.CLOSED)

    async def _reopen(self, delay: float) -> tuple[AmiSession | None, float]:
        """A new session, tried after `delay` and again, each wait twice the last up to reconnect_max, while the
        peer cannot be reached; returns it with the delay reached, or None when the Login is refused."""
        while True:
            # Jitter: several dialer nodes must not all knock at the same instant after an Asterisk restart.
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            try:
                return await self._open(), delay
            except AmiAuthenticationError as exc:
                self._give_up(exc, "AMI login refused on reconnect; giving up: %s")
                return None, delay
            except (AmiConnectionError, AmiProtocolError) as exc:
                delay = min(delay * 2, self.settings.reconnect_max)
                log.info("AMI reconnect failed (%s); next try in %.1f s", exc, delay)

    async def _supervise(self, first: AmiSession | None) -> None:
        """Keep a session: `first`, or (None: the first connection failed) one opened with the back-off."""
        loop = asyncio.get_running_loop()
        delay = self.settings.reconnect_initial
        if first is None:
            first, delay = await self._reopen(delay)
            if first is None:
                return
        session = first
        while True:
            opened = loop.time()
            keepalive = asyncio.create_task(self._keepalive(session), name="ami-keepalive")
            error = await asyncio.shield(session.closed)
            keepalive.cancel()
            self._session = None
            self._connected.clear()
            for watch in self._by_action.values():
                watch.dropped.set()
            if self._closing:
                return
            log.warning("AMI session lost (%s); reconnecting", error)
            lost_at = loop.time()
            self._set_state(ConnectionState.DISCONNECTED)
            if loop.time() - opened >= self.settings.ping_interval:
                delay = self.settings.reconnect_initial  # the session had been fine: back at once
            else:
                # A peer that takes the Login and drops the session soon after (crash-looping Asterisk, a proxy,
                # a session limit) is backed off like one that refuses the connection, not knocked at forever.
                delay = min(delay * 2, self.settings.reconnect_max) if self.reconnects else delay
            reopened, delay = await self._reopen(delay)
            if reopened is None:
                return
            log.info("AMI reconnected after %.1f s", loop.time() - lost_at)
            session = reopened
            self.reconnects += 1

    async def _keepalive(self, session: AmiSession) -> None:
        """Ping now and then: a peer that vanished without a FIN (cable, VM pause) is only noticed this way."""
        while True:
            await asyncio.sleep(self.settings.ping_interval)
            try:
                await session.action("Ping", timeout=self.settings.action_timeout)
            except AmiError as exc:
                log.warning("AMI keepalive failed (%s); dropping the session", exc)
                session.abort(AmiConnectionError(f"keepalive Ping failed: {exc}"))
                return

    def _set_state(self, state: ConnectionState) -> None:
        if state is self.state:
            return
        self.state = state
        for handler in list(self._state_handlers):
            try:
                handler(state)
            except Exception:
                log.exception("AMI state handler failed")

    # ---- actions -------------------------------------------------------------------------------------------

    def _current(self) -> AmiSession:
        if self.failure is not None:
            raise self.failure
        session = self._session
        if session is None or session.closed.done():
            raise AmiConnectionError("AMI not connected")
        return session

    async def action(self, name: str, headers: Headers = (), *, timeout: float | None = None) -> AmiMessage:
        """One action on the current session; see `AmiSession.action`."""
        return await self._current().action(name, headers, timeout=timeout or self.settings.action_timeout)

    async def list_action(self, name: str, headers: Headers = (), *, timeout: float | None = None) -> list[AmiMessage]:
        return await self._current().list_action(name, headers, timeout=timeout or self.settings.action_timeout)

    async def ping(self) -> float:
        """Round-trip time of one Ping in seconds (e.txt: 0.03-0.05 ms on loopback)."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        response = await self.action("Ping")
        if response.name != "Success":
            raise AmiProtocolError(f"Ping answered {response.name}: {response.get('Message')}")
        return loop.time() - started

    async def find_channel(self, uniqueid: str) -> AmiMessage | None:
        """The CoreShowChannel entry of a live channel with this Uniqueid, or None (f1's recovery)."""
        for event in await self.list_action("CoreShowChannels"):
            if event.get("Uniqueid") == uniqueid:
                return event
        return None

    # ---- Originate -----------------------------------------------------------------------------------------

    async def originate(self, request: OriginateRequest) -> OriginateResult:
        """Place an async Originate and wait for its outcome.

        Raises AmiEncodingError for a request that cannot be sent safely and AmiConnectionError when no session
        is up (nothing was sent, so the caller may try again without counting an attempt). Every other ending,
        including Asterisk refusing the action and a session lost mid-call, is an `OriginateResult`.
        """
        headers = originate_headers(
            channel=request.channel,
            context=request.context,
            exten=request.exten,
            priority=request.priority,
            timeout_ms=request.timeout_ms,
            caller_id=request.caller_id,
            channel_id=request.channel_id,
            other_channel_id=f"{request.channel_id}-2",
            variables=request.variables,
        )
        encode_action("Originate", headers)  # refuse an unsafe request before anything is registered or sent
        session = self._current()
        action_id = self.next_action_id()
        loop = asyncio.get_running_loop()
        watch = _CallWatch(action_id, request.channel_id, loop.create_future())
        self._by_action[action_id] = watch
        self._by_channel[request.channel_id] = watch
        # Watched from before the Originate is sent: a short answered call may hang up before anyone waits.
        self._ends[request.channel_id] = (loop.create_future(), self.reconnects)
        answered = False
        try:
            try:
                response = await session.action(
                    "Originate", headers, timeout=self.settings.action_timeout, action_id=action_id
                )
            except (AmiConnectionError, AmiProtocolError):
                # Written but unanswered (the session dropped, or the peer sent what is not AMI and the session
                # was closed for it): the call may be ringing. Find out after the reconnect.
                watch.dropped.set()
            else:
                if response.name != "Success":
                    message = response.get("Message") or response.name
                    return OriginateResult(DialOutcome.REFUSED, f"refused by Asterisk: {message}")
            # Asterisk gives up ringing after Timeout; the OriginateResponse follows within milliseconds (c3x).
            result = await self._outcome(watch, request.timeout_ms / 1000 + self.settings.action_timeout)
            answered = result.outcome is DialOutcome.ANSWERED
            return result
        finally:
            self._by_action.pop(action_id, None)
            self._by_channel.pop(request.channel_id, None)
            if not answered:
                self._ends.pop(request.channel_id, None)

    async def hang_up(self, channel_id: str, *, timeout: float | None = None) -> bool:
        """Hang up the channel of an Originate still in progress (its `channel_id`): True when Asterisk did
        ("Response: Success", "Channel Hungup"), False when it has no such channel (the call ended meanwhile: its
        OriginateResponse is on its way). The channel is named as its events named it, else by the Uniqueid, which
        Asterisk's channel lookup also takes. Raises AmiError when no session is up, none answers within `timeout`,
        or Asterisk refuses the action (an AMI user without the `call` write class: examples/asterisk/manager.conf).

        Not captured from a real Asterisk (../shared/asterisk/ami/ has no Hangup action): the answers are those of
        Asterisk 22's main/manager.c (`ast_manager_hangup_helper`), as tests/fakes/ami.py plays them."""
        watch = self._by_channel.get(channel_id)
        channel = watch.name if watch is not None and watch.name else channel_id
        response = await self.action("Hangup", [("Channel", channel)], timeout=timeout)
        if response.name == "Success":
            return True
        message = response.get("Message") or response.name
        if message == "No such channel":
            return False
        raise AmiError(f"AMI Hangup of {channel} refused: {message}")

    async def wait_ended(self, channel_id: str, *, limit: float) -> bool:
        """Wait until the answered call of an Originate (its `channel_id`) hangs up: its Hangup event, or its
        channel gone from CoreShowChannels after a reconnect (the events sent meanwhile are lost, f1). False
        when `limit` seconds passed first or AMI stayed unreachable that long. Call it once per answered call."""
        watched = self._ends.get(channel_id)
        if watched is None:
            return True  # not answered, or already waited for
        ended, known_session = watched
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        try:
            while not ended.done():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                session = self._session
                if session is None or session.closed.done():
                    try:
                        await self.wait_connected(remaining)
                    except AmiError:
                        return False
                    continue
                if self.reconnects != known_session:  # reconnected since: its Hangup may have been missed
                    known_session = self.reconnects
                    try:
                        if await self.find_channel(channel_id) is None:
                            return True
                    except AmiError:
                        continue  # the new session failed too: wait for the next one
                    continue
                waiters: set[asyncio.Future[Any]] = {ended, session.closed}
                await asyncio.wait(waiters, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            return True
        finally:
            self._ends.pop(channel_id, None)

    async def _outcome(self, watch: _CallWatch, ring_limit: float) -> OriginateResult:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ring_limit
        while not watch.result.done():
            if not watch.dropped.is_set():
                dropped = asyncio.create_task(watch.dropped.wait())
                waiters: set[asyncio.Future[Any]] = {watch.result, dropped}
                try:
                    await asyncio.wait(
                        waiters,
                        timeout=max(0.0, deadline - loop.time()),
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                finally:
                    dropped.cancel()
                if watch.result.done():
                    break
                if not watch.dropped.is_set():
                    return OriginateResult(
                        DialOutcome.FAILED,
                        f"no OriginateResponse within {ring_limit:.0f} s",
                        uniqueid=watch.channel_id,
                        lost=True,
                    )
            await self._reconcile(watch)
        return watch.result.result()

    async def _reconcile(self, watch: _CallWatch) -> None:
        """After a drop: the OriginateResponse sent meanwhile is gone for good (f1). Ask Asterisk what is left."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.settings.reconnect_grace
        channel: AmiMessage | None = None
        while not watch.result.done():
            remaining = give_up - loop.time()
            try:
                await self.wait_connected(max(0.0, remaining))
            except AmiConnectionError:
                self._resolve(watch, self._lost(watch, f"AMI unreachable for {self.settings.reconnect_grace:.0f} s"))
                return
            except AmiError as exc:  # the Login is refused now: the client has stopped
                self._resolve(watch, self._lost(watch, str(exc)))
                return
            if watch.result.done():
                return
            try:
                channel = await self.find_channel(watch.channel_id)
                break
            except AmiConnectionError:
                # The new session went down too; give the supervisor a moment to notice before asking again.
                await asyncio.sleep(min(0.05, max(0.0, remaining)))
            except AmiError as exc:
                self._resolve(watch, self._lost(watch, f"AMI failed while reconciling: {exc}"))
                return
        if watch.result.done():
            return
        if channel is None:
            # Gone: it either ended while we were away (answered only if we saw it go Up) or died with Asterisk.
            self._resolve(watch, self._lost(watch, "call not found after reconnect"))
        elif channel.get("ChannelStateDesc") == "Up":
            found = OriginateResult(
                DialOutcome.ANSWERED,
                "answered (found up after reconnect)",
                channel=channel.get("Channel"),
                uniqueid=watch.channel_id,
                lost=True,
            )
            self._resolve(watch, found)
        else:
            # Still ringing: this session is listening now and will get the OriginateResponse.
            watch.dropped.clear()

    @staticmethod
    def _lost(watch: _CallWatch, why: str) -> OriginateResult:
        if watch.seen_up:
            return OriginateResult(
                DialOutcome.ANSWERED,
                f"answered before the AMI session dropped; {why}",
                uniqueid=watch.channel_id,
                lost=True,
            )
        return OriginateResult(DialOutcome.FAILED, f"outcome unknown: {why}", uniqueid=watch.channel_id, lost=True)

    @staticmethod
    def _resolve(watch: _CallWatch, result: OriginateResult) -> None:
        if not watch.result.done():
            watch.result.set_result(result)

    def _resolve_all(self, why: str) -> None:
        for watch in list(self._by_action.values()):
            self._resolve(watch, self._lost(watch, why))

    def _on_response(self, message: AmiMessage) -> None:
        """An Originate's "successfully queued", timed as read (`OriginateResult.seconds`)."""
        if message.name != "Success":
            return  # refused ("Response: Error", c-errors.txt): no OriginateResponse follows
        watch = self._by_action.get(message.action_id or "")
        if watch is not None and watch.queued_at is None:
            watch.queued_at = asyncio.get_running_loop().time()

    def _on_event(self, message: AmiMessage) -> None:
        if message.name == "Hangup":
            # Dropped here, so an answered call nobody waits for leaves nothing behind; a later wait_ended
            # finds no entry and returns at once.
            watched = self._ends.pop(message.get("Uniqueid") or "", None)
            if watched is not None and not watched[0].done():
                watched[0].set_result(None)
        if message.name == "OriginateResponse":
            action_id = message.action_id
            watch = self._by_action.get(action_id) if action_id else None
            if watch is None:
                watch = self._by_channel.get(message.get("Uniqueid") or "")
            if watch is not None:
                response, reason = message.get("Response"), message.get("Reason")
                outcome = outcome_from_reason(response, reason, rang=watch.seen_ringing)
                self._resolve(
                    watch,
                    OriginateResult(
                        outcome,
                        f"{response} (Reason {reason})",
                        reason=reason,
                        channel=message.get("Channel"),
                        uniqueid=message.get("Uniqueid"),
                        seconds=None
                        if watch.queued_at is None
                        else asyncio.get_running_loop().time() - watch.queued_at,
                    ),
                )
        else:
            watch = self._by_channel.get(message.get("Uniqueid") or "")
            if watch is not None and watch.name is None:
                watch.name = message.get("Channel")
            if watch is not None and message.get("ChannelStateDesc") == "Up":
                watch.seen_up = True
            if watch is not None and message.get("ChannelStateDesc") == "Ringing":
                watch.seen_ringing = True
        for handler in list(self._subscribers):
            try:
                handler(message)
            except Exception:  # one subscriber's bug must not starve the others or the session
                log.exception("AMI subscriber failed on %s", message.name)
