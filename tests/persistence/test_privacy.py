"""A data subject's erasure and access (persistence.privacy), on SQLite and PostgreSQL: every written form of their
number goes (as the register compares them, with the default country ES), nothing of another number does, the
audit log keeps its events with the number replaced by a keyed hash, and SQLite's file keeps no copy of the bytes
(data-protection review, 2026-12: only hand SQL could erase a person, and freed pages kept what it deleted)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from persistence import callbacks, campaign_reports
from persistence.db import Database
from persistence.errors import RequestRefused
from persistence.locations import sqlite_file
from persistence.models import AuditEvent, CallbackJob, CallCampaign, CallRecord, IdempotencyKey
from persistence.privacy import (
    ACCESS_ACTION,
    ERASURE_ACTION,
    SubjectBeingCalled,
    erase,
    erase_subject,
    record_access,
    subject_data,
    subject_hash,
)
from tests.persistence.kept_data import (
    DAY,
    NOW,
    add_campaign,
    add_event,
    add_job,
    add_key,
    call_ids,
    counts,
    job_ids,
    transfer_trace,
    write_calls,
)
from tests.persistence.published import publish

SUBJECT = "+34600123456"
OTHER = "+34600999888"


# Numbers compared as a Spanish deployment's (IVRGRAPH_DEFAULT_COUNTRY=ES): 600123456 is +34600123456.
pytestmark = pytest.mark.usefixtures("in_spain")


@pytest.fixture
def kept(database: Database) -> dict[str, object]:
    """The subject's data in every written form, beside another client's, and what identifies each."""
    write_calls(
        database,
        {"call_id": "in-plus", "started_at": NOW - 3 * DAY, "caller_id": "+34600123456"},
        {"call_id": "in-00", "started_at": NOW - 2 * DAY, "caller_id": "0034600123456"},
        {"call_id": "in-national", "started_at": NOW - DAY, "caller_id": "600123456",
         "variables": {"secret": "subject-marker-7f3a"}},
        # A callback to them: the caller id is ours, the number rung theirs.
        {"call_id": "out", "started_at": NOW - DAY, "caller_id": "+34910000000", "dialed_number": "34600123456"},
        {"call_id": "other", "started_at": NOW - DAY, "caller_id": OTHER},
        {"call_id": "longer", "started_at": NOW - DAY, "caller_id": "+346001234560"},  # another phone's digits
    )  # fmt: skip
    with database.session() as session:
        callback = add_job(session, "600123456", created_at=NOW - 2 * DAY, attempts=("busy", "answered"))
        campaign_id, (listed, other_listed) = add_campaign(session, ["0034600123456", OTHER], created_at=NOW - DAY)
        promised = add_job(session, SUBJECT, created_at=NOW - DAY, status="pending", attempts=(),
                           campaign_id=campaign_id, campaign_row=1, origin_call_id="out")  # fmt: skip
        other_job = add_job(session, OTHER, created_at=NOW - DAY)
        add_key(session, username="crm", key="k1", created_at=NOW, response={"id": callback, "number": "600123456"})
        add_key(session, username="crm", key="k2", created_at=NOW, response={"id": other_job, "number": OTHER})
        mentions = [
            add_event(session, at=NOW, details={"number": SUBJECT, "scenario": "s"}),
            add_event(session, at=NOW, details={"note": "0034600123456 asked twice", "to": ["+34 600 123 456"]}),
        ]
        others = [
            add_event(session, at=NOW, details={"number": OTHER}),
            add_event(session, at=NOW, details={"number": "+346001234560"}),
        ]
    # The call of the subject's callback job, rung from our number, with no number of theirs on it.
    write_calls(database, {"call_id": "job-call", "started_at": NOW - DAY, "callback_job_id": callback})
    return {
        "calls": {"in-plus", "in-00", "in-national", "out", "job-call"},
        "jobs": {callback, listed, promised},
        "other_jobs": {other_listed, other_job},
        "campaign": campaign_id,
        "mentions": mentions,
        "others": others,
    }


def test_erasure_removes_every_written_form_and_nothing_of_another_number(
    database: Database, kept: dict[str, object]
) -> None:
    statistics = counts(database)["path_counts"]
    with database.session() as session:
        others_before = {e.id: e.details for e in session.scalars(select(AuditEvent))}

    report = erase(database, number="+34 600 123 456", actor="dpo")

    assert call_ids(database) == {"other", "longer"}
    assert job_ids(database) == kept["other_jobs"]
    assert report.counts() == {
        "call_records": 5, "callback_jobs": 3, "callback_attempts": 3, "campaign_rows": 1, "campaigns": 1,
        "idempotency_keys": 1, "audit_events": 2, "mentioned_in_callback_jobs": 0, "mentioned_in_calls": 0,
        "tests_in_drafts": 0,
    }  # fmt: skip
    with database.session() as session:
        assert list(session.scalars(select(IdempotencyKey.key))) == ["k2"]
        events = {e.id: e for e in session.scalars(select(AuditEvent))}
        hashed = subject_hash(session, SUBJECT)
        assert report.subject == hashed
        for event_id in kept["mentions"]:  # type: ignore[attr-defined]
            text = str(events[event_id].details)
            assert "600123456" not in text and f"[erased {hashed}]" in text
        assert events[kept["mentions"][1]].details == {  # type: ignore[index]
            "note": f"[erased {hashed}] asked twice", "to": [f"[erased {hashed}]"],
        }  # fmt: skip
        for event_id in kept["others"]:  # type: ignore[attr-defined]
            assert events[event_id].details == others_before[event_id]
        erasure = session.scalars(select(AuditEvent).where(AuditEvent.action == ERASURE_ACTION)).one()
        assert erasure.target == f"subject:{hashed}" and erasure.actor == "dpo"
        # The hash's country (erasure_ledger); the published versions whose tests still name the number (none here).
        assert erasure.details == {**report.counts(), "tests_in_versions": [], "default_country": "ES"}
        assert "600123456" not in str(erasure.details)
        campaign = session.get(CallCampaign, kept["campaign"])
        assert campaign is not None and campaign.jobs == 1
        summary = campaign_reports.campaign_summary(session, campaign_id=str(kept["campaign"]))
        assert summary.jobs == 1 and summary.statuses == {"done": 1}
    assert counts(database)["path_counts"] == statistics  # counts by node and hour: no number in them


def test_a_dry_run_counts_and_changes_nothing(database: Database, kept: dict[str, object]) -> None:
    before = counts(database)
    with database.session() as session:
        details = {e.id: e.details for e in session.scalars(select(AuditEvent))}

    planned = erase(database, number="600123456", actor="dpo", dry_run=True)

    assert counts(database) == before
    with database.session() as session:
        assert {e.id: e.details for e in session.scalars(select(AuditEvent))} == details
    done = erase(database, number=SUBJECT, actor="dpo")
    assert planned.dry_run and planned.counts() == done.counts() and planned.subject == done.subject


def test_a_number_being_dialled_is_not_erased_under_the_dialer(database: Database, kept: dict[str, object]) -> None:
    publish(database, "s")  # the dialer rings only into a published scenario
    with database.session() as session:
        claimed = callbacks.claim_due_jobs(session, node_id="n1", now=NOW + DAY, limit=10)
        assert [job.number for job in claimed] == [SUBJECT]  # the promised callback, due now
    before = counts(database)
    with pytest.raises(SubjectBeingCalled), database.session() as session:
        erase_subject(session, number=SUBJECT, actor="dpo")
    assert counts(database) == before


def test_text_that_is_no_number_is_refused(database: Database) -> None:
    with pytest.raises(RequestRefused, match=r"no phone number"), database.session() as session:
        erase_subject(session, number="Lucía", actor="dpo")


def test_subject_access_gathers_everything_and_notes_the_request_by_hash(
    database: Database, kept: dict[str, object]
) -> None:
    with database.session() as session:
        found = subject_data(session, number="600 123 456")
        record_access(session, found, actor="dpo")
        assert {call.id for call in found.calls} == kept["calls"]
        national = next(call for call in found.calls if call.id == "in-national")
        assert national.variables == {"secret": "subject-marker-7f3a"} and national.trace["steps"]
        assert {job.id for job in found.jobs} == kept["jobs"]
        callback = next(job for job in found.jobs if job.campaign_id is None)
        assert [a.outcome for a in found.attempts[callback.id]] == ["busy", "answered"]
        assert set(found.campaigns) == {kept["campaign"]}
        assert {event.id for event in found.audit_events} == set(kept["mentions"])  # type: ignore[call-overload]
        assert found.idempotency_keys == 1
        assert found.subject.forms == {"+34600123456", "0034600123456", "600123456", "34600123456"}
    with database.session() as session:
        access = session.scalars(select(AuditEvent).where(AuditEvent.action == ACCESS_ACTION)).one()
        assert access.target == f"subject:{found.subject.hash}" and access.actor == "dpo"
        assert "600123456" not in str(access.details) and access.details["calls"] == 5
        # The request itself is the subject's: a later access shows it.
        assert access.id in {event.id for event in subject_data(session, number=SUBJECT).audit_events}


def test_the_hash_is_one_for_every_form_keyed_by_the_installation_and_another_for_another_number(
    database: Database,
) -> None:
    with database.session() as session:
        first = {subject_hash(session, form) for form in ("+34600123456", "0034600123456", "600123456")}
    with database.session() as session:  # made once, then read back: the same on every node
        again = subject_hash(session, "+34600123456")
        other = subject_hash(session, OTHER)
    assert first == {again} and other != again and len(again) == 24
    import hashlib

    assert again not in {hashlib.sha256(form.encode()).hexdigest()[:24] for form in ("+34600123456", "600123456")}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL's vacuum reclaims its own pages
def test_erased_bytes_stay_neither_in_the_sqlite_file_nor_in_its_log(
    database_url: str, kept: dict[str, object]
) -> None:
    """SQLite leaves a deleted row's bytes in the file's free space, and its page in the write-ahead log, unless told.
    Some builds turn `secure_delete` on by default (Debian's), others not (python.org's): here it starts off."""
    path = sqlite_file(database_url)
    assert path is not None
    database = Database(database_url)
    event.listen(database.engine, "connect", _secure_delete_off)
    try:
        # Short calls, many to a page: the subject's is deleted from a page that stays, beside other callers'.
        write_calls(
            database,
            *({"call_id": f"short-{n}", "started_at": NOW - DAY, "caller_id": SUBJECT if n == 5 else OTHER,
               "trace": {"steps": []}, "variables": {"note": "short-marker-2c9e" if n == 5 else "other"}}
              for n in range(20)),
        )  # fmt: skip
        with database.engine.connect() as connection:  # the calls are old: in the file itself, not only in the log
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        assert b"subject-marker-7f3a" in path.read_bytes() and b"short-marker-2c9e" in path.read_bytes()
        erase(database, number=SUBJECT, actor="dpo")
    finally:
        database.dispose()
    assert b"subject-marker-7f3a" not in _file_bytes(path) and b"short-marker-2c9e" not in _file_bytes(path)


def _secure_delete_off(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA secure_delete=OFF")


def _file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_an_erased_number_stays_erased_when_its_calls_come_back(database: Database, kept: dict[str, object]) -> None:
    """A job made again after the erasure (the client calls again) is a new record, erased by a new request."""
    erase(database, number=SUBJECT, actor="dpo")
    with database.session() as session:
        add_job(session, SUBJECT, created_at=NOW + timedelta(hours=1))
    assert erase(database, number=SUBJECT, actor="dpo").callback_jobs == 1
    with database.session() as session:
        assert session.scalars(select(CallbackJob).where(CallbackJob.number == SUBJECT)).first() is None
        assert session.scalars(select(CallRecord).where(CallRecord.caller_id == SUBJECT)).first() is None


def test_a_json_number_is_a_mention_only_with_the_digits_of_one_of_the_subjects_forms(database: Database) -> None:
    """A CRM's numeric column: the national and the international digits are the subject's; what a number type made
    of no form of theirs, a count, a flag, a fraction, and digits that in Spain are another phone's are not."""
    with database.session() as session:
        mentioned = add_event(session, at=NOW, details={"national": 600123456, "international": 34600123456,
                                                        "listed": [34600123456, 1]})  # fmt: skip
        untouched = {"flag": True, "count": 7, "size": 600123456.5, "negative": -600123456, "longer": 346001234560,
                     "other": 34600999888, "zeros": 34600123456000}  # fmt: skip
        left = add_event(session, at=NOW, details=untouched)
        add_key(session, username="crm", key="k1", created_at=NOW, response={"variables": {"phone": 600123456}})
    with database.session() as session:
        # With ES, 600123456 is +34600123456: never the Malaysian +600123456's, whose access request gets none of it.
        assert subject_data(session, number="+600123456").audit_events == []

    report = erase(database, number=SUBJECT, actor="dpo")

    assert (report.audit_events, report.idempotency_keys) == (1, 1)
    with database.session() as session:
        hidden = f"[erased {subject_hash(session, SUBJECT)}]"
        assert session.get(AuditEvent, mentioned).details == {  # type: ignore[union-attr]
            "national": hidden, "international": hidden, "listed": [hidden, 1],
        }  # fmt: skip
        assert session.get(AuditEvent, left).details == untouched  # type: ignore[union-attr]


