"""External databases the SQL block queries: their configuration rows and the `DataSources` service over them.

Safety, in layers: statements are `text()` with bound parameters only (the block never formats SQL); a
read-only source accepts one SELECT-like statement and also runs it in a read-only transaction that is
rolled back; every query has a server-side timeout (SQLite's: a progress handler that interrupts it), a
client-side deadline (MariaDB's socket reads give up with it too) and a row cap. Rows past the cap are never
kept, and are not even sent: a server-side cursor on PostgreSQL, SQLite's stepwise cursor, and MariaDB's
`sql_select_limit` (except under a query's own larger LIMIT, which overrides it: then MariaDB sends the rest
until the statement's timeout, and its unbuffered cursor drops them as they come).

A frozen server fails its own SQL blocks, not every other source's, however many sources froze: each source's
queries run on threads of its own, at most QUERY_THREADS_PER_SOURCE at once, each started for one query and
ended with it. A query to a frozen server keeps its thread until the driver lets go, so a shared pool could not
keep this promise: any bounded pool is filled by enough frozen sources (two held all 16 threads of the one there
was, review of 2026-12-06). Threads stay bounded all the same: one per SQL block in flight (one per call at
most), QUERY_THREADS_PER_SOURCE per source, none for a source not queried now. Past its share, a source's query
waits its turn within its timeout and then fails with its own error ("busy"); the others are not slowed.

A source the latest published version of a live scenario queries cannot be deleted, nor made read-only under a
query of it that writes (`InUse`, as a scenario delete is): every call of that scenario would take the SQL
block's error exit. Drafts, older versions and deleted scenarios run no call and hold no source.

What a call's trace says of a failure names no account or host: a refused login says so in words, and the
driver's own message goes to the server log, where a line logged during a call names it (`call_id=`, from the
call's context: graph_engine.call_scope), query threads included.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import difflib
import functools
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import closing, contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

from sqlalchemy import Connection, CursorResult, Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from blocks.builtin.sql import SOURCE_NAME_PATTERN, QueryAnswer, SqlBlock
from graph_engine.call_scope import CallIdFilter
from graph_engine.errors import DataSourceError
from graph_engine.issues import Issue, error, node_params, warning
from graph_engine.sql_params import ParsedQuery, parse_query
from persistence.db import POSTGRES_TIMEOUTS, Database, check_connections_with_a_deadline, normalize_url
from persistence.errors import AlreadyExists, InUse, InvalidDataSource, NotFound
from persistence.models import DataSource, Scenario, ScenarioVersion, utcnow
from persistence.scenarios import LIVE

NAME_PATTERN = SOURCE_NAME_PATTERN  # the SQL block's: a scenario names only sources that can exist
_READ_VERBS = frozenset({"select", "with", "show", "values", "explain", "describe", "desc", "table"})
# The statements that are not reads, of MariaDB/MySQL, PostgreSQL and SQLite: a query that starts with one of these is
# SQL, only not one a read-only source runs. Any other first word makes no statement at all (a typo, `SELEC`), which
# is named as such rather than called a write (review by an Oktell user).
_OTHER_VERBS = frozenset(
    {
        *("insert", "update", "delete", "merge", "replace", "upsert", "create", "drop", "alter", "truncate", "rename"),
        *("grant", "revoke", "call", "exec", "execute", "do", "set", "reset", "lock", "unlock", "copy", "load"),
        *("handler", "begin", "start", "commit", "rollback", "savepoint", "release", "prepare", "deallocate", "end"),
        *(
            "abort",
            "xa",
            "analyze",
            "analyse",
            "vacuum",
            "reindex",
            "cluster",
            "comment",
            "refresh",
            "listen",
            "notify",
        ),
        *("unlisten", "discard", "declare", "fetch", "move", "close", "checkpoint", "optimize", "repair", "check"),
        *("checksum", "flush", "kill", "purge", "install", "uninstall", "use", "help", "import", "pragma", "attach"),
        *("detach", "security", "reassign", "signal", "resignal", "get", "backup", "binlog", "change", "cache"),
        *("shutdown", "restart"),
    }
)
SQL_VERBS = _READ_VERBS | _OTHER_VERBS
_CONFIG_TTL = 30.0  # seconds a node trusts its cached copy of a source's settings
_RETRY = 5.0  # seconds before settings that could not be re-read are tried again
QUERY_THREADS_PER_SOURCE = 8  # one source's queries in flight at once per process; more wait within their timeout
_SHARE_POLL = 0.02  # seconds between looks for a free place in a busy source's share of the threads
_MYSQL_IO_TIMEOUT = 5.0  # seconds a MariaDB socket read or write may wait outside a query (handshake, ping)
_SQLITE_STEPS = 1000  # SQLite virtual-machine steps between two looks at the clock

log = logging.getLogger(__name__)
log.addFilter(CallIdFilter())  # a warning during a call names it, as the host's own lines do
_T = TypeVar("_T")


# -- configuration rows ------------------------------------------------------------------------


def _check(name: str, url: str) -> str:
    problems = []
    if not re.fullmatch(NAME_PATTERN, name):
        problems.append({"path": "$.name", "message": f"{name!r} does not match {NAME_PATTERN}"})
    problem = url_problem(url)
    if problem is not None:
        problems.append({"path": "$.url", "message": problem})
    if problems:
        raise InvalidDataSource(problems)
    return normalize_url(url)


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a data source's URL, in words that never quote it (it holds a password); None when it
    can. Saving refuses such a URL; a connection check answers `bad_url` (persistence.datasource_check)."""
    if _raw_at_sign(url):
        return _RAW_AT_SIGN
    try:
        normalize_url(url)
    except (ArgumentError, ValueError):
        return "not a database URL (e.g. postgresql://user:pass@host/db)"
    return None


