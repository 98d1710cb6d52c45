"""An operation that takes no body refuses one, over real HTTP on SQLite and PostgreSQL.

Review (a CRM integrator): the README says a field a body does not know is refused and a body that is not JSON is a
415, yet `POST /api/callbacks/{id}/cancel` with `{"reason": "x"}` cancelled the job (200) and dropped the reason,
and a campaign's pause with a text/plain body `garbage` paused it: the CRM believed the reason was kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Client
from tests.persistence import documents

INVALID = "https://ivrgraph.dev/problems/invalid-request"


def _published(admin: Client, name: str) -> None:
    admin.post("/api/scenarios", json={"slug": name, "name": "cb", "document": documents.greeting()})
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


def _refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, (response.request.url, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == INVALID, body
    [problem] = body["problems"]
    assert (problem["path"], problem["code"]) == ("$", "body_not_taken"), problem
    return problem


def test_a_cancel_with_a_reason_is_refused_and_cancels_nothing(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("nobody")
    _published(admin, name)
    job = admin.post("/api/callbacks", json={"number": "+34600111222", "scenario": name, "due": "2030-06-01T10:00Z"})
    assert job.status_code == 201, job.text
    cancel = f"/api/callbacks/{job.json()['id']}/cancel"
    problem = _refused(admin.post(cancel, json={"reason": "x"}))
    assert "takes no body" in problem["message"] and "/cancel" in problem["message"]
    assert problem["params"]["fields"] == ["reason"]
    assert admin.get(f"/api/callbacks/{job.json()['id']}").json()["status"] == "pending"
    # Sent as every client sends a POST without data, it works.
    assert admin.post(cancel).status_code == 200


def test_a_pause_with_a_text_body_is_refused(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("nobody-campaign")
    _published(admin, name)
    body = {"scenario": name, "rows": [{"phone": "600111222"}], "due": "2030-06-01T10:00Z"}
    campaign = admin.post("/api/callbacks/batch", json=body).json()["campaign_id"]
    pause = f"/api/callbacks/campaigns/{campaign}/pause"
    problem = _refused(admin.post(pause, content=b"garbage", headers={"content-type": "text/plain"}))
    assert problem["params"]["content_type"] == "text/plain"
    assert admin.get(f"/api/callbacks/campaigns/{campaign}").json()["paused"] is False
    assert admin.post(pause).status_code == 200


@pytest.mark.parametrize("body", [b"", b"{}", b"  {} \n"])
def test_no_body_or_an_empty_object_is_taken(admin: Client, slug: Callable[[str], str], body: bytes) -> None:
    """An empty object names no field: some HTTP clients send `{}` for a POST without data."""
    name = slug("nobody-empty")
    _published(admin, name)
    job = admin.post("/api/callbacks", json={"number": "+34600111222", "scenario": name, "due": "2030-06-01T10:00Z"})
    headers = {"content-type": "application/json"} if body else {}
    cancelled = admin.post(f"/api/callbacks/{job.json()['id']}/cancel", content=body, headers=headers)
    assert cancelled.status_code == 200, cancelled.text


def test_a_body_is_refused_before_anyone_is_asked_who_sends_it(anonymous: Client) -> None:
    """As an undeclared query parameter: the request's shape is judged first, whatever the method."""
    for method, path in (("POST", "/api/auth/logout"), ("DELETE", "/api/tokens/1"), ("GET", "/api/scenarios")):
        _refused(anonymous.request(method, path, json={"why": "x"}))


def test_operations_that_take_a_body_still_do(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("nobody-body")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "x"})
    assert created.status_code == 201, created.text
    assert admin.patch(f"/api/scenarios/{name}", json={"name": "y"}).status_code == 200
