"""AgiChannel over real TCP against the fake Asterisk: what each Channel operation puts on the wire."""

from __future__ import annotations

import asyncio

import pytest

from agi_server.channel import AgiChannel, ChannelSettings
from agi_server.errors import ExecNotAllowed, MediaNotPlayed, UnsafeArgument
from graph_engine.channel import DigitInput, Prompt, TransferOutcome
from graph_engine.errors import CallerHangup
from tests.agi_server.conftest import agi_session
from tests.fakes.asterisk import CallerScript, parse_args


def _words(lines: list[str]) -> list[list[str]]:
    return [parse_args(line) for line in lines]


async def test_play_is_stream_file_under_the_sounds_prefix() -> None:
    """dtmf.txt: STREAM FILE interrupted by '5' answers 53 (ASCII)."""
    async with agi_session(CallerScript(keys=["!5"])) as (connection, fake):
        channel = AgiChannel(connection)
        assert await channel.play(Prompt(audio="menu/main"), interrupt_keys="5#") == "5"
    assert _words(fake.call.commands) == [["STREAM", "FILE", "ivrgraph/menu/main", "5#"]]


@pytest.mark.parametrize("audio", ["../../etc/passwd", "/etc/passwd", "a b", 'x" "0', ".hidden", "a\nb"])
async def test_media_names_cannot_leave_the_folder(audio: str) -> None:
    async with agi_session() as (connection, fake):
        with pytest.raises(UnsafeArgument):
            await AgiChannel(connection).play(Prompt(audio=audio))
    assert fake.call.commands == []


async def test_missing_media_is_a_failure_not_a_hangup() -> None:
    """basic.txt: STREAM FILE of a missing file answers -1 endpos=0 while the channel stays up."""
    async with agi_session(missing_media=["ivrgraph/nope"]) as (connection, fake):
        with pytest.raises(MediaNotPlayed):
            await AgiChannel(connection).play(Prompt(audio="nope"))
        assert not connection.hung_up
    assert [w[:2] for w in _words(fake.call.commands)] == [["STREAM", "FILE"], ["CHANNEL", "STATUS"]]


async def test_hangup_during_play_raises_caller_hangup() -> None:
    """hangupstream.txt: -1 then HANGUP; the channel probes once (511) and reports the hangup."""
    async with agi_session(CallerScript(hangup_at_command=0)) as (connection, _):
        channel = AgiChannel(connection)
        with pytest.raises(CallerHangup):
            await channel.play(Prompt(audio="tt-monkeys"))
        assert channel.hangup_during == "play"
        await channel.hangup()  # nothing is sent to a dead channel


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("1234", DigitInput("1234", timed_out=False)),
        ("12", DigitInput("12", timed_out=True)),
        ("#", DigitInput("", timed_out=False, terminated=True)),
        ("7#", DigitInput("7", timed_out=False, terminated=True)),
        ("-", DigitInput("", timed_out=True)),
        ("1*2#", DigitInput("1*2", timed_out=False, terminated=True)),  # '*' is a digit GET DATA returns
        ("*9", DigitInput("*9", timed_out=True)),
    ],
)
async def test_read_digits_with_hash_is_get_data(keys: str, expected: DigitInput) -> None:
    """getdata.txt: GET DATA file timeout_ms max_digits and its four result shapes."""
    async with agi_session(CallerScript(keys=[keys]), time_scale=0.01) as (connection, fake):
        entry = await AgiChannel(connection).read_digits(Prompt(audio="enter"), timeout=3, max_digits=4)
    assert entry == expected
    assert _words(fake.call.commands) == [["GET", "DATA", "ivrgraph/enter", "3000", "4"]]


async def test_hangup_during_get_data() -> None:
    """getdata.txt: hangup after '9' answers -1; the typed digits are lost."""
    async with agi_session(CallerScript(keys=["hangup"])) as (connection, _):
        with pytest.raises(CallerHangup):
            await AgiChannel(connection).read_digits(Prompt(audio="enter"), timeout=3, max_digits=4)


async def test_hangup_during_a_key_by_key_read() -> None:
    """hangupwait.txt: WAIT FOR DIGIT answers -1 when the caller hangs up: a hangup of the read, not a key
    (mutation review of 2026-12-05: no test sent it, and chr(-1) would end the call as an internal error)."""
    async with agi_session(CallerScript(hangup_at_command=0)) as (connection, _):
        channel = AgiChannel(connection)
        with pytest.raises(CallerHangup):
            await channel.read_digits(None, timeout=10, max_digits=4, terminator="*")
    assert channel.hangup_during == "read_digits"


