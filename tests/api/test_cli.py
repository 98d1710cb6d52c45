"""`ivrgraph db upgrade|seed` and `ivrgraph serve` as real processes, from a directory other than the repository."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from persistence.migrate import current_revision

ROOT = Path(__file__).resolve().parents[2]
IVRGRAPH = [sys.executable, "-c", "from ivrgraph.cli import main; raise SystemExit(main())"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVRGRAPH_")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_db_upgrade_creates_the_default_sqlite_file_in_the_working_directory(tmp_path: Path) -> None:
    done = subprocess.run([*IVRGRAPH, "db", "upgrade"], cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert current_revision(f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}") is not None


def test_db_seed_publishes_every_example(tmp_path: Path) -> None:
    done = subprocess.run(
        [*IVRGRAPH, "db", "seed", str(ROOT / "examples")], cwd=tmp_path, env=_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines and all(line.endswith("published v1") for line in lines)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, int]]:
    api_port, agi_port = _free_port(), _free_port()
    env = _env(
        IVRGRAPH_ADMIN_USER="admin", IVRGRAPH_ADMIN_PASSWORD="admin-pass-1", IVRGRAPH_MEDIA_ROOT=str(tmp_path / "media")
    )
    command = [*IVRGRAPH, "serve", "--port", str(api_port), "--agi-port", str(agi_port)]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:  # a file, not a pipe: nobody reads a pipe and a full one would stall the server
        process = subprocess.Popen(
            [*command, "--seed", str(ROOT / "examples")], cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{api_port}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(log.read_text(errors="replace")[-3000:])
                time.sleep(0.2)
            yield api_port, agi_port
        finally:
            process.terminate()
            process.wait(timeout=30)
            print(log.read_text(errors="replace")[-3000:])  # shown by pytest when the test failed


def _agi_call(port: int, slug: str) -> bytes:
    env = (f"agi_network: yes\nagi_network_script: {slug}\nagi_request: agi://127.0.0.1/{slug}\n"
           "agi_channel: PJSIP/100-00000001\nagi_language: en\nagi_uniqueid: 1.1\nagi_callerid: 100\n"
           "agi_calleridname: Test\nagi_dnid: 200\nagi_extension: 200\n\n")  # fmt: skip
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(env.encode())
        return sock.recv(200)


def _records(client: httpx.Client, slug: str, count: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + 10
    while len(items := client.get("/api/calls", params={"scenario": slug}).json()["items"]) < count:
        assert time.monotonic() < deadline, "the call record never arrived"
        time.sleep(0.2)
    return list(items)


@pytest.mark.slow
def test_serve_runs_the_api_and_fastagi_and_a_publish_reaches_the_next_call(served: tuple[int, int]) -> None:
    api_port, agi_port = served
    examples = sorted(p.stem for p in (ROOT / "examples").glob("*.json") if not p.name.endswith(".tests.json"))
    for slug in examples:  # issue 3: on the SQLite default, every example answers by its slug
        assert _agi_call(agi_port, slug) == b"ANSWER\n", slug
    with httpx.Client(base_url=f"http://127.0.0.1:{api_port}") as client:
        login = client.post("/api/auth/login", json={"username": "admin", "password": "admin-pass-1"}).json()
        client.headers["X-CSRF-Token"] = login["csrf_token"]
        first = _records(client, "inbound-hotline", 1)
        assert first[0]["caller_id"] == "100" and first[0]["version"] == 1
        draft = client.get("/api/scenarios/inbound-hotline").json()["draft"]
        draft["document"]["description"] = "republished"
        saved = client.put("/api/scenarios/inbound-hotline/draft", json={"revision": draft["revision"], **draft})
        assert saved.status_code == 200, saved.text
        assert client.post("/api/scenarios/inbound-hotline/publish", json={"message": "v2"}).status_code == 200
        assert _agi_call(agi_port, "inbound-hotline") == b"ANSWER\n"
        newest = _records(client, "inbound-hotline", 2)[0]
    assert newest["version"] == 2  # the FastAGI server in this process swapped versions at once
