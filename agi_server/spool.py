"""Call records the database cannot take right now, kept on local disk until it can.

The record writer puts a batch here when the database stays unavailable past its retries (down, frozen,
unreachable), when a finishing call finds the queue full, and at shutdown; it replays the spool once the
database answers again, and on the next start. A disk with no room for a batch keeps what fits of it (the writer
puts it in smaller files), and the writer holds the rest in memory until the database or the disk takes it
(agi_server.records): a record is lost only with the node's memory too (the node killed), past the writer's bound
on what it holds, or when its shutdown finds both still unable to take it; the last two are logged with their
number.

One file per batch (`records-<ns>-<pid>-<seq>.jsonl`, one JSON record a line), written to a temporary name
(`.records-....jsonl.<token>.tmp`), flushed to disk and renamed, so a crash leaves either the whole batch or none of
it under its name. A write that fails removes its temporary file: a full disk's half-written file kept the disk full
for every later write, and held callers' data nothing read (chaos review). One a process left when it died
mid-write holds records that are nowhere else: the next `RecordSpool` on the folder makes its whole lines a batch
again, and the retention purge removes one older than the call records' retention. Records the database refuses for
what they hold (not for its availability) go to `rejected-*.jsonl` for the operator, never back to the spool: a
node says at start how many wait there, and `ivrgraph records replay-rejected` writes them (agi_server.rejected).

The spool's folder and files are its owner's alone (0700, 0600) whatever the umask. Batches written before the call
records' retention period (`IVRGRAPH_RETAIN_CALLS`) are removed by `ivrgraph records purge` and by `ivrgraph serve`'s
daily purge (`remove_older_than`).

The folder under IVRGRAPH_SPOOL_DIR is named after the database URL's host, port and name, so the same database
reached at another address (a failover to a new host, a pgbouncer put in front) gets a new folder, and what the old
one holds is no node's to replay any more (SRE review: orphaned for good, nothing said, callers' numbers kept past
their retention). Those folders are the `OtherSpools` of a node's own: it says at start what they hold
(`warn_of_other_spools`), exports it (`waiting_elsewhere`), the retention purge reaches them, and `ivrgraph records
replay --spool DIR` (or `--all-spools`) writes them (agi_server.rejected). The folder is not named after the
database's identity (PostgreSQL's `system_identifier`) instead: the spool must take records when the database does
not answer, at a node's start too, when that identity cannot be asked for.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final

from sqlalchemy.engine import make_url

from agi_server.records import CallRecord
from persistence.durable_files import sync_folder
from persistence.locations import sqlite_file

log = logging.getLogger(__name__)

SPOOL_ENV: Final = "IVRGRAPH_SPOOL_DIR"  # the folder that holds one spool per database
DEFAULT_ROOT: Final = Path("/var/lib/ivrgraph/spool")
_TIMES: Final = ("started_at", "ended_at", "answered_at")
_FIELDS: Final = frozenset(item.name for item in fields(CallRecord))
# Claims and temporary files name their process by pid and this token: a restarted container's server often has
# the pid its predecessor had (1, or the same small number), and what that process left must not pass for ours.
_TOKEN: Final = os.urandom(4).hex()
_CLAIMANT: Final = f"{os.getpid()}.{_TOKEN}"
# A batch being written: the final name, its writer's pid, and its token (files of releases before the token
# have none). `_write` makes them.
_TEMPORARY: Final = re.compile(r"\.((?:records|rejected)-[0-9]{20}-([0-9]+)-[0-9]+\.jsonl)(?:\.([0-9a-f]+))?\.tmp")


class RecordSpool:
    def __init__(self, folder: Path, *, shared_root: bool = False) -> None:
        """`shared_root`: the folder is one of the spools under IVRGRAPH_SPOOL_DIR (`spool_for`), whose other
        folders (`others`) this spool's start-up warning, metrics and retention purge look at too."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new spool: its owner's alone, as its files
        self.others = OtherSpools(folder) if shared_root else None
        # next() on a count is atomic: the record writer's spool thread and, at shutdown, the event loop may
        # both be writing a file.
        self._sequence = itertools.count(1)
        self._counted = _LineCounts()  # for `waiting`
        self._recover_claims()
        self._recover_unfinished_writes()

    def put(self, records: Sequence[CallRecord]) -> Path:
        """Keep `records` (one new file) and return its path."""
        return self._write("records", records)

    def reject(self, records: Sequence[CallRecord]) -> Path:
        """Set aside records the database refuses for what they hold: kept for the operator, not replayed."""
        return self._write("rejected", records)

    def files(self) -> list[Path]:
        """Spooled batches, oldest first."""
        return sorted(self.folder.glob("records-*.jsonl"))

    def rejected_files(self) -> list[Path]:
        """Batches set aside (`reject`), oldest first: the writer never looks at them again; `ivrgraph records
        replay-rejected` (agi_server.rejected) does, once the cause is fixed."""
        return sorted(self.folder.glob("rejected-*.jsonl"))

    def waiting(self) -> int:
        """Records in the spool's batches, those being replayed included: what the database has yet to take (from
        any process on this spool). For the metrics, when scraped (`_LineCounts`)."""
        return self._counted.total(_pending_files(self.folder))

    def waiting_elsewhere(self) -> int | None:
        """Records waiting in the other spool folders under this one's root (`OtherSpools.waiting`); None for a
        spool with no such root (an SQLite file's, beside it)."""
        return self.others.waiting() if self.others is not None else None

    def temporary_files(self) -> list[Path]:
        """Batches being written (`_write`), or left half-written by a process that died mid-write."""
        return sorted(path for path in self.folder.glob(".*.tmp") if _TEMPORARY.fullmatch(path.name))

    def remove_older_than(self, cutoff: datetime, *, dry_run: bool = False) -> int:
        """Remove the spooled and set-aside batches (`records-*`, `rejected-*`) written before `cutoff`: the calls
        in them are older still, past the call records' retention (persistence.retention), which would delete
        them from the database once written. A file claimed for replaying now is left to its replay. Temporary files
        a dead process left are made batches again first (as at start), and any begun before `cutoff` go too: a
        write takes milliseconds, so one that old is nobody's. The same in the other spool folders under this one's
        root (`OtherSpools`): no node may ever replay them, and they hold callers' numbers too. The number of files
        removed (`dry_run`: that would be, none removed, nothing recovered)."""
        removed = self.others.remove_older_than(cutoff, dry_run=dry_run) if self.others is not None else 0
        if not dry_run:
            self._recover_unfinished_writes()  # another node on this folder may have died since this one started
        for path in [*self.files(), *self.rejected_files(), *self.temporary_files()]:
            written = _written_at(path)
            if written is None or written >= cutoff.timestamp():
                continue
            if dry_run:
                removed += 1
                continue
            with contextlib.suppress(FileNotFoundError):  # replayed meanwhile
                path.unlink()
                removed += 1
        return removed

    def claim(self, path: Path) -> Path | None:
        """Take `path` for replaying (renamed to claimed-<pid>.<token>-...); None when another process took it
        first."""
        claimed = path.with_name(f"claimed-{_CLAIMANT}-{path.name}")
        try:
            path.rename(claimed)
        except FileNotFoundError:
            return None
        return claimed

    def release(self, claimed: Path) -> None:
        """Give back a file this process claimed and did not finish replaying."""
        with contextlib.suppress(FileNotFoundError):
            claimed.rename(claimed.with_name(claimed.name.split("-", 2)[2]))

    def remove(self, path: Path) -> None:
        """A spooled file whose records are in the database now."""
        path.unlink(missing_ok=True)

    def keep_only(self, claimed: Path, records: Sequence[CallRecord]) -> None:
        """The records of a file this process claimed replaced by `records`, those its replay did not write, in one
        rename: never in two files at once (the spool's gauge counted them twice while a new file held them beside
        the claimed one), nor lost if the process dies meanwhile. `release` gives the file back then."""
        name = claimed.name.split("-", 2)[2]  # records-<ns>-<pid>-<seq>.jsonl: a crash's leftover is `_TEMPORARY`
        self._write_file(self.folder / f".{name}.{_TOKEN}.tmp", claimed, records)

    def load(self, path: Path) -> list[CallRecord]:
        """The records of one spooled file; a line that cannot be read (a torn disk) is logged and skipped."""
        records = []
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                try:
                    records.append(_record(json.loads(line)))
                except Exception as error:  # anything a damaged line holds: that line is lost, not the spool
                    log.error("spool file %s line %d is unreadable and is skipped: %s", path, number, error)
        return records

    def _recover_claims(self) -> None:
        """Files a process claimed and did not finish (it died mid-replay) go back to the spool."""
        for claimed in self.folder.glob("claimed-*-records-*.jsonl"):
            owner = claimed.name.split("-", 2)[1]
            pid = owner.partition(".")[0]  # claims made before the token have the pid alone
            if owner == _CLAIMANT or not pid.isdigit():
                continue
            if int(pid) == os.getpid() or not _running(int(pid)):  # our pid, not our token: a predecessor's
                self.release(claimed)

    def _recover_unfinished_writes(self) -> None:
        """Temporary files left by a process that died mid-write (or, before `_write` removed them, by a write a full
        disk cut off): their records are nowhere else. Their whole lines become a batch under the name the write
        would have given it (a set-aside one stays set aside), a torn last line cut and counted in the log; one with
        no whole line is removed. A file a live process is writing is left to it."""
        for temporary in self.temporary_files():
            named = _TEMPORARY.fullmatch(temporary.name)
            assert named is not None  # temporary_files lists only these
            final_name, pid, token = named.groups()
            mine = int(pid) == os.getpid()
            if (mine and token == _TOKEN) or (not mine and _running(int(pid))):
                continue  # being written now (by this process, or another on the same spool)
            try:
                self._recover(temporary, self.folder / final_name)
            except FileNotFoundError:
                continue  # another process on this spool recovered it first
            except OSError:
                log.exception("call record spool: %s could not be recovered; it is left as it is", temporary)

    def _recover(self, temporary: Path, final: Path) -> None:
        data = temporary.read_bytes()
        whole = data.rfind(b"\n") + 1
        torn = f"; a torn last line of {len(data) - whole} bytes was cut" if whole < len(data) else ""
        if whole == 0:
            temporary.unlink()
            log.warning("call record spool: removed %s, a write cut off before one record was whole", temporary.name)
            return
        if final.exists():
            log.error("call record spool: %s is left as it is: %s exists already", temporary.name, final.name)
            return
        os.truncate(temporary, whole)
        with temporary.open("rb") as synced:
            os.fsync(synced.fileno())
        temporary.rename(final)
        sync_folder(self.folder)
        log.warning(
            "call record spool: %d call records a process left half-written in %s are kept as %s%s",
            data.count(b"\n"), temporary.name, final.name, torn,
        )  # fmt: skip

    def _write(self, kind: str, records: Sequence[CallRecord]) -> Path:
        name = f"{kind}-{time.time_ns():020d}-{os.getpid()}-{next(self._sequence):06d}.jsonl"
        final = self.folder / name
        self._write_file(self.folder / f".{name}.{_TOKEN}.tmp", final, records)
        return final

    def _write_file(self, temporary: Path, final: Path, records: Sequence[CallRecord]) -> None:
        """`records` in `final` (in place of any file of that name), whole or not at all."""
        try:
            with _private(temporary) as out:
                for record in records:
                    out.write(json.dumps(_fields(record), default=str) + "\n")
                out.flush()
                os.fsync(out.fileno())
            temporary.replace(final)
        except BaseException:
            # A write the disk cut off (full, a quota) left a file as large as the disk had room for: it kept the
            # disk full for every later write, and held callers' data nothing read (chaos review). The records
            # are still the caller's to keep elsewhere.
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            raise
        sync_folder(self.folder)  # the rename itself survives a crash only once the folder is on disk


