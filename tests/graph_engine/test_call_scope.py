"""`graph_engine.call_scope`: a logger below the host names the call its lines were logged during."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from graph_engine.call_scope import CALL_ID, CallIdFilter


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    named, naming = logging.getLogger("tests.call_scope"), CallIdFilter()
    named.addFilter(naming)
    yield named
    named.removeFilter(naming)


def test_outside_a_call_a_line_is_as_logged(logger: logging.Logger, caplog: pytest.LogCaptureFixture) -> None:
    logger.warning("data source %r: cannot connect", "staff")
    [line] = caplog.records
    assert line.getMessage() == "data source 'staff': cannot connect" and not hasattr(line, "call_id")


async def test_a_line_logged_in_a_calls_task_names_it_and_another_calls_does_not_see_it(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    async def call(call_id: str, ready: asyncio.Event, go: asyncio.Event) -> None:
        CALL_ID.set(call_id)
        ready.set()
        await go.wait()  # both calls' tasks are running now, each with its own id
        logger.warning("data source %r: cannot connect", "staff")

    go = asyncio.Event()
    first, second = asyncio.Event(), asyncio.Event()
    calls = [asyncio.create_task(call("c1", first, go)), asyncio.create_task(call("c2", second, go))]
    await first.wait()
    await second.wait()
    go.set()
    await asyncio.gather(*calls)
    assert sorted((r.call_id, r.getMessage()) for r in caplog.records) == [  # type: ignore[attr-defined]
        ("c1", "call_id=c1 data source 'staff': cannot connect"),
        ("c2", "call_id=c2 data source 'staff': cannot connect"),
    ]
    assert CALL_ID.get() is None  # the test's own context was never set


async def test_a_line_naming_its_call_already_is_left_alone_and_a_percent_is_text(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    async def call() -> None:
        CALL_ID.set("c%s")
        logger.warning("call_id=own x", extra={"call_id": "own"})
        logger.warning("%d rows", 3)
        logger.warning("100%")

    await asyncio.create_task(call())
    assert [r.getMessage() for r in caplog.records] == ["call_id=own x", "call_id=c%s 3 rows", "call_id=c%s 100%"]
