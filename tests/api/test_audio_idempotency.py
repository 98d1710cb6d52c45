"""An audio upload sent again with its `Idempotency-Key` (a CRM that timed out while a long recording converted)
answers the asset the first one made and stores no other, as the callbacks' keys do; the same key with another
upload is refused (review of the HTTP API by a CRM integrator, 2026-12: the same WAV and name twice made two
assets). Over real HTTP with real ffmpeg, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.api.conftest import Client, Server
from tests.api.test_audio import _tone


def _upload(client: Client, name: str, sound: bytes, key: str | None = None, language: str = "en") -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    files = {"file": ("greeting.wav", sound, "audio/wav")}
    return client.post("/api/audio", files=files, data={"name": name, "language": language}, headers=headers)


def _named(client: Client, name: str) -> list[str]:
    return [asset["id"] for asset in client.get("/api/audio").json()["items"] if asset["name"] == name]


def _files_of(server: Server) -> set[str]:
    """The asset ids that have files under the media root (a conversion's leftovers among them)."""
    folder = server.media_root / "assets"
    found = folder.iterdir() if folder.exists() else ()
    return {path.name.split(".")[0] for path in found if not path.name.startswith(".")}


def test_an_upload_sent_again_with_its_key_answers_the_first_asset_and_stores_no_other(
    server: Server, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    editor, name = user_factory("editor"), slug("Welcome")
    first = _upload(editor, name, _tone(), key=f"upload-{name}")
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = _upload(editor, name, _tone(), key=f"upload-{name}")
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _named(editor, name) == [first.json()["id"]]
    assert editor.get(f"/api/audio/{first.json()['id']}/file").content[:4] == b"RIFF"
    # Without a key every upload is a new asset, as before.
    assert _upload(editor, name, _tone()).status_code == 201
    assert len(_named(editor, name)) == 2


def test_the_same_key_with_another_upload_is_refused_and_stores_nothing(
    server: Server, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    editor, name = user_factory("editor"), slug("Hold")
    key = f"upload-{name}"
    assert _upload(editor, name, _tone(), key=key).status_code == 201
    before = _files_of(server)
    for other in (
        _upload(editor, name, _tone(seconds=0.7), key=key),  # another recording
        _upload(editor, f"{name} 2", _tone(), key=key),  # another name
        _upload(editor, name, _tone(), key=key, language="es"),  # another language
    ):
        assert other.status_code == 409, other.text
        assert other.json()["detail"] == (
            f"the Idempotency-Key {key!r} was used for another request (POST /api/audio) within 24 hours: send a "
            "new key for a new request"
        )
    assert len(_named(editor, name)) == 1 and not _named(editor, f"{name} 2")
    assert _files_of(server) == before
    # Keys are each user's own: another editor's upload with the same key is theirs.
    other_editor = user_factory("editor")
    assert _upload(other_editor, name, _tone(seconds=0.7), key=key).status_code == 201
    assert len(_named(editor, name)) == 2


def test_two_uploads_with_one_key_at_once_store_one_asset_and_leave_no_files_behind(
    server: Server, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    """A retry sent while the first upload still converts: both convert, one is catalogued; the other's files go."""
    editor, name = user_factory("editor"), slug("Race")
    before = _files_of(server)
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: _upload(editor, name, _tone(seconds=2.0), key=f"upload-{name}"), range(2)))
    assert [answer.status_code for answer in answers] == [201, 201], [answer.text for answer in answers]
    assert answers[0].json() == answers[1].json()
    (asset_id,) = _named(editor, name)
    assert _files_of(server) - before == {asset_id}
