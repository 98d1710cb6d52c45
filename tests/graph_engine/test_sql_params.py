"""graph_engine.sql_params: which `:name`s a SQL block's query binds, and what it refuses (reviewed on 2026-12-04)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from graph_engine.sql_params import parse_query


def test_parameters_outside_quotes_and_comments_in_order() -> None:
    parsed = parse_query("SELECT a::int, '10:30', \"x:y\" FROM t WHERE b = :b AND d = :d AND e = :b -- note")
    assert parsed.names == ("b", "d")
    assert parsed.problems == ()
    # text() binds exactly ours: every other colon is escaped, quotes and comments kept as written.
    assert parsed.bind_text == (
        "SELECT a\\:\\:int, '10\\:30', \"x\\:y\" FROM t WHERE b = :b AND d = :d AND e = :b -- note"
    )


def test_a_postgresql_cast_right_after_a_parameter() -> None:
    parsed = parse_query("SELECT name FROM staff WHERE phone = :caller_id::text")
    assert (parsed.names, parsed.problems) == (("caller_id",), ())
    assert parsed.bind_text == "SELECT name FROM staff WHERE phone = :caller_id\\:\\:text"


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("SELECT 1 WHERE a = :a AND b <> 'blocked :a'", ":a inside quotes is never bound"),
        ('SELECT 1 WHERE a = :a AND b <> "blocked :a"', ":a inside quotes is never bound"),
        ("SELECT 1 WHERE a = :a -- :b", ":b inside a comment is never bound"),
        ("SELECT 1 WHERE a = :a # :b", ":b inside a comment is never bound"),  # MySQL's comment
        ("SELECT 1 /* :b */ WHERE a = :a", ":b inside a comment is never bound"),
        ("SELECT $$ :b $$ WHERE a = :a", ":b inside quotes is never bound"),
        ("SELECT 'it\\'s' WHERE a = :a", "a backslash inside"),
        ("SELECT 'open WHERE a = :a", "a quoted string is not closed"),
        ("SELECT 1 /*! INTO OUTFILE '/tmp/x' */", "MySQL and MariaDB run a /*! ... */ comment as SQL"),
        # Review of 2026-12-05, each reproduced on MariaDB: a `:name` the parser saw outside quotes sat inside a
        # literal there, and PyMySQL pasted the caller's value into it.
        ("SELECT 1 /*M! INTO OUTFILE '/tmp/x' */", "MySQL and MariaDB run a /*! ... */ comment as SQL"),
        ("SELECT n FROM s WHERE p = '0' --'\n OR p = :caller_id --'", "-- starts a comment only when a space"),
        ("SELECT n AS $a$, '$a$ FROM s WHERE p = :caller_id -- '", "$$ quoting makes a string on PostgreSQL only"),
        ("SELECT 1 /* a /* b */ WHERE a = :a */", "a /* inside a comment"),
        ("SELECT 1 # note", "# starts a comment on MySQL only"),
        ("SELECT :naméx", "parameter :nam runs into 'é'"),
    ],
)
def test_what_reads_differently_on_some_database_is_refused(query: str, problem: str) -> None:
    assert any(found.startswith(problem) for found in parse_query(query).problems), parse_query(query).problems


def test_quoted_text_and_comments_are_not_statements() -> None:
    parsed = parse_query("SELECT ';', '--', 'it''s' /* ; */ FROM t -- ;\nWHERE a = :a")
    assert parsed.code == "SELECT '', '', ''   FROM t  \nWHERE a = :a"
    assert parsed.problems == ()


@given(st.text(max_size=80))
def test_any_text_gives_names_that_bind_exactly(query: str) -> None:
    """Whatever the query, each name found appears in bind_text as `:name` not followed by a word character or
    a colon (so SQLAlchemy binds exactly that name), and every other colon there is escaped. A query with
    problems is refused before it runs (';:A¹', a name running into a character no database reads alike), so
    how it would bind does not matter."""
    parsed = parse_query(query)
    assume(not parsed.problems)
    text = parsed.bind_text
    unescaped = [i for i, char in enumerate(text) if char == ":" and (i == 0 or text[i - 1] != "\\")]
    for index in unescaped:
        rest = text[index + 1 :]
        name = next((n for n in parsed.names if rest.startswith(n)), None)
        assert name is not None, (query, text)
        after = rest[len(name) : len(name) + 1]
        assert not (after.isalnum() or after == "_")


def test_a_bare_double_dash_ending_a_line_or_the_query_is_a_comment_everywhere() -> None:
    for query in ("SELECT 1 --", "SELECT 1 --\nFROM t WHERE a = :a", "SELECT 1 --\tnote"):
        assert parse_query(query).problems == (), query
