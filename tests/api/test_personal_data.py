"""Personal data by permission, over real HTTP (data-protection review): a user without `sees_personal_data` reads
callers' and clients' numbers, names, variables, keys, prompts and list rows masked, whatever their role, in every
answer that holds them (a call's detail, the register and its CSV and XLSX, callback jobs, a campaign's report);
one with it reads them whole; an admin gives and takes it; a lookup by number still finds the calls; reading,
exporting and looking up leave audit events that only admins read."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import openpyxl
import pytest

from persistence import calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server, UserFactory
from tests.persistence import documents

CALLER, NAME, DIALED = "+34600111256", "María García López", "+34910000077"
PIN, DEBT, DNI = "8642", 1532.75, "48213579Q"
# A callback's Local channel names the number it dialled; a transfer's target can be the client's own mobile.
CHANNEL, MOBILE = "Local/34600111256@callees-0000002a;1", "PJSIP/+34 655 443 321@trunk"
CLIENT, CLIENT_NAME = "+34 611 222 389", "Lucía Pérez Ñúñez"
# What must appear nowhere a user without the permission reads (the numbers without their masked ends).
SECRETS = ("600111256", "611222389", "611 222 389", "910000077", "655 443 3", "María", "García", "Lucía", PIN, "1532",
           DNI)  # fmt: skip
# Times and generated ids change from run to run and may hold any digits: left out before looking for the secrets.
_VOLATILE = re.compile(r"\d{4}-\d\d-\d\d[T ][0-9:.]+(?:Z|[+-]\d\d:\d\d)?|[0-9a-f]{8}-[0-9a-f-]{27}")


def _trace(job_id: str) -> dict[str, Any]:
    """A call as the engine records it: a PIN typed after a wrong try, a phrase that says the debt an SQL block
    found, a callback scheduled to the caller, and a data source failing on the DNI."""
    return {
        "answered": True,
        "outcome": "failed",
        "error": f"no account for DNI {DNI}",
        "variables": {"pin": PIN, "debt": DEBT, "dni": DNI, "caller_id": CALLER, "result": "will_pay",
                      "channel": CHANNEL},
        "steps": [
            {
                "index": 0, "node": "pin", "type": "ivr", "label": "PIN", "at": "2026-12-05T10:00:00+00:00",
                "exit": "next", "keys": f"12#{PIN}#",
                "prompts": [{"audio": "tts-0f3a", "text": "Teclee su PIN", "language": "es"}],
                "variables_changed": {"pin": PIN},
                "events": [{"kind": "invalid", "attempt": 1, "keys": "12", "terminator": "#", "reason": "too_short"}],
            },
            {
                "index": 1, "node": "debt", "type": "sql", "label": "Debt", "at": "2026-12-05T10:00:05+00:00",
                "exit": "found", "keys": "", "prompts": [],
                "variables_changed": {"debt": DEBT, "rows": [{"debt": DEBT, "name": NAME}]},
                "events": [{"kind": "sql", "source": "bank", "rows": 1}],
            },
            {
                "index": 2, "node": "say", "type": "say_phrase", "label": "Say", "at": "2026-12-05T10:00:06+00:00",
                "exit": "next", "keys": "",
                "prompts": [{"audio": "tts-9b1c", "text": f"{NAME}, su deuda es de {DEBT} euros", "language": "es"},
                            {"audio": "beep"}],
                "variables_changed": {}, "events": [],
            },
            {
                "index": 3, "node": "cb", "type": "callback", "label": "Callback", "at": "2026-12-05T10:00:09+00:00",
                "exit": "scheduled", "keys": "", "prompts": [], "variables_changed": {"callback_job_id": job_id},
                "events": [{"kind": "callback_scheduled", "job_id": job_id, "due": "2026-12-06T09:00:00+01:00",
                            "number": CALLER}],
            },
            {
                "index": 4, "node": "check", "type": "sql", "label": "Check", "at": "2026-12-05T10:00:10+00:00",
                "exit": "error", "keys": "", "prompts": [], "variables_changed": {},
                "events": [{"kind": "failure", "code": "data_source_failed", "source": "bank",
                            "detail": f"no account for DNI {DNI}"}],
                "error": f"no account for DNI {DNI}",
            },
            {
                "index": 5, "node": "manager", "type": "transfer", "label": "Mgr", "at": "2026-12-05T10:00:11+00:00",
                "exit": "busy", "keys": "", "prompts": [], "variables_changed": {},
                "events": [{"kind": "transfer", "target": MOBILE, "outcome": "busy"},
                           {"kind": "transfer", "target": "PJSIP/sales", "outcome": "answered"}],
            },
        ],
    }  # fmt: skip


@pytest.fixture
def bank_call(server: Server, slug: Callable[[str], str]) -> str:
    """One call of a scenario of its own, with everything a caller leaves; its id."""
    scenario = slug("pd")
    at = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    record = CallRecordIn(
        call_id=f"{scenario}-1", scenario=scenario, started_at=at, answered_at=at, ended_at=at + timedelta(seconds=12),
        outcome="failed", caller_id=CALLER, caller_name=NAME, dialed_number=DIALED, error=f"no account for DNI {DNI}",
        channel=CHANNEL,
        variables={"pin": PIN, "debt": DEBT, "dni": DNI, "result": "will_pay", "language": "es", "channel": CHANNEL},
        trace=_trace(f"job-{scenario}"),
    )  # fmt: skip
    database = Database(server.database_url)
    with database.session() as session:
        calls.write_batch(session, records=[record])
    database.dispose()
    return record.call_id


@pytest.fixture
def campaign(admin: Client, slug: Callable[[str], str]) -> str:
    """A call list of one client with a name, a debt and a DNI; its campaign id."""
    name = slug("pdlist")
    made = admin.post("/api/scenarios", json={"slug": name, "name": "pd", "document": documents.greeting()})
    assert made.status_code == 201, made.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
    rows = [{"phone": CLIENT, "nombre": CLIENT_NAME, "deuda": DEBT, "DNI": DNI}]
    started = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": rows, "name": "Deudas"})
    assert started.status_code == 200, started.text
    return str(started.json()["campaign_id"])


def _without_volatile(text: str, *ids: str) -> str:
    for known in ids:
        text = text.replace(known, "<id>")
    return _VOLATILE.sub("<t>", text)


def _xlsx_text(content: bytes) -> str:
    """Every part of a workbook, unzipped: what a cell holds is there whatever its type."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())


