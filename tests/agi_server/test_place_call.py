"""designer_ui/e2e/place_call.py, the command support replays a complaint with: its options reach the call as a
real Asterisk's would (the env block, the caller's and the far end's doings), over real TCP into a FastAGI server.
Its older form (`--repeat`, `--caller-name` before HOST PORT SLUG KEYS...) is what the designer's e2e runs."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from agi_server.server import AgiServer
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from tests.agi_server.conftest import MemoryRecords, StartServer, registry_with
from tests.conftest import make_document

PLACE_CALL = Path(__file__).resolve().parents[2] / "designer_ui" / "e2e" / "place_call.py"
MENU = {"prompt": {"text": "Pulse 1"}, "options": [{"key": "1", "label": "operator"}], "max_tries": 1, "timeout": 5}
SUPPORT = make_document(
    [
        {"id": "start", "type": "start"},
        {"id": "menu", "type": "ivr", "config": MENU},
        {"id": "operator", "type": "transfer", "config": {"target": "PJSIP/100", "timeout": 20}},
        {"id": "sorry", "type": "say_phrase", "config": {"text": "Lo sentimos"}},
    ],
    [("start", "next", "menu"), ("menu", "1", "operator"), ("operator", "busy", "sorry")],
)


async def _serve(start_server: StartServer) -> AgiServer:
    source = CachedScenarioSource()
    source.publish(PublishedScenario("support", 1, parse_document(SUPPORT)))
    return await start_server(source=source)


async def _place_call(server: AgiServer, *arguments: str) -> str:
    """Run place_call.py with `arguments`, HOST and PORT being "{host}" and "{port}"; what it printed."""
    named = [argument.format(host="127.0.0.1", port=server.port) for argument in arguments]
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(PLACE_CALL), *named, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_the_caller_the_channel_the_query_and_the_far_end(
    start_server: StartServer, records: MemoryRecords
) -> None:
    server = await _serve(start_server)
    printed = await _place_call(
        server,
        "{host}",
        "{port}",
        "support",
        "1",
        "--callerid",
        "+34600111222",
        "--uniqueid",
        "1799999999.42",
        "--channel",
        "PJSIP/trunk-0000046b",
        "--far-end",
        "busy",
        "--query",
        "line=main",
        "--query",
        "note=a b&c",
    )
    await server.stop()
    assert printed.startswith("placed a call to support: ")
    (record,) = records.records
    assert (record.facts["caller_id"], record.facts["channel"]) == ("+34600111222", "PJSIP/trunk-0000046b")
    assert record.asterisk_uniqueid == "1799999999.42"
    assert record.inputs == {"line": "main", "note": "a b&c"}
    taken = [(step["node"], step["exit"]) for step in record.trace["steps"]]
    assert taken[-2:] == [("operator", "busy"), ("sorry", "next")]  # the far end was busy


async def test_a_hangup_after_some_seconds_cuts_the_menus_wait(
    start_server: StartServer, records: MemoryRecords
) -> None:
    server = await _serve(start_server)
    await _place_call(server, "{host}", "{port}", "support", "-", "--hangup-after", "0.5")
    await server.stop()
    (record,) = records.records
    # The menu waits 5 s for a key, then ends the call: the caller left while it waited.
    assert (record.outcome, record.hangup_point, record.hangup_during) == ("caller_hangup", "menu", "read_digits")


async def test_a_hangup_at_a_command_repeated_with_the_older_options(
    start_server: StartServer, records: MemoryRecords
) -> None:
    server = await _serve(start_server)
    options = ["--repeat", "2", "--caller-name", "Ана Петрова"]
    printed = await _place_call(server, *options, "{host}", "{port}", "support", "1", "--hangup-at-command", "0")
    await server.stop()
    assert printed.count("placed a call to support") == 2
    assert [(r.outcome, r.hangup_during, r.facts["caller_name"]) for r in records.records] == [
        ("caller_hangup", "answer", "Ана Петрова")
    ] * 2


class AsksTheCrm(BlockType):
    """Waits on a slow CRM, away from the channel, for longer than the fake's own 5 s of patience with a silent
    server: what the review's plugin did when place_call.py hung up on it (2026-12-06)."""

    type = "acme_asks_the_crm"
    title = "Asks the CRM"
    seconds: ClassVar[float] = 5.6

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        await asyncio.sleep(self.seconds)
        return "next"


SLOW_LOOKUP = make_document(
    [
        {"id": "start", "type": "start"},
        {"id": "crm", "type": AsksTheCrm.type},
        {"id": "thanks", "type": "say_phrase", "config": {"text": "Gracias"}},
    ],
    [("start", "next", "crm"), ("crm", "next", "thanks")],
)


async def _serve_slow_lookup(start_server: StartServer) -> AgiServer:
    source = CachedScenarioSource()
    source.publish(PublishedScenario("lookup", 1, parse_document(SLOW_LOOKUP)))
    return await start_server(source=source, registry=registry_with(AsksTheCrm))


async def test_the_caller_waits_through_a_block_slower_than_the_fakes_own_patience(
    start_server: StartServer, records: MemoryRecords
) -> None:
    server = await _serve_slow_lookup(start_server)
    await _place_call(server, "{host}", "{port}", "lookup")
    await server.stop()
    (record,) = records.records
    assert record.outcome != "caller_hangup"
    assert [step["node"] for step in record.trace["steps"]] == ["start", "crm", "thanks"]


async def test_hold_acts_out_a_caller_who_gives_up_during_a_long_silence(
    start_server: StartServer, records: MemoryRecords
) -> None:
    server = await _serve_slow_lookup(start_server)
    await _place_call(server, "{host}", "{port}", "lookup", "--hold", "0.5")
    await server.stop()
    (record,) = records.records
    assert (record.outcome, record.hangup_point) == ("caller_hangup", "crm")
