"""Scenario tests: a business analyst states what a call does, and the engine checks it before anything goes live.

A test gives the inputs (caller id, keys, the clock, rows a data source returns, transfer outcomes, whether the
scheduler accepts, the exit a block that does not run in a test call takes) and the expectations:
    {"name": "pays", "keys": ["1"] | "timed_keys": [[3.5, "1"]], "caller_id": "+34...",
     "at": "2026-11-23T10:00:00+01:00", "variables": {...}, "data_rows": {"crm": [...]},
     "transfers": ["busy"], "hangup_at": 4 | "hangup_in": "menu", "scheduler": "accept" | "fail",
     "exits": {"sms": "failed", "ticket": {"exit": "duplicate", "set": {"ticket_id": "T-9"}}},
     "expect": {"path": [...], "visits": [...], "not_visits": [...], "outcome": "hung_up",
                "variables": {"result": "will_pay"}, "said": ["debe 120"], "callbacks": 1,
                "scheduled": [{"number": "+34...", "scenario": "callback-connect",
                               "due": "2026-11-24T09:00:00+01:00" | "due_not_before": ..., "due_not_after": ...,
                               "variables": {"callback_round": 1}, "carried": ["callback_round"]}],
                "transfers": ["200"]}}
`scheduled` describes each callback the call asked for, in order (its count is the number of callbacks): what it
was scheduled with, as the scheduler received it. Moments are ISO 8601 with an offset and compare as instants.
The caller has no caller ID unless the test gives one (`caller_id`), as in the API's test call.

`path`, `visits` and `not_visits` name the tested scenario's nodes by id, and the nodes of a scenario a Go To Scenario
continued in as `slug:id` (`inbound-hotline:menu`): the path of a call that went there lists them so.

`exits` makes a block that does not run for real in a test call (a plugin's, whose `simulate` always takes `sent`
while a real call without its gateway takes `failed`) take the exit given, without running: `{"sms": "failed"}`,
or `{"slug:id": ...}` for another scenario's. Every time the call reaches it. A block that runs in a test call as in
a real one (every built-in) is refused there: the test's inputs lead it to its exits. Not running, the block sets
none of the variables it guarantees on that exit (`variables_written_on`): the test gives them, with the exit
(`{"ticket": {"exit": "duplicate", "set": {"ticket_id": "T-9"}}}`, set as the block leaves) or in its `variables`,
or it is refused before its call, naming them.

Tests live in a `<scenario>.tests.json` file beside the scenario, or in the document under `meta.tests`. A test
that is not an object, has a field the format does not know or an input of the wrong shape, expects nothing, gives
rows for a data source no SQL block reads or forces an exit it cannot is not run and fails saying so; an
expectation the format does not know, of the wrong shape, naming a node there is not or a variable the scenario does
not have (`known_variables`) fails the test after the call ran (see scenario_test_format and scenario_test_reach).
So does a call that failed (a block error with no error exit wired) unless the test expects `"outcome": "failed"`,
and one that left keys, transfer outcomes or forced exits unused, unless the caller hung up (the test's `hangup_at`
or `hangup` key cut the script short) or it failed.
A test that fails also says each error a block of its call recorded (`step_errors`): a call that took an error exit
and went on looks, in the failures alone, like a call that took a wrong turn.

Each failure is a `Failure` (scenario_test_failures): a stable code, its params and the English text `ivrgraph
test` prints, so a client can say it in the analyst's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from graph_engine import scenario_test_failures as failed
from graph_engine.block import ERROR_EXIT, HANGUP_EXIT
from graph_engine.document import CHANNEL_FACTS
from graph_engine.errors import DocumentError
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_test_failures import Failure, FailureCode, refused
from graph_engine.scenario_test_format import (
    EXPECTATIONS,
    described,
    likely_meant,
    problems_before_running,
    sorted_expectations,
    unknown,
)
from graph_engine.scenario_test_reach import (
    ForcedExits,
    Reach,
    forced_exits,
    reach_of,
    unknown_sources,
)
from graph_engine.services import CallbackRequest
from graph_engine.simulation import SimulationInput, SimulationResult, simulate
from graph_engine.trace import CallOutcome, CallResult
from graph_engine.upgrade import upgrade_node

# What `expect.scheduled` may say of one callback: the due moment's checks and the rest.
_DUE_CHECKS: dict[str, tuple[str, Callable[[datetime, datetime], bool]]] = {
    "due": ("is not", lambda due, wanted: due == wanted),
    "due_not_before": ("is before", lambda due, wanted: due >= wanted),
    "due_not_after": ("is after", lambda due, wanted: due <= wanted),
}
_CALLBACK_FIELDS = (*_DUE_CHECKS, "number", "scenario", "variables", "carried")
# How a call may end with some of its script unused: the caller hung up (the test's own `hangup_at` or `hangup`
# key cut it short), or it failed (a test of that expects it, or fails for it already).
_CUT_SHORT = (CallOutcome.CALLER_HANGUP, CallOutcome.FAILED)


@dataclass(slots=True)
class TestOutcome:
    name: str
    passed: bool
    failure_details: list[Failure] = field(default_factory=list)
    story: list[str] = field(default_factory=list)
    # The blocks the test call went through, in order: `{"scenario": slug, "node": id, "exit": exit}`, the
    # scenario None for the tested one's own blocks and a Go To Scenario target's slug for its blocks (`visited`),
    # the exit None where the call stopped in the
    # block (a caller hanging up during it). What a coverage report counts and the canvas draws.
    steps: list[dict[str, str | None]] = field(default_factory=list)
    # The test call's trace (None for a test that did not run): what the designer tells step by step.
    call: CallResult | None = None

    @property
    def failures(self) -> list[str]:
        """Each failure in English words, as `ivrgraph test` prints it."""
        return [failure.text for failure in self.failure_details]

    def as_dict(self, *, with_call: bool = False) -> dict[str, Any]:
        """The outcome as data; `with_call` adds the call's trace (`call`), which only a client telling the call
        needs: a publish's outcomes leave it out."""
        data = {
            "name": self.name,
            "passed": self.passed,
            "failures": self.failures,
            "failure_details": [failure.as_dict() for failure in self.failure_details],
            "story": self.story,
            "steps": self.steps,
        }
        if with_call:
            data["call"] = self.call.as_dict() if self.call is not None else None
        return data


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


