"""A disaster-recovery restore, as docs/operations.md "Backups" tells it, with a real `ivrgraph serve` dialling through
designer_ui/e2e/fake_pbx.py (a real process, over AMI): the restored node calls nobody until an admin has cancelled
the jobs called since the backup and resumes dialling.

Drill: a backup taken with `ivrgraph db backup` while a campaign was dialling, the machine lost, the backup
restored. Within seconds of its start the restored node re-dialled every client the lost machine had called after
the backup (their rows still said pending), and the register, which lost the lost machine's calls, listed each
client once. Now the copy starts held: `GET /api/dialer` says so (paused, `dialling_held`, since when and by whom),
nothing is dialled however long it waits, a job already called is cancelled (`POST /api/callbacks/<id>/cancel`), an
admin resumes (`POST /api/dialer/resume`; a publisher may not) and only the others are called. Both ends are in the
audit log.

Callees (fake_pbx.py): 1123 and 6000 answer and run the job's scenario.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from persistence import callbacks
from persistence.db import Database
from tests.agi_server.test_fake_pbx import AMI_SECRET, AMI_USER, fake_pbx
from tests.api.serve_process import IVRGRAPH, ROOT, clean_env, running_serve
from tests.conftest import free_port

ADMIN, ADMIN_PASSWORD = "admin", "admin-pass-1"
CALLED_SINCE = "1123"  # the lost machine called this client after the backup
WAITING = "6000"  # this one it had not reached


def _until(condition: Callable[[], Any], what: str, *logs: Path, within: float = 30) -> Any:
    deadline = time.monotonic() + within
    while not (found := condition()):
        said = "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)
        assert time.monotonic() < deadline, f"{what}:\n{said}"
        time.sleep(0.1)
    return found


def _callee_lines(pbx_log: Path) -> list[str]:
    """The fake PBX's line for each call it was asked to place (its own and AMI's lines left out)."""
    lines = [line.split(" ", 1)[1] for line in pbx_log.read_text().splitlines() if " " in line]
    return [line for line in lines if not line.startswith(("fake PBX", "AMI:"))]


def _sign_in(client: httpx.Client, username: str, password: str) -> None:
    login = client.post("/api/auth/login", json={"username": username, "password": password})
    assert login.status_code == 200, login.text
    client.headers["X-CSRF-Token"] = login.json()["csrf_token"]


def _live_database(folder: Path) -> tuple[str, dict[str, str]]:
    """The lost machine's database, as `ivrgraph serve --seed examples` left it, with two clients waiting."""
    url = f"sqlite:///{folder / 'live.sqlite3'}"
    env = clean_env(IVRGRAPH_DATABASE_URL=url)
    for command in (["db", "upgrade"], ["db", "seed", str(ROOT / "examples")]):
        done = subprocess.run([*IVRGRAPH, *command], cwd=folder, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    database = Database(url)
    try:
        with database.session() as session:
            jobs = {
                number: callbacks.create_job(
                    session,
                    number=number,
                    scenario="debt-reminder",
                    due=datetime.now(UTC),
                    variables={"name": "Ana", "debt_amount": 120},
                ).id
                for number in (CALLED_SINCE, WAITING)
            }
    finally:
        database.dispose()
    return url, jobs


@pytest.mark.slow
def test_a_restored_backup_calls_nobody_until_an_admin_cancels_the_jobs_called_since_and_resumes(
    tmp_path: Path,
) -> None:
    url, jobs = _live_database(tmp_path)
    backup = tmp_path / "ivrgraph-backup.sqlite3"
    env = clean_env(IVRGRAPH_DATABASE_URL=url)
    taken = subprocess.run(
        [*IVRGRAPH, "db", "backup", str(backup)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert taken.returncode == 0, taken.stderr
    # The machine is lost; the copy, restored on a new one, is the database now.
    restored = tmp_path / "new-machine"
    restored.mkdir()
    backup.rename(restored / "ivrgraph.sqlite3")

    ami_port, api_port, agi_port = free_port(), free_port(), free_port()
    pbx_log, serve_log = tmp_path / "pbx.log", tmp_path / "serve.log"
    pbx_options = [
        *("--port", str(ami_port), "--username", AMI_USER, "--secret", AMI_SECRET, "--agi-port", str(agi_port)),
        *("--time-scale", "0.05"),
    ]
    serve_env = clean_env(
        IVRGRAPH_DATABASE_URL=f"sqlite:///{restored / 'ivrgraph.sqlite3'}",
        IVRGRAPH_ADMIN_USER=ADMIN,
        IVRGRAPH_ADMIN_PASSWORD=ADMIN_PASSWORD,
        IVRGRAPH_MEDIA_ROOT=str(tmp_path / "media"),
        IVRGRAPH_AMI_HOST="127.0.0.1",
        IVRGRAPH_AMI_PORT=str(ami_port),
        IVRGRAPH_AMI_USERNAME=AMI_USER,
        IVRGRAPH_AMI_SECRET=AMI_SECRET,
    )
    command = [*IVRGRAPH, "serve", "--port", str(api_port), "--agi-port", str(agi_port)]
    with fake_pbx(pbx_log, *pbx_options):
        try:
            with running_serve(command, cwd=restored, env=serve_env, api_port=api_port, log=serve_log):
                _until(lambda: f"AMI: {AMI_USER!r} logged in" in pbx_log.read_text(), "no AMI login", pbx_log)
                time.sleep(6)  # the dialer's pass at the AMI login, and its next one (every 5 s)
                assert _callee_lines(pbx_log) == []
                held = "callback dialer claims no job: dialling is held for the whole database"
                assert held in serve_log.read_text(errors="replace")

                with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=30) as admin:
                    _sign_in(admin, ADMIN, ADMIN_PASSWORD)
                    state = admin.get("/api/dialer").json()
                    assert (state["state"], state["reason"]) == ("paused", "dialling_held"), state
                    assert state["held"]["reason"] == "backup"
                    assert state["held"]["held_by"].endswith("(ivrgraph db backup)")

                    user = {"username": "pia", "password": "password-123", "role": "publisher"}
                    assert admin.post("/api/users", json=user).status_code == 201
                    with httpx.Client(base_url=admin.base_url, timeout=30) as publisher:
                        _sign_in(publisher, "pia", "password-123")
                        assert publisher.get("/api/dialer").json()["held"] is not None
                        refused = publisher.post("/api/dialer/resume")
                        assert refused.status_code == 403, refused.text

                    # Asterisk's CDR has an Originate of cb-<job id>-1 after the backup: that client was called.
                    cancelled = admin.post(f"/api/callbacks/{jobs[CALLED_SINCE]}/cancel")
                    assert cancelled.json()["status"] == "cancelled", cancelled.text
                    resumed = admin.post("/api/dialer/resume")
                    assert resumed.status_code == 200, resumed.text
                    assert resumed.json()["held"] is None and resumed.json()["reason"] != "dialling_held"

                    def called() -> bool:
                        return admin.get(f"/api/callbacks/{jobs[WAITING]}").json()["status"] == "done"

                    _until(called, "the waiting client was never called", pbx_log, serve_log)
                    events = admin.get("/api/audit", params={"target": "dialling"}).json()
                    assert [(e["action"], e["details"].get("reason")) for e in reversed(events)] == [
                        ("hold_dialling", "backup"),
                        ("resume_dialling", "backup"),
                    ]
                    assert events[0]["actor"] == ADMIN
                    assert admin.get("/api/dialer").json()["held"] is None
        finally:
            print(serve_log.read_text(errors="replace")[-3000:])  # shown by pytest when the test failed
    calls = _callee_lines(pbx_log)
    print("\n".join(calls))
    assert "dialling is held in the copy" in taken.stdout
    assert len(calls) == 1 and calls[0].startswith(f"{WAITING}  answered"), calls
    assert f"job={jobs[WAITING]}" in calls[0]
