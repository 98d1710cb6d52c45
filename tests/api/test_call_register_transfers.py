"""Whether a transfer reached anyone, and what the caller hung up during, in the register's list and CSV, over real
HTTP. A supervisor's review: a caller whose transfer to the operator rang out and who then declined a callback was
`answered`, `hung_up`, `bye2` in the export, as was one who declined it out of hours; the trace alone said
`no_answer`. And `hangup_during` took one call's detail per call.

The calls are the examples' scenarios run by the engine on its scripted channel, recorded as the FastAGI runtime
records them: `hangup_during` is the channel operation the caller's hangup cut, as the AGI channel names it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from blocks import default_registry
from graph_engine.simulation import SimulationInput, simulate
from persistence import calls
from persistence.calls import CallRecordIn
from persistence.db import Database
from tests.api.conftest import Client, Server

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OPEN = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
CLOSED = datetime.fromisoformat("2026-11-23T21:00:00+01:00")
HOTLINE = {
    # Open hours: 0 for the operator, whose PJSIP/100 does not answer; the caller declines the callback offered.
    "operator-no-answer": SimulationInput(keys=["0", "2"], transfers=["no_answer"], at=OPEN),
    # Out of hours: the callback offered and declined, no transfer tried.
    "closed-declined": SimulationInput(keys=["2"], at=CLOSED),
    # Hangs up while the departments menu waits for a key.
    "left-in-menu": SimulationInput(hangup_at=2, at=OPEN),
}
MISSED_CALL = {
    # The support queue: the caller hangs up waiting, and the scenario calls them back (its `hangup` exit).
    "left-the-queue": SimulationInput(hangup_at=2, at=OPEN),
    "queue-no-answer": SimulationInput(transfers=["no_answer"], at=OPEN),
    "agent-answered": SimulationInput(transfers=["answered"], at=OPEN),
}


def _recorded(name: str, scenario: str, document: dict[str, Any], inputs: SimulationInput) -> CallRecordIn:
    simulated = asyncio.run(simulate(document, default_registry(), inputs))
    started = (inputs.at or OPEN).astimezone(UTC)
    simulated.result.call_id = name
    record = CallRecordIn.from_result(
        simulated.result, started_at=started, ended_at=started + timedelta(seconds=40), answered_at=started
    )
    record.scenario = scenario
    operations = [event.op for event in simulated.channel_events]
    if "caller_hangup" in operations:  # the scripted channel notes it after the operation it cut
        record.hangup_during = operations[operations.index("caller_hangup") - 1]
    return record


@pytest.fixture
def register(server: Server, slug: Callable[[str], str]) -> str:
    """The calls above, in a scenario name of their own; call ids `<scenario>-<name>`."""
    scenario = slug("transfers")
    hotline = json.loads((EXAMPLES / "inbound-hotline.json").read_text(encoding="utf-8"))
    missed = json.loads((EXAMPLES / "missed-call.json").read_text(encoding="utf-8"))
    records = [
        *(_recorded(f"{scenario}-{name}", scenario, hotline, inputs) for name, inputs in HOTLINE.items()),
        *(_recorded(f"{scenario}-{name}", scenario, missed, inputs) for name, inputs in MISSED_CALL.items()),
    ]
    database = Database(server.database_url)
    with database.session() as session:
        calls.write_batch(session, records=records)
    database.dispose()
    return scenario


def _csv(admin: Client, scenario: str) -> dict[str, dict[str, str]]:
    exported = admin.get("/api/calls.csv", params={"scenario": scenario})
    assert exported.status_code == 200, exported.text
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    return {row["id"].removeprefix(f"{scenario}-"): row for row in rows}


def _listed(admin: Client, scenario: str) -> dict[str, dict[str, Any]]:
    listed = admin.get("/api/calls", params={"scenario": scenario})
    assert listed.status_code == 200, listed.text
    return {item["id"].removeprefix(f"{scenario}-"): item for item in listed.json()["items"]}


WHAT = ("status", "outcome", "last_node", "hangup_during", "transfer_outcome")


def test_the_csv_tells_a_transfer_nobody_answered_from_a_caller_who_left_the_menu(admin: Client, register: str) -> None:
    rows = _csv(admin, register)
    seen = {name: tuple(rows[name][column] for column in WHAT) for name in HOTLINE}
    assert seen == {
        "operator-no-answer": ("answered", "hung_up", "bye2", "", "no_answer"),
        "closed-declined": ("answered", "hung_up", "bye2", "", ""),  # the same columns but this one, before
        "left-in-menu": ("abandoned_in_menu", "caller_hangup", "menu", "read_digits", ""),
    }


def test_the_list_says_the_same_without_a_call_s_detail_per_call(admin: Client, register: str) -> None:
    items = _listed(admin, register)
    seen = {name: tuple(items[name][field] for field in WHAT) for name in HOTLINE}
    assert seen == {
        "operator-no-answer": ("answered", "hung_up", "bye2", None, "no_answer"),
        "closed-declined": ("answered", "hung_up", "bye2", None, None),
        "left-in-menu": ("abandoned_in_menu", "caller_hangup", "menu", "read_digits", None),
    }
    for item in items.values():  # the detail, which reads the whole trace, agrees
        detail = admin.get(f"/api/calls/{item['id']}").json()
        assert [detail[field] for field in WHAT] == [item[field] for field in WHAT]


def test_callers_who_left_a_queue_count_as_abandons_though_they_were_called_back(admin: Client, register: str) -> None:
    """`derive_status` puts a scheduled callback first: the caller who hung up in the queue and the one the queue
    never answered are both `callback_scheduled`. The transfer's outcome tells the abandon apart."""
    rows = _csv(admin, register)
    queue = {name: (rows[name]["status"], rows[name]["hangup_during"], rows[name]["transfer_outcome"])
             for name in MISSED_CALL}  # fmt: skip
    assert queue == {
        "left-the-queue": ("callback_scheduled", "transfer", "caller_hangup"),
        "queue-no-answer": ("callback_scheduled", "", "no_answer"),
        "agent-answered": ("transferred", "", "answered"),
    }
    abandons = [name for name, row in rows.items() if row["transfer_outcome"] == "caller_hangup"]
    assert abandons == ["left-the-queue"]


