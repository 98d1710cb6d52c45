"""Where the env block ends when a value ends in a line feed (README section 1: Asterisk writes values raw, and a
CNAM lookup leaves a caller name ending in one): `find_env_block_end` read by read as the connection feeds it, and
a call over real TCP whose block is split right after such a value."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agi_server.errors import EnvBlockError
from agi_server.protocol import ASTERISK_ENV_KEYS, env_block_end, find_env_block_end, parse_env_block
from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from graph_engine.document import parse_document
from tests.agi_server.conftest import MemoryRecords, StartServer, call
from tests.agi_server.transcripts import CAPTURES, env_of, read_transcript
from tests.fakes.asterisk import default_env, encode_env, parse_args

# The values a caller (or a lookup on the caller's behalf) fills, in Asterisk's order; any may end in a line feed.
CALLER_KEYS = ("agi_callerid", "agi_calleridname", "agi_dnid", "agi_rdnis", "agi_accountcode")
# The captures whose first bytes are an env block (README.txt and noserver.txt have none).
CAPTURED_BLOCKS = {
    path.name: env_of(read_transcript(path.name))
    for path in sorted(CAPTURES.glob("*.txt"))
    if env_of(read_transcript(path.name))[0].endswith(b"\n\n")
}


def ends_read_by_read(reads: Iterable[bytes]) -> list[int]:
    """The block's end after each read, fed as the connection feeds them (the bytes so far, the last look's resume
    and keys passed back), up to the first read that completes it."""
    buffer, resume, keys, ends = b"", 0, 0, []
    for read in reads:
        buffer += read
        end, resume, keys = find_env_block_end(buffer, resume, keys)
        ends.append(end)
        if end >= 0:
            break
    return ends


def split_at(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    bounds = [0, *sorted({cut for cut in cuts if 0 < cut < len(data)}), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def with_caller_name_ending_in_lf(block: bytes) -> bytes:
    line = re.search(rb"\nagi_calleridname: [^\n]*\n", block)
    assert line is not None
    return block[: line.end()] + b"\n" + block[line.end() :]


# -- the framing, read by read ------------------------------------------------------------------------------


def test_the_case_the_brief_names_waits_for_the_rest_of_the_block() -> None:
    """`agi_calleridname: Bob\\n\\nagi_callingpres: 0\\n...` with the read ending after the name's LF: it used to be
    taken as the block's end, the rest read as answers, and the call failed with a protocol error."""
    block = encode_env(default_env("menu", agi_calleridname="Bob\n"))
    split = block.index(b"agi_calleridname: Bob\n\n") + len(b"agi_calleridname: Bob\n\n")
    assert block[split:].startswith(b"agi_callingpres: 0\n")
    assert ends_read_by_read([block[:split], block[split:]]) == [-1, len(block)]
    assert parse_env_block(block)["agi_calleridname"] == "Bob\n"


@pytest.mark.parametrize("key", CALLER_KEYS)
@pytest.mark.parametrize("after", [b"", b"HANGUP\n"], ids=["alone", "then-hangup"])
@pytest.mark.parametrize("line_feeds", [1, 2, 3])
def test_a_read_ending_after_a_callers_value_ending_in_line_feeds_is_not_the_end(
    key: str, after: bytes, line_feeds: int
) -> None:
    block = encode_env(default_env("menu", args=("one",), **{key: "Bob" + "\n" * line_feeds}))
    split = block.index(b"Bob\n\n") + len(b"Bob") + line_feeds + 1  # the value, then the line's own LF
    assert ends_read_by_read([block[:split], block[split:] + after]) == [-1, len(block)]


def test_an_empty_line_then_hangup_inside_a_callers_value_is_not_the_end() -> None:
    """Asterisk writes no HANGUP before its block is whole: before agi_threadid, "\\n\\nHANGUP\\n" is a value's."""
    block = encode_env(default_env("menu", agi_calleridname="Bob\n\nHANGUP"))
    split = block.index(b"HANGUP\n") + len(b"HANGUP\n")
    assert ends_read_by_read([block[:split], block[split:]]) == [-1, len(block)]
    assert env_block_end(block + b"HANGUP\n") == len(block)


@pytest.mark.parametrize("args", [(), ("one", "two words")], ids=["no-arguments", "arguments"])
@pytest.mark.parametrize("after", [b"", b"HANGUP\n"], ids=["alone", "then-hangup"])
def test_a_whole_block_ends_at_once(args: tuple[str, ...], after: bytes) -> None:
    block = encode_env(default_env("menu", args=args))
    assert find_env_block_end(block + after)[0] == len(block)


