"""Message: plays a recorded audio asset, optionally interruptible by a key that is kept in a variable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from blocks.common import AUDIO_NAME, KEYS, VARIABLE_NAME
from graph_engine.block import BlockType, ExitRule
from graph_engine.channel import Prompt
from graph_engine.context import BlockContext


class MessageBlock(BlockType):
    type = "message"
    title = "Message"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Mensaje"},
        "ru": {"title": "Сообщение"},
    }
    category = "Prompts"
    safe_in_test_call = True  # speaks through ctx.services.tts and the channel only
    icon = "volume-2"
    description = "Plays a recorded message. The caller may interrupt it with a key when allowed."
    waits_for_caller = True
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["audio"],
        "properties": {
            "audio": AUDIO_NAME,
            "interrupt_keys": {
                "type": "string",
                "pattern": "^[0-9*#]*$",
                "default": "",
                "title": "Keys that interrupt",
                "description": "Empty: the message always plays to the end.",
            },
            "key_variable": {**VARIABLE_NAME, "title": "Store the key in"},
        },
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[ExitRule]] = [{"name": "next", "label": "Next"}]
    unwired_meaning: ClassVar[dict[str, str]] = {"*": "the caller hears the message and the call ends"}

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        return {config["key_variable"]} if config.get("key_variable") else set()

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        keys = "".join(k for k in config.get("interrupt_keys", "") if k in KEYS)
        variable = str(config.get("key_variable") or "")
        # A key kept in a sensitive variable is noted masked in the trace, as an IVR notes a PIN.
        secret = bool(variable) and ctx.is_sensitive(variable)
        key = await ctx.play(Prompt(audio=str(config["audio"])), interrupt_keys=keys, secret=secret)
        if variable:
            ctx.set(variable, key)
        return "next"
