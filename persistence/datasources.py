"""External databases the SQL block queries: their configuration rows and the `DataSources` service over them.

Safety, in layers: statements are `text()` with bound parameters only (the block never formats SQL); a
read-only source accepts one SELECT-like statement and also runs it in a read-only transaction that is
rolled back; every query has a server-side timeout, a client-side deadline and a row cap.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import re
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from graph_engine.errors import DataSourceError
from graph_engine.issues import Issue, error, warning
from graph_engine.sql_params import parse_query
from persistence.db import POSTGRES_TIMEOUTS, Database, normalize_url
from persistence.errors import AlreadyExists, InvalidDocument, NotFound
from persistence.models import DataSource, utcnow

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
_READ_VERBS = frozenset({"select", "with", "show", "values", "explain", "describe", "desc", "table"})
_CONFIG_TTL = 30.0  # seconds a node trusts its cached copy of a source's settings
_RETRY = 5.0  # seconds before settings that could not be re-read are tried again
QUERY_WORKERS = 16  # SQL block queries in flight at once per process; more wait their turn within their timeout

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
        raise InvalidDocument(problems)
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
    if not bare or ";" in bare:
        return False
    first = bare.split(None, 1)[0].lower().lstrip("(")
    if first not in _READ_VERBS:
        return False
    # Data-modifying CTEs (`WITH x AS (DELETE ...)`) and SELECT ... INTO / FOR UPDATE still write or lock.
    return re.search(r"\b(insert|update|delete|merge|into|for\s+update|lock)\b", bare, re.IGNORECASE) is None


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


class DatabaseDataSources:
    """`graph_engine.services.DataSources` over the configured sources, one small engine (pool) per source."""

    def __init__(self, database: Database, *, pool_size: int = 5, workers: int = QUERY_WORKERS) -> None:
        self._database = database
        self._pool_size = pool_size
        self._sources: dict[str, _Source] = {}
        self._lock = threading.Lock()
        # Threads of their own: a query to a database that froze holds its thread until the driver gives up,
        # and in the loop's default executor such threads starved the call-record writer, scenario lookups and
        # the dialer (review of 2026-12-05). Here they can only hold up other SQL blocks, which time out.
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None

    async def query(
        self, source: str, sql: str, params: Mapping[str, Any], *, timeout: float, max_rows: int
    ) -> list[dict[str, Any]]:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="data-source")
        run = functools.partial(self._query, source, sql, dict(params), timeout, max_rows)
        try:
            # The server-side timeout normally fires first; this deadline covers a server that stopped answering.
            return await asyncio.wait_for(
                asyncio.get_running_loop().run_in_executor(self._executor, run), timeout + 2.0
            )
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
            connect_args = {"connect_timeout": 5, "read_timeout": 60, "write_timeout": 60}
        elif backend == "sqlite":
            connect_args = {"check_same_thread": False}
        try:
            return create_engine(url, pool_size=self._pool_size, pool_pre_ping=True, connect_args=connect_args)
        except TypeError:  # SQLite's pool takes no pool_size
            return create_engine(url, connect_args=connect_args)
        except (ArgumentError, ImportError) as error:
            raise DataSourceError(f"data source URL is not usable: {type(error).__name__}") from error

    def _query(
        self, name: str, sql: str, params: dict[str, Any], timeout: float, max_rows: int
    ) -> list[dict[str, Any]]:
        source = self._source(name)
        parsed = parse_query(sql)
        if parsed.problems:  # the block's validation says the same; a draft published before it must not run
            raise DataSourceError(f"query on data source {name!r} refused: {parsed.problems[0]}")
        if source.read_only and not is_read_statement(sql):
            raise DataSourceError(f"data source {name!r} is read-only: only one SELECT statement is allowed")
        try:
            with source.engine.connect() as conn:
                _limit_transaction(conn, timeout=timeout, read_only=source.read_only)
                # Exactly our parameters are bound: every other colon is escaped (graph_engine.sql_params).
                bound = {name: params[name] for name in parsed.names if name in params}
                result = conn.execute(text(parsed.bind_text), bound)
                rows = [_plain_row(row) for row in result.mappings().fetchmany(max_rows)] if result.returns_rows else []
                result.close()
                if source.read_only:
                    conn.rollback()
                else:
                    conn.commit()
                return rows
        except SQLAlchemyError as error:
            # The driver's message names the problem (syntax, missing column); the URL never appears in it.
            detail = str(getattr(error, "orig", None) or error).splitlines()[0][:300]
            raise DataSourceError(f"query on data source {name!r} failed: {detail}") from error


def _limit_transaction(conn: Connection, *, timeout: float, read_only: bool) -> None:
    backend = conn.dialect.name
    millis = max(1, int(timeout * 1000))
    if backend == "postgresql":
        if read_only:
            conn.execute(text("SET TRANSACTION READ ONLY"))
        conn.execute(text(f"SET LOCAL statement_timeout = {millis}"))
    elif backend in ("mysql", "mariadb"):
        if getattr(conn.dialect, "is_mariadb", False):
            conn.execute(text(f"SET SESSION max_statement_time = {timeout:.3f}"))
        else:
            conn.execute(text(f"SET SESSION max_execution_time = {millis}"))
        if read_only:
            conn.execute(text("SET SESSION TRANSACTION READ ONLY"))
            conn.rollback()  # let the next transaction start under the read-only setting
    elif backend == "sqlite" and read_only:
        conn.execute(text("PRAGMA query_only = ON"))


def _plain_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(key): _plain_value(value) for key, value in row.items()}


def _plain_value(value: Any) -> Any:
    """Values a scenario variable can hold and a trace can store as JSON."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value
