"""Raw SQL run on a database by its URL, for tests that look under the models (migrations, stored columns)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text

from persistence.db import make_engine


def run_statements(url: str, *statements: tuple[str, dict[str, object]]) -> list[Sequence[object]]:
    """Run `statements` in one transaction on the database at `url`; the rows of the last one, if it has any."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            rows: list[Sequence[object]] = []
            for sql, values in statements:
                result = conn.execute(text(sql), values)
                rows = [tuple(row) for row in result.all()] if result.returns_rows else []
            return rows
    finally:
        engine.dispose()
