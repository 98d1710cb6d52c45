"""Factories for FastAGI tests: a real server on port 0 and a fake Asterisk calling it over TCP."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from agi_server.ami import AmiClient, AmiSettings
from agi_server.connection import AgiConnection
from agi_server.dialer_settings import DialerSettings
from agi_server.logs import LogSettings, configure_logging
from agi_server.records import CallRecord
from agi_server.scenarios import CachedScenarioSource, SourceLoader, folder_source
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.block import BlockType
from graph_engine.registry import BlockRegistry
from graph_engine.services import Services
from tests.fakes.ami import FakeAmi
from tests.fakes.asterisk import CallerScript, FakeAsterisk, FakeCall, default_env

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The modules the callback dialer logs from: its loop, its trunk watch, its settings' checks, its job stores and the
# FastAGI side of an answered callback (one module, agi_server.dialer, before they were split).
DIALER_LOGGERS = (
    "agi_server.dialer",
    "agi_server.trunk_watch",
    "agi_server.dialer_settings",
    "agi_server.job_stores",
    "agi_server.callback_arrivals",
)


class MemoryRecords:
    """The call-record sink tests use in place of the SQL writer."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []
        self.batches = 0

    async def write_batch(self, records: list[CallRecord]) -> None:
        self.batches += 1
        self.records.extend(records)


StartServer = Callable[..., Awaitable[AgiServer]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeAmi]:
    """An AMI peer speaking as the captures in ../shared/asterisk/ami/ do, its delays a hundredth of theirs."""
    peer = FakeAmi(time_scale=0.01)
    await peer.start()
    yield peer
    await peer.close()


@pytest.fixture
async def ami(fake: FakeAmi) -> AsyncIterator[AmiClient]:
    """Our AMI client logged in to `fake`."""
    client = AmiClient(AmiSettings("127.0.0.1", fake.port, "probe", "probe", reconnect_initial=0.05), node_id="t")
    await client.start()
    yield client
    await client.close()


@pytest.fixture
def records() -> MemoryRecords:
    return MemoryRecords()


@pytest.fixture
def examples_source() -> CachedScenarioSource:
    return folder_source(EXAMPLES)


@pytest.fixture
async def start_server(records: MemoryRecords, examples_source: CachedScenarioSource) -> AsyncIterator[StartServer]:
    servers: list[AgiServer] = []

    async def start(
        *,
        source: Any = None,
        services: Services | None = None,
        registry: BlockRegistry | None = None,
        resolve_inputs: Any = None,
        **config: Any,
    ) -> AgiServer:
        source = source or examples_source
        services = services or Services()
        services = replace(services, scenarios=SourceLoader(source))
        settings = AgiServerConfig(port=0, **{"shutdown_deadline": 2.0, **config})
        server = AgiServer(
            settings,
            source=source,
            registry=registry or default_registry(),
            services=services,
            write_batch=records.write_batch,
            resolve_inputs=resolve_inputs,
        )
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        if not server._stopping:
            await server.stop(deadline=1.0)


async def call(
    server: AgiServer,
    script: str = "inbound-hotline",
    caller: CallerScript | None = None,
    *,
    env: Mapping[str, str] | None = None,
    **fake: Any,
) -> FakeCall:
    """One fake-Asterisk call into `server`; `script` is the AGI path (with its query string)."""
    hold, timeout = fake.pop("hold", 3.0), fake.pop("timeout", 30.0)
    asterisk = FakeAsterisk("127.0.0.1", server.port, env=env or default_env(script), script=caller, hold=hold, **fake)
    return await asterisk.run(timeout=timeout)


async def flush(server: AgiServer) -> None:
    """Stop the server so every record reaches the sink."""
    await server.stop(deadline=2.0)


