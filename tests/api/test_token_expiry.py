"""What an integration learns of its own API token, over real HTTP on SQLite and PostgreSQL.

Review (a CRM integrator): tokens work 90 days at most, yet `GET /api/auth/me` with one showed the user and not
when the token stops working; and an expired token, a revoked one and garbage all got the same 401 with a bare
`WWW-Authenticate: Bearer`, so the CRM could not tell "make a new token" from "the token was mistyped"."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from persistence.db import Database
from persistence.models import ApiToken
from tests.api.conftest import Client, Server

PROBLEMS = "https://ivrgraph.dev/problems/"
# RFC 6750 section 3: error and error_description as quoted strings, the description in printable ASCII without
# `"` or `\`.
CHALLENGE = re.compile(r'^Bearer error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]+"$')


@contextmanager
def bearer(server: Server, secret: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {secret}"}, timeout=30) as client:
        yield client


def _expire(server: Server, token_id: int, at: datetime) -> None:
    """What 90 days do to a token, without waiting them: its expiry moved into the past."""
    database = Database(server.database_url)
    try:
        with database.session() as session:
            session.execute(update(ApiToken).where(ApiToken.id == token_id).values(expires_at=at))
    finally:
        database.dispose()


def test_me_with_a_token_tells_the_tokens_facts(server: Server, user_factory: Callable[..., Client]) -> None:
    editor = user_factory("editor")
    expires = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    made = editor.post("/api/tokens", json={"name": "crm", "role": "viewer", "sees_personal_data": False,
                                            "expires_at": expires.isoformat()})  # fmt: skip
    assert made.status_code == 201, made.text
    with bearer(server, made.json()["token"]) as crm:
        me = crm.get("/api/auth/me")
    assert me.status_code == 200, me.text
    token = me.json()["token"]
    assert token["id"] == made.json()["id"] and token["name"] == "crm"
    assert datetime.fromisoformat(token["expires_at"]) == expires
    assert (token["role"], token["sees_personal_data"]) == ("viewer", False)
    assert me.json()["user"]["role"] == "viewer"  # the token's role, as before
    # A signed-in person is no token: nothing to tell.
    assert editor.get("/api/auth/me").json()["token"] is None


def test_an_expired_token_is_told_apart_from_one_that_never_worked(
    server: Server, user_factory: Callable[..., Client]
) -> None:
    viewer = user_factory("viewer")
    made = viewer.post("/api/tokens", json={"name": "bi"}).json()
    gone = viewer.post("/api/tokens", json={"name": "old"}).json()
    assert viewer.delete(f"/api/tokens/{gone['id']}").status_code == 204
    expired_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    _expire(server, made["id"], expired_at)

    with bearer(server, made["token"]) as bi:
        expired = bi.get("/api/scenarios")
    assert expired.status_code == 401, expired.text
    assert expired.json()["type"] == PROBLEMS + "token-expired", expired.text
    assert datetime.fromisoformat(expired.json()["expired_at"]) == expired_at
    assert CHALLENGE.match(expired.headers["www-authenticate"]), expired.headers
    assert "expired" in expired.headers["www-authenticate"]

    # A revoked token is deleted: like garbage, it says nothing of what it was (nor whether it ever was one).
    unknown = []
    for secret in (gone["token"], "garbage", made["token"] + "x"):
        with bearer(server, secret) as client:
            unknown.append(client.get("/api/scenarios"))
    for answer in unknown:
        assert answer.status_code == 401 and answer.json()["type"] == PROBLEMS + "not-authenticated", answer.text
        assert "expired_at" not in answer.json()
        assert CHALLENGE.match(answer.headers["www-authenticate"]), answer.headers
    assert len({(a.text, a.headers["www-authenticate"]) for a in unknown}) == 1


def test_no_credentials_get_a_challenge_without_an_error(anonymous: Client) -> None:
    """RFC 6750 3.1: a request with no authentication at all gets no error code."""
    answer = anonymous.get("/api/auth/me")
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["type"] == PROBLEMS + "not-authenticated"


def test_a_deactivated_users_expired_token_says_nothing_more(
    server: Server, admin: Client, user_factory: Callable[..., Client]
) -> None:
    """Deactivating a user ends their tokens: one also past its expiry is not told apart (it is ended anyway)."""
    viewer = user_factory("viewer")
    made = viewer.post("/api/tokens", json={"name": "bi"}).json()
    _expire(server, made["id"], datetime(2026, 1, 2, tzinfo=UTC))
    user_id = next(u["id"] for u in admin.get("/api/users").json() if u["username"] == viewer.username)
    assert admin.patch(f"/api/users/{user_id}", json={"active": False}).status_code == 200
    with bearer(server, made["token"]) as bi:
        answer = bi.get("/api/scenarios")
    assert answer.status_code == 401 and answer.json()["type"] == PROBLEMS + "not-authenticated", answer.text
