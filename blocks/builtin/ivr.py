"""IVR: a menu (one exit per key) or a capture of several digits (account number + #), with retries.

No input and an invalid key each have their own prompt; after `max_tries` failed attempts the call takes
the `max_tries` exit (to an operator, or a polite goodbye). With `split_failures` on, that exit is two instead,
so a reminder call can report "no answer" apart from "invalid key": `no_input` when no try got a key (nobody
listening, an answering machine), `invalid` when at least one got a wrong key or an invalid entry, even if a later
try got nothing (someone was there). A captured entry shorter or longer than allowed is an invalid one; a
fixed-length entry (min = max digits) ends at its last digit, any other with the terminator or the timeout.

Input stored in a variable the scenario declares sensitive (a PIN) is noted in the trace as its mask, each try's
keys and a refused try's alike ("[hidden: 2 characters]#[hidden: 4 characters]"): the block compares the real keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from blocks.common import PROMPT, VARIABLE_NAME, prompt_templates
from graph_engine.block import BlockType, ExitRule, TemplateField
from graph_engine.context import BlockContext
from graph_engine.document import Node, Scenario
from graph_engine.issues import Issue, error, node_params
from graph_engine.sensitive import mask

_ONLY_DIGITS: Final = re.compile(r"[0-9]+\Z")
# How many digits a variable-length capture reads at most: twice the longest max_length allowed, so the read
# ends with the terminator or the timeout and an over-long entry is taken whole (its keys left over would end
# the retry's read).
_LONGEST_ENTRY: Final = 64

PROMPT_FIELDS = ("prompt", "no_input_prompt", "invalid_prompt")

# Form hints: the designer shows a field only while `mode` holds the value named (docs/blocks.md, `x-ui`).
_MENU_ONLY: Final = {"x-ui": {"show_if": {"mode": "menu"}}}
_CAPTURE_ONLY: Final = {"x-ui": {"show_if": {"mode": "capture"}}}


# The exits of the last failed try when `split_failures` is on: no try got a key, or at least one got a wrong one.
_NO_INPUT: Final = "no_input"
_INVALID: Final = "invalid"
_FAILED_EXITS: Final = frozenset({"max_tries", _NO_INPUT, _INVALID})

# The title of the field a capture stores its input in: its problem names the field by it.
_STORE_INPUT: Final = "Store the input in"


class IvrBlock(BlockType):
    type = "ivr"
    title = "IVR Menu"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {
            "title": "Menú IVR",
            "fields.prompt.title": "Mensaje",
            "fields.invalid_prompt.title": "Si la entrada no es válida",
        },
        "ru": {
            "title": "Голосовое меню",
            "fields.prompt.title": "Сообщение",
            "fields.invalid_prompt.title": "Если ввод неверен",
        },
    }
    category = "Input"
    safe_in_test_call = True  # plays and listens through the channel only
    icon = "grid-3x3"
    description = "Plays a menu and routes by the key pressed, or captures a number typed by the caller."
    waits_for_caller = True
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["prompt"],
        "properties": {
            "mode": {
                "enum": ["menu", "capture"],
                "default": "menu",
                "title": "Mode",
                "description": "menu: one exit per key. capture: the caller types a number, ended by the terminator.",
            },
            "prompt": {**PROMPT, "title": "Prompt"},
            "options": {
                "type": "array",
                "title": "Keys",
                "default": [],
                **_MENU_ONLY,
                "maxItems": 12,
                "items": {
                    "type": "object",
                    "required": ["key"],
                    "properties": {
                        "key": {"type": "string", "pattern": "^[0-9*#]$", "title": "Key"},
                        "label": {"type": "string", "maxLength": 100, "title": "Meaning"},
                    },
                    "additionalProperties": False,
                },
            },
            "timeout": {"type": "number", "minimum": 1, "maximum": 60, "default": 5, "title": "Seconds to wait"},
            "max_tries": {
                "type": "integer",
                "minimum": 1,
                "maximum": 10,
                "default": 3,
                "title": "Tries",
                "description": "Counted each time the call comes to this block: a Go To back to it starts over, so "
                "lead max_tries to a goodbye or an operator rather than back here.",
            },
            "split_failures": {
                "type": "boolean",
                "default": False,
                "title": "Tell silence from wrong keys",
                "description": "Off: after the last failed try the call takes one exit, Too many tries. On: two "
                "exits instead. Nothing pressed: no key in any try (nobody listening, an answering machine). Wrong "
                "keys: a wrong key, or an entry that is not valid, in at least one try, even if a later try got "
                "nothing: someone was there. Pressing only the terminator counts as nothing pressed.",
            },
            "no_input_prompt": {**PROMPT, "title": "When nothing is pressed"},
            "invalid_prompt": {**PROMPT, "title": "When the entry is invalid"},
            "variable": {**VARIABLE_NAME, "title": _STORE_INPUT},
            "min_length": {
                "type": "integer",
                "minimum": 1,
                "maximum": 32,
                "default": 1,
                "title": "Min digits",
                **_CAPTURE_ONLY,
            },
            "max_length": {
                "type": "integer",
                "minimum": 1,
                "maximum": 32,
                "default": 10,
                "title": "Max digits",
                **_CAPTURE_ONLY,
                "description": "A longer entry is invalid (the caller hears the wrong-entry prompt and tries again). "
                "When Min digits equals it, the entry ends by itself at its last digit; otherwise the caller ends "
                "it with the terminator, or it ends at the timeout.",
            },
            "terminator": {"enum": ["#", "*", ""], "default": "#", "title": "Key that ends the input", **_CAPTURE_ONLY},
            "allow_star": {
                "type": "boolean",
                "default": False,
                "title": "Accept * in the input",
                **_CAPTURE_ONLY,
                "description": "Off: only the digits 0-9 are a valid entry, so a caller cannot type a PBX "
                "feature code (*21*...) where a number is asked for.",
            },
        },
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[ExitRule]] = [
        {"each": "options", "name_from": "key", "if": {"mode": "menu"}},
        {"name": "next", "label": "Captured", "if": {"mode": "capture"}},
        {"name": "max_tries", "label": "Too many tries", "if": {"split_failures": False}},
        {"name": _NO_INPUT, "label": "Nothing pressed", "if": {"split_failures": True}},
        {"name": _INVALID, "label": "Wrong keys", "if": {"split_failures": True}},
    ]
    unwired_meaning: ClassVar[dict[str, str]] = {
        "max_tries": "after the last failed try the call ends",
        _NO_INPUT: "when no key was pressed in any try, the call ends",
        _INVALID: "when a wrong key was pressed and the tries ran out, the call ends",
        "next": "once the caller has typed it, the call ends",  # capture mode: not a key
        "*": "pressing this key ends the call",
    }

    def exit_label(self, config: Mapping[str, Any], exit_name: str) -> str:
        for option in config.get("options", []):
            if option.get("key") == exit_name:
                return f"key {exit_name}" + (f" ({option['label']})" if option.get("label") else "")
        return super().exit_label(config, exit_name)

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        return prompt_templates(config, *PROMPT_FIELDS)

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        return {config["variable"]} if config.get("variable") else set()

    def variables_written_on(self, config: Mapping[str, Any], exit_name: str) -> set[str]:
        """The input is stored only when it was valid: on `next` (capture) or a key's exit (menu), never on
        the exits of the last failed try (nor, as for every block, on `error` or `hangup`)."""
        return set() if exit_name in _FAILED_EXITS else super().variables_written_on(config, exit_name)

    def check(self, node: Node, scenario: Scenario) -> list[Issue]:
        config = node.config
        issues = []
        named = node_params(node.type, self.title, node.title)
        keys = [option.get("key") for option in config.get("options", [])]
        for index, key in enumerate(keys):
            if key in keys[:index]:
                issues.append(
                    error(
                        "duplicate_key",
                        f'IVR "{node.title}": key {key} is listed twice',
                        node=node.id,
                        path=f"$.config.options[{index}].key",
                        params={**named, "key": str(key)},
                    )
                )
        mode = config.get("mode", "menu")
        if mode == "menu" and not keys:
            issues.append(
                error(
                    "no_keys",
                    f'IVR "{node.title}": the menu offers no key',
                    node=node.id,
                    path="$.config.options",
                    params=named,
                )
            )
        if mode == "capture":
            if not config.get("variable"):
                issues.append(
                    error(
                        "capture_without_variable",
                        f'IVR "{node.title}": the typed number is not stored anywhere (set "{_STORE_INPUT}")',
                        node=node.id,
                        path="$.config.variable",
                        params={**named, "field": _STORE_INPUT},
                    )
                )
            if config.get("min_length", 1) > config.get("max_length", 10):
                issues.append(
                    error(
                        "bad_length",
                        f'IVR "{node.title}": minimum digits is more than the maximum',
                        node=node.id,
                        path="$.config.min_length",
                        params={
                            **named,
                            "min_length": config.get("min_length", 1),
                            "max_length": config.get("max_length", 10),
                        },
                    )
                )
        return issues

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        capture = config.get("mode", "menu") == "capture"
        keys = {str(option["key"]) for option in config.get("options", [])}
        timeout = float(config.get("timeout", 5))
        tries = int(config.get("max_tries", 3))
        prompt = await ctx.prompt_from(config.get("prompt"))
        retry_prompt = prompt
        # Keys typed into a sensitive variable (a PIN) are noted masked, each try's as the trace tells tries apart.
        secret = bool(config.get("variable")) and ctx.is_sensitive(str(config["variable"]))
        someone_pressed = False  # a try got keys that were refused: someone was on the line
        for attempt in range(1, tries + 1):
            ctx.step.events.append({"kind": "attempt", "number": attempt})
            refusal = None
            if capture:
                entry = await ctx.read_digits(
                    retry_prompt,
                    timeout=timeout,
                    max_digits=_capture_read_limit(config),
                    terminator=str(config.get("terminator", "#")),
                    secret=secret,
                )
                digits = entry.digits
                refusal = _capture_refusal(config, digits)
                valid = refusal is None
            else:
                # '#' may be a menu key, so a menu read has no terminator.
                entry = await ctx.read_digits(retry_prompt, timeout=timeout, max_digits=1, terminator="", secret=secret)
                digits = entry.digits
                valid = digits in keys
            if valid:
                if config.get("variable"):
                    ctx.set(str(config["variable"]), digits)
                return "next" if capture else digits
            # The key that ended a capture entry, so the trace tells each try's keys apart (the story does).
            ended = {"terminator": str(config.get("terminator", "#"))} if capture and entry.terminated else {}
            if not digits:
                ctx.note("no_input", attempt=attempt, **ended)
                correction = await ctx.prompt_from(config.get("no_input_prompt"))
            else:
                someone_pressed = True
                why = {"reason": refusal} if refusal else {}  # a capture tells why: too_long, too_short, not_digits
                ctx.note("invalid", attempt=attempt, keys=mask(digits) if secret else digits, **ended, **why)
                correction = await ctx.prompt_from(config.get("invalid_prompt"))
            if attempt < tries and correction is not None:
                await ctx.play(correction)
            retry_prompt = prompt
        if not config.get("split_failures", False):
            return "max_tries"
        return _INVALID if someone_pressed else _NO_INPUT


def _capture_read_limit(config: Mapping[str, Any]) -> int:
    """A fixed-length entry (an 8-digit account number) ends at its last digit, as callers expect. Any other is
    read beyond max_length: GET DATA answers a read that reached its max digits as it answers '#' (getdata.txt),
    so a read stopped at max_length would hand over the first digits of a longer number as if they were all."""
    max_length = int(config.get("max_length", 10))
    return max_length if int(config.get("min_length", 1)) == max_length else _LONGEST_ENTRY


def _capture_refusal(config: Mapping[str, Any], digits: str) -> str | None:
    """Why a captured entry is invalid (too_long, too_short, not_digits), or None when it is valid."""
    if len(digits) > int(config.get("max_length", 10)):
        return "too_long"
    if len(digits) < int(config.get("min_length", 1)):
        return "too_short"
    # Digits only (unless * is allowed): a number asked for must not be a PBX feature code (*21*...).
    typed = digits.replace("*", "") if config.get("allow_star") else digits
    return None if _ONLY_DIGITS.match(typed) else "not_digits"
