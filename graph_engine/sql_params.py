"""The named parameters of a SQL block's query (`:caller_id`), read one way for the block and the database layer.

A parameter is a `:name` in the SQL itself: outside quotes ('...', "...", `...`, $$...$$) and comments (--, #,
/* */). SQLAlchemy's `text()` knows nothing of quotes and would bind a `:name` inside a literal too, and MySQL's
driver pastes bound values into the SQL text on the client, so a caller's value bound inside a literal closes
the literal and becomes SQL. `parse_query` therefore hands `text()` a statement in which every colon that does
not start one of our parameters is escaped (`\\:`), and it refuses what reads differently on different databases:
a `:name` inside quotes or a comment, a backslash inside a quoted string (an escape on MySQL, a plain
character on PostgreSQL and SQLite), MySQL's `/*! ... */` and MariaDB's `/*M! ... */` (comments everywhere else,
run as SQL there), `--` with no space after it (two minus signs on MySQL), `#` (a comment on MySQL only),
`$tag$` quoting (a string on PostgreSQL only) and a `/*` inside a comment (PostgreSQL nests comments). Each of
those lets a `:name` that one reading sees outside quotes sit inside a literal on the database that runs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME_INSIDE: Final = re.compile(r"(?<![:\w]):[A-Za-z_]")  # what would be a parameter outside quotes
_DOLLAR_TAG: Final = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")  # PostgreSQL's $$ or $tag$ quoting
_QUOTES: Final = {"'": "quoted string", '"': "quoted identifier or string", "`": "quoted identifier"}


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    names: tuple[str, ...]  # parameters in order of first use
    bind_text: str  # for sqlalchemy.text(): our parameters as `:name`, every other colon escaped
    problems: tuple[str, ...]  # why the query cannot run safely; empty when it can
    code: str  # the SQL with quoted text as '' and comments as a space: what the database runs as statements

    @property
    def statements(self) -> str:
        """`code` without its surrounding blanks and final ';': a ';' left in it starts a second statement."""
        return self.code.strip().rstrip(";").strip()


@lru_cache(maxsize=1024)
def parse_query(query: str) -> ParsedQuery:
    """Read once per query text: a SQL block's call asks for it in the block, in the data source and in its
    read-only check, and a scenario's queries are the same on every call."""
    names: list[str] = []
    problems: list[str] = []
    out: list[str] = []
    code: list[str] = []
    index, length = 0, len(query)
    while index < length:
        char = query[index]
        quoted_end = _end_of_quoted(query, index)
        if quoted_end is not None:
            end, closed = quoted_end
            quoted = query[index:end]
            if not closed:
                problems.append(f"a {_QUOTES.get(char, 'dollar-quoted string')} is not closed")
            if char == "$":
                problems.append("$$ quoting makes a string on PostgreSQL only (MySQL reads $a$ as a name): use '...'")
            if char in "'\"" and "\\" in quoted:
                problems.append(
                    f"a backslash inside {quoted[:40]!r} reads as an escape on MySQL and as a plain character "
                    "elsewhere: write the value another way"
                )
            _note_names_inside(quoted, "quotes", problems)
            out.append(quoted.replace(":", "\\:"))
            code.append("''")
            index = end
            continue
        comment_end = _end_of_comment(query, index)
        if comment_end >= 0:
            comment = query[index:comment_end]
            problem = _comment_problem(comment, query[comment_end : comment_end + 1])
            if problem is not None:
                problems.append(problem)
            _note_names_inside(comment, "a comment", problems)
            out.append(comment.replace(":", "\\:"))
            code.append(" ")
            index = comment_end
            continue
        if char == ":":
            name = _NAME.match(query, index + 1)
            before = query[index - 1] if index else ""
            after = query[name.end()] if name is not None and name.end() < length else ""
            if name is not None and not (before == ":" or before.isalnum() or before in "_\\"):
                if after.isalnum() or after == "_":
                    problems.append(f"parameter :{name.group()} runs into {after!r}: end its name with a space")
                elif name.group() not in names:
                    names.append(name.group())
                out.append(":" + name.group())
                code.append(":" + name.group())
                index = name.end()
                continue
            out.append("\\:")
            code.append(":")
            index += 1
            continue
        out.append(char)
        code.append(char)
        index += 1
    return ParsedQuery(tuple(names), "".join(out), tuple(dict.fromkeys(problems)), "".join(code))


def _end_of_quoted(query: str, start: int) -> tuple[int, bool] | None:
    """(index just past the quoted text starting at `start`, whether it is closed); None: no quote starts here.
    A doubled quote character inside is part of the text."""
    char = query[start]
    if char == "$":
        if start and (query[start - 1].isalnum() or query[start - 1] == "_"):
            return None  # MySQL allows $ inside identifiers: a$b$ is a name, not a quote
        tag = _DOLLAR_TAG.match(query, start)
        if tag is None:
            return None
        close = query.find(tag.group(), tag.end())
        return (len(query), False) if close < 0 else (close + len(tag.group()), True)
    if char not in _QUOTES:
        return None
    position = start + 1
    while True:
        close = query.find(char, position)
        if close < 0:
            return len(query), False
        if query.startswith(char * 2, close):
            position = close + 2
            continue
        return close + 1, True


def _end_of_comment(query: str, start: int) -> int:
    if query.startswith("--", start) or query[start] == "#":  # '#' is MySQL's comment (PostgreSQL's XOR)
        newline = query.find("\n", start)
        return len(query) if newline < 0 else newline
    if query.startswith("/*", start):
        close = query.find("*/", start + 2)
        return len(query) if close < 0 else close + 2
    return -1


def _comment_problem(comment: str, after: str) -> str | None:
    """Why this comment reads differently on some database, or None. `after`: the character that ends it."""
    if comment.startswith(("/*!", "/*M!")):
        return "MySQL and MariaDB run a /*! ... */ comment as SQL: write it as SQL, or leave it out"
    if comment.startswith("/*") and "/*" in comment[2:]:
        return "a /* inside a comment: PostgreSQL nests comments, MySQL and SQLite end at the first */"
    if comment.startswith("--") and not (comment[2:3] or after or " ").isspace():
        return "-- starts a comment only when a space follows on MySQL (--x is two minus signs): write '-- '"
    if comment.startswith("#"):
        return "# starts a comment on MySQL only (an operator on PostgreSQL): use -- comments"
    return None


def _note_names_inside(text: str, where: str, problems: list[str]) -> None:
    found = _NAME_INSIDE.search(text)
    if found is not None:
        name = _NAME.match(text, found.start() + 1)
        assert name is not None
        problems.append(
            f":{name.group()} inside {where} is never bound: take it out of the {where.split()[-1]} or write the "
            "text without a colon before a letter"
        )
