"""The problems the API adds about SQL blocks and the data sources carry params as validation's do."""

from __future__ import annotations

from persistence.datasources import create_data_source, source_problems
from persistence.db import Database
from tests.conftest import make_document


def test_a_missing_or_read_only_source_is_named_in_params(database: Database) -> None:
    document = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "look", "type": "sql", "label": "Look up", "config": {"source": "nowhere", "query": "SELECT 1"}},
            {"id": "pay", "type": "sql", "config": {"source": "crm", "query": "UPDATE debts SET paid = 1"}},
        ],
        [("start", "next", "look"), ("look", "found", "pay")],
    )
    with database.session() as session:
        create_data_source(session, name="crm", url="sqlite://", read_only=True)
        found = {issue.code: issue for issue in source_problems(session, document)}
    sql = {"block_type": "sql", "block_title": "SQL Query"}
    assert found["sql_unknown_source"].params == {**sql, "label": "Look up", "source": "nowhere"}
    assert found["sql_writes_read_only"].params == {**sql, "label": "pay", "source": "crm"}
    for issue in found.values():  # the message names what the params hold
        assert f'SQL "{issue.params["label"]}": data source {issue.params["source"]!r}' in issue.message
