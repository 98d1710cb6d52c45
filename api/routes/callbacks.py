"""Callback jobs for integrations: ask ivrgraph to call someone back into a scenario, and watch the jobs.

A job's number and variables, and a campaign report's clients, are masked for a user without `sees_personal_data`
(api.personal_data); a lookup by number and a report's download leave an audit event each. What a publisher sends
(a job, a list to check) is answered as sent."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Final, Literal, TypeVar
from zoneinfo import ZoneInfo

import anyio
from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from api import personal_data
from api.call_list_files import read_call_list
from api.csv_export import CsvDelimiter, DelimiterQuery, named_zone, report_disposition, zoned_csv
from api.deps import Publisher, Runtime, RuntimeDep, Viewer
from api.idempotency import IdempotencyKeyHeader, replayed
from api.report_cells import NUMBER_KINDS, typed_cell, typed_kinds
from api.report_labels import CAMPAIGN_REPORT, LanguageQuery, Wording
from api.routes import AUTHED, problems
from api.schemas import (
    CallbackAttemptOut,
    CallbackBatchIn,
    CallbackBatchOut,
    CallbackCreate,
    CallbackJobOut,
    CallListOut,
    CallListProblem,
    CallListRefused,
    CampaignOut,
    JobStatus,
    ListVariableOut,
    OpeningHours,
    PlannedJobOut,
)
from api.xlsx_export import XLSX_MEDIA_TYPE, zoned_xlsx
from blocks.timewindows import callback_window, reopening, zone
from graph_engine.inputs import scenario_inputs
from persistence import (
    audit,
    call_list_values,
    call_lists,
    callbacks,
    campaign_pause,
    campaign_reports,
    campaign_stop,
    phone_numbers,
    scenarios,
)
from persistence.call_list_columns import ChosenColumns
from persistence.db import Database
from persistence.dial_hours import DefaultHours
from persistence.errors import InvalidCallback, InvalidCallList, RequestRefused
from persistence.models import CallbackJob, IdempotencyKey, utcnow
from persistence.result_labels import label_of, result_labels
from persistence.scenarios import SLUG_PATTERN
from persistence.users import Principal

MAX_LIST_FILE_BYTES: Final = 10 * 2**20
# The rows of one `POST /batch`, as JSON: under the API's request body limit (api.app: 21 MiB), room left for the rest.
MAX_BATCH_ROWS_BYTES: Final = 20 * 2**20
PREVIEW_JOBS: Final = 5
# How far in the past a callback's `due` may be and still mean "now": the CRM's clock and ours differ a little, and a
# request takes its time. Further back is a wrong date, which the dialer would ring at once (review, 2026-12-06).
DUE_GRACE: Final = timedelta(minutes=5)
_ID_PATTERN: Final = r"^[A-Za-z0-9-]+$"  # a job's or a campaign's id (a UUID)
CampaignId = Annotated[str, Path(max_length=36, pattern=_ID_PATTERN)]
# `row`: the row of the list's file (its place among the clients for lists sent without row numbers); `outcome`:
# the last dial's (busy, answered...); `call_outcome`: how the last call's scenario ended (hung_up, failed...).
# `result_label`: what the campaign's scenario calls that result (its latest published version's `results`).
REPORT_COLUMNS: Final = ("row", "number", "status", "attempts", "outcome", "last_attempt_at", "result",
                         "result_label", "call_outcome", "answered_at", "call_id")  # fmt: skip
REPORT_TIMES: Final = frozenset({"last_attempt_at", "answered_at"})  # on the campaign's clock, which the header names

JobId = Annotated[str, Path(max_length=36, pattern=_ID_PATTERN)]

router = APIRouter(prefix="/api/callbacks", tags=["callbacks"], responses=AUTHED)


def public(job: CallbackJob, attempts: list[CallbackAttemptOut] | None = None) -> CallbackJobOut:
    return CallbackJobOut(
        id=job.id,
        number=job.number,
        scenario=job.scenario,
        due=job.due,
        window_end=job.window_end,
        variables=job.variables,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        status=job.status,  # type: ignore[arg-type]
        outcome=job.outcome,
        last_attempt_at=job.last_attempt_at,
        reached_at=job.reached_at,
        origin_call_id=job.origin_call_id,
        locked_by=job.locked_by,
        lock_until=job.lock_until,
        **_kept_hours(job.allowed_hours),
        history=attempts or [],
    )


def _kept_hours(window: dict[str, Any] | None) -> dict[str, Any]:
    """The hours, zone and holidays a job keeps (`callback_window`), as `CallbackJobOut` names them; none for a job
    without hours, or with a window this version cannot read (it is dialled as it was stored all the same)."""
    try:
        hours = [OpeningHours.model_validate(row) for row in (window or {}).get("hours") or []]
        holidays = [str(day) for day in (window or {}).get("holidays") or []]
    except (ValidationError, TypeError, AttributeError):
        return {}
    if not hours or window is None:
        return {}
    return {"hours": hours, "timezone": str(window.get("timezone", "UTC")), "holidays": holidays}


@router.post("", status_code=201, response_model=CallbackJobOut, responses=problems(404, 409))
def create_job(
    body: CallbackCreate, user: Publisher, runtime: RuntimeDep, idempotency_key: IdempotencyKeyHeader = None
) -> CallbackJobOut | JSONResponse:
    """A durable job the dialer picks up at `due`; the callee hears the scenario's published version.

    `variables` the published version declares are converted to their types as a call list's cells are: a `date`
    may be sent `30.12.2026` (stored `2026-12-30`), a `number` `1 234,56`, a `boolean` `да`. A value that cannot
    be is refused (422 naming `$.variables.<name>` and the type), not stored for every answered call to fail on
    it; JSON's null, a list or an object is no value of those types. Variables it does not declare are kept as
    sent. A number written with `+` (or, with a default country, nationally) of a length no number of its country
    has is refused too (`$.number`).

    Publisher and up: it places a real call to a number from the live scenario, as publishing decides what
    callers hear (an editor edits drafts). Send an `Idempotency-Key` to retry safely: a retry of a request that
    went through answers its job again instead of calling the client twice.

    A `due` more than 5 minutes past is refused (422 naming `$.due`): a wrong date, or one the CRM read wrong,
    would have the client rung at once. One within them is called now. A retry with the request's
    `Idempotency-Key` answers the job again however late it comes.

    Never at night unless asked: without `hours` the job keeps this node's default hours
    (IVRGRAPH_DIAL_DEFAULT_HOURS, every day 09:00-21:00 unless set, in `timezone` or
    IVRGRAPH_DIAL_DEFAULT_TIMEZONE). A `due` outside the hours is moved to their next opening, the job's
    `window_end` is where that opening closes (or the `window_end` sent, if sooner), and a retry after the hours
    close waits for the next opening, never past the `window_end` sent. The answer names the hours kept. Hours that
    never open before `window_end` (or within two weeks) are refused (422 `hours_never_open`). Every day 00:00-00:00
    calls at any time."""
    if body.window_end is not None and body.window_end <= body.due:
        message = "the window must end after the due time"
        raise InvalidCallback([{"path": "$.window_end", "code": "window_ends_first", "message": message}])
    _possible_number(body.number)
    window = _job_window(body, runtime.settings.dial_hours)
    with runtime.database.session() as session:
        claimed = _claim(session, user, idempotency_key, "POST /api/callbacks", body)
        if isinstance(claimed, callbacks.Replay):
            return replayed(claimed)
        # Checked after the key: a retry of a request that went through, its `due` past by now, gets its answer.
        _not_past(body.due, utcnow())
        callbacks.hold_target(session, body.scenario)
        variables = _typed_variables(session, body.scenario, body.variables)
        due, window_end = _first_opening(body, window)
        job = callbacks.create_job(
            session,
            number=body.number,
            scenario=body.scenario,
            due=due,
            window_end=window_end,
            variables=variables,
            max_attempts=body.max_attempts,
            window=window,
        )
        answer = public(job)
        # It places a real call to a client: who asked for it is kept, as for a campaign and a cancel.
        details = {"number": job.number, "scenario": job.scenario, "due": answer.model_dump(mode="json")["due"]}
        target = f"callback:{job.id}"
        audit.record_event(session, actor=user.username, action="schedule", target=target, details=details)
        return _settled(session, claimed, 201, answer)


def _job_window(body: CallbackCreate, default: DefaultHours) -> dict[str, Any]:
    """The allowed hours the job keeps (`callback_window`): those sent, else this node's default, so a job made
    without hours is not dialled at night; up to the `window_end` sent, which no reopening passes."""
    chosen = default.applied([hours.model_dump(by_alias=True) for hours in body.hours], body.timezone)
    _known_zone(chosen.timezone)
    holidays = [day.isoformat() for day in body.holidays]
    return callback_window(chosen.hours, chosen.timezone, holidays, until=body.window_end)


def _known_zone(timezone: str) -> None:
    if zone(timezone) is None:
        message = f"unknown time zone {timezone!r}"
        params = {"timezone": timezone}
        raise InvalidCallback(
            [{"path": "$.timezone", "code": "unknown_timezone", "params": params, "message": message}]
        )


def _first_opening(body: CallbackCreate, window: dict[str, Any]) -> tuple[datetime, datetime]:
    """When the job is first dialled and when that try's window closes: `due`, or the hours' next opening after
    it; a 422 (`hours_never_open`) when they do not open before `window_end` (or within two weeks)."""
    opening = reopening(body.due, window)
    if opening is None:
        end = "window_end" if body.window_end is not None else "two_weeks"
        shown = "the window's end" if body.window_end is not None else "two weeks after it"
        message = f"the hours never open between the due time and {shown}"
        problem = {"path": "$.hours", "code": "hours_never_open", "params": {"end": end}, "message": message}
        raise InvalidCallback([problem])
    return opening


def _not_past(due: datetime, now: datetime) -> None:
    if due < now - DUE_GRACE:
        message = (
            f"{due.isoformat()} is in the past (it is {now.isoformat(timespec='seconds')} now): give the moment to "
            "call, or now's to call at once"
        )
        params = {"due": due.isoformat(), "now": now.isoformat(timespec="seconds")}
        raise InvalidCallback([{"path": "$.due", "code": "due_past", "params": params, "message": message}])


def _possible_number(number: str) -> None:
    """A 422 for a number of a length no phone of its country has (`phone_numbers.impossible_number`), as a call
    list's row is refused: "+7 912 345 67 8" would be dialled, and fail, up to `max_attempts` times."""
    reason = phone_numbers.impossible_number(number)
    if reason is not None:
        message = f"{number!r} is no phone number: {call_lists.IMPOSSIBLE_WHY[reason]}"
        params = {"value": number, "reason": reason}  # a list row's code and params (call_lists._row_number)
        raise InvalidCallback([{"path": "$.number", "code": "impossible_number", "params": params, "message": message}])


