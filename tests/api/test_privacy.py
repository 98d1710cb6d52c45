"""A data subject's erasure and access over HTTP (api/routes/privacy.py), on a Spanish deployment
(IVRGRAPH_DEFAULT_COUNTRY=ES), on SQLite and PostgreSQL: admins only; every written form of the number goes, and
nothing of another number; the audit log names the subject by a keyed hash (data-protection review, 2026-12: DELETE
on calls and callbacks answered 405, and an access request took many calls and still missed variables and traces)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from persistence.db import Database
from persistence.models import CallbackJob
from persistence.phone_numbers import configure_default_country, configured_default_country
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, Server, _designer_dist, serve_api
from tests.persistence import documents, pg
from tests.persistence.kept_data import DAY, NOW, add_campaign, add_job, transfer_trace, write_calls
from tests.persistence.published import publish

_subscribers = itertools.count(10)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The API of a Spanish deployment, on each backend, for this module's tests (`admin`, `user_factory`)."""
    before = configured_default_country()
    dist, media = _designer_dist(tmp_path_factory.mktemp("dist")), tmp_path_factory.mktemp("media")
    try:
        if request.param == "sqlite":
            yield from _served(f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}", "sqlite", dist, media)
            return
        with pg.throwaway_database("privacy") as url:
            yield from _served(url, "postgres", dist, media)
    finally:
        configure_default_country(before)


def _served(url: str, backend: str, dist: Path, media: Path) -> Iterator[Server]:
    settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=dist,
                        media_root=media, default_country="ES")  # fmt: skip
    hub = PublishHub()
    for base_url in serve_api(settings, hub):
        database = Database(url)
        try:
            publish(database, "s")
        finally:
            database.dispose()
        yield Server(base_url, hub, backend, url, media)


@pytest.fixture
def subject(server: Server, admin: Client) -> dict[str, str]:
    """A client known in every form: a callback an integration asked for ("+34 6.. ..."), calls from "00346..." and
    "6...", a call list's row; and another client beside them. Numbers of their own for each test."""
    n = next(_subscribers)
    number, other = f"+346005500{n:02d}", f"+346005599{n:02d}"
    asked = admin.post(
        "/api/callbacks",
        json={"number": f"+34 600 550 0{n:02d}", "scenario": "s", "due": "2030-12-01T10:00:00Z",
              "variables": {"name": "Lucía"}},
        headers={"Idempotency-Key": f"crm-{n}"},
    )  # fmt: skip
    assert asked.status_code == 201, asked.text
    assert admin.post(
        "/api/callbacks", json={"number": other, "scenario": "s", "due": "2030-12-01T10:00:00Z"}
    ).is_success
    database = Database(server.database_url)
    try:
        write_calls(
            database,
            {"call_id": f"in00-{n}", "started_at": NOW - 2 * DAY, "caller_id": "00" + number[1:]},
            {"call_id": f"national-{n}", "started_at": NOW - DAY, "caller_id": number[3:]},
            {"call_id": f"other-{n}", "started_at": NOW - DAY, "caller_id": other},
        )
        with database.session() as session:
            campaign_id, _jobs = add_campaign(session, [number[3:], other], created_at=NOW - DAY)
    finally:
        database.dispose()
    return {"number": number, "other": other, "n": str(n), "job": asked.json()["id"], "campaign": campaign_id}


def test_only_admins_erase_or_see_a_subject(
    subject: dict[str, str], user_factory: Callable[[str], Client], anonymous: Client
) -> None:
    for role in ("viewer", "editor", "publisher"):
        client = user_factory(role)
        erased = client.post("/api/privacy/erasure", json={"number": subject["number"], "dry_run": False})
        seen = client.get("/api/privacy/subject", params={"number": subject["number"]})
        assert (erased.status_code, seen.status_code) == (403, 403), role
    assert anonymous.get("/api/privacy/subject", params={"number": subject["number"]}).status_code == 401


