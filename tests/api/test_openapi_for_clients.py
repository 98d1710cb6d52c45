"""The OpenAPI document as a client generator reads it, served over real HTTP.

Review (a CRM integrator generating a client): operation ids were FastAPI's automatic ones
(`create_job_api_callbacks_post`, which become method names), the 409's `job_id` was not in its schema and its
`job_status` gave "completed" as an example of a status that is `done`, a job's `outcome` said nothing of its
values, and the 413 every body may get (`payload-too-large`, 21 MiB) was in no operation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, FastAPI

from api.app import SMALL_BODIES
from api.operation_ids import operation_ids
from api.report_labels import DIAL_OUTCOMES
from api.schemas import JobStatus
from tests.api.conftest import Client

PROBLEM_SCHEMAS = ("Problem", "RefusalProblem", "ConflictProblem", "TooLargeProblem")


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_operation_ids_are_the_route_names_and_unique(anonymous: Client) -> None:
    document = anonymous.get("/openapi.json").json()
    ids = {(method, path): operation["operationId"] for method, path, operation in _operations(document)}
    assert ids[("post", "/api/callbacks")] == "create_job"
    assert ids[("post", "/api/callbacks/{job_id}/cancel")] == "cancel_job"
    assert ids[("get", "/api/auth/me")] == "me"
    assert len(set(ids.values())) == len(ids), sorted(ids.values())
    assert not [name for name in ids.values() if "_api_" in name]


def test_problem_schemas_declare_what_they_require(anonymous: Client) -> None:
    schemas = anonymous.get("/openapi.json").json()["components"]["schemas"]
    for name in PROBLEM_SCHEMAS:
        schema = schemas[name]
        assert set(schema["required"]) <= set(schema["properties"]), name
        assert {"type", "title", "status", "detail"} <= set(schema["properties"]), name


def test_a_not_cancellable_jobs_409_is_described_as_it_is_sent(anonymous: Client) -> None:
    conflict = anonymous.get("/openapi.json").json()["components"]["schemas"]["ConflictProblem"]["properties"]
    assert "job_id" in conflict
    said = conflict["job_status"]["description"]
    assert "completed" not in said
    # Every status a job that is not waiting may have, in the words the API uses for them.
    assert all(f"`{status}`" in said for status in JobStatus.__args__ if status != "pending"), said


def test_a_jobs_outcome_names_its_values(anonymous: Client) -> None:
    """Old rows may hold others (a job stored by an older version, or by an integration writing the table), so
    the values are listed, not enforced."""
    schemas = anonymous.get("/openapi.json").json()["components"]["schemas"]
    for model in ("CallbackJobOut", "CallbackAttemptOut"):
        said = schemas[model]["properties"]["outcome"]["description"]
        missing = [outcome for outcome in DIAL_OUTCOMES if f"`{outcome}`" not in said]
        assert not missing, (model, missing)


def test_every_operation_with_a_body_declares_the_413(anonymous: Client) -> None:
    document = anonymous.get("/openapi.json").json()
    with_body = [(m, p, op) for m, p, op in _operations(document) if "requestBody" in op]
    assert len(with_body) > 20
    for method, path, operation in with_body:
        too_large = operation["responses"].get("413")
        assert too_large is not None, (method, path)
        assert ("64 KiB" if path in SMALL_BODIES else "21 MiB") in too_large["description"], too_large
        schema = too_large["content"]["application/problem+json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/TooLargeProblem"}, schema
    limit = document["components"]["schemas"]["TooLargeProblem"]["properties"]["limit_bytes"]
    assert limit["type"] == "integer"
    assert "413" not in document["paths"]["/api/auth/me"]["get"]["responses"]


def test_a_route_name_taken_twice_gets_its_modules_after_it() -> None:
    """Two routers' functions of one name: the second met is told apart by its module, and the ids stay put when the
    document is built again."""
    first, second = APIRouter(prefix="/a"), APIRouter(prefix="/b")

    def listing() -> None: ...

    first.add_api_route("", listing, methods=["GET"])
    second.add_api_route("", listing, methods=["GET"])
    second.add_api_route("/{x}", listing, methods=["DELETE"])
    app = FastAPI(generate_unique_id_function=operation_ids())
    app.include_router(first)
    app.include_router(second)
    ids = {(m, p): op["operationId"] for m, p, op in _operations(app.openapi())}
    module = __name__.rpartition(".")[2]
    assert ids == {("get", "/a"): "listing", ("get", "/b"): f"listing_{module}",
                   ("delete", "/b/{x}"): f"listing_{module}_delete"}  # fmt: skip
