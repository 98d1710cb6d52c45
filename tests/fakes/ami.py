"""A fake Asterisk Manager Interface over real TCP that replays bytes captured from a real Asterisk 22.

Source of truth: ../shared/asterisk/ami/ (README.txt and the transcripts beside it). The fake

- sends the one-line banner, answers Login like a.txt (Success + FullyBooted in one chunk, then
  SuccessfulAuth) and a wrong user/secret like b.txt (1 s delay, "Authentication failed", EOF);
- answers any action before Login with "Permission denied" (b.txt) and Ping/Logoff like e.txt;
- writes each of its own answers in the TCP chunks Asterisk wrote it in (`_answer`): Ping in three (f2 #3-#5),
  Getvar in two (f1 #5-#6), CoreShowChannels' Response, then its list (f1 #3-#4), Login's Response with
  FullyBooted, then SuccessfulAuth (a-login #2-#3); a client that parsed by recv() would fail here as on Asterisk;
- reads actions the way Asterisk does: a bare LF ends a line, a blank line ends the action, the first
  occurrence of a repeated header wins, a line over 1024 bytes drops the action (d-header-injection.txt);
  every action it parsed is kept in `received`, so a test can prove what reached "Asterisk";
- answers Originate errors synchronously with the texts of c-errors.txt, and for an async Originate
  replays the captured events of the callee's transcript (c1x..c9x.txt), chunk by chunk and at the captured
  times (scaled by `time_scale`), with the capture's ids swapped for the ones the client sent. The callee is
  the number in a Local channel ("Local/<number>@...") or in one of `channel_templates` a test names
  ("PJSIP/{number}@trunk"); any other channel is one whose technology this Asterisk lacks, and fails as
  c-errors.txt test 4 ("Bogus/2000"): queued, then OriginateResponse Failure Reason 0 0.26 ms later;
- keeps calls running when a client drops (f1: the OriginateResponse is then lost), lists both legs of each
  with CoreShowChannels as f1.txt does (";2" first, its Uniqueid the OtherChannelId, each leg's own context,
  extension and application, from the events replayed so far) and answers Getvar like f1.txt, and can stop
  and start again like f2.txt (Shutdown event, EOF, connection refused, a new banner);
- answers Action: Hangup (`_hangup`), which no capture holds: from Asterisk 22's documented behaviour, each such
  answer and event marked so where it is made.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

CAPTURES = Path(
    os.environ.get("IVRGRAPH_AMI_CAPTURES", Path(__file__).resolve().parents[3] / "shared" / "asterisk" / "ami")
)

# Which transcript plays which callee number (README section 4); a longer number plays its first four digits'
# (50001 and 50002 are two callees who both answer like 5000). Unknown numbers behave like 9000, or as
# `FakeAmi.unknown_callee` says; `FakeAmi.callee_aliases` gives a number another callee's behaviour.
CALLEE_CAPTURES: Mapping[str, str] = {
    "1123": "c1x.txt",  # answers after 1 s, DTMF 123
    "1124": "c1x-noagi.txt",  # answers, but the dialplan's AGI finds no FastAGI server (AGISTATUS=FAILURE)
    "2000": "c2x.txt",  # busy
    "3000": "c3x.txt",  # rings 30 s, no answer
    "4000": "c4x.txt",  # congestion
    "5000": "c5x.txt",  # answers, hangs up after 1 s
    "6000": "c6x.txt",  # answers, listens 30 s
    "7000": "c7x.txt",  # rings 1 s, hangs up unanswered
    "8000": "c8x.txt",  # rejects with cause 21
    "9000": "c9x.txt",  # no such callee
}

BANNER = b"Asterisk Call Manager/11.0.0\r\n"  # a-login.txt #1: one line, no blank line after it
# c-errors.txt test 4: the technology Asterisk lacks, and the capture whose OriginateResponse it fails with.
UNKNOWN_TECHNOLOGY = ("c-errors.txt", "Channel: Bogus/2000")
# c-errors.txt #7 -> #9: the OriginateResponse of the unknown technology 0.255 ms after "successfully queued".
UNKNOWN_TECHNOLOGY_DELAY = 0.302588 - 0.302333
MAX_LINE = 1024  # d5: "Failed to parse message: line too long"
_UNESCAPES = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_ENTRY = re.compile(r"^\s*(\d+\.\d+)\s+(A>C|C>A)\s+#\d+\s+(?:len=\d+|EOF)")
_CALLEE = re.compile(r"^Local/([^@/]+)@")


@dataclass(frozen=True, slots=True)
class Chunk:
    """One recv()/sendall of a transcript: seconds since connect, direction, exact bytes (b"" = EOF)."""

    t: float
    direction: str
    data: bytes


def unescape(text: str) -> bytes:
    """Undo the transcript escaping (\\\\ \\n \\r \\t \\xHH)."""
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "x":
                out.append(int(text[i + 2 : i + 4], 16))
                i += 4
                continue
            out += _UNESCAPES[nxt].encode()
            i += 2
            continue
        out += char.encode("utf-8")
        i += 1
    return bytes(out)


def load_transcript(path: Path) -> list[Chunk]:
    """Every chunk of a transcript file in order (several connections in one file follow each other)."""
    chunks: list[Chunk] = []
    current: tuple[float, str] | None = None
    data = bytearray()
    eof = False

    def flush() -> None:
        if current is not None:
            chunks.append(Chunk(current[0], current[1], b"" if eof else bytes(data)))

    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ENTRY.match(line)
        if match:
            flush()
            current, data, eof = (float(match.group(1)), match.group(2)), bytearray(), line.rstrip().endswith("EOF")
            continue
        stripped = line.lstrip()
        if current is not None and stripped.startswith("| "):
            data += unescape(stripped[2:])
        elif current is not None and stripped.startswith(("|~", "~")):
            continue  # a message the capture left out as unrelated to the test; its bytes are not in the file
        elif not stripped.startswith("|"):
            flush()
            current = None
    flush()
    return chunks


def split_messages(data: bytes) -> list[bytes]:
    """Messages of a chunk, each with its CRLF CRLF (a chunk can end inside a message: the tail is kept)."""
    parts = data.split(b"\r\n\r\n")
    messages = [part + b"\r\n\r\n" for part in parts[:-1]]
    if parts[-1]:
        messages.append(parts[-1])
    return messages


def parse_action(raw: bytes) -> list[tuple[str, str]]:
    """Headers of one action as Asterisk reads them (lines already split on LF, trailing CR removed)."""
    headers: list[tuple[str, str]] = []
    for line in raw.split(b"\n"):
        text = line.decode("utf-8", errors="replace")
        key, _, value = text.partition(":")
        headers.append((key.strip(), value.strip()))
    return headers


def first(headers: Iterable[tuple[str, str]], key: str) -> str | None:
    """Asterisk's astman_get_header: the FIRST occurrence wins (d2)."""
    wanted = key.lower()
    for name, value in headers:
        if name.lower() == wanted:
            return value
    return None


