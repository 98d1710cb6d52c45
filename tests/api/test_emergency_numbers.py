"""Over real HTTP: the API never makes a job for an emergency number, neither one integration's callback nor a call
list's row, and says which number and why (the server here has no default country: every region's are refused)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client
from tests.persistence import documents


def _published(admin: Client, name: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": name, "name": "cb", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200


def _jobs_of(admin: Client, name: str) -> list[str]:
    jobs: list[dict[str, Any]] = admin.get("/api/callbacks", params={"scenario": name, "limit": 500}).json()
    return [job["number"] for job in jobs]


def test_a_callback_to_an_emergency_number_is_refused(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("sos")
    _published(admin, name)
    body = {"scenario": name, "due": "2030-06-01T10:00:00Z"}
    for number, dialled in [("112", "112"), ("9-1-1", "911"), ("01", "01")]:
        refused = admin.post("/api/callbacks", json={**body, "number": number}, headers={"Idempotency-Key": number})
        assert refused.status_code == 422, refused.text
        message = f"{dialled} is an emergency number and is never dialled"
        params = {"value": dialled}
        assert refused.json()["problems"] == [
            {"path": "$.number", "code": "emergency_number", "params": params, "message": message}
        ]
        assert refused.json()["detail"] == f"the callback cannot be scheduled: {message}"
    # "+34 112": with a country code a short number is no emergency call (libphonenumber), and no Spanish phone
    # either (too short: review of a Russian contact centre); an ordinary one is called.
    short = admin.post("/api/callbacks", json={**body, "number": "+34 112"})
    assert short.status_code == 422 and "emergency" not in short.text, short.text
    assert short.json()["problems"][0]["message"].endswith("too few digits for a number of its country")
    assert admin.post("/api/callbacks", json={**body, "number": "+34 600 111 222"}).status_code == 201
    assert sorted(_jobs_of(admin, name)) == ["+34600111222"]


def test_a_call_list_with_an_emergency_number_names_the_row(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("sos-list")
    _published(admin, name)
    rows = [{"phone": "600111213"}, {"phone": "112"}, {"phone": "911"}, {"phone": "01"}, {"phone": "+34 112"}]
    batch = {"scenario": name, "rows": rows, "row_numbers": [2, 3, 4, 5, 6]}
    refused = admin.post("/api/callbacks/batch", json=batch)
    assert refused.status_code == 422, refused.text
    phone = {"column": "phone"}
    assert refused.json()["problems"] == [
        {"path": "$.rows[1].phone", "code": "emergency_number", "params": {"row": 3, **phone, "value": "112"},
         "message": "row 3: 112 is an emergency number and is never dialled"},
        {"path": "$.rows[2].phone", "code": "emergency_number", "params": {"row": 4, **phone, "value": "911"},
         "message": "row 4: 911 is an emergency number and is never dialled"},
        {"path": "$.rows[3].phone", "code": "not_a_phone_number", "params": {"row": 5, **phone, "value": "01"},
         "message": "row 5: '01' is not a phone number"},
        {"path": "$.rows[4].phone", "code": "impossible_number",
         "params": {"row": 6, **phone, "value": "+34 112", "reason": "too_short"},
         "message": "row 6: '+34 112' is no phone number: too few digits for a number of its country"},
    ]  # fmt: skip
    assert _jobs_of(admin, name) == []  # all or none
    fixed = admin.post("/api/callbacks/batch", json={**batch, "rows": [rows[0]], "row_numbers": [2]})
    assert fixed.status_code == 200, fixed.text
    assert sorted(_jobs_of(admin, name)) == ["600111213"]