@pytest.mark.parametrize("name", CAPTURED_BLOCKS)
@pytest.mark.parametrize("caller_name", ["as-captured", "ending-in-lf"])
def test_every_captured_block_fed_byte_by_byte_ends_at_its_last_byte(name: str, caller_name: str) -> None:
    """Not a byte sooner (the call would fail), not later (it would wait for the handshake timeout)."""
    block = CAPTURED_BLOCKS[name][0]
    if caller_name == "ending-in-lf":
        block = with_caller_name_ending_in_lf(block)
    ends = ends_read_by_read(block[size : size + 1] for size in range(len(block)))
    assert ends == [-1] * (len(block) - 1) + [len(block)]


@pytest.mark.parametrize("name", CAPTURED_BLOCKS)
def test_every_captured_block_in_its_captured_segments_ends_at_its_last_byte(name: str) -> None:
    block, segments = CAPTURED_BLOCKS[name]
    assert ends_read_by_read(segments) == [-1] * (len(segments) - 1) + [len(block)]
    split = with_caller_name_ending_in_lf(block).index(b"\n\n") + 2
    assert ends_read_by_read(split_at(with_caller_name_ending_in_lf(block), [split])) == [-1, len(block) + 1]


@pytest.mark.parametrize(
    "block",
    [
        b"agi_network: yes\nagi_network_script: greet\n\n",
        b"agi_network: yes\n\n",
        b"agi_network: yes\nagi_calleridname: Bob\n\n",  # not Asterisk's order
        b"agi_network_script: greet\nagi_calleridname: Bob\n\n",  # not its first key
        # Asterisk's keys up to agi_channel: short of the first one a caller fills
        encode_env(dict(list(default_env("greet").items())[:8])),
    ],
)
def test_a_block_short_of_asterisks_layout_ends_at_its_empty_line_as_before(block: bytes) -> None:
    """Minimal FastAGI clients and tests send a few keys: they are not held until the handshake timeout."""
    assert env_block_end(block) == len(block)
    assert env_block_end(block + b"HANGUP\n") == len(block)


@pytest.mark.parametrize("keys", range(len(ASTERISK_ENV_KEYS)))
def test_asterisks_keys_wait_from_agi_callerid_to_agi_threadid(keys: int) -> None:
    """The rule itself: a block of Asterisk's first `keys` keys (no agi_threadid) then an empty line waits once it
    holds agi_callerid; a shorter one closes there."""
    block = encode_env(dict(list(default_env("greet").items())[:keys]))
    holds_callerid = keys > ASTERISK_ENV_KEYS.index("agi_callerid")
    assert env_block_end(block) == (-1 if holds_callerid else len(block))


@pytest.mark.parametrize(
    "posing",
    [
        "Bob\nagi_threadid: 1\n",  # agi_threadid out of its place: the order is over, read as before
        "Bob\nagi_threadid: 1\nagi_arg_1: admin\n",
        "Bob\nagi_x: 1\n",  # a key Asterisk never sends
    ],
    ids=["threadid", "threadid-and-argument", "other-key"],
)
def test_a_caller_name_posing_as_key_lines_ends_the_block_as_before(posing: str) -> None:
    """A caller's text cannot make a call wait: at worst the block is taken as closed where it was before (the rest
    then comes as answers, a protocol error); whole, it ends at its last byte."""
    block = encode_env(default_env("menu", agi_calleridname=posing))
    split = block.index(b"\n\n") + 2
    assert ends_read_by_read([block[:split], block[split:]]) == [split]
    assert env_block_end(block) == len(block)
    if "agi_threadid" in posing:
        with pytest.raises(EnvBlockError, match=r"appears twice|out of Asterisk's order"):
            parse_env_block(block)


def test_a_caller_name_posing_as_the_next_key_does_not_hold_a_whole_block() -> None:
    block = encode_env(default_env("menu", agi_calleridname="Bob\nagi_callingpres: 0\n"))
    split = block.index(b"\n\n") + 2
    assert ends_read_by_read([block[:split], block[split:]]) == [-1, len(block)]


def test_a_hostile_value_read_in_small_pieces_is_framed_in_linear_time() -> None:
    """The resume (offset and keys) spares each read the bytes read before: 15 KiB of empty lines and HANGUP lines in
    a caller name, 3 bytes a read, take a few milliseconds, not the seconds of a rescan from the first byte."""
    block = encode_env(default_env("menu", agi_calleridname="x\n\nHANGUP\n\nagi_" * 1000))
    started = time.perf_counter()
    ends = ends_read_by_read(block[size : size + 3] for size in range(0, len(block), 3))
    assert ends[-1] == len(block)
    assert time.perf_counter() - started < 0.5


# -- the same, for any values ---------------------------------------------------------------------------------

_PIECES = ["Bob", "\n", "\n\n", " ", ":", "agi_threadid: 1", "agi_callingpres: 0", "agi_arg_1: x", "HANGUP", "HANG"]
_VALUES = st.lists(st.sampled_from(_PIECES), max_size=6).map("".join)
_KEY_LINE = re.compile(r"\nagi_[a-z0-9_]{1,40}:")


