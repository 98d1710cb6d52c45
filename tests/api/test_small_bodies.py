"""The operations whose bodies are a few fields (sign-in, a password change, a new API token or user) take 64 KiB at
most, over real HTTP on SQLite and PostgreSQL (security review: 17 MB of JSON sent to `POST /api/auth/login`, no
sign-in needed, stalled the node for 23 s while it was parsed on the event loop the FastAGI calls share)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client

SMALL = 64 * 2**10
TOO_LARGE = "https://ivrgraph.dev/problems/payload-too-large"
SMALL_PATHS = ("/api/auth/login", "/api/auth/password", "/api/tokens", "/api/users")


def _padded(size: int) -> bytes:
    """A JSON object of about `size` bytes that the operations' schemas would refuse only once parsed."""
    return json.dumps({"username": ADMIN, "password": ADMIN_PASSWORD, "pad": "x" * size}).encode()


def _chunked(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 2**14):
        yield body[start : start + 2**14]


@pytest.mark.parametrize("path", SMALL_PATHS)
def test_a_body_over_64_kib_is_a_413(anonymous: Client, path: str) -> None:
    for content in (_padded(SMALL), _chunked(_padded(SMALL))):  # declared, and chunked (counted as it comes)
        answer = anonymous.post(path, content=content, headers={"content-type": "application/json"})
        assert answer.status_code == 413, answer.text
        body = answer.json()
        assert (body["type"], body["limit_bytes"]) == (TOO_LARGE, SMALL)
        assert "64 KiB" in body["detail"]


def test_other_operations_keep_the_large_limit(admin: Client) -> None:
    answer = admin.post("/api/scenarios", content=_padded(SMALL), headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text  # read and checked: `username` is no field of a scenario


def test_a_sign_in_of_ordinary_size_still_works(anonymous: Client) -> None:
    assert anonymous.login(ADMIN, ADMIN_PASSWORD).status_code == 200


def test_the_openapi_document_states_the_smaller_limit() -> None:
    paths = create_app(Settings(database_url="sqlite://")).openapi()["paths"]
    assert "64 KiB" in paths["/api/auth/login"]["post"]["responses"]["413"]["description"]
    assert "64 KiB" in paths["/api/tokens"]["post"]["responses"]["413"]["description"]
    assert "21 MiB" in paths["/api/scenarios"]["post"]["responses"]["413"]["description"]
