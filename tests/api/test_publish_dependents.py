"""Publishing a scenario runs the tests of the published scenarios that continue in it, over real HTTP.

QA review (high): inbound-hotline's Sales target was changed and published with its own tests green, and
employee-callthrough (live, Go To Scenario into inbound-hotline) failed its test "database down: main menu anyway"
from then on, with nobody told; its typo fix and even its rollback were refused because of the other scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client, UserFactory
from tests.persistence import documents

FORMAT = "ivrgraph.scenario/1"
CALLTHROUGH_TEST = "database down: main menu anyway"


def _hotline(queue: str) -> dict[str, Any]:
    """inbound-hotline in small: its Sales option transfers to `queue`, and its own test says so."""
    test = {"name": "sales", "transfers": ["answered"], "expect": {"transfers": [queue]}}
    return {
        "format": FORMAT,
        "name": "Hotline",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "sales", "type": "transfer", "config": {"target": queue}},
        ],
        "edges": [{"source": "start", "exit": "next", "target": "sales"}],
        "meta": {"tests": [test]},
    }


def _jumping(target: str, *, greeting: str = "Welcome", tests: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A scenario that greets, then continues in `target` by Go To Scenario (employee-callthrough's main menu)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "name": f"Into {target}",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "hello", "type": "say_phrase", "config": {"text": greeting}},
            {"id": "main", "type": "goto_scenario", "config": {"scenario": target}},
        ],
        "edges": [
            {"source": "start", "exit": "next", "target": "hello"},
            {"source": "hello", "exit": "next", "target": "main"},
        ],
    }
    if tests is not None:
        document["meta"] = {"tests": tests}
    return document


def _reaches_sales(name: str = CALLTHROUGH_TEST) -> list[dict[str, Any]]:
    return [{"name": name, "transfers": ["answered"], "expect": {"transfers": ["queue:sales"]}}]


def _create_and_publish(client: Client, slug: str, document: dict[str, Any]) -> None:
    created = client.post("/api/scenarios", json={"slug": slug, "name": slug.title(), "document": document})
    assert created.status_code == 201, created.text
    published = client.post(f"/api/scenarios/{slug}/publish", json={"message": "live"})
    assert published.status_code == 200, published.text


def _save(client: Client, slug: str, document: dict[str, Any]) -> int:
    revision = client.get(f"/api/scenarios/{slug}").json()["draft"]["revision"]
    saved = client.put(f"/api/scenarios/{slug}/draft", json={"revision": revision, "document": document})
    assert saved.status_code == 200, saved.text
    return int(saved.json()["revision"])


def _failing(answer: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(test.get("scenario"), test["name"]) for test in answer["tests"] if not test["passed"]]


def _versions(client: Client, slug: str) -> list[int]:
    return [version["number"] for version in client.get(f"/api/scenarios/{slug}/versions").json()]


def test_a_publish_that_breaks_a_scenario_continuing_in_it_is_blocked_naming_it(
    admin: Client, slug: Callable[[str], str]
) -> None:
    hotline, callthrough = slug("inbound-hotline"), slug("employee-callthrough")
    _create_and_publish(admin, hotline, _hotline("queue:sales"))
    _create_and_publish(admin, callthrough, _jumping(hotline, tests=_reaches_sales()))

    _save(admin, hotline, _hotline("queue:ventas"))  # its own test changed with it: green
    blocked = admin.post(f"/api/scenarios/{hotline}/publish", json={"message": "Sales moved"})
    assert blocked.status_code == 422, blocked.text
    answer = blocked.json()
    assert answer["type"].endswith("/publish-blocked")
    assert answer["detail"] == (
        f'publishing {hotline} breaks 1 test of {callthrough}: "{CALLTHROUGH_TEST}"; '
        "a publisher may publish it despite failing tests"
    )
    assert [(test["scenario"], test["name"], test["passed"]) for test in answer["tests"]] == [
        (None, "sales", True),
        (callthrough, CALLTHROUGH_TEST, False),
    ]
    [broken] = [test for test in answer["tests"] if test["scenario"] == callthrough]
    assert broken["failures"] == ["dialed ['queue:ventas'], expected ['queue:sales']"]
    assert _versions(admin, hotline) == [1]  # calls into the hotline still reach Sales

    # The live pair still passes, so neither is held hostage: the callthrough's typo fix, and its rollback.
    _save(admin, callthrough, _jumping(hotline, greeting="Welcome!", tests=_reaches_sales()))
    fixed = admin.post(f"/api/scenarios/{callthrough}/publish", json={"message": "typo"})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["version"]["validation_summary"]["tests_passed"] == 1
    rolled = admin.post(f"/api/scenarios/{callthrough}/versions/1/rollback", json={})
    assert rolled.status_code == 200, rolled.text

    # Publishing the hotline with a change that keeps Sales where it was runs the callthrough's test too: green.
    fine = _hotline("queue:sales")
    fine["nodes"][1]["config"]["timeout"] = 20
    _save(admin, hotline, fine)
    published = admin.post(f"/api/scenarios/{hotline}/publish", json={"message": "ring shorter"})
    assert published.status_code == 200, published.text
    assert [(test["scenario"], test["passed"]) for test in published.json()["tests"]] == [
        (None, True),
        (callthrough, True),
    ]
    summary = published.json()["version"]["validation_summary"]
    assert summary["tests_passed"] == 2 and summary["other_scenarios_tested"] == [callthrough]
    assert "despite_failing_tests" not in summary


def test_a_scenario_reached_through_another_runs_the_first_ones_tests(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """A -> B -> X by Go To Scenario: publishing X runs A's tests (B has none), never those of C, which only
    schedules a Callback into X (another call, later: its tests check what was scheduled, not what X says)."""
    x, b, a, c = slug("x"), slug("b"), slug("a"), slug("c")
    _create_and_publish(admin, x, _hotline("queue:sales"))
    _create_and_publish(admin, b, _jumping(x))
    _create_and_publish(admin, a, _jumping(b, tests=_reaches_sales("through b to sales")))
    scheduling = documents.greeting("We will call you back")
    scheduling["nodes"][1:] = [
        {"id": "later", "type": "callback", "config": {"scenario": x, "delay_minutes": 5}},
        {"id": "bye", "type": "hangup", "config": {}},
    ]
    scheduling["edges"] = [
        {"source": "start", "exit": "next", "target": "later"},
        {"source": "later", "exit": "scheduled", "target": "bye"},
    ]
    scheduling["meta"] = {
        "tests": [
            {
                "name": "schedules",
                "caller_id": "+34911000000",
                "at": "2026-11-23T10:00:00+01:00",
                "expect": {"scheduled": [{"scenario": x}]},
            }
        ]
    }
    _create_and_publish(admin, c, scheduling)

    _save(admin, x, _hotline("queue:ventas"))
    blocked = admin.post(f"/api/scenarios/{x}/publish", json={"message": "Sales moved"})
    assert blocked.status_code == 422, blocked.text
    assert _failing(blocked.json()) == [(a, "through b to sales")]
    assert {test["scenario"] for test in blocked.json()["tests"]} == {None, a}  # not C's
    assert blocked.json()["detail"].startswith(f'publishing {x} breaks 1 test of {a}: "through b to sales"')
    assert _versions(admin, x) == [1]


def test_failing_tests_may_be_overridden_by_a_publisher_who_says_so_and_it_is_recorded(
    admin: Client, user_factory: UserFactory, slug: Callable[[str], str]
) -> None:
    """The incident: the hotline went live breaking the callthrough's test (here forced, as it was published before
    this check), so the callthrough's own publishes and rollbacks fail that test. A publisher rolls back anyway."""
    hotline, callthrough = slug("inbound-hotline"), slug("employee-callthrough")
    publisher = user_factory("publisher")
    _create_and_publish(admin, hotline, _hotline("queue:sales"))
    _create_and_publish(admin, callthrough, _jumping(hotline, tests=_reaches_sales()))
    _save(admin, callthrough, _jumping(hotline, greeting="Welcom", tests=_reaches_sales()))
    assert admin.post(f"/api/scenarios/{callthrough}/publish", json={"message": "v2, a typo"}).status_code == 200

    _save(admin, hotline, _hotline("queue:ventas"))
    forced = publisher.post(
        f"/api/scenarios/{hotline}/publish", json={"message": "Sales moved", "despite_failing_tests": True}
    )
    assert forced.status_code == 200, forced.text
    assert _failing(forced.json()) == [(callthrough, CALLTHROUGH_TEST)]
    failure = "dialed ['queue:ventas'], expected ['queue:sales']"
    details = {"code": "dialed_mismatch", "params": {"dialed": ["queue:ventas"], "expected": ["queue:sales"]}}
    record = [
        {
            "scenario": callthrough,
            "test": CALLTHROUGH_TEST,
            "failures": [failure],
            "failure_details": [{**details, "text": failure}],  # for the designer to say in the analyst's language
            "failure_count": 1,
        }
    ]
    version = forced.json()["version"]
    assert version["created_by"] == publisher.username
    assert version["validation_summary"]["despite_failing_tests"] == record
    assert version["validation_summary"]["tests_passed"] == 1
    [event] = admin.get("/api/audit", params={"target": f"scenario:{hotline}", "action": "publish"}).json()[:1]
    assert event["actor"] == publisher.username and event["details"]["despite_failing_tests"] == record

    # Strict by default: the callthrough's rollback fails its own test now, because of the hotline.
    refused = publisher.post(f"/api/scenarios/{callthrough}/versions/1/rollback", json={"message": "incident"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == (
        f'publishing {callthrough} is blocked: 1 test of its own fails: "{CALLTHROUGH_TEST}"; '
        "a publisher may publish it despite failing tests"
    )
    assert _versions(admin, callthrough) == [2, 1]
    body = {"message": "incident", "despite_failing_tests": True}
    rolled = publisher.post(f"/api/scenarios/{callthrough}/versions/1/rollback", json=body)
    assert rolled.status_code == 200, rolled.text
    own = [{**record[0], "scenario": callthrough}]
    assert rolled.json()["version"]["validation_summary"]["despite_failing_tests"] == own
    assert _versions(admin, callthrough) == [3, 2, 1]
    [event] = admin.get("/api/audit", params={"target": f"scenario:{callthrough}"}).json()[:1]
    assert (event["action"], event["actor"]) == ("rollback", publisher.username)
    assert event["details"]["despite_failing_tests"] == own and event["details"]["version"] == 3

    # Validation errors are never overridden; an editor may not publish at all.
    _save(admin, callthrough, documents.unknown_block())
    still = publisher.post(
        f"/api/scenarios/{callthrough}/publish", json={"message": "broken", "despite_failing_tests": True}
    )
    assert still.status_code == 422 and "unknown_type" in {p["code"] for p in still.json()["problems"]}
    assert _versions(admin, callthrough) == [3, 2, 1]
    editor = user_factory("editor")
    answer = editor.post(f"/api/scenarios/{hotline}/versions/1/rollback", json={"despite_failing_tests": True})
    assert answer.status_code == 403
