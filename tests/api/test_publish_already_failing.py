"""Over real HTTP: a scenario continuing in the one published whose test fails with its live version too.

Finding: inbound-hotline went live breaking employee-callthrough's test (published despite failing tests). From then
on every publish of the hotline, even one that changed nothing for the callthrough, was refused for that test, and
each had to be an override in the audit log. Now a failure that already happens with the live hotline is reported
(`already_failing`) but does not block; a failure the publish causes still does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client
from tests.api.test_publish_dependents import CALLTHROUGH_TEST, _create_and_publish, _hotline, _jumping, _save

GREETS = "greets"


def _callthrough_tests() -> list[dict[str, Any]]:
    """The callthrough's test that reaches Sales, and one that only checks its greeting (any hotline passes it)."""
    sales = {"name": CALLTHROUGH_TEST, "transfers": ["answered"], "expect": {"transfers": ["queue:sales"]}}
    return [sales, {"name": GREETS, "transfers": ["answered"], "expect": {"said": ["Welcome"]}}]


def _outcomes(answer: dict[str, Any]) -> list[tuple[str | None, str, bool, bool]]:
    """Each test's scenario, name, whether it passed, and whether it is marked already failing (own: never)."""
    tests = answer["tests"]
    return [(test["scenario"], test["name"], test["passed"], test.get("already_failing", False)) for test in tests]


def _publish_event(admin: Client, slug: str) -> dict[str, Any]:
    [event] = admin.get("/api/audit", params={"target": f"scenario:{slug}", "action": "publish"}).json()[:1]
    return dict(event["details"])


def _hotline_at(queue: str, *, timeout: int | None = None, own_queue: str | None = None) -> dict[str, Any]:
    """The hotline transferring Sales to `queue`; its own test expecting `own_queue` (default: `queue`)."""
    document = _hotline(queue)
    if timeout is not None:
        document["nodes"][1]["config"]["timeout"] = timeout
    if own_queue is not None:
        document["meta"]["tests"][0]["expect"]["transfers"] = [own_queue]
    return document


def test_a_dependent_test_already_failing_with_the_live_version_is_reported_but_does_not_block(
    admin: Client, slug: Callable[[str], str]
) -> None:
    hotline, callthrough = slug("inbound-hotline"), slug("employee-callthrough")
    _create_and_publish(admin, hotline, _hotline("queue:sales"))
    _create_and_publish(admin, callthrough, _jumping(hotline, tests=_callthrough_tests()))
    _save(admin, hotline, _hotline("queue:ventas"))
    body = {"message": "Sales moved", "despite_failing_tests": True}
    forced = admin.post(f"/api/scenarios/{hotline}/publish", json=body)  # the incident: it went live breaking it
    assert forced.status_code == 200, forced.text
    assert [r["test"] for r in forced.json()["version"]["validation_summary"]["despite_failing_tests"]] == [
        CALLTHROUGH_TEST
    ]

    # A change that does nothing to the callthrough: its test fails with the live hotline already, so no block.
    _save(admin, hotline, _hotline_at("queue:ventas", timeout=20))
    published = admin.post(f"/api/scenarios/{hotline}/publish", json={"message": "ring shorter"})
    assert published.status_code == 200, published.text
    answer = published.json()
    assert _outcomes(answer) == [
        (None, "sales", True, False),
        (callthrough, CALLTHROUGH_TEST, False, True),
        (callthrough, GREETS, True, False),
    ]
    summary = answer["version"]["validation_summary"]
    assert summary["already_failing"] == [{"scenario": callthrough, "test": CALLTHROUGH_TEST}]
    assert summary["tests_passed"] == 2 and "despite_failing_tests" not in summary
    details = _publish_event(admin, hotline)
    assert details["message"] == "ring shorter" and "despite_failing_tests" not in details
    [listed] = admin.get(f"/api/scenarios/{hotline}/versions").json()[:1]
    assert listed["validation_summary"]["already_failing"] == summary["already_failing"]


def test_a_failure_the_publish_causes_blocks_naming_only_it_and_its_own_failures_always_block(
    admin: Client, slug: Callable[[str], str]
) -> None:
    hotline, callthrough, spanish = slug("inbound-hotline"), slug("employee-callthrough"), slug("spanish-line")
    _create_and_publish(admin, hotline, _hotline("queue:sales"))
    _create_and_publish(admin, callthrough, _jumping(hotline, tests=_callthrough_tests()))
    _save(admin, hotline, _hotline("queue:ventas"))
    body = {"message": "Sales moved", "despite_failing_tests": True}
    assert admin.post(f"/api/scenarios/{hotline}/publish", json=body).status_code == 200
    to_ventas = [{"name": "reaches ventas", "transfers": ["answered"], "expect": {"transfers": ["queue:ventas"]}}]
    _create_and_publish(admin, spanish, _jumping(hotline, greeting="Hola", tests=to_ventas))  # green with it live

    _save(admin, hotline, _hotline("queue:support"))
    blocked = admin.post(f"/api/scenarios/{hotline}/publish", json={"message": "Sales to support"})
    assert blocked.status_code == 422, blocked.text
    assert blocked.json()["detail"] == (
        f'publishing {hotline} breaks 1 test of {spanish}: "reaches ventas"; '
        "a publisher may publish it despite failing tests"
    )
    assert _outcomes(blocked.json()) == [
        (None, "sales", True, False),
        (callthrough, CALLTHROUGH_TEST, False, True),
        (callthrough, GREETS, True, False),
        (spanish, "reaches ventas", False, False),
    ]
    assert [v["number"] for v in admin.get(f"/api/scenarios/{hotline}/versions").json()] == [2, 1]

    forced = admin.post(f"/api/scenarios/{hotline}/publish", json={**body, "message": "Sales to support"})
    assert forced.status_code == 200, forced.text
    summary = forced.json()["version"]["validation_summary"]
    assert [(r["scenario"], r["test"]) for r in summary["despite_failing_tests"]] == [(spanish, "reaches ventas")]
    assert summary["already_failing"] == [{"scenario": callthrough, "test": CALLTHROUGH_TEST}]
    overridden = _publish_event(admin, hotline)["despite_failing_tests"]
    assert [(r["scenario"], r["test"]) for r in overridden] == [(spanish, "reaches ventas")]

    # Its own tests are never "already failing": one that failed live too blocks the next publish all the same.
    _save(admin, hotline, _hotline_at("queue:support", own_queue="queue:sales"))
    shipped = admin.post(f"/api/scenarios/{hotline}/publish", json={**body, "message": "own test wrong"})
    assert shipped.status_code == 200, shipped.text
    _save(admin, hotline, _hotline_at("queue:support", timeout=20, own_queue="queue:sales"))
    own = admin.post(f"/api/scenarios/{hotline}/publish", json={"message": "ring shorter"})
    assert own.status_code == 422, own.text
    assert own.json()["detail"] == (
        f'publishing {hotline} is blocked: 1 test of its own fails: "sales"; '
        "a publisher may publish it despite failing tests"
    )
    assert _outcomes(own.json())[0] == (None, "sales", False, False)
