"""`BlockType.readiness(extras)`: whether a block can run on this host, asked once where plugin services are built.

Plugin author's review: a CRM block whose endpoint is not configured, or the example SMS plugin without
`IVRGRAPH_SMS_GATEWAY_URL`, had no proper way to say "this host cannot run me": `check(node, scenario)` runs wherever
validation runs (`ivrgraph validate` in CI failed without the setting), cannot see the plugin services, has to point
at an unrelated config field and runs only after the config passed its schema.

Here: what a host makes of the answers (graph_engine.readiness), that `ivrgraph validate` does not ask, that a test
call does not depend on it, and, through a real node on a real database called by the fake Asterisk over TCP, the
WARNING at start and the call that takes the block's error exit with the reason rather than running it. The example
SMS plugin is installed for real; its services are built by `load_plugin_services()` as the node builds them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from agi_server.plugin_services import load_plugin_services
from blocks import default_registry
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.readiness import host_registry, not_ready_reasons, not_ready_types, readiness_problems
from graph_engine.registry import BlockRegistry
from graph_engine.simulation import SimulationInput, simulate
from persistence import scenarios
from persistence.calls import CallFilter, get_call, list_calls
from persistence.db import Database
from persistence.migrate import upgrade
from tests.agi_server.conftest import database_node, registry_with
from tests.conftest import ROOT, make_document
from tests.fakes.asterisk import FakeAsterisk, default_env
from tests.fakes.sms_gateway import sms_gateway

REASON = "the SMS gateway is not configured: set IVRGRAPH_SMS_GATEWAY_URL"


def _sms_document(*, error_to: str | None = "sorry") -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "start"},
        {"id": "sms", "type": "send_sms", "label": "Reminder", "config": {"text": "Su cita es el lunes"}},
        {"id": "sorry", "type": "say_phrase", "config": {"text": "No pudimos enviar el mensaje"}},
        {"id": "bye", "type": "hangup"},
    ]
    edges = [("start", "next", "sms"), ("sms", "sent", "bye"), ("sms", "failed", "sorry"), ("sorry", "next", "bye")]
    if error_to is not None:
        edges.append(("sms", "error", error_to))
    return make_document(nodes, edges)


class CountsReadiness(BlockType):
    """Safe in a test call; not ready wherever it is asked with no `acme_crm` service."""

    type = "acme_crm_note"
    title = "CRM note"
    safe_in_test_call = True
    asked: ClassVar[list[Mapping[str, Any]]] = []

    def readiness(self, extras: Mapping[str, Any]) -> list[str]:
        self.asked.append(extras)
        return [] if "acme_crm" in extras else ["the CRM endpoint is not configured: set ACME_CRM_URL", "  "]

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        ctx.set("noted", "yes")
        return "next"


class RaisesWithASecret(BlockType):
    type = "acme_raises"
    title = "Raises"

    def readiness(self, extras: Mapping[str, Any]) -> list[str]:
        raise ValueError("cannot reach https://admin:s3cret@crm.acme.example")

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


class ForgetsToReturn(BlockType):
    type = "acme_forgets"
    title = "Forgets"

    def readiness(self, extras: Mapping[str, Any]) -> list[str]:
        if "acme_crm" not in extras:
            return ["no CRM"]
        return None  # type: ignore[return-value]  # the bug: meant []

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


class SaysNothingUseful(BlockType):
    type = "acme_blank"
    title = "Blank"

    def readiness(self, extras: Mapping[str, Any]) -> list[str]:
        return ["", "   "]  # nothing said: ready

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


def _plugins() -> BlockRegistry:
    return registry_with(CountsReadiness, RaisesWithASecret, ForgetsToReturn, SaysNothingUseful)


# -- what a host makes of the answers ---------------------------------------------------------


def test_a_block_is_ready_unless_it_says_otherwise_and_a_registry_all_ready_is_left_alone() -> None:
    builtins = default_registry()
    assert all(
        block.readiness({}) == [] for block in builtins if "blocks.builtin" in (builtins.origin(block.type) or "")
    )
    ready = host_registry(builtins, {"sms_gateway": object()})
    assert ready is builtins, "nothing stands in when every block can run"
    assert not_ready_types(ready) == {}


def test_the_sms_plugin_is_not_ready_without_its_gateway_and_ready_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = default_registry(skip_broken=True)
    monkeypatch.delenv("IVRGRAPH_SMS_GATEWAY_URL", raising=False)
    assert not_ready_types(host_registry(registry, load_plugin_services())) == {"send_sms": (REASON,)}
    with sms_gateway() as (url, _received):
        monkeypatch.setenv("IVRGRAPH_SMS_GATEWAY_URL", url)
        assert host_registry(registry, load_plugin_services()) is registry


def test_only_the_blocks_that_cannot_run_stand_in_and_the_rest_of_the_registry_is_shared() -> None:
    registry = _plugins()
    CountsReadiness.asked.clear()

    host = host_registry(registry, {"geo": "acme-geo"})

    assert CountsReadiness.asked == [{"geo": "acme-geo"}], "asked once, with the host's services"
    assert not_ready_types(host) == {
        "acme_crm_note": ("the CRM endpoint is not configured: set ACME_CRM_URL",),  # the blank reason dropped
        "acme_raises": ("its plugin's readiness check failed (ValueError); the server's log says why",),
        "acme_forgets": ("no CRM",),
        "send_sms": (REASON,),  # installed beside them, and no gateway here either
    }
    assert host.get("say_phrase") is registry.get("say_phrase")
    assert host.get("acme_blank") is registry.get("acme_blank")
    assert not_ready_reasons(registry.get("acme_crm_note")) == (), "the registry it came from is unchanged"
    assert host.origin("acme_crm_note") == registry.origin("acme_crm_note")
    assert host.catalog() == registry.catalog(), "the same blocks, described alike"
    assert len(host) == len(registry) and host.broken == registry.broken


def test_a_readiness_that_fails_is_not_ready_naming_the_bug_and_the_log_has_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="graph_engine.readiness"):
        host = host_registry(_plugins(), {"acme_crm": object(), "sms_gateway": object()})

    assert not_ready_types(host) == {
        "acme_raises": ("its plugin's readiness check failed (ValueError); the server's log says why",),
        "acme_forgets": (
            "its plugin's readiness() returned NoneType, not a list of reasons (it returns [] when the block is ready)",
        ),
    }
    assert "s3cret" not in json.dumps(host.catalog()) + repr(not_ready_types(host)), "every signed-in user reads these"
    [raised] = [record for record in caplog.records if "acme_raises" in record.getMessage()]
    assert raised.levelname == "ERROR" and raised.exc_info is not None  # the operator's log: the traceback


def test_problems_name_each_node_of_a_block_that_cannot_run_at_the_node() -> None:
    host = host_registry(default_registry(skip_broken=True), {})
    document = _sms_document()

    [problem] = readiness_problems(document, host)

    assert problem.as_dict() == {
        "severity": "error",
        "code": "block_not_ready",
        "message": f'Send SMS "Reminder" cannot run on this server: {REASON}',
        "node": "sms",
        "path": "$.nodes[1]",
        "params": {"block_type": "send_sms", "block_title": "Send SMS", "label": "Reminder", "detail": REASON},
    }
    assert readiness_problems(document, default_registry(skip_broken=True)) == [], "no host, no readiness"
    # A document too broken for validation to build does not break this either: validation names what is wrong.
    for broken in ({"nodes": 3}, [], None, {"nodes": [3, {"type": 5}]}):
        assert readiness_problems(broken, host) == []
    [no_id] = readiness_problems({"nodes": [3, {"type": 5}, {"type": "send_sms"}]}, host)
    assert (no_id.node, no_id.path, no_id.params["label"]) == (None, "$.nodes[2]", "")


def test_ivrgraph_validate_does_not_ask_whether_this_machine_could_run_the_blocks(tmp_path: Path) -> None:
    """CI has no gateway: a scenario is not wrong for being checked there."""
    scenario = tmp_path / "reminder.json"
    scenario.write_text(json.dumps(_sms_document()), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "IVRGRAPH_SMS_GATEWAY_URL"}

    done = subprocess.run(
        [sys.executable, "-m", "ivrgraph.cli", "validate", str(scenario)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    assert "block_not_ready" not in done.stdout + done.stderr


async def test_a_test_call_on_a_host_that_cannot_run_the_block_runs_it_as_anywhere_else() -> None:
    """What a test call does never depends on the machine it runs on (docs/test-calls.md): the designer's server,
    without the gateway, tells the same story as a laptop."""
    host = host_registry(_plugins(), {})
    sms = await simulate(_sms_document(), host, SimulationInput(caller_id="+34600111222"))
    assert [(step.node, step.exit) for step in sms.result.steps][:2] == [("start", "next"), ("sms", "sent")]

    noted = make_document(
        [{"id": "start", "type": "start"}, {"id": "crm", "type": "acme_crm_note"}], [("start", "next", "crm")]
    )
    safe = await simulate(noted, host, SimulationInput())
    assert safe.result.steps[1].exit == "next" and safe.result.variables["noted"] == "yes"  # its very `run`


# -- a real node: the start and a call --------------------------------------------------------


def _published(url: str, slug: str, document: dict[str, Any]) -> None:
    """A version stored as another node (one that has the gateway) published it."""
    database = Database(url)
    try:
        with database.session() as session:
            scenario = scenarios.create_scenario(session, slug=slug, document=document, actor="test")
            scenarios.store_version(session, scenario=scenario, document=document, message="", summary={}, actor="t")
    finally:
        database.dispose()


async def _called(url: str, port: int, slug: str, uniqueid: str) -> tuple[list[dict[str, Any]], str, str | None]:
    """Call `slug` through the fake Asterisk; the record's steps, outcome and error once the node wrote them."""
    env = default_env(slug, agi_callerid="+34600111222", agi_uniqueid=uniqueid)
    await FakeAsterisk("127.0.0.1", port, env=env, hold=2).run(timeout=20)
    database = Database(url)
    try:
        for _ in range(150):
            with database.session() as session:
                found, _ = list_calls(session, filters=CallFilter(asterisk_uniqueid=uniqueid), limit=1)
                if found:
                    call = get_call(session, call_id=found[0].id)
                    return list(call.trace["steps"]), str(call.outcome), call.error
            await asyncio.sleep(0.1)
    finally:
        database.dispose()
    raise AssertionError("the call's record never arrived")


