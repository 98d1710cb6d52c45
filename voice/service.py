"""The TTS service a call uses: text in, the media name of cached, Asterisk-ready audio out.

render(text, language=, voice=, engine=)
  -> seen in the last few seconds? -> name (no hashing, no file system)
  -> normalize -> key -> cache hit? -> name
                    \\-> single flight: engine writes raw audio -> sox/ffmpeg per format -> atomic store
  -> the engine is given `engine_timeout` seconds as a whole; past it, or on an unreachable online engine: the
     offline fallback engine (and the failed engine is skipped for a while)
  -> a service for calls (`caller_wait`) gives a caller on the line the fallback's phrase once the engine has
     kept them `caller_wait` seconds; the engine's render goes on, and the callers after them get it

render_private(text, ...): a phrase that says a sensitive value (BlockContext.speech asks for it) skips all of the
above but the engines: it is spoken for the call now running alone, under a random name in the call's own folder,
which goes when the call ends (voice/private.py); never in the cache nor in the recent-use shortcut, and its text (or
its cache key, a hash of it) in no log line or error.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path, PurePath

from voice.cache import GRACE_SECONDS, TOUCH_SECONDS, PhraseCache, phrase_key
from voice.engines.base import ENGINE_TIMEOUT, TtsEngine
from voice.engines.loading import load_engines
from voice.errors import EngineFailure, EngineTimeout, NothingToSay, SpeechError, UnknownEngine, UnsupportedLanguage
from voice.formats import DEFAULT_FORMATS, AudioFormat, Converter
from voice.media import MediaRoot
from voice.private import PrivatePhrases
from voice.settings import VoiceSettings
from voice.singleflight import SingleFlight
from voice.templating import install_template_functions
from voice.text import normalize_text, speakable
from voice.tools import convert_async, pick_converter, remove_quietly

log = logging.getLogger(__name__)

TTS_FOLDER = "tts"
# Previews a designer asks for (POST /api/tts/preview) live apart from the phrases calls play, in a small cache of
# their own: however many previews anyone asks for, they never evict a phrase rendered at publish.
PREVIEW_FOLDER = "tts-preview"
PREVIEW_CACHE_BYTES = 64 * 1024**2  # a few hundred phrases: what designers listen to while they edit
# What a preview is rendered to, whatever formats calls use (IVRGRAPH_TTS_FORMATS): the WAV a browser plays.
PREVIEW_FORMAT = AudioFormat.WAV16
MAX_TEXT = 5000  # characters; a prompt is sentences, and this bounds what one call can make us synthesize
UNAVAILABLE_COOLDOWN = 60.0  # seconds an unreachable engine is skipped, so each call does not wait its timeout
# A phrase whose files were checked this recently is served without checking them again. Calls repeat the same
# phrases all day, and each check cost a hash and four stat() calls on the event loop (bench/agi_load.py).
# Checking a phrase marks it used on disk, and no process evicts a phrase used within the cache's grace period,
# which is longer than this (see `_cache_grace`), so the files of a name served this way are still there.
RECHECK_SECONDS = 5.0
_MAX_HOT = 10_000


def _cache_grace(recheck_seconds: float) -> float:
    """The cache's grace period for a service whose shortcut trusts a check for `recheck_seconds`: a name is
    served until then, and the check behind it may have left the phrase's time up to `TOUCH_SECONDS` old."""
    return max(GRACE_SECONDS, 2 * (recheck_seconds + TOUCH_SECONDS))


