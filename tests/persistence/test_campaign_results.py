"""How a campaign's results are read while it runs and after: its jobs a page at a time, each client's dialing
(attempts, last outcome) over all their jobs, the answers against the clients reached, and what is read to
count them (review of the campaign reports, 2026-12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from graph_engine.registry import BlockRegistry
from graph_engine.services import CallbackRequest
from persistence import call_lists, callbacks, calls, campaign_reports, campaign_stop
from persistence.db import Database
from tests.persistence.published import publish
from tests.persistence.test_campaign_follow_ups import NOW, OPERATOR, PAY, _answered_call, _campaign, _claim


@pytest.fixture
def database(database: Database) -> Database:
    """The conftest's database, with these tests' callback scenarios published: callbacks ring only into those."""
    publish(database, "s", "debt-reminder")
    return database


def _list(database: Database, *phones: str, campaign: call_lists.Campaign | None = None) -> tuple[str, list[str]]:
    campaign = campaign or call_lists.Campaign(due=NOW)
    planned = call_lists.plan_jobs(
        [{"phone": p} for p in phones], number_column="phone", declared={}, campaign=campaign
    )
    with database.session() as session:
        return call_lists.schedule(session, scenario="s", jobs=planned, campaign=campaign)


def _page(database: Database, *, limit: int, offset: int, campaign_id: str | None = None) -> list[str]:
    with database.session() as session:
        return [job.id for job in callbacks.list_jobs(session, campaign_id=campaign_id, limit=limit, offset=offset)]


def _attempt(database: Database, job_id: str, outcome: str, at: datetime) -> None:
    with database.session() as session:
        callbacks.record_attempt(session, job_id=job_id, outcome=outcome, at=at, node_id="n1")


# -- paging a campaign's jobs ------------------------------------------------------------------------------------


def test_paging_a_running_campaigns_jobs_neither_repeats_nor_skips_one(database: Database) -> None:
    """Paged by `due`, a retry the dialer scheduled between two pages moved its client to the first page: one
    client was listed twice and another never. A callback a call promised meanwhile comes after the list."""
    campaign_id, ids = _list(database, *(f"60011122{n}" for n in range(4)))
    first = _page(database, campaign_id=campaign_id, limit=2, offset=0)
    _claim(database, NOW)
    _attempt(database, ids[3], "busy", NOW)  # due again in five minutes: the newest due of the list
    with database.session() as session:  # the first client, reached, asks to be called back
        callbacks.mark_reached(session, job_id=ids[0], at=NOW)
        request = CallbackRequest(number="600111220", due=NOW + timedelta(hours=1), window_end=None, scenario="s",
                                  variables={}, origin_call_id="call-1", origin_job_id=ids[0])  # fmt: skip
        follow_up, _ = callbacks.schedule_callback(session, request, max_attempts=3, now=NOW)
    rest = _page(database, campaign_id=campaign_id, limit=2, offset=2) + _page(
        database, campaign_id=campaign_id, limit=2, offset=4
    )
    assert first + rest == [*ids, follow_up.id]  # the list's order, then the callback as it was made


def test_paging_every_job_newest_first_is_not_moved_by_a_retry(database: Database) -> None:
    made = [NOW + timedelta(minutes=n) for n in range(3)]
    with database.session() as session:
        ids = [callbacks.create_job(session, number=f"60000000{n}", scenario="s", due=NOW, now=at).id
               for n, at in enumerate(made)]  # fmt: skip
    first = _page(database, limit=2, offset=0)
    _claim(database, NOW)
    _attempt(database, ids[0], "busy", NOW)  # the oldest job is due again later than every other
    assert first + _page(database, limit=2, offset=2) == ids[::-1]


# -- each client's dialing in the report ---------------------------------------------------------------------


async def test_a_client_promised_a_callback_keeps_the_dial_attempts_that_reached_them(
    database: Database, registry: BlockRegistry
) -> None:
    """Reached on the second attempt and promised a callback (no operator free): their row read the waiting
    callback's attempts (0) and outcome (none), and not the two dials they got."""
    campaign_id, (job_id,) = _campaign(database, "600111222")
    _claim(database, NOW)
    _attempt(database, job_id, "busy", NOW)
    second = NOW + timedelta(minutes=5)
    _claim(database, second)
    await _answered_call(database, registry, job_id, at=second, keys=[OPERATOR], call_id="call-1")
    _attempt(database, job_id, "answered", second)  # the dialer's word comes after FastAGI's
    with database.session() as session:
        (client,) = campaign_reports.campaign_clients(session, campaign_id=campaign_id)
    assert client.job.status == "pending" and client.job.id != job_id  # waiting for the callback promised
    assert client.call is not None and client.call.id == "call-1"
    assert (client.attempts, client.outcome, client.last_attempt_at) == (2, "answered", second)


