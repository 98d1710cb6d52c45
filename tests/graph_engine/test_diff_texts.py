"""Long texts in a diff: a changed SQL query, a long TTS text or an SMS template are sent as they were and as they
are, for the publish dialog to show them side by side (review: "field Query changed" said nothing of the change)."""

from __future__ import annotations

import copy
from typing import Any

from graph_engine.diff import diff_documents

_QUERY = "SELECT balance, due_date\nFROM debts\nWHERE phone = :caller\nORDER BY due_date DESC\nLIMIT 1"


def _doc() -> dict[str, Any]:
    return {
        "format": "ivrgraph.scenario/1",
        "name": "Debt reminder",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "debt", "type": "sql_query", "label": "Find the debt", "config": {"query": _QUERY, "timeout": 5}},
            {"id": "say", "type": "play", "config": {"prompt": {"text": "Your balance is " + "due " * 40}}},
        ],
        "edges": [{"source": "start", "exit": "next", "target": "debt"}],
    }


def _changes(before: dict[str, Any], after: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [change for change in diff_documents(before, after).changes() if change["kind"] == kind]


def test_a_changed_query_carries_its_text_before_and_after() -> None:
    after = copy.deepcopy(_doc())
    query = _QUERY.replace("LIMIT 1", "LIMIT 3")
    after["nodes"][1]["config"] |= {"query": query, "timeout": 8}
    [change] = _changes(_doc(), after, "block_changed")
    assert change["fields"] == ["query", "timeout"]
    # Too long for a line: not among the short values, but in full among the texts.
    assert change["values"] == [{"field": "timeout", "before": 5, "after": 8}]
    assert change["texts"] == [{"field": "query", "before": _QUERY, "after": query}]


def test_a_text_set_or_cleared_is_sent_with_none_on_the_side_without_it() -> None:
    after = copy.deepcopy(_doc())
    del after["nodes"][1]["config"]["query"]
    [change] = _changes(_doc(), after, "block_changed")
    assert change["texts"] == [{"field": "query", "before": _QUERY, "after": None}]


def test_a_short_setting_and_a_list_carry_no_texts() -> None:
    after = copy.deepcopy(_doc())
    after["nodes"][1]["config"] |= {"timeout": 8, "params": ["a", "b"]}
    [change] = _changes(_doc(), after, "block_changed")
    assert "texts" not in change  # the key is sent only when there is a text to show: older clients see no change


def test_a_huge_text_is_only_named() -> None:
    before, after = copy.deepcopy(_doc()), copy.deepcopy(_doc())
    before["nodes"][1]["config"]["query"] = "SELECT 1 -- " + "x" * 5000
    [change] = _changes(before, after, "block_changed")
    assert change["fields"] == ["query"]
    assert "texts" not in change


def test_a_long_prompt_carries_its_texts_beside_the_short_form() -> None:
    after = copy.deepcopy(_doc())
    before_text = _doc()["nodes"][2]["config"]["prompt"]["text"]
    after["nodes"][2]["config"]["prompt"] = {"text": before_text + "today"}
    [change] = _changes(_doc(), after, "prompt_changed")
    assert (change["before"], change["after"]) == (None, None)  # too long for a line, as before
    assert change["texts"] == [{"field": "prompt", "before": before_text, "after": before_text + "today"}]


def test_a_short_prompt_carries_no_texts() -> None:
    before, after = copy.deepcopy(_doc()), copy.deepcopy(_doc())
    before["nodes"][2]["config"]["prompt"] = {"text": "Hello"}
    after["nodes"][2]["config"]["prompt"] = {"text": "Hi"}
    [change] = _changes(before, after, "prompt_changed")
    assert (change["before"], change["after"]) == ("Hello", "Hi")
    assert "texts" not in change
