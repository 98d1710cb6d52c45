"""The erasure ledger (persistence.erasure_ledger): read from what an admin keeps of the audit log, and erased again
on SQLite and PostgreSQL. The command run as an operator runs it is tests/ivrgraph/test_cli_reapply_erasures.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from persistence.db import Database
from persistence.erasure_ledger import LedgerUnreadable, read_ledger, reapply_erasures
from persistence.models import CallbackJob
from persistence.privacy import subject_hash
from tests.persistence.kept_data import NOW, add_job

ONE, TWO = "0" * 24, "a" * 24


# Numbers compared as a Spanish deployment's (IVRGRAPH_DEFAULT_COUNTRY=ES): 600123456 is +34600123456.
pytestmark = pytest.mark.usefixtures("in_spain")


def _event(subject: str, at: str, action: str = "erasure") -> dict[str, object]:
    return {"id": 1, "at": at, "actor": "dpo", "action": action, "target": f"subject:{subject}", "details": {}}


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