async def test_a_client_called_back_reads_every_attempt_of_theirs_and_the_newest_outcome(
    database: Database, registry: BlockRegistry
) -> None:
    campaign_id, (job_id,) = _campaign(database, "600111222")
    _claim(database, NOW)
    promised = await _answered_call(database, registry, job_id, at=NOW, keys=[OPERATOR], call_id="call-1")
    _attempt(database, job_id, "answered", NOW)
    later = datetime.fromisoformat(str(promised.variables["callback_due"]))
    (follow_up,) = _claim(database, later)
    _attempt(database, follow_up.id, "no_answer", later)
    with database.session() as session:
        (client,) = campaign_reports.campaign_clients(session, campaign_id=campaign_id)
    assert (client.job.id, client.job.status) == (follow_up.id, "pending")
    assert (client.attempts, client.outcome, client.last_attempt_at) == (2, "no_answer", later)


# -- a stop, or a window closing, keeps the last dial's outcome -------------------------------------------------


def test_stopping_keeps_each_clients_last_dial_outcome(database: Database) -> None:
    """The report's `outcome` is how the dialing went: `cancelled` is the status, and wrote over busy and no
    answer (a client waiting for a retry, and one whose phone rang as the list was stopped)."""
    campaign_id, (busy, ringing, _never) = _list(database, "600111221", "600111222", "600111223")
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=NOW, limit=2, node_id="n1")  # the first two clients ring
    _attempt(database, busy, "busy", NOW)
    with database.session() as session:
        assert campaign_stop.cancel(session, campaign_id=campaign_id, now=NOW + timedelta(minutes=1)) == 2
    _attempt(database, ringing, "no_answer", NOW + timedelta(minutes=1))
    with database.session() as session:
        clients = list(campaign_reports.campaign_clients(session, campaign_id=campaign_id))
    assert [(c.job.status, c.attempts, c.outcome) for c in clients] == [
        ("cancelled", 1, "busy"),
        ("cancelled", 1, "no_answer"),
        ("cancelled", 0, "cancelled"),  # never dialled: nothing else to say
    ]


