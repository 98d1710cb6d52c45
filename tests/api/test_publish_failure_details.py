"""Over real HTTP: a version published despite failing tests records why each failed as data (`failure_details`:
code, params and English text, as a test run answers them), so the designer's Versions panel says them in the
analyst's language.

Finding: the Tests tab said a failure in Spanish or Russian from its code and params, but a version published
"anyway" kept only the English sentences, and the Versions panel showed those whatever the analyst's language.
A version recorded before keeps its sentences and lists no details: the designer shows those.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from persistence.db import Database
from persistence.models import Scenario, ScenarioVersion
from tests.api.conftest import Client, Server
from tests.api.test_publish_dependents import (
    CALLTHROUGH_TEST,
    _create_and_publish,
    _hotline,
    _jumping,
    _reaches_sales,
    _save,
)

DIALED_VENTAS = {
    "code": "dialed_mismatch",
    "params": {"dialed": ["queue:ventas"], "expected": ["queue:sales"]},
    "text": "dialed ['queue:ventas'], expected ['queue:sales']",
}


def _hotline_testing_sales(queue: str) -> dict[str, Any]:
    """The hotline transferring Sales to `queue`, its own test still expecting queue:sales."""
    document = _hotline(queue)
    document["meta"]["tests"][0]["expect"]["transfers"] = ["queue:sales"]
    return document


def _shipped(version: dict[str, Any]) -> list[dict[str, Any]]:
    return list(version["validation_summary"]["despite_failing_tests"])


def _listed(client: Client, slug: str, number: int) -> dict[str, Any]:
    answer = client.get(f"/api/scenarios/{slug}/versions")
    assert answer.status_code == 200, answer.text
    [version] = [version for version in answer.json() if version["number"] == number]
    return dict(version)


def test_publishing_past_an_own_failing_test_records_its_failures_as_data(
    admin: Client, slug: Callable[[str], str]
) -> None:
    hotline = slug("inbound-hotline")
    _create_and_publish(admin, hotline, _hotline("queue:sales"))
    _save(admin, hotline, _hotline_testing_sales("queue:ventas"))

    blocked = admin.post(f"/api/scenarios/{hotline}/publish", json={"message": "Sales moved"})
    assert blocked.status_code == 422, blocked.text
    [refused] = blocked.json()["tests"]
    assert refused["failure_details"] == [DIALED_VENTAS]  # what the Publish dialog says the failure from

    body = {"message": "Sales moved", "despite_failing_tests": True}
    forced = admin.post(f"/api/scenarios/{hotline}/publish", json=body)
    assert forced.status_code == 200, forced.text
    record = {
        "scenario": hotline,
        "test": "sales",
        "failures": [DIALED_VENTAS["text"]],
        "failure_details": [DIALED_VENTAS],
        "failure_count": 1,
    }
    assert _shipped(forced.json()["version"]) == [record]
    assert _shipped(_listed(admin, hotline, 2)) == [record]  # what the Versions panel reads
    detail = admin.get(f"/api/scenarios/{hotline}/versions/2")
    assert detail.status_code == 200, detail.text
    assert _shipped(detail.json()) == [record]
    [event] = admin.get("/api/audit", params={"target": f"scenario:{hotline}", "action": "publish"}).json()[:1]
    assert event["details"]["despite_failing_tests"] == [record]


def test_a_test_of_a_scenario_continuing_in_it_records_its_failures_as_data_and_is_told_so_once_already_failing(
    admin: Client, slug: Callable[[str], str]
) -> None:
    hotline, callthrough = slug("inbound-hotline"), slug("employee-callthrough")
    _create_and_publish(admin, hotline, _hotline("queue:sales"))
    _create_and_publish(admin, callthrough, _jumping(hotline, tests=_reaches_sales()))

    _save(admin, hotline, _hotline("queue:ventas"))  # its own test moves with it: only the callthrough's fails
    body = {"message": "Sales moved", "despite_failing_tests": True}
    forced = admin.post(f"/api/scenarios/{hotline}/publish", json=body)
    assert forced.status_code == 200, forced.text
    record = {
        "scenario": callthrough,
        "test": CALLTHROUGH_TEST,
        "failures": [DIALED_VENTAS["text"]],
        "failure_details": [DIALED_VENTAS],
        "failure_count": 1,
    }
    assert _shipped(_listed(admin, hotline, 2)) == [record]

    # The next publish breaks nothing more: the callthrough's test fails with the live hotline already, and the
    # answer says why as data too, for the dialog's warning.
    document = _hotline("queue:ventas")
    document["nodes"][1]["config"]["timeout"] = 20
    _save(admin, hotline, document)
    published = admin.post(f"/api/scenarios/{hotline}/publish", json={"message": "Ring shorter"})
    assert published.status_code == 200, published.text
    [theirs] = [test for test in published.json()["tests"] if test["scenario"] == callthrough]
    assert theirs["already_failing"] is True
    assert theirs["failure_details"] == [DIALED_VENTAS]
    assert "despite_failing_tests" not in published.json()["version"]["validation_summary"]


def test_a_version_recorded_before_failure_details_still_lists_its_english_failures(
    admin: Client, server: Server, slug: Callable[[str], str]
) -> None:
    hotline = slug("inbound-hotline")
    _create_and_publish(admin, hotline, _hotline("queue:sales"))
    _save(admin, hotline, _hotline_testing_sales("queue:ventas"))
    body = {"message": "Sales moved", "despite_failing_tests": True}
    assert admin.post(f"/api/scenarios/{hotline}/publish", json=body).status_code == 200

    # As a version published before the details were recorded holds it: the English sentences alone.
    older = {"scenario": hotline, "test": "sales", "failures": [DIALED_VENTAS["text"]]}
    database = Database(server.database_url)
    try:
        with database.session() as session:
            version = session.scalars(
                select(ScenarioVersion)
                .join(Scenario, Scenario.id == ScenarioVersion.scenario_id)
                .where(Scenario.slug == hotline, ScenarioVersion.number == 2)
            ).one()
            version.validation_summary = {**version.validation_summary, "despite_failing_tests": [older]}
    finally:
        database.dispose()

    listed = _listed(admin, hotline, 2)
    assert _shipped(listed) == [{**older, "failure_details": [], "failure_count": None}]
    assert listed["validation_summary"]["tests_passed"] == 0  # the rest of the summary as stored
