"""Plugin blocks that take real time in a test call: one that never returns from `run` (safe in a test call, so a
test call runs it), one that never returns from its `simulate`, one that often waits off the channel but never
long at a time, one that ignores the first stop, and a quick sleeper for loops. Short time limits, so the tests
that use them are quick; `registry_with_hanging_blocks` has them beside the installed blocks (the CLI tests load
it in a subprocess)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType
from graph_engine.channel import Prompt
from graph_engine.context import BlockContext
from graph_engine.registry import BlockRegistry, load_registry

LIMIT = 0.2  # seconds: the blocks' max_seconds


class HangsInRun(BlockType):
    """Waits on a service that never answers, through its context only: a test call runs its `run`."""

    type = "acme.hang"
    title = "Hangs in run"
    max_seconds: ClassVar[float] = LIMIT
    safe_in_test_call: ClassVar[bool] = True

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        await asyncio.sleep(3600)
        return "next"


class HangsInSimulate(BlockType):
    """Its `simulate` never returns (its `run` would reach the world, so a test call does not run it)."""

    type = "acme.hang_simulate"
    title = "Hangs in simulate"
    max_seconds: ClassVar[float] = LIMIT

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        raise AssertionError("a test call ran the block's run")

    async def simulate(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        await asyncio.sleep(3600)
        return "next"


class OftenOnTheChannel(BlockType):
    """Off the channel for a quarter of its limit at a time, between prompts, for three times its limit in all:
    time on the channel restarts the count, as in a real call."""

    type = "acme.often_on_channel"
    title = "Often on the channel"
    max_seconds: ClassVar[float] = 0.3
    safe_in_test_call: ClassVar[bool] = True

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        for _ in range(12):
            await asyncio.sleep(0.075)
            await ctx.play(Prompt(audio="beep"))
        return "next"


class IgnoresTheFirstStop(BlockType):
    """Catches the CancelledError that stops it once and waits on (a library retrying): only the whole test
    call's time limit ends it."""

    type = "acme.stubborn"
    title = "Ignores the first stop"
    max_seconds: ClassVar[float] = LIMIT
    safe_in_test_call: ClassVar[bool] = True

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.sleep(3600)
        return "next"


class NapsBriefly(BlockType):
    """Well within its limit each time: a scenario looping through it is bounded by the test call's time limit."""

    type = "acme.nap"
    title = "Naps briefly"
    max_seconds: ClassVar[float] = 1.0
    safe_in_test_call: ClassVar[bool] = True

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        await asyncio.sleep(0.05)
        return "next"


class WaitsForever(BlockType):
    """Waits on a remote service that never answers (a CRM), away from the channel, with no limit of its own: a
    live call's node stops it (its default max_seconds, a caller's hangup, a shutdown). Not in HANGING_BLOCKS."""

    type = "acme_waits_forever"
    title = "Waits forever"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        await asyncio.Event().wait()
        return "next"


class SwallowsCancellation(BlockType):
    """A plugin retrying in a loop that takes each CancelledError for a failed attempt: it sleeps on through the
    first `times` cancellations (5 unless its config says, as the plugin of the review did) and lets the next one
    through. Its `max_seconds` is short. Not in HANGING_BLOCKS."""

    type = "acme.swallows_cancel"
    title = "Swallows cancellation"
    max_seconds: ClassVar[float] = LIMIT
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {"times": {"type": "integer"}}}

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        for _ in range(int(config.get("times", 5))):
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue  # "ignoring cancel", as its log said
        await asyncio.sleep(3600)
        return "next"


HANGING_BLOCKS: tuple[type[BlockType], ...] = (
    HangsInRun,
    HangsInSimulate,
    OftenOnTheChannel,
    IgnoresTheFirstStop,
    NapsBriefly,
)


def registry_with_hanging_blocks(**options: Any) -> BlockRegistry:
    """The installed blocks (built-ins and plugins, as the CLI and the API load them) and the blocks above.
    `options`: those of `blocks.default_registry`, which this stands in for in the CLI tests."""
    registry = load_registry(**options)
    for block in HANGING_BLOCKS:
        registry.register(block, origin=f"acme-test-blocks ({block.__name__}, test)")
    return registry


async def cancel_until_gone(rounds: int) -> None:
    """Cancel every other task of this loop until none is left, at most `rounds` times: a block swallowing its
    cancellations (`SwallowsCancellation`) outlives its call by design, and a test's event loop, which cancels what
    is left once, would wait for it for ever. A test's teardown calls this once its servers have stopped."""
    for _ in range(rounds):
        left = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        if not left:
            return
        for task in left:
            task.cancel()
        await asyncio.wait(left, timeout=0.01)
