"""Callback: asks the scheduler to call a number back later, inside allowed hours (never at night)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

from blocks.common import IDENTIFIER_PATTERN
from blocks.timewindows import (
    HOLIDAYS_SCHEMA,
    HOURS_SCHEMA,
    TIMEZONE_SCHEMA,
    callback_window,
    holiday_problems,
    next_opening,
    no_hours_problems,
    timezone_problems,
    zone,
)
from graph_engine.block import BlockType, ExitRule, TemplateField
from graph_engine.context import BlockContext
from graph_engine.document import Node, Scenario
from graph_engine.errors import EngineError, SchedulerError
from graph_engine.issues import Issue
from graph_engine.services import CallbackRefused, CallbackRequest

NUMBER_PATTERN = re.compile(r"^\+?[0-9]{3,20}$")
DEFAULT_WINDOW = [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "09:00", "to": "21:00"}]


class CallbackBlock(BlockType):
    type = "callback"
    title = "Schedule Callback"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Programar devolución"},
        "ru": {"title": "Обратный звонок"},
    }
    category = "Connect"
    safe_in_test_call = True  # schedules through ctx.services.scheduler, which a test call records
    icon = "phone-outgoing"
    description = "Schedules an outbound call to a number after a delay, only within allowed hours."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["scenario"],
        "properties": {
            "number": {
                "type": "string",
                "default": "{{ caller_id }}",
                "maxLength": 200,
                "title": "Number to call",
                "x-ui": {"widget": "template"},
            },
            "delay_minutes": {"type": "number", "minimum": 0, "maximum": 10080, "default": 5, "title": "After (min)"},
            "timezone": TIMEZONE_SCHEMA,
            "window": {**HOURS_SCHEMA, "title": "Allowed hours", "default": DEFAULT_WINDOW},
            "holidays": {**HOLIDAYS_SCHEMA, "description": "Dates (YYYY-MM-DD, local) with no callbacks at all."},
            "outside_window": {
                "enum": ["defer", "reject"],
                "default": "defer",
                "title": "Outside the hours",
                "description": "defer: call at the next allowed time; reject: take the rejected exit.",
            },
            "max_defer_hours": {"type": "number", "minimum": 0, "maximum": 336, "default": 72, "title": "Defer up to"},
            "scenario": {
                "type": "string",
                "pattern": "^[a-z0-9][a-z0-9-]{0,63}$",
                "title": "Scenario the callee hears",
                "x-ui": {"widget": "scenario"},
            },
            "variables": {
                "type": "array",
                "items": {"type": "string", "pattern": IDENTIFIER_PATTERN},
                "default": [],
                "title": "Variables to carry",
            },
        },
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[ExitRule]] = [
        {"name": "scheduled", "label": "Scheduled"},
        {"name": "rejected", "label": "Rejected"},
    ]
    unwired_meaning: ClassVar[dict[str, str]] = {"*": "the call ends without telling the caller"}

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        return [TemplateField(("number",), str(config.get("number", "{{ caller_id }}")))]

    def variables_read(self, config: Mapping[str, Any]) -> set[str]:
        return set(config.get("variables", []))

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        return {"callback_job_id", "callback_due"}

    def variables_written_on(self, config: Mapping[str, Any], exit_name: str) -> set[str]:
        """Only a scheduled callback has a job and a due time."""
        return self.variables_written(config) if exit_name == "scheduled" else set()

    def check(self, node: Node, scenario: Scenario) -> list[Issue]:
        rejected = "every callback would be rejected"
        return (
            no_hours_problems(node, "Callback", "window", rejected)
            + timezone_problems(node, "Callback")
            + holiday_problems(node, "Callback", self.config_schema)
        )

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        number = ctx.render(str(config.get("number", "{{ caller_id }}"))).strip()
        if not NUMBER_PATTERN.match(number):
            ctx.note("callback_rejected", reason="invalid number", number=number[:32])
            return "rejected"
        tz = zone(str(config.get("timezone", "UTC")))
        if tz is None:
            timezone = config.get("timezone")
            raise EngineError(f"unknown time zone {timezone!r}", code="unknown_timezone", params={"timezone": timezone})
        wanted = ctx.now() + timedelta(minutes=float(config.get("delay_minutes", 5)))
        hours, holidays = config.get("window", DEFAULT_WINDOW), config.get("holidays", [])
        opening = next_opening(wanted, hours, tz, holidays)
        if opening is None:
            ctx.note("callback_rejected", reason="no allowed time in the next two weeks")
            return "rejected"
        due, window_end = opening
        deferred = due > wanted
        too_late = due - wanted > timedelta(hours=float(config.get("max_defer_hours", 72)))
        if deferred and (config.get("outside_window", "defer") == "reject" or too_late):
            ctx.note("callback_rejected", reason="outside the allowed hours", wanted=wanted.isoformat())
            return "rejected"
        carried = {name: ctx.variables[name] for name in config.get("variables", []) if name in ctx.variables}
        # The job this call was placed for (the host's trusted input), or the one an earlier Callback block of this
        # call scheduled, which the host filed in the same place: a campaign's follow-up stays the campaign's.
        origin_job = ctx.get("callback_job_id")
        try:
            answer = await ctx.services.scheduler.schedule(
                CallbackRequest(
                    number=number,
                    due=due,
                    window_end=window_end,
                    scenario=str(config["scenario"]),
                    variables=carried,
                    origin_call_id=ctx.call_id,
                    window=callback_window(
                        hours,
                        str(config.get("timezone", "UTC")),
                        holidays,
                        defer=config.get("outside_window", "defer") != "reject",
                        max_defer_hours=float(config.get("max_defer_hours", 72)),
                    ),
                    origin_job_id=origin_job if isinstance(origin_job, str) and origin_job else None,
                )
            )
        except SchedulerError as failure:
            # The host's scheduler says why in English only (the scenario not published...): named here as a whole.
            failure.named("callback_not_scheduled", {"scenario": str(config["scenario"]), "detail": str(failure)})
            raise
        if isinstance(answer, CallbackRefused):
            # A number the host never calls (an emergency number, one no phone can have: the pattern above only
            # knows digits): the caller is told as for any refused callback, and the trace says why.
            ctx.note("callback_rejected", reason=answer.reason, number=number[:32])
            return "rejected"
        receipt = answer
        ctx.set("callback_job_id", receipt.job_id)
        ctx.set("callback_due", due.isoformat())
        # A callback already waiting for this number joined: the call's story says the caller gets that one call.
        joined = {"merged": True} if receipt.merged else {}
        ctx.note("callback_scheduled", job_id=receipt.job_id, due=due.isoformat(), number=number, **joined)
        return "scheduled"
