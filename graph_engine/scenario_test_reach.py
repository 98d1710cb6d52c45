"""What a scenario test may name: the nodes of the scenarios its call can reach, the exits of the blocks it may force,
and the data sources their SQL blocks read.

A node of the tested scenario is named by its id (`menu`); a node of a scenario a Go To Scenario leads to, by that
scenario's slug and the id (`inbound-hotline:menu`): both may have a `menu`, and a test must say which it means.
An id that is a node of the tested scenario is that node, colon or not (a node id may hold one; a slug cannot).

A test that names a node, an exit or a data source these scenarios do not have is refused, naming the field and
what it likely meant: `not_visits: ["opertor"]` passed whatever the call did, and rows given for a source no block
reads (`"staf"`) left the source meant without rows. The designer shows blocks by their labels, so a name that is
(or is close to) a block's label is answered with that block's id.

A forced exit runs nothing, so the variables the block guarantees on that exit (`variables_written_on`) are not set
by it: the test gives them (the exit's `set`, or its `variables`), or is refused before its call, rather than
failing half-way through it on a variable that "is undefined".
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from graph_engine.block import ERROR_EXIT, BlockType
from graph_engine.document import CHANNEL_FACTS, goto_targets
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_test_format import forced_exit, likely_meant, unknown
from graph_engine.services import BLOCK_ROWS_PREFIX
from graph_engine.upgrade import upgrade_node

_SQL: Final = "sql"
# A test's inputs that lead a block to its exits, for one that runs in a test call as in a real one.
# For data_rows a test names that no block reads, how many refusals (of one Reach: a run of tests) say what each
# likely meant, and how many names a refusal lists: a guess is a difflib pass over every SQL block, and 400 keys
# against 400 blocks took 3.4 s, each refusal listing all 400 (security review, 2026-12).
GUESSES: Final = 10
LISTED: Final = 10
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
    # The SQL blocks as data_rows names them (`#id`, `#slug:id`), and the sources sorted: worked out once, not for
    # each name a test gives rows for.
    block_rows: tuple[str, ...] = field(init=False, compare=False)
    read: tuple[str, ...] = field(init=False, compare=False)
    # The "did you mean" still to be said for data_rows (GUESSES): a list, so a frozen Reach can count them down.
    _guesses: list[int] = field(default_factory=lambda: [GUESSES], compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "block_rows", tuple(f"{BLOCK_ROWS_PREFIX}{name}" for name in self.sql_blocks()))
        object.__setattr__(self, "read", tuple(sorted(self.sources)))

    def guess(self) -> bool:
        """Whether one more data_rows refusal may say what it likely meant (GUESSES in all)."""
        if self._guesses[0] <= 0:
            return False
        self._guesses[0] -= 1
        return True

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

    def sql_blocks(self) -> list[str]:
        """The SQL blocks a test may give rows of their own, as it names them (`id`, `slug:id`)."""
        return [
            name
            for prefix, nodes in [("", self.own), *((f"{slug}:", nodes) for slug, nodes in self.others.items())]
            for node_id, node in (nodes or {}).items()
            if node.get("type") == _SQL and (name := f"{prefix}{node_id}")
        ]

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
        labelled = self._labelled(name, exactly=True)
        if labelled:
            return f"{field}: {_unknown_labelled(name, labelled)}"
        slug, colon, _ = name.partition(":")
        if colon and slug not in self.others:
            said = unknown("node", name, self.names())
            return f"{field}: {said}: no Go To Scenario this test's call can take leads to a scenario {slug!r}"
        if likely_meant(name, self.names()) is None and (labelled := self._labelled(name, exactly=False)):
            return f"{field}: {_unknown_labelled(name, labelled)}"
        return f"{field}: {unknown('node', name, self.names())}"

    def _labelled(self, name: str, *, exactly: bool) -> tuple[str, list[str]] | None:
        """The label `name` stands for, and the nodes (as a test names them) that carry it: one written as `name`,
        else in other capitals; not `exactly`, the label closest in spelling. None when no label is."""
        labels: dict[str, list[str]] = {}  # label -> the nodes with it, the tested scenario's first
        for prefix, nodes in [("", self.own), *((f"{slug}:", nodes) for slug, nodes in self.others.items())]:
            for node_id, node in (nodes or {}).items():
                label = node.get("label")
                if isinstance(label, str) and label.strip():
                    labels.setdefault(label.strip(), []).append(f"{prefix}{node_id}")
        wanted = name.strip()
        by_lowered = {label.casefold(): label for label in reversed(labels)}  # the first label of each spelling
        if exactly:
            found = wanted if wanted in labels else by_lowered.get(wanted.casefold())
        else:
            close = difflib.get_close_matches(wanted.casefold(), list(by_lowered), n=1)
            found = by_lowered[close[0]] if close else None
        return (found, labels[found]) if found is not None else None


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


def _unknown_labelled(name: str, labelled: tuple[str, list[str]]) -> str:
    """`unknown node 'Operator' (did you mean 'transfer_4', labelled "Operator"?)`: a test names a block by its id,
    the designer shows its label."""
    label, nodes = labelled
    both = "both " if len(nodes) == 2 else "all " if len(nodes) > 2 else ""
    meant = " or ".join(repr(node) for node in nodes)
    return f"unknown node {name!r} (did you mean {meant}, {both}labelled {json.dumps(label, ensure_ascii=False)}?)"


def unknown_nodes(field: str, names: Sequence[str], reach: Reach) -> list[str]:
    """A refusal for each of `names` (written in the test's `field`) that stands for no node `reach` has."""
    return [reach.unknown_node(field, name) for name in names if reach.node(name) is None]


def unknown_sources(rows: Mapping[str, Any], reach: Reach) -> list[str]:
    """A refusal for each data source a test gives rows for that no SQL block its call can reach reads: the rows
    would be read by nothing, and the source meant would have none."""
    read, blocks = reach.read, reach.block_rows
    they_read = f"they read {_listed(read)}" if read else "none of them reads any"
    reachable = f"the SQL blocks this test's call can reach are {_listed(blocks)}" if blocks else "it reaches none"
    known_blocks = frozenset(blocks)
    refusals = []
    for name in rows:
        if name in reach.sources or name in known_blocks or _untold_block(name, reach):
            continue
        if name.startswith(BLOCK_ROWS_PREFIX):
            said = unknown("SQL block", name, blocks) if reach.guess() else f"unknown SQL block {name!r}"
            refusals.append(f"data_rows: {said}: rows for one SQL block are named {BLOCK_ROWS_PREFIX}id; {reachable}")
        else:
            said = unknown("data source", name, read) if reach.guess() else f"unknown data source {name!r}"
            refusals.append(f"data_rows: {said}: no SQL block this test's call can reach reads it; {they_read}")
    return refusals


def _listed(names: Sequence[str]) -> str:
    """The first LISTED of `names`, and how many more there are."""
    more = f" (and {len(names) - LISTED} more)" if len(names) > LISTED else ""
    return ", ".join(names[:LISTED]) + more


def _untold_block(name: str, reach: Reach) -> bool:
    """`#slug:id` in a scenario whose document the test was not given: taken at its word, as `exits` takes it."""
    slug, colon, _ = name.removeprefix(BLOCK_ROWS_PREFIX).partition(":")
    return name.startswith(BLOCK_ROWS_PREFIX) and bool(colon) and reach.others.get(slug, {}) is None


@dataclass(frozen=True, slots=True)
class ForcedExit:
    """An exit a test forces at a node (`exits`), and the variables the node sets as it leaves by it."""

    exit: str
    sets: Mapping[str, Any] = field(default_factory=dict)


ForcedExits = Mapping[tuple[str | None, str], ForcedExit]  # (scenario slug, None for the tested one; node id)


def forced_exits(
    exits: Mapping[str, Any], reach: Reach, registry: BlockRegistry, given: frozenset[str] = frozenset()
) -> tuple[dict[tuple[str | None, str], ForcedExit], list[str]]:
    """The test's `exits` (as `problems_before_running` let them through) by node, and a refusal for each it cannot
    force: a node that is not there (or in a scenario the test was not given), a block that runs in a test call as
    in a real one (its exits are the test's inputs' to lead to), an exit the block does not have, and one on which
    the block guarantees variables the test does not give (in the exit's `set`, or in `given`: its `variables`)."""
    forced: dict[tuple[str | None, str], ForcedExit] = {}
    problems: list[str] = []
    for name, written in exits.items():
        exit_name, sets = forced_exit(written)
        found = reach.node(name)
        if found is None:
            problems.append(reach.unknown_node("exits", name))
            continue
        slug, node_id = found
        nodes = reach.own if slug is None else reach.others[slug]
        if nodes is None:
            problems.append(f"exits: node {name!r} is in scenario {slug!r}, which this test was not given")
            continue
        problem = _exit_problem(name, nodes[node_id], exit_name, registry) or _unset_problem(
            name, nodes[node_id], exit_name, registry, given | frozenset(sets)
        )
        if problem is not None:
            problems.append(f"exits: {problem}")
        else:
            forced[found] = ForcedExit(exit_name, sets)
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
        exits = [*block.exits(_config(node, registry)), ERROR_EXIT]
    except Exception as error:  # a plugin's own code: its failure is the test's problem, not a crash of the run
        return f"the exits of node {title} cannot be read: {type(error).__name__}: {error}"
    if exit_name in exits:
        return None
    meant = likely_meant(exit_name, exits)
    guess = f" (did you mean {meant!r}?)" if meant else ""
    return f"node {title} has no exit {exit_name!r}{guess}; its exits are {', '.join(exits)}"


def _unset_problem(
    name: str, node: Mapping[str, Any], exit_name: str, registry: BlockRegistry, given: frozenset[str]
) -> str | None:
    """The variables the block at `node` guarantees on `exit_name` that nothing in the test gives: forced, it sets
    none of them, and the first block to read one failed the call (`'ticket_id' is undefined`)."""
    block: BlockType = registry.types[str(node.get("type"))]  # there: `_exit_problem` said so
    try:
        guaranteed = set(block.variables_written_on(_config(node, registry), exit_name))
    except Exception:  # nothing known to require: validation warns of the plugin's failure (check_failed)
        return None
    missing = sorted(guaranteed - given - set(CHANNEL_FACTS))  # a channel fact is set in every call
    if not missing:
        return None
    names = ", ".join(missing)
    sets = ", ".join(f'"{variable}": ...' for variable in missing)
    return (
        f"node {name!r} ({block.title}) sets {names} when it leaves by {exit_name!r}, and a forced exit runs nothing "
        f"to set {'it' if len(missing) == 1 else 'them'}: give {'its value' if len(missing) == 1 else 'their values'}"
        f' with the exit, {{{json.dumps(name)}: {{"exit": {json.dumps(exit_name)}, "set": {{{sets}}}}}}}, or in the '
        "test's variables"
    )


def _config(node: Mapping[str, Any], registry: BlockRegistry) -> Mapping[str, Any]:
    """The node's config as the installed block reads it: an older version's migrated forward, as a call does."""
    config = upgrade_node(node, registry).get("config")
    return config if isinstance(config, Mapping) else {}
