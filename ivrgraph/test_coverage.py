"""What a scenario's tests leave untried: the blocks no test call reached and the exits none took.

An exit counts when the document wires it (an edge leaves the block by it) or when the block declares it for its
config (the registry's `exits`), wired or not: an unwired `busy` on a Transfer still ends the call in a way no test
may have tried. The implicit `error` and `hangup` count only where they are wired, since every block has them.
Only the tested scenario's own steps count (a Go To Scenario target's blocks belong to that scenario's tests), and
a failing test's steps count too: its call went there all the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import TestOutcome
from graph_engine.upgrade import upgrade_document


@dataclass(frozen=True, slots=True)
class ExitCoverage:
    exit: str
    wired: bool
    taken: bool


@dataclass(frozen=True, slots=True)
class BlockCoverage:
    node: str
    name: str  # as a business analyst reads it: `IVR Menu "Main menu" [menu]`
    reached: bool
    exits: tuple[ExitCoverage, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Blocks reached and exits taken, of one scenario or summed over several."""

    blocks: int
    blocks_reached: int
    exits: int
    exits_taken: int

    @property
    def percent(self) -> float:
        """Exits taken, in percent; 100 when there is no exit to take."""
        return 100.0 * self.exits_taken / self.exits if self.exits else 100.0

    def below(self, minimum: float) -> bool:
        return self.percent < minimum

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(
            self.blocks + other.blocks,
            self.blocks_reached + other.blocks_reached,
            self.exits + other.exits,
            self.exits_taken + other.exits_taken,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "blocks": self.blocks,
            "blocks_reached": self.blocks_reached,
            "exits": self.exits,
            "exits_taken": self.exits_taken,
            "percent": shown_percent(self.percent),
        }


NO_COVERAGE = Coverage(0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class ScenarioCoverage:
    blocks: tuple[BlockCoverage, ...]

    @property
    def totals(self) -> Coverage:
        exits = [exit_ for block in self.blocks for exit_ in block.exits]
        return Coverage(
            blocks=len(self.blocks),
            blocks_reached=sum(block.reached for block in self.blocks),
            exits=len(exits),
            exits_taken=sum(exit_.taken for exit_ in exits),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.totals.as_dict(),
            "not_reached": [block.node for block in self.blocks if not block.reached],
            "not_taken": [
                {"node": block.node, "exit": exit_.exit, "wired": exit_.wired}
                for block in self.blocks
                for exit_ in block.exits
                if not exit_.taken
            ],
        }


def shown_percent(percent: float) -> float:
    """A percentage to one decimal, rounded down: 79.96 % shows as 79.9, never as the 80 it does not reach."""
    return math.floor(percent * 10) / 10


def scenario_coverage(
    document: Mapping[str, Any], registry: BlockRegistry, outcomes: Iterable[TestOutcome]
) -> ScenarioCoverage:
    """What `outcomes`, the tests of `document`, reached. Tolerates any document: a node or edge that is not one
    (validation names it) is left out, and a block whose `exits` fails counts its wired exits only."""
    reached: set[str] = set()
    taken: set[tuple[str, str]] = set()
    for outcome in outcomes:
        for step in outcome.steps:
            step_node, step_exit = step.get("node"), step.get("exit")
            if step.get("scenario") is None and step_node is not None:
                reached.add(step_node)
                if step_exit is not None:
                    taken.add((step_node, step_exit))
    document = upgrade_document(document, registry)  # exits as the block declares them for the config it runs
    wired: dict[str, list[str]] = {}
    for edge in _objects(document.get("edges")):
        source, exit_name = edge.get("source"), edge.get("exit")
        if isinstance(source, str) and isinstance(exit_name, str) and exit_name not in wired.get(source, []):
            wired.setdefault(source, []).append(exit_name)
    blocks: list[BlockCoverage] = []
    seen: set[str] = set()
    for node in _objects(document.get("nodes")):
        node_id, type_name = node.get("id"), node.get("type")
        if not isinstance(node_id, str) or node_id in seen or not isinstance(type_name, str):
            continue
        seen.add(node_id)
        node_wired = wired.get(node_id, [])
        names = [*_declared_exits(registry, type_name, node.get("config")), *node_wired]
        exits = tuple(ExitCoverage(name, name in node_wired, (node_id, name) in taken) for name in dict.fromkeys(names))
        blocks.append(BlockCoverage(node_id, _name(registry, node, node_id, type_name), node_id in reached, exits))
    return ScenarioCoverage(tuple(blocks))


def _objects(items: Any) -> list[Mapping[str, Any]]:
    return [item for item in items if isinstance(item, Mapping)] if isinstance(items, list) else []


def _declared_exits(registry: BlockRegistry, type_name: str, config: Any) -> list[str]:
    block = registry.get(type_name)
    if block is None or not isinstance(config, Mapping | None):
        return []
    try:
        return block.exits(config or {})
    except Exception:  # a plugin's exit rules tripped by an odd config: validation says why; its wired exits stay
        return []


def _name(registry: BlockRegistry, node: Mapping[str, Any], node_id: str, type_name: str) -> str:
    label = node.get("label")
    title = label if isinstance(label, str) and label else node_id
    name = registry.node_name(type_name, title)
    return name if title == node_id else f"{name} [{node_id}]"


def coverage_table(scenarios: Sequence[tuple[str, ScenarioCoverage]]) -> list[str]:
    """The coverage report as text: what no test reached, then blocks and exits per scenario and in all."""
    lines: list[str] = []
    untried = [
        (name, block.name, _untried(block))
        for name, coverage in scenarios
        for block in coverage.blocks
        if _untried(block)
    ]
    if untried:
        lines.append("Not reached by any test:")
        lines.extend(_columns([("scenario", "block", "exits not taken"), *untried]))
    else:
        lines.append("Every block and exit was reached by a test.")
    total = sum((coverage.totals for _, coverage in scenarios), NO_COVERAGE)
    rows = [_summary_row(name, coverage.totals) for name, coverage in scenarios]
    lines.append("")
    lines.extend(_columns([("coverage", "blocks", "exits", "exits %"), *rows, _summary_row("total", total)]))
    return lines


def _untried(block: BlockCoverage) -> str:
    """What no test tried of a block, in words: `busy, answered (unwired)`, or that no test reached it at all."""
    if not block.reached:
        return "(block never reached)"
    return ", ".join(exit_.exit + ("" if exit_.wired else " (unwired)") for exit_ in block.exits if not exit_.taken)


def _summary_row(name: str, coverage: Coverage) -> tuple[str, ...]:
    return (
        name,
        f"{coverage.blocks_reached}/{coverage.blocks}",
        f"{coverage.exits_taken}/{coverage.exits}",
        f"{shown_percent(coverage.percent):.1f}%",
    )


def _columns(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    cells = (zip(row, widths, strict=True) for row in rows)
    return ["  " + "  ".join(cell.ljust(width) for cell, width in row).rstrip() for row in cells]