_RAW_AT_SIGN = (
    "the URL has more than one '@' before its host: an '@' in the user name or password must be percent-encoded,"
    " as %40 (postgresql://crm:p%40ss@db.local/crm); so must ':', '/', '?', '#' and '%' there"
)


def _raw_at_sign(url: str) -> bool:
    """Whether an '@' of the user name or password was typed as is. The URL parser ends the password at the first
    '@' and takes the rest into the host (`crm:p@ss@db.local`: host `ss@db.local`), so every call failed to
    connect, and the password-free target the API shows held part of the password. SQLite's URL has no host:
    an '@' there is its file's name."""
    scheme, _, rest = url.partition("://")
    if scheme.split("+", 1)[0].strip().lower() == "sqlite":
        return False
    return rest.split("?", 1)[0].count("@") > 1


def create_data_source(
    session: Session,
    *,
    name: str,
    url: str,
    read_only: bool = True,
    description: str = "",
    tries_allowed: bool | None = None,
) -> DataSource:
    """`tries_allowed` (the designer's "Try query" on it) defaults to `read_only`: a writable source's account may
    read what editors should not (migration 0031 set sources stored before it alike)."""
    allowed = read_only if tries_allowed is None else tries_allowed
    source = DataSource(
        name=name, url=_check(name, url), read_only=read_only, description=description, tries_allowed=allowed
    )
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
    tries_allowed: bool | None = None,
) -> DataSource:
    source = get_data_source(session, source_id=source_id)
    if tries_allowed is not None:
        source.tries_allowed = tries_allowed
    if url is not None:
        source.url = _check(source.name, url)
    if read_only and not source.read_only:
        _refuse_read_only_under_published_writes(session, source.name)
    if read_only is not None:
        source.read_only = read_only
    if description is not None:
        source.description = description
    source.updated_at = utcnow()
    session.flush()
    return source


def delete_data_source(session: Session, *, source_id: int) -> None:
    """Refused (`InUse`) while the published scenarios query the source: every call would fail its SQL block."""
    source = get_data_source(session, source_id=source_id)
    users = sorted(_published_queries(session, source.name))
    if users:
        raise InUse("data source", source.name, [f"scenario {slug}" for slug in users])
    session.delete(source)


