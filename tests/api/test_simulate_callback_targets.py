"""Review, 2026-12-05: a test call (the designer's Test call, and the tests run at publish) scheduled a callback into
a scenario that is not published, and showed `scheduled`; the live call's scheduler refuses it (persistence.callbacks)
and the block takes its `error` exit. A test call now refuses it the same way, in the same words, and still lets a
scenario call back into itself before its first version, as publishing does. (Publishing itself was safe: validation
refuses a Callback into a scenario not published.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

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
        "tests": [
            {
                "name": "calls back",
                "caller_id": "+34600000000",
                "expect": {"callbacks": 1, "path": ["start", "later", "bye"]},
            }
        ]
    }
    _create(admin, name, document)

    assert _callback_step(admin, name)["exit"] == "scheduled"
    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "first"})
    assert published.status_code == 200, published.text


@pytest.mark.usefixtures("in_spain")
@pytest.mark.parametrize(
    ("caller_id", "reason"),
    [
        ("112", "emergency number"),
        ("123", "impossible number (too_short)"),  # an extension: the trunk reaches nobody there
        ("+34112", "impossible number (too_short)"),
    ],
)
def test_a_callback_to_a_number_never_called_is_rejected_as_a_live_call_rejects_it(
    admin: Client, slug: Callable[[str], str], caller_id: str, reason: str
) -> None:
    """A caller ID of 112 asking for a callback: the live scheduler refuses it (no job is ever made for an emergency
    number), and the test call showed `scheduled` all the same (review of 2026-12-05). The live call takes the
    block's `rejected` exit, as for a number no phone has, and so does the test call, the step saying why."""
    name = slug("refused")
    _create(admin, name, _calls_back_into(name))
    response = admin.post(f"/api/scenarios/{name}/simulate", json={"caller_id": caller_id})
    assert response.status_code == 200, response.text
    step = next(step for step in response.json()["result"]["steps"] if step["node"] == "later")
    assert (step["exit"], step["error"]) == ("rejected", None)
    assert step["events"] == [{"kind": "callback_rejected", "reason": reason, "number": caller_id}]
    assert f"callback refused ({reason})" in response.json()["story"][1]
    assert response.json()["callbacks"] == []

    ordinary = admin.post(f"/api/scenarios/{name}/simulate", json={"caller_id": "600111222"})
    assert [c["number"] for c in ordinary.json()["callbacks"]] == ["600111222"]


def test_the_tests_run_at_publish_reject_an_emergency_caller_as_a_live_call_does(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """A scenario test of a caller of 112 stating the live call's path (the `rejected` edge, no callback): publishing
    ran it with a scheduler that took the number, so the test failed and blocked the publish."""
    name = slug("emergency-tested")
    document = _calls_back_into(name)
    document["meta"] = {
        "tests": [{"name": "112", "caller_id": "112", "expect": {"callbacks": 0, "path": ["start", "later", "bye"],
                                                                  "outcome": "hung_up"}}]
    }  # fmt: skip
    document["edges"] = [edge for edge in document["edges"] if edge["exit"] != "error"]  # an error would fail it
    _create(admin, name, document)
    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "first"})
    assert published.status_code == 200, published.text