def _typed_variables(session: Session, scenario: str, variables: dict[str, Any]) -> dict[str, Any]:
    """`variables` with those the scenario declares converted to their types, as a call list's cells are
    (`call_list_values.declared_values`); `InvalidCallback` naming each one that cannot be. Declared by the version
    published now, the one a call list is checked against too: the dialer rings into the latest published version,
    so a version published before the job is dialled may declare otherwise, for a list's jobs as for these."""
    published = scenarios.published(session, slug=scenario)  # held by `hold_target`: it exists
    declared = call_list_values.declared_types(published.document) if published is not None else {}
    converted, unfit = call_list_values.declared_values(variables, declared)
    if unfit:
        raise InvalidCallback(
            [
                {
                    "path": f"$.variables.{name}",
                    # A list cell's code (not_a_date...), its params naming the variable instead of a column.
                    "code": why.code,
                    "params": {"variable": name, "value": _shown(variables[name]), "type": why.kind},
                    "message": f"{name}: {_shown(variables[name])} is not {why.expected}; the scenario declares "
                    f"{name!r} as {why.kind}",
                }
                for name, why in unfit.items()
            ]
        )
    return {**variables, **converted}


def _shown(value: Any) -> str:
    """A value sent, as a refusal quotes it: its JSON, cut at 40 characters."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _claim(
    session: Session, user: Principal, key: str | None, endpoint: str, body: BaseModel
) -> IdempotencyKey | callbacks.Replay | None:
    """The request's key, claimed for it (None without one), or the answer its first sending got."""
    if key is None:
        return None
    request = callbacks.request_hash(endpoint, body.model_dump(mode="json"))
    return callbacks.claim_key(session, user_id=user.user_id, key=key, endpoint=endpoint, request=request, now=utcnow())


