"""Voice: speech for calls (TTS engines, cache, Asterisk formats), spoken numbers/money/dates, audio assets."""

from voice.errors import SpeechError, VoiceError
from voice.formats import AudioFormat
from voice.media import MediaRoot
from voice.service import TtsService
from voice.settings import VoiceSettings

__all__ = ["AudioFormat", "MediaRoot", "SpeechError", "TtsService", "VoiceError", "VoiceSettings"]
