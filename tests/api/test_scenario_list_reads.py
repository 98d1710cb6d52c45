"""The scenario list reads no documents to list names.

Scale review: GET /api/scenarios read every listed draft whole, and every published one's live version whole (to
tell `missing_block_types`), so a page of 200 took half a second. Now the list selects the summary's columns, and
the block types of each live version are read once per version (persistence.version_block_types).

Over real HTTP, on SQLite and PostgreSQL, with the SQL the server sends captured from its engine: a server with
the CRM plugin publishes, a second one without it (as after uninstalling the plugin) lists.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from api.settings import Settings
from tests.api.test_missing_block_types import flow, save_and_publish, settings_for, signed_in, with_crm_plugin
from tests.persistence import pg

READS_A_DRAFT = re.compile(r"\bdraft_document\b")
READS_A_VERSION = re.compile(r"\bscenario_versions\.document\b")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    media = tmp_path_factory.mktemp("media")
    if request.param == "sqlite":
        yield settings_for(f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}", media)
        return
    with pg.throwaway_database("list_reads") as url:
        yield settings_for(url, media)


class Statements:
    """The SQL sent to one database (by its URL's database) by any engine of this process, while `capture`."""

    def __init__(self, url: str) -> None:
        self.database = make_url(url).database
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def _sent(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if conn.engine.url.database == self.database:
            with self._lock:
                self.sent.append(statement)

    @contextmanager
    def capture(self) -> Iterator[list[str]]:
        self.sent = []
        event.listen(Engine, "before_cursor_execute", self._sent)
        try:
            yield self.sent
        finally:
            event.remove(Engine, "before_cursor_execute", self._sent)

    def reading(self, pattern: re.Pattern[str]) -> list[str]:
        return [statement for statement in self.sent if pattern.search(statement)]


def listed(client: Any, statements: Statements) -> dict[str, list[str]]:
    with statements.capture():
        response = client.get("/api/scenarios", params={"page_size": 200})
        assert response.status_code == 200, response.text
    assert any(re.search(r"\bFROM scenarios\b", statement) for statement in statements.sent)  # captured at all
    return {item["slug"]: item["missing_block_types"] for item in response.json()["items"]}


def test_the_list_reads_each_live_version_once_and_never_a_draft(database: Settings) -> None:
    for client in signed_in(database, with_crm_plugin()):
        save_and_publish(client, "crm-live", flow(ticket=True))
        save_and_publish(client, "plain", flow(ticket=False))
        for n in range(5):  # drafts only: nothing to tell of them, nothing to read
            created = client.post(
                "/api/scenarios", json={"slug": f"draft-{n}", "name": "d", "document": flow(ticket=True)}
            )
            assert created.status_code == 201, created.text
    statements = Statements(database.database_url)
    expected = {"crm-live": ["crm_ticket_create"], "plain": [], **{f"draft-{n}": [] for n in range(5)}}

    for client in signed_in(database, None):  # the CRM plugin uninstalled
        # First list of this server: the two live versions are read, once, in one statement; no draft ever.
        assert listed(client, statements) == expected
        assert statements.reading(READS_A_DRAFT) == []
        assert len(statements.reading(READS_A_VERSION)) == 1

        # Every version listed was seen: no document is read at all, and the answer is the same.
        assert listed(client, statements) == expected
        assert statements.reading(READS_A_DRAFT) == statements.reading(READS_A_VERSION) == []
        assert not any(re.search(r"\bdocument\b", statement) for statement in statements.sent)

        # A new live version is a new row: read at the next list, which tells its types, not the old one's.
        save_and_publish(client, "crm-live", flow(ticket=False))
        assert listed(client, statements) == {**expected, "crm-live": []}
        assert statements.reading(READS_A_DRAFT) == []
        assert len(statements.reading(READS_A_VERSION)) == 1
