"""A database server that goes away and comes back, or freezes and thaws, for tests of what a node does during a
database outage."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

from sqlalchemy.engine import make_url


class OutageProxy:
    """A TCP relay to a database (PostgreSQL or MariaDB) that fails in one of two ways.

    `go_down`, as a database host does when its server stops: the open connections are cut and new ones are closed
    as soon as they are accepted, so psycopg raises OperationalError ("server closed the connection
    unexpectedly"), as in the operations review's outage; `come_back` ends it.

    `freeze`, as a host does when its server stops answering while the kernel still acknowledges (a stopped
    process, a hung proxy): connections are still accepted and what either side sends is taken, but nothing goes on
    to the other side until `thaw`, which lets what was held through. No timeout fires on the client's side but its
    own: no reset, no refusal, no closed connection (the chaos review's frozen database)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._up = threading.Event()
        self._up.set()
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = threading.Event()
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

    def freeze(self) -> None:
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    def close(self) -> None:
        self._closed.set()
        self._flowing.set()  # relays holding bytes of a frozen connection notice the close
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
                threading.Thread(target=self._relay, args=(source, sink), daemon=True).start()

    def _relay(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                self._flowing.wait()  # frozen: taken from the sender, held
                if self._closed.is_set():
                    return
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)


def _cut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


@contextlib.contextmanager
def outage_proxy(url: str) -> Iterator[tuple[OutageProxy, str]]:
    """A proxy in front of the database at `url` (PostgreSQL or MariaDB), and that database's URL through it."""
    parsed = make_url(url)
    default_port = 5432 if parsed.get_backend_name() == "postgresql" else 3306
    proxy = OutageProxy((parsed.host or "127.0.0.1", parsed.port or default_port))
    try:
        yield proxy, parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.close()
