"""A PostgreSQL server that goes away and comes back, for tests of what a node does during a database outage."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

from sqlalchemy.engine import make_url


class OutageProxy:
    """A TCP relay to PostgreSQL that can go down as a database host does when its server stops: the open
    connections are cut and new ones are closed as soon as they are accepted, so psycopg raises
    OperationalError ("server closed the connection unexpectedly"), as in the operations review's outage."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._up = threading.Event()
        self._up.set()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def go_down(self) -> None:
        self._up.clear()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _cut(sock)

    def come_back(self) -> None:
        self._up.set()

    def close(self) -> None:
        self.go_down()
        _cut(self._listener)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._up.is_set():
                _cut(client)
                continue
            try:
                server = socket.create_connection(self._target)
            except OSError:
                _cut(client)
                continue
            with self._lock:
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_relay, args=(source, sink), daemon=True).start()


def _relay(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)


def _cut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


@contextlib.contextmanager
def outage_proxy(url: str) -> Iterator[tuple[OutageProxy, str]]:
    """A proxy in front of the PostgreSQL database at `url`, and that database's URL through it."""
    parsed = make_url(url)
    proxy = OutageProxy((parsed.host or "127.0.0.1", parsed.port or 5432))
    try:
        yield proxy, parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.close()