def step_name(step: Mapping[str, str | None]) -> str:
    """A step of `visited` as a test names its node: `menu` in the tested scenario, `slug:menu` in another."""
    node, scenario = str(step["node"]), step["scenario"]
    return node if scenario is None else f"{scenario}:{node}"


def simulation_input(
    test: Mapping[str, Any],
    scenarios: Mapping[str, Mapping[str, Any]],
    callback_targets: frozenset[str] | None = None,
    refused_number: Callable[[str], str | None] | None = None,
    forced: ForcedExits | None = None,
) -> SimulationInput:
    """The test call `test` describes; `forced`: its `exits` as `forced_exits` reads them (scenario_test_reach)."""
    at = test.get("at")
    return SimulationInput(
        keys=[str(k) for k in test.get("keys", [])],
        timed_keys=[(float(at), str(key)) for at, key in test["timed_keys"]] if "timed_keys" in test else None,
        # No made-up number: a call without caller ID, as the API's and the designer's test call.
        caller_id=str(test.get("caller_id", "")),
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
        forced_exits={where: exit.exit for where, exit in (forced or {}).items()},
        forced_variables={where: dict(exit.sets) for where, exit in (forced or {}).items() if exit.sets},
    )


def check_expectations(
    expect: Mapping[str, Any],
    simulation: SimulationResult,
    reach: Reach | None = None,
    variables: frozenset[str] | None = None,
) -> list[Failure]:
    """Every expectation the simulated call does not meet. With `reach`, a node named that is no node of the
    scenarios the call can reach fails too (it would never be visited, and `not_visits` would pass). With
    `variables` (`known_variables`), so does a variable of `expect.variables` that is none of those nor any the call
    had: `{"resutl": null}` passed whatever the call did, a variable never set being None."""
    # A misspelt expectation ("not_visit") or one of the wrong shape would otherwise check nothing and pass.
    expect, failures = _sorted_expectations(expect)
    # Qualified: after a Go To Scenario, the other scenario's `bye` is not this one's.
    path = [step_name(step) for step in visited(simulation)]
    for key in ("path", "visits", "not_visits"):
        if key in expect and reach is not None:
            failures += _unknown_nodes(f"expect.{key}", expect[key], reach)
    known = (lambda name: True) if reach is None else (lambda name: reach.node(name) is not None)
    if "path" in expect and list(expect["path"]) != path:
        failures.append(failed.path_mismatch(path, expect["path"]))
    if "visits" in expect:
        remaining = iter(path)
        for node in filter(known, expect["visits"]):
            if not any(step == node for step in remaining):
                failures.append(failed.not_visited(node, path))
                break
    for node in filter(known, expect.get("not_visits", [])):
        if node in path:
            failures.append(failed.visited_forbidden(node))
    failures += _check_outcome(expect.get("outcome"), simulation)
    for name, wanted in expect.get("variables", {}).items():
        if variables is not None and name not in variables and name not in simulation.variables:
            failures.append(_unknown_variable(name, variables | frozenset(simulation.variables)))
            continue
        actual = simulation.variables.get(name)  # unmasked: a test's values are its author's, not a caller's
        if actual != wanted:
            failures.append(failed.variable_mismatch(name, actual, wanted))
    said = " | ".join(simulation.said())
    for fragment in expect.get("said", []):
        if fragment not in said:
            failures.append(failed.never_said(fragment, said))
    if "callbacks" in expect and len(simulation.callbacks) != expect["callbacks"]:
        failures.append(failed.callback_count(len(simulation.callbacks), expect["callbacks"]))
    if "scheduled" in expect:
        failures.extend(_check_scheduled(expect["scheduled"], simulation.callbacks))
    if "transfers" in expect:
        dialed = [e.detail["target"] for e in simulation.channel_events if e.op == "transfer"]
        if dialed != list(expect["transfers"]):
            failures.append(failed.dialed_mismatch(dialed, expect["transfers"]))
    return failures


