"""A throwaway PostgreSQL database for the benchmarks' `--postgres URL`: made on that server, dropped after."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import psycopg
from sqlalchemy.engine import make_url


@contextlib.contextmanager
def throwaway_postgres(server: str, prefix: str = "ivrgraph_bench") -> Iterator[str]:
    """A new database on the PostgreSQL server at `server` (any driver in the URL), named `prefix` and a random
    suffix; yields its SQLAlchemy URL (psycopg), and drops it, connections and all, when done."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    libpq = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
