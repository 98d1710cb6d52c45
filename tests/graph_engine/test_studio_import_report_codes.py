"""Each line of a Studio import's report also as a code and its params (`meta.studio_import.entries`), so the
designer says it in the analyst's language; the English lines stay in `meta.studio_import.report` for the CLI and
the drafts imported before (review, 2026-12: the import dialog was the one English text left in the designer)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from graph_engine.studio_import import REPORT_CODES, convert_studio_flow

FIXTURE = Path(__file__).parents[1] / "fixtures" / "studio" / "support-line.json"


def _trigger_to(first: str) -> dict[str, Any]:
    return {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": first}]}


def _flow(states: list[dict[str, Any]]) -> dict[str, Any]:
    return {"description": "codes", "initial_state": "Trigger", "states": [_trigger_to(states[0]["name"]), *states]}


def _every_kind_of_line() -> dict[str, Any]:
    """A flow with a state for each thing the report says."""
    say = {"name": "played", "type": "say-play", "properties": {"play": "https://x/a.mp3", "digits": "12", "loop": 3},
           "transitions": [{"event": "audioComplete", "next": "mute"}]}  # fmt: skip
    mute = {"name": "mute", "type": "say-play", "properties": {},
            "transitions": [{"event": "audioComplete", "next": "ask"}]}  # fmt: skip
    heard = [{"event": "keypress", "next": "route"}, {"event": "speech", "next": "route"}]
    gather = {"name": "ask", "type": "gather-input-on-call", "properties": {"timeout": "soon"}, "transitions": heard}
    odd = {"type": "matches_regex", "value": "^1"}
    split = {"name": "route", "type": "split-based-on", "properties": {"input": "{{widgets.ask.Digits}} x"},
             "transitions": [{"event": "match", "next": "queue", "conditions": [odd]},
                             {"event": "noMatch", "next": "sip"}]}  # fmt: skip
    queue = {"name": "queue", "type": "enqueue-call", "properties": {"queue_name": "sales"}}
    sip = {"name": "sip", "type": "connect-call-to", "properties": {"to": "sip:a@b"},
           "transitions": [{"event": "callCompleted", "next": "two"}]}  # fmt: skip
    two = {"name": "two", "type": "connect-call-to", "properties": {"to": "+34600111222,+34600111333"},
           "transitions": [{"event": "callCompleted", "next": "empty"}]}  # fmt: skip
    empty = {"name": "empty", "type": "set-variables", "properties": {"variables": []},
             "transitions": [{"event": "next", "next": "lookup"}]}  # fmt: skip
    lookup = {"name": "lookup", "type": "make-http-request", "properties": {"url": "https://crm"},
              "transitions": [{"event": "success", "next": "played"}, {"event": "failed", "next": "mute"},
                              {"event": "timeout", "next": "ask"}]}  # fmt: skip
    flow = _flow([say, mute, gather, split, queue, sip, two, empty, lookup])
    flow["states"][0]["transitions"] = [{"event": "incomingRequest", "next": "played"},
                                        {"event": "incomingMessage", "next": "played"}]  # fmt: skip
    return flow


def _entries(flow: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str], dict[str, Any]]:
    document, report = convert_studio_flow(flow)
    return document["meta"]["studio_import"]["entries"], report, document


def test_each_line_of_the_report_has_its_code_params_and_english_text() -> None:
    entries, report, document = _entries(_every_kind_of_line())
    assert [entry["text"] for entry in entries] == report == document["meta"]["studio_import"]["report"]
    assert {entry["code"] for entry in entries} == set(REPORT_CODES)  # every code is said by this flow
    for entry in entries:
        assert set(entry) == {"code", "params", "text"}
        assert entry["params"]["state"] and entry["params"]["widget"]
        assert all(isinstance(v, str | int) and not isinstance(v, bool) for v in entry["params"].values()), entry
    json.dumps(entries)  # as the draft stores it


def test_a_placeholders_params_name_its_widget_and_each_path_to_reconnect() -> None:
    entries, _, _ = _entries(_every_kind_of_line())
    [lookup] = [entry for entry in entries if entry["params"]["state"] == "lookup"]
    assert lookup["code"] == "not_converted"
    assert lookup["params"] == {"state": "lookup", "widget": "make-http-request", "count": 2,
                                "event_1": "failed", "target_1": "mute", "wired_1": "error",
                                "event_2": "timeout", "target_2": "ask", "wired_2": "none"}  # fmt: skip
    [empty] = [entry for entry in entries if entry["params"]["state"] == "empty"]
    assert (empty["code"], empty["params"]["reason"]) == ("not_converted", "no_variables")


@pytest.mark.parametrize(
    ("state", "code", "params"),
    [
        ("Trigger", "starts_on", {"event": "incomingRequest"}),
        ("Trigger", "messages_not_converted", {"event": "incomingMessage"}),
        ("played", "recording_not_converted", {"play": "https://x/a.mp3"}),
        ("played", "digits_left_out", {"digits": "12"}),
        ("played", "said_once", {"loop": 3}),
        ("mute", "recording_not_converted", {}),
        ("ask", "not_whole_number", {"setting": "timeout", "value": '"soon"'}),
        ("ask", "prompt_not_converted", {}),
        ("ask", "speech_not_converted", {}),
        ("route", "split_input_not_variable", {}),
        ("route", "condition_not_converted", {"condition": "matches_regex"}),
        ("queue", "queue_to_check", {"queue": "sales"}),
        ("sip", "destination_not_converted", {"target": "queue:sip"}),
        ("two", "first_number_only", {"number": "+34600111222"}),
    ],
)
def test_each_code_carries_what_its_line_names(state: str, code: str, params: dict[str, Any]) -> None:
    entries, _, _ = _entries(_every_kind_of_line())
    found = [e for e in entries if e["code"] == code and e["params"]["state"] == state]
    assert found, [e for e in entries if e["params"]["state"] == state]
    assert params.items() <= found[0]["params"].items()


def test_the_support_line_keeps_its_english_report_as_before() -> None:
    flow = json.loads(FIXTURE.read_text(encoding="utf-8"))
    entries, report, _ = _entries(copy.deepcopy(flow))
    assert report == [
        "crm_lookup (make-http-request): not converted: replace the placeholder; failed → remember_caller: connect it "
        "to the replacement's error/not_found exit"
    ]
    params = {"state": "crm_lookup", "widget": "make-http-request", "count": 1, "event_1": "failed",
              "target_1": "remember_caller", "wired_1": "error"}  # fmt: skip
    assert entries == [{"code": "not_converted", "text": report[0], "params": params}]


def test_docs_list_every_report_code() -> None:
    said = (Path(__file__).parents[2] / "docs" / "from-studio.md").read_text(encoding="utf-8")
    listed = said.split("Report codes: ", 1)[1].split(".\n", 1)[0]
    assert re.findall(r"`([a-z_]+)`", listed) == list(REPORT_CODES)
