"""The erasure ledger (persistence.erasure_ledger): read from what an admin keeps of the audit log, and erased again
on SQLite and PostgreSQL. The command run as an operator runs it is tests/ivrgraph/test_cli_reapply_erasures.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from persistence.db import Database
from persistence.erasure_ledger import HashedUnderAnotherCountry, LedgerUnreadable, read_ledger, reapply_erasures
from persistence.models import AuditEvent, CallbackJob, CallRecord, IdempotencyKey
from persistence.phone_numbers import configure_default_country
from persistence.privacy import ERASURE_ACTION, erase, subject_hash
from tests.persistence.kept_data import NOW, add_event, add_job, add_key, transfer_trace, write_calls

ONE, TWO = "0" * 24, "a" * 24


# Numbers compared as a Spanish deployment's (IVRGRAPH_DEFAULT_COUNTRY=ES): 600123456 is +34600123456.
pytestmark = pytest.mark.usefixtures("in_spain")


def _event(subject: str, at: str, action: str = "erasure", **details: object) -> dict[str, object]:
    return {"id": 1, "at": at, "actor": "dpo", "action": action, "target": f"subject:{subject}", "details": details}


def test_the_audit_routes_json_pages_appended_and_one_event_a_line_are_read_alike() -> None:
    page = json.dumps([_event(ONE, "2026-12-01T09:00:00Z"), _event(TWO, "2026-12-02T09:00:00Z", "lookup_number")])
    more = json.dumps([_event(ONE, "2026-12-03T09:00:00+01:00"), _event(TWO, "2026-12-04T09:00:00")])
    for text in (page + "\n" + more, "\n".join(json.dumps(e) for e in [*json.loads(page), *json.loads(more)])):
        ledger = read_ledger(text)
        assert (ledger.entries, ledger.skipped) == (3, 1)
        assert ledger.subjects == {ONE: datetime(2026, 12, 3, 8, tzinfo=UTC), TWO: datetime(2026, 12, 4, 9, tzinfo=UTC)}
        assert ledger.newest == datetime(2026, 12, 4, 9, tzinfo=UTC)


def test_a_ledger_kept_by_hand_is_one_subject_a_line() -> None:
    ledger = read_ledger(f"# erased on request\nsubject:{ONE}\n\n{TWO}  # by phone\n")
    assert ledger.subjects == {ONE: None, TWO: None} and ledger.newest is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('[{"action": "erasure", "target": "call:7"}]', "is not subject:<hash>"),
        ('[{"action": "erasure", "target": "subject:' + ONE + '", "at": "yesterday"}]', "not an ISO 8601 time"),
        ("[1, 2]", "is not an audit event"),
        ('[{"action": "erasure"', "not JSON at line 1"),
        (f"subject:{ONE}\nsubject:123\n", "line 2: 'subject:123'"),
        (json.dumps([_event(ONE, "2026-12-01T09:00:00Z", default_country="Spain")]), "'Spain' is no country code"),
        (json.dumps([_event(ONE, "2026-12-01T09:00:00Z", default_country=34)]), "34 is no country code"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),  # not a RecursionError's traceback (exit 1)
    ],
)
def test_what_is_no_ledger_is_refused_saying_why(text: str, reason: str) -> None:
    with pytest.raises(LedgerUnreadable, match=reason):
        read_ledger(text)


def test_a_subject_being_dialled_is_left_for_a_later_run_and_the_others_are_erased(database: Database) -> None:
    with database.session() as session:
        add_job(session, "+34600123456", created_at=NOW, status="dialing", attempts=())
        add_job(session, "600999888", created_at=NOW)
        add_job(session, "+34600555444", created_at=NOW)  # nobody asked
        called, erased = subject_hash(session, "+34600123456"), subject_hash(session, "+34600999888")
        session.commit()
    ledger = read_ledger(f"subject:{called}\nsubject:{erased}\nsubject:{ONE}\n")

    report = reapply_erasures(database, ledger, actor="dpo")

    assert report.refused == [called] and [r.subject for r in report.erased] == [erased] and report.not_here == 1
    assert report.totals()["callback_jobs"] == 1
    with database.session() as session:
        assert sorted(session.scalars(select(CallbackJob.number))) == ["+34600123456", "+34600555444"]


@pytest.mark.parametrize("form", ["json", "text"])
def test_a_byte_order_mark_before_the_ledger_is_no_part_of_it(form: str) -> None:
    """PowerShell's `>` and Out-File write one; read as text the JSON was one line of no subject."""
    text = json.dumps([_event(ONE, "2026-12-01T09:00:00Z")]) if form == "json" else f"subject:{ONE}\n"
    ledger = read_ledger("\ufeff" + text)
    assert ledger.subjects == read_ledger(text).subjects and list(ledger.subjects) == [ONE]


