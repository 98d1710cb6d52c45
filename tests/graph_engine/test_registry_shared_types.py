"""Two plugins claiming one block type name: neither serves it, whichever of them the distributions list first.

Review: acme-dup1 and acme-dup2, both of type `acme_dup`. acme-dup2 served the type because os.listdir happened
to list its `.dist-info` first; the log said acme-dup1 was left out and that "scenarios using its blocks fail
validation", while scenarios using `acme_dup` validated against "Acme Dup 2" and ran it, and
`GET /api/blocks/broken` gave `"type": null`. The plugins here are installed the way pip installs one (a module
and a `.dist-info` with its entry points, on sys.path, as in tests/plugins/test_broken_plugins.py), each in a site
folder of its own, so that the test chooses which distribution is listed first.
"""

from __future__ import annotations

import logging
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from graph_engine.document import parse_document
from graph_engine.errors import BlockRegistrationError
from graph_engine.interpreter import run_call
from graph_engine.issues import Severity
from graph_engine.registry import ENTRY_POINT_GROUP, load_registry
from graph_engine.scripted import ScriptedChannel
from graph_engine.trace import CallOutcome
from graph_engine.validation import validate
from tests.conftest import BUILTIN_BLOCK_TYPES, make_document


def install(site: Path, number: int, type_name: str = "acme_dup") -> str:
    """`pip install acme-dup<number>` into `site`: one block, "Acme Dup <number>", of type `type_name`. Returns
    the plugin's origin as messages name it."""
    module = f"acme_dup{number}"
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(
        textwrap.dedent(f"""\
            from graph_engine.block import BlockType


            class DupBlock(BlockType):
                type = {type_name!r}
                title = "Acme Dup {number}"

                async def run(self, ctx, config):
                    return "next"
        """),
        encoding="utf-8",
    )
    dist_info = site / f"acme_dup{number}-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: acme-dup{number}\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n{type_name} = {module}:DupBlock\n", encoding="utf-8"
    )
    return f"{type_name} = {module}:DupBlock (from acme-dup{number})"


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InstallPlugins]:
    installer = InstallPlugins(tmp_path, monkeypatch)
    yield installer
    for number in installer.numbers:
        sys.modules.pop(f"acme_dup{number}", None)


class InstallPlugins:
    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.monkeypatch = root, monkeypatch
        self.numbers: list[int] = []

    def __call__(self, numbers: Sequence[int], type_name: str = "acme_dup") -> list[str]:
        """Install acme-dup<n> for each n, each listed before the ones after it (its site earlier on sys.path)."""
        origins = []
        for number in numbers:
            origins.append(install(self.root / f"site{number}", number, type_name))
            self.numbers.append(number)
        for number in reversed(numbers):
            self.monkeypatch.syspath_prepend(str(self.root / f"site{number}"))
        return origins


def _uses_acme_dup() -> dict[str, object]:
    return make_document(
        [{"id": "start", "type": "start"}, {"id": "dup", "type": "acme_dup", "label": "Notify", "config": {}}],
        [("start", "next", "dup")],
    )


@pytest.mark.parametrize("listed", [(1, 2), (2, 1)], ids=["dup1-listed-first", "dup2-listed-first"])
def test_neither_plugin_serves_a_type_name_both_claim(installed: InstallPlugins, listed: tuple[int, int]) -> None:
    origins = installed(listed)

    registry = load_registry(skip_broken=True)

    assert "acme_dup" not in registry
    assert "acme_dup" not in {entry["type"] for entry in registry.catalog()}
    assert set(BUILTIN_BLOCK_TYPES) <= set(registry.types)
    assert [error.plugin for error in registry.broken] == origins  # in loading order, both
    for error, other in zip(registry.broken, reversed(origins), strict=True):
        assert f"its block type 'acme_dup' is also claimed by {other}" in error.reason
        assert "two plugins cannot share a type name, so neither provides it" in error.reason
        assert registry.missing_type(error) == "acme_dup"  # what GET /api/blocks/broken says is missing


def test_a_third_plugin_claiming_the_type_is_left_out_too(installed: InstallPlugins) -> None:
    origins = installed([1, 2, 3])

    registry = load_registry(skip_broken=True)

    assert "acme_dup" not in registry
    assert [error.plugin for error in registry.broken] == origins
    assert f"also claimed by {origins[0]}; {origins[1]}:" in registry.broken[2].reason


def test_a_scenario_using_the_shared_type_fails_validation_naming_both_distributions(
    installed: InstallPlugins,
) -> None:
    installed([2, 1])
    registry = load_registry(skip_broken=True)

    (issue,) = [issue for issue in validate(_uses_acme_dup(), registry) if issue.severity is Severity.ERROR]

    assert issue.code == "unknown_type"
    assert "Acme Dup" not in issue.message  # validated against neither block
    assert "(from acme-dup1)" in issue.message and "(from acme-dup2)" in issue.message
    assert issue.params["plugin"] == registry.broken[0].plugin
    assert "two plugins cannot share a type name" in str(issue.params["detail"])


async def test_a_call_reaching_the_shared_type_fails_as_for_an_unknown_type(installed: InstallPlugins) -> None:
    installed([2, 1])

    result = await run_call(parse_document(_uses_acme_dup()), ScriptedChannel(), load_registry(skip_broken=True))

    assert result.outcome is CallOutcome.FAILED
    assert result.steps[-1].error == "unknown block type 'acme_dup'"


def test_loading_strictly_refuses_the_first_naming_the_other(installed: InstallPlugins) -> None:
    first, second = installed([2, 1])

    with pytest.raises(BlockRegistrationError) as caught:
        load_registry()

    assert caught.value.plugin == first
    assert f"also claimed by {second}" in caught.value.reason


def test_each_plugin_left_out_is_logged_once_saying_the_type_is_missing(
    installed: InstallPlugins, caplog: pytest.LogCaptureFixture
) -> None:
    origins = installed([2, 1])

    with caplog.at_level(logging.ERROR, logger="graph_engine.registry"):
        load_registry(skip_broken=True)

    for origin in origins:
        (said,) = [message for message in caplog.messages if f"block plugin {origin!r}" in message]
        assert said.endswith(
            "; left out: scenarios using its block type 'acme_dup' fail validation, calls reaching them fail"
        )


def test_a_plugin_taking_a_builtins_type_is_left_out_and_the_log_says_the_builtin_keeps_it(
    installed: InstallPlugins, caplog: pytest.LogCaptureFixture
) -> None:
    """The built-in is not "shared": it keeps its name, each plugin claiming it is the broken one."""
    first, second = installed([1, 2], type_name="hangup")

    with caplog.at_level(logging.ERROR, logger="graph_engine.registry"):
        registry = load_registry(skip_broken=True)

    assert registry.origin("hangup") == "hangup = blocks.builtin.hangup:HangUpBlock (from ivrgraph)"
    assert [error.plugin for error in registry.broken] == [first, second]
    assert all(registry.missing_type(error) is None for error in registry.broken)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    for message in messages:
        assert "taken by the built-in" in message
        assert message.endswith("; left out: the Hang Up block keeps serving type 'hangup'")
        assert "fail validation" not in message
