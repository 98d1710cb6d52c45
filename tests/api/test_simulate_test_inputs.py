"""Review of a Russian contact centre (2026-12): the designer's Test call could test neither an autoinformer nor a
CRM lookup. A debt reminder failed ("not a number: None") for want of its call-list variables, and every SQL block
took its error exit saying the data source "is not configured", though it was: the test call simply had no rows for
it. A test call now takes the variables, the caller's name and the rows, says when it had no rows for a source, and
makes up no caller ID (it was a Spanish one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client
from tests.conftest import make_document


def _create(client: Client, slug: str, document: dict[str, Any]) -> None:
    response = client.post("/api/scenarios", json={"slug": slug, "name": slug.title(), "document": document})
    assert response.status_code == 201, response.text


def _simulate(client: Client, slug: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"/api/scenarios/{slug}/simulate", json=body)
    assert response.status_code == 200, response.text
    return response.json()["result"]  # type: ignore[no-any-return]


def _looks_up_the_caller(source: str) -> dict[str, Any]:
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "lookup",
                "type": "sql",
                "config": {
                    "source": source,
                    "query": "SELECT name FROM clients WHERE phone = :caller_id",
                    "columns": {"name": "client_name"},
                },
            },
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "lookup"),
            ("lookup", "found", "bye"),
            ("lookup", "not_found", "bye"),
            ("lookup", "error", "bye"),
        ],
    )


def test_a_configured_source_without_test_rows_is_said_to_have_no_test_rows_and_rows_given_are_found(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("crm-lookup")
    source = f"crm_{name.rsplit('-', 1)[-1]}"
    created = admin.post("/api/data-sources", json={"name": source, "url": "sqlite:///crm.sqlite3"})
    assert created.status_code == 201, created.text
    _create(admin, name, _looks_up_the_caller(source))

    lookup = next(step for step in _simulate(admin, name)["steps"] if step["node"] == "lookup")
    assert lookup["exit"] == "error"
    assert lookup["error"] == f"no test rows for data source {source!r}"
    assert {"kind": "failure", "code": "no_test_rows", "source": source} in lookup["events"]

    given = _simulate(admin, name, caller_id="+79161234567", data_rows={source: [{"name": "Анна"}]})
    assert [step["exit"] for step in given["steps"] if step["node"] == "lookup"] == ["found"]
    assert given["variables"]["client_name"] == "Анна"


def test_the_call_list_variables_and_the_callers_name_reach_a_debt_reminder(
    admin: Client, slug: Callable[[str], str], load_example: Callable[[str], dict[str, Any]]
) -> None:
    name = slug("debt-reminder")
    _create(admin, name, load_example("debt-reminder"))

    without = _simulate(admin, name, keys=["1"])
    assert without["outcome"] == "failed"

    call = _simulate(admin, name, keys=["1"], caller_name="Иван Петров", variables={"debt_amount": 1234.5})
    assert call["outcome"] == "hung_up", call.get("error")
    said = [prompt["text"] for step in call["steps"] for prompt in step["prompts"] if "text" in prompt]
    assert "Tiene pendiente un pago de mil doscientos treinta y cuatro euros con cincuenta céntimos." in said
    assert call["variables"]["caller_name"] == "Иван Петров"


def test_a_test_call_makes_up_no_caller_id(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("anonymous")
    _create(admin, name, make_document([{"id": "start", "type": "start"}], []))
    assert _simulate(admin, name)["variables"]["caller_id"] == ""
