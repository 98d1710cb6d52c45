"""Review, 2026-12-05: a test call (the designer's Test call, and the tests run at publish) scheduled a callback into
a scenario that is not published, and showed `scheduled`; the live call's scheduler refuses it (persistence.callbacks)
and the block takes its `error` exit. A test call now refuses it the same way, in the same words, and still lets a
scenario call back into itself before its first version, as publishing does. (Publishing itself was safe: validation
refuses a Callback into a scenario not published.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client
from tests.conftest import make_document


def _calls_back_into(target: str) -> dict[str, Any]:
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "later", "type": "callback", "config": {"delay_minutes": 30, "scenario": target}},
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "later"),
            ("later", "scheduled", "bye"),
            ("later", "rejected", "bye"),
            ("later", "error", "bye"),
        ],
    )


def _create(client: Client, slug: str, document: dict[str, Any]) -> None:
    response = client.post("/api/scenarios", json={"slug": slug, "name": slug.title(), "document": document})
    assert response.status_code == 201, response.text


def _callback_step(client: Client, slug: str) -> dict[str, Any]:
    # A caller to call back: a test call has no caller ID unless it is given one (api.schemas.SimulateIn).
    response = client.post(f"/api/scenarios/{slug}/simulate", json={"caller_id": "+34600000000"})
    assert response.status_code == 200, response.text
    return next(step for step in response.json()["result"]["steps"] if step["node"] == "later")  # type: ignore[no-any-return]


def test_a_callback_into_a_draft_takes_the_error_exit_until_the_draft_is_published(
    admin: Client, slug: Callable[[str], str]
) -> None:
    caller, target = slug("caller"), slug("target")
    _create(admin, caller, _calls_back_into(target))
    _create(admin, target, make_document([{"id": "start", "type": "start"}], []))

    refused = _callback_step(admin, caller)
    assert refused["exit"] == "error"
    assert refused["error"] == f"the callback cannot be scheduled: {target!r} is not published"

    assert admin.post(f"/api/scenarios/{target}/publish", json={"message": "live"}).status_code == 200
    assert _callback_step(admin, caller)["exit"] == "scheduled"


def test_a_scenario_may_call_back_into_itself_before_its_first_version(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("itself")
    document = _calls_back_into(name)
    document["meta"] = {
        "tests": [{"name": "calls back", "expect": {"callbacks": 1, "path": ["start", "later", "bye"]}}]
    }
    _create(admin, name, document)

    assert _callback_step(admin, name)["exit"] == "scheduled"
    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "first"})
    assert published.status_code == 200, published.text


def test_a_callback_to_an_emergency_number_is_refused_as_a_live_call_refuses_it(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """A caller ID of 112 asking for a callback: the live scheduler refuses it (no job is ever made for an emergency
    number), and the test call showed `scheduled` all the same (review of 2026-12-05)."""
    name = slug("emergency")
    _create(admin, name, _calls_back_into(name))
    response = admin.post(f"/api/scenarios/{name}/simulate", json={"caller_id": "112"})
    assert response.status_code == 200, response.text
    step = next(step for step in response.json()["result"]["steps"] if step["node"] == "later")
    assert step["exit"] == "error"
    assert step["error"] == "the callback cannot be scheduled: 112 is an emergency number and is never dialled"
    assert response.json()["callbacks"] == []

    ordinary = admin.post(f"/api/scenarios/{name}/simulate", json={"caller_id": "+34600111222"})
    assert [c["number"] for c in ordinary.json()["callbacks"]] == ["+34600111222"]
