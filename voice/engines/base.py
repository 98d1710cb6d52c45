"""What a TTS engine is: something that turns text into an audio file in some container sox/ffmpeg can read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

# Seconds one synthesis may take as a whole. Past it the service stops waiting and speaks with the fallback
# engine (the caller hears silence meanwhile); each engine also stops its own work there.
ENGINE_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Settings every engine factory receives; an engine reads what concerns it and ignores the rest."""

    gtts_base_url: str = "https://translate.google.com"
    gtts_timeout: float = 5.0  # seconds for each HTTP request (connect, read): a caller hears silence meanwhile
    gtts_retries: int = 3  # attempts after a 429 before giving up
    gtts_backoff: float = 1.0  # first wait after a 429; doubles each time, unless Retry-After says otherwise
    espeak_binary: str = "espeak-ng"
    espeak_speed: int = 150  # words per minute; espeak's default (175) is hurried on a phone line
    engine_timeout: float = ENGINE_TIMEOUT  # seconds a single synthesis may take, all requests and retries included


@runtime_checkable
class TtsEngine(Protocol):
    """A speech engine. `synthesize` writes `target`, a file of the engine's `suffix` that sox and ffmpeg read."""

    name: ClassVar[str]
    suffix: ClassVar[str]  # container the engine writes: ".wav", ".mp3"
    # Bumped when the engine's output for the same input changes, so cached audio is made again.
    revision: ClassVar[int]

    def supports(self, language: str) -> bool:
        """True when the engine can speak this language (BCP 47 tag such as `es`, `ru-RU`, `kk`)."""
        ...

    async def synthesize(self, text: str, *, language: str, voice: str | None, target: Path) -> None:
        """Write speech for `text` to `target`. Raises `SpeechError` subclasses."""
        ...


class EngineFactory(Protocol):
    def __call__(self, settings: EngineSettings) -> Any: ...


def base_language(language: str) -> str:
    """`es-ES` -> `es`; engines that know no regions match on this."""
    return language.split("-", 1)[0].lower()
