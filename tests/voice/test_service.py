"""The TTS service with real espeak-ng and real conversion: names, formats, cache, single flight, fallback."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from graph_engine.block import MEDIA_NAME_PATTERN
from graph_engine.services import TextToSpeech
from tests.voice.cancel_all import no_children_within, run_to_the_end
from tests.voice.conftest import LateEngine
from voice.engines.base import EngineSettings
from voice.engines.gtts_engine import GttsEngine
from voice.errors import (
    GttsError,
    NothingToSay,
    SpeechError,
    UnknownEngine,
    UnknownVoice,
    UnsupportedLanguage,
)
from voice.formats import AudioFormat
from voice.media import MediaRoot
from voice.service import PREVIEW_FORMAT, TtsService
from voice.tools import measure


def test_service_is_a_text_to_speech(service: TtsService) -> None:
    assert isinstance(service, TextToSpeech)


async def test_render_writes_every_asterisk_format_under_the_media_root(service: TtsService) -> None:
    name = await service.render("Welcome to the bank. Press one for your balance.", language="en")

    assert re.fullmatch(MEDIA_NAME_PATTERN, name) and name.startswith("tts/")
    expected_rates = {AudioFormat.SLN: 8000, AudioFormat.SLN16: 16000, AudioFormat.ULAW: 8000, AudioFormat.WAV16: 16000}
    for fmt, rate in expected_rates.items():
        path = service.path(name, fmt)
        assert path.is_relative_to(service.media.root)
        stats = measure(path, None if fmt.spec.container == "wav" else fmt)
        assert stats.sample_rate == rate
        assert 1.5 < stats.seconds < 10
        assert not stats.silent and stats.peak < 1.0


async def test_same_phrase_is_rendered_once_and_then_served_from_cache(service: TtsService, espeak: Any) -> None:
    first = await service.render("Your call is important to us.", language="en")
    again = await service.render("  Your call   is important to us. ", language="en")  # same after normalizing

    assert first == again
    assert service.renders == 1 and len(espeak.texts) == 1


async def test_many_callers_asking_at_once_cause_one_render(service: TtsService, espeak: Any) -> None:
    names = await asyncio.gather(*(service.render("Please hold the line.", language="en") for _ in range(12)))

    assert len(set(names)) == 1
    assert espeak.texts == [("Please hold the line.", "en")]


async def test_voice_language_and_engine_each_change_the_name(service: TtsService) -> None:
    base = await service.render("Hola", language="es")
    assert await service.render("Hola", language="es", voice="es+f3") != base
    assert await service.render("Hola", language="es-419") != base
    assert await service.render("Hola", language="es", engine="espeak-ng") == base


@pytest.mark.parametrize("text", ["", "  ", "...", "?!", "— …"])
async def test_nothing_to_say(service: TtsService, espeak: Any, text: str) -> None:
    with pytest.raises(NothingToSay):
        await service.render(text, language="en")
    assert espeak.texts == []


async def test_overlong_text_is_refused_before_the_engine(service: TtsService, espeak: Any) -> None:
    with pytest.raises(SpeechError, match="at most 5000"):
        await service.render("bla " * 2000, language="en")
    assert espeak.texts == []


async def test_unknown_engine_and_language_are_tts_errors(service: TtsService) -> None:
    with pytest.raises(UnknownEngine, match="espeak-ng"):
        await service.render("hello", language="en", engine="festival")
    with pytest.raises(UnsupportedLanguage):
        await service.render("hello", language="zu")


async def test_failed_render_leaves_no_files_and_the_next_call_retries(service: TtsService, espeak: Any) -> None:
    with pytest.raises(UnknownVoice, match="voice"):
        await service.render("hello", language="en", voice="--help me")
    leftovers = [p.name for p in service.cache.folder.iterdir()]
    assert leftovers == []
    assert not service._flight.in_flight(service.key_for("hello", language="en", voice="--help me"))


def _age(service: TtsService, name: str, seconds: float) -> None:
    """Make the phrase `name` last used `seconds` ago, as its files' modification times say."""
    then = time.time() - seconds
    for fmt in service.formats:
        os.utime(service.path(name, fmt), (then, then))


