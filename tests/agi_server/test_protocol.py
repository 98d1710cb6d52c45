"""The pure wire functions: env block, command encoding, EXEC allow-list, response lines."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agi_server.errors import AgiError, EnvBlockError, ExecNotAllowed, ResponseError, UnsafeArgument
from agi_server.protocol import (
    _ASTERISK_BLOCK,
    ASTERISK_ENV_KEYS,
    HANGUP_NOTICE,
    MAX_COMMAND_BYTES,
    AgiRequest,
    AgiResponse,
    ResponseParser,
    _parse_env_lines,
    channel_facts,
    complete_result,
    dial_argument,
    encode_command,
    encode_exec,
    env_block_end,
    find_env_block_end,
    parse_env_block,
    queue_argument,
)
from tests.agi_server.transcripts import env_of, read_transcript
from tests.fakes.asterisk import default_env, encode_env, parse_args


def test_env_block_from_the_capture() -> None:
    """env.txt: keys in order, the query string kept in agi_network_script, the empty accountcode value."""
    data, _ = env_of(read_transcript("env.txt"))
    env = parse_env_block(data)
    assert list(env)[:3] == ["agi_network", "agi_network_script", "agi_request"]
    assert env["agi_network_script"] == "env?x=1&y=two"
    assert env["agi_accountcode"] == ""
    assert env["agi_calleridname"] == "Alice Example"
    request = AgiRequest.from_env(env)
    assert request.path == "env"
    assert request.query == (("x", "1"), ("y", "two"))
    assert request.args == ("one", "two words", "3")


def test_channel_facts_hide_unknown() -> None:
    """README section 1: Asterisk writes "unknown" for a missing caller ID; the DNID falls back to the exten."""
    env = {"agi_callerid": "unknown", "agi_calleridname": "unknown", "agi_dnid": "unknown", "agi_extension": "1001"}
    facts = channel_facts(env)
    assert facts["caller_id"] == "" and facts["caller_name"] == "" and facts["dialed_number"] == "1001"


@pytest.mark.parametrize(
    "data",
    [
        b"agi_network: yes\n",  # not closed
        b"not a line\nagi_network: yes\n\n",  # a first line with no key before it to belong to
        b"agi_network: yes\nagi_network: no\n\n",  # repeated key
        b"AGI_NETWORK: yes\n\n",
        b"agi_network: y\x00es\n\n",
        b"agi_request: agi://h/x\nagi_network: yes\n\n",  # out of Asterisk's order
        b"agi_network: yes\nagi_arg_1: a\nagi_request: agi://h/x\n\n",  # an Asterisk key after the arguments
        b"agi_x: " + b"a" * 20000 + b"\n\n",  # over the cap
    ],
)
def test_bad_env_blocks_raise_typed_errors(data: bytes) -> None:
    with pytest.raises(EnvBlockError):
        parse_env_block(data)


def test_a_caller_name_with_a_line_feed_is_one_value() -> None:
    """README section 1: values are written raw, so a caller name with a line feed (a CNAM lookup's) spreads over
    two lines; the call goes on with the whole name (it used to be refused, and left no record)."""
    env = parse_env_block(encode_env(default_env("menu", calleridname="O'Brien\nDublin")))
    assert env["agi_calleridname"] == "O'Brien\nDublin" and env["agi_callingpres"] == "0"
    assert AgiRequest.from_env(env).path == "menu"


@pytest.mark.parametrize(
    "forged",
    [
        "Mallory\nagi_arg_1: admin",  # an AGI() argument the dialplan never passed
        "Mallory\nagi_dnid: 900\nagi_rdnis: unknown",  # another dialed number, then Asterisk's own
        # The whole rest of the block, in order: Asterisk's real lines then stand out of order.
        "M\n" + "".join(f"{key}: 9\n" for key in ASTERISK_ENV_KEYS[10:]) + "agi_arg_1: admin",
    ],
    ids=["argument", "dialed-number", "whole-tail"],
)
def test_a_caller_name_cannot_pose_as_env_keys(forged: str) -> None:
    """A name whose line feed is followed by `agi_key: value` text would set inputs the dialplan never gave
    (agi_arg_N become call variables) or facts Asterisk never said: the block is refused, never read their way
    (review of 2026-12-05, second day: the argument one was accepted)."""
    data = encode_env(default_env("menu", calleridname=forged))
    with pytest.raises(EnvBlockError, match=r"out of Asterisk's order|appears twice"):
        parse_env_block(data)


def test_a_raw_cr_in_an_env_value_is_kept() -> None:
    """Asterisk sends values raw: a caller name with a CR is still a call (the encoder refuses it on the wire)."""
    env = parse_env_block(b"agi_network: yes\nagi_calleridname: Anna\rMaria\n\n")
    assert env["agi_calleridname"] == "Anna\rMaria"


def test_env_block_end() -> None:
    assert env_block_end(b"agi_network: yes\n") == -1
    assert env_block_end(b"agi_network: yes\n\nHANGUP\n") == len(b"agi_network: yes\n\n")


# Blocks with an empty line inside a value (Asterisk writes values raw, README section 1): the closing one is the
# empty line nothing but a HANGUP line follows.
_VALUE_LF_BLOCKS = {
    "caller-name": default_env("menu", agi_calleridname="Alice Example\n"),
    "first-argument": default_env("menu", args=("one\n", "two words")),
    "last-argument": default_env("menu", args=("one", "last\n")),
    "two-lfs-and-a-blank-line": default_env("menu", agi_calleridname="A\n\n", args=("b\n\nc", "d\n\n")),
    "no-threadid": {
        "agi_network": "yes",
        "agi_network_script": "menu",
        "agi_request": "agi://h/menu",
        "agi_calleridname": "Bob\n",
        "agi_context": "ivr-in",
    },
    "plain": default_env("menu", args=("one",)),
}


@pytest.mark.parametrize("env", _VALUE_LF_BLOCKS.values(), ids=_VALUE_LF_BLOCKS.keys())
@pytest.mark.parametrize("after", [b"", b"HANGUP\n"], ids=["alone", "then-hangup"])
def test_a_value_ending_in_a_line_feed_does_not_end_the_env_block(env: dict[str, str], after: bytes) -> None:
    """Review of 2026-12-05: a caller name ending in LF (a CNAM lookup's) put "\\n\\n" mid-block; the block was cut
    there and the rest read as answers, so the call died before ANSWER."""
    block = encode_env(env)
    assert env_block_end(block + after) == len(block)
    assert parse_env_block(block) == env


@pytest.mark.parametrize("env", _VALUE_LF_BLOCKS.values(), ids=_VALUE_LF_BLOCKS.keys())
def test_env_block_framing_with_the_block_split_at_every_byte(env: dict[str, str]) -> None:
    """Two reads, split anywhere, the second looking on from where the first stopped (as the connection does): the
    whole block, except for the ambiguity named at `env_block_end`, a read ending just after the LF of a value past
    agi_threadid (an argument's) or of a block not in Asterisk's order."""
    block = encode_env(env)
    for split in range(1, len(block)):
        end, resume, keys = find_env_block_end(block[:split])
        past_threadid = b"agi_threadid: " in block[:split] or "agi_threadid" not in env
        if block[:split].endswith(b"\n\n") and past_threadid:  # the next line (or the closing LF) not yet come
            assert end == split
            continue
        assert end == -1, split
        assert find_env_block_end(block + b"HANGUP\n", resume, keys)[0] == len(block), split


@pytest.mark.parametrize("env", _VALUE_LF_BLOCKS.values(), ids=_VALUE_LF_BLOCKS.keys())
def test_looking_on_from_the_last_answer_finds_what_a_fresh_look_finds(env: dict[str, str]) -> None:
    """Byte by byte, each read resuming from the last answer: the same end as reading the buffer afresh."""
    data = encode_env(env) + b"HANGUP\n"
    end, resume, keys = -1, 0, 0
    for size in range(1, len(data) + 1):
        end, resume, keys = find_env_block_end(data[:size], resume, keys)
        assert end == env_block_end(data[:size]), size
        if end >= 0:
            break
    assert end >= 0


def test_a_line_that_may_yet_be_hangup_is_waited_for() -> None:
    block = b"agi_network: yes\nagi_calleridname: A\n\n"
    assert env_block_end(block + b"HANG") == -1  # HANGUP, or more of the caller's name
    assert env_block_end(block + b"HANGUP\n") == len(block)
    assert env_block_end(block + b"HANGAR\nagi_context: x\n\n") == len(block) + len(b"HANGAR\nagi_context: x\n\n")


@given(st.binary(max_size=600))
def test_env_parser_only_raises_its_own_error(data: bytes) -> None:
    try:
        parse_env_block(data)
    except EnvBlockError:
        pass


@pytest.mark.parametrize(
    "value",
    ['a"b', "back\\slash", 'x" ; EXEC Dial "SIP/evil', "tab\there", "${SHELL(rm -rf /)}", "é€ utf-8", "", "  "],
)
def test_encoding_round_trips_through_asterisks_parser(value: str) -> None:
    """errors.txt: "\\"" and "\\\\" come back as the value; the line holds exactly one command."""
    line = encode_command("SET VARIABLE", "NAME", value)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert parse_args(line[:-1].decode()) == ["SET", "VARIABLE", "NAME", value]


@pytest.mark.parametrize("value", ["line1\nline2", "crlf\r", "nul\x00"])
def test_cr_lf_nul_are_refused(value: str) -> None:
    """newline.txt: a raw LF splits the command in two; there is no escape for it, so we refuse."""
    with pytest.raises(UnsafeArgument):
        encode_command("SET VARIABLE", "NAME", value)


def test_over_long_line_is_refused_below_2048_bytes() -> None:
    """Asterisk before 22.6 runs the bytes past 2,048 as a second command."""
    encode_command("VERBOSE", "x" * (MAX_COMMAND_BYTES - 20))
    with pytest.raises(UnsafeArgument):
        encode_command("VERBOSE", "x" * MAX_COMMAND_BYTES)
    assert MAX_COMMAND_BYTES < 2048


def test_unknown_verbs_and_raw_exec_are_refused() -> None:
    with pytest.raises(UnsafeArgument):
        encode_command("EXEC", "System", "rm -rf /")
    with pytest.raises(UnsafeArgument):
        encode_command("ANSWER\nHANGUP")


@given(st.text(max_size=300))
def test_encoded_commands_are_one_line_or_refused(value: str) -> None:
    try:
        line = encode_command("SET VARIABLE", "X", value)
    except UnsafeArgument:
        assert any(c in value for c in "\r\n\0") or len(value.encode()) > MAX_COMMAND_BYTES - 30
        return
    assert line.count(b"\n") == 1
    assert parse_args(line[:-1].decode())[3] == value


def test_exec_allow_list() -> None:
    assert encode_exec("Dial", dial_argument("PJSIP/100", 30)) == b'EXEC "Dial" "PJSIP/100,30"\n'
    assert encode_exec("Queue", queue_argument("support", 30)) == b'EXEC "Queue" "support,,,,30"\n'
    for application, argument in [
        ("System", "id"),
        ("Dial", "PJSIP/100&SIP/evil,30"),
        ("Dial", "PJSIP/100,30,M(evil)"),
        ("Dial", "PJSIP/100,30,U(sub)"),
        ("Dial", "PJSIP/1${X},30"),
        ("Dial", "Local/1@ctx"),
        ("Queue", "support,t,,,30"),
        ("Queue", "support,,http://x,,30"),
        # Digits that are not ASCII: Python's int() reads "٣٠" as 30, Asterisk's atoi() as 0 (no timeout).
        ("Dial", "PJSIP/100,\u0663\u0660"),
        ("Dial", "PJSIP/100,\u00b2"),
        ("Queue", "support,,,,\u0663\u0660"),
    ]:
        with pytest.raises(ExecNotAllowed):
            encode_exec(application, argument)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("200 result=0", AgiResponse(200, "0", None, (), "result=0")),
        ("200 result=53 endpos=2080", AgiResponse(200, "53", None, (("endpos", "2080"),), "result=53 endpos=2080")),
        ("200 result=12 (timeout)", AgiResponse(200, "12", "timeout", (), "result=12 (timeout)")),
        ("200 result= (timeout)", AgiResponse(200, "", "timeout", (), "result= (timeout)")),
        ("200 result=", AgiResponse(200, "", None, (), "result=")),
        ("200 result=1 (a (b) c)", AgiResponse(200, "1", "a (b) c", (), "result=1 (a (b) c)")),
        ("200 result=1 (x\r)", AgiResponse(200, "1", "x\r", (), "result=1 (x\r)")),
        ("200 result=-1 endpos=16160", AgiResponse(200, "-1", None, (("endpos", "16160"),), "result=-1 endpos=16160")),
        # GET DATA returns every key but '#' as typed (main/app.c ast_readstring_full): '*' and A-D too.
        ("200 result=1*2", AgiResponse(200, "1*2", None, (), "result=1*2")),
        ("200 result=*9 (timeout)", AgiResponse(200, "*9", "timeout", (), "result=*9 (timeout)")),
        ("200 result=A", AgiResponse(200, "A", None, (), "result=A")),
        # The (data) is greedy: it closes at the last parenthesis that only key=value fields follow.
        ("200 result=1 (x) a=)", AgiResponse(200, "1", "x) a=", (), "result=1 (x) a=)")),
        ("200 result=1 (x) a=) b=1", AgiResponse(200, "1", "x) a=", (("b", "1"),), "result=1 (x) a=) b=1")),
        ("200 result=1 (x) a=)b c=1", AgiResponse(200, "1", "x", (("a", ")b"), ("c", "1")), "result=1 (x) a=)b c=1")),
        ("200 result=1 (a) b=(c) d=e)", AgiResponse(200, "1", "a) b=(c) d=e", (), "result=1 (a) b=(c) d=e)")),
        ("510 Invalid or unknown command", AgiResponse(510, text="Invalid or unknown command")),
    ],
)
def test_result_lines(line: str, expected: AgiResponse) -> None:
    """Formats from README section 2 (dtmf.txt, getdata.txt, errors.txt)."""
    assert ResponseParser().feed_line(line) == expected


def test_multi_line_usage_progress_and_hangup() -> None:
    """errors.txt: 520 usage spans lines; a 100 Trying line is skipped; HANGUP is a notice."""
    parser = ResponseParser()
    assert parser.feed_line("100 result=0 Trying...") is None
    assert parser.feed_line("HANGUP") is HANGUP_NOTICE
    assert parser.feed_line("520-Invalid command syntax.  Proper usage follows:") is None
    assert parser.feed_line("Sets a variable to the current channel.") is None
    response = parser.feed_line("520 End of proper usage.")
    assert response == AgiResponse(520, text="Sets a variable to the current channel.")


def test_value_with_line_feed_is_reassembled() -> None:
    """newline.txt: a value holding LF arrives as "200 result=1 (first" then "second)"."""
    parser = ResponseParser()
    assert parser.feed_line("200 result=1 (first") is None
    response = parser.feed_line("second)")
    assert isinstance(response, AgiResponse) and response.data == "first\nsecond"


def test_a_value_line_ending_in_a_parenthesis_waits_for_what_follows_it_in_the_same_read() -> None:
    parser = ResponseParser()
    assert parser.feed_line("200 result=1 (Main St (rear)", following="Springfield)") is None
    response = parser.feed_line("Springfield)")
    assert isinstance(response, AgiResponse) and response.data == "Main St (rear)\nSpringfield"
    # A HANGUP or a response line after it is a line of its own (hangupexit.txt: -1 and HANGUP in one read).
    assert ResponseParser().feed_line("200 result=1 (x)", following="HANGUP") == complete_result("200 result=1 (x)")


# The result pattern before the review of 2026-12-05: the definition of what an answer means, but quadratic in
# its length. The parser must read every answer as it did.
_REFERENCE_RESULT = re.compile(
    r"^200 result=(?P<result>-?[0-9*#A-D]*)(?: \((?P<data>.*)\))?(?P<fields>(?: [A-Za-z_]+=\S*)*)[ \t]*$", re.DOTALL
)


@settings(max_examples=2000, deadline=None)
@given(
    st.sampled_from(
        ["200 result=", "200 result=1", "200 result=-1", "200 result=1 (", "200 result= (", "200 result=*9"]
    ),
    st.lists(
        st.sampled_from([" ", "(", ")", "=", "a", "Z_", "\n", "\t", "!", "1", "\u00a0", " a=", ") ", " x=)", "\r"])
    ),
)
def test_a_result_means_what_the_reference_pattern_says(head: str, parts: list[str]) -> None:
    line = head + "".join(parts)
    reference = _REFERENCE_RESULT.match(line)
    response = complete_result(line)
    if reference is None:
        assert response is None
    else:
        assert response is not None
        assert (response.result, response.data, response.text) == (reference["result"], reference["data"], line[4:])
        assert response.fields == tuple(re.findall(r" ([A-Za-z_]+)=(\S*)", reference["fields"]))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from([" ", "(", ")", "=", "a", "\t", "!", "1"]), max_size=8), max_size=5),
    st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_a_value_over_several_lines_means_what_the_reference_pattern_says(lines: list[str], told: list[bool]) -> None:
    """Line by line, the following line known or not: the answer is the reference's reading of the joined lines
    once it first reads them as one (and the next line starts no answer of its own)."""
    lines = ["200 result=1 (v", *lines]
    parser = ResponseParser()
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) and told[index] else None
        response = parser.feed_line(line, following)
        reference = _REFERENCE_RESULT.match("\n".join(lines[: index + 1]))
        if response is not None:
            assert isinstance(response, AgiResponse) and reference is not None
            assert response.data == reference["data"] and response.text == "\n".join(lines[: index + 1])[4:]
            return
        assert reference is None or following is not None


