"""`ivrgraph db upgrade` names the database it touched; `ivrgraph db backup` copies a running SQLite database whole
(an administrator's review: the upgrade of a missing environment file silently made ./ivrgraph.sqlite3, and a
`cp` of the running database kept 0 of 25 calls, which were still in its WAL)."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from agi_server.records import CallRecord
from ivrgraph.cli import main
from persistence.calls import CallRecordWriter
from persistence.db import Database
from persistence.migrate import head_revision, upgrade
from tests.api.serve_process import IVRGRAPH, clean_env
from tests.persistence import pg

T0 = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)


def _upgrade(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IVRGRAPH, "db", "upgrade"], cwd=cwd, env=clean_env(**env), capture_output=True, text=True)


def test_db_upgrade_without_a_database_url_says_it_made_a_new_file_and_which(tmp_path: Path) -> None:
    made = tmp_path / "ivrgraph.sqlite3"
    first = _upgrade(tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        f"created a new SQLite database file {made} (IVRGRAPH_DATABASE_URL is not set)",
        f"database sqlite:///{made} at revision {head_revision()}",
    ]
    again = _upgrade(tmp_path)  # the file is there now: nothing new to say about it
    assert again.stdout.splitlines() == [f"database sqlite:///{made} at revision {head_revision()}"]


@pytest.mark.postgres
def test_db_upgrade_names_the_database_without_its_password(tmp_path: Path) -> None:
    with pg.throwaway_database("named") as url:
        parsed = make_url(url)
        secret = parsed.password or "s3cret-not-to-print"  # the test server trusts local connections
        with_password = parsed.set(password=secret).render_as_string(hide_password=False)
        done = _upgrade(tmp_path, IVRGRAPH_DATABASE_URL=with_password)
    assert done.returncode == 0, done.stderr
    shown = parsed.set(password=secret).render_as_string(hide_password=True)
    assert done.stdout.splitlines() == [f"database {shown} at revision {head_revision()}"]
    assert secret not in done.stdout and ":***@" in done.stdout
    assert not (tmp_path / "ivrgraph.sqlite3").exists()


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite file, the database `ivrgraph` commands run in this process use."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade(url)
    monkeypatch.setenv("IVRGRAPH_DATABASE_URL", url)
    yield url


def _record(call_id: str) -> CallRecord:
    return CallRecord(call_id=call_id, scenario="s", version=1, started_at=T0, ended_at=T0, outcome="hung_up")


def _ids(path: Path) -> set[str]:
    copy = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {row[0] for row in copy.execute("SELECT id FROM call_records")}
    finally:
        copy.close()


def test_a_backup_taken_while_calls_are_written_holds_every_call_committed_before_it(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The product writes in another connection all along; the copy is one self-contained file that opens, with
    every call committed before the backup began (those in the WAL included) and no half of a later batch."""
    database = Database(sqlite_url)
    writer = CallRecordWriter(database)
    committed: list[str] = []
    stop = threading.Event()

    def write_calls() -> None:
        batch = 0
        while not stop.is_set():
            ids = [f"b{batch:05d}-{n}" for n in range(5)]
            writer.write_batch([_record(call_id) for call_id in ids])
            committed.extend(ids)  # after the commit
            batch += 1

    writing = threading.Thread(target=write_calls)
    writing.start()
    try:
        while len(committed) < 100:
            stop.wait(0.01)
        assert Path(f"{tmp_path / 'live.sqlite3'}-wal").stat().st_size > 0  # calls a plain copy would miss
        before = set(committed)
        assert main(["db", "backup", str(tmp_path / "copy.sqlite3")]) == 0
        during = len(committed)
        while len(committed) < during + 25:  # the product went on writing
            stop.wait(0.01)
    finally:
        stop.set()
        writing.join()
        database.dispose()
    copy = tmp_path / "copy.sqlite3"
    saved = _ids(copy)
    assert before <= saved <= set(committed)
    assert len(saved) % 5 == 0  # whole batches: one snapshot
    assert not Path(f"{copy}-wal").exists()
    check = sqlite3.connect(copy)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    finally:
        check.close()
    assert capsys.readouterr().out.startswith(f"backed up {sqlite_url} to {copy} (")


def test_a_backup_never_replaces_a_file_unless_forced_and_never_the_database(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = Database(sqlite_url)
    try:
        CallRecordWriter(database).write_batch([_record("a1")])
    finally:
        database.dispose()
    earlier = tmp_path / "earlier.sqlite3"
    earlier.write_bytes(b"last week's backup")
    assert main(["db", "backup", str(earlier)]) == 1
    assert f"{earlier} exists: choose another name, or --force to replace it" in capsys.readouterr().err
    assert earlier.read_bytes() == b"last week's backup"
    assert main(["db", "backup", "--force", str(earlier)]) == 0
    assert _ids(earlier) == {"a1"}
    live = tmp_path / "live.sqlite3"
    assert main(["db", "backup", "--force", str(live)]) == 1
    assert "is the database itself" in capsys.readouterr().err
    assert _ids(live) == {"a1"}
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.endswith(".partial")) == []


def test_a_backup_of_a_database_file_that_is_not_there_makes_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IVRGRAPH_DATABASE_URL", f"sqlite:///{tmp_path / 'typo.sqlite3'}")
    assert main(["db", "backup", str(tmp_path / "copy.sqlite3")]) == 1
    assert f"there is no database file {tmp_path / 'typo.sqlite3'}" in capsys.readouterr().err
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_a_backup_of_postgresql_points_to_pg_dump_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IVRGRAPH_DATABASE_URL", "postgresql://ivr:s3cret@db.example/ivrgraph")
    assert main(["db", "backup", str(tmp_path / "copy.dump")]) == 1
    said = capsys.readouterr().err
    assert "pg_dump" in said and "postgresql+psycopg://ivr:***@db.example/ivrgraph" in said and "s3cret" not in said
    assert not (tmp_path / "copy.dump").exists()
