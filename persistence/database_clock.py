"""The database's current time, as a column's server default: what a row written without that column gets.

A default cannot be one SQL text for every backend: PostgreSQL has `clock_timestamp()`, SQLite only its date
functions, and a `DateTime` column on SQLite is text in SQLAlchemy's format (UTC, six fractional digits), which
the default must match for its values to sort and read back like the ones the code writes. Migration 0018 sets
the same expressions on the databases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class DatabaseNow(FunctionElement[datetime]):
    """The moment the database runs the statement (not the transaction's start: `now()` would stamp a long
    transaction's rows with its beginning)."""

    type = DateTime(timezone=True)  # read through the column's own type (persistence.models.UtcDateTime)
    inherit_cache = True


@compiles(DatabaseNow, "sqlite")
def _sqlite_now(_element: DatabaseNow, _compiler: SQLCompiler, **_kw: Any) -> str:
    # SQLite's %f is seconds with milliseconds ("05.123"): three zeros make SQLAlchemy's six digits.
    return "strftime('%Y-%m-%d %H:%M:%f000', 'now')"


@compiles(DatabaseNow)
def _postgres_now(_element: DatabaseNow, _compiler: SQLCompiler, **_kw: Any) -> str:
    return "clock_timestamp()"
