"""A scenario that jumps back into itself (Go To Scenario naming its own slug: "press 1 to hear it again") is tested,
and test-called, on its draft all the way: after the jump too. Review of 2026-12-07: the Tests tab and Test call
continued after the jump in the version live now, so a test of the draft failed ("it went to 'x:hello'") while
publishing, which tests the document about to go live, passed the same test; and a test call said the old
greeting on its second round. Over real HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Client


def _again(slug: str, greeting_id: str, text: str, tests: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": "ivrgraph.scenario/1",
        "name": "Again",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": greeting_id, "type": "say_phrase", "config": {"text": text}},
            {"id": "menu", "type": "ivr", "config": {"prompt": {"text": "Press 1 to hear it again"},
                                                      "options": [{"key": "1"}, {"key": "2"}], "max_tries": 1}},
            {"id": "again", "type": "goto_scenario", "config": {"scenario": slug}},
            {"id": "bye", "type": "hangup", "config": {}},
        ],
        "edges": [
            {"source": "start", "exit": "next", "target": greeting_id},
            {"source": greeting_id, "exit": "next", "target": "menu"},
            {"source": "menu", "exit": "1", "target": "again"},
            {"source": "menu", "exit": "2", "target": "bye"},
            {"source": "menu", "exit": "max_tries", "target": "bye"},
        ],
    }  # fmt: skip
    if tests is not None:
        document["meta"] = {"tests": tests}
    return document


def test_the_tests_tab_and_a_test_call_continue_in_the_draft_after_a_jump_back_into_it(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("again")
    created = admin.post(
        "/api/scenarios", json={"slug": name, "name": "Again", "document": _again(name, "hello", "Version one")}
    )
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"}).status_code == 200
    twice = [f"{name}:start", f"{name}:hello2", f"{name}:menu", f"{name}:bye"]
    test = {
        "name": "hears it twice",
        "keys": ["1", "2"],
        "expect": {"path": ["start", "hello2", "menu", "again", *twice]},
    }
    saved = admin.put(
        f"/api/scenarios/{name}/draft", json={"revision": 1, "document": _again(name, "hello2", "Version two", [test])}
    )
    assert saved.status_code == 200, saved.text

    tab = admin.post(f"/api/scenarios/{name}/tests", json={})
    assert tab.status_code == 200, tab.text
    assert [(each["passed"], each["failures"]) for each in tab.json()["tests"]] == [(True, [])]
    called = admin.post(f"/api/scenarios/{name}/simulate", json={"keys": ["1", "2"]})
    assert called.status_code == 200, called.text
    story = "\n".join(called.json()["story"])
    assert story.count("Version two") == 2 and "Version one" not in story, story
    # Publishing, which tests the document about to go live, agrees.
    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "v2"})
    assert published.status_code == 200, published.text
