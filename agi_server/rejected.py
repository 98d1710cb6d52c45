"""A spool folder's call records written from a shell (agi_server.records_cli): those the database refused, set aside
(`rejected-*.jsonl`), once the cause is fixed (`ivrgraph records replay-rejected`); and the batches waiting in a
folder no node replays (`ivrgraph records replay`).

The writer never looks at set-aside records again, by design (they would be refused again), so a cause that goes
away left them on disk for good: a rolling upgrade's window, where nodes of the previous release had every record
refused by the new schema, was the administrator's review. A node replays only its own folder, named after its
database URL, so the batches spooled under another URL of the same database (a failover to a new address, a
pgbouncer put in front) were left for good too (SRE review). Both go through the insert nodes use
(persistence.calls.write_batch), which skips a call id already stored: replaying twice, or a file another
process is replaying too, writes nothing twice, and a record stored already is counted as such. A set-aside file
goes only once every record of it is in the database; one still refused keeps its whole file, and says why. A
waiting batch is claimed first (a node may replay that folder meanwhile), and what the database refuses of it is
set aside, as the node's writer does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from agi_server.errors import told
from agi_server.node import callees_named_now, refusal
from agi_server.records import CallRecord, Halves
from agi_server.spool import RecordSpool
from persistence.calls import CallRecordWriter
from persistence.db import Database
from persistence.models import CallRecord as StoredCall

log = logging.getLogger(__name__)

_BATCH = 500  # records per insert, and ids per look-up of those already stored

WriteRecords = Callable[[Sequence[CallRecord]], object]


@dataclass
class FileReplay:
    path: Path
    written: int = 0
    already_stored: int = 0  # written since (by a replay, or a node's writer retrying the batch)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (call id, why), refused again
    unreadable: int = 0  # lines of the file that cannot be read: kept with it, for a person to look at
    removed: bool = False  # every record of it is in the database now (or, of a waiting batch, set aside)
    set_aside: Path | None = None  # a waiting batch's: the file its refused records went to
    refused_records: list[CallRecord] = field(default_factory=list, repr=False)


@dataclass
class Replay:
    files: list[FileReplay] = field(default_factory=list)
    # Why the database stopped taking records (down, unreachable, locked): the files from there on are as they were.
    unavailable: str | None = None

    @property
    def complete(self) -> bool:
        """Every record replayed is in the database, and no file is left (none set aside either)."""
        return self.unavailable is None and all(replayed.removed and not replayed.refused for replayed in self.files)


class _Unavailable(Exception):
    """The database cannot take records now, for reasons not their own: the replay stops, files kept."""


def replay_rejected(database: Database, spool: RecordSpool) -> Replay:
    """Write the records of each `rejected-*.jsonl` file of `spool` into `database`, oldest file first."""
    # Named after whom each callback rang, as a node's writer names them (its lookup may have failed then).
    named = callees_named_now(CallRecordWriter(database).write_batch, database)
    replay = Replay()
    for path in spool.rejected_files():
        replayed = FileReplay(path)
        try:
            _replay_file(database, named, spool, path, replayed)
        except _Unavailable as error:
            replay.unavailable = str(error)
            return replay
        except FileNotFoundError:
            continue  # another process replayed it meanwhile
        if not replayed.refused and not replayed.unreadable:
            spool.remove(path)
            replayed.removed = True
        replay.files.append(replayed)
    return replay


def replay_spooled(database: Database, spool: RecordSpool) -> Replay:
    """Write the records of each batch waiting in `spool` (`records-*.jsonl`) into `database`, oldest first, as a
    node's writer replays its own spool: a file claimed first, removed once its records are in the database or,
    those it refuses, set aside (`rejected-*.jsonl`, for `replay_rejected`); a file with a line that cannot be read
    is kept whole."""
    # Named after whom each callback rang, as a node's writer names them (its lookup may have failed then).
    named = callees_named_now(CallRecordWriter(database).write_batch, database)
    replay = Replay()
    for path in spool.files():
        claimed = spool.claim(path)
        if claimed is None:
            continue  # a node, or another replay, took it
        replayed = FileReplay(path)
        try:
            _replay_file(database, named, spool, claimed, replayed)
        except _Unavailable as error:
            spool.release(claimed)
            replay.unavailable = str(error)
            return replay
        except BaseException:
            spool.release(claimed)  # left claimed, no node would ever replay it (a dead claimant's is given back)
            raise
        if replayed.refused_records:
            try:
                replayed.set_aside = spool.reject(replayed.refused_records)
            except OSError as error:  # the file keeps them, and the records written since are skipped next time
                log.error("the refused records of %s cannot be set aside (%s): the file is kept", path.name, error)
        if replayed.unreadable or (replayed.refused and replayed.set_aside is None):
            spool.release(claimed)
        else:
            spool.remove(claimed)
            replayed.removed = True
        replay.files.append(replayed)
    return replay


def _replay_file(
    database: Database, write: WriteRecords, spool: RecordSpool, source: Path, replayed: FileReplay
) -> None:
    """Write the records of the file at `source` (`replayed.path`, or its claimed name), counting into `replayed`.
    A call named twice in it (a batch kept twice at a shutdown) is written once, the other counted as stored."""
    records = spool.load(source)  # a line it cannot read is logged there, and counted here
    lines = sum(1 for line in source.read_bytes().splitlines() if line.strip())
    replayed.unreadable = lines - len(records)
    stored = _stored_ids(database, [record.call_id for record in records])
    firsts = {record.call_id: record for record in reversed(records)}  # each call id's first record
    waiting = [record for record in records if record.call_id not in stored and firsts[record.call_id] is record]
    replayed.already_stored = len(records) - len(waiting)
    for start in range(0, len(waiting), _BATCH):
        _write(write, waiting[start : start + _BATCH], replayed)


def _write(write: WriteRecords, records: list[CallRecord], replayed: FileReplay) -> None:
    """Insert `records`; one the database refuses for what it holds is found by halving the batch (`Halves`, as the
    node's writer does) and noted with why, the others written."""
    parts = Halves(records)
    for part in parts:
        try:
            write(part)
        except Exception as error:
            why = refusal(error)
            if why is None:
                raise _Unavailable(told(error)) from error
            if not parts.split(part):
                replayed.refused.append((part[0].call_id, why))
                replayed.refused_records.append(part[0])
            continue
        replayed.written += len(part)


def _stored_ids(database: Database, ids: list[str]) -> set[str]:
    found: set[str] = set()
    try:
        with database.session() as session:
            for start in range(0, len(ids), _BATCH):
                chunk = ids[start : start + _BATCH]
                found.update(session.scalars(select(StoredCall.id).where(StoredCall.id.in_(chunk))))
    except Exception as error:  # any failure to read is the database's state, not the records'
        raise _Unavailable(told(error)) from error
    return found
