"""`ivrgraph serve` logging as a real process: the level and format options, and uvicorn's lines in the same format.

Operations review: `serve --log-level WARNING` was refused ("unrecognized arguments"), and uvicorn wrote its own
lines without a time (`INFO:     127.0.0.1:55266 - "POST /api/auth/login HTTP/1.1" 200 OK`), query strings
included (a query can carry a token or a caller's number).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx

from persistence.users import CHEAP_HASHES_ENV
from tests.api.serve_process import IVRGRAPH, clean_env, running_serve
from tests.conftest import free_port

ISO_UTC_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SECRET = "s3cret-token"


def _serve_and_ask(tmp_path: Path, *arguments: str, **environment: str) -> str:
    """Start `ivrgraph serve`, ask /readyz with a query string once it answers, stop it; its log (stderr)."""
    api_port, agi_port = free_port(), free_port()
    env = clean_env(
        IVRGRAPH_ADMIN_USER="admin",
        IVRGRAPH_ADMIN_PASSWORD="admin-pass-1",
        IVRGRAPH_MEDIA_ROOT=str(tmp_path / "media"),
        **environment,
    )
    log = tmp_path / "serve.log"
    command = [*IVRGRAPH, "serve", "--port", str(api_port), "--agi-port", str(agi_port), *arguments]
    with running_serve(command, cwd=tmp_path, env=env, api_port=api_port, log=log, stdout_to_log=False) as process:
        asked = httpx.get(f"http://127.0.0.1:{api_port}/readyz", params={"token": SECRET, "number": "600123456"})
        assert asked.status_code == 200
    text = log.read_text(errors="replace")
    assert process.returncode == 0, text
    return text


def test_serve_takes_a_log_level_and_says_nothing_below_it(tmp_path: Path) -> None:
    text = _serve_and_ask(tmp_path, "--log-level", "WARNING")
    assert not [line for line in text.splitlines() if " INFO " in line or line.startswith("INFO:")], text
    assert "readyz" not in text  # the access lines are INFO too


def test_serve_logs_json_lines_uvicorn_included_and_its_access_lines_without_the_query(tmp_path: Path) -> None:
    text = _serve_and_ask(tmp_path, IVRGRAPH_LOG_FORMAT="json")
    entries: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines()]
    assert all(ISO_UTC_MS.match(e["time"]) for e in entries), text
    loggers = {e["logger"] for e in entries}
    assert {"uvicorn.error", "uvicorn.access", "agi_server.server"} <= loggers, loggers
    access = [e for e in entries if e["logger"] == "uvicorn.access" and "/readyz" in e["message"]]
    assert access and all(e["level"] == "INFO" for e in access)
    assert any(re.fullmatch(r'127\.0\.0\.1:\d+ - "GET /readyz HTTP/1\.1" 200', e["message"]) for e in access), access
    assert SECRET not in text and "600123456" not in text
    assert "color_message" not in text


def test_serve_text_lines_of_uvicorn_have_a_time_and_no_query(tmp_path: Path) -> None:
    """The default format stays the one `ivrgraph agi` always wrote; uvicorn's lines now follow it."""
    text = _serve_and_ask(tmp_path)
    assert CHEAP_HASHES_ENV not in text  # hashing at full strength, as a server does: nothing to warn of
    access = [line for line in text.splitlines() if " uvicorn.access " in line]
    assert access and all(re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO uvicorn\.access ", a) for a in access)
    assert not [line for line in text.splitlines() if line.startswith("INFO:")], text
    assert SECRET not in text


def test_serve_warns_when_it_hashes_passwords_the_test_suites_cheap_way(tmp_path: Path) -> None:
    """A variable copied from a test setup onto a server would leave its passwords easy to crack: said at start."""
    text = _serve_and_ask(tmp_path, **{CHEAP_HASHES_ENV: "1"})
    [warning] = [line for line in text.splitlines() if CHEAP_HASHES_ENV in line]
    assert " WARNING api.serve " in warning and "for test suites only" in warning, warning