@asynccontextmanager
async def agi_session(
    caller: CallerScript | None = None, **fake: Any
) -> AsyncIterator[tuple[AgiConnection, FakeAsterisk]]:
    """A bare AgiConnection to a fake Asterisk, without the server: for connection and channel tests."""
    accepted: asyncio.Queue[AgiConnection] = asyncio.Queue()
    idle_timeout, hold = fake.pop("idle_timeout", 2.0), fake.pop("hold", 3.0)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(
        lambda: AgiConnection(idle_timeout=idle_timeout, on_connect=lambda c, _: accepted.put_nowait(c)),
        "127.0.0.1",
        0,
    )
    port = listener.sockets[0].getsockname()[1]
    asterisk = FakeAsterisk("127.0.0.1", port, script=caller, hold=hold, **fake)
    running = asyncio.create_task(asterisk.run(timeout=20))
    connection = await accepted.get()
    await connection.read_env_block(5.0)
    try:
        yield connection, asterisk
    finally:
        await connection.close(drain_timeout=1.0)
        await running
        listener.close()
        await listener.wait_closed()


@asynccontextmanager
async def database_node(url: str, *, start_within: float = 10.0, **options: Any) -> AsyncIterator[AgiServer]:
    """`ivrgraph agi` on the database at `url`, as its command runs it (`options`: run_database_agi's, such as
    poll_seconds or metrics_port), until the block ends."""
    from agi_server.cli import run_database_agi

    stop = asyncio.Event()
    started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
    node = asyncio.create_task(
        run_database_agi(AgiServerConfig(port=0), database_url=url, stop=stop, ready=started.set_result, **options)
    )
    try:
        async with asyncio.timeout(start_within):
            server = await asyncio.shield(started)
        yield server
    finally:
        stop.set()
        await node


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Put the root logger, the warnings hook and the logging mode (`configure_logging`'s phone-number mode and
    format) back as they were, for a test that configures logging as a command does."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    logging.captureWarnings(False)
    root.handlers[:] = handlers
    root.setLevel(level)
    configure_logging(LogSettings(), stream=io.StringIO())
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def registry_with(*blocks: type[BlockType]) -> BlockRegistry:
    """The test's plugin `blocks` beside the built-in ones, as a node with a plugin installed has them."""
    registry = BlockRegistry.of(list(blocks))
    for block in default_registry():
        registry.register(type(block), origin="builtin")
    return registry


def exposition_samples(text: str) -> dict[str, float]:
    """`name{labels}` -> value of every sample in a Prometheus text exposition (a node's /metrics)."""
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


@pytest.fixture
def dialling_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What a node needs to dial callbacks: a media root, the dial context and the channel's template."""
    monkeypatch.setenv("IVRGRAPH_MEDIA_ROOT", str(tmp_path / "media"))
    monkeypatch.setenv("IVRGRAPH_DIAL_CONTEXT", "outbound-ivr")
    monkeypatch.setenv("IVRGRAPH_DIAL_CHANNEL", "Local/{number}@callees/n")


@pytest.fixture
def quick_dialer(dialling_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`dialling_env` with a spool of the test's own, and a dialer that passes every 0.1 s and reminds every 0.6 s
    (the node's own: every 5 s, and once a minute), for tests that wait for what it logs and shows."""
    monkeypatch.setenv("IVRGRAPH_SPOOL_DIR", str(tmp_path / "spool"))
    read = DialerSettings.from_environ

    def quick(environ: Mapping[str, str] | None = None, *, node_id: str | None = None) -> DialerSettings:
        return replace(read(environ, node_id=node_id), poll_interval=0.1, remind_every=0.6)

    monkeypatch.setattr(DialerSettings, "from_environ", quick)


async def until_gauge(port: int, gauge: str, value: float) -> dict[str, float]:
    """The node's metrics once `gauge` reads `value` on its metrics port (within 10 s)."""
    async with asyncio.timeout(10):
        while True:
            answer = await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}/metrics", timeout=5)
            samples = exposition_samples(answer.text)
            if samples.get(gauge) == value:
                return samples
            await asyncio.sleep(0.05)
