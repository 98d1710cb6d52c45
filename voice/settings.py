"""Voice settings a host (AGI server, API) reads from its environment."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from voice.engines.base import EngineSettings
from voice.formats import DEFAULT_FORMATS, AudioFormat, Converter


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    media_root: Path = Path("/var/lib/ivrgraph/media")
    default_engine: str = "espeak-ng"  # engine for scenarios that name none
    fallback_engine: str | None = "espeak-ng"  # spoken instead when an online engine is unreachable
    formats: tuple[AudioFormat, ...] = DEFAULT_FORMATS
    converter: Converter | None = None  # None: sox when installed, else ffmpeg
    cache_max_bytes: int = 2 * 1024**3
    concurrency: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))  # renders at once
    engines: EngineSettings = field(default_factory=EngineSettings)
    # Seconds a caller on the line waits for a phrase not yet rendered (one made from the call's variables, or an
    # online engine slow today) before the fallback voice speaks it; publishing still waits `engine_timeout`.
    caller_wait: float = 3.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> VoiceSettings:
        """Read `IVRGRAPH_MEDIA_ROOT`, `IVRGRAPH_TTS_ENGINE`, `IVRGRAPH_TTS_FALLBACK` (empty: none),
        `IVRGRAPH_TTS_FORMATS` (comma list), `IVRGRAPH_TTS_CONVERTER`, `IVRGRAPH_TTS_CACHE_MB`,
        `IVRGRAPH_GTTS_URL`, `IVRGRAPH_GTTS_TIMEOUT` (one request), `IVRGRAPH_TTS_TIMEOUT` (one synthesis as a whole,
        after which the fallback engine speaks), `IVRGRAPH_TTS_CALLER_WAIT` (how long a caller waits for one)."""
        env = os.environ if environ is None else environ
        base = cls()
        converter = env.get("IVRGRAPH_TTS_CONVERTER") or None
        if converter not in (None, "sox", "ffmpeg"):
            raise ValueError(f"IVRGRAPH_TTS_CONVERTER must be sox or ffmpeg, not {converter!r}")
        formats = env.get("IVRGRAPH_TTS_FORMATS")
        engines = EngineSettings(
            gtts_base_url=env.get("IVRGRAPH_GTTS_URL", base.engines.gtts_base_url),
            gtts_timeout=_seconds(env, "IVRGRAPH_GTTS_TIMEOUT", base.engines.gtts_timeout),
            engine_timeout=_seconds(env, "IVRGRAPH_TTS_TIMEOUT", base.engines.engine_timeout),
        )
        return cls(
            media_root=Path(env.get("IVRGRAPH_MEDIA_ROOT", str(base.media_root))),
            default_engine=env.get("IVRGRAPH_TTS_ENGINE", base.default_engine),
            fallback_engine=env.get("IVRGRAPH_TTS_FALLBACK", base.fallback_engine or "") or None,
            formats=tuple(AudioFormat.parse(f) for f in formats.split(",")) if formats else base.formats,
            converter=converter,  # type: ignore[arg-type]  # checked above
            cache_max_bytes=_megabytes(env, "IVRGRAPH_TTS_CACHE_MB", base.cache_max_bytes),
            engines=engines,
            caller_wait=_seconds(env, "IVRGRAPH_TTS_CALLER_WAIT", base.caller_wait),
        )


# Bounds of the numeric settings: a value outside them cannot work (a negative cache evicts every phrase it just
# made; a timeout of 0 or less sends every phrase to the fallback voice; NaN compares false with everything).
_MAX_SECONDS = 3600.0
_MAX_CACHE_MB = 1_000_000.0  # a terabyte


def _number(env: Mapping[str, str], name: str, *, above: float, at_most: float) -> float | None:
    """The number `name` holds (None when unset or blank); ValueError naming the variable for anything else."""
    text = env.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not above < value <= at_most:  # also refuses NaN and infinities
        raise ValueError(f"{name}={text!r}: expected a number above {above:g} and at most {at_most:,.0f}")
    return value


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    value = _number(env, name, above=0.0, at_most=_MAX_SECONDS)
    return default if value is None else value


def _megabytes(env: Mapping[str, str], name: str, default_bytes: int) -> int:
    value = _number(env, name, above=0.0, at_most=_MAX_CACHE_MB)
    return default_bytes if value is None else max(1, int(value * 1024**2))
