"""What docs/operations.md "Backups" tells an administrator restoring a backup, run as written: on SQLite and on the
real PostgreSQL, through `ivrgraph`'s own command line.

Disaster-recovery drill, findings:
- security changes made after the backup rolled back with the restore: a token revoked since worked again.
  `ivrgraph users revoke-all-tokens` revokes every API token and signs every session out, audited;
- the documented PostgreSQL restore failed on a new server (`role "<app role>" does not exist`, 24 errors, tables
  owned by postgres), and `ivrgraph db upgrade` then said "cannot reach the database: permission denied for table
  alembic_version" of a database it had reached. The documented commands now create the role first and restore
  without the dump's owners, and a refusal is said as one;
- `ivrgraph db backup` given a PostgreSQL URL suggested a pg_dump without `umask 077` (the dump came out 0644).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from agi_server.job_stores import DatabaseJobStore
from api.settings import Settings
from persistence import audit, callbacks
from persistence.backup import back_up
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import utcnow
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api
from tests.api.serve_process import IVRGRAPH, clean_env
from tests.persistence import pg
from tests.persistence.published import publish

PG_BIN = ("createdb", "pg_dump", "pg_restore", "psql")


def _ivrgraph(*args: str, cwd: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(IVRGRAPH_DATABASE_URL=url)
    return subprocess.run([*IVRGRAPH, *args], cwd=cwd, env=env, capture_output=True, text=True)


@contextmanager
def _api(url: str, media: Path) -> Iterator[str]:
    settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, media_root=media)
    yield from serve_api(settings, PublishHub())


def test_a_token_revoked_after_the_backup_works_again_once_restored_until_every_token_is_revoked(
    tmp_path: Path,
) -> None:
    live = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    with _api(live, tmp_path / "media") as base_url, Client(base_url=base_url, timeout=30) as admin:
        assert admin.login(ADMIN, ADMIN_PASSWORD).status_code == 200
        made = admin.post("/api/tokens", json={"name": "crm"})
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        assert back_up(live, tmp_path / "backup.sqlite3").dialling_held
        assert admin.delete(f"/api/tokens/{made.json()['id']}").status_code == 204  # the leak answered, after
    restored = f"sqlite:///{tmp_path / 'backup.sqlite3'}"  # the machine lost: the backup restored

    bearer = {"Authorization": f"Bearer {token}"}
    with _api(restored, tmp_path / "media") as base_url:
        assert httpx.get(f"{base_url}/api/auth/me", headers=bearer).status_code == 200  # revoked, and back
        done = _ivrgraph("users", "revoke-all-tokens", cwd=tmp_path, url=restored)
        assert done.returncode == 0, done.stderr
        # The admin's session of the backup and the CRM's token: both gone.
        assert done.stdout.splitlines()[0] == "revoked 1 API tokens and signed out 1 designer sessions"
        assert "redo the security changes made since the backup" in done.stdout
        assert httpx.get(f"{base_url}/api/auth/me", headers=bearer).status_code == 401
        with Client(base_url=base_url, timeout=30) as admin:
            assert admin.login(ADMIN, ADMIN_PASSWORD).status_code == 200
            (event,) = admin.get("/api/audit", params={"action": "revoke_all_tokens"}).json()
    assert (event["target"], event["details"]) == ("tokens", {"api_tokens": 1, "sessions": 1})
    assert event["actor"].endswith("(ivrgraph users revoke-all-tokens)")


@pytest.mark.postgres
def test_revoke_all_tokens_ends_every_session_and_token_on_postgresql(tmp_path: Path) -> None:
    with pg.throwaway_database("revokeall") as url:
        with _api(url, tmp_path / "media") as base_url, Client(base_url=base_url, timeout=30) as admin:
            assert admin.login(ADMIN, ADMIN_PASSWORD).status_code == 200
            token = admin.post("/api/tokens", json={"name": "crm"}).json()["token"]
            done = _ivrgraph("users", "revoke-all-tokens", cwd=tmp_path, url=url)
            assert done.returncode == 0, done.stderr
            assert done.stdout.startswith("revoked 1 API tokens and signed out 1 designer sessions")
            assert admin.get("/api/auth/me").status_code == 401
            assert httpx.get(f"{base_url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_pg_dump_hint_keeps_the_dump_private_and_says_to_hold_dialling_after_a_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ivrgraph.cli import main

    monkeypatch.setenv("IVRGRAPH_DATABASE_URL", "postgresql://ivr:s3cret@db.example/ivrgraph")
    assert main(["db", "backup", str(tmp_path / "copy.dump")]) == 1
    said = capsys.readouterr().err
    assert "`(umask 077 && pg_dump -Fc -f ivrgraph.dump <database>)`" in said
    assert "`ivrgraph dialling hold` before any node starts" in said


def test_a_backup_of_a_database_older_than_the_hold_says_that_its_restore_would_dial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ivrgraph.cli import main

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0029")  # not migrated yet: its copy has no table to hold dialling in
    monkeypatch.setenv("IVRGRAPH_DATABASE_URL", url)
    assert main(["db", "backup", str(tmp_path / "copy.sqlite3")]) == 0
    said = capsys.readouterr()
    assert said.out.startswith(f"backed up {url} to ") and "dialling is held" not in said.out
    assert "warning: dialling is not held in the copy (the database predates revision 0030" in said.err


# -- PostgreSQL: the restore on a new server, as the guide writes it -----------------------------------------------


def _pg_tools() -> None:
    missing = [name for name in PG_BIN if shutil.which(name) is None]
    if missing:
        pytest.skip(f"the PostgreSQL client tools are not installed: {missing}")


def _admin_url(url: str) -> dict[str, str]:
    """libpq's environment for the server's superuser (the test server's), as the administrator runs the tools."""
    parsed = make_url(url)
    env = {**os.environ, "PGHOST": parsed.host or "127.0.0.1", "PGPORT": str(parsed.port or 5432)}
    env["PGUSER"] = parsed.username or "postgres"
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return env


def _run(*command: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), env=env, cwd=cwd, capture_output=True, text=True)