_HOSTILE_DATA = " a=)" * 4000 + " !"  # review of 2026-12-05: 0.7 s of backtracking for one 16 KiB line


@pytest.mark.parametrize(
    "line",
    [
        "200 result=1 (" + _HOSTILE_DATA,
        "200 result=1" + _HOSTILE_DATA,
        "200 result=1 ()x" + " a=b" * 4000 + " !",
        "200 result=1 ()x" + " a=b" * 4000,
        "200 result=1 ()" + " a" + "=a" * 8000 + " !",
        "200 result=1 (" + " a==)" * 3200 + " a=)",
    ],
    ids=["reviewer", "without-data", "fields-then-junk", "fields", "equal-signs", "doubled-equal-signs"],
)
def test_a_hostile_16_kib_answer_is_read_in_well_under_50_ms(line: str) -> None:
    parser = ResponseParser()
    started = time.perf_counter()
    try:
        parser.feed_line(line)
    except ResponseError:
        pass
    assert time.perf_counter() - started < 0.05


def test_a_hostile_64_line_answer_is_read_in_linear_time() -> None:
    """The unclosed (data) waits for more lines; each new one used to be matched with all before it."""
    parser = ResponseParser()
    started = time.perf_counter()
    assert parser.feed_line("200 result=1 (" + _HOSTILE_DATA) is None
    for _ in range(62):
        assert parser.feed_line(_HOSTILE_DATA) is None
    response = parser.feed_line("end)")
    assert time.perf_counter() - started < 0.25
    assert isinstance(response, AgiResponse) and response.data == "\n".join([_HOSTILE_DATA] * 63 + ["end"])


