"""The interpreter: walks a scenario against a `Channel`, one block at a time, and returns the call's trace.

Nothing escapes it: a caller hangup ends the walk cleanly, a failing block takes its `error` exit (or the
scenario's fallback, or a polite end), and a runaway graph is stopped by the step limit. Only a cancellation of
the walk itself (the host's shutdown deadline) reaches the host; the host may also stop a block busy away from
the channel (`CallRun.interrupt`), stop it again when it caught that and carried on (`interrupt_again`), and in the
end give up on a walk whose block will not stop (`abandon`).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from graph_engine.block import ERROR_EXIT, HANGUP_EXIT, BlockType
from graph_engine.channel import Channel
from graph_engine.context import BlockContext, CallFlags
from graph_engine.document import CHANNEL_FACTS, Node, Scenario
from graph_engine.errors import CallerHangup, ChannelError, EngineError
from graph_engine.registry import BlockRegistry
from graph_engine.sensitive import masked_variables, scrub
from graph_engine.services import Services
from graph_engine.trace import CallOutcome, CallResult, IsoTimes, TraceStep, new_step

# Lines about a call carry its id as the host's own do (agi_server's CallLog): `call_id=<id>` first, for grep,
# and a `call_id` attribute, for JSON logs.
log = logging.getLogger(__name__)

# CHANNEL_FACTS moved to graph_engine.document (the scenario builds its variable base from it); still
# importable from here, where plugins found it.
__all__ = [
    "CHANNEL_FACTS",
    "DEFAULT_STEP_LIMIT",
    "CallRun",
    "PatrolNote",
    "block_time_limit_error",
    "initial_variables",
    "look_for_overrun",
    "run_call",
]

DEFAULT_STEP_LIMIT = 1000

_ONE_MS: Final = timedelta(milliseconds=1)
# One per process: the event loop runs one step at a time, and consecutive steps share their second.
_iso_time: Final = IsoTimes()


def initial_variables(
    scenario: Scenario, *, call_id: str, facts: Mapping[str, Any], inputs: Mapping[str, Any]
) -> dict[str, Any]:
    """Scenario defaults, then the channel facts, then the host's inputs (query args, contact, payload).

    `language` is the language the call is spoken in: the scenario's, unless the scenario or an input sets it.
    The channel's own language (Asterisk's agi_language, usually "en" whatever the flow) is kept apart as
    `channel_language`, so a Spanish flow is never spoken with an English voice.
    """
    variables = scenario.fresh_variables()
    if "language" in facts:
        facts = dict(facts)
        facts["channel_language"] = facts.pop("language")
    for name, value in facts.items():
        if value is not None:  # an absent fact keeps its empty default
            variables[name] = value
    variables.update(inputs)
    variables["call_id"] = call_id
    return variables


class CallRun:
    """One walk of one call. The host may read `result()` at any time, e.g. after cancelling the walk."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        channel: Channel,
        registry: BlockRegistry,
        services: Services | None = None,
        call_id: str = "call",
        facts: Mapping[str, Any] | None = None,
        inputs: Mapping[str, Any] | None = None,
        step_limit: int = DEFAULT_STEP_LIMIT,
    ) -> None:
        self.scenario = scenario
        self.channel = channel
        self.registry = registry
        self._block_of = registry.types.get  # a C-level lookup at every step instead of a method call
        self.services = services or Services()
        self.call_id = call_id
        self.step_limit = step_limit
        self.variables = initial_variables(scenario, call_id=call_id, facts=facts or {}, inputs=inputs or {})
        self.steps: list[TraceStep] = []
        started = self.services.clock.now()
        self.started_at = _iso_time(started)
        self.outcome: CallOutcome | None = None
        self.error: str | None = None
        self.flags = CallFlags(scenario.sensitive_variables)
        self.hangup_node: str | None = None
        # When the last step ended, which is when the next one starts (the first starts when the call did).
        self._step_ended: datetime = started
        self._context: BlockContext | None = None
        self._first_scenario = scenario
        self._origin_scenario = scenario.name
        self._task: asyncio.Task[Any] | None = None  # the task walking, while it walks (see `interrupt`)
        self._interruption: CallerHangup | EngineError | None = None  # why `interrupt` cancelled the walk's task
        # The task's cancellation count `interrupt` (and `interrupt_again`) left: any more is someone else's. It
        # started at 0 (`interrupt` cancels no task that is cancelling), so it is also how many were ours.
        self._interrupted_at = 0
        self._abandoned = False  # the host gave up on the walk (`abandon`): it takes no further step
        self._unknown_types_told: set[str] | None = None  # block types not installed here, logged once per call

    def result(self, outcome: CallOutcome | None = None) -> CallResult:
        final = self.outcome or outcome or CallOutcome.CALLER_HANGUP
        steps = self.steps
        # Positional, in the dataclass's field order: eleven keyword arguments cost ~4,700 instructions more
        # per call (valgrind). Each value names its field where the expression does not.
        return CallResult(
            self.call_id,
            self._origin_scenario,  # scenario
            final,  # outcome
            self.started_at,
            _iso_time(self.services.clock.now()),  # ended_at
            steps,
            # As the record keeps them: a sensitive variable's value masked (graph_engine.sensitive).
            masked_variables(self.variables, self.flags.sensitive) if self.flags.sensitive else dict(self.variables),
            steps[-1].node if steps else None,  # last_node
            self.flags.answered,
            self.error,
            self.hangup_node,
        )

    async def run(self) -> CallResult:
        # The walk and each block's run are spelled out here rather than in coroutines of their own: every AGI
        # command of the call waits through this chain of frames, and each level costs on every suspension and
        # resumption (a coroutine per step was ~2,000 instructions a step, bench/agi_layers.py).
        self._task = asyncio.current_task()
        try:
            scenario = self.scenario
            starts = scenario.start_nodes()
            if len(starts) != 1:
                self.error = "the scenario has no single Start block"
                await self._end(CallOutcome.FAILED)
                return self.result()
            current: Node | None = starts[0]
            while current is not None:
                if self._abandoned:
                    break  # its block, given up on, returned at last: the call is over and recorded already
                if len(self.steps) >= self.step_limit:
                    self.error = f"step limit of {self.step_limit} reached at node {current.id!r}"
                    await self._end(CallOutcome.STEP_LIMIT)
                    break
                if self.outcome is CallOutcome.CALLER_HANGUP and self._needs_caller(current):
                    break  # after a hangup only bookkeeping blocks run; the first that needs the line ends the walk
                step, ctx = self._begin_step(scenario, current)
                # The block runs here rather than in a coroutine of the step's own (see above).
                exit_name: str | None
                block = self._block_of(current.type)
                try:
                    if block is None:
                        raise self._unknown_type(scenario, current)
                    config = current.config if current.version == block.version else _migrated(block, current)
                    exit_name = await block.run(ctx, config)
                    if not block.terminal and exit_name != ERROR_EXIT:
                        declared = scenario.declared_exits.get(current.id)
                        if declared is None:
                            declared = _declare_exits(scenario, current, block, config)
                        if exit_name not in declared:
                            raise self._undeclared_exit(current, exit_name)
                    step.exit = exit_name
                except CallerHangup:
                    exit_name = None
                    step.exit = "hangup"
                except asyncio.CancelledError as cancelled:
                    exit_name = self._after_cancellation(step, current, cancelled)  # the walk's own: raised again
                    step.exit = HANGUP_EXIT if exit_name is None else exit_name
                except Exception as error:
                    # A block failure is an outcome of the call, not of the host: it takes the error exit.
                    exit_name = step.exit = ERROR_EXIT
                    self._note_failure(step, current, error)
                if self._interruption is not None:
                    # The block caught its interruption and ended its own way: the next block must not get it.
                    self._forget_interruption()
                # Until now `_step_ended` still holds when this step started (see _begin_step).
                ended = self.services.clock.now()
                step.duration_ms = (ended - self._step_ended) / _ONE_MS  # exact: a datetime counts whole µs
                self._step_ended = ended
                if exit_name is None:  # the caller hung up: follow the block's hangup exit, if any, for bookkeeping
                    self.outcome = CallOutcome.CALLER_HANGUP
                    self.hangup_node = self.hangup_node or current.id
                    after = scenario.routes.get((current.id, HANGUP_EXIT))
                    current = scenario.nodes.get(after) if after is not None else None
                    continue
                if ctx.ended is not None:
                    if self.outcome is not CallOutcome.CALLER_HANGUP:
                        self.outcome = ctx.ended
                    break
                if ctx.next_scenario is not None:
                    self._take_on(scenario, ctx.next_scenario, step)
                    scenario = ctx.next_scenario
                    self.scenario = scenario
                    starts = scenario.start_nodes()
                    current = starts[0] if len(starts) == 1 else None
                    if current is None:
                        self.error = f"scenario {scenario.name!r} has no single Start block"
                        await self._end(CallOutcome.FAILED)
                    continue
                target = ctx.jump or scenario.routes.get((current.id, exit_name))
                if target is None and exit_name == ERROR_EXIT:
                    target = scenario.fallback if scenario.fallback != current.id else None
                    if target is None:
                        self.error = f"block {current.id!r} failed: {step.error}"
                        await self._end(CallOutcome.FAILED)
                        break
                    step.events.append({"kind": "fallback", "target": target})
                if target is None:
                    await self._end(CallOutcome.TRANSFERRED if self.flags.transferred else CallOutcome.ENDED)
                    break
                current = scenario.nodes.get(target)
                if current is None:
                    self.error = f"edge from {step.node!r} leads to missing node {target!r}"
                    await self._end(CallOutcome.FAILED)
        except Exception as error:  # a bug in the engine itself: still end the call with a trace
            log.exception("call_id=%s interpreter failure", self.call_id, extra={"call_id": self.call_id})
            self.error = f"internal error: {type(error).__name__}: {error}"
            await self._end(CallOutcome.FAILED)
        finally:
            if self._interruption is not None:
                self._forget_interruption()
            self._task = None
        return self.result()

    def interrupt(self, reason: CallerHangup | EngineError) -> bool:
        """Stop the block now running, from outside the walk: for a host that knows the block is busy away from
        the channel (no channel operation in progress), where nothing the caller does can reach it.

        `CallerHangup`: the caller hung up meanwhile; the block ends as if its channel had said so (its `hangup`
        path, then the call ends as the caller's hangup). `EngineError`: the block ran past its time; it takes its
        `error` exit with the reason. Done by cancelling the walk's task, which `run` tells apart from the
        cancellation of the walk itself (`_after_cancellation`). False when there is nothing to stop: no walk
        running, its task already being cancelled (by the host, or by an interruption the block ignored: see
        `interrupt_again`), or a hangup the walk knows of already (its blocks after it are bookkeeping, and run on).
        """
        task = self._task
        if task is None or task.done() or task.cancelling() or self._interruption is not None:
            return False
        if isinstance(reason, CallerHangup) and self.outcome is CallOutcome.CALLER_HANGUP:
            return False
        self._interruption = reason
        task.cancel()
        self._interrupted_at = task.cancelling()
        return True

    @property
    def interruptions(self) -> int:
        """How many times `interrupt` and `interrupt_again` cancelled the block now running, which has not ended
        since: 0 when no interruption is pending. Above 1, the block caught its CancelledError and carried on."""
        return self._interrupted_at if self._interruption is not None else 0

    def interrupt_again(self) -> bool:
        """Cancel the block once more for the interruption still pending: it caught the CancelledError and carried
        on (a plugin retrying in a loop), and the caller (or the host's patrol) is still waiting for it to stop.
        False when no interruption is pending, or when someone else cancelled the walk too (the host's shutdown:
        the host's to finish). A block that ignores every cancellation cannot be stopped: see `abandon`."""
        task = self._task
        if self._interruption is None or task is None or task.done() or task.cancelling() != self._interrupted_at:
            return False
        task.cancel()
        self._interrupted_at = task.cancelling()
        return True

    def abandon(self, why: str | None = None) -> CallResult:
        """The host gives up on the walk: its block ignored its cancellation (by `interrupt`, or the host's own for
        `why`, such as its shutdown) and may never return, and a coroutine cannot be killed. The call fails with an
        error naming the block, which its step takes too, with its `error` exit. The result is the call's as of now,
        with steps of its own: the block, still running in the background, changes nothing in it. Should the block
        return one day, its walk ends there: no further step, nothing more said on the channel."""
        self._abandoned = True
        step = self.steps[-1] if self.steps else None
        if why is None:
            times = self._interrupted_at
            why = f"{times} times: {self._interruption}" if times > 1 else str(self._interruption)
        where = f"block {step.node!r} ({step.type})" if step is not None else "the walk"
        self.error = f"{where} ignored its cancellation ({why}); the call was given up on"
        self.outcome = CallOutcome.FAILED
        if step is not None and step.exit is None:  # the block given up on took no exit of its own
            step.exit, step.error = ERROR_EXIT, self.error
            step.duration_ms = (self.services.clock.now() - self._step_ended) / _ONE_MS
        result = self.result()
        result.steps = copy.deepcopy(result.steps)
        return result

    def _after_cancellation(self, step: TraceStep, node: Node, cancelled: asyncio.CancelledError) -> str | None:
        """The exit of a block that a CancelledError ended: None for the caller's hangup, else `error`. Raises it
        again when it is the walk's own cancellation, which is the host's to handle (its shutdown deadline)."""
        task = asyncio.current_task()
        pending = task.cancelling() if task is not None else 0
        reason = self._interruption
        if task is not None and reason is not None and pending == self._interrupted_at:
            # `interrupt`'s cancellation and nobody else's: the walk goes on, its task no longer cancelling.
            self._interruption = None
            _uncancel(task, pending)
            if isinstance(reason, CallerHangup):
                return None
            self._note_failure(step, node, reason)
            return ERROR_EXIT
        if pending:
            raise cancelled
        # Nobody cancelled the walk: the block raised it itself (it cancelled and awaited a task of its own, or a
        # library let one through). A failure of the block like any other, not the end of the call.
        self._note_failure(step, node, cancelled, "CancelledError raised inside the block (the call was not cancelled)")
        return ERROR_EXIT

    def _forget_interruption(self) -> None:
        """The walk ended with an interruption never delivered as such: the block caught the CancelledError and
        carried on (or the host cancelled the walk on top of it). Its task must not stay marked as cancelling for
        the host (asyncio.timeout, a shutdown) because of it."""
        task = self._task
        if task is not None and task.cancelling() == self._interrupted_at:
            _uncancel(task, self._interrupted_at)
        if not self._abandoned:  # the host said so already, at ERROR, when it gave up on the walk
            log.warning(
                "call_id=%s the interruption of a block was not delivered (%s)",
                self.call_id,
                self._interruption,
                extra={"call_id": self.call_id},
            )
        self._interruption = None

    def _take_on(self, left: Scenario, entered: Scenario, step: TraceStep) -> None:
        """Go To Scenario keeps the call's variables; the entered scenario's own start at their defaults, as they
        would in a call of its own (review, 2026-12-05: a variable it declares was unknown there), and a language
        nobody changed from the left scenario's becomes the entered one's, so its phrases are spoken in it."""
        variables = self.variables
        for name, value in entered.fresh_variables().items():
            variables.setdefault(name, value)  # a default is no change: the step's trace does not list them
        # What the entered scenario declares sensitive is, from now on; what the left one did stays so: the value
        # is the same PIN whichever scenario holds it.
        if not entered.sensitive_variables <= self.flags.sensitive:
            self.flags.sensitive = self.flags.sensitive | entered.sensitive_variables
        language = variables.get("language")
        if language == left.default_language and language != entered.default_language:
            variables["language"] = step.variables_changed["language"] = entered.default_language

    def _needs_caller(self, node: Node) -> bool:
        block = self._block_of(node.type)
        return block is None or block.waits_for_caller

    def _begin_step(self, scenario: Scenario, node: Node) -> tuple[TraceStep, BlockContext]:
        # A step starts when the one before it ended (the first when the call did): nothing between two steps
        # waits, so one clock read per step serves both (the clock is read twice per step otherwise).
        started = self._step_ended
        steps = self.steps
        at = _iso_time(started) if steps else self.started_at  # the first step's is the call's own timestamp
        step = new_step(len(steps), node.id, node.type, node.label, at)
        if scenario is not self._first_scenario:  # set apart: a keyword argument at every step costs a third more
            step.scenario = scenario.name
        steps.append(step)
        ctx = self._context
        if ctx is None:
            ctx = self._context = BlockContext(
                call_id=self.call_id,
                channel=self.channel,
                services=self.services,
                scenario=scenario,
                variables=self.variables,
                node=node,
                step=step,
                flags=self.flags,
            )
        else:  # one context per call, pointed at each node in turn: a step used to build one of 11 fields
            ctx.scenario, ctx.node, ctx.step = scenario, node, step
            ctx.ended = ctx.next_scenario = ctx.jump = None
        return step, ctx

    def _note_failure(self, step: TraceStep, node: Node, error: BaseException, text: str | None = None) -> None:
        message = text or (f"{type(error).__name__}: {error}" if not isinstance(error, EngineError) else str(error))
        sensitive = self.flags.sensitive
        # A failure's words may quote what it failed on (an expression's "'123456789' is not in list", a driver's
        # "invalid input syntax: ..."): not a sensitive value, in the record.
        step.error = scrub(message, self.variables, sensitive) if sensitive else message
        if isinstance(error, EngineError):
            _note_failure_code(step, error, self.variables, sensitive)
            if isinstance(error, ChannelError):
                # The installation's fault (a sound file missing), which only its operators can mend: one line for
                # them, not the traceback of a bug.
                log.warning(
                    "call_id=%s block %s (%s) failed: %s",
                    self.call_id,
                    node.id,
                    node.type,
                    error,
                    extra={"call_id": self.call_id},
                )
        else:
            log.warning(
                "call_id=%s block %s (%s) failed",
                self.call_id,
                node.id,
                node.type,
                exc_info=True,
                extra={"call_id": self.call_id},
            )

    def _unknown_type(self, scenario: Scenario, node: Node) -> EngineError:
        """The failure of a node whose block type is not installed here (its plugin uninstalled, or broken). The
        operators must hear of it: the call's trace alone said so, and its end was logged at INFO as `hung_up`
        (plugin review). One WARNING per call and type, naming the published version when the host named it."""
        told = self._unknown_types_told
        if told is None:
            told = self._unknown_types_told = set()
        if node.type not in told:
            told.add(node.type)
            log.warning(
                "call_id=%s scenario %s: block type %r of node %s is not installed here (its plugin is missing or "
                "broken); the block takes its error exit",
                self.call_id,
                scenario.published_as or repr(scenario.name),
                node.type,
                node.id,
                extra={"call_id": self.call_id, "block_type": node.type},
            )
        return EngineError(f"unknown block type {node.type!r}")

    def _undeclared_exit(self, node: Node, exit_name: object) -> EngineError:
        """The failure of a block that returned an exit it does not declare (or None): a bug of its plugin, which
        its developer must see in the node's log, not only in the call's trace. One line, no traceback."""
        log.warning(
            "call_id=%s block %s (%s, plugin %s) returned exit %r, which it does not declare: it takes its error exit",
            self.call_id,
            node.id,
            node.type,
            self.registry.origin(node.type),
            exit_name,
            extra={"call_id": self.call_id},
        )
        return EngineError(f"block returned exit {exit_name!r}, which it does not declare")

    async def _end(self, outcome: CallOutcome) -> None:
        """End the call from our side: hang up politely; a caller already gone is fine."""
        if self.outcome is CallOutcome.CALLER_HANGUP or self._abandoned:
            # The bookkeeping path after a hangup ran out (the call ended with the caller's hangup), or the host
            # gave up on the call and closed its channel.
            return
        self.outcome = outcome
        try:
            await self.channel.hangup()
        except CallerHangup:
            pass
        except Exception:
            log.warning("call_id=%s hangup failed", self.call_id, exc_info=True, extra={"call_id": self.call_id})


