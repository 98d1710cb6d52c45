"""`ivrgraph privacy reapply-erasures FILE` after a restore, as an operator runs it (real processes), on SQLite and
PostgreSQL: the installation erases two people after its backup was taken, exports the audit log's `erasure` events
(GET /api/audit over real HTTP) and is lost; the backup is restored (`ivrgraph db backup`'s copy; `pg_dump` and
`pg_restore`) and the export names the subjects by their hashes only. The command erases again every number of the
restored database whose hash the export names, in every form the register stores it, and nothing of anyone else; a
dry run changes nothing, a second run finds nothing more, and a database whose hash key was made after the
erasures (restored from a backup without it) is refused rather than matched to no one (disaster-recovery review:
privacy.md said "erase again after restoring" with no list of numbers to erase).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.settings import Settings
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import AuditEvent, CallbackJob, CallRecord, InstallSecret
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, serve_api
from tests.api.serve_process import IVRGRAPH, ROOT, clean_env
from tests.persistence import pg
from tests.persistence.kept_data import NOW, add_event, add_job, write_calls

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ERASED = "+34600123456"  # their calls and a job, in the forms a Spanish register stores
ONLY_NAMED = "+34600777666"  # only an audit event's details name them now (their job was purged)
KEPT = "+34600999888"  # nobody asked: untouched
SPAIN = {"IVRGRAPH_DEFAULT_COUNTRY": "ES"}
NO_COUNTRY = {"IVRGRAPH_DEFAULT_COUNTRY": ""}  # a shell without the server's setting
NATIONAL = "600999004"  # a Spanish mobile written as people in Spain write it: +34600999004 only in Spain


def _run(url: str, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(IVRGRAPH_DATABASE_URL=url, **{**SPAIN, **settings})
    return subprocess.run([*IVRGRAPH, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def _people(url: str) -> None:
    database = Database(url)
    try:
        write_calls(
            database,
            {"call_id": "e1", "started_at": NOW, "caller_id": "600123456"},
            {"call_id": "e2", "started_at": NOW + timedelta(hours=1), "caller_id": "+34 600 123 456"},
            {"call_id": "k1", "started_at": NOW, "caller_id": KEPT},
        )
        with database.session() as session:
            add_job(session, "0034600123456", created_at=NOW)
            add_job(session, KEPT, created_at=NOW)
            add_event(session, at=NOW, details={"number": "0034600123456", "note": f"also {ONLY_NAMED} asked"})
            add_event(session, at=NOW, details={"number": KEPT})
    finally:
        database.dispose()


def _audit_export(url: str, media: Path) -> str:
    """GET /api/audit?action=erasure as an admin saves it: the ledger kept outside the database."""
    settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, media_root=media)
    with (
        contextlib.contextmanager(serve_api)(settings, PublishHub()) as base_url,
        httpx.Client(base_url=base_url) as http,
    ):
        assert http.post("/api/auth/login", json={"username": ADMIN, "password": ADMIN_PASSWORD}).status_code == 200
        exported = http.get("/api/audit", params={"action": "erasure"})
        assert exported.status_code == 200, exported.text
        return exported.text


def _state(url: str) -> dict[str, Any]:
    database = Database(url)
    try:
        with database.session() as session:
            return {
                "calls": sorted(session.scalars(select(CallRecord.id))),
                "jobs": sorted(session.scalars(select(CallbackJob.number))),
                "details": sorted(
                    json.dumps(d, sort_keys=True)
                    for d in session.scalars(select(AuditEvent.details).where(AuditEvent.action == "schedule"))
                ),
                "erasures": sorted(
                    t for t in session.scalars(select(AuditEvent.target).where(AuditEvent.action == "erasure"))
                ),
            }
    finally:
        database.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _restore(backend: str, url: str, tmp_path: Path, stack: contextlib.ExitStack) -> str:
    """A copy of the database at `url` as its backup restores it, before the erasures: its URL."""
    if backend == "sqlite":
        taken = _run(url, "db", "backup", str(tmp_path / "backup.sqlite3"))
        assert taken.returncode == 0, taken.stderr
        return f"sqlite:///{tmp_path / 'backup.sqlite3'}"
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed")
    dump = tmp_path / "ivrgraph.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), "-d", pg._libpq(url)], check=True, timeout=120)
    restored = stack.enter_context(pg.throwaway_database("restored"))
    subprocess.run(["pg_restore", "-d", pg._libpq(restored), str(dump)], check=True, timeout=120)
    return restored


def test_the_erasures_made_after_the_backup_are_made_again_from_the_exported_ledger(
    backend: str, tmp_path: Path
) -> None:
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
            if backend == "sqlite"
            else stack.enter_context(pg.throwaway_database("lost"))
        )
        upgrade(url)
        _people(url)
        backup_folder = tmp_path / "before"
        backup_folder.mkdir()
        restored = _restore(backend, url, backup_folder, stack)  # the backup, taken before anyone was erased
        for number in ("+34 600 123 456", ONLY_NAMED):
            erased = _run(url, "privacy", "erase", number)
            assert erased.returncode == 0, erased.stderr
        ledger = tmp_path / "erasures.json"
        ledger.write_text(_audit_export(url, tmp_path / "media"), encoding="utf-8")
        hashes = sorted(event["target"] for event in json.loads(ledger.read_text()))
        assert len(hashes) == 2 and all(h.startswith("subject:") for h in hashes)
        before = _state(restored)
        assert before["calls"] == ["e1", "e2", "k1"]  # what the backup holds: both erasures undone by the restore

        planned = _run(restored, "privacy", "reapply-erasures", str(ledger), "--dry-run")
        assert planned.returncode == 0, planned.stderr
        assert _state(restored) == before
        assert "2 subjects to erase again, 0 not in this database" in planned.stdout, planned.stdout
        assert "  call_records: 2 would be erased" in planned.stdout.splitlines(), planned.stdout
        assert "nothing was changed (--dry-run)" in planned.stdout

        done = _run(restored, "privacy", "reapply-erasures", str(ledger))
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == f"{ledger}: 2 erasures of 2 subjects", done.stdout
        assert "2 subjects erased again, 0 not in this database" in done.stdout, done.stdout
        assert "  call_records: 2 were erased" in lines and "  callback_jobs: 1 were erased" in lines, done.stdout
        assert "  audit_events: 2 were redacted" in lines, done.stdout  # the one event naming both, once for each
        subjects = {line.split(":")[1] for line in lines if line.startswith("  subject:")}
        assert {f"subject:{subject}" for subject in subjects} == set(hashes), done.stdout
        after = _state(restored)
        assert after["calls"] == ["k1"] and after["jobs"] == [KEPT]
        named = " ".join(after["details"])
        assert "600123456" not in named and "600777666" not in named and KEPT in named
        assert after["erasures"] == hashes  # recorded again, under the very hashes the ledger named

        again = _run(restored, "privacy", "reapply-erasures", str(ledger))
        assert again.returncode == 0, again.stderr
        assert "0 subjects erased again, 2 not in this database" in again.stdout, again.stdout
        assert _state(restored) == after


def test_a_database_whose_key_was_made_after_the_erasures_is_refused(backend: str, tmp_path: Path) -> None:
    """A backup taken without the key (before migration 0029, no erasure yet): the restored database was given
    another when it was migrated, which names no one of the ledger. Said, exit 1, nothing erased."""
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
            if backend == "sqlite"
            else stack.enter_context(pg.throwaway_database("newkey"))
        )
        upgrade(url)
        _people(url)
        backup_folder = tmp_path / "before"
        backup_folder.mkdir()
        restored = _restore(backend, url, backup_folder, stack)
        erased = _run(url, "privacy", "erase", ERASED)
        assert erased.returncode == 0, erased.stderr
        ledger = tmp_path / "erasures.json"
        ledger.write_text(_audit_export(url, tmp_path / "media"), encoding="utf-8")
        database = Database(restored)
        try:
            with database.session() as session:  # as a restore of a backup without the key leaves it, migrated
                key = session.get(InstallSecret, "subject_hash")
                assert key is not None
                key.value, key.created_at = "cd" * 32, NOW + timedelta(days=3650)
                session.commit()
        finally:
            database.dispose()

        refused = _run(restored, "privacy", "reapply-erasures", str(ledger))
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "hash key was made" in refused.stderr and "after the newest erasure" in refused.stderr, refused.stderr
        assert _state(restored)["calls"] == ["e1", "e2", "k1"]  # nothing erased


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('[{"action": "erasure", "target": "call:1"}]', "not subject:<hash>"),
        ('[{"action": ', "not JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),  # was a RecursionError's traceback, exit 1
    ],
)
def test_a_ledger_that_cannot_be_read_is_refused(tmp_path: Path, content: str, reason: str) -> None:
    url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
    upgrade(url)
    ledger = tmp_path / "ledger.json"
    ledger.write_text(content, encoding="utf-8")
    refused = _run(url, "privacy", "reapply-erasures", str(ledger))
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert reason in refused.stderr, refused.stderr


def _erased_in_spain(tmp_path: Path) -> tuple[str, Path]:
    """A Spanish server (IVRGRAPH_DEFAULT_COUNTRY=ES) that erased NATIONAL after its backup: the restored backup's
    URL and the ledger exported from the audit log."""
    url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        write_calls(database, {"call_id": "s1", "started_at": NOW, "caller_id": NATIONAL},
                    {"call_id": "k1", "started_at": NOW, "caller_id": KEPT})  # fmt: skip
    finally:
        database.dispose()
    backup_folder = tmp_path / "before"
    backup_folder.mkdir()
    with contextlib.ExitStack() as stack:
        restored = _restore("sqlite", url, backup_folder, stack)
    erased = _run(url, "privacy", "erase", NATIONAL)
    assert erased.returncode == 0, erased.stderr
    ledger = tmp_path / "erasures.json"
    ledger.write_text(_audit_export(url, tmp_path / "media"), encoding="utf-8")
    return restored, ledger


def test_a_ledger_hashed_under_another_country_than_the_commands_is_refused_naming_the_setting(
    tmp_path: Path,
) -> None:
    """Run without the server's IVRGRAPH_DEFAULT_COUNTRY, 600999004 hashed as itself, not as +34600999004: the
    command said "0 subjects erased again, 1 not in this database", exit 0, and the person stayed (security
    review). The erasure says the country it hashed under; the command refuses, saying which to set."""
    restored, ledger = _erased_in_spain(tmp_path)
    [event] = json.loads(ledger.read_text(encoding="utf-8"))
    assert event["details"]["default_country"] == "ES"

    refused = _run(restored, "privacy", "reapply-erasures", str(ledger), **NO_COUNTRY)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "IVRGRAPH_DEFAULT_COUNTRY=ES" in refused.stderr and "IVRGRAPH_DEFAULT_COUNTRY unset" in refused.stderr
    assert "Nothing was erased: run it again with IVRGRAPH_DEFAULT_COUNTRY=ES" in refused.stderr, refused.stderr
    assert _state(restored)["calls"] == ["k1", "s1"]
    elsewhere = _run(restored, "privacy", "reapply-erasures", str(ledger), IVRGRAPH_DEFAULT_COUNTRY="PT")
    assert elsewhere.returncode == 2 and "IVRGRAPH_DEFAULT_COUNTRY=PT" in elsewhere.stderr, elsewhere.stderr

    done = _run(restored, "privacy", "reapply-erasures", str(ledger))
    assert done.returncode == 0, done.stderr
    assert "1 subjects erased again, 0 not in this database" in done.stdout, done.stdout
    assert _state(restored)["calls"] == ["k1"] and "warning" not in done.stderr


def test_an_older_ledger_that_matches_no_one_warns_that_the_country_must_be_the_servers(tmp_path: Path) -> None:
    """A ledger exported before erasures said their country: read as it was, and when none of its subjects is
    found the command says the likely reason, and still exits 0 (they may all have been erased before the backup)."""
    restored, ledger = _erased_in_spain(tmp_path)
    events = json.loads(ledger.read_text(encoding="utf-8"))
    for event in events:
        del event["details"]["default_country"]
    ledger.write_text(json.dumps(events), encoding="utf-8")

    missed = _run(restored, "privacy", "reapply-erasures", str(ledger), **NO_COUNTRY)
    assert missed.returncode == 0, missed.stderr
    assert "0 subjects erased again, 1 not in this database" in missed.stdout, missed.stdout
    warning = "warning: none of the ledger's 1 subjects is in this database"
    assert warning in missed.stderr and "IVRGRAPH_DEFAULT_COUNTRY" in missed.stderr, missed.stderr
    assert "(here IVRGRAPH_DEFAULT_COUNTRY unset)" in missed.stderr, missed.stderr
    assert _state(restored)["calls"] == ["k1", "s1"]

    done = _run(restored, "privacy", "reapply-erasures", str(ledger))
    assert done.returncode == 0 and "1 subjects erased again" in done.stdout and "warning" not in done.stderr


def test_a_ledger_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """PowerShell's `Invoke-RestMethod ... > erasures.json` starts the file with one: it was read as a ledger kept
    by hand, its first line no `subject:<hash>`."""
    url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
    upgrade(url)
    ledger = tmp_path / "erasures.json"
    event = {"action": "erasure", "target": "subject:" + "0" * 24, "at": "2099-01-01T00:00:00Z",
             "details": {"default_country": "ES"}}  # fmt: skip
    ledger.write_text(json.dumps([event]), encoding="utf-8-sig")
    read = _run(url, "privacy", "reapply-erasures", str(ledger))
    assert read.returncode == 0, read.stderr
    assert read.stdout.splitlines()[0] == f"{ledger}: 1 erasures of 1 subjects", read.stdout
