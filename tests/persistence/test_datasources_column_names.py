"""Result columns named as a Russian CRM names them (`Сумма`, `Дата платежа`), mapped to variables as they are: the
block refused every column name but Latin letters, digits and _, so each had to be aliased in the query (review of
a Russian contact centre, 2026-12-07)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from blocks import default_registry
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services
from graph_engine.trace import CallResult
from graph_engine.validation import validate
from persistence.datasources import DatabaseDataSources
from persistence.db import make_engine
from tests.persistence import test_datasources

# Fixtures: a `debts` database on SQLite, PostgreSQL and MariaDB, and the sources "crm" and "crm_rw" over it.
crm_url = test_datasources.crm_url
sources = test_datasources.sources
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
            pytest.param("mariadb", marks=pytest.mark.mariadb)]  # fmt: skip
CALLER = "+79001112233"


@pytest.fixture
def debtors(crm_url: str) -> Iterator[str]:
    """A table whose columns are named in Cyrillic, one with a space (quoted as each database quotes a name);
    the query that reads them."""
    quote = "`" if make_url(crm_url).get_backend_name() in ("mysql", "mariadb") else '"'
    due = f"{quote}Дата платежа{quote}"
    engine = make_engine(crm_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE должники (телефон VARCHAR(20), ФИО VARCHAR(100), Сумма DECIMAL(10,2), {due} DATE)"
        )
        conn.exec_driver_sql(f"INSERT INTO должники VALUES ('{CALLER}', 'Иванова Анна', 1500.50, '2026-03-01')")
    engine.dispose()
    yield f"SELECT ФИО, Сумма, {due} FROM должники WHERE телефон = :caller_id"
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE должники")
    engine.dispose()


def _lookup(query: str, columns: dict[str, str]) -> dict[str, Any]:
    return {
        "format": "ivrgraph.scenario/1",
        "name": "debt",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "q", "type": "sql", "config": {"source": "crm", "query": query, "columns": columns}},
        ],
        "edges": [{"source": "start", "exit": "next", "target": "q"}],
    }


async def _call(document: dict[str, Any], sources: DatabaseDataSources) -> CallResult:
    facts = {"caller_id": CALLER, "caller_name": "", "dialed_number": "", "channel": "x"}
    return await run_call(parse_document(document), ScriptedChannel(()), default_registry(),
                          Services(data_sources=sources), facts=facts)  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # where the sources are configured: any
@pytest.mark.parametrize("crm_url", BACKENDS, indirect=True)
async def test_cyrillic_columns_are_named_as_the_database_returns_them(
    sources: DatabaseDataSources, debtors: str
) -> None:
    rows = await sources.query("crm", debtors, {"caller_id": CALLER}, timeout=3, max_rows=1)
    # Text, as the driver's description gives it: not bytes, not folded to lower case (PostgreSQL folds only A-Z).
    assert [(name, type(name)) for name in rows[0]] == [("ФИО", str), ("Сумма", str), ("Дата платежа", str)]

    columns = {"ФИО": "client_name", "Сумма": "debt", "Дата платежа": "due"}
    document = _lookup(debtors, columns)
    assert [issue for issue in validate(document, default_registry()) if issue.code == "config"] == []
    result = await _call(document, sources)
    assert result.steps[1].exit == "found"
    values = {name: result.variables[name] for name in columns.values()}
    assert values == {"client_name": "Иванова Анна", "debt": 1500.5, "due": "2026-03-01"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("crm_url", BACKENDS, indirect=True)
async def test_a_column_is_matched_exactly(sources: DatabaseDataSources, debtors: str) -> None:
    """`сумма` is not `Сумма`: the error exit names the columns the result has, as for a Latin name."""
    result = await _call(_lookup(debtors, {"сумма": "debt"}), sources)
    step = result.steps[1]
    assert step.exit == "error"
    failure = {"kind": "failure", "code": "sql_no_column", "column": "сумма", "columns": "ФИО, Сумма, Дата платежа"}
    assert [event for event in step.events if event["kind"] == "failure"] == [failure]