def test_a_json_float_of_whole_digits_is_a_mention_as_the_integer_is(database: Database) -> None:
    """A CRM fed by pandas or Excel sends a phone column as floats (`34611222334.0`): the same digits, the same
    rules as an integer's (7 digits at least, a form of the subject's); a fraction, a flag, a count or another
    number are not theirs."""
    guarantor = "+34611222334"
    with database.session() as session:
        mentioned = add_event(session, at=NOW, details={"guarantor_phone": 34611222334.0, "national": 611222334.0,
                                                        "listed": [34611222334.0, 1.0]})  # fmt: skip
        untouched = {"flag": True, "count": 7.0, "fraction": 34611222334.5, "negative": -611222334.0,
                     "longer": 346112223340.0, "other": 34600999888.0}  # fmt: skip
        left = add_event(session, at=NOW, details=untouched)
        add_key(session, username="crm", key="k1", created_at=NOW, response={"variables": {"phone": 611222334.0}})
    with database.session() as session:
        assert subject_data(session, number=guarantor).audit_events == [session.get(AuditEvent, mentioned)]
        assert subject_data(session, number="+34600999888").audit_events == [session.get(AuditEvent, left)]

    report = erase(database, number=guarantor, actor="dpo")

    assert (report.audit_events, report.idempotency_keys) == (1, 1)
    with database.session() as session:
        hidden = f"[erased {subject_hash(session, guarantor)}]"
        assert session.get(AuditEvent, mentioned).details == {  # type: ignore[union-attr]
            "guarantor_phone": hidden, "national": hidden, "listed": [hidden, 1.0],
        }  # fmt: skip
        assert session.get(AuditEvent, left).details == untouched  # type: ignore[union-attr]