_Answer = TypeVar("_Answer", bound=BaseModel)


def _settled(
    session: Session, claimed: IdempotencyKey | callbacks.Replay | None, status: int, answer: _Answer
) -> _Answer:
    """`answer`, kept with the request's key (if it came with one) for its retries."""
    if isinstance(claimed, IdempotencyKey):
        # As the response is written (by alias: an opening hour's `from`), so a replay answers the same JSON.
        callbacks.settle_key(session, claimed, status_code=status, body=answer.model_dump(mode="json", by_alias=True))
    return answer


@router.get("", response_model=list[CallbackJobOut], responses=problems(422))
def list_jobs(
    user: Viewer,
    runtime: RuntimeDep,
    status: JobStatus | None = None,
    scenario: Annotated[str | None, Query(pattern=SLUG_PATTERN)] = None,
    campaign: Annotated[str | None, Query(max_length=36, pattern=_ID_PATTERN)] = None,
    number: Annotated[
        str | None,
        Query(
            max_length=80,
            description="One client's jobs: the number as people type it (`+34 600 111 222` finds `+34600111222`, "
            "and `0034...` finds `+34...`).",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many (pages of a large list).")] = 0,
) -> list[CallbackJobOut]:
    """Newest made first; `campaign`: the jobs of one imported call list, in its order, then the callbacks its
    calls promised. A retry moves no job between pages. Numbers and variables are masked for a user without
    `sees_personal_data`; `number` finds a client's jobs all the same, and leaves a `lookup_number` audit event
    naming the number by its keyed hash (`subject:<hash>`)."""
    dialled = _dialled_form(number) if number is not None else None
    with runtime.database.session() as session:
        jobs = callbacks.list_jobs(
            session,
            status=status,
            scenario=scenario,
            campaign_id=campaign,
            number=dialled,
            limit=limit,
            offset=offset,
        )
        if dialled is not None:
            personal_data.record_access(session, user, action=personal_data.LOOKUP_NUMBER,
                                        target=personal_data.subject_label(session, dialled),
                                        details={"in": "callbacks", "found": len(jobs)})  # fmt: skip
        return [personal_data.callback_job(public(job), user) for job in jobs]


def _dialled_form(number: str) -> str:
    """`number` as jobs store it, cleaned as a call list's rows are; a 422 for what is no number (a filter that
    silently matched nothing would read as "no jobs for this client")."""
    dialled = phone_numbers.phone_number(number)
    if dialled is None:
        raise RequestRefused([{"path": "$.number", "message": f"{number[:40]!r} is not a phone number"}])
    return dialled


# A call list's refusals carry each problem's code and params, for the designer to say in the analyst's language.
_LIST_REFUSED: Final[dict[int | str, dict[str, Any]]] = {
    422: {
        "model": CallListRefused,
        "description": "The list cannot be called: its `problems` as CallListRefused has them (code, params)",
    }
}


@router.post("/lists", response_model=CallListOut, responses=_LIST_REFUSED)
async def read_list(
    file: Annotated[
        UploadFile,
        File(
            description="CSV (UTF-8, or Windows-1251 or -1252 as a Russian or Western European Excel saves it; "
            "comma, semicolon or tab) or XLSX; "
            "the first row names the columns"
        ),
    ],
    _user: Publisher,
    runtime: RuntimeDep,
    scenario: Annotated[
        str | None,
        Query(
            pattern=SLUG_PATTERN,
            description="The scenario to call the list with: the answer's `variables` name what its published "
            "version reads from a list, for a column to be chosen for each (422 not_published for none).",
        ),
    ] = None,
) -> CallListOut:
    """Read a call list file into rows, to check and map before `POST /api/callbacks/batch`. Stores nothing (so
    takes no `Idempotency-Key`: reading the file again is harmless). Publisher and up, as for calling the list."""
    variables = [] if scenario is None else await anyio.to_thread.run_sync(_list_variables, runtime, scenario)
    data = await file.read(MAX_LIST_FILE_BYTES + 1)
    if len(data) > MAX_LIST_FILE_BYTES:
        limit = MAX_LIST_FILE_BYTES // 2**20
        raise InvalidCallList(
            [call_lists.problem("$.file", "file_too_big", f"the file is over {limit} MiB", {"limit_mib": limit})]
        )
    call_list = await anyio.to_thread.run_sync(read_call_list, data, file.filename or "")
    _fits_one_batch(call_list.rows)
    return CallListOut(
        columns=call_list.columns,
        rows=call_list.rows,
        sheet=call_list.sheet,
        row_numbers=call_list.row_numbers,
        warnings=[CallListProblem.model_validate(warning) for warning in call_list.warnings],
        variables=variables,
    )


def _list_variables(runtime: Runtime, scenario: str) -> list[ListVariableOut]:
    """What `scenario`'s published version reads from a list (`call_lists.needed_columns`), as the check finds it."""
    with runtime.database.session() as session:
        published = scenarios.published(session, slug=scenario)
        if published is None:
            raise _not_published(scenario)
        document = published.document
    needs = call_lists.needed_columns(document, scenario_inputs(document, runtime.registry))
    return [
        ListVariableOut(variable=need.reads, column=need.column, required=not need.has_default,
                        default=need.default if need.has_default else None)
        for need in needs
    ]  # fmt: skip


def _fits_one_batch(rows: list[dict[str, Any]]) -> None:
    """Refuse now a list whose rows, sent back as `POST /batch` sends them (every cell under its column's name),
    would be over the request body limit: a wide list read fine, then its check failed with a bare 413 naming no
    row and saying nothing of the list (review of 2026-12-05)."""
    size = len(json.dumps(rows, ensure_ascii=False, default=str).encode())
    if size > MAX_BATCH_ROWS_BYTES:
        mib, limit = round(size / 2**20), MAX_BATCH_ROWS_BYTES // 2**20
        message = (
            f"the list is too large to start at once ({mib} MiB as its rows are sent, at most {limit} "
            "MiB): split it into smaller lists, or leave out columns the call does not need"
        )
        params: call_lists.Params = {"mib": mib, "limit_mib": limit}
        raise InvalidCallList([call_lists.problem("$.file", "list_too_large", message, params)])


@router.post("/batch", response_model=CallbackBatchOut, responses={**problems(404, 409), **_LIST_REFUSED})
def create_batch(
    body: CallbackBatchIn, user: Publisher, runtime: RuntimeDep, idempotency_key: IdempotencyKeyHeader = None
) -> CallbackBatchOut | JSONResponse:
    """Call a list of clients (an autoinformer campaign): one job per row, all created or none (422 naming every
    bad row). The row's phone column is the number; the whole row is the `contact` variable; a column named like
    a variable the scenario declares fills it too, converted to its type, as does the column `columns` chooses for
    what the scenario reads (`{"debt_amount": "Сумма долга"}`, named by `POST /lists?scenario=`). Calls start at
    the hours' first opening and retries never fall outside them. Without `hours`, this node's default hours
    (IVRGRAPH_DIAL_DEFAULT_HOURS, every day 09:00-21:00 unless set, in `timezone` or IVRGRAPH_DIAL_DEFAULT_TIMEZONE):
    never at night unless asked, with every day 00:00-00:00. The answer and the campaign's settings name the hours
    used. `dry_run` checks and shows, and creates nothing.

    Publisher and up: it calls real clients. With an `Idempotency-Key`, the list sent again (a retry after a
    timeout) answers its campaign again instead of starting a second one."""
    # The node's default hours when none were sent: a list is never called at night unless it asks to be.
    chosen = runtime.settings.dial_hours.applied(
        [hours.model_dump(by_alias=True) for hours in body.hours], body.timezone
    )
    if zone(chosen.timezone) is None:
        message = f"unknown time zone {chosen.timezone!r}"
        params: call_lists.Params = {"timezone": chosen.timezone}
        raise InvalidCallList([call_lists.problem("$.timezone", "unknown_timezone", message, params)])
    now = utcnow()
    campaign = call_lists.Campaign(
        due=body.due or now,
        until=body.until,
        hours=chosen.hours,
        timezone=chosen.timezone,
        holidays=[day.isoformat() for day in body.holidays],
        max_attempts=body.max_attempts,
        retry_hung_up_early=body.retry_hung_up_early,
    )
    with runtime.database.session() as session:
        claimed = _claim(session, user, idempotency_key, "POST /api/callbacks/batch", body)
        if isinstance(claimed, callbacks.Replay):
            return replayed(claimed)
        published = scenarios.published(session, slug=body.scenario)
        if published is None:
            raise _not_published(body.scenario)
        document = published.document
        declared = call_list_values.declared_types(document)
        needs = call_lists.needed_columns(document, scenario_inputs(document, runtime.registry))
        planned = call_lists.plan_jobs(
            body.rows,
            number_column=body.number_column,
            declared=declared,
            campaign=campaign,
            now=now,
            row_numbers=body.row_numbers,
            needs=needs,
            contact_default=_contact_default(document),
            duplicates=body.duplicates or call_lists.REFUSE_DUPLICATES,
            columns=body.columns,
        )
        warnings = call_lists.defaulted_columns(body.rows, needs, ChosenColumns.of(body.columns))
        numbers = [job.number for job in planned]
        warnings += call_lists.already_waiting(session, scenario=body.scenario, numbers=numbers)
        warnings += planned.warnings
        campaign_id: str | None = None
        ids: list[str] = []
        if not body.dry_run:
            # Checked again, now held to the commit: the scenario may have been deleted while the list was planned
            # (nothing is held then), and a delete from now on waits for the jobs and is refused for them.
            if scenarios.hold_published(session, slug=body.scenario) is None:
                raise _not_published(body.scenario)
            campaign_id, ids = call_lists.schedule(
                session,
                scenario=body.scenario,
                jobs=planned,
                campaign=campaign,
                name=body.name.strip(),
                created_by=user.username,
                skipped=planned.skipped,
                columns=body.columns,
            )
            details = {"scenario": body.scenario, "jobs": len(ids), "name": body.name.strip(),
                       **call_lists.audited_skips(planned.skipped)}  # fmt: skip
            audit.record_event(session, actor=user.username, action="call_list", target=f"campaign:{campaign_id}",
                               details=details)  # fmt: skip
        answer = CallbackBatchOut(
            jobs=len(planned),
            created=not body.dry_run,
            campaign_id=campaign_id,
            job_ids=ids,
            preview=[
                PlannedJobOut(number=job.number, due=job.due, window_end=job.window_end, variables=job.variables)
                for job in planned[:PREVIEW_JOBS]
            ],
            hours=[OpeningHours.model_validate(row) for row in chosen.hours],
            timezone=chosen.timezone,
            warnings=[CallListProblem.model_validate(warning) for warning in warnings],
        )
        return _settled(session, claimed, 200, answer)


def _contact_default(document: dict[str, Any]) -> dict[str, Any]:
    """The `contact` the scenario declares by default (each row is laid over it), or none."""
    for variable in document.get("variables", []):
        if variable.get("name") == call_list_values.CONTACT and isinstance(variable.get("default"), dict):
            return dict(variable["default"])
    return {}


def _not_published(scenario: str) -> InvalidCallList:
    message = f"{scenario!r} is not published"
    return InvalidCallList([call_lists.problem("$.scenario", "not_published", message, {"scenario": scenario})])


@router.get("/campaigns", response_model=list[CampaignOut])
def list_campaigns(
    _user: Viewer,
    runtime: RuntimeDep,
    scenario: Annotated[str | None, Query(pattern=SLUG_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many of the newest.")] = 0,
) -> list[CampaignOut]:
    """Imported call lists, newest first, each with its jobs counted by status."""
    with runtime.database.session() as session:
        found = campaign_reports.campaigns(session, scenario=scenario, limit=limit, offset=offset)
        return [_campaign_out(summary) for summary in found]


@router.post("/campaigns/{campaign_id}/cancel", response_model=CampaignOut, responses=problems(404))
def cancel_campaign(campaign_id: CampaignId, user: Publisher, runtime: RuntimeDep) -> CampaignOut:
    """Stop a call list: its clients not yet dialled are never called (status `cancelled`); a call ringing or in
    progress goes on, and its client is not called again. Publisher and up, as for starting it."""
    with runtime.database.session() as session:
        cancelled = campaign_stop.cancel(session, campaign_id=campaign_id)
        audit.record_event(session, actor=user.username, action="cancel", target=f"campaign:{campaign_id}",
                           details={"jobs": cancelled})  # fmt: skip
        return _campaign_detail(session, campaign_id)


@router.post("/campaigns/{campaign_id}/pause", response_model=CampaignOut, responses=problems(404, 409))
def pause_campaign(campaign_id: CampaignId, user: Publisher, runtime: RuntimeDep) -> CampaignOut:
    """Hold a campaign (a complaint, a change in its script, the PBX's maintenance): no node's dialer claims its
    clients until `/resume`, from each node's next claim on. A call ringing now ends as usual; a client whose
    window ends meanwhile moves to its next opening or expires, as it would. Idempotent: pausing a paused campaign
    keeps its first pause's time and name and leaves no second audit event. 409 `campaign_stopped` for a stopped
    one. Publisher and up, as for stopping it."""
    with runtime.database.session() as session:
        if campaign_pause.pause(session, campaign_id=campaign_id, by=user.username):
            audit.record_event(session, actor=user.username, action="pause_campaign", target=f"campaign:{campaign_id}")
        return _campaign_detail(session, campaign_id)


@router.post("/campaigns/{campaign_id}/resume", response_model=CampaignOut, responses=problems(404, 409))
def resume_campaign(campaign_id: CampaignId, user: Publisher, runtime: RuntimeDep) -> CampaignOut:
    """Carry on with a paused campaign: its clients are claimed again, those due during the pause at once, in the
    list's order (within their hours). Idempotent: resuming a campaign that is not paused changes nothing and
    leaves no audit event. 409 `campaign_stopped` for a stopped one: its clients were cancelled for good."""
    with runtime.database.session() as session:
        if campaign_pause.resume(session, campaign_id=campaign_id):
            audit.record_event(session, actor=user.username, action="resume_campaign", target=f"campaign:{campaign_id}")
        return _campaign_detail(session, campaign_id)


# Before the JSON route, whose path would take "<id>.csv" for an id (and before /{job_id}, which takes any word).
@router.get(
    "/campaigns/{campaign_id}.csv",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, a client a row"},
        **problems(404),
    },
)
def campaign_report(
    campaign_id: CampaignId,
    user: Viewer,
    runtime: RuntimeDep,
    delimiter: DelimiterQuery = "comma",
    lang: LanguageQuery = "raw",
) -> StreamingResponse:
    """The campaign's report, in the list's order: each client's columns as imported, how the dialing went
    (status, attempts, last outcome) and what their last call recorded (its `result`, when it was answered, and
    `result_label`: the words the campaign's scenario gives that result in its latest published version, empty
    when it declares none for it).
    Every row of the list is in it: a row skipped as a duplicate (`"duplicates": "skip"`) in its place, `status`
    `skipped` and `outcome` `duplicate_of:<row>` (the row called instead, whose number it shows); while the
    campaign is paused, its clients waiting read `status` `paused`, not `pending`.

    Times are written `2026-11-23 09:30:12`, which Excel reads as a date-time in any locale, on the clock of the
    campaign's `timezone` (the office that ran it; UTC for a list imported before campaigns kept it), and each
    time column's header names it: `last_attempt_at (Europe/Madrid)`, followed by `last_attempt_at (UTC)` (on
    another clock than UTC: the hour a clock change repeats is written twice on the local one).
    `delimiter=semicolon` for an Excel that splits on `;` (Spanish, Russian...). `lang=es` (or `en`, `ru`; what the
    designer sends) titles the columns and writes `status`, `outcome` and `call_outcome` in words for people
    (`Estado`: `Contactado`, `Último intento (Europe/Madrid)`); without it, or with `lang=raw`, the file keeps the
    column names and codes above, for BI tools and scripts. The list's own columns keep their names in both.

    For a user without `sees_personal_data` the number and the list's own columns are masked (the row, status,
    attempts, outcomes, times, result and call stay). Each download leaves an `export_campaign` audit event."""
    with runtime.database.session() as session:
        # A 404 before the stream starts.
        name = campaign_reports.require_campaign(session, campaign_id=campaign_id).name
        _record_report(session, user, campaign_id, "csv")
    return StreamingResponse(
        _report_rows(runtime.database, campaign_id, user, CAMPAIGN_REPORT.wording(lang), delimiter=delimiter),
        media_type="text/csv",
        headers={"Content-Disposition": report_disposition(name, f"campaign-{campaign_id}", extension="csv")},
    )


# Before the JSON route too, as the CSV's.
@router.get(
    "/campaigns/{campaign_id}.xlsx",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            "description": "An Excel workbook (XLSX), a client a row",
        },
        **problems(404),
    },
)
def campaign_report_xlsx(
    campaign_id: CampaignId, user: Viewer, runtime: RuntimeDep, lang: LanguageQuery = "raw"
) -> StreamingResponse:
    """The campaign's report of `.csv`, as an Excel workbook: the same columns, headers and `lang`, each cell typed.

    Times are date-times (shown `2026-11-23 09:30:12`; `23.11.2026 09:30:12` with `lang=ru`, `23/11/2026
    09:30:12` with `lang=es`, and dates alike) on the clock of the campaign's `timezone`, as in the CSV
    (`last_attempt_at (Europe/Madrid)`, then `last_attempt_at (UTC)`); numbers are numbers; a list's column that
    filled a variable the scenario (its latest published version) declares a number or a date, by its name or as
    chosen (`columns`: `Сумма долга` for `debt_amount`), is numbers or dates, read as the call read them
    (`1.250,50` is 1250.50, summed by Excel; `30.12.2026` a date), where the CSV keeps the text. A column's numbers
    share one format: `#,##0.00` when any of them has decimals, `#,##0` for a declared column's whole numbers,
    General for the rest (the row, the attempts, a list's undeclared ids); Excel shows the separators as the
    viewer's locale writes them. Everything else, the phone numbers and ids among it, and a cell that does not
    convert, is text shown as written (a leading + or 0 kept, a cell starting with `=` never run as a formula, and
    no `'` before it). So the report uploads back as a call list (`POST /api/callbacks/lists`) with its cells as
    the scenario reads them: a negative amount still a number, a number `+34...` still text. The file is written
    whole before its first byte is sent, with its `Content-Length`. Masked and audited as the CSV is: a masked cell
    is text."""
    words = CAMPAIGN_REPORT.wording(lang)
    with runtime.database.session() as session:
        report = _report(session, campaign_id, user, typed=True)  # a 404 before anything is written
        _record_report(session, user, campaign_id, "xlsx")
        book = zoned_xlsx(REPORT_COLUMNS, words.rows(REPORT_COLUMNS, report.rows), times=REPORT_TIMES,
                          zone=report.zone, in_utc_too="last_attempt_at", more_names=report.columns,
                          title=words.sheet, titles=words.titles, quantities=report.quantities,
                          language=lang)  # fmt: skip
    disposition = report_disposition(report.name, f"campaign-{campaign_id}", extension="xlsx")
    return StreamingResponse(
        book.chunks(),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": disposition, "Content-Length": str(book.size)},
    )


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut, responses=problems(404))
def get_campaign(campaign_id: CampaignId, _user: Viewer, runtime: RuntimeDep) -> CampaignOut:
    """One call list: its jobs by status, and the clients reached by what they answered."""
    with runtime.database.session() as session:
        return _campaign_detail(session, campaign_id)


