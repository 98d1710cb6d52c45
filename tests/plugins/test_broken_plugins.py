"""One broken plugin takes only its own blocks offline, when the host asks for it (`skip_broken=True`).

The plugin here is installed the way pip installs one (a module and a `.dist-info` with its entry points, on
sys.path), and it is broken the way an OS or Python upgrade breaks one: a module it imports is gone. Loading
strictly still refuses it (`ivrgraph blocks` in a CI that checks plugins); loading with `skip_broken` keeps every
other block, remembers why it was left out, and validation and calls treat its type as not installed, saying why.

Also here: a plugin whose static analysis (`templates()`, `exits()`, `check()`, the `variables_*` methods) raises is
named with the method and the exception, not only the exception's text.
"""

from __future__ import annotations

import logging
import sys
import textwrap
import types
from collections.abc import Iterator, Mapping
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, ClassVar

import pytest

from graph_engine.block import BlockType, TemplateField
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.errors import BlockRegistrationError
from graph_engine.interpreter import run_call
from graph_engine.issues import Issue, Severity
from graph_engine.registry import ENTRY_POINT_GROUP, BlockRegistry, load_registry
from graph_engine.scripted import ScriptedChannel
from graph_engine.trace import CallOutcome
from graph_engine.validation import validate
from tests.conftest import BUILTIN_BLOCK_TYPES, make_document

BROKEN_ORIGIN = "acme_broken = acme_broken:AcmeBlock (from acme-broken)"
BUILTINS = [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.dist is not None and e.dist.name == "ivrgraph"]
MODULE = "acme_broken_blocks"


