"""`--host ::` takes IPv4 Asterisk hosts too (SRE review of a multi-node deployment).

asyncio's listener for `::` is IPv6-only (it sets IPV6_V6ONLY): `ivrgraph agi --host :: --allow 127.0.0.1/32` refused
every IPv4 Asterisk at the kernel while its start line said their network was allowed. The listener is dual-stack
now: an IPv4 peer arrives as ::ffff:a.b.c.d and is checked against the allow-list, logged and recorded as IPv4.
"""

from __future__ import annotations

import errno
import logging
import socket
from pathlib import Path

import pytest

from agi_server import listening
from agi_server.errors import CannotListen
from tests.agi_server.agi_process import agi_log_around_a_call
from tests.agi_server.conftest import EXAMPLES, MemoryRecords, StartServer, call
from tests.fakes.asterisk import FakeAsterisk, default_env

pytestmark = pytest.mark.skipif(not socket.has_dualstack_ipv6(), reason="this host has no dual-stack IPv6 sockets")


async def test_an_ipv4_asterisk_in_the_allow_list_gets_in_through_a_listener_on_every_ipv6_address(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="agi_server")
    server = await start_server(host="::", allow=("127.0.0.1/32",))
    fake = await call(server, "inbound-hotline", time_scale=0.001)  # to 127.0.0.1, over real TCP
    await server.stop()
    assert fake.commands and fake.commands[0] == "ANSWER"
    [record] = records.records
    assert record.outcome != "failed" and record.peer.startswith("127.0.0.1:"), record.peer
    said = "\n".join(r.getMessage() for r in caplog.records)
    assert "(Asterisk 127.0.0.1:" in said and "::ffff:" not in said, said
    [listening] = [r.getMessage() for r in caplog.records if "FastAGI listening" in r.getMessage()]
    assert "(IPv6 and IPv4)" in listening
    assert "refused FastAGI" not in said


async def test_an_ipv4_asterisk_outside_the_allow_list_is_refused_and_named_as_ipv4(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    server = await start_server(host="::", allow=("10.0.0.0/8",))
    fake = await call(server, hold=1.0)
    await server.stop()
    assert fake.commands == [] and fake.received == b""
    assert records.records == []
    assert server.metrics.refused.labels("peer")._value.get() == 1
    refusals = [r.getMessage() for r in caplog.records if "not in the allowed networks" in r.getMessage()]
    assert refusals == ["refused FastAGI connection from 127.0.0.1: not in the allowed networks"]


async def test_an_ipv6_asterisk_still_gets_in(start_server: StartServer, records: MemoryRecords) -> None:
    server = await start_server(host="::", allow=("::1/128",))
    fake = await FakeAsterisk("::1", server.port, env=default_env("inbound-hotline"), time_scale=0.001).run(timeout=30)
    await server.stop()
    assert fake.commands and [record.peer.rpartition(":")[0] for record in records.records] == ["::1"]


async def test_a_host_that_cannot_take_ipv4_peers_on_ipv6_refuses_to_start_with_an_ipv4_allow_list(
    start_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A system whose IPv6 sockets cannot be made dual-stack (IPV6_V6ONLY cannot be cleared) would refuse every IPv4
    Asterisk the allow-list lets in: the node says so and does not start."""

    def cannot(sock: socket.socket) -> None:
        raise OSError(errno.ENOPROTOOPT, "Protocol not available")

    monkeypatch.setattr(listening, "_accept_ipv4_too", cannot)
    with pytest.raises(CannotListen) as refused:
        await start_server(host="::", allow=("2001:db8::/32", "10.0.0.0/8"))
    said = str(refused.value)
    assert said.startswith("cannot listen for FastAGI on [::]:0: this host cannot take IPv4 peers on an IPv6 socket")
    assert "(10.0.0.0/8)" in said and "listen on 0.0.0.0" in said
    # With IPv6 peers only, an IPv6-only listener loses nobody.
    server = await start_server(host="::", allow=("::1/128",))
    assert server.port


async def test_ivrgraph_agi_on_every_ipv6_address_serves_an_ipv4_asterisk(tmp_path: Path) -> None:
    """The review's command line, as a process: `ivrgraph agi --host :: --allow 127.0.0.1/32`, called on 127.0.0.1."""
    returncode, logs = await agi_log_around_a_call(
        tmp_path,
        ["--host", "::", "--allow", "127.0.0.1/32", "--scenarios", str(EXAMPLES)],
        {},
        default_env("inbound-hotline"),
    )
    assert returncode == 0, logs
    assert "(Asterisk 127.0.0.1:" in logs and "call ended" in logs, logs
    assert "refused FastAGI" not in logs and "::ffff:" not in logs, logs
