"""A query parameter a route does not declare is refused, not ignored (an integrator's review: `?satus=failed` on the
call register listed every call, and the misspelt filter looked as if it had worked), over real HTTP on SQLite and
PostgreSQL: a 422 naming it, the parameters the route takes, and the one meant for a near miss. Every parameter
the OpenAPI document declares is still taken, the designer's own requests among them; paths outside /api (health
checks, the designer's files) take any query."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Query
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from api.query_params import MAX_NAMED, declared_query
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from tests.api.conftest import Client, Server
from tests.persistence import documents

NOT_A_PARAMETER = "zz_not_a_parameter"
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
RANGE = {"since": "2026-12-07T00:00:00+01:00", "until": "2026-12-08T00:00:00+01:00"}


def _refused(response: Any) -> list[dict[str, Any]]:
    """The problems of a 422 for undeclared query parameters, each checked to be one."""
    assert response.status_code == 422, (response.request.url, response.text)
    body = response.json()
    assert body["type"] == "https://ivrgraph.dev/problems/invalid-request", body
    assert response.headers["content-type"].startswith("application/problem+json")
    assert all(item["code"] == "unknown_query_parameter" for item in body["problems"]), body
    problems: list[dict[str, Any]] = body["problems"]
    return problems


def _declared(operation: dict[str, Any]) -> list[str]:
    return sorted(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")


def _operations(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _url(path: str, operation: dict[str, Any]) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = "999999" if parameter["schema"].get("type") == "integer" else "query-nope"
            path = path.replace("{" + parameter["name"] + "}", value)
    return path


@pytest.fixture
def register(server: Server, slug: Callable[[str], str]) -> str:
    """A scenario's name with two calls in the register, from two callers, as a FastAGI node writes them."""
    scenario = slug("query-register")
    database = Database(server.database_url)
    try:
        CallRecordWriter(database).write_batch(
            [
                CallRecordIn(call_id=f"{scenario}-{n}", scenario=scenario, started_at=T0 + timedelta(minutes=n),
                             answered_at=T0, ended_at=T0 + timedelta(minutes=n, seconds=30), outcome="hung_up",
                             trace={"steps": []}, caller_id=f"+3460000000{n}", asterisk_uniqueid=f"1795295104.{n}")
                for n in (1, 2)
            ]
        )  # fmt: skip
    finally:
        database.dispose()
    return scenario


# -- a misspelt filter ----------------------------------------------------------------------------------------------


def test_a_misspelt_filter_on_the_register_is_refused_not_ignored(admin: Client, register: str) -> None:
    """`calller` listed both calls; `caller` lists the one."""
    wanted = admin.get("/api/calls", params={"scenario": register, "caller": "+34600000001"})
    assert wanted.status_code == 200, wanted.text
    assert [item["id"] for item in wanted.json()["items"]] == [f"{register}-1"]

    [problem] = _refused(admin.get("/api/calls", params={"scenario": register, "calller": "+34600000001"}))
    assert problem["path"] == "$.calller"
    assert problem["params"]["parameter"] == "calller"
    assert problem["params"]["suggestion"] == "caller"
    assert {"scenario", "caller", "caller_name", "status", "since", "until", "page_size", "tz"} <= set(
        problem["params"]["accepted"]
    )
    assert "`calller`" in problem["message"] and "did you mean `caller`?" in problem["message"]


@pytest.mark.parametrize(
    ("path", "params", "wrong", "meant"),
    [
        ("/api/calls", {"satus": "missed"}, "satus", "status"),
        ("/api/calls", {"Status": "missed"}, "Status", "status"),
        ("/api/calls.csv", {"scenarios": "x", "tz": "UTC"}, "scenarios", "scenario"),
        ("/api/calls.xlsx", {"sinse": "2026-12-07"}, "sinse", "since"),
        ("/api/callbacks", {"limt": "5"}, "limt", "limit"),
        ("/api/callbacks", {"numbr": "+34600000001"}, "numbr", "number"),
        ("/api/callbacks/campaigns", {"ofset": "50"}, "ofset", "offset"),
        ("/api/reports/calls", {**RANGE, "gruop": "hour"}, "gruop", "group"),
        ("/api/reports/calls", {**RANGE, "scenarios": "sales"}, "scenarios", "scenario"),
        ("/api/scenarios", {"page_sise": "10"}, "page_sise", "page_size"),
    ],
)
def test_a_misspelt_parameter_is_named_with_the_one_meant(
    admin: Client, path: str, params: dict[str, str], wrong: str, meant: str
) -> None:
    [problem] = _refused(admin.get(path, params=params))
    assert (problem["path"], problem["params"]["parameter"]) == (f"$.{wrong}", wrong)
    assert problem["params"]["suggestion"] == meant
    assert meant in problem["params"]["accepted"]


