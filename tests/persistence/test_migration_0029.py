"""Migration 0029 on SQLite and PostgreSQL: the installation's erasure hash key (`install_secrets.subject_hash`) is
made when the schema is, no longer at the first erasure, so every backup carries it and a restored installation hashes
a number as the lost one did; a key made on first use before it is kept as it is, and so is the key going back.

Disaster-recovery review: a backup taken before any erasure lacked the key, and the restored installation made
another, so an erasure ledger kept elsewhere (an export of the audit log) named hashes nothing matched."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command

from persistence.backup import BackupOutcome, back_up
from persistence.db import Database
from persistence.migrate import alembic_config, current_revision, upgrade
from persistence.privacy import erase, subject_hash
from tests.persistence import pg
from tests.persistence.statements import run_statements

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
_KEYS = ("SELECT name, value FROM install_secrets ORDER BY name", {})


# Numbers compared as a Spanish deployment's (IVRGRAPH_DEFAULT_COUNTRY=ES): 600123456 is +34600123456.
pytestmark = pytest.mark.usefixtures("in_spain")


@contextlib.contextmanager
def old_database(tmp_path: Path, backend: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    with pg.throwaway_database("mig0029") as url:
        yield url


@pytest.mark.parametrize("backend", BACKENDS)
def test_0029_makes_the_key_once_and_keeps_it_both_ways(tmp_path: Path, backend: str) -> None:
    with old_database(tmp_path, backend) as url:
        upgrade(url, "0028")
        assert run_statements(url, _KEYS) == []  # the release before: made at the first erasure

        upgrade(url, "0029")
        [(name, value)] = run_statements(url, _KEYS)
        assert name == "subject_hash" and re.fullmatch(r"[0-9a-f]{64}", str(value)), value
        made = run_statements(url, ("SELECT created_at FROM install_secrets", {}))
        assert made[0][0] is not None

        command.downgrade(alembic_config(url), "0028")  # the code before reads the same key: kept
        assert run_statements(url, _KEYS) == [(name, value)]
        upgrade(url, "0029")  # and not made anew on the way up again
        assert run_statements(url, _KEYS) == [(name, value)]
        assert current_revision(url) == "0029"


@pytest.mark.parametrize("backend", BACKENDS)
def test_0029_keeps_a_key_an_erasure_made_before_it(tmp_path: Path, backend: str) -> None:
    with old_database(tmp_path, backend) as url:
        upgrade(url, "0028")
        made = "INSERT INTO install_secrets (name, value, created_at) VALUES ('subject_hash', :v, :at)"
        run_statements(url, (made, {"v": "ab" * 32, "at": datetime(2026, 12, 1, 9, tzinfo=UTC)}))
        upgrade(url, "0029")
        assert run_statements(url, _KEYS) == [("subject_hash", "ab" * 32)]


def test_a_backup_taken_before_any_erasure_hashes_as_the_installation_did(tmp_path: Path) -> None:
    """The backup (`ivrgraph db backup`) is taken on a new installation that never erased anyone; the installation
    then erases a number, and is lost. The restored copy names that number by the hash the erasure recorded."""
    url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
    upgrade(url)
    assert back_up(url, tmp_path / "backup.sqlite3").outcome is BackupOutcome.WRITTEN
    database = Database(url)
    try:
        erased = erase(database, number="+34 600 123 456", actor="dpo").subject
    finally:
        database.dispose()

    restored = Database(f"sqlite:///{tmp_path / 'backup.sqlite3'}")
    try:
        with restored.session() as session:
            assert subject_hash(session, "600123456") == erased
    finally:
        restored.dispose()
