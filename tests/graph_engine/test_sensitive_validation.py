"""Validation's warnings about personal data leaving the record's masking or the installation: a sensitive variable
said by an online voice engine (`sensitive_in_prompt`), any call variable said by one (`personal_data_to_online_tts`:
gTTS sends the phrase's text to Google), and a Callback carrying a sensitive variable into a callback job
(`sensitive_to_callback`). Warnings: the scenario still publishes."""

from __future__ import annotations

from typing import Any

from graph_engine.issues import Issue, has_errors
from graph_engine.registry import BlockRegistry
from graph_engine.sensitive import ONLINE_TTS_ENGINES
from graph_engine.validation import validate
from tests.conftest import make_document
from voice.engines.espeak import EspeakEngine
from voice.engines.gtts_engine import GttsEngine

PRIVACY = {"sensitive_in_prompt", "personal_data_to_online_tts", "sensitive_to_callback"}


def _scenario(engine: str | None, *, sensitive: bool = True) -> dict[str, Any]:
    """A PIN captured and said back, the client's name and debt said, the PIN carried into a callback."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "pin",
                "type": "ivr",
                "label": "PIN",
                "config": {
                    "mode": "capture",
                    "prompt": {"text": "Hola {{ caller_name }}, marque su PIN"},
                    "invalid_prompt": {"text": "Su número {{ caller_id }} no vale, {{ language }}"},
                    "variable": "pin",
                    "min_length": 4,
                    "max_length": 4,
                },
            },
            {
                "id": "say",
                "type": "say_phrase",
                "label": "Balance",
                "config": {"text": "{{ client_name }}, PIN {{ pin }}: debe {{ debt }} ({{ dialed_number }})"},
            },
            {
                "id": "cb",
                "type": "callback",
                "label": "Call back",
                "config": {"scenario": "test", "variables": ["debt", "pin"], "number": "{{ caller_id }}"},
            },
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "pin"), ("pin", "next", "say"), ("say", "next", "cb"), ("cb", "scheduled", "bye")],
        variables=[
            {"name": "pin", "sensitive": sensitive},
            {"name": "client_name", "default": ""},
            {"name": "debt", "type": "number", "default": 0},
        ],
        **({"voice": {"engine": engine}} if engine else {}),
    )


def _privacy(issues: list[Issue]) -> list[tuple[str, str | None, str, dict[str, Any]]]:
    return [(i.code, i.node, i.path, dict(i.params)) for i in issues if i.code in PRIVACY]


def test_gtts_is_warned_of_every_phrase_that_sends_the_call_s_data(registry: BlockRegistry) -> None:
    issues = validate(_scenario("gtts"), registry, known_scenarios={"test"})
    menu = {"block_type": "ivr", "block_title": "IVR Menu", "label": "PIN"}
    say = {"block_type": "say_phrase", "block_title": "Say Phrase", "label": "Balance"}
    callback = {"block_type": "callback", "block_title": "Schedule Callback", "label": "Call back"}
    assert _privacy(issues) == [
        ("personal_data_to_online_tts", "pin", "$.nodes[1].config.prompt.text",
         {**menu, "variables": "caller_name", "engine": "gtts"}),
        # `language` says nothing about the caller; the number they call from does.
        ("personal_data_to_online_tts", "pin", "$.nodes[1].config.invalid_prompt.text",
         {**menu, "variables": "caller_id", "engine": "gtts"}),
        ("sensitive_in_prompt", "say", "$.nodes[2].config.text", {**say, "variable": "pin", "engine": "gtts"}),
        ("personal_data_to_online_tts", "say", "$.nodes[2].config.text",
         {**say, "variables": "client_name, debt", "engine": "gtts"}),
        ("sensitive_to_callback", "cb", "$.nodes[3].config.variables[1]", {**callback, "variable": "pin"}),
    ]  # fmt: skip
    said = next(i for i in issues if i.code == "sensitive_in_prompt")
    assert said.message == (
        'Say Phrase "Balance": the phrase says "pin", a sensitive variable, and the voice engine "gtts" is an online '
        "service: the text, with the value in it, is sent to it"
    )
    assert not has_errors(issues), [i.message for i in issues if i.severity == "error"]  # it still publishes


def test_a_local_voice_only_hears_of_the_callback(registry: BlockRegistry) -> None:
    for engine in ("espeak-ng", None):  # None: the installation's default, espeak-ng unless set otherwise
        issues = validate(_scenario(engine), registry, known_scenarios={"test"})
        assert [code for code, *_ in _privacy(issues)] == ["sensitive_to_callback"]


def test_nothing_sensitive_on_a_local_voice_warns_of_nothing(registry: BlockRegistry) -> None:
    assert _privacy(validate(_scenario("espeak-ng", sensitive=False), registry, known_scenarios={"test"})) == []


def test_a_callback_number_made_of_a_sensitive_variable_is_carried_too(registry: BlockRegistry) -> None:
    document = _scenario(None)
    document["nodes"][3]["config"] = {"scenario": "test", "number": "{{ pin }}"}
    assert _privacy(validate(document, registry, known_scenarios={"test"})) == [
        (
            "sensitive_to_callback",
            "cb",
            "$.nodes[3].config.number",
            {"block_type": "callback", "block_title": "Schedule Callback", "label": "Call back", "variable": "pin"},
        )
    ]


def test_the_online_engines_are_the_voice_engines_that_call_out() -> None:
    assert GttsEngine.name in ONLINE_TTS_ENGINES
    assert EspeakEngine.name not in ONLINE_TTS_ENGINES