@router.get("/{job_id}", response_model=CallbackJobOut, responses=problems(404))
def get_job(job_id: JobId, user: Viewer, runtime: RuntimeDep) -> CallbackJobOut:
    """One job with every dial attempt; its number and variables masked for a user without `sees_personal_data`."""
    with runtime.database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        return personal_data.callback_job(public(job, _history(session, job)), user)


@router.post("/{job_id}/cancel", response_model=CallbackJobOut, responses=problems(404, 409))
def cancel_job(job_id: JobId, user: Publisher, runtime: RuntimeDep) -> CallbackJobOut:
    """Cancel one job waiting to be dialled (its first try, or a retry): its client is never called for it
    (status `cancelled`, outcome `cancelled_by_api`; the audit log names who). A job being dialled now is
    refused (409): that call goes on, and the job can be cancelled once it ends, before its retry. A job already
    over is refused (409, naming its status). Both 409s are `job-not-cancellable` problems whose `job_status` is
    the job's status now: a cancel retried after a timeout reads `cancelled` when its first try went through.
    Publisher and up, as for creating it."""
    with runtime.database.session() as session:
        was = callbacks.cancel_job(session, job_id=job_id, now=utcnow())
        job = callbacks.get_job(session, job_id=job_id)
        details = {"number": job.number, "scenario": job.scenario, "was": was}
        audit.record_event(session, actor=user.username, action="cancel", target=f"callback:{job_id}", details=details)
        return personal_data.callback_job(public(job, _history(session, job)), user)


