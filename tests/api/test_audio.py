"""Audio assets and TTS preview over HTTP: real ffmpeg conversion, real espeak-ng speech."""

from __future__ import annotations

import io
import math
import struct
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, Server, serve_api
from tests.persistence import documents


def _tone(seconds: float = 0.5, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = (int(8000 * math.sin(2 * math.pi * 440 * n / rate)) for n in range(int(seconds * rate)))
        out.writeframes(b"".join(struct.pack("<h", f) for f in frames))
    return buffer.getvalue()


def test_upload_list_listen_and_delete(admin: Client, slug: Callable[[str], str]) -> None:
    uploaded = admin.post(
        "/api/audio", files={"file": ("../../evil name.wav", _tone(), "audio/wav")}, data={"name": "Welcome"}
    )
    assert uploaded.status_code == 201, uploaded.text
    asset = uploaded.json()
    assert asset["media_name"] == f"assets/{asset['id']}" and 400 <= asset["duration_ms"] <= 600
    assert asset["id"] in {a["id"] for a in admin.get("/api/audio").json()["items"]}
    listened = admin.get(f"/api/audio/{asset['id']}/file")
    assert listened.headers["content-type"] == "audio/wav" and listened.content[:4] == b"RIFF"
    # While a scenario plays it, it stays.
    name = slug("plays")
    document = documents.greeting()
    document["nodes"][1] = {"id": "hello", "type": "message", "config": {"audio": asset["media_name"]}}
    admin.post("/api/scenarios", json={"slug": name, "name": "x", "document": document})
    refused = admin.delete(f"/api/audio/{asset['id']}")
    assert refused.status_code == 409 and refused.json()["referred_by"] == [f"scenario {name}"]
    admin.delete(f"/api/scenarios/{name}")
    assert admin.delete(f"/api/audio/{asset['id']}").status_code == 204
    assert admin.get(f"/api/audio/{asset['id']}/file").status_code == 404


def test_a_file_that_is_not_audio_is_refused_with_a_code(admin: Client) -> None:
    refused = admin.post("/api/audio", files={"file": ("x.wav", b"RIFF not really", "audio/wav")}, data={"name": "x"})
    assert refused.status_code == 422 and refused.json()["code"] == "not_audio"


def test_viewers_listen_but_do_not_upload(user_factory: Callable[[str], Client]) -> None:
    viewer = user_factory("viewer")
    assert viewer.get("/api/audio").status_code == 200
    assert (
        viewer.post("/api/audio", files={"file": ("a.wav", _tone(), "audio/wav")}, data={"name": "x"}).status_code
        == 403
    )


def test_tts_preview_speaks_with_espeak(admin: Client) -> None:
    spoken = admin.post("/api/tts/preview", json={"text": "Hello caller", "language": "en", "engine": "espeak-ng"})
    assert spoken.status_code == 200, spoken.text
    assert spoken.headers["content-type"] == "audio/wav" and spoken.content[:4] == b"RIFF"
    nothing = admin.post("/api/tts/preview", json={"text": "...", "language": "en", "engine": "espeak-ng"})
    assert nothing.status_code == 422
    # A voice that is no voice name is the request's fault, not a failing engine (the fuzz found a 502).
    unknown = admin.post("/api/tts/preview", json={"text": "Hello", "language": "en", "voice": "\u0081"})
    assert unknown.status_code == 422, unknown.text
    assert unknown.json()["type"].endswith("/speech-refused") and "voice name" in unknown.json()["detail"]


def test_a_preview_is_a_wav_whatever_formats_calls_use(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Review, 2026-12-12: with IVRGRAPH_TTS_FORMATS=sln,ulaw a preview answered 500 (no `.wav` was made to send).
    Previews render the browser's WAV of their own, at 16 kHz, and make no file calls play."""
    monkeypatch.setenv("IVRGRAPH_TTS_FORMATS", "sln,ulaw")
    media = tmp_path / "media"
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", admin_user=ADMIN,
                        admin_password=ADMIN_PASSWORD, designer_dist=tmp_path, media_root=media)  # fmt: skip
    for base_url in serve_api(settings, PublishHub()):
        with Client(base_url=base_url, timeout=30) as admin:
            assert admin.login(ADMIN, ADMIN_PASSWORD).status_code == 200
            spoken = admin.post("/api/tts/preview", json={"text": "Hello caller", "language": "en"})
    assert spoken.status_code == 200, spoken.text
    with wave.open(io.BytesIO(spoken.content)) as heard:
        assert heard.getframerate() == 16000 and heard.getnframes() > 8000
    assert {p.suffix for p in (media / "tts-preview").iterdir() if not p.name.startswith(".")} == {".wav16"}


def test_a_recording_is_heard_as_a_16_khz_wav(admin: Client) -> None:
    uploaded = admin.post("/api/audio", files={"file": ("a.wav", _tone(rate=44100), "audio/wav")}, data={"name": "x"})
    assert uploaded.status_code == 201, uploaded.text
    listened = admin.get(f"/api/audio/{uploaded.json()['id']}/file")
    assert listened.status_code == 200 and listened.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(listened.content)) as heard:
        assert heard.getframerate() == 16000


