"""Over real HTTP: a time of day in opening hours is stored as HH:MM and nothing else. The designer's field reads
`9:00` or `18.00` and stores `09:00`/`18:00`, but the document format stays strict: a document sent through the API
with `9:00` is refused at its node and field, the message saying the form expected with an example; and the
catalog tells the designer (and a plugin reusing blocks.common.CLOCK_TIME) to draw the field as a clock time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client
from tests.persistence.documents import FORMAT

HINT = "24-hour HH:MM, e.g. 09:00 or 18:30; midnight is 00:00."


def _office(hours: list[dict[str, Any]]) -> dict[str, Any]:
    """Start -> Schedule (open and closed both hang up), its hours as given."""
    return {
        "format": FORMAT,
        "name": "Office",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {
                "id": "office",
                "type": "schedule",
                "label": "Office",
                "config": {"timezone": "Europe/Moscow", "hours": hours},
            },
            {"id": "bye", "type": "hangup", "config": {}},
        ],
        "edges": [
            {"source": "start", "exit": "next", "target": "office"},
            {"source": "office", "exit": "open", "target": "bye"},
            {"source": "office", "exit": "closed", "target": "bye"},
        ],
    }


def _config_problems(client: Client, name: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    checked = client.post(f"/api/scenarios/{name}/validate", json={"document": document})
    assert checked.status_code == 200, checked.text
    return [problem for problem in checked.json()["problems"] if problem["code"] == "config"]


def test_a_time_not_written_hh_mm_is_refused_at_its_field_saying_the_form_with_an_example(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("clock")
    assert admin.post("/api/scenarios", json={"slug": name, "name": "Clock"}).status_code == 201
    typed = _office([{"days": ["mon", "tue"], "from": "9:00", "to": "18.00"}])
    problems = _config_problems(admin, name, typed)
    by_path = {problem["path"]: problem for problem in problems}
    assert set(by_path) == {"$.nodes[1].config.hours[0].from", "$.nodes[1].config.hours[0].to"}
    start = by_path["$.nodes[1].config.hours[0].from"]
    assert start["node"] == "office"
    assert start["message"] == (
        f"Schedule \"Office\": Opening hours > row 1 > From: '9:00' does not match the form this field takes: {HINT}"
    )
    assert start["params"] == {
        "block_type": "schedule",
        "block_title": "Schedule",
        "label": "Office",
        "field": "Opening hours > row 1 > From",
        "rule": "pattern",
        "value": "9:00",
        "hint": HINT,
    }
    assert by_path["$.nodes[1].config.hours[0].to"]["params"]["value"] == "18.00"
    # Saved as a draft, it is kept with the same problems; publishing it is refused.
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": 1, "document": typed})
    assert saved.status_code == 200, saved.text
    assert {p["path"] for p in saved.json()["problems"] if p["code"] == "config"} == set(by_path)
    blocked = admin.post(f"/api/scenarios/{name}/publish", json={"message": "no", "revision": 2})
    assert blocked.status_code == 422, blocked.text
    # As the designer stores them, and midnight as the end of the day: no problem.
    stored = _office(
        [{"days": ["mon", "tue"], "from": "09:00", "to": "18:00"}, {"days": ["fri"], "from": "18:00", "to": "00:00"}]
    )
    assert _config_problems(admin, name, stored) == []
    # Midnight written 24:00 is refused as any other form: the designer's field says to write 00:00.
    midnight_as_24 = _office([{"days": ["fri"], "from": "18:00", "to": "24:00"}])
    assert [problem["params"]["value"] for problem in _config_problems(admin, name, midnight_as_24)] == ["24:00"]


def test_the_catalog_draws_every_time_of_day_of_the_hours_as_a_clock_time(admin: Client) -> None:
    catalog = {entry["type"]: entry for entry in admin.get("/api/blocks").json()}
    for block, field in (("schedule", "hours"), ("callback", "window")):
        row = catalog[block]["config_schema"]["properties"][field]["items"]["properties"]
        for end in ("from", "to"):
            assert row[end]["x-ui"] == {"widget": "clock_time"}, (block, end)
            assert row[end]["description"] == HINT
            assert row[end]["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9]$"