@pytest.fixture
def broken_plugin_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`pip install acme-broken`, whose module imports a dependency that is no longer there."""
    (tmp_path / "acme_broken.py").write_text("import acme_vanished_dependency  # noqa: F401\n", encoding="utf-8")
    dist_info = tmp_path / "acme_broken-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-broken\nVersion: 1.0\n", encoding="utf-8")
    (dist_info / "entry_points.txt").write_text(
        textwrap.dedent(f"""\
            [{ENTRY_POINT_GROUP}]
            acme_broken = acme_broken:AcmeBlock
        """),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("acme_broken", None)


def _uses(block_type: str, config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "acme", "type": block_type, "label": "Notify", "config": config or {}},
        ],
        [("start", "next", "acme")],
    )


UNRELATED = make_document(
    [{"id": "start", "type": "start"}, {"id": "bye", "type": "hangup", "label": "Bye"}], [("start", "next", "bye")]
)


def _errors(issues: list[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.severity is Severity.ERROR]


# -- loading -------------------------------------------------------------------------------------------------


def test_loading_strictly_still_refuses_the_broken_plugin(broken_plugin_installed):
    with pytest.raises(BlockRegistrationError) as caught:
        load_registry()
    assert caught.value.plugin == BROKEN_ORIGIN
    assert "cannot be imported: ModuleNotFoundError" in caught.value.reason


def test_skipping_broken_plugins_loads_every_other_block_and_keeps_why(broken_plugin_installed):
    registry = load_registry(skip_broken=True)

    assert set(BUILTIN_BLOCK_TYPES) <= set(registry.types)
    assert "send_sms" in registry  # the other installed plugin (examples/plugins/ivrgraph-sms)
    assert "acme_broken" not in registry
    assert [error.plugin for error in registry.broken] == [BROKEN_ORIGIN]
    assert "acme_vanished_dependency" in registry.broken[0].reason
    # No entry in the catalog (GET /api/blocks, the palette): the block cannot be placed, only reported.
    assert "acme_broken" not in {entry["type"] for entry in registry.catalog()}


def test_the_broken_plugin_is_logged_once_at_error_naming_it(broken_plugin_installed, caplog):
    with caplog.at_level(logging.ERROR, logger="graph_engine.registry"):
        load_registry(skip_broken=True)
    said = [record for record in caplog.records if BROKEN_ORIGIN in record.getMessage()]
    assert len(said) == 1
    assert said[0].levelno == logging.ERROR
    assert "ModuleNotFoundError" in said[0].getMessage()


def test_a_registry_without_broken_plugins_has_none(registry):
    assert list(registry.broken) == []
    assert registry.broken_plugin("acme_broken") is None


# -- validation -----------------------------------------------------------------------------------------------


def test_a_scenario_that_does_not_use_the_broken_plugin_validates(broken_plugin_installed):
    assert _errors(validate(UNRELATED, load_registry(skip_broken=True))) == []


def test_a_scenario_using_the_broken_plugin_is_told_it_is_installed_but_broken_and_why(broken_plugin_installed):
    registry = load_registry(skip_broken=True)
    (issue,) = _errors(validate(_uses("acme_broken"), registry))

    assert issue.code == "unknown_type"  # the code clients already know; the reason is in params
    assert issue.node == "acme"
    assert issue.path == "$.nodes[1].type"
    reason = registry.broken[0].reason
    assert issue.params == {
        "block_type": "acme_broken",
        "block_title": "acme_broken",
        "label": "Notify",
        "plugin": BROKEN_ORIGIN,
        "detail": reason,
    }
    assert issue.message == (
        f'Block "Notify" is of type "acme_broken", whose plugin \'{BROKEN_ORIGIN}\' is installed but broken: {reason}'
    )


def test_a_type_no_plugin_provides_is_still_not_installed(broken_plugin_installed):
    (issue,) = _errors(validate(_uses("acme_other"), load_registry(skip_broken=True)))
    assert issue.code == "unknown_type"
    assert issue.message == 'Block "Notify" is of type "acme_other", which is not installed'
    assert "detail" not in issue.params


class _Plugin(BlockType):
    title = "Acme"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {"mode": {"type": "string"}}}

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


class BadSchema(_Plugin):
    """Imports fine, but is refused as it registers: its type name is known, whatever its entry point is called."""

    type = "acme_fax"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {"to": {"type": "strng"}}}


class FaultyTemplates(_Plugin):
    type = "acme_templates"

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        return [TemplateField(("url",), str(config["url"]))]


class FaultyExits(_Plugin):
    type = "acme_exits"

    def exits(self, config: Mapping[str, Any]) -> list[str]:
        if config.get("mode") == "weekly":  # the catalog's entry (the default config) still builds
            raise ValueError("no exits today")
        return super().exits(config)


class FaultyCheck(_Plugin):
    type = "acme_check"

    def check(self, node: Any, scenario: Any) -> list[Issue]:
        raise RuntimeError()


class FaultyVariablesRead(_Plugin):
    type = "acme_reads"

    def variables_read(self, config: Mapping[str, Any]) -> set[str]:
        raise LookupError("no such column")


class FaultyVariablesWrittenOn(_Plugin):
    type = "acme_writes"

    def variables_written_on(self, config: Mapping[str, Any], exit_name: str) -> set[str]:
        raise TypeError(f"exit {exit_name!r}?")


class FaultyExitsAndVariables(FaultyExits):
    type = "acme_everything"

    def variables_read(self, config: Mapping[str, Any]) -> set[str]:
        raise LookupError("no such column")


@pytest.fixture
def plugin_module() -> Iterator[None]:
    module = types.ModuleType(MODULE)
    for value in (BadSchema, FaultyTemplates, FaultyExits, FaultyCheck):
        setattr(module, value.__name__, value)
    sys.modules[MODULE] = module
    yield
    del sys.modules[MODULE]


def test_a_plugin_refused_after_import_is_known_by_its_block_type(plugin_module):
    entry = EntryPoint(name="fax", value=f"{MODULE}:BadSchema", group=ENTRY_POINT_GROUP)
    registry = load_registry([*BUILTINS, entry], skip_broken=True)

    (issue,) = _errors(validate(_uses("acme_fax"), registry))
    assert issue.code == "unknown_type"
    assert issue.params["plugin"] == f"fax = {MODULE}:BadSchema"
    assert "config_schema.properties.to.type" in str(issue.params["detail"])
    assert registry.broken_plugin("fax") is None  # its entry point's name is not a type anyone uses


# -- calls ------------------------------------------------------------------------------------------------------


async def test_a_call_reaching_the_broken_plugin_fails_as_for_an_unknown_type(broken_plugin_installed):
    registry = load_registry(skip_broken=True)
    scenario = parse_document(_uses("acme_broken"))

    result = await run_call(scenario, ScriptedChannel(), registry)

    assert result.outcome is CallOutcome.FAILED
    assert [(step.node, step.exit) for step in result.steps] == [("start", "next"), ("acme", "error")]
    assert result.steps[1].error == "unknown block type 'acme_broken'"


# -- static analysis that raises ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block_class", "said", "method", "exception"),
    [
        (FaultyTemplates, "templates() raised KeyError: 'url'", "templates", "KeyError"),
        (FaultyExits, "exits() raised ValueError: no exits today", "exits", "ValueError"),
        (FaultyCheck, "check() raised RuntimeError", "check", "RuntimeError"),
    ],
)
def test_a_static_analysis_method_that_raises_is_named_with_its_exception(block_class, said, method, exception):
    registry = BlockRegistry.of([block_class])
    registry.register(type(load_registry(BUILTINS).get("start")), origin="start", builtin=True)
    issues = [i for i in validate(_uses(block_class.type, {"mode": "weekly"}), registry) if i.code == "check_failed"]

    (issue,) = issues
    assert issue.message == f'Acme "Notify": its settings could not be checked: {said}'
    assert issue.path == "$.nodes[1].config"
    assert issue.params["method"] == method
    assert issue.params["exception"] == exception
    assert issue.params["detail"] == said.removeprefix(f"{method}() raised ")  # what the designer shows


def _registry_with(block_class: type[BlockType]) -> BlockRegistry:
    registry = BlockRegistry.of([block_class])
    for builtin in ("start", "hangup"):
        registry.register(type(load_registry(BUILTINS).get(builtin)), origin=builtin, builtin=True)
    return registry


def _onwards(block_type: str) -> dict[str, Any]:
    """Start -> the plugin's block -> Hang up: data flows out of the plugin's block by its `next` exit."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "acme", "type": block_type, "label": "Notify", "config": {"mode": "weekly"}},
            {"id": "bye", "type": "hangup", "label": "Bye"},
        ],
        [("start", "next", "acme"), ("acme", "next", "bye")],
    )