def test_a_subject_access_request_gets_everything_kept_of_the_number(admin: Client, subject: dict[str, str]) -> None:
    n = subject["n"]
    answer = admin.get("/api/privacy/subject", params={"number": subject["number"].replace("+34", "")})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert {call["id"] for call in found["calls"]} == {f"in00-{n}", f"national-{n}"}
    call = found["calls"][0]
    assert call["variables"]["name"] == "Lucía Pérez" and call["trace"]["steps"] and call["transfer_outcome"] == "busy"
    assert {job["id"] for job in found["callback_jobs"]} >= {subject["job"]}
    assert len(found["callback_jobs"]) == 2
    assert [
        (row["campaign_id"], row["row"], row["variables"]["contact"]["phone"]) for row in found["campaign_rows"]
    ] == [(subject["campaign"], 1, subject["number"][3:])]
    assert [event["details"]["number"] for event in found["audit_events"] if event["action"] == "schedule"] == [
        subject["number"]
    ]
    assert found["idempotency_keys"] == 1
    assert subject["number"] in found["forms"] and subject["other"] not in str(found)
    logged = admin.get("/api/audit", params={"action": "subject_access", "target": f"subject:{found['subject']}"})
    assert len(logged.json()) == 1 and subject["number"][3:] not in str(logged.json())


def test_erasure_removes_every_form_and_leaves_another_number_and_a_redacted_audit(
    admin: Client, subject: dict[str, str], server: Server
) -> None:
    number, other, n = subject["number"], subject["other"], subject["n"]
    planned = admin.post("/api/privacy/erasure", json={"number": number, "dry_run": True})
    assert planned.status_code == 200, planned.text
    before = admin.get("/api/privacy/subject", params={"number": number}).json()
    assert len(before["calls"]) == 2  # the dry run changed nothing

    erased = admin.post("/api/privacy/erasure", json={"number": "0034 " + number[3:], "dry_run": False})

    assert erased.status_code == 200, erased.text
    report = erased.json()
    expected = {"call_records": 2, "callback_jobs": 2, "callback_attempts": 1, "campaign_rows": 1, "campaigns": 1,
                "idempotency_keys": 1, "audit_events": 1}  # fmt: skip
    assert {key: report[key] for key in expected} == expected == {key: planned.json()[key] for key in expected}
    assert report["dry_run"] is False and planned.json()["dry_run"] is True
    after = admin.get("/api/privacy/subject", params={"number": number}).json()
    assert (after["calls"], after["callback_jobs"], after["campaign_rows"]) == ([], [], [])
    assert admin.get("/api/calls", params={"caller": other}).json()["items"][0]["id"] == f"other-{n}"
    assert [job["number"] for job in admin.get("/api/callbacks", params={"number": other}).json()] == [other, other]
    campaign = admin.get(f"/api/callbacks/campaigns/{subject['campaign']}").json()
    assert campaign["jobs"] == 1
    audit = admin.get("/api/audit", params={"target": f"callback:{subject['job']}"}).json()
    assert [event["details"]["number"] for event in audit] == [f"[erased {report['subject']}]"]
    logged = admin.get("/api/audit", params={"action": "erasure", "target": f"subject:{report['subject']}"}).json()
    assert len(logged) == 1 and logged[0]["actor"] == ADMIN and number[3:] not in str(logged)
    # A retry of the erased request is a new request: nothing answers it with the erased client's job any more.
    assert admin.get(f"/api/callbacks/{subject['job']}").status_code == 404


def _mentioned_as_integers(admin: Client, subject: dict[str, str]) -> str:
    """The subject written as JSON numbers only, as a CRM that keeps phones in a numeric column sends them: in the
    variables of another client's callback, whose answer its Idempotency-Key keeps (the international digits, the
    "+" a number cannot hold), and in a scenario test's variables of a draft a rollback replaced, which its
    `reset_draft` audit event keeps (the national digits). The `reset_draft` event's id."""
    number, n = subject["number"], subject["n"]
    guarantor = admin.post(
        "/api/callbacks",
        json={"number": subject["other"], "scenario": "s", "due": "2030-12-01T10:00:00Z",
              "variables": {"guarantor_phone": int(number[1:])}},
        headers={"Idempotency-Key": f"crm-guarantor-{n}"},
    )  # fmt: skip
    assert guarantor.status_code == 201, guarantor.text
    assert guarantor.json()["variables"]["guarantor_phone"] == int(number[1:])  # kept as sent: a number
    name = f"int-{n}"
    created = admin.post("/api/scenarios", json={"slug": name, "name": "Int", "document": documents.menu(["1"])})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "first"}).status_code == 200
    second = admin.put(f"/api/scenarios/{name}/draft", json={"revision": 1, "document": documents.menu(["1", "2"])})
    assert second.status_code == 200, second.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "second"}).status_code == 200
    draft = documents.menu(["1", "2", "3"])
    draft["meta"] = {"tests": [{"name": "Debtor", "variables": {"account_phone": int(number[3:])}}]}
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": second.json()["revision"], "document": draft})
    assert saved.status_code == 200, saved.text
    body = {"reset_draft": True, "revision": saved.json()["revision"]}
    assert admin.post(f"/api/scenarios/{name}/versions/1/rollback", json=body).status_code == 200
    events = admin.get("/api/audit", params={"target": f"scenario:{name}", "action": "reset_draft"}).json()
    assert len(events) == 1, events
    event_id: str = events[0]["id"]
    return event_id