def test_a_client_whose_hours_ran_out_keeps_their_last_dial_outcome(database: Database) -> None:
    """Busy near the end of the campaign's last opening: the retry waits, the hours close for good, and the
    client expires; `window_closed` wrote over the busy. The same for a client given back undialled then."""
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    closing = monday.replace(hour=10, minute=30)
    campaign = call_lists.Campaign(due=monday, until=closing, hours=[{"days": ["mon"], "from": "09:00", "to": "10:30"}])
    _, (given_back, waiting, never) = _list(database, "600111221", "600111222", "600111223", campaign=campaign)
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=closing - timedelta(minutes=20), limit=2, node_id="n1")
    _attempt(database, given_back, "no_answer", closing - timedelta(minutes=20))
    _attempt(database, waiting, "busy", closing - timedelta(minutes=20))
    with database.session() as session:  # the third client, then the first one's retry, seconds before closing
        claimed = callbacks.claim_due_jobs(session, now=closing - timedelta(seconds=10), limit=2, node_id="n1")
    assert [job.id for job in claimed] == [never, given_back]
    for job_id in (never, given_back):  # too late to ring: the dialer gives them back
        with database.session() as session:
            callbacks.expire_job(session, job_id=job_id, node_id="n1", now=closing - timedelta(seconds=5))
    with database.session() as session:  # the dialer's next pass: the others' hours have closed
        assert callbacks.claim_due_jobs(session, now=closing + timedelta(minutes=10), limit=5, node_id="n1") == []
    with database.session() as session:
        jobs = [callbacks.get_job(session, job_id=job_id) for job_id in (given_back, waiting, never)]
    assert [(job.status, job.outcome) for job in jobs] == [
        ("expired", "no_answer"),
        ("expired", "busy"),
        ("expired", "window_closed"),  # never dialled in time
    ]


# -- the campaign's summary -----------------------------------------------------------------------------------


async def test_the_answers_count_against_the_clients_reached(database: Database, registry: BlockRegistry) -> None:
    """The Campaigns dialog read `results` as the answers of the `done` clients ("reached without an answer" =
    done - answers), but a client promised a callback answered too and is pending: the client who hung up
    before answering went unreported. `reached` counts every client a call reached, whatever they stand now."""
    campaign_id, (pays, silent, promised) = _campaign(database, "600111221", "600111222", "600111223")
    _claim(database, NOW)
    await _answered_call(database, registry, pays, at=NOW, keys=[PAY], call_id="call-pays")
    with database.session() as session:  # reached, hung up during the greeting: no `result`
        callbacks.mark_reached(session, job_id=silent, at=NOW, scenario="debt-reminder")
        record = calls.CallRecordIn(call_id="call-silent", scenario="debt-reminder", started_at=NOW,
                                    ended_at=NOW + timedelta(seconds=3), answered_at=NOW, outcome="caller_hangup",
                                    trace={"steps": []}, callback_job_id=silent)  # fmt: skip
        calls.write_batch(session, records=[record])
    await _answered_call(database, registry, promised, at=NOW, keys=[OPERATOR], call_id="call-promised")
    with database.session() as session:
        summary = campaign_reports.campaign_summary(session, campaign_id=campaign_id)
        (listed,) = campaign_reports.campaigns(session)
    assert summary.statuses == {"done": 2, "pending": 1}
    assert summary.results == {"will_pay": 1, "operator_unavailable": 1}
    assert summary.reached == 3 and summary.reached - sum(summary.results.values()) == 1
    assert listed.reached is None  # not counted for the list of campaigns, as `results` is not


async def test_the_summary_and_the_report_read_no_call_trace(database: Database, registry: BlockRegistry) -> None:
    """The summary (asked every 15 s while the dialog is open) and the report read each client's last call for its
    `result`, answer time and id: loading its trace and variables too read ~55 MB a refresh for 20,000 clients."""
    campaign_id, (job_id,) = _campaign(database, "600111222")
    _claim(database, NOW)
    await _answered_call(database, registry, job_id, at=NOW, keys=[PAY], call_id="call-1")
    statements: list[str] = []

    def capture(*arguments: object) -> None:
        statements.append(str(arguments[2]))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.session() as session:
            summary = campaign_reports.campaign_summary(session, campaign_id=campaign_id)
            (client,) = campaign_reports.campaign_clients(session, campaign_id=campaign_id)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    assert summary.results == {"will_pay": 1}
    assert client.call is not None and (client.call.id, client.call.result) == ("call-1", "will_pay")
    reads_of_calls = [s for s in statements if "FROM call_records" in s]
    assert len(reads_of_calls) == 2, statements
    assert not [s for s in reads_of_calls if "call_records.trace" in s or "call_records.variables" in s]
