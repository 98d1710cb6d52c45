"""`ivrgraph records replay-rejected` and `ivrgraph records replay`: write the call records a node's spool folder
holds from a shell (agi_server.rejected).

    sudo -u ivrgraph sh -c 'set -a; . /etc/ivrgraph/env; exec ivrgraph records replay-rejected'
    ivrgraph records replay-rejected --spool /var/lib/ivrgraph/spool/postgresql-db-5432-ivrgraph
    ivrgraph records replay --spool /var/lib/ivrgraph/spool/postgresql-10.0.0.5-5432-ivrgraph
    ivrgraph records replay --all-spools

`replay-rejected` writes the records the database refused (`rejected-*.jsonl`) once the cause is fixed; `replay`
writes the batches waiting (`records-*.jsonl`) in a folder no node replays: one spooled under another URL of the
database (a failover to a new address, a pgbouncer put in front; a node's start-up WARNING names it), or the node's
own while it is stopped. `--all-spools` takes the node's folder and every folder under the same root named after the
same kind and name of database at another host or port; the others are listed, not written (their names say another
database: `--spool` writes one anyway).

Run them on each node's host (the spool is local disk), with the node's database settings: the spool folder is
found from them as the node finds it, unless `--spool` names it. Exits 0 once every record replayed is in the
database (or there was none), 1 while some are not, 2 for settings that cannot work.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persistence.db import DATABASE_URL_ENV

if TYPE_CHECKING:
    from agi_server.rejected import Replay
    from agi_server.spool import RecordSpool
    from persistence.db import Database

    Replayer = Callable[[Database, RecordSpool], Replay]

_REPLAY_REJECTED = "ivrgraph records replay-rejected"
_REPLAY = "ivrgraph records replay"


def cmd_replay_rejected(args: argparse.Namespace) -> int:
    from agi_server.rejected import replay_rejected
    from agi_server.spool import RecordSpool, spool_for

    url = _usable_database(_REPLAY_REJECTED, args)
    if isinstance(url, int):
        return url
    spool = RecordSpool(Path(args.spool)) if args.spool is not None else spool_for(url)
    return 0 if _replay_into(url, [spool], replay_rejected, _report_rejected) else 1


def cmd_replay(args: argparse.Namespace) -> int:
    from agi_server.rejected import replay_spooled
    from agi_server.spool import RecordSpool, database_spools, spool_for
    from persistence.locations import shown_url

    url = _usable_database(_REPLAY, args)
    if isinstance(url, int):
        return url
    if args.spool is not None:
        spools = [RecordSpool(Path(args.spool))]
    elif args.all_spools:
        found = database_spools(url)
        spools = [RecordSpool(folder) for folder in [*found.own, *found.same_name]]
        for folder in found.other:
            print(f"{folder}: skipped: its name is not that of {shown_url(url)}'s database; "
                  f"`{_REPLAY} --spool {folder}` writes its records there anyway")  # fmt: skip
        if not spools:
            print(f"no spool folder of {shown_url(url)} on this host")
            return 0
    else:
        spools = [spool_for(url)]
    return 0 if _replay_into(url, spools, replay_spooled, _report_spooled) else 1


def _usable_database(command: str, args: argparse.Namespace) -> str | int:
    """The database URL to write to, once it is reachable and at the schema this code writes; else the exit code,
    the reason printed."""
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from persistence.db import database_url
    from persistence.db_problems import database_problem
    from persistence.locations import shown_url, sqlite_file
    from persistence.migrate import SchemaMismatch, require_current

    try:
        url = database_url({DATABASE_URL_ENV: args.database} if args.database else None)
    except ArgumentError as error:
        return _explain(command, f"not a database URL ({error})", 2)
    if args.spool is not None and not Path(args.spool).is_dir():
        return _explain(command, f"no spool folder {args.spool}", 2)
    database_file = sqlite_file(url)
    if database_file is not None and not database_file.is_file():  # connecting would make an empty one
        return _explain(command, f"there is no database file {database_file} ({shown_url(url)})", 2)
    try:
        require_current(url)  # records written by code of another schema revision would not mean what they say
    except SchemaMismatch as error:
        return _explain(command, str(error), 1)
    except (CommandError, SQLAlchemyError) as error:
        return _explain(command, database_problem(error), 1)  # out of reach, or reached and refusing
    return url


def _replay_into(
    url: str,
    spools: list[RecordSpool],
    replay: Replayer,
    report: Callable[[Replay, Path, str], None],
) -> bool:
    """Replay each of `spools` into the database at `url`, reporting each; whether every record is in it now. A
    database that stops taking records stops the replay: the folders after it are as they were."""
    from persistence.db import Database
    from persistence.locations import shown_url

    database = Database(url)
    complete = True
    try:
        for spool in spools:
            replayed = replay(database, spool)
            report(replayed, spool.folder, shown_url(url))
            complete = complete and replayed.complete
            if replayed.unavailable is not None:
                return False
    finally:
        database.dispose()
    return complete


def _report_rejected(replay: Replay, folder: Path, database: str) -> None:
    if not replay.files and replay.unavailable is None:
        print(f"no set-aside call records in {folder}")
        return
    for replayed in replay.files:
        kept = "removed" if replayed.removed else "kept"
        print(f"{replayed.path.name}: {replayed.written} written, {replayed.already_stored} already stored, "
              f"{len(replayed.refused)} still refused; {kept}")  # fmt: skip
        _report_file_details(replayed.refused, replayed.unreadable, "still refused")
    written, present, refused, left = _totals(replay)
    print(f"{folder} into {database}: {written} written, {present} already stored, {refused} still refused; "
          f"{len(replay.files) - left} files removed, {left} kept")  # fmt: skip
    _report_unavailable(_REPLAY_REJECTED, replay)


def _report_spooled(replay: Replay, folder: Path, database: str) -> None:
    if not replay.files and replay.unavailable is None:
        print(f"no call records waiting in {folder}")
        return
    for replayed in replay.files:
        kept = "removed" if replayed.removed else "kept"
        aside = f" (set aside in {replayed.set_aside.name})" if replayed.set_aside is not None else ""
        print(f"{replayed.path.name}: {replayed.written} written, {replayed.already_stored} already stored, "
              f"{len(replayed.refused)} refused{aside}; {kept}")  # fmt: skip
        _report_file_details(replayed.refused, replayed.unreadable, "refused")
    written, present, refused, left = _totals(replay)
    print(f"{folder} into {database}: {written} written, {present} already stored, {refused} refused; "
          f"{len(replay.files) - left} files removed, {left} kept")  # fmt: skip
    if refused:
        print(f"  the refused records are set aside: once the cause is fixed, `{_REPLAY_REJECTED} --spool {folder}`")
    _report_unavailable(_REPLAY, replay)


def _report_file_details(refused: list[tuple[str, str]], unreadable: int, said: str) -> None:
    for call_id, why in refused:
        print(f"  call_id={call_id} {said}: {why}")
    if unreadable:
        print(f"  {unreadable} lines cannot be read (see the log above): the file is kept for them")


def _totals(replay: Replay) -> tuple[int, int, int, int]:
    """Records written, already stored and refused, and files kept, over the files of `replay`."""
    files = replay.files
    return (
        sum(replayed.written for replayed in files),
        sum(replayed.already_stored for replayed in files),
        sum(len(replayed.refused) for replayed in files),
        sum(not replayed.removed for replayed in files),
    )


def _report_unavailable(command: str, replay: Replay) -> None:
    if replay.unavailable is not None:
        print(f"{command}: error: the database stopped taking records ({replay.unavailable}): "
              "the files not listed above are as they were; run it again later", file=sys.stderr)  # fmt: skip


def _explain(command: str, message: str, code: int) -> int:
    print(f"{command}: error: {message}", file=sys.stderr)
    return code


def add_parser(commands: Any) -> None:
    """Add `records` to the `ivrgraph` command."""
    records = commands.add_parser("records", help="call records kept on a node's disk")
    sub = records.add_subparsers(dest="records_command", required=True)
    replay_rejected = sub.add_parser(
        "replay-rejected", help="write the call records the database refused (rejected-*.jsonl) once it takes them"
    )
    _database_option(replay_rejected)
    replay_rejected.add_argument(
        "--spool", metavar="DIR", help="the spool folder holding them (default: the one nodes use for that database)"
    )
    replay_rejected.set_defaults(handler=cmd_replay_rejected)
    replay = sub.add_parser(
        "replay",
        help="write the call records waiting in a spool folder (records-*.jsonl), such as one spooled under another "
        "URL of the database",
    )
    _database_option(replay)
    folders = replay.add_mutually_exclusive_group()
    folders.add_argument(
        "--spool", metavar="DIR", help="the spool folder holding them (default: the one nodes use for that database)"
    )
    folders.add_argument(
        "--all-spools",
        action="store_true",
        help="that folder and those under the same root named after the same database at another host or port",
    )
    replay.set_defaults(handler=cmd_replay)


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database", metavar="URL", help=f"the database to write them to (default: {DATABASE_URL_ENV}, as nodes)"
    )