def _assert_hidden(text: str) -> None:
    found = [secret for secret in SECRETS if secret in text]
    assert found == [], found


def _everything_read(client: httpx.Client, call_id: str, campaign_id: str) -> dict[str, str]:
    """Each answer that holds callers' or clients' data, as the client reads it."""
    scenario = call_id.rsplit("-", 1)[0]
    answers = {
        "list": client.get("/api/calls", params={"scenario": scenario}),
        "detail": client.get(f"/api/calls/{call_id}"),
        "csv": client.get("/api/calls.csv", params={"scenario": scenario}),
        "xlsx": client.get("/api/calls.xlsx", params={"scenario": scenario}),
        "jobs": client.get("/api/callbacks", params={"campaign": campaign_id}),
        "report_csv": client.get(f"/api/callbacks/campaigns/{campaign_id}.csv"),
        "report_xlsx": client.get(f"/api/callbacks/campaigns/{campaign_id}.xlsx"),
    }
    for name, answer in answers.items():
        assert answer.status_code == 200, (name, answer.text)
    jobs = answers["jobs"].json()
    job = client.get(f"/api/callbacks/{jobs[0]['id']}")
    assert job.status_code == 200, job.text
    texts = {name: answer.text for name, answer in answers.items() if not name.endswith("xlsx")}
    texts |= {name: _xlsx_text(answer.content) for name, answer in answers.items() if name.endswith("xlsx")}
    texts["job"] = job.text
    ids = [call_id, campaign_id, *(j["id"] for j in jobs)]
    return {name: _without_volatile(text, *ids) for name, text in texts.items()}