async def test_cache_stays_under_its_bound(make_service: Any) -> None:
    service: TtsService = make_service(formats=(AudioFormat.SLN,))
    service.cache.grace_seconds, service.cache.touch_seconds = 0.0, 0.0  # evict by use alone
    first = await service.render("Phrase number one", language="en")
    _age(service, first, 300)
    service.cache.max_bytes = int(service.cache.total_bytes * 2.5)  # room for two phrases of about this size

    second = await service.render("Phrase number two", language="en")
    _age(service, second, 200)
    await service.render("Phrase number one", language="en")  # used again: now "two" is the oldest
    third = await service.render("Phrase number three", language="en")

    assert service.cache.total_bytes <= service.cache.max_bytes
    on_disk = {f"tts/{p.stem}" for p in service.cache.folder.glob("*.sln")}
    assert on_disk == {first, third}
    assert second not in on_disk


async def test_a_full_cache_is_rescanned_and_evicted_off_the_event_loop(make_service: Any) -> None:
    """A full cache's rescan takes ~100 ms (32,000 phrases): on the event loop, every call of the process would
    wait for it."""
    service: TtsService = make_service(formats=(AudioFormat.SLN,))
    service.cache.grace_seconds, service.cache.touch_seconds = 0.0, 0.0
    _age(service, await service.render("Phrase number one", language="en"), 300)
    service.cache.max_bytes = int(service.cache.total_bytes * 1.5)
    evicted_in: list[threading.Thread] = []
    evict = service.cache.evict

    def watched(*, keep: str) -> None:
        evicted_in.append(threading.current_thread())
        evict(keep=keep)

    service.cache.evict = watched  # type: ignore[method-assign]
    await service.render("Phrase number two", language="en")
    assert evicted_in and evicted_in[0] is not threading.main_thread()
    assert service.cache.total_bytes <= service.cache.max_bytes


async def test_unreachable_gtts_falls_back_to_espeak(
    make_service: Any, gtts: GttsEngine, fake_gtts: Any, espeak: Any
) -> None:
    fake_gtts.default = "server_error"
    service: TtsService = make_service(engines={"gtts": gtts, "espeak-ng": espeak}, default_engine="gtts")

    name = await service.render("Buenos días", language="es")
    assert name == f"tts/{service.key_for('Buenos días', language='es', engine='espeak-ng')}"
    assert espeak.texts == [("Buenos días", "es")]

    # While the service is marked down, calls go straight to espeak without waiting on Google...
    await service.render("Buenas tardes", language="es")
    assert len(fake_gtts.requests) == 1


async def test_while_gtts_is_down_its_cached_phrases_still_play(
    make_service: Any, gtts: GttsEngine, fake_gtts: Any, espeak: Any
) -> None:
    service: TtsService = make_service(engines={"gtts": gtts, "espeak-ng": espeak}, default_engine="gtts")
    published = await service.render("Bienvenido", language="es")  # rendered at publish, service up
    fake_gtts.default = "server_error"
    await service.render("Otra frase", language="es")  # the service goes down: marked, espeak speaks

    assert await service.render("Bienvenido", language="es") == published
    assert espeak.texts == [("Otra frase", "es")]


async def test_gtts_audio_is_converted_too(make_service: Any, gtts: GttsEngine, fake_gtts: Any) -> None:
    service: TtsService = make_service(engines={"gtts": gtts}, default_engine="gtts", fallback_engine=None)

    name = await service.render("hello", language="en")

    stats = measure(service.path(name, AudioFormat.ULAW), AudioFormat.ULAW)
    assert stats.sample_rate == 8000 and not stats.silent
    assert [r.text for r in fake_gtts.requests] == ["hello"]


async def test_bad_text_is_not_a_reason_to_fall_back(make_service: Any, gtts: GttsEngine, fake_gtts: Any) -> None:
    fake_gtts.default = "no_audio"
    service: TtsService = make_service(engines={"gtts": gtts, "espeak-ng": make_service().engines["espeak-ng"]},
                                       default_engine="gtts")  # fmt: skip

    with pytest.raises(GttsError) as caught:
        await service.render("hello", language="en")
    assert caught.value.reason == "bad_response"


