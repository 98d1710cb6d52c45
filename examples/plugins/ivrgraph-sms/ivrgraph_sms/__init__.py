"""Send SMS: an ivrgraph block plugin that posts a message to an HTTP SMS gateway.

Two entry points (pyproject.toml): the block in `ivrgraph.blocks`, and the gateway in `ivrgraph.services`, which
the node builds once at start (`gateway_from_environment`) and hands to every call as
`ctx.services.extras["sms_gateway"]`. A host without the gateway finds the block not ready (`readiness`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from graph_engine.block import BlockType, ExitRule, TemplateField
from graph_engine.context import BlockContext

NUMBER = re.compile(r"^\+?[0-9]{6,20}$")
# The host's configuration, never scenario data: an analyst cannot make calls post to arbitrary addresses.
GATEWAY_URL_ENV = "IVRGRAPH_SMS_GATEWAY_URL"
# The gateway's name in `ctx.services.extras`: the name of its entry point in pyproject.toml.
SERVICE = "sms_gateway"


class SmsGateway:
    """The HTTP gateway every call of the node sends through: one async client, built once by the service factory
    and closed by the node at shutdown (`aclose`). Async, so that a caller's hangup, which cancels the block, cancels
    the request with it and closes its connection; a blocking client in `asyncio.to_thread` would post on until its
    own timeout, holding a thread of the small default pool the node needs for its own work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = httpx.AsyncClient()

    async def send(self, to: str, text: str, *, timeout: float) -> int:
        """POST the message; the gateway's HTTP status. Raises `httpx.RequestError` when it is unreachable or does
        not answer within `timeout` seconds (a bound on each connect, write and read)."""
        response = await self._client.post(self.url, json={"to": to, "text": text}, timeout=timeout)
        return response.status_code

    async def aclose(self) -> None:
        """Close the client's connections: the node calls it once at shutdown."""
        await self._client.aclose()


def gateway_from_environment() -> SmsGateway | None:
    """The `ivrgraph.services` factory: the gateway `IVRGRAPH_SMS_GATEWAY_URL` names, or None when it is not set
    (a node without a gateway still starts; Send SMS takes `failed`). A URL that cannot work stops the node at
    start, naming the setting, rather than failing every message."""
    url = _configured_url()
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        # Not echoed: a URL may carry a user and password, and this message goes to the node's log.
        raise ValueError(f"{GATEWAY_URL_ENV} must be an http:// or https:// URL (scheme {parts.scheme!r} given)")
    return SmsGateway(url)


class SendSmsBlock(BlockType):
    type = "send_sms"
    title = "Send SMS"
    category = "Connect"
    icon = "message-circle"
    description = "Sends a text message through the SMS gateway configured by the administrator."
    # The palette's, the form's and the canvas's words for an analyst working in Spanish or Russian (docs/blocks.md,
    # "Translations"): the block, each field of config_schema by name, each exit by name.
    translations: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "es": {
            "title": "Enviar SMS",
            "description": "Envía un mensaje de texto a través de la pasarela SMS que configura el administrador.",
            "fields.to.title": "Para",
            "fields.to.description": "El número que recibe el mensaje; por defecto, el de quien llama.",
            "fields.text.title": "Texto",
            "fields.timeout.title": "Tiempo de espera (s)",
            "exits.sent": "Enviado",
            "exits.failed": "No enviado",
        },
        "ru": {
            "title": "Отправить SMS",
            "description": "Отправляет текстовое сообщение через SMS-шлюз, настроенный администратором.",
            "fields.to.title": "Кому",
            "fields.to.description": "Номер получателя сообщения; по умолчанию — номер звонящего.",
            "fields.text.title": "Текст",
            "fields.timeout.title": "Время ожидания (сек.)",
            "exits.sent": "Отправлено",
            "exits.failed": "Сбой отправки",
        },
    }
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["text"],
        "properties": {
            "to": {
                "type": "string",
                "default": "{{ caller_id }}",
                "title": "To",
                "description": "The number the message goes to; by default the caller's.",
                "x-ui": {"widget": "template"},
            },
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
    exit_rules: ClassVar[list[ExitRule]] = [
        {"name": "sent", "label": "Sent"},
        {"name": "failed", "label": "Failed"},
    ]
    # Not safe in a test call (the default, said here for readers): `run` posts to the real gateway. Test calls run
    # `simulate` below instead.
    safe_in_test_call = False

    def readiness(self, extras: Mapping[str, Any]) -> list[str]:
        """Whether this host can send at all: a server without the gateway refuses to publish a scenario that sends
        SMS, and its calls reaching the block take `error` saying why. Asked where the node's services are built,
        not by `check`, which runs wherever scenarios are validated (`ivrgraph validate` in CI has no gateway)."""
        if extras.get(SERVICE) is None:
            return [f"the SMS gateway is not configured: set {GATEWAY_URL_ENV}"]  # its name, never its URL
        return []

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        return [
            TemplateField(("to",), str(config.get("to", "{{ caller_id }}"))),
            TemplateField(("text",), str(config.get("text", ""))),
        ]

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        gateway = ctx.services.extras.get(SERVICE)
        number = _number(ctx, config)
        if gateway is None or not NUMBER.match(number):
            reason = "no gateway" if gateway is None else "invalid number"
            ctx.note("sms", to=number[:24], status="not sent", reason=reason)
            return "failed"
        text = ctx.render(str(config["text"]))
        try:
            status = await gateway.send(number, text, timeout=float(config.get("timeout", 5)))
        except httpx.RequestError as error:
            ctx.note("sms", to=number, status="failed", reason=(str(error) or type(error).__name__)[:200])
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
        if _configured_url() is None:
            summary += "; no SMS gateway is configured here: a real call would take 'failed'"
        ctx.note("test_call", summary=summary, to=number, text=text)
        return "sent"


def _configured_url() -> str | None:
    """The gateway URL this host is configured with. A test call reads it only to say whether a real call could
    send: its extras are empty by design (nothing may leave a test call), so it cannot ask the gateway service."""
    return os.environ.get(GATEWAY_URL_ENV, "").strip() or None


def _number(ctx: BlockContext, config: Mapping[str, Any]) -> str:
    return ctx.render(str(config.get("to", "{{ caller_id }}"))).strip()