def test_previews_are_kept_apart_from_the_phrases_calls_play(admin: Client, server: Server) -> None:
    """Review, 2026-12-05: a preview went into the call cache, so a flood of previews evicted published phrases."""
    text = "A preview kept apart"
    spoken = admin.post("/api/tts/preview", json={"text": text, "language": "en", "engine": "espeak-ng"})
    assert spoken.status_code == 200, spoken.text
    previews = {p.name for p in (server.media_root / "tts-preview").iterdir() if not p.name.startswith(".")}
    assert any(name.endswith(".wav16") for name in previews)
    calls = {p.name for p in (server.media_root / "tts").iterdir()} if (server.media_root / "tts").exists() else set()
    assert not previews & calls


def test_tts_previews_are_limited_per_user(user_factory: Callable[[str], Client]) -> None:
    """Review, 2026-12-05: any viewer could ask for previews without end, each a render on the server's CPU
    that calls share. Thirty a minute per user, then 429 with Retry-After; another user keeps their own."""
    viewer, other = user_factory("viewer"), user_factory("viewer")
    phrase = {"text": "Limited preview", "language": "en", "engine": "espeak-ng"}
    answers = [viewer.post("/api/tts/preview", json=phrase).status_code for _ in range(31)]
    assert answers == [200] * 30 + [429]
    refused = viewer.post("/api/tts/preview", json=phrase)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["title"] == "too many requests"
    assert other.post("/api/tts/preview", json=phrase).status_code == 200


def test_an_upload_over_the_limit_is_refused_before_it_is_stored(admin: Client) -> None:
    """Review, 2026-12-04: the framework wrote the whole upload to a temporary file before the route's 20 MB
    check, so one request could fill the disk. The body is now refused at 21 MiB, declared or streamed."""
    too_big = b"\0" * (22 * 2**20)
    declared = admin.post("/api/audio", files={"file": ("big.wav", too_big, "audio/wav")}, data={"name": "big"})
    assert declared.status_code == 413 and "MiB limit" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server has to count
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n'
        for _ in range(30):
            yield b"\0" * 2**20

    streamed = admin.post("/api/audio", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert streamed.status_code == 413
    assert (
        admin.post("/api/audio", files={"file": ("ok.wav", _tone(), "audio/wav")}, data={"name": "ok"}).status_code
        == 201
    )


def test_tts_preview_speaks_the_template_rendered_as_a_call_would(admin: Client) -> None:
    """Review of a Russian contact centre: Listen sent the field as written, so espeak-ng said "money", "debt
    amount", "RUB", "language" for 5.7 s. The template is rendered first, with the values the designer sends
    (declared defaults, test values) and the scenario's language, and the designer is told what is spoken."""
    template = 'У вас задолженность {{ money(debt_amount, "RUB", language) }}.'  # noqa: RUF001 -- Russian
    phrase = {"text": template, "language": "ru", "engine": "espeak-ng", "variables": {"debt_amount": 1234.5}}

    told = admin.post("/api/tts/preview/text", json=phrase)
    spoken = admin.post("/api/tts/preview", json=phrase)

    assert told.status_code == 200, told.text
    said = "У вас задолженность тысяча двести тридцать четыре рубля пятьдесят копеек."  # noqa: RUF001 -- Russian
    assert told.json() == {"text": said}
    assert spoken.status_code == 200, spoken.text
    assert spoken.headers["content-type"] == "audio/wav" and spoken.content[:4] == b"RIFF"
    # What is heard is the rendered phrase: the very audio that phrase, sent as plain text, previews as.
    plain = admin.post("/api/tts/preview", json={"text": said, "language": "ru", "engine": "espeak-ng"})
    assert plain.status_code == 200 and plain.content == spoken.content


def test_tts_preview_names_the_variables_it_has_no_value_for(admin: Client) -> None:
    """A name with no default and no test value is not spoken as something a caller would never hear."""
    text = 'Долг {{ money(debt_amount, "RUB", language) }}, до {{ spoken_date(due_date, language) }}.'
    for path in ("/api/tts/preview/text", "/api/tts/preview"):
        refused = admin.post(path, json={"text": text, "language": "ru", "engine": "espeak-ng"})
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert problem["type"].endswith("/missing-variables")
        assert problem["missing_variables"] == ["debt_amount", "due_date"]
        assert "debt_amount, due_date" in problem["detail"]


def test_tts_preview_answers_a_template_error_in_the_templates_words(admin: Client) -> None:
    text = 'Долг {{ money(debt_amount, "RUB", language }}'
    for path in ("/api/tts/preview/text", "/api/tts/preview"):
        refused = admin.post(path, json={"text": text, "language": "ru", "variables": {"debt_amount": 5}})
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["type"].endswith("/template-failed") and problem["code"] == "template_syntax"
        assert problem["detail"] == 'template opens "(" and does not close it: add ")"'


def test_templates_that_cannot_be_rendered_count_towards_the_previews_a_minute(
    user_factory: Callable[[str], Client],
) -> None:
    """Rendering is work too, so the limit is taken before it (security review: templates refused or failing, each
    up to the sandbox's work budget, could be sent without end). The designer asks POST /api/tts/preview/text
    first, on a budget of its own, and asks for speech only once the text renders."""
    viewer = user_factory("viewer")
    missing = {"text": "Hello {{ name }}", "language": "en", "engine": "espeak-ng"}
    assert [viewer.post("/api/tts/preview", json=missing).status_code for _ in range(31)] == [422] * 30 + [429]
    assert viewer.post("/api/tts/preview/text", json={**missing, "variables": {"name": "Ana"}}).status_code == 200
