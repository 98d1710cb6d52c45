"""Over HTTP: a query whose first word is no SQL statement (`SELEC`) is named as a typo, with the verb it is close to,
in the scenario's problems and in "Try query" (review by an Oktell user: on a read-only MariaDB source it was called a
query that "does more than read", and Try query refused it as one that writes)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Client, UserFactory

TYPO = "SELEC nombre, vip FROM clientes WHERE telefono = :caller_id"


@pytest.fixture
def crm_file(tmp_path: Path) -> Path:
    path = tmp_path / "crm.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE clientes (telefono TEXT, nombre TEXT, vip INTEGER)")
        db.execute("INSERT INTO clientes VALUES ('+34600111222', 'Ana Ruiz', 1)")
    return path


def _source(admin: Client, crm_file: Path, *, read_only: bool) -> str:
    name = f"crm_{uuid.uuid4().hex[:10]}"
    body = {"name": name, "url": f"sqlite:///{crm_file}", "read_only": read_only, "tries_allowed": True}
    created = admin.post("/api/data-sources", json=body)
    assert created.status_code == 201, created.text
    return name


def _document(source: str, query: str) -> dict[str, Any]:
    return {
        "format": "ivrgraph.scenario/1",
        "name": "Clientes",
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {"id": "find", "type": "sql", "label": "Buscar", "config": {"source": source, "query": query}},
        ],
        "edges": [{"source": "start", "exit": "next", "target": "find"}],
    }


def _sql_problems(admin: Client, name: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    answer = admin.post(f"/api/scenarios/{name}/validate", json={"document": document})
    assert answer.status_code == 200, answer.text
    return [p for p in answer.json()["problems"] if p["code"].startswith("sql_")]


def test_a_typo_on_a_read_only_source_is_named_as_one_and_blocks_publishing(
    admin: Client, slug: Callable[[str], str], crm_file: Path
) -> None:
    source = _source(admin, crm_file, read_only=True)
    name = slug("selec")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "Clientes", "document": _document(source, TYPO)})
    assert created.status_code == 201, created.text

    [typo] = _sql_problems(admin, name, _document(source, TYPO))
    assert (typo["code"], typo["severity"], typo["path"], typo["node"]) == (
        "sql_unknown_statement",
        "error",
        "$.nodes[1].config.query",
        "find",
    )
    assert typo["params"] == {
        "block_type": "sql",
        "block_title": "SQL Query",
        "label": "Buscar",
        "source": source,
        "word": "SELEC",
        "suggestion": "SELECT",
    }
    assert "does more than read" not in typo["message"]
    assert typo["message"].endswith("begins with 'SELEC', which is not an SQL statement: did you mean SELECT?")

    # A real write is still called one.
    [write] = _sql_problems(admin, name, _document(source, "UPDATE clientes SET vip = 0"))
    assert (write["code"], write["severity"]) == ("sql_writes_read_only", "error")
    assert not _sql_problems(admin, name, _document(source, TYPO.replace("SELEC", "SELECT")))

    blocked = admin.post(f"/api/scenarios/{name}/publish", json={"message": "v1"})
    assert blocked.status_code == 422, blocked.text
    assert "sql_unknown_statement" in {p["code"] for p in blocked.json()["problems"]}


def test_a_typo_on_a_writable_source_is_a_warning(admin: Client, slug: Callable[[str], str], crm_file: Path) -> None:
    source = _source(admin, crm_file, read_only=False)
    name = slug("selec-rw")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "Clientes", "document": _document(source, TYPO)})
    assert created.status_code == 201, created.text
    [typo] = _sql_problems(admin, name, _document(source, "nombre FROM clientes"))
    assert (typo["code"], typo["severity"]) == ("sql_unknown_statement", "warning")
    assert typo["params"]["word"] == "nombre" and "suggestion" not in typo["params"]


def _try(client: Client, source: str, query: str, params: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(f"/api/data-sources/{source}/try", json={"query": query, "params": params})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.mark.parametrize("read_only", [True, False])
def test_try_query_names_the_typo_and_does_not_run_it(
    user_factory: UserFactory, admin: Client, crm_file: Path, read_only: bool
) -> None:
    source = _source(admin, crm_file, read_only=read_only)
    editor = user_factory("editor")
    found = _try(editor, source, TYPO, {"caller_id": "+34600111222"})
    assert found["ok"] is False, found
    failure = found["failure"]
    assert failure["code"] == "sql_try_unknown_statement", failure
    assert failure["params"] == {"source": source, "word": "SELEC", "suggestion": "SELECT"}
    assert failure["message"] == (
        "not tried: the query begins with 'SELEC', which is not an SQL statement: did you mean SELECT?"
    )

    lost = _try(editor, source, "/* vip */ nombre FROM clientes", {})["failure"]
    assert lost["code"] == "sql_try_unknown_statement" and lost["params"] == {"source": source, "word": "nombre"}

    write = _try(editor, source, "DELETE FROM clientes", {})["failure"]
    assert write["code"] == "sql_try_writes", write
    with sqlite3.connect(crm_file) as db:
        assert db.execute("SELECT COUNT(*) FROM clientes").fetchone()[0] == 1

    fixed = _try(editor, source, TYPO.replace("SELEC", "SELECT"), {"caller_id": "+34600111222"})
    assert fixed["ok"] is True and fixed["rows"] == [{"nombre": "Ana Ruiz", "vip": 1}], fixed
