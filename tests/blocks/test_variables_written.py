"""Which variables each block sets on which exit (`variables_written_on`), checked against what its `run` does:
validation trusts these to say where a template may read a variable that is not there."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import pytest

from blocks import default_registry
from graph_engine.block import BlockType
from graph_engine.simulation import SimulationInput, simulate
from tests.conftest import make_document

SQL = {"source": "crm", "query": "SELECT name FROM c WHERE phone = :caller_id", "columns": {"name": "client_name"}}
CAPTURE = {"mode": "capture", "prompt": {"text": "Cuenta"}, "variable": "account", "max_tries": 2}
MENU = {"prompt": {"text": "1 o 2"}, "options": [{"key": "1"}, {"key": "2"}], "variable": "choice", "max_tries": 1}
CALLBACK = {"scenario": "x", "outside_window": "reject", "window": [{"days": ["mon"], "from": "09:00", "to": "10:00"}]}
MONDAY_9 = datetime.fromisoformat("2026-11-23T09:30:00+00:00")
MONDAY_11 = datetime.fromisoformat("2026-11-23T11:00:00+00:00")

# (block type, config, what drives the call, the exit it takes, what the block says it surely set on that exit)
CASES: list[tuple[str, dict[str, Any], SimulationInput, str, set[str]]] = [
    ("sql", SQL, SimulationInput(data_rows={"crm": [{"name": "Ana"}]}), "found", {"client_name"}),
    ("sql", SQL, SimulationInput(data_rows={"crm": []}), "not_found", set()),
    ("sql", {**SQL, "rows_variable": "rows"}, SimulationInput(data_rows={"crm": []}), "not_found", {"rows"}),
    ("sql", {**SQL, "rows_variable": "rows"}, SimulationInput(data_rows={"crm": [{"x": 1}]}), "error", set()),
    ("ivr", CAPTURE, SimulationInput(keys=["1234#"]), "next", {"account"}),
    ("ivr", CAPTURE, SimulationInput(keys=["-", "-"]), "max_tries", set()),
    ("ivr", CAPTURE, SimulationInput(keys=["hangup"]), "hangup", set()),
    ("ivr", MENU, SimulationInput(keys=["2"]), "2", {"choice"}),
    ("ivr", MENU, SimulationInput(keys=["7"]), "max_tries", set()),
    ("callback", CALLBACK, SimulationInput(at=MONDAY_9), "scheduled", {"callback_job_id", "callback_due"}),
    ("callback", CALLBACK, SimulationInput(at=MONDAY_11), "rejected", set()),
    ("callback", CALLBACK, SimulationInput(at=MONDAY_9, scheduler_fails=True), "error", set()),
    ("message", {"audio": "hello", "interrupt_keys": "1", "key_variable": "key"}, SimulationInput(), "next", {"key"}),
    (
        "set_variable",
        {"assignments": [{"variable": "a", "value": "1"}, {"variable": "b", "value": "{{ 1 / 0 }}"}]},
        SimulationInput(),
        "error",
        set(),
    ),
    ("set_variable", {"assignments": [{"variable": "a", "value": "1"}]}, SimulationInput(), "next", {"a"}),
]


@pytest.mark.parametrize(
    ("block_type", "config", "given", "exit_name", "claimed"),
    CASES,
    ids=[f"{case[0]}-{case[3]}-{index}" for index, case in enumerate(CASES)],
)
async def test_a_block_says_what_it_sets_on_each_exit(registry, block_type, config, given, exit_name, claimed):
    block = registry.get(block_type)
    assert block is not None
    assert block.variables_written_on(config, exit_name) == claimed
    assert claimed <= block.variables_written(config)
    doc = make_document([{"id": "start", "type": "start"}, {"id": "b", "type": block_type, "config": config}],
                        [("start", "next", "b")])  # fmt: skip
    sim = await simulate(doc, registry, given)
    step = next(step for step in sim.result.steps if step.node == "b")
    assert step.exit == exit_name
    assert claimed <= set(sim.result.variables), "the block claims a variable its run did not set"


@pytest.mark.parametrize(("config", "stored_on"), [(MENU, {"1", "2"}), (CAPTURE, {"next"})], ids=["menu", "capture"])
def test_menu_and_capture_store_only_valid_input(registry, config, stored_on):
    ivr = registry.get("ivr")
    assert ivr is not None
    for exit_name in [*ivr.exits(config), *ivr.implicit_exits()]:
        expected = ivr.variables_written(config) if exit_name in stored_on else set()
        assert ivr.variables_written_on(config, exit_name) == expected, exit_name


@pytest.mark.parametrize("block", sorted(default_registry(), key=lambda block: block.type), ids=lambda b: b.type)
def test_what_an_exit_sets_is_part_of_what_the_block_sets(block: BlockType):
    config = {n: s["default"] for n, s in block.config_schema.get("properties", {}).items() if "default" in s}
    for exit_name in [*block.exits(config), *block.implicit_exits()]:
        assert block.variables_written_on(config, exit_name) <= block.variables_written(config)


class _Plugin(BlockType):
    """A third-party block written before `variables_written_on` existed."""

    type = "legacy_plugin"
    title = "Legacy"
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"name": "ok"}, {"name": "failed"}]
    waits_for_caller = True

    def variables_written(self, config: Any) -> set[str]:
        return {"reply"}

    async def run(self, ctx: Any, config: Any) -> str:
        return "ok"


def test_a_plugin_without_the_hook_sets_its_variables_on_its_own_exits_only():
    plugin = _Plugin()
    assert plugin.variables_written_on({}, "ok") == plugin.variables_written_on({}, "failed") == {"reply"}
    # `error` and `hangup` are taken when `run` raised: nothing it meant to set can be counted on
    assert plugin.variables_written_on({}, "error") == plugin.variables_written_on({}, "hangup") == set()
