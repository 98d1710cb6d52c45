"""A query whose first word is no SQL statement at all (a typo, `SELEC`) is named as such, with the closest SQL verb,
not called a write (review by an Oktell user: `SELEC nombre, vip FROM clientes ...` on a read-only MariaDB source
was reported as "does more than read")."""

from __future__ import annotations

from typing import Any

import pytest

from persistence.datasources import create_data_source, is_read_statement, source_problems, unknown_statement
from persistence.db import Database
from tests.conftest import make_document

TYPO = "SELEC nombre, vip FROM clientes WHERE telefono = :caller_id"


@pytest.mark.parametrize(
    ("sql", "word", "suggestion"),
    [
        (TYPO, "SELEC", "SELECT"),
        ("selct nombre FROM clientes", "selct", "SELECT"),
        ("-- busca al cliente\n/* VIP */ SELEC nombre FROM clientes", "SELEC", "SELECT"),
        ("(SELEC nombre FROM clientes)", "SELEC", "SELECT"),
        ("UPDTE clientes SET vip = 1", "UPDTE", "UPDATE"),
        ("nombre, vip FROM clientes", "nombre", None),  # the verb left out: no verb is close to a column's name
        ("ВЫБРАТЬ * FROM clientes", "ВЫБРАТЬ", None),
    ],
)
def test_a_first_word_that_is_no_sql_verb_is_named_with_the_closest_verb(
    sql: str, word: str, suggestion: str | None
) -> None:
    found = unknown_statement(sql)
    assert found is not None
    assert (found.word, found.suggestion) == (word, suggestion)
    assert not is_read_statement(sql)  # still never run on a read-only source: an unknown word could be anything


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT nombre FROM clientes WHERE telefono = :caller_id",
        "select nombre from clientes",
        "-- busca\n/* x */ SELECT 1",
        "(SELECT nombre FROM clientes) UNION (SELECT nombre FROM antiguos)",
        "( select 1 )",
        "WITH vip AS (SELECT * FROM clientes) SELECT * FROM vip",
        "SELECT*FROM clientes",
        "UPDATE clientes SET vip = 1",
        "insert into clientes (nombre) values ('x')",
        "DELETE FROM clientes",
        "CALL marcar_vip(:caller_id)",
        "SET @a = 1",
        "",
    ],
)
def test_a_real_statement_or_an_empty_query_is_no_unknown_statement(sql: str) -> None:
    assert unknown_statement(sql) is None


@pytest.mark.parametrize("sql", ["(SELECT nombre FROM clientes)", "( select 1 )", "SELECT*FROM clientes"])
def test_a_read_in_brackets_or_without_a_blank_after_its_verb_reads(sql: str) -> None:
    assert is_read_statement(sql)


def _sql(node_id: str, source: str, query: str) -> dict[str, Any]:
    return {"id": node_id, "type": "sql", "label": node_id.capitalize(), "config": {"source": source, "query": query}}


def test_source_problems_tell_a_typo_from_a_write(database: Database) -> None:
    document = make_document(
        [
            {"id": "start", "type": "start"},
            _sql("typo", "crm", TYPO),
            _sql("lost", "crm", "nombre FROM clientes"),
            _sql("write", "crm", "UPDATE clientes SET vip = 1"),
            _sql("reads", "crm", "SELECT nombre FROM clientes"),
            _sql("mine", "own", TYPO),
            _sql("nowhere", "ghost", TYPO),
        ],
        [("start", "next", "typo")],
    )
    with database.session() as session:
        create_data_source(session, name="crm", url="sqlite://", read_only=True)
        create_data_source(session, name="own", url="sqlite://", read_only=False)
        found = {(issue.node, issue.code): issue for issue in source_problems(session, document)}
    sql = {"block_type": "sql", "block_title": "SQL Query"}

    typo = found[("typo", "sql_unknown_statement")]
    assert typo.severity == "error"  # a read-only source runs reading verbs only: it can never run there
    assert typo.path == "$.nodes[1].config.query"
    assert typo.params == {**sql, "label": "Typo", "source": "crm", "word": "SELEC", "suggestion": "SELECT"}
    assert typo.message == (
        "SQL \"Typo\": the query on data source 'crm' begins with 'SELEC', which is not an SQL statement:"
        " did you mean SELECT?"
    )
    assert ("typo", "sql_writes_read_only") not in found

    lost = found[("lost", "sql_unknown_statement")]
    assert lost.params == {**sql, "label": "Lost", "source": "crm", "word": "nombre"}
    assert (
        lost.message
        == "SQL \"Lost\": the query on data source 'crm' begins with 'nombre', which is not an SQL statement"
    )

    assert found[("write", "sql_writes_read_only")].severity == "error"
    assert ("write", "sql_unknown_statement") not in found
    assert not [key for key in found if key[0] == "reads"]

    # A writable source's database may know a verb this check does not: said, but publishing is not stopped.
    assert found[("mine", "sql_unknown_statement")].severity == "warning"
    # A source not yet configured: both, the typo as a warning (whether the source will be read-only is unknown).
    assert found[("nowhere", "sql_unknown_source")].severity == "warning"
    assert found[("nowhere", "sql_unknown_statement")].severity == "warning"
