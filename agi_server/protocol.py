"""The FastAGI wire format as pure functions: no sockets, no clock, no asyncio.

Facts this module follows were captured from a real Asterisk 22 (`../shared/asterisk/README.txt`):
- the env block is `agi_key: value\\n` lines closed by an empty line;
- commands are one line each, words split on blanks, `"..."` groups words and a backslash escapes the next
  character; there is no way to carry a newline inside an argument, and a raw LF starts a new command;
- responses are `200 result=N (data) key=value`, `510 ...`, `511 ...`, a multi-line `520-` ... `520 End ...`,
  `100 ... Trying` progress lines, and an unsolicited `HANGUP` line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final
from urllib.parse import parse_qsl

from agi_server.errors import EnvBlockError, ExecNotAllowed, ResponseError, UnsafeArgument

# -- environment block ------------------------------------------------------------------------------

MAX_ENV_BYTES: Final = 16 * 1024  # a real block is ~550 bytes; AGI() args add a little
MAX_ENV_KEYS: Final = 200
MAX_QUERY_FIELDS: Final = 50
_ENV_KEY = re.compile(r"^agi_[a-z0-9_]{1,40}$")
# The shape every real block has: `agi_key: value` lines (one space after the colon), then an empty line.
# Anchored at line starts, so a line matches only when all of it has that shape.
_ENV_LINE = re.compile(r"^(agi_[a-z0-9_]{1,40}): ([^\n]*)\n", re.MULTILINE)
# The block every Asterisk 22 FastAGI session opens with (env.txt): these keys in this order, then any
# `agi_arg_N`. One match of that whole shape with a group per value builds the dict at half the cost of the
# line reader (it was the largest cost of a call's start, bench/agi_layers.py); any other block, or a
# doubtful one, takes the general path below.
ASTERISK_ENV_KEYS: Final = (
    "agi_network",
    "agi_network_script",
    "agi_request",
    "agi_channel",
    "agi_language",
    "agi_type",
    "agi_uniqueid",
    "agi_version",
    "agi_callerid",
    "agi_calleridname",
    "agi_callingpres",
    "agi_callingani2",
    "agi_callington",
    "agi_callingtns",
    "agi_dnid",
    "agi_rdnis",
    "agi_context",
    "agi_extension",
    "agi_priority",
    "agi_enhanced",
    "agi_accountcode",
    "agi_threadid",
)
_ASTERISK_BLOCK = re.compile(
    "".join(f"{key}: ([^\\n]*)\\n" for key in ASTERISK_ENV_KEYS) + r"((?:agi_arg_[0-9]{1,3}: [^\n]*\n)*)\n"
)


# Where the block ends. Asterisk writes values raw (README section 1), so a value ending in LF (a CNAM lookup's
# caller name, an AGI() argument) or holding an empty line puts an empty line inside the block. After the block
# Asterisk writes nothing until our first command but a HANGUP line (hangupidle.txt), so the empty line that closes
# it is one that nothing, or a HANGUP line, follows in the buffer. One followed by any other line (the next
# `agi_key: ` line, or more of the value) is inside a value; a run of them closes the block at its last one (the
# last value ends in LF); a line that may yet be HANGUP is waited for.
# A read may end just after a value's trailing LF, the next write not come yet (setup_env writes each line with a
# write of its own). Asterisk 22 writes its keys in one order, agi_threadid last before the arguments
# (ASTERISK_ENV_KEYS): an empty line after a block that follows that order but has not reached agi_threadid is
# inside a value, whatever follows it (Asterisk writes no HANGUP before the block is whole), and is waited past.
# The real agi_threadid line is in every whole block, so waiting never outlasts it; a caller's text posing as a key
# line can only stop the wait sooner, as it was before. Only a block that has shown Asterisk's lines up to
# agi_callerid waits: the first value a caller (or a lookup) fills; the shorter prefixes are what minimal FastAGI
# clients and our tests send, and they close at their empty line as before. Left ambiguous, as before, and then
# read as closed there (the lines after it come as answers: a protocol error, no value read as another key's): a
# read ending after the LF at the end of an agi_arg_N (any number may follow) or of the AGI URL (agi_network_script,
# agi_request), a block in another layout (another Asterisk, another client), and an empty line then "HANGUP"
# inside an argument's value.
_EMPTY_LINES = re.compile(rb"\n*")
_HANGUP_LINE = b"HANGUP\n"
# A line the careful reader (`_parse_env_lines`) takes for a key, with the LF before it: what bounds a value.
_KEY_LINE = re.compile(rb"\n(agi_[a-z0-9_]{1,40}):")
_STANDARD_KEYS: Final = tuple(key.encode() for key in ASTERISK_ENV_KEYS)
_THREADID: Final = len(ASTERISK_ENV_KEYS) - 1
_WAIT_FROM_KEYS: Final = ASTERISK_ENV_KEYS.index("agi_callerid") + 1


def env_block_end(buffer: bytes) -> int:
    """Index just past the empty line that closes the env block in `buffer`, or -1 when it has not arrived."""
    return find_env_block_end(buffer)[0]


def find_env_block_end(buffer: bytes, start: int = 0, keys: int = 0) -> tuple[int, int, int]:
    """(`env_block_end`, resume, keys): pass resume and keys back as `start` and `keys` once more bytes came, so a
    block arriving in many small reads is not read again from its first byte at each. `keys` > 0: the block follows
    Asterisk's key order this far (that many of ASTERISK_ENV_KEYS, short of agi_threadid), every empty line before
    resume being inside a value; 0: every empty line before resume is inside a value. A plain tuple: this runs at
    every call's start."""
    if start == 0 and buffer.startswith(b"\n"):  # an empty block: nothing but the terminating line
        return 1, 0, 0
    if keys:
        keys, start = _follow_asterisk_order(buffer, start, keys, len(buffer))
        if keys:
            return -1, start, keys
    while (index := buffer.find(b"\n\n", start)) >= 0:
        if index + 2 == len(buffer):  # the usual read: the block, and nothing after it
            run_end, following = index + 2, b""
        else:
            run = _EMPTY_LINES.match(buffer, index + 1)  # the empty lines there (more than one: a value's LFs)
            run_end = run.end() if run is not None else index + 2
            following = buffer[run_end : run_end + len(_HANGUP_LINE)]
        if following and following != _HANGUP_LINE:
            if _HANGUP_LINE.startswith(following):
                return -1, start, 0  # HANGUP, or more of a value: the rest of the line tells
            start = run_end  # another line follows: these empty lines are inside a value
            continue
        keys, after = _short_of_threadid(buffer, run_end)
        if not keys:
            return run_end, start, 0
        keys, start = _follow_asterisk_order(buffer, after, keys, len(buffer))
        if keys:
            return -1, start, keys
    return -1, max(start, len(buffer) - 1), 0  # an empty line may start at the last byte


