"""A phrase that says a sensitive value, over the real FastAGI path: Asterisk plays it from the call's own files,
which are gone once the call has ended, a caller hanging up mid-prompt included; no trace of it in the phrase cache.

A fake Asterisk calls a real server over TCP; the server speaks with the real espeak-ng service under a temp media
root, and the fake plays from that root as Asterisk plays from the sounds folder linked to it, noting whether each
file was there as it began and as it ended.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from agi_server.server import AgiServer
from graph_engine.document import parse_document
from graph_engine.services import Services
from tests.agi_server.conftest import MemoryRecords, StartServer
from tests.conftest import make_document
from tests.fakes.asterisk import CallerScript, FakeAsterisk, FakeCall, default_env
from voice.engines.espeak import EspeakEngine
from voice.formats import DEFAULT_FORMATS
from voice.media import MediaRoot
from voice.private import PRIVATE_FOLDER
from voice.service import TtsService

SLUG = "pin-reminder"
PIN = "4321"
SAID = f"Su PIN es {PIN}"
PREFIX = "ivrgraph/"  # the channel's default sounds prefix: Asterisk's `sounds/ivrgraph` is the media root
# Commands: ANSWER, GET DATA (the PIN), STREAM FILE (the PIN said back), STREAM FILE (thanks), HANGUP.
SAYS_THE_PIN = 2


class MediaAsterisk(FakeAsterisk):
    """Plays from the media root: notes for each file played whether every format of it was there as the playback
    began and as it ended (a hangup included)."""

    def __init__(self, *args: Any, media: MediaRoot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.media_root = media
        self.plays: list[tuple[str, bool, bool]] = []

    def _there(self, audio: str) -> bool:
        # Every format the service renders by default (.wav16 is the 16 kHz WAV, 08fd8d1), as Asterisk may pick any.
        return all(self.media_root.resolve(audio, fmt.extension).is_file() for fmt in DEFAULT_FORMATS)

    async def _play(self, name: str, escape: str) -> tuple[str | None, int]:
        audio = name.removeprefix(PREFIX)
        began = self._there(audio)
        try:
            return await super()._play(name, escape)
        finally:
            self.plays.append((audio, began, self._there(audio)))


def pin_reminder() -> dict[str, Any]:
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "pin",
                "type": "ivr",
                "config": {
                    "mode": "capture",
                    "prompt": {"text": "Marque su PIN"},
                    "variable": "pin",
                    "min_length": 4,
                    "max_length": 4,
                },
            },
            {"id": "said", "type": "say_phrase", "config": {"text": "Su PIN es {{ pin }}"}},
            {"id": "thanks", "type": "say_phrase", "config": {"text": "Gracias"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "pin"), ("pin", "next", "said"), ("said", "next", "thanks"), ("thanks", "next", "bye")],
        variables=[{"name": "pin", "sensitive": True}],
    )


@pytest.fixture
def speech(tmp_path: Path) -> TtsService:
    media = MediaRoot(tmp_path / "media")
    media.ensure()
    return TtsService(media, {"espeak-ng": EspeakEngine()})


async def _call(start_server: StartServer, speech: TtsService, script: CallerScript) -> tuple[MediaAsterisk, FakeCall]:
    source = CachedScenarioSource()
    source.publish(PublishedScenario(SLUG, 1, parse_document(pin_reminder())))
    server: AgiServer = await start_server(source=source, services=Services(tts=speech))
    asterisk = MediaAsterisk("127.0.0.1", server.port, env=default_env(SLUG), script=script, media=speech.media)
    call = await asterisk.run(timeout=30)
    await _call_ended(server, speech)
    return asterisk, call


async def _call_ended(server: AgiServer, speech: TtsService) -> None:
    """Until the server has ended the call (its session's task, and the callbacks after it)."""
    deadline = time.monotonic() + 10
    while server.active_calls or speech.private.calls:
        assert time.monotonic() < deadline, "the call did not end"
        await asyncio.sleep(0.01)


def _assert_none_left(speech: TtsService) -> None:
    key = speech.key_for(SAID, language="es")
    assert key not in speech.cache
    files = [p for p in speech.media.root.rglob("*") if p.is_file()]
    assert not [p for p in files if p.is_relative_to(speech.media.root / PRIVATE_FOLDER) and p.name != ".lock"]
    assert not [p for p in files if key in p.name or PIN in p.name]
    assert all(PIN not in asked[0] for asked in speech._hot)


async def test_asterisk_plays_the_calls_own_phrase_which_is_gone_after_the_call(
    start_server: StartServer, records: MemoryRecords, speech: TtsService
) -> None:
    asterisk, call = await _call(start_server, speech, CallerScript(keys=[PIN]))

    stream = call.commands[SAYS_THE_PIN]
    assert stream.startswith(f'STREAM FILE "{PREFIX}{PRIVATE_FOLDER}/'), call.commands
    assert speech.key_for(SAID, language="es") not in stream
    said, thanks = asterisk.plays[1], asterisk.plays[2]
    assert said[0].startswith(f"{PRIVATE_FOLDER}/") and said[1:] == (True, True)
    assert thanks == (f"tts/{speech.key_for('Gracias', language='es')}", True, True)
    _assert_none_left(speech)
    assert speech.key_for("Gracias", language="es") in speech.cache  # nothing sensitive: cached as before
    [record] = records.records
    assert record.outcome == "hung_up"
    assert PIN not in str(record.trace)


async def test_a_caller_hanging_up_while_it_plays_leaves_none_of_it(
    start_server: StartServer, records: MemoryRecords, speech: TtsService
) -> None:
    script = CallerScript(keys=[PIN], hangup_at_command=SAYS_THE_PIN)
    asterisk, call = await _call(start_server, speech, script)

    assert call.commands[SAYS_THE_PIN].startswith(f'STREAM FILE "{PREFIX}{PRIVATE_FOLDER}/')
    said = asterisk.plays[1]
    assert said[0].startswith(f"{PRIVATE_FOLDER}/") and said[1:] == (True, True)  # not taken away mid-play
    _assert_none_left(speech)
    [record] = records.records
    assert record.outcome == "caller_hangup"
