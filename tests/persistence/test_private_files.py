"""The files that hold callers' data are their owner's alone whatever the umask: the SQLite database with its log and
shared-memory files, and its backups (data-protection review, 2026-12: with the deployment units' umask 022, which
lets Asterisk read the prompts, every local user could read the call register)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from persistence.backup import BackupOutcome, back_up
from persistence.db import Database
from persistence.migrate import upgrade
from tests.persistence.kept_data import NOW, write_calls


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    """The umask of examples/deploy's units (UMask=0022)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_its_log_and_its_shared_memory_are_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        write_calls(database, {"call_id": "c1", "started_at": NOW, "caller_id": "+34600123456"})
        with database.engine.connect():  # held open: the -wal and -shm files are there
            files = [tmp_path / name for name in ("ivrgraph.sqlite3", "ivrgraph.sqlite3-wal", "ivrgraph.sqlite3-shm")]
            assert {path.name: _mode(path) for path in files} == {path.name: 0o600 for path in files}
    finally:
        database.dispose()


def test_a_database_others_may_read_is_left_as_its_owner_set_it_and_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="persistence.db"):
        for _ in range(2):
            database = Database(url)
            with database.engine.connect():
                pass
            database.dispose()
    assert _mode(path) == 0o644
    said = [record.getMessage() for record in caplog.records if record.name == "persistence.db"]
    assert len(said) == 1 and str(path) in said[0] and "chmod 600" in said[0]


def test_a_backup_is_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade(url)
    backup = back_up(url, tmp_path / "copy.sqlite3")
    assert backup.outcome is BackupOutcome.WRITTEN and _mode(tmp_path / "copy.sqlite3") == 0o600
    (tmp_path / "copy.sqlite3").chmod(0o644)  # replaced by a new one: private again
    assert back_up(url, tmp_path / "copy.sqlite3", overwrite=True).outcome is BackupOutcome.WRITTEN
    assert _mode(tmp_path / "copy.sqlite3") == 0o600
