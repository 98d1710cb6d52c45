"""What a scenario test may name: the nodes of the scenarios its call can reach, the exits of the blocks it may force,
and the data sources their SQL blocks read.

A node of the tested scenario is named by its id (`menu`); a node of a scenario a Go To Scenario leads to, by that
scenario's slug and the id (`inbound-hotline:menu`): both may have a `menu`, and a test must say which it means.
An id that is a node of the tested scenario is that node, colon or not (a node id may hold one; a slug cannot).

A test that names a node, an exit or a data source these scenarios do not have is refused, naming the field and
what it likely meant: `not_visits: ["opertor"]` passed whatever the call did, and rows given for a source no block
reads (`"staf"`) left the source meant without rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from graph_engine.block import ERROR_EXIT
from graph_engine.document import goto_targets
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_test_format import likely_meant, unknown
from graph_engine.upgrade import upgrade_node

_SQL: Final = "sql"
# A test's inputs that lead a block to its exits, for one that runs in a test call as in a real one.
_INPUTS_THAT_LEAD: Final = "keys, timed_keys, at, caller_id, variables, data_rows, transfers, scheduler"

Nodes = Mapping[str, Mapping[str, Any]]  # node id -> node, as written in the document


@dataclass(frozen=True, slots=True)
class Reach:
    """The scenarios a test's call can reach: the tested one (`own`), and each one a Go To Scenario in them leads
    to, by slug (`others`: its nodes, None when the test was not given its document, so its nodes cannot be
    checked). `sources`: the data sources their SQL blocks read."""

    own: Nodes
    others: Mapping[str, Nodes | None]
    sources: frozenset[str]

    def node(self, name: str) -> tuple[str | None, str] | None:
        """The scenario (None: the tested one) and the node id `name` stands for; None when it stands for none. A
        node of a scenario whose document the test was not given is taken at its word."""
        if name in self.own:
            return None, name
        slug, colon, node = name.partition(":")
        if colon and slug in self.others:
            nodes = self.others[slug]
            if nodes is None or node in nodes:
                return slug, node
        return None

    def names(self) -> list[str]:
        """Every node a test may name: the tested scenario's ids, then the others' as `slug:id`."""
        return [*self.own, *(f"{slug}:{node}" for slug, nodes in self.others.items() for node in nodes or {})]

    def unknown_node(self, field: str, name: str) -> str:
        """`field` names `name`, which is no node here: in words, with the node it likely stands for."""
        elsewhere = [f"{slug}:{name}" for slug, nodes in self.others.items() if nodes is not None and name in nodes]
        if elsewhere:
            return (
                f"{field}: unknown node {name!r} (did you mean {elsewhere[0]!r}? a node of another scenario is named "
                "with its slug: slug:id)"
            )
        slug, colon, _ = name.partition(":")
        if colon and slug not in self.others:
            said = unknown("node", name, self.names())
            return f"{field}: {said}: no Go To Scenario this test's call can take leads to a scenario {slug!r}"
        return f"{field}: {unknown('node', name, self.names())}"


def reach_of(document: Mapping[str, Any], scenarios: Mapping[str, Mapping[str, Any]]) -> Reach:
    """What a test of `document` may name, `scenarios` being the documents a Go To Scenario continues in."""
    own = _nodes(document)
    others: dict[str, Nodes | None] = {}
    waiting = goto_targets(document)
    while waiting:
        slug = waiting.pop()
        if slug in others:
            continue
        other = scenarios.get(slug)
        others[slug] = _nodes(other) if other is not None else None
        waiting += goto_targets(other)
    every = [own, *(nodes for nodes in others.values() if nodes is not None)]
    sources = {
        str(node["config"]["source"])
        for nodes in every
        for node in nodes.values()
        if node.get("type") == _SQL and isinstance(node.get("config"), Mapping) and "source" in node["config"]
    }
    return Reach(own, others, frozenset(sources))


def _nodes(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    nodes = document.get("nodes") if isinstance(document, Mapping) else None
    if not isinstance(nodes, list):
        return {}
    return {node["id"]: node for node in nodes if isinstance(node, Mapping) and isinstance(node.get("id"), str)}


def unknown_nodes(field: str, names: Sequence[str], reach: Reach) -> list[str]:
    """A refusal for each of `names` (written in the test's `field`) that stands for no node `reach` has."""
    return [reach.unknown_node(field, name) for name in names if reach.node(name) is None]


def unknown_sources(rows: Mapping[str, Any], reach: Reach) -> list[str]:
    """A refusal for each data source a test gives rows for that no SQL block its call can reach reads: the rows
    would be read by nothing, and the source meant would have none."""
    read = sorted(reach.sources)
    they_read = f"they read {', '.join(read)}" if read else "none of them reads any"
    return [
        f"data_rows: {unknown('data source', name, read)}: no SQL block this test's call can reach reads it; "
        f"{they_read}"
        for name in rows
        if name not in reach.sources
    ]


def forced_exits(
    exits: Mapping[str, str], reach: Reach, registry: BlockRegistry
) -> tuple[dict[tuple[str | None, str], str], list[str]]:
    """The test's `exits` as `SimulationInput.forced_exits`, and a refusal for each it cannot force: a node that is
    not there (or in a scenario the test was not given), a block that runs in a test call as in a real one (its
    exits are the test's inputs' to lead to), an exit the block does not have."""
    forced: dict[tuple[str | None, str], str] = {}
    problems: list[str] = []
    for name, exit_name in exits.items():
        found = reach.node(name)
        if found is None:
            problems.append(reach.unknown_node("exits", name))
            continue
        slug, node_id = found
        nodes = reach.own if slug is None else reach.others[slug]
        if nodes is None:
            problems.append(f"exits: node {name!r} is in scenario {slug!r}, which this test was not given")
            continue
        problem = _exit_problem(name, nodes[node_id], exit_name, registry)
        if problem is not None:
            problems.append(f"exits: {problem}")
        else:
            forced[found] = exit_name
    return forced, problems


def _exit_problem(name: str, node: Mapping[str, Any], exit_name: str, registry: BlockRegistry) -> str | None:
    block = registry.types.get(str(node.get("type")))
    if block is None:
        return f"node {name!r} is a {node.get('type')!r} block, which is not installed here"
    title = f"{name!r} ({block.title})"
    if block.safe_in_test_call:
        return (
            f"node {title} runs in a test call as in a real one, so its exit is not forced: give the test the "
            f"inputs that lead it there ({_INPUTS_THAT_LEAD})"
        )
    try:
        # As the installed block reads the node: an older version's config migrated forward, as a call does.
        config = upgrade_node(node, registry).get("config")
        exits = [*block.exits(config if isinstance(config, Mapping) else {}), ERROR_EXIT]
    except Exception as error:  # a plugin's own code: its failure is the test's problem, not a crash of the run
        return f"the exits of node {title} cannot be read: {type(error).__name__}: {error}"
    if exit_name in exits:
        return None
    meant = likely_meant(exit_name, exits)
    guess = f" (did you mean {meant!r}?)" if meant else ""
    return f"node {title} has no exit {exit_name!r}{guess}; its exits are {', '.join(exits)}"