def _history(session: Session, job: CallbackJob) -> list[CallbackAttemptOut]:
    return [
        CallbackAttemptOut(at=a.at, outcome=a.outcome, call_id=a.call_id)
        for a in callbacks.list_attempts(session, job_id=job.id)
    ]


def _campaign_out(found: campaign_reports.CampaignSummary) -> CampaignOut:
    return CampaignOut.model_validate(found, from_attributes=True)


def _campaign_detail(session: Session, campaign_id: str) -> CampaignOut:
    """One campaign with its answers counted, and the words its scenario gives them (`result_labels`): the
    designer showed the codes (`no_response 3`) where the register and the report show labels (review)."""
    found = campaign_reports.campaign_summary(session, campaign_id=campaign_id)
    out = _campaign_out(found)
    if found.results:  # every client ran the campaign's scenario, as in its report
        labels = result_labels(session, scenarios=[found.scenario]).get(found.scenario, {})
        out.result_labels = {code: labels[code] for code in found.results if code in labels}
    return out


def _report_rows(
    database: Database, campaign_id: str, user: Principal, words: Wording, *, delimiter: CsvDelimiter = "comma"
) -> Iterator[str]:
    with database.session() as session:
        report = _report(session, campaign_id, user)
        yield from zoned_csv(REPORT_COLUMNS, words.rows(REPORT_COLUMNS, report.rows), times=REPORT_TIMES,
                             zone=report.zone, delimiter=delimiter, in_utc_too="last_attempt_at",
                             more_names=report.columns, titles=words.titles)  # fmt: skip