def _refuse_read_only_under_published_writes(session: Session, name: str) -> None:
    """`InUse` when a published query on source `name` writes: a read-only source refuses it at every call
    (publishing, `source_problems`, calls it an error by the same check)."""
    writers = sorted(
        slug for slug, queries in _published_queries(session, name).items() if not all(map(is_read_statement, queries))
    )
    if writers:
        refused = InUse("data source", name, [f"scenario {slug}" for slug in writers])
        named = ", ".join(refused.referred_by)
        # Not "still used by": scenarios that only read use it too, and do not stop it.
        refused.args = (f"data source {name!r} cannot be made read-only: published queries on it write, in: {named}",)
        raise refused


def _published_queries(session: Session, name: str) -> dict[str, list[str]]:
    """Slug -> the queries of its SQL blocks on source `name`, for each live scenario whose latest published
    version (the one its calls run) has any. Drafts, older versions and deleted scenarios run no call."""
    latest = (ScenarioVersion.scenario_id == Scenario.id) & (ScenarioVersion.number == Scenario.latest_version)
    found: dict[str, list[str]] = {}
    for slug, document in session.execute(
        select(Scenario.slug, ScenarioVersion.document).join(ScenarioVersion, latest).where(LIVE)
    ):
        queries = [str(config.get("query", "")) for config in _sql_configs(document) if config.get("source") == name]
        if queries:
            found[slug] = queries
    return found


def _sql_configs(document: Any) -> list[Mapping[str, Any]]:
    nodes = document.get("nodes") if isinstance(document, Mapping) else None
    nodes = nodes if isinstance(nodes, list) else []
    configs = [node.get("config") for node in nodes if isinstance(node, Mapping) and node.get("type") == "sql"]
    return [config for config in configs if isinstance(config, Mapping)]


def public_target(url: str) -> str:
    """Where a source points, without user, password or query options: safe to show."""
    parsed = make_url(url)
    # A URL stored before a raw '@' was refused (`_raw_at_sign`) has the end of its password in the host.
    host = f"{(parsed.host or '').rpartition('@')[2]}{f':{parsed.port}' if parsed.port else ''}"
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


# The first word after any opening brackets: a name (in any alphabet: `ВЫБРАТЬ` is a typo too), or else whatever
# stands there (`:caller_id`), cut so that a message quoting it stays short. `SELECT*FROM t` starts with SELECT.
_FIRST_WORD = re.compile(r"[\s(]*([^\W\d]\w{0,39}|[^\s()]{1,40})")


def _first_word(bare: str) -> str:
    """Lowercase, as the verb sets have it."""
    return _written_first_word(bare).lower()


def _written_first_word(bare: str) -> str:
    found = _FIRST_WORD.match(bare)
    return found.group(1) if found else ""


@dataclass(frozen=True, slots=True)
class UnknownStatement:
    """A query's first word, as written, that is no SQL statement; `suggestion`: the SQL verb close to it, if any."""

    word: str
    suggestion: str | None

    @property
    def params(self) -> dict[str, str]:
        return {"word": self.word} | ({"suggestion": self.suggestion} if self.suggestion else {})

    @property
    def words(self) -> str:
        """`begins with 'SELEC', which is not an SQL statement: did you mean SELECT?`, after "the query ..."."""
        meant = f": did you mean {self.suggestion}?" if self.suggestion else ""
        return f"begins with {self.word!r}, which is not an SQL statement{meant}"


def unknown_statement(sql: str) -> UnknownStatement | None:
    """The first word of `sql` (comments skipped) when it is no SQL verb, with the closest one; None for a query
    that starts with a statement, and for an empty one (the block's own checks say that)."""
    word = _written_first_word(parse_query(sql).statements)
    if not word or word.lower() in SQL_VERBS:
        return None
    # 0.75: SELEC, SELCT, UPDTE, DELET are found; a name typed where the verb was left out is not (`cliente` is
    # 0.62 from `listen`, `where` 0.6 from `merge`), where "did you mean LISTEN?" would mislead.
    close = difflib.get_close_matches(word.lower(), sorted(SQL_VERBS), n=1, cutoff=0.75)
    return UnknownStatement(word, close[0].upper() if close else None)


