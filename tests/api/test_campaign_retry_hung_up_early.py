"""A call list's opt-in `retry_hung_up_early` (call again a client who hangs up before the message ends): taken
by POST /api/callbacks/batch, kept in the campaign's settings and shown with them; off unless asked for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.api.conftest import Client
from tests.persistence import documents

AT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _published(admin: Client, name: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": name, "name": "list", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


@pytest.mark.parametrize(("sent", "kept"), [({"retry_hung_up_early": True}, True), ({}, False)])
def test_the_option_is_taken_kept_and_shown(
    admin: Client, slug: Callable[[str], str], sent: dict[str, bool], kept: bool
) -> None:
    name = slug("retry-early")
    _published(admin, name)
    body = {"scenario": name, "rows": [{"phone": "600888001"}], "due": AT.isoformat(), **sent}
    started = admin.post("/api/callbacks/batch", json=body)
    assert started.status_code == 200, started.text
    campaign_id = started.json()["campaign_id"]
    summary = admin.get(f"/api/callbacks/campaigns/{campaign_id}").json()
    assert summary["settings"]["retry_hung_up_early"] is kept
    (listed,) = admin.get("/api/callbacks/campaigns", params={"scenario": name}).json()
    assert listed["settings"]["retry_hung_up_early"] is kept


def test_a_value_that_is_no_boolean_is_refused(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("retry-early-bad")
    _published(admin, name)
    body = {"scenario": name, "rows": [{"phone": "600888002"}], "retry_hung_up_early": "sometimes"}
    answer = admin.post("/api/callbacks/batch", json=body)
    assert answer.status_code == 422, answer.text
    assert "retry_hung_up_early" in answer.text
