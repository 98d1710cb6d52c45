"""Fixtures every test package may use: the block registry and factories for scenario documents."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import random
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from blocks import default_registry
from graph_engine.registry import BlockRegistry
from persistence.phone_numbers import configure_default_country, configured_default_country
from persistence.users import CHEAP_HASHES_ENV
from voice.templating import install_template_functions

# Hosts (CLI, API, FastAGI server) offer the spoken helpers to templates at start-up; so do the tests.
install_template_functions()
# The suite signs users in thousands of times, in this process and in the servers and commands it starts: argon2's
# full strength (about 0.1 s of a core each) would cost minutes of CI. tests/persistence/test_users.py checks it.
os.environ[CHEAP_HASHES_ENV] = "1"


@pytest.fixture(autouse=True)
def _private_spool_root(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Call-record spools of server databases (agi_server.spool.spool_for) under a folder of this test run, never
    /var/lib/ivrgraph: a record spooled by one test must not be replayed into another run's database."""
    monkeypatch.setenv("IVRGRAPH_SPOOL_DIR", str(tmp_path_factory.getbasetemp() / "spool"))


ROOT = Path(__file__).resolve().parent.parent
BUILTIN_BLOCK_TYPES = ("start", "message", "say_phrase", "ivr", "sql", "transfer", "callback", "schedule",
                       "condition", "switch", "set_variable", "goto", "goto_scenario", "hangup")  # fmt: skip
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def registry() -> BlockRegistry:
    return default_registry()


def example_slugs() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.json") if not p.name.endswith(".tests.json"))


@pytest.fixture
def load_example() -> Callable[[str], dict[str, Any]]:
    """A fresh copy of an example scenario document, by slug."""

    def load(slug: str) -> dict[str, Any]:
        return copy.deepcopy(json.loads((EXAMPLES / f"{slug}.json").read_text(encoding="utf-8")))

    return load


# Below Linux's ephemeral range (32768-60999): a port the kernel chose for `bind(0)` is free only until an outgoing
# connection of another test (an HTTP client, a database driver) is given the same one before the server binds it,
# which failed `ivrgraph serve` tests with "address already in use" on a loaded CI machine.
# Under pytest-xdist (`make test` runs the suite on every core) each worker draws from its own slice of that range,
# so two workers never hand out the same port between one's probe and its server's bind.
_ALL_SERVER_PORTS = range(20000, 32768)
# A process running beside the suite (scripts/test.sh runs the designer's end-to-end run while pytest runs) takes its
# ports from below that range, where no worker draws: IVRGRAPH_TEST_PORTS=beside-pytest.
_BESIDE_PYTEST_PORTS = range(10000, 20000)


def _worker_ports() -> range:
    if os.environ.get("IVRGRAPH_TEST_PORTS") == "beside-pytest":
        return _BESIDE_PYTEST_PORTS
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... or unset when run in one process
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if not worker.startswith("gw") or count < 2:
        return _ALL_SERVER_PORTS
    size = len(_ALL_SERVER_PORTS) // count
    start = _ALL_SERVER_PORTS.start + int(worker[2:]) * size
    return range(start, start + size)


_SERVER_PORTS = _worker_ports()
_handed_out: set[int] = set()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now, for a server a test starts as a process or on a fixed port:
    outside the range outgoing connections take theirs from, and never the same one twice in a run."""
    while True:
        port = random.choice(_SERVER_PORTS)
        if port in _handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


async def until(condition: Callable[[], object], within: float = 5.0) -> None:
    """Wait until `condition()` holds, looking every 10 ms (what it waits on runs in tasks or threads of its own);
    TimeoutError after `within` seconds."""
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0.01)


def make_document(nodes: list[dict[str, Any]], edges: list[tuple[str, str, str]], **extra: Any) -> dict[str, Any]:
    """A scenario document from compact nodes and (source, exit, target) edges."""
    return {
        "format": "ivrgraph.scenario/1",
        "name": extra.pop("name", "test"),
        "language": extra.pop("language", "es"),
        "nodes": [{"config": {}, **node} for node in nodes],
        "edges": [{"id": f"e{i}", "source": s, "exit": e, "target": t} for i, (s, e, t) in enumerate(edges)],
        **extra,
    }


@pytest.fixture
def document() -> Callable[..., dict[str, Any]]:
    return make_document


@pytest.fixture
def in_spain() -> Iterator[None]:
    """Numbers read as a Spanish deployment's servers read them (IVRGRAPH_DEFAULT_COUNTRY=ES: 600123456 is
    +34600123456), for one test; the country the process had before is put back after it."""
    before = configured_default_country()
    configure_default_country("ES")
    try:
        yield
    finally:
        configure_default_country(before)