async def test_a_block_voice_may_name_another_engine(
    make_service: Any, gtts: GttsEngine, fake_gtts: Any, espeak: Any
) -> None:
    service: TtsService = make_service(engines={"gtts": gtts, "espeak-ng": espeak}, default_engine="espeak-ng")

    by_gtts = await service.render("hola", language="es", voice="gtts:", engine="espeak-ng")
    by_espeak_voice = await service.render("hola", language="es", voice="espeak-ng:es+f3", engine="gtts")

    assert by_gtts == f"tts/{service.key_for('hola', language='es', engine='gtts')}"
    assert by_espeak_voice == f"tts/{service.key_for('hola', language='es', voice='es+f3', engine='espeak-ng')}"
    assert [r.text for r in fake_gtts.requests] == ["hola"] and espeak.texts == [("hola", "es")]
    with pytest.raises(UnknownVoice, match="voice name"):  # an unknown prefix stays part of the voice name
        await service.render("hola", language="es", voice="festival:x")


async def test_a_phrase_asked_again_soon_is_served_without_checking_its_files(make_service: Any, espeak: Any) -> None:
    service: TtsService = make_service(recheck_seconds=0.2)
    name = await service.render("Gracias por llamar", language="es")
    for fmt in service.formats:
        service.path(name, fmt).unlink()  # behind the service's back

    assert await service.render("Gracias por llamar", language="es") == name  # within the window: as it was
    assert service.renders == 1

    await asyncio.sleep(0.25)
    assert await service.render("Gracias por llamar", language="es") == name  # checked again: rendered anew
    assert service.renders == 2
    assert all(service.path(name, fmt).is_file() for fmt in service.formats)


async def test_previews_are_the_browsers_wav_whatever_formats_calls_use(espeak: Any, media: MediaRoot) -> None:
    """Review, 2026-12-12: with IVRGRAPH_TTS_FORMATS=sln,ulaw no preview had a WAV to send (a 500)."""
    calls = TtsService(media, {"espeak-ng": espeak}, formats=(AudioFormat.SLN, AudioFormat.ULAW))
    previews = calls.for_previews()
    name = await previews.render("A preview", language="en")

    path = previews.path(name, PREVIEW_FORMAT)
    assert path.is_file() and measure(path).sample_rate == 16000


async def test_previews_never_push_out_the_phrases_calls_play(service: TtsService, espeak: Any) -> None:
    """Review, 2026-12-05: previews shared the call cache, so anyone allowed to preview could flood it until the
    phrases rendered at publish were evicted (each call then rendered them again, or failed while gTTS was down)."""
    published = await service.render("Welcome to the hotline", language="en")
    previews = service.for_previews()
    assert previews.engines == service.engines and previews.formats == (PREVIEW_FORMAT,)  # the browser's WAV alone
    previews.cache.grace_seconds = 0.0  # previews evict previews by use alone
    first = await previews.render("Preview number 0", language="en")
    previews.cache.max_bytes = int(previews.cache.total_bytes * 2.5)  # room for two previews
    names = [first] + [await previews.render(f"Preview number {n}", language="en") for n in range(1, 6)]
    assert all(name.startswith("tts-preview/") for name in names)
    assert previews.cache.total_bytes <= previews.cache.max_bytes  # previews evict previews...
    assert not previews.cache.lookup(first.removeprefix("tts-preview/"))
    key = published.removeprefix("tts/")  # ...and never a call's phrase
    assert service.cache.keys() == [key] and service.cache.lookup(key)
    assert all(service.path(published, fmt).is_file() for fmt in service.formats)
    assert len(espeak.texts) == 7


async def test_a_call_is_never_handed_a_phrase_another_process_just_evicted(make_service: Any) -> None:
    """Review, 2026-12: the API's eviction deleted the phrase a FastAGI process had checked a second before, and
    that process's recent-use shortcut then handed calls a name whose files were gone (Asterisk plays nothing)."""
    api: TtsService = make_service()  # the API process: publishes phrases
    agi: TtsService = make_service()  # a FastAGI process on the same media root: plays them
    await api.render("published greeting", language="en")
    await api.render("another published phrase", language="en")
    name = await agi.render("published greeting", language="en")  # a call plays it
    api.cache.max_bytes = api.cache.total_bytes  # the folder is full: the API's next publish evicts

    await api.render("a new phrase from a publish", language="en")

    assert await agi.render("published greeting", language="en") == name  # the next call, from memory
    assert all(agi.path(name, fmt).is_file() for fmt in agi.formats)


