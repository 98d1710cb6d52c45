"""The commands a restored database needs before its nodes dial and sign anyone in (docs/operations.md, "Backups"):

    ivrgraph dialling status             # held or not, since when, by whom
    ivrgraph dialling hold               # after a pg_restore, before any node starts (a SQLite copy starts held)
    ivrgraph dialling resume             # once the jobs Asterisk dialled since the backup are cancelled
    ivrgraph users revoke-all-tokens     # every API token revoked, every designer session signed out

Each reads IVRGRAPH_DATABASE_URL as the servers do (`--database` for another), works on a database at this code's
schema revision, and acts in the audit log as the login that ran it (`alice (ivrgraph dialling resume)`). Exit 0
once done (holding a held database, resuming one not held: said, nothing changed), 1 when the database cannot be
reached or refuses, 2 for settings that cannot work.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from persistence.db import DATABASE_URL_ENV

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from persistence.dialling_hold import Hold

_STATUS = "ivrgraph dialling status"
_HOLD = "ivrgraph dialling hold"
_RESUME = "ivrgraph dialling resume"
_REVOKE = "ivrgraph users revoke-all-tokens"

_Done = TypeVar("_Done")


def cmd_dialling_status(args: argparse.Namespace) -> int:
    from persistence import dialling_hold

    done = _in_database(_STATUS, args.database, dialling_hold.current)
    if isinstance(done, int):
        return done
    print(_held(done) if done is not None else "dialling is not held: every node with AMI settings dials")
    return 0


def cmd_dialling_hold(args: argparse.Namespace) -> int:
    from api.command_actor import command_user
    from persistence import dialling_hold

    done = _in_database(_HOLD, args.database, lambda session: dialling_hold.hold(session, by=command_user(_HOLD)))
    if isinstance(done, int):
        return done
    held, made = done
    if made:
        print(f"{_held(held)}; no node claims a job from its next pass until `ivrgraph dialling resume`")
    else:
        print(f"{_held(held)} already: nothing changed")
    return 0


def cmd_dialling_resume(args: argparse.Namespace) -> int:
    from api.command_actor import command_user
    from persistence import dialling_hold

    done = _in_database(_RESUME, args.database, lambda session: dialling_hold.resume(session, by=command_user(_RESUME)))
    if isinstance(done, int):
        return done
    if done is None:
        print("dialling was not held: nothing changed")
        return 0
    print(
        f"dialling resumed (it was held since {_when(done)} by {done.held_by}): every node with AMI settings claims "
        "the jobs due from its next pass"
    )
    return 0


def cmd_users_revoke_all_tokens(args: argparse.Namespace) -> int:
    from api.command_actor import command_user
    from persistence.revoke_all import revoke_all_tokens

    done = _in_database(_REVOKE, args.database, lambda session: revoke_all_tokens(session, actor=command_user(_REVOKE)))
    if isinstance(done, int):
        return done
    print(f"revoked {done.api_tokens} API tokens and signed out {done.sessions} designer sessions")
    print(
        "each integration needs a new token (POST /api/tokens), and each user signs in again; redo the security "
        "changes made since the backup, which the restore undid: passwords reset, users deactivated, data-source "
        'passwords changed (docs/operations.md, "Backups")'
    )
    return 0


def _held(held: Hold) -> str:
    why = "the database is a copy `ivrgraph db backup` made" if held.reason == "backup" else "an admin's hold"
    return f"dialling is held since {_when(held)} by {held.held_by}: {why}"


def _when(held: Hold) -> str:
    return f"{held.held_at:%Y-%m-%d %H:%M:%S} UTC"


def _in_database(command: str, database: str | None, work: Callable[[Session], _Done]) -> _Done | int:
    """`work` done in one committed transaction on the database the settings name; an exit code once a problem is
    said (2: settings; 1: a database missing, away, refusing, or at another schema revision)."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from api.settings import Settings
    from persistence.db import Database
    from persistence.db_problems import database_problem
    from persistence.locations import shown_url, sqlite_file
    from persistence.migrate import SchemaMismatch, require_current

    environ = dict(os.environ)
    if database:
        environ[DATABASE_URL_ENV] = database
    try:
        url = Settings.from_env(environ).database_url
    except ArgumentError as error:
        return _explain(command, f"{DATABASE_URL_ENV} is not a database URL ({error})", 2)
    except ValueError as error:
        return _explain(command, str(error), 2)
    database_file = sqlite_file(url)
    if database_file is not None and not database_file.is_file():  # connecting would make an empty one
        return _explain(command, f"there is no database file {database_file} ({shown_url(url)})", 1)
    try:
        require_current(url)  # the hold and the tokens are this code's tables
        opened = Database(url)
        try:
            with opened.session() as session:
                return work(session)
        finally:
            opened.dispose()
    except SchemaMismatch as error:
        return _explain(command, str(error), 1)
    except SQLAlchemyError as error:
        return _explain(command, database_problem(error), 1)


def _explain(command: str, message: str, code: int) -> int:
    print(f"{command}: error: {message}", file=sys.stderr)
    return code


def add_parser(commands: Any) -> None:
    """Add `dialling status|hold|resume` and `users revoke-all-tokens` to the `ivrgraph` command."""
    database_help = f"the database (default: {DATABASE_URL_ENV}, as nodes)"
    dialling = commands.add_parser(
        "dialling", help="hold or resume every node's callback dialling (held in a restored backup)"
    )
    sub = dialling.add_subparsers(dest="dialling_command", required=True)
    for name, handler, said in (
        ("status", cmd_dialling_status, "say whether dialling is held, since when and by whom"),
        ("hold", cmd_dialling_hold, "hold dialling on every node: after a pg_restore, before any node starts"),
        (
            "resume",
            cmd_dialling_resume,
            "let every node dial again, once the jobs called since the backup are cancelled",
        ),
    ):
        command = sub.add_parser(name, help=said)
        command.add_argument("--database", metavar="URL", help=database_help)
        command.set_defaults(handler=handler)
    users = commands.add_parser("users", help="designer users and API tokens")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    revoke = users_sub.add_parser(
        "revoke-all-tokens", help="after restoring a backup: revoke every API token and sign every user out"
    )
    revoke.add_argument("--database", metavar="URL", help=database_help)
    revoke.set_defaults(handler=cmd_users_revoke_all_tokens)
