"""`ivrgraph records purge` and `ivrgraph privacy erase`: retention and a data subject's erasure, from a shell.

    ivrgraph records purge --dry-run            # what the IVRGRAPH_RETAIN_* settings would remove now
    ivrgraph records purge                      # remove it (`ivrgraph serve` does once a day by itself)
    ivrgraph records purge --older-than 90d     # every kind of record older than 90 days, whatever the settings
    ivrgraph privacy erase "+34 600 123 456" --dry-run
    ivrgraph privacy reapply-erasures erasures.json --dry-run   # after a restore: the erasures made since the backup

Both read the node's settings (IVRGRAPH_DATABASE_URL, IVRGRAPH_DEFAULT_COUNTRY, IVRGRAPH_RETAIN_*) as the servers
do. `records purge` also removes this host's spooled call-record files older than the calls' period: run it on each
host of an `ivrgraph agi` node (from cron, say), whose spool no `serve` sees. Exit 0 once done, 1 when the database
cannot be reached or refuses (a number being dialled now), 2 for settings or arguments that cannot work.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from api.command_actor import command_user
from persistence.db import DATABASE_URL_ENV

if TYPE_CHECKING:
    from api.settings import Settings
    from persistence.erasure_ledger import Ledger, ReapplyReport
    from persistence.retention import PurgeReport

_PURGE = "ivrgraph records purge"
_ERASE = "ivrgraph privacy erase"
_REAPPLY = "ivrgraph privacy reapply-erasures"


# The counts of an erasure whose rows stay, their mentions of the subject redacted (another client's job or call
# naming them too), beside those deleted ("erased") and the campaigns only counted.
_REDACTED: Final = frozenset({"audit_events", "mentioned_in_callback_jobs", "mentioned_in_calls"})


def _what_was_done(table: str) -> str:
    if table == "tests_in_drafts":
        return "given a test number"
    return "redacted" if table in _REDACTED else "counted" if table == "campaigns" else "erased"


def cmd_records_purge(args: argparse.Namespace) -> int:
    from agi_server.spool import RecordSpool, existing_spools
    from persistence.db import Database
    from persistence.locations import shown_url
    from persistence.models import utcnow
    from persistence.retention import parse_period, run_purge

    settings = _settings(_PURGE, args.database)
    if settings is None:
        return 2
    policy = settings.retention
    if args.older_than is not None:
        try:
            policy = policy.everything_older_than(parse_period(args.older_than))
        except ValueError as error:
            return _explain(_PURGE, f"--older-than: {error}", 2)
    if args.spool is not None and not Path(args.spool).is_dir():
        return _explain(_PURGE, f"no spool folder {args.spool}", 2)
    url = settings.database_url
    refusal = _unreachable(url)
    if refusal is not None:
        return _explain(_PURGE, refusal[0], refusal[1])
    now = utcnow()
    files = 0
    if policy.calls is not None:
        spools = [RecordSpool(Path(args.spool))] if args.spool is not None else existing_spools(url)
        files = sum(spool.remove_older_than(now - policy.calls, dry_run=args.dry_run) for spool in spools)
    database = Database(url)
    try:
        report = run_purge(database, now=now, policy=policy, dry_run=args.dry_run, actor=command_user(_PURGE))
    finally:
        database.dispose()
    report.spool_files = files
    _print_purge(report, policy.describe(), shown_url(url))
    return 0


def _print_purge(report: PurgeReport, policy: str, database: str) -> None:
    verb = "would be removed" if report.dry_run else "removed"
    print(f"{database}: retention {policy}; idempotency keys a day")
    for table, count in report.counts().items():
        done = ("would be stripped" if report.dry_run else "stripped") if table == "call_traces" else verb
        print(f"  {table}: {count} {done}")
    if report.dry_run:
        print("nothing was changed (--dry-run)")


def cmd_privacy_erase(args: argparse.Namespace) -> int:
    from persistence.db import Database
    from persistence.errors import Conflict, RequestRefused
    from persistence.phone_numbers import configure_default_country
    from persistence.privacy import erase

    settings = _settings(_ERASE, args.database)
    if settings is None:
        return 2
    refusal = _unreachable(settings.database_url)
    if refusal is not None:
        return _explain(_ERASE, refusal[0], refusal[1])
    # The forms a number is stored in depend on the country, as in the servers that stored them.
    configure_default_country(settings.default_country)
    database = Database(settings.database_url)
    try:
        report = erase(database, number=args.number, actor=command_user(_ERASE), dry_run=args.dry_run)
    except RequestRefused as error:
        return _explain(_ERASE, error.problems[0]["message"], 2)
    except Conflict as error:
        return _explain(_ERASE, str(error), 1)
    finally:
        database.dispose()
    verb = "would be" if report.dry_run else "were"
    print(f"subject {report.subject} (the audit log names them subject:{report.subject})")
    for table, count in report.counts().items():
        print(f"  {table}: {count} {verb} {_what_was_done(table)}")
    for each in report.tests_in_versions:
        # Published versions are never changed: the admin is told where the number stays.
        print(f"  kept in the tests of {each.slug} version {each.version} (published versions are never changed)")
    if report.dry_run:
        print("nothing was changed (--dry-run)")
    return 0


def cmd_privacy_reapply(args: argparse.Namespace) -> int:
    """The erasures of a ledger made again on a restored database (persistence.erasure_ledger)."""
    from persistence.db import Database
    from persistence.erasure_ledger import (
        HashedUnderAnotherCountry,
        KeyMadeAfterTheLedger,
        LedgerUnreadable,
        read_ledger,
        reapply_erasures,
    )
    from persistence.locations import shown_url
    from persistence.phone_numbers import configure_default_country

    try:
        ledger = read_ledger(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        return _explain(_REAPPLY, f"cannot read {args.file}: {error}", 2)
    except LedgerUnreadable as error:
        return _explain(_REAPPLY, f"{args.file}: {error}", 2)
    settings = _settings(_REAPPLY, args.database)
    if settings is None:
        return 2
    refusal = _unreachable(settings.database_url)
    if refusal is not None:
        return _explain(_REAPPLY, refusal[0], refusal[1])
    configure_default_country(settings.default_country)  # numbers hashed as the erasures hashed them
    skipped = f" ({ledger.skipped} other audit events skipped)" if ledger.skipped else ""
    print(f"{args.file}: {ledger.entries} erasures of {len(ledger.subjects)} subjects{skipped}")
    database = Database(settings.database_url)
    try:
        report = reapply_erasures(database, ledger, actor=command_user(_REAPPLY), dry_run=args.dry_run)
    except HashedUnderAnotherCountry as error:
        return _explain(_REAPPLY, str(error), 2)  # the setting cannot work, as a bad one
    except KeyMadeAfterTheLedger as error:
        return _explain(_REAPPLY, str(error), 1)
    finally:
        database.dispose()
    verb = "would be" if report.dry_run else "were"
    again = "to erase again" if report.dry_run else "erased again"
    print(f"{shown_url(settings.database_url)}: {len(report.erased)} subjects {again}, {report.not_here} not in "
          "this database")  # fmt: skip
    for erased in report.erased:
        found = ", ".join(f"{table} {count}" for table, count in erased.counts().items() if count)
        print(f"  subject:{erased.subject}: {found}")
    for table, count in report.totals().items():
        print(f"  {table}: {count} {verb} {_what_was_done(table)}")
    for each in sorted({kept for erased in report.erased for kept in erased.tests_in_versions}, key=str):
        print(f"  kept in the tests of {each.slug} version {each.version} (published versions are never changed)")
    if report.dry_run:
        print("nothing was changed (--dry-run)")
    _warn_of_countries(ledger, report, settings.default_country)
    if report.refused:
        subjects = ", ".join(f"subject:{subject}" for subject in report.refused)
        return _explain(_REAPPLY, f"a callback of {subjects} is being dialled now: run it again once it ends", 1)
    return 0


def _warn_of_countries(ledger: Ledger, report: ReapplyReport, here: str | None) -> None:
    """What may have been missed for the default country (persistence.erasure_ledger's docstring): the erasures
    of a ledger of several countries made under another, to run again under; and, when none of the subjects was
    found and some erasures do not say their country (a ledger from before they did), that it must be the
    server's."""
    from persistence.erasure_ledger import country_setting
    from persistence.phone_numbers import DEFAULT_COUNTRY_ENV

    for country, count in sorted(ledger.hashed_under.items(), key=lambda item: item[0] or ""):
        if country != here:
            _warn(f"{count} erasures of the ledger hashed numbers with {country_setting(country)}: run it again with "
                  "that setting to find their subjects")  # fmt: skip
    if ledger.unrecorded and report.subjects and report.not_here == report.subjects:
        _warn(f"none of the ledger's {report.subjects} subjects is in this database (here {country_setting(here)}). "
              "Its erasures do not say the default country they hashed numbers under: if the server that made them "
              f"had another {DEFAULT_COUNTRY_ENV}, run it again set as the server's, or a number written without its "
              "country code is found nowhere")  # fmt: skip


def _warn(message: str) -> None:
    print(f"{_REAPPLY}: warning: {message}", file=sys.stderr)


def _settings(command: str, database: str | None) -> Settings | None:
    """The servers' settings from the environment (`--database` for its URL), or None once a bad one is said."""
    from sqlalchemy.exc import ArgumentError

    from api.settings import Settings

    environ = dict(os.environ)
    if database:
        environ[DATABASE_URL_ENV] = database
    try:
        return Settings.from_env(environ)
    except ArgumentError as error:
        print(f"{command}: error: {DATABASE_URL_ENV} is not a database URL ({error})", file=sys.stderr)
    except ValueError as error:
        print(f"{command}: error: {error}", file=sys.stderr)
    return None


def _unreachable(url: str) -> tuple[str, int] | None:
    """Why the database at `url` cannot be worked on, with the exit code; None when it can."""
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from persistence.db_problems import database_problem
    from persistence.locations import shown_url, sqlite_file
    from persistence.migrate import SchemaMismatch, require_current

    database_file = sqlite_file(url)
    if database_file is not None and not database_file.is_file():  # connecting would make an empty one
        return f"there is no database file {database_file} ({shown_url(url)})", 2
    try:
        require_current(url)  # the tables purged are this code's
    except SchemaMismatch as error:
        return str(error), 1
    except (CommandError, SQLAlchemyError) as error:
        return database_problem(error), 1  # out of reach, or reached and refusing
    return None


def _explain(command: str, message: str, code: int) -> int:
    print(f"{command}: error: {message}", file=sys.stderr)
    return code


def add_parser(commands: Any) -> None:
    """Add `records purge` (beside `records replay-rejected`) and `privacy erase` to the `ivrgraph` command."""
    records = commands.choices.get("records") or commands.add_parser("records", help="call records")
    purge = _subcommands(records, "records_command").add_parser(
        "purge", help="remove what the retention settings (IVRGRAPH_RETAIN_*) keep no longer"
    )
    purge.add_argument("--dry-run", action="store_true", help="say what would be removed; change nothing")
    purge.add_argument(
        "--older-than",
        metavar="PERIOD",
        help="remove every kind of record older than PERIOD (365d, 26w) instead of the settings' periods: calls, "
        "traces, finished callbacks and campaigns, audit events",
    )
    purge.add_argument("--database", metavar="URL", help=f"the database (default: {DATABASE_URL_ENV}, as nodes)")
    purge.add_argument("--spool", metavar="DIR", help="this host's spool folder (default: the one nodes use)")
    purge.set_defaults(handler=cmd_records_purge)

    privacy = commands.add_parser("privacy", help="a data subject's rights over their phone number")
    sub = privacy.add_subparsers(dest="privacy_command", required=True)
    erase = sub.add_parser("erase", help="erase everything kept of a phone number (calls, callbacks, list rows)")
    erase.add_argument("number", help='the number as people write it: "+34 600 123 456"')
    erase.add_argument("--dry-run", action="store_true", help="count what would be erased; change nothing")
    erase.add_argument("--database", metavar="URL", help=f"the database (default: {DATABASE_URL_ENV})")
    erase.set_defaults(handler=cmd_privacy_erase)
    reapply = sub.add_parser(
        "reapply-erasures",
        help="after restoring a backup: erase again each subject an exported erasure ledger names (by hash)",
    )
    reapply.add_argument(
        "file", help="the erasures exported before (GET /api/audit?action=erasure), or subject:<hash> lines"
    )
    reapply.add_argument("--dry-run", action="store_true", help="count what would be erased; change nothing")
    reapply.add_argument("--database", metavar="URL", help=f"the restored database (default: {DATABASE_URL_ENV})")
    reapply.set_defaults(handler=cmd_privacy_reapply)


def _subcommands(parser: argparse.ArgumentParser, dest: str) -> Any:
    """The subcommands of `parser` (made when it has none yet). argparse keeps them as one action of the parser,
    the only way to add to a command another module defines."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest=dest, required=True)