def _short_of_threadid(buffer: bytes, end: int) -> tuple[int, int]:
    """(keys, where to follow on) when `buffer[:end]` is Asterisk's block up to agi_callerid at least and short of
    agi_threadid, so its last empty line is inside a value; (0, 0) otherwise."""
    if buffer.rfind(b"\nagi_threadid:", 0, end) >= 0 or not buffer.startswith(b"agi_network:"):
        return 0, 0  # the usual block, whole: agi_threadid read (or posed as), so the order is over
    keys, after = _follow_asterisk_order(buffer, 0, 1, end)
    return (keys, after) if keys >= _WAIT_FROM_KEYS else (0, 0)


def _follow_asterisk_order(buffer: bytes, start: int, keys: int, end: int) -> tuple[int, int]:
    """Read the key lines of `buffer[start:end]`, `keys` of ASTERISK_ENV_KEYS read before: (keys read, where to look
    on) while each is the next one short of agi_threadid; (0, the LF before the first that is not) once one is not
    (agi_threadid itself, or a key out of that order: Asterisk's layout is over, or it never was)."""
    for line in _KEY_LINE.finditer(buffer, start, end):
        if keys == _THREADID or line[1] != _STANDARD_KEYS[keys]:
            return 0, line.start()
        keys += 1
        start = line.end()
    return keys, max(start, buffer.rfind(b"\n", start, end))  # a key line may be arriving after the last LF


