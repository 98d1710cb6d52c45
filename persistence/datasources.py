"""External databases the SQL block queries: their configuration rows and the `DataSources` service over them.

Safety, in layers: statements are `text()` with bound parameters only (the block never formats SQL); a
read-only source accepts one SELECT-like statement and also runs it in a read-only transaction that is
rolled back; every query has a server-side timeout (SQLite's: a progress handler that interrupts it), a
client-side deadline (MariaDB's socket reads give up with it too) and a row cap. Rows past the cap are never
kept, and are not even sent: a server-side cursor on PostgreSQL, SQLite's stepwise cursor, and MariaDB's
`sql_select_limit` (except under a query's own larger LIMIT, which overrides it: then MariaDB sends the rest
until the statement's timeout, and its unbuffered cursor drops them as they come). One source's queries hold
at most its share of the worker threads, so a frozen server fails its own SQL blocks, not every other source's.
What a call's trace says of a failure names no account or host: a refused login says so in words, and the
driver's own message goes to the server log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import re
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from graph_engine.errors import DataSourceError
from graph_engine.issues import Issue, error, warning
from graph_engine.sql_params import ParsedQuery, parse_query
from persistence.db import POSTGRES_TIMEOUTS, Database, check_connections_with_a_deadline, normalize_url
from persistence.errors import AlreadyExists, InvalidDataSource, NotFound
from persistence.models import DataSource, utcnow

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
_READ_VERBS = frozenset({"select", "with", "show", "values", "explain", "describe", "desc", "table"})
_CONFIG_TTL = 30.0  # seconds a node trusts its cached copy of a source's settings
_RETRY = 5.0  # seconds before settings that could not be re-read are tried again
QUERY_WORKERS = 16  # SQL block queries in flight at once per process; more wait their turn within their timeout
_GRACE = 2.0  # seconds past a query's timeout before the block gives up on a server that stopped answering
_SHARE_POLL = 0.02  # seconds between looks for a free place in a busy source's share of the workers
_MYSQL_IO_TIMEOUT = 5.0  # seconds a MariaDB socket read or write may wait outside a query (handshake, ping)
_SQLITE_STEPS = 1000  # SQLite virtual-machine steps between two looks at the clock

log = logging.getLogger(__name__)


# -- configuration rows ------------------------------------------------------------------------


def _check(name: str, url: str) -> str:
    problems = []
    if not re.match(NAME_PATTERN, name):
        problems.append({"path": "$.name", "message": f"{name!r} does not match {NAME_PATTERN}"})
    try:
        url = normalize_url(url)
    except (ArgumentError, ValueError):
        problems.append({"path": "$.url", "message": "not a database URL (e.g. postgresql://user:pass@host/db)"})
    if problems:
        raise InvalidDataSource(problems)
    return url


def create_data_source(
    session: Session, *, name: str, url: str, read_only: bool = True, description: str = ""
) -> DataSource:
    source = DataSource(name=name, url=_check(name, url), read_only=read_only, description=description)
    session.add(source)
    try:
        session.flush()
    except IntegrityError as error:
        raise AlreadyExists("data source", name) from error
    return source


def list_data_sources(session: Session) -> list[DataSource]:
    return list(session.scalars(select(DataSource).order_by(DataSource.name)))


def get_data_source(session: Session, *, source_id: int) -> DataSource:
    source = session.get(DataSource, source_id)
    if source is None:
        raise NotFound("data source", source_id)
    return source


def update_data_source(
    session: Session,
    *,
    source_id: int,
    url: str | None = None,
    read_only: bool | None = None,
    description: str | None = None,
) -> DataSource:
    source = get_data_source(session, source_id=source_id)
    if url is not None:
        source.url = _check(source.name, url)
    if read_only is not None:
        source.read_only = read_only
    if description is not None:
        source.description = description
    source.updated_at = utcnow()
    session.flush()
    return source


def delete_data_source(session: Session, *, source_id: int) -> None:
    session.delete(get_data_source(session, source_id=source_id))


def public_target(url: str) -> str:
    """Where a source points, without user, password or query options: safe to show."""
    parsed = make_url(url)
    host = f"{parsed.host or ''}{f':{parsed.port}' if parsed.port else ''}"
    return f"{parsed.get_backend_name()}://{host}/{parsed.database or ''}"


# -- the service -------------------------------------------------------------------------------


_SERVER_FILE = re.compile(r"\b(outfile|dumpfile)\b", re.IGNORECASE)


def is_read_statement(sql: str) -> bool:
    """One statement whose first word only reads. Comments and quoted text are ignored while checking, except
    that OUTFILE and DUMPFILE are refused anywhere: MySQL's read-only transactions still write those files."""
    if _SERVER_FILE.search(sql):
        return False
    bare = parse_query(sql).statements
    if not bare or ";" in bare or _first_word(bare) not in _READ_VERBS:
        return False
    # Data-modifying CTEs (`WITH x AS (DELETE ...)`) and SELECT ... INTO / FOR UPDATE still write or lock.
    return re.search(r"\b(insert|update|delete|merge|into|for\s+update|lock)\b", bare, re.IGNORECASE) is None


