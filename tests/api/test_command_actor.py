"""Who a command run from a shell acts as in the audit log (api.command_actor): the account the process runs as,
never what LOGNAME or USER say, and always with the command after it (security review: `LOGNAME="admin" + 95
spaces ivrgraph dialling hold` was recorded as `admin     ...`, 100 characters, the "(ivrgraph ...)" cut off, the
web user admin to whoever read the log)."""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path

import pytest

from api import command_actor
from api.command_actor import command_user
from persistence import audit
from persistence.db import Database
from persistence.migrate import upgrade
from tests.api.serve_process import IVRGRAPH, ROOT, clean_env

HOLD = "ivrgraph dialling hold"
ACTOR_LENGTH = 100  # persistence.models.AuditEvent.actor
PADDED_ADMIN = "admin" + " " * 95


def _account() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def test_the_login_is_the_accounts_whatever_logname_and_user_say(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, PADDED_ADMIN)
    assert command_user(HOLD) == f"{_account()} ({HOLD})"


@pytest.mark.parametrize(
    ("login", "shown"),
    [
        ("alice", "alice"),
        ("ad min", "admin"),  # no space in a login: nothing can pad it to look like another actor
        ("eve\u200b\t\x1b[2J", "eve[2J"),  # nor control or invisible characters
    ],
)
def test_a_login_is_written_without_spaces_or_characters_that_do_not_print(
    monkeypatch: pytest.MonkeyPatch, login: str, shown: str
) -> None:
    monkeypatch.setattr(command_actor, "_login", lambda: login)
    assert command_user(HOLD) == f"{shown} ({HOLD})"


def test_a_long_login_is_cut_and_the_command_is_always_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command_actor, "_login", lambda: "a" * 300)
    actor = command_user(HOLD)
    assert len(actor) == ACTOR_LENGTH and actor.endswith(f" ({HOLD})") and actor.startswith("a" * 50)


def test_an_account_without_a_name_is_its_user_id(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_entry(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    assert command_user(HOLD) == f"uid {os.geteuid()} ({HOLD})"
    monkeypatch.setattr(command_actor, "_login", lambda: " \t\u200b")  # nothing printable left of a name
    assert command_user(HOLD) == f"uid {os.geteuid()} ({HOLD})"


def test_the_command_run_by_an_operator_records_their_account(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
    upgrade(url)
    env = clean_env(IVRGRAPH_DATABASE_URL=url, LOGNAME=PADDED_ADMIN, USER=PADDED_ADMIN)
    held = subprocess.run([*IVRGRAPH, "dialling", "hold"], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120)  # fmt: skip
    assert held.returncode == 0, held.stderr
    database = Database(url)
    try:
        with database.session() as session:
            [event] = audit.list_events(session, target="dialling")
    finally:
        database.dispose()
    assert event.actor == f"{_account()} ({HOLD})"
