"""espeak-ng: offline speech from the Debian package, run as a subprocess with an argument list."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import ClassVar

from voice.engines.base import EngineSettings, base_language
from voice.errors import EngineFailure, EngineTimeout, UnknownVoice, UnsupportedLanguage
from voice.tools import run_async

# espeak-ng voice per language; a region picks its variant where espeak has one.
_VOICES = {
    "en": "en-us",
    "en-gb": "en",
    "en-us": "en-us",
    "es": "es",
    "es-es": "es",
    "es-mx": "es-419",
    "es-419": "es-419",
    "ru": "ru",
    "kk": "kk",
}
# A voice name from a scenario is passed to espeak as one argument, so it cannot add options; this keeps it
# to espeak's own naming (`en-us`, `es+f3`, `mb-en1`).
_VOICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+-]{0,40}$")


class EspeakEngine:
    name: ClassVar[str] = "espeak-ng"
    suffix: ClassVar[str] = ".wav"
    revision: ClassVar[int] = 1

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()

    def _voice_for(self, language: str) -> str | None:
        tag = language.lower()
        return _VOICES.get(tag) or _VOICES.get(base_language(tag))

    def supports(self, language: str) -> bool:
        return self._voice_for(language) is not None

    async def synthesize(self, text: str, *, language: str, voice: str | None, target: Path) -> None:
        chosen = voice or self._voice_for(language)
        if chosen is None:
            raise UnsupportedLanguage(f"espeak-ng has no voice for language {language!r}")
        if not _VOICE_NAME.fullmatch(chosen):
            raise UnknownVoice(f"not an espeak-ng voice name: {chosen!r}")
        binary = shutil.which(self.settings.espeak_binary)
        if binary is None:
            raise EngineFailure("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
        # The text goes through stdin, not argv: a phrase starting with '-' can never become an option, and
        # without `-m` espeak reads it as plain text, not SSML.
        args = [binary, "-v", chosen, "-s", str(self.settings.espeak_speed), "-w", str(target), "--stdin"]
        try:
            code, _, stderr = await run_async(args, timeout=self.settings.engine_timeout, stdin=text.encode("utf-8"))
        except TimeoutError as error:
            raise EngineTimeout(f"espeak-ng took longer than {self.settings.engine_timeout:g} s") from error
        if code != 0 or not target.exists() or target.stat().st_size <= 44:
            message = stderr.decode("utf-8", "replace").strip()[-300:]
            raise EngineFailure(f"espeak-ng failed (exit {code}): {message or 'no audio written'}")