def parse_env_block(data: bytes, *, max_bytes: int = MAX_ENV_BYTES) -> dict[str, str]:
    """Read the `agi_*` block (up to and including its empty line) into an ordered dict.

    Raises `EnvBlockError` when it is too large, not UTF-8-ish text, has a line that is not `agi_key: value`,
    repeats a key or lacks the closing empty line.
    """
    if len(data) > max_bytes:
        raise EnvBlockError(f"env block of {len(data)} bytes is over the {max_bytes}-byte cap")
    if not data.endswith(b"\n\n") and data != b"\n":
        raise EnvBlockError("env block is not closed by an empty line")
    # A CR is kept: Asterisk sends values raw, and a caller name with one (a CNAM lookup's) is still a call; the
    # encoder refuses it in any command argument. NUL never comes from Asterisk's C strings.
    if b"\0" in data:
        raise EnvBlockError("env block holds NUL bytes")
    text = data.decode("utf-8", errors="replace")
    standard = _ASTERISK_BLOCK.fullmatch(text)
    if standard is not None:
        values = standard.groups()
        env = dict(zip(ASTERISK_ENV_KEYS, values, strict=False))  # the last group, the args' lines, is not a value
        if not values[-1]:
            return env
        args = _ENV_LINE.findall(values[-1])
        env.update(args)
        # Numbered 1, 2, 3... as Asterisk writes them (else the careful reader says what is wrong).
        numbered = all(name == f"agi_arg_{index}" for index, (name, _) in enumerate(args, start=1))
        if numbered and len(env) == len(ASTERISK_ENV_KEYS) + len(args) <= MAX_ENV_KEYS:
            return env
    return _parse_env_lines(data, text)  # another Asterisk's keys, a value with a line feed, or a bad block


# Sent by Asterisk on every FastAGI call (env.txt), even for an empty path: a block without them is not a call.
FASTAGI_REQUEST_KEYS: Final = ("agi_network_script", "agi_request")


def require_fastagi_request(env: Mapping[str, str]) -> None:
    """Raise `EnvBlockError` unless `env` names the FastAGI request (a port probe's bare newline does not)."""
    missing = [key for key in FASTAGI_REQUEST_KEYS if key not in env]
    if missing:
        raise EnvBlockError(f"env block lacks {', '.join(missing)}: not a FastAGI request")


_KEY_ORDER: Final = {key: index for index, key in enumerate(ASTERISK_ENV_KEYS)}


def _parse_env_lines(data: bytes, text: str) -> dict[str, str]:
    """The careful reader: every line, in Asterisk's key order.

    Asterisk writes values raw (README section 1), so a value holding a line feed (a caller name from a CNAM
    lookup, caller data in the AGI() URL or arguments) spreads over several lines. A line that is not
    `agi_key: value` goes on the value before it. One that is, but stands where Asterisk never writes that key
    (a key it sends after the one before, an Asterisk key after the arguments, a key twice), may be a caller's
    text posing as a key, to set an AGI() argument the dialplan never passed or another dialed number: the
    block is refused rather than read one way or the other. Arguments come numbered 1, 2, 3..., so one can pose
    as another only in the last argument's value, where its text is the same as a real one's.
    """
    env: dict[str, str] = {}
    last_known = -1  # the place in ASTERISK_ENV_KEYS of the last of those keys read
    arguments = 0  # the agi_arg_N read: Asterisk sends them last, numbered 1, 2, 3...
    previous: str | None = None
    for line in text.split("\n")[:-2] if data != b"\n" else []:
        key, colon, value = line.partition(":")
        if not colon or not _ENV_KEY.match(key):
            if previous is None:
                raise EnvBlockError(f"env line is not 'agi_key: value': {line[:80]!r}")
            env[previous] += "\n" + line
            continue
        if key in env:
            raise EnvBlockError(f"env key {key!r} appears twice")
        place = _KEY_ORDER.get(key)
        argument = key.startswith("agi_arg_")
        if (place is not None and (place < last_known or arguments)) or (
            argument and key != f"agi_arg_{arguments + 1}"
        ):
            raise EnvBlockError(
                f"env key {key!r} out of Asterisk's order (after {previous!r}): a value with a line feed may pose as it"
            )
        if len(env) >= MAX_ENV_KEYS:
            raise EnvBlockError(f"env block has more than {MAX_ENV_KEYS} keys")
        if place is not None:
            last_known = place
        arguments += argument
        env[key] = value[1:] if value.startswith(" ") else value  # exactly one space follows the colon
        previous = key
    return env


