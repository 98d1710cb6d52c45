"""`ivrgraph serve` (API + FastAGI in one process) and `ivrgraph db upgrade|seed|backup|refold-names`."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

from agi_server.options import add_fastagi_options, add_logging_options, port, positive_seconds
from api.settings import Settings
from persistence.db import DATABASE_URL_ENV


def cmd_serve(args: argparse.Namespace) -> int:
    from agi_server.cli import run_or_explain
    from agi_server.logs import configure_logging
    from agi_server.options import fastagi_config, log_settings
    from api.serve import serve

    try:
        configure_logging(log_settings(args))  # first: whatever follows may log
    except ValueError as error:
        print(f"ivrgraph serve: error: {error}", file=sys.stderr)
        return 2
    try:
        _listen_where_the_environment_says(args)
    except ValueError as error:
        print(f"ivrgraph serve: error: {error}", file=sys.stderr)
        return 2
    try:
        agi_config = fastagi_config(args, host=args.agi_host or args.host, port=args.agi_port)
    except ValueError as error:
        print(f"ivrgraph serve: error: {error}", file=sys.stderr)
        return 2
    if args.metrics_port is not None and args.metrics_port in (args.port, args.agi_port):
        print("ivrgraph serve: error: --metrics-port must differ from --port and --agi-port", file=sys.stderr)
        return 2
    settings = _settings("ivrgraph serve")
    if settings is None:
        return 2
    settings = dataclasses.replace(settings, version_poll_seconds=args.poll_interval)
    seed = Path(args.seed) if args.seed else None
    return run_or_explain(
        "ivrgraph serve",
        serve(
            settings,
            host=args.host,
            port=args.port,
            agi_config=agi_config,
            seed=seed,
            metrics_port=args.metrics_port,
            metrics_host=args.metrics_host,
        ),
    )


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from persistence.db_problems import database_problem
    from persistence.locations import shown_url, sqlite_file
    from persistence.migrate import SchemaMismatch, current_revision, upgrade

    settings = _settings("ivrgraph db upgrade")
    if settings is None:
        return 2
    url = settings.database_url
    # Without IVRGRAPH_DATABASE_URL (an environment file not loaded) this makes ./ivrgraph.sqlite3: said, with the
    # database's name, so that a migration of the wrong database does not pass for the intended one.
    new_file = sqlite_file(url)
    new_file = new_file if new_file is not None and not new_file.exists() else None
    try:
        if not _stop_all_nodes_heard(url, confirmed=args.yes):
            print("ivrgraph db upgrade: nothing changed", file=sys.stderr)
            return 1
        upgrade(url)
        if new_file is not None:
            unset = "" if os.environ.get(DATABASE_URL_ENV, "").strip() else f" ({DATABASE_URL_ENV} is not set)"
            print(f"created a new SQLite database file {new_file}{unset}")
        print(f"database {shown_url(url)} at revision {current_revision(url)}")
    except (SchemaMismatch, CommandError) as error:
        print(f"ivrgraph db upgrade: error: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:  # the database is down, or refuses us: its driver's first line says why
        print(f"ivrgraph db upgrade: error: {database_problem(error)}", file=sys.stderr)
        return 1
    return 0


def cmd_db_status(args: argparse.Namespace) -> int:
    """Which database, at which schema revision, and what `ivrgraph db upgrade` would apply, changing nothing: an
    operator's check before and after an upgrade, and a deploy script's (exit 0 at this code's revision, 1 behind
    or ahead of it, 2 when it cannot tell)."""
    from sqlalchemy.exc import SQLAlchemyError

    from persistence.db_problems import database_problem
    from persistence.locations import shown_url, sqlite_file
    from persistence.migrate import current_revision, head_revision, pending_revisions, stop_all_nodes

    settings = _settings("ivrgraph db status")
    if settings is None:
        return 2
    url, head = settings.database_url, head_revision()
    missing = sqlite_file(url)
    if missing is not None and not missing.exists():  # looked at, not made: `upgrade` creates it
        print(f"database {shown_url(url)}: no such file yet; ivrgraph db upgrade would create it at revision {head}")
        return 1
    try:
        current = current_revision(url)
        pending = pending_revisions(url)
        flagged = dict(stop_all_nodes(url))
    except SQLAlchemyError as error:
        print(f"ivrgraph db status: error: {database_problem(error)}", file=sys.stderr)
        return 2
    print(f"database {shown_url(url)} at revision {current or 'none (no schema yet)'}; this ivrgraph's is {head}")
    if current == head:
        print("up to date")
        return 0
    if current is not None and not pending:
        print(f"newer than this ivrgraph knows: upgrade ivrgraph on this node (revision {current})")
        return 1
    print(f"ivrgraph db upgrade would apply {len(pending)}: {', '.join(pending)}")
    for revision, reason in flagged.items():
        print(f"  {revision} needs every node stopped first: {reason}")
    return 1


def _stop_all_nodes_heard(url: str, *, confirmed: bool) -> bool:
    """Warn of the migrations to apply that need every node stopped first (persistence.migrate `stop_all_nodes`),
    and, unless `confirmed` (`--yes`), ask on a terminal to go on; False when the answer is no. A script (no
    terminal) is never held waiting for an answer, nor let through: it is refused, saying to add `--yes` once every
    node is stopped (ops review: a deploy job applied such migrations while the old nodes ran, with a warning on a
    stderr nobody read)."""
    from persistence.migrate import stop_all_nodes

    flagged = stop_all_nodes(url)
    if not flagged:
        return True
    listed = "".join(f"\n  {revision}: {reason}" for revision, reason in flagged)
    print(
        f"ivrgraph db upgrade: warning: stop every ivrgraph node before these migrations (docs/operations.md, "
        f'"Upgrades"): a node still running the older release under-enforces them:{listed}',
        file=sys.stderr,
    )
    if confirmed:
        return True
    if not sys.stdin.isatty():
        print(
            "ivrgraph db upgrade: error: no terminal to ask on: stop every node, then run it again with --yes",
            file=sys.stderr,
        )
        return False
    try:
        answer = input("Is every node stopped? Apply them [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def cmd_db_refold_names(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from persistence.db import Database
    from persistence.db_problems import database_problem
    from persistence.locations import shown_url
    from persistence.migrate import SchemaMismatch, require_current
    from persistence.name_refold import refold_caller_names

    settings = _settings("ivrgraph db refold-names")
    if settings is None:
        return 2
    url = settings.database_url
    try:
        require_current(url)  # the fold of this code, written into the columns of this code's schema
        database = Database(url)
        try:
            done = refold_caller_names(database)
        finally:
            database.dispose()
    except SchemaMismatch as error:
        print(f"ivrgraph db refold-names: error: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"ivrgraph db refold-names: error: {database_problem(error)}", file=sys.stderr)
        return 1
    print(f"{shown_url(url)}: {done.read} call records read, {done.refolded} caller names folded again")
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    import sqlite3

    from api.command_actor import command_user
    from persistence.backup import BackupOutcome, back_up
    from persistence.locations import shown_url

    settings = _settings("ivrgraph db backup")
    if settings is None:
        return 2
    url = settings.database_url
    try:
        done = back_up(url, Path(args.file), overwrite=args.force, held_by=command_user("ivrgraph db backup"))
    except (OSError, sqlite3.Error) as error:  # a full disk, a folder we may not write, a damaged database
        print(f"ivrgraph db backup: error: {error}", file=sys.stderr)
        return 1
    problems = {
        BackupOutcome.NOT_SQLITE: f"{shown_url(url)} is not an SQLite file: back it up with the database's own tool, "
        "for PostgreSQL pg_dump, which is safe while ivrgraph runs, under umask 077 as the dump holds every caller's "
        "number and the installation's secrets (`(umask 077 && pg_dump -Fc -f ivrgraph.dump <database>)`); after a "
        'pg_restore, `ivrgraph dialling hold` before any node starts (docs/operations.md, "Backups")',
        BackupOutcome.NO_DATABASE: f"there is no database file {done.source} ({shown_url(url)})",
        BackupOutcome.TARGET_EXISTS: f"{args.file} exists: choose another name, or --force to replace it",
        BackupOutcome.TARGET_IS_THE_DATABASE: f"{args.file} is the database itself",
    }
    if done.outcome in problems:
        print(f"ivrgraph db backup: error: {problems[done.outcome]}", file=sys.stderr)
        return 1
    print(f"backed up {shown_url(url)} to {Path(args.file).absolute()} ({done.size} bytes)")
    if done.dialling_held:
        print(
            "dialling is held in the copy: a database restored from it calls nobody until an admin resumes it "
            "(`ivrgraph dialling resume`, after cancelling the jobs called since the backup: docs/operations.md, "
            '"Backups")'
        )
    else:
        print(
            "ivrgraph db backup: warning: dialling is not held in the copy (the database predates revision 0030: "
            "run `ivrgraph db upgrade`): a database restored from it dials at once every job waiting, those called "
            "since the backup included",
            file=sys.stderr,
        )
    return 0


def _settings(command: str) -> Settings | None:
    """The settings from the environment, or None once a bad one is said in one line."""
    from sqlalchemy.exc import ArgumentError

    try:
        return Settings.from_env()
    except ArgumentError as error:
        print(f"{command}: error: IVRGRAPH_DATABASE_URL is not a database URL ({error})", file=sys.stderr)
    except ValueError as error:
        print(f"{command}: error: {error}", file=sys.stderr)
    return None


def cmd_db_seed(args: argparse.Namespace) -> int:
    from api.seed import seed_folder
    from blocks import default_registry
    from persistence.db import Database
    from persistence.migrate import upgrade

    url = Settings.from_env().database_url
    upgrade(url)
    database = Database(url)
    try:
        results = seed_folder(database, default_registry(), Path(args.folder))
    finally:
        database.dispose()
    for item in results:
        print(f"{item.slug}: {item.outcome}")
    return 0 if all(not item.outcome.startswith("not") for item in results) else 1


# Where `serve` listens when its options do not say: the variables `make run` passes on, read by `serve` itself too
# (docs review, 2026-12-07: run by hand with IVRGRAPH_PORT set, it took 8000 and 4573 as if nothing were set).
LISTEN_ENV = {
    "host": ("IVRGRAPH_HOST", "127.0.0.1"),
    "port": ("IVRGRAPH_PORT", "8000"),
    "agi_port": ("IVRGRAPH_AGI_PORT", "4573"),
}


def _listen_where_the_environment_says(args: argparse.Namespace) -> None:
    """Fill the listen options left out from LISTEN_ENV; read here, not when the parser is built, so a bad value
    stops `serve` alone, named after its variable, and not every other command."""
    for option, (variable, fallback) in LISTEN_ENV.items():
        if getattr(args, option) is not None:
            continue
        text = os.environ.get(variable) or fallback
        try:
            setattr(args, option, text if option == "host" else port(text))
        except argparse.ArgumentTypeError as problem:
            raise ValueError(f"{variable}: {problem}") from None


def add_parser(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the API and a FastAGI server in one process")
    serve.add_argument("--host", default=None, help="API listen address (default: IVRGRAPH_HOST, else 127.0.0.1)")
    serve.add_argument("--port", type=port, default=None, help="API port (default: IVRGRAPH_PORT, else 8000)")
    serve.add_argument("--agi-host", default=None, help="FastAGI listen address (default: --host)")
    serve.add_argument(
        "--agi-port", type=port, default=None, help="FastAGI port (default: IVRGRAPH_AGI_PORT, else 4573)"
    )
    serve.add_argument("--seed", metavar="DIR", help="first load and publish the scenario files of DIR (e.g. examples)")
    serve.add_argument(
        "--poll-interval",
        type=positive_seconds,
        default=2.0,
        help="seconds between looks for versions published on other nodes (default %(default)s)",
    )
    add_fastagi_options(serve)
    add_logging_options(serve)
    serve.set_defaults(handler=cmd_serve)

    db = commands.add_parser("db", help="database: migrate, seed, back up")
    sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = sub.add_parser("upgrade", help="apply migrations (IVRGRAPH_DATABASE_URL, default ./ivrgraph.sqlite3)")
    upgrade.add_argument(
        "--yes",
        action="store_true",
        help="apply migrations that need every node stopped without asking (a script without it is refused)",
    )
    upgrade.set_defaults(handler=cmd_db_upgrade)
    status = sub.add_parser(
        "status", help="the database's schema revision and the migrations an upgrade would apply; changes nothing"
    )
    status.set_defaults(handler=cmd_db_status)
    refold = sub.add_parser(
        "refold-names",
        help="fold again the caller names older nodes recorded during an upgrade, for the name search",
    )
    refold.set_defaults(handler=cmd_db_refold_names)
    seed = sub.add_parser("seed", help="load and publish the scenario files of a folder (existing ones are kept)")
    seed.add_argument("folder")
    seed.set_defaults(handler=cmd_db_seed)
    backup = sub.add_parser(
        "backup", help="copy a running SQLite database consistently, WAL included (PostgreSQL: use pg_dump)"
    )
    backup.add_argument("file", help="the copy to write")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(handler=cmd_db_backup)
