"""Schedule: office hours. Branches `open` or `closed` by weekly hours and holiday dates in a time zone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from blocks.timewindows import (
    HOLIDAYS_SCHEMA,
    HOURS_SCHEMA,
    TIMEZONE_SCHEMA,
    holiday_problems,
    is_open,
    no_hours_problems,
    timezone_problems,
    zone,
)
from graph_engine.block import BlockType, ExitRule
from graph_engine.context import BlockContext
from graph_engine.document import Node, Scenario
from graph_engine.errors import EngineError
from graph_engine.issues import Issue


class ScheduleBlock(BlockType):
    type = "schedule"
    title = "Schedule"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Horario"},
        "ru": {"title": "Расписание"},
    }
    category = "Flow"
    safe_in_test_call = True  # reads the clock, a test call's own
    icon = "clock"
    description = "Checks office hours and holidays: open or closed."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["hours"],
        "properties": {
            "timezone": TIMEZONE_SCHEMA,
            "hours": HOURS_SCHEMA,
            "holidays": HOLIDAYS_SCHEMA,
        },
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[ExitRule]] = [
        {"name": "open", "label": "Open"},
        {"name": "closed", "label": "Closed"},
    ]
    unwired_meaning: ClassVar[dict[str, str]] = {"*": "the call ends without a word at these times"}

    def check(self, node: Node, scenario: Scenario) -> list[Issue]:
        closed = "every call would be closed"
        return (
            no_hours_problems(node, "Schedule", "hours", closed)
            + timezone_problems(node, "Schedule")
            + holiday_problems(node, "Schedule", self.config_schema)
        )

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        tz = zone(str(config.get("timezone", "UTC")))
        if tz is None:
            timezone = config.get("timezone")
            raise EngineError(f"unknown time zone {timezone!r}", code="unknown_timezone", params={"timezone": timezone})
        now = ctx.now()
        opened = is_open(now, config["hours"], tz, config.get("holidays", []))
        ctx.note("schedule", local_time=now.astimezone(tz).isoformat(timespec="minutes"), open=opened)
        return "open" if opened else "closed"
