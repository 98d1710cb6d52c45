"""Phrases that say a sensitive value: spoken for their call alone, gone when it ends (voice/private.py).

Privacy review: "Your PIN is {{ pin }}" was rendered into the shared phrase cache (up to 2 GiB, kept for days), named
by a hash of its text, and remembered in the service's recent-use map, so the PIN outlived the call on disk and in
memory. Here calls run on the scripted channel with the real espeak-ng service under a temp media root, each in a
task of its own as hosts run them; a channel that plays like Asterisk checks the files are there when it plays them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from blocks import default_registry
from graph_engine.channel import Prompt
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import PrivateSpeech, Services
from graph_engine.trace import CallResult
from tests.conftest import make_document
from tests.voice.conftest import LateEngine, RecordingEngine
from voice.errors import NothingToSay
from voice.formats import DEFAULT_FORMATS
from voice.media import MediaRoot
from voice.private import PRIVATE_FOLDER, PrivatePhrases
from voice.service import TtsService

PIN = "4321"
SAID = "Su PIN es 4321"  # what "Su PIN es {{ pin }}" renders to


class PlayingChannel(ScriptedChannel):
    """A scripted channel that, like Asterisk, needs every format's file of what it plays under the media root."""

    def __init__(self, media: MediaRoot, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.media = media
        self.played: list[tuple[str, bool]] = []  # media name, and whether all its files were there

    def _there(self, audio: str) -> bool:
        return all(self.media.resolve(audio, fmt.extension).is_file() for fmt in DEFAULT_FORMATS)

    async def play(self, prompt: Prompt, *, interrupt_keys: str = "") -> str:
        self.played.append((prompt.audio, self._there(prompt.audio)))
        return await super().play(prompt, interrupt_keys=interrupt_keys)

    async def read_digits(self, prompt: Prompt | None, **kwargs: Any) -> Any:
        if prompt is not None:
            self.played.append((prompt.audio, self._there(prompt.audio)))
        return await super().read_digits(prompt, **kwargs)


def pin_line(**extra: Any) -> dict[str, Any]:
    """Welcome (nothing sensitive), a menu that says the PIN (sensitive) and offers 1, then goodbye."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "hello", "type": "say_phrase", "config": {"text": "Bienvenido al banco"}},
            {
                "id": "menu",
                "type": "ivr",
                "config": {"prompt": {"text": "Su PIN es {{ pin }}"}, "options": [{"key": "1"}], "max_tries": 3},
            },
            {"id": "said", "type": "say_phrase", "config": {"text": "Su PIN es {{ pin }}"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "hello"), ("hello", "next", "menu"), ("menu", "1", "said"), ("said", "next", "bye")],
        variables=[{"name": "pin", "default": PIN, "sensitive": True}],
        **extra,
    )


async def one_call(service: TtsService, channel: ScriptedChannel, document: dict[str, Any]) -> CallResult:
    """One call in a task of its own, as every host runs a call; back once the task's done callbacks ran."""
    task = asyncio.create_task(
        run_call(parse_document(document), channel, default_registry(), Services(tts=service), call_id="c1")
    )
    result = await task
    # This task resumes first; the callbacks the ended task scheduled after it (the call's cleanup) run next.
    await asyncio.sleep(0)
    return result


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def assert_nothing_of_the_pin_left(service: TtsService) -> None:
    """No phrase file of the call left, no cache entry or recent-use entry for it, and nothing on disk named by the
    PIN's text or its cache key."""
    key = service.key_for(SAID, language="es")
    assert key not in service.cache
    assert all(SAID not in asked[0] and PIN not in asked[0] for asked in service._hot)
    private = service.media.root / PRIVATE_FOLDER
    assert [p.name for p in files_under(private)] in ([], [".lock"])  # this process's folder, its lock alone
    for path in files_under(service.media.root):
        assert key not in str(path) and PIN not in path.name
        if path.name.startswith("."):  # the cache's count and lock files: text
            assert PIN not in path.read_bytes().decode("latin-1")
    assert service.private.calls == 0


async def test_a_sensitive_phrase_is_played_from_the_calls_own_files_and_none_is_left(
    service: TtsService, espeak: RecordingEngine
) -> None:
    channel = PlayingChannel(service.media, ["-", "1"])  # no key at the first menu: its prompt is said again
    result = await one_call(service, channel, pin_line())

    assert result.outcome == "hung_up"
    assert (SAID, "es") in espeak.texts  # the PIN was spoken, with the real value
    played = dict(channel.played)
    assert all(there for _, there in channel.played), channel.played  # each play found its files, retries too
    private = [name for name, _ in channel.played if name.startswith(f"{PRIVATE_FOLDER}/")]
    assert len(private) == 3  # the menu twice (one render, played twice), then Say Phrase's own
    assert private[0] == private[1] != private[2]
    assert service.key_for(SAID, language="es") not in "".join(private)
    # The phrase with nothing sensitive is cached as before, and in the recent-use map.
    [welcome] = [name for name in played if name.startswith("tts/")]
    assert welcome == f"tts/{service.key_for('Bienvenido al banco', language='es')}"
    assert welcome.removeprefix("tts/") in service.cache
    assert ("Bienvenido al banco", "es", None, None) in service._hot
    assert_nothing_of_the_pin_left(service)
    # The trace notes the phrase masked, its audio's name left out.
    said = next(step for step in result.steps if step.node == "said")
    assert said.prompts == [{"audio": "[hidden]", "text": "Su PIN es [hidden: 4 characters]", "language": "es"}]


async def test_a_caller_hanging_up_while_the_phrase_plays_leaves_none_of_it(service: TtsService) -> None:
    # Operations: answer (Start), play welcome, read_digits (the menu's PIN prompt): the caller goes during it.
    channel = PlayingChannel(service.media, hangup_at=2)
    result = await one_call(service, channel, pin_line())

    assert result.outcome == "caller_hangup"
    [there] = [there for name, there in channel.played if name.startswith(f"{PRIVATE_FOLDER}/")]
    assert there  # it was there as Asterisk began to play it
    assert_nothing_of_the_pin_left(service)


async def test_two_calls_at_once_each_have_their_own_files_until_each_ends(service: TtsService) -> None:
    first_played = asyncio.Event()
    other_ends = asyncio.Event()

    class Waiting(PlayingChannel):
        async def play(self, prompt: Prompt, *, interrupt_keys: str = "") -> str:
            key = await super().play(prompt, interrupt_keys=interrupt_keys)
            if prompt.audio.startswith(f"{PRIVATE_FOLDER}/"):
                first_played.set()
                await other_ends.wait()  # still on the line while the other call ends
            return key

    waiting = asyncio.create_task(one_call(service, Waiting(service.media, ["1"]), pin_line()))
    try:
        async with asyncio.timeout(10):  # a phrase played from anywhere else never sets it
            await first_played.wait()
        other = PlayingChannel(service.media, ["1"])
        await one_call(service, other, pin_line())
        # The other call's files are gone; this one's are still there, for it may play them again.
        assert service.private.calls == 1
        [left] = {p.parent for p in files_under(service.media.root / PRIVATE_FOLDER) if p.name != ".lock"}
        assert not any(name.startswith(str(left.relative_to(service.media.root))) for name, _ in other.played)
        other_ends.set()
        await waiting
    finally:
        waiting.cancel()
    await asyncio.sleep(0)
    assert_nothing_of_the_pin_left(service)


async def test_a_slow_engine_gives_the_caller_the_fallback_and_caches_neither(
    make_service: Any, espeak: RecordingEngine, tmp_path: Path
) -> None:
    """The engine past `caller_wait`: the caller hears the fallback's phrase, and the engine's render, given up,
    never reaches the cache (no caller after this one will say this PIN)."""
    wav = tmp_path / "late.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "late"], check=True)
    late = LateEngine(wav.read_bytes(), seconds=0.5)
    service: TtsService = make_service(
        engines={"late": late, "espeak-ng": espeak}, default_engine="late", caller_wait=0.1
    )
    channel = PlayingChannel(service.media, ["1"])
    await one_call(service, channel, pin_line())

    assert all(there for _, there in channel.played)
    assert (SAID, "es") in espeak.texts
    await asyncio.to_thread(late.finished.wait, 5)  # the late engine's thread wrote its file into nothing
    await asyncio.sleep(0.05)
    assert service.key_for(SAID, language="es", engine="late") not in service.cache
    assert service.key_for(SAID, language="es", engine="espeak-ng") not in service.cache
    assert_nothing_of_the_pin_left(service)


async def test_the_service_speaks_privately_and_its_errors_do_not_quote_the_text(service: TtsService) -> None:
    assert isinstance(service, PrivateSpeech)
    with pytest.raises(NothingToSay) as raised:
        await service.render_private("... 🙂 ...", language="es")
    assert "🙂" not in str(raised.value)
    assert service.renders == 0


@pytest.fixture
def child_media(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "shared-media"
    root.mkdir()
    yield root


_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from voice.engines.espeak import EspeakEngine
    from voice.media import MediaRoot
    from voice.service import TtsService

    async def main() -> None:
        service = TtsService(MediaRoot(sys.argv[1]), {"espeak-ng": EspeakEngine()})
        name = await service.render_private("Su PIN es 4321", language="es")
        print(name, flush=True)
        await asyncio.sleep(60)  # mid-call, when it is killed

    asyncio.run(main())
    """
)


async def test_a_process_killed_mid_call_leaves_its_phrases_only_until_the_next_start(child_media: Path) -> None:
    """A node killed (SIGKILL, the OOM killer) before its calls ended cannot remove their phrases: the next process
    to start as a node removes them, and never the folder of a process still running."""
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(child_media)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    ) as child:
        try:
            assert child.stdout is not None
            name = (await asyncio.to_thread(child.stdout.readline)).strip()
            media = MediaRoot(child_media)
            assert media.resolve(name, ".sln").is_file()
            assert PrivatePhrases(media).sweep() == 0  # its process lives: left alone
            assert media.resolve(name, ".sln").is_file()
            os.kill(child.pid, signal.SIGKILL)
            await asyncio.to_thread(child.wait, 10)
            assert media.resolve(name, ".sln").is_file()  # nobody removed it: killed
            assert PrivatePhrases(media).sweep() == 1
            assert files_under(child_media / PRIVATE_FOLDER) == []
        finally:
            child.kill()