# -- what a refused block still says --------------------------------------------------------------------------

# Read in Asterisk's order from the block's first line, as long as each line is the next of them. These come from
# the channel and the dialplan, up to the first value a caller fills (agi_callerid) and the name after it: a caller's
# text can only pose as a key line after its own value's line, so it can neither come before Asterisk's lines of
# these keys nor replace them. (A dialplan that writes caller data into the AGI URL lets that data pose as the keys
# after it: the order then breaks, and the block is read only up to there.)
_READ_IN_ORDER: Final = ASTERISK_ENV_KEYS[: ASTERISK_ENV_KEYS.index("agi_calleridname") + 1]
# Written after the caller's values, so a line may be the caller's posing as one: taken only from a whole block,
# where the key's line comes once (Asterisk writes each once; a second is a pose, and which is which is not known).
_READ_WHEN_ALONE: Final = ("agi_dnid", "agi_extension")
_MAX_REFUSED_VALUE: Final = 200  # characters of a value kept (the register's widest column of them)


def env_before_refusal(data: bytes) -> dict[str, str]:
    """What the env block `data` (whole, or as far as it came) says that a caller's text cannot have written, for
    the record of a session refused at its handshake: the keys of `_READ_IN_ORDER` while its lines follow Asterisk's
    order, each value up to its first line feed (a value that runs on, the caller name's "Ana\\nagi_arg_1: x", is kept
    up to the line that broke the block), and `_READ_WHEN_ALONE`. Never fails. Only whole lines are read (a read may
    end inside one), NUL is U+FFFD, and each value is cut to 200 characters: the rest is what was refused."""
    lines = data.decode("utf-8", errors="replace").replace("\0", "\ufffd").split("\n")[:-1]
    read: dict[str, str] = {}
    for key, line in zip(_READ_IN_ORDER, lines, strict=False):
        value = _refused_block_value(key, line)
        if value is None:
            break
        read[key] = value
    if data.endswith(b"\n\n"):
        for key in _READ_WHEN_ALONE:
            values = [value for line in lines if (value := _refused_block_value(key, line)) is not None]
            if len(values) == 1:
                read[key] = values[0]
    return read


def _refused_block_value(key: str, line: str) -> str | None:
    """The value of `line` when it is `key`'s line, as Asterisk writes it (`key: value`), cut to the cap; else None."""
    prefix = f"{key}: "
    return line[len(prefix) : len(prefix) + _MAX_REFUSED_VALUE] if line.startswith(prefix) else None


