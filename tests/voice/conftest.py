"""Voice fixtures: a real espeak-ng service under a temp media root, real MP3 bytes, the fake gTTS server."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.fakes.gtts_server import FakeGtts
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
