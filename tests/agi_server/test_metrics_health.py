"""What a node tells Prometheus and its log about its own health (operations review): a database outage, the call
records waiting for the database, the process's own figures, every error series from the start, and /healthz
and /readyz on the metrics port.

The calls follow the env block of /work/shared/asterisk/basic.txt (`default_env`) against the fake Asterisk.
"""

from __future__ import annotations

import ast
import asyncio
import logging
import os
import re
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from agi_server.metrics import CALL_OUTCOMES, ERROR_KINDS, REFUSAL_REASONS, AgiMetrics
from agi_server.records import CallRecord
from agi_server.server import AgiServer
from agi_server.spool import RecordSpool
from persistence.db import Database
from persistence.migrate import upgrade
from tests.agi_server.conftest import call, database_node, exposition_samples
from tests.conftest import free_port
from tests.persistence import pg, published
from tests.persistence.outage import outage_proxy

ROOT = Path(__file__).resolve().parents[2]


async def _get(port: int, path: str) -> httpx.Response:
    # The metrics server answers from a thread of its own; the request must not hold up this loop's node.
    return await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}{path}", timeout=5)


async def _scrape(port: int) -> dict[str, float]:
    response = await _get(port, "/metrics")
    assert response.status_code == 200
    return exposition_samples(response.text)


async def _until_scraped(port: int, name: str, value: float, timeout: float = 15.0) -> dict[str, float]:
    async with asyncio.timeout(timeout):
        while (samples := await _scrape(port)).get(name) != value:
            await asyncio.sleep(0.05)
    return samples


