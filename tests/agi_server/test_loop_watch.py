"""A block that blocks the event loop is named in the log (review of 2026-12-05: a plugin calling time.sleep held
every call on the node, and nothing said which plugin)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

import pytest

from agi_server.loop_watch import LoopStallWatch
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from tests.agi_server.conftest import registry_with
from tests.conftest import make_document


class SleepsInRun(BlockType):
    """A plugin that waits on a service the wrong way: time.sleep holds the event loop."""

    type = "acme_sleeps"
    title = "Sleeps"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        time.sleep(0.6)
        return "next"


def _registry() -> BlockRegistry:
    return registry_with(SleepsInRun)


async def test_a_stall_names_the_frame_and_the_block_then_the_recovery(caplog: pytest.LogCaptureFixture) -> None:
    document = make_document(
        [{"id": "start", "type": "start"}, {"id": "crm", "type": "acme_sleeps"}], [("start", "next", "crm")]
    )
    # Parsed before the watch starts: the first parse compiles the format's schema check, which on a loaded machine
    # can itself hold the loop past the threshold and be the stall named (as a node loads its versions at start).
    scenario, registry = parse_document(document), _registry()
    watch = LoopStallWatch(threshold=0.2, interval=0.05)
    watch.start()
    try:
        with caplog.at_level(logging.WARNING, logger="agi_server.loop_watch"):
            await run_call(scenario, ScriptedChannel(), registry, call_id="c-1")
            await asyncio.sleep(0.2)  # the watch's next look sees the loop running again
    finally:
        watch.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "agi_server.loop_watch"]
    assert watch.stalls == 1
    assert len(lines) == 2, lines
    assert "blocked for over 0.2 s" in lines[0]
    assert "test_loop_watch.py" in lines[0] and "in run" in lines[0], "the plugin's own frame is named"
    assert "block 'crm' (acme_sleeps) of call c-1" in lines[0]
    assert lines[1].startswith("the event loop runs again, after about ")


async def test_a_loop_that_keeps_running_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    watch = LoopStallWatch(threshold=0.2, interval=0.05)
    watch.start()
    try:
        with caplog.at_level(logging.WARNING, logger="agi_server.loop_watch"):
            for _ in range(10):
                await asyncio.sleep(0.05)
    finally:
        watch.stop()
    assert watch.stalls == 0
    assert not [r for r in caplog.records if r.name == "agi_server.loop_watch"]