@dataclass(frozen=True)
class _Report:
    name: str  # the campaign's
    columns: list[str]  # the list's own, after REPORT_COLUMNS
    rows: Iterator[Sequence[Any]]  # read from `session` as they are written
    zone: ZoneInfo  # the campaign's clock
    # The list's columns the scenario declares a number: amounts and counts, whose whole numbers the XLSX shows
    # with a thousands separator, where an undeclared column's may be an account or a phone.
    quantities: frozenset[str] = frozenset()


def _record_report(session: Session, user: Principal, campaign_id: str, form: Literal["csv", "xlsx"]) -> None:
    personal_data.record_access(session, user, action=personal_data.EXPORT_CAMPAIGN, target=f"campaign:{campaign_id}",
                                details={"format": form})  # fmt: skip


def _report(session: Session, campaign_id: str, user: Principal, *, typed: bool = False) -> _Report:
    """A client a row, with their last call, then the list's own columns: in the order the campaign kept, or for
    a campaign started before it kept them, found by a first pass over its jobs (any row may have a column the
    first lacks); as `user` may read them. `typed` (the XLSX's): a column the scenario declares a number or a
    date as numbers or dates (api.report_cells), for a user who reads them unmasked (a mask stays text)."""
    campaign = campaign_reports.require_campaign(session, campaign_id=campaign_id)
    settings = campaign.settings or {}
    kept = settings.get("columns")
    columns = dict.fromkeys(kept) if isinstance(kept, list) else _columns_of_jobs(session, campaign_id)
    stored = settings.get(call_lists.CHOSEN_COLUMNS)  # none for a list started without a choice, or before it was kept
    chosen = ChosenColumns.of(stored if isinstance(stored, dict) else None)
    kinds = _typed_kinds(session, campaign.scenario, list(columns), chosen) if typed and user.sees_personal_data else {}
    # Nobody is called while it is paused: its clients waiting read so, not as if calls were coming.
    held = campaign.paused_at is not None and campaign.cancelled_at is None
    labels = result_labels(session, scenarios=[campaign.scenario])  # once: every client ran the campaign's scenario
    clients = (
        [
            client.listed.list_row or client.listed.campaign_row,  # the sheet's row, as the check named it
            client.job.number,
            campaign_reports.REPORT_PAUSED if held and client.job.status == "pending" else client.job.status,
            client.attempts,  # over all the client's jobs: a callback promised them has had none yet
            client.outcome,
            client.last_attempt_at,
            client.call.result if client.call else None,
            label_of(labels, scenario=campaign.scenario, result=client.call.result) if client.call else None,
            client.call.outcome if client.call else None,  # `failed`: whatever `result` holds, not an answer
            client.call.answered_at if client.call else None,
            client.call.id if client.call else None,
            *(_list_cell(client.listed, column, kinds.get(column)) for column in columns),
        ]
        for client in campaign_reports.campaign_clients(session, campaign_id=campaign_id)
    )
    skipped = campaign_reports.skipped_rows(session, campaign_id=campaign_id)
    rows = _with_skipped(clients, skipped, list(columns), kinds) if skipped else clients
    shown = personal_data.report_rows(rows, REPORT_COLUMNS, user)
    quantities = frozenset(column for column, read in kinds.items() if read.kind in NUMBER_KINDS)
    return _Report(campaign.name, list(columns), shown, named_zone(settings.get("timezone")), quantities)


