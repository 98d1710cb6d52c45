"""An API token made with less than its user's personal-data access, over real HTTP (security review): an admin's
viewer token for a wallboard, made with `sees_personal_data: false`, reads every answer that holds callers' and
clients' data masked (the register and its CSV and XLSX, a call's detail, callback jobs, a campaign's report) and is
refused a search by name, though the admin reads all of it whole. A token never reads more than its user: asking for
more is refused, and a user losing the permission takes it from every token. Left out, a token reads as its user
does at each use (the API's behaviour before, which scripts expect), as do the tokens made before tokens had a say of
their own. Making a token leaves an audit event saying what it was made to read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.api.conftest import Client, Server, UserFactory
from tests.api.test_personal_data import (  # the same call, list and answers the users' masking is tested on
    CALLER,
    NAME,
    _assert_hidden,
    _everything_read,
    bank_call,
    campaign,
)
from tests.persistence.statements import run_statements

__all__ = ["bank_call", "campaign"]  # fixtures, used by name

NAME_SEARCHES = ("/api/calls", "/api/calls.csv", "/api/calls.xlsx")


@contextmanager
def bearer(server: Server, secret: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {secret}"}, timeout=30) as client:
        yield client


def _user_id(admin: Client, username: str) -> int:
    return next(int(u["id"]) for u in admin.get("/api/users").json() if u["username"] == username)


def _made(client: Client, **body: Any) -> dict[str, Any]:
    made = client.post("/api/tokens", json=body)
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


def _caller(client: httpx.Client, call_id: str) -> str:
    return str(client.get(f"/api/calls/{call_id}").json()["caller_id"])


def test_an_admins_viewer_token_without_personal_data_reads_every_answer_masked(
    server: Server, user_factory: UserFactory, bank_call: str, campaign: str
) -> None:
    admin = user_factory("admin")
    made = _made(admin, name="dashboard", role="viewer", sees_personal_data=False)
    assert (made["role"], made["sees_personal_data"]) == ("viewer", False)
    assert [(t["name"], t["sees_personal_data"]) for t in admin.get("/api/tokens").json()] == [("dashboard", False)]
    listed = admin.get(f"/api/users/{_user_id(admin, admin.username)}/tokens").json()
    assert [(t["name"], t["sees_personal_data"]) for t in listed] == [("dashboard", False)]

    with bearer(server, made["token"]) as dashboard:
        assert dashboard.get("/api/auth/me").json()["user"]["sees_personal_data"] is False
        for name, text in _everything_read(dashboard, bank_call, campaign).items():
            assert "[hidden" in text or "***" in text, name
            _assert_hidden(text)
        scenario = bank_call.rsplit("-", 1)[0]
        [item] = dashboard.get("/api/calls", params={"scenario": scenario}).json()["items"]
        assert (item["caller_id"], item["caller_name"]) == ("+34*******56", "[hidden]")
        for route in NAME_SEARCHES:
            refused = dashboard.get(route, params={"scenario": scenario, "caller_name": "garcía"})
            assert refused.status_code == 403, (route, refused.text)
            assert refused.json()["type"] == "https://ivrgraph.dev/problems/personal-data-hidden"
            assert [(p["path"], p["code"]) for p in refused.json()["problems"]] == [
                ("$.caller_name", "personal_data_hidden")
            ]
        # A number lookup stays open, as it is to a user who reads masked: it finds the calls of a number it has.
        found = dashboard.get("/api/calls", params={"scenario": scenario, "caller": CALLER}).json()["items"]
        assert [(call["id"], call["caller_id"]) for call in found] == [(bank_call, "+34*******56")]

    read = _everything_read(admin, bank_call, campaign)  # the admin who made it reads all of it whole
    assert CALLER in read["list"] and NAME in read["csv"] and NAME in read["xlsx"]


def test_left_out_a_token_reads_as_its_user_and_made_without_it_reads_masked_whatever_they_are_given(
    server: Server, user_factory: UserFactory, admin: Client, bank_call: str
) -> None:
    """The API's default is as before (scripts written for it keep working): the token follows its user's
    permission. One made without personal data stays masked when its user is given it."""
    boss = user_factory("admin")
    as_admin = _made(boss, name="bi", role="viewer")
    assert as_admin["sees_personal_data"] is True
    viewer = user_factory("viewer", personal_data=False)
    as_viewer = _made(viewer, name="crm")
    without = _made(viewer, name="wallboard", sees_personal_data=False)
    assert (as_viewer["sees_personal_data"], without["sees_personal_data"]) == (False, False)
    with (
        bearer(server, as_admin["token"]) as bi,
        bearer(server, as_viewer["token"]) as crm,
        bearer(server, without["token"]) as wallboard,
    ):
        assert _caller(bi, bank_call) == CALLER
        assert _caller(crm, bank_call) == _caller(wallboard, bank_call) == "+34*******56"
        given = admin.patch(f"/api/users/{_user_id(admin, viewer.username)}", json={"sees_personal_data": True})
        assert given.status_code == 200, given.text
        assert _caller(viewer, bank_call) == _caller(crm, bank_call) == CALLER
        assert _caller(wallboard, bank_call) == "+34*******56"
        listed = {t["name"]: t["sees_personal_data"] for t in viewer.get("/api/tokens").json()}
        assert listed == {"crm": True, "wallboard": False}


def test_a_token_never_reads_more_than_its_user(
    server: Server, admin: Client, user_factory: UserFactory, bank_call: str
) -> None:
    masked = user_factory("editor", personal_data=False)
    refused = masked.post("/api/tokens", json={"name": "crm", "sees_personal_data": True})
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["type"].endswith("/request-refused")
    message = "a token cannot read personal data you read masked: leave sees_personal_data out or false"
    assert body["problems"] == [{"path": "$.sees_personal_data", "code": "token_personal_data_above_yours",
                                 "message": message}]  # fmt: skip
    assert body["detail"] == f"the token cannot be made: {message}"
    both = masked.post("/api/tokens", json={"name": "crm", "role": "admin", "sees_personal_data": True}).json()
    assert [(p["path"], p["code"]) for p in both["problems"]] == [
        ("$.role", "token_role_above_yours"),
        ("$.sees_personal_data", "token_personal_data_above_yours"),
    ]
    assert masked.get("/api/tokens").json() == []  # nothing was made

    # Made with it while the user may, it reads unmasked only as long as they may.
    reader = user_factory("viewer", personal_data=True)
    made = _made(reader, name="crm", sees_personal_data=True)
    user_id = _user_id(admin, reader.username)
    with bearer(server, made["token"]) as crm:
        assert _caller(crm, bank_call) == CALLER
        assert admin.patch(f"/api/users/{user_id}", json={"sees_personal_data": False}).status_code == 200
        assert _caller(crm, bank_call) == "+34*******56"
        assert crm.get("/api/auth/me").json()["user"]["sees_personal_data"] is False
        assert reader.get("/api/tokens").json()[0]["sees_personal_data"] is False
        assert admin.patch(f"/api/users/{user_id}", json={"sees_personal_data": True}).status_code == 200
        assert _caller(crm, bank_call) == CALLER


def test_an_admin_token_always_reads_personal_data(user_factory: UserFactory) -> None:
    """An admin's pages show personal data whole (a subject access request): an admin token without it would be a
    mask over nothing, as an admin user without it is refused."""
    boss = user_factory("admin")
    refused = boss.post("/api/tokens", json={"name": "ops", "role": "admin", "sees_personal_data": False})
    assert refused.status_code == 422, refused.text
    assert [(p["path"], p["code"]) for p in refused.json()["problems"]] == [
        ("$.sees_personal_data", "admin_sees_personal_data")
    ]
    assert _made(boss, name="ops", role="publisher", sees_personal_data=False)["sees_personal_data"] is False


def test_a_token_made_before_tokens_had_a_say_reads_as_its_user(
    server: Server, admin: Client, user_factory: UserFactory, bank_call: str
) -> None:
    """Its column NULL, as migration 0025 leaves the tokens made before it: it reads as its user, now and later."""
    viewer = user_factory("viewer", personal_data=False)
    made = _made(viewer, name="old")
    run_statements(server.database_url, ("UPDATE api_tokens SET sees_personal_data = NULL WHERE id = :id",
                                         {"id": made["id"]}))  # fmt: skip
    user_id = _user_id(admin, viewer.username)
    with bearer(server, made["token"]) as old:
        assert _caller(old, bank_call) == "+34*******56"
        assert admin.patch(f"/api/users/{user_id}", json={"sees_personal_data": True}).status_code == 200
        assert _caller(old, bank_call) == CALLER
        assert viewer.get("/api/tokens").json()[0]["sees_personal_data"] is True


@pytest.mark.parametrize("asked", [False, True, None])
def test_making_a_token_leaves_an_audit_event_saying_what_it_reads(
    admin: Client, user_factory: UserFactory, slug: Callable[[str], str], asked: bool | None
) -> None:
    boss = user_factory("admin")
    name = slug("wallboard")
    made = _made(boss, name=name, role="viewer", **({} if asked is None else {"sees_personal_data": asked}))
    events = admin.get("/api/audit", params={"action": "create_token", "target": f"token:{made['id']}"}).json()
    [event] = events
    assert (event["actor"], event["via"]) == (boss.username, None)
    details = event["details"]
    # As asked: null for a token that reads as its user (the admin's, here).
    assert details == {"token_name": name, "role": "viewer", "sees_personal_data": asked,
                       "expires_at": details["expires_at"]}  # fmt: skip
    assert made["sees_personal_data"] is (asked is not False)
    assert details["expires_at"][:19] == made["expires_at"][:19]
    assert made["token"] not in str(event)