def test_a_name_another_route_uses_is_refused_with_the_route_s_own(admin: Client) -> None:
    """`page_size` is the register's; the callbacks page with `limit`. No near miss: no suggestion, the list says."""
    [problem] = _refused(admin.get("/api/callbacks", params={"page_size": ""}))
    assert problem["params"] == {
        "parameter": "page_size",
        "accepted": ["campaign", "limit", "number", "offset", "scenario", "status"],
    }
    assert "it takes campaign, limit, number, offset, scenario, status" in problem["message"]


def test_every_undeclared_parameter_is_named_at_once_up_to_a_limit(admin: Client) -> None:
    both = _refused(admin.get("/api/calls", params={"satus": "missed", "scenario": "s", "outcom": "failed"}))
    assert [p["params"]["parameter"] for p in both] == ["satus", "outcom"]
    assert "suggestion" not in both[1]["params"]  # `outcome` is a field of a call, no filter of the register

    many = _refused(admin.get("/api/calls", params={f"made_up_{n}": "1" for n in range(50)}))
    assert [p["params"]["parameter"] for p in many] == [f"made_up_{n}" for n in range(MAX_NAMED)]


def test_a_route_with_no_query_parameters_refuses_any(admin: Client) -> None:
    [problem] = _refused(admin.get("/api/auth/me", params={"verbose": "1"}))
    assert problem["params"] == {"parameter": "verbose", "accepted": []}
    assert problem["message"].endswith("it takes no query parameters")
    # An unsafe request too, refused before it does anything.
    before = admin.get("/api/tokens").json()
    assert _refused(admin.post("/api/tokens?dry_run=1", json={"name": "query-dry"}))[0]["path"] == "$.dry_run"
    assert admin.get("/api/tokens").json() == before
    assert admin.get("/api/auth/me").status_code == 200


def test_the_shape_of_a_request_is_judged_before_who_sends_it(anonymous: Client) -> None:
    """As a body that is not JSON is: a misspelt filter is a 422 whoever asks (the OpenAPI document is public)."""
    assert _refused(anonymous.get("/api/calls", params={"satus": "missed"}))[0]["params"]["suggestion"] == "status"
    assert anonymous.get("/api/calls", params={"status": "missed"}).status_code == 401


# -- what every route takes ---------------------------------------------------------------------------------------


def test_every_api_operation_takes_exactly_what_the_document_declares(admin: Client, anonymous: Client) -> None:
    """Each operation under /api, sent a parameter nobody declares, is refused before it does anything, and lists
    as accepted the query parameters its OpenAPI entry declares: every one still taken, no other."""
    openapi = anonymous.get("/openapi.json").json()
    checked: dict[str, list[str]] = {}
    for method, path, operation in _operations(openapi):
        if not path.startswith("/api/"):
            continue
        response = admin.request(method.upper(), _url(path, operation), params={NOT_A_PARAMETER: "1"})
        [problem] = _refused(response)
        assert problem["params"]["parameter"] == NOT_A_PARAMETER
        assert problem["params"]["accepted"] == _declared(operation), (method, path)
        assert "422" in operation["responses"], (method, path)
        checked[f"{method.upper()} {path}"] = problem["params"]["accepted"]
    assert checked["GET /api/scenarios/{slug}/diff"] == ["from", "to"]  # aliases, as a client writes them
    assert checked["GET /api/auth/me"] == []
    assert len(checked) >= 60


def test_operations_outside_the_api_take_any_query(anonymous: Client) -> None:
    """Health probes and the designer's files and pages: a cache buster or a link's query is not theirs to judge."""
    assert anonymous.get("/healthz", params={"probe": "lb-1"}).status_code == 200
    assert anonymous.get("/readyz", params={"token": "x"}).status_code == 200
    assert anonymous.get("/assets/app.js", params={"v": "3"}).text == "console.log('designer')"
    assert anonymous.get("/reports", params={"scenario": "sales"}).headers["location"] == "./#/reports?scenario=sales"
    assert anonymous.get("/openapi.json", params={"v": "1"}).status_code == 200


