"""The SQL block's "Try query": its query run once against its configured data source, before any call does.

A typo'd table passed validation, the scenario test (on rows the editor typed) and publishing; the first real call
took the error exit (review of a Twilio Studio migration). Trying it shows the database's own answer in the designer.

Only a reading query is tried (persistence.datasources.is_read_statement): a write runs only in a call, never from
an editor's button. And even a query that reads runs in a read-only transaction that is rolled back, whatever the
source's own setting, so a function a SELECT calls cannot write either. The query goes through the SQL block's own
service (`DatabaseDataSources.query`): the same bound parameters, timeout, row cap and named failures.

What the security review of 2026-12-07 found, and what holds it now:

- an editor's SQL ran at once with the source's account, which may read anything (`pg_shadow`, `LOAD_FILE`), where
  before it ran only once a publisher had published it: an admin allows tries per source (`tries_allowed`, by
  default on a read-only source only), a source that does not exist is refused in the same words as one where tries
  are off (`sql_try_not_allowed`: a guessed name tells nothing), and every try is in the audit log (`try_query`);
- each try made a service of its own, so 120 tries held 100 connections: one service for the whole process
  (`try_service`, on the app's Runtime) runs at most TRY_QUERIES_PER_SOURCE of them per source, the rest waiting
  within the timeout, then `data_source_busy`; and each user has a budget of tries (`sql_try_rate_limited`);
- a value of 150 MB came back whole: each value is cut at VALUE_CHARS and the answer at ANSWER_CHARS;
- a user without `sees_personal_data` read values as `[hidden]`, but NULL and "" as they were, and the database's
  words masked: 64 columns of `CASE WHEN <bit> THEN 'x' ELSE NULL END` read a card number in one request. Whatever
  running a chosen query tells (its values, which are NULL, how many rows, whether and how it failed) tells the
  data, so no mask holds: such a user may not try at all (`PersonalDataNeeded`, 403 `personal-data-needed`),
  refused before the source or the query is looked at, and the refusal is audited (within the user's budget of
  tries, so a script cannot fill the log).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, NoReturn

from sqlalchemy import select

from api.errors import PersonalDataNeeded
from api.personal_data import record_access
from api.rate_limit import RateLimit, TooManyRequests
from api.schemas import DataSourceTry, DataSourceTryFailure
from graph_engine.errors import DataSourceError
from graph_engine.sql_params import parse_query
from persistence.datasources import DatabaseDataSources, is_read_statement, unknown_statement
from persistence.db import Database
from persistence.models import DataSource
from persistence.users import Principal

TRY_TIMEOUT: Final = 3.0  # seconds: the SQL block's default timeout
TRY_ROWS: Final = 5  # enough to see what comes back; the rest stay on the server
TRY_QUERIES_PER_SOURCE: Final = 2  # tries running at once on one source, whoever asked: its server serves calls
VALUE_CHARS: Final = 1_000  # of one value shown; a longer one ends with how much was left out
ANSWER_CHARS: Final = 100_000  # of all the values of one answer together
TRY_ACTION: Final = "try_query"  # the audit event's action
RATE_LIMITED: Final = "sql_try_rate_limited"
NOT_ALLOWED_WORDS: Final = "an administrator has not allowed tries on this data source"
PERSONAL_DATA_NEEDED: Final = "personal_data_needed"
PERSONAL_DATA_WORDS: Final = "try queries against live databases"


def try_service(database: Database) -> DatabaseDataSources:
    """The process's one service for tries (create_app makes it, and closes it at shutdown): every source
    read-only, one pooled connection and TRY_QUERIES_PER_SOURCE queries at most per source."""
    return DatabaseDataSources(database, pool_size=1, per_source=TRY_QUERIES_PER_SOURCE, every_source_read_only=True)


async def try_query(
    *,
    database: Database,
    service: DatabaseDataSources,
    limit: RateLimit,
    who: Principal,
    source: str,
    query: str,
    params: Mapping[str, Any],
) -> DataSourceTry:
    """A user without `sees_personal_data` is refused (`PersonalDataNeeded`) before anything runs.

    Every other outcome, answered or named: over the user's budget (`sql_try_rate_limited`, `seconds`), tries not
    allowed on the source or no such source (`sql_try_not_allowed`), a write refused (`sql_try_writes`), a first
    word that is no SQL statement (`sql_try_unknown_statement`: `word`, `suggestion`), parameters
    without a value (`sql_try_params_missing`), or the SQL block's own failures (`sql_query_failed` with the
    database's words, `data_source_busy`, ...). Each try but one over budget leaves an audit event."""
    started = time.monotonic()

    def failed(code: str, message: str, named: Mapping[str, Any]) -> DataSourceTry:
        failure = DataSourceTryFailure(code=code, params=dict(named), message=message)
        return DataSourceTry(ok=False, failure=failure, elapsed_ms=int((time.monotonic() - started) * 1000))

    if not who.sees_personal_data:
        await _refuse_without_personal_data(database, limit, who, source, query)
    try:
        limit.take(str(who.user_id))
    except TooManyRequests as refused:  # not audited: a script over budget would fill the log
        seconds = refused.retry_after
        return failed(RATE_LIMITED, f"too many tries; try again in {seconds} s", {"source": source, "seconds": seconds})
    if not await asyncio.to_thread(_tries_allowed, database, source):
        tried = failed("sql_try_not_allowed", NOT_ALLOWED_WORDS, {"source": source})
    else:
        tried = await _run(service, source, query, params, failed)
        if tried.ok:
            tried.rows = shown_rows(tried.rows)
    await asyncio.to_thread(_audit, database, who, source, query, tried)
    return tried