class TtsService:
    """Implements `graph_engine.services.TextToSpeech`."""

    def __init__(
        self,
        media: MediaRoot,
        engines: Mapping[str, TtsEngine],
        *,
        default_engine: str = "espeak-ng",
        fallback_engine: str | None = "espeak-ng",
        formats: tuple[AudioFormat, ...] = DEFAULT_FORMATS,
        converter: Converter | None = None,
        cache_max_bytes: int = 2 * 1024**3,
        concurrency: int = 2,
        recheck_seconds: float = RECHECK_SECONDS,
        folder: str = TTS_FOLDER,
        engine_timeout: float = ENGINE_TIMEOUT,
        caller_wait: float | None = None,
    ) -> None:
        if not formats:
            raise ValueError("TtsService needs at least one output format")
        self.media = media
        self.engines = dict(engines)
        self.default_engine = default_engine
        self.fallback_engine = fallback_engine
        self.formats = formats
        self.converter: Converter = pick_converter(converter)
        self.folder = folder
        self.cache = PhraseCache(
            media.folder(folder),
            [f.extension for f in formats],
            max_bytes=cache_max_bytes,
            grace_seconds=_cache_grace(recheck_seconds),
        )
        self.engine_timeout = engine_timeout
        # None: wait for the engine up to `engine_timeout` (publishing, previews: nobody is on the line).
        self.caller_wait = caller_wait
        self._finishing: set[asyncio.Task[str]] = set()  # renders a caller stopped waiting for
        self._flight: SingleFlight[None] = SingleFlight()
        self._slots = asyncio.Semaphore(concurrency)
        self._unavailable_until: dict[str, float] = {}
        self.renders = 0  # phrases synthesized (not served from the cache); read by tests and the benchmark
        self._recheck_seconds = recheck_seconds
        # (text, language, voice, engine) as asked -> (cache key, media name, checked at)
        self._hot: dict[tuple[str, str, str | None, str | None], tuple[str, str, float]] = {}
        self.private = PrivatePhrases(media)  # phrases with sensitive values, one folder per call

    @classmethod
    def from_settings(
        cls, settings: VoiceSettings, engines: Mapping[str, TtsEngine] | None = None, *, for_calls: bool = False
    ) -> TtsService:
        """The service a host builds at start-up. It also offers `money()`, `spoken_date()`... to templates, so
        a host that speaks phrases also runs the templates that use them. `for_calls`: a FastAGI node's, whose
        callers wait at most `settings.caller_wait` for a phrase before the fallback voice speaks it."""
        install_template_functions()
        media = MediaRoot(settings.media_root)
        media.ensure()
        service = cls(
            media,
            engines if engines is not None else load_engines(settings.engines),
            default_engine=settings.default_engine,
            fallback_engine=settings.fallback_engine,
            formats=settings.formats,
            converter=settings.converter,
            cache_max_bytes=settings.cache_max_bytes,
            concurrency=settings.concurrency,
            engine_timeout=settings.engines.engine_timeout,
            caller_wait=settings.caller_wait if for_calls else None,
        )
        if for_calls:  # a node killed mid-call left its callers' sensitive phrases: gone before it takes calls
            service.private.sweep()
        return service

    def for_previews(self) -> TtsService:
        """A service for the designer's previews: the same engines and voices (a preview sounds as the call will),
        rendered to `PREVIEW_FORMAT` alone (the browser's, which calls may not use), its own bounded cache under
        `PREVIEW_FOLDER`, and one render at a time, so previews take neither the phrases nor the render slots calls
        need."""
        return TtsService(
            self.media,
            self.engines,
            default_engine=self.default_engine,
            fallback_engine=self.fallback_engine,
            formats=(PREVIEW_FORMAT,),
            converter=self.converter,
            cache_max_bytes=PREVIEW_CACHE_BYTES,
            concurrency=1,
            folder=PREVIEW_FOLDER,
            engine_timeout=self.engine_timeout,
        )

    # -- the TextToSpeech protocol ----------------------------------------------------------------------
    async def render(self, text: str, *, language: str, voice: str | None = None, engine: str | None = None) -> str:
        """The media name (`tts/<key>`; a preview service's folder for its own) of `text` spoken. Raises
        `SpeechError` (a `TtsError`)."""
        asked = (text, language, voice, engine)
        hot = self._hot.get(asked)
        now = time.monotonic()
        if hot is not None and now - hot[2] < self._recheck_seconds and self.cache.touch(hot[0], now):
            return hot[1]
        name, lasting = await self._render(text, language=language, voice=voice, engine=engine)
        if not lasting:  # the fallback spoke for an engine still rendering: the next caller gets the engine's
            return name
        if len(self._hot) >= _MAX_HOT:
            self._hot.clear()
        self._hot[asked] = (name.removeprefix(f"{self.folder}/"), name, now)
        return name

    async def render_private(
        self, text: str, *, language: str, voice: str | None = None, engine: str | None = None
    ) -> str:
        """The media name of `text` spoken for the call now running alone: a phrase that says a sensitive value
        (`graph_engine.services.PrivateSpeech`). Never in the phrase cache nor the recent-use shortcut, named at
        random (not by its cache key), its files removed once the call's task has ended (voice/private.py). The
        same engine and fallback as `render`, without its render going on for later callers: there are none. No
        error or log line quotes its text. Raises `SpeechError`."""
        spoken = normalize_text(text)
        if not speakable(spoken):
            raise NothingToSay("nothing to say in a phrase with a sensitive value")
        if len(spoken) > MAX_TEXT:
            raise SpeechError(f"the phrase has {len(spoken)} characters; at most {MAX_TEXT} are spoken")
        engine, voice = self._split_voice(engine, voice)
        name = engine or self.default_engine
        fallback = self._fallback_for(name, language)
        try:
            folder, folder_name = await self.private.call_folder()
        except OSError as error:
            raise SpeechError(f"cannot write speech under {self.private.base}: {error}") from error
        if fallback is not None and self._unavailable_until.get(name, 0.0) > time.monotonic():
            phrase = await self._speak_privately(fallback, spoken, language, None, folder)
        else:
            try:
                phrase = await self._private_for_caller(name, spoken, language, voice, fallback, folder)
            except EngineFailure as error:
                if fallback is None or not error.service_unavailable:
                    raise
                self._mark_unavailable(name, error, fallback)
                phrase = await self._speak_privately(fallback, spoken, language, None, folder)
        return f"{folder_name}/{phrase}"

    async def _private_for_caller(
        self, name: str, text: str, language: str, voice: str | None, fallback: str | None, folder: Path
    ) -> str:
        """The engine's private phrase; the fallback's once a caller has waited `caller_wait` for it (see
        `_render_for_caller`: the same wait, but the engine's render is given up, as nobody else will hear it)."""
        if fallback is None or self.caller_wait is None:
            return await self._speak_privately(name, text, language, voice, folder)
        try:
            return await asyncio.wait_for(self._speak_privately(name, text, language, voice, folder), self.caller_wait)
        except TimeoutError:
            log.warning(
                "TTS engine %s has not rendered a phrase with a sensitive value within %g s; this caller hears %s",
                name, self.caller_wait, fallback,
            )  # fmt: skip
        return await self._speak_privately(fallback, text, language, None, folder)

    async def _speak_privately(
        self, engine_name: str, text: str, language: str, voice: str | None, folder: Path
    ) -> str:
        """Speak `text` into `folder` (a call's) under a random name, returned; nothing of it anywhere else."""
        engine = self.engine(engine_name)
        if not engine.supports(language):
            raise UnsupportedLanguage(f"TTS engine {engine_name!r} cannot speak language {language!r}")
        phrase = secrets.token_hex(8)
        async with self._slots:
            work = folder / f".{phrase}"
            try:
                work.mkdir()
                outputs = await self._produce(engine, text, language, voice, work)
                for extension, path in outputs.items():
                    os.replace(path, folder / f"{phrase}{extension}")
                self.renders += 1
            except OSError as error:
                raise SpeechError(f"cannot write speech under {folder}: {error}") from error
            finally:
                shutil.rmtree(work, ignore_errors=True)
        return phrase

    async def _render(self, text: str, *, language: str, voice: str | None, engine: str | None) -> tuple[str, bool]:
        """The media name, and whether it is the phrase callers get from now on (not a caller's stand-in)."""
        spoken = normalize_text(text)
        if not speakable(spoken):
            raise NothingToSay(f"nothing to say in {text[:40]!r}")
        if len(spoken) > MAX_TEXT:
            raise SpeechError(f"the phrase has {len(spoken)} characters; at most {MAX_TEXT} are spoken")
        engine, voice = self._split_voice(engine, voice)
        name = engine or self.default_engine
        fallback = self._fallback_for(name, language)
        if fallback is not None and self._unavailable_until.get(name, 0.0) > time.monotonic():
            # While the engine is marked down, what it rendered before (at publish) is still the best answer.
            if name in self.engines:
                key = self.key_for(spoken, language=language, voice=voice, engine=name)
                if self.cache.lookup(key):
                    return self.media_name(key), True
            return await self._render_with(fallback, spoken, language, None), True
        try:
            if fallback is not None and self.caller_wait is not None:
                return await self._render_for_caller(name, spoken, language, voice, fallback)
            return await self._render_with(name, spoken, language, voice), True
        except EngineFailure as error:
            if fallback is None or not error.service_unavailable:
                raise
            self._mark_unavailable(name, error, fallback)
            # The engine's voice names mean nothing to the fallback, so it speaks with its default voice.
            return await self._render_with(fallback, spoken, language, None), True

    async def _render_for_caller(
        self, name: str, text: str, language: str, voice: str | None, fallback: str
    ) -> tuple[str, bool]:
        """The engine's phrase when it is ready within `caller_wait`; else the fallback's, spoken now, while the
        engine's render goes on (up to `engine_timeout`) for the callers after this one. A caller on the line
        hears silence while a phrase renders: a slow online engine must not cost them half a minute of it."""
        key = self.key_for(text, language=language, voice=voice, engine=name)
        if self.cache.lookup(key):
            return self.media_name(key), True
        rendering = asyncio.ensure_future(self._render_with(name, text, language, voice))
        try:
            return await asyncio.wait_for(asyncio.shield(rendering), self.caller_wait), True
        except TimeoutError:
            # The phrase by its cache key, not its words: a rendered template may hold a client's name, debt or
            # number, and the log may be read more widely than the calls (--log-phone-numbers).
            log.warning(
                "TTS engine %s has not rendered phrase %s within %g s; this caller hears %s meanwhile",
                name, key, self.caller_wait, fallback,
            )  # fmt: skip
        finally:
            if not rendering.done():  # given up, or the caller hung up: the render finishes on its own
                self._finishing.add(rendering)
                rendering.add_done_callback(lambda done: self._finished_late(done, name, fallback))
        return await self._render_with(fallback, text, language, None), False

    def _finished_late(self, rendering: asyncio.Task[str], name: str, fallback: str) -> None:
        """A render no caller waits for any more ended: an engine it found down is skipped for a while, as when
        a caller sees the failure; the phrase it made is in the cache for the next caller."""
        self._finishing.discard(rendering)
        if rendering.cancelled():
            return
        error = rendering.exception()
        if isinstance(error, EngineFailure) and error.service_unavailable:
            self._mark_unavailable(name, error, fallback)
        elif error is not None:
            log.warning("TTS engine %s failed a phrase no caller waited for: %s", name, error)

    def _mark_unavailable(self, name: str, error: EngineFailure, fallback: str) -> None:
        log.warning("TTS engine %s unavailable (%s); speaking with %s", name, error, fallback)
        self._unavailable_until[name] = time.monotonic() + UNAVAILABLE_COOLDOWN

    async def install(self, name: str, text: str, *, language: str) -> bool:
        """Speak `text` into the media root under the fixed name `name` (`unavailable`: `<root>/unavailable.sln`,
        `.sln16`, ...), for a prompt played by its name rather than by a scenario: the FastAGI fallback's, which the
        dialplan plays too when no node answers. The files are this service's: each is replaced atomically, and
        they are spoken again only when one is missing or what shapes the audio changed (text, language, engine,
        its voice, formats), as the stamp beside them (`.<name>.phrase`, the phrase's cache key) tells. True when
        it wrote them. Raises `SpeechError` (a `TtsError`), or OSError when the media root cannot take them."""
        stamp = self.media.resolve(name).with_name(f".{PurePath(name).name}.phrase")
        wanted = self.key_for(text, language=language)
        if _read_stamp(stamp) == wanted and all(self.path(name, fmt).exists() for fmt in self.formats):
            return False
        spoken = await self.render(text, language=language)
        # The key of what was spoken, which is another engine's when the fallback engine spoke for this one: the
        # next start then tries this one again.
        await asyncio.to_thread(self._put, spoken, name, stamp, spoken.removeprefix(f"{self.folder}/"))
        return True

    def _put(self, spoken: str, name: str, stamp: Path, key: str) -> None:
        """Copy the phrase `spoken` (in the cache, which may evict it) to `name`; the stamp last, so a process
        stopped halfway leaves a stamp that does not match and the next start speaks it again."""
        stamp.parent.mkdir(parents=True, exist_ok=True)
        for fmt in AudioFormat:
            if fmt in self.formats:
                _write_atomically(self.path(name, fmt), self.path(spoken, fmt).read_bytes())
            else:  # a format no longer made would keep an older phrase for the codecs that pick it
                remove_quietly(self.path(name, fmt))
        _write_atomically(stamp, key.encode())

    def unspeakable(self, *, language: str, voice: str | None = None, engine: str | None = None) -> str | None:
        """Why no phrase could be spoken with these settings (no such engine, or a language it lacks), without
        rendering one: what live validation can say before publishing renders every phrase. None: it can."""
        name, _ = self._split_voice(engine, voice)
        name = name or self.default_engine
        if name not in self.engines:
            known = ", ".join(sorted(self.engines)) or "none"
            return f"no TTS engine named {name!r} (installed: {known})"
        if self.engines[name].supports(language):
            return None
        return f"TTS engine {name!r} cannot speak language {language!r}"

    # -- helpers ------------------------------------------------------------------------------------------
    def engine(self, name: str) -> TtsEngine:
        try:
            return self.engines[name]
        except KeyError:
            known = ", ".join(sorted(self.engines)) or "none"
            raise UnknownEngine(f"no TTS engine named {name!r} (installed: {known})") from None

    def media_name(self, key: str) -> str:
        return f"{self.folder}/{key}"

    def path(self, media_name: str, fmt: AudioFormat) -> Path:
        """The file of a media name in one format (refuses names that leave the media root)."""
        return self.media.resolve(media_name, fmt.extension)

    def key_for(self, text: str, *, language: str, voice: str | None = None, engine: str | None = None) -> str:
        """The cache key `render` would use (without falling back)."""
        chosen = self.engine(engine or self.default_engine)
        return phrase_key(
            engine=chosen.name,
            engine_revision=chosen.revision,
            voice=voice,
            language=language,
            text=normalize_text(text),
            formats=[f.name for f in self.formats],
        )

    def _split_voice(self, engine: str | None, voice: str | None) -> tuple[str | None, str | None]:
        """A block may name an engine in its voice, `engine:voice` (`gtts:`, `espeak-ng:es+f3`): blocks carry
        only a voice field, and this is how one block speaks with another engine than its scenario."""
        if voice and ":" in voice:
            prefix, _, rest = voice.partition(":")
            if prefix in self.engines:
                return prefix, rest or None
        return engine, voice

    def _fallback_for(self, name: str, language: str) -> str | None:
        fallback = self.fallback_engine
        if fallback is None or fallback == name or fallback not in self.engines:
            return None
        return fallback if self.engines[fallback].supports(language) else None

    async def _render_with(self, engine_name: str, text: str, language: str, voice: str | None) -> str:
        engine = self.engine(engine_name)
        if not engine.supports(language):
            raise UnsupportedLanguage(f"TTS engine {engine_name!r} cannot speak language {language!r}")
        key = self.key_for(text, language=language, voice=voice, engine=engine_name)
        if not self.cache.lookup(key):
            await self._flight.run(key, lambda: self._make(key, engine, text, language, voice))
        return self.media_name(key)

    async def _make(self, key: str, engine: TtsEngine, text: str, language: str, voice: str | None) -> None:
        async with self._slots:
            if self.cache.lookup(key):  # another process finished it while we queued
                return
            work = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=self.cache.folder))
            try:
                outputs = await self._produce(engine, text, language, voice, work)
                if self.cache.store(key, outputs, evict=False):
                    # The rescan and deletions of a full cache take ~100 ms: in a thread, not on the loop calls share.
                    await asyncio.to_thread(self.cache.evict, keep=key)
                self.renders += 1
            except SpeechError:
                raise
            except OSError as error:
                raise SpeechError(f"cannot write speech under {self.cache.folder}: {error}") from error
            finally:
                shutil.rmtree(work, ignore_errors=True)

    async def _produce(
        self, engine: TtsEngine, text: str, language: str, voice: str | None, work: Path
    ) -> dict[str, Path]:
        """The phrase's file in each format (extension -> path), made in `work`: a folder beside where they go, so
        that moving them there stays on one filesystem."""
        raw = work / f"raw{engine.suffix}"
        await self._synthesize(engine, text, language, voice, raw)
        outputs: dict[str, Path] = {}
        for fmt in self.formats:
            # One at a time: measured no faster side by side on two busy cores (bench/tts_bench.py).
            outputs[fmt.extension] = work / f"out{fmt.extension}"
            await convert_async(raw, outputs[fmt.extension], fmt, self.converter)
        return outputs

    async def _synthesize(self, engine: TtsEngine, text: str, language: str, voice: str | None, raw: Path) -> None:
        """The engine's synthesis, given up at `engine_timeout` as a whole, whatever the engine does meanwhile.

        An engine still working in a thread past the deadline writes at most into `raw`'s work folder, which
        `_make` then removes; nothing of it reaches the cache, whose files only `store` moves in."""
        try:
            await asyncio.wait_for(
                engine.synthesize(text, language=language, voice=voice, target=raw), self.engine_timeout
            )
        except TimeoutError:
            raise EngineTimeout(f"TTS engine {engine.name} took longer than {self.engine_timeout:g} s") from None


def _read_stamp(stamp: Path) -> str | None:
    try:
        return stamp.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _write_atomically(target: Path, content: bytes) -> None:
    """`target` holds `content` at once: Asterisk opening it meanwhile reads the old file or the new (a prompt of a
    few seconds is a few hundred KiB)."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, target)
    finally:
        remove_quietly(temporary)
