"""Say Phrase: speaks a template through the TTS service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from blocks.common import SPOKEN_TEXT
from graph_engine.block import BlockType, ExitRule, TemplateField
from graph_engine.context import BlockContext


class SayPhraseBlock(BlockType):
    type = "say_phrase"
    title = "Say Phrase"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Decir frase"},
        "ru": {"title": "Произнести фразу"},
    }
    category = "Prompts"
    safe_in_test_call = True  # speaks through ctx.services.tts and the channel only
    icon = "message-square"
    description = "Speaks a phrase built from variables, e.g. 'Hola {{ contact.name }}, debe {{ debt_amount }} euros'."
    waits_for_caller = True
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["text"],
        "properties": SPOKEN_TEXT,
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[ExitRule]] = [{"name": "next", "label": "Next"}]
    unwired_meaning: ClassVar[dict[str, str]] = {"*": "the caller hears the phrase and the call ends"}

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        return [TemplateField(("text",), str(config.get("text", "")), spoken=True)]

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        prompt = await ctx.speech(str(config["text"]), language=config.get("language"), voice=config.get("voice"))
        await ctx.play(prompt)
        return "next"
