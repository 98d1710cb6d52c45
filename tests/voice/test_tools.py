"""`run_async` cancelled at any moment of its process's life, with real processes: it ends, and leaves none behind."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.voice.cancel_all import children, no_children_within, run_to_the_end
from voice.tools import run_async


def _tone_args(target: Path) -> list[str]:
    """sox making half a second of tone: a conversion's length, without an input file."""
    return ["sox", "-n", "-r", "8000", "-c", "1", str(target), "synth", "0.5", "sine", "440"]


@pytest.mark.parametrize("later", range(3))
def test_runs_caught_by_the_final_cancel_all_end_wherever_it_falls(tmp_path: Path, later: int) -> None:
    """A node stopping while phrases convert: `asyncio.run` cancels every task left, asyncio's own with them (those
    finishing a process's start). Runs started a few milliseconds apart, then one loop pass apart, are caught while
    their process runs or has exited, and at each step of its start; `later` lets the cancel-all fall passes later."""
    ended: list[int] = []
    tasks: list[asyncio.Task[None]] = []  # the loop holds its tasks weakly

    async def run(number: int) -> None:
        try:
            await run_async(_tone_args(tmp_path / f"{later}-{number}.wav"))
        finally:
            ended.append(number)

    async def main() -> None:
        for number in range(8):  # one every 5 ms: running, or exited, when the cancel-all falls
            tasks.append(asyncio.create_task(run(number)))
            await asyncio.sleep(0.005)
        for number in range(8, 24):  # one a pass, the last as the loop's end begins: these are still starting
            await asyncio.sleep(0)
            tasks.append(asyncio.create_task(run(number)))
        for _ in range(later):
            await asyncio.sleep(0)

    run_to_the_end(main, within=10.0)

    assert sorted(ended) == list(range(24))
    assert no_children_within(2.0, "sox") == []


async def test_a_run_cancelled_while_its_process_starts_kills_it_and_ends() -> None:
    """Only the run cancelled (the caller hung up), at each loop pass of its start: it ends with the cancel, its
    process killed and reaped by then, not left running to its end."""
    for passes in range(12):
        running = asyncio.create_task(run_async(["sleep", "30"]))
        for _ in range(passes):
            await asyncio.sleep(0)
        running.cancel()

        async with asyncio.timeout(5):
            with pytest.raises(asyncio.CancelledError):
                await running
        assert children("sleep") == [], f"cancelled after {passes} passes"