@settings(max_examples=600, deadline=None)
@given(
    st.fixed_dictionaries(dict.fromkeys(CALLER_KEYS, _VALUES)),
    st.lists(_VALUES, max_size=3),
    st.lists(st.integers(min_value=1, max_value=700), max_size=6),
    st.booleans(),
)
def test_any_block_in_any_reads_ends_once_whole_and_never_past_its_end(
    values: dict[str, str], args: list[str], cuts: list[int], hangup: bool
) -> None:
    """Whatever a caller's values hold: the whole block is never waited on past its last byte (a call cannot be
    made to hang); the end is an empty line, never past the block's; each read finds what a fresh look finds; and
    exactly the block's end when no value holds a line posing as a key and no argument a line feed (past
    agi_threadid the arguments' count is open, and a read ending after one's LF is still taken as the end)."""
    block = encode_env(default_env("menu", args=args, **values))
    data = block + (b"HANGUP\n" if hangup else b"")
    reads = split_at(data, cuts)
    ends = ends_read_by_read(reads)
    for size, end in zip(_sizes(reads), ends, strict=False):
        assert end == env_block_end(data[:size]), size
    end = ends[-1]
    assert 0 < end <= len(block) and data[:end].endswith(b"\n\n")
    plain = not any(_KEY_LINE.search("\n" + value) for value in values.values()) and not any("\n" in a for a in args)
    if plain:
        assert end == len(block)


def _sizes(reads: Sequence[bytes]) -> list[int]:
    total, sizes = 0, []
    for read in reads:
        total += len(read)
        sizes.append(total)
    return sizes


# -- over real TCP ----------------------------------------------------------------------------------------

GREETING: dict[str, Any] = {
    "format": "ivrgraph.scenario/1",
    "name": "Greeting",
    "nodes": [
        {"id": "start", "type": "start", "version": 1, "config": {}},
        {"id": "hello", "type": "say_phrase", "version": 1, "config": {"text": "Hola {{ caller_name }}"}},
    ],
    "edges": [{"id": "e0", "source": "start", "exit": "next", "target": "hello"}],
}


def _greeting_source() -> CachedScenarioSource:
    source = CachedScenarioSource()
    source.publish(PublishedScenario("greet", 1, parse_document(GREETING)))
    return source


def _lines_through_the_empty_line(block: bytes, marker: bytes) -> int:
    """The fake's `env_split` (lines in its first segment) that ends that segment right after `marker`'s LFs."""
    return block[: block.index(marker) + len(marker)].count(b"\n")


async def test_a_block_split_right_after_a_caller_names_line_feed_is_answered_and_recorded(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """The fake Asterisk writes the block in two segments, the first ending with `agi_calleridname: Bob\\n\\n`: the
    call runs as any other (it used to end with a protocol error before ANSWER)."""
    server = await start_server(source=_greeting_source())
    env = default_env("greet", agi_calleridname="Bob\n")
    split = _lines_through_the_empty_line(encode_env(env), b"agi_calleridname: Bob\n\n")
    fake = await call(server, env=env, env_split=split)
    await server.stop()
    assert fake.env_segments[0].endswith(b"agi_calleridname: Bob\n\n")
    assert b"".join(fake.env_segments) == encode_env(env)
    assert [parse_args(line)[0] for line in fake.commands] == ["ANSWER", "STREAM", "HANGUP"]
    (record,) = records.records
    assert (record.outcome, record.error) == ("ended", None)
    assert record.facts["caller_name"] == "Bob\n" and record.facts["dialed_number"] == "1001"
    assert record.asterisk_uniqueid == env["agi_uniqueid"]


async def test_a_caller_name_posing_as_agi_threadid_cannot_make_a_call_wait(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """The same split after a name posing as the last key line: the block is taken as closed there, as before, and
    the call ends at once with the protocol error it always had, not at the handshake timeout."""
    server = await start_server(source=_greeting_source(), handshake_timeout=5.0)
    env = default_env("greet", agi_calleridname="Bob\nagi_threadid: 1\n")
    split = _lines_through_the_empty_line(encode_env(env), b"agi_threadid: 1\n\n")
    started = asyncio.get_running_loop().time()
    fake = await call(server, env=env, env_split=split, hold=1.0)
    await server.stop()
    assert asyncio.get_running_loop().time() - started < 2.0
    assert fake.env_segments[0].endswith(b"agi_threadid: 1\n\n")
    assert "STREAM" not in [parse_args(line)[0] for line in fake.commands]
    (record,) = records.records
    assert record.outcome == "failed"
    assert "ResponseError: unreadable response line 'agi_callingpres: 0'" in (record.error or "")
