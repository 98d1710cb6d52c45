"""Scenario documents for persistence and API tests."""

from __future__ import annotations

from typing import Any

FORMAT = "ivrgraph.scenario/1"


def greeting(
    text: str = "Hello", *, name: str = "Greeting", tests: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Start -> say `text` -> hang up: valid, publishable."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "name": name,
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "hello", "type": "say_phrase", "config": {"text": text}},
            {"id": "bye", "type": "hangup", "config": {}},
        ],
        "edges": [
            {"source": "start", "exit": "next", "target": "hello"},
            {"source": "hello", "exit": "next", "target": "bye"},
        ],
    }
    if tests is not None:
        document["meta"] = {"tests": tests}
    return document


def menu(keys: list[str], *, name: str = "Menu") -> dict[str, Any]:
    """Start -> IVR with `keys`, each key to its own goodbye."""
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "start", "config": {}},
        {
            "id": "menu",
            "type": "ivr",
            "config": {"prompt": {"text": "Choose"}, "options": [{"key": k} for k in keys]},
        },
    ]
    edges = [{"source": "start", "exit": "next", "target": "menu"}]
    for key in keys:
        nodes.append({"id": f"k{key}", "type": "say_phrase", "config": {"text": f"You chose {key}"}})
        edges.append({"source": "menu", "exit": key, "target": f"k{key}"})
    return {"format": FORMAT, "name": name, "nodes": nodes, "edges": edges}


def jumping_to(slug: str) -> dict[str, Any]:
    """A scenario whose Go To Scenario block continues in `slug`."""
    return {
        "format": FORMAT,
        "name": f"Jump to {slug}",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "jump", "type": "goto_scenario", "config": {"scenario": slug}},
        ],
        "edges": [{"source": "start", "exit": "next", "target": "jump"}],
    }


def unknown_block() -> dict[str, Any]:
    """Structurally fine, but its block type does not exist: saves as a draft, never publishes."""
    document = greeting()
    document["nodes"][1] = {"id": "hello", "type": "no_such_block", "config": {}}
    return document