GUARANTOR = "+34611222333"


def _guarantors_trace() -> dict[str, Any]:
    """A trace of a call to another client that read their guarantor's number from the job and said it."""
    trace = transfer_trace()
    trace["variables"]["guarantor_phone"] = 34611222333
    trace["steps"][1]["prompts"] = [{"text": "Su avalista es el 611222333"}]
    trace["steps"][1]["variables_changed"]["guarantor_phone"] = 34611222333.0
    return trace


@pytest.fixture
def guarantor(database: Database) -> dict[str, str]:
    """A subject written only inside another client's data: their callback job's variables (a JSON number and a text
    as people type it), a call list's row (`contact`), and the call placed for that job (variables and trace); beside
    a job naming digits of another phone, and a call of the guarantor's own."""
    with database.session() as session:
        job = add_job(session, OTHER, created_at=NOW - DAY, status="pending", attempts=(),
                      variables={"guarantor_phone": 34611222333, "note": "+34 611 222 333", "name": "Ana"})  # fmt: skip
        campaign_id, _ = add_campaign(session, [], created_at=NOW - DAY)
        row = {"contact": {"name": "Ana", "phone": OTHER, "guarantor": "aval 611222333"}}
        listed = add_job(session, OTHER, created_at=NOW - DAY, campaign_id=campaign_id, campaign_row=1, variables=row)
        left = add_job(session, OTHER, created_at=NOW - DAY,
                       variables={"guarantor_phone": 346112223330, "fee": 611222333.5, "name": "Ana"})  # fmt: skip
    write_calls(
        database,
        {"call_id": "to-other", "started_at": NOW - DAY, "caller_id": "+34910000000", "dialed_number": OTHER,
         "callback_job_id": job, "trace": _guarantors_trace(),
         "variables": {"guarantor_phone": 34611222333.0, "result": "+34611222333", "name": "Ana"}},
        {"call_id": "other-plain", "started_at": NOW - DAY, "caller_id": OTHER},
        {"call_id": "guarantors-own", "started_at": NOW - DAY, "caller_id": GUARANTOR, "trace": _guarantors_trace()},
    )  # fmt: skip
    return {"job": job, "listed": listed, "left": left}


