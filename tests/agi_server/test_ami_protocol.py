"""The pure AMI framing against the bytes a real Asterisk 22 sent (../shared/asterisk/ami/)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agi_server.ami_errors import AmiEncodingError, AmiProtocolError
from agi_server.ami_protocol import (
    AmiMessage,
    AmiParser,
    DialOutcome,
    MessageKind,
    encode_action,
    escape_variable_value,
    originate_headers,
    outcome_from_dialstatus,
    outcome_from_reason,
    parse_banner,
    variable_headers,
)
from tests.fakes.ami import CAPTURES, load_transcript, originate_variables

RESULTS = json.loads((CAPTURES / "results.json").read_text())


def replay(name: str) -> list[AmiMessage]:
    """Every message Asterisk sent in a capture, fed chunk by chunk exactly as recv() returned them."""
    messages: list[AmiMessage] = []
    parser = AmiParser()
    for chunk in load_transcript(CAPTURES / name):
        if chunk.direction != "A>C" or not chunk.data:
            continue
        if chunk.data.startswith(b"Asterisk Call Manager/"):
            parser = AmiParser()  # a new connection in the same file (f1, f2)
        parser.feed(chunk.data)
        messages.extend(parser.messages())
    return messages


def test_banner_is_one_line_without_blank_line() -> None:
    """a-login.txt #1: 'Asterisk Call Manager/11.0.0\\r\\n', 30 bytes, then the Login answer."""
    assert parse_banner(b"Asterisk Call Manager/11.0.0\r\n") == "11.0.0"
    parser = AmiParser()
    parser.feed(b"Asterisk Call Manager/11.0.0\r\n")
    assert parser.next_message() is None
    assert parser.banner == "11.0.0"


@pytest.mark.parametrize(
    "line", [b"SSH-2.0-OpenSSH_9.6\r\n", b"Asterisk Call Manager/11.0.0\n", b"HTTP/1.1 200 OK\r\n"]
)
def test_other_banners_are_protocol_errors(line: bytes) -> None:
    with pytest.raises(AmiProtocolError):
        parse_banner(line)


def test_login_answer_and_events_share_a_chunk() -> None:
    """a-login.txt: Response + FullyBooted in chunk #2, SuccessfulAuth in #3, Goodbye after Logoff."""
    messages = replay("a-login.txt")
    assert [(m.kind, m.name) for m in messages] == [
        (MessageKind.RESPONSE, "Success"),
        (MessageKind.EVENT, "FullyBooted"),
        (MessageKind.EVENT, "SuccessfulAuth"),
        (MessageKind.RESPONSE, "Goodbye"),
    ]
    assert messages[0].action_id == "a-login-1"
    assert messages[0].get("Message") == "Authentication accepted"


def test_message_split_across_chunks() -> None:
    """e-ping-logoff.txt #5/#6: the Ping answer without ActionID arrived as 'Response: Success\\r\\n' + the rest."""
    pings = [m for m in replay("e-ping-logoff.txt") if m.get("Ping") == "Pong"]
    assert len(pings) == 12
    assert pings[1].action_id is None
    assert pings[1].get("Timestamp") == "1795296155.145984"


@pytest.mark.parametrize("name", ["c1x", "c2x", "c3x", "c4x", "c5x", "c6x", "c7x", "c8x", "c9x", "c2x-failedext"])
def test_originate_response_is_an_event_even_with_a_response_header(name: str) -> None:
    """c*.txt: the OriginateResponse event carries 'Response: Success|Failure'; classify by the first line."""
    found = [m for m in replay(f"{name}.txt") if m.name == "OriginateResponse"]
    assert len(found) == 1
    assert found[0].kind is MessageKind.EVENT
    assert found[0].as_dict() == RESULTS[name]["originate_response"]


def test_every_captured_stream_parses() -> None:
    """All captures, all chunks: no framing error, and every message is a Response or an Event."""
    for path in sorted(CAPTURES.glob("*.txt")):
        if path.name in ("README.txt", "outbound-agi.txt", "dialstatus.txt"):
            continue  # dialstatus.txt drops whole messages from chunks by design (see README)
        messages = replay(path.name)
        assert messages, path.name


def _one_message(data: bytes) -> AmiMessage:
    """The message `data` holds, read by a parser past the banner."""
    parser = AmiParser(expect_banner=False)
    parser.feed(data)
    message = parser.next_message()
    assert message is not None
    return message


def test_raw_cr_inside_a_value_is_data() -> None:
    """d4: Getvar answered 'Value: d212059-d4\\rX-Injected: no' with the raw CR inside the line."""
    message = _one_message(RESULTS["d"]["d4_getvar_raw"].encode())
    assert message.get("Value") == "d212059-d4\rX-Injected: no"
    assert message.get("X-Injected") is None


def test_empty_value_and_repeated_header() -> None:
    """c1x.txt: 'AccountCode: ' has an empty value; the first occurrence of a key is the one Asterisk means."""
    message = _one_message(b"Event: X\r\nAccountCode: \r\nOutput: a\r\nOutput: b\r\n\r\n")
    assert message.get("AccountCode") == ""
    assert message.get("output") == "a"
    assert message.get_all("Output") == ["a", "b"]