@pytest.mark.postgres
@pytest.mark.slow
async def test_a_database_outage_shows_on_the_metrics_port_and_is_one_warning_and_one_recovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: nothing in /metrics moved while the database was away (a node serving stale versions looked
    healthy), the poller logged a line per failed poll and none when it recovered, any path (/healthz too) answered
    the metrics, and there were no process_* figures nor a series of an error kind before its first event. Now
    /healthz says the process answers and /readyz whether its versions are current, as the API's own do."""
    for name in [name for name in os.environ if name.startswith("IVRGRAPH_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("IVRGRAPH_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("IVRGRAPH_MEDIA_ROOT", str(tmp_path / "media"))
    caplog.set_level(logging.INFO, logger="persistence.scenario_source")
    port = free_port()
    with pg.throwaway_database("ivrgraph_outage") as direct:
        upgrade(direct)
        database = Database(direct)
        published.publish(database, "greet")
        try:
            with outage_proxy(direct) as (proxy, url):
                async with database_node(url, start_within=20, poll_seconds=0.05, metrics_port=port) as server:
                    await _healthy_node_figures(port)
                    proxy.go_down()
                    await _outage_figures(server, port)
                    proxy.come_back()
                    await _recovered_figures(server, port)
        finally:
            database.dispose()
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "persistence.scenario_source"]
    assert [level for level, _ in said] == ["WARNING", "INFO"], said
    assert said[0][1].startswith("version poll failed: OperationalError: ") and "\n" not in said[0][1]
    assert said[1][1].startswith("version poll recovered after ")


async def _healthy_node_figures(port: int) -> None:
    samples = await _scrape(port)
    assert samples["ivrgraph_scenario_source_up"] == 1
    assert samples["ivrgraph_scenario_poll_failures_total"] == 0
    assert abs(samples["ivrgraph_scenario_poll_last_success_timestamp_seconds"] - time.time()) < 10
    assert samples["ivrgraph_agi_call_records_queued"] == 0
    assert samples["ivrgraph_agi_call_records_in_spool"] == 0
    # Every series an alert on increase() needs exists at 0 before its first event.
    for kind in ("unknown_scenario", "protocol", "internal", "inputs", "answer_timeout", "block_time_limit"):
        assert samples[f'ivrgraph_agi_errors_total{{kind="{kind}"}}'] == 0
    for reason in ("peer", "handshake", "overload", "stopping"):
        assert samples[f'ivrgraph_agi_refused_connections_total{{reason="{reason}"}}'] == 0
    for outcome in ("ended", "failed", "caller_hangup", "unknown_scenario", "protocol_error", "refused_overload"):
        assert samples[f'ivrgraph_agi_calls_total{{outcome="{outcome}"}}'] == 0
    # The process's own figures: the README's ulimit / --max-calls story is told by these two.
    assert 0 < samples["process_open_fds"] < samples["process_max_fds"]
    assert samples["process_resident_memory_bytes"] > 0 and "process_cpu_seconds_total" in samples
    health, ready = await _get(port, "/healthz"), await _get(port, "/readyz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert (await _get(port, "/")).status_code == 404
    assert (await _get(port, "/metrics/extra")).status_code == 404


async def _outage_figures(server: AgiServer, port: int) -> None:
    samples = await _until_scraped(port, "ivrgraph_scenario_source_up", 0)
    assert samples["ivrgraph_scenario_poll_failures_total"] >= 1
    assert time.time() - samples["ivrgraph_scenario_poll_last_success_timestamp_seconds"] < 10
    await asyncio.sleep(1.1)  # stale after three poll intervals, and at least a second
    ready = await _get(port, "/readyz")
    assert ready.status_code == 503 and ready.json()["status"] == "stale"
    said = ready.json()["version_poll"]
    assert re.fullmatch(r"no version poll succeeded for \d+ s: OperationalError \(the node's log says more\)", said)
    assert (await _get(port, "/healthz")).status_code == 200  # the process is alive: no reason to restart it
    # The cached version still answers; the records wait, in the writer's queue and then on local disk.
    await call(server, "greet", time_scale=0.001)  # its record: the writer retries the database, then spools it
    await call(server, "greet", time_scale=0.001)  # this one waits in the queue meanwhile
    samples = await _scrape(port)
    assert samples["ivrgraph_agi_call_records_queued"] == 1
    samples = await _until_scraped(port, "ivrgraph_agi_call_records_in_spool", 2)
    assert samples["ivrgraph_agi_call_records_queued"] == 0
    assert samples["ivrgraph_agi_call_records_spooled_total"] == 2


async def _recovered_figures(server: AgiServer, port: int) -> None:
    samples = await _until_scraped(port, "ivrgraph_scenario_source_up", 1)
    assert time.time() - samples["ivrgraph_scenario_poll_last_success_timestamp_seconds"] < 1
    assert (await _get(port, "/readyz")).status_code == 200
    await call(server, "greet", time_scale=0.001)  # a write that succeeds brings the spool in at once
    await _until_scraped(port, "ivrgraph_agi_call_records_in_spool", 0)


def _labels_counted(attribute: str) -> set[str]:
    """The label values the FastAGI package passes to `<...>.<attribute>.labels(...)`: string literals, or a
    conditional choosing between two."""
    found: set[str] = set()
    for path in (ROOT / "agi_server").glob("*.py"):
        if path.name == "metrics.py":
            continue  # where the series are made from the lists
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            target = node.func.value
            if node.func.attr != "labels" or not (isinstance(target, ast.Attribute) and target.attr == attribute):
                continue
            argument = node.args[0]
            choices = [argument.body, argument.orelse] if isinstance(argument, ast.IfExp) else [argument]
            for choice in choices:
                assert isinstance(choice, ast.Constant), f"{path.name}:{node.lineno}: not a known label value"
                found.add(choice.value)
    return found


def test_every_error_kind_and_refusal_reason_the_server_counts_has_a_series_from_the_start() -> None:
    """A label value the server starts using must be added to the list the series are made from."""
    errors, refusals = _labels_counted("errors"), _labels_counted("refused")
    assert errors and errors <= set(ERROR_KINDS)
    assert refusals and refusals <= set(REFUSAL_REASONS)
    samples = exposition_samples(AgiMetrics().exposition().decode())
    for kind in ERROR_KINDS:
        assert samples[f'ivrgraph_agi_errors_total{{kind="{kind}"}}'] == 0
    for reason in REFUSAL_REASONS:
        assert samples[f'ivrgraph_agi_refused_connections_total{{reason="{reason}"}}'] == 0
    for outcome in CALL_OUTCOMES:
        assert samples[f'ivrgraph_agi_calls_total{{outcome="{outcome}"}}'] == 0


def _record(number: int) -> CallRecord:
    now = datetime.now(UTC)
    return CallRecord(f"call-{number}", "greet", 1, now, now, "ended")


def test_the_spool_counts_the_records_waiting_in_it(tmp_path: Path) -> None:
    """Batches and batches being replayed count; records set aside as refused, and files being written, do not."""
    spool = RecordSpool(tmp_path)
    assert spool.waiting() == 0
    spool.put([_record(1), _record(2), _record(3)])
    second = spool.put([_record(4), _record(5)])
    spool.reject([_record(6)])
    (tmp_path / ".records-half-written.jsonl.tmp").write_text("{}\n")
    assert spool.waiting() == 5
    claimed = spool.claim(second)
    assert claimed is not None and spool.waiting() == 5
    spool.remove(claimed)
    assert spool.waiting() == 3


def test_a_scrape_that_never_finishes_its_request_is_let_go(monkeypatch: pytest.MonkeyPatch) -> None:
    """Security review, 2026-12-05: 800 connections sending half a request held 560 threads (and descriptors, which
    FastAGI's calls share) for as long as the client liked. A request must come whole within the handler's timeout."""
    from agi_server import metrics as metrics_module
    from agi_server.metrics import AgiMetrics

    assert metrics_module._QuietHandler.timeout is not None and metrics_module._QuietHandler.timeout <= 30
    monkeypatch.setattr(metrics_module._QuietHandler, "timeout", 0.2)  # the same, without waiting its 10 s here
    port = free_port()
    AgiMetrics().serve(port)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
        slow.sendall(b"GET /metr")
        started = time.monotonic()
        assert slow.recv(100) == b"", "closed, not answered"
        assert time.monotonic() - started < 3


class _FailingPoller:
    """A version poller whose polls fail as `VersionPoller` says so: the driver's first line names the host."""

    interval = 0.05
    failures = 3
    failing = True
    last_error = (
        'OperationalError: connection failed: connection to server at "db.internal" (10.1.2.3), port 5433 failed: '
        'FATAL:  password authentication failed for user "ivr"'
    )

    def __init__(self, last_success: float | None) -> None:
        self.last_success = last_success


@pytest.mark.parametrize(
    ("last_success", "said"), [(None, "no version poll has succeeded yet"), (1.0, "succeeded for")]
)
async def test_readyz_names_the_failed_polls_kind_not_the_database_host_it_failed_on(
    last_success: float | None, said: str
) -> None:
    """Review: /readyz on the metrics port answered the driver's first line (host, address, port, user) to whoever
    reached that port. It says the error's kind, as a call record does for a failed scenario lookup; the poller's
    log line keeps the detail."""
    metrics = AgiMetrics()
    metrics.watch_version_poller(_FailingPoller(last_success))
    port = free_port()
    metrics.serve(port)
    ready = await _get(port, "/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "stale" and said in body["version_poll"]
    assert body["version_poll"].endswith(": OperationalError (the node's log says more)"), body
    for detail in ("db.internal", "10.1.2.3", "5433", "ivr", "password"):
        assert detail not in ready.text
