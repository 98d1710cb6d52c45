"""Over real HTTP: listening to a recording whose file is gone from the media root (a database restored without the
media root's `assets/`) is a 404 saying so, `recording-file-missing`, and one WARNING in the log; it was a 500 with a
FileNotFoundError traceback (disaster-recovery review)."""

from __future__ import annotations

import logging

import pytest

from tests.api.conftest import Client, Server
from tests.api.test_audio import _tone


def test_a_catalogued_recording_without_its_file_is_a_404_naming_the_media_root(
    admin: Client, server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    uploaded = admin.post("/api/audio", files={"file": ("w.wav", _tone(), "audio/wav")}, data={"name": "Bienvenida"})
    assert uploaded.status_code == 201, uploaded.text
    asset = uploaded.json()
    for stored in server.media_root.glob(f"assets/{asset['id']}.*"):
        stored.unlink()

    with caplog.at_level(logging.WARNING, logger="api"):
        answer = admin.get(f"/api/audio/{asset['id']}/file")

    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == "https://ivrgraph.dev/problems/recording-file-missing"
    assert body["asset_id"] == asset["id"] and body["media_name"] == asset["media_name"]
    assert "missing from the media root" in body["detail"] and "'Bienvenida'" in body["detail"]
    warned = [r for r in caplog.records if r.levelno == logging.WARNING and asset["id"] in r.getMessage()]
    assert len(warned) == 1, [r.getMessage() for r in caplog.records]
    assert "missing from the media root" in warned[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback logged as a crash
    # Still listed: the catalog row is there, and a restore of the file makes it play again.
    assert asset["id"] in {a["id"] for a in admin.get("/api/audio").json()["items"]}


def test_an_unknown_recording_is_still_the_plain_404(admin: Client) -> None:
    answer = admin.get(f"/api/audio/{'0' * 32}/file")
    assert answer.status_code == 404 and answer.json()["type"] == "https://ivrgraph.dev/problems/not-found"