def _first_word(bare: str) -> str:
    return bare.split(None, 1)[0].lower().lstrip("(") if bare.strip() else ""


def source_problems(session: Session, document: Any) -> list[Issue]:
    """What the SQL blocks of `document` ask of the configured data sources: a source not configured (a
    warning: it may be added after publishing; until then the block takes its error exit) and a query that
    writes on a read-only source (an error: it fails every call while the source stays read-only)."""
    nodes = document.get("nodes") if isinstance(document, Mapping) else None
    if not isinstance(nodes, list):
        return []
    sources: dict[str, bool] | None = None
    issues = []
    for index, node in enumerate(nodes):
        config = node.get("config") if isinstance(node, Mapping) and node.get("type") == "sql" else None
        if not isinstance(config, Mapping) or not isinstance(config.get("source"), str):
            continue
        if sources is None:  # read once, and only for a document that has SQL blocks
            sources = {row.name: row.read_only for row in session.scalars(select(DataSource))}
        name, where, node_id = config["source"], f"$.nodes[{index}].config", str(node.get("id"))
        title = f'SQL "{node.get("label") or node_id}"'
        if name not in sources:  # never the list of the others: only admins may see which sources exist
            issues.append(
                warning(
                    "sql_unknown_source",
                    f"{title}: data source {name!r} is not configured; until it is, the block takes its error exit",
                    node=node_id,
                    path=f"{where}.source",
                )
            )
        elif sources[name] and not is_read_statement(str(config.get("query", ""))):
            issues.append(
                error(
                    "sql_writes_read_only",
                    f"{title}: data source {name!r} is read-only, and this query does more than read",
                    node=node_id,
                    path=f"{where}.query",
                )
            )
    return issues


@dataclass(frozen=True, slots=True)
class _Source:
    url: str
    read_only: bool
    engine: Engine
    loaded_at: float


