"""Over real HTTP: a publish that removes scenario tests says so, naming each, in its diff and in its audit event; and
a version published despite a test with more failures than it records says how many there were.

QA review: deleting a failing test and three passing ones from `meta.tests` and publishing "tidy" answered a diff
`empty: true` and an audit event with `changes: []`: the test gate was got past and nothing recorded it. And a
version published despite failing tests kept a test's first 3 failures with no word of the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client
from tests.api.test_publish_dependents import _hotline, _save

FAILING = "anonymous caller cannot be called back"
PASSING = ["sales", "sales again", "sales once more"]


def _tested(tests: list[dict[str, Any]]) -> dict[str, Any]:
    document = _hotline("queue:sales")
    document["meta"]["tests"] = tests
    return document


def _passing(name: str) -> dict[str, Any]:
    return {"name": name, "transfers": ["answered"], "expect": {"transfers": ["queue:sales"]}}


# Fails four ways: three fragments never said, then the transfer dialled elsewhere.
FOUR_FAILURES = {
    "name": FAILING,
    "transfers": ["answered"],
    "expect": {"said": ["one", "two", "three"], "transfers": ["queue:callback"]},
}


def _publish(client: Client, slug: str, message: str, *, anyway: bool = False) -> dict[str, Any]:
    body = {"message": message, **({"despite_failing_tests": True} if anyway else {})}
    answer = client.post(f"/api/scenarios/{slug}/publish", json=body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _latest_publish_event(client: Client, slug: str) -> dict[str, Any]:
    events = client.get("/api/audit", params={"target": f"scenario:{slug}", "action": "publish"}).json()
    return dict(max(events, key=lambda event: event["details"]["version"]))


def test_removing_tests_is_named_in_the_publish_answer_its_preview_and_its_audit_event(
    admin: Client, slug: Callable[[str], str]
) -> None:
    hotline = slug("inbound-hotline")
    tests = [FOUR_FAILURES, *(_passing(name) for name in PASSING), _passing("kept")]
    created = admin.post("/api/scenarios", json={"slug": hotline, "name": "Hotline", "document": _tested(tests)})
    assert created.status_code == 201, created.text
    first = _publish(admin, hotline, "live", anyway=True)
    [shipped] = first["version"]["validation_summary"]["despite_failing_tests"]
    assert shipped["test"] == FAILING
    assert len(shipped["failures"]) == len(shipped["failure_details"]) == 3  # the limit stays
    assert shipped["failure_count"] == 4  # and the rest are counted
    listed = admin.get(f"/api/scenarios/{hotline}/versions").json()
    assert listed[-1]["validation_summary"]["despite_failing_tests"][0]["failure_count"] == 4

    _save(admin, hotline, _tested([_passing("kept")]))  # the failing test and three passing ones deleted
    removed = {"kind": "tests_removed", "tests": [FAILING, *PASSING]}
    preview = admin.get(f"/api/scenarios/{hotline}/diff")  # what the Publish dialog shows before publishing
    assert preview.status_code == 200, preview.text
    assert preview.json()["diff"]["empty"] is False
    assert preview.json()["diff"]["changes"] == [removed]

    published = _publish(admin, hotline, "tidy")
    assert published["diff"]["empty"] is False
    assert published["diff"]["changes"] == [removed]
    sentence = f'removed tests: "{FAILING}", "sales", "sales again", "sales once more"'
    assert published["diff"]["summary"] == [sentence]
    event = _latest_publish_event(admin, hotline)
    assert event["details"]["version"] == 2
    assert event["details"]["changes"] == [sentence]
