# ruff: noqa: RUF001, RUF002, RUF003  -- Cyrillic letters are what this module folds, not look-alike Latin ones
"""Case-insensitive text search that folds every alphabet, on SQLite as on PostgreSQL, whatever its locale.

SQLite's own lower() and LIKE fold ASCII letters only, so "меню" did not find "Меню поддержки" there. Each SQLite
connection gets `ivrgraph_fold` (Python's casefold), and `folded(x)` compiles to it on SQLite.

PostgreSQL's lower() follows the database's LC_CTYPE: a database created with LC_CTYPE 'C' (a common choice for
speed, and the default of some images) folds ASCII only, so "напоминание" did not find "Напоминание" there
(review of a Russian contact centre). `folded(x)` compiles there to lower() and then translate() of every other
capital of Latin, Greek and Cyrillic to its small letter: translate() maps characters as given, without the
locale, so the search folds the same under any LC_CTYPE (under a real locale lower() has done it already and
translate() finds nothing left). The same query runs on every database, with no migration and no extension.

Both fold ё to е (and Ё): Russians type "прием" for "приём", and most Russian text is written without the dots.
Both sides of a search are folded (`folded(column).like(folded(pattern))`), so the pattern is folded the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from sqlalchemy import ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

SQLITE_FOLD = "ivrgraph_fold"
# Letters written with their dots or without: folded to the one people type.
_DOTS_DROPPED: Final = str.maketrans({"ё": "е", "Ё": "е"})
# Latin-1 Supplement and Latin Extended-A and -B (ñ, ç, ü, ł...), Greek and Coptic, Cyrillic and its Supplement
# (Kazakh's Ә Ғ Қ Ң Ө Ұ Ү Һ І, Ukrainian's Є Ї Ґ): the capitals whose small letter is one character.
_ALPHABETS: Final = (range(0x00C0, 0x0250), range(0x0370, 0x0530))


def _capitals(alphabets: Iterable[range]) -> tuple[str, str]:
    """The capitals of `alphabets` and their small letters, as translate()'s two strings; е for Ё and ё too."""
    letters = (chr(code) for codes in alphabets for code in codes)
    pairs = {letter: letter.lower() for letter in letters if len(letter.lower()) == 1}
    folded = {letter: small.translate(_DOTS_DROPPED) for letter, small in pairs.items()}
    folded["ё"] = "е"
    changed = {letter: small for letter, small in folded.items() if letter != small}
    return "".join(changed), "".join(changed.values())


_FROM, _TO = _capitals(_ALPHABETS)


def _fold(text: str | None) -> str | None:
    """`text` as a search compares it on SQLite: case-folded in every alphabet, ё as е."""
    return None if text is None else text.casefold().translate(_DOTS_DROPPED)


def register_sqlite_fold(dbapi_connection: Any) -> None:
    """Offer `ivrgraph_fold` on a new SQLite connection (deterministic: the same text always folds the same)."""
    dbapi_connection.create_function(SQLITE_FOLD, 1, _fold, deterministic=True)


class folded(FunctionElement[str]):
    """`x` case-folded for a LIKE that ignores case in every alphabet, and ё as е."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(folded)
def _folded(element: folded, compiler: Any, **kw: Any) -> str:
    # The two strings are ours, letters only (no quote, no "%" the driver would read as a parameter): written into
    # the statement as they are, they keep it one cached statement with the search's own parameters alone.
    return f"translate(lower({compiler.process(element.clauses, **kw)}), '{_FROM}', '{_TO}')"


@compiles(folded, "sqlite")
def _folded_on_sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"


def contains(column: Any, typed: str) -> ColumnElement[bool]:
    """`column` holds `typed` anywhere, folded as above on both sides, and "%", "_" and "\\" read as themselves (a
    LIKE pattern escaped): what the scenario search and the register's name search ask."""
    pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return folded(column).like(folded(pattern), escape="\\")
