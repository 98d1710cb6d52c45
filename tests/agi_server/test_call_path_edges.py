"""Edge cases of the FastAGI call path an operations review found, over real TCP (fake Asterisk -> AgiServer):

- the fallback prompt `ivrgraph/unavailable` exists: the node speaks it into the media root at start (real espeak-ng);
- a scenario lookup the database could not answer is not an unknown scenario;
- a missing sound file is one warning line and a named failure, not a traceback;
- the start says which Asterisk peers it lets in, and warns when no remote one can get in;
- at the shutdown deadline, a call with no command in flight is told IVRGRAPH_STATUS=STOPPING.

The fake Asterisk follows ../shared/asterisk/: basic.txt for `STREAM FILE no-such-file` (200 result=-1 endpos=0,
then CHANNEL STATUS 6: the channel is up), serverhangup.txt and every transcript's ending for the close.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from agi_server.node import DatabaseRuntime
from agi_server.options import add_fastagi_options, fastagi_config
from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from agi_server.server import STATUS_VARIABLE
from graph_engine.document import parse_document
from graph_engine.services import Services, SilentTts
from persistence.db import Database
from tests.agi_server.conftest import MemoryRecords, StartServer, call, registry_with
from tests.conftest import make_document
from tests.fakes.asterisk import parse_args
from tests.fakes.hanging_blocks import WaitsForever
from voice.engines.espeak import EspeakEngine
from voice.formats import DEFAULT_FORMATS, AudioFormat
from voice.media import MediaRoot
from voice.service import TtsService
from voice.tools import measure

ENGLISH = "This service is not available right now. Please call again later."
SPANISH = "Este servicio no está disponible en este momento. Por favor, llame más tarde."
FALLBACK_COMMANDS = [["ANSWER"], ["STREAM", "FILE", "ivrgraph/unavailable", ""], ["HANGUP"]]


def _source(nodes: list[dict[str, Any]], edges: list[tuple[str, str, str]], slug: str = "s") -> CachedScenarioSource:
    source = CachedScenarioSource()
    source.publish(PublishedScenario(slug, 1, parse_document(make_document(nodes, edges))))
    return source


# -- 1. the fallback prompt exists -------------------------------------------------------------------------------


def _espeak_service(root: Path) -> TtsService:
    media = MediaRoot(root)
    media.ensure()
    return TtsService(media, {"espeak-ng": EspeakEngine()})


def _fallback_files(root: Path) -> dict[AudioFormat, Path]:
    return {fmt: root / f"unavailable{fmt.extension}" for fmt in DEFAULT_FORMATS}


async def test_the_node_speaks_its_fallback_prompt_where_asterisk_plays_ivrgraph_unavailable(
    start_server: StartServer, records: MemoryRecords, tmp_path: Path
) -> None:
    """Review: the unknown-scenario call (and the example dialplan's [fallback] context) played
    `ivrgraph/unavailable`, a sound that existed nowhere: silence, then the hang-up. Asterisk's sounds/ivrgraph is
    the media root, so the node speaks the phrase there at start, in every format its prompts have."""
    root = tmp_path / "media"
    server = await start_server(services=Services(tts=_espeak_service(root)))
    fake = await call(server, "no-such-scenario")
    await server.stop()
    assert [parse_args(line) for line in fake.commands] == FALLBACK_COMMANDS
    rates = {AudioFormat.SLN: 8000, AudioFormat.SLN16: 16000, AudioFormat.ULAW: 8000, AudioFormat.WAV16: 16000}
    for fmt, path in _fallback_files(root).items():
        stats = measure(path, None if fmt.spec.container == "wav" else fmt)
        assert stats.sample_rate == rates[fmt] and 2 < stats.seconds < 10 and not stats.silent, (fmt, stats)


async def test_the_fallback_prompt_is_spoken_again_only_when_missing_or_changed(
    start_server: StartServer, tmp_path: Path
) -> None:
    root = tmp_path / "media"
    files = _fallback_files(root)
    await start_server(services=Services(tts=_espeak_service(root)))
    first = {fmt: path.stat().st_ino for fmt, path in files.items()}

    await start_server(services=Services(tts=_espeak_service(root)))  # a restart: the same phrase and voice
    assert {fmt: path.stat().st_ino for fmt, path in files.items()} == first

    files[AudioFormat.SLN].unlink()  # someone cleaned the folder
    await start_server(services=Services(tts=_espeak_service(root)))
    assert files[AudioFormat.SLN].exists()

    english = files[AudioFormat.WAV16].read_bytes()
    await start_server(services=Services(tts=_espeak_service(root)), fallback_phrase=SPANISH, fallback_language="es")
    assert files[AudioFormat.WAV16].read_bytes() != english  # the operator changed the phrase: spoken anew
    assert not list(root.glob(".*tmp*")), "no temporary file is left beside the prompt"


async def test_a_fallback_prompt_the_speech_engine_cannot_say_is_one_warning_and_the_node_serves(
    start_server: StartServer, records: MemoryRecords, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = await start_server(services=Services(tts=_espeak_service(tmp_path / "media")), fallback_language="xx")
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage() and warnings[0].exc_info is None
    fake = await call(server, "no-such-scenario")
    await server.stop()
    assert [parse_args(line) for line in fake.commands] == FALLBACK_COMMANDS
    assert [r.outcome for r in records.records] == ["unknown_scenario"]


def _options(environ: Mapping[str, str]) -> Any:
    parser = argparse.ArgumentParser()
    add_fastagi_options(parser)
    return fastagi_config(parser.parse_args([]), host="127.0.0.1", port=0, environ=environ)


def test_the_fallback_phrase_and_its_language_are_settings() -> None:
    assert (_options({}).fallback_phrase, _options({}).fallback_language) == (ENGLISH, "en")
    spanish = _options({"IVRGRAPH_FALLBACK_LANGUAGE": "es"})
    assert (spanish.fallback_phrase, spanish.fallback_language) == (SPANISH, "es")
    own = _options({"IVRGRAPH_FALLBACK_LANGUAGE": "kk", "IVRGRAPH_FALLBACK_PHRASE": "Қызмет қазір қолжетімсіз."})
    assert (own.fallback_phrase, own.fallback_language) == ("Қызмет қазір қолжетімсіз.", "kk")
    with pytest.raises(ValueError, match="IVRGRAPH_FALLBACK_PHRASE"):  # no phrase of ours in Kazakh
        _options({"IVRGRAPH_FALLBACK_LANGUAGE": "kk"})
    with pytest.raises(ValueError, match="IVRGRAPH_FALLBACK_LANGUAGE"):
        _options({"IVRGRAPH_FALLBACK_LANGUAGE": "Spanish"})


# -- 2. a lookup that failed is not an unknown scenario ------------------------------------------------------------


async def test_a_scenario_lookup_the_database_cannot_answer_is_its_own_outcome_in_one_line(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """Review: with the database down the call was logged `unknown scenario ... playing the fallback`, and the
    cause on a line of its own without the call id. A real node's source on a PostgreSQL nobody listens on."""
    database = Database("postgresql://nobody@127.0.0.1:1/none")
    try:
        runtime = DatabaseRuntime(database, tts=SilentTts())
        server = await start_server(source=runtime.source)
        fake = await call(server, "not-cached")
        await server.stop()
    finally:
        database.dispose()
    assert [parse_args(line) for line in fake.commands] == FALLBACK_COMMANDS  # the caller still hears it
    [record] = records.records
    assert record.outcome == "failed" and record.error is not None
    # The kind alone in the record, which every API user reads; the driver's words (host, port, user) in the log.
    assert record.error == "scenario 'not-cached' could not be looked up: OperationalError"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].call_id == record.call_id  # type: ignore[attr-defined]
    assert "could not be looked up: OperationalError: " in errors[0].getMessage()
    assert "127.0.0.1" in errors[0].getMessage(), "the driver's detail is in the node's log"
    assert "unknown scenario" not in caplog.text
    assert server.metrics.errors.labels("scenario_lookup")._value.get() == 1
    assert server.metrics.errors.labels("unknown_scenario")._value.get() == 0


