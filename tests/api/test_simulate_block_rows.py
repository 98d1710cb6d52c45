"""The designer's Test call gives rows to one SQL block (`data_rows: {"#last_pay": []}`) as well as to a data source,
over real HTTP: two lookups on one source, one finding a row and the other none."""

from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import Client
from tests.graph_engine.test_block_rows import ACCOUNT, two_lookups_on_one_source


def test_a_test_call_takes_rows_for_one_sql_block_over_its_sources(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("balance")
    created = admin.post(
        "/api/scenarios", json={"slug": name, "name": "Balance", "document": two_lookups_on_one_source()}
    )
    assert created.status_code == 201, created.text

    response = admin.post(
        f"/api/scenarios/{name}/simulate", json={"data_rows": {"billing": [ACCOUNT], "#last_pay": []}}
    )

    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert [(step["node"], step["exit"]) for step in result["steps"]][1:3] == [
        ("lookup", "found"),
        ("last_pay", "not_found"),
    ]
    assert result["variables"]["holder"] == "Ana"