def test_the_country_each_erasure_hashed_its_number_under_is_read() -> None:
    ledger = read_ledger(json.dumps([
        _event(ONE, "2026-12-01T09:00:00Z", default_country="ES", call_records=2),
        _event(TWO, "2026-12-02T09:00:00Z", default_country="ES"),
        _event(TWO, "2026-12-03T09:00:00Z", default_country=None),  # the server had none set
        _event(ONE, "2026-12-04T09:00:00Z"),  # written before erasures said it
    ]))  # fmt: skip
    assert ledger.hashed_under == {"ES": 2, None: 1} and ledger.unrecorded == 1
    assert read_ledger(f"subject:{ONE}\n").unrecorded == 1 and read_ledger(f"subject:{ONE}\n").hashed_under == {}


def _as_exported(event: AuditEvent) -> dict[str, object]:
    """An audit event as GET /api/audit answers it."""
    return {"id": event.id, "at": event.at.isoformat(), "actor": event.actor, "action": event.action,
            "target": event.target, "details": event.details}  # fmt: skip


def test_an_erasure_records_the_country_its_number_was_hashed_under(database: Database) -> None:
    with database.session() as session:
        add_job(session, "600999004", created_at=NOW)
        session.commit()
    erase(database, number="600999004", actor="dpo")
    with database.session() as session:
        erasure = session.scalars(select(AuditEvent).where(AuditEvent.action == ERASURE_ACTION)).one()
        assert erasure.details["default_country"] == "ES" and erasure.details["callback_jobs"] == 1
        ledger = read_ledger(json.dumps([_as_exported(erasure)]))
    assert ledger.hashed_under == {"ES": 1} and ledger.unrecorded == 0


def test_a_ledger_hashed_under_another_country_is_refused_before_anything_is_erased(database: Database) -> None:
    """600999004 hashes as +34600999004 in Spain and as itself with no country: run under the other setting, the
    erasure of a Spanish server matched nobody, silently (security review)."""
    with database.session() as session:
        add_job(session, "600999004", created_at=NOW)
        spanish = subject_hash(session, "600999004")
        session.commit()
    ledger = read_ledger(json.dumps([_event(spanish, "2099-01-01T09:00:00Z", default_country="ES")]))
    configure_default_country(None)  # the shell's, without the server's setting (in_spain puts ES back)
    with pytest.raises(HashedUnderAnotherCountry) as refused:
        reapply_erasures(database, ledger, actor="dpo")
    assert "IVRGRAPH_DEFAULT_COUNTRY=ES" in str(refused.value) and "unset" in str(refused.value)
    assert refused.value.countries == ["ES"]
    with database.session() as session:
        assert list(session.scalars(select(CallbackJob.number))) == ["600999004"]

    configure_default_country("ES")
    report = reapply_erasures(database, ledger, actor="dpo")
    assert [erased.subject for erased in report.erased] == [spanish]


def test_a_ledger_of_several_countries_is_run_under_each_of_them(database: Database) -> None:
    """The server's setting changed between two erasures: a run under one of them erases what it finds; under
    none of them it is refused, naming each."""
    ledger = read_ledger(json.dumps([_event(ONE, "2099-01-01T09:00:00Z", default_country="ES"),
                                     _event(TWO, "2099-01-02T09:00:00Z", default_country="PT")]))  # fmt: skip
    assert reapply_erasures(database, ledger, actor="dpo").not_here == 2
    configure_default_country("FR")
    with pytest.raises(HashedUnderAnotherCountry, match="run it once with each of these settings") as refused:
        reapply_erasures(database, ledger, actor="dpo")
    assert refused.value.countries == ["ES", "PT"]