def spool_for(database_url: str, environ: Mapping[str, str] | None = None) -> RecordSpool:
    """The spool of one database: records are only ever replayed into the database they were meant for.

    A SQLite file's spool sits beside it; any other database's is a folder named after its host, port and name
    under IVRGRAPH_SPOOL_DIR (default /var/lib/ivrgraph/spool, else ./spool when that cannot be made)."""
    first, *fallback = _spool_folders(database_url, environ)
    shared_root = sqlite_file(database_url) is None
    try:
        return RecordSpool(first, shared_root=shared_root)
    except OSError as error:
        if not fallback:
            raise
        log.warning("call record spool %s unusable (%s); using %s", first.parent, error, fallback[0])
        return RecordSpool(fallback[0], shared_root=shared_root)


def existing_spools(database_url: str, environ: Mapping[str, str] | None = None) -> list[RecordSpool]:
    """The spools of one database on this host that exist (`spool_for`'s folder, and the ./spool one it falls
    back on), none made: for `ivrgraph records purge`, which may run where no node ever spooled anything. Each
    purges the other folders under its root too (`RecordSpool.remove_older_than`); where the database's own folder
    does not exist, those other folders are returned themselves."""
    shared_root = sqlite_file(database_url) is None
    spools = []
    for folder in _spool_folders(database_url, environ):
        if folder.is_dir():
            spools.append(RecordSpool(folder, shared_root=shared_root))
        elif shared_root:  # the database's folder under a new address, never made: its root may hold the old one
            spools.extend(RecordSpool(other) for other in OtherSpools(folder).folders())
    return spools


