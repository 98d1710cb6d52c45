"""The typed parts of the block API: `ExitRule` (mypy strict refuses a misspelt key in a plugin's `exit_rules`)
and `Services.extra`, a plugin's own service typed as its class, with a clear error when the host has none or
another one under that name; `Services.extras` keeps working for the plugins that read it."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from mypy import api as mypy_api

from blocks import default_registry
from graph_engine.block import BlockType, ExitRule
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.errors import ServiceError
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services
from tests.conftest import ROOT, make_document


@dataclass(frozen=True)
class _BookingApi:
    url: str

    def next_slot(self) -> str:
        return "10:30"


class _SlotBlock(BlockType):
    type = "test.typed_slot"
    title = "Slot"
    exit_rules: ClassVar[list[ExitRule]] = [{"name": "ok", "label": "Slot found"}]

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        ctx.set("slot_time", ctx.services.extra("acme_booking", _BookingApi).next_slot())
        return "ok"


def test_extra_gives_the_service_as_its_class() -> None:
    api = _BookingApi("http://booking")
    services = Services(extras={"acme_booking": api})
    assert services.extra("acme_booking", _BookingApi) is api
    assert services.extras["acme_booking"] is api  # the dict, as plugins written before `extra` read it


def test_extra_names_a_missing_service_and_why() -> None:
    with pytest.raises(
        ServiceError, match=re.escape("'acme_booking' is not set up: no `ivrgraph.services` entry point")
    ):
        Services().extra("acme_booking", _BookingApi)
    with pytest.raises(ServiceError, match="a test call has no plugin services"):
        Services(simulated=True).extra("acme_booking", _BookingApi)
    with pytest.raises(ServiceError, match="not set up"):  # a factory that returned None leaves the name out
        Services(extras={"acme_booking": None}).extra("acme_booking", _BookingApi)


def test_extra_refuses_a_service_of_another_type() -> None:
    with pytest.raises(ServiceError, match="'acme_booking' is a str, not the _BookingApi its block expects"):
        Services(extras={"acme_booking": "http://booking"}).extra("acme_booking", _BookingApi)


async def test_a_call_without_the_service_takes_the_error_exit_saying_which() -> None:
    registry = BlockRegistry.of([*(type(block) for block in default_registry()), _SlotBlock])
    document = make_document(
        [{"id": "start", "type": "start"}, {"id": "slot", "type": "test.typed_slot"}, {"id": "bye", "type": "hangup"}],
        [("start", "next", "slot"), ("slot", "ok", "bye"), ("slot", "error", "bye")],
    )
    scenario = parse_document(document)
    result = await run_call(scenario, ScriptedChannel(), registry, Services())
    step = next(step for step in result.steps if step.node == "slot")
    assert step.exit == "error" and "'acme_booking' is not set up" in (step.error or "")
    served = await run_call(scenario, ScriptedChannel(), registry, Services(extras={"acme_booking": _BookingApi("u")}))
    assert [step.exit for step in served.steps if step.node == "slot"] == ["ok"]
    assert served.variables["slot_time"] == "10:30"


PLUGIN = """
from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType, ExitRule
from graph_engine.context import BlockContext


class Api:
    def ping(self) -> int:
        return 1


class Block(BlockType):
    type = "x.block"
    title = "X"
    exit_rules: ClassVar[list[ExitRule]] = [
        {RULE},
        {"each": "options", "name_from": "key", "if": {"mode": "menu"}},
    ]

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        reveal_type(ctx.services.extra("api", Api))
        return "ok"
"""


def _mypy(tmp_path: Path, rule: str) -> str:
    module = tmp_path / "plugin_module.py"
    module.write_text(textwrap.dedent(PLUGIN).replace("{RULE}", rule), encoding="utf-8")
    cache = tmp_path.parent / "mypy-cache"  # one cache for the module's runs: graph_engine is read once
    out, err, _ = mypy_api.run(
        ["--strict", "--no-error-summary", "--config-file", "", "--cache-dir", str(cache), str(module)]
    )
    return out + err


@pytest.mark.parametrize(
    ("rule", "refused"),
    [
        ('{"name": "ok", "label": "Slot found"}', False),
        ('{"name": "ok", "lable": "Slot found"}', True),  # a misspelt key
        ('{"label": "Slot found"}', True),  # no exit name
        ('{"name": "ok", "iff": {"mode": "x"}}', True),
        ('{"each": "options", "name": "key"}', True),  # `name` where `name_from` is meant
    ],
)
def test_mypy_strict_checks_a_plugins_exit_rules_and_types_its_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: str, refused: bool
) -> None:
    monkeypatch.chdir(ROOT)  # mypy finds graph_engine where the project is
    report = _mypy(tmp_path, rule)
    assert 'Revealed type is "plugin_module.Api"' in report
    errors = [line.partition(": error:")[0] + ": error" for line in report.splitlines() if ": error:" in line]
    # mypy names the rule (`List item 0 has incompatible type ...`), at its line in PLUGIN
    assert errors == ([f"{tmp_path / 'plugin_module.py'}:18: error"] if refused else []), report