async def test_a_slow_gtts_falls_back_to_espeak_by_engine_timeout(
    make_service: Any, slow_gtts: Any, espeak: Any
) -> None:
    settings = EngineSettings(gtts_base_url=slow_gtts.base_url, gtts_timeout=0.5, engine_timeout=1.0)
    service: TtsService = make_service(engines={"gtts": GttsEngine(settings), "espeak-ng": espeak},
                                       default_engine="gtts")  # fmt: skip
    started = time.monotonic()

    name = await service.render("hello there", language="en")

    assert time.monotonic() - started < 3  # the time limit, then espeak's own render
    assert name == f"tts/{service.key_for('hello there', language='en', engine='espeak-ng')}"


def _wav(folder: Path, text: str) -> bytes:
    path = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), text], check=True)
    return path.read_bytes()


async def test_an_engine_past_engine_timeout_is_given_up_and_its_late_audio_never_reaches_the_cache(
    make_service: Any, espeak: Any, tmp_path: Path
) -> None:
    """The service stops waiting at `engine_timeout` whatever the engine does, speaks with the fallback, and the
    synthesis still running on its thread finds nowhere to write: not over the phrase rendered since, not as a
    temp file left in the folder."""
    late = LateEngine(_wav(tmp_path, "stale audio"), seconds=1.0)
    service: TtsService = make_service(engines={"late": late, "espeak-ng": espeak}, default_engine="late")
    service.engine_timeout = 0.3
    started = time.monotonic()

    name = await service.render("hello", language="en")

    assert time.monotonic() - started < 1.0
    assert name == f"tts/{service.key_for('hello', language='en', engine='espeak-ng')}"
    # Another process renders the slow engine's phrase properly meanwhile.
    other: TtsService = make_service(engines={"late": LateEngine(_wav(tmp_path, "fresh audio"), seconds=0)},
                                     default_engine="late", fallback_engine=None)  # fmt: skip
    fresh = await other.render("hello", language="en")
    files = {fmt: other.path(fresh, fmt).read_bytes() for fmt in other.formats}
    await asyncio.to_thread(late.finished.wait, 5)  # the first synthesis ends, too late

    assert {fmt: other.path(fresh, fmt).read_bytes() for fmt in other.formats} == files
    assert sorted(p.name for p in service.cache.folder.iterdir() if p.name.startswith(".")) == [".usage"]


def _late_default(make_service: Any, espeak: Any, tmp_path: Path, *, seconds: float, **options: Any) -> Any:
    late = LateEngine(_wav(tmp_path, "the online voice"), seconds=seconds)
    service: TtsService = make_service(engines={"late": late, "espeak-ng": espeak}, default_engine="late", **options)
    return late, service


async def test_a_caller_waits_caller_wait_then_hears_the_fallback_and_the_next_caller_the_engines_phrase(
    make_service: Any, espeak: Any, tmp_path: Path
) -> None:
    """A FastAGI node's service (`caller_wait`): an online engine slow today keeps the caller in silence only that
    long; the fallback speaks, and the engine's render, which finishes within `engine_timeout`, is what the
    callers after them hear. Before, the caller waited the whole `engine_timeout` (30 s by default)."""
    late, service = _late_default(make_service, espeak, tmp_path, seconds=1.5, caller_wait=0.3, engine_timeout=10)
    started = time.monotonic()

    first = await service.render("hello", language="en")

    assert time.monotonic() - started < 1.2
    assert first == f"tts/{service.key_for('hello', language='en', engine='espeak-ng')}"
    await asyncio.to_thread(late.finished.wait, 5)
    for _ in range(50):  # the render converts its audio after the engine returns
        if service.cache.lookup(service.key_for("hello", language="en", engine="late")):
            break
        await asyncio.sleep(0.1)
    started = time.monotonic()
    second = await service.render("hello", language="en")
    assert time.monotonic() - started < 0.3
    assert second == f"tts/{service.key_for('hello', language='en', engine='late')}"


