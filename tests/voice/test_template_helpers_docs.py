"""The table of template helpers in docs/scenario-format.md is the engine's: each helper it names exists with the
signature it writes, says its example as the table says in each language, and the currencies it lists are those
`money` speaks. The designer's Insert variable offers the same signatures (designer_ui's variables.helpers.test.ts).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from graph_engine import templates
from voice.spoken import CURRENCIES, LANGUAGES, TEMPLATE_FUNCTIONS
from voice.templating import install_template_functions

DOCS = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"
MARKER = "<!-- template-helpers -->"
# The filters the engine adds to Jinja's own (graph_engine/templates.py), called as `value | name(...)`.
FILTERS: dict[str, Callable[..., Any]] = {"e164": templates.e164}
_CALL = re.compile(r"^(?:(?P<piped>[a-z_]+) \| )?(?P<name>[a-z_0-9]+)\((?P<params>[^)]*)\)$")


class Row(NamedTuple):
    signature: str
    example: str
    said: dict[str, str]  # language -> what the example says


def _cells(line: str) -> list[str]:
    """A table row's cells, `\\|` being a pipe inside a cell."""
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def _code(cell: str) -> str:
    assert cell.startswith("`") and cell.endswith("`"), f"not code: {cell!r}"
    return cell[1:-1]


def documented_rows() -> list[Row]:
    text = DOCS.read_text(encoding="utf-8")
    assert text.count(MARKER) == 1, f"{DOCS.name} marks its table of template helpers with {MARKER} once"
    lines = text.split(MARKER, 1)[1].lstrip("\n").splitlines()
    table = lines[: next(i for i, line in enumerate(lines) if not line.startswith("|"))]
    header = _cells(table[0])
    assert header[:3] == ["Helper", "Says", "Example"], header
    languages = header[3:]
    return [
        Row(_code(cells[0]), _code(cells[2]), dict(zip(languages, cells[3:], strict=True)))
        for cells in map(_cells, table[2:])
    ]


def _written(function: Callable[..., Any], *, piped: bool) -> tuple[str | None, str]:
    """A function's signature as the table writes it: ("number", "country_code, national_length, ...") for a
    filter, whose first parameter is the value before the pipe; (None, "value, lang, gender='m'") for a global."""
    params = [
        p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
        for p in inspect.signature(function).parameters.values()
    ]
    return (params[0], ", ".join(params[1:])) if piped else (None, ", ".join(params))


@pytest.fixture(scope="module", autouse=True)
def _helpers_installed() -> None:
    install_template_functions()


def test_the_table_names_every_helper_the_engine_registers_once() -> None:
    names = [m.group("name") for m in (_CALL.match(row.signature) for row in documented_rows()) if m]
    assert len(names) == len(documented_rows()), "each signature reads `name(params)` or `value | name(params)`"
    assert sorted(names) == sorted([*TEMPLATE_FUNCTIONS, *FILTERS])
    assert set(TEMPLATE_FUNCTIONS) <= templates.GLOBAL_NAMES


@pytest.mark.parametrize("row", documented_rows(), ids=lambda row: row.signature.split("(")[0])
def test_each_documented_signature_is_the_engines(row: Row) -> None:
    match = _CALL.match(row.signature)
    assert match is not None
    name, piped = match.group("name"), match.group("piped")
    function = FILTERS[name] if piped else TEMPLATE_FUNCTIONS[name]
    assert (piped, match.group("params")) == _written(function, piped=piped is not None)


@pytest.mark.parametrize("row", documented_rows(), ids=lambda row: row.signature.split("(")[0])
def test_each_example_says_what_the_table_says(row: Row) -> None:
    assert set(row.said) == {"en", "es", "ru"}
    for language, said in row.said.items():
        assert templates.render(f"{{{{ {row.example} }}}}", {"language": language}) == said, language


def test_the_documented_currencies_and_languages_are_those_money_speaks() -> None:
    text = DOCS.read_text(encoding="utf-8")
    currencies = re.search(r"Currencies `money` speaks: ([^.]*)\.", text)
    languages = re.search(r"Languages the helpers speak: ([^.]*)\.", text)
    assert currencies is not None and languages is not None
    assert tuple(re.findall(r"`([A-Z]{3})`", currencies.group(1))) == CURRENCIES
    assert tuple(re.findall(r"`([a-z]{2})`", languages.group(1))) == LANGUAGES
