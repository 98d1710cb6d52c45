"""Over real HTTP: an error body a CRM can act on without parsing English. Every item of a problem's `problems`
carries a stable `code` (and `params` where a call list's gives them), and the 409s and the 413 a client must tell
apart have a `type` of their own (review of a CRM integrator, 2026-12-06)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from tests.api.conftest import Client, Server
from tests.persistence import documents

PROBLEMS = "https://ivrgraph.dev/problems/"


def _published(admin: Client, name: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": name, "name": "codes", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


def _job(name: str, **more: Any) -> dict[str, Any]:
    return {"number": "+34600111222", "scenario": name, "due": "2030-06-01T10:00:00Z", **more}


def test_a_request_the_schema_refuses_names_pydantics_error_type(admin: Client, slug: Callable[[str], str]) -> None:
    body = {"scenario": slug("schema"), "due": "2030-06-01T10:00:00Z", "window_ends": "x", "number": "1" * 500}
    refused = admin.post("/api/callbacks", json={k: v for k, v in body.items() if k != "scenario"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"] == PROBLEMS + "invalid-request"
    by_path = {item["path"]: item for item in refused.json()["problems"]}
    assert by_path["$.scenario"]["code"] == "missing"
    assert by_path["$.window_ends"]["code"] == "extra_forbidden"
    too_long = by_path["$.number"]
    assert too_long["code"] == "string_too_long" and isinstance(too_long["params"]["max_length"], int), too_long
    assert all(set(item) >= {"path", "message", "code"} for item in refused.json()["problems"])


def test_a_callbacks_refusal_has_the_code_a_call_lists_row_has(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("codes")
    _published(admin, name)
    one = admin.post("/api/callbacks", json=_job(name, number="112"))
    batch = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": [{"phone": "112"}]})
    assert (one.status_code, batch.status_code) == (422, 422), (one.text, batch.text)
    assert one.json()["type"] == batch.json()["type"] == PROBLEMS + "request-refused"
    [job_problem], [row_problem] = one.json()["problems"], batch.json()["problems"]
    assert job_problem["code"] == row_problem["code"] == "emergency_number"
    assert job_problem["params"] == {"value": "112"}
    assert job_problem["message"] == "112 is an emergency number and is never dialled"  # the words kept

    impossible = admin.post("/api/callbacks", json=_job(name, number="+34 600 111"))
    assert impossible.json()["problems"][0]["code"] == "impossible_number", impossible.text
    assert impossible.json()["problems"][0]["params"] == {"value": "+34600111", "reason": "too_short"}
    unpublished = admin.post("/api/callbacks", json=_job("no-such-scenario"))
    assert unpublished.json()["problems"][0]["code"] == "not_published", unpublished.text
    assert unpublished.json()["problems"][0]["params"] == {"scenario": "no-such-scenario"}
    late = admin.post("/api/callbacks", json=_job(name, window_end="2030-06-01T09:00:00Z"))
    assert late.json()["problems"][0]["code"] == "window_ends_first", late.text
    past = admin.post("/api/callbacks", json=_job(name, due="2020-01-01T00:00:00Z"))
    assert past.json()["problems"][0]["code"] == "due_past", past.text
    assert past.json()["problems"][0]["params"]["due"] == "2020-01-01T00:00:00+00:00"


def test_a_declared_variables_refusal_has_a_list_cells_code(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("codes-vars")
    document = documents.greeting()
    document["variables"] = [{"name": "due_date", "type": "date", "default": "2026-01-01"}]
    assert admin.post("/api/scenarios", json={"slug": name, "name": "v", "document": document}).status_code == 201
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
    refused = admin.post("/api/callbacks", json=_job(name, variables={"due_date": "soon"}))
    assert refused.status_code == 422, refused.text
    [item] = refused.json()["problems"]
    assert (item["path"], item["code"]) == ("$.variables.due_date", "not_a_date")
    assert item["params"] == {"variable": "due_date", "value": '"soon"', "type": "date"}


def test_a_key_sent_again_with_another_body_is_its_own_conflict(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("codes-key")
    _published(admin, name)
    key = {"Idempotency-Key": f"{name}-1"}
    assert admin.post("/api/callbacks", json=_job(name), headers=key).status_code == 201
    reused = admin.post("/api/callbacks", json=_job(name, number="+34600111333"), headers=key)
    assert reused.status_code == 409, reused.text
    assert reused.json()["type"] == PROBLEMS + "idempotency-key-reused"
    assert reused.headers["content-type"] == "application/problem+json"


def test_a_cancel_retried_tells_it_went_through(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("codes-cancel")
    _published(admin, name)
    job = admin.post("/api/callbacks", json=_job(name)).json()
    assert admin.post(f"/api/callbacks/{job['id']}/cancel").status_code == 200
    again = admin.post(f"/api/callbacks/{job['id']}/cancel")  # the CRM's retry after a timeout
    assert again.status_code == 409, again.text
    body = again.json()
    assert (body["type"], body["job_status"], body["job_id"]) == (
        PROBLEMS + "job-not-cancellable",
        "cancelled",
        job["id"],
    )
    assert body["detail"].endswith("is already cancelled: only a waiting job is cancelled")  # the words kept


def test_a_body_over_the_limit_is_payload_too_large(server: Server) -> None:
    """A declared length over the limit is answered at once, before any of the body is sent (api.body_limit)."""
    address = urlsplit(server.base_url)
    with socket.create_connection((address.hostname or "127.0.0.1", address.port or 80), timeout=30) as connection:
        request = (f"POST /api/callbacks HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {2**40}\r\n\r\n")  # fmt: skip
        connection.sendall(request.encode())
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    body = json.loads(payload)
    assert (body["type"], body["title"], body["status"]) == (PROBLEMS + "payload-too-large", "payload too large", 413)
    assert isinstance(body["limit_bytes"], int) and body["limit_bytes"] > 2**20
    assert body["detail"].startswith("the request body is over the ")


def test_the_openapi_document_types_the_problems(anonymous: Client) -> None:
    spec = anonymous.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    item = schemas["ProblemItem"]
    assert set(item["required"]) == {"path", "message", "code"} and "params" in item["properties"]
    answers = spec["paths"]["/api/callbacks"]["post"]["responses"]
    refusal = answers["422"]["content"]["application/problem+json"]["schema"]["$ref"].rsplit("/", 1)[1]
    problems = schemas[refusal]["properties"]["problems"]
    assert "#/components/schemas/ProblemItem" in json.dumps(problems)
    conflict = answers["409"]["content"]["application/problem+json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "job_status" in schemas[conflict]["properties"]
    assert "idempotency-key-reused" in schemas[conflict]["description"]