@dataclass(frozen=True, slots=True)
class AgiRequest:
    """What the dialplan asked for: the script path, its query parameters and the AGI() arguments."""

    path: str
    query: tuple[tuple[str, str], ...]
    args: tuple[str, ...]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AgiRequest:
        """Split `agi_network_script` ("menu?x=1&y=two") and collect `agi_arg_1..N` in order."""
        script = env.get("agi_network_script", "")
        _, _, query_string = script.partition("?")
        try:
            query = (
                parse_qsl(query_string, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS) if query_string else []
            )
        except ValueError as error:
            raise EnvBlockError(f"query string of {script[:80]!r} is unreadable: {error}") from error
        args: list[str] = []
        while f"agi_arg_{len(args) + 1}" in env:
            args.append(env[f"agi_arg_{len(args) + 1}"])
        return cls(path=requested_path(env), query=tuple(query), args=tuple(args))


def requested_path(env: Mapping[str, str]) -> str:
    """The script path the dialplan asked for ("menu" of "agi://host/menu?x=1"); never fails, unlike the query."""
    return env.get("agi_network_script", "").partition("?")[0].strip("/")


def channel_facts(env: Mapping[str, str]) -> dict[str, str]:
    """The engine's channel facts from the env block; Asterisk writes "unknown" for an absent caller ID."""

    caller_id = env.get("agi_callerid", "")
    caller_name = env.get("agi_calleridname", "")
    dialed = env.get("agi_dnid", "")
    return {
        "caller_id": "" if caller_id == "unknown" else caller_id,
        "caller_name": "" if caller_name == "unknown" else caller_name,
        "dialed_number": ("" if dialed == "unknown" else dialed) or env.get("agi_extension", ""),
        "channel": env.get("agi_channel", ""),
        "channel_language": env.get("agi_language", ""),
    }


# -- commands -----------------------------------------------------------------------------------------

# Asterisk runs what is past its line buffer as a second command: 8,191 bytes on the captured Asterisk 22
# (newline.txt #18/#21, README "Max line 8192 bytes"), 2,048 on releases before 22.6 as the issue names them.
# A line (LF included) stays clearly below the smaller; 2,000 leaves room for a miscounted multi-byte character.
MAX_COMMAND_BYTES: Final = 2000

# The verbs this runtime speaks. EXEC is not here: it only goes out through `encode_exec` and its allow-list.
KNOWN_VERBS: Final = frozenset(
    {
        "ANSWER",
        "HANGUP",
        "STREAM FILE",
        "GET DATA",
        "WAIT FOR DIGIT",
        "CHANNEL STATUS",
        "GET VARIABLE",
        "SET VARIABLE",
        "VERBOSE",
        "NOOP",
        "SAY DIGITS",
        "SAY NUMBER",
    }
)
_FORBIDDEN = ("\r", "\n", "\0")


def quote_argument(value: str) -> str:
    """One argument as Asterisk's parser reads it back unchanged: quoted, with backslash and quote escaped."""
    for char in _FORBIDDEN:
        if char in value:
            raise UnsafeArgument(f"argument holds {char!r}, which would end or corrupt the AGI command line")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _encode(verb: str, args: tuple[str, ...]) -> bytes:
    line = " ".join([verb, *(quote_argument(arg) for arg in args)]) + "\n"
    data = line.encode("utf-8")
    if len(data) > MAX_COMMAND_BYTES:
        raise UnsafeArgument(f"{verb} line of {len(data)} bytes is over the {MAX_COMMAND_BYTES}-byte cap")
    return data


def encode_command(verb: str, *args: str) -> bytes:
    """The one place a command line is built: every argument quoted and escaped, the verb from a fixed set."""
    return encode_line(verb, args)


@lru_cache(maxsize=4096)
def encode_line(verb: str, args: tuple[str, ...]) -> bytes:
    """`encode_command` with the arguments as a tuple, for the session's hot path (one call less).

    Cached: calls repeat the same few lines (ANSWER, the scenario's prompts) thousands of times. A refused
    line raises and is not cached."""
    if verb not in KNOWN_VERBS:
        raise UnsafeArgument(f"verb {verb!r} is not one this runtime sends (EXEC goes through encode_exec)")
    return _encode(verb, args)


# -- EXEC allow-list ------------------------------------------------------------------------------------

