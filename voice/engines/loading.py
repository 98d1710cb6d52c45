"""Finding TTS engines: the entry-point group `ivrgraph.tts`, where the built-in engines are registered too."""

from __future__ import annotations

import inspect
from importlib.metadata import entry_points

from voice.engines.base import EngineSettings, TtsEngine
from voice.engines.espeak import EspeakEngine
from voice.engines.gtts_engine import GttsEngine
from voice.errors import EnginePluginError

__all__ = ["ENTRY_POINT_GROUP", "EnginePluginError", "load_engines"]

ENTRY_POINT_GROUP = "ivrgraph.tts"
# Used only when the package metadata has no `ivrgraph.tts` entry points at all (a source tree not installed).
_BUILTIN = {EspeakEngine.name: EspeakEngine, GttsEngine.name: GttsEngine}


def _check(plugin: str, engine: object) -> TtsEngine:
    for attribute in ("name", "suffix", "revision", "supports", "synthesize"):
        if not hasattr(engine, attribute):
            raise EnginePluginError(f"TTS engine plugin {plugin!r} has no {attribute!r}")
    if not inspect.iscoroutinefunction(engine.synthesize):  # type: ignore[attr-defined]
        raise EnginePluginError(f"TTS engine plugin {plugin!r}: synthesize must be a coroutine function")
    if not isinstance(engine, TtsEngine):
        raise EnginePluginError(f"TTS engine plugin {plugin!r} does not implement TtsEngine")
    return engine


def load_engines(settings: EngineSettings | None = None) -> dict[str, TtsEngine]:
    """Every installed engine, by name, built with `settings`. Raises `EnginePluginError` naming a broken one."""
    settings = settings or EngineSettings()
    found = {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}
    engines: dict[str, TtsEngine] = {}
    if not found:
        for name, factory in _BUILTIN.items():
            engines[name] = _check(name, factory(settings))
        return engines
    for name, point in sorted(found.items()):
        try:
            factory = point.load()
            engine = factory(settings)
        except Exception as error:
            raise EnginePluginError(f"TTS engine plugin {name!r} ({point.value}) failed to load: {error}") from error
        engines[name] = _check(name, engine)
    return engines
