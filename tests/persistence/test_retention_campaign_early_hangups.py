"""A campaign's clients who hung up early (persistence.campaign_reports.hung_up_early) are counted alike before and
after retention strips their calls' traces: a client who pressed 1 and hung up on the thanks chose, whatever is left
of the steps that say so (review: after `purge` with traces=30d, such a client was counted as hung up early)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from persistence.campaign_reports import campaign_summary
from persistence.db import Database
from persistence.models import CallRecord
from persistence.retention import STRIPPED, RetentionPolicy, maintenance_session, purge
from tests.persistence.kept_data import DAY, NOW, add_campaign, transfer_trace, write_calls

CALLED_AT = NOW - 60 * DAY


def _trace(*steps: dict[str, Any]) -> dict[str, Any]:
    """A trace as the engine writes one, of `steps` (each a node and what it changed), the caller hanging up."""
    skeleton: dict[str, Any] = {
        "type": "say_phrase",
        "keys": "",
        "prompts": [{"text": "Hola Lucía"}],
        "variables_changed": {},
        "events": [],
        "error": None,
        "exit": "next",
        "scenario": None,
    }
    return {
        **transfer_trace(),
        "outcome": "caller_hangup",
        "steps": [{**skeleton, "index": n, **step} for n, step in enumerate(steps)],
    }


def _summary(database: Database, campaign_id: str) -> tuple[int | None, int | None, dict[str, int]]:
    with database.session() as session:
        summary = campaign_summary(session, campaign_id=campaign_id)
    return summary.reached, summary.hung_up_early, summary.results


def test_a_client_who_chose_then_hung_up_is_not_counted_early_once_the_trace_is_stripped(database: Database) -> None:
    with database.session() as session:
        campaign_id, (greeting, paid, menu) = add_campaign(
            session, ["+34600111001", "+34600111002", "+34600111003"], created_at=CALLED_AT
        )
        session.commit()
    greet = {"node": "greet"}
    pressed = {"node": "will_pay", "type": "set_variable", "variables_changed": {"result": "will_pay"}}
    # Set to what it already held: the scenario did set it, the client heard the end of the menu.
    said = {"node": "no_answer", "type": "set_variable", "variables_changed": {"result": "no_response"}}
    calls: list[tuple[str, list[dict[str, Any]], str]] = [
        (greeting, [greet], "no_response"),
        (paid, [greet, pressed], "will_pay"),
        (menu, [greet, said], "no_response"),
    ]
    records: list[dict[str, Any]] = [
        {"call_id": f"call-{n}", "started_at": CALLED_AT + n * timedelta(minutes=5), "outcome": "caller_hangup",
         "trace": _trace(*steps), "callback_job_id": job_id, "variables": {"result": result}}
        for n, (job_id, steps, result) in enumerate(calls)
    ]  # fmt: skip
    write_calls(database, *records)
    before = _summary(database, campaign_id)
    assert before == (3, 1, {"no_response": 2, "will_pay": 1})

    with maintenance_session(database) as session:
        report = purge(session, now=NOW, policy=RetentionPolicy(traces=timedelta(days=30)), batch=2)

    assert report.call_traces == 3 and report.call_records == 0
    with database.session() as session:
        traces = list(session.scalars(select(CallRecord.trace)))
        assert all(STRIPPED in trace for trace in traces)
        assert "will_pay" not in str(traces) and "Lucía" not in str(traces)  # what they chose is the row's `result`
    assert _summary(database, campaign_id) == before