@pytest.fixture
def node_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("IVRGRAPH_MEDIA_ROOT", str(tmp_path / "media"))
    monkeypatch.delenv("IVRGRAPH_AMI_HOST", raising=False)
    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade(url)
    return url


async def test_a_node_without_the_gateway_warns_at_start_and_its_calls_take_the_error_exit_with_the_reason(
    node_database: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("IVRGRAPH_SMS_GATEWAY_URL", raising=False)
    _published(node_database, "reminder", _sms_document())
    _published(node_database, "unwired", _sms_document(error_to=None))

    with caplog.at_level(logging.INFO, logger="agi_server.plugin_services"):
        async with database_node(node_database, poll_seconds=0.2) as server:
            wired = await _called(node_database, server.port, "reminder", "1700000000.1")
            unwired = await _called(node_database, server.port, "unwired", "1700000000.2")

    [warning] = [r for r in caplog.records if r.name == "agi_server.plugin_services" and "send_sms" in r.getMessage()]
    assert warning.levelname == "WARNING"
    assert warning.getMessage() == (
        f"block 'send_sms' cannot run on this node: {REASON}. Calls reaching it take its error exit, in: reminder v1, "
        "unwired v1"
    )
    steps, outcome, _error = wired
    said = f"Send SMS cannot run on this node: {REASON}"
    assert [(step["node"], step["exit"]) for step in steps] == [
        ("start", "next"), ("sms", "error"), ("sorry", "next"), ("bye", "hangup")
    ]  # fmt: skip
    assert steps[1]["error"] == said and outcome == "hung_up"
    steps, outcome, error = unwired
    assert (steps[1]["exit"], steps[1]["error"]) == ("error", said)
    assert outcome == "failed" and error == f"block 'sms' failed: {said}", "ended politely, with the reason"


async def test_a_node_with_the_gateway_runs_the_block_itself(
    node_database: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _published(node_database, "reminder", _sms_document())
    with sms_gateway() as (url, received):
        monkeypatch.setenv("IVRGRAPH_SMS_GATEWAY_URL", url)
        with caplog.at_level(logging.INFO, logger="agi_server.plugin_services"):
            async with database_node(node_database, poll_seconds=0.2) as server:
                steps, _outcome, _error = await _called(node_database, server.port, "reminder", "1700000000.3")

    assert steps[1]["exit"] == "sent"
    assert received == [{"to": "+34600111222", "text": "Su cita es el lunes"}]
    assert not [r for r in caplog.records if "cannot run on this node" in r.getMessage()]