@dataclass(frozen=True)
class DatabaseSpools:
    """The spool folders on this host that may hold one database's records (`database_spools`)."""

    own: list[Path]  # `spool_for`'s folder, and the ./spool one it falls back on, that exist
    same_name: list[Path]  # under the same roots, named after the same kind and name of database at another address
    other: list[Path]  # under the same roots, named after another database


def database_spools(database_url: str, environ: Mapping[str, str] | None = None) -> DatabaseSpools:
    """For `ivrgraph records replay --all-spools`: the folders whose records may go into the database at
    `database_url` without a person saying so, those of this URL and those named after the same kind and name of
    database at any host and port (its address changed: a failover, a pgbouncer), and apart from them the other
    folders under the same roots, whose names say they were meant for another database."""
    own = [folder for folder in _spool_folders(database_url, environ) if folder.is_dir()]
    if sqlite_file(database_url) is not None:
        return DatabaseSpools(own, [], [])  # an SQLite file's spool sits beside it, under no shared root
    url = make_url(database_url)
    backend, name = _key_part(url.get_backend_name()), _key_part(f"{url.database}")
    same: list[Path] = []
    other: list[Path] = []
    for root in dict.fromkeys(folder.parent for folder in _spool_folders(database_url, environ)):
        for folder in _spool_folders_under(root):
            if folder not in own:
                (same if _names_database(folder.name, backend, name) else other).append(folder)
    return DatabaseSpools(own, same, other)


