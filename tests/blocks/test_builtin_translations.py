"""The built-in blocks name themselves in the designer's languages through the catalog's `translations`, as a
plugin's block does, so server-made texts (the call register's export) can name them too. The designer keeps its
own table of their titles (designer_ui/src/lib/blockText.ts TITLES) only for a type with no catalog entry at hand;
these tests keep that table, and the catalog its unit tests draw from, in step with the blocks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from blocks import default_registry
from graph_engine.block import DESIGNER_LANGUAGES, BlockType
from graph_engine.translations import translations_problem

ROOT = Path(__file__).resolve().parents[2]
BLOCK_TEXT = ROOT / "designer_ui" / "src" / "lib" / "blockText.ts"
DESIGNER_CATALOG = ROOT / "designer_ui" / "src" / "lib" / "fixtures" / "catalog.json"
TRANSLATED = tuple(language for language in DESIGNER_LANGUAGES if language != "en")


def _builtins() -> dict[str, BlockType]:
    registry = default_registry()
    return {
        entry["type"]: block
        for entry in registry.catalog()
        if entry["plugin"].endswith("(from ivrgraph)") and (block := registry.get(entry["type"])) is not None
    }


BUILTINS = _builtins()


def _designer_titles() -> dict[str, dict[str, str]]:
    """blockText.ts's TITLES, language -> type -> title."""
    source = BLOCK_TEXT.read_text(encoding="utf-8")
    table = re.search(r"const TITLES[^=]*= \{\n(.*?)\n\};", source, re.DOTALL)
    assert table is not None, "blockText.ts has no TITLES table to compare"
    titles: dict[str, dict[str, str]] = {}
    for language, body in re.findall(r"^  (\w+): \{\n(.*?)\n  \},", table.group(1), re.DOTALL | re.MULTILINE):
        titles[language] = dict(re.findall(r'^\s+(\w+): "([^"]*)",', body, re.MULTILINE))
    return titles


def test_the_builtins_are_found() -> None:
    assert {"start", "ivr", "sql", "hangup"} <= set(BUILTINS)


@pytest.mark.parametrize("block_type", sorted(BUILTINS))
def test_each_builtin_has_its_title_in_every_designer_language(block_type: str) -> None:
    block = BUILTINS[block_type]
    assert translations_problem(block) is None
    for language in TRANSLATED:
        title = block.translations.get(language, {}).get("title", "")
        assert title.strip() and title != block.title, (block_type, language)


def test_the_designers_own_titles_are_the_catalogs() -> None:
    """TITLES in blockText.ts is the designer's fallback for a type it has no catalog entry of: the same words."""
    designer = _designer_titles()
    assert set(designer) == set(TRANSLATED)
    for language in TRANSLATED:
        assert designer[language] == {t: b.translations[language]["title"] for t, b in BUILTINS.items()}, language


def test_the_designer_tests_catalog_carries_the_blocks_translations() -> None:
    for entry in json.loads(DESIGNER_CATALOG.read_text(encoding="utf-8")):
        block = BUILTINS[entry["type"]]
        assert entry.get("translations") == block.describe()["translations"], (
            f"{entry['type']}: designer_ui/src/lib/fixtures/catalog.json and the block disagree on translations"
        )


def test_the_ivr_prompts_are_titled_for_a_menu_and_a_capture_alike() -> None:
    """In capture mode there is no menu and no key to get wrong: the caller types a number."""
    ivr = BUILTINS["ivr"]
    fields = ivr.config_schema["properties"]
    assert fields["prompt"]["title"] == "Prompt"
    assert fields["invalid_prompt"]["title"] == "When the entry is invalid"
    assert ivr.translations["es"]["fields.prompt.title"] == "Mensaje"
    assert ivr.translations["ru"]["fields.prompt.title"] == "Сообщение"
    assert ivr.translations["es"]["fields.invalid_prompt.title"] == "Si la entrada no es válida"
    assert ivr.translations["ru"]["fields.invalid_prompt.title"] == "Если ввод неверен"
