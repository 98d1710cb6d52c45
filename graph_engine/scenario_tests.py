"""Scenario tests: a business analyst states what a call does, and the engine checks it before anything goes live.

A test gives the inputs (caller id, keys, the clock, rows a data source returns, transfer outcomes, whether the
scheduler accepts) and the expectations:
    {"name": "pays", "keys": ["1"] | "timed_keys": [[3.5, "1"]], "caller_id": "+34...",
     "at": "2026-11-23T10:00:00+01:00", "variables": {...}, "data_rows": {"crm": [...]},
     "transfers": ["busy"], "hangup_at": 4, "scheduler": "accept" | "fail",
     "expect": {"path": [...], "visits": [...], "not_visits": [...], "outcome": "hung_up",
                "variables": {"result": "will_pay"}, "said": ["debe 120"], "callbacks": 1,
                "scheduled": [{"number": "+34...", "scenario": "callback-connect",
                               "due": "2026-11-24T09:00:00+01:00" | "due_not_before": ..., "due_not_after": ...,
                               "variables": {"callback_round": 1}, "carried": ["callback_round"]}],
                "transfers": ["200"]}}
`scheduled` describes each callback the call asked for, in order (its count is the number of callbacks): what it
was scheduled with, as the scheduler received it. Moments are ISO 8601 with an offset and compare as instants.
Tests live in a `<scenario>.tests.json` file beside the scenario, or in the document under `meta.tests`. A test
that is not an object, has a field the format does not know or an input of the wrong shape is not run and fails
saying so; an expectation the format does not know or of the wrong shape fails the test after the call ran (see
scenario_test_format).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph_engine.errors import DocumentError
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_test_format import described, problems_before_running, sorted_expectations, unknown
from graph_engine.services import CallbackRequest
from graph_engine.simulation import SimulationInput, SimulationResult, simulate

# What `expect.scheduled` may say of one callback: the due moment's checks and the rest.
_DUE_CHECKS: dict[str, tuple[str, Callable[[datetime, datetime], bool]]] = {
    "due": ("is not", lambda due, wanted: due == wanted),
    "due_not_before": ("is before", lambda due, wanted: due >= wanted),
    "due_not_after": ("is after", lambda due, wanted: due <= wanted),
}
_CALLBACK_FIELDS = (*_DUE_CHECKS, "number", "scenario", "variables", "carried")


@dataclass(slots=True)
class TestOutcome:
    name: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    story: list[str] = field(default_factory=list)
    # The blocks the test call went through, in order: `{"scenario": slug, "node": id, "exit": exit}`, the
    # scenario None for the tested one's own blocks and a Go To Scenario target's slug for its blocks (`visited`),
    # the exit None where the call stopped in the
    # block (a caller hanging up during it). What a coverage report counts and the canvas draws.
    steps: list[dict[str, str | None]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "failures": self.failures,
            "story": self.story,
            "steps": self.steps,
        }


def visited(simulation: SimulationResult) -> list[dict[str, str | None]]:
    """`TestOutcome.steps` of a test call: each step's node and exit, and the slug of the scenario it ran in when a
    Go To Scenario took the call elsewhere (the step's own `scenario` is that scenario's name, for people; the slug
    is in the `goto_scenario` event of the step that went there)."""
    steps: list[dict[str, str | None]] = []
    slug: str | None = None
    for step in simulation.result.steps:
        if step.scenario is None:
            slug = None
        steps.append({"scenario": slug, "node": step.node, "exit": step.exit})
        for event in step.events:
            if event.get("kind") == "goto_scenario" and isinstance(event.get("scenario"), str):
                slug = event["scenario"]
    return steps


def simulation_input(
    test: Mapping[str, Any],
    scenarios: Mapping[str, Mapping[str, Any]],
    callback_targets: frozenset[str] | None = None,
    refused_number: Callable[[str], str | None] | None = None,
) -> SimulationInput:
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
        callback_targets=callback_targets,
        refused_number=refused_number,
    )


def check_expectations(expect: Mapping[str, Any], simulation: SimulationResult) -> list[str]:
    """Every expectation the simulated call does not meet, in words."""
    result = simulation.result
    # A misspelt expectation ("not_visit") or one of the wrong shape would otherwise check nothing and pass.
    expect, failures = sorted_expectations(expect)
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
        actual = simulation.variables.get(name)  # unmasked: a test's values are its author's, not a caller's
        if actual != wanted:
            failures.append(f"variable {name} was {actual!r}, expected {wanted!r}")
    said = " | ".join(simulation.said())
    for fragment in expect.get("said", []):
        if fragment not in said:
            failures.append(f"never said {fragment!r} (said: {said[:300]!r})")
    if "callbacks" in expect and len(simulation.callbacks) != expect["callbacks"]:
        failures.append(f"{len(simulation.callbacks)} callback(s) scheduled, expected {expect['callbacks']}")
    if "scheduled" in expect:
        failures.extend(_check_scheduled(expect["scheduled"], simulation.callbacks))
    if "transfers" in expect:
        dialed = [e.detail["target"] for e in simulation.channel_events if e.op == "transfer"]
        if dialed != list(expect["transfers"]):
            failures.append(f"dialed {dialed}, expected {list(expect['transfers'])}")
    return failures


def _check_scheduled(wanted: Any, callbacks: Sequence[CallbackRequest]) -> list[str]:
    """What the callbacks were scheduled with, against `expect.scheduled`: one description per callback, in order."""
    if not isinstance(wanted, list) or not all(isinstance(item, Mapping) for item in wanted):
        return ["expect.scheduled must be a list of objects, one per callback"]
    failures: list[str] = []
    if len(callbacks) != len(wanted):
        failures.append(f"{len(callbacks)} callback(s) scheduled, expect.scheduled describes {len(wanted)}")
    for number, (expected, callback) in enumerate(zip(wanted, callbacks, strict=False), start=1):
        failures.extend(f"callback {number}: {failure}" for failure in _check_callback(expected, callback))
    return failures


def _check_callback(expected: Mapping[str, Any], callback: CallbackRequest) -> list[str]:
    failures = [unknown("expectation", key, _CALLBACK_FIELDS) for key in expected if key not in _CALLBACK_FIELDS]
    for key in ("number", "scenario"):
        if key in expected and getattr(callback, key) != expected[key]:
            failures.append(f"{key} was {getattr(callback, key)!r}, expected {expected[key]!r}")
    for key, (verb, holds) in _DUE_CHECKS.items():
        if key not in expected:
            continue
        moment = _moment(expected[key])
        if moment is None:
            failures.append(f"{key} {expected[key]!r} is not an ISO 8601 date-time with an offset")
        elif not holds(callback.due, moment):
            failures.append(f"due {callback.due.isoformat()} {verb} {moment.isoformat()} ({key})")
    carried = callback.variables
    wanted_values = expected.get("variables", {})
    if not isinstance(wanted_values, Mapping):
        failures.append("variables must be an object: name -> value carried")
        wanted_values = {}
    for name, value in wanted_values.items():
        if name not in carried:
            failures.append(f"does not carry {name!r} (carries {sorted(carried)})")
        elif carried[name] != value:
            failures.append(f"carries {name}={carried[name]!r}, expected {value!r}")
    if "carried" in expected:
        names = expected["carried"]
        if not isinstance(names, list):
            failures.append("carried must be a list of variable names")
        elif sorted(carried) != sorted(str(name) for name in names):
            failures.append(f"carries {sorted(carried)}, expected exactly {sorted(str(name) for name in names)}")
    return failures


def _moment(value: Any) -> datetime | None:
    """An ISO 8601 date-time with an offset, or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None and moment.utcoffset() is not None else None


