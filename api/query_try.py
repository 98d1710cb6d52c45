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
- the database's words quoted a value the rows showed masked (`invalid input syntax for type integer:
  "123-45-6789"`): for a user without `sees_personal_data` they have their quoted text and long digit runs masked
  (`masked_failure_detail`), and the rows' values are `[hidden]`, without the length the engine's mask tells.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from sqlalchemy import select

from api.personal_data import masked_cell, record_access
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

_MYSQL_ERROR: Final = re.compile(r"\((\d+), (['\"])(.*)\2\)", re.DOTALL)  # PyMySQL's (code, "message")
_LONG_DIGITS: Final = re.compile(r"\d{4,}")


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
    """Every outcome, answered or named: over the user's budget (`sql_try_rate_limited`, `seconds`), tries not
    allowed on the source or no such source (`sql_try_not_allowed`), a write refused (`sql_try_writes`), a first
    word that is no SQL statement (`sql_try_unknown_statement`: `word`, `suggestion`), parameters
    without a value (`sql_try_params_missing`), or the SQL block's own failures (`sql_query_failed` with the
    database's words, `data_source_busy`, ...). Each try but one over budget leaves an audit event."""
    started = time.monotonic()

    def failed(code: str, message: str, named: Mapping[str, Any]) -> DataSourceTry:
        failure = DataSourceTryFailure(code=code, params=dict(named), message=message)
        return DataSourceTry(ok=False, failure=failure, elapsed_ms=int((time.monotonic() - started) * 1000))

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
            tried.rows = shown_rows(tried.rows, sees_personal_data=who.sees_personal_data)
        elif not who.sees_personal_data and tried.failure is not None:
            tried.failure = masked_failure(tried.failure)
    await asyncio.to_thread(_audit, database, who, source, query, tried)
    return tried


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
    with database.session() as session:
        record_access(session, who, action=TRY_ACTION, target=f"data_source:{source}", details=details)


# -- what is shown -----------------------------------------------------------------------------------------------


def shown_rows(rows: list[dict[str, Any]], *, sees_personal_data: bool) -> list[dict[str, Any]]:
    """Each value `[hidden]` for a user without the permission (api.personal_data.masked_cell: no length, which
    told a value's size); otherwise cut at VALUE_CHARS each and ANSWER_CHARS in all, the cut saying how much."""
    if not sees_personal_data:
        return [{key: masked_cell(value) for key, value in row.items()} for row in rows]
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


# -- failures as a user without personal data reads them ----------------------------------------------------------


def masked_failure(failure: DataSourceTryFailure) -> DataSourceTryFailure:
    """The database's words (`detail`, and the message that quotes them) with what they quote masked."""
    detail = failure.params.get("detail")
    if not isinstance(detail, str):
        return failure
    masked = masked_failure_detail(detail)
    message = failure.message.replace(detail, masked) if detail in failure.message else masked
    return failure.model_copy(update={"params": {**failure.params, "detail": masked}, "message": message})


def masked_failure_detail(detail: str) -> str:
    """A database's failure with each quoted text ('…', "…") as '…' and each run of 4 or more digits as …

    The quotes are where PostgreSQL and MariaDB put a value they could not use (`invalid input syntax for type
    integer: "123-45-6789"`, `XPATH syntax error: '~123-45-6789'`), the masked value a query made the database
    quote. The digit runs are a backstop for a value written unquoted (`date field value out of range:
    600111222-13-01`): a phone number, a card's, an SSN's last group are 4 digits or more, while the numbers a
    failure says of the query (a line, a position, a length) are mostly shorter and still show. A name quoted
    in the failure (a missing table) is masked too: the price of not telling a quoted value from a quoted name.
    Not everything: a query can still learn a bit at a time from whether it failed; that is what the audit is for.
    """
    wrapped = _MYSQL_ERROR.fullmatch(detail)
    if wrapped is not None:  # its own quotes around the message are not a value's
        code, quote, message = wrapped.groups()
        return f"({code}, {quote}{_masked_digits(_masked_quotes(message))}{quote})"
    return _masked_digits(_masked_quotes(detail))


def _masked_digits(text: str) -> str:
    return _LONG_DIGITS.sub("…", text)


def _masked_quotes(text: str) -> str:
    """Quoted text as '…'. A quote opens after a character that is not a letter or digit (the one of "doesn't"
    opens nothing) and closes before one (O'Brien's does not close); one left open masks the rest."""
    shown: list[str] = []
    at = 0
    while at < len(text):
        char = text[at]
        if char in "'\"" and (at == 0 or not text[at - 1].isalnum()):
            end = _closing(text, at + 1, char)
            shown.append("'…'" if end is not None else "'…")
            at = len(text) if end is None else end + 1
            continue
        shown.append(char)
        at += 1
    return "".join(shown)


def _closing(text: str, start: int, quote: str) -> int | None:
    for at in range(start, len(text)):
        if text[at] == quote and (at + 1 == len(text) or not text[at + 1].isalnum()):
            return at
    return None