def _spool_folders(database_url: str, environ: Mapping[str, str] | None) -> list[Path]:
    """Where `spool_for` puts the database's spool, then where it falls back on when that cannot be made."""
    database_file = sqlite_file(database_url)
    if database_file is not None:
        return [Path(f"{database_file}-spool")]
    url = make_url(database_url)
    key = _key_part(f"{url.get_backend_name()}-{url.host or ''}-{url.port or ''}-{url.database}")
    env = os.environ if environ is None else environ
    configured = env.get(SPOOL_ENV, "").strip()
    if configured:
        return [Path(configured) / key]
    return [DEFAULT_ROOT / key, Path.cwd() / "spool" / key]


def _key_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def _names_database(folder_name: str, backend: str, name: str) -> bool:
    """Whether a spool folder's name (`<backend>-<host>-<port>-<database>`, `_spool_folders`) is that of a database
    of kind `backend` named `name`, at any host and port. The port is digits or nothing, which tells a database
    named `x` from one named `prod-x` (`...-5432-prod-x`)."""
    head, tail = f"{backend}-", f"-{name}"
    if not folder_name.startswith(head) or not folder_name.endswith(tail) or len(folder_name) < len(head + tail):
        return False
    address = folder_name[len(head) : len(folder_name) - len(tail)]  # <host>-<port>
    _, dash, port = address.rpartition("-")
    return bool(dash) and (port == "" or port.isdigit())