def _uncancel(task: asyncio.Task[Any], times: int) -> None:
    """Take back `times` cancellations of `task`: those of `interrupt` and `interrupt_again`, which reach a block
    as one CancelledError when it lets one through, however many were asked meanwhile."""
    for _ in range(times):
        task.uncancel()


def _note_failure_code(
    step: TraceStep, error: EngineError, variables: Mapping[str, Any], sensitive: frozenset[str]
) -> None:
    """A named failure (`EngineError.code`) as the step's `failure` event, for the designer to word; `step.error`
    keeps the English message. getattr: a plugin's subclass may set its own attributes without ours. A text param
    quoting a sensitive value (`detail`, `value`) keeps its mask instead, as `step.error` does."""
    code = getattr(error, "code", None)
    if code is not None:
        params = getattr(error, "params", None) or {}
        if sensitive:
            params = {k: scrub(v, variables, sensitive) if isinstance(v, str) else v for k, v in params.items()}
        step.events.append({**params, "kind": "failure", "code": code})


def _declare_exits(scenario: Scenario, node: Node, block: BlockType, config: Mapping[str, Any]) -> frozenset[str]:
    """The exits `node` may take with `config` (its config at the block's current version), worked out at its
    first step and kept on the scenario for every later call."""
    declared = scenario.declared_exits[node.id] = frozenset(block.exits(config))
    return declared