DIAL_TARGET_PATTERN: Final = r"^(PJSIP|SIP|IAX2|Local|DAHDI)/[A-Za-z0-9_+*#@.-]{1,80}$"
DIAL_OPTIONS: Final = frozenset("grtThHkK")  # flags without arguments: nothing that runs a macro or a script
MAX_DIAL_TIMEOUT: Final = 600
_DIAL_TARGET = re.compile(DIAL_TARGET_PATTERN)


def dial_argument(target: str, timeout: int, options: str = "") -> str:
    """Dial's single argument string `target,timeout,options`, after checking each part strictly."""
    if not _DIAL_TARGET.match(target):
        raise ExecNotAllowed(f"dial target {target[:100]!r} does not match {DIAL_TARGET_PATTERN}")
    if not 1 <= timeout <= MAX_DIAL_TIMEOUT:
        raise ExecNotAllowed(f"dial timeout {timeout} is outside 1..{MAX_DIAL_TIMEOUT} seconds")
    check_dial_options(options)
    return f"{target},{timeout},{options}" if options else f"{target},{timeout}"


def check_dial_options(options: str) -> None:
    """`ExecNotAllowed` unless `options` are distinct flags from DIAL_OPTIONS (ChannelSettings checks it at start)."""
    if set(options) - DIAL_OPTIONS or len(set(options)) != len(options):
        raise ExecNotAllowed(f"dial options {options!r} are not a subset of {''.join(sorted(DIAL_OPTIONS))!r}")


# ASCII digits only: str.isdigit() also takes "٣٠" (int() reads 30, Asterisk's atoi() 0, i.e. no timeout at all).
_TIMEOUT_DIGITS: Final = re.compile(r"[0-9]{1,6}")


def _check_dial(argument: str) -> None:
    target, _, rest = argument.partition(",")
    timeout, _, options = rest.partition(",")
    if not _TIMEOUT_DIGITS.fullmatch(timeout):
        raise ExecNotAllowed(f"dial argument {argument[:100]!r} lacks a numeric timeout")
    dial_argument(target, int(timeout), options)


QUEUE_NAME_PATTERN: Final = r"^[A-Za-z0-9_-]{1,64}$"
_QUEUE_NAME = re.compile(QUEUE_NAME_PATTERN)


def queue_argument(queue: str, timeout: int) -> str:
    """Queue's argument string `name,,,,timeout` (no options, URL, announcement, macro or gosub)."""
    if not _QUEUE_NAME.match(queue):
        raise ExecNotAllowed(f"queue name {queue[:100]!r} does not match {QUEUE_NAME_PATTERN}")
    if not 1 <= timeout <= MAX_DIAL_TIMEOUT:
        raise ExecNotAllowed(f"queue timeout {timeout} is outside 1..{MAX_DIAL_TIMEOUT} seconds")
    return f"{queue},,,,{timeout}"


def _check_queue(argument: str) -> None:
    parts = argument.split(",")
    if len(parts) != 5 or any(parts[1:4]) or not _TIMEOUT_DIGITS.fullmatch(parts[4]):
        raise ExecNotAllowed(f"queue argument {argument[:100]!r} is not 'name,,,,timeout'")
    queue_argument(parts[0], int(parts[4]))


# Application -> validator of its one argument string. Anything else cannot be EXECuted.
EXEC_ALLOWED: Final = {"Dial": _check_dial, "Queue": _check_queue}


def encode_exec(application: str, argument: str) -> bytes:
    """`EXEC <application> "<argument>"` for an allow-listed application whose validator accepts `argument`."""
    validator = EXEC_ALLOWED.get(application)
    if validator is None:
        raise ExecNotAllowed(f"EXEC {application[:40]!r} is not in the allow-list {sorted(EXEC_ALLOWED)}")
    validator(argument)
    return _encode("EXEC", (application, argument))


# -- responses -----------------------------------------------------------------------------------------

MAX_RESPONSE_LINES: Final = 64  # a 520 usage text is < 10 lines; a value with LFs rarely more


