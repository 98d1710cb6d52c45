"""Whether a data source's URL reaches its database: connect within a few seconds, run a trivial query, and say
which server answered (`MariaDB 10.11.19`) or why none did, as a stable code an interface puts in words.

An admin tests a source with it before a call does: a typo in a URL used to show only as the SQL block's error exit
on a real call (review: a source pointed at a dead port was saved without a word). A check saves nothing and keeps
nothing: one connection of its own (no pool), closed after, never the cached engines calls use
(persistence.datasources.DatabaseDataSources), which it leaves as they are.

What it answers is the admin's alone (the routes are admin-only), so the driver's own message comes back, user and
host in it as the admin typed them; the URL's password never does, whatever the driver wrote.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, ProgrammingError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from persistence.datasources import connect_failure_kind, url_problem
from persistence.db import normalize_url

CHECK_TIMEOUT = 5.0  # seconds a check may take in all: an admin waits for it, and a save runs one
CheckCode = Literal["unreachable", "auth_failed", "unknown_database", "driver_missing", "timeout", "bad_url"]
_MESSAGE_MAX = 500
_HIDDEN = "***"


@dataclass(frozen=True)
class ConnectionCheck:
    """A check's outcome: `ok` with the `server` that answered, or the `code` of why not. `message`: the driver's
    own words (empty when it had none), the URL's password never in them."""

    ok: bool
    code: CheckCode | None = None
    server: str | None = None
    message: str = ""
    elapsed_ms: int = 0


def check_connection(url: str, *, timeout: float = CHECK_TIMEOUT) -> ConnectionCheck:
    """Connect to `url` and run a trivial query, within `timeout` seconds whatever the server does: a host that
    never answers is `timeout`, not a request left hanging. The drivers give up by themselves a little earlier
    (their connect and read timeouts); the deadline here covers a server that answers the handshake and then
    freezes."""
    started = time.monotonic()

    def outcome(result: ConnectionCheck) -> ConnectionCheck:
        elapsed = int((time.monotonic() - started) * 1000)
        return ConnectionCheck(result.ok, result.code, result.server, result.message, elapsed)

    problem = url_problem(url)
    if problem is not None:
        return outcome(ConnectionCheck(ok=False, code="bad_url", message=problem))
    future: Future[ConnectionCheck] = Future()

    def run() -> None:
        try:
            future.set_result(_probe(normalize_url(url), timeout, _secrets(url)))
        except BaseException as failure:  # handed to the waiting request, as an executor's worker does
            future.set_exception(failure)

    # A daemon: a driver stuck on a frozen server must not hold the process at exit; it lets go at its own timeouts.
    threading.Thread(target=run, name="data-source check", daemon=True).start()
    try:
        return outcome(future.result(timeout=timeout))
    except TimeoutError:
        return outcome(ConnectionCheck(ok=False, code="timeout", message=f"no answer within {timeout:g} s"))


def _probe(url: str, timeout: float, secrets: list[str]) -> ConnectionCheck:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        missing = _missing_sqlite_file(parsed)
        if missing is not None:
            return ConnectionCheck(ok=False, code="unknown_database", message=missing)
    try:
        engine = create_engine(
            url, poolclass=NullPool, connect_args=_connect_args(backend, timeout), hide_parameters=True
        )
    except NoSuchModuleError:
        # A backend SQLAlchemy knows with a driver it does not (`mysql+foo`), or no such backend at all (`foo://`).
        if _known_backend(backend):
            return ConnectionCheck(
                ok=False, code="driver_missing", message=f"no driver {parsed.get_driver_name()!r} for {backend}"
            )
        return ConnectionCheck(ok=False, code="bad_url", message=f"unknown kind of database {backend!r}")
    except ImportError as error:  # the dialect's driver is not installed (`mysql+mysqldb` without MySQLdb)
        return ConnectionCheck(ok=False, code="driver_missing", message=str(error))
    except (ArgumentError, TypeError, ValueError) as error:
        return _bad_options(error, secrets)
    try:
        with engine.connect() as conn:
            return ConnectionCheck(ok=True, server=_server(conn))
    except (ArgumentError, ProgrammingError, TypeError, ValueError) as error:
        return _bad_options(error, secrets)
    except SQLAlchemyError as error:
        return _failure(backend, error, secrets)
    finally:
        engine.dispose()


