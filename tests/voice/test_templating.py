"""The spoken helpers inside real scenario templates: validation accepts them, a Say Phrase speaks the words."""

from __future__ import annotations

from typing import Any

from blocks import default_registry
from graph_engine import templates
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services
from graph_engine.trace import CallOutcome
from graph_engine.validation import validate
from voice.formats import AudioFormat
from voice.service import TtsService
from voice.templating import install_template_functions
from voice.tools import measure

DOCUMENT: dict[str, Any] = {
    "format": "ivrgraph.scenario/1",
    "name": "Balance",
    "language": "es",
    "voice": {"engine": "espeak-ng"},
    "variables": [{"name": "balance", "type": "number", "default": 1234.5}, {"name": "due", "default": "2026-03-05"}],
    "nodes": [
        {"id": "start", "type": "start", "config": {}},
        {"id": "say", "type": "say_phrase", "config": {
            "text": "Debe {{ money(balance, 'EUR', language) }}, vence el {{ spoken_date(due, language) }}."}},
        {"id": "bye", "type": "hangup", "config": {}},
    ],
    "edges": [{"source": "start", "exit": "next", "target": "say"}, {"source": "say", "exit": "next", "target": "bye"}],
}  # fmt: skip


def test_helpers_render_in_the_engine_sandbox_and_are_not_taken_for_variables() -> None:
    install_template_functions()
    assert templates.render("{{ money(x, 'RUB', 'ru') }}", {"x": 22}) == "двадцать два рубля"
    assert {"money", "spoken_date", "spoken_time", "number", "ordinal", "digits"} <= templates.GLOBAL_NAMES
    problems = [issue for issue in validate(DOCUMENT, default_registry()) if "balance" in str(issue) or "money" in
                str(issue)]  # fmt: skip
    assert problems == []


async def test_a_call_hears_the_amount_and_date_in_words(service: TtsService, espeak: Any) -> None:
    install_template_functions()
    channel = ScriptedChannel()

    result = await run_call(parse_document(DOCUMENT), channel, default_registry(), Services(tts=service))

    assert result.outcome is CallOutcome.HUNG_UP and result.error is None
    assert espeak.texts == [
        ("Debe mil doscientos treinta y cuatro euros con cincuenta céntimos, vence el cinco de marzo de dos mil "
         "veintiséis.", "es")
    ]  # fmt: skip
    [prompt] = result.steps[1].prompts
    stats = measure(service.path(prompt["audio"], AudioFormat.SLN), AudioFormat.SLN)
    assert stats.seconds > 3 and not stats.silent
