"""Errors of the voice package.

    VoiceError
     ├── SpeechError (graph_engine.errors.TtsError)   a phrase could not be turned into playable audio
     │    ├── NothingToSay        the text is empty or punctuation only
     │    ├── UnknownEngine       no TTS engine of that name is installed
     │    ├── UnsupportedLanguage the engine cannot speak this language
     │    ├── UnknownVoice        no voice of that name (a caller of the API asked for one), not an engine failure
     │    ├── EngineFailure       the engine ran and failed (espeak-ng exit code, missing binary)
     │    │    ├── EngineTimeout  the synthesis took longer than `engine_timeout` as a whole
     │    │    └── GttsError      Google's service failed; `reason` says how (rate_limited, unreachable, ...)
     │    └── ConversionError     sox/ffmpeg could not convert the audio
     ├── EnginePluginError        a TTS engine plugin (entry point `ivrgraph.tts`) is broken; names it
     ├── MediaPathError           a media name is malformed or would leave the media root
     └── AssetError               an uploaded audio file is refused; `code` is stable for the API
          ├── AssetTooLarge       more bytes than the limit
          ├── AssetNotAudio       not a readable WAV, MP3, OGG or FLAC file
          └── AssetTooLong        longer than the duration limit

A SpeechError is what a block sees as a failed TTS call (its `error` exit). Only an engine failure whose
`service_unavailable` is true lets the service fall back to the offline engine: an `EngineTimeout`, or a
`GttsError` whose reason is `rate_limited`, `unreachable`, `timeout` or `server_error`.
"""

from __future__ import annotations

from typing import Literal

from graph_engine.errors import TtsError


class VoiceError(Exception):
    """Base of every error raised by the voice package."""


class SpeechError(TtsError, VoiceError):
    """A phrase could not be rendered to playable audio."""


class NothingToSay(SpeechError):
    """The text has no letters or digits to speak (empty, blank or punctuation only)."""


class UnknownEngine(SpeechError):
    """No TTS engine with this name is installed (entry-point group `ivrgraph.tts`)."""


class UnsupportedLanguage(SpeechError):
    """The engine has no voice for the language."""


class UnknownVoice(SpeechError):
    """The voice asked for is no voice name of the engine: the request's fault (422), not a failing engine (502)."""


class EngineFailure(SpeechError):
    """The engine ran and failed."""

    @property
    def service_unavailable(self) -> bool:
        """True when another engine may do better (this one is down, refuses us or is too slow)."""
        return False


class EngineTimeout(EngineFailure):
    """The synthesis took longer than the engine's time limit (`EngineSettings.engine_timeout`) as a whole."""

    @property
    def service_unavailable(self) -> bool:
        return True


GttsReason = Literal["rate_limited", "unreachable", "timeout", "server_error", "bad_response", "nothing_to_say"]


class GttsError(EngineFailure):
    """Google's TTS service failed. `reason` is stable; `status` is the HTTP status when there was one."""

    def __init__(self, reason: GttsReason, message: str, *, status: int | None = None) -> None:
        super().__init__(f"gTTS {reason}: {message}")
        self.reason: GttsReason = reason
        self.status = status

    @property
    def service_unavailable(self) -> bool:
        """True when another engine may do better (the service is down or refuses us), not when the text is bad."""
        return self.reason in ("rate_limited", "unreachable", "timeout", "server_error")


class ConversionError(SpeechError):
    """sox or ffmpeg could not convert the audio."""


class EnginePluginError(VoiceError):
    """A TTS engine plugin is broken; the message names it."""


class MediaPathError(VoiceError):
    """A media name is malformed or would resolve outside the media root."""


AssetErrorCode = Literal["too_large", "not_audio", "too_long"]


class AssetError(VoiceError):
    """An uploaded audio file is refused. `code` is stable and safe to show; the message explains it."""

    code: AssetErrorCode = "not_audio"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class AssetTooLarge(AssetError):
    code: AssetErrorCode = "too_large"


class AssetNotAudio(AssetError):
    code: AssetErrorCode = "not_audio"


class AssetTooLong(AssetError):
    code: AssetErrorCode = "too_long"