def test_a_raw_line_break_in_a_value_continues_the_value() -> None:
    """ami/README d4: values are sent raw, so a value holding CR LF goes on over a line without a colon."""
    message = _one_message(b"Event: UserEvent\r\nBody: first\r\nsecond line\r\nActionID: 7\r\n\r\n")
    assert message.get("Body") == "first\r\nsecond line"
    assert message.action_id == "7"


def test_garbage_line_and_oversized_message_are_protocol_errors() -> None:
    """README section 2: every message starts 'Response: ' or 'Event: '; a peer sending else is not Asterisk."""
    parser = AmiParser(expect_banner=False)
    parser.feed(b"this line has no colon\r\nResponse: Success\r\n\r\n")
    with pytest.raises(AmiProtocolError):
        parser.next_message()
    big = AmiParser(expect_banner=False, max_message_bytes=100)
    big.feed(b"Event: X\r\n" + b"A: " + b"x" * 200)
    with pytest.raises(AmiProtocolError):
        big.next_message()


@given(st.binary(max_size=400))
def test_random_bytes_give_messages_or_a_protocol_error(data: bytes) -> None:
    """h11's fuzz invariant: any byte stream after the banner gives messages or a typed error, nothing else."""
    parser = AmiParser()
    parser.feed(b"Asterisk Call Manager/11.0.0\r\n" + data)
    try:
        for message in parser.messages():
            assert message.kind in (MessageKind.RESPONSE, MessageKind.EVENT)
    except AmiProtocolError:
        pass


def test_encoded_originate_matches_the_captured_bytes() -> None:
    """c1x.txt C>A #2: the async Originate the probe sent, byte for byte."""
    captured = next(c.data for c in load_transcript(CAPTURES / "c1x.txt") if b"Action: Originate" in c.data)
    headers = originate_headers(
        channel="Local/1123@callees/n",
        context="outbound-ivr",
        exten="s",
        priority=1,
        timeout_ms=30000,
        caller_id='"ACME Dialer" <5550100>',
        channel_id="c1x212059-out",
        other_channel_id="c1x212059-callee",
        variables={},
    )
    # The probe packed its variables into one header; we send one header per variable (same meaning).
    headers.insert(7, ("Variable", "IVR_SCENARIO=debt,JOB_ID=c1x212059,FASTAGI_PORT=4575"))
    assert encode_action("Originate", headers, action_id="c1x212059-orig") == captured


