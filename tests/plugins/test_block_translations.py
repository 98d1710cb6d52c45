"""A block's `translations` (graph_engine/block.py): its title and description in the designer's languages, which
the catalog carries to the designer. Checked as the plugin registers, like the rest of it: a language the designer
does not speak, a text that is not a string or a key it does not read is refused, the plugin named, rather than
silently never shown (or drawn into the palette of every block).

Review (Russian analyst): the SMS plugin's palette entry read "Send SMS" in English; a plugin could not say more.
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pytest

from graph_engine.block import DESIGNER_LANGUAGES, BlockType
from graph_engine.context import BlockContext
from graph_engine.errors import BlockRegistrationError
from graph_engine.registry import ENTRY_POINT_GROUP, BlockRegistry, load_registry
from tests.conftest import ROOT

ORIGIN = "fax = acme_fax:FaxBlock (from acme-fax)"


def _fax(translations: Any) -> type[BlockType]:
    """A plugin block giving `translations`."""

    class FaxBlock(BlockType):
        type = "acme_fax"
        title = "Send Fax"
        description = "Faxes the caller a document."

        async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
            return "next"

    FaxBlock.translations = translations  # type: ignore[misc]  # what a plugin may have written, checked or not
    return FaxBlock


def _refusal(translations: Any) -> str:
    with pytest.raises(BlockRegistrationError) as caught:
        BlockRegistry().register(_fax(translations), origin=ORIGIN)
    assert caught.value.plugin == ORIGIN
    assert "docs/blocks.md" in caught.value.reason
    return caught.value.reason


@pytest.mark.parametrize(
    ("translations", "problem"),
    [
        (
            {"fr": {"title": "Envoyer un fax"}},
            "translations['fr']: the designer has no such language (it speaks en, es, ru)",
        ),
        ({"es": {"title": 7}}, "translations['es']['title'] must be a string, not int"),
        ({"ru": {"description": None}}, "translations['ru']['description'] must be a string, not NoneType"),
        (
            {"ru": {"titel": "Отправить факс"}},
            "translations['ru']['titel']: not a text the designer shows: the keys are `title`, `description`, ",
        ),
        ({"es": "Enviar fax"}, "translations['es'] must map text keys (`title`, `description`, "),
        ({"es": {"title": "  "}}, "translations['es']['title'] is empty: leave it out to show the English text"),
        (["es", "ru"], "translations must map a language code to the block's texts in it"),
    ],
)
def test_translations_the_designer_cannot_show_are_refused_naming_the_plugin(translations: Any, problem: str) -> None:
    assert problem in _refusal(translations)


def test_translations_in_the_designers_languages_register_and_reach_the_catalog() -> None:
    texts = {
        "es": {"title": "Enviar fax", "description": "Envía un fax a quien llama."},
        "ru": {"title": "Отправить факс"},  # a description left out: the English one is shown
        "en": {"title": "Send a Fax"},
    }
    registry = BlockRegistry()
    registry.register(_fax(texts), origin=ORIGIN)

    [entry] = registry.catalog()
    assert entry["translations"] == texts
    assert entry["title"] == "Send Fax"  # validation messages and `ivrgraph blocks` stay in English
    assert registry.node_name("acme_fax", "Notify") == 'Send Fax "Notify"'


def test_a_builtin_block_gives_its_title_and_no_other_words(registry: BlockRegistry) -> None:
    """The built-ins give their titles (an export names a block by it); their other words are the designer's own."""
    assert {entry["type"]: entry["translations"] for entry in registry.catalog() if entry["type"] == "start"} == {
        "start": {"es": {"title": "Inicio"}, "ru": {"title": "Начало"}}
    }


def test_a_plugin_with_broken_translations_is_left_out_by_a_host_serving_calls() -> None:
    """`load_registry(skip_broken=True)`: listed broken with the reason, its type missing, the rest served."""
    module_name = "acme_fax_translations"
    module = types.ModuleType(module_name)
    module.FaxBlock = _fax({"de": {"title": "Fax senden"}})  # type: ignore[attr-defined]
    sys.modules[module_name] = module
    builtins = [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.dist is not None and e.dist.name == "ivrgraph"]
    try:
        registry = load_registry(
            [*builtins, EntryPoint(name="acme_fax", value=f"{module_name}:FaxBlock", group=ENTRY_POINT_GROUP)],
            skip_broken=True,
        )
    finally:
        del sys.modules[module_name]

    [broken] = registry.broken
    assert broken.plugin == f"acme_fax = {module_name}:FaxBlock"
    assert "translations['de']" in broken.reason
    assert "acme_fax" not in registry and "start" in registry


def test_the_example_sms_plugin_speaks_spanish_and_russian(registry: BlockRegistry) -> None:
    entry = next(entry for entry in registry.catalog() if entry["type"] == "send_sms")
    assert entry["translations"]["es"]["title"] == "Enviar SMS"
    assert entry["translations"]["ru"]["title"] == "Отправить SMS"
    assert set(entry["translations"]) == {"es", "ru"}
    assert all(texts["description"].strip() for texts in entry["translations"].values())


def test_the_languages_are_the_designers() -> None:
    """The designer's interface languages (designer_ui/src/lib/i18n.ts) are those a block may be translated into."""
    source = (ROOT / "designer_ui" / "src" / "lib" / "i18n.ts").read_text(encoding="utf-8")
    found = re.search(r"export const LANGUAGES = \{ ([a-z, ]+) \} as const;", source)
    assert found is not None
    assert tuple(found.group(1).split(", ")) == DESIGNER_LANGUAGES


def test_the_plugin_authors_page_says_how() -> None:
    page = (ROOT / "docs" / "blocks.md").read_text(encoding="utf-8")
    section = page.split("### Translations\n", 1)[1].split("\n## ", 1)[0]
    for word in ("`translations`", '"es"', '"ru"', "`title`", "`description`", "refused"):
        assert word in section, word
