"""A result's label and description may hold no invisible direction or zero-width characters, over real HTTP on
SQLite and PostgreSQL (security review): `"Pagará\\u202e"` made the Reports page show "Pagará‮ 15" as "Pagará51".
As any other rule of what a person types, a draft holding one saves, publishing it is refused, and the problem names
the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Client
from tests.persistence import documents

CONTROLS = ["\u202e", "\u202a", "\u200b", "\u200f", "\u2066", "\u2069", "\ufeff"]


def _document(result: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = documents.greeting("Hola")
    document["results"] = [result]
    return document


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize("field", ["label", "description"])
def test_a_direction_or_zero_width_character_saves_as_a_draft_but_does_not_publish(
    admin: Client, slug: Callable[[str], str], field: str, control: str
) -> None:
    name = slug("bidi")
    assert admin.post("/api/scenarios", json={"slug": name, "name": name}).status_code == 201
    result = {"code": "will_pay", "label": "Pagará", field: f"Pagará{control}"}
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": 1, "document": _document(result)})
    assert saved.status_code == 200, saved.text
    [problem] = [p for p in saved.json()["problems"] if p["path"] == f"$.results[0].{field}"]
    assert (problem["code"], problem["severity"]) == ("invalid_value", "error")
    assert problem["params"]["where"] == "result" and problem["params"]["field"] == field
    assert problem["params"]["rule"] == "pattern"
    assert "zero-width" in problem["params"]["hint"]
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "no"}).status_code == 422


def test_letters_of_any_script_and_punctuation_are_fine(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("labels")
    result = {"code": "will_pay", "label": "Оплатит — 100 % (¿sí?) שלום", "description": "Pagará · 15 €"}
    created = admin.post("/api/scenarios", json={"slug": name, "name": name, "document": _document(result)})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