def _with_skipped(
    clients: Iterator[list[Any]],
    skipped: Sequence[campaign_reports.SkippedRow],
    columns: list[str],
    kinds: Mapping[str, _ReadAs],
) -> Iterator[list[Any]]:
    """The clients' rows (in the list's order) with the rows skipped as duplicates among them, each in its place:
    every row of the file accounted for, a skipped one saying so and naming the row called instead (`outcome`
    `duplicate_of:2`), with its own number as typed and its own cells, so the supervisor sees which record was
    dropped. A row skipped before they were kept (migration 0033) has the called client's number (the same phone)
    and no cells; a client erased since (persistence.privacy) leaves its skipped rows with neither."""
    firsts = {skip.first for skip in skipped if skip.written is None}
    numbers: dict[int, Any] = {}  # the number of each client such a skipped row names, as their row goes by
    waiting = iter(skipped)
    skip = next(waiting, None)
    for cells in clients:
        while skip is not None and skip.row < cells[0]:
            yield _skipped_row(skip, numbers, columns, kinds)
            skip = next(waiting, None)
        if cells[0] in firsts:
            numbers[cells[0]] = cells[1]
        yield cells
    while skip is not None:
        yield _skipped_row(skip, numbers, columns, kinds)
        skip = next(waiting, None)