def test_subject_access_lists_a_number_written_inside_other_clients_jobs_and_calls(
    database: Database, guarantor: dict[str, str]
) -> None:
    with database.session() as session:
        found = subject_data(session, number="611 222 333")
        record_access(session, found, actor="dpo")
        assert [call.id for call in found.calls] == ["guarantors-own"]
        assert found.jobs == []
        assert found.mentioned_in_jobs == {
            guarantor["job"]: ["$.variables.guarantor_phone", "$.variables.note"],
            guarantor["listed"]: ["$.variables.contact.guarantor"],
        }
        assert found.mentioned_in_calls == {
            "to-other": [
                "$.trace.steps[1].prompts[0].text",
                "$.trace.steps[1].variables_changed.guarantor_phone",
                "$.trace.variables.guarantor_phone",
                "$.variables.guarantor_phone",
                "$.variables.result",
            ]
        }  # each place, in order of its path: none of the other client's data
    with database.session() as session:
        access = session.scalars(select(AuditEvent).where(AuditEvent.action == ACCESS_ACTION)).one()
        assert (access.details["mentioned_in_callback_jobs"], access.details["mentioned_in_calls"]) == (2, 1)
        assert subject_data(session, number=OTHER).mentioned_in_jobs == {}  # their own jobs are theirs, not mentions