class _Share:
    """The worker threads one source's queries may hold. A thread counts until it is free again, not until its
    block gave up: a query to a frozen server keeps its place until the driver lets go."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._busy = 0
        self._lock = threading.Lock()

    def enter(self) -> bool:
        with self._lock:
            if self._busy >= self.limit:
                return False
            self._busy += 1
            return True

    def leave(self, _done: object = None) -> None:
        with self._lock:
            self._busy -= 1


class DatabaseDataSources:
    """`graph_engine.services.DataSources` over the configured sources, one small engine (pool) per source."""

    def __init__(
        self, database: Database, *, pool_size: int = 5, workers: int = QUERY_WORKERS, per_source: int | None = None
    ) -> None:
        self._database = database
        self._pool_size = pool_size
        self._sources: dict[str, _Source] = {}
        self._lock = threading.Lock()
        # Threads of their own: a query to a database that froze holds its thread until the driver gives up,
        # and in the loop's default executor such threads starved the call-record writer, scenario lookups and
        # the dialer (review of 2026-12-05). Here they can only hold up other SQL blocks, which time out; and one
        # source holds at most `per_source` of them (half by default), so a frozen source leaves the others room.
        self._workers = workers
        self._per_source = per_source or max(1, workers // 2)
        self._shares: dict[str, _Share] = {}
        self._executor: ThreadPoolExecutor | None = None

    async def query(
        self, source: str, sql: str, params: Mapping[str, Any], *, timeout: float, max_rows: int
    ) -> list[dict[str, Any]]:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="data-source")
        started = time.monotonic()
        share = self._shares.setdefault(source, _Share(self._per_source))
        while not share.enter():  # a query waits its turn within its timeout, then fails with its own error
            if time.monotonic() - started >= timeout:
                raise DataSourceError(
                    f"data source {source!r} is busy: {share.limit} queries to it are still running"
                    " (its server may be slow or not answering)"
                )
            await asyncio.sleep(_SHARE_POLL)
        try:
            future: Future[list[dict[str, Any]]] = self._executor.submit(
                self._query, source, sql, dict(params), timeout, max_rows
            )
        except BaseException:
            share.leave()
            raise
        future.add_done_callback(share.leave)  # when the thread is done, or the query was cancelled before it ran
        try:
            # The server-side timeout normally fires first; this deadline covers a server that stopped answering.
            return await asyncio.wait_for(asyncio.wrap_future(future), started + timeout + _GRACE - time.monotonic())
        except TimeoutError as error:
            raise DataSourceError(f"data source {source!r} did not answer within {timeout:g} s") from error

    def forget(self, name: str | None = None) -> None:
        """Drop cached settings and connections (after an admin changed a source)."""
        with self._lock:
            names = [name] if name else list(self._sources)
            for key in names:
                cached = self._sources.pop(key, None)
                if cached is not None:
                    cached.engine.dispose()

    def close(self) -> None:
        self.forget()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)  # a thread stuck on a frozen server: left behind
            self._executor = None

    def _source(self, name: str) -> _Source:
        with self._lock:
            cached = self._sources.get(name)
            if cached is not None and time.monotonic() - cached.loaded_at < _CONFIG_TTL:
                return cached
            try:
                with self._database.session() as session:
                    row = session.scalar(select(DataSource).where(DataSource.name == name))
                    if row is None:
                        raise DataSourceError(f"data source {name!r} is not configured")
                    url, read_only = row.url, row.read_only
            except SQLAlchemyError as error:
                # Our own database is away, not the source: keep using the settings read before, look again soon.
                if cached is None:
                    raise DataSourceError(f"data source {name!r}: its settings cannot be read now") from error
                log.warning("data source %r: settings not re-read (%s); using those read before", name,
                            type(error).__name__)  # fmt: skip
                kept = _Source(cached.url, cached.read_only, cached.engine, time.monotonic() - _CONFIG_TTL + _RETRY)
                self._sources[name] = kept
                return kept
            # A new engine when the URL or the read-only flag changed: pooled connections keep the session
            # settings a read-only source gave them (MySQL's SET SESSION, SQLite's PRAGMA query_only).
            if cached is not None and cached.url == url and cached.read_only == read_only:
                fresh = _Source(url, read_only, cached.engine, time.monotonic())
            else:
                if cached is not None:
                    cached.engine.dispose()
                fresh = _Source(url, read_only, self._engine(url), time.monotonic())
            self._sources[name] = fresh
            return fresh

    def _engine(self, url: str) -> Engine:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        connect_args: dict[str, Any] = {}
        if backend == "postgresql":
            connect_args = {**POSTGRES_TIMEOUTS, "connect_timeout": 5}
        elif backend in ("mysql", "mariadb"):
            # Outside a query (handshake, pre-ping); each query sets its own (`_client_limits`).
            connect_args = {"connect_timeout": 5, "read_timeout": _MYSQL_IO_TIMEOUT, "write_timeout": _MYSQL_IO_TIMEOUT}
        elif backend == "sqlite":
            connect_args = {"check_same_thread": False}
        # psycopg's connections are checked with a deadline of ours: SQLAlchemy's pre-ping waits for ever on a
        # server that froze (TCP still acknowledged), holding a worker the node then waits for at exit (review of
        # 2026-12-05). Other drivers keep the pre-ping, bounded by their read timeouts.
        deadlined = parsed.drivername == "postgresql+psycopg"
        try:
            engine = create_engine(
                url,
                pool_size=self._pool_size,
                pool_pre_ping=not deadlined,
                connect_args=connect_args,
                hide_parameters=True,
            )
            if deadlined:
                check_connections_with_a_deadline(engine)
            return engine
        except TypeError:  # SQLite's pool takes no pool_size
            return create_engine(url, connect_args=connect_args, hide_parameters=True)
        except (ArgumentError, ImportError) as error:
            raise DataSourceError(f"data source URL is not usable: {type(error).__name__}") from error

    def _query(
        self, name: str, sql: str, params: dict[str, Any], timeout: float, max_rows: int
    ) -> list[dict[str, Any]]:
        source = self._source(name)
        parsed = parse_query(sql)
        if parsed.problems:  # the block's validation says the same; a draft published before it must not run
            raise DataSourceError(f"query on data source {name!r} refused: {parsed.problems[0]}")
        reads = is_read_statement(sql)
        if source.read_only and not reads:
            raise DataSourceError(f"data source {name!r} is read-only: only one SELECT statement is allowed")
        try:
            conn = source.engine.connect()
        except SQLAlchemyError as error:
            raise _connect_failure(name, error) from error
        started = time.monotonic()
        try:
            with conn, _client_limits(conn, timeout):
                _limit_transaction(conn, timeout=timeout, read_only=source.read_only, max_rows=max_rows)
                # Exactly our parameters are bound: every other colon is escaped (graph_engine.sql_params).
                bound = {name: params[name] for name in parsed.names if name in params}
                streams = reads and _streams(conn, parsed)
                options = {"stream_results": True, "max_row_buffer": max_rows} if streams else {}
                result = conn.execute(text(parsed.bind_text), bound, execution_options=options)
                # Unbuffered MariaDB: closing reads and drops what the server still sends, which sql_select_limit
                # keeps to nothing unless the query has a LIMIT of its own, and max_statement_time bounds.
                rows = _fetch(result, max_rows) if result.returns_rows else []
                result.close()
                if source.read_only:
                    conn.rollback()
                else:
                    conn.commit()
                return rows
        except SQLAlchemyError as error:
            timed_out = time.monotonic() - started >= timeout
            raise _query_failure(name, error, timeout=timeout if timed_out else None) from error


_MYSQL_LOGIN = frozenset({1044, 1045, 1130, 1698})  # access denied (to the server, to the database); host not allowed
_PG_LOGIN = re.compile(
    r"password authentication failed|authentication failed|role \".*\" does not exist|no pg_hba\.conf entry"
    r"|permission denied for database|password is required|no password supplied",
    re.IGNORECASE,
)
_NO_DATABASE = re.compile(r"database \".*\" does not exist|unknown database", re.IGNORECASE)
_MYSQL_ACCOUNT = re.compile(r"'[^'\n]*'@'[^'\n]*'")  # MariaDB names an account as 'user'@'host'


def _driver_message(error: SQLAlchemyError) -> str:
    return str(getattr(error, "orig", None) or error).splitlines()[0][:300]


def _connect_failure(name: str, error: SQLAlchemyError) -> DataSourceError:
    """What a call's trace says when no connection could be made. The driver's message names the account and the
    host (`Access denied for user 'crm'@'10.0.0.5'`), which the admins alone see; it goes to the log only."""
    detail = _driver_message(error)
    log.warning("data source %r: cannot connect: %s", name, detail)
    orig = getattr(error, "orig", None)
    code = orig.args[0] if orig is not None and orig.args and isinstance(orig.args[0], int) else None
    if code in _MYSQL_LOGIN or _PG_LOGIN.search(detail):
        return DataSourceError(
            f"data source {name!r} refused the login: an administrator should check its user name and password"
        )
    if code == 1049 or _NO_DATABASE.search(detail):
        return DataSourceError(f"data source {name!r}: its database does not exist on the server")
    return DataSourceError(f"data source {name!r} cannot be reached now")


def _query_failure(name: str, error: SQLAlchemyError, *, timeout: float | None) -> DataSourceError:
    # The driver's message names the problem (syntax, missing column); the URL never appears in it, and an
    # account MariaDB names in a refusal (`SELECT command denied to user 'crm'@'host'`) is left out.
    detail = _driver_message(error)
    if timeout is not None:  # SQLite's "interrupted", MariaDB's lost connection: past the timeout, they mean that
        log.info("data source %r: query stopped at its timeout: %s", name, detail)
        return DataSourceError(f"data source {name!r} did not answer within {timeout:g} s")
    shown = _MYSQL_ACCOUNT.sub("its account", detail)
    if shown != detail:
        log.warning("data source %r: %s", name, detail)
    return DataSourceError(f"query on data source {name!r} failed: {shown}")


@contextmanager
def _client_limits(conn: Connection, timeout: float) -> Iterator[None]:
    """Limits this process keeps while a query runs: SQLite has no server to stop a query, so a progress handler
    interrupts it at the timeout; a MariaDB socket read gives up a second past it (a server that froze)."""
    raw: Any = conn.connection.dbapi_connection
    backend = conn.dialect.name
    if backend == "sqlite":
        deadline = time.monotonic() + timeout
        raw.set_progress_handler(lambda: time.monotonic() > deadline, _SQLITE_STEPS)
        try:
            yield
        finally:
            raw.set_progress_handler(None, 0)
    elif backend in ("mysql", "mariadb") and hasattr(raw, "_read_timeout"):
        # PyMySQL reads these before every socket read or write; its API sets them only when connecting.
        raw._read_timeout = raw._write_timeout = timeout + 1.0
        try:
            yield
        finally:
            raw._read_timeout = raw._write_timeout = _MYSQL_IO_TIMEOUT
    else:
        yield


_CURSOR_VERBS = frozenset({"select", "with", "values", "table"})  # what PostgreSQL's DECLARE ... CURSOR takes


def _streams(conn: Connection, parsed: ParsedQuery) -> bool:
    """Whether a reading query runs on a server-side (PostgreSQL) or unbuffered (MariaDB) cursor, so that the rows
    past the cap stay on the server. SQLite's cursor steps as it is read anyway."""
    if conn.dialect.name == "postgresql":
        return _first_word(parsed.statements) in _CURSOR_VERBS
    return conn.dialect.name in ("mysql", "mariadb")


