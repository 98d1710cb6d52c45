"""Requests are read as written or refused, never half read (a CRM integrator's review, 2026-12-06), over real HTTP on
SQLite and PostgreSQL: a field a body does not know is a 422 naming it, not ignored; a number is no date-time (it was
read as Unix time, `since=20261206` as 1970-08-23); a callback due well in the past and a token already expired are
refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import api.routes.callbacks
from tests.api.conftest import Client
from tests.persistence import documents

UNKNOWN = "zz_not_a_field"
EXTRA = "Extra inputs are not permitted"


def _moment(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="seconds")


def _published(admin: Client, name: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": name, "name": "strict", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


def _problems(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 422, (response.request.method, response.request.url, response.text)
    # Path and message: what these tests are about (each item's `code` is test_problem_codes.py's).
    return [{"path": item["path"], "message": item["message"]} for item in response.json()["problems"]]


def _json_bodies(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every operation taking a JSON body: its method, its path and the body's schema."""
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield method, path, content["application/json"]["schema"]


def _models_reached(openapi: dict[str, Any], schema: Any, seen: set[str]) -> None:
    """The names of the component schemas `schema` refers to, directly or through others, added to `seen`."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                _models_reached(openapi, openapi["components"]["schemas"][name], seen)
        for value in schema.values():
            _models_reached(openapi, value, seen)
    elif isinstance(schema, list):
        for value in schema:
            _models_reached(openapi, value, seen)


# -- unknown fields ------------------------------------------------------------------------------------------------


def test_the_openapi_document_says_no_request_body_takes_other_fields(anonymous: Client) -> None:
    """A generated client (the designer's) and a CRM's developer read the contract: additionalProperties false on
    every body, and on every object model inside one (a call list's opening hours)."""
    openapi = anonymous.get("/openapi.json").json()
    models: set[str] = set()
    for _method, _path, schema in _json_bodies(openapi):
        _models_reached(openapi, schema, models)
    assert {"TokenCreate", "PublishIn", "UserUpdate", "ScenarioCreate", "OpeningHours", "LoginIn"} <= models
    for name in sorted(models):
        model = openapi["components"]["schemas"][name]
        if model.get("type") == "object" and "properties" in model:
            assert model.get("additionalProperties") is False, name


def test_every_json_body_refuses_a_field_it_does_not_know_by_name(admin: Client, anonymous: Client) -> None:
    """Each operation of the OpenAPI document that takes JSON, sent a field no body has: the 422 names it, beside
    whatever else the body lacks, as any other refused field is named."""
    openapi = anonymous.get("/openapi.json").json()
    checked = []
    for method, path, _schema in _json_bodies(openapi):
        url = path
        for parameter in openapi["paths"][path][method].get("parameters", []):
            if parameter["in"] == "path":
                value = "999999" if parameter["schema"].get("type") == "integer" else "strict-nope"
                url = url.replace("{" + parameter["name"] + "}", value)
        response = admin.request(method.upper(), url, json={UNKNOWN: 1})
        assert {"path": f"$.{UNKNOWN}", "message": EXTRA} in _problems(response), (method, path)
        checked.append(f"{method.upper()} {path}")
    assert {"POST /api/tokens", "PATCH /api/users/{user_id}", "POST /api/auth/login"} <= set(checked)
    assert len(checked) >= 20


def test_a_misspelt_token_restriction_gives_no_token(admin: Client) -> None:
    """`scope` for `role`: it made a token with the admin's full power."""
    before = admin.get("/api/tokens").json()
    refused = admin.post("/api/tokens", json={"name": "dash", "scope": "viewer"})
    assert _problems(refused) == [{"path": "$.scope", "message": EXTRA}]
    assert refused.json()["type"].endswith("/invalid-request")
    assert admin.get("/api/tokens").json() == before
    viewer = admin.post("/api/tokens", json={"name": "dash", "role": "viewer"})
    assert viewer.status_code == 201 and viewer.json()["role"] == "viewer"


def test_a_misspelt_revision_does_not_publish_another_draft(admin: Client, slug: Callable[[str], str]) -> None:
    """`revison`: the stale-draft guard was silently lost and whatever the draft held was published."""
    name = slug("strict-publish")
    assert admin.post("/api/scenarios", json={"slug": name, "name": "x", "document": documents.greeting()}).is_success
    refused = admin.post(f"/api/scenarios/{name}/publish", json={"message": "m", "revison": 3})
    assert _problems(refused) == [{"path": "$.revison", "message": EXTRA}]
    assert admin.get(f"/api/scenarios/{name}/versions").json() == []


def test_a_user_is_not_left_active_by_a_misspelt_field(admin: Client, user_factory: Callable[[str], Client]) -> None:
    """`is_active` for `active`: 200, and the user stayed active."""
    viewer = user_factory("viewer")
    user = next(u for u in admin.get("/api/users").json() if u["username"] == viewer.username)
    refused = admin.patch(f"/api/users/{user['id']}", json={"is_active": False})
    assert _problems(refused) == [{"path": "$.is_active", "message": EXTRA}]
    assert viewer.get("/api/auth/me").status_code == 200
    assert admin.patch(f"/api/users/{user['id']}", json={"active": False}).json()["active"] is False
    assert viewer.get("/api/auth/me").status_code == 401


def test_a_misspelt_document_makes_no_blank_scenario(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("typo-doc")
    refused = admin.post("/api/scenarios", json={"slug": name, "name": "T", "documnet": documents.greeting()})
    assert _problems(refused) == [{"path": "$.documnet", "message": EXTRA}]
    assert admin.get(f"/api/scenarios/{name}").status_code == 404


def test_a_draft_as_read_may_be_sent_back_whole_but_nothing_else(admin: Client, slug: Callable[[str], str]) -> None:
    """GET, change the document, PUT what was read: `updated_at` and `updated_by` come along and are ignored."""
    name = slug("strict-draft")
    assert admin.post("/api/scenarios", json={"slug": name, "name": "x", "document": documents.greeting()}).is_success
    draft = admin.get(f"/api/scenarios/{name}").json()["draft"]
    assert set(draft) == {"document", "revision", "updated_at", "updated_by", "scenario_created_at"}
    draft["document"]["description"] = "changed"
    refused = admin.put(f"/api/scenarios/{name}/draft", json={**draft, "revison": 1})
    assert _problems(refused) == [{"path": "$.revison", "message": EXTRA}]
    saved = admin.put(f"/api/scenarios/{name}/draft", json={**draft, "updated_by": "someone else"})
    assert saved.status_code == 200, saved.text
    stored = admin.get(f"/api/scenarios/{name}").json()["draft"]
    assert (stored["revision"], stored["updated_by"], stored["document"]["description"]) == (2, "root", "changed")


def test_a_field_unknown_inside_a_body_is_named_where_it_is(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("strict-hours")
    _published(admin, name)
    hours = [{"days": ["mon"], "from": "09:00", "to": "18:00", "tz": "Europe/Madrid"}]
    batch = {"scenario": name, "rows": [{"phone": "600111222"}], "hours": hours, "dry_run": True}
    assert _problems(admin.post("/api/callbacks/batch", json=batch)) == [{"path": "$.hours[0].tz", "message": EXTRA}]


# -- numbers are no date-times -------------------------------------------------------------------------------------

NOT_A_NUMBER = (
    "a number is not read as a date-time (nor as Unix time): write an ISO 8601 date-time such as "
    "2026-12-06T09:00:00+01:00"
)


def _says_no_number(response: Any, path: str) -> None:
    problems = _problems(response)
    assert [p["path"] for p in problems] == [path], problems
    assert problems[0]["message"] == NOT_A_NUMBER


@pytest.mark.parametrize("written", ["20261206", "0.5", "0", "-1", "+123", "1700000000.25", " 20261206 "])
def test_a_number_in_a_query_is_no_date_time(admin: Client, slug: Callable[[str], str], written: str) -> None:
    """`since=20261206` (a date without its dashes) was 1970-08-23 and listed every call; schemathesis found
    `until=0.5` taken on the register and the flow statistics."""
    name = slug("strict-query")
    _published(admin, name)
    _says_no_number(admin.get("/api/calls", params={"since": written}), "$.since")
    _says_no_number(admin.get("/api/calls", params={"until": written}), "$.until")
    _says_no_number(admin.get("/api/calls", params={"order": "recorded", "recorded_since": written}),
                    "$.recorded_since")  # fmt: skip
    _says_no_number(admin.get("/api/calls.csv", params={"since": written}), "$.since")
    _says_no_number(admin.get("/api/reports/calls", params={"since": written, "until": "2026-12-07"}), "$.since")
    _says_no_number(admin.get("/api/reports/calls", params={"since": "2026-12-06", "until": written}), "$.until")
    _says_no_number(admin.get(f"/api/scenarios/{name}/stats", params={"until": written}), "$.until")


def test_the_forms_people_write_are_still_read(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("strict-forms")
    _published(admin, name)
    for since in ["2026-12-06", "2026-12-06T09:00:00", "2026-12-06T09:00:00+01:00", "2026-12-06T08:00:00Z"]:
        assert admin.get("/api/calls", params={"since": since, "scenario": name}).status_code == 200, since
    report = admin.get("/api/reports/calls", params={"since": "2026-12-06", "until": "2026-12-07", "tz": "UTC"})
    assert report.status_code == 200 and report.json()["since"] == "2026-12-06T00:00:00Z"
    assert admin.get(f"/api/scenarios/{name}/stats", params={"since": "2026-12-06T00:00:00Z"}).status_code == 200
    at = admin.post(f"/api/scenarios/{name}/simulate", json={"at": "2026-12-07T10:00:00+01:00"})
    assert at.status_code == 200, at.text


@pytest.mark.parametrize("number", [20261210, 0, 1.5e9, "20261210"])
def test_a_number_in_a_body_is_no_date_time(admin: Client, slug: Callable[[str], str], number: Any) -> None:
    """`"due": 20261210` was due in 1970 and the client was rung at once; `"at": 0` ran a test call in 1970."""
    name = slug("strict-body")
    _published(admin, name)
    job = {"number": "+34600111222", "scenario": name, "due": number}
    _says_no_number(admin.post("/api/callbacks", json=job), "$.due")
    later = {**job, "due": _moment(timedelta(days=1)), "window_end": number}
    _says_no_number(admin.post("/api/callbacks", json=later), "$.window_end")
    batch = {"scenario": name, "rows": [{"phone": "600111222"}], "dry_run": True}
    _says_no_number(admin.post("/api/callbacks/batch", json={**batch, "due": number}), "$.due")
    _says_no_number(admin.post("/api/callbacks/batch", json={**batch, "until": number}), "$.until")
    _says_no_number(admin.post(f"/api/scenarios/{name}/simulate", json={"at": number}), "$.at")
    _says_no_number(admin.post("/api/tokens", json={"name": "n", "expires_at": number}), "$.expires_at")
    draft = admin.get(f"/api/scenarios/{name}").json()["draft"]
    save = {"revision": draft["revision"], "scenario_created_at": number, "document": draft["document"]}
    _says_no_number(admin.put(f"/api/scenarios/{name}/draft", json=save), "$.scenario_created_at")
    assert admin.get("/api/callbacks", params={"scenario": name}).json() == []


# -- a callback due in the past, a token expired from the start ----------------------------------------------------


def test_a_callback_due_well_in_the_past_is_refused_and_one_just_past_is_called_now(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """A wrong date (last year's, a month read as a day) would have the client rung at once."""
    name = slug("strict-past")
    _published(admin, name)
    job = {"number": "+34600111222", "scenario": name}
    refused = admin.post("/api/callbacks", json={**job, "due": _moment(-timedelta(hours=1))})
    [problem] = _problems(refused)
    assert problem["path"] == "$.due" and "is in the past" in problem["message"], problem
    assert refused.json()["type"].endswith("/request-refused")
    assert admin.get("/api/callbacks", params={"scenario": name}).json() == []
    # The CRM's clock a minute ahead of ours, or a "now" sent a moment ago: called at once.
    just_past = admin.post("/api/callbacks", json={**job, "due": _moment(-timedelta(minutes=1))})
    assert just_past.status_code == 201, just_past.text


def test_a_retried_callback_gets_its_answer_though_its_due_is_past_by_now(
    admin: Client, slug: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CRM that asked for a call now and timed out retries with its Idempotency-Key: it must hear of the job it
    made, not that `due` is past (it would schedule another, and the client be rung twice)."""
    name = slug("strict-retry")
    _published(admin, name)
    job = {"number": "+34600111222", "scenario": name, "due": _moment(-timedelta(seconds=30))}
    key = {"Idempotency-Key": f"retry-{name}"}
    first = admin.post("/api/callbacks", json=job, headers=key)
    assert first.status_code == 201, first.text
    # As if minutes had gone by: the server runs in this process, so its grace can be taken away.
    monkeypatch.setattr(api.routes.callbacks, "DUE_GRACE", timedelta(0))
    assert _problems(admin.post("/api/callbacks", json={**job, "number": "+34600111333"}))[0]["path"] == "$.due"
    again = admin.post("/api/callbacks", json=job, headers=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


def test_a_call_list_due_in_the_past_starts_now(admin: Client, slug: Callable[[str], str]) -> None:
    """The designer sends as the first call the moment its form was opened, past by the time the analyst schedules:
    a list's past `due` is documented to mean now."""
    name = slug("strict-list")
    _published(admin, name)
    batch = {"scenario": name, "rows": [{"phone": "600111222"}], "due": _moment(-timedelta(hours=1)), "dry_run": True}
    checked = admin.post("/api/callbacks/batch", json=batch)
    assert checked.status_code == 200, checked.text
    assert checked.json()["jobs"] == 1


def test_a_token_that_would_expire_before_its_first_use_is_refused(admin: Client) -> None:
    before = admin.get("/api/tokens").json()
    refused = admin.post("/api/tokens", json={"name": "past", "expires_at": _moment(-timedelta(hours=1))})
    [problem] = _problems(refused)
    assert problem["path"] == "$.expires_at" and "must be in the future" in problem["message"], problem
    assert refused.json()["type"].endswith("/request-refused")
    assert admin.get("/api/tokens").json() == before
    later = admin.post("/api/tokens", json={"name": "soon", "expires_at": _moment(timedelta(hours=1))})
    assert later.status_code == 201, later.text