# The values the probe used to attack a real Asterisk (d-header-injection.txt d1..d4).
INJECTIONS = [
    "5000@callees/n\r\nApplication: System\r\nData: touch /tmp/x\r\nX-Rest: ",  # d1: ran a shell command
    '"Mallory" <555>\nContext: tests\nExten: hello',  # d2: bare LF redirected the call
    "x\r\n\r\nAction: Command\r\nActionID: smuggled\r\nCommand: core show uptime",  # d3: whole CLI action
    "d212059-d4\rX-Injected: no",  # d4: lone CR reaches the FastAGI env block raw
    "job\x00nul",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_cr_lf_nul_refused_in_every_value(value: str) -> None:
    """d-header-injection.txt d1-d4: reject, never strip."""
    with pytest.raises(AmiEncodingError):
        encode_action("Originate", [("Channel", value)])
    with pytest.raises(AmiEncodingError):
        encode_action("Ping", action_id=value)
    with pytest.raises(AmiEncodingError):
        variable_headers({"JOB_ID": value})


@pytest.mark.parametrize("name", ["Channel\r\nApplication", "Chan nel", "", "Exten:", "Ca\nller", "Väriable"])
def test_bad_header_names_refused(name: str) -> None:
    """d-header-injection.txt d1: header names are tokens too, or a name smuggles a second header."""
    with pytest.raises(AmiEncodingError):
        encode_action("Originate", [(name, "x")])


def test_action_name_is_checked_too() -> None:
    """d-header-injection.txt d3: a CR LF in the action name would start a second action."""
    with pytest.raises(AmiEncodingError):
        encode_action("Ping\r\nAction: Command")


def test_line_of_1024_bytes_refused() -> None:
    """d5: a line longer than Asterisk's 1024-byte buffer drops the whole action ('line too long')."""
    with pytest.raises(AmiEncodingError):
        encode_action("Originate", [("Variable", "X=" + "x" * 1100)])
    assert encode_action("Originate", [("Variable", "X=" + "x" * 1000)]).endswith(b"\r\n\r\n")


def test_repeated_header_refused_except_variable() -> None:
    """d2: Asterisk uses the FIRST occurrence, so a second Context would be silently ignored."""
    with pytest.raises(AmiEncodingError):
        encode_action("Originate", [("Context", "a"), ("context", "b")])
    data = encode_action("Originate", [("Variable", "A=1"), ("Variable", "B=2")])
    assert data.count(b"Variable: ") == 2


@given(st.text(max_size=60))
def test_any_value_encodes_to_exactly_its_lines_or_is_refused(value: str) -> None:
    """d-header-injection.txt: whatever the value, the action has exactly its own lines or is refused."""
    try:
        data = encode_action("Ping", [("Data", value)], action_id="id-1")
    except AmiEncodingError:
        assert any(c in value for c in "\r\n\x00") or len(value.encode()) > 1000
        return
    assert data.count(b"\n") == 4 and data.count(b"\r") == 4
    assert data.endswith(b"\r\n\r\n")


@pytest.mark.parametrize(
    "value", ["a,b", "x=y", "p|q", 'say "hi", ok', "f(x,y)", "[a,b]", "back\\slash", "end\\", "", " lead", "é€"]
)
def test_a_variable_value_reaches_asterisk_as_it_was(value: str) -> None:
    """The value Asterisk stores, read from our header the way manager.c does (tests/fakes/ami.py
    originate_variables, a port of __ast_app_separate_args): the escaping is checked by what it produces, not
    by its text (review of 2026-12-05: the fake kept quotes Asterisk drops, so a lost quote escape passed)."""
    [(_, header)] = variable_headers({"V": value})
    assert originate_variables(header) == {"V": value}
    assert originate_variables('V=say "hi", ok') == {"V": "say hi", " ok": ""}  # what an unescaped one becomes


def test_variable_values_are_escaped_for_the_comma_split() -> None:
    """README section 5: Asterisk splits Variable: on ',' and interprets quotes, brackets and backslash."""
    assert escape_variable_value('a,b"c\\d(e)[f]') == 'a\\,b\\"c\\\\d\\(e\\)\\[f\\]'
    assert variable_headers({"JOB_ID": "42", "IVR_SCENARIO": "debt"}) == [
        ("Variable", "JOB_ID=42"),
        ("Variable", "IVR_SCENARIO=debt"),
    ]
    with pytest.raises(AmiEncodingError):
        variable_headers({"JOB ID": "1"})


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("c1x", DialOutcome.ANSWERED),
        ("c2x", DialOutcome.BUSY),
        ("c3x", DialOutcome.NO_ANSWER),
        ("c4x", DialOutcome.FAILED),
        ("c5x", DialOutcome.ANSWERED),
        ("c6x", DialOutcome.ANSWERED),
        ("c7x", DialOutcome.FAILED),
        ("c8x", DialOutcome.FAILED),
        ("c9x", DialOutcome.FAILED),
        ("c1x-noagi", DialOutcome.ANSWERED),
    ],
)
def test_originate_reason_to_outcome(name: str, expected: DialOutcome) -> None:
    """README section 4 table: Reason 4 answered, 5 busy, 3 no answer, 8 congestion and 0 anything else."""
    event = RESULTS[name]["originate_response"]
    assert outcome_from_reason(event["Response"], event["Reason"]) is expected


def test_a_reason_0_after_ringing_is_a_callee_not_answering() -> None:
    """c7x.txt: the channel is Ringing for a second, then Failure Reason 0 (the callee hung up unanswered), which
    Dial() calls NOANSWER (dialstatus.txt); c8x/c9x (rejected at once, no such callee) never ring."""
    assert outcome_from_reason("Failure", "0", rang=True) is DialOutcome.NO_ANSWER
    assert outcome_from_reason("Failure", "0", rang=False) is DialOutcome.FAILED
    # Ringing changes nothing else: busy after ringing is busy, congestion a fault, Success answered.
    assert outcome_from_reason("Failure", "5", rang=True) is DialOutcome.BUSY
    assert outcome_from_reason("Failure", "8", rang=True) is DialOutcome.FAILED
    assert outcome_from_reason("Success", "4", rang=True) is DialOutcome.ANSWERED


def test_failure_is_never_answered() -> None:
    """README section 4: Reason 1 never occurs for Originate; a Failure is never an answered call."""
    assert outcome_from_reason("Failure", "4") is DialOutcome.FAILED
    assert outcome_from_reason("Failure", None) is DialOutcome.FAILED
    assert outcome_from_reason("Failure", "1") is DialOutcome.FAILED


def test_dialstatus_to_outcome() -> None:
    """dialstatus.txt: DIALSTATUS per callee through Dial()."""
    expected = {
        "1123": DialOutcome.ANSWERED,
        "2000": DialOutcome.BUSY,
        "3000": DialOutcome.NO_ANSWER,
        "4000": DialOutcome.FAILED,
        "5000": DialOutcome.ANSWERED,
        "6000": DialOutcome.ANSWERED,
        "7000": DialOutcome.NO_ANSWER,
        "8000": DialOutcome.FAILED,
        "9000": DialOutcome.FAILED,
    }
    for number, outcome in expected.items():
        assert outcome_from_dialstatus(RESULTS["dialstatus"][number]["DIALSTATUS"]) is outcome, number
    assert outcome_from_dialstatus("SOMETHINGNEW") is DialOutcome.FAILED
