"""Review: `ctx.services.extras` is where a plugin finds its own services by name (docs/blocks.md), but nothing in
the product filled it, so a plugin reading its client from extras got None in every real call. A host now fills it
from the `ivrgraph.services` entry-point group, as blocks and TTS engines are found: each entry point names a
factory, called once at start, whose service is `extras[<entry point name>]`.

The plugins here are installed for real: a distribution's metadata (`*.dist-info` with its entry_points.txt) and
its module in a folder on sys.path, found by `importlib.metadata` as pip's installs are.
"""

from __future__ import annotations

import logging
import os
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any, ClassVar

import pytest

from agi_server.errors import ServicePluginError
from agi_server.plugin_services import ENTRY_POINT_GROUP, close_plugin_services, load_plugin_services
from blocks.builtin.start import StartBlock
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.registry import BlockRegistry
from graph_engine.simulation import SimulationInput, simulate
from tests.conftest import make_document

Install = Callable[..., None]

ACME_SERVICES = """
    import os

    class Crm:
        def __init__(self, url):
            self.url = url

    def crm():
        os.environ["ACME_CRM_CALLS"] = str(int(os.environ.get("ACME_CRM_CALLS", "0")) + 1)
        return Crm("https://crm.acme.example")

    def geo():
        return {"provider": "acme-geo"}

    def not_configured():
        return None  # no URL set on this node: no service

    def broken():
        raise ValueError("ACME_URL must be an https:// URL, not 'ftp://x'")

    async def asynchronous():
        return object()

    NOT_A_FACTORY = 42
"""


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Install a distribution offering `services` ({entry point name: "module:attribute"}) as pip would."""
    site = tmp_path / "site-packages"
    site.mkdir()
    (site / "acme_services.py").write_text(textwrap.dedent(ACME_SERVICES), encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("ACME_CRM_CALLS", "0")  # counted by the crm factory; restored after the test
    # The example SMS plugin is installed here too: unconfigured, it offers no service and cannot fail the load.
    monkeypatch.delenv("IVRGRAPH_SMS_GATEWAY_URL", raising=False)

    def installed(distribution: str, services: Mapping[str, str]) -> None:
        info = site / f"{distribution.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n")
        lines = "".join(f"{name} = {value}\n" for name, value in services.items())
        (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}", encoding="utf-8")

    yield installed
    sys.modules.pop("acme_services", None)


def test_each_service_is_built_once_and_found_under_its_entry_point_name(install: Install) -> None:
    install("acme-crm", {"crm": "acme_services:crm", "geo": "acme_services:geo"})

    services = load_plugin_services()

    assert services["crm"].url == "https://crm.acme.example"
    assert services["geo"] == {"provider": "acme-geo"}
    assert os.environ["ACME_CRM_CALLS"] == "1"


def test_a_factory_returning_none_offers_no_service(install: Install) -> None:
    install("acme-crm", {"crm": "acme_services:not_configured"})

    services = load_plugin_services()

    assert "crm" not in services


def _refused(install: Install, name: str, value: str) -> ServicePluginError:
    install("acme-crm", {name: value})
    with pytest.raises(ServicePluginError) as caught:
        load_plugin_services()
    assert caught.value.plugin == f"{name} = {value} (from acme-crm)"
    assert str(caught.value).startswith(f"service plugin '{name} = {value} (from acme-crm)' cannot start: ")
    return caught.value


def test_a_plugin_that_cannot_be_imported_is_named(install: Install) -> None:
    refused = _refused(install, "crm", "acme_missing:crm")

    assert refused.reason == "cannot be imported: ModuleNotFoundError: No module named 'acme_missing'"


def test_a_factory_that_raises_is_named_with_its_error(install: Install) -> None:
    refused = _refused(install, "crm", "acme_services:broken")

    assert refused.reason == "its factory raised ValueError: ACME_URL must be an https:// URL, not 'ftp://x'"
    assert isinstance(refused.__cause__, ValueError)


def test_an_entry_point_that_names_no_callable_is_refused(install: Install) -> None:
    refused = _refused(install, "crm", "acme_services:NOT_A_FACTORY")

    assert refused.reason == "does not name a factory (a callable taking no arguments): it names an int"


def test_an_async_factory_is_refused_since_start_up_cannot_await_it(install: Install) -> None:
    refused = _refused(install, "crm", "acme_services:asynchronous")

    assert "async def" in refused.reason


def test_two_plugins_offering_one_name_are_both_named(install: Install) -> None:
    install("acme-crm", {"crm": "acme_services:crm"})
    install("other-crm", {"crm": "acme_services:geo"})

    with pytest.raises(ServicePluginError) as caught:
        load_plugin_services()

    message = str(caught.value)
    assert "(from acme-crm)" in message and "(from other-crm)" in message
    assert "two plugins cannot offer one service name" in message


def test_given_entry_points_are_loaded_instead_of_the_installed_ones(install: Install) -> None:
    install("acme-crm", {"crm": "acme_services:crm"})
    given = [EntryPoint(name="geo", value="acme_services:geo", group=ENTRY_POINT_GROUP)]

    assert load_plugin_services(given) == {"geo": {"provider": "acme-geo"}}


class _Closing:
    def __init__(self, closed: list[str], name: str) -> None:
        self.closed, self.name = closed, name


class _AsyncClosing(_Closing):
    async def aclose(self) -> None:
        self.closed.append(self.name)


class _SyncClosing(_Closing):
    def close(self) -> None:
        self.closed.append(self.name)


class _FailingClose:
    async def aclose(self) -> None:
        raise ConnectionResetError("the CRM went away")


async def test_close_calls_each_services_close_hook_and_a_failing_one_stops_none_of_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed: list[str] = []
    services = {
        "broken": _FailingClose(),
        "crm": _AsyncClosing(closed, "crm"),
        "geo": _SyncClosing(closed, "geo"),
        "plain": {"no": "hook"},
    }

    with caplog.at_level(logging.WARNING, logger="agi_server.plugin_services"):
        await close_plugin_services(services)

    assert closed == ["crm", "geo"]
    assert [record.getMessage() for record in caplog.records] == [
        "service plugin 'broken' did not close: ConnectionResetError: the CRM went away"
    ]


class _ExtrasProbe(BlockType):
    """Notes which services a call finds in extras."""

    type = "acme_extras_probe"
    title = "Extras Probe"
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"name": "next"}]
    safe_in_test_call = True

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        ctx.note("extras", names=sorted(ctx.services.extras))
        return "next"


async def test_a_test_call_finds_extras_empty_whatever_is_installed(install: Install) -> None:
    """docs/test-calls.md: nothing may leave a test call, so it reaches none of the node's plugin services."""
    install("acme-crm", {"crm": "acme_services:crm"})
    document = make_document(
        [{"id": "start", "type": "start"}, {"id": "probe", "type": "acme_extras_probe"}], [("start", "next", "probe")]
    )

    sim = await simulate(document, BlockRegistry.of([StartBlock, _ExtrasProbe]), SimulationInput())

    assert sim.result.steps[1].events == [{"kind": "extras", "names": []}]
