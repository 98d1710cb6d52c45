"""A PostgreSQL server for tests, found or made, and throwaway databases on it.

Order of preference: IVRGRAPH_TEST_POSTGRES_URL; a server answering on 127.0.0.1:5432; otherwise a private
cluster started with Debian's `initdb`/`pg_ctl` on a free port (installing the `postgresql` package through
apt-get when it is missing and we are root). The private cluster is stopped when the test process exits.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from persistence.db import Database
from persistence.models import Base
from tests.conftest import free_port

ENV = "IVRGRAPH_TEST_POSTGRES_URL"
LOCAL = "postgresql://postgres@127.0.0.1:5432/postgres"


class PostgresUnavailable(RuntimeError):
    pass


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _install_postgres() -> None:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise PostgresUnavailable("PostgreSQL is not installed and cannot be installed here (need root and apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "postgresql"], check=True, env=env)


def _start_private_cluster() -> str:
    if _pg_bin("initdb") is None:
        _install_postgres()
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise PostgresUnavailable("initdb/pg_ctl not found after installing postgresql")
    data = tempfile.mkdtemp(prefix="ivrgraph-pg-")
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: hand the cluster to the postgres user
        shutil.chown(data, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(
        [*run_as, initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"], check=True, capture_output=True
    )
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*run_as, pg_ctl, "-D", data, "-o", options, "-w", "-l", f"{data}/log", "start"],
        check=True,
        capture_output=True,
    )

    def stop() -> None:
        subprocess.run([*run_as, pg_ctl, "-D", data, "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(data, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


@cache
def server_url() -> str:
    """An administrative URL of a PostgreSQL server tests may create databases on."""
    configured = os.environ.get(ENV)
    if configured:
        if not _answers(configured):
            raise PostgresUnavailable(f"{ENV} is set but the server does not answer")
        return configured
    if _port_open("127.0.0.1", 5432) and _answers(LOCAL):
        return LOCAL
    return _start_private_cluster()


@contextmanager
def throwaway_database(prefix: str = "ivrgraph_test", *, c_locale: bool = False) -> Iterator[str]:
    """A new empty database (SQLAlchemy URL, psycopg 3 driver), dropped afterwards. `c_locale`: created with
    LC_COLLATE and LC_CTYPE 'C' (UTF-8 still), whose lower() folds ASCII letters only, as some servers are set up."""
    admin = server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    locale = " TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C' ENCODING 'UTF8'" if c_locale else ""
    with psycopg.connect(_libpq(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{locale}')  # name is ours: letters, digits, underscore
    try:
        yield make_url(admin).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_tables(database: Database) -> None:
    """Empty every table of a migrated PostgreSQL database (faster than a new database per test)."""
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
