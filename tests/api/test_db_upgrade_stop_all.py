"""`ivrgraph db upgrade` names the migrations that need every node stopped, and `ivrgraph db refold-names` folds
again the caller names older nodes recorded during an upgrade (ops review: upgrading 0023 to 0027 in the documented
rolling order, an old node dialled a paused campaign, showed personal data to a token made without it, and recorded
names the name search never found)."""

from __future__ import annotations

import contextlib
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from persistence.db import Database
from persistence.folding import fold
from persistence.migrate import current_revision, head_revision, upgrade
from tests.api.serve_process import IVRGRAPH, clean_env
from tests.persistence import pg
from tests.persistence.named_calls import write_named_calls

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _ivrgraph(*command: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*IVRGRAPH, *command],
        cwd=cwd,
        env=clean_env(IVRGRAPH_DATABASE_URL=url),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,  # a script: never asked
        check=False,
    )


@contextlib.contextmanager
def _database_url(backend: str, tmp_path: Path, name: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        return
    with pg.throwaway_database(name) as url:
        yield url


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_upgrade_from_0023_warns_to_stop_every_node_and_names_why(tmp_path: Path, backend: str) -> None:
    with _database_url(backend, tmp_path, "stopall") as url:
        upgrade(url, "0023")
        status = _ivrgraph("db", "status", url=url, cwd=tmp_path)
        assert status.returncode == 1, status.stderr
        assert f"at revision 0023; this ivrgraph's is {head_revision()}" in status.stdout
        assert f"would apply {int(head_revision()) - 23}: 0024, 0025, 0026" in status.stdout
        assert "  0027 needs every node stopped first: " in status.stdout

        # A script (no terminal to ask on) is refused without --yes, changing nothing, and says how to go on.
        refused = _ivrgraph("db", "upgrade", url=url, cwd=tmp_path)
        assert refused.returncode == 1
        assert "no terminal to ask on: stop every node, then run it again with --yes" in refused.stderr
        assert refused.stderr.splitlines()[-1] == "ivrgraph db upgrade: nothing changed"
        assert current_revision(url) == "0023"

        done = _ivrgraph("db", "upgrade", "--yes", url=url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1].endswith(f"at revision {head_revision()}")
        warning = done.stderr
        assert "stop every ivrgraph node" in warning
        listed = [line.split(":")[0].strip() for line in warning.splitlines() if line.startswith("  ")]
        assert listed == ["0024", "0025", "0027"]
        assert "paused campaign" in warning and "personal data" in warning

        again = _ivrgraph("db", "upgrade", url=url, cwd=tmp_path)  # nothing left to apply: nothing to warn of
        assert (again.returncode, again.stderr) == (0, "")
        status = _ivrgraph("db", "status", url=url, cwd=tmp_path)
        assert (status.returncode, status.stdout.splitlines()[-1]) == (0, "up to date")


def test_status_names_a_database_not_made_yet_and_one_it_cannot_reach_changing_nothing(tmp_path: Path) -> None:
    file = tmp_path / "new.sqlite3"
    status = _ivrgraph("db", "status", url=f"sqlite:///{file}", cwd=tmp_path)
    assert status.returncode == 1
    assert f"no such file yet; ivrgraph db upgrade would create it at revision {head_revision()}" in status.stdout
    assert not file.exists()
    down = _ivrgraph("db", "status", url="postgresql+psycopg://postgres@127.0.0.1:1/none", cwd=tmp_path)
    assert down.returncode == 2
    assert down.stderr.startswith("ivrgraph db status: error: cannot reach the database")


def test_status_names_a_database_a_newer_ivrgraph_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        database.dispose()
    status = _ivrgraph("db", "status", url=url, cwd=tmp_path)
    assert status.returncode == 1
    assert "newer than this ivrgraph knows: upgrade ivrgraph on this node (revision 9999)" in status.stdout


def test_a_new_database_is_not_warned_of(tmp_path: Path) -> None:
    done = _ivrgraph("db", "upgrade", url=f"sqlite:///{tmp_path / 'new.sqlite3'}", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("backend", BACKENDS)
def test_refold_names_folds_what_an_older_node_wrote(tmp_path: Path, backend: str) -> None:
    name = unicodedata.normalize("NFD", "Zoë Ramírez")  # as a Mac sends it
    with _database_url(backend, tmp_path, "refold") as url:
        upgrade(url)
        database = Database(url)
        try:
            [call_id, _] = write_named_calls(database, name, "Ana", prefix="cli")
            with database.engine.begin() as conn:  # as a node of the release before 0024 folds it: no NFKC
                conn.execute(
                    text("UPDATE call_records SET caller_name_folded = :f WHERE id = :id"),
                    {"f": name.casefold(), "id": call_id},
                )
            done = _ivrgraph("db", "refold-names", url=url, cwd=tmp_path)
            assert done.returncode == 0, done.stderr
            assert done.stdout.strip().endswith(": 2 call records read, 1 caller names folded again")
            with database.engine.connect() as conn:
                stored = conn.execute(
                    text("SELECT caller_name_folded FROM call_records WHERE id = :id"), {"id": call_id}
                ).scalar()
            assert stored == fold(name) == "zoë ramírez"
        finally:
            database.dispose()


def test_refold_names_refuses_a_database_not_at_its_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0023")
    done = _ivrgraph("db", "refold-names", url=url, cwd=tmp_path)
    assert done.returncode == 1
    assert "ivrgraph db upgrade" in done.stderr