def _skipped_row(
    skip: campaign_reports.SkippedRow, numbers: dict[int, Any], columns: list[str], kinds: Mapping[str, _ReadAs]
) -> list[Any]:
    number = skip.written if skip.written is not None else numbers.get(skip.first)
    said = {"row": skip.row, "number": number, "status": campaign_reports.REPORT_SKIPPED, "attempts": 0,
            "outcome": f"{campaign_reports.DUPLICATE_OF}{skip.first}"}  # fmt: skip
    own = skip.cells or {}
    # Typed as a client's cells are, with no planned value to choose between two readings: nobody was called.
    listed = [own.get(column) if column not in kinds else typed_cell(own.get(column), kinds[column].kind)
              for column in columns]  # fmt: skip
    return [said.get(column) for column in REPORT_COLUMNS] + listed


@dataclass(frozen=True)
class _ReadAs:
    """A list's column the report types: the `variable` the scenario read from it, and that variable's `kind`."""

    variable: str
    kind: str


def _typed_kinds(session: Session, scenario: str, columns: list[str], chosen: ChosenColumns) -> dict[str, _ReadAs]:
    """The list's columns that filled a variable the scenario's latest published version declares a number or a
    date (as the report's labels are its words): a column chosen for it (the campaign's `chosen_columns`: review, a
    chosen `Сумма долга` was text and did not sum), or named like it; none once the scenario is gone."""
    published = scenarios.published(session, slug=scenario)
    declared = call_list_values.declared_types(published.document) if published is not None else {}
    typed: dict[str, _ReadAs] = {}
    for column in columns:
        # The first variable read from the column that a report types (one column may fill several).
        kinds = typed_kinds(declared, chosen.variables_of(column, list(declared)))
        if kinds:
            variable, kind = next(iter(kinds.items()))
            typed[column] = _ReadAs(variable, kind)
    return typed


def _list_cell(job: CallbackJob, column: str, read: _ReadAs | None) -> Any:
    """The list's cell of `column` for `job`'s client; typed as the variable read from it when given, with the
    value the job was planned with to choose between two readings (api.report_cells)."""
    cell = _contact(job).get(column)
    return cell if read is None else typed_cell(cell, read.kind, planned=job.variables.get(read.variable))


def _columns_of_jobs(session: Session, campaign_id: str) -> dict[str, None]:
    columns: dict[str, None] = {}
    for jobs in campaign_reports.campaign_jobs(session, campaign_id=campaign_id):
        for job in jobs:
            columns.update(dict.fromkeys(_contact(job)))
    return columns


def _contact(job: CallbackJob) -> dict[str, Any]:
    contact = job.variables.get(call_list_values.CONTACT)
    return contact if isinstance(contact, dict) else {}
