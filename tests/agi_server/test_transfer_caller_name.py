"""A Transfer's caller name over real TCP against the fake Asterisk: the exact AGI lines, and that a name (a CRM's
or a caller's text) never adds a command, a Dial option or an expansion.

Asterisk facts relied on: res_agi's handle_setvariable hands its value to pbx_builtin_setvar_helper as it is, and a
name ending in ')' is a function write (CALLERID(name) copies the value, unparsed, unexpanded); a value is never
expanded again after substitution; quoting and escaping as errors.txt shows (README section 5).
"""

from __future__ import annotations

import asyncio

import pytest

from agi_server.channel import AgiChannel
from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from graph_engine.caller_name import shown_caller_name
from graph_engine.channel import TransferOutcome
from graph_engine.document import parse_document
from tests.agi_server.conftest import MemoryRecords, StartServer, agi_session, call
from tests.conftest import make_document
from tests.fakes.asterisk import CallerScript, FakeAsterisk, default_env, parse_args

IVANOV = "Иванов Иван"
DIAL = 'EXEC "Dial" "PJSIP/100,20"'  # what the same transfer sends with no name at all
HOSTILE_NAMES = [
    'Ivanov" HANGUP "',  # a quote closing the argument early
    'Ivanov\\" HANGUP \\"',  # backslashes to unbalance the escaping
    "Ivanov\\",  # a trailing backslash escaping our closing quote
    "${SHELL(rm -rf /)}",
    "$[1+1] ${CALLERID(num)} ${DIALSTATUS}",
    "x),M(evil)",  # a Dial option, were the name in Dial's argument string
    "x,30,U(evil)|y&PJSIP/999",
    "Ivanov\nEXEC System rm",  # a line feed would end the command line and start another
    "Ivanov\r\nHANGUP\r\n",
    "Ivanov\x00HANGUP",
    '"Evil" <666>',  # SET CALLERID would take 666 as the number
]


async def test_a_cyrillic_name_is_one_set_variable_line_in_utf8() -> None:
    script = CallerScript(far_end=["busy"])
    async with agi_session(script) as (connection, fake):
        channel = AgiChannel(connection)
        result = await channel.transfer("PJSIP/100", timeout=20, caller_id="+74951234567", caller_name=IVANOV)
        assert await channel.get_variable("CALLERID(name)") == "Probe Test"  # the caller's own again
    assert result.outcome is TransferOutcome.BUSY
    assert fake.call.commands == [
        'GET VARIABLE "CALLERID(num)"',  # res_agi's GET VARIABLE reads the function: the caller's own, kept
        'SET VARIABLE "CALLERID(num)" "+74951234567"',
        'GET VARIABLE "CALLERID(name)"',
        'SET VARIABLE "CALLERID(name)" "Иванов Иван"',
        DIAL,
        'GET VARIABLE "DIALSTATUS"',
        'SET VARIABLE "CALLERID(num)" "5551234"',  # put back once the Dial returned
        'SET VARIABLE "CALLERID(name)" "Probe Test"',
        'GET VARIABLE "CALLERID(name)"',
    ]
    assert bytes(fake.call.received).count('"Иванов Иван"\n'.encode()) == 1  # UTF-8 on the wire, as errors.txt
    assert fake.call.shown_caller_ids == [(IVANOV, "+74951234567")]  # what the operator's phone was given


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_a_hostile_name_is_one_escaped_value_and_nothing_else(name: str) -> None:
    caller, caller_name = default_env()["agi_callerid"], default_env()["agi_calleridname"]
    async with agi_session(CallerScript(far_end=["busy"])) as (connection, fake):
        channel = AgiChannel(connection)
        await channel.transfer("PJSIP/100", timeout=20, caller_name=name)
    # Exactly our five lines, each answered 200: nothing the name carried ran as a command.
    assert [parse_args(line) for line in fake.call.commands] == [
        ["GET", "VARIABLE", "CALLERID(name)"],
        ["SET", "VARIABLE", "CALLERID(name)", shown_caller_name(name)],
        ["EXEC", "Dial", "PJSIP/100,20"],
        ["GET", "VARIABLE", "DIALSTATUS"],
        ["SET", "VARIABLE", "CALLERID(name)", caller_name],  # the caller's own, put back
    ]
    assert all(answer.startswith(b"200 ") for answer in fake.call.responses)
    assert fake.call.commands[2] == DIAL  # the Dial line never holds the name
    assert b"\r" not in fake.call.received and b"\0" not in fake.call.received
    assert fake.call.received.count(b"\n") == len(fake.call.commands)
    # Stored as the text it is: not expanded, not parsed into a number.
    assert fake.call.shown_caller_ids == [(shown_caller_name(name), caller)]
    assert set(fake.variables) == {"CHANNEL", "AGI_URL", "DIALSTATUS"}


