"""Large, realistic scenario documents for benchmarks: menus, phrases, lookups and transfers, all wired."""

from __future__ import annotations

from typing import Any


def big_scenario(node_count: int) -> dict[str, Any]:
    """A valid scenario of about `node_count` nodes: a chain of menu sections, each section six blocks."""
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start", "position": {"x": 0, "y": 0}, "config": {}}]
    edges: list[dict[str, Any]] = []

    def add(node_id: str, block: str, config: dict[str, Any], row: int, col: int) -> str:
        nodes.append(
            {
                "id": node_id,
                "type": block,
                "label": node_id,
                "position": {"x": col * 250, "y": row * 150},
                "config": config,
            }
        )
        return node_id

    def wire(source: str, exit_name: str, target: str) -> None:
        edges.append({"id": f"e{len(edges)}", "source": source, "exit": exit_name, "target": target})

    previous, previous_exit = "start", "next"
    section = 0
    while len(nodes) + 6 <= node_count:
        s = f"s{section}"
        say = add(f"{s}_say", "say_phrase", {"text": f"Sección {section}, hola {{{{ caller_name }}}}"}, section, 1)
        menu = add(
            f"{s}_menu",
            "ivr",
            {
                "prompt": {"text": "Pulse 1, 2 o 3"},
                "variable": f"choice{section}",
                "options": [{"key": "1"}, {"key": "2"}, {"key": "3"}],
            },
            section,
            2,
        )
        setv = add(
            f"{s}_set",
            "set_variable",
            {"assignments": [{"variable": f"v{section}", "value": f"{{{{ choice{section} }}}}"}]},
            section,
            3,
        )
        cond = add(f"{s}_cond", "condition", {"expression": f"v{section} == '1'"}, section, 4)
        xfer = add(f"{s}_xfer", "transfer", {"target": "queue:sales"}, section, 5)
        bye = add(f"{s}_bye", "hangup", {}, section, 6)
        wire(previous, previous_exit, say)
        wire(say, "next", menu)
        wire(menu, "1", setv)
        wire(menu, "2", xfer)
        wire(menu, "3", bye)
        wire(menu, "max_tries", bye)
        wire(setv, "next", cond)
        wire(cond, "false", bye)
        for outcome in ("busy", "no_answer", "failed"):
            wire(xfer, outcome, bye)
        previous, previous_exit = cond, "true"
        section += 1
    last = add("end", "hangup", {}, section, 1)
    wire(previous, previous_exit, last)
    while len(nodes) < node_count:  # pad with reachable phrases before the end
        extra = add(f"pad{len(nodes)}", "say_phrase", {"text": "Un momento"}, section + 1, len(nodes))
        edges[-1]["target"] = extra
        wire(extra, "next", last)
    return {
        "format": "ivrgraph.scenario/1",
        "name": f"bench {node_count}",
        "language": "es",
        "nodes": nodes,
        "edges": edges,
    }