def test_a_number_kept_as_a_json_number_is_the_subjects_too(admin: Client, subject: dict[str, str]) -> None:
    number = subject["number"]
    reset = _mentioned_as_integers(admin, subject)

    seen = admin.get("/api/privacy/subject", params={"number": number}).json()
    assert seen["idempotency_keys"] == 2  # their own callback's answer, and the one naming them as a guarantor
    assert reset in [event["id"] for event in seen["audit_events"]]

    erased = admin.post("/api/privacy/erasure", json={"number": number, "dry_run": False})

    assert erased.status_code == 200, erased.text
    assert (erased.json()["idempotency_keys"], erased.json()["audit_events"]) == (2, 2)
    kept = admin.get(f"/api/audit/{reset}").json()["details"]["replaced_document"]
    assert kept["meta"]["tests"][0]["variables"]["account_phone"] == f"[erased {erased.json()['subject']}]"
    # A count or a size in the audit log is no phone number: the draft replaced is still said to be a document.
    assert admin.get(f"/api/audit/{reset}").json()["details"]["replaced_revision"] == 3


def test_a_number_written_only_inside_another_clients_callback_and_call_is_found_and_redacted(
    admin: Client, subject: dict[str, str], server: Server
) -> None:
    """The reviewer's case: another client's callback names the subject as their guarantor, as a CRM's numeric
    column (a JSON number) and as people type it; a call list's row names them too; and the callback's call was
    placed, its record holding the number in its variables and trace. Erasing the subject redacts each of those,
    and nothing of the other client's."""
    number, other, n = subject["number"], subject["other"], subject["n"]
    spaced = f"{number[:3]} {number[3:6]} {number[6:9]} {number[9:]}"
    asked = admin.post(
        "/api/callbacks",
        json={"number": other, "scenario": "s", "due": "2030-12-01T10:00:00Z",
              "variables": {"guarantor_phone": int(number[1:]), "guarantor_text": spaced, "name": "Ana"}},
    )  # fmt: skip
    assert asked.status_code == 201, asked.text
    job = asked.json()["id"]
    database = Database(server.database_url)
    try:
        with database.session() as session:
            campaign_id, _ = add_campaign(session, [], created_at=NOW - DAY)
            listed = add_job(session, other, created_at=NOW - DAY, campaign_id=campaign_id, campaign_row=1,
                             variables={"contact": {"name": "Ana", "phone": other, "aval": number[3:]}})  # fmt: skip
        trace = transfer_trace()
        trace["variables"]["guarantor_phone"] = int(number[1:])
        trace["steps"][1]["prompts"] = [{"text": f"Su avalista es el {number}"}]
        write_calls(
            database,
            {"call_id": f"placed-{n}", "started_at": NOW - DAY, "caller_id": "+34910000000", "dialed_number": other,
             "callback_job_id": job, "variables": {"guarantor_phone": int(number[1:]), "name": "Ana"},
             "trace": trace},
        )  # fmt: skip
    finally:
        database.dispose()

    seen = admin.get("/api/privacy/subject", params={"number": number}).json()
    assert {mention["id"]: mention["paths"] for mention in seen["mentioned_in_callback_jobs"]} == {
        job: ["$.variables.guarantor_phone", "$.variables.guarantor_text"],
        listed: ["$.variables.contact.aval"],
    }
    assert seen["mentioned_in_calls"] == [
        {"id": f"placed-{n}", "paths": ["$.trace.steps[1].prompts[0].text", "$.trace.variables.guarantor_phone",
                                        "$.variables.guarantor_phone"]}
    ]  # fmt: skip
    assert other not in str(seen)  # where they are named, not the other client's data

    erased = admin.post("/api/privacy/erasure", json={"number": number, "dry_run": False})

    assert erased.status_code == 200, erased.text
    report = erased.json()
    assert (report["mentioned_in_callback_jobs"], report["mentioned_in_calls"]) == (2, 1)
    hidden = f"[erased {report['subject']}]"
    kept = admin.get(f"/api/callbacks/{job}").json()
    assert kept["number"] == other and kept["status"] == "pending"
    assert kept["variables"] == {"guarantor_phone": hidden, "guarantor_text": hidden, "name": "Ana"}
    row = admin.get(f"/api/callbacks/{listed}").json()
    assert row["variables"]["contact"] == {"name": "Ana", "phone": other, "aval": hidden}
    call = admin.get(f"/api/calls/placed-{n}").json()
    assert call["variables"] == {"guarantor_phone": hidden, "name": "Ana"} and call["dialed_number"] == other
    assert call["trace"]["variables"]["guarantor_phone"] == hidden
    assert call["trace"]["steps"][1]["prompts"] == [{"text": f"Su avalista es el {hidden}"}]
    assert [step["node"] for step in call["trace"]["steps"]] == ["start", "menu", "agent", "bye"]
    assert call["trace"]["variables"]["name"] == "Lucía Pérez"
    assert number[3:] not in str(call) and number[3:] not in str(kept) and number[3:] not in str(row)
    found = {call["id"] for call in admin.get("/api/calls", params={"caller": other}).json()["items"]}
    assert {f"other-{n}", f"placed-{n}"} <= found  # the other client's calls are found by their number as before
    after = admin.get("/api/privacy/subject", params={"number": number}).json()
    assert (after["mentioned_in_callback_jobs"], after["mentioned_in_calls"]) == ([], [])


