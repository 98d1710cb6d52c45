"""Engines found through `ivrgraph.tts`, plugins checked as they load, and settings from the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from voice.engines import loading
from voice.engines.base import EngineSettings, TtsEngine
from voice.engines.espeak import EspeakEngine
from voice.engines.gtts_engine import GttsEngine
from voice.engines.loading import EnginePluginError, load_engines
from voice.formats import AudioFormat
from voice.service import TtsService
from voice.settings import VoiceSettings


def test_built_in_engines_load_with_the_settings() -> None:
    engines = load_engines(EngineSettings(gtts_base_url="http://127.0.0.1:9"))
    assert isinstance(engines["espeak-ng"], EspeakEngine)
    assert isinstance(engines["gtts"], GttsEngine) and engines["gtts"].settings.gtts_base_url == "http://127.0.0.1:9"
    assert all(isinstance(engine, TtsEngine) for engine in engines.values())


class _EntryPoint:
    def __init__(self, name: str, target: Any) -> None:
        self.name, self.value, self._target = name, f"plugins:{name}", target

    def load(self) -> Any:
        if isinstance(self._target, Exception):
            raise self._target
        return self._target


class SyncEngine:
    name: ClassVar[str] = "sync"
    suffix: ClassVar[str] = ".wav"
    revision: ClassVar[int] = 1

    def __init__(self, settings: EngineSettings) -> None:
        pass

    def supports(self, language: str) -> bool:
        return True

    def synthesize(self, text: str, *, language: str, voice: str | None, target: Path) -> None:
        pass


@pytest.mark.parametrize(
    ("target", "problem"),
    [(ImportError("no module named festival"), "failed to load"), (SyncEngine, "coroutine"),
     (lambda settings: object(), "has no 'name'")],
)  # fmt: skip
def test_a_broken_plugin_is_named(monkeypatch: pytest.MonkeyPatch, target: Any, problem: str) -> None:
    monkeypatch.setattr(loading, "entry_points", lambda group: [_EntryPoint("festival", target)])
    with pytest.raises(EnginePluginError, match=f"'festival'.*{problem}"):
        load_engines()


def test_settings_from_the_environment(tmp_path: Path) -> None:
    settings = VoiceSettings.from_env(
        {
            "IVRGRAPH_MEDIA_ROOT": str(tmp_path),
            "IVRGRAPH_TTS_ENGINE": "gtts",
            "IVRGRAPH_TTS_FALLBACK": "",
            "IVRGRAPH_TTS_FORMATS": "sln, ulaw",
            "IVRGRAPH_TTS_CONVERTER": "ffmpeg",
            "IVRGRAPH_TTS_CACHE_MB": "5",
            "IVRGRAPH_GTTS_URL": "http://127.0.0.1:8080",
            "IVRGRAPH_GTTS_TIMEOUT": "2.5",
            "IVRGRAPH_TTS_TIMEOUT": "8",
            "IVRGRAPH_TTS_CALLER_WAIT": "1.5",
        }
    )
    assert settings.default_engine == "gtts" and settings.fallback_engine is None
    assert settings.formats == (AudioFormat.SLN, AudioFormat.ULAW) and settings.converter == "ffmpeg"
    assert settings.cache_max_bytes == 5 * 1024**2
    assert settings.engines.gtts_base_url == "http://127.0.0.1:8080" and settings.engines.gtts_timeout == 2.5
    service = TtsService.from_settings(settings)
    assert settings.engines.engine_timeout == 8 and service.engine_timeout == 8
    assert service.cache.folder == tmp_path.resolve() / "tts" and service.converter == "ffmpeg"
    # Publishing and previews wait for the engine; only a FastAGI node's callers are given the fallback sooner.
    assert service.caller_wait is None
    assert TtsService.from_settings(settings, for_calls=True).caller_wait == 1.5
    assert VoiceSettings.from_env({}).caller_wait == 3.0
    with pytest.raises(ValueError, match="sox or ffmpeg"):
        VoiceSettings.from_env({"IVRGRAPH_TTS_CONVERTER": "lame"})


@pytest.mark.parametrize(
    ("name", "value"),
    [("IVRGRAPH_TTS_TIMEOUT", "abc"), ("IVRGRAPH_TTS_TIMEOUT", "0"), ("IVRGRAPH_TTS_TIMEOUT", "nan"),
     ("IVRGRAPH_GTTS_TIMEOUT", "-1"), ("IVRGRAPH_GTTS_TIMEOUT", "inf"), ("IVRGRAPH_TTS_CACHE_MB", "-5"),
     ("IVRGRAPH_TTS_CACHE_MB", "lots"), ("IVRGRAPH_TTS_CALLER_WAIT", "0"), ("IVRGRAPH_TTS_CALLER_WAIT", "soon")],
)  # fmt: skip
def test_a_number_setting_that_cannot_work_is_refused_by_name(name: str, value: str) -> None:
    # A negative cache evicted every phrase as it was made; a timeout of 0 or -1 sent every phrase to the fallback
    # voice; "abc" stopped start-up with float()'s message, naming no variable.
    with pytest.raises(ValueError, match=f"^{name}='{value}': expected a number above 0"):
        VoiceSettings.from_env({name: value})


def test_blank_number_settings_keep_their_defaults() -> None:
    settings = VoiceSettings.from_env({"IVRGRAPH_TTS_TIMEOUT": " ", "IVRGRAPH_TTS_CACHE_MB": ""})
    assert settings.engines.engine_timeout == VoiceSettings().engines.engine_timeout
    assert settings.cache_max_bytes == VoiceSettings().cache_max_bytes