@pytest.mark.parametrize("line", ["garbage", "HTTP/1.1 200 OK", "200 result=abc", ""])
def test_unreadable_lines(line: str) -> None:
    with pytest.raises(ResponseError):
        ResponseParser().feed_line(line)


@given(st.lists(st.text(max_size=80), max_size=20))
def test_response_parser_only_raises_its_own_errors(lines: list[str]) -> None:
    parser = ResponseParser()
    for line in lines:
        try:
            parser.feed_line(line)
        except AgiError:
            parser = ResponseParser()


_VALUES = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\0"), max_size=12)


def _both_readers(data: bytes) -> tuple[object, object]:
    """(parse_env_block's answer, the line-by-line reader's answer): the dict, or EnvBlockError."""
    answers: list[object] = []
    for read in (parse_env_block, lambda block: _parse_env_lines(block, block.decode("utf-8", errors="replace"))):
        try:
            answers.append(read(data))
        except EnvBlockError:
            answers.append(EnvBlockError)
    return answers[0], answers[1]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["agi_request", "agi_channel", "agi_arg_1", "agi_X", "agi_", "x", "agi_request"]),
            st.sampled_from([":", ": ", "", ":  "]),
            _VALUES,
        ),
        max_size=6,
    )
)
def test_env_fast_path_agrees_with_the_line_by_line_reader(lines: list[tuple[str, str, str]]) -> None:
    """parse_env_block checks a well-formed block with one regex; it must answer exactly what the careful
    line-by-line reader answers (same dict, or an EnvBlockError), duplicates and bad keys included."""
    data = "".join(f"{key}{sep}{value}\n" for key, sep, value in lines).encode() + b"\n"
    got, expected = _both_readers(data)
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_VALUES, min_size=len(ASTERISK_ENV_KEYS), max_size=len(ASTERISK_ENV_KEYS)),
    st.lists(st.tuples(st.sampled_from(["agi_arg_1", "agi_arg_2", "agi_arg_12", "agi_arg_1234", "agi_arg_"]), _VALUES)),
    st.sampled_from([None, 0, 5, 21]),
)
def test_the_asterisk_layout_path_agrees_with_the_line_by_line_reader(
    values: list[str], args: list[tuple[str, str]], moved: int | None
) -> None:
    """A block in Asterisk's own key order (env.txt) is read by one match of that layout: same dict as the
    careful reader, or the same EnvBlockError, with arguments given twice or oddly named, or a key out of place."""
    pairs = [*zip(ASTERISK_ENV_KEYS, values, strict=True), *args]
    if moved is not None:  # one key out of its place: not the layout, the general path answers
        pairs.append(pairs.pop(moved))
    data = "".join(f"{key}: {value}\n" for key, value in pairs).encode() + b"\n"
    got, expected = _both_readers(data)
    assert got == expected
    if got is not EnvBlockError:
        assert list(got) == [key for key, _ in pairs]  # type: ignore[call-overload]  # Asterisk's order kept


