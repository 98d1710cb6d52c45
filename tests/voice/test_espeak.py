"""espeak-ng as a subprocess: text through stdin, voices per language, clear failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice.engines.base import EngineSettings
from voice.engines.espeak import EspeakEngine
from voice.errors import EngineFailure, UnknownVoice, UnsupportedLanguage
from voice.tools import measure


@pytest.mark.parametrize("language", ["en", "en-GB", "es", "es-MX", "ru", "kk"])
async def test_each_language_is_spoken(tmp_path: Path, language: str) -> None:
    target = tmp_path / "out.wav"
    await EspeakEngine().synthesize("12345", language=language, voice=None, target=target)
    stats = measure(target)
    assert stats.sample_rate == 22050 and stats.seconds > 0.5 and not stats.silent


async def test_text_that_looks_like_an_option_or_markup_is_just_spoken(tmp_path: Path) -> None:
    plain, tricky = tmp_path / "plain.wav", tmp_path / "tricky.wav"
    await EspeakEngine().synthesize("hello", language="en", voice=None, target=plain)
    await EspeakEngine().synthesize("--version <speak>hello</speak>", language="en", voice=None, target=tricky)
    assert measure(tricky).seconds > measure(plain).seconds  # the whole text was read aloud


async def test_languages_and_voices_it_cannot_use(tmp_path: Path) -> None:
    engine = EspeakEngine()
    assert not engine.supports("xx")
    with pytest.raises(UnsupportedLanguage):
        await engine.synthesize("hi", language="xx", voice=None, target=tmp_path / "a.wav")
    with pytest.raises(UnknownVoice, match="voice name"):
        await engine.synthesize("hi", language="en", voice="-w /etc/passwd", target=tmp_path / "a.wav")


async def test_missing_binary_is_an_engine_failure(tmp_path: Path) -> None:
    engine = EspeakEngine(EngineSettings(espeak_binary="espeak-ng-not-installed"))
    with pytest.raises(EngineFailure, match="not installed"):
        await engine.synthesize("hi", language="en", voice=None, target=tmp_path / "a.wav")
