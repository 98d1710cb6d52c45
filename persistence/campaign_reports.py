"""A campaign reported: its clients counted where they stand and what those reached answered (`campaign_summary`,
`campaigns`), and each client in the list's order with the last call that reached them (`campaign_clients`), beside
the rows of the list skipped as duplicates (`skipped_rows`).

A call of the campaign may promise the client a callback (the Callback block: "we'll call you later"): that job is
the campaign's too, for the same client (its `campaign_row`), and the client stands where their newest job says.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from persistence.errors import NotFound
from persistence.models import CallbackJob, CallCampaign, CallRecord, CampaignSkippedRow

# A list's own jobs, one per client, as `call_lists.schedule` makes them; a campaign's others are the callbacks its
# calls promised (the Callback block's, which name the call that asked).
_LISTED: Final = CallbackJob.origin_call_id.is_(None)
_ROWS_AT_ONCE: Final = 500  # list rows named in one query's IN (...)
# A call the client hung up on before the scenario hung up, transferred them or ended (graph_engine.trace.CallOutcome).
CALLER_HANGUP: Final = "caller_hangup"
# A call whose scenario failed (persistence.calls.derive_status): the client heard an apology or silence, and
# nothing they answered counts; the campaign counts them apart from those reached.
FAILED_CALL: Final = "failed"
# What a campaign's report says of a row besides its client's job status: a row skipped as a duplicate, its outcome
# naming the row called instead (`duplicate_of:2`), and a client waiting while the campaign is paused, whom nobody
# calls until it is resumed (`pending` read as if calls were coming).
REPORT_SKIPPED: Final = "skipped"
REPORT_PAUSED: Final = "paused"
DUPLICATE_OF: Final = "duplicate_of:"


@dataclass(frozen=True)
class CampaignSummary:
    campaign_id: str
    scenario: str
    name: str
    created_by: str | None
    created_at: datetime
    jobs: int
    statuses: dict[str, int]  # pending, dialing, done, failed, expired, cancelled
    # What the clients reached answered (their last call's `result`), whatever they stand now: a client promised a
    # callback answered too, and waits (pending). A client reached whose call set no `result` is not in it.
    results: dict[str, int]
    next_due: datetime | None  # when the next client waiting is due; None when nobody waits
    settings: dict[str, Any]  # as started (Campaign.settings()); {} for lists imported before they were kept
    cancelled_at: datetime | None  # when it was stopped; None while it runs (or for lists stopped before it was kept)
    # The clients a call reached (the scenario ran for them and did not fail), whatever they stand now: `results`
    # counts their answers, so those reached without one are `reached` less them. None where results are not
    # counted (the list).
    reached: int | None = None
    # The clients whose last call failed (the scenario broke off: a prompt it could not say, a block that failed):
    # not reached, whatever the call set. None where results are not counted (the list).
    failed_calls: int | None = None
    # The clients rung at least once (an attempt made, whatever came of it), and those a stop cancelled before
    # any was: "called 20 of 60", not the 10 whose dialing had ended.
    dialled: int = 0
    spared: int = 0
    # The clients waiting who were rung at least once: a retry after a busy line, or a callback their call promised.
    # "Called 19 of 19 (100 %)" read as over while 3 of them waited so (review of a Spanish bank's supervisor). None
    # where it is not counted (the list).
    awaiting_retry: int | None = None
    # When a supervisor paused it, and who (persistence.campaign_pause); None while it calls.
    paused_at: datetime | None = None
    paused_by: str | None = None
    # Of `reached`, the clients who hung up before the scenario was done with them (`hung_up_early`): their `result`,
    # if any, is the scenario's default, nothing they chose. None where it is not counted (the list).
    hung_up_early: int | None = None

    @property
    def paused(self) -> bool:
        """Held by a supervisor: nobody is called until it is resumed. A stop ends a pause (`campaign_stop.cancel`)."""
        return self.paused_at is not None and self.cancelled_at is None


@dataclass(frozen=True)
class LastCall:
    """What a campaign's summary and report read of a client's last call: not its trace nor its variables, most
    of a record (~2.7 KB of trace a debt-reminder call), read for every client each time the summary is asked."""

    id: str
    result: str | None
    answered_at: datetime | None
    outcome: str | None = None  # the call's own (hung_up, failed...): graph_engine.trace.CallOutcome
    status: str | None = None  # the call register's (answered, failed...): persistence.calls.derive_status

    @property
    def failed(self) -> bool:
        return self.status == FAILED_CALL


@dataclass(frozen=True)
class ClientReport:
    """One client of a campaign: the job that says where they stand, the last call that reached them (if any),
    their row of the list as imported, and how their dialing went over all their jobs.

    A call of the campaign may promise the client a callback (the Callback block: "we'll call you later"): that
    job is the campaign's too, for the same client (its `campaign_row`). The client stands where their newest job
    says (waiting for the promised call, not done), and their last call may be that callback's. Their dialing is
    every job's: reached on the second ring and promised a callback, they were dialled twice, the last time
    answered, though the callback they wait for was never dialled."""

    job: CallbackJob
    call: LastCall | None
    listed: CallbackJob  # the list's own job for the client: its columns (`contact`) and place
    attempts: int  # dial attempts, over all the client's jobs
    last_attempt_at: datetime | None  # the newest of them
    # That attempt's outcome (busy, no_answer, answered...); the standing job's while none was made (`cancelled`:
    # stopped before their first call; `window_closed`: the hours ran out first).
    outcome: str | None


def campaigns(
    session: Session, *, scenario: str | None = None, limit: int = 50, offset: int = 0
) -> list[CampaignSummary]:
    """The newest campaigns first (`offset` of them skipped), each with its jobs counted by status (results are
    in `campaign_summary`)."""
    query = select(CallCampaign).order_by(CallCampaign.created_at.desc(), CallCampaign.id).limit(limit).offset(offset)
    if scenario:
        query = query.where(CallCampaign.scenario == scenario)
    found = list(session.scalars(query))
    statuses: dict[str, dict[str, int]] = {campaign.id: {} for campaign in found}
    next_due: dict[str, datetime] = {}
    tried: dict[str, tuple[int, int]] = {}
    if found:
        tried = _tried(session, list(statuses))
        counts = (
            select(CallbackJob.campaign_id, CallbackJob.status, func.count(), func.min(CallbackJob.due))
            .where(CallbackJob.campaign_id.in_(list(statuses)), _LISTED)
            .group_by(CallbackJob.campaign_id, CallbackJob.status)
        )
        for campaign_id, status, count, due in session.execute(counts):
            statuses[str(campaign_id)][status] = count
            if status == "pending":  # min() keeps the column's type: an aware UTC datetime on every backend
                next_due[str(campaign_id)] = due
        _count_follow_ups(session, statuses, next_due)
    return [
        replace(
            _summary(campaign, statuses[campaign.id], {}, next_due.get(campaign.id)),
            dialled=tried.get(campaign.id, (0, 0))[0],
            spared=tried.get(campaign.id, (0, 0))[1],
        )
        for campaign in found
    ]


def _tried(session: Session, campaign_ids: list[str]) -> dict[str, tuple[int, int]]:
    """For each campaign, its clients rung at least once and those a stop cancelled before any ring. A client's
    list job says both: a callback is only ever promised on a call of it, so a client with one was rung."""
    rung = func.sum(case((CallbackJob.attempts > 0, 1), else_=0))
    spared = func.sum(case(((CallbackJob.status == "cancelled") & (CallbackJob.attempts == 0), 1), else_=0))
    counts = (
        select(CallbackJob.campaign_id, rung, spared)
        .where(CallbackJob.campaign_id.in_(campaign_ids), _LISTED)
        .group_by(CallbackJob.campaign_id)
    )
    return {str(campaign_id): (int(r or 0), int(s or 0)) for campaign_id, r, s in session.execute(counts)}


def _count_follow_ups(session: Session, statuses: dict[str, dict[str, int]], next_due: dict[str, datetime]) -> None:
    """`statuses` (the campaigns' list jobs by status) moved to where each client promised a callback stands:
    their newest callback counts instead of their list job, so a client is counted once. Such clients are few
    (they asked for an operator and none was free): their jobs are read, not counted by the database."""
    follow_ups = (
        select(CallbackJob.campaign_id, CallbackJob.campaign_row, CallbackJob.status, CallbackJob.due)
        .where(CallbackJob.campaign_id.in_(list(statuses)), CallbackJob.origin_call_id.is_not(None))
        .order_by(CallbackJob.created_at, CallbackJob.id)
    )
    newest: dict[tuple[str, int], tuple[str, datetime]] = {}
    for campaign_id, row, status, due in session.execute(follow_ups):
        if row is not None:  # always: a promised callback is filed under its client's row
            newest[(str(campaign_id), int(row))] = (status, due)
    for (campaign_id, row), listed_status in _listed_statuses(session, list(newest)).items():
        status, due = newest[(campaign_id, row)]
        counts = statuses[campaign_id]
        counts[listed_status] -= 1
        if not counts[listed_status]:
            del counts[listed_status]
        counts[status] = counts.get(status, 0) + 1
        # The list job's call promised the callback, so it was over by then: it held no due time of its own.
        if status == "pending" and (campaign_id not in next_due or due < next_due[campaign_id]):
            next_due[campaign_id] = due


def _listed_statuses(session: Session, clients: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The status of the list job of each (campaign, row)."""
    found: dict[tuple[str, int], str] = {}
    wanted = set(clients)
    for start in range(0, len(clients), _ROWS_AT_ONCE):
        some = clients[start : start + _ROWS_AT_ONCE]
        query = select(CallbackJob.campaign_id, CallbackJob.campaign_row, CallbackJob.status).where(
            CallbackJob.campaign_id.in_({campaign_id for campaign_id, _ in some}),
            CallbackJob.campaign_row.in_({row for _, row in some}),
            _LISTED,
        )
        for campaign_id, row, status in session.execute(query):
            client = (str(campaign_id), int(row or 0))
            if client in wanted:  # the IN lists pair every campaign with every row: keep the clients asked for
                found[client] = status
    return found


def campaign_summary(session: Session, *, campaign_id: str) -> CampaignSummary:
    """The campaign's clients counted where they stand, and what those reached answered: the figures of its report
    (`campaign_clients`), each client as its row there, counted by the database in one grouped query
    (`_counted_clients`). The report's rows read and folded here took 1.2-1.7 s for 20,000 clients on SQLite, at
    every GET of the campaign's page (bench/campaign_summary.py)."""
    campaign = require_campaign(session, campaign_id=campaign_id)
    statuses: dict[str, int] = {}
    results: dict[str, int] = {}
    next_due: datetime | None = None
    reached = failed = dialled = spared = awaiting_retry = early = 0
    for status, rung, called, call_failed, call_early, result, count, due in session.execute(
        _counted_clients(campaign_id)
    ):
        statuses[status] = statuses.get(status, 0) + count
        if status == "pending" and (next_due is None or due < next_due):
            next_due = due
        dialled += count if rung else 0
        awaiting_retry += count if rung and status == "pending" else 0
        spared += count if status == "cancelled" and not rung else 0
        if called and call_failed:
            failed += count  # the `result` it holds is the scenario's default or half a flow: no answer of theirs
        elif called:
            reached += count
            early += count if call_early else 0
            if result:
                results[result] = results.get(result, 0) + count
    summary = _summary(campaign, statuses, results, next_due, reached)
    return replace(
        summary,
        failed_calls=failed,
        dialled=dialled,
        spared=spared,
        awaiting_retry=awaiting_retry,
        hung_up_early=early,
    )


def hung_up_early() -> ColumnElement[bool]:
    """Whether a call record is one its client hung up on before the scenario was done with them: the caller hung
    up (outcome `caller_hangup`: before a Hang Up block, a transfer or the flow's end) and no step of the call set
    `result` (`result_set_by_a_step`, stored with the record from its trace's `variables_changed`), so the `result`
    it holds, if any, is the scenario's declared default (`no_response`), nothing the client chose. A client who
    pressed 1 and hung up on the thanks chose; one who hung up on the greeting or in the menu did not. The report's
    `outcome` column says `caller_hangup` for both.

    A column, not the trace: the summary is asked every 15 s while the campaign's dialog is open, and reading each
    client's trace read ~55 MB a refresh for 20,000 clients (test_campaign_results); it also outlives trace
    retention. A record from before migration 0032 that it did not fill in (not a campaign's early hangup) is
    not counted."""
    return and_(CallRecord.outcome == CALLER_HANGUP, CallRecord.result_set_by_a_step.is_(False))


def _counted_clients(
    campaign_id: str,
) -> Select[str, int, int | None, int | None, int | None, str | None, int, datetime]:
    """The campaign's clients grouped by where they stand (`status`), whether they were rung (`rung`, 1 or 0),
    whether a call reached them (`called`: 1, else NULL), whether that last call failed (`failed`: 1 or 0), whether
    its client hung up on it early (`early`: 1 or 0, `hung_up_early`) and its `result`; each group's clients
    counted, with the earliest `due` among them.

    A client is as `campaign_clients` makes them: the list's job for them, standing where their newest promised
    callback stands if they have one (a callback is filed under its client's row), else where the list job
    stands; rung if any of their jobs was; their last call the latest (`started_at`, then id) of all their jobs'
    calls. Whatever a database's NULL order, the descending orders here reverse the ascending ones the report reads,
    so both take the same newest callback and the same last call.

    A client's facts (list job, newest callback, last call) are rows of one list grouped by the client's row, each
    kind in columns of its own, not subqueries joined on the row: SQLite indexes no subquery made with a window
    function, so such a join read every call again for each client (14 s for 20,000 clients); and PostgreSQL,
    which knows nothing of a new campaign's id until it analyzes the table, took the list's thousands of rows for
    a few and matched the calls to the clients row by row (54 s, `IN` the list's rows). Sorting and grouping
    cost the same whatever the statistics say."""
    of_campaign, row = CallbackJob.campaign_id == campaign_id, CallbackJob.campaign_row
    promised = (
        select(
            row.label("row"),
            CallbackJob.status,
            CallbackJob.due,
            func.sum(CallbackJob.attempts).over(partition_by=row).label("attempts"),
            func.row_number()
            .over(partition_by=row, order_by=(CallbackJob.created_at.desc(), CallbackJob.id.desc()))
            .label("newest"),
        )
        .where(of_campaign, CallbackJob.origin_call_id.is_not(None), row.is_not(None))
        .subquery("promised")
    )
    called = (
        select(
            row.label("row"),
            case((CallRecord.status == FAILED_CALL, 1), else_=0).label("failed"),
            case((hung_up_early(), 1), else_=0).label("early"),
            CallRecord.result,
            func.row_number()
            .over(partition_by=row, order_by=(CallRecord.started_at.desc(), CallRecord.id.desc()))
            .label("newest"),
        )
        .join(CallbackJob, CallbackJob.id == CallRecord.callback_job_id)
        .where(of_campaign, row.is_not(None))
        .subquery("called")
    )
    one = literal_column("1", Integer)
    facts = union_all(
        _fact(row, client=one, listed_status=CallbackJob.status, listed_due=CallbackJob.due,
              attempts=CallbackJob.attempts).where(of_campaign, _LISTED, row > 0),
        _fact(promised.c.row, promised_status=promised.c.status, promised_due=promised.c.due,
              attempts=promised.c.attempts).where(promised.c.newest == 1),
        _fact(called.c.row, called=one, failed=called.c.failed, early=called.c.early,
              result=called.c.result).where(called.c.newest == 1),
    ).subquery("facts")  # fmt: skip
    # A client has one fact of each kind at most: max() takes it, or NULL when there is none.
    clients = (
        select(
            func.coalesce(func.max(facts.c.promised_status), func.max(facts.c.listed_status)).label("status"),
            func.coalesce(func.max(facts.c.promised_due), func.max(facts.c.listed_due)).label("due"),
            case((func.sum(facts.c.attempts) > 0, 1), else_=0).label("rung"),
            func.max(facts.c.called).label("called"),
            func.max(facts.c.failed).label("failed"),
            func.max(facts.c.early).label("early"),
            func.max(facts.c.result).label("result"),
        )
        .group_by(facts.c.row)
        .having(func.max(facts.c.client) == 1)  # a callback filed under a row the list does not have: no client
        .subquery("clients")
    )
    # Grouped by a subquery's columns, not by the expressions: PostgreSQL takes an expression written again, with
    # bind parameters of its own, for another one, missing from GROUP BY.
    kept = (clients.c.status, clients.c.rung, clients.c.called, clients.c.failed, clients.c.early, clients.c.result)
    return select(*kept, func.count(), func.min(clients.c.due)).group_by(*kept)


# The columns of `_counted_clients`'s facts besides the client's row, each fact filling those of its kind: its
# list job (`client` 1), its newest promised callback, its last call (`called` 1).
_FACT_COLUMNS: Final = {
    "client": Integer(),
    "listed_status": CallbackJob.status.type,
    "listed_due": CallbackJob.due.type,
    "promised_status": CallbackJob.status.type,
    "promised_due": CallbackJob.due.type,
    "attempts": Integer(),
    "called": Integer(),
    "failed": Integer(),
    "early": Integer(),
    "result": CallRecord.result.type,
}


def _fact(row: Any, **given: Any) -> Select[Any]:
    """A row of `_counted_clients`'s facts: `given` columns, NULL in the others, cast to the column's type
    (PostgreSQL takes two untyped NULLs for text, which the next select's integer then does not match; and the
    union's first select gives the types read back: a due time as an aware datetime on SQLite too)."""
    columns = [given.get(name, cast(null(), kind)).label(name) for name, kind in _FACT_COLUMNS.items()]
    return select(row.label("row"), *columns)


def _summary(
    campaign: CallCampaign,
    statuses: dict[str, int],
    results: dict[str, int],
    next_due: datetime | None,
    reached: int | None = None,
) -> CampaignSummary:
    return CampaignSummary(
        campaign.id,
        campaign.scenario,
        campaign.name,
        campaign.created_by,
        campaign.created_at,
        sum(statuses.values()),
        statuses,
        results,
        next_due,
        dict(campaign.settings or {}),
        campaign.cancelled_at,
        reached,
        paused_at=campaign.paused_at,
        paused_by=campaign.paused_by,
    )


def require_campaign(session: Session, *, campaign_id: str) -> CallCampaign:
    """The campaign, or `NotFound`."""
    campaign = session.get(CallCampaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign", campaign_id)
    return campaign


def campaign_jobs(session: Session, *, campaign_id: str, chunk: int = 500) -> Iterator[list[CallbackJob]]:
    """A campaign's list jobs (one per client; not the callbacks its calls promised) in the list's order, a chunk
    at a time (flat memory for a list of any length)."""
    after = 0
    while True:
        jobs = list(
            session.scalars(
                select(CallbackJob)
                .where(CallbackJob.campaign_id == campaign_id, CallbackJob.campaign_row > after, _LISTED)
                .order_by(CallbackJob.campaign_row)
                .limit(chunk)
            )
        )
        if not jobs:
            return
        yield jobs
        after = jobs[-1].campaign_row or after


def campaign_clients(session: Session, *, campaign_id: str) -> Iterator[ClientReport]:
    """Every client of a campaign in the list's order, where they stand and with the last call that reached them
    (`ClientReport`): each chunk's promised callbacks in one query, and all their jobs' calls in another."""
    for jobs in campaign_jobs(session, campaign_id=campaign_id):
        of_client: dict[int | None, list[CallbackJob]] = {job.campaign_row: [job] for job in jobs}
        follow_ups = (
            select(CallbackJob)
            .where(
                CallbackJob.campaign_id == campaign_id,
                CallbackJob.origin_call_id.is_not(None),
                CallbackJob.campaign_row.between(jobs[0].campaign_row, jobs[-1].campaign_row),
            )
            .order_by(CallbackJob.created_at, CallbackJob.id)
        )
        for follow_up in session.scalars(follow_ups):
            of_client.setdefault(follow_up.campaign_row, []).append(follow_up)
        last_call = _last_calls(session, {job.id: row for row, own in of_client.items() for job in own})
        for job in jobs:
            yield _client_report(of_client[job.campaign_row], last_call.get(job.campaign_row))


def _last_calls(session: Session, row_of: dict[str, int | None]) -> dict[int | None, LastCall]:
    """The last call of each client (their list row) among the calls of their jobs (`row_of`: job id to row)."""
    query = (
        select(
            CallRecord.id,
            CallRecord.callback_job_id,
            CallRecord.result,
            CallRecord.answered_at,
            CallRecord.outcome,
            CallRecord.status,
        )
        .where(CallRecord.callback_job_id.in_(list(row_of)))
        .order_by(CallRecord.started_at, CallRecord.id)
    )
    last: dict[int | None, LastCall] = {}
    for call_id, job_id, result, answered_at, outcome, status in session.execute(query):
        last[row_of[job_id or ""]] = LastCall(call_id, result, answered_at, outcome, status)
    return last


def _client_report(jobs: list[CallbackJob], call: LastCall | None) -> ClientReport:
    """A client from their jobs, the list's first then the callbacks its calls promised, as they were made."""
    standing = jobs[-1]
    latest = standing  # the job dialled last: on a tie the newer job, whose attempt came after
    for job in jobs:
        if job.last_attempt_at is not None and (
            latest.last_attempt_at is None or job.last_attempt_at >= latest.last_attempt_at
        ):
            latest = job
    attempts = sum(job.attempts for job in jobs)
    return ClientReport(standing, call, jobs[0], attempts, latest.last_attempt_at, latest.outcome)


@dataclass(frozen=True)
class SkippedRow:
    """A row of the campaign's list skipped as a duplicate: its `row`, the row called instead (`first`), and its
    own number as typed and cells (`written`, `cells`), None where they were not kept (skipped before migration
    0033) or were erased since."""

    row: int
    first: int
    written: str | None = None
    cells: dict[str, Any] | None = None


def skipped_rows(session: Session, *, campaign_id: str) -> list[SkippedRow]:
    """The rows of the campaign's list skipped as duplicates, in the list's order, each with the row called instead
    and its own number and cells. None for a campaign scheduled before they were kept (migration 0028)."""
    query = (
        select(CampaignSkippedRow.list_row, CampaignSkippedRow.first_row, CampaignSkippedRow.written,
               CampaignSkippedRow.cells)
        .where(CampaignSkippedRow.campaign_id == campaign_id)
        .order_by(CampaignSkippedRow.list_row)
    )  # fmt: skip
    return [
        SkippedRow(int(row), int(first), written, cells if isinstance(cells, dict) else None)
        for row, first, written, cells in session.execute(query)
    ]
