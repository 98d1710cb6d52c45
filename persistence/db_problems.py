"""What a command says when the database does not do what it asked: out of reach, or reached and refusing.

Disaster-recovery drill: a pg_restore run as postgres left every table owned by postgres, and `ivrgraph db upgrade`
then said "cannot reach the database: permission denied for table alembic_version". The server had answered: its
answer was that the application's role may not use the table. An administrator told "cannot reach" looks at the
network and the firewall; told what the server refused, at the role's privileges.
"""

from __future__ import annotations

import sqlite3
from typing import Final

# PostgreSQL's SQLSTATE for a privilege the role lacks (permission denied for a table, a schema, a sequence).
INSUFFICIENT_PRIVILEGE: Final = "42501"
# SQLite's error names for a file the process may not write or open (Python 3.11+: `sqlite3.Error.sqlite_errorname`).
_SQLITE_REFUSALS: Final = frozenset({"SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN", "SQLITE_READONLY_DIRECTORY"})


def database_problem(error: BaseException) -> str:
    """One line for a command's error: "cannot reach the database: ..." for a database away, or "the database
    refused: ..." with where to look when it answered and refused (a privilege, a read-only file). The driver's own
    words follow, their first line (a statement and a link come after it)."""
    said = getattr(error, "orig", None) or error
    reason = next(iter(str(said).splitlines()), "") or type(said).__name__
    if getattr(said, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
        return (
            f"the database refused: {reason} (the database role of IVRGRAPH_DATABASE_URL lacks a privilege: "
            'it must own the tables; after a pg_restore, docs/operations.md, "Backups")'
        )
    if isinstance(said, sqlite3.Error) and getattr(said, "sqlite_errorname", "") in _SQLITE_REFUSALS:
        return f"the database refused: {reason} (the user running ivrgraph must own the database file and its folder)"
    return f"cannot reach the database: {reason}"