def source_problems(session: Session, document: Any) -> list[Issue]:
    """What the SQL blocks of `document` ask of the configured data sources: a source not configured (a
    warning: it may be added after publishing; until then the block takes its error exit), a query that
    writes on a read-only source (an error: it fails every call while the source stays read-only), and a query
    whose first word is no SQL statement (`sql_unknown_statement`, with the verb it is close to)."""
    nodes = document.get("nodes") if isinstance(document, Mapping) else None
    if not isinstance(nodes, list):
        return []
    sources: dict[str, bool] | None = None
    issues = []
    for index, node in enumerate(nodes):
        config = node.get("config") if isinstance(node, Mapping) and node.get("type") == "sql" else None
        if not isinstance(config, Mapping) or not isinstance(config.get("source"), str):
            continue
        if re.search(NAME_PATTERN, config["source"]) is None:  # no source can be so named: the block's schema
            continue  # makes it a validation error, which blocks publishing; "until it is configured" would mislead
        if sources is None:  # read once, and only for a document that has SQL blocks
            sources = {row.name: row.read_only for row in session.scalars(select(DataSource))}
        name, where, node_id = config["source"], f"$.nodes[{index}].config", str(node.get("id"))
        title = f'SQL "{node.get("label") or node_id}"'
        params = {**node_params("sql", SqlBlock.title, str(node.get("label") or node_id)), "source": name}
        if name not in sources:  # never the list of the others: only admins may see which sources exist
            issues.append(
                warning(
                    "sql_unknown_source",
                    f"{title}: data source {name!r} is not configured; until it is, the block takes its error exit",
                    node=node_id,
                    path=f"{where}.source",
                    params=params,
                )
            )
        query = str(config.get("query", ""))
        unknown = unknown_statement(query)
        if unknown is not None:
            # No statement at all, most likely a typo: said as one, not as a write. A read-only source runs only
            # the reading verbs, so there it can never run (an error, as a write is). A writable source's database
            # may know a verb this list does not (a newer server's, a vendor's own): a warning, which tells of the
            # likely typo without stopping a publisher who means it; so for a source not configured yet.
            issues.append(
                (error if sources.get(name) else warning)(
                    "sql_unknown_statement",
                    f"{title}: the query on data source {name!r} {unknown.words}",
                    node=node_id,
                    path=f"{where}.query",
                    params={**params, **unknown.params},
                )
            )
        elif sources.get(name) and not is_read_statement(query):
            issues.append(
                error(
                    "sql_writes_read_only",
                    f"{title}: data source {name!r} is read-only, and this query does more than read",
                    node=node_id,
                    path=f"{where}.query",
                    params=params,
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
    """The threads one source's queries run on: at most `limit` at once, each started for one query and ended with
    it, so a source not queried now has none. A thread counts until its query is done, not until its block gave
    up: a query to a frozen server keeps its place until the driver lets go. No other source takes these places."""

    def __init__(self, source: str, limit: int) -> None:
        self.source = source
        self.limit = limit
        self._busy = 0
        self._lock = threading.Lock()

    def start(self, work: Callable[[Callable[[_T], None]], _T]) -> Future[_T] | None:
        """`work` on a thread of this source's; None while all its places are taken. `work` is handed a function
        that answers the block before `work` returns (its answer is complete, and what is left is the driver's
        letting go, off the call's path); otherwise what it returns answers."""
        with self._lock:
            if self._busy >= self.limit:
                return None
            self._busy += 1
        future: Future[_T] = Future()
        # A daemon: a thread stuck on a frozen server must not hold the process at exit (calls no longer wait
        # for it: their blocks gave up at their deadline). In the caller's context: what it logs names the call
        # (graph_engine.call_scope), as a thread starts with an empty one.
        thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(self._run, work, future),
            name=f"data-source {self.source}",
            daemon=True,
        )
        try:
            thread.start()
        except BaseException:
            self._leave()
            raise
        return future

    def _run(self, work: Callable[[Callable[[_T], None]], _T], future: Future[_T]) -> None:
        if not future.set_running_or_notify_cancel():  # its block gave up before the thread ran
            self._leave()
            return

        def answer(result: _T) -> None:  # only this thread sets the future: a running one cannot be cancelled
            if not future.done():
                future.set_result(result)

        try:
            result = work(answer)
        except BaseException as failure:  # handed to the waiting block, as an executor's worker does
            self._leave()  # before the block hears of it: the next query finds the place free
            if future.done():
                log.info("data source %r: failed after its answer was given: %s", self.source, failure)
            else:
                future.set_exception(failure)
        else:
            self._leave()
            answer(result)

    def _leave(self) -> None:
        with self._lock:
            self._busy -= 1


class DatabaseDataSources:
    """`graph_engine.services.DataSources` over the configured sources, one small engine (pool) per source."""

    def __init__(
        self,
        database: Database,
        *,
        pool_size: int = 5,
        per_source: int | None = None,
        workers: int | None = None,
        every_source_read_only: bool = False,
    ) -> None:
        self._database = database
        # For a try from the designer (api/query_try.py): every source read-only, whatever its setting, so a query
        # runs in a transaction that refuses writes and is rolled back.
        self._every_source_read_only = every_source_read_only
        self._pool_size = pool_size
        self._sources: dict[str, _Source] = {}
        self._lock = threading.Lock()
        # Threads of their own, not the loop's default executor: a query to a database that froze holds its
        # thread until the driver gives up, and there such threads starved the call-record writer, scenario
        # lookups and the dialer (review of 2026-12-05). And a share of threads per source, not one pool for all:
        # two frozen sources filled the pool, each its half of it (review of 2026-12-06). `workers` is the older
        # way to size it, when a source had half of that pool.
        self._per_source = per_source or (max(1, workers // 2) if workers else QUERY_THREADS_PER_SOURCE)
        self._shares: dict[str, _Share] = {}

    async def query(
        self, source: str, sql: str, params: Mapping[str, Any], *, timeout: float, max_rows: int
    ) -> list[dict[str, Any]]:
        started = time.monotonic()
        share = self._shares.setdefault(source, _Share(source, self._per_source))
        ask = functools.partial(self._query, source, sql, dict(params), timeout, max_rows)
        # A query waits its turn within its timeout, then fails with its own error.
        while (future := share.start(ask)) is None:
            if time.monotonic() - started >= timeout:
                raise DataSourceError(
                    f"data source {source!r} is busy: {share.limit} queries to it are still running"
                    " (its server may be slow or not answering)",
                    code="data_source_busy",
                    params={"source": source, "running": share.limit},
                )
            await asyncio.sleep(_SHARE_POLL)
        try:
            # The block's promise: an answer within `timeout`, or its error exit then. The server-side timeout and
            # the driver's own limits (`_client_limits`) stop the query in its thread, which keeps its place in the
            # share until they do; the caller no longer waits for them (it waited 2 s past the timeout: chaos
            # review). A server that stopped answering is covered by this deadline alone.
            return await asyncio.wait_for(asyncio.wrap_future(future), started + timeout - time.monotonic())
        except TimeoutError as error:
            raise _timed_out(source, timeout) from error

    def forget(self, name: str | None = None) -> None:
        """Drop cached settings and connections (after an admin changed a source)."""
        with self._lock:
            names = [name] if name else list(self._sources)
            for key in names:
                cached = self._sources.pop(key, None)
                if cached is not None:
                    _retire(cached.engine)

    def close(self) -> None:
        self.forget()  # a thread still stuck on a frozen server is left behind: a daemon, it holds no exit

    def _source(self, name: str) -> _Source:
        with self._lock:
            cached = self._sources.get(name)
            if cached is not None and time.monotonic() - cached.loaded_at < _CONFIG_TTL:
                return cached
            try:
                with self._database.session() as session:
                    row = session.scalar(select(DataSource).where(DataSource.name == name))
                    if row is None:
                        raise DataSourceError(
                            f"data source {name!r} is not configured",
                            code="data_source_not_configured",
                            params={"source": name},
                        )
                    url, read_only = row.url, row.read_only or self._every_source_read_only
            except SQLAlchemyError as error:
                # Our own database is away, not the source: keep using the settings read before, look again soon.
                if cached is None:
                    raise DataSourceError(
                        f"data source {name!r}: its settings cannot be read now",
                        code="data_source_settings_unreadable",
                        params={"source": name},
                    ) from error
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
                    _retire(cached.engine)
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
        self,
        name: str,
        sql: str,
        params: dict[str, Any],
        timeout: float,
        max_rows: int,
        answer: Callable[[QueryAnswer], None],
    ) -> QueryAnswer:
        source = self._source(name)
        parsed = parse_query(sql)
        if parsed.problems:  # the block's validation says the same; a draft published before it must not run
            raise DataSourceError(
                f"query on data source {name!r} refused: {parsed.problems[0]}",
                code="sql_query_refused",
                params={"source": name, "detail": parsed.problems[0]},
            )
        reads = is_read_statement(sql)
        if source.read_only and not reads:
            raise DataSourceError(
                f"data source {name!r} is read-only: only one SELECT statement is allowed",
                code="data_source_read_only",
                params={"source": name},
            )
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
                # Closed whatever happens: a PostgreSQL server-side cursor left open when reading a value failed went
                # back to the pool with its connection, which a retired engine closes, and warned when collected
                # (CI, 2026-12-07: a ResourceWarning raised in whichever test the collector then ran in).
                # Unbuffered MariaDB: closing reads and drops what the server still sends, which sql_select_limit
                # keeps to nothing unless the query has a LIMIT of its own, and max_statement_time bounds.
                with closing(result):
                    rows = QueryAnswer(_fetch(result, max_rows)) if result.returns_rows else _affected(result)
                    if reads:
                        # Complete: the block has it now. Closing can take until the statement's timeout (MariaDB's
                        # unbuffered cursor drops what a LIMIT of the query's own lets through), and a reading
                        # statement has nothing to commit: the call goes on meanwhile.
                        answer(rows)
                if source.read_only:
                    conn.rollback()
                else:
                    conn.commit()
                return rows
        except SQLAlchemyError as error:
            timed_out = time.monotonic() - started >= timeout
            raise _query_failure(name, error, timeout=timeout if timed_out else None) from error


def _retire(engine: Engine) -> None:
    """Close `engine`'s connections: those in its pool now, and those queries still hold as they come back. A
    disposed pool takes them back and keeps them open, unreferenced, until the garbage collector: a source edited
    while calls query it (`forget`, at once under `ivrgraph serve`) left them so, and a query's thread may now
    outlive its call (it lets the driver go after the block's deadline or answer)."""
    retired = engine.pool
    engine.dispose()  # the engine's new pool copies the old one's listeners: the one below is added after
    event.listen(retired, "checkin", _close_on_return)
    retired.dispose()  # those returned between the two lines above


def _close_on_return(_dbapi_connection: Any, connection_record: Any) -> None:
    connection_record.close()


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
    kind = connect_failure_kind(error)
    if kind == "login":
        return DataSourceError(
            f"data source {name!r} refused the login: an administrator should check its user name and password",
            code="data_source_login_refused",
            params={"source": name},
        )
    if kind == "no_database":
        return DataSourceError(
            f"data source {name!r}: its database does not exist on the server",
            code="data_source_no_database",
            params={"source": name},
        )
    return DataSourceError(
        f"data source {name!r} cannot be reached now", code="data_source_unreachable", params={"source": name}
    )


def connect_failure_kind(error: SQLAlchemyError) -> Literal["login", "no_database", "other"]:
    """What a failure to connect was, by the driver's error code (MariaDB) or words (PostgreSQL): the login refused,
    the database missing on the server, or anything else (no server there, not answering). A call's trace and an
    admin's connection check (persistence.datasource_check) tell them apart alike."""
    detail = _driver_message(error)
    orig = getattr(error, "orig", None)
    code = orig.args[0] if orig is not None and orig.args and isinstance(orig.args[0], int) else None
    if code in _MYSQL_LOGIN or _PG_LOGIN.search(detail):
        return "login"
    if code == 1049 or _NO_DATABASE.search(detail):
        return "no_database"
    return "other"


def _query_failure(name: str, error: SQLAlchemyError, *, timeout: float | None) -> DataSourceError:
    """What a call's trace says of a query the database refused or failed: named `sql_query_failed`, with the
    source and the database's own message (`detail`), which alone stays in its words; the designer says the rest
    in the analyst's language (it read «сбой источника данных «staff_db»: query on data source 'staff_db' failed:
    (1146, ...)»)."""
    # The driver's message names the problem (syntax, missing column); the URL never appears in it, and an
    # account MariaDB names in a refusal (`SELECT command denied to user 'crm'@'host'`) is left out.
    detail = _driver_message(error)
    if timeout is not None:  # SQLite's "interrupted", MariaDB's lost connection: past the timeout, they mean that
        log.info("data source %r: query stopped at its timeout: %s", name, detail)
        return _timed_out(name, timeout)
    shown = _MYSQL_ACCOUNT.sub("its account", detail)
    if shown != detail:
        log.warning("data source %r: %s", name, detail)
    return DataSourceError(
        f"query on data source {name!r} failed: {shown}",
        code="sql_query_failed",
        params={"source": name, "detail": shown},
    )


def _timed_out(name: str, timeout: float) -> DataSourceError:
    """A query that got no answer within its timeout, named `data_source_timeout` (`source`, `seconds`)."""
    return DataSourceError(
        f"data source {name!r} did not answer within {timeout:g} s",
        code="data_source_timeout",
        params={"source": name, "seconds": timeout},
    )


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
        # money is written in lc_monetary's format ("1.234,50 €" under de_DE); C's is the one `_money` reads.
        conn.execute(text("SET LOCAL lc_monetary = 'C'"))
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


def _affected(result: CursorResult[Any]) -> QueryAnswer:
    """No rows, and how many the statement affected. SQLAlchemy asks MariaDB for the rows an UPDATE matched
    (CLIENT_FOUND_ROWS), as PostgreSQL and SQLite count them, not only those whose values changed. -1: the
    driver does not know (DDL, PostgreSQL's CALL)."""
    count = result.rowcount
    return QueryAnswer(rows_affected=count if count >= 0 else None)


# DB-API type codes of bit strings: MariaDB's BIT, PostgreSQL's bit and varbit (OIDs).
_BIT_TYPES = {"mysql": {16}, "mariadb": {16}, "postgresql": {1560, 1562}}
_PG_MONEY = 790  # PostgreSQL's money (OID): text in lc_monetary's format, which `_limit_transaction` makes C's
_MYSQL_TINY = 1  # MariaDB's TINYINT; with a display width of 1 (TINYINT(1)), its BOOLEAN


def _fetch(result: CursorResult[Any], max_rows: int) -> list[dict[str, Any]]:
    keys = [str(key) for key in result.keys()]
    backend = result.context.dialect.name
    description = (result.cursor.description if result.cursor is not None else None) or []
    readers = [_reader(backend, column) for column in description]
    readers += [_plain_value] * (len(keys) - len(readers))
    return [
        {key: read(value) for key, read, value in zip(keys, readers, row, strict=True)}
        for row in result.fetchmany(max_rows)
    ]


def _reader(backend: str, column: Sequence[Any]) -> Callable[[Any], Any]:
    """How a column's values become variables, by the type the driver's description gives it (its type code and,
    PyMySQL's, the display width as internal size): what the value alone does not tell."""
    type_code = column[1]
    if type_code in _BIT_TYPES.get(backend, set()):
        return _bits
    if backend == "postgresql" and type_code == _PG_MONEY:
        return _money
    if backend in ("mysql", "mariadb") and type_code == _MYSQL_TINY and column[3] == 1:
        return _flag
    return _plain_value


def _money(value: Any) -> Any:
    """PostgreSQL's money as the number it is (money() in a phrase refused "$1,234.50"). Under lc_monetary C the
    server writes "$1,234.50" and "-$1,234.50": two decimals, ',' between thousands."""
    if isinstance(value, str):
        try:
            return _plain_value(Decimal(value.replace("$", "").replace(",", "")))
        except InvalidOperation:
            return value  # not the C format after all: the text, as it came
    return _plain_value(value)


def _flag(value: Any) -> Any:
    """MariaDB's BOOLEAN (TINYINT(1)) as PostgreSQL's: true or false, so a Switch case `true` matches on both.
    Any value but 0 is true, as MariaDB's own IF() reads it."""
    return bool(value) if isinstance(value, int) else _plain_value(value)


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
