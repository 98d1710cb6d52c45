"""Scenario tests: a business analyst states what a call does, and the engine checks it before anything goes live.

A test gives the inputs (caller id, keys, the clock, rows a data source returns, transfer outcomes, whether the
scheduler accepts) and the expectations:
    {"name": "pays", "keys": ["1"] | "timed_keys": [[3.5, "1"]], "caller_id": "+34...",
     "at": "2026-11-23T10:00:00+01:00", "variables": {...}, "data_rows": {"crm": [...]},
     "transfers": ["busy"], "hangup_at": 4, "scheduler": "accept" | "fail",
     "expect": {"path": [...], "visits": [...], "not_visits": [...], "outcome": "hung_up",
                "variables": {"result": "will_pay"}, "said": ["debe 120"], "callbacks": 1,
                "transfers": ["200"]}}
Tests live in a `<scenario>.tests.json` file beside the scenario, or in the document under `meta.tests`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph_engine.errors import DocumentError
from graph_engine.registry import BlockRegistry
from graph_engine.simulation import SimulationInput, SimulationResult, simulate


@dataclass(slots=True)
class TestOutcome:
    name: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    story: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "failures": self.failures, "story": self.story}


def simulation_input(test: Mapping[str, Any], scenarios: Mapping[str, Mapping[str, Any]]) -> SimulationInput:
    at = test.get("at")
    return SimulationInput(
        keys=[str(k) for k in test.get("keys", [])],
        timed_keys=[(float(at), str(key)) for at, key in test["timed_keys"]] if "timed_keys" in test else None,
        caller_id=str(test.get("caller_id", "+34600000000")),
        caller_name=str(test.get("caller_name", "")),
        dialed_number=str(test.get("dialed_number", "")),
        at=datetime.fromisoformat(at) if isinstance(at, str) else None,
        variables=dict(test.get("variables", {})),
        data_rows={k: list(v) for k, v in test.get("data_rows", {}).items()},
        transfers=[str(t) for t in test.get("transfers", [])],
        hangup_at=test.get("hangup_at"),
        scheduler_fails=test.get("scheduler") == "fail",
        scenarios=dict(scenarios),
    )


def check_expectations(expect: Mapping[str, Any], simulation: SimulationResult) -> list[str]:
    """Every expectation the simulated call does not meet, in words."""
    result = simulation.result
    failures: list[str] = []
    path = result.path
    if "path" in expect and list(expect["path"]) != path:
        failures.append(f"path was {path}, expected {list(expect['path'])}")
    if "visits" in expect:
        remaining = iter(path)
        for node in expect["visits"]:
            if not any(step == node for step in remaining):
                failures.append(f"did not visit {node!r} (in this order) - path was {path}")
                break
    for node in expect.get("not_visits", []):
        if node in path:
            failures.append(f"visited {node!r}, which it should not")
    if "outcome" in expect and str(result.outcome) != expect["outcome"]:
        failures.append(f"outcome was {result.outcome}, expected {expect['outcome']}")
    for name, wanted in expect.get("variables", {}).items():
        actual = result.variables.get(name)
        if actual != wanted:
            failures.append(f"variable {name} was {actual!r}, expected {wanted!r}")
    said = " | ".join(simulation.said())
    for fragment in expect.get("said", []):
        if fragment not in said:
            failures.append(f"never said {fragment!r} (said: {said[:300]!r})")
    if "callbacks" in expect and len(simulation.callbacks) != expect["callbacks"]:
        failures.append(f"{len(simulation.callbacks)} callback(s) scheduled, expected {expect['callbacks']}")
    if "transfers" in expect:
        dialed = [e.detail["target"] for e in simulation.channel_events if e.op == "transfer"]
        if dialed != list(expect["transfers"]):
            failures.append(f"dialed {dialed}, expected {list(expect['transfers'])}")
    return failures


async def run_scenario_tests(
    document: Mapping[str, Any],
    tests: Sequence[Mapping[str, Any]],
    registry: BlockRegistry,
    *,
    scenarios: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[TestOutcome]:
    outcomes = []
    for number, test in enumerate(tests, start=1):
        name = str(test.get("name") or f"test {number}")
        try:
            simulation = await simulate(document, registry, simulation_input(test, scenarios or {}))
        except (DocumentError, ValueError, TypeError) as problem:
            outcomes.append(TestOutcome(name, False, [f"could not run: {problem}"]))
            continue
        failures = check_expectations(test.get("expect", {}), simulation)
        outcomes.append(TestOutcome(name, not failures, failures, simulation.story))
    return outcomes


def tests_in_document(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    meta = document.get("meta") or {}
    tests = meta.get("tests", []) if isinstance(meta, Mapping) else []
    return list(tests) if isinstance(tests, list) else []
