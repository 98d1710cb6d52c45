"""A call told as a story a business analyst can read: what was played or said, what was pressed, which branch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graph_engine.document import Scenario
from graph_engine.registry import BlockRegistry
from graph_engine.trace import CallOutcome, CallResult, TraceStep

OUTCOME_TEXT = {
    CallOutcome.HUNG_UP: "the scenario hung up",
    CallOutcome.CALLER_HANGUP: "the caller hung up",
    CallOutcome.TRANSFERRED: "the caller was transferred",
    CallOutcome.ENDED: "the flow ended and the call was hung up",
    CallOutcome.FAILED: "the call failed and was ended politely",
    CallOutcome.STEP_LIMIT: "the call was stopped: too many steps (a loop?)",
}


def _offset(start: str, at: str) -> str:
    seconds = int((datetime.fromisoformat(at) - datetime.fromisoformat(start)).total_seconds())
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _describe(step: TraceStep, registry: BlockRegistry) -> str:
    block = registry.get(step.type)
    title = f'{block.title if block else step.type} "{step.label or step.node}"'
    parts: list[str] = []
    for prompt in step.prompts:
        parts.append(f'said "{prompt["text"]}"' if "text" in prompt else f"played {prompt['audio']}")
    for event in step.events:
        kind = event.get("kind")
        if kind == "answered":
            parts.append("call answered")
        elif kind == "already_answered":
            parts.append("call already answered")
        elif kind == "no_input":
            parts.append("no key pressed")
        elif kind == "invalid":
            why = event.get("reason")  # a captured number says why it was refused: too_long, too_short, not_digits
            detail = f" ({str(why).replace('_', ' ')})" if why else ""
            parts.append(f"wrong key {event.get('keys', '')}{detail}")
        elif kind == "transfer":
            parts.append(f"dialed {event['target']}{_caller_shown(event)}: {event['outcome'].replace('_', ' ')}")
        elif kind == "sql" and event.get("cancelled"):  # the caller hung up while the query ran
            parts.append(f"looked up {event['source']}: hung up after {event.get('elapsed_ms', 0)} ms")
        elif kind == "sql":
            parts.append(f"looked up {event['source']}: {event['rows']} row(s)")
        elif kind == "callback_scheduled":
            joined = " (joined the callback already waiting for this number)" if event.get("merged") else ""
            parts.append(f"callback to {event['number']} at {event['due']}{joined}")
        elif kind == "callback_rejected":
            parts.append(f"callback refused ({event['reason']})")
        elif kind == "schedule":
            parts.append(f"local time {event['local_time']}: {'open' if event['open'] else 'closed'}")
        elif kind == "fallback":
            parts.append(f"went to the fallback block {event['target']}")
        elif kind == "goto_scenario":
            version = f", version {event['version']}" if event.get("version") is not None else ""
            parts.append(f"continued in scenario {event['scenario']}{version}")
        elif kind == "condition" and "expression" in event:
            read = ", ".join(f"{name} = {value!r}" for name, value in (event.get("read") or {}).items())
            parts.append(f"checked {event['expression']}" + (f" with {read}" if read else ""))
        elif kind == "switch":
            parts.append(f"value {event['value']!r}")
        elif kind == "test_call":  # what a block did instead of its run in a test call (BlockType.simulate)
            parts.append(str(event.get("summary", "simulated")))
    typed = _after_wrong_entries(step)
    if typed:
        parts.append(f"caller pressed {typed}")
    if step.exit == "hangup" and step.type != "hangup":
        parts.append("the caller hung up")
    for name, value in step.variables_changed.items():
        if name not in ("caller_id", "caller_name", "dialed_number", "channel", "language", "call_id"):
            parts.append(f"{name} = {value!r}")
    if step.error:
        parts.append(f"FAILED: {step.error}")
    exit_text = f" -> {step.exit}" if step.exit else ""
    return f"{title}: {'; '.join(parts) if parts else 'done'}{exit_text}"


def _caller_shown(transfer: dict[str, Any]) -> str:
    """' showing "Иванов Иван" <+74951234567>': what a Transfer set for the person it rang to see, as set."""
    name, number, unset = transfer.get("caller_name"), transfer.get("caller_id"), transfer.get("caller_name_unset")
    shown = " ".join(part for part in (f'"{name}"' if name else "", f"<{number}>" if number else "") if part)
    return (f" showing {shown}" if shown else "") + (f" (caller name not set: {unset})" if unset else "")


def _after_wrong_entries(step: TraceStep) -> str:
    """The keys typed after a menu's failed tries (each told above: "wrong key ...", "no key pressed"), so three
    wrong 9s do not read as "caller pressed 999". A try's keys are its digits and the terminator that ended
    them, as the IVR block notes them."""
    rest = step.keys
    for event in step.events:
        if event.get("kind") not in ("invalid", "no_input"):
            continue
        spent = str(event.get("keys", "")) + str(event.get("terminator", ""))
        if spent and rest.startswith(spent):
            rest = rest[len(spent) :]
    return rest


def tell(result: CallResult, scenario: Scenario, registry: BlockRegistry) -> list[str]:
    lines = [f"{_offset(result.started_at, step.at)}  {_describe(step, registry)}" for step in result.steps]
    outcome = OUTCOME_TEXT.get(result.outcome, str(result.outcome))
    where = ""
    if result.outcome is CallOutcome.CALLER_HANGUP and result.hangup_node:
        node = scenario.nodes.get(result.hangup_node)
        where = f' during "{node.title if node else result.hangup_node}"'
    lines.append(f"{_offset(result.started_at, result.ended_at)}  Outcome: {outcome}{where} ({result.outcome})")
    if result.error:
        lines.append(f"       Error: {result.error}")
    return lines
