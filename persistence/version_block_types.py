"""The block types each published version uses, read from its document once per process and kept.

The scenario list tells, beside each live scenario, the block types its live version uses that the server lacks
(`missing_block_types`). Parsing every listed live document at each request made a page of 200 take half a second
(scale review). A version is never changed once published and its row id is never reused (AUTOINCREMENT on
SQLite, a sequence on PostgreSQL: models.ScenarioVersion), so the types a row id names hold for good: only
versions not yet seen are read. What is missing is still worked out against the registry at each request.

Kept per database engine (an app, and each test's), at most `LIMIT` versions each, the least recently asked
dropped first: a page asks for at most 200, so the bound only keeps a long-running server from growing.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from persistence.models import ScenarioVersion

LIMIT = 10_000


class VersionBlockTypes:
    """Version row id -> the block types its document uses; bounded, least recently used dropped first. Safe to
    share between the API's worker threads."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._types: OrderedDict[int, frozenset[str]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._types)

    def of(self, session: Session, version_ids: Collection[int]) -> dict[int, frozenset[str]]:
        """The types each of `version_ids` uses, reading only the documents of those not kept yet (one query)."""
        found: dict[int, frozenset[str]] = {}
        with self._lock:
            for version_id in version_ids:
                if version_id in self._types:
                    self._types.move_to_end(version_id)
                    found[version_id] = self._types[version_id]
        unseen = [version_id for version_id in version_ids if version_id not in found]
        if unseen:
            # Read outside the lock: another thread may read the same versions meanwhile, and store the same.
            rows = session.execute(
                select(ScenarioVersion.id, ScenarioVersion.document).where(ScenarioVersion.id.in_(unseen))
            )
            read = {version_id: block_types_used(document) for version_id, document in rows}
            found.update(read)
            with self._lock:
                self._types.update(read)
                while len(self._types) > self.limit:
                    self._types.popitem(last=False)
        return found


def block_types_used(document: Any) -> frozenset[str]:
    """The `type` of every node of a version's document. A stored version was validated as it was published; read
    warily all the same: a version stored by an older release must not make the whole list fail."""
    nodes = document.get("nodes") if isinstance(document, dict) else None
    if not isinstance(nodes, list):
        return frozenset()
    return frozenset(node["type"] for node in nodes if isinstance(node, dict) and isinstance(node.get("type"), str))


_kept: weakref.WeakKeyDictionary[Engine | Connection, VersionBlockTypes] = weakref.WeakKeyDictionary()
_kept_lock = threading.Lock()


def version_block_types(session: Session) -> VersionBlockTypes:
    """The kept types of the database `session` is bound to: row ids are unique within one database only (tests
    run many, each numbering its versions from 1)."""
    bind = session.get_bind()
    with _kept_lock:
        kept = _kept.get(bind)
        if kept is None:
            kept = _kept[bind] = VersionBlockTypes()
        return kept