def test_mentions_are_listed_in_the_order_a_reader_counts_steps(database: Database) -> None:
    trace = transfer_trace()
    said = {"prompts": [{"text": "Su avalista es el 611222333"}]}
    trace["steps"] = [{**trace["steps"][0], **(said if index in (2, 10) else {})} for index in range(11)]
    write_calls(database, {"call_id": "long", "started_at": NOW - DAY, "caller_id": OTHER, "trace": trace})

    with database.session() as session:
        found = subject_data(session, number=GUARANTOR)

    # In text order steps[10] would come first.
    assert found.mentioned_in_calls == {
        "long": ["$.trace.steps[2].prompts[0].text", "$.trace.steps[10].prompts[0].text"]
    }


def test_erasure_redacts_a_number_written_inside_other_clients_jobs_and_calls_and_nothing_else(
    database: Database, guarantor: dict[str, str]
) -> None:
    with database.session() as session:
        before = {job.id: dict(job.variables) for job in session.scalars(select(CallbackJob))}
        plain = session.get(CallRecord, "other-plain")
        assert plain is not None
        plain_before = (plain.variables, plain.trace)
    planned = erase(database, number=GUARANTOR, actor="dpo", dry_run=True)
    with database.session() as session:
        assert {job.id: job.variables for job in session.scalars(select(CallbackJob))} == before

    report = erase(database, number="0034 611 222 333", actor="dpo")

    assert (report.mentioned_in_callback_jobs, report.mentioned_in_calls, report.call_records) == (2, 1, 1)
    assert planned.counts() == report.counts()
    assert call_ids(database) == {"to-other", "other-plain"}
    with database.session() as session:
        hidden = f"[erased {subject_hash(session, GUARANTOR)}]"
        jobs = {job.id: job for job in session.scalars(select(CallbackJob))}
        assert {job.number for job in jobs.values()} == {OTHER}
        assert jobs[guarantor["job"]].variables == {"guarantor_phone": hidden, "note": hidden, "name": "Ana"}
        assert jobs[guarantor["listed"]].variables == {"contact": {"name": "Ana", "phone": OTHER,
                                                                    "guarantor": f"aval {hidden}"}}  # fmt: skip
        assert jobs[guarantor["left"]].variables == before[guarantor["left"]]
        call = session.get(CallRecord, "to-other")
        assert call is not None
        assert call.variables == {"guarantor_phone": hidden, "result": hidden, "name": "Ana"}
        assert call.result == hidden  # the register's copy of `result`, filtered on
        assert (call.caller_id, call.dialed_number, call.dialed_key) == ("+34910000000", OTHER, OTHER)
        expected = _guarantors_trace()
        expected["variables"]["guarantor_phone"] = hidden
        expected["steps"][1]["prompts"] = [{"text": f"Su avalista es el {hidden}"}]
        expected["steps"][1]["variables_changed"]["guarantor_phone"] = hidden
        assert call.trace == expected  # the same shape, valid JSON: only the mentions changed
        assert json.loads(json.dumps(call.trace)) == expected
        plain = session.get(CallRecord, "other-plain")
        assert plain is not None and (plain.variables, plain.trace) == plain_before
        erasure = session.scalars(select(AuditEvent).where(AuditEvent.action == ERASURE_ACTION)).one()
        assert (erasure.details["mentioned_in_callback_jobs"], erasure.details["mentioned_in_calls"]) == (2, 1)
        assert "611222333" not in str(erasure.details)
        found = subject_data(session, number=GUARANTOR)
        assert (found.calls, found.mentioned_in_jobs, found.mentioned_in_calls) == ([], {}, {})


