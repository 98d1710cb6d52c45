"""How much of a body sent to an operation that takes none is read, over real HTTP on SQLite and PostgreSQL
(security review).

The refusal (`body_not_taken`, api.bodyless) read the whole body, up to the 21 MiB every request may have, and parsed
it as JSON twice, before anyone was asked who sent it, on the event loop the FastAGI calls of `ivrgraph serve` share:
17 MB of JSON holding 1.4 M keys sent to `GET /api/calls` without signing in stalled /healthz and a live call for
2.9 s. A client that stopped sending (a 25 MB chunked body past the limit, or fewer bytes than its Content-Length
said) got a 500 and two logged tracebacks (`ClientDisconnect`). Now a small prefix is read, and parsed only when it
is the whole body; a bigger one is refused unread, and the connection closed.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.conftest import Client, Server

INVALID = "https://ivrgraph.dev/problems/invalid-request"
PREFIX = 64 * 2**10  # what is read of a body to tell "none" from one (api.bodyless.MAX_READ)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors_logged() -> Iterator[list[logging.LogRecord]]:
    """What the server in this process logs at ERROR or above: the app's own loggers (which reach the root) and
    uvicorn's (which do not)."""
    handler = _Records()
    loggers = [logging.getLogger(), logging.getLogger("uvicorn.error"), logging.getLogger("uvicorn")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _errors(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.name}: {r.getMessage()} {r.exc_info!r}" for r in records if r.levelno >= logging.ERROR]


def _refused(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert body["type"] == INVALID, body
    [problem] = body["problems"]
    assert (problem["path"], problem["code"]) == ("$", "body_not_taken"), problem
    return problem


def _chunks(total: int, size: int = 2**16) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def test_a_chunked_body_past_the_limit_is_refused_not_a_500(
    anonymous: Client, errors_logged: list[logging.LogRecord]
) -> None:
    """25 MB, chunked, no sign-in needed: refused after the first bytes, the rest never read, nothing logged."""
    answer = anonymous.request(
        "DELETE", "/api/tokens/1", content=_chunks(25 * 2**20), headers={"content-type": "text/plain"}
    )
    problem = _refused(answer)
    assert answer.headers["connection"] == "close"  # the rest of the body is never read
    assert "more_than" in problem["params"] and "length" not in problem["params"], problem
    time.sleep(0.3)
    assert _errors(errors_logged) == []


def test_a_declared_length_past_the_limit_is_a_413(anonymous: Client) -> None:
    answer = anonymous.request(
        "DELETE", "/api/tokens/1", content=b"x" * (22 * 2**20), headers={"content-type": "text/plain"}
    )
    assert answer.status_code == 413, answer.text
    assert answer.json()["type"] == "https://ivrgraph.dev/problems/payload-too-large"


def test_a_chunked_json_body_past_the_limit_is_a_413(anonymous: Client) -> None:
    answer = anonymous.request(
        "DELETE", "/api/tokens/1", content=_chunks(25 * 2**20), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413, answer.text


@pytest.mark.parametrize("sent", [b"abc", b""])
def test_a_client_that_stops_sending_is_let_go_quietly(
    server: Server, errors_logged: list[logging.LogRecord], sent: bytes
) -> None:
    """Content-Length says 100, a few bytes come (or none), and the client closes: no 500, no traceback."""
    address = urlsplit(server.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as conn:
        conn.sendall(b"GET /api/calls HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + sent)
        time.sleep(0.2)
    time.sleep(0.5)
    assert _errors(errors_logged) == []


def _many_keys(count: int) -> bytes:
    return json.dumps({f"k{n}": 0 for n in range(count)}).encode()


def test_a_big_json_body_is_refused_without_being_parsed(anonymous: Client) -> None:
    """Its fields are not named: naming them needed the whole body parsed."""
    body = _many_keys(20_000)
    assert len(body) > PREFIX
    problem = _refused(
        anonymous.request("GET", "/api/calls", content=body, headers={"content-type": "application/json"})
    )
    assert "fields" not in problem["params"], problem
    assert problem["params"]["length"] == len(body)  # declared: said, not counted
    assert "k0" not in problem["message"]


def test_a_small_json_body_still_names_its_fields(anonymous: Client) -> None:
    problem = _refused(anonymous.request("GET", "/api/calls", json={"status": "missed", "page": 2}))
    assert problem["params"]["fields"] == ["status", "page"]
    assert problem["params"]["length"] == len(b'{"status":"missed","page":2}')


def test_a_huge_json_body_does_not_stall_the_node(server: Server, anonymous: Client) -> None:
    """17 MB of JSON with 1.4 M keys, unauthenticated: /healthz keeps answering at once meanwhile."""
    body = _many_keys(1_400_000)
    answers: list[httpx.Response] = []

    def send() -> None:
        with Client(base_url=server.base_url, timeout=60) as other:
            answers.append(
                other.request("GET", "/api/calls", content=body, headers={"content-type": "application/json"})
            )

    sender = threading.Thread(target=send)
    sender.start()
    slowest = 0.0
    while sender.is_alive():
        started = time.monotonic()
        assert anonymous.get("/healthz").status_code == 200
        slowest = max(slowest, time.monotonic() - started)
        time.sleep(0.01)
    sender.join()
    _refused(answers[0])
    assert slowest < 1.0, slowest
