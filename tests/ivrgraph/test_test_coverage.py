"""What counts in `ivrgraph test --coverage` (ivrgraph.test_coverage), on real blocks and real test calls."""

from __future__ import annotations

import json
from typing import Any

from graph_engine import scenario_tests  # its TestOutcome imported here would be collected as a test class
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests
from ivrgraph.scenario_files import sibling_documents
from ivrgraph.test_coverage import Coverage, coverage_table, scenario_coverage
from tests.conftest import EXAMPLES, make_document


def transfer_scenario() -> dict[str, Any]:
    """Start -> Transfer; `busy` and `error` wired to a Hang Up, `answered`, `no_answer` and `failed` not."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "desk", "type": "transfer", "config": {"target": "200"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "desk"), ("desk", "busy", "bye"), ("desk", "error", "bye")],
    )


def exits_of(coverage: Any, node: str) -> dict[str, tuple[bool, bool]]:
    """exit -> (wired, taken) of one block."""
    block = next(block for block in coverage.blocks if block.node == node)
    return {exit_.exit: (exit_.wired, exit_.taken) for exit_ in block.exits}


async def test_declared_exits_count_wired_or_not_and_implicit_ones_only_when_wired(registry: BlockRegistry) -> None:
    document = transfer_scenario()
    outcomes = await run_scenario_tests(document, [{"transfers": ["busy"], "expect": {"visits": ["bye"]}}], registry)
    assert outcomes[0].passed, outcomes[0].failures

    coverage = scenario_coverage(document, registry, outcomes)

    assert exits_of(coverage, "desk") == {
        "answered": (False, False),
        "busy": (True, True),
        "no_answer": (False, False),
        "failed": (False, False),
        "error": (True, False),  # wired; the unwired `hangup` every waiting block has is not counted
    }
    assert exits_of(coverage, "bye") == {}
    assert coverage.totals == Coverage(blocks=3, blocks_reached=3, exits=6, exits_taken=2)


def test_only_the_tested_scenarios_own_steps_count(registry: BlockRegistry) -> None:
    """A Go To Scenario target's blocks are that scenario's; a node of the same id there is not this one's."""
    document = transfer_scenario()
    elsewhere = scenario_tests.TestOutcome(
        "went elsewhere",
        True,
        steps=[
            {"scenario": None, "node": "start", "exit": "next"},
            {"scenario": "other", "node": "desk", "exit": "busy"},
        ],
    )

    coverage = scenario_coverage(document, registry, [elsewhere])

    assert coverage.totals == Coverage(blocks=3, blocks_reached=1, exits=6, exits_taken=1)
    assert [block.node for block in coverage.blocks if not block.reached] == ["desk", "bye"]


async def test_a_failing_tests_call_counts_and_the_table_names_what_none_tried(registry: BlockRegistry) -> None:
    document = transfer_scenario()
    failing = {"name": "wrong", "transfers": ["busy"], "expect": {"outcome": "transferred"}}
    outcomes = await run_scenario_tests(document, [failing], registry)
    assert not outcomes[0].passed

    table = coverage_table([("desk.json", scenario_coverage(document, registry, outcomes))])

    rows = [line.split() for line in table]
    assert ["desk.json", "Transfer", '"desk"', "answered", "(unwired),", "no_answer", "(unwired),", "failed",
            "(unwired),", "error"] in rows  # fmt: skip
    assert ["desk.json", "3/3", "2/6", "33.3%"] in rows


async def test_every_example_block_reached_and_exit_taken_is_counted(registry: BlockRegistry) -> None:
    """employee-callthrough's tests go through a Go To Scenario into employee-dialout: only its own blocks count."""
    document = json.loads((EXAMPLES / "employee-callthrough.json").read_text(encoding="utf-8"))
    tests = json.loads((EXAMPLES / "employee-callthrough.tests.json").read_text(encoding="utf-8"))["tests"]
    outcomes = await run_scenario_tests(document, tests, registry, scenarios=sibling_documents(EXAMPLES))

    coverage = scenario_coverage(document, registry, outcomes)

    assert {block.node for block in coverage.blocks} == {node["id"] for node in document["nodes"]}
    wired = {(edge["source"], edge["exit"]) for edge in document["edges"]}
    counted = {(block.node, exit_.exit) for block in coverage.blocks for exit_ in block.exits}
    assert wired <= counted
    taken = {(block.node, exit_.exit) for block in coverage.blocks for exit_ in block.exits if exit_.taken}
    own_steps = {(s["node"], s["exit"]) for o in outcomes for s in o.steps if s["scenario"] is None}
    assert taken == own_steps & counted
