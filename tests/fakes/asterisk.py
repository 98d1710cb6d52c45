"""A fake Asterisk 22 that dials INTO a FastAGI server over real TCP and speaks the captured protocol.

Source of truth: ../shared/asterisk/README.txt and the transcripts beside it. The fake

- sends the env block in two TCP segments, keys in Asterisk 22's order (env.txt, basic.txt);
- reads commands like res_agi: stdio `fgets` after `poll()` on the raw socket, so each arrival of bytes runs
  exactly ONE line and a second pipelined line waits for the next arrival (pipeline.txt); a bare LF ends a
  line, CR is kept (errors.txt), a line longer than `max_line - 1` bytes is cut in two (newline.txt);
- splits words like Asterisk's parse_args (quotes group, backslash escapes the next character);
- answers 510 for unknown verbs and empty lines, and 520 in two segments ("520-..." then, `nagle_delay`
  later, the usage text and "520 End of proper usage."), with the usage texts of errors.txt;
- on a caller hangup during a blocking command answers `200 result=-1[ endpos=N]` and sends "HANGUP\\n"
  `nagle_delay` later in its own segment, or sooner, ahead of them, when it writes anything else or closes
  meanwhile (Nagle delays the line but never reorders bytes); the same after the HANGUP command; a hangup
  while no command runs sends "HANGUP\\n" at once;
  after it, ANSWER / HANGUP / STREAM FILE / GET DATA / WAIT FOR DIGIT / CHANNEL STATUS / SAY / SET CALLERID /
  SET MUSIC get 511 while GET/SET VARIABLE, VERBOSE, NOOP and EXEC still run (hangupstream.txt,
  serverhangup.txt; res_agi.c's command table for the ones no capture tried);
- on the server's half-close runs what is left in its buffer, sends one final "HANGUP\\n", then closes
  (every transcript's ending); AGISIGHUP=no drops all HANGUP lines (nosighup.txt); AGIEXITONHANGUP=yes
  sends the -1 result, "HANGUP\\nHANGUP\\n" and closes (hangupexit.txt); a line starting with "failure"
  gets "HANGUP\\n" and a close (failure.txt);
- stops a playback or digit wait when the server writes (or half-closes) meanwhile, with no result line
  for a playback (issue 3: res_agi watches the AGI socket while it plays) and "200 result=1" for WAIT FOR
  DIGIT (res_agi's handle_waitfordigit prints its result either way); `interrupted` counts it;
- loses keys pressed while no command runs (dtmf.txt), returns values verbatim (unescaped, LFs included),
  truncates GET VARIABLE values to 1023 bytes, and reports Dial like dial.txt / dialg.txt;
- keeps an AstDB for DATABASE PUT/GET/DEL/DELTREE (DEL of a missing key answers 1), says numbers, digits
  and letters, runs GET OPTION, CONTROL STREAM FILE (endpos=-1 when played to the end), SET MUSIC,
  SET CALLERID, EXEC Playback (PLAYBACKSTATUS) / Set / an unknown application (-2), and expands
  ${VAR}, ${CALLERID(num|name|all)}, ${EXTEN}, ${CONTEXT}, ${LEN(..)}, ${REPLACE(..)} in GET FULL VARIABLE
  and, with AGIEXECFULL=yes, in EXEC Set (basic.txt, newline.txt), once: a value is text, never expanded again
  (pbx_substitute_variables_helper_full);
- reads and writes CALLERID(num|name|all) through GET VARIABLE and SET VARIABLE as res_agi does (a name ending in
  ')' is a function: ast_func_read / ast_func_write), storing a SET VARIABLE value as given (handle_setvariable
  neither expands nor parses it), and notes the caller ID each Dial or Queue showed the far end.

A `CallerScript` drives the caller: keys per command or at given times, hang up at command N or after a
delay, early EOF, garbage instead of an answer, slow bytes. Everything the server wrote is kept in
`received` and every line the fake ran in `commands`, so tests assert on the exact wire bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KEYS = "0123456789*#"
INTERRUPTED = "interrupted"  # a wait stopped because the server wrote to the socket
SAMPLE_RATE = 8000  # endpos counts 8 kHz samples
# res_agi.c's command table marks each command runnable on a dead channel or not (its last field); these are
# the "not" ones this fake knows, answered with MSG_511 after a hangup (hangupstream.txt, serverhangup.txt).
DEAD_REFUSED = frozenset(
    {
        "ANSWER",
        "HANGUP",
        "SET CALLERID",
        "SET MUSIC",
        "STREAM FILE",
        "GET DATA",
        "WAIT FOR DIGIT",
        "CHANNEL STATUS",
        "SAY NUMBER",
        "SAY DIGITS",
        "SAY ALPHA",
        "CONTROL STREAM FILE",
        "GET OPTION",
    }
)
# Commands that play or listen: the caller can hang up (or press keys) while they run.
BLOCKING_VERBS = frozenset(
    {"STREAM FILE", "GET DATA", "WAIT FOR DIGIT", "SAY NUMBER", "SAY DIGITS", "SAY ALPHA", "GET OPTION"}
    | {"CONTROL STREAM FILE"}
)
MSG_510 = b"510 Invalid or unknown command\n"
MSG_511 = b"511 Command Not Permitted on a dead channel or intercept routine\n"
MSG_520_START = b"520-Invalid command syntax.  Proper usage follows:\n"
MSG_520_END = b"520 End of proper usage.\n"

# Usage texts Asterisk 22 printed after "520-..." (errors.txt), without the closing "520 End" line.
USAGES: dict[str, str] = {
    "STREAM FILE": (
        "Send the given file, allowing playback to be interrupted by the given digits, if any. Returns <liter"
        "al>0</literal> if playback completes without a digit being pressed, or the ASCII numerical value of "
        "the digit if one was pressed, or <literal>-1</literal> on error or if the channel was disconnected. "
        "If musiconhold is playing before calling stream file it will be automatically stopped and will not b"
        "e restarted after completion.\n"
        "It sets the following channel variables upon completion:\n"
        "<variable>PLAYBACKSTATUS</variable>: The status of the playback attempt as a text string.\n"
        "    <value>SUCCESS</value>\n"
        "    <value>FAILED</value>\n"
    ),
    "GET DATA": (
        "Stream the given <replaceable>file</replaceable>, and receive DTMF data.\n"
        "Returns the digits received from the channel at the other end.\n"
    ),
    "WAIT FOR DIGIT": (
        "Waits up to <replaceable>timeout</replaceable> milliseconds for channel to receive a DTMF digit. Retu"
        "rns <literal>-1</literal> on channel failure, <literal>0</literal> if no digit is received in the ti"
        "meout, or the numerical value of the ascii of the digit if one is received. Use <literal>-1</literal"
        "> for the <replaceable>timeout</replaceable> value if you desire the call to block indefinitely.\n"
    ),
    "DATABASE GET": (
        "Retrieves an entry in the Asterisk database for a given <replaceable>family</replaceable> and <repla"
        "ceable>key</replaceable>.\n"
        "Returns <literal>0</literal> if <replaceable>key</replaceable> is not set. Returns <literal>1</liter"
        "al> if <replaceable>key</replaceable> is set and returns the variable in parenthesis.\n"
        "Example return code: 200 result=1 (testvariable)\n"
    ),
    "SET VARIABLE": "Sets a variable to the current channel.\n",
    "SAY NUMBER": (
        "Say a given number, returning early if any of the given DTMF digits are received on the channel.  Re"
        "turns <literal>0</literal> if playback completes without a digit being pressed, or the ASCII numeric"
        "al value of the digit if one was pressed or <literal>-1</literal> on error/hangup.\n"
    ),
    "EXEC": (
        "Executes <replaceable>application</replaceable> with given <replaceable>options</replaceable>.\n"
        "Returns whatever the <replaceable>application</replaceable> returns, or <literal>-2</literal> on fai"
        "lure to find <replaceable>application</replaceable>.\n"
        "<note>NOTE:</note> exec does not evaluate dialplan functions and variables unless it is explicitly e"
        "nabled by setting the <variable>AGIEXECFULL</variable> variable to <literal>yes</literal>.\n"
    ),
}

# Verbs this fake knows, longest first so "GET FULL VARIABLE" wins over "GET VARIABLE"... (words matched).
VERBS = sorted(
    [
        "ANSWER",
        "HANGUP",
        "STREAM FILE",
        "GET DATA",
        "WAIT FOR DIGIT",
        "CHANNEL STATUS",
        "GET VARIABLE",
        "GET FULL VARIABLE",
        "SET VARIABLE",
        "VERBOSE",
        "NOOP",
        "EXEC",
        "SAY NUMBER",
        "SAY DIGITS",
        "DATABASE GET",
        "DATABASE PUT",
        "DATABASE DEL",
        "DATABASE DELTREE",
        "SAY ALPHA",
        "GET OPTION",
        "CONTROL STREAM FILE",
        "SET MUSIC",
        "SET CALLERID",
    ],
    key=lambda verb: -len(verb.split()),
)


_CALLERID = re.compile(r"CALLERID\((num|name|all)\)", re.IGNORECASE)

_DIALSTATUS = {
    "answered": "ANSWER",
    "busy": "BUSY",
    "no_answer": "NOANSWER",
    "failed": "CHANUNAVAIL",
    "cancel": "CANCEL",
}
_QUEUESTATUS = {"answered": "", "busy": "FULL", "no_answer": "TIMEOUT", "failed": "JOINEMPTY"}


def default_env(script: str = "basic", *, args: Sequence[str] = (), **overrides: str) -> dict[str, str]:
    """An env block as Asterisk 22 sends it for a FastAGI call (README section 1), in the same key order."""
    env = {
        "agi_network": "yes",
        "agi_network_script": script,
        "agi_request": f"agi://127.0.0.1:4573/{script}",
        "agi_channel": "Local/dtmf@caller-0000046b;1",
        "agi_language": "en",
        "agi_type": "Local",
        "agi_uniqueid": "1795295104.117",
        "agi_version": "22-branch-g69535d4837",
        "agi_callerid": "5551234",
        "agi_calleridname": "Probe Test",
        "agi_callingpres": "0",
        "agi_callingani2": "0",
        "agi_callington": "0",
        "agi_callingtns": "0",
        "agi_dnid": "unknown",
        "agi_rdnis": "unknown",
        "agi_context": "ivr-in",
        "agi_extension": "1001",
        "agi_priority": "7",
        "agi_enhanced": "0.0",
        "agi_accountcode": "",
        "agi_threadid": "140101048514240",
    }
    for index, arg in enumerate(args, start=1):
        env[f"agi_arg_{index}"] = arg
    for key, value in overrides.items():
        env[key if key.startswith("agi_") else f"agi_{key}"] = value
    return env


def encode_env(env: Mapping[str, str]) -> bytes:
    return b"".join(f"{key}: {value}\n".encode() for key, value in env.items()) + b"\n"


def parse_args(line: str) -> list[str]:
    """Asterisk's res_agi parse_args: blanks split words, '"' toggles quoting, '\\' escapes the next char."""
    words: list[str] = []
    current: list[str] = []
    in_word = quoted = escaped = False
    for char in line:
        if escaped:
            current.append(char)
            in_word, escaped = True, False
        elif char == "\\":
            escaped, in_word = True, True
        elif char == '"':
            quoted, in_word = not quoted, True
        elif char in " \t" and not quoted:
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            current.append(char)
            in_word = True
    if in_word:
        words.append("".join(current))
    return words


