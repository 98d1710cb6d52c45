"""The example plugin (examples/plugins/ivrgraph-sms), installed like any third-party package, is in the catalog
and runs in a simulated call, posting to a real local HTTP server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib.metadata import entry_points

import pytest

from graph_engine.registry import ENTRY_POINT_GROUP
from graph_engine.simulation import SimulationInput, simulate
from tests.conftest import make_document


def test_plugin_is_installed_through_the_entry_point_group(registry):
    names = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert names["send_sms"].dist is not None and names["send_sms"].dist.name == "ivrgraph-sms"
    entry = next(e for e in registry.catalog() if e["type"] == "send_sms")
    assert entry["default_exits"] == ["sent", "failed"]
    assert "ivrgraph-sms" in entry["plugin"]


@pytest.fixture
def gateway():
    received: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms", received
    server.shutdown()
    server.server_close()


async def test_plugin_runs_in_a_simulated_call(registry, gateway, monkeypatch):
    url, received = gateway
    monkeypatch.setenv("IVRGRAPH_SMS_GATEWAY_URL", url)
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "sms", "type": "send_sms", "config": {"text": "Su cita es el {{ day }}"}},
        ],
        [("start", "next", "sms")],
        variables=[{"name": "day", "default": "lunes"}],
    )
    sim = await simulate(doc, registry, SimulationInput(caller_id="+34600111222"))
    assert sim.result.steps[1].exit == "sent"
    assert received == [{"to": "+34600111222", "text": "Su cita es el lunes"}]


async def test_plugin_without_gateway_fails_cleanly(registry, monkeypatch):
    monkeypatch.delenv("IVRGRAPH_SMS_GATEWAY_URL", raising=False)
    doc = make_document(
        [{"id": "start", "type": "start"}, {"id": "sms", "type": "send_sms", "config": {"text": "x"}}],
        [("start", "next", "sms")],
    )
    sim = await simulate(doc, registry, SimulationInput())
    assert sim.result.steps[1].exit == "failed"
