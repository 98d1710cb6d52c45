"""Single flight: one run per key, shared outcome, and a cancelled caller does not cancel the others."""

from __future__ import annotations

import asyncio

import pytest

from voice.singleflight import SingleFlight


async def test_concurrent_callers_share_one_run() -> None:
    flight: SingleFlight[int] = SingleFlight()
    runs = 0
    gate = asyncio.Event()

    async def work() -> int:
        nonlocal runs
        runs += 1
        await gate.wait()
        return 42

    callers = [asyncio.create_task(flight.run("k", work)) for _ in range(5)]
    await asyncio.sleep(0)
    assert flight.in_flight("k")
    gate.set()

    assert await asyncio.gather(*callers) == [42] * 5
    assert runs == 1 and not flight.in_flight("k")


async def test_failure_reaches_every_caller_and_is_not_remembered() -> None:
    flight: SingleFlight[int] = SingleFlight()
    attempts = 0

    async def failing() -> int:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("engine down")

    results = await asyncio.gather(*(flight.run("k", failing) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results) and attempts == 1

    with pytest.raises(RuntimeError):
        await flight.run("k", failing)
    assert attempts == 2


async def test_a_cancelled_caller_leaves_the_work_running_for_the_others() -> None:
    flight: SingleFlight[str] = SingleFlight()

    async def slow() -> str:
        await asyncio.sleep(0.05)
        return "done"

    impatient = asyncio.create_task(flight.run("k", slow))
    patient = asyncio.create_task(flight.run("k", slow))
    await asyncio.sleep(0.01)
    impatient.cancel()

    assert await patient == "done"
    with pytest.raises(asyncio.CancelledError):
        await impatient