@dataclass
class CallerScript:
    """What the caller (and the far end) does during one call."""

    # Keys as graph_engine.scripted tokens, one per time the call listens: "1", "1234#", "-" (nothing),
    # "!5" (barges into a prompt that allows it), "hangup". A listening command is GET DATA, WAIT FOR DIGIT
    # (unless it continues the same read) or STREAM FILE with escape digits (all twelve keys: a read).
    keys: Sequence[str] = ()
    keys_at_command: Mapping[int, str] = field(default_factory=dict)  # command index -> keys typed while it runs
    keys_at: Sequence[tuple[float, str]] = ()  # (seconds after the env block, key): lost unless a command runs
    hangup_at_command: int | None = None  # the caller hangs up during (or just before) command N (0-based)
    hangup_after: float | None = None  # ... or this many seconds after the env block
    # ... or just as command N's answer goes out: the answer and the unsolicited HANGUP line (hangupidle.txt) reach
    # the server in one read, as TCP delivers two writes when the server reads them late.
    hangup_as_answered: int | None = None
    eof_at_command: int | None = None  # Asterisk drops the socket when command N arrives (no answer)
    garbage_at_command: Mapping[int, bytes] = field(default_factory=dict)  # bytes sent instead of the answer
    # The far end of each Dial or Queue in turn: answered (default), busy, no_answer, failed, cancel (the
    # caller hangs up while it rings). Dial reports DIALSTATUS, Queue QUEUESTATUS (left as it was when answered).
    far_end: Sequence[str] = ()
    talk_seconds: float = 0.02  # an answered Dial lasts this long
    answered_time: int | None = None  # ANSWEREDTIME to report (default: talk_seconds rounded)
    variables: Mapping[str, str] = field(default_factory=dict)  # channel variables already set
    env_bytes: bytes | None = None  # sent instead of the encoded env block (garbage, oversize, early EOF)
    close_after_env: bool = False  # early EOF right after the env block
    byte_delay: float = 0.0  # slow bytes: a pause before every byte the fake sends


