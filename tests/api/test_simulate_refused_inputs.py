"""Over real HTTP: a test call refuses what it would misread, naming the field, and publishing refuses a scenario
test that could not fail.

QA review: `"at": "2026-11-23T18:30:00"` (no offset) was read as UTC, an hour off a Madrid evening; `"transfers":
["bussy"]` was taken, and the Transfer block failed with `ValueError: 'bussy' is not a valid TransferOutcome`; a
`meta.tests` test that expected nothing, or `not_visits` a node that does not exist, passed and let the publish
through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Client
from tests.conftest import make_document


def _operator() -> dict[str, Any]:
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "operator", "type": "transfer", "config": {"target": "200"}},
            {"id": "sorry", "type": "say_phrase", "config": {"text": "Lo sentimos."}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "operator"), ("operator", "busy", "sorry"), ("sorry", "next", "bye")],
    )


def _created(client: Client, name: str, document: dict[str, Any]) -> str:
    response = client.post("/api/scenarios", json={"slug": name, "name": name.title(), "document": document})
    assert response.status_code == 201, response.text
    return name


def _problems(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    return response.json()["problems"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("at", ["2026-11-23T18:30:00", "2026-11-23"])
def test_a_moment_without_its_utc_offset_is_refused_naming_at(
    admin: Client, slug: Callable[[str], str], at: str
) -> None:
    name = _created(admin, slug("offset"), _operator())

    refused = admin.post(f"/api/scenarios/{name}/simulate", json={"at": at})

    assert _problems(refused) == [
        {
            "path": "$.at",
            "message": "needs a UTC offset, e.g. 2026-11-23T18:30:00+01:00",
            "code": "datetime_without_offset",
        }
    ]


def test_a_moment_with_its_offset_is_the_call_s_moment(admin: Client, slug: Callable[[str], str]) -> None:
    name = _created(admin, slug("offset"), _operator())

    call = admin.post(f"/api/scenarios/{name}/simulate", json={"at": "2026-11-23T18:30:00+01:00"})

    assert call.status_code == 200, call.text
    assert call.json()["result"]["started_at"].startswith("2026-11-23T18:30:00+01:00")


def test_a_transfer_outcome_that_is_none_is_refused_naming_its_place_and_the_outcomes(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = _created(admin, slug("transfers"), _operator())

    refused = admin.post(f"/api/scenarios/{name}/simulate", json={"transfers": ["busy", "bussy"]})

    (problem,) = _problems(refused)
    assert problem["path"] == "$.transfers[1]"
    assert problem["message"] == "'bussy' is no transfer outcome; they are answered, busy, no_answer, failed"
    assert problem["code"] == "transfer_outcome"


def test_each_transfer_outcome_is_taken(admin: Client, slug: Callable[[str], str]) -> None:
    name = _created(admin, slug("transfers"), _operator())

    for outcome in ("answered", "busy", "no_answer", "failed"):
        call = admin.post(f"/api/scenarios/{name}/simulate", json={"transfers": [outcome]})
        assert call.status_code == 200, call.text
        operator = next(step for step in call.json()["result"]["steps"] if step["node"] == "operator")
        assert operator["exit"] == outcome, operator


def test_publishing_a_test_that_could_not_fail_is_blocked_naming_why(admin: Client, slug: Callable[[str], str]) -> None:
    nothing = {"name": "nothing", "transfers": ["busy"]}
    misspelt = {"name": "misspelt", "transfers": ["busy"], "expect": {"not_visits": ["opertor"]}}
    right = {"name": "right", "transfers": ["busy"], "expect": {"visits": ["operator", "sorry"]}}
    name = _created(admin, slug("untestable"), {**_operator(), "meta": {"tests": [nothing, misspelt, right]}})

    blocked = admin.post(f"/api/scenarios/{name}/publish", json={"message": "x"})

    assert blocked.status_code == 422, blocked.text
    failures = {test["name"]: test["failures"] for test in blocked.json()["tests"]}
    assert failures["nothing"] == [
        "a test must expect something: path, visits, not_visits, outcome, variables, said, callbacks, scheduled, "
        'transfers; it has no expect, such as "expect": {"outcome": "hung_up"}'
    ]
    assert failures["misspelt"] == ["expect.not_visits: unknown node 'opertor' (did you mean 'operator'?)"]
    assert failures["right"] == []
    assert admin.get(f"/api/scenarios/{name}/versions").json() == []
