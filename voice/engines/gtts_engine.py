"""gTTS: Google Translate's speech service through the `gTTS` package, with timeouts, backoff and clear errors.

gTTS splits the text and packs each part into the service's RPC; the requests are sent here, not by gTTS,
because gTTS turns TLS certificate checks off and reports failures as one opaque error. The base URL is a
setting so tests (and installations behind a relay) point it elsewhere.

One synthesis, every part, request and retry included, ends by `engine_timeout`: a caller hears silence
meanwhile, and the service speaks with the fallback engine once this engine gives up. Requests are synchronous,
so they run on a worker thread, which checks the deadline before each request and between the chunks of each
answer (a server trickling bytes is cut off), and waits at most `gtts_timeout` (or what is left) for each
connect or read; the coroutine stops waiting at the deadline itself. The thread only collects bytes: the file is
written by the coroutine once the whole audio is in, so a thread finishing late writes nothing anywhere.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import email.utils
import re
import time
from pathlib import Path
from typing import Any, ClassVar

import requests
from gtts import gTTS
from gtts.lang import tts_langs
from urllib3.exceptions import HTTPError, ReadTimeoutError

from voice.engines.base import EngineSettings, base_language
from voice.errors import GttsError, UnsupportedLanguage
from voice.text import speakable

_RPC_PATH = "/_/TranslateWebserverUi/data/batchexecute"
_AUDIO = re.compile(r'jQ1olc","\[\\"(?P<audio>[A-Za-z0-9+/=]*)\\"]')  # the base64 MP3 inside the RPC answer
_MAX_BACKOFF = 30.0  # never wait longer than this for one retry, whatever Retry-After says
_CHUNK = 16 * 1024  # bytes read between two deadline checks


def _left(deadline: float) -> float:
    """Seconds left before `deadline` (`time.monotonic()`); a timeout error once there are none."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise GttsError("timeout", "the synthesis ran out of time")
    return left


def _retry_after(response: requests.Response) -> float | None:
    """Seconds a 429 asks us to wait (Retry-After as seconds or an HTTP date), if it says."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class _RateLimited(GttsError):
    def __init__(self, retry_after: float | None) -> None:
        super().__init__("rate_limited", "too many requests (HTTP 429)", status=429)
        self.retry_after = retry_after


class _RoutedGtts(gTTS):  # type: ignore[misc]  # gTTS ships no type hints
    """gTTS posting to a configurable base URL, with certificate checks on and each failure told apart."""

    def __init__(self, text: str, *, base_url: str, **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self._endpoint = base_url.rstrip("/") + _RPC_PATH

    def _prepare_requests(self) -> list[Any]:
        prepared: list[Any] = super()._prepare_requests()
        for request in prepared:
            request.prepare_url(self._endpoint, None)
        return prepared

    def fetch(self, *, deadline: float, request_timeout: float) -> bytes:
        """The MP3 of the whole text (its parts joined), by `deadline` (`time.monotonic()`) or a timeout error."""
        try:
            prepared = self._prepare_requests()
        except AssertionError as error:  # gTTS asserts when nothing is left to speak after its cleaning
            raise GttsError("nothing_to_say", "the text has nothing to speak") from error
        return b"".join(self._send(request, deadline, request_timeout) for request in prepared)

    def _send(self, request: Any, deadline: float, request_timeout: float) -> bytes:
        wait = min(request_timeout, _left(deadline))
        try:
            with requests.Session() as session:
                response = session.send(request, timeout=(wait, wait), verify=True, allow_redirects=False, stream=True)
                with response:
                    status = response.status_code
                    if status == 429:
                        raise _RateLimited(_retry_after(response))
                    if status >= 500:
                        raise GttsError("server_error", f"the service failed (HTTP {status})", status=status)
                    if status != 200:
                        raise GttsError("bad_response", f"HTTP {status}", status=status)
                    body = bytearray()
                    while chunk := response.raw.read1(_CHUNK, decode_content=True):  # what one read brought
                        body += chunk
                        _left(deadline)  # a server trickling its answer is cut off at the deadline
        except (requests.Timeout, ReadTimeoutError) as error:
            raise GttsError("timeout", "the service did not answer in time") from error
        except (requests.RequestException, HTTPError) as error:
            raise GttsError("unreachable", f"cannot reach the service: {type(error).__name__}") from error
        found = _AUDIO.search(body.decode("utf-8", "replace"))
        if found is None:
            raise GttsError("bad_response", "the answer held no audio", status=status)
        try:
            return base64.b64decode(found["audio"], validate=True)
        except binascii.Error as error:
            raise GttsError("bad_response", "the audio in the answer is not base64", status=status) from error


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

    def _fetch(self, text: str, language: str, deadline: float) -> bytes:
        tts = _RoutedGtts(
            text,
            base_url=self.settings.gtts_base_url,
            lang=language,
            lang_check=False,  # checked above against the same table
        )
        return tts.fetch(deadline=deadline, request_timeout=self.settings.gtts_timeout)

    async def synthesize(self, text: str, *, language: str, voice: str | None, target: Path) -> None:
        """Write the MP3 of `text`, within `engine_timeout`. gTTS has one voice per language, so `voice` is not
        used."""
        if not speakable(text):  # gTTS only asserts this, and asserts vanish under `python -O`
            raise GttsError("nothing_to_say", "the text has nothing to speak")
        gtts_language = self._language_for(language)
        if gtts_language is None:
            raise UnsupportedLanguage(f"gTTS cannot speak language {language!r}")
        limit = self.settings.engine_timeout
        deadline = time.monotonic() + limit
        delay = self.settings.gtts_backoff
        for attempt in range(self.settings.gtts_retries + 1):
            try:
                audio = await asyncio.wait_for(
                    asyncio.to_thread(self._fetch, text, gtts_language, deadline), _left(deadline)
                )
            except TimeoutError:
                raise GttsError("timeout", f"no speech within {limit:g} s") from None
            except _RateLimited as limited:
                if attempt == self.settings.gtts_retries:
                    raise GttsError(
                        "rate_limited", "too many requests (HTTP 429), retries used up", status=429
                    ) from None
                wait = min(_MAX_BACKOFF, limited.retry_after if limited.retry_after is not None else delay)
                if time.monotonic() + wait >= deadline:
                    raise GttsError(
                        "rate_limited", f"too many requests (HTTP 429); a retry would end past {limit:g} s", status=429
                    ) from None
                await asyncio.sleep(wait)
                delay *= 2
                continue
            if not audio:
                raise GttsError("bad_response", "the service returned no audio")
            target.write_bytes(audio)
            return