@dataclass
class FakeCall:
    """What happened on the wire, for assertions."""

    received: bytearray = field(default_factory=bytearray)  # every byte the server wrote
    env_segments: list[bytes] = field(default_factory=list)  # the env block as the writes that carried it
    sent: bytearray = field(default_factory=bytearray)  # every byte the fake wrote
    commands: list[str] = field(default_factory=list)  # every line the fake ran, in order
    responses: list[bytes] = field(default_factory=list)  # the answer to each line (b"" when none)
    dead_commands: list[str] = field(default_factory=list)  # lines that arrived after the channel died
    hangup_lines: int = 0
    server_half_closed: bool = False  # the server shut down its write side (we read EOF)
    server_reset: bool = False
    closed_by_fake: bool = False
    hung_up_at: float | None = None
    keys_lost: list[str] = field(default_factory=list)  # keys pressed while no command ran
    variables: dict[str, str] = field(default_factory=dict)  # the channel's variables at the end
    interrupted: int = 0  # commands cut short (and left unanswered) because the server wrote meanwhile
    shown_caller_ids: list[tuple[str, str]] = field(default_factory=list)  # (name, number) each Dial/Queue showed


class FakeAsterisk:
    """One call from a fake Asterisk to the FastAGI server at (host, port)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        env: Mapping[str, str] | None = None,
        script: CallerScript | None = None,
        media: Mapping[str, float] | None = None,
        default_media_seconds: float = 0.01,
        missing_media: Sequence[str] = (),
        nagle_delay: float = 0.04,
        sighup: bool = True,
        exit_on_hangup: bool = False,
        max_line: int = 8192,
        env_split: int = 17,
        local_addr: tuple[str, int] | None = None,
        hold: float = 5.0,
        time_scale: float = 1.0,
    ) -> None:
        self.host, self.port = host, port
        self.env = dict(env if env is not None else default_env())
        self.script = script or CallerScript()
        self.media = dict(media or {})
        self.default_media_seconds = default_media_seconds
        self.missing_media = set(missing_media)
        self.nagle_delay = nagle_delay
        self.sighup = sighup
        self.exit_on_hangup = exit_on_hangup
        self.max_line = max_line
        self.env_split = env_split
        self.local_addr = local_addr
        self.time_scale = time_scale  # multiplies every media length, listening timeout and talk time
        self.hold = hold  # how long the fake waits for the server after the last answer before giving up
        self.call = FakeCall()
        self.variables: dict[str, str] = {
            "CHANNEL": self.env.get("agi_channel", ""),
            "AGI_URL": self.env.get("agi_request", ""),
            **self.script.variables,
        }
        self.caller_name = self.env.get("agi_calleridname", "")
        self.caller_number = self.env.get("agi_callerid", "")
        self.database: dict[tuple[str, str], str] = {}  # AstDB: (family, key) -> value
        self.dead = False
        self.answered = False
        self._buffer = bytearray()
        self._eof = False
        self._pending_read: asyncio.Task[bytes] | None = None
        self._keys: asyncio.Queue[str] = asyncio.Queue()
        self._hangup = asyncio.Event()
        self._command_running = False
        self._started = 0.0
        self._far_end = list(self.script.far_end)
        self._tokens = list(self.script.keys)
        self._typed: list[str] = []  # keys of the current token not read yet
        self._reading = False  # the last command listened as part of one read_digits
        self._hangup_in_command = False  # the caller hangs up during the command now running
        self._arrived = False  # bytes were read while a command ran: the next line runs without waiting
        self._tasks: set[asyncio.Task[None]] = set()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._closed = False
        self._hangup_line_due = False  # the command now running is followed by a HANGUP line
        self._hangup_line_pending = False  # that line is written but Nagle still holds it back
        self._write_lock = asyncio.Lock()  # byte_delay writes must not interleave

    # -- running ---------------------------------------------------------------------------------------
    async def run(self, timeout: float = 30.0) -> FakeCall:
        async with asyncio.timeout(timeout):
            try:
                await self._run()
            finally:
                for task in self._tasks:
                    task.cancel()
                if self._pending_read is not None:
                    self._pending_read.cancel()
                    with contextlib.suppress(BaseException):
                        await self._pending_read
                await self._close()
        self.call.variables = self.variables
        return self.call

    async def _run(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port, local_addr=self.local_addr)
        self._started = time.monotonic()
        await self._send_env()
        if self.script.close_after_env:
            return
        self._start_caller()
        while not self._closed:
            if self._arrived:  # bytes that interrupted a playback are still "readable": no stall
                self._arrived = False
            else:
                chunk = await self._next_chunk()
                if chunk is None:  # nothing from the server for `hold` seconds: Asterisk would keep waiting
                    return
                if not chunk:
                    await self._on_server_eof()
                    return
                self._buffer += chunk
            line = await self._take_line()  # fgets: blocks until a whole line (or EOF)
            if line is None:
                await self._on_server_eof()
                return
            await self._execute(line)

    async def _send_env(self) -> None:
        data = self.script.env_bytes if self.script.env_bytes is not None else encode_env(self.env)
        lines = data.split(b"\n")
        cut = len(b"\n".join(lines[: self.env_split])) + 1 if len(lines) > self.env_split else len(data)
        self.call.env_segments = [part for part in (data[:cut], data[cut:]) if part]
        await self._write(data[:cut])
        await asyncio.sleep(0.0002)  # two segments, as observed (~0.1 ms apart)
        if data[cut:]:
            await self._write(data[cut:])

    def _start_caller(self) -> None:
        for at, key in self.script.keys_at:
            self._spawn(self._press_at(at, key))
        if self.script.hangup_after is not None:
            self._spawn(self._hangup_at(self.script.hangup_after))

    def _spawn(self, coroutine: object) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coroutine)  # type: ignore[arg-type]
        self._tasks.add(task)

    async def _press_at(self, at: float, key: str) -> None:
        await asyncio.sleep(max(0.0, self._started + at - time.monotonic()))
        if self._command_running:
            self._keys.put_nowait(key)
        else:
            self.call.keys_lost.append(key)  # res_agi reads and frees frames between commands

    async def _hangup_at(self, at: float) -> None:
        await asyncio.sleep(max(0.0, self._started + at - time.monotonic()))
        await self._caller_hangs_up(during_command=self._command_running)

    async def _caller_hangs_up(self, *, during_command: bool) -> None:
        if self.dead:
            return
        self.dead = True
        self.call.hung_up_at = time.monotonic() - self._started
        self._hangup.set()
        if not during_command:  # idle: unsolicited HANGUP ~1 ms after the hangup (hangupidle.txt)
            if self.exit_on_hangup:
                await self._write(b"HANGUP\nHANGUP\n" if self.sighup else b"")
                await self._close()
            elif self.sighup:
                await self._write(b"HANGUP\n")
                self.call.hangup_lines += 1

    # -- reading like stdio-after-poll ---------------------------------------------------------------------
    async def _next_chunk(self) -> bytes | None:
        assert self._reader is not None
        if self._closed:
            return None
        if self._eof:
            return b""
        if self._pending_read is None:
            self._pending_read = asyncio.ensure_future(self._reader.read(65536))
        done, _ = await asyncio.wait({self._pending_read}, timeout=self.hold)
        if not done:
            return None
        task, self._pending_read = self._pending_read, None
        if task.cancelled():
            return None
        try:
            chunk = task.result()
        except ConnectionError:
            self.call.server_reset = True
            chunk = b""
        if not chunk:
            self._eof = True
        self.call.received += chunk
        return chunk

    async def _take_line(self) -> bytes | None:
        limit = self.max_line - 1  # fgets into an AGI_BUF_LEN buffer
        while True:
            index = self._buffer.find(b"\n")
            if 0 <= index < limit:
                line, self._buffer = bytes(self._buffer[:index]), self._buffer[index + 1 :]
                return line
            if index >= limit or len(self._buffer) >= limit:  # the first 8191 bytes run as one command
                line, self._buffer = bytes(self._buffer[:limit]), self._buffer[limit:]
                return line
            chunk = await self._next_chunk()
            if not chunk:
                return None
            self._buffer += chunk

    async def _on_server_eof(self) -> None:
        """The server half-closed: run what stdio still holds, send the final HANGUP, close (pipeline.txt)."""
        self.call.server_half_closed = not self.call.server_reset
        while b"\n" in self._buffer and not self._closed:
            index = self._buffer.find(b"\n")
            line, self._buffer = bytes(self._buffer[:index]), self._buffer[index + 1 :]
            await self._execute(line)
        if not self._closed:
            if self.sighup:
                await self._write(b"HANGUP\n")
                self.call.hangup_lines += 1
            await self._close()

    # -- writing -------------------------------------------------------------------------------------------
    async def _write(self, data: bytes) -> None:
        if self._closed or self._writer is None:
            return
        if self._hangup_line_pending:  # res_agi wrote it before anything that follows: it goes out first
            self._hangup_line_pending = False
            data = b"HANGUP\n" + data
        if not data:
            return
        async with self._write_lock:
            try:
                if self.script.byte_delay:
                    for byte in data:
                        await asyncio.sleep(self.script.byte_delay)
                        self._writer.write(bytes([byte]))
                        await self._writer.drain()
                else:
                    self._writer.write(data)
                    await self._writer.drain()
            except ConnectionError:
                self.call.server_reset = True
                self._closed = True
                return
        self.call.sent += data

    def _hangup_line_later(self) -> None:
        """The HANGUP after a -1 result or a HANGUP command follows that command's answer (see _execute)."""
        if self.sighup:
            self._hangup_line_due = True

    def _hold_hangup_line(self) -> None:
        """res_agi writes the HANGUP line right after the answer, before it reads the next command; Nagle holds
        it back ~40 ms (hangupstream.txt, serverhangup.txt) unless another write or the close pushes it out."""
        self.call.hangup_lines += 1
        self._hangup_line_pending = True
        self._spawn(self._release_hangup_line())

    async def _release_hangup_line(self) -> None:
        await asyncio.sleep(self.nagle_delay)
        await self._write(b"")  # sends the held HANGUP line unless a later write already carried it

    async def _close(self) -> None:
        if self._closed and (self._writer is None or self._writer.is_closing()):
            return
        await self._write(b"")  # a HANGUP line still held back by Nagle goes out before the FIN
        self._closed = True
        self.call.closed_by_fake = True
        if self._pending_read is not None:
            self._pending_read.cancel()
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()

    # -- running one line ----------------------------------------------------------------------------------
    async def _execute(self, raw: bytes) -> None:
        index = len(self.call.commands)
        line = raw.decode("utf-8", errors="replace")
        self.call.commands.append(line)
        if self.dead:
            self.call.dead_commands.append(line)
        script = self.script
        if script.eof_at_command == index:
            self.call.responses.append(b"")
            await self._close()
            return
        if index in script.garbage_at_command:
            self.call.responses.append(script.garbage_at_command[index])
            await self._write(script.garbage_at_command[index])
            return
        if line[:7].lower() == "failure":  # failure.txt: no answer, HANGUP, close
            self.call.responses.append(b"")
            await self._write(b"HANGUP\n")
            await self._close()
            return
        words = parse_args(line)
        verb = self._verb(words)
        if verb is None:
            await self._answer(MSG_510)
            return
        args = words[len(verb.split()) :]
        blocking = verb in BLOCKING_VERBS or (
            verb == "EXEC" and bool(args) and args[0].lower() in ("dial", "queue", "playback")
        )
        if script.hangup_at_command == index and not self.dead and not blocking:
            await self._caller_hangs_up(during_command=False)
            if self._closed:
                return
        if self.dead and verb in DEAD_REFUSED:
            await self._answer(MSG_511)
            return
        self._command_running = True
        hang_up = self._follow_tokens(verb, args)
        for key in [*self._typed, *script.keys_at_command.get(index, "")]:  # typed while this command runs
            self._keys.put_nowait(key)
        self._typed = []
        self._hangup_in_command = (hang_up or (script.hangup_at_command == index and blocking)) and not self.dead
        if self._hangup_in_command:
            await self._caller_hangs_up(during_command=True)
        try:
            response = await self._handle(verb, args)
        finally:
            self._command_running = False
            self._keep_unread_keys()
        if response is not None and script.hangup_as_answered == index and not self.dead:
            self.call.responses.append(response)
            await self._caller_hangs_up(during_command=True)  # its HANGUP line goes out with the answer
            self.call.hangup_lines += 1
            await self._write(response + b"HANGUP\n")
        elif response is not None:
            await self._answer(response)
        if self._hangup_line_due:
            self._hangup_line_due = False
            self._hold_hangup_line()

    def _follow_tokens(self, verb: str, args: list[str]) -> bool:
        """Take the next key token when this command listens; True when the token is a hangup."""
        escape = args[1] if verb == "STREAM FILE" and len(args) > 1 else ""
        upcoming = self._tokens[0] if self._tokens else None
        if verb == "GET DATA" or (verb == "STREAM FILE" and set(KEYS) <= set(escape)):
            return self._start_read()
        if verb == "WAIT FOR DIGIT":
            return False if self._reading else self._start_read()
        self._reading = False
        self._typed = []
        if verb == "STREAM FILE" and upcoming == "hangup":
            self._tokens.pop(0)
            return True
        if verb == "STREAM FILE" and upcoming and upcoming.startswith("!") and upcoming[1:2] in escape:
            self._tokens.pop(0)
            self._typed = list(upcoming[1:2])
        return False

    def _start_read(self) -> bool:
        token = self._tokens.pop(0) if self._tokens else "-"
        self._reading = True
        if token == "hangup":
            return True
        token = token.removeprefix("!")
        self._typed = [] if token == "-" else list(token)
        return False

    def _keep_unread_keys(self) -> None:
        unread = []
        while not self._keys.empty():
            unread.append(self._keys.get_nowait())
        if self._reading:
            self._typed = unread  # the read goes on with the next WAIT FOR DIGIT
        else:
            self.call.keys_lost.extend(unread)

    @staticmethod
    def _verb(words: list[str]) -> str | None:
        upper = [word.upper() for word in words]
        for verb in VERBS:
            parts = verb.split()
            if upper[: len(parts)] == parts:
                return verb
        return None

    async def _answer(self, data: bytes) -> None:
        self.call.responses.append(data)
        if data.startswith(MSG_520_START):  # the usage text follows in a second segment (Nagle)
            await self._write(MSG_520_START)
            await asyncio.sleep(self.nagle_delay)
            await self._write(data[len(MSG_520_START) :])
            return
        await self._write(data)

    def _usage(self, verb: str) -> bytes:
        text = USAGES.get(verb, f"Usage of {verb}.\n")
        return MSG_520_START + text.encode() + MSG_520_END

    async def _hung_up_result(self, text: bytes) -> bytes | None:
        """The -1 answer to a blocking command the caller hung up in, and what follows it."""
        if self.exit_on_hangup:
            await self._write(text + (b"HANGUP\nHANGUP\n" if self.sighup else b""))
            self.call.responses.append(text)
            await self._close()
            return None
        self._hangup_line_later()
        return text

    # -- commands ------------------------------------------------------------------------------------------
    async def _handle(self, verb: str, args: list[str]) -> bytes | None:
        handler = getattr(self, "_cmd_" + verb.lower().replace(" ", "_"))
        result: bytes | None = await handler(args)
        return result

    async def _cmd_answer(self, args: list[str]) -> bytes:
        self.answered = True
        return b"200 result=0\n"

    async def _cmd_hangup(self, args: list[str]) -> bytes:
        self.dead = True  # on a dead channel HANGUP never gets here: it is in DEAD_REFUSED
        self._hangup_line_later()
        return b"200 result=1\n"

    async def _cmd_noop(self, args: list[str]) -> bytes:
        return b"200 result=0\n"

    async def _cmd_verbose(self, args: list[str]) -> bytes:
        return b"200 result=1\n" if args else self._usage("VERBOSE")

    async def _cmd_channel_status(self, args: list[str]) -> bytes:
        return b"200 result=6\n" if self.answered else b"200 result=4\n"

    async def _cmd_get_variable(self, args: list[str]) -> bytes:
        if len(args) != 1:
            return self._usage("GET VARIABLE")
        function = _CALLERID.fullmatch(args[0])
        value = self._callerid(function[1]) if function else self.variables.get(args[0])
        if value is None:
            return b"200 result=0\n"
        return b"200 result=1 (" + value.encode()[:1023] + b")\n"  # verbatim, truncated like res_agi

    async def _cmd_get_full_variable(self, args: list[str]) -> bytes:
        if not args:
            return self._usage("GET FULL VARIABLE")
        return b"200 result=1 (" + self._expand(args[0]).encode() + b")\n"

    def _expand(self, text: str) -> str:
        """Dialplan substitution as pbx_substitute_variables_helper_full does it: each ${...} is replaced by its
        value, its own text expanded first (${LEN(${LONG})}, newline.txt), and a value is never read again (a
        variable holding "${X}" gives "${X}"). Variables, CALLERID(num|name|all), EXTEN, CONTEXT, LEN(text) and
        REPLACE(variable,find,replacement) are what the transcripts use (basic.txt, newline.txt)."""
        out: list[str] = []
        at = 0
        while (start := text.find("${", at)) >= 0:
            end, depth = start + 2, 1
            while end < len(text) and depth:  # Asterisk counts every brace, as here
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
            if depth:  # no closing brace: left as it is
                break
            out.append(text[at:start] + self._evaluate(self._expand(text[start + 2 : end - 1])))
            at = end
        return "".join(out) + text[at:]

    def _evaluate(self, expression: str) -> str:
        call = re.fullmatch(r"([A-Z]+)\((.*)\)", expression, re.DOTALL)
        if call is None:
            builtins = {"EXTEN": self.env.get("agi_extension", ""), "CONTEXT": self.env.get("agi_context", "")}
            return self.variables.get(expression, builtins.get(expression, ""))
        function, argument = call[1], call[2]
        if function == "CALLERID":
            return self._callerid(argument) or ""
        if function == "LEN":
            return str(len(argument))
        if function == "REPLACE":
            name, _, rest = argument.partition(",")
            find, _, replacement = rest.partition(",")
            replacement = replacement.replace("\\n", "\n")  # the dialplan reads "\n" in arguments as a LF
            return self.variables.get(name, "").replace(find, replacement) if find else self.variables.get(name, "")
        return ""

    def _callerid(self, part: str) -> str | None:
        number, name = self.caller_number, self.caller_name
        return {"num": number, "name": name, "all": f'"{name}" <{number}>'}.get(part.lower())

    async def _cmd_set_callerid(self, args: list[str]) -> bytes:
        if len(args) != 1:
            return self._usage("SET CALLERID")
        self._set_callerid_all(args[0])
        return b"200 result=1\n"

    def _set_callerid_all(self, text: str) -> None:
        """SET CALLERID and CALLERID(all): parsed as '"name" <number>' (ast_callerid_split)."""
        match = re.fullmatch(r'\s*"?([^"<]*?)"?\s*<([^>]*)>\s*', text)
        if match is None:
            self.caller_number = text
        else:
            self.caller_name, self.caller_number = match[1], match[2]

    async def _cmd_set_music(self, args: list[str]) -> bytes:
        if not args or args[0].lower() not in ("on", "off"):
            return self._usage("SET MUSIC")
        return b"200 result=0\n"

    async def _cmd_set_variable(self, args: list[str]) -> bytes:
        if len(args) != 2:
            return self._usage("SET VARIABLE")
        name, value = args
        function = _CALLERID.fullmatch(name)
        if function is None:
            self.variables[name] = value
        elif function[1].lower() == "all":
            self._set_callerid_all(value)
        elif function[1].lower() == "name":  # func_callerid's write: the value copied as it is
            self.caller_name = value
        else:
            self.caller_number = value
        return b"200 result=1\n"

    async def _cmd_database_get(self, args: list[str]) -> bytes:
        if len(args) != 2:
            return self._usage("DATABASE GET")
        value = self.database.get((args[0], args[1]))
        return b"200 result=0\n" if value is None else b"200 result=1 (" + value.encode() + b")\n"

    async def _cmd_database_put(self, args: list[str]) -> bytes:
        if len(args) != 3:
            return self._usage("DATABASE PUT")
        self.database[(args[0], args[1])] = args[2]
        return b"200 result=1\n"

    async def _cmd_database_del(self, args: list[str]) -> bytes:
        if len(args) != 2:
            return self._usage("DATABASE DEL")
        self.database.pop((args[0], args[1]), None)
        return b"200 result=1\n"  # basic.txt: deleting a key that is not there answers 1 as well

    async def _cmd_database_deltree(self, args: list[str]) -> bytes:
        if not 1 <= len(args) <= 2:
            return self._usage("DATABASE DELTREE")
        prefix = args[1] if len(args) == 2 else ""
        for family, key in [k for k in self.database if k[0] == args[0] and k[1].startswith(prefix)]:
            del self.database[(family, key)]
        return b"200 result=1\n"

    def _seconds_of(self, name: str) -> float:
        return self.media.get(name, self.default_media_seconds)

    async def _listen(self, seconds: float, *, watch_socket: bool = True) -> str | None:
        """Wait up to `seconds` for a key; "" on timeout, None when the caller hangs up, INTERRUPTED when the
        server writes (or closes) meanwhile: res_agi's playback and digit waits watch the AGI socket, and any
        byte stops them with no result line (issue 3)."""
        key_task = asyncio.ensure_future(self._keys.get())
        hangup_task = asyncio.ensure_future(self._hangup.wait())
        waiting: set[asyncio.Future[Any]] = {key_task, hangup_task}
        if watch_socket and not self._eof and self._reader is not None:
            if self._pending_read is None:
                self._pending_read = asyncio.ensure_future(self._reader.read(65536))
            waiting.add(self._pending_read)
        try:
            done, _ = await asyncio.wait(
                waiting,
                timeout=None if seconds < 0 else seconds * self.time_scale,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            for task in (key_task, hangup_task):
                if not task.done():
                    task.cancel()
        if hangup_task in done and self.dead:
            if key_task in done:
                self._keys.put_nowait(key_task.result())
            return None
        if self._pending_read is not None and self._pending_read in done:
            if key_task in done:
                self._keys.put_nowait(key_task.result())
            read, self._pending_read = self._pending_read, None
            chunk = b"" if read.cancelled() or read.exception() else read.result()
            self.call.received += chunk
            self._buffer += chunk
            self._eof = self._eof or not chunk
            self._arrived = True
            self.call.interrupted += 1
            return INTERRUPTED
        if key_task in done:
            return key_task.result()
        return ""

    async def _play(self, name: str, escape: str) -> tuple[str | None, int]:
        """Play `name`; returns (key that stopped it or "" or None on hangup, endpos)."""
        started = time.monotonic()
        total = self._seconds_of(name)
        while True:
            played = (time.monotonic() - started) / self.time_scale  # in media seconds
            if self._hangup.is_set():  # gone before (or as) it played: -1, however short the prompt
                return None, round(min(total, played) * SAMPLE_RATE)
            if played >= total:
                return "", round(total * SAMPLE_RATE)
            key = await self._listen(total - played)
            played = (time.monotonic() - started) / self.time_scale
            endpos = round(min(total, played) * SAMPLE_RATE)
            if key is None or key == INTERRUPTED or (key and key in escape):
                return key, endpos
            if key == "":
                return "", round(total * SAMPLE_RATE)

    async def _cmd_stream_file(self, args: list[str]) -> bytes | None:
        if len(args) < 2 or len(args) > 3:
            return self._usage("STREAM FILE")
        name, escape = args[0], args[1]
        if name in self.missing_media:
            return b"200 result=-1 endpos=0\n"
        key, endpos = await self._play(name, escape)
        if key == INTERRUPTED:
            return None
        if key is None:
            return await self._hung_up_result(f"200 result=-1 endpos={endpos}\n".encode())
        return f"200 result={ord(key) if key else 0} endpos={endpos}\n".encode()

    async def _cmd_say_number(self, args: list[str]) -> bytes | None:
        if len(args) < 2 or not args[0].lstrip("-").isdigit():
            return self._usage("SAY NUMBER")
        key, _ = await self._play(f"number:{args[0]}", args[1])
        if key == INTERRUPTED:
            return None
        if key is None:
            return await self._hung_up_result(b"200 result=-1\n")
        return f"200 result={ord(key) if key else 0}\n".encode()

    async def _cmd_say_digits(self, args: list[str]) -> bytes | None:
        return await self._cmd_say_number(args)

    async def _cmd_say_alpha(self, args: list[str]) -> bytes | None:
        if len(args) < 2:
            return self._usage("SAY ALPHA")
        key, _ = await self._play(f"alpha:{args[0]}", args[1])
        if key == INTERRUPTED:
            return None
        if key is None:
            return await self._hung_up_result(b"200 result=-1\n")
        return f"200 result={ord(key) if key else 0}\n".encode()

    async def _cmd_get_option(self, args: list[str]) -> bytes | None:
        """basic.txt: the file plays with the escape digits, then up to `timeout` ms for one of them."""
        if not 2 <= len(args) <= 3 or (len(args) == 3 and not args[2].lstrip("-").isdigit()):
            return self._usage("GET OPTION")
        if args[0] in self.missing_media:
            return b"200 result=-1 endpos=0\n"
        key, endpos = await self._play(args[0], args[1])
        if key == "" and len(args) == 3:
            key = await self._listen(int(args[2]) / 1000)
            while key and key not in (INTERRUPTED, *args[1]):  # other keys are ignored while it waits
                key = await self._listen(int(args[2]) / 1000)
        if key == INTERRUPTED:
            return None
        if key is None:
            return await self._hung_up_result(f"200 result=-1 endpos={endpos}\n".encode())
        return f"200 result={ord(key) if key else 0} endpos={endpos}\n".encode()

    async def _cmd_control_stream_file(self, args: list[str]) -> bytes | None:
        """basic.txt: played to the end it answers endpos=-1 (Asterisk reports no offset then)."""
        if len(args) < 2:
            return self._usage("CONTROL STREAM FILE")
        if args[0] in self.missing_media:
            return b"200 result=-1 endpos=0\n"
        key, endpos = await self._play(args[0], args[1])
        if key == INTERRUPTED:
            return None
        if key is None:
            return await self._hung_up_result(f"200 result=-1 endpos={endpos}\n".encode())
        return f"200 result={ord(key)} endpos={endpos}\n".encode() if key else b"200 result=0 endpos=-1\n"

    async def _cmd_get_data(self, args: list[str]) -> bytes | None:
        if not 1 <= len(args) <= 3 or any(not a.lstrip("-").isdigit() for a in args[1:]):
            return self._usage("GET DATA")
        timeout = int(args[1]) / 1000 if len(args) > 1 else 2.0
        max_digits = int(args[2]) if len(args) > 2 else 1024
        if args[0] in self.missing_media:
            return b"200 result=-1\n"
        key, _ = await self._play(args[0], KEYS)
        if key == "":  # getdata.txt: no key during the prompt, then `timeout` more for the first one (ast_readstring)
            key = await self._listen(timeout)
        digits = ""
        while True:
            if key == INTERRUPTED:
                return None
            if key is None:
                return await self._hung_up_result(b"200 result=-1\n")  # digits typed so far are lost
            if key == "#":
                return f"200 result={digits}\n".encode()
            if key == "":
                return f"200 result={digits} (timeout)\n".encode()
            digits += key
            if len(digits) >= max_digits:
                return f"200 result={digits}\n".encode()
            key = await self._listen(timeout)

    async def _cmd_wait_for_digit(self, args: list[str]) -> bytes | None:
        if len(args) != 1 or not args[0].lstrip("-").isdigit():
            return self._usage("WAIT FOR DIGIT")
        key = await self._listen(int(args[0]) / 1000)
        if key == INTERRUPTED:
            # Unlike a playback, the wait answers: ast_waitfordigit_full returns 1 when the AGI socket turns
            # readable and handle_waitfordigit prints its result either way (res_agi.c; no capture has it).
            return b"200 result=1\n"
        if key is None:
            return await self._hung_up_result(b"200 result=-1\n")
        return f"200 result={ord(key) if key else 0}\n".encode()

    async def _cmd_exec(self, args: list[str]) -> bytes | None:
        if not args:
            return self._usage("EXEC")
        application, argument = args[0].lower(), args[1] if len(args) > 1 else ""
        if application == "dial":
            return await self._dial(argument)
        if application == "queue":
            return await self._queue(argument)
        if application == "playback":
            return await self._playback(argument)
        if application == "set":
            if self.variables.get("AGIEXECFULL", "").lower() == "yes":  # newline.txt: only then is ${...} expanded
                argument = self._expand(argument)
            name, _, value = argument.partition("=")
            self.variables[name] = value
            return b"200 result=0\n"
        return b"200 result=-2\n"

    async def _playback(self, argument: str) -> bytes | None:
        """basic.txt: Playback answers 0 whether or not the file exists; PLAYBACKSTATUS tells which.
        hangupstream.txt: on a channel already dead it answers 0 at once."""
        if self.dead and not self._hangup_in_command:
            return b"200 result=0\n"
        if argument in self.missing_media:
            self.variables["PLAYBACKSTATUS"] = "FAILED"
            return b"200 result=0\n"
        key, _ = await self._play(argument, "")
        if key == INTERRUPTED:
            return None
        if key is None:
            self.variables["PLAYBACKSTATUS"] = "FAILED"
            return await self._hung_up_result(b"200 result=-1\n")
        self.variables["PLAYBACKSTATUS"] = "SUCCESS"
        return b"200 result=0\n"

    async def _dial(self, argument: str) -> bytes | None:
        parts = argument.split(",")
        options = parts[2] if len(parts) > 2 else ""
        if self._hangup_in_command:  # the caller hung up while it rang
            return await self._hung_up_result(b"200 result=-1\n")
        if self.dead:  # EXEC Dial on a channel already dead
            return b"200 result=-1\n"
        self.call.shown_caller_ids.append((self.caller_name, self.caller_number))
        far_end = self._far_end.pop(0) if self._far_end else "answered"
        status = _DIALSTATUS.get(far_end, "CHANUNAVAIL")
        if status == "CANCEL":
            self.variables["DIALSTATUS"] = "CANCEL"
            await self._caller_hangs_up(during_command=True)
            return await self._hung_up_result(b"200 result=-1\n")
        self.variables["DIALSTATUS"] = status
        if status != "ANSWER":
            return b"200 result=0\n"
        key = await self._listen(self.script.talk_seconds, watch_socket=False)
        answered = self.script.answered_time
        self.variables["ANSWEREDTIME"] = str(round(self.script.talk_seconds) if answered is None else answered)
        if key is None:  # the caller hung up while bridged
            return await self._hung_up_result(b"200 result=-1\n")
        return b"200 result=0\n" if "g" in options else b"200 result=-1\n"  # dialg.txt / dial.txt

    async def _queue(self, argument: str) -> bytes | None:
        # A caller who hangs up while waiting is an ABANDON: app_queue's record_abandoned() sets ABANDONED=TRUE
        # and leaves QUEUESTATUS unset (as it is after an agent answered), and Queue returns -1.
        if self._hangup_in_command:
            self.variables["ABANDONED"] = "TRUE"
            return await self._hung_up_result(b"200 result=-1\n")
        self.call.shown_caller_ids.append((self.caller_name, self.caller_number))
        far_end = self._far_end.pop(0) if self._far_end else "answered"
        status = _QUEUESTATUS.get(far_end, "JOINEMPTY")
        if far_end == "cancel":
            self.variables["ABANDONED"] = "TRUE"
            await self._caller_hangs_up(during_command=True)
            return await self._hung_up_result(b"200 result=-1\n")
        if status:
            self.variables["QUEUESTATUS"] = status
            return b"200 result=0\n"
        # Answered: queue_exec sets no QUEUESTATUS (only an unanswered leave does), so an earlier try's stays.
        key = await self._listen(self.script.talk_seconds, watch_socket=False)
        if key is None:
            return await self._hung_up_result(b"200 result=-1\n")
        return b"200 result=0\n"