def all_values(headers: Iterable[tuple[str, str]], key: str) -> list[str]:
    wanted = key.lower()
    return [value for name, value in headers if name.lower() == wanted]


@dataclass(slots=True)
class CallScript:
    """The part of a c*.txt capture that follows the Originate: what Asterisk sent, when, with which ids."""

    chunks: list[tuple[float, bytes]]  # (seconds after the Originate, bytes)
    action_id: str
    channel_id: str
    other_channel_id: str
    job_id: str
    context: str
    scenario: str
    channel: str = ""  # the Channel the capture's Originate requested (a failed call's OriginateResponse names it)


def load_call_script(path: Path) -> CallScript:
    chunks = load_transcript(path)
    index = next(i for i, chunk in enumerate(chunks) if b"Action: Originate" in chunk.data)
    originate = chunks[index]
    headers = parse_action(originate.data.replace(b"\r\n", b"\n"))
    variables = dict(item.split("=", 1) for value in all_values(headers, "Variable") for item in value.split(","))
    replay: list[tuple[float, bytes]] = []
    for chunk in chunks[index + 1 :]:
        if chunk.direction == "C>A":
            break  # the test's Logoff: the call part of the capture is over
        if not chunk.data:
            continue
        # The fake writes its own Response to the Originate; everything else is replayed as captured.
        kept = b"".join(m for m in split_messages(chunk.data) if not m.startswith(b"Response:"))
        if kept:
            replay.append((chunk.t - originate.t, kept))
    return CallScript(
        chunks=replay,
        action_id=first(headers, "ActionID") or "",
        channel_id=first(headers, "ChannelId") or "",
        other_channel_id=first(headers, "OtherChannelId") or "",
        job_id=variables.get("JOB_ID", ""),
        context=first(headers, "Context") or "",
        scenario=variables.get("IVR_SCENARIO", ""),
        channel=first(headers, "Channel") or "",
    )


def unanswered_response() -> bytes:
    """c7x.txt #11: the OriginateResponse of a call that rang and ended unanswered (Failure, Reason 0)."""
    return next(
        message
        for chunk in load_transcript(CAPTURES / CALLEE_CAPTURES["7000"])
        if chunk.direction == "A>C"
        for message in split_messages(chunk.data)
        if message.startswith(b"Event: OriginateResponse\r\n")
    )


def originate_response_for(
    captured: bytes, channel: str, headers: list[tuple[str, str]], action_id: str | None, channel_id: str
) -> bytes:
    """A captured OriginateResponse with this Originate's ActionID (left out without one: README section 3),
    Channel (as requested), Context, Exten, ChannelId and CallerID."""
    number, name = caller_id_parts(first(headers, "CallerID"))
    lines: list[bytes] = []
    for line in captured.split(b"\r\n"):
        key = line.partition(b":")[0].decode()
        if key == "ActionID":
            if action_id is None:
                continue
            line = f"ActionID: {action_id}".encode()
        replacement = {
            "Channel": channel,
            "Context": first(headers, "Context") or "",
            "Exten": first(headers, "Exten") or "",
            "Uniqueid": channel_id,
            "CallerIDNum": number,
            "CallerIDName": name,
        }.get(key)
        lines.append(line if replacement is None else f"{key}: {replacement}".encode())
    return b"\r\n".join(lines)


