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

A text searched on a large table is folded once instead, as it is written (`fold`, the Python rule SQLite applies),
and kept in a column of its own that an index can serve: the call register's caller names (`folded_contains`;
review at 100,000 calls: the translate() of every row read the whole register, 1.8-6.9 s for a name found nowhere).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any, Final

from sqlalchemy import ColumnElement, SQLColumnExpression
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


# Turkish İ: casefold() makes it "i̇" (i and a combining dot), which "i" typed is not a part of; PostgreSQL's lower()
# under a real locale made it "i", which a name search there found before the names were folded in Python.
_DOTTED_CAPITAL_I: Final = str.maketrans({"İ": "i"})


def normalised(text: str) -> str:
    """`text` in Unicode's compatibility composed form (NFKC): one way of writing each letter. A macOS keyboard
    sends "Zoë" as Z, o, e and a combining diaeresis, which a name stored "Zoë" (one letter ë) does not hold
    (security review); NFKC also reads full-width letters (Ｐｅｔｒｏｖａ) and ligatures (ﬁ) as the plain ones."""
    return unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    """`text` as a search compares it: one way of writing each letter (`normalised`), case-folded in every
    alphabet (Python's casefold), ё as е, İ as i. What SQLite's `ivrgraph_fold` makes of a column, and what a
    column kept folded holds (`folded_contains`).

    Normalised again after casefold, which writes a few letters as a letter and a combining mark (ǰ), so a
    folded text is composed as a typed one is."""
    return normalised(normalised(text).translate(_DOTTED_CAPITAL_I).casefold()).translate(_DOTS_DROPPED)


def _fold(text: str | None) -> str | None:
    return None if text is None else fold(text)


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


def _anywhere(typed: str) -> str:
    """A LIKE pattern of `typed` anywhere in a text, "%", "_" and "\\" read as themselves (escaped by "\\")."""
    return "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def contains(column: Any, typed: str) -> ColumnElement[bool]:
    """`column` holds `typed` anywhere, folded as above on both sides, and "%", "_" and "\\" read as themselves (a
    LIKE pattern escaped): what the scenario search asks, and the register's of a name not stored folded."""
    return folded(column).like(folded(_anywhere(typed)), escape="\\")


def folded_contains(folded_column: SQLColumnExpression[str | None], typed: str) -> ColumnElement[bool]:
    """`folded_column`, a column that holds its text as `fold` made it, holds `typed` anywhere, folded the same way;
    "%", "_" and "\\" read as themselves. A plain LIKE of the column: what a trigram index (PostgreSQL's pg_trgm)
    answers, and on SQLite no function called for each row."""
    return folded_column.like(_anywhere(fold(typed)), escape="\\")