async def test_menu_read_accepts_hash_as_a_key() -> None:
    """A menu where '#' is a choice: STREAM FILE with all keys, then WAIT FOR DIGIT (GET DATA would eat '#')."""
    async with agi_session(CallerScript(keys=["#"]), time_scale=0.01) as (connection, fake):
        entry = await AgiChannel(connection).read_digits(Prompt(audio="menu"), timeout=5, max_digits=1, terminator="")
    assert entry == DigitInput("#", timed_out=False)
    assert _words(fake.call.commands) == [["STREAM", "FILE", "ivrgraph/menu", "0123456789*#"]]


async def test_terminator_pressed_during_the_prompt_ends_the_entry_empty() -> None:
    """The terminator as the one key a menu reads, pressed while its prompt plays: an empty, terminated entry
    (not a one-key answer), and no WAIT FOR DIGIT after the prompt."""
    async with agi_session(CallerScript(keys=["*"]), time_scale=0.01) as (connection, fake):
        entry = await AgiChannel(connection).read_digits(Prompt(audio="menu"), timeout=5, max_digits=1, terminator="*")
    assert entry == DigitInput("", timed_out=False, terminated=True)
    assert _words(fake.call.commands) == [["STREAM", "FILE", "ivrgraph/menu", "0123456789*#"]]


async def test_key_by_key_read_after_the_prompt() -> None:
    """digits.txt: WAIT FOR DIGIT loop collecting keys until the terminator."""
    async with agi_session(CallerScript(keys=["12*"]), time_scale=0.01) as (connection, fake):
        channel = AgiChannel(connection)
        entry = await channel.read_digits(Prompt(audio="pin"), timeout=2, max_digits=6, terminator="*")
    assert entry == DigitInput("12", timed_out=False, terminated=True)
    assert [w[:4] for w in _words(fake.call.commands)] == [
        ["STREAM", "FILE", "ivrgraph/pin", "0123456789*#"],
        ["WAIT", "FOR", "DIGIT", "2000"],
        ["WAIT", "FOR", "DIGIT", "2000"],
    ]


async def test_keys_pressed_between_commands_are_lost() -> None:
    """dtmf.txt: a digit sent while no command runs never shows up in the next WAIT FOR DIGIT."""
    async with agi_session(CallerScript(keys_at=[(0.0, "9")]), time_scale=0.01) as (connection, fake):
        await asyncio.sleep(0.05)
        entry = await AgiChannel(connection).read_digits(None, timeout=1, max_digits=1, terminator="")
    assert entry == DigitInput("", timed_out=True)
    assert fake.call.keys_lost == ["9"]


@pytest.mark.parametrize(
    ("far_end", "outcome"),
    [
        ("busy", TransferOutcome.BUSY),
        ("no_answer", TransferOutcome.NO_ANSWER),
        ("failed", TransferOutcome.FAILED),
    ],
)
async def test_transfer_reads_dialstatus(far_end: str, outcome: TransferOutcome) -> None:
    """dialg.txt: Dial answers 0 and DIALSTATUS says what happened."""
    async with agi_session(CallerScript(far_end=[far_end])) as (connection, fake):
        result = await AgiChannel(connection).transfer("PJSIP/100", timeout=20)
    assert result.outcome is outcome
    assert _words(fake.call.commands) == [["EXEC", "Dial", "PJSIP/100,20"], ["GET", "VARIABLE", "DIALSTATUS"]]


async def test_answered_transfer_without_g_ends_the_call() -> None:
    """dial.txt: an answered Dial without 'g' answers -1 though the channel is still up."""
    async with agi_session(CallerScript(far_end=["answered"], answered_time=5)) as (connection, fake):
        channel = AgiChannel(connection)
        result = await channel.transfer("+34910000000", timeout=20)
        assert not connection.hung_up
    assert result.outcome is TransferOutcome.ANSWERED and result.talk_seconds == 5 and result.caller_gone
    assert _words(fake.call.commands)[0] == ["EXEC", "Dial", "Local/+34910000000@ivrgraph-dial,20"]


