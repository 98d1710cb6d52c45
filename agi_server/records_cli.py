"""`ivrgraph records replay-rejected`: write the call records a node set aside (agi_server.rejected).

    sudo -u ivrgraph sh -c 'set -a; . /etc/ivrgraph/env; exec ivrgraph records replay-rejected'
    ivrgraph records replay-rejected --spool /var/lib/ivrgraph/spool/postgresql-db-5432-ivrgraph

Run it on each node's host (the spool is local disk), with the node's database settings: the spool folder is
found from them as the node finds it, unless `--spool` names it (a node's start-up WARNING does). Exits 0 once
every set-aside record is in the database (or there was none), 1 while some are not, 2 for settings that cannot
work.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persistence.db import DATABASE_URL_ENV

if TYPE_CHECKING:
    from agi_server.rejected import Replay


def cmd_replay_rejected(args: argparse.Namespace) -> int:
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from agi_server.errors import first_line
    from agi_server.rejected import replay_rejected
    from agi_server.spool import RecordSpool, spool_for
    from persistence.db import Database, database_url
    from persistence.locations import shown_url, sqlite_file
    from persistence.migrate import SchemaMismatch, require_current

    command = "ivrgraph records replay-rejected"
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
        return _explain(command, f"cannot reach the database: {first_line(getattr(error, 'orig', None) or error)}", 1)
    spool = RecordSpool(Path(args.spool)) if args.spool is not None else spool_for(url)
    database = Database(url)
    try:
        replay = replay_rejected(database, spool)
    finally:
        database.dispose()
    _report(replay, spool.folder, shown_url(url))
    return 0 if replay.complete else 1


def _report(replay: Replay, folder: Path, database: str) -> None:
    if not replay.files and replay.unavailable is None:
        print(f"no set-aside call records in {folder}")
        return
    for replayed in replay.files:
        kept = "removed" if replayed.removed else "kept"
        print(f"{replayed.path.name}: {replayed.written} written, {replayed.already_stored} already stored, "
              f"{len(replayed.refused)} still refused; {kept}")  # fmt: skip
        for call_id, why in replayed.refused:
            print(f"  call_id={call_id} still refused: {why}")
        if replayed.unreadable:
            print(f"  {replayed.unreadable} lines cannot be read (see the log above): the file is kept for them")
    written = sum(replayed.written for replayed in replay.files)
    present = sum(replayed.already_stored for replayed in replay.files)
    refused = sum(len(replayed.refused) for replayed in replay.files)
    left = sum(not replayed.removed for replayed in replay.files)
    print(f"{folder} into {database}: {written} written, {present} already stored, {refused} still refused; "
          f"{len(replay.files) - left} files removed, {left} kept")  # fmt: skip
    if replay.unavailable is not None:
        print(f"ivrgraph records replay-rejected: error: the database stopped taking records ({replay.unavailable}): "
              "the files not listed above are as they were; run it again later", file=sys.stderr)  # fmt: skip


def _explain(command: str, message: str, code: int) -> int:
    print(f"{command}: error: {message}", file=sys.stderr)
    return code


def add_parser(commands: Any) -> None:
    """Add `records` to the `ivrgraph` command."""
    records = commands.add_parser("records", help="call records kept on a node's disk")
    sub = records.add_subparsers(dest="records_command", required=True)
    replay = sub.add_parser(
        "replay-rejected", help="write the call records the database refused (rejected-*.jsonl) once it takes them"
    )
    replay.add_argument(
        "--database", metavar="URL", help=f"the database to write them to (default: {DATABASE_URL_ENV}, as nodes)"
    )
    replay.add_argument(
        "--spool", metavar="DIR", help="the spool folder holding them (default: the one nodes use for that database)"
    )
    replay.set_defaults(handler=cmd_replay_rejected)