async def test_the_slow_phrase_is_logged_by_its_key_not_its_words(
    make_service: Any, espeak: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Review, 2026-12-05: the warning quoted the phrase's first 40 characters, a rendered template that may hold a
    client's name, debt or number, in a log that --log-phone-numbers keeps numbers out of."""
    late, service = _late_default(make_service, espeak, tmp_path, seconds=1.0, caller_wait=0.2, engine_timeout=10)
    words = "Ivan Petrov, you owe 1500 roubles, call +79161234567"

    await service.render(words, language="en")
    await asyncio.to_thread(late.finished.wait, 5)
    for _ in range(50):  # the render converts its audio after the engine returns: let it end within the test
        if service.cache.lookup(service.key_for(words, language="en", engine="late")):
            break
        await asyncio.sleep(0.1)

    (said,) = [r.getMessage() for r in caplog.records if "has not rendered" in r.getMessage()]
    assert service.key_for(words, language="en", engine="late") in said
    assert "Ivan" not in said and "+7916" not in said and "1500" not in said


async def test_publishing_waits_for_the_engine_when_no_caller_is_on_the_line(
    make_service: Any, espeak: Any, tmp_path: Path
) -> None:
    _late, service = _late_default(make_service, espeak, tmp_path, seconds=0.8, engine_timeout=10)

    name = await service.render("hello", language="en")

    assert name == f"tts/{service.key_for('hello', language='en', engine='late')}"
    assert espeak.texts == []


async def test_a_caller_who_hangs_up_while_waiting_leaves_the_render_to_finish_for_the_next(
    make_service: Any, espeak: Any, tmp_path: Path
) -> None:
    late, service = _late_default(make_service, espeak, tmp_path, seconds=0.6, caller_wait=5, engine_timeout=10)
    caller = asyncio.ensure_future(service.render("hello", language="en"))
    await asyncio.sleep(0.2)

    caller.cancel()  # the call's task is cancelled when the caller hangs up
    with pytest.raises(asyncio.CancelledError):
        await caller

    await asyncio.to_thread(late.finished.wait, 5)
    for _ in range(50):
        if not service._finishing:
            break
        await asyncio.sleep(0.1)
    assert service.cache.lookup(service.key_for("hello", language="en", engine="late"))
    assert espeak.texts == []


async def test_an_engine_that_fails_after_its_caller_gave_up_is_skipped_for_the_next_callers(
    make_service: Any, espeak: Any, tmp_path: Path
) -> None:
    """The render a caller stopped waiting for ran into `engine_timeout`: the engine is marked down, as when a
    caller sees the failure, so the next callers go to the fallback at once instead of each waiting again."""
    _late, service = _late_default(make_service, espeak, tmp_path, seconds=1.5, caller_wait=0.2, engine_timeout=0.5)

    await service.render("hello", language="en")
    await asyncio.sleep(0.6)  # the engine's time limit passes, no caller waiting
    assert not service._finishing
    started = time.monotonic()
    name = await service.render("good morning", language="en")

    assert time.monotonic() - started < 0.15 + 1.0  # no caller_wait spent on the engine: straight to espeak
    assert name == f"tts/{service.key_for('good morning', language='en', engine='espeak-ng')}"
    assert [text for text, _ in espeak.texts] == ["hello", "good morning"]


def test_renders_caught_by_the_final_cancel_all_end_and_leave_nothing_behind(make_service: Any) -> None:
    """A node stopping while phrases render: `asyncio.run` cancels every task left, asyncio's own with them, and
    must end. Renders started 10 ms apart, then one loop pass apart, are caught in espeak-ng, in each conversion
    and as each process starts; none is left running, and no render's work folder stays in the cache."""
    services: list[TtsService] = []
    tasks: list[asyncio.Task[str]] = []  # the loop holds its tasks weakly

    async def main() -> None:
        service: TtsService = make_service(concurrency=64)  # each render at its own step, none queued
        services.append(service)
        for number in range(24):
            tasks.append(asyncio.create_task(service.render(f"Phrase number {number}", language="en")))
            await asyncio.sleep(0.01)
        for number in range(24, 40):
            await asyncio.sleep(0)
            tasks.append(asyncio.create_task(service.render(f"Phrase number {number}", language="en")))

    run_to_the_end(main, within=10.0)

    assert all(task.done() for task in tasks)
    assert no_children_within(2.0, "sox", "espeak-ng") == []
    assert [p.name for p in services[0].cache.folder.iterdir() if p.is_dir()] == []
