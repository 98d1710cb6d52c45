"""Call records the database refused, set aside in the spool folder (`rejected-*.jsonl`), written again once the
cause is fixed: `ivrgraph records replay-rejected` (agi_server.records_cli).

The writer never looks at them again, by design (they would be refused again), so a cause that goes away left
them on disk for good: a rolling upgrade's window, where nodes of the previous release had every record refused
by the new schema, was the administrator's review. They go through the insert nodes use
(persistence.calls.write_batch), which skips a call id already stored: replaying twice, or a file another
process is replaying too, writes nothing twice. A file goes only once every record of it is in the database;
one still refused keeps its whole file, and says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from agi_server.errors import told
from agi_server.node import refusal
from agi_server.records import CallRecord, Halves
from agi_server.spool import RecordSpool
from persistence.calls import CallRecordWriter
from persistence.db import Database
from persistence.models import CallRecord as StoredCall

_BATCH = 500  # records per insert, and ids per look-up of those already stored

WriteRecords = Callable[[Sequence[CallRecord]], object]


@dataclass
class FileReplay:
    path: Path
    written: int = 0
    already_stored: int = 0  # written since (by a replay, or a node's writer retrying the batch)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (call id, why), refused again
    unreadable: int = 0  # lines of the file that cannot be read: kept with it, for a person to look at
    removed: bool = False  # every record of it is in the database now


@dataclass
class Replay:
    files: list[FileReplay] = field(default_factory=list)
    # Why the database stopped taking records (down, unreachable, locked): the files from there on are as they were.
    unavailable: str | None = None

    @property
    def complete(self) -> bool:
        """Every set-aside record is in the database, and no file is left."""
        return self.unavailable is None and all(replayed.removed for replayed in self.files)


class _Unavailable(Exception):
    """The database cannot take records now, for reasons not their own: the replay stops, files kept."""


def replay_rejected(database: Database, spool: RecordSpool) -> Replay:
    """Write the records of each `rejected-*.jsonl` file of `spool` into `database`, oldest file first."""
    writer = CallRecordWriter(database)
    replay = Replay()
    for path in spool.rejected_files():
        replayed = FileReplay(path)
        try:
            _replay_file(database, writer.write_batch, spool, replayed)
        except _Unavailable as error:
            replay.unavailable = str(error)
            return replay
        except FileNotFoundError:
            continue  # another process replayed it meanwhile
        replay.files.append(replayed)
    return replay


def _replay_file(database: Database, write: WriteRecords, spool: RecordSpool, replayed: FileReplay) -> None:
    records = spool.load(replayed.path)  # a line it cannot read is logged there, and counted here
    lines = sum(1 for line in replayed.path.read_bytes().splitlines() if line.strip())
    replayed.unreadable = lines - len(records)
    stored = _stored_ids(database, [record.call_id for record in records])
    waiting = [record for record in records if record.call_id not in stored]
    replayed.already_stored = len(records) - len(waiting)
    for start in range(0, len(waiting), _BATCH):
        _write(write, waiting[start : start + _BATCH], replayed)
    if not replayed.refused and not replayed.unreadable:
        spool.remove(replayed.path)
        replayed.removed = True


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
