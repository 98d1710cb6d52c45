"""Case-insensitive text search that folds every alphabet, on SQLite as on PostgreSQL.

SQLite's own lower() and LIKE fold ASCII letters only, so "меню" did not find "Меню поддержки" there. Each SQLite
connection gets `ivrgraph_fold` (Python's casefold), and `folded(x)` compiles to it on SQLite and to lower() on
PostgreSQL, whose lower() follows the database's locale.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

SQLITE_FOLD = "ivrgraph_fold"


def _fold(text: str | None) -> str | None:
    return None if text is None else text.casefold()


def register_sqlite_fold(dbapi_connection: Any) -> None:
    """Offer `ivrgraph_fold` on a new SQLite connection (deterministic: the same text always folds the same)."""
    dbapi_connection.create_function(SQLITE_FOLD, 1, _fold, deterministic=True)


class folded(FunctionElement[str]):
    """`x` case-folded for a LIKE that ignores case in every alphabet."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(folded)
def _folded(element: folded, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _folded_on_sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"
