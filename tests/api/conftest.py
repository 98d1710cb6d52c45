"""A real server per database backend: uvicorn on a free port in a thread, spoken to over HTTP with httpx."""

from __future__ import annotations

import itertools
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.settings import Settings
from graph_engine.registry import BlockRegistry
from persistence.publishing import PublishHub
from tests.persistence import pg

ADMIN, ADMIN_PASSWORD = "root", "root-password-1"
_names = itertools.count(1)


@dataclass
class Server:
    base_url: str
    hub: PublishHub
    backend: str
    database_url: str  # tests may write what the FastAGI runtime would (call records)
    media_root: Path


def serve_api(settings: Settings, hub: PublishHub, registry: BlockRegistry | None = None) -> Iterator[str]:
    """A real uvicorn server of the app; `registry`: blocks other than the installed ones (test plugins)."""
    app = create_app(settings, registry=registry, hub=hub)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per backend for the whole session; tests keep apart by using names of their own."""
    hub = PublishHub()
    dist = _designer_dist(tmp_path_factory.mktemp("dist"))
    media = tmp_path_factory.mktemp("media")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}"
        settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=dist,
                            media_root=media)  # fmt: skip
        for base_url in serve_api(settings, hub):
            yield Server(base_url, hub, "sqlite", url, media)
        return
    with pg.throwaway_database("api") as url:
        settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, designer_dist=dist,
                            media_root=media)  # fmt: skip
        for base_url in serve_api(settings, hub):
            yield Server(base_url, hub, "postgres", url, media)


def _designer_dist(folder: Path) -> Path:
    (folder / "assets").mkdir()
    (folder / "index.html").write_text("<!doctype html><title>ivrgraph designer</title>", encoding="utf-8")
    (folder / "assets" / "app.js").write_text("console.log('designer')", encoding="utf-8")
    return folder


# httpx loads certifi's CA bundle into a new TLS context for each client unless given one: ~20 ms of CPU per
# client, a seventh of a worker's time in this suite, which makes a client per user and never speaks TLS.
_NEVER_TLS = ssl.create_default_context()


class Client(httpx.Client):
    """An httpx client signed in with the session cookie, sending its CSRF token like the designer does."""

    username: str

    def __init__(self, **options: Any) -> None:
        super().__init__(**{"verify": _NEVER_TLS, **options})

    def login(self, username: str, password: str) -> httpx.Response:
        response = self.post("/api/auth/login", json={"username": username, "password": password})
        if response.status_code == 200:
            self.headers["X-CSRF-Token"] = response.json()["csrf_token"]
            self.username = username
        return response


@pytest.fixture
def anonymous(server: Server) -> Iterator[Client]:
    with Client(base_url=server.base_url, timeout=30) as client:
        yield client


@pytest.fixture
def admin(server: Server) -> Iterator[Client]:
    with Client(base_url=server.base_url, timeout=30) as client:
        assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
        yield client


class UserFactory(Protocol):
    def __call__(self, role: str, *, personal_data: bool = True) -> Client: ...


@pytest.fixture
def user_factory(server: Server, admin: Client) -> Iterator[UserFactory]:
    """`make(role)`: a new user with that role, signed in. They read personal data unmasked (`sees_personal_data`),
    as the tests of what a role may do expect; `personal_data=False` for one who reads it masked."""
    clients: list[Client] = []

    def make(role: str, *, personal_data: bool = True) -> Client:
        name = f"{role}{next(_names)}_{server.backend}"
        body = {"username": name, "password": "password-123", "role": role, "sees_personal_data": personal_data}
        created = admin.post("/api/users", json=body)
        assert created.status_code == 201, created.text
        client = Client(base_url=server.base_url, timeout=30)
        assert client.login(name, "password-123").status_code == 200
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def slug() -> Callable[[str], str]:
    """Unique scenario slugs: tests share one server per backend."""
    return lambda prefix="s": f"{prefix}-{next(_names)}"