def test_a_trace_with_odd_parts_is_exported_with_no_transfer_outcome(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """A trace is the engine's data, kept as written: a step or event that is not an object must not fail the
    export halfway (SQLite's json_extract refuses a string), nor the list."""
    scenario = slug("odd")
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    odd = {"steps": ["a step?", {"type": "ivr", "events": ["x", 3, {"kind": "attempt"}]}, {"events": {"kind": 1}}]}
    busy = {"type": "transfer", "exit": "busy", "events": [{"kind": "transfer", "outcome": "busy"}]}
    transfer = {"steps": ["?", busy]}
    records = [
        CallRecordIn(call_id=f"{scenario}-odd", scenario=scenario, started_at=at, outcome="ended", trace=odd),
        CallRecordIn(call_id=f"{scenario}-busy", scenario=scenario, started_at=at, outcome="ended", trace=transfer),
    ]
    database = Database(server.database_url)
    with database.session() as session:
        calls.write_batch(session, records=records)
    database.dispose()
    assert {name: row["transfer_outcome"] for name, row in _csv(admin, scenario).items()} == {"odd": "", "busy": "busy"}
    assert {name: item["transfer_outcome"] for name, item in _listed(admin, scenario).items()} == {
        "odd": None,
        "busy": "busy",
    }


def _transfer(exit_name: str, noted: str | None = None) -> dict[str, Any]:
    """A Transfer step as the engine writes it: an event when the block returned, none when a hangup cut it."""
    events = [{"kind": "transfer", "target": "queue:support", "outcome": noted, "talk_seconds": 0.0}] if noted else []
    return {"node": "t", "type": "transfer", "exit": exit_name, "events": events}


ANSWERED, RANG_OUT, CUT = _transfer("answered", "answered"), _transfer("no_answer", "no_answer"), _transfer("hangup")
LAST_TRANSFERS = {  # name: (steps, hangup_during, the transfer outcome shown)
    "rang-out-then-answered": ([RANG_OUT, ANSWERED], None, "answered"),
    "talked-then-left-the-next-queue": ([ANSWERED, CUT], "transfer", "caller_hangup"),
    "could-not-dial": ([_transfer("error")], None, "failed"),
    "gone-before-it-rang": ([{"type": "ivr", "exit": "hangup", "events": []}, CUT], "read_digits", None),
}


def test_the_last_transfer_is_the_one_shown_by_the_list_the_csv_and_the_detail(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    """The list and the CSV read it in the database, the detail from the whole trace: they agree."""
    scenario = slug("last")
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    records = [
        CallRecordIn(call_id=f"{scenario}-{name}", scenario=scenario, started_at=at, outcome="caller_hangup",
                     trace={"steps": steps}, hangup_during=during)
        for name, (steps, during, _shown) in LAST_TRANSFERS.items()
    ]  # fmt: skip
    database = Database(server.database_url)
    with database.session() as session:
        calls.write_batch(session, records=records)
    database.dispose()
    expected = {name: shown for name, (_steps, _during, shown) in LAST_TRANSFERS.items()}
    listed = _listed(admin, scenario)
    assert {name: item["transfer_outcome"] for name, item in listed.items()} == expected
    assert {name: row["transfer_outcome"] or None for name, row in _csv(admin, scenario).items()} == expected
    details = {name: admin.get(f"/api/calls/{item['id']}").json()["transfer_outcome"] for name, item in listed.items()}
    assert details == expected