def _sorted_expectations(expect: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """`sorted_expectations`, each expectation that cannot be checked a failure naming its key: one the format does
    not know (with the one it likely meant) or one of the wrong shape."""
    checkable: dict[str, Any] = {}
    failures: list[Failure] = []
    for key, value in expect.items():
        kept, problems = sorted_expectations({key: value})
        checkable.update(kept)
        if key not in EXPECTATIONS:
            failures += [
                refused(FailureCode.UNKNOWN_EXPECTATION, text, key=key, meant=likely_meant(str(key), EXPECTATIONS))
                for text in problems
            ]
        else:
            failures += [refused(FailureCode.EXPECTATION_MALFORMED, text, key=key) for text in problems]
    return checkable, failures


def _unknown_variable(name: str, known: frozenset[str]) -> Failure:
    """`expect.variables` names `name`, no variable of the scenario: refused as a misspelt node is, with the one it
    likely stands for."""
    field, names = "expect.variables", sorted(known)
    text = f"{field}: {unknown('variable', name, names)}"
    return refused(FailureCode.UNKNOWN_VARIABLE, text, field=field, variable=name, meant=likely_meant(name, names))


def known_variables(
    document: Mapping[str, Any], scenarios: Mapping[str, Mapping[str, Any]], reach: Reach, registry: BlockRegistry
) -> frozenset[str] | None:
    """Every variable a test call of `document` may end with: the channel facts, the variables declared by the
    scenarios it can reach, and those their blocks may write on any exit (a test may expect one a path not taken
    leaves unset, `{"ticket_id": null}`). None when a block's cannot be known (not installed, or its plugin fails to
    say): a variable it writes would be refused as unknown."""
    known = set(CHANNEL_FACTS)
    for scenario in [document, *(scenarios.get(slug) for slug in reach.others)]:
        declared = scenario.get("variables") if isinstance(scenario, Mapping) else None
        for variable in declared if isinstance(declared, list) else []:
            if isinstance(variable, Mapping) and isinstance(variable.get("name"), str):
                known.add(variable["name"])
    for nodes in [reach.own, *reach.others.values()]:
        for node in (nodes or {}).values():
            upgraded = upgrade_node(node, registry)
            block = registry.get(str(upgraded.get("type")))
            config = upgraded.get("config")
            if block is None:
                return None
            try:
                known |= set(block.variables_written(config if isinstance(config, Mapping) else {}))
            except Exception:  # a plugin's own code: validation warns of it (check_failed)
                return None
    return frozenset(known)


def _unknown_nodes(field: str, names: Sequence[str], reach: Reach) -> list[Failure]:
    """scenario_test_reach's `unknown_nodes`, each naming the field and the node."""
    return [
        refused(FailureCode.UNKNOWN_NODE, reach.unknown_node(field, name), field=field, node=name)
        for name in names
        if reach.node(name) is None
    ]


def _check_outcome(wanted: str | None, simulation: SimulationResult) -> list[Failure]:
    """`expect.outcome` against the call's; a call that failed fails a test that does not expect it to, saying
    where and why (a test that checks only `said` passed with a call that broke off after the greeting)."""
    result = simulation.result
    if result.outcome is CallOutcome.FAILED and wanted != CallOutcome.FAILED:
        reason = _why_failed(simulation)
        if wanted is None:
            return [failed.call_failed(reason)]
        return [failed.outcome_failed(wanted, reason)]
    if wanted is not None and str(result.outcome) != wanted:
        return [failed.outcome_mismatch(str(result.outcome), wanted)]
    return []


def _why_failed(simulation: SimulationResult) -> dict[str, str]:
    """Why the call failed, as `why_failed_text` reads it: the block (with its scenario after a Go To Scenario)
    that took an error exit leading nowhere, its type and its error; else the call's error; else nothing known."""
    steps = simulation.result.steps
    last = steps[-1] if steps else None
    if last is not None and last.exit == ERROR_EXIT and last.error:
        return {"node": step_name(visited(simulation)[-1]), "block_type": last.type, "error": last.error}
    return {"error": simulation.result.error} if simulation.result.error else {}


def step_errors(simulation: SimulationResult, forced: ForcedExits, failures: Sequence[Failure]) -> list[Failure]:
    """The error of each step of the call that recorded one (a block that took its error exit, which a connection
    led on from), for a test that failed: `path was [..., 'oops']` alone does not say why the call went there. Not
    one a failure already says (the call failed there), nor an `error` exit the test forced itself."""
    said: list[Failure] = []
    for step, where in zip(simulation.result.steps, visited(simulation), strict=True):
        if not step.error or (where["scenario"], where["node"]) in forced:
            continue
        name = step_name(where)
        line = failed.step_error(name, step.type, step.exit, step.error)
        already = any(
            failure.params.get("node") == name and failure.params.get("error") == step.error for failure in failures
        )
        if line not in said and not already:
            said.append(line)
    return said


def unused_inputs(test: Mapping[str, Any], simulation: SimulationResult, forced: ForcedExits) -> list[Failure]:
    """What of its script the call of `test` left unused: keys no block listened for, transfer outcomes no Transfer
    took, forced exits of nodes never reached. A test given more than its call takes describes another call than
    the one that ran (`["2", "5", "5", "5"]` for a call that took one key). Not for a call cut short: the caller
    hung up (the test's `hangup_at` or `hangup` key ends the call where it says, whatever it wrote after) or it
    failed (see `_CUT_SHORT`)."""
    if simulation.result.outcome in _CUT_SHORT:
        return []
    failures = []
    if simulation.keys_left:
        failures.append(failed.keys_unused(simulation.keys_left, len(test.get("keys", []))))
    if simulation.timed_keys_left:
        failures.append(failed.timed_keys_unused(simulation.timed_keys_left, len(test.get("timed_keys", []))))
    if simulation.transfers_left:
        failures.append(failed.transfers_unused(simulation.transfers_left, len(test.get("transfers", []))))
    reached = {(step["scenario"], step["node"]) for step in visited(simulation)}
    for (scenario, node), exit in forced.items():
        if (scenario, node) not in reached:
            failures.append(failed.forced_exit_unreached(step_name({"scenario": scenario, "node": node}), exit.exit))
    return failures


def _check_scheduled(wanted: Any, callbacks: Sequence[CallbackRequest]) -> list[Failure]:
    """What the callbacks were scheduled with, against `expect.scheduled`: one description per callback, in order."""
    if not isinstance(wanted, list) or not all(isinstance(item, Mapping) for item in wanted):
        return [failed.scheduled_not_list()]
    failures: list[Failure] = []
    if len(callbacks) != len(wanted):
        failures.append(failed.scheduled_count(len(callbacks), len(wanted)))
    for number, (expected, callback) in enumerate(zip(wanted, callbacks, strict=False), start=1):
        failures.extend(_check_callback(number, expected, callback))
    return failures


def _check_callback(number: int, expected: Mapping[str, Any], callback: CallbackRequest) -> list[Failure]:
    """The `number`th callback (from 1) against its description in `expect.scheduled`."""
    failures = [
        failed.callback_unknown_field(number, str(key), _CALLBACK_FIELDS)
        for key in expected
        if key not in _CALLBACK_FIELDS
    ]
    for key in ("number", "scenario"):
        if key in expected and getattr(callback, key) != expected[key]:
            failures.append(failed.callback_mismatch(number, key, getattr(callback, key), expected[key]))
    for key, (verb, holds) in _DUE_CHECKS.items():
        if key not in expected:
            continue
        moment = _moment(expected[key])
        if moment is None:
            failures.append(failed.callback_due_unreadable(number, key, expected[key]))
        elif not holds(callback.due, moment):
            failures.append(
                failed.callback_due_outside(number, key, verb, callback.due.isoformat(), moment.isoformat())
            )
    carried = callback.variables
    wanted_values = expected.get("variables", {})
    if not isinstance(wanted_values, Mapping):
        failures.append(failed.callback_variables_not_object(number))
        wanted_values = {}
    for name, value in wanted_values.items():
        if name not in carried:
            failures.append(failed.callback_variable_missing(number, name, list(carried)))
        elif carried[name] != value:
            failures.append(failed.callback_variable_mismatch(number, name, carried[name], value))
    if "carried" in expected:
        names = expected["carried"]
        if not isinstance(names, list):
            failures.append(failed.callback_carried_not_list(number))
        elif sorted(carried) != sorted(str(name) for name in names):
            failures.append(failed.callback_carried_mismatch(number, list(carried), [str(name) for name in names]))
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
    reach = reach_of(document, scenarios or {})  # what the tests may name in the scenarios their calls can reach
    variables = known_variables(document, scenarios or {}, reach, registry)
    for number, test in enumerate(tests, start=1):
        if isinstance(test, Unrunnable):
            outcomes.append(TestOutcome(test.name, False, [refused(FailureCode.UNRUNNABLE, test.problem)]))
            continue
        name = _name_of(test, number)
        problems = problems_before_running(test)
        # Not run: a misspelt or malformed input runs another call than the one meant, whose results would mislead.
        if problems or not isinstance(test, Mapping):
            outcomes.append(TestOutcome(name, False, [refused(FailureCode.TEST_REFUSED, text) for text in problems]))
            continue
        given = frozenset(test.get("variables", {}))
        forced, exit_problems = forced_exits(test.get("exits", {}), reach, registry, given)
        refusals = [
            refused(FailureCode.UNKNOWN_DATA_SOURCE, text, source=source)
            for source in test.get("data_rows", {})
            for text in unknown_sources({source: None}, reach)
        ] + [refused(FailureCode.FORCED_EXIT_REFUSED, text) for text in exit_problems]
        if "hangup_in" in test:
            refusals += _unknown_nodes("hangup_in", [test["hangup_in"]], reach)
        if refusals:
            outcomes.append(TestOutcome(name, False, refusals))
            continue
        try:
            inputs = simulation_input(test, scenarios or {}, callback_targets, refused_number, forced)
            simulation = await simulate(document, registry, inputs)
            if "hangup_in" in test:
                simulation = await _hung_up_in(document, registry, inputs, simulation, test["hangup_in"])
        except (DocumentError, ValueError, TypeError) as problem:
            could_not = refused(FailureCode.COULD_NOT_RUN, f"could not run: {problem}", detail=str(problem))
            outcomes.append(TestOutcome(name, False, [could_not]))
            continue
        # The variables the test gives, and those its forced exits set, are the call's too.
        given_too = given | frozenset(name for exit in forced.values() for name in exit.sets)
        expected = check_expectations(
            test["expect"], simulation, reach, None if variables is None else variables | given_too
        )
        failures = expected + unused_inputs(test, simulation, forced)
        if failures:  # why a block took its error exit is the likeliest reason, and only the story said it
            failures += step_errors(simulation, forced, failures)
        outcomes.append(
            TestOutcome(name, not failures, failures, simulation.story, visited(simulation), simulation.result)
        )
    return outcomes


async def _hung_up_in(
    document: Mapping[str, Any],
    registry: BlockRegistry,
    inputs: SimulationInput,
    whole: SimulationResult,
    node: str,
) -> SimulationResult:
    """The call of `inputs` with its caller hanging up in block `node` (`hangup_in`, named as a test names it), at
    the first channel operation there once the test's keys are all pressed: where a recorded call's caller hung up
    (in "Pay menu", after a wrong key), which the `hangup` key, taken by the next prompt, places a block early when
    one plays before. Found by hanging the `whole` call up at each of its operations in turn (`hangup_at`): a call
    runs the same up to the moment its caller hangs up. ValueError when no operation is there."""
    for operation in range(len(whole.channel_events)):
        cut = await simulate(document, registry, replace(inputs, hangup_at=operation))
        if cut.result.outcome is not CallOutcome.CALLER_HANGUP or cut.keys_left:
            continue
        where = next(
            (
                step_name(name)
                for name, step in zip(visited(cut), cut.result.steps, strict=True)
                if step.exit == HANGUP_EXIT and step.type != "hangup"
            ),
            None,
        )
        if where == node:
            return cut
    raise ValueError(
        f"hangup_in: the call is never in node {node!r} with the test's keys all pressed, to hang up there "
        f"(its path is {[step_name(step) for step in visited(whole)]})"
    )


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
