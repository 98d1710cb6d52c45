"""Transfer: connects the caller to a number, an extension, a queue or a channel, and branches on the outcome."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType, ExitRule, TemplateField
from graph_engine.caller_name import MAX_CALLER_NAME_CHARS, shown_caller_name
from graph_engine.channel import TransferOutcome
from graph_engine.context import BlockContext
from graph_engine.document import Node, Scenario
from graph_engine.errors import EngineError, TemplateError
from graph_engine.issues import Issue, error, node_params

# What a rendered target may be. A caller-controlled value that renders into anything else is refused,
# so a CallerID or a typed number can never smuggle dial options or a second destination.
TARGET_PATTERN = re.compile(
    r"^(\+?[0-9*#]{1,32}"
    r"|(PJSIP|SIP|IAX2|Local|DAHDI)/[A-Za-z0-9_+*#@.-]{1,80}"
    r"|queue:[A-Za-z0-9_-]{1,64})$"
)
CALLER_ID_PATTERN = re.compile(r"^\+?[0-9]{1,32}$")
# What a caller ID template may write out itself, around its tags ("+7{{ number }}"): anything else (the quotes and
# angle brackets of '"{{ contact.name }}" <{{ caller_id }}>') cannot render a number, and is refused at validation.
_CALLER_ID_TEXT = re.compile(r"^[+0-9\s]*$")
_TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
# A target a variable chose may be a number or a queue; a channel only when the scenario wrote its technology
# (and what follows the variable) itself, and the variable gave no more than an extension: a value such as
# IAX2/host.example or SIP/0090...@pstn-trunk, from a query argument, a data source or a callback's variables,
# would otherwise pick any route out of the PBX.
_NUMBER_OR_QUEUE = re.compile(r"^(\+?[0-9*#]{1,32}|queue:[A-Za-z0-9_-]{1,64})$")
_CHANNEL_PREFIX = re.compile(r"^(PJSIP|SIP|IAX2|Local|DAHDI)/")
_EXTENSION = re.compile(r"^[A-Za-z0-9_+*#-]{1,80}$")


def _literal_texts(template: str) -> set[str]:
    """The destinations the template writes out itself: its text outside tags, and quoted strings inside them
    ({% if vip %}PJSIP/200{% else %}PJSIP/100{% endif %}, {{ 'PJSIP/200' if vip else 'PJSIP/100' }})."""
    outside = re.split(r"\{\{.*?\}\}|\{%.*?%\}", template, flags=re.DOTALL)
    quoted = re.findall(r"'([^']*)'|\"([^\"]*)\"", template)
    return {text.strip() for text in outside} | {single or double for single, double in quoted}


def checked_target(template: str, target: str) -> str:
    """`target` (what `template` rendered to) when it may be dialled; raises EngineError otherwise."""
    if not TARGET_PATTERN.match(target):
        raise EngineError(
            f"not a destination that can be dialed: {target[:40]!r}",
            code="not_dialable",
            params={"target": target[:40]},
        )
    if "{" not in template or _NUMBER_OR_QUEUE.match(target) or target in _literal_texts(template):
        return target
    head, tail = template.strip().split("{", 1)[0], template.strip().rsplit("}", 1)[-1]
    chosen = target[len(head) : len(target) - len(tail)] if target.startswith(head) and target.endswith(tail) else ""
    if not (_CHANNEL_PREFIX.match(head) and len(head) + len(tail) < len(target) and _EXTENSION.match(chosen)):
        raise EngineError(
            f"{target[:40]!r}: a destination taken from variables may be a number or queue:NAME; a channel needs "
            "its technology written in the block (PJSIP/{{ extension }}), and the variable only an extension",
            code="channel_from_variable",
            params={"target": target[:40]},
        )
    return target


def _templated(text: str) -> bool:
    return "{{" in text or "{%" in text


class TransferBlock(BlockType):
    type = "transfer"
    title = "Transfer"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Transferir"},
        "ru": {"title": "Перевод"},
    }
    category = "Connect"
    safe_in_test_call = True  # dials through the channel, which a test call scripts
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
                "May use variables: {{ typed_number }}, PJSIP/{{ extension }}. A variable gives a number, a queue, "
                "or an extension: the technology and route of a channel are written here.",
                "x-ui": {"widget": "template"},
            },
            "timeout": {"type": "number", "minimum": 1, "maximum": 300, "default": 30, "title": "Ring for (s)"},
            "caller_id": {
                "type": "string",
                "maxLength": 200,
                "title": "Caller ID shown",
                "description": "The number the person called sees instead of the caller's: digits with an optional "
                "leading +, or a variable such as {{ caller_id }}. The name goes in Caller name shown.",
                "x-ui": {"widget": "template"},
            },
            "caller_name": {
                "type": "string",
                "maxLength": 200,
                "title": "Caller name shown",
                "description": "The name the person called sees with the number, e.g. {{ contact.name }} from a "
                f"lookup. Line breaks are removed and a long name is cut to {MAX_CALLER_NAME_CHARS} characters; a "
                "name that comes out empty, or whose variable has no value, is not set and the call goes through.",
                "x-ui": {"widget": "template"},
            },
        },
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[ExitRule]] = [
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
        for name in ("caller_id", "caller_name"):
            if config.get(name):
                fields.append(TemplateField((name,), str(config[name])))
        return fields

    def check(self, node: Node, scenario: Scenario) -> list[Issue]:
        """A destination or caller ID written out in full is checked now: one that cannot be dialled (a label
        such as "Sales ext 101") would otherwise be published and fail every call that reaches the block."""
        issues = []
        named = node_params(node.type, self.title, node.title)
        target = str(node.config.get("target", "")).strip()
        if target and not _templated(target) and not TARGET_PATTERN.match(target):
            issues.append(
                error(
                    "transfer_bad_target",
                    f'Transfer "{node.title}": {target[:40]!r} is not a destination that can be dialed (a number or '
                    "extension, queue:NAME, or a channel such as PJSIP/101)",
                    node=node.id,
                    path="$.config.target",
                    params={**named, "target": target[:40]},
                )
            )
        caller_id = str(node.config.get("caller_id") or "").strip()
        if caller_id and not _caller_id_can_be_number(caller_id):
            issues.append(
                error(
                    "transfer_bad_caller_id",
                    f'Transfer "{node.title}": caller ID {caller_id[:40]!r} is not a phone number (a name goes in '
                    '"Caller name shown")',
                    node=node.id,
                    path="$.config.caller_id",
                    params={**named, "caller_id": caller_id[:40]},
                )
            )
        return issues

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        template = str(config["target"])
        target = checked_target(template, ctx.render(template).strip())
        caller_id = ctx.render(str(config["caller_id"])).strip() if config.get("caller_id") else None
        if caller_id is not None and not CALLER_ID_PATTERN.match(caller_id):
            raise EngineError(
                f"not a caller ID that can be shown: {caller_id[:40]!r}",
                code="bad_caller_id",
                params={"caller_id": caller_id[:40]},
            )
        shown: dict[str, str] = {"caller_id": caller_id} if caller_id else {}
        name, unset_because = _caller_name(ctx, str(config.get("caller_name") or ""))
        if name:
            shown["caller_name"] = name
        elif unset_because:
            shown["caller_name_unset"] = unset_because
        timeout = float(config.get("timeout", 30))
        if name:
            result = await ctx.channel.transfer(target, timeout=timeout, caller_id=caller_id, caller_name=name)
        else:  # as before the field existed, so a host's channel written then still runs every other transfer
            result = await ctx.channel.transfer(target, timeout=timeout, caller_id=caller_id)
        ctx.note("transfer", target=target, outcome=str(result.outcome), talk_seconds=result.talk_seconds, **shown)
        if result.outcome is TransferOutcome.ANSWERED:
            ctx.mark_transferred()
        return str(result.outcome)


def _caller_id_can_be_number(template: str) -> bool:
    """A caller ID written out is a number; a template may add no more than digits and + around its variables."""
    if not _templated(template):
        return bool(CALLER_ID_PATTERN.match(template))
    return all(_CALLER_ID_TEXT.match(text) for text in _TAGS.split(template))


def _caller_name(ctx: BlockContext, template: str) -> tuple[str, str]:
    """(the name to show, "") or ("", why none is set). A name is a courtesy to the person called: one whose
    variable has no value (the CRM lookup found nobody) leaves the caller's own name, and the call goes through."""
    if not template:
        return "", ""
    try:
        return shown_caller_name(ctx.render(template)), ""
    except TemplateError as problem:
        return "", str(problem)[:120]