def test_a_number_being_dialled_is_refused_for_now(admin: Client, subject: dict[str, str], server: Server) -> None:
    database = Database(server.database_url)
    try:
        with database.session() as session:
            job = session.get(CallbackJob, subject["job"])
            assert job is not None
            job.status = "dialing"
    finally:
        database.dispose()
    refused = admin.post("/api/privacy/erasure", json={"number": subject["number"], "dry_run": False})
    assert refused.status_code == 409 and "being dialled" in refused.json()["detail"]
    assert len(admin.get("/api/privacy/subject", params={"number": subject["number"]}).json()["calls"]) == 2


def test_what_is_no_number_or_no_decision_is_refused(admin: Client) -> None:
    assert admin.post("/api/privacy/erasure", json={"number": "Lucía", "dry_run": True}).status_code == 422
    assert admin.post("/api/privacy/erasure", json={"number": "+34600550000"}).status_code == 422  # dry run or not?
    assert admin.get("/api/privacy/subject", params={"number": "Lucía"}).status_code == 422


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EMPLOYEE = "+34600999888"  # the employee of examples/employee-callthrough.tests.json, in every form it writes


def _spaced(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:9]} {number[9:]}"


def _test_results(admin: Client, slug: str) -> list[tuple[str, bool]]:
    ran = admin.post(f"/api/scenarios/{slug}/tests")
    assert ran.status_code == 200, ran.text
    return [(test["name"], test["passed"]) for test in ran.json()["tests"]]


def test_a_drafts_tests_get_a_test_number_and_still_check_the_same_calls(admin: Client) -> None:
    """The security review's case: a test saved from a recorded call keeps the caller's number in the draft, which
    every viewer reads. The example's tests name the employee as caller (+34..., 0034..., 34..., national), in the
    rows the SQL block is mocked with and in what the callback is expected to dial: each becomes the same test
    number in its own form, and every test passes or fails as before."""
    for example in ("employee-dialout", "callback-connect", "inbound-hotline"):  # where its calls go on to, live
        shipped = json.loads((EXAMPLES / f"{example}.json").read_text())
        assert admin.post("/api/scenarios", json={"slug": example, "name": example, "document": shipped}).is_success
        published = admin.post(f"/api/scenarios/{example}/publish", json={"message": "as shipped"})
        assert published.status_code == 200, published.text
    document = json.loads((EXAMPLES / "employee-callthrough.json").read_text())
    document["meta"] = {"tests": json.loads((EXAMPLES / "employee-callthrough.tests.json").read_text())["tests"]}
    created = admin.post("/api/scenarios", json={"slug": "callthrough-tests", "name": "Tests", "document": document})
    assert created.status_code == 201, created.text
    before = _test_results(admin, "callthrough-tests")
    assert ("employee is called back", True) in before

    planned = admin.post("/api/privacy/erasure", json={"number": EMPLOYEE, "dry_run": True})

    assert planned.status_code == 200, planned.text
    assert (planned.json()["tests_in_drafts"], planned.json()["tests_in_versions"]) == (1, [])
    assert admin.get("/api/scenarios/callthrough-tests").json()["draft"]["revision"] == 1  # a dry run changes nothing

    erased = admin.post("/api/privacy/erasure", json={"number": EMPLOYEE, "dry_run": False})

    assert erased.status_code == 200, erased.text
    assert (erased.json()["tests_in_drafts"], erased.json()["tests_in_versions"]) == (1, [])
    draft = admin.get("/api/scenarios/callthrough-tests").json()["draft"]
    assert draft["revision"] == 2 and draft["updated_by"] == ADMIN  # an edit as any other: open designers reload
    tests = draft["document"]["meta"]["tests"]
    assert "600999888" not in json.dumps(tests)
    assert [test.get("caller_id") for test in tests[:5]] == [
        "+34600000000", "+34600000000", "0034600000000", "34600000000", "600000000"
    ]  # fmt: skip
    assert tests[0]["data_rows"]["staff"][0]["mobile"] == "+34600000000"
    assert tests[0]["expect"]["scheduled"][0]["number"] == "+34600000000"
    assert tests[6]["caller_id"] == "+34911000000"  # another caller's test number stays
    assert draft["document"]["nodes"] == document["nodes"]  # the flow is not the tests
    assert _test_results(admin, "callthrough-tests") == before


