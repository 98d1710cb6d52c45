"""Where the database is and how to talk to it: one `Database` per process holds the engine and session factory."""

from __future__ import annotations

import json
import logging
import math
import os
import re
import selectors
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event, false, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from persistence.folding import register_sqlite_fold

log = logging.getLogger(__name__)

DATABASE_URL_ENV = "IVRGRAPH_DATABASE_URL"
DEFAULT_SQLITE_FILE = "ivrgraph.sqlite3"


def database_url(environ: dict[str, str] | None = None) -> str:
    """`IVRGRAPH_DATABASE_URL`, else an SQLite file in the working directory."""
    env = os.environ if environ is None else environ
    url = env.get(DATABASE_URL_ENV, "").strip()
    if url:
        return normalize_url(url)
    return f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"


def normalize_url(url: str) -> str:
    """Pick the drivers we ship: `postgresql://` means psycopg 3, `mysql://` means PyMySQL."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername in ("mysql", "mariadb"):
        parsed = parsed.set(drivername="mysql+pymysql")
    return parsed.render_as_string(hide_password=False)


def is_postgres(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "postgresql"


def hold_sqlite_writes(session: Session, table: Any) -> None:
    """On SQLite, take the database's one writer lock now, held until the transaction ends: what the session reads
    from here on stays current, and no other connection commits in between. SQLite has no FOR UPDATE, and pysqlite
    starts a transaction only at the first write, so a write that changes nothing (to `table`, a model with an
    `id`) does it. Other databases lock the rows they read with FOR UPDATE instead; nothing happens there."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(table).where(false()).values(id=table.id).execution_options(synchronize_session=False))


def json_text(value: Any) -> str:
    """How JSON columns are written. Variables may hold datetimes or decimals from a data source: they are
    stored as text, so one odd value never fails a batch of call records. So is a NUL (a query argument's %00),
    which PostgreSQL's JSONB refuses: written as U+FFFD. So is a lone UTF-16 surrogate (half an emoji), which
    PostgreSQL refuses and SQLite kept, to be read back as text no UTF-8 encoder takes. And so are NaN and the
    infinities, which JSON lacks (Python would write a bare NaN that PostgreSQL refuses): as the text "NaN",
    "Infinity", "-Infinity". Written compact, without Python's ", " and ": ": an 800-block scenario's version
    is 10 % smaller on SQLite, where JSON is stored as written (PostgreSQL's JSONB keeps no spaces anyway)."""
    try:
        text = json.dumps(value, default=str, allow_nan=False, separators=_COMPACT)
    except ValueError:  # a float NaN or infinity somewhere inside
        text = json.dumps(_finite(value), default=str, allow_nan=False, separators=_COMPACT)
    if _SURROGATE_ESCAPE_TEXT.search(text):  # alone, or one of an emoji's pair (json.dumps writes \ud83d\ude00)
        text = json.dumps(_without_lone_surrogates(json.loads(text)), allow_nan=False, separators=_COMPACT)
    return _JSON_NUL.sub(r"\1\\ufffd", text) if "\\u0000" in text else text


def json_value(text: str | bytes) -> Any:
    """How JSON columns are read. A lone surrogate stored before `json_text` wrote U+FFFD for it (SQLite kept
    it) is read as U+FFFD: as it was, the draft holding it could not be sent to anyone, nor opened again."""
    value = json.loads(text)
    escaped = _SURROGATE_ESCAPE_TEXT.search(text) if isinstance(text, str) else _SURROGATE_ESCAPE.search(text)
    return _without_lone_surrogates(value) if escaped else value