async def test_a_slug_nobody_published_is_still_an_unknown_scenario(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    async def nothing(slug: str) -> PublishedScenario | None:
        return None

    server = await start_server(source=CachedScenarioSource(nothing))
    await call(server, "never-published")
    await server.stop()
    assert [(r.outcome, r.error) for r in records.records] == [("unknown_scenario", None)]
    assert server.metrics.errors.labels("unknown_scenario")._value.get() == 1


async def test_go_to_a_scenario_the_database_cannot_look_up_fails_as_a_service_not_as_unpublished(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """Go To Scenario reads the same source: its step says the lookup failed (not "is not published"), in the
    step's error and the record, without a traceback or a line lacking the call's id."""
    document = make_document(
        [{"id": "start", "type": "start"}, {"id": "jump", "type": "goto_scenario", "config": {"scenario": "other"}}],
        [("start", "next", "jump")],
    )

    async def load(slug: str) -> PublishedScenario | None:
        raise ConnectionError("connection refused")

    source = CachedScenarioSource(load)
    source.publish(PublishedScenario("s", 1, parse_document(document)))
    server = await start_server(source=source)
    await call(server, "s")
    await server.stop()
    [record] = records.records
    step = record.trace["steps"][1]
    assert (step["exit"], step["error"]) == (
        "error",
        "scenario 'other' could not be looked up: ConnectionError",
    )
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.exc_info]
    assert all(getattr(r, "call_id", None) == record.call_id for r in caplog.records if r.levelno >= logging.WARNING)


# -- 3. a missing sound file --------------------------------------------------------------------------------------


async def test_a_missing_sound_is_one_warning_line_and_a_named_failure(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """Review: STREAM FILE of a missing file (basic.txt: 200 result=-1 endpos=0 on a live channel) logged a
    12-line traceback at WARNING. An installation's fault, not a bug: one line, and a failure the designer words."""
    source = _source(
        [{"id": "start", "type": "start"}, {"id": "hello", "type": "message", "config": {"audio": "welcome"}}],
        [("start", "next", "hello")],
    )
    server = await start_server(source=source)
    await call(server, "s", missing_media=["ivrgraph/welcome"])
    await server.stop()
    [record] = records.records
    step = record.trace["steps"][1]
    assert step["exit"] == "error" and "ivrgraph/welcome" in step["error"]
    assert {"kind": "failure", "code": "media_not_played", "media": "ivrgraph/welcome"} in step["events"]
    # The block's failure in one line; the call, with no error route, then ends failed saying why (a line of its own).
    blocks = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "graph_engine.interpreter"]
    assert len(blocks) == 1 and blocks[0].exc_info is None, [r.getMessage() for r in blocks]
    assert blocks[0].call_id == record.call_id  # type: ignore[attr-defined]
    assert "ivrgraph/welcome" in blocks[0].getMessage() and "\n" not in blocks[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info is not None]


# -- 4. the allow-list at start -----------------------------------------------------------------------------------


async def test_the_start_names_the_allowed_peers(start_server: StartServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="agi_server")
    await start_server(allow=("10.0.0.0/24", "127.0.0.1/32"))
    [listening] = [r.getMessage() for r in caplog.records if "FastAGI listening" in r.getMessage()]
    assert "10.0.0.0/24, 127.0.0.1/32" in listening
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_listening_beyond_loopback_while_allowing_only_loopback_peers_is_a_warning(
    start_server: StartServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Review: `--host 0.0.0.0` without --allow started quietly, and every remote Asterisk was then refused."""
    await start_server(host="0.0.0.0")
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "0.0.0.0" in warning and "127.0.0.1/32, ::1/128" in warning and "--allow" in warning
    caplog.clear()
    await start_server(host="0.0.0.0", allow=("10.0.0.0/8",))
    await start_server(host="127.0.0.1")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# -- 5. the shutdown deadline --------------------------------------------------------------------------------------


async def test_a_call_with_no_command_in_flight_at_the_shutdown_deadline_is_told_stopping(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """Review: a call still running at the deadline was closed with no IVRGRAPH_STATUS, so the dialplan just hung
    up on the caller. With no command in flight the session is between commands, and SET VARIABLE is answered at
    once (basic.txt); the dialplan can then send the caller on."""
    source = _source(
        [{"id": "start", "type": "start"}, {"id": "crm", "type": WaitsForever.type}], [("start", "next", "crm")]
    )  # a block busy away from the channel (a CRM that does not answer): no command in flight
    server = await start_server(source=source, registry=registry_with(WaitsForever))
    calling = asyncio.create_task(call(server, "s", hold=3.0))
    while not records.records and server.active_calls < 1:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    await server.stop(deadline=0.2)
    fake = await calling
    assert [parse_args(line) for line in fake.commands] == [
        ["ANSWER"],
        ["SET", "VARIABLE", STATUS_VARIABLE, "STOPPING"],
    ]
    assert fake.responses[-1] == b"200 result=1\n" and fake.server_half_closed
    [record] = records.records
    assert (record.outcome, record.error) == ("failed", "server shutdown")


async def test_a_call_playing_a_prompt_at_the_shutdown_deadline_gets_no_command_written_over_it(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """Any byte written while STREAM FILE plays stops it with no result line, and no transcript shows what Asterisk
    does with such a command afterwards: nothing is written, the session is closed as before."""
    source = _source(
        [{"id": "start", "type": "start"}, {"id": "hello", "type": "message", "config": {"audio": "long"}}],
        [("start", "next", "hello")],
    )
    server = await start_server(source=source)
    calling = asyncio.create_task(call(server, "s", media={"ivrgraph/long": 30.0}, hold=3.0))
    while server.active_calls < 1:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    await server.stop(deadline=0.2)
    fake = await calling
    assert [parse_args(line)[:2] for line in fake.commands] == [["ANSWER"], ["STREAM", "FILE"]]
    assert STATUS_VARIABLE.encode() not in fake.received