@contextmanager
def bearer(server: Server, secret: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {secret}"}, timeout=30) as client:
        yield client


def _user_id(admin: Client, username: str) -> int:
    return next(int(u["id"]) for u in admin.get("/api/users").json() if u["username"] == username)


# -- masked --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "publisher"])
def test_without_the_permission_every_answer_is_masked(
    role: str, user_factory: UserFactory, bank_call: str, campaign: str
) -> None:
    """The register, a call's detail, the exports, the jobs and the campaign's report: not one number, name, PIN,
    debt or DNI, whatever the role; what the flow did stays readable."""
    client = user_factory(role, personal_data=False)
    assert client.get("/api/auth/me").json()["user"]["sees_personal_data"] is False
    for name, text in _everything_read(client, bank_call, campaign).items():
        assert "[hidden" in text or "***" in text, name
        _assert_hidden(text)

    [item] = client.get("/api/calls", params={"scenario": bank_call.rsplit("-", 1)[0]}).json()["items"]
    assert (item["caller_id"], item["caller_name"], item["dialed_number"]) == (
        "+34*******56",
        "[hidden]",
        "+34*******77",
    )
    assert (item["status"], item["result"], item["outcome"]) == ("callback_scheduled", "will_pay", "failed")
    detail = client.get(f"/api/calls/{bank_call}").json()
    assert detail["variables"] == {"pin": "[hidden: 4 characters]", "debt": "[hidden: 7 characters]",
                                   "dni": "[hidden: 9 characters]", "result": "will_pay", "language": "es",
                                   "channel": "Local/*********56@callees-0000002a;1"}  # fmt: skip
    assert detail["channel"] == "Local/*********56@callees-0000002a;1"  # Asterisk's log still finds it by its suffix
    assert detail["error"] == "[hidden: 28 characters]"
    pin, debt, say, callback, check, manager = detail["trace"]["steps"]
    assert pin["keys"] == "[hidden: 2 characters]#[hidden: 4 characters]#"  # each try told apart, as the story does
    assert pin["events"] == [{"kind": "invalid", "attempt": 1, "keys": "[hidden: 2 characters]", "terminator": "#",
                              "reason": "too_short"}]  # fmt: skip
    assert pin["prompts"] == [{"audio": "[hidden]", "text": "[hidden: 13 characters]", "language": "es"}]
    assert debt["variables_changed"] == {"debt": "[hidden: 7 characters]", "rows": "[hidden: 1 item]"}
    assert debt["events"] == [{"kind": "sql", "source": "bank", "rows": 1}]  # the flow's facts stay
    assert say["prompts"][1] == {"audio": "beep"}  # a recording is the designer's file
    assert callback["events"][0]["number"] == "+34*******56" and callback["events"][0]["due"]
    assert check["events"][0]["code"] == "data_source_failed" and check["events"][0]["source"] == "bank"
    assert [event["target"] for event in manager["events"]] == ["PJSIP/+34 *** *** *21@trunk", "PJSIP/sales"]
    assert detail["trace"]["variables"]["channel"] == "Local/*********56@callees-0000002a;1"
    exits = ["next", "found", "next", "scheduled", "error", "busy"]
    assert [step["exit"] for step in detail["trace"]["steps"]] == exits

    [job] = client.get("/api/callbacks", params={"campaign": campaign}).json()
    assert job["number"] == "+34*******89"
    # A call list's cells say nothing of the value, their length neither, as in the report (security review).
    assert job["variables"]["contact"] == {"phone": "[hidden]", "nombre": "[hidden]", "deuda": "[hidden]",
                                           "DNI": "[hidden]"}  # fmt: skip
    report = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/callbacks/campaigns/{campaign}.xlsx").content))
    header, row = [[cell.value for cell in line] for line in report.worksheets[0].iter_rows()]
    shown = dict(zip(header, row, strict=True))
    assert (shown["row"], shown["number"], shown["status"], shown["outcome"]) == (1, "+34*******89", "pending", None)
    # The report's cells of the list say nothing of the value, its length neither (security review).
    assert [shown[column] for column in ("phone", "nombre", "deuda", "DNI")] == ["[hidden]"] * 4


def test_with_the_permission_the_same_answers_are_whole(
    user_factory: UserFactory, bank_call: str, campaign: str
) -> None:
    viewer = user_factory("viewer", personal_data=True)
    assert viewer.get("/api/auth/me").json()["user"]["sees_personal_data"] is True
    read = _everything_read(viewer, bank_call, campaign)
    assert CALLER in read["list"] and NAME in read["list"] and CALLER in read["csv"] and NAME in read["xlsx"]
    assert f"12#{PIN}#" in read["detail"] and DNI in read["detail"] and str(DEBT) in read["detail"]
    assert CLIENT_NAME in read["jobs"] and CLIENT_NAME in read["report_csv"] and DNI in read["report_xlsx"]
    assert "[hidden" not in read["detail"] and "***" not in read["list"]
    assert CHANNEL in read["detail"] and CHANNEL in read["csv"] and MOBILE in read["detail"]


def test_an_admin_gives_and_takes_the_permission_and_the_users_tokens_follow(
    server: Server, admin: Client, user_factory: UserFactory, bank_call: str
) -> None:
    viewer = user_factory("viewer", personal_data=False)
    user_id = _user_id(admin, viewer.username)
    token = viewer.post("/api/tokens", json={"name": "dashboard"})
    assert token.status_code == 201, token.text

    def caller(client: httpx.Client) -> str:
        return str(client.get(f"/api/calls/{bank_call}").json()["caller_id"])

    with bearer(server, token.json()["token"]) as dashboard:
        assert caller(viewer) == caller(dashboard) == "+34*******56"
        given = admin.patch(f"/api/users/{user_id}", json={"sees_personal_data": True})
        assert given.status_code == 200 and given.json()["sees_personal_data"] is True
        assert caller(viewer) == caller(dashboard) == CALLER  # at once, on the session and the token
        assert dashboard.get("/api/auth/me").json()["user"]["sees_personal_data"] is True
        taken = admin.patch(f"/api/users/{user_id}", json={"sees_personal_data": False, "role": "editor"})
        assert taken.status_code == 200 and taken.json()["sees_personal_data"] is False
        assert caller(viewer) == caller(dashboard) == "+34*******56"


def test_new_users_are_made_without_it_but_admins_and_an_admin_cannot_lose_it(
    admin: Client, slug: Callable[[str], str]
) -> None:
    def made(role: str, **more: Any) -> httpx.Response:
        return admin.post("/api/users", json={"username": slug(role), "password": "password-123", "role": role, **more})

    assert made("viewer").json()["sees_personal_data"] is False
    assert made("publisher").json()["sees_personal_data"] is False
    assert made("editor", sees_personal_data=True).json()["sees_personal_data"] is True
    boss = made("admin")
    assert boss.json()["sees_personal_data"] is True
    refused = made("admin", sees_personal_data=False)
    assert refused.status_code == 422 and refused.json()["problems"][0]["path"] == "$.sees_personal_data"
    kept = admin.patch(f"/api/users/{boss.json()['id']}", json={"sees_personal_data": False})
    assert kept.status_code == 422 and kept.json()["problems"][0]["path"] == "$.sees_personal_data"
    promoted = admin.patch(f"/api/users/{made('viewer').json()['id']}", json={"role": "admin"})
    assert promoted.json()["sees_personal_data"] is True
    listed = {user["username"]: user["sees_personal_data"] for user in admin.get("/api/users").json()}
    assert listed[boss.json()["username"]] is True


def test_a_lookup_by_number_still_finds_the_calls_and_jobs_it_masks(
    user_factory: UserFactory, bank_call: str, campaign: str
) -> None:
    """A supervisor asked about one caller finds their calls without reading anyone's number."""
    viewer = user_factory("viewer", personal_data=False)
    scenario = bank_call.rsplit("-", 1)[0]
    found = viewer.get("/api/calls", params={"caller": "+34 600 111 256", "scenario": scenario}).json()["items"]
    assert [(call["id"], call["caller_id"]) for call in found] == [(bank_call, "+34*******56")]
    assert viewer.get("/api/calls", params={"caller": "+34600111999", "scenario": scenario}).json()["items"] == []
    exported = viewer.get("/api/calls.csv", params={"caller": "0034600111256", "scenario": scenario}).text
    assert bank_call in exported and "600111256" not in exported
    jobs = viewer.get("/api/callbacks", params={"number": CLIENT, "campaign": campaign}).json()
    assert [job["number"] for job in jobs] == ["+34*******89"]


# -- who read it ---------------------------------------------------------------------------------------------------


def test_reading_exporting_and_looking_up_leave_one_audit_event_each(
    admin: Client, user_factory: UserFactory, bank_call: str, campaign: str
) -> None:
    viewer = user_factory("viewer", personal_data=False)
    scenario = bank_call.rsplit("-", 1)[0]
    assert viewer.get(f"/api/calls/{bank_call}").status_code == 200
    assert viewer.get("/api/calls.csv", params={"scenario": scenario, "caller": CALLER}).text
    # A name search is not theirs (tests/api/test_name_search_privacy.py): refused, it leaves no event.
    assert viewer.get("/api/calls.csv", params={"scenario": scenario, "caller_name": "garcía"}).status_code == 403
    assert viewer.get("/api/calls.xlsx", params={"scenario": scenario}).status_code == 200
    assert viewer.get(f"/api/callbacks/campaigns/{campaign}.csv").status_code == 200
    assert viewer.get("/api/calls", params={"caller": CALLER, "scenario": scenario}).status_code == 200
    assert viewer.get("/api/callbacks", params={"number": CLIENT, "campaign": campaign}).status_code == 200
    assert viewer.get("/api/calls", params={"scenario": scenario}).status_code == 200  # no number: no event

    subject = admin.get("/api/privacy/subject", params={"number": CALLER}).json()["subject"]
    client = admin.get("/api/privacy/subject", params={"number": CLIENT}).json()["subject"]
    events = [e for e in admin.get("/api/audit", params={"limit": 500}).json() if e["actor"] == viewer.username]
    seen = [(e["action"], e["target"], e["details"]) for e in reversed(events)]
    assert seen == [
        ("read_call", f"call:{bank_call}", {"personal_data": False}),
        ("export_calls", f"subject:{subject}", {"format": "csv", "personal_data": False, "filters": {
            "scenario": scenario, "caller": f"subject:{subject}"}}),
        ("export_calls", "calls", {"format": "xlsx", "personal_data": False, "filters": {"scenario": scenario}}),
        ("export_campaign", f"campaign:{campaign}", {"format": "csv", "personal_data": False}),
        ("lookup_number", f"subject:{subject}", {"in": "calls", "found": 1, "personal_data": False}),
        ("lookup_number", f"subject:{client}", {"in": "callbacks", "found": 1, "personal_data": False}),
    ]  # fmt: skip
    assert "600111256" not in json.dumps(events) and "611222389" not in json.dumps(events)
    # The subject's access request names who looked them up.
    mine = admin.get("/api/privacy/subject", params={"number": CALLER}).json()["audit_events"]
    assert {(e["action"], e["actor"]) for e in mine} >= {("lookup_number", viewer.username)}


def test_only_admins_read_the_audit_log(user_factory: UserFactory, admin: Client) -> None:
    for role in ("viewer", "editor", "publisher"):
        refused = user_factory(role).get("/api/audit")
        assert refused.status_code == 403, role
        assert refused.json()["detail"] == "this needs the admin role"
    assert admin.get("/api/audit").status_code == 200


# -- headers and the cookie ----------------------------------------------------------------------------------------


def test_api_answers_are_never_stored_and_nothing_may_be_framed(
    admin: Client, anonymous: Client, bank_call: str
) -> None:
    for answer in (
        admin.get(f"/api/calls/{bank_call}"),
        admin.get("/api/calls.csv", params={"scenario": bank_call.rsplit("-", 1)[0]}),
        admin.get("/api/calls/no-such-call"),
        anonymous.get("/api/calls"),
    ):
        assert answer.headers["cache-control"] == "no-store", answer.request.url
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in answer.headers  # plain HTTP: a browser would ignore it anyway
    page = anonymous.get("/")
    assert page.status_code == 200 and page.headers["x-frame-options"] == "DENY"
    assert "no-store" not in page.headers.get("cache-control", "")  # the designer's files may be cached
    designer_policy = dict(directive.split(" ", 1) for directive in page.headers["content-security-policy"].split("; "))
    assert designer_policy["frame-ancestors"] == "'none'"
    assert designer_policy["default-src"] == designer_policy["connect-src"] == "'self'"
    # Code from this server only, never inline: a name that slipped into the page as markup runs nothing.
    assert designer_policy["script-src"] == "'self' 'unsafe-eval'" and designer_policy["object-src"] == "'none'"
    # FastAPI's interactive docs load Swagger UI from a CDN, so they keep only the framing rule.
    docs = anonymous.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-security-policy"] == "frame-ancestors 'none'"


def test_answers_over_https_tell_the_browser_to_stay_on_https(server: Server) -> None:
    """A TLS-ending proxy on the same host (X-Forwarded-Proto, believed from loopback) and the designer's page."""
    with httpx.Client(base_url=server.base_url, timeout=30) as plain:
        assert "strict-transport-security" not in plain.get("/").headers
    with httpx.Client(base_url=server.base_url, headers={"X-Forwarded-Proto": "https"}, timeout=30) as proxied:
        for path in ("/", "/api/auth/me"):
            assert proxied.get(path).headers["strict-transport-security"] == "max-age=31536000", path


def test_the_session_cookie_is_secure_when_the_request_came_over_https(server: Server) -> None:
    """Behind a reverse proxy on the same host ending TLS (X-Forwarded-Proto, believed from loopback as uvicorn
    does unless FORWARDED_ALLOW_IPS says otherwise), without IVRGRAPH_COOKIE_SECURE."""
    body = {"username": "root", "password": "root-password-1"}
    with httpx.Client(base_url=server.base_url, timeout=30) as plain:
        cookie = plain.post("/api/auth/login", json=body).headers["set-cookie"]
        assert "httponly" in cookie.lower() and "secure" not in cookie.lower().replace("httponly", "")
    with httpx.Client(base_url=server.base_url, headers={"X-Forwarded-Proto": "https"}, timeout=30) as proxied:
        signed_in = proxied.post("/api/auth/login", json=body)
        assert signed_in.status_code == 200
        assert "; secure" in signed_in.headers["set-cookie"].lower()


# -- API tokens expire ----------------------------------------------------------------------------------------------


def test_a_token_without_an_expiry_gets_the_longest_allowed_and_a_later_one_is_refused(
    user_factory: UserFactory,
) -> None:
    viewer = user_factory("viewer")
    now = datetime.now(UTC)
    made = viewer.post("/api/tokens", json={"name": "dashboard"})
    assert made.status_code == 201, made.text
    expires = datetime.fromisoformat(made.json()["expires_at"])
    assert now + timedelta(days=90) - timedelta(minutes=1) <= expires <= now + timedelta(days=90, minutes=1)
    shorter = viewer.post("/api/tokens", json={"name": "week", "expires_at": (now + timedelta(days=7)).isoformat()})
    assert shorter.status_code == 201
    assert abs(datetime.fromisoformat(shorter.json()["expires_at"]) - (now + timedelta(days=7))) < timedelta(seconds=1)
    later = viewer.post("/api/tokens", json={"name": "forever", "expires_at": (now + timedelta(days=91)).isoformat()})
    assert later.status_code == 422, later.text
    assert [problem["path"] for problem in later.json()["problems"]] == ["$.expires_at"]
    assert "90 days" in later.json()["problems"][0]["message"]
    assert [token["name"] for token in viewer.get("/api/tokens").json()] == ["dashboard", "week"]
