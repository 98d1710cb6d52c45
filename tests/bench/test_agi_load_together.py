"""`bench/agi_load.py --together`: both servers loaded in the same window, each call answered and counted."""

from __future__ import annotations

import asyncio

from bench.agi_load import run_loads


def test_both_servers_take_the_same_load_at_once() -> None:
    bare, ours = asyncio.run(run_loads(("bare", "ivrgraph"), 10, prompt=0.01, ramp=0.0))

    assert (bare.kind, ours.kind) == ("bare", "ivrgraph")
    for figures in (bare, ours):
        assert (figures.completed, figures.failed) == (10, 0)
        assert figures.commands == 50  # ANSWER, three prompts, HANGUP per call
        assert figures.cpu_per_command_us > 0
    # Every call of ours recorded as the scenario ended it, the 20 warm-up calls included; bare counts its own.
    assert ours.recorded == {"hung_up": 30}
    assert bare.recorded == {"ended": 30}