def _without_lone_surrogates(value: Any) -> Any:
    """`value` (as json.loads reads it: an emoji's pair is one character, so a surrogate left is alone) with
    U+FFFD for each lone surrogate, in keys and strings."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    return value


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "-Infinity" if value < 0 else "Infinity"
    if isinstance(value, dict):
        return {_finite(key) if isinstance(key, float) else key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


_COMPACT: Final = (",", ":")
# An escaped NUL: \u0000 after an even number of backslashes (after an odd one it is the text "\u0000").
_JSON_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")
# A surrogate escape, in either case: what a value with a lone surrogate was stored with (a pair matches too).
_SURROGATE_ESCAPE_TEXT = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", json_value)
    # A failed statement's error carries its SQL and, without this, its bound values: a data source's URL with its
    # password, a new password hash, a session's CSRF token, caller data. Such errors reach the logs (review,
    # 2026-12-05), and the values are never what an operator needs from them.
    kwargs.setdefault("hide_parameters", True)
    if make_url(url).get_backend_name() == "sqlite":
        # The API answers from a thread pool and the AGI writer works in another thread: one SQLite file,
        # many threads. A busy timeout lets a writer wait for another instead of failing at once.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "do_connect", _private_sqlite_file)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if make_url(url).get_backend_name() == "postgresql":
        # A database that stops answering (a dead host, a dropped route) must fail a connection or a statement
        # in seconds, not hold a worker thread for the kernel's TCP timeout of many minutes.
        kwargs["connect_args"] = {**POSTGRES_TIMEOUTS, **kwargs.get("connect_args", {})}
        engine = create_engine(url, **kwargs)
        check_connections_with_a_deadline(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


# libpq settings (psycopg passes them through): connect within 10 s; a silent peer is noticed by keepalive probes
# after ~30 s idle, and written data left unacknowledged for 30 s fails the connection.
POSTGRES_TIMEOUTS: Final = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 20,
    "keepalives_interval": 5,
    "keepalives_count": 2,
    "tcp_user_timeout": 30_000,
}


# How long the check of a pooled PostgreSQL connection waits for its answer (milliseconds when the server is well).
PING_TIMEOUT_S: Final = 5.0
_NEW: Final = "ivrgraph_new"  # connection_record.info: connected for this checkout, nothing to check


def check_connections_with_a_deadline(engine: Engine) -> None:
    """Check each pooled psycopg connection as SQLAlchemy's pre-ping does, but giving up after PING_TIMEOUT_S
    (see `_check_postgres_connection`); for an engine made without pool_pre_ping."""
    event.listen(engine, "connect", _mark_new)
    event.listen(engine, "checkout", _check_postgres_connection)


def _mark_new(_dbapi_connection: Any, connection_record: Any) -> None:
    connection_record.info[_NEW] = True


def _check_postgres_connection(dbapi_connection: Any, connection_record: Any, _proxy: Any) -> None:
    """SQLAlchemy's pre-ping, with a deadline. A server that freezes (stopped, or a stopped proxy in front: the
    kernel still acknowledges, so no keepalive or TCP timeout fires) never answers the pre-ping, which waited
    forever and held its thread: the version poller's, the dialer's, the call-record writer's, and at exit
    the interpreter waiting for them (review of 2026-12-05). A connection that does not answer within
    PING_TIMEOUT_S is dropped, and the pool opens a new one (bounded by connect_timeout), as after a failed
    pre-ping."""
    if connection_record.info.pop(_NEW, False):
        return  # it has just answered the connection's start-up
    import psycopg  # here: a process on SQLite never needs it

    try:
        _ping(dbapi_connection.pgconn, deadline=time.monotonic() + PING_TIMEOUT_S)
    except (OSError, psycopg.Error) as error:
        raise DisconnectionError(f"the database did not answer a connection check: {error}") from error


def _ping(pgconn: Any, *, deadline: float) -> None:
    """SELECT 1 on an idle psycopg connection through its libpq handle, which is non-blocking: each wait for
    the socket is bounded, where psycopg's own waits are not."""
    import psycopg

    if pgconn.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise psycopg.OperationalError("the connection is not idle")
    pgconn.send_query(b"SELECT 1")
    while pgconn.flush():  # 1: more to send
        _wait_for_socket(pgconn.socket, selectors.EVENT_WRITE, deadline)
    pgconn.consume_input()
    while pgconn.is_busy():
        _wait_for_socket(pgconn.socket, selectors.EVENT_READ, deadline)
        pgconn.consume_input()
    while (result := pgconn.get_result()) is not None:
        if result.status != psycopg.pq.ExecStatus.TUPLES_OK:
            raise psycopg.OperationalError(result.error_message.decode(errors="replace") or "the check failed")


def _wait_for_socket(fileno: int, events: int, deadline: float) -> None:
    with selectors.DefaultSelector() as selector:  # not select(): a busy node's descriptors pass FD_SETSIZE
        selector.register(fileno, events)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not selector.select(remaining):
            raise TimeoutError(f"no answer within {PING_TIMEOUT_S:g} s")


PRIVATE_FILE_MODE: Final = 0o600  # the database, its backups and a node's spooled records: their owner's alone


def create_private_file(path: str | os.PathLike[str]) -> bool:
    """Create `path` empty, readable and writable by its owner only whatever the umask; False when it exists
    (left as it is). SQLite gives its `-wal` and `-shm` files the database file's mode, so they follow."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)  # the umask only takes bits away; one of 0o277 took the owner's
    finally:
        os.close(descriptor)
    return True


_warned_about: set[str] = set()


def _private_sqlite_file(_dialect: Any, _record: Any, cargs: list[Any], _cparams: dict[str, Any]) -> None:
    """Before SQLite opens a database file: a new one is made private (SQLite would make it 0644 less the umask,
    and the deployment units' umask 022 lets Asterisk read the prompts: every local user read the call register).
    An existing file others may read is left as it is, its owner's choice, and said once (data protection review,
    2026-12)."""
    name = str(cargs[0]) if cargs else ""
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    if create_private_file(name) or name in _warned_about:
        return
    try:
        mode = os.stat(name).st_mode
    except OSError:
        return
    if mode & 0o077:
        _warned_about.add(name)
        log.warning(
            "the database file %s can be read by other local users (mode %o): it holds callers' numbers; "
            "`chmod 600 %s*` unless another account must read it",
            name, mode & 0o777, name,
        )  # fmt: skip


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the single writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    register_sqlite_fold(dbapi_connection)


class Database:
    """The engine and session factory of one database URL."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = normalize_url(url)
        self.engine = engine or make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return is_postgres(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back otherwise."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