async def test_answered_transfer_with_g_keeps_the_caller() -> None:
    """dialg.txt: with 'g' the call continues after the agent hangs up."""
    async with agi_session(CallerScript(far_end=["answered"])) as (connection, _):
        channel = AgiChannel(connection, settings=ChannelSettings(dial_options="g"))
        result = await channel.transfer("SIP/agent", timeout=20)
    assert result.outcome is TransferOutcome.ANSWERED and not result.caller_gone


async def test_caller_hangs_up_while_it_rings() -> None:
    async with agi_session(CallerScript(far_end=["cancel"])) as (connection, _):
        with pytest.raises(CallerHangup):
            await AgiChannel(connection).transfer("PJSIP/100", timeout=20)


async def test_queue_transfer() -> None:
    async with agi_session(CallerScript(far_end=["no_answer"])) as (connection, fake):
        result = await AgiChannel(connection).transfer("queue:support", timeout=30)
    assert result.outcome is TransferOutcome.NO_ANSWER
    assert _words(fake.call.commands) == [
        ["SET", "VARIABLE", "QUEUESTATUS", ""],  # an earlier queue's status cleared: see test_channel_repeat_transfers
        ["EXEC", "Queue", "support,,,,30"],
        ["GET", "VARIABLE", "QUEUESTATUS"],
    ]


async def test_a_caller_who_leaves_the_queue_hung_up() -> None:
    """Review, 2026-12-05: a caller hanging up while queued left QUEUESTATUS unset, which read as answered, so
    missed-call recorded `transferred` and never called back. app_queue sets ABANDONED=TRUE for it."""
    async with agi_session(CallerScript(far_end=["cancel"])) as (connection, fake):
        channel = AgiChannel(connection)
        with pytest.raises(CallerHangup):
            await channel.transfer("queue:support", timeout=60)
        assert channel.hangup_during == "transfer"
    assert _words(fake.call.commands)[2:] == [["GET", "VARIABLE", "QUEUESTATUS"], ["GET", "VARIABLE", "ABANDONED"]]


async def test_a_caller_who_hangs_up_talking_to_an_agent_was_transferred() -> None:
    """Queue returns -1 then too, with QUEUESTATUS unset, but no ABANDONED: the call was answered."""
    script = CallerScript(far_end=["answered"], talk_seconds=5, hangup_after=0.3)
    async with agi_session(script) as (connection, _):
        result = await AgiChannel(connection).transfer("queue:support", timeout=60)
    assert result.outcome is TransferOutcome.ANSWERED and result.caller_gone


@pytest.mark.parametrize(
    ("target", "caller_id"),
    [("PJSIP/100&PJSIP/200", None), ("PJSIP/100,1,M(x)", None), ("queue:a,b", None), ("PJSIP/100", "1, x")],
)
async def test_transfer_refuses_injection_before_the_wire(target: str, caller_id: str | None) -> None:
    async with agi_session() as (connection, fake):
        with pytest.raises(ExecNotAllowed):
            await AgiChannel(connection).transfer(target, timeout=20, caller_id=caller_id)
    assert fake.call.commands == []


@pytest.mark.parametrize("value", ['a"b', "x\\", 'bye" HANGUP "', "${EVIL}", "é€"])
async def test_variables_round_trip_verbatim(value: str) -> None:
    """errors.txt: quoting and escaping survive; the fake stores exactly the value, one command each."""
    async with agi_session() as (connection, fake):
        channel = AgiChannel(connection)
        await channel.set_variable("X", value)
        assert await channel.get_variable("X") == value
    assert fake.variables["X"] == value
    assert len(fake.call.commands) == 2


@pytest.mark.parametrize("value", ["first\nsecond", "Main St (rear)\nSpringfield", "a)\n(b)\nc"])
async def test_a_value_holding_line_feeds_comes_back_whole(value: str) -> None:
    """newline.txt #15/#20: Asterisk returns a value raw, line feeds and all, in one write. When a line of it
    ended in ')' the rest was taken for a stray line and the session dropped (review of 2026-12-05)."""
    async with agi_session() as (connection, fake):
        fake.variables["ADDR"] = value  # set as the dialplan would (SET VARIABLE cannot carry a line feed)
        assert await AgiChannel(connection).get_variable("ADDR") == value
        assert await AgiChannel(connection).get_variable("ADDR") == value  # and the session goes on
        assert connection.failure is None


async def test_variable_names_are_plain() -> None:
    async with agi_session() as (connection, fake):
        with pytest.raises(UnsafeArgument):
            await AgiChannel(connection).get_variable("X} ${Y")
    assert fake.call.commands == []