async def _refuse_without_personal_data(
    database: Database, limit: RateLimit, who: Principal, source: str, query: str
) -> NoReturn:
    """Audited while within the user's budget of tries (a script past it would fill the log), refused always."""
    try:
        limit.take(str(who.user_id))
    except TooManyRequests:
        pass
    else:
        details = {"query": query, "rows": 0, "code": PERSONAL_DATA_NEEDED, "refused": True}
        await asyncio.to_thread(_record, database, who, source, details)
    raise PersonalDataNeeded(PERSONAL_DATA_WORDS)


Failed = Callable[[str, str, Mapping[str, Any]], DataSourceTry]


async def _run(
    service: DatabaseDataSources, source: str, query: str, params: Mapping[str, Any], failed: Failed
) -> DataSourceTry:
    parsed = parse_query(query)
    if parsed.problems:  # as the block's service says it, before asking whether it writes (it cannot tell then)
        detail = parsed.problems[0]
        return failed(
            "sql_query_refused",
            f"query on data source {source!r} refused: {detail}",
            {"source": source, "detail": detail},
        )
    unknown = unknown_statement(query)
    if unknown is not None:  # not run either: a word the check does not know could be anything, a write too
        return failed(
            "sql_try_unknown_statement",
            f"not tried: the query {unknown.words}",
            {"source": source, **unknown.params},
        )
    if not is_read_statement(query):
        return failed(
            "sql_try_writes", "only a reading query can be tried; a writing one runs only in a call", {"source": source}
        )
    missing = [name for name in parsed.names if name not in params]
    if missing:
        return failed(
            "sql_try_params_missing",
            f"type a value for each parameter of the query: {', '.join(missing)}",
            {"source": source, "names": missing},
        )
    started = time.monotonic()
    try:
        rows = await service.query(source, query, params, timeout=TRY_TIMEOUT, max_rows=TRY_ROWS)
    except DataSourceError as error:
        return failed(error.code or "data_source_failed", str(error), {"source": source, **error.params})
    return DataSourceTry(
        ok=True,
        columns=list(rows[0]) if rows else None,
        rows=rows[:TRY_ROWS],
        elapsed_ms=int((time.monotonic() - started) * 1000),
    )


def _tries_allowed(database: Database, source: str) -> bool:
    """False for a source that does not exist too: the answer must not tell a guessed name exists."""
    with database.session() as session:
        return bool(session.scalar(select(DataSource.tries_allowed).where(DataSource.name == source)))


def _audit(database: Database, who: Principal, source: str, query: str, tried: DataSourceTry) -> None:
    details: dict[str, Any] = {"query": query, "rows": len(tried.rows)}
    if tried.failure is not None:
        details["code"] = tried.failure.code
    _record(database, who, source, details)


def _record(database: Database, who: Principal, source: str, details: Mapping[str, Any]) -> None:
    with database.session() as session:
        record_access(session, who, action=TRY_ACTION, target=f"data_source:{source}", details=details)


# -- what is shown -----------------------------------------------------------------------------------------------


def shown_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each value cut at VALUE_CHARS and all of them at ANSWER_CHARS, the cut saying how much."""
    budget = ANSWER_CHARS
    shown: list[dict[str, Any]] = []
    for row in rows:
        kept: dict[str, Any] = {}
        for key, value in row.items():
            kept[key], used = _cut(value, min(VALUE_CHARS, budget))
            budget -= used
        shown.append(kept)
    return shown


def _cut(value: Any, room: int) -> tuple[Any, int]:
    """`value` as shown within `room` characters, and how many of them it took."""
    if value is None or isinstance(value, bool | float):
        return value, 0
    if isinstance(value, int):
        if value.bit_length() <= 3000:  # about 900 digits: well within Python's own limit for writing one
            return value, 0
        return f"…({value.bit_length() * 30103 // 100000 + 1} digits)", 0
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= room:
        return value, len(text)
    return f"{text[:room]}…({len(text) - room} more characters)", room