@pytest.mark.parametrize("country", ["ES", None])
def test_a_subject_kept_only_as_json_numbers_is_found_and_erased_again(database: Database, country: str | None) -> None:
    """A restored database where the purge left a client only as a CRM's numeric column sent them: the international
    digits in an audit event, the national ones in a stored answer (each a number of another client's callback).
    With no default country, 34600777111 is +34600777111 all the same: a JSON number cannot hold the "+"."""
    configure_default_country(country)  # in_spain puts ES back
    with database.session() as session:
        add_event(session, at=NOW, details={"number": "+34600999888", "variables": {"guarantor": 34600777111},
                                            "jobs": 1, "flag": True})  # fmt: skip
        add_key(session, username="crm", key="k1", created_at=NOW,
                response={"number": "+34600999888", "variables": {"account_phone": 600777222}})  # fmt: skip
        guarantor = subject_hash(session, "+34600777111")
        debtor = subject_hash(session, "+34600777222")
        session.commit()
    ledger = read_ledger(f"subject:{guarantor}\nsubject:{debtor}\n")

    report = reapply_erasures(database, ledger, actor="dpo")

    found = {erased.subject: erased for erased in report.erased}
    assert found[guarantor].audit_events == 1
    if country is None:  # 600777222 is no Spanish number here: nobody's but its own
        assert debtor not in found
        return
    assert found[debtor].idempotency_keys == 1
    with database.session() as session:
        details = session.scalars(select(AuditEvent.details).where(AuditEvent.action == "schedule")).one()
        assert details == {"number": "+34600999888", "variables": {"guarantor": f"[erased {guarantor}]"}, "jobs": 1,
                           "flag": True}  # fmt: skip
        assert session.scalar(select(IdempotencyKey.key)) is None


def test_a_subject_kept_only_as_json_floats_of_whole_digits_is_found_and_erased_again(database: Database) -> None:
    """A CRM fed by pandas or Excel sent its phone columns as floats: read as the integers they hold, as
    `privacy` reads them; a fraction holds no phone."""
    with database.session() as session:
        add_event(session, at=NOW, details={"variables": {"guarantor_phone": 34611222334.0, "fee": 34611222335.5}})
        add_key(session, username="crm", key="k1", created_at=NOW,
                response={"number": "+34600999888", "variables": {"account_phone": 611222336.0}})  # fmt: skip
        guarantor = subject_hash(session, "+34611222334")
        fee = subject_hash(session, "+34611222335")
        debtor = subject_hash(session, "+34611222336")
        session.commit()
    ledger = read_ledger(f"subject:{guarantor}\nsubject:{fee}\nsubject:{debtor}\n")

    report = reapply_erasures(database, ledger, actor="dpo")

    found = {erased.subject: erased for erased in report.erased}
    assert set(found) == {guarantor, debtor}
    assert (found[guarantor].audit_events, found[debtor].idempotency_keys) == (1, 1)
    with database.session() as session:
        details = session.scalars(select(AuditEvent.details).where(AuditEvent.action == "schedule")).one()
        assert details == {"variables": {"guarantor_phone": f"[erased {guarantor}]", "fee": 34611222335.5}}
        assert session.scalar(select(IdempotencyKey.key)) is None


def test_a_subject_kept_only_inside_another_clients_job_and_call_is_found_and_redacted_again(
    database: Database,
) -> None:
    """A restored database where the guarantor is written only in another client's callback (variables, a call
    list's row) and in its call's trace: found there, as the erasure reaches them, and redacted again."""
    with database.session() as session:
        job = add_job(session, "+34600999888", created_at=NOW, variables={"guarantor_phone": 34611222337.0})
        listed = add_job(session, "+34600999888", created_at=NOW,
                         variables={"contact": {"phone": "+34600999888", "aval": "611 222 338"}})  # fmt: skip
        guarantor, aval = subject_hash(session, "+34611222337"), subject_hash(session, "+34611222338")
        traced = subject_hash(session, "+34611222339")
        session.commit()
    trace = transfer_trace()
    trace["steps"][1]["prompts"] = [{"text": "Llame al 611222339"}]
    write_calls(database, {"call_id": "placed", "started_at": NOW, "dialed_number": "+34600999888", "trace": trace})
    ledger = read_ledger(f"subject:{guarantor}\nsubject:{aval}\nsubject:{traced}\n")

    report = reapply_erasures(database, ledger, actor="dpo")

    found = {erased.subject: erased for erased in report.erased}
    assert set(found) == {guarantor, aval, traced}
    assert (found[guarantor].mentioned_in_callback_jobs, found[aval].mentioned_in_callback_jobs) == (1, 1)
    assert found[traced].mentioned_in_calls == 1
    with database.session() as session:
        assert session.get(CallbackJob, job).variables == {"guarantor_phone": f"[erased {guarantor}]"}  # type: ignore[union-attr]
        assert session.get(CallbackJob, listed).variables["contact"]["aval"] == f"[erased {aval}]"  # type: ignore[union-attr]
        assert session.get(CallRecord, "placed").trace["steps"][1]["prompts"] == [  # type: ignore[union-attr]
            {"text": f"Llame al [erased {traced}]"}
        ]