def test_a_job_naming_the_number_being_dialled_is_not_redacted_under_the_dialer(
    database: Database, guarantor: dict[str, str]
) -> None:
    """Its call is reading the job's variables now, and writes them into its record when it ends: ask again then."""
    with database.session() as session:
        job = session.get(CallbackJob, guarantor["job"])
        assert job is not None
        job.status = "dialing"
    before = counts(database)
    with pytest.raises(SubjectBeingCalled), database.session() as session:
        erase_subject(session, number=GUARANTOR, actor="dpo")
    assert counts(database) == before
    with database.session() as session:
        job = session.get(CallbackJob, guarantor["job"])
        assert job is not None and job.variables["guarantor_phone"] == 34611222333


def test_a_number_typed_with_separators_inside_a_longer_text_is_a_mention(database: Database) -> None:
    """A note an agent typed ("call the guarantor on +34 611 222 333 tomorrow"): the database finds it with the
    separators taken out, and the erasure redacts it where it stands, not only a text that is the number alone; a
    longer number typed so ("5 611 222 333", "611 222 333 4") is another phone's and stays."""
    notes = {
        "note": "llamar al aval +34 611 222 333 mañana",
        "bracketed": "aval: (611) 222-333, tarde",
        "dotted": "tel 611.222.333 / 600 444 555",
        "longer_before": "ref 5 611 222 333",
        "longer_after": "ref 611 222 333 4",
    }
    with database.session() as session:
        job = add_job(session, OTHER, created_at=NOW - DAY, status="pending", attempts=(), variables=dict(notes))
    with database.session() as session:
        found = subject_data(session, number=GUARANTOR)
        assert found.mentioned_in_jobs == {job: ["$.variables.bracketed", "$.variables.dotted", "$.variables.note"]}

    erase(database, number=GUARANTOR, actor="dpo")

    with database.session() as session:
        hidden = f"[erased {subject_hash(session, GUARANTOR)}]"
        kept = session.get(CallbackJob, job)
        assert kept is not None and kept.variables == {
            "note": f"llamar al aval {hidden} mañana",
            "bracketed": f"aval: ({hidden}, tarde",
            "dotted": f"tel {hidden} / 600 444 555",
            "longer_before": "ref 5 611 222 333",
            "longer_after": "ref 611 222 333 4",
        }
