"""Send SMS: an ivrgraph block plugin that posts a message to an HTTP SMS gateway."""

from __future__ import annotations

import asyncio
import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType, TemplateField
from graph_engine.context import BlockContext

NUMBER = re.compile(r"^\+?[0-9]{6,20}$")


def _post(url: str, payload: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(response.status)


class SendSmsBlock(BlockType):
    type = "send_sms"
    title = "Send SMS"
    category = "Connect"
    icon = "message-circle"
    description = "Sends a text message through the SMS gateway configured by the administrator."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["text"],
        "properties": {
            "to": {"type": "string", "default": "{{ caller_id }}", "title": "To", "x-ui": {"widget": "template"}},
            "text": {
                "type": "string",
                "minLength": 1,
                "maxLength": 480,
                "title": "Text",
                "x-ui": {"widget": "template"},
            },
            "timeout": {"type": "number", "minimum": 0.5, "maximum": 30, "default": 5, "title": "Timeout (s)"},
        },
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[dict[str, Any]]] = [
        {"name": "sent", "label": "Sent"},
        {"name": "failed", "label": "Failed"},
    ]
    # Not safe in a test call (the default, said here for readers): `run` posts to the real gateway. Test calls run
    # `simulate` below instead.
    safe_in_test_call = False

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        return [
            TemplateField(("to",), str(config.get("to", "{{ caller_id }}"))),
            TemplateField(("text",), str(config.get("text", ""))),
        ]

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        url = _gateway_url(ctx)
        number = _number(ctx, config)
        if not url or not NUMBER.match(number):
            ctx.note("sms", to=number[:24], status="not sent", reason="no gateway" if not url else "invalid number")
            return "failed"
        text = ctx.render(str(config["text"]))
        try:
            status = await asyncio.to_thread(_post, url, {"to": number, "text": text}, float(config.get("timeout", 5)))
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            ctx.note("sms", to=number, status="failed", reason=str(error)[:200])
            return "failed"
        ctx.note("sms", to=number, status=status)
        return "sent" if 200 <= status < 300 else "failed"

    async def simulate(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        """A test call sends nothing: it tells what a real call would send, and to whom, and takes `sent`, as a
        real call would once the gateway accepts the message. Only the number and text decide the exit, never the
        machine the test call runs on (`ivrgraph test` in CI has no gateway; the designer's server has the real
        one)."""
        number = _number(ctx, config)
        if not NUMBER.match(number):
            ctx.note(
                "test_call", summary=f"not sent in a test call: {number[:24]!r} is an invalid number", to=number[:24]
            )
            return "failed"
        text = ctx.render(str(config["text"]))
        summary = f"not sent in a test call: would send {text!r} to {number}"
        if not _gateway_url(ctx):
            summary += "; no SMS gateway is configured here: a real call would take 'failed'"
        ctx.note("test_call", summary=summary, to=number, text=text)
        return "sent"


def _gateway_url(ctx: BlockContext) -> str | None:
    """Host configuration, never scenario data: an analyst cannot make calls post to arbitrary addresses."""
    url = ctx.services.extras.get("sms_gateway_url") or os.environ.get("IVRGRAPH_SMS_GATEWAY_URL")
    return str(url) if url else None


def _number(ctx: BlockContext, config: Mapping[str, Any]) -> str:
    return ctx.render(str(config.get("to", "{{ caller_id }}"))).strip()