@dataclass(frozen=True, slots=True)
class AgiResponse:
    """One answer to one command. For 200: `result` is the text after `result=` ("53", "-1", "1234", "")."""

    code: int
    result: str = ""
    data: str | None = None  # the verbatim (data) part, unescaped by Asterisk
    fields: tuple[tuple[str, str], ...] = ()  # key=value after the data, e.g. (("endpos", "11234"),)
    text: str = ""  # everything after the code (the usage text for 520)
    # `result` as an int, or None when it is empty (GET DATA with no digit). Computed once: responses are
    # cached and shared, and the channel reads it for nearly every command.
    number: int | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        try:
            number: int | None = int(self.result)
        except ValueError:
            number = None
        object.__setattr__(self, "number", number)

    def field(self, name: str) -> str | None:
        return dict(self.fields).get(name)


@dataclass(frozen=True, slots=True)
class HangupNotice:
    """The `HANGUP` line Asterisk writes when the channel hangs up and at the end of every session."""


HANGUP_NOTICE: Final = HangupNotice()

# A result is a number, or what GET DATA read: every key but its '#' terminator, so '*' and the DTMF letters
# A-D come back as typed ("200 result=1*2", "200 result=*9 (timeout)": main/app.c's ast_readstring_full).
_RESULT_VALUE: Final = r"-?[0-9*#A-D]*"
# The answer without (data), nearly every one ("200 result=0", "200 result=53 endpos=2080"). No part can match
# what another does (a field begins with a blank, a value has none): linear, as every pattern here must be, since a
# hostile peer's 16 KiB answer must not hold the event loop.
_RESULT = re.compile(rf"^200 result=(?P<result>{_RESULT_VALUE})(?P<fields>(?: [A-Za-z_]+=\S*)*)[ \t]*$")
_RESULT_WITH_OPEN_DATA = re.compile(rf"^200 result=(?P<result>{_RESULT_VALUE}) \(")
# What may follow the (data)'s closing parenthesis: key=value fields, blanks, the end (or a last LF, as `$` reads).
_FIELDS = re.compile(r"(?P<fields>(?: [A-Za-z_]+=\S*)*)[ \t]*$")
# The same read backwards, up to the parenthesis before it, matched on the reversed text: fewest fields first, as
# the data is greedy (a value may hold parentheses, "(Main St (rear))", and so may a field's: " a=)").
_FIELDS_THEN_CLOSE_REVERSED = re.compile(r"\n?[ \t]*(?:\S*=[A-Za-z_]+ )*?\)")
_FIELD = re.compile(r" ([A-Za-z_]+)=(\S*)")
_CODE_LINE = re.compile(r"^(?P<code>[1-5]\d\d)(?P<sep>[ -])(?P<text>.*)$", re.DOTALL)


def _closing_parenthesis(text: str, start: int = 0) -> int:
    """Index of the (data)'s closing parenthesis in `text` (at `start` or after), -1 when it has not come: the
    last one that only fields follow. Trying each parenthesis from the left against all that follows it was
    quadratic in the answer's length (review of 2026-12-05: 0.7 s for 16 KiB of " a=)"); this is linear."""
    close = text.rfind(")", start)
    if close < 0 or close == len(text) - 1 or _FIELDS.match(text, close + 1) is not None:  # usually the last one
        return close
    backwards = _FIELDS_THEN_CLOSE_REVERSED.match(text[::-1], 0, len(text) - start)
    return -1 if backwards is None else len(text) - backwards.end()


def _parse_result(line: str) -> AgiResponse | None:
    """A whole `200 result=...` answer (one line, or the lines of a value with LFs joined), or None."""
    match = _RESULT.match(line)
    if match is not None:
        return AgiResponse(200, match["result"], None, tuple(_FIELD.findall(match["fields"])), line[4:])
    opened = _RESULT_WITH_OPEN_DATA.match(line)
    if opened is None:
        return None
    close = _closing_parenthesis(line, opened.end())
    if close < 0:
        return None
    after = _FIELDS.match(line, close + 1) if close < len(line) - 1 else None  # None: the line ends at it
    fields = tuple(_FIELD.findall(after["fields"])) if after is not None else ()
    return AgiResponse(200, opened["result"], line[opened.end() : close], fields, line[4:])