def _migrated(block: BlockType, node: Node) -> Mapping[str, Any]:
    """The config of a node written for another version of its block: an older one migrated forward. A newer one
    is refused (docs/scenario-format.md): the installed code would run a config it cannot read as if it could."""
    if node.version > block.version:
        raise EngineError(
            f"node {node.id!r} is written for version {node.version} of block {block.type!r}, "
            f"but version {block.version} is installed here"
        )
    return block.migrate(node.version, node.config)


# What a host's patrol noted of a walk when it last saw it move on: (steps taken, channel operations, since when).
PatrolNote = tuple[int, int, float]


def look_for_overrun(
    run: CallRun, operations: int, note: PatrolNote | None, now: float
) -> tuple[PatrolNote | None, EngineError | None]:
    """One look of a host's patrol at a walk whose block is away from the channel (a real call's,
    agi_server.walk_patrol; a test call's, graph_engine.simulation): the note to keep for the next look, and the reason
    to stop the block (`CallRun.interrupt`) once the same step, with no channel operation since (`operations` counts
    them), has run past its `max_seconds`. Read, not timed per operation: a block is stopped at most two looks late."""
    steps = run.steps
    if note is None or note[0] != len(steps) or note[1] != operations:
        return (len(steps), operations, now), None
    step = steps[-1]
    block = run.registry.types.get(step.type)
    limit = block.max_seconds if block is not None else float("inf")
    if now - note[2] < limit:
        return note, None
    return None, block_time_limit_error(step, limit)


def block_time_limit_error(step: TraceStep, limit: float) -> EngineError:
    """The reason a host gives `CallRun.interrupt` for the block of `step`, busy away from the call's channel past
    its `max_seconds` (`limit`): in one place, so that a real call (the FastAGI server's patrol) and a test call
    (graph_engine.simulation) stop a block with the same words, which the step's `error` keeps."""
    return EngineError(
        f"block {step.node!r} ({step.type}) was busy away from the call's channel for over {limit:g} s, its time "
        "limit (max_seconds)"
    )


async def run_call(
    scenario: Scenario,
    channel: Channel,
    registry: BlockRegistry,
    services: Services | None = None,
    *,
    call_id: str = "call",
    facts: Mapping[str, Any] | None = None,
    inputs: Mapping[str, Any] | None = None,
    step_limit: int = DEFAULT_STEP_LIMIT,
) -> CallResult:
    """Walk `scenario` for one call and return its result. Never raises for anything the call does."""
    run = CallRun(
        scenario,
        channel=channel,
        registry=registry,
        services=services,
        call_id=call_id,
        facts=facts,
        inputs=inputs,
        step_limit=step_limit,
    )
    return await run.run()
