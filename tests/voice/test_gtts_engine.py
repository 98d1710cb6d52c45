"""gTTS against the local stand-in of Google's endpoint: audio, 429 with backoff, 5xx, a hang, no audio."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from graph_engine.errors import TtsError
from tests.conftest import free_port
from voice.engines.base import EngineSettings
from voice.engines.gtts_engine import GttsEngine
from voice.errors import GttsError, UnsupportedLanguage
from voice.tools import ffprobe


async def test_speech_comes_back_as_the_mp3_the_service_sent(
    gtts: GttsEngine, fake_gtts: Any, mp3_bytes: bytes, tmp_path: Path
) -> None:
    target = tmp_path / "out.mp3"
    await gtts.synthesize("Hola, buenos días", language="es-ES", voice=None, target=target)

    assert target.read_bytes() == mp3_bytes
    assert ffprobe(target)["format"]["format_name"] == "mp3"
    [request] = fake_gtts.requests
    assert (request.text, request.language) == ("Hola, buenos días", "es")


async def test_rate_limit_is_retried_after_a_backoff(gtts: GttsEngine, fake_gtts: Any, tmp_path: Path) -> None:
    fake_gtts.script("rate_limited", "rate_limited", "audio")
    started = time.monotonic()

    await gtts.synthesize("hello", language="en", voice=None, target=tmp_path / "out.mp3")

    assert [r.answer for r in fake_gtts.requests] == ["rate_limited", "rate_limited", "audio"]
    assert time.monotonic() - started >= 0.05 + 0.1  # backoff 0.05 s, then doubled


async def test_retry_after_header_sets_the_wait(gtts_settings: EngineSettings, fake_gtts: Any, tmp_path: Path) -> None:
    fake_gtts.retry_after = "0.3"
    fake_gtts.script("rate_limited", "audio")
    started = time.monotonic()

    await GttsEngine(gtts_settings).synthesize("hello", language="en", voice=None, target=tmp_path / "out.mp3")

    assert time.monotonic() - started >= 0.3


async def test_persistent_rate_limit_becomes_one_clear_error(gtts: GttsEngine, fake_gtts: Any, tmp_path: Path) -> None:
    fake_gtts.default = "rate_limited"

    with pytest.raises(GttsError) as caught:
        await gtts.synthesize("hello", language="en", voice=None, target=tmp_path / "out.mp3")

    assert caught.value.reason == "rate_limited" and caught.value.status == 429
    assert isinstance(caught.value, TtsError)  # what a block's error exit catches
    assert len(fake_gtts.requests) == 3  # the first try and gtts_retries=2 more


@pytest.mark.parametrize(
    ("answer", "reason"), [("server_error", "server_error"), ("no_audio", "bad_response"), ("hang", "timeout")]
)
async def test_service_failures_map_to_reasons(
    gtts: GttsEngine, fake_gtts: Any, tmp_path: Path, answer: str, reason: str
) -> None:
    fake_gtts.default = answer
    started = time.monotonic()

    with pytest.raises(GttsError) as caught:
        await gtts.synthesize("hello", language="en", voice=None, target=tmp_path / "out.mp3")

    assert caught.value.reason == reason
    assert len(fake_gtts.requests) == 1  # only rate limits are retried
    assert time.monotonic() - started < 5  # the hang ends at the 0.5 s read timeout


@pytest.mark.parametrize("text", ["", "   ", "?!...", "—"])
async def test_text_without_words_is_refused_before_any_request(
    gtts: GttsEngine, fake_gtts: Any, tmp_path: Path, text: str
) -> None:
    with pytest.raises(GttsError) as caught:
        await gtts.synthesize(text, language="en", voice=None, target=tmp_path / "out.mp3")

    assert caught.value.reason == "nothing_to_say"
    assert fake_gtts.requests == []


async def test_unreachable_service(tmp_path: Path) -> None:
    port = free_port()
    engine = GttsEngine(EngineSettings(gtts_base_url=f"http://127.0.0.1:{port}", gtts_timeout=0.5))

    with pytest.raises(GttsError) as caught:
        await engine.synthesize("hello", language="en", voice=None, target=tmp_path / "out.mp3")

    assert caught.value.reason == "unreachable"
    assert caught.value.service_unavailable


async def test_languages_google_does_not_speak_are_refused(gtts: GttsEngine, tmp_path: Path) -> None:
    assert gtts.supports("ru") and gtts.supports("es-MX") and not gtts.supports("kk")
    with pytest.raises(UnsupportedLanguage):
        await gtts.synthesize("Сәлем", language="kk", voice=None, target=tmp_path / "out.mp3")


async def test_long_text_is_sent_in_parts_and_the_audio_joined(
    gtts: GttsEngine, fake_gtts: Any, mp3_bytes: bytes, tmp_path: Path
) -> None:
    text = "Gracias por llamar al banco. " * 8  # over the 100 characters the service takes at once
    target = tmp_path / "out.mp3"

    await gtts.synthesize(text, language="es", voice=None, target=target)

    assert len(fake_gtts.requests) >= 3
    words = " ".join(r.text for r in fake_gtts.requests).replace(".", "").split()
    assert words == text.replace(".", "").split()  # gTTS cuts at the full stops, which it drops
    assert target.read_bytes() == mp3_bytes * len(fake_gtts.requests)


async def test_a_429_mid_text_starts_the_text_again(
    gtts: GttsEngine, fake_gtts: Any, mp3_bytes: bytes, tmp_path: Path
) -> None:
    text = "Gracias por llamar al banco. " * 5
    fake_gtts.script("audio", "rate_limited")
    target = tmp_path / "out.mp3"

    await gtts.synthesize(text, language="es", voice=None, target=target)

    parts = sum(1 for r in fake_gtts.requests if r.answer == "audio") - 1  # the first part was fetched twice
    assert target.read_bytes() == mp3_bytes * parts


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("hello there", 10.0), (" ".join(f"Sentence number {n} of a long prompt." for n in range(40)), 0.3)],
    ids=["one trickling answer", "many slow parts"],
)
async def test_a_slow_service_is_given_up_at_engine_timeout(
    slow_gtts: Any, tmp_path: Path, text: str, seconds: float
) -> None:
    """Review, 2026-12: only the per-read timeout applied, so an answer trickling in, or a long phrase's dozens of
    requests one after the other, kept a caller in silence without bound, and the fallback never started."""
    slow_gtts.seconds = seconds  # each read well within gtts_timeout
    settings = EngineSettings(gtts_base_url=slow_gtts.base_url, gtts_timeout=0.5, engine_timeout=1.0)
    target = tmp_path / "out.mp3"
    started = time.monotonic()

    with pytest.raises(GttsError) as caught:
        await GttsEngine(settings).synthesize(text, language="en", voice=None, target=target)

    assert time.monotonic() - started < 1.5
    assert caught.value.reason == "timeout" and caught.value.service_unavailable
    assert not target.exists()


async def test_a_rate_limit_retry_that_would_pass_engine_timeout_is_not_waited_for(
    fake_gtts: Any, tmp_path: Path
) -> None:
    fake_gtts.default, fake_gtts.retry_after = "rate_limited", "0.6"
    settings = EngineSettings(gtts_base_url=fake_gtts.base_url, gtts_retries=3, engine_timeout=1.0)
    started = time.monotonic()

    with pytest.raises(GttsError) as caught:
        await GttsEngine(settings).synthesize("hello", language="en", voice=None, target=tmp_path / "out.mp3")

    assert time.monotonic() - started < 1.0  # one wait of 0.6 s, not three (1.8 s)
    assert caught.value.reason == "rate_limited" and caught.value.service_unavailable
    assert len(fake_gtts.requests) == 2