def _connect_args(backend: str, timeout: float) -> dict[str, Any]:
    """The drivers' own limits, a second inside the check's deadline so that they, not it, say what happened."""
    seconds = max(2, int(timeout) - 1)  # libpq takes whole seconds, and reads fewer than 2 as 2
    if backend == "postgresql":
        return {"connect_timeout": seconds}
    if backend in ("mysql", "mariadb"):
        return {"connect_timeout": seconds, "read_timeout": seconds, "write_timeout": seconds}
    return {}


def _missing_sqlite_file(parsed: URL) -> str | None:
    """SQLite makes the file it is pointed at: a check of a misspelt path would leave an empty database there, and
    call it fine. A missing file is a missing database instead, as the calls would find it (no tables)."""
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    path = Path(database)
    return None if path.is_file() else f"no database file at {str(path.resolve())!r}"


def _known_backend(backend: str) -> bool:
    try:
        URL.create(backend).get_dialect()
    except (NoSuchModuleError, ImportError):
        return False
    return True


def _server(conn: Connection) -> str:
    """The server that answered, with its version: the trivial query each backend answers."""
    backend = conn.dialect.name
    if backend == "postgresql":
        version = str(conn.execute(text("SHOW server_version")).scalar())  # "15.20 (Debian 15.20-0+deb12u1)"
        return f"PostgreSQL {version.split()[0]}"
    if backend in ("mysql", "mariadb"):
        version = str(conn.execute(text("SELECT VERSION()")).scalar())  # "10.11.19-MariaDB-0+deb12u1"
        return f"{'MariaDB' if 'mariadb' in version.lower() else 'MySQL'} {version.split('-')[0]}"
    if backend == "sqlite":
        # Reading the schema reads the file: a file that is not a database fails here, not at the first call.
        found = conn.execute(text("SELECT sqlite_version() FROM (SELECT count(*) FROM sqlite_master)")).scalar()
        return f"SQLite {found}"
    conn.execute(text("SELECT 1"))
    info = conn.dialect.server_version_info
    return f"{backend} {'.'.join(map(str, info))}" if info else backend


def _bad_options(error: Exception, secrets: list[str]) -> ConnectionCheck:
    """The URL's options go to the driver as they are: one it does not take (`?sslmode=require` on MariaDB, `?foo=1`
    on PostgreSQL), or a value it cannot read (`?connect_timeout=soon`)."""
    said = _driver_words(error) if isinstance(error, SQLAlchemyError) else str(error)
    return ConnectionCheck(ok=False, code="bad_url", message=_hide(said, secrets))


def _failure(backend: str, error: SQLAlchemyError, secrets: list[str]) -> ConnectionCheck:
    message = _hide(_driver_words(error), secrets)
    if backend == "sqlite":  # no server: whatever failed, failed with the file ("file is not a database")
        return ConnectionCheck(ok=False, code="unknown_database", message=message)
    kind = connect_failure_kind(error)
    if kind == "login":
        code: CheckCode = "auth_failed"
    elif kind == "no_database":
        code = "unknown_database"
    elif "timed out" in message.lower() or "timeout" in message.lower():
        # PyMySQL: "Lost connection to MySQL server during query (timed out)"; psycopg: "connection timeout expired"
        code = "timeout"
    else:
        code = "unreachable"
    return ConnectionCheck(ok=False, code=code, message=message)


def _driver_words(error: SQLAlchemyError) -> str:
    """The driver's message without SQLAlchemy's wrapping: PyMySQL's (1045, "Access denied ...") as its text."""
    orig = getattr(error, "orig", None)
    args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
    said = args[1] if len(args) == 2 and isinstance(args[0], int) else (orig or error)
    return " ".join(str(said).split())[:_MESSAGE_MAX]


def _secrets(url: str) -> list[str]:
    """The password as a driver may write it: decoded, as typed in the URL (percent-encoded), and encoded again."""
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):  # a URL that does not parse: its password as typed is found below
        password = None
    typed = url.partition("://")[2].split("?", 1)[0].rpartition("@")[0].partition(":")[2]
    found = {str(password) if password else "", typed, quote(str(password), safe="") if password else ""}
    return sorted((secret for secret in found if secret), key=len, reverse=True)


def _hide(message: str, secrets: list[str]) -> str:
    """The driver's message with the password written as ***. Only where it stands as a word of its own, as a driver
    would quote it (`password 'x'`, `password=x`): a short password is also part of other words ("p" of "port"),
    which stay as they are."""
    for secret in secrets:
        message = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", _HIDDEN, message)
    return message
