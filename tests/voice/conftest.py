"""Voice fixtures: a real espeak-ng service under a temp media root, real MP3 bytes, the fake gTTS servers."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.fakes.gtts_server import FakeGtts, batchexecute_body
from voice.engines.base import EngineSettings, TtsEngine
from voice.engines.espeak import EspeakEngine
from voice.engines.gtts_engine import GttsEngine
from voice.media import MediaRoot
from voice.service import TtsService


class RecordingEngine:
    """Wraps a real engine and keeps the texts it was handed: what tests check for spoken numbers."""

    name: ClassVar[str] = "espeak-ng"
    suffix: ClassVar[str] = ".wav"
    revision: ClassVar[int] = 1

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.texts: list[tuple[str, str]] = []  # (text, language)

    def supports(self, language: str) -> bool:
        return bool(self.inner.supports(language))

    async def synthesize(self, text: str, *, language: str, voice: str | None, target: Path) -> None:
        self.texts.append((text, language))
        await self.inner.synthesize(text, language=language, voice=voice, target=target)


@pytest.fixture
def media(tmp_path: Path) -> MediaRoot:
    root = MediaRoot(tmp_path / "media")
    root.ensure()
    return root


@pytest.fixture
def espeak() -> RecordingEngine:
    return RecordingEngine(EspeakEngine())


@pytest.fixture
def make_service(media: MediaRoot, espeak: RecordingEngine) -> Any:
    def make(**options: Any) -> TtsService:
        engines: dict[str, TtsEngine] = options.pop("engines", {"espeak-ng": espeak})
        return TtsService(media, engines, **options)

    return make


@pytest.fixture
def service(make_service: Any) -> TtsService:
    service: TtsService = make_service()
    return service


@pytest.fixture(scope="session")
def mp3_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A short real MP3 (espeak-ng speech encoded by ffmpeg), what Google's service returns."""
    folder = tmp_path_factory.mktemp("mp3")
    wav, mp3 = folder / "hello.wav", folder / "hello.mp3"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), "hello from the fake service"], check=True)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(wav), "-ar", "24000", "-c:a", "libmp3lame", str(mp3)],
        check=True,
    )
    return mp3.read_bytes()


@pytest.fixture
def fake_gtts(mp3_bytes: bytes) -> Iterator[FakeGtts]:
    with FakeGtts(mp3_bytes) as fake:
        yield fake


@pytest.fixture
def gtts_settings(fake_gtts: Any) -> EngineSettings:
    # Short timeouts and backoff keep the failure tests quick; the logic is the production one.
    return EngineSettings(gtts_base_url=fake_gtts.base_url, gtts_timeout=0.5, gtts_retries=2, gtts_backoff=0.05)


@pytest.fixture
def gtts(gtts_settings: EngineSettings) -> GttsEngine:
    return GttsEngine(gtts_settings)


class SlowGtts:
    """Google's endpoint answering every request with audio, slowly: the answer trickles out over `seconds`, in
    steps shorter than any read timeout, so only a limit on the whole synthesis stops a client waiting."""

    def __init__(self, audio: bytes) -> None:
        self.seconds = 10.0
        self.requests = 0
        self._stop = threading.Event()
        body = batchexecute_body(audio)
        slow = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                slow.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                steps = 50
                step = -(-len(body) // steps)
                try:
                    for start in range(0, len(body), step):
                        if slow._stop.wait(slow.seconds / steps):
                            return
                        self.wfile.write(body[start : start + step])
                        self.wfile.flush()
                except OSError:  # the client gave up
                    return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> SlowGtts:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def slow_gtts(mp3_bytes: bytes) -> Iterator[SlowGtts]:
    with SlowGtts(mp3_bytes) as slow:
        yield slow


class LateEngine:
    """An engine whose work runs on a thread that does not stop when its caller gives up, and writes its file
    `seconds` after it started: the synthesis a deadline must not wait for, and must not let into the cache."""

    name: ClassVar[str] = "late"
    suffix: ClassVar[str] = ".wav"
    revision: ClassVar[int] = 1

    def __init__(self, wav: bytes, seconds: float) -> None:
        self.wav, self.seconds = wav, seconds
        self.finished = threading.Event()

    def supports(self, language: str) -> bool:
        return True

    def _work(self, target: Path) -> None:
        try:
            time.sleep(self.seconds)
            target.write_bytes(self.wav)
        finally:
            self.finished.set()

    async def synthesize(self, text: str, *, language: str, voice: str | None, target: Path) -> None:
        await asyncio.to_thread(self._work, target)
