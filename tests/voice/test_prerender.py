"""Pre-rendering a scenario at publish: static phrases rendered, templated ones deferred, failures named."""

from __future__ import annotations

from typing import Any

from graph_engine.services import SilentTts
from voice.prerender import find_phrases, prerender
from voice.service import TtsService


def scenario(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": "ivrgraph.scenario/1",
        "name": "Bank",
        "language": "es",
        "voice": {"engine": "espeak-ng"},
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "hello", "type": "say_phrase", "config": {"text": "Bienvenido al banco."}},
            {"id": "menu", "type": "ivr", "config": {
                "prompt": {"text": "Para saldo, pulse uno."},
                "no_input_prompt": {"text": "No le he oído."},
                "invalid_prompt": {"audio": "assets/0123456789abcdef0123456789abcdef"},
                "options": [{"key": "1", "label": "Balance"}],
            }},
            {"id": "balance", "type": "say_phrase",
             "config": {"text": "Su saldo es {{ money(balance, 'EUR', language) }}.", "language": "es"}},
            {"id": "english", "type": "message", "config": {"prompt": {"text": "Goodbye.", "language": "en"}}},
            {"id": "sms", "type": "send_sms", "config": {"text": "Not spoken: an SMS body"}},
        ],
        "edges": [],
    }  # fmt: skip
    document.update(overrides)
    return document


def test_find_phrases_walks_prompts_and_speaking_blocks_only() -> None:
    found = {(p.node_id, ".".join(map(str, p.path)), p.language) for p in find_phrases(scenario())}
    assert found == {
        ("hello", "text", "es"),
        ("menu", "prompt.text", "es"),
        ("menu", "no_input_prompt.text", "es"),
        ("balance", "text", "es"),
        ("english", "prompt.text", "en"),
    }


async def test_static_phrases_are_rendered_and_templated_ones_deferred(service: TtsService, espeak: Any) -> None:
    report = await prerender(scenario(), service)

    assert report.ok and report.failed == []
    assert [p.node_id for p, _ in report.rendered] == ["hello", "menu", "menu", "english"]
    assert [p.node_id for p in report.deferred] == ["balance"]
    assert sorted(espeak.texts) == sorted([("Bienvenido al banco.", "es"), ("Para saldo, pulse uno.", "es"),
                                           ("No le he oído.", "es"), ("Goodbye.", "en")])  # fmt: skip
    # At run time the same phrase is a cache hit: no new render.
    renders = service.renders
    assert await service.render("Bienvenido al banco.", language="es") == report.rendered[0][1]
    assert service.renders == renders


async def test_a_phrase_that_cannot_be_spoken_names_its_node(service: TtsService) -> None:
    document = scenario()
    document["nodes"][1]["config"]["text"] = "¿?"
    document["nodes"][4]["config"]["prompt"]["language"] = "zu"

    report = await prerender(document, service)

    assert not report.ok
    assert report.failed_nodes == ["english", "hello"]
    messages = [failure.message for failure in report.failed]
    assert "node 'hello' config.text" in messages[0] and "nothing to say" in messages[0]
    assert "node 'english' config.prompt.text" in messages[1] and "'zu'" in messages[1]


async def test_unknown_engine_of_the_scenario_fails_every_phrase(service: TtsService) -> None:
    report = await prerender(scenario(voice={"engine": "festival"}), service)
    assert report.failed_nodes == ["english", "hello", "menu"]


async def test_any_text_to_speech_will_do(espeak: Any) -> None:
    report = await prerender(scenario(), SilentTts())
    assert report.ok and len(report.rendered) == 4


async def test_recorded_assets_the_scenario_plays_must_exist(service: TtsService, tmp_path: Any) -> None:
    document = scenario()
    report = await prerender(document, service, media=service.media)
    assert not report.ok
    assert [r.node_id for r in report.missing_audio] == ["menu"]
    assert "node 'menu' config.invalid_prompt.audio" in report.messages[0]

    (service.media.folder("assets") / "0123456789abcdef0123456789abcdef.sln").write_bytes(b"\0" * 1600)
    document["nodes"].append({"id": "beep", "type": "message", "config": {"audio": "beep"}})
    report = await prerender(document, service, media=service.media)
    assert report.ok  # the asset is there, and Asterisk's own sounds are not ours to check


async def test_a_message_block_playing_a_missing_upload_is_refused(service: TtsService) -> None:
    """Review, 2026-12-04: the Message block keeps its audio at the top of its config, where the check did not
    look, so a scenario playing a deleted upload was published."""
    document = scenario()
    (service.media.folder("assets") / "0123456789abcdef0123456789abcdef.sln").write_bytes(b"\0" * 1600)
    document["nodes"].append(
        {"id": "notice", "type": "message", "config": {"audio": "assets/fedcba9876543210fedcba9876543210"}}
    )
    report = await prerender(document, service, media=service.media)
    assert [(r.node_id, r.path) for r in report.missing_audio] == [("notice", ("audio",))]


async def test_a_malformed_asset_name_is_missing_not_a_crash(service: TtsService) -> None:
    document = scenario()
    document["nodes"][2]["config"]["invalid_prompt"] = {"audio": "assets/../../etc/passwd"}
    report = await prerender(document, service, media=service.media)
    assert [r.name for r in report.missing_audio] == ["assets/../../etc/passwd"]
