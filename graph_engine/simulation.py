"""Simulated calls: the production engine walking a scenario on the scripted channel, with a settable clock,
data-source rows and scheduler. The CLI, the API's test call and scenario tests all come through here.

Every block runs its `simulate` here, never its `run` directly: a plugin's `run` may reach the world outside the
call (an SMS gateway, a CRM), which a test call must not touch (BlockType.safe_in_test_call says which may).
A block named in `SimulationInput.forced_exits` runs neither: it takes the exit it is given (a scenario test's
`exits`, for a plugin whose `simulate` always takes the same one while a real call may take another).

A block that takes real time is bounded as in a real call: busy away from the channel past its `max_seconds`, it is
interrupted and takes its `error` exit: the FastAGI server's patrol and this one take the same look
(`interpreter.look_for_overrun`). Nothing the scripted channel does takes real time, so all of it is time away from
the channel.
The whole test call is bounded too (`SimulationInput.real_time_limit`): for a loop through slow blocks, each within
its limit, and for a block that ignores being stopped. The simulated clock the prompts move is another matter.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from graph_engine.block import ERROR_EXIT, BlockType
from graph_engine.context import BlockContext
from graph_engine.document import Scenario, parse_document
from graph_engine.errors import EngineError, SchedulerError
from graph_engine.interpreter import DEFAULT_STEP_LIMIT, CallRun, PatrolNote, look_for_overrun
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ChannelEvent, ScriptedChannel
from graph_engine.sensitive import masked_variables
from graph_engine.services import (
    CallbackReceipt,
    CallbackRefused,
    CallbackRequest,
    CallbackScheduler,
    FixedClock,
    LoadedScenario,
    RecordingScheduler,
    Services,
    StaticDataSources,
)
from graph_engine.story import tell
from graph_engine.trace import CallOutcome, CallResult

DEFAULT_MOMENT = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # a Monday morning

# Real seconds a whole test call may take. Above the default `max_seconds` (90 s), so that a block stuck in the
# usual way takes its error exit, as in a real call, before the test call is ended. Stand-ins answer at once: a test
# call that keeps to its blocks' limits takes milliseconds, and only a block taking real time comes near this.
REAL_TIME_LIMIT: Final = 300.0
# Between two looks at the walk, as the FastAGI server's patrol (agi_server.watchdog.PATROL_INTERVAL); shorter for
# a registry with a block whose limit is shorter, so that no block is stopped more than its limit late.
_PATROL_INTERVAL: Final = 1.0
_SHORTEST_PATROL_INTERVAL: Final = 0.01
# How long a walk cancelled at the test call's time limit is given to unwind before it is left behind.
_UNWIND_SECONDS: Final = 0.5

_SlugOf = Callable[[Scenario], str | None]  # the slug of the scenario a block runs in, None for the simulated one


@dataclass(slots=True)
class SimulationInput:
    keys: list[str] = field(default_factory=list)  # see graph_engine.scripted for the token language
    timed_keys: list[tuple[float, str]] | None = None  # or keys at moments of the call (seconds from its start)
    caller_id: str = "+34600000000"
    caller_name: str = ""
    dialed_number: str = ""
    at: datetime | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    data_rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    transfers: list[str] = field(default_factory=list)  # outcome of each Transfer in turn: answered, busy...
    hangup_at: int | None = None  # the caller hangs up when channel operation N starts
    scheduler_fails: bool = False
    scenarios: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # slug -> document, for Go To Scenario
    # slug -> the published version its document in `scenarios` is; a slug not here is a draft, with no version.
    scenario_versions: dict[str, int] = field(default_factory=dict)
    # The scenarios a Callback may schedule into, as the host's scheduler will take them: the published ones and
    # the one under test (live once published). None: not checked (a test call that knows no host).
    callback_targets: frozenset[str] | None = None
    # Why the host never calls a number back (an emergency number, one no phone can have: persistence.callbacks),
    # in the words of its `CallbackRefused`, None for a number it takes. None: not checked (a test call that knows
    # no host). The Callback block takes its `rejected` exit for a refused number, as in a live call.
    refused_number: Callable[[str], str | None] | None = None
    step_limit: int = DEFAULT_STEP_LIMIT
    real_time_limit: float = REAL_TIME_LIMIT  # seconds of real time the whole test call may take
    # (scenario slug, node id) -> the exit that block takes without running; the slug None for the simulated
    # document's own blocks, else a Go To Scenario target's (as in `scenarios`). Not checked here: an exit the
    # block does not declare fails its step, as a `run` returning it would.
    forced_exits: dict[tuple[str | None, str], str] = field(default_factory=dict)
    # (scenario slug, node id) -> the variables a block of `forced_exits` sets as it leaves: those its exit
    # guarantees (`variables_written_on`), which the block, not running, cannot set itself.
    forced_variables: dict[tuple[str | None, str], dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class SimulationResult:
    result: CallResult
    story: list[str]
    channel_events: list[ChannelEvent]
    callbacks: list[CallbackRequest]
    queries: list[tuple[str, str, dict[str, Any]]]
    # The call's variables as they ended, sensitive ones unmasked: what a scenario test's expectations compare,
    # authored test data rather than a caller's. `result.variables` is what the record would keep (masked).
    variables: dict[str, Any] = field(default_factory=dict)
    sensitive: frozenset[str] = frozenset()  # the variables the record masks (graph_engine.sensitive)
    # What the call's script still held when it ended: keys no block listened for (`timed_keys_left`: pressed
    # after the call ended) and transfer outcomes no Transfer took. A scenario test fails on them.
    keys_left: list[str] = field(default_factory=list)
    timed_keys_left: list[tuple[float, str]] = field(default_factory=list)
    transfers_left: list[str] = field(default_factory=list)

    def said(self) -> list[str]:
        """Every spoken text, in order, as said (the trace masks a sensitive value in it; the channel has it)."""
        return [
            str(event.detail["text"])
            for event in self.channel_events
            if event.op in ("play", "read_digits") and event.detail.get("text") is not None
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "result": self.result.as_dict(),
            "story": self.story,
            "callbacks": [
                {
                    "number": c.number,
                    "due": c.due.isoformat(),
                    "scenario": c.scenario,
                    "variables": masked_variables(c.variables, self.sensitive),
                }
                for c in self.callbacks
            ],
        }


class _FailingScheduler:
    async def schedule(self, request: CallbackRequest) -> CallbackReceipt:
        raise SchedulerError("the callback scheduler is unavailable")


class _CheckedScheduler:
    """Records what the test call schedules, refusing a number or a target the host's scheduler would refuse, as it
    refuses them (persistence.callbacks): a test call must not show `scheduled` where the live call takes `rejected`
    (a number never called) or `error` (a scenario not published). Either check is skipped when not given."""

    def __init__(
        self,
        recorder: RecordingScheduler,
        targets: frozenset[str] | None,
        refused_number: Callable[[str], str | None] | None,
    ) -> None:
        self._recorder = recorder
        self._targets = targets
        self._refused_number = refused_number

    async def schedule(self, request: CallbackRequest) -> CallbackReceipt | CallbackRefused:
        # The number first, as the live scheduler: a caller of 112 is refused whatever scenario would call them.
        refusal = self._refused_number(request.number) if self._refused_number is not None else None
        if refusal is not None:
            return CallbackRefused(refusal)
        if self._targets is not None and request.scenario not in self._targets:
            raise SchedulerError(f"the callback cannot be scheduled: {request.scenario!r} is not published")
        return await self._recorder.schedule(request)


class _DocumentScenarios:
    def __init__(self, documents: Mapping[str, Mapping[str, Any]], versions: Mapping[str, int]) -> None:
        self._documents = documents
        self._versions = versions
        # Each scenario handed out, by identity, with its slug: which scenario a block runs in (`slug_of`). The
        # scenario is held here too, so its id is not reused while the call runs.
        self._loaded: dict[int, tuple[Scenario, str]] = {}

    async def load(self, slug: str) -> Scenario | None:
        document = self._documents.get(slug)
        if document is None:
            return None
        scenario = parse_document(document)
        self._loaded[id(scenario)] = (scenario, slug)
        return scenario

    def slug_of(self, scenario: Scenario) -> str | None:
        """The slug `scenario` was loaded under, None for one it did not load (the simulated document)."""
        loaded = self._loaded.get(id(scenario))
        return loaded[1] if loaded is not None and loaded[0] is scenario else None

    async def load_version(self, slug: str) -> LoadedScenario | None:
        scenario = await self.load(slug)
        return LoadedScenario(scenario, self._versions.get(slug)) if scenario is not None else None


def _in_a_test_call(block: BlockType) -> BlockType:
    """`block` as a test call runs it: its `simulate` where the interpreter calls `run`."""
    if block.safe_in_test_call and type(block).simulate is BlockType.simulate:
        return block  # the default `simulate` of a safe block is its `run`: the very block, unchanged
    stand_in = copy.copy(block)
    # Bound to the block itself, so a `simulate` that calls `self.run` for part of its work reaches the real one.
    vars(stand_in)["run"] = block.simulate
    return stand_in


def _forcing(
    block: BlockType,
    forced: Mapping[tuple[str | None, str], str],
    sets: Mapping[tuple[str | None, str], Mapping[str, Any]],
    slug_of: _SlugOf,
) -> BlockType:
    """`block` (as a test call runs it) taking, at each node `forced` names, the exit given there without running,
    setting the variables `sets` gives for it: what cannot happen in a test call (an SMS gateway refusing a
    message) is still testable."""
    stand_in = copy.copy(block)
    runs = block.run  # the test call's: its `simulate`, or `run` for a block safe in a test call

    async def run(ctx: BlockContext, config: Mapping[str, Any]) -> str:
        where = (slug_of(ctx.scenario), ctx.node.id)
        exit_name = forced.get(where)
        if exit_name is None:
            return await runs(ctx, config)
        said = f"not run in a test call: the test forces its {exit_name!r} exit"
        for name, value in sets.get(where, {}).items():  # the story tells them, as any step's variables
            ctx.set(name, copy.deepcopy(value))  # a copy each time: a block after it may change a list in place
        if exit_name == ERROR_EXIT:
            ctx.step.error = said  # told as the step's failure, as a `run` that raised would be
        else:
            ctx.note("test_call", summary=said, forced=True)
        return exit_name

    vars(stand_in)["run"] = run
    return stand_in


def _test_call_registry(
    registry: BlockRegistry,
    forced: Mapping[tuple[str | None, str], str] | None = None,
    slug_of: _SlugOf | None = None,
    sets: Mapping[tuple[str | None, str], Mapping[str, Any]] | None = None,
) -> BlockRegistry:
    """`registry` with every block as a test call runs it (`_in_a_test_call`), taking the `forced` exits and setting
    what `sets` gives at them (see `_forcing`; `slug_of` tells which scenario a block runs in); the same registry
    when that changes nothing (built-in blocks only, no forced exit)."""
    # The interpreter calls `run` whatever the call; until it asks `services.simulated` itself, a test call hands
    # it a registry whose blocks' `run` is their `simulate`. Everything else (schemas, origins) is shared.
    blocks = registry.types
    stand_ins = {name: _in_a_test_call(block) for name, block in blocks.items()}
    if forced and slug_of is not None:
        stand_ins = {name: _forcing(block, forced, sets or {}, slug_of) for name, block in stand_ins.items()}
    if all(stand_ins[name] is block for name, block in blocks.items()):
        return registry
    view = copy.copy(registry)
    view._blocks = stand_ins
    if any(view.types.get(name) is not block or view.get(name) is not block for name, block in stand_ins.items()):
        # BlockRegistry keeps its blocks elsewhere now: refuse to run rather than let a plugin's `run` loose.
        raise EngineError("a test call cannot replace the blocks' run with their simulate in this registry")
    return view


async def simulate(
    document: Mapping[str, Any] | Scenario, registry: BlockRegistry, inputs: SimulationInput | None = None
) -> SimulationResult:
    """Run one simulated call. Raises `DocumentError` when the document's structure is broken, and ValueError
    before the call for an input it cannot take: an `at` without a UTC offset, a transfer outcome that is none."""
    inputs = inputs or SimulationInput()
    scenario = document if isinstance(document, Scenario) else parse_document(document)
    at = inputs.at or DEFAULT_MOMENT
    if at.utcoffset() is None:
        # Read as UTC it was an hour or more off the moment meant, and a Schedule opened or closed wrongly.
        raise ValueError(f"at {at.isoformat()!r} needs a UTC offset, e.g. 2026-11-23T18:30:00+01:00")
    clock = FixedClock(at)
    recorder = RecordingScheduler()
    data = StaticDataSources(inputs.data_rows)
    scenarios = _DocumentScenarios(inputs.scenarios, inputs.scenario_versions)
    services = Services(
        clock=clock,
        data_sources=data,
        scheduler=_test_call_scheduler(inputs, recorder),
        scenarios=scenarios,
        simulated=True,
    )
    channel = ScriptedChannel(
        inputs.keys,
        transfers=inputs.transfers,
        hangup_at=inputs.hangup_at,
        clock=clock,
        timed_keys=inputs.timed_keys,
    )
    facts = {
        "caller_id": inputs.caller_id,
        "caller_name": inputs.caller_name,
        "dialed_number": inputs.dialed_number,
        "channel": "Simulated/1",
    }
    run = CallRun(
        scenario,
        channel=channel,
        registry=_test_call_registry(registry, inputs.forced_exits, scenarios.slug_of, inputs.forced_variables),
        services=services,
        call_id="simulated",
        facts=facts,
        inputs=inputs.variables,
        step_limit=inputs.step_limit,
    )
    data.block = lambda: _block_now(run, scenarios.slug_of)
    result = await _walk_within_time_limits(run, channel, inputs.real_time_limit)
    return SimulationResult(
        result=result,
        story=tell(result, scenario, registry),
        channel_events=channel.events,
        callbacks=recorder.requests,
        queries=data.queries,
        variables=dict(run.variables),
        sensitive=run.flags.sensitive,
        keys_left=list(channel.keys),
        timed_keys_left=list(channel.timed_keys or ()),
        transfers_left=[str(outcome) for outcome in channel.transfers],
    )


def _block_now(run: CallRun, slug_of: _SlugOf) -> str | None:
    """The block `run` is in, as a test names it (`id`, `slug:id` in a scenario a Go To Scenario led to): whose
    own test rows a query takes (`StaticDataSources`)."""
    if not run.steps:
        return None
    slug = slug_of(run.scenario)
    node = run.steps[-1].node
    return node if slug is None else f"{slug}:{node}"


def _test_call_scheduler(inputs: SimulationInput, recorder: RecordingScheduler) -> CallbackScheduler:
    if inputs.scheduler_fails:
        return _FailingScheduler()
    if inputs.callback_targets is None and inputs.refused_number is None:
        return recorder
    return _CheckedScheduler(recorder, inputs.callback_targets, inputs.refused_number)


def _patrol_interval(registry: BlockRegistry) -> float:
    shortest = min((block.max_seconds for block in registry.types.values()), default=float("inf"))
    return max(_SHORTEST_PATROL_INTERVAL, min(_PATROL_INTERVAL, shortest / 2))


async def _walk_within_time_limits(run: CallRun, channel: ScriptedChannel, time_limit: float) -> CallResult:
    """Walk `run` in a task of its own, which `CallRun.interrupt` may cancel without touching the host's (an API
    request's, under its server's cancel scopes), while this one patrols it until it ends or `time_limit` passes."""
    loop = asyncio.get_running_loop()
    walk = loop.create_task(run.run())
    note: PatrolNote | None = None  # the patrol's, as the FastAGI server's: channel operations are events here
    interval = _patrol_interval(run.registry)
    deadline = loop.time() + time_limit
    try:
        while (left := deadline - loop.time()) > 0:
            done, _ = await asyncio.wait((walk,), timeout=min(interval, left))
            if done:
                return walk.result()
            if run.steps:  # in a block (before the first there is nothing to time)
                note, overran = look_for_overrun(run, len(channel.events), note, loop.time())
                if overran is not None:
                    run.interrupt(overran)
    except asyncio.CancelledError:
        walk.cancel()  # the host gave up on the test call (a client gone, a shutdown): so does its walk
        raise
    if walk.done():  # it ended as the last round ran out
        return walk.result()
    return await _past_time_limit(run, walk, time_limit)


async def _past_time_limit(run: CallRun, walk: asyncio.Task[CallResult], time_limit: float) -> CallResult:
    """End a test call that ran out of real time: its walk is cancelled as a host's shutdown cancels a real call's,
    and the call fails with its trace so far. A walk that does not unwind (a block that ignores cancellation) is left
    behind rather than hold the host."""
    walk.cancel()
    await asyncio.wait((walk,), timeout=_UNWIND_SECONDS)
    if walk.done() and not walk.cancelled():
        walk.exception()  # retrieved, so asyncio does not log it as never retrieved (a walk does not raise)
    # After the walk unwound, which may have noted a failure of its own: the time limit is why the call ended.
    run.error = f"the test call ran for over {time_limit:g} s of real time, its time limit"
    running = run.steps[-1] if run.steps else None
    if running is not None and running.exit is None:  # the block it stopped: its story must not read "done"
        running.exit, running.error = ERROR_EXIT, run.error
    result = run.result(CallOutcome.FAILED)
    if not walk.done():
        result.steps = list(result.steps)  # a walk left behind must not add steps to the answer already given
    return result