def test_the_captured_env_block_takes_the_layout_path() -> None:
    """env.txt, byte for byte: the layout path reads it (the general reader is not consulted) and gets it right."""
    data, _ = env_of(read_transcript("env.txt"))
    assert _ASTERISK_BLOCK.fullmatch(data.decode()) is not None
    env = parse_env_block(data)
    assert env == _parse_env_lines(data, data.decode())
    assert (env["agi_calleridname"], env["agi_accountcode"], env["agi_arg_2"]) == ("Alice Example", "", "two words")


def test_a_result_number_is_read_once_and_kept_out_of_equality() -> None:
    digit = AgiResponse(code=200, result="49", text="result=49")
    assert digit.number == 49 and AgiResponse(code=200, result="").number is None
    assert AgiResponse(code=200, result="-1").number == -1
    assert digit == AgiResponse(code=200, result="49", text="result=49")
    assert "number" not in repr(digit)


def test_an_argument_cannot_pose_as_a_later_one() -> None:
    """AGI(agi://ivr/menu,${CALLERID(name)},fixed) with the name 'Mallory<LF>agi_arg_3: admin': the third
    argument came from the caller, not the dialplan. Asterisk numbers them 1, 2, 3..., so it stands out of order
    and the block is refused, by the layout's match and by the careful reader alike (review of 2026-12-05)."""
    data = encode_env(default_env("menu", args=("Mallory\nagi_arg_3: admin", "fixed")))
    with pytest.raises(EnvBlockError, match=r"'agi_arg_3' out of Asterisk's order"):
        parse_env_block(data)
    with pytest.raises(EnvBlockError):
        _parse_env_lines(data, data.decode())
    fine = parse_env_block(encode_env(default_env("menu", args=("one", "two words", "3"))))
    assert AgiRequest.from_env(fine).args == ("one", "two words", "3")
