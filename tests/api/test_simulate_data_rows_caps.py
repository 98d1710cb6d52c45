"""Over real HTTP: a test call's `data_rows` names at most 200 data sources and SQL blocks, each of at most 200
characters (security review, 2026-12: nothing capped them, and each is checked against every SQL block the call
can reach)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Client
from tests.conftest import make_document


def _created(client: Client, name: str) -> str:
    document = make_document(
        [{"id": "start", "type": "start"}, {"id": "bye", "type": "hangup"}], [("start", "next", "bye")]
    )
    response = client.post("/api/scenarios", json={"slug": name, "name": name.title(), "document": document})
    assert response.status_code == 201, response.text
    return name


@pytest.mark.parametrize(
    ("rows", "path", "said"),
    [
        ({f"source_{n}": [] for n in range(201)}, "$.data_rows", "200"),
        ({"s" * 201: []}, "$.data_rows", "200 characters"),
    ],
)
def test_too_many_or_too_long_data_row_names_are_a_422_naming_data_rows(
    admin: Client, slug: Callable[[str], str], rows: dict[str, Any], path: str, said: str
) -> None:
    name = _created(admin, slug("rows"))
    refused = admin.post(f"/api/scenarios/{name}/simulate", json={"data_rows": rows})
    assert refused.status_code == 422, refused.text
    problems = refused.json()["problems"]
    assert any(p["path"].startswith(path) and said in p["message"] for p in problems), problems


def test_200_names_of_200_characters_are_taken(admin: Client, slug: Callable[[str], str]) -> None:
    name = _created(admin, slug("rows"))
    rows = {f"{n:03d}".ljust(200, "s"): [] for n in range(200)}
    called = admin.post(f"/api/scenarios/{name}/simulate", json={"data_rows": rows})
    assert called.status_code == 200, called.text