@pytest.mark.parametrize(
    ("block_class", "method", "detail"),
    [
        (FaultyVariablesRead, "variables_read", "LookupError: no such column"),
        (FaultyVariablesWrittenOn, "variables_written_on", "TypeError: exit 'next'?"),
    ],
)
def test_a_variables_method_that_raises_is_named_as_a_warning(block_class, method, detail):
    """They feed the check of variables read before they are set, itself only warnings: a plugin's bug there
    must be seen (it was silently skipped), but must not stop a publish the block's own checks allow."""
    issues = validate(_onwards(block_class.type), _registry_with(block_class))

    (issue,) = [i for i in issues if i.code == "check_failed"]
    assert issue.severity is Severity.WARNING
    assert issue.node == "acme"
    assert issue.message == f'Acme "Notify": its settings could not be checked: {method}() raised {detail}'
    assert (issue.params["method"], issue.params["detail"]) == (method, detail)
    assert not _errors(issues)


def test_a_block_whose_checks_fail_twice_is_named_once_by_the_first_failure():
    issues = validate(_onwards(FaultyExitsAndVariables.type), _registry_with(FaultyExitsAndVariables))

    (issue,) = [i for i in issues if i.code == "check_failed"]
    assert issue.severity is Severity.ERROR
    assert issue.params["method"] == "exits"
