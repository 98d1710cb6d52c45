"""Real HTTP SMS gateways for the send_sms example plugin's tests: one accepts every POST and keeps its JSON, one
never answers (a slow gateway a caller hangs up on)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer


@contextmanager
def sms_gateway() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """(the gateway's URL, the messages it received so far), while it runs."""
    received: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sms", received
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class StalledGateway:
    """What a gateway that never answers saw: a request arriving, then its connection closed by the client."""

    arrived: threading.Event = field(default_factory=threading.Event)
    closed: threading.Event = field(default_factory=threading.Event)


@contextmanager
def stalled_sms_gateway(*, hold: float = 20.0) -> Iterator[tuple[str, StalledGateway]]:
    """(the URL of a gateway that reads each POST and never answers it, what it saw), while it runs. It waits up to
    `hold` seconds for the client to close the connection, as a slow CRM or gateway keeps a caller's request."""
    seen = StalledGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.arrived.set()
            self.connection.settimeout(hold)
            try:
                if self.connection.recv(1) == b"":  # the client closed its end
                    seen.closed.set()
            except TimeoutError:
                pass
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False  # a handler still holding a request never holds the test's end
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sms", seen
    finally:
        server.shutdown()
        server.server_close()
