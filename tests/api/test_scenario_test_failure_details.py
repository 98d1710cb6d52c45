"""A test's failures as data over the API: `failure_details` (code, params, English text) beside `failures`, and the
test call's trace (`call`) when a draft's tests are run, for the designer to say both in the analyst's language.

QA review: a Spanish or Russian analyst read a test's failures and its story only in English in the Tests tab.
Over real HTTP (the shared server, each backend).
"""

from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import Client
from tests.persistence import documents

WRONG = {"name": "wrong", "expect": {"path": ["start", "bye"], "said": ["Adiós"], "outcome": "transferred"}}


def test_running_the_tests_gives_each_failure_as_data_and_the_calls_trace(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("failure-details")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "Hola", "document": documents.greeting("Hola")})
    assert created.status_code == 201, created.text

    ran = admin.post(f"/api/scenarios/{name}/tests", json={"document": documents.greeting("Hola", tests=[WRONG])})

    assert ran.status_code == 200, ran.text
    [outcome] = ran.json()["tests"]
    assert outcome["failure_details"] == [
        {
            "code": "path_mismatch",
            "params": {
                "path": ["start", "hello", "bye"],
                "expected": ["start", "bye"],
                "step": 2,
                "went": "hello",
                "wanted": "bye",
            },
            "text": "path was ['start', 'hello', 'bye'], expected ['start', 'bye']: differs at step 2: "
            "expected 'bye', it went to 'hello'",
        },
        {
            "code": "outcome_mismatch",
            "params": {"outcome": "hung_up", "expected": "transferred"},
            "text": "outcome was hung_up, expected transferred",
        },
        {
            "code": "never_said",
            "params": {"fragment": "Adiós", "said": "Hola"},
            "text": "never said 'Adiós' (said: 'Hola')",
        },
    ]
    # The English sentences, as before, for the clients that read them.
    assert outcome["failures"] == [failure["text"] for failure in outcome["failure_details"]]
    call = outcome["call"]
    assert call["outcome"] == "hung_up"
    assert [(step["node"], step["type"], step["exit"]) for step in call["steps"]] == [
        ("start", "start", "next"),
        ("hello", "say_phrase", "next"),
        ("bye", "hangup", "hangup"),
    ]
    assert call["steps"][1]["prompts"][0]["text"] == "Hola"


def test_a_publish_blocked_by_a_failing_test_gives_its_failures_as_data_without_the_trace(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("failure-details-publish")
    document = documents.greeting("Hola", tests=[WRONG])
    assert admin.post("/api/scenarios", json={"slug": name, "name": "Hola", "document": document}).is_success

    blocked = admin.post(f"/api/scenarios/{name}/publish", json={"message": "x"})

    assert blocked.status_code == 422, blocked.text
    [outcome] = blocked.json()["tests"]
    assert [failure["code"] for failure in outcome["failure_details"]] == [
        "path_mismatch",
        "outcome_mismatch",
        "never_said",
    ]
    assert outcome.get("call") is None
