"""HTTP as an integrator's client expects it (review of an integration against `ivrgraph serve`): 405 with the
methods allowed, the API's own 404 under /api with the designer served, 415 for a body not sent as JSON, and
the call register's statuses as an enum in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from persistence.calls import STATUSES
from tests.api.conftest import Client

PROBLEM = "application/problem+json"


def allowed(response: httpx.Response) -> set[str]:
    header = response.headers.get("allow")
    assert header is not None, "a 405 must say what is allowed (RFC 9110, 15.5.6)"
    return {method.strip() for method in header.split(",")}


def test_a_method_the_path_does_not_take_is_a_405_naming_the_allowed_ones(admin: Client) -> None:
    refused = admin.delete("/api/callbacks/0b8f4c1e-0000-4000-8000-000000000000")
    assert refused.status_code == 405 and refused.headers["content-type"] == PROBLEM, refused.text
    assert allowed(refused) == {"GET"}
    # Several routes share the path, one per method: Allow names every one of them, not the first found.
    many = admin.put("/api/scenarios/some-scenario")
    assert many.status_code == 405 and allowed(many) == {"GET", "PATCH", "DELETE"}, many.headers


def test_under_api_the_designer_never_answers(admin: Client, anonymous: Client) -> None:
    """The designer's catch-all page took every GET: a path that only deletes said "no such page"."""
    only_deletes = admin.get("/api/tokens/3")
    assert only_deletes.status_code == 405 and allowed(only_deletes) == {"DELETE"}, only_deletes.text
    for unknown in ("/api/nothing-here", "/api", "/api/tokens/3/nothing"):
        answer = anonymous.get(unknown)
        assert answer.status_code == 404 and answer.headers["content-type"] == PROBLEM, unknown
        assert answer.json()["type"].endswith("/not-found") and answer.json()["status"] == 404
    assert anonymous.get("/apiary").headers["location"] == "./#/apiary"  # the designer's, though it starts with api


def test_the_headers_an_error_carries_reach_the_client(anonymous: Client) -> None:
    assert anonymous.get("/api/scenarios").headers["www-authenticate"] == "Bearer"
    assert allowed(anonymous.post("/healthz")) == {"GET"}


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_json_body_sent_as_another_media_type_is_a_415(
    admin: Client, slug: Callable[[str], str], content_type: str | None
) -> None:
    """It was a 422 "Input should be a valid dictionary" at `$`, which said nothing of the Content-Type."""
    name = slug("media")
    body = f'{{"slug": "{name}", "name": "x"}}'.encode()
    headers = {"content-type": content_type} if content_type else {}
    refused = admin.post("/api/scenarios", content=body, headers=headers)
    assert refused.status_code == 415 and refused.headers["content-type"] == PROBLEM, refused.text
    assert "application/json" in refused.json()["detail"]
    assert admin.get(f"/api/scenarios/{name}").status_code == 404


def test_json_in_any_of_its_spellings_is_taken(admin: Client, slug: Callable[[str], str]) -> None:
    for content_type in ("application/json", "application/json; charset=utf-8", "application/merge-patch+json"):
        name = slug("media")
        body = f'{{"slug": "{name}", "name": "x"}}'.encode()
        created = admin.post("/api/scenarios", content=body, headers={"content-type": content_type})
        assert created.status_code == 201, (content_type, created.text)
    # An optional body left out, whatever the Content-Type says: there is nothing in it to refuse.
    empty = admin.post(f"/api/scenarios/{name}/validate", headers={"content-type": "text/plain"})
    assert empty.status_code == 200, empty.text
    wrong = admin.post(f"/api/scenarios/{name}/validate", content=b"{}", headers={"content-type": "text/plain"})
    assert wrong.status_code == 415, wrong.text


def test_uploads_stay_multipart(admin: Client) -> None:
    """The file uploads take a form: not JSON, and not a 415 either."""
    upload = admin.post("/api/audio", files={"file": ("a.wav", b"not audio")}, data={"name": "x"})
    assert upload.status_code == 422, upload.text
    listed = admin.post("/api/callbacks/lists", files={"file": ("a.csv", b"number\n+34600111222\n")})
    assert listed.status_code == 200, listed.text


def test_the_openapi_document_declares_the_415_and_the_call_status_enum(anonymous: Client) -> None:
    document = anonymous.get("/openapi.json").json()
    draft = document["paths"]["/api/scenarios/{slug}/draft"]["put"]["responses"]
    assert draft["415"]["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "415" not in document["paths"]["/api/audio"]["post"]["responses"]  # multipart
    status = document["components"]["schemas"]["CallSummary"]["properties"]["status"]
    assert tuple(status["enum"]) == STATUSES and status["type"] == "string"
