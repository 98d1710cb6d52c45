"""The example plugin's gateway, when the caller hangs up while it posts, over real sockets: fake Asterisk ->
AgiServer -> Send SMS -> a gateway that never answers.

Plugin author's review: the example (and the docs after it) posted with blocking urllib inside `asyncio.to_thread`.
A hangup cancelled the block's coroutine, but not its thread: the request ran on to its own timeout inside the
default thread pool, which the node uses for its own work (agi_server/job_stores.py, voice/service.py). Six callers
hanging up on a slow CRM made a new caller's instant lookup wait 7.6 s. The gateway is now an async client, built by
the plugin's service factory and closed by its `aclose`: the hangup cancels the request itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from agi_server.plugin_services import close_plugin_services, load_plugin_services
from agi_server.scenarios import CachedScenarioSource, PublishedScenario, SourceLoader
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.document import parse_document
from graph_engine.services import Services
from tests.conftest import make_document
from tests.fakes.asterisk import CallerScript, FakeAsterisk, default_env
from tests.fakes.sms_gateway import stalled_sms_gateway

HANGUP_AFTER = 1.0  # seconds into the call: the message is being posted by then
SMS_TIMEOUT = 10.0  # the node's timeout for the gateway, well past the hangup


@pytest.fixture
async def one_thread_pool() -> AsyncIterator[ThreadPoolExecutor]:
    """The loop's default pool cut to one thread, so a thread the hangup left behind shows as a wait."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="default-pool")
    asyncio.get_running_loop().set_default_executor(pool)
    yield pool
    pool.shutdown(wait=False, cancel_futures=True)


def _source() -> CachedScenarioSource:
    nodes = [
        {"id": "start", "type": "start"},
        {"id": "sms", "type": "send_sms", "config": {"text": "Su cita es el lunes", "timeout": SMS_TIMEOUT}},
    ]
    source = CachedScenarioSource()
    source.publish(PublishedScenario("reminder", 1, parse_document(make_document(nodes, [("start", "next", "sms")]))))
    return source


async def _waited(event_is_set: Callable[[], bool], within: float) -> float:
    """Seconds until `event_is_set()` held (polled), or `within` if it never did."""
    started = time.monotonic()
    while not event_is_set() and time.monotonic() - started < within:
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_a_hangup_mid_send_closes_the_gateway_connection_at_once_and_holds_no_thread(
    monkeypatch: pytest.MonkeyPatch, one_thread_pool: ThreadPoolExecutor
) -> None:
    with stalled_sms_gateway() as (url, gateway):
        monkeypatch.setenv("IVRGRAPH_SMS_GATEWAY_URL", url)
        extras = load_plugin_services()  # as the node builds them at start
        source = _source()
        services = Services(scenarios=SourceLoader(source), extras=extras)
        server = AgiServer(
            AgiServerConfig(port=0, shutdown_deadline=2.0),
            source=source,
            registry=default_registry(),
            services=services,
            write_batch=_discard,
        )
        await server.start()
        caller = FakeAsterisk(
            "127.0.0.1",
            server.port,
            env=default_env("reminder", agi_callerid="+34600111222"),
            script=CallerScript(hangup_after=HANGUP_AFTER),
            hold=2.0,
        )
        calling = asyncio.create_task(caller.run(timeout=20))
        try:
            assert await _waited(gateway.arrived.is_set, HANGUP_AFTER) < HANGUP_AFTER, "posted before the hangup"
            closed_after = await _waited(gateway.closed.is_set, HANGUP_AFTER + 3.0)

            started = time.monotonic()
            await asyncio.wait_for(asyncio.to_thread(time.monotonic), SMS_TIMEOUT + 2.0)  # another caller's lookup
            pool_wait = time.monotonic() - started
        finally:
            await calling
            await server.stop(deadline=1.0)
            await close_plugin_services(extras)

    assert gateway.closed.is_set() and closed_after < HANGUP_AFTER + 1.0, (
        f"the gateway's connection closed {closed_after:.1f} s after the request, the hangup {HANGUP_AFTER} s in"
    )
    assert pool_wait < 0.5, f"the default pool's thread was held {pool_wait:.1f} s after the hangup"


async def _discard(records: object) -> None:
    """The call's record: not what this test is about."""
