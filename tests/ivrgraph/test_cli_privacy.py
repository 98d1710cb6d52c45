"""`ivrgraph records purge` and `ivrgraph privacy erase` run as an operator runs them (a real process), on SQLite and
PostgreSQL: the retention settings decide what goes unless `--older-than` says, a dry run changes nothing, the spool's
old files go with the calls, and an erasure finds a number in every form the servers store it (data-protection
review, 2026-12: `ivrgraph` had no command that deleted anything)."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from agi_server.records import CallRecord as SpooledCall
from agi_server.spool import spool_for
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import AuditEvent
from tests.api.serve_process import IVRGRAPH, ROOT, clean_env
from tests.persistence import pg
from tests.persistence.kept_data import DAY, add_event, add_job, call_ids, counts, job_ids, write_calls

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
        else:
            url = stack.enter_context(pg.throwaway_database("cli_privacy"))
        upgrade(url)
        yield url


def _run(url: str, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(IVRGRAPH_DATABASE_URL=url, **settings)
    return subprocess.run([*IVRGRAPH, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def _database(url: str) -> Database:
    return Database(url)


def test_purge_removes_what_the_settings_keep_no_longer_and_a_dry_run_nothing(
    database_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    database = _database(database_url)
    try:
        write_calls(
            database,
            {"call_id": "old", "started_at": now - 400 * DAY},
            {"call_id": "recent", "started_at": now - 10 * DAY},
        )
        with database.session() as session:
            add_job(session, "+34600000001", created_at=now - 400 * DAY)
            add_event(session, at=now - 400 * DAY, details={"number": "+34600000001"})
        before = counts(database)
        spool = spool_for(database_url, {"IVRGRAPH_SPOOL_DIR": str(tmp_path / "spools")})
        spooled = spool.reject([SpooledCall(call_id="s", scenario="s", version=1, started_at=now, ended_at=now,
                                            outcome="hung_up")])  # fmt: skip
        settings = {"IVRGRAPH_RETAIN_CALLS": "365d", "IVRGRAPH_SPOOL_DIR": str(tmp_path / "spools")}

        planned = _run(database_url, "records", "purge", "--dry-run", **settings)
        assert planned.returncode == 0, planned.stderr
        assert "  call_records: 1 would be removed" in planned.stdout.splitlines()
        assert "nothing was changed (--dry-run)" in planned.stdout
        assert counts(database) == before and spooled.exists()

        done = _run(database_url, "records", "purge", **settings)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert "  call_records: 1 removed" in lines and "  callback_jobs: 0 removed" in lines
        assert "retention calls 365d, traces kept, callbacks kept, campaigns kept, audit kept" in lines[0]
        assert call_ids(database) == {"recent"} and len(job_ids(database)) == 1 and spooled.exists()  # spooled today
        with database.session() as session:
            purged = session.scalars(select(AuditEvent).where(AuditEvent.action == "purge")).one()
            assert purged.actor.endswith("(ivrgraph records purge)") and purged.details["counts"]["call_records"] == 1

        everything = _run(database_url, "records", "purge", "--older-than", "30d", **settings)
        assert everything.returncode == 0, everything.stderr
        assert "  callback_jobs: 1 removed" in everything.stdout.splitlines()
        assert "  audit_events: 1 removed" in everything.stdout.splitlines()
        assert job_ids(database) == set()
    finally:
        database.dispose()


def test_purge_refuses_a_period_it_cannot_read(database_url: str) -> None:
    bad = _run(database_url, "records", "purge", IVRGRAPH_RETAIN_AUDIT="1y")
    assert bad.returncode == 2 and "IVRGRAPH_RETAIN_AUDIT" in bad.stderr and "365d" in bad.stderr
    bad = _run(database_url, "records", "purge", "--older-than", "soon")
    assert bad.returncode == 2 and "--older-than" in bad.stderr


def test_erase_finds_the_number_in_every_form_of_the_servers_country(database_url: str) -> None:
    now = datetime.now(UTC)
    database = _database(database_url)
    try:
        write_calls(
            database,
            {"call_id": "national", "started_at": now - DAY, "caller_id": "600123456"},
            {"call_id": "zeros", "started_at": now - DAY, "caller_id": "0034600123456"},
            {"call_id": "other", "started_at": now - DAY, "caller_id": "600123457"},
        )
        with database.session() as session:
            add_job(session, "+34600123456", created_at=now - DAY)

        planned = _run(database_url, "privacy", "erase", "+34 600 123 456", "--dry-run", IVRGRAPH_DEFAULT_COUNTRY="ES")
        assert planned.returncode == 0, planned.stderr
        assert "  call_records: 2 would be erased" in planned.stdout.splitlines()
        assert call_ids(database) == {"national", "zeros", "other"}

        done = _run(database_url, "privacy", "erase", "+34 600 123 456", IVRGRAPH_DEFAULT_COUNTRY="ES")
        assert done.returncode == 0, done.stderr
        assert "  call_records: 2 were erased" in done.stdout.splitlines()
        assert "  callback_jobs: 1 were erased" in done.stdout.splitlines()
        # Another client's job or call naming the subject stays, its mentions redacted: not "erased".
        assert "  mentioned_in_calls: 0 were redacted" in done.stdout.splitlines()
        assert "600123456" not in done.stdout
        assert call_ids(database) == {"other"} and job_ids(database) == set()
        with database.session() as session:
            erasure = session.scalars(select(AuditEvent).where(AuditEvent.action == "erasure")).one()
            assert erasure.actor.endswith("(ivrgraph privacy erase)") and erasure.target in done.stdout
    finally:
        database.dispose()


def test_erase_refuses_text_that_is_no_number(database_url: str) -> None:
    refused = _run(database_url, "privacy", "erase", "Lucía")
    assert refused.returncode == 2 and "no phone number" in refused.stderr


def test_commands_on_a_database_file_that_is_not_there_make_none(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing.sqlite3'}"
    for args in (("records", "purge"), ("privacy", "erase", "600123456")):
        missing = _run(url, *args)
        assert missing.returncode == 2 and "no database file" in missing.stderr
    assert not (tmp_path / "missing.sqlite3").exists()


def test_old_spool_files_go_with_the_calls(database_url: str, tmp_path: Path) -> None:
    spool = spool_for(database_url, {"IVRGRAPH_SPOOL_DIR": str(tmp_path / "spools")})
    old = spool.put([SpooledCall(call_id="a", scenario="s", version=1, started_at=datetime.now(UTC),
                                 ended_at=datetime.now(UTC), outcome="hung_up")])  # fmt: skip
    aged = old.with_name(
        f"records-{int((datetime.now(UTC) - timedelta(days=40)).timestamp() * 1e9):020d}-1-000001.jsonl"
    )
    old.rename(aged)
    done = _run(
        database_url, "records", "purge", IVRGRAPH_RETAIN_CALLS="30d", IVRGRAPH_SPOOL_DIR=str(tmp_path / "spools")
    )
    assert done.returncode == 0, done.stderr
    assert "  spool_files: 1 removed" in done.stdout.splitlines() and not aged.exists()