@lru_cache(maxsize=1024)
def complete_result(line: str) -> AgiResponse | None:
    """A whole `200 result=...` line, or None. Cached (a response is immutable): most answers are one of a
    few lines ("200 result=0", the endpos of the scenario's prompts)."""
    return _parse_result(line)


def _continues(following: str | None) -> bool:
    """Is `following` (the next line of the same read) more of a value rather than a response of its own?"""
    return following is not None and following != "HANGUP" and _CODE_LINE.match(following) is None


class ResponseParser:
    """Turns response lines (without their LF) into `AgiResponse`, `HangupNotice`, or None for "need more".

    Holds the little state the protocol needs: a 520 usage block spans lines, and a (data) holding LFs
    arrives split over lines because Asterisk does not escape values.
    """

    def __init__(self) -> None:
        self._pending: list[str] = []
        # "usage" inside 520-..., "data" inside an unclosed (data), None between answers (read by the session's
        # fast path for single-line answers, see `AgiConnection.data_received`)
        self.mode: str | None = None

    @property
    def idle(self) -> bool:
        return self.mode is None

    def feed_line(self, line: str, following: str | None = None) -> AgiResponse | HangupNotice | None:
        """`following`: the next line, when it came in the same read. Asterisk writes a response in one write
        and does not escape values, so a value holding "(rear)" and a line feed looks complete after its first
        line; a following line that starts no response of its own is more of the same value."""
        if self.mode is not None:
            return self._continue(line, following)
        if line == "HANGUP":
            return HANGUP_NOTICE
        if line.startswith("200 "):
            response = complete_result(line) or self._result(line)  # the first: nearly every answer, cached
            if response is not None and response.data is not None and _continues(following):
                self.mode, self._pending = "data", [line]
                return None
            return response
        match = _CODE_LINE.match(line)
        if match is None:
            raise ResponseError(f"unreadable response line {line[:120]!r}", line)
        code = int(match["code"])
        if code == 100:  # "100 result=0 Trying..." progress: the real answer follows
            return None
        if code == 520 and match["sep"] == "-":
            self.mode, self._pending = "usage", []
            return None
        return AgiResponse(code=code, text=match["text"])

    def _result(self, line: str) -> AgiResponse | None:
        response = complete_result(line)
        if response is None:
            if _RESULT_WITH_OPEN_DATA.match(line):
                self.mode, self._pending = "data", [line]
                return None
            raise ResponseError(f"unreadable result line {line[:120]!r}", line)
        return response

    def _continue(self, line: str, following: str | None = None) -> AgiResponse | None:
        if self.mode == "usage":
            if line.startswith("520 "):
                usage = "\n".join(self._pending)
                self.mode, self._pending = None, []
                return AgiResponse(code=520, text=usage)
            self._grow(line)
            return None
        self._grow(line)
        # Only the last line can close the value (after the parenthesis come fields, no LF), or the one before an
        # empty last line (`$` allows a last LF): look there, not at all the lines again for each new one.
        if _continues(following) or _closing_parenthesis("\n".join(self._pending[-2:])) < 0:
            return None  # the closing parenthesis has not come yet
        joined = "\n".join(self._pending)
        self.mode, self._pending = None, []
        return _parse_result(joined)  # not cached: one of a kind, and up to MAX_RESPONSE_LINES long

    def _grow(self, line: str) -> None:
        self._pending.append(line)
        if len(self._pending) > MAX_RESPONSE_LINES:
            self.mode, self._pending = None, []
            raise ResponseError(f"response runs over {MAX_RESPONSE_LINES} lines", line)
