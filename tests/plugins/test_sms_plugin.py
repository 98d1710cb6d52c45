"""The example plugin (examples/plugins/ivrgraph-sms), installed like any third-party package, is in the catalog,
offers its gateway to the node through the `ivrgraph.services` group, posts to a real local HTTP server in a real
call, and in a test call sends nothing but tells what it would send."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import pytest

from agi_server.errors import ServicePluginError
from agi_server.plugin_services import ENTRY_POINT_GROUP as SERVICES_GROUP
from agi_server.plugin_services import close_plugin_services, load_plugin_services
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import ENTRY_POINT_GROUP, BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.trace import CallResult
from tests.conftest import make_document
from tests.fakes.sms_gateway import sms_gateway


def test_plugin_is_installed_through_the_entry_point_group(registry):
    names = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert names["send_sms"].dist is not None and names["send_sms"].dist.name == "ivrgraph-sms"
    entry = next(e for e in registry.catalog() if e["type"] == "send_sms")
    assert entry["default_exits"] == ["sent", "failed"]
    assert "ivrgraph-sms" in entry["plugin"]


def test_plugin_offers_its_gateway_through_the_services_group():
    points = {ep.name: ep for ep in entry_points(group=SERVICES_GROUP)}
    assert points["sms_gateway"].dist is not None and points["sms_gateway"].dist.name == "ivrgraph-sms"


@pytest.fixture
def gateway():
    with sms_gateway() as (url, received):
        yield url, received


def _sms_document(config: dict[str, Any]) -> dict[str, Any]:
    return make_document(
        [{"id": "start", "type": "start"}, {"id": "sms", "type": "send_sms", "config": config}],
        [("start", "next", "sms")],
        variables=[{"name": "day", "default": "lunes"}],
    )


async def _real_call(registry: BlockRegistry, config: dict[str, Any], services: Services) -> CallResult:
    channel = ScriptedChannel()
    facts = {"caller_id": "+34600111222"}
    return await run_call(parse_document(_sms_document(config)), channel, registry, services, facts=facts)


async def test_plugin_sends_in_a_real_call_through_the_gateway_the_node_loaded(registry, gateway, monkeypatch):
    """Review: nothing filled `extras`, so a real call found the gateway only through the block reading the
    environment itself. The node builds its services once at start, from the configuration then."""
    url, received = gateway
    monkeypatch.setenv("IVRGRAPH_SMS_GATEWAY_URL", url)
    services = Services(extras=load_plugin_services())
    monkeypatch.delenv("IVRGRAPH_SMS_GATEWAY_URL")  # the block reads the service, not the environment

    try:
        result = await _real_call(registry, {"text": "Su cita es el {{ day }}"}, services)
    finally:
        await close_plugin_services(services.extras)  # as the node does at shutdown

    assert result.steps[1].exit == "sent"
    assert received == [{"to": "+34600111222", "text": "Su cita es el lunes"}]


async def test_plugin_takes_failed_when_the_gateway_is_unreachable(registry, monkeypatch):
    with sms_gateway() as (url, _received):
        pass  # stopped: nothing listens on its port any more
    monkeypatch.setenv("IVRGRAPH_SMS_GATEWAY_URL", url)
    services = Services(extras=load_plugin_services())

    try:
        result = await _real_call(registry, {"text": "x", "timeout": 2}, services)
    finally:
        await close_plugin_services(services.extras)

    assert result.steps[1].exit == "failed"
    [event] = result.steps[1].events
    assert (event["kind"], event["to"], event["status"]) == ("sms", "+34600111222", "failed")
    assert event["reason"], "the trace says why"


async def test_plugin_in_a_test_call_sends_nothing_and_tells_what_it_would_send(registry, gateway, monkeypatch):
    """Review: a test call posted to the server's real gateway (a viewer's test call sent a real SMS)."""
    url, received = gateway
    monkeypatch.setenv("IVRGRAPH_SMS_GATEWAY_URL", url)

    sim = await simulate(
        _sms_document({"text": "Su cita es el {{ day }}"}), registry, SimulationInput(caller_id="+34600111222")
    )

    assert received == []
    step = sim.result.steps[1]
    assert step.exit == "sent"
    assert step.events == [
        {
            "kind": "test_call",
            "summary": "not sent in a test call: would send 'Su cita es el lunes' to +34600111222",
            "to": "+34600111222",
            "text": "Su cita es el lunes",
        }
    ]
    assert "would send 'Su cita es el lunes' to +34600111222 -> sent" in sim.story[1]


async def test_plugin_in_a_test_call_refuses_an_invalid_number_as_a_real_call_would(registry, gateway, monkeypatch):
    url, received = gateway
    monkeypatch.setenv("IVRGRAPH_SMS_GATEWAY_URL", url)

    sim = await simulate(_sms_document({"to": "{{ day }}", "text": "x"}), registry, SimulationInput())

    assert received == []
    assert sim.result.steps[1].exit == "failed"
    assert "invalid number" in sim.story[1]


async def test_plugin_in_a_test_call_without_a_gateway_says_a_real_call_would_fail(registry, monkeypatch):
    """The path a test call takes does not depend on the machine it runs on (`ivrgraph test` in CI has no
    gateway), but the analyst learns that this host could not send it."""
    monkeypatch.delenv("IVRGRAPH_SMS_GATEWAY_URL", raising=False)

    sim = await simulate(_sms_document({"text": "x"}), registry, SimulationInput())

    assert sim.result.steps[1].exit == "sent"
    assert "no SMS gateway is configured here: a real call would take 'failed'" in sim.story[1]


async def test_plugin_without_gateway_fails_cleanly(registry, monkeypatch):
    monkeypatch.delenv("IVRGRAPH_SMS_GATEWAY_URL", raising=False)
    extras = load_plugin_services()
    assert "sms_gateway" not in extras  # not configured: a node without a gateway still starts

    result = await _real_call(registry, {"text": "x"}, Services(extras=extras))

    assert result.steps[1].exit == "failed"
    assert result.steps[1].events == [
        {"kind": "sms", "to": "+34600111222", "status": "not sent", "reason": "no gateway"}
    ]


def test_an_unusable_gateway_url_stops_the_node_naming_the_plugin_and_the_setting(monkeypatch):
    monkeypatch.setenv("IVRGRAPH_SMS_GATEWAY_URL", "gateway.local/sms")

    with pytest.raises(ServicePluginError) as caught:
        load_plugin_services()

    assert "(from ivrgraph-sms)" in caught.value.plugin
    assert "IVRGRAPH_SMS_GATEWAY_URL must be an http:// or https:// URL (scheme '' given)" in str(caught.value)
    assert "gateway.local" not in str(caught.value), "a URL may carry a password: not echoed into the log"