@dataclass(frozen=True, slots=True)
class Unrunnable:
    """In a list of tests, tests that could not be read as tests: a test that fails saying why. Left out, they
    would pass unseen."""

    name: str
    problem: str


async def run_scenario_tests(
    document: Mapping[str, Any],
    tests: Sequence[object],
    registry: BlockRegistry,
    *,
    scenarios: Mapping[str, Mapping[str, Any]] | None = None,
    callback_targets: frozenset[str] | None = None,
    refused_number: Callable[[str], str | None] | None = None,
) -> list[TestOutcome]:
    """Each test of `document` as a test call, as written by hand: any JSON value. `callback_targets`,
    `refused_number`: see SimulationInput."""
    outcomes = []
    for number, test in enumerate(tests, start=1):
        if isinstance(test, Unrunnable):
            outcomes.append(TestOutcome(test.name, False, [test.problem]))
            continue
        name = _name_of(test, number)
        problems = problems_before_running(test)
        # Not run: a misspelt or malformed input runs another call than the one meant, whose results would mislead.
        if problems or not isinstance(test, Mapping):
            outcomes.append(TestOutcome(name, False, problems))
            continue
        try:
            inputs = simulation_input(test, scenarios or {}, callback_targets, refused_number)
            simulation = await simulate(document, registry, inputs)
        except (DocumentError, ValueError, TypeError) as problem:
            outcomes.append(TestOutcome(name, False, [f"could not run: {problem}"]))
            continue
        failures = check_expectations(test.get("expect", {}), simulation)
        outcomes.append(TestOutcome(name, not failures, failures, simulation.story, visited(simulation)))
    return outcomes


def _name_of(test: object, number: int) -> str:
    """The test's name, or its place among the tests (from 1) when it has none to show."""
    name = test.get("name") if isinstance(test, Mapping) else None
    return name if isinstance(name, str) and name else f"test {number}"


def tests_in_document(document: Mapping[str, Any]) -> list[object]:
    """The tests under `meta.tests`; when that is not a list, one that fails saying so (rather than none, which
    would publish untested)."""
    meta = document.get("meta") or {}
    tests = meta.get("tests") if isinstance(meta, Mapping) else None
    if tests is None:
        return []
    if isinstance(tests, list):
        return list(tests)
    return [Unrunnable("meta.tests", f"meta.tests must be a list of tests; it is {described(tests)}")]
