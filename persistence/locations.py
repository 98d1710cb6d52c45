"""Where a database URL points, said safely: for the messages of commands that touch a database (an administrator
must see which one, and a terminal or a ticket must not get its password), and the SQLite file a URL names."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from persistence.db import normalize_url


def shown_url(url: str) -> str:
    """`url` with its password masked (`***`), drivers as the code uses them."""
    return make_url(normalize_url(url)).render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names, absolute; None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).absolute()