def _spool_folders_under(root: Path) -> list[Path]:
    """The folders under `root` that hold spool files (a spool root on a volume of its own has lost+found too)."""
    try:
        folders = sorted(entry for entry in root.iterdir() if entry.is_dir() and not entry.name.startswith("."))
    except OSError:
        return []  # no such root (nothing was ever spooled there), or not ours to read
    return [folder for folder in folders if _holds_spool_files(folder)]


def _holds_spool_files(folder: Path) -> bool:
    try:
        return any(
            _WRITTEN.match(entry.name.removeprefix(".")) or entry.name.startswith("claimed-")
            for entry in folder.iterdir()
        )
    except OSError:
        return False


def _pending_files(folder: Path) -> Iterable[Path]:
    """A spool folder's batches to replay: records-... and those claimed for replaying, claimed-<owner>-records-..."""
    return folder.glob("*records-*.jsonl")


class _LineCounts:
    """How many records spool files hold, for the metrics when scraped: a file is renamed into place whole and never
    changed after, so each is read once, and a file gone meanwhile (replayed) is left out."""

    def __init__(self) -> None:
        self._counted: dict[Path, int] = {}

    def total(self, paths: Iterable[Path]) -> int:
        counted = {}
        for path in paths:
            records = self._counted.get(path)
            if records is None:
                try:
                    records = path.read_bytes().count(b"\n")
                except OSError:
                    continue
            counted[path] = records
        self._counted = counted
        return sum(counted.values())


@dataclass(frozen=True)
class HeldElsewhere:
    """What one other spool folder holds (`OtherSpools.holding`)."""

    folder: Path
    waiting: int  # records to replay (records-*.jsonl, and those claimed)
    set_aside: int  # records the database refused (rejected-*.jsonl)


class OtherSpools:
    """The spool folders under the same root (IVRGRAPH_SPOOL_DIR) as one node's own, `own`: other databases', or
    this database's under another address (a failover to a new host, a pgbouncer put in front), whose records no
    node configured as this one replays, nor the writer's metrics count."""

    def __init__(self, own: Path) -> None:
        self.own = own
        self.root = own.parent
        self._counted = _LineCounts()

    def folders(self) -> list[Path]:
        return [folder for folder in _spool_folders_under(self.root) if folder != self.own]

    def holding(self) -> list[HeldElsewhere]:
        """The folders that hold records, and how many: for the start-up warning."""
        held = []
        for folder in self.folders():
            waiting = _LineCounts().total(_pending_files(folder))
            set_aside = _LineCounts().total(folder.glob("rejected-*.jsonl"))
            if waiting or set_aside:
                held.append(HeldElsewhere(folder, waiting, set_aside))
        return held

    def waiting(self) -> int:
        """Records to replay in all of them (as `RecordSpool.waiting` counts its own): for the metrics."""
        return self._counted.total(path for folder in self.folders() for path in _pending_files(folder))

    def remove_older_than(self, cutoff: datetime, *, dry_run: bool = False) -> int:
        """`RecordSpool.remove_older_than` in each of them: the number of files removed (or that would be)."""
        removed = 0
        for folder in self.folders():
            try:
                files = RecordSpool(folder).remove_older_than(cutoff, dry_run=dry_run)
            except OSError as error:  # one folder that cannot be purged does not keep the others
                log.error("retention: the call-record spool folder %s could not be purged: %s", folder, error)
                continue
            if files and not dry_run:
                log.info("retention: %d call-record files older than %s removed from %s, another spool folder "
                         "under %s", files, cutoff.isoformat(timespec="seconds"), folder, self.root)  # fmt: skip
            removed += files
        return removed


