"""Voice: speech for calls, cached and converted for Asterisk; spoken numbers, money and dates; audio assets.

    TtsService (service.py)    implements graph_engine.services.TextToSpeech: render(text, language=, voice=,
                               engine=) -> "tts/<hash>", a media name under the media root
    engines (engines/)         espeak-ng (offline, default) and gTTS, found through entry points `ivrgraph.tts`
    PhraseCache (cache.py)     files by hash, atomic writes, one byte bound for every process on the folder,
                               least recently used (by file times) evicted first
    formats.py, tools.py       .sln, .wav (8 kHz), .sln16, .wav16 (16 kHz), .ulaw via sox or ffmpeg argument lists
    prerender.py               publish-time rendering of every static phrase; failures name their node
    spoken.py, templating.py   money(), spoken_date(), number(), ordinal(), digits() for templates (en/es/ru/kk)
    assets.py                  uploaded WAV/MP3/OGG/FLAC: probed, converted, stored as assets/<id>
    settings.py                VoiceSettings.from_env(): IVRGRAPH_MEDIA_ROOT, IVRGRAPH_TTS_ENGINE, ...

Media layout: <media root>/tts/<hash>.{sln,sln16,ulaw,wav16} and <media root>/assets/<id>.{...}; the designer's
previews in <media root>/tts-preview/ (64 MiB at most, never evicting a call's phrase); a phrase that says a
sensitive value in <media root>/tts-call/<process>/<call>/, for its call alone (private.py). Asterisk finds
them when the media root is (or is linked as) the `ivrgraph` folder of its sounds directory.
"""

from voice.errors import SpeechError, VoiceError
from voice.formats import AudioFormat
from voice.media import MediaRoot
from voice.service import TtsService
from voice.settings import VoiceSettings

__all__ = ["AudioFormat", "MediaRoot", "SpeechError", "TtsService", "VoiceError", "VoiceSettings"]