def test_published_versions_whose_tests_name_the_number_are_listed_and_left_and_access_lists_every_test(
    admin: Client, subject: dict[str, str]
) -> None:
    number, other, n = subject["number"], subject["other"], subject["n"]
    name, untouched = f"tests-{n}", f"tests-other-{n}"
    for slug, caller in ((name, number), (untouched, other)):
        document = documents.menu(["1"])
        document["meta"] = {
            "tests": [{"name": "from the call", "keys": ["1"], "caller_id": caller, "caller_name": "Lucía",
                       "variables": {"callback_to": _spaced(caller), "account": int(caller[3:])},
                       "expect": {"path": ["start", "menu", "k1"]}}]
        }  # fmt: skip
        created = admin.post("/api/scenarios", json={"slug": slug, "name": slug, "document": document})
        assert created.status_code == 201, created.text
    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "with the caller's test"})
    assert published.status_code == 200, published.text
    where = ["$.meta.tests[0].caller_id", "$.meta.tests[0].variables.account", "$.meta.tests[0].variables.callback_to"]
    accessed = admin.get("/api/privacy/subject", params={"number": number})
    assert accessed.json()["scenario_tests"] == [
        {"slug": name, "version": None, "paths": where},
        {"slug": name, "version": 1, "paths": where},
    ]

    planned = admin.post("/api/privacy/erasure", json={"number": number, "dry_run": True})
    erased = admin.post("/api/privacy/erasure", json={"number": number, "dry_run": False})

    assert erased.status_code == 200, erased.text
    for report in (planned.json(), erased.json()):
        assert (report["tests_in_drafts"], report["tests_in_versions"]) == (1, [{"slug": name, "version": 1}])
    [test] = admin.get(f"/api/scenarios/{name}").json()["draft"]["document"]["meta"]["tests"]
    assert test["caller_id"] == "+34600000000"
    assert test["variables"] == {"callback_to": "+34 600 000 000", "account": 600000000}
    assert test["caller_name"] == "Lucía"  # a name is not the number: not found by it
    kept = admin.get(f"/api/scenarios/{name}/versions/1").json()["document"]["meta"]["tests"][0]
    assert kept["caller_id"] == number  # a published version is never changed: listed for the admin instead
    [other_test] = admin.get(f"/api/scenarios/{untouched}").json()["draft"]["document"]["meta"]["tests"]
    assert other_test["caller_id"] == other and other_test["variables"]["callback_to"] == _spaced(other)
    logged = admin.get("/api/audit", params={"action": "erasure", "target": f"subject:{erased.json()['subject']}"})
    [event] = logged.json()
    assert event["details"]["tests_in_drafts"] == 1
    assert event["details"]["tests_in_versions"] == [{"slug": name, "version": 1}]
    # What is left of them after the erasure: the published version alone, which the access request still lists.
    left = admin.get("/api/privacy/subject", params={"number": number}).json()["scenario_tests"]
    assert left == [{"slug": name, "version": 1, "paths": where}]
    accesses = admin.get("/api/audit", params={"action": "subject_access", "target": event["target"]}).json()
    assert [each["details"]["scenario_tests"] for each in accesses] == [1, 2]  # newest first