REPLAY: Final = "ivrgraph records replay"


def warn_of_other_spools(spool: RecordSpool) -> None:
    """At a node's start: one WARNING when other spool folders under its own's root hold records. No node replays
    them by itself: they were spooled under another database URL, often this database at its old address (SRE
    review: a failover to a new address left them there for good, the node saying nothing)."""
    if spool.others is None:
        return
    held = spool.others.holding()
    if not held:
        return
    folders = ", ".join(f"{item.folder.name} ({item.waiting} to write, {item.set_aside} set aside)" for item in held)
    log.warning(
        "%d call records wait in other spool folders under %s, which no node with this database URL replays: %s. "
        "If they are this database's (its address changed: a failover, a pgbouncer), write them with `%s --spool "
        "DIR` (or `--all-spools`); the retention purge removes them once past the calls' retention",
        sum(item.waiting + item.set_aside for item in held), spool.others.root, folders, REPLAY,
    )  # fmt: skip


REPLAY_REJECTED: Final = "ivrgraph records replay-rejected"


def warn_of_set_aside_records(spool: RecordSpool) -> None:
    """At a node's start: one WARNING when records the database refused wait in the spool folder. Nothing else
    ever reads them (an administrator's review found them left there for good, the node saying nothing)."""
    rejected = spool.rejected_files()
    if not rejected:
        return
    records = 0
    for path in rejected:
        with contextlib.suppress(OSError):  # gone meanwhile: replayed by another process
            records += path.read_bytes().count(b"\n")
    log.warning(
        "%d call records the database refused are set aside in %d rejected-*.jsonl files in %s: once the cause is "
        "fixed, write them with `%s --spool %s` (with this node's IVRGRAPH_DATABASE_URL, or --database)",
        records, len(rejected), spool.folder, REPLAY_REJECTED, spool.folder,
    )  # fmt: skip


_WRITTEN: Final = re.compile(r"(?:records|rejected)-([0-9]{20})-")


def _written_at(path: Path) -> float | None:
    """When a batch file was written (seconds since the epoch): its name says it (`RecordSpool._write`), else its
    modification time; None when it is gone. A temporary file's name says it after its leading dot."""
    named = _WRITTEN.match(path.name.removeprefix("."))
    if named is not None:
        return int(named.group(1)) / 1e9
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _private(path: Path) -> IO[str]:
    """`path` created for writing text, readable by its owner only whatever the umask: a batch holds callers'
    numbers and what they keyed, and nodes run with umask 022 (Asterisk must read their prompts)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # a file left by a crash kept its old mode through O_TRUNC
        return os.fdopen(descriptor, "w", encoding="utf-8")
    except BaseException:
        os.close(descriptor)
        raise


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def _fields(record: CallRecord) -> dict[str, Any]:
    data = {name: getattr(record, name) for name in _FIELDS}
    for name in _TIMES:
        if data[name] is not None:
            data[name] = data[name].isoformat()
    return data


def _record(data: Any) -> CallRecord:
    if not isinstance(data, dict):
        raise TypeError(f"a spooled record is a JSON object, not {type(data).__name__}")
    values = {name: value for name, value in data.items() if name in _FIELDS}
    for name in _TIMES:
        if values.get(name) is not None:
            values[name] = datetime.fromisoformat(values[name])
    return CallRecord(**values)
