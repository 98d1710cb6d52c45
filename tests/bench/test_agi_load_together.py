"""`bench/agi_load.py --together` and `--against`: two servers loaded in the same window, every call counted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.agi_load import compare_trees, run_loads


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


def test_against_another_tree_compares_our_server_with_its(capsys: pytest.CaptureFixture[str]) -> None:
    tree = str(Path(__file__).resolve().parents[2])  # this checkout as the other tree: the same server twice
    asyncio.run(compare_trees([5], prompt=0.01, ramp=0.0, repeat=2, other_tree=tree))

    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["N=5 round 1", "N=5 round 2", "N=5"]
    assert lines[-1].startswith(f"N=5: this tree / {tree}: median ") and "over 2 rounds" in lines[-1]
