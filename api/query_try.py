"""The SQL block's "Try query": its query run once against its configured data source, before any call does.

A typo'd table passed validation, the scenario test (on rows the editor typed) and publishing; the first real call
took the error exit (review of a Twilio Studio migration). Trying it shows the database's own answer in the designer.

Only a reading query is tried (persistence.datasources.is_read_statement): a write runs only in a call, never from
an editor's button. And even a query that reads runs in a read-only transaction that is rolled back, whatever the
source's own setting, so a function a SELECT calls cannot write either. The query goes through the SQL block's own
service (`DatabaseDataSources.query`): the same bound parameters, timeout, row cap and named failures. It runs on a
service of its own, made for the try and closed after it, so it reads the source's settings as they are now and
keeps no connection.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from api.personal_data import masked_value
from api.schemas import DataSourceTry, DataSourceTryFailure
from graph_engine.errors import DataSourceError
from graph_engine.sql_params import parse_query
from persistence.datasources import DatabaseDataSources, is_read_statement
from persistence.db import Database

TRY_TIMEOUT = 3.0  # seconds: the SQL block's default timeout
TRY_ROWS = 5  # enough to see what comes back; the rest stay on the server


async def try_query(
    *, database: Database, source: str, query: str, params: Mapping[str, Any], sees_personal_data: bool
) -> DataSourceTry:
    """Every outcome, answered or named: a write refused (`sql_try_writes`), parameters without a value
    (`sql_try_params_missing`), or the SQL block's own failures (`sql_query_failed` with the database's words)."""
    started = time.monotonic()

    def failed(code: str, message: str, named: Mapping[str, Any]) -> DataSourceTry:
        failure = DataSourceTryFailure(code=code, params=dict(named), message=message)
        return DataSourceTry(ok=False, failure=failure, elapsed_ms=int((time.monotonic() - started) * 1000))

    parsed = parse_query(query)
    if parsed.problems:  # as the block's service says it, before asking whether it writes (it cannot tell then)
        detail = parsed.problems[0]
        return failed(
            "sql_query_refused",
            f"query on data source {source!r} refused: {detail}",
            {"source": source, "detail": detail},
        )
    if not is_read_statement(query):
        return failed(
            "sql_try_writes",
            "only a reading query can be tried; a writing one runs only in a call",
            {"source": source},
        )
    missing = [name for name in parsed.names if name not in params]
    if missing:
        return failed(
            "sql_try_params_missing",
            f"type a value for each parameter of the query: {', '.join(missing)}",
            {"source": source, "names": missing},
        )
    tries = DatabaseDataSources(database, pool_size=1, per_source=1, every_source_read_only=True)
    try:
        rows = await tries.query(source, query, params, timeout=TRY_TIMEOUT, max_rows=TRY_ROWS)
    except DataSourceError as error:
        return failed(error.code or "data_source_failed", str(error), {"source": source, **error.params})
    finally:
        tries.close()  # a query still stuck on a frozen server lets its connection go when its driver does
    shown = rows if sees_personal_data else [{key: masked_value(value) for key, value in row.items()} for row in rows]
    return DataSourceTry(
        ok=True,
        columns=list(rows[0]) if rows else None,
        rows=shown[:TRY_ROWS],
        elapsed_ms=int((time.monotonic() - started) * 1000),
    )