def _app_url(url: str, role: str, password: str, database: str) -> str:
    parsed = make_url(url).set(username=role, password=password, database=database)
    return parsed.render_as_string(hide_password=False)


@contextmanager
def _restore_roles(url: str, env: dict[str, str], tmp_path: Path, *names: str) -> Iterator[None]:
    """Roles and databases the test makes on the server, dropped whatever happens."""
    try:
        yield
    finally:
        for name in names:
            _run(
                "psql",
                "-q",
                "-d",
                "postgres",
                "-c",
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                env=env,
                cwd=tmp_path,
            )
        for name in names:
            _run("psql", "-q", "-d", "postgres", "-c", f'DROP ROLE IF EXISTS "{name}"', env=env, cwd=tmp_path)


@pytest.mark.postgres
def test_the_documented_postgresql_restore_works_on_a_new_server_and_starts_held(tmp_path: Path) -> None:
    """The guide's steps: a dump of the application's database (owned by its role), the role made on the new server
    first, `createdb -O`, `pg_restore --no-owner --role`; then `ivrgraph db upgrade` and `ivrgraph dialling hold`
    before any node starts. The old steps' failure is shown first: what an administrator met."""
    _pg_tools()
    suffix = uuid.uuid4().hex[:8]
    role, old_db, new_db, bad_db = f"ivr_{suffix}", f"ivr_old_{suffix}", f"ivr_new_{suffix}", f"ivr_bad_{suffix}"
    password = "drill-pass-1"
    with pg.throwaway_database("restore") as server_url:
        env = _admin_url(server_url)
        with _restore_roles(server_url, env, tmp_path, old_db, new_db, bad_db, role):
            create_role = ("psql", "-q", "-d", "postgres", "-c", f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
            made = _run(*create_role, env=env, cwd=tmp_path)
            assert made.returncode == 0, made.stderr
            assert _run("createdb", "-O", role, old_db, env=env, cwd=tmp_path).returncode == 0
            lost = _app_url(server_url, role, password, old_db)
            upgrade(lost)
            database = Database(lost)
            try:
                publish(database, "debts")
                with database.session() as session:
                    job = callbacks.create_job(session, number="+34600111222", scenario="debts", due=utcnow()).id
            finally:
                database.dispose()
            dumped = _run("sh", "-c", f"umask 077 && pg_dump -Fc -f ivrgraph.dump {old_db}", env=env, cwd=tmp_path)
            assert dumped.returncode == 0, dumped.stderr
            assert (tmp_path / "ivrgraph.dump").stat().st_mode & 0o777 == 0o600
            # The machine is lost: a new server has neither the database nor its role.
            for sql in (f'DROP DATABASE "{old_db}" WITH (FORCE)', f'DROP ROLE "{role}"'):
                assert _run("psql", "-q", "-d", "postgres", "-c", sql, env=env, cwd=tmp_path).returncode == 0

            # The old steps, as the drill ran them: the dump's owner unknown, its tables left to postgres, and the
            # role made afterwards refused.
            assert _run("createdb", bad_db, env=env, cwd=tmp_path).returncode == 0
            old_steps = _run("pg_restore", "-d", bad_db, "ivrgraph.dump", env=env, cwd=tmp_path)
            assert old_steps.returncode == 1 and f'role "{role}" does not exist' in old_steps.stderr
            assert _run(*create_role, env=env, cwd=tmp_path).returncode == 0
            refused = _ivrgraph("db", "upgrade", cwd=tmp_path, url=_app_url(server_url, role, password, bad_db))
            assert refused.returncode == 1
            assert "cannot reach" not in refused.stderr
            assert "error: the database refused: permission denied for table alembic_version" in refused.stderr
            assert "lacks a privilege" in refused.stderr

            # The guide's steps, the role made first (above).
            assert _run("createdb", "-O", role, new_db, env=env, cwd=tmp_path).returncode == 0
            restored = _run("pg_restore", "--no-owner", f"--role={role}", "-d", new_db, "ivrgraph.dump", env=env,
                            cwd=tmp_path)  # fmt: skip
            assert restored.returncode == 0, restored.stderr
            owners = _run("psql", "-At", "-d", new_db, "-c", "SELECT DISTINCT tableowner FROM pg_tables WHERE "
                          "schemaname = 'public'", env=env, cwd=tmp_path)  # fmt: skip
            assert owners.stdout.split() == [role]
            new = _app_url(server_url, role, password, new_db)
            for step in (("db", "upgrade"), ("dialling", "hold")):
                done = _ivrgraph(*step, cwd=tmp_path, url=new)
                assert done.returncode == 0, done.stderr
            status = _ivrgraph("dialling", "status", cwd=tmp_path, url=new)
            assert "dialling is held since" in status.stdout and "(ivrgraph dialling hold)" in status.stdout

            database = Database(new)
            try:
                store = DatabaseJobStore(database)
                assert store._claim_due(utcnow(), 10, "node-a") == []  # SKIP LOCKED's claim: nothing
                assert store.dialling_held is not None
                assert _ivrgraph("dialling", "resume", cwd=tmp_path, url=new).returncode == 0
                assert [claimed.id for claimed in store._claim_due(utcnow(), 10, "node-a")] == [job]
                with database.session() as session:
                    actions = [event.action for event in audit.list_events(session, target="dialling")]
                assert actions == ["resume_dialling", "hold_dialling"]
            finally:
                database.dispose()


@pytest.mark.postgres
def test_a_role_without_privileges_is_told_the_database_refused_not_that_it_is_out_of_reach(tmp_path: Path) -> None:
    _pg_tools()
    suffix = uuid.uuid4().hex[:8]
    role = f"ivr_ro_{suffix}"
    with pg.throwaway_database("refusing") as url:
        upgrade(url)
        env = _admin_url(url)
        with _restore_roles(url, env, tmp_path, role):
            made = _run("psql", "-q", "-d", "postgres", "-c", f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'pw-1'", env=env,
                        cwd=tmp_path)  # fmt: skip
            assert made.returncode == 0, made.stderr
            app = _app_url(url, role, "pw-1", make_url(url).database or "")
            for command in (("db", "upgrade"), ("dialling", "status"), ("users", "revoke-all-tokens")):
                done = _ivrgraph(*command, cwd=tmp_path, url=app)
                assert done.returncode == 1, (command, done.stderr)
                assert "the database refused: permission denied for table" in done.stderr, (command, done.stderr)
                assert "cannot reach" not in done.stderr
    away = _ivrgraph("db", "upgrade", cwd=tmp_path, url="postgresql://nobody:pw@127.0.0.1:1/none")
    assert away.returncode == 1 and "error: cannot reach the database:" in away.stderr