def _limit_transaction(conn: Connection, *, timeout: float, read_only: bool, max_rows: int) -> None:
    backend = conn.dialect.name
    millis = max(1, int(timeout * 1000))
    if backend == "postgresql":
        if read_only:
            conn.execute(text("SET TRANSACTION READ ONLY"))
        conn.execute(text(f"SET LOCAL statement_timeout = {millis}"))
    elif backend in ("mysql", "mariadb"):
        # sql_select_limit: the server sends at most max_rows rows of a SELECT that has no LIMIT of its own.
        if getattr(conn.dialect, "is_mariadb", False):
            conn.execute(text(f"SET SESSION max_statement_time = {timeout:.3f}, sql_select_limit = {int(max_rows)}"))
        else:
            conn.execute(text(f"SET SESSION max_execution_time = {millis}, sql_select_limit = {int(max_rows)}"))
        if read_only:
            conn.execute(text("SET SESSION TRANSACTION READ ONLY"))
            conn.rollback()  # let the next transaction start under the read-only setting
    elif backend == "sqlite":
        conn.execute(text(f"PRAGMA busy_timeout = {millis}"))  # a lock held elsewhere waits no longer either
        if read_only:
            conn.execute(text("PRAGMA query_only = ON"))


# DB-API type codes of bit strings: MariaDB's BIT, PostgreSQL's bit and varbit (OIDs).
_BIT_TYPES = {"mysql": {16}, "mariadb": {16}, "postgresql": {1560, 1562}}


