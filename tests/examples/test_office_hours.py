"""The examples that ring clients back into Ejemplo Telecom's office keep that office's hours.

inbound-hotline, missed-call and callback-connect (its own next round) all schedule callback-connect, which puts
the client through to the office's queues. The office's hours are written into each of them (a scenario has no
shared settings), so a copy that drifts rings clients when nobody can answer (review, callback-connect's retry
used every day 09:00-21:00 while the office closes at 19:00 and on its holidays).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from blocks.timewindows import is_open, zone
from tests.conftest import EXAMPLES, example_slugs

OFFICE_FIELDS = ("timezone", "window", "holidays", "max_defer_hours")


def _nodes(slug: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = json.loads((EXAMPLES / f"{slug}.json").read_text(encoding="utf-8"))["nodes"]
    return nodes


def _hotline_node(node_id: str) -> dict[str, Any]:
    config: dict[str, Any] = next(n for n in _nodes("inbound-hotline") if n["id"] == node_id)["config"]
    return config


def _callbacks_into_the_office() -> dict[str, dict[str, Any]]:
    return {
        f"{slug}/{node['id']}": node["config"]
        for slug in example_slugs()
        for node in _nodes(slug)
        if node["type"] == "callback" and node["config"].get("scenario") == "callback-connect"
    }


def test_every_callback_into_the_office_keeps_the_hotlines_callback_hours() -> None:
    office = {field: _hotline_node("callback")[field] for field in OFFICE_FIELDS}
    callbacks = _callbacks_into_the_office()
    assert set(callbacks) >= {"inbound-hotline/callback", "missed-call/later", "callback-connect/later"}
    for where, config in callbacks.items():
        assert {field: config.get(field) for field in OFFICE_FIELDS} == office, where


def test_the_callback_hours_lie_within_the_hotlines_opening_hours() -> None:
    """A callback is due only when the hotline's Schedule says the office is open (holidays included)."""
    schedule, callback = _hotline_node("hours"), _hotline_node("callback")
    tz = zone(schedule["timezone"])
    assert tz is not None and callback["timezone"] == schedule["timezone"]
    assert set(schedule["holidays"]) <= set(callback["holidays"])
    moment, end = datetime(2026, 11, 23, tzinfo=UTC), datetime(2027, 1, 11, tzinfo=UTC)  # a week, and the holidays
    while moment < end:
        if is_open(moment, callback["window"], tz, callback["holidays"]):
            assert is_open(moment, schedule["hours"], tz, schedule["holidays"]), moment.astimezone(tz).isoformat()
        moment += timedelta(minutes=15)
