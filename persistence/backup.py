"""A consistent copy of a running SQLite database, for `ivrgraph db backup`.

A plain `cp` of the file is not a backup: in WAL mode (persistence.db sets it) recent commits live in
`<file>-wal` until a checkpoint moves them into the file, so the copy misses them, and a copy taken while a
checkpoint writes can be torn (an administrator's review: 0 of 25 calls in a `cp` taken while the product ran).
SQLite's online backup API copies the pages of one read snapshot, WAL included, while writers carry on.

The copy starts with dialling held (persistence.dialling_hold, reason `backup`): a database restored from it dials
nobody until an admin has cancelled the jobs called since the backup and resumed it (a disaster-recovery drill's
restored node re-dialled, within seconds, every client the lost machine had called after the backup). The database
copied is not held.

PostgreSQL has pg_dump for this, which the command points to instead.
"""

from __future__ import annotations

import enum
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from persistence.db import create_private_file
from persistence.dialling_hold import hold_in_copy
from persistence.durable_files import sync_folder
from persistence.locations import sqlite_file


class BackupOutcome(enum.Enum):
    WRITTEN = "written"
    NOT_SQLITE = "not_sqlite"  # another database: its own tools back it up (pg_dump)
    NO_DATABASE = "no_database"  # the SQLite file does not exist (nothing is created in its place)
    TARGET_EXISTS = "target_exists"  # not overwritten unless asked to
    TARGET_IS_THE_DATABASE = "target_is_the_database"  # never, even when asked to overwrite


@dataclass(frozen=True)
class Backup:
    outcome: BackupOutcome
    source: Path | None = None  # the database file copied
    size: int = 0  # bytes of the copy written
    dialling_held: bool = False  # the copy holds dialling (False: its schema predates the hold, revision 0030)


def back_up(url: str, target: Path, *, overwrite: bool = False, held_by: str = "ivrgraph db backup") -> Backup:
    """Copy the SQLite database at `url` to `target`, consistently, while other processes read and write it, with
    dialling held in the copy by `held_by` (the command and who ran it: its audit event's actor).

    The copy is made under a temporary name beside `target` and renamed into place once complete, so `target`
    is never half written, and an older backup it replaces (`overwrite`) stays until the new one is whole. The
    copy is one self-contained file (rollback journal, not WAL): it opens as it is, read-only media included. It is
    readable by its owner only (mode 0600) whatever the umask: it holds every caller's number, and the other secrets
    the database keeps (docs/operations.md, "Backups")."""
    source = sqlite_file(url)
    if source is None:
        return Backup(BackupOutcome.NOT_SQLITE)
    if not source.is_file():
        return Backup(BackupOutcome.NO_DATABASE, source)
    target = target.absolute()
    if target.exists() and target.samefile(source):
        return Backup(BackupOutcome.TARGET_IS_THE_DATABASE, source)
    if target.exists() and not overwrite:
        return Backup(BackupOutcome.TARGET_EXISTS, source)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        partial.unlink(missing_ok=True)  # a crashed run's, under our pid: made afresh, private
        create_private_file(partial)  # the copy holds what the database does: its owner's alone, as the database
        held = _copy(source, partial, held_by=held_by)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    sync_folder(target.parent)  # the rename survives a crash only once the folder is on disk
    return Backup(BackupOutcome.WRITTEN, source, target.stat().st_size, held)


def _copy(source: Path, destination: Path, *, held_by: str) -> bool:
    """The copy, whole and on disk; whether dialling is held in it (`hold_in_copy`)."""
    # mode=rw: the database must exist (a plain connect would create an empty one); the busy timeout is the
    # product's, for the moment a writer holds a lock the snapshot's start needs.
    live = sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(destination)
        try:
            live.backup(copy)  # every page in one step: one read snapshot, which writers in WAL mode do not wait for
            copy.execute("PRAGMA journal_mode=DELETE")  # self-contained: no -wal beside the copy
            copy.commit()
            held = hold_in_copy(copy, by=held_by)  # after the journal mode: written in the file itself
        finally:
            copy.close()
    finally:
        live.close()
    with destination.open("rb+") as written:
        os.fsync(written.fileno())
    return held