def _fetch(result: CursorResult[Any], max_rows: int) -> list[dict[str, Any]]:
    keys = [str(key) for key in result.keys()]
    bit_codes = _BIT_TYPES.get(result.context.dialect.name, set())
    description = (result.cursor.description if result.cursor is not None else None) or []
    bits = [column[1] in bit_codes for column in description]
    bits += [False] * (len(keys) - len(bits))
    return [
        {key: _bits(value) if bit else _plain_value(value) for key, bit, value in zip(keys, bits, row, strict=True)}
        for row in result.fetchmany(max_rows)
    ]


def _bits(value: Any) -> Any:
    """A bit string as the number it spells (BIT(1): 0 or 1). PyMySQL gives bytes, psycopg the text '0101'."""
    if isinstance(value, bytes | bytearray | memoryview):
        return int.from_bytes(bytes(value), "big")
    if isinstance(value, str):
        return int(value, 2) if value else 0
    return _plain_value(value)


def _plain_value(value: Any) -> Any:
    """Values a scenario variable can hold and a trace can store as JSON (the SQL block's docstring lists them)."""
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            return _non_finite(value.is_nan(), value.is_signed())
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else _non_finite(math.isnan(value), value < 0)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _duration_text(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, list | tuple):
        return [_plain_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain_value(item) for key, item in value.items()}
    return value


def _non_finite(nan: bool, negative: bool) -> str:
    """JSON has no NaN or infinity: a variable holds the words PostgreSQL writes for them."""
    return "NaN" if nan else "-Infinity" if negative else "Infinity"


def _duration_text(value: dt.timedelta) -> str:
    """A MariaDB TIME (or a PostgreSQL interval) as PostgreSQL writes a time: HH:MM:SS[.ffffff], the hours past
    24 and a leading minus when MariaDB's TIME is (it spans -838:59:59 to 838:59:59)."""
    micros = value // dt.timedelta(microseconds=1)
    sign, micros = ("-" if micros < 0 else ""), abs(micros)
    seconds, micro = divmod(micros, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{sign}{hours:02d}:{minute:02d}:{second:02d}" + (f".{micro:06d}" if micro else "")
