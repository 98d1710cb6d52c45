"""`ivrgraph serve` as an SRE runs it: what its ports answer, and a second SIGTERM during a long drain.

SRE review of a multi-node deployment: GET /metrics on the API port answered the designer's page (200, HTML), so a
Prometheus pointed there saw a target up and no metric; the metrics port's /readyz said ready while the node drained;
a node could not say which release and scenario versions it served; and a second SIGTERM was ignored, leaving SIGKILL
(which loses the call records in memory) as the only way out of `--shutdown-deadline 120`.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from agi_server.metrics import package_version
from persistence.calls import CallFilter, list_calls
from persistence.db import Database
from persistence.migrate import head_revision
from tests.agi_server.conftest import exposition_samples
from tests.api.serve_process import IVRGRAPH, ROOT, clean_env
from tests.conftest import example_slugs, free_port
from tests.fakes.asterisk import FakeAsterisk, default_env


def _until(condition: object, what: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline and process.poll() is None, f"{what}:\n{log.read_text(errors='replace')}"
        time.sleep(0.05)


@pytest.mark.slow
def test_serve_ports_say_what_they_serve_and_a_second_sigterm_ends_the_drain(tmp_path: Path) -> None:
    api_port, agi_port, metrics_port = free_port(), free_port(), free_port()
    designer = tmp_path / "designer"  # a built designer, whose catch-all answers every other path
    designer.mkdir()
    (designer / "index.html").write_text("<!doctype html><title>ivrgraph</title>")
    env = clean_env(
        IVRGRAPH_ADMIN_USER="admin",
        IVRGRAPH_ADMIN_PASSWORD="admin-pass-1",
        IVRGRAPH_MEDIA_ROOT=str(tmp_path),
        IVRGRAPH_DESIGNER_DIST=str(designer),
    )
    ports = ["--port", str(api_port), "--agi-port", str(agi_port), "--metrics-port", str(metrics_port)]
    command = [*IVRGRAPH, "serve", *ports, "--shutdown-deadline", "120", "--seed", str(ROOT / "examples")]
    api, metrics = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{metrics_port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            _until(lambda: b"FastAGI listening" in log.read_bytes() and b"Uvicorn running" in log.read_bytes(),
                   "serve never listened", process, log)  # fmt: skip

            # The API port is not the metrics port: a 404 saying so, not the designer's page.
            wrong_port = httpx.get(f"{api}/metrics")
            assert wrong_port.status_code == 404
            assert wrong_port.headers["content-type"] == "application/problem+json"
            assert "--metrics-port" in wrong_port.json()["detail"]
            # The designer's own pages still are: the page itself, and its routes by their hash.
            assert httpx.get(f"{api}/").text.startswith("<!doctype html>")
            assert httpx.get(f"{api}/calls").headers["location"] == "./#/calls"
            assert httpx.get(f"{api}/readyz").json() == {"status": "ready"}  # the API's own readiness

            # The node's release, its schema and each scenario's version, on the metrics port.
            samples = exposition_samples(httpx.get(f"{metrics}/metrics").text)
            assert samples[f'ivrgraph_build_info{{schema="{head_revision()}",version="{package_version()}"}}'] == 1
            for slug in example_slugs():
                assert samples[f'ivrgraph_scenario_published_version{{scenario="{slug}"}}'] == 1
            assert samples["ivrgraph_agi_stopping"] == 0

            fake = FakeAsterisk("127.0.0.1", agi_port, env=default_env("callback-connect"), default_media_seconds=60.0)
            with ThreadPoolExecutor(1) as pool:
                placed = pool.submit(asyncio.run, fake.run(timeout=30))
                _until(lambda: any(c.startswith("STREAM FILE") for c in fake.call.commands), "no prompt", process, log)
                process.send_signal(signal.SIGTERM)
                _until(lambda: httpx.get(f"{metrics}/readyz").status_code == 503, "still ready", process, log, 10)
                assert httpx.get(f"{metrics}/readyz").json() == {"status": "stopping"}
                assert exposition_samples(httpx.get(f"{metrics}/metrics").text)["ivrgraph_agi_stopping"] == 1
                time.sleep(1.2)  # a second SIGTERM within a second is the first one again (SAME_SIGNAL_WITHIN)
                assert process.poll() is None  # the call holds the drain: 120 s to go
                process.send_signal(signal.SIGTERM)
                returncode = process.wait(timeout=15)
                call = placed.result(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    logs = log.read_text(errors="replace")
    assert returncode == 0, logs[-3000:]
    assert "already stopping: 1 calls left; cancelling them now" in logs, logs[-3000:]
    assert call.server_half_closed
    database = Database(f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}")
    try:
        with database.session() as session:
            rows, _ = list_calls(session, filters=CallFilter(scenario="callback-connect"), limit=5)
    finally:
        database.dispose()
    assert [(row.outcome, row.error) for row in rows] == [("failed", "server shutdown")], logs[-3000:]
