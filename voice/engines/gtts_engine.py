"""gTTS: Google Translate's speech service through the `gTTS` package, with timeouts, backoff and clear errors.

The base URL is a setting so tests (and installations behind a relay) point it elsewhere. gTTS is synchronous
(requests), so each synthesis runs on a worker thread; its per-request timeout bounds how long that thread lives.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from pathlib import Path
from typing import Any, ClassVar

import requests
from gtts import gTTS, gTTSError
from gtts.lang import tts_langs

from voice.engines.base import EngineSettings, base_language
from voice.errors import GttsError, UnsupportedLanguage
from voice.text import speakable

_RPC_PATH = "/_/TranslateWebserverUi/data/batchexecute"
_MAX_BACKOFF = 30.0  # never wait longer than this for one retry, whatever Retry-After says


class _RoutedGtts(gTTS):  # type: ignore[misc]  # gTTS ships no type hints
    """gTTS that posts to a configurable base URL instead of translate.google.<tld>."""

    def __init__(self, text: str, *, base_url: str, **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self._endpoint = base_url.rstrip("/") + _RPC_PATH

    def _prepare_requests(self) -> list[Any]:
        prepared: list[Any] = super()._prepare_requests()
        for request in prepared:
            request.prepare_url(self._endpoint, None)
        return prepared


def _retry_after(response: Any) -> float | None:
    """Seconds a 429 asks us to wait (Retry-After as seconds or an HTTP date), if it says."""
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _classify(error: Exception) -> GttsError:
    """One clear error for everything gTTS and requests can raise."""
    if isinstance(error, AssertionError):  # gTTS asserts when nothing is left to speak after cleaning
        return GttsError("nothing_to_say", "the text has nothing to speak")
    if isinstance(error, gTTSError):
        response = error.rsp
        if response is None:
            cause = error.__cause__ or error.__context__
            if isinstance(cause, requests.Timeout):
                return GttsError("timeout", "the service did not answer in time")
            return GttsError("unreachable", "cannot connect to the service")
        status = int(response.status_code)
        if status == 429:
            return GttsError("rate_limited", "too many requests (HTTP 429)", status=status)
        if status >= 500:
            return GttsError("server_error", f"the service failed (HTTP {status})", status=status)
        if status == 200:
            return GttsError("bad_response", "the answer held no audio", status=status)
        return GttsError("bad_response", f"HTTP {status}", status=status)
    if isinstance(error, requests.Timeout):
        return GttsError("timeout", "the service did not answer in time")
    if isinstance(error, requests.RequestException):
        return GttsError("unreachable", str(error)[:200])
    return GttsError("bad_response", f"{type(error).__name__}: {error}"[:300])


class GttsEngine:
    name: ClassVar[str] = "gtts"
    suffix: ClassVar[str] = ".mp3"
    revision: ClassVar[int] = 1

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()
        self._languages = {tag.lower() for tag in tts_langs()}  # a local table in gTTS, no network

    def _language_for(self, language: str) -> str | None:
        tag = language.lower()
        if tag in self._languages:
            return tag
        base = base_language(tag)
        return base if base in self._languages else None

    def supports(self, language: str) -> bool:
        return self._language_for(language) is not None

    def _fetch(self, text: str, language: str, target: Path) -> None:
        tts = _RoutedGtts(
            text,
            base_url=self.settings.gtts_base_url,
            lang=language,
            lang_check=False,  # checked above against the same table, without gTTS's warnings
            timeout=(self.settings.gtts_timeout, self.settings.gtts_timeout),
        )
        with target.open("wb") as out:
            tts.write_to_fp(out)

    async def synthesize(self, text: str, *, language: str, voice: str | None, target: Path) -> None:
        # gTTS has one voice per language; `voice` may name a regional accent only through the language tag.
        if not speakable(text):  # gTTS only asserts this, and asserts vanish under `python -O`
            raise GttsError("nothing_to_say", "the text has nothing to speak")
        gtts_language = self._language_for(language)
        if gtts_language is None:
            raise UnsupportedLanguage(f"gTTS cannot speak language {language!r}")
        delay = self.settings.gtts_backoff
        attempt = 0
        while True:
            try:
                await asyncio.to_thread(self._fetch, text, gtts_language, target)
            except Exception as raw:  # gTTS raises AssertionError, gTTSError and requests errors
                error = _classify(raw)
                if error.reason != "rate_limited" or attempt >= self.settings.gtts_retries:
                    raise error from raw
                response = raw.rsp if isinstance(raw, gTTSError) else None
                wait = _retry_after(response)
                await asyncio.sleep(min(_MAX_BACKOFF, wait if wait is not None else delay))
                delay *= 2
                attempt += 1
                continue
            if target.stat().st_size == 0:
                raise GttsError("bad_response", "the service returned no audio")
            return