# -- the designer's own requests ----------------------------------------------------------------------------------


def test_the_designer_s_requests_are_taken(admin: Client, register: str, slug: Callable[[str], str]) -> None:
    """The query strings designer_ui/src/api/client.ts and the e2e scripts send, as they send them."""
    name = slug("query-designer")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "Q", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
    filters = {**RANGE, "status": "transferred", "result": "will_pay", "caller_name": "петрова"}
    asked: list[tuple[str, dict[str, Any]]] = [
        # calls(): the list's filters, a page size, a cursor once there is one (left out before).
        ("/api/calls", {**filters, "scenario": register, "page_size": 50}),
        # callsCsvUrl() and callsXlsxUrl(): scenario, the filters, the browser's zone, a delimiter for a CSV.
        ("/api/calls.csv", {"scenario": register, **RANGE, "caller": "+34600000001", "tz": "Europe/Madrid",
                            "delimiter": "semicolon"}),
        ("/api/calls.xlsx", {"scenario": register, "result": "will_pay", "tz": "Europe/Madrid"}),
        # callReport() and the e2e's reports.mjs.
        ("/api/reports/calls", {**RANGE, "tz": "Europe/Madrid", "group": "day", "scenario": register}),
        ("/api/reports/calls", {**RANGE, "scenario": register, "group": "scenario"}),
        # flowStats(), scenarios(), exportScenario(), campaigns(), and the e2e's callbacks and calls.
        (f"/api/scenarios/{name}/stats", {"tz": "Europe/Madrid", **RANGE, "version": 1}),
        ("/api/scenarios", {"q": name, "page": 1, "page_size": 50}),
        (f"/api/scenarios/{name}/export", {"audio": "true"}),
        ("/api/callbacks/campaigns", {"scenario": name, "limit": 20, "offset": 0}),
        ("/api/callbacks", {"limit": 500}),
        ("/api/calls", {"scenario": register, "page_size": 100}),
    ]  # fmt: skip
    for path, params in asked:
        response = admin.get(path, params=params)
        assert response.status_code == 200, (path, params, response.text)
    assert len(response.json()["items"]) == 2  # the last: the register's two calls, filtered by scenario
    # campaignReportUrl(): a campaign that is not there is a 404, past the query's check.
    assert admin.get("/api/callbacks/campaigns/nope.csv", params={"delimiter": "semicolon"}).status_code == 404


# -- the shared range bounds, in the document ------------------------------------------------------------------------


def test_a_report_requires_its_range_and_the_register_does_not_in_the_same_words(anonymous: Client) -> None:
    openapi = anonymous.get("/openapi.json").json()

    def bounds(path: str) -> dict[str, dict[str, Any]]:
        parameters = openapi["paths"][path]["get"]["parameters"]
        return {p["name"]: p for p in parameters if p["name"] in ("since", "until")}

    register, report = bounds("/api/calls"), bounds("/api/reports/calls")
    assert [register[b].get("required", False) for b in ("since", "until")] == [False, False]
    assert [report[b]["required"] for b in ("since", "until")] == [True, True]
    assert register["since"]["description"] == report["since"]["description"]
    assert report["since"]["description"].startswith("Calls started at or after this (ISO 8601).")
    assert report["until"]["description"].startswith("Calls started before this (ISO 8601). At most 366 days after")
    assert "read on the clock `tz` names" in register["until"]["description"]


# -- what a route declares, read from its dependant ------------------------------------------------------------------


class Window(BaseModel):
    since: str | None = None
    page_size: int = Field(default=50, alias="pageSize")


class Paging:
    def __init__(self, limit: int = 10, offset: int = 0) -> None:
        self.limit, self.offset = limit, offset


def test_declared_query_reads_aliases_dependencies_and_parameter_models() -> None:
    """What FastAPI reads from a query string: a field of a parameter model by its alias, a dependency's own."""
    app = FastAPI()

    @app.get("/things")
    def things(
        window: Annotated[Window, Query()],
        paging: Annotated[Paging, Depends()],
        to_version: Annotated[int | None, Query(alias="to")] = None,
        plain: str = "x",
    ) -> None:
        del window, paging, to_version, plain

    [route] = [r for r in app.routes if isinstance(r, APIRoute) and r.path == "/things"]
    assert sorted(declared_query(route.dependant)) == ["limit", "offset", "pageSize", "plain", "since", "to"]
