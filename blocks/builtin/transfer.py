"""Transfer: connects the caller to a number, an extension, a queue or a channel, and branches on the outcome."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType, TemplateField
from graph_engine.channel import TransferOutcome
from graph_engine.context import BlockContext
from graph_engine.errors import EngineError

# What a rendered target may be. A caller-controlled value that renders into anything else is refused,
# so a CallerID or a typed number can never smuggle dial options or a second destination.
TARGET_PATTERN = re.compile(
    r"^(\+?[0-9*#]{1,32}"
    r"|(PJSIP|SIP|IAX2|Local|DAHDI)/[A-Za-z0-9_+*#@.-]{1,80}"
    r"|queue:[A-Za-z0-9_-]{1,64})$"
)
CALLER_ID_PATTERN = re.compile(r"^\+?[0-9]{1,32}$")


class TransferBlock(BlockType):
    type = "transfer"
    title = "Transfer"
    category = "Connect"
    icon = "phone-forwarded"
    description = "Dials a number, extension, queue (queue:sales) or channel (PJSIP/101) and bridges the caller."
    waits_for_caller = True
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["target"],
        "properties": {
            "target": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "title": "Destination",
                "description": "A number or extension (101, +34910000000), queue:NAME, or a channel like PJSIP/101. "
                "May use variables: {{ typed_number }}.",
                "x-ui": {"widget": "template"},
            },
            "timeout": {"type": "number", "minimum": 1, "maximum": 300, "default": 30, "title": "Ring for (s)"},
            "caller_id": {
                "type": "string",
                "maxLength": 200,
                "title": "Caller ID shown",
                "x-ui": {"widget": "template"},
            },
        },
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[dict[str, Any]]] = [
        {"name": "answered", "label": "Answered"},
        {"name": "busy", "label": "Busy"},
        {"name": "no_answer", "label": "No answer"},
        {"name": "failed", "label": "Failed"},
    ]
    unwired_meaning: ClassVar[dict[str, str]] = {
        "answered": "the call ends when the conversation ends",
        "*": "the caller is hung up on",
    }
    unwired_ok: ClassVar[frozenset[str]] = frozenset({"answered"})

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        fields = [TemplateField(("target",), str(config.get("target", "")))]
        if config.get("caller_id"):
            fields.append(TemplateField(("caller_id",), str(config["caller_id"])))
        return fields

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        target = ctx.render(str(config["target"])).strip()
        if not TARGET_PATTERN.match(target):
            raise EngineError(f"not a destination that can be dialed: {target[:40]!r}")
        caller_id = ctx.render(str(config["caller_id"])).strip() if config.get("caller_id") else None
        if caller_id is not None and not CALLER_ID_PATTERN.match(caller_id):
            raise EngineError(f"not a caller ID that can be shown: {caller_id[:40]!r}")
        result = await ctx.channel.transfer(target, timeout=float(config.get("timeout", 30)), caller_id=caller_id)
        ctx.note("transfer", target=target, outcome=str(result.outcome), talk_seconds=result.talk_seconds)
        if result.outcome is TransferOutcome.ANSWERED:
            ctx.mark_transferred()
        return str(result.outcome)
