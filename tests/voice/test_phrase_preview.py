# ruff: noqa: RUF001  -- the Russian phrases are Cyrillic on purpose
"""The designer's Listen button renders a prompt's template as a call does, and names what it cannot render."""

from __future__ import annotations

from typing import Any

from blocks import default_registry
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services
from tests.voice.test_templating import DOCUMENT
from voice.phrase_preview import MissingVariables, Rendered, TemplateFailed, preview_phrase
from voice.service import TtsService

DEBT = 'У вас задолженность {{ money(debt_amount, "RUB", language) }}.'


async def test_the_preview_speaks_what_a_call_speaks(service: TtsService, espeak: Any) -> None:
    """Rendered with the declared defaults and the scenario's language, the phrase is the one a call hears."""
    defaults = {variable["name"]: variable["default"] for variable in DOCUMENT["variables"]}
    phrase = preview_phrase(DOCUMENT["nodes"][1]["config"]["text"], language="es", variables=defaults)

    await run_call(parse_document(DOCUMENT), ScriptedChannel(), default_registry(), Services(tts=service))

    assert isinstance(phrase, Rendered)
    assert espeak.texts == [(phrase.text, "es")]


def test_a_russian_amount_is_spoken_in_words_in_the_language_given() -> None:
    phrase = preview_phrase(DEBT, language="ru", variables={"debt_amount": 1234.5})
    assert phrase == Rendered("У вас задолженность тысяча двести тридцать четыре рубля пятьдесят копеек.")


def test_a_language_the_values_set_is_the_templates() -> None:
    """As in a call: a declared `language` default is the call's language, the scenario's is only the fallback."""
    assert preview_phrase("{{ language }}", language="ru", variables={"language": "es"}) == Rendered("es")
    assert preview_phrase("{{ language }}", language="ru", variables={"language": ""}) == Rendered("ru")


def test_names_without_a_value_are_named_all_at_once_not_spoken() -> None:
    text = DEBT + " Оплатите до {{ spoken_date(due_date, language) }}, {{ contact.name }}."
    everything = MissingVariables(("contact", "debt_amount", "due_date"))
    assert preview_phrase(text, language="ru", variables={}) == everything
    # The helpers are never taken for names without a value; one handed a name without a value fails on the value
    # (spoken_date: "not a date: Undefined"), which is still the name's problem.
    left = preview_phrase(text, language="ru", variables={"debt_amount": 1})
    assert left == MissingVariables(("contact", "due_date"))
    # What the template does without a value is not a missing one.
    assert preview_phrase("{{ name | default('клиент') }}", language="ru", variables={}) == Rendered("клиент")


def test_a_template_error_is_the_templates_own_message() -> None:
    broken = preview_phrase('{{ money(debt_amount, "RUB", language }}', language="ru", variables={"debt_amount": 1})
    assert isinstance(broken, TemplateFailed) and broken.code == "template_syntax"
    assert broken.message == 'template opens "(" and does not close it: add ")"'
    # A declared variable whose default is none fails in a call as it does here, not as a missing one.
    failed = preview_phrase(DEBT, language="ru", variables={"debt_amount": None})
    assert failed == TemplateFailed("template failed: not a number: None", "template_failed")
    # A field the value lacks is the value's problem, not a missing variable.
    field = preview_phrase("{{ contact.name }}", language="ru", variables={"contact": {}})
    assert isinstance(field, TemplateFailed) and "has no attribute 'name'" in field.message


def test_plain_text_is_spoken_as_written() -> None:
    assert preview_phrase("Press {1} for sales", language="en", variables={}) == Rendered("Press {1} for sales")
    assert preview_phrase("Hello caller", language="en", variables={}) == Rendered("Hello caller")