async def test_a_name_that_cleans_to_nothing_sets_nothing() -> None:
    async with agi_session(CallerScript(far_end=["busy"])) as (connection, fake):
        await AgiChannel(connection).transfer("PJSIP/100", timeout=20, caller_name=" \n\u200b ")
    assert fake.call.commands == [DIAL, 'GET VARIABLE "DIALSTATUS"']
    assert fake.call.shown_caller_ids == [(default_env()["agi_calleridname"], default_env()["agi_callerid"])]


async def test_a_long_name_is_cut_not_refused() -> None:
    async with agi_session(CallerScript(far_end=["answered"])) as (connection, fake):
        result = await AgiChannel(connection).transfer("queue:support", timeout=30, caller_name="Щ" * 300)
    assert result.outcome is TransferOutcome.ANSWERED
    assert parse_args(fake.call.commands[1]) == ["SET", "VARIABLE", "CALLERID(name)", "Щ" * 50]
    assert fake.call.shown_caller_ids == [("Щ" * 50, default_env()["agi_callerid"])]


async def _ask(lines: list[bytes]) -> list[bytes]:
    """Send each line to the fake and read its one-line answer."""
    answers: list[bytes] = []

    async def server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        for line in lines:
            writer.write(line)
            answers.append(await reader.readuntil(b"\n"))
        writer.close()

    listener = await asyncio.start_server(server, "127.0.0.1", 0)
    await FakeAsterisk("127.0.0.1", listener.sockets[0].getsockname()[1], hold=0.5).run(timeout=10)
    listener.close()
    return answers


async def test_the_fake_stores_a_set_variable_value_unexpanded_like_asterisk() -> None:
    """The fake as res_agi: SET VARIABLE stores its value as given, CALLERID(name) included, and substitution
    (GET FULL VARIABLE) puts a value in once, never expanding what the value itself holds."""
    answers = await _ask(
        [
            b'SET VARIABLE SECRET "s3cret"\n',
            b'SET VARIABLE "CALLERID(name)" "${SECRET} \\"Q\\" \\\\"\n',
            b'GET VARIABLE "CALLERID(name)"\n',
            b"GET FULL VARIABLE ${CALLERID(name)}\n",
            b"GET FULL VARIABLE ${LEN(${SECRET})}\n",  # the name of a ${...} is expanded first (newline.txt)
            b"GET FULL VARIABLE ${CALLERID(all)}\n",
        ]
    )
    assert answers == [
        b"200 result=1\n",
        b"200 result=1\n",
        b'200 result=1 (${SECRET} "Q" \\)\n',
        b'200 result=1 (${SECRET} "Q" \\)\n',
        b"200 result=1 (6)\n",
        b'200 result=1 ("${SECRET} "Q" \\" <5551234>)\n',
    ]


def _transfer_scenario(**config: str) -> CachedScenarioSource:
    nodes = [{"id": "start", "type": "start"}, {"id": "agent", "type": "transfer", "config": config}]
    source = CachedScenarioSource()
    source.publish(PublishedScenario("agent", 1, parse_document(make_document(nodes, [("start", "next", "agent")]))))
    return source


async def test_a_scenario_shows_the_operator_a_name_from_the_call_over_fastagi(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """The review's case end to end: '"Иванов" <+74951234567>' as a name field and a number field, the name from
    a variable the call carries (here the AGI URL's query, as a CRM lookup or a caller could fill it)."""
    source = _transfer_scenario(target="PJSIP/100", caller_id="+74951234567", caller_name="{{ client }}")
    server = await start_server(source=source)
    hostile = 'Иванов" HANGUP "\n${SHELL(id)}'
    query = hostile.replace("\n", "%0A").replace(" ", "%20")
    fake = await call(server, f"agent?client={query}", CallerScript(far_end=["busy"]))
    await server.stop()
    shown = 'Иванов" HANGUP " ${SHELL(id)}'
    assert [parse_args(line) for line in fake.commands] == [
        ["ANSWER"],
        ["GET", "VARIABLE", "CALLERID(num)"],
        ["SET", "VARIABLE", "CALLERID(num)", "+74951234567"],
        ["GET", "VARIABLE", "CALLERID(name)"],
        ["SET", "VARIABLE", "CALLERID(name)", shown],
        ["EXEC", "Dial", "PJSIP/100,30"],
        ["GET", "VARIABLE", "DIALSTATUS"],
        ["SET", "VARIABLE", "CALLERID(num)", "5551234"],
        ["SET", "VARIABLE", "CALLERID(name)", "Probe Test"],
        ["HANGUP"],  # busy, left unwired: the caller is hung up on
    ]
    assert fake.commands[4] == 'SET VARIABLE "CALLERID(name)" "Иванов\\" HANGUP \\" ${SHELL(id)}"'
    assert fake.commands[5] == 'EXEC "Dial" "PJSIP/100,30"'
    assert fake.shown_caller_ids == [(shown, "+74951234567")]
    (record,) = records.records
    (event,) = [e for step in record.trace["steps"] for e in step["events"] if e["kind"] == "transfer"]
    assert event["caller_name"] == shown and event["caller_id"] == "+74951234567"
