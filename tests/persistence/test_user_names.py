"""User names are one whatever their case, enforced by a unique index on the folded name (migration 0021), and a
user's live API tokens have names of their own; each refusal carries a stable code. On SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.util import CommandError
from sqlalchemy import event, inspect
from sqlalchemy.exc import IntegrityError

from persistence import users
from persistence.db import Database
from persistence.errors import (
    InvalidApiToken,
    InvalidCredentials,
    LastAdmin,
    RequestRefused,
    TokenNameTaken,
    UsernameTaken,
)
from persistence.migrate import alembic_config, current_revision, upgrade
from persistence.models import utcnow
from tests.persistence import pg
from tests.persistence.statements import run_statements

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
_USER = ("INSERT INTO users (username, password_hash, role, active, created_at) VALUES (:name, :hash, 'viewer', "
         "true, '2026-01-01')")  # fmt: skip


def test_a_name_differing_in_case_only_is_refused_naming_the_user_who_has_it(database: Database) -> None:
    with database.session() as session:
        ana = users.create_user(session, username="ana", password="password-123", role="viewer")
    for wanted in ("Ana", "ANA", "ana"):
        with pytest.raises(UsernameTaken) as taken, database.session() as session:
            users.create_user(session, username=wanted, password="password-123", role="editor")
        [problem] = taken.value.problems
        assert problem["path"] == "$.username" and problem["code"] == "username_taken"
        assert problem["params"] == {"username": wanted, "existing_username": "ana", "existing_id": ana.id}
    assert str(taken.value) == "user 'ana' already exists"  # the same name: said as it always was
    with database.session() as session:
        assert [user.username for user in users.list_users(session)] == ["ana"]  # nobody else was made


def test_folding_is_unicodes_casefold_not_ascii_lower_casing(database: Database) -> None:
    """A first admin may be named by IVRGRAPH_ADMIN_USER in any alphabet: folded alike on both databases."""
    with database.session() as session:
        users.create_user(session, username="Straße", password="password-123", role="viewer")
        users.create_user(session, username="Юлия", password="password-123", role="viewer")
    for wanted, existing in (("STRASSE", "Straße"), ("юлия", "Юлия")):
        with pytest.raises(UsernameTaken) as taken, database.session() as session:
            users.create_user(session, username=wanted, password="password-123", role="viewer")
        assert str(taken.value) == (
            f"user {wanted!r} already exists as {existing!r}: user names are the same whatever their case"
        )
    with database.session() as session:
        assert users.authenticate(session, username="ЮЛИЯ", password="password-123").username == "Юлия"


def test_sign_in_matches_the_name_in_any_case_and_keeps_it_as_typed(database: Database) -> None:
    with database.session() as session:
        users.create_user(session, username="Maria.Lopez", password="password-123", role="editor")
    with database.session() as session:
        for typed in ("maria.lopez", "MARIA.LOPEZ", "Maria.Lopez"):
            assert users.authenticate(session, username=typed, password="password-123").username == "Maria.Lopez"
        with pytest.raises(InvalidCredentials):
            users.authenticate(session, username="MARIA.LOPEZ", password="password-124")
        with pytest.raises(InvalidCredentials):
            users.authenticate(session, username="maria.lopez2", password="password-123")
        issued = users.start_session(session, user=users.authenticate(session, username="maria.lopez",
                                                                      password="password-123"))  # fmt: skip
        assert users.resolve(session, secret=issued.secret, kind="session").username == "Maria.Lopez"


def test_the_database_itself_refuses_a_second_folded_name(database: Database) -> None:
    """Whatever writes the row (a script, an old node's code), not only `create_user`."""
    with database.session() as session:
        users.create_user(session, username="ana", password="password-123", role="viewer")
    other = ("INSERT INTO users (username, username_folded, password_hash, role, active, created_at) VALUES ('Ana', "
             "'ana', 'x', 'viewer', true, '2026-01-01')")  # fmt: skip
    with pytest.raises(IntegrityError):
        run_statements(database.url, (other, {}))


def test_two_admins_making_ana_and_ANA_at_once_make_one_user(database: Database) -> None:
    """Both pass any check made before writing; the unique index lets one in, and the other is told who."""
    counted = threading.Barrier(2, timeout=2)
    outcomes: dict[str, str] = {}

    def make(name: str) -> None:
        try:
            with database.session() as session:
                event.listen(session, "before_flush", lambda *_: _wait(counted))
                users.create_user(session, username=name, password="password-123", role="viewer")
            outcomes[name] = "made"
        except UsernameTaken as taken:
            outcomes[name] = f"taken by {taken.problems[0]['params']['existing_username']}"

    threads = [threading.Thread(target=make, args=(name,)) for name in ("ana", "ANA")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    made = [name for name, outcome in outcomes.items() if outcome == "made"]
    assert len(made) == 1, outcomes
    other = "ANA" if made == ["ana"] else "ana"
    assert outcomes[other] == f"taken by {made[0]}"


def _wait(barrier: threading.Barrier) -> None:
    try:
        barrier.wait()
    except threading.BrokenBarrierError:  # one session is held by the other's write: it goes on alone
        pass


def test_a_live_token_name_is_refused_and_free_again_once_revoked_or_expired(database: Database) -> None:
    now = utcnow()
    with database.session() as session:
        user = users.create_user(session, username="bot", password="password-123", role="editor").id
        other = users.create_user(session, username="other", password="password-123", role="editor").id
        first = users.create_api_token(session, user_id=user, name="ci", now=now)
    with pytest.raises(TokenNameTaken) as taken, database.session() as session:
        users.create_api_token(session, user_id=user, name="ci", now=now)
    [problem] = taken.value.problems
    assert (problem["path"], problem["code"]) == ("$.name", "token_name_taken")
    assert problem["params"] == {"name": "ci", "token_id": first.token_id}
    with database.session() as session:
        users.create_api_token(session, user_id=other, name="ci", now=now)  # another user's name is theirs
        users.create_api_token(session, user_id=user, name="CI", now=now)  # told apart in a list
        users.revoke_token(session, user_id=user, token_id=first.token_id)
    with database.session() as session:
        again = users.create_api_token(session, user_id=user, name="ci", expires_at=now + timedelta(hours=1), now=now)
    later = now + timedelta(hours=2)  # that one has expired: its name is free, though it is still listed
    with database.session() as session:
        third = users.create_api_token(session, user_id=user, name="ci", now=later)
        listed = [(token.id, token.name) for token in users.list_api_tokens(session, user_id=user)]
    assert [token_id for token_id, name in listed if name == "ci"] == [again.token_id, third.token_id]
    with pytest.raises(TokenNameTaken), database.session() as session:
        users.create_api_token(session, user_id=user, name="ci", now=later)


def test_two_tokens_of_one_name_made_at_once_make_one(database: Database) -> None:
    """No index can say "live" (it depends on the time): the user's row is held while the name is checked."""
    with database.session() as session:
        user = users.create_user(session, username="bot", password="password-123", role="editor").id
    checked = threading.Barrier(2, timeout=2)
    outcomes: list[str] = []

    def make() -> None:
        try:
            with database.session() as session:
                event.listen(session, "before_flush", lambda *_: _wait(checked))
                users.create_api_token(session, user_id=user, name="ci")
            outcomes.append("made")
        except TokenNameTaken:
            outcomes.append("taken")

    threads = [threading.Thread(target=make) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["made", "taken"]


def test_each_refusal_of_users_and_tokens_has_its_own_code(database: Database) -> None:
    now = utcnow()
    with database.session() as session:
        boss = users.create_user(session, username="boss", password="password-123", role="admin").id
        editor = users.create_user(session, username="ed", password="password-123", role="editor").id
    cases = [
        (lambda s: users.update_user(s, user_id=boss, active=False), LastAdmin, "$.active", "last_admin",
         {"username": "boss"}),
        (lambda s: users.update_user(s, user_id=boss, role="viewer"), LastAdmin, "$.role", "last_admin",
         {"username": "boss"}),
        (lambda s: users.update_user(s, user_id=boss, sees_personal_data=False), RequestRefused,
         "$.sees_personal_data", "admin_sees_personal_data", None),
        (lambda s: users.create_user(s, username="b2", password="password-123", role="admin",
                                     sees_personal_data=False), RequestRefused, "$.sees_personal_data",
         "admin_sees_personal_data", None),
        (lambda s: users.create_api_token(s, user_id=editor, name="x", role="admin"), InvalidApiToken, "$.role",
         "token_role_above_yours", {"role": "admin", "own_role": "editor"}),
        (lambda s: users.create_api_token(s, user_id=editor, name="x", expires_at=now + timedelta(days=31),
                                          max_lifetime=timedelta(days=30), now=now), InvalidApiToken,
         "$.expires_at", "token_lifetime_too_long",
         {"max_days": 30, "latest": (now + timedelta(days=30)).isoformat(timespec="seconds")}),
    ]  # fmt: skip
    for action, kind, path, code, params in cases:
        with pytest.raises(kind) as refused, database.session() as session:
            action(session)
        [problem] = refused.value.problems
        assert (problem["path"], problem["code"], problem.get("params")) == (path, code, params), problem


@pytest.mark.parametrize("backend", BACKENDS)
def test_0021_stops_naming_the_users_whose_names_clash_and_changes_nothing(tmp_path: Path, backend: str) -> None:
    """Which of two accounts is the real one is not the migration's to guess: nobody is renamed nor dropped."""
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0020")
        run_statements(
            url,
            *((_USER, {"name": name, "hash": "x"}) for name in ("ana", "bob", "Ana", "BOB", "carl", "ANA")),
        )
        with pytest.raises(CommandError) as stopped:
            upgrade(url)
        assert str(stopped.value) == (
            "user names are now the same whatever their case, and these users' names differ in case only: "
            "'ana' (id 1), 'Ana' (id 3), 'ANA' (id 6); 'bob' (id 2), 'BOB' (id 4). Rename or delete all but one of "
            "each (e.g. UPDATE users SET username = '<new name>' WHERE id = <id>), then upgrade again; nothing was "
            "changed"
        )
        assert current_revision(url) == "0020"
        assert _user_columns(url) >= {"username"} and "username_folded" not in _user_columns(url)
        assert run_statements(url, ("SELECT id, username FROM users ORDER BY id", {})) == [
            (1, "ana"), (2, "bob"), (3, "Ana"), (4, "BOB"), (5, "carl"), (6, "ANA"),
        ]  # fmt: skip
        # As the message says: rename, and upgrade again.
        run_statements(
            url,
            ("UPDATE users SET username = 'ana.garcia' WHERE id = 3", {}),
            ("DELETE FROM users WHERE id IN (4, 6)", {}),
        )
        upgrade(url)
        assert current_revision(url) != "0020"


@pytest.mark.parametrize("backend", BACKENDS)
def test_0021_folds_the_names_there_are_and_goes_back(tmp_path: Path, backend: str) -> None:
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0020")
        hashed = users.password_hasher().hash("password-123")
        run_statements(url, (_USER, {"name": "Boss.Admin", "hash": hashed}), (_USER, {"name": "Straße", "hash": "x"}))
        upgrade(url)
        stored = run_statements(url, ("SELECT username, username_folded FROM users ORDER BY id", {}))
        assert stored == [("Boss.Admin", "boss.admin"), ("Straße", "strasse")]
        database = Database(url)
        try:
            with database.session() as session:
                assert users.authenticate(session, username="boss.admin", password="password-123").id == 1
            with pytest.raises(UsernameTaken), database.session() as session:
                users.create_user(session, username="STRASSE", password="password-123", role="viewer")
        finally:
            database.dispose()
        command.downgrade(alembic_config(url), "0020")
        assert "username_folded" not in _user_columns(url)
        # Back at 0020 names compare exactly again: the index is gone with the column.
        run_statements(url, (_USER, {"name": "boss.admin", "hash": "x"}))
        assert run_statements(url, ("SELECT count(*) FROM users", {})) == [(3,)]


def _old_database(stack: contextlib.ExitStack, tmp_path: Path, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return stack.enter_context(pg.throwaway_database("names"))


def _user_columns(url: str) -> set[str]:
    database = Database(url)
    try:
        return {column["name"] for column in inspect(database.engine).get_columns("users")}
    finally:
        database.dispose()
