"""A lone UTF-16 surrogate (half an emoji) in a JSON column: never written (U+FFFD instead, as for NUL), and read
as U+FFFD where an older SQLite database holds one, so the row can be answered again. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import text

from persistence import scenarios
from persistence.db import Database, json_text, json_value
from tests.persistence import documents


def test_a_document_with_a_lone_surrogate_is_stored_with_u_fffd_and_an_emoji_whole(database: Database) -> None:
    """Saved past the API's check (a tool on the persistence layer): PostgreSQL refused the row, a DataError."""
    document = documents.greeting("Hola \U0001f600")
    document["nodes"][1]["label"] = "Bienvenida \ud83d"
    with database.session() as session:
        scenarios.create_scenario(session, slug="cut", document=document, actor="ana")
    with database.session() as session:
        stored = scenarios.get_scenario(session, slug="cut").draft_document
    assert stored["nodes"][1]["label"] == "Bienvenida \ufffd"
    assert stored["nodes"][1]["config"]["text"] == "Hola \U0001f600"
    json.dumps(stored, ensure_ascii=False).encode()  # what an answer does with it: no UnicodeEncodeError


def test_a_lone_surrogate_stored_by_an_older_version_is_read_as_u_fffd(tmp_path) -> None:
    from persistence.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        with database.session() as session:
            scenarios.create_scenario(session, slug="old", document=documents.greeting(), actor="ana")
        document = documents.greeting()
        document["nodes"][1]["label"] = "cut \ud83d and \udc00, whole \U0001f600"
        with database.session() as session:  # as json.dumps wrote it before: the escapes kept
            session.execute(text("UPDATE scenarios SET draft_document = :d"), {"d": json.dumps(document)})
        with database.session() as session:
            label = scenarios.get_scenario(session, slug="old").draft_document["nodes"][1]["label"]
        assert label == "cut \ufffd and \ufffd, whole \U0001f600"
    finally:
        database.dispose()


def test_json_text_keeps_what_only_looks_like_a_surrogate() -> None:
    value = {"literal": "\\ud83d is how JSON escapes it", "pair": "\U0001f600", "nul": "a\x00b"}
    assert json.loads(json_text(value)) == {**value, "nul": "a\ufffdb"}
    assert json.loads(json_text({"k\udc00": ["x\ud83d"]})) == {"k\ufffd": ["x\ufffd"]}
    assert json_value(b'{"a": "\\uD83D"}') == {"a": "\ufffd"}
    assert json_value('{"a": "\\\\ud83d"}') == {"a": "\\ud83d"}