def unknown_technology_response() -> bytes:
    """c-errors.txt #9: the OriginateResponse of an Originate to a technology Asterisk lacks ("Bogus/2000")."""
    name, marker = UNKNOWN_TECHNOLOGY
    return next(
        message
        for chunk in load_transcript(CAPTURES / name)
        if chunk.direction == "A>C"
        for message in split_messages(chunk.data)
        if message.startswith(b"Event: OriginateResponse\r\n") and marker.encode() in message
    )


def caller_id_parts(value: str | None) -> tuple[str, str]:
    """(CallerIDNum, CallerIDName) of an Originate's CallerID ('"ACME Dialer" <5550100>' -> 5550100, ACME Dialer),
    as OriginateResponse shows them; "<unknown>" for what the Originate did not give (README section 4)."""
    if not value:
        return "<unknown>", "<unknown>"
    match = re.fullmatch(r'\s*"?([^"<]*?)"?\s*<([^>]*)>\s*', value)
    if match is None:
        return value.strip(), "<unknown>"
    return match.group(2) or "<unknown>", match.group(1) or "<unknown>"


def _substitution(mapping: Mapping[bytes, bytes]) -> tuple[re.Pattern[bytes], Mapping[bytes, bytes]]:
    keys = sorted((key for key in mapping if key), key=len, reverse=True)
    return re.compile(b"|".join(re.escape(key) for key in keys)), mapping


# What CoreShowChannel says of a leg, in f1.txt's order (#4); the leg's last event gives all but the last four.
_SNAPSHOT = (
    "Channel",
    "ChannelState",
    "ChannelStateDesc",
    "CallerIDNum",
    "CallerIDName",
    "ConnectedLineNum",
    "ConnectedLineName",
    "Language",
    "AccountCode",
    "Context",
    "Exten",
    "Priority",
    "Uniqueid",
    "Linkedid",
)


@dataclass(slots=True)
class FakeLeg:
    """One channel of a call (a Local call has two: ";1" runs the Originate's context, ";2" rings the callee),
    as its replayed events left it: the channel snapshot of the last one, the application of the last Newexten."""

    snapshot: dict[str, str]
    created: float  # the loop's time at its Newchannel
    application: str = ""
    data: str = ""


@dataclass(slots=True)
class FakeCall:
    """A call the fake Asterisk is running (lives on when the client that started it goes away)."""

    number: str
    action_id: str | None
    channel_id: str
    variables: dict[str, str]
    channel: str | None = None
    state: str = "Down"
    ended: bool = False
    fastagi: bool = False  # the callee's FastAGI session started (on_fastagi was called)
    task: asyncio.Task[None] | None = None
    other_channel_id: str = ""
    legs: dict[str, FakeLeg] = field(default_factory=dict)  # Uniqueid -> a leg not hung up yet
    responded: bool = False  # its OriginateResponse went out
    hung_up: bool = False  # an Action: Hangup ended it (`FakeAmi._hangup`)


@dataclass(slots=True)
class ReceivedAction:
    """One action as the fake Asterisk parsed it, with the peer's session number."""

    session: int
    headers: list[tuple[str, str]]

    @property
    def name(self) -> str:
        return first(self.headers, "Action") or ""

    def get(self, key: str) -> str | None:
        return first(self.headers, key)


@dataclass(eq=False, slots=True)
class _Session:
    number: int
    writer: asyncio.StreamWriter
    logged_in: bool = False
    events: bool = True
    # Held while an answer is written chunk by chunk: Asterisk's session thread writes an answer whole before any
    # event (f1 #3: the pending SuccessfulAuth went out before the Response, never inside it).
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def originate_variables(header_value: str) -> dict[str, str]:
    """An Originate `Variable:` header as Asterisk 22 reads it (manager.c man_do_variable_value): leading blanks
    skipped, split on commas by `separate_args`, each item cut at its first '=' (no '=': an empty value)."""
    variables: dict[str, str] = {}
    for item in separate_args(header_value.lstrip(" \t")):
        if item:
            name, _, value = item.partition("=")
            if name:
                variables[name] = value
    return variables


def separate_args(text: str, delim: str = ",") -> list[str]:
    """main/app.c __ast_app_separate_args with remove_chars: a delimiter inside (), [] or "" does not split, a
    '"' toggles quoting and is dropped, a backslash is dropped and the character after it kept as it is."""
    items: list[str] = []
    current: list[str] = []
    paren = bracket = 0
    quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if char == "(":
            paren += 1
        elif char == ")":
            paren = max(0, paren - 1)
        elif char == "[":
            bracket += 1
        elif char == "]":
            bracket = max(0, bracket - 1)
        elif char == '"' and delim != '"':
            quoted = not quoted
            index += 1
            continue
        elif char == "\\":
            if index + 1 < len(text):
                current.append(text[index + 1])
            index += 2
            continue
        elif char == delim and not paren and not bracket and not quoted:
            items.append("".join(current))
            current = []
            index += 1
            if index == len(text):  # a delimiter last: one more, empty argument
                items.append("")
            continue
        current.append(char)
        index += 1
    if current:
        items.append("".join(current))
    return items


