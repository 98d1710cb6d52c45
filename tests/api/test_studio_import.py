"""POST /api/scenarios/import with a Twilio Studio flow export, over real HTTP: converted into the draft it
imports, the report in the draft's `meta.studio_import` (and the notes of each placeholder); Studio-like garbage a
422 that says what the file is (review, 2026-12: it got bare schema errors)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client
from tests.conftest import ROOT

STUDIO = ROOT / "tests" / "fixtures" / "studio" / "support-line.json"


def test_a_studio_export_imports_as_its_converted_draft(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("studio")
    imported = admin.post("/api/scenarios/import", json={"slug": name, "document": json.loads(STUDIO.read_text())})
    assert imported.status_code == 201, imported.text
    assert imported.json()["name"] == "Acme support line"
    document = imported.json()["draft"]["document"]
    assert {node["id"]: node["type"] for node in document["nodes"]}["main_menu"] == "ivr"
    report = document["meta"]["studio_import"]["report"]
    assert any(line.startswith("crm_lookup (make-http-request)") for line in report)
    validated = admin.post(f"/api/scenarios/{name}/validate")
    assert validated.status_code == 200, validated.text
    assert [p for p in validated.json()["problems"] if p["severity"] == "error"] == []
    called = admin.post(f"/api/scenarios/{name}/simulate", json={"keys": ["1"]})
    assert called.status_code == 200, called.text
    assert any("+15551230000" in line for line in called.json()["story"])


def test_studio_like_garbage_is_refused_saying_what_it_is(admin: Client, slug: Callable[[str], str]) -> None:
    garbage = {"description": "x", "initial_state": "Trigger", "states": [{"name": "Trigger"}], "flags": {}}
    refused = admin.post("/api/scenarios/import", json={"slug": slug("studio"), "document": garbage})
    assert refused.status_code == 422, refused.text
    problems = refused.json()["problems"]
    assert "Twilio Studio flow export" in problems[0]["message"]
    assert {"path": "$.states[0].type", "message": "state 'Trigger' has no type"} in [
        {"path": p["path"], "message": p["message"]} for p in problems
    ]


def test_validating_a_studio_export_says_what_it_is_and_how_to_convert_it(admin: Client) -> None:
    studio = json.loads(STUDIO.read_text())
    checked = admin.post("/api/scenarios/any-slug/validate", json={"document": studio})
    assert checked.status_code == 200, checked.text
    [problem] = checked.json()["problems"]  # not the format's schema errors about `nodes` and `edges`
    assert problem["code"] == "studio_flow" and problem["severity"] == "error"
    assert "this is a Twilio Studio flow export: convert it with `ivrgraph import-studio" in problem["message"]
    assert "designer's Import" in problem["message"]


def _studio(*states: dict[str, Any]) -> dict[str, Any]:
    trigger = {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "pin"}]}
    return {"description": "odd", "initial_state": "Trigger", "states": [trigger, *states], "flags": {}}


def test_odd_numbers_and_far_offsets_import_reported_not_as_a_500(admin: Client, slug: Callable[[str], str]) -> None:
    """Security review, 2026-12: `number_of_digits: "²"` (int() refused what isdigit() let through) and a 5000-digit
    timeout answered 500 `internal`; an offset of 1e308 imported, and the designer drew only Start."""
    for odd in ("²", "9" * 5000):
        gather = {"name": "pin", "type": "gather-input-on-call", "transitions": [],
                  "properties": {"say": "PIN", "number_of_digits": odd, "timeout": odd,
                                 "offset": {"x": 1e308, "y": -1e308}}}  # fmt: skip
        imported = admin.post("/api/scenarios/import", json={"slug": slug("odd"), "document": _studio(gather)})
        assert imported.status_code == 201, imported.text
        document = imported.json()["draft"]["document"]
        report = document["meta"]["studio_import"]["report"]
        assert any(line.startswith("pin (gather-input-on-call): timeout ") for line in report), report
        pin = next(node for node in document["nodes"] if node["id"] == "pin")
        assert pin["config"]["timeout"] == 5
        assert all(abs(value) <= 100_000 for value in pin["position"].values())


def test_a_text_past_the_cap_is_a_422_naming_it(admin: Client, slug: Callable[[str], str]) -> None:
    say = {"name": "pin", "type": "say-play", "transitions": [], "properties": {"say": "{{" * 40000}}
    refused = admin.post("/api/scenarios/import", json={"slug": slug("long"), "document": _studio(say)})
    assert refused.status_code == 422, refused.text
    assert {
        "path": "$.states[1].properties.say",
        "message": "is 80000 characters long; at most 2000 are converted",
    } in [{"path": p["path"], "message": p["message"]} for p in refused.json()["problems"]]


def test_a_studio_export_sent_without_a_slug_takes_one_from_its_name(admin: Client, slug: Callable[[str], str]) -> None:
    # Review, 2026-12: the designer named it after the file and the moment (`studio-mxcybwqn`), and the dialplan
    # dials the slug: the flow's name says which flow it is.
    wanted = slug("acme")
    studio = {**json.loads(STUDIO.read_text()), "description": wanted.replace("-", " ").title()}
    first = admin.post("/api/scenarios/import", json={"document": studio})
    assert first.status_code == 201, first.text
    assert first.json()["slug"] == wanted
    again = admin.post("/api/scenarios/import", json={"document": studio})
    assert again.status_code == 201, again.text
    assert again.json()["slug"] == f"{wanted}-2"  # a suffix only when the name's slug is taken


def test_a_placeholder_left_is_a_warning_that_does_not_stop_the_publish(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("studio-placeholder")
    imported = admin.post("/api/scenarios/import", json={"slug": name, "document": json.loads(STUDIO.read_text())})
    assert imported.status_code == 201, imported.text
    studio = imported.json()["draft"]["document"]["meta"]["studio_import"]
    assert studio["placeholders"] == {"crm_lookup": "make-http-request"}
    assert [entry["text"] for entry in studio["entries"]] == studio["report"]
    problems = admin.post(f"/api/scenarios/{name}/validate").json()["problems"]
    [placeholder] = [p for p in problems if p["code"] == "studio_placeholder"]
    assert (placeholder["severity"], placeholder["node"]) == ("warning", "crm_lookup")
    assert placeholder["params"]["widget"] == "make-http-request"
    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "as imported"})
    assert published.status_code == 200, published.text