@dataclass(slots=True)
class FakeAmi:
    """Start with `await fake.start()`; connect to ("127.0.0.1", fake.port)."""

    username: str = "probe"
    secret: str = "probe"
    time_scale: float = 1.0  # multiply captured delays (0.01 makes the 30 s no-answer call last 0.3 s)
    # Between the chunks of one answer (`_answer`): enough for the client to read each on its own, as it did from
    # Asterisk (17-30 us apart there, f2 #3-#5; a pause that short would let both land in one read here).
    chunk_gap: float = 0.001
    # Dial strings whose {number} is a callee of CALLEE_CAPTURES, besides Local/<number>@...: a test dialling
    # through the documented "PJSIP/{number}@trunk" names it here. Any other channel fails as an unknown
    # technology does (c-errors.txt test 4).
    channel_templates: tuple[str, ...] = ()
    auth_failure_delay: float = 1.0  # b.txt: Asterisk waits 1.000 s before "Authentication failed"
    # The captured callee whose transcript a number CALLEE_CAPTURES does not map plays (by itself or by its first
    # four digits): 9000, as Asterisk has no such callee. Someone acting out a list of real-looking numbers
    # (+34600111222) makes them answer with "1123" (designer_ui/e2e/fake_pbx.py --answer-all).
    unknown_callee: str = "9000"
    # Numbers that play another captured callee's transcript ("+34600111222" -> "2000": busy), before any other rule.
    callee_aliases: Mapping[str, str] = field(default_factory=dict)
    contexts: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: {"outbound-ivr": frozenset({"s"}), "outbound-ivr-f": frozenset({"s", "failed"})}
    )
    received: list[ReceivedAction] = field(default_factory=list)
    calls: list[FakeCall] = field(default_factory=list)
    connections: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _sessions: set[_Session] = field(default_factory=set)
    _scripts: dict[str, CallScript] = field(default_factory=dict)
    _booted: float = field(default_factory=time.monotonic)
    _unique: int = 0
    # What the callee's FastAGI session does: Asterisk connects to the FastAGI server when the dialplan runs
    # AGI() (a capture's first AGIExecStart event shows it did; c1x-noagi.txt has none). A test passes what
    # ivrgraph's FastAGI server does then (reach the job named in "?job="); called once per call, before that
    # event goes out.
    on_fastagi: Callable[[FakeCall], Awaitable[None]] | None = None
    fastagi_errors: list[Exception] = field(default_factory=list)

    async def start(self, host: str = "127.0.0.1") -> None:
        self._server = await asyncio.start_server(self._serve, host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self._booted = time.monotonic()

    async def close(self) -> None:
        for call in self.calls:
            if call.task is not None:
                call.task.cancel()
            call.ended = True  # calls die with Asterisk (f2)
            call.legs.clear()
        await self._close_listener()
        for session in list(self._sessions):
            session.writer.transport.abort()
        self._sessions.clear()

    async def drop_connections(self) -> None:
        """The network drops every session (no Logoff, no Shutdown); calls go on inside Asterisk (f1)."""
        for session in list(self._sessions):
            session.writer.transport.abort()
        self._sessions.clear()

    async def partition(self) -> None:
        """The network between the client and Asterisk fails: sessions drop and reconnects are refused, while
        calls go on inside Asterisk and their events are lost (f1, lasting until `heal`)."""
        await self._close_listener()
        await self.drop_connections()

    async def heal(self) -> None:
        """The network is back: the same Asterisk (same uptime, same calls) accepts connections again."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def stop_asterisk(self) -> None:
        """`core stop now` (f2): Shutdown event to each session, EOF 14 ms later, calls die, connects refused."""
        event = (
            b"Event: Shutdown\r\nPrivilege: system,all\r\nTimestamp: %.6f\r\n"
            b"Shutdown: Cleanly\r\nRestart: False\r\n\r\n" % time.time()
        )
        await self._broadcast(event)
        await asyncio.sleep(0.014 * self.time_scale)
        await self.close()

    async def start_asterisk(self) -> None:
        """Asterisk is back on the same port with a fresh uptime (f2 connection 2)."""
        await self.start()

    def live_calls(self) -> list[FakeCall]:
        return [call for call in self.calls if not call.ended and call.channel is not None]

    def actions(self, name: str) -> list[ReceivedAction]:
        return [action for action in self.received if action.name.lower() == name.lower()]

    # ---- sessions ---------------------------------------------------------------------------------------

    async def _close_listener(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        session = _Session(number=self.connections, writer=writer)
        self._sessions.add(session)
        try:
            writer.write(BANNER)
            buffer = b""
            held = b""  # a CR that ended the last read: its LF may come in the next segment
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                data, held = held + data, b""
                if data.endswith(b"\r"):
                    data, held = data[:-1], b"\r"
                buffer += data.replace(b"\r\n", b"\n")
                # Asterisk: a bare LF ends a line, an empty line ends the action (d2, d3).
                while b"\n\n" in buffer:
                    raw, buffer = buffer.split(b"\n\n", 1)
                    raw = raw.lstrip(b"\n")
                    if raw and not await self._handle(session, raw):
                        return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            self._sessions.discard(session)
            with contextlib.suppress(Exception):
                writer.close()

    async def _handle(self, session: _Session, raw: bytes) -> bool:
        """Answer one action; False closes the connection."""
        headers = parse_action(raw)
        action_id = first(headers, "ActionID")
        if any(len(line) + 1 > MAX_LINE for line in raw.split(b"\n")):
            await self._answer(session, self._response("Error", action_id, "Failed to parse message: line too long"))
            return True
        self.received.append(ReceivedAction(session.number, headers))
        name = (first(headers, "Action") or "").lower()
        if name == "login":
            return await self._login(session, headers, action_id)
        if not session.logged_in:
            await self._answer(session, self._response("Error", action_id, "Permission denied"))  # b.txt
            return True
        if name == "logoff":
            # f2 #6: one chunk, then EOF.
            await self._answer(session, self._response("Goodbye", action_id, "Thanks for all the fish."))
            await session.writer.drain()
            return False
        if name == "ping":
            await self._ping(session, action_id)
        elif name == "originate":
            self._originate(session, headers, action_id)
        elif name == "coreshowchannels":
            await self._core_show_channels(session, action_id)
        elif name == "getvar":
            await self._getvar(session, headers, action_id)
        elif name == "hangup":
            await self._hangup(session, headers, action_id)
        elif name == "command":
            # d3: what the smuggled "Action: Command" answered; a test must never get here from our client.
            output = [
                ("Output", "System uptime: 1 minute, 30 seconds"),
                ("Output", "Last reload: 1 minute, 30 seconds"),
            ]
            await self._answer(
                session, self._lines("Response: Success", action_id, [("Message", "Command output follows"), *output])
            )
        else:
            message = (
                f"Invalid/unknown command: {first(headers, 'Action')}. "
                "Use Action: ListCommands to show available commands."
            )
            await self._answer(session, self._response("Error", action_id, message))
        return True

    async def _login(self, session: _Session, headers: list[tuple[str, str]], action_id: str | None) -> bool:
        if first(headers, "Username") != self.username or first(headers, "Secret") != self.secret:
            await asyncio.sleep(self.auth_failure_delay)  # b.txt: deliberate 1 s, same for unknown user
            await self._answer(session, self._response("Error", action_id, "Authentication failed"))
            await session.writer.drain()
            return False
        session.logged_in = True
        session.events = (first(headers, "Events") or "on").lower() not in ("off", "no", "false")
        uptime = str(int(time.monotonic() - self._booted))
        # a-login.txt #2: the Response and FullyBooted share one chunk; SuccessfulAuth comes in the next (#3).
        chunks = [
            self._response("Success", action_id, "Authentication accepted")
            + self._lines(
                "Event: FullyBooted",
                None,
                [("Privilege", "system,all"), ("Uptime", uptime), ("LastReload", uptime), ("Status", "Fully Booted")],
            )
        ]
        if session.events:
            chunks.append(
                self._lines(
                    "Event: SuccessfulAuth",
                    None,
                    [
                        ("Privilege", "security,all"),
                        _timestamp(),
                        ("Severity", "Informational"),
                        ("Service", "AMI"),
                        ("EventVersion", "1"),
                        ("AccountID", self.username),
                        ("UsingPassword", "0"),
                    ],
                )
            )
        await self._answer(session, *chunks)
        return True

    async def _ping(self, session: _Session, action_id: str | None) -> None:
        """Ping's answer in the chunks Asterisk wrote it in: with an ActionID three (f2-asterisk-restart.txt #3-#5:
        the Response line, the ActionID line, the rest), without one two (e-ping-logoff.txt #5-#6)."""
        rest = self._lines("Ping: Pong", None, [_timestamp()])
        if action_id is None:
            await self._answer(session, b"Response: Success\r\n", rest)
        else:
            await self._answer(session, b"Response: Success\r\n", f"ActionID: {action_id}\r\n".encode(), rest)

    async def _answer(self, session: _Session, *chunks: bytes) -> None:
        """Write one answer as the chunks given, `chunk_gap` apart, no event between them (`_Session.lock`)."""
        async with session.lock:
            for index, chunk in enumerate(chunks):
                if index:
                    await asyncio.sleep(self.chunk_gap)
                session.writer.write(chunk)

    async def _broadcast(self, chunk: bytes) -> None:
        """An event chunk to every logged-in session that asked for events, like Asterisk's manager events: a
        session that is not connected right now simply misses it (f1). Never inside an answer being written."""
        for session in list(self._sessions):
            if session.logged_in and session.events:
                async with session.lock:
                    session.writer.write(chunk)

    # ---- Originate ----------------------------------------------------------------------------------------

    def _originate(self, session: _Session, headers: list[tuple[str, str]], action_id: str | None) -> None:
        """Its Response is one chunk (c-errors.txt #4-#8), written at once: no other answer of the session can be
        half written meanwhile (`_handle` answers one action at a time), and an event waits for no lock then."""
        channel = first(headers, "Channel")
        context = first(headers, "Context")
        exten = first(headers, "Exten")
        priority = first(headers, "Priority")
        timeout = first(headers, "Timeout")
        # Synchronous checks of manager.c, texts from c-errors.txt and d3.
        error: str | None = None
        if not channel:
            error = "Channel not specified"
        elif priority and not re.match(r"^\d+$", priority):
            error = "Invalid priority"
        elif timeout and not re.match(r"^-?\d", timeout):
            error = "Invalid timeout"
        elif "/" not in channel:
            error = "Invalid channel"
        elif not first(headers, "Application") and not (context and priority):
            error = "Originate with 'Exten' requires 'Context' and 'Priority'"
        elif context is not None and exten not in self.contexts.get(context, frozenset()):
            error = "Extension does not exist."
        elif (first(headers, "Async") or "").lower() not in ("true", "yes", "1", "on"):
            error = "this fake only plays Async: true (see g2 for sync)"
        if error is not None or channel is None:
            session.writer.write(self._response("Error", action_id, error or "Channel not specified"))
            return
        session.writer.write(self._response("Success", action_id, "Originate successfully queued"))
        self._start_call(channel, headers, action_id)

    def _callee(self, channel: str) -> str | None:
        """The callee number a dial string rings: Local/<number>@..., or a test's `channel_templates`; None for a
        channel of a technology this Asterisk lacks."""
        match = _CALLEE.match(channel)
        if match:
            return match.group(1)
        for template in self.channel_templates:
            pattern = re.escape(template).replace(re.escape("{number}"), "([0-9*#+]+)")
            match = re.fullmatch(pattern, channel)
            if match:
                return match.group(1)
        return None

    def played_callee(self, number: str) -> str:
        """The CALLEE_CAPTURES number whose transcript a call to `number` plays: its alias, itself, its first four
        digits' (50001 answers as 5000), else `unknown_callee`."""
        for candidate in (self.callee_aliases.get(number), number, number[:4]):
            if candidate is not None and candidate in CALLEE_CAPTURES:
                return candidate
        return self.unknown_callee

    def _start_call(self, channel: str, headers: list[tuple[str, str]], action_id: str | None) -> None:
        variables: dict[str, str] = {}
        for value in all_values(headers, "Variable"):
            variables.update(originate_variables(value))
        self._unique += 1
        channel_id = first(headers, "ChannelId") or f"{int(time.time())}.{self._unique}"
        other_id = first(headers, "OtherChannelId") or f"{channel_id};2"
        number = self._callee(channel)
        if number is None:
            call = FakeCall(number="", action_id=action_id, channel_id=channel_id, variables=variables, ended=True)
            call.task = asyncio.create_task(self._fail_at_once(channel, headers, action_id, channel_id))
            self.calls.append(call)
            return
        played = self.played_callee(number)
        capture = CALLEE_CAPTURES[played]
        script = self._scripts.get(capture) or self._scripts.setdefault(capture, load_call_script(CAPTURES / capture))
        call = FakeCall(
            number=number,
            action_id=action_id,
            channel_id=channel_id,
            variables=variables,
            other_channel_id=other_id,
        )
        mapping: dict[bytes, bytes] = {
            # The capture's ids become the ones this client sent (README section 3: echoed verbatim).
            f"ActionID: {script.action_id}\r\n".encode(): f"ActionID: {action_id}\r\n".encode() if action_id else b"",
            script.channel_id.encode(): channel_id.encode(),
            script.other_channel_id.encode(): other_id.encode(),
            script.job_id.encode(): variables.get("JOB_ID", script.job_id).encode(),
            f"{script.context}\r\n".encode(): f"{first(headers, 'Context')}\r\n".encode(),
            f"Value: {script.scenario}\r\n".encode(): f"Value: {variables.get('IVR_SCENARIO', '')}\r\n".encode(),
            f"Scenario: {script.scenario}\r\n".encode(): f"Scenario: {variables.get('IVR_SCENARIO', '')}\r\n".encode(),
            f"/{script.scenario}?job=".encode(): f"/{variables.get('IVR_SCENARIO', '')}?job=".encode(),
            # A failed call's OriginateResponse names the channel as requested (README section 3).
            f"Channel: {script.channel}\r\n".encode(): f"Channel: {channel}\r\n".encode(),
        }
        if played not in (number, number[:4]):
            # An alias or an unknown number plays another callee's capture: its channels and extension are named
            # after the number dialled, as Asterisk names them (a prefix's callee keeps the captured names).
            mapping[f"Local/{played}@".encode()] = f"Local/{number}@".encode()
            mapping[f"Exten: {played}\r\n".encode()] = f"Exten: {number}\r\n".encode()
        call.task = asyncio.create_task(self._play(call, script, _substitution(mapping)))
        self.calls.append(call)

    async def _fail_at_once(
        self, channel: str, headers: list[tuple[str, str]], action_id: str | None, channel_id: str
    ) -> None:
        """c-errors.txt test 4: a technology Asterisk lacks ("Bogus/2000"; SIP/ since Asterisk 21) is queued, then
        fails with OriginateResponse Failure Reason 0 0.255 ms later (#7 -> #9), no channel event at all. The
        capture's message with this Originate's ActionID, Channel, Context, Exten, ChannelId and CallerID."""
        response = originate_response_for(unknown_technology_response(), channel, headers, action_id, channel_id)
        await asyncio.sleep(UNKNOWN_TECHNOLOGY_DELAY * self.time_scale)
        await self._broadcast(response)

    async def _play(
        self, call: FakeCall, script: CallScript, substitution: tuple[re.Pattern[bytes], Mapping[bytes, bytes]]
    ) -> None:
        pattern, mapping = substitution
        loop = asyncio.get_running_loop()
        started = loop.time()
        for offset, data in script.chunks:
            await asyncio.sleep(max(0.0, started + offset * self.time_scale - loop.time()))
            chunk = pattern.sub(lambda m: mapping[m.group(0)], data)
            call.responded = call.responded or b"Event: OriginateResponse" in chunk
            if self.on_fastagi is not None and not call.fastagi and b"Event: AGIExecStart" in chunk:
                call.fastagi = True
                try:
                    await self.on_fastagi(call)
                except Exception as error:  # Asterisk's call goes on whatever the FastAGI side did
                    self.fastagi_errors.append(error)
            self._track(call, chunk, loop.time())
            await self._broadcast(chunk)
        call.ended = True
        call.legs.clear()

    @staticmethod
    def _track(call: FakeCall, chunk: bytes, now: float) -> None:
        """Follow the call's two legs through its events: what CoreShowChannels and Getvar answer from."""
        for message in split_messages(chunk):
            headers = parse_action(message.replace(b"\r\n", b"\n").strip(b"\n"))
            uniqueid = first(headers, "Uniqueid")
            event = first(headers, "Event")
            if uniqueid not in (call.channel_id, call.other_channel_id) or event == "OriginateResponse":
                continue  # another call's, or no snapshot (OriginateResponse has Context/Exten of its own)
            snapshot = {key: value for key, value in headers if key in _SNAPSHOT}
            if event == "Newchannel":
                call.legs[uniqueid] = FakeLeg(snapshot, now)
            leg = call.legs.get(uniqueid)
            if leg is not None and "ChannelStateDesc" in snapshot:
                leg.snapshot.update(snapshot)
            if leg is not None and event == "Newexten":
                leg.application, leg.data = first(headers, "Application") or "", first(headers, "AppData") or ""
            if event == "Hangup":
                call.legs.pop(uniqueid, None)
            if uniqueid != call.channel_id:
                continue
            if event == "Newchannel":
                call.channel = first(headers, "Channel")
            if event in ("Newchannel", "Newstate"):
                call.state = first(headers, "ChannelStateDesc") or call.state
            if event == "Hangup":
                call.ended = True

    # ---- reconciliation helpers (f1) ---------------------------------------------------------------------

    def live_legs(self) -> list[FakeLeg]:
        """Every channel up now, in CoreShowChannels' order (f1 #4: a call's ";2" leg first, then its ";1")."""
        legs: list[FakeLeg] = []
        for call in self.calls:
            ids = (call.other_channel_id, call.channel_id)
            legs.extend(call.legs[uniqueid] for uniqueid in ids if uniqueid in call.legs)
        return legs

    async def _core_show_channels(self, session: _Session, action_id: str | None) -> None:
        """f1-drop-reconnect.txt #3-#4: the Response (EventList: start) in one chunk, then every CoreShowChannel
        and the Complete event in the next; each leg with its own context, extension, application and Uniqueid."""
        legs = self.live_legs()
        now = asyncio.get_running_loop().time()
        response = self._lines(
            "Response: Success", action_id, [("EventList", "start"), ("Message", "Channels will follow")]
        )
        listing = b""
        for leg in legs:
            seconds = int((now - leg.created) / self.time_scale) if self.time_scale > 0 else 0
            fields = [(key, leg.snapshot.get(key, "")) for key in _SNAPSHOT]
            fields += [
                ("Application", leg.application),
                ("ApplicationData", leg.data),
                ("Duration", f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"),
                ("BridgeId", ""),
            ]
            listing += self._lines("Event: CoreShowChannel", action_id, fields)
        listing += self._lines(
            "Event: CoreShowChannelsComplete", action_id, [("EventList", "Complete"), ("ListItems", str(len(legs)))]
        )
        await self._answer(session, response, listing)

    async def _getvar(self, session: _Session, headers: list[tuple[str, str]], action_id: str | None) -> None:
        """f1-drop-reconnect.txt #5-#6: Response and ActionID in one chunk, Variable and Value in the next. Either
        leg knows the Originate's variables (chan_local copies them, README section 4)."""
        channel = first(headers, "Channel")
        variable = first(headers, "Variable") or ""
        for call in self.calls:
            if any(leg.snapshot.get("Channel") == channel for leg in call.legs.values()):
                value = call.variables.get(variable, "")
                head = self._lines("Response: Success", action_id, [])[:-2]  # no blank line: the message goes on
                await self._answer(session, head, self._lines(f"Variable: {variable}", None, [("Value", value)]))
                return
        await self._answer(session, self._response("Error", action_id, "No such channel"))

    # ---- Hangup (NOT captured: Asterisk 22's documented behaviour) ----------------------------------------

    async def _hangup(self, session: _Session, headers: list[tuple[str, str]], action_id: str | None) -> None:
        """Action: Hangup. No capture of ../shared/asterisk/ami/ holds one: the answers are those of Asterisk 22's
        main/manager.c (`ast_manager_hangup_helper`, the action's documentation), each one chunk as a Response is:
        no Channel -> "Response: Error / Message: No channel specified"; no live channel of that name, nor of that
        Uniqueid (`ast_channel_get_by_name` looks a channel up by name, then by Uniqueid) -> "Response: Error /
        Message: No such channel"; else "Response: Success / Message: Channel Hungup" (`astman_send_ack`) and the
        call is hung up (`_hang_up_call`). A Channel in slashes (a regular expression) is not played: "No such
        channel"."""
        channel = first(headers, "Channel")
        if not channel:
            await self._answer(session, self._response("Error", action_id, "No channel specified"))
            return
        call = self._live_call_of(channel)
        if call is None:
            await self._answer(session, self._response("Error", action_id, "No such channel"))
            return
        await self._answer(session, self._response("Success", action_id, "Channel Hungup"))
        await self._hang_up_call(call, channel)

    def _live_call_of(self, channel: str) -> FakeCall | None:
        """The call one of whose channels is named `channel`, or has it as its Uniqueid, while it lasts."""
        for call in self.calls:
            if call.ended or call.number == "":
                continue
            names = {leg.snapshot.get("Channel") for leg in call.legs.values()}
            if channel in names or channel in (call.channel_id, call.other_channel_id):
                return call
        return None

    async def _hang_up_call(self, call: FakeCall, channel: str) -> None:
        """Hang a call up, its capture's replay stopped where it was. NOT captured, from Asterisk's documented
        behaviour: the leg named gets a soft hangup; chan_local hangs its partner up with it; an Originate still
        ringing ends as one whose callee hung up unanswered does (OriginateResponse Failure, Reason 0: the dial
        ends with no answer, README section 4), in c7x.txt's order (the other leg's Hangup, the OriginateResponse,
        the leg's own Hangup). Each Hangup event is the leg's snapshot with Cause 16, as c7x.txt's are (a Hangup
        action without a Cause sets none of its own)."""
        if call.task is not None:
            call.task.cancel()
        named = next(
            (uniqueid for uniqueid, leg in call.legs.items() if channel in (uniqueid, leg.snapshot.get("Channel"))),
            call.channel_id,
        )
        others = [uniqueid for uniqueid in call.legs if uniqueid != named]
        events = [self._hangup_event(call.legs[uniqueid]) for uniqueid in others]
        if not call.responded:
            originate = next(
                (action for action in self.actions("Originate") if action.get("ChannelId") == call.channel_id), None
            )
            originate_headers = originate.headers if originate is not None else []
            requested = (originate.get("Channel") if originate is not None else None) or call.channel or ""
            events.append(
                originate_response_for(
                    unanswered_response(), requested, originate_headers, call.action_id, call.channel_id
                )
            )
            call.responded = True
        if named in call.legs:
            events.append(self._hangup_event(call.legs[named]))
        call.ended = call.hung_up = True
        call.legs.clear()
        if events:
            await self._broadcast(b"".join(events))

    def _hangup_event(self, leg: FakeLeg) -> bytes:
        fields = [_timestamp(), *((key, leg.snapshot.get(key, "")) for key in _SNAPSHOT)]
        fields += [("Cause", "16"), ("Cause-txt", "Normal Clearing")]
        return self._lines("Event: Hangup", None, [("Privilege", "call,all"), *fields])

    # ---- encoding of the fake's own answers ---------------------------------------------------------------

    @staticmethod
    def _lines(first_line: str, action_id: str | None, headers: list[tuple[str, str]]) -> bytes:
        lines = [first_line]
        if action_id is not None:
            lines.append(f"ActionID: {action_id}")
        lines.extend(f"{key}: {value}" for key, value in headers)
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def _response(self, status: str, action_id: str | None, message: str) -> bytes:
        return self._lines(f"Response: {status}", action_id, [("Message", message)])


def _timestamp() -> tuple[str, str]:
    return ("Timestamp", f"{time.time():.6f}")
