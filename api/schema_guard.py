"""The API stops serving once a newer ivrgraph migrates its database (ops review, upgrading 0023 to 0027 one node at
a time: a token made with `sees_personal_data: false`, 0025, read personal data unmasked through a node of the older
release, whose code does not read the column).

A node refuses, at start, a database a newer release migrated (persistence.migrate). One already running finds out
here: every request under /api is answered 503 `schema-newer-than-code`, naming the database's revision and the
newest this code knows, and `/readyz` answers 503 `{"status": "schema newer than code"}`, so a load balancer sends
the designer to the upgraded nodes. `/healthz` still answers 200 (the process is up: restarting it would not help,
upgrading it does), and the designer's files are served as ever. From then on the node enforces nothing less than
the newer schema asks, as it serves nothing; it serves again by itself if the database comes back to its revision.

The revision is read at most once every `CHECK_TTL` seconds, on a worker thread, one read at a time: a request finds
it cached. Past the TTL, a request waits for the next read, a while: `FIRST_READ_WAIT` for the first, `REREAD_WAIT`
for the later ones, each counted from when the read began (serving the first request past the TTL from the last
revision read, as this did, answered it under the old rules once more: security review). A database slow to answer
so holds a request that long at most, and those that come later in the same read not at all: they are answered
from the last revision read. A read that fails (the database away) keeps the last answer: the routes say for
themselves that the database is away.

A pure ASGI middleware, as api.security_headers, so the exports' streamed bodies pass through it untouched.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Final

import anyio
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import problem
from persistence.migrate import head_revision, newer_revision

log = logging.getLogger(__name__)

CHECK_TTL: Final = 3.0  # seconds a revision read is trusted
FIRST_READ_WAIT: Final = 2.0  # seconds a request waits for the first read (as /readyz waits for SELECT 1)
REREAD_WAIT: Final = 0.5  # seconds a request waits for a later read (it takes milliseconds on a database that answers)
NOT_READY: Final = "schema newer than code"


class SchemaGuard:
    def __init__(self, app: ASGIApp, *, ttl: float = CHECK_TTL) -> None:
        self.app = app
        self.ttl = ttl
        self._newer: str | None = None
        self._read_at = -math.inf  # monotonic time of the last read, failed or not
        self._reading: asyncio.Task[None] | None = None
        self._wait_until = -math.inf  # monotonic time until which requests wait for the read under way

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "") if scope["type"] == "http" else ""
        guarded = path == "/readyz" or path == "/api" or path.startswith("/api/")
        runtime = getattr(scope["app"].state, "runtime", None) if guarded and "app" in scope else None
        newer = await self.newer(runtime.database.engine) if runtime is not None else None
        if newer is None:
            await self.app(scope, receive, send)
            return
        if path == "/readyz":
            response = JSONResponse({"status": NOT_READY}, status_code=503)
        else:
            # The revisions are said to anyone, signed in or not: they are those of published releases, said only
            # while a node awaits its upgrade, and they tell whoever reads the answer what to do. The release a
            # node runs is no secret anyway: its designer's files, served to anyone, are named after it.
            detail = (
                f"the database is at schema revision {newer}, newer than this ivrgraph node knows (up to "
                f"{head_revision()}): a newer release migrated it; this node serves again once it is upgraded"
            )
            response = problem(
                503, "schema-newer-than-code", detail, database_revision=newer, code_revision=head_revision()
            )
        await response(scope, receive, send)

    async def newer(self, engine: Engine) -> str | None:
        """The database's revision when this code does not know it, as last read; read again past the TTL."""
        now = time.monotonic()
        if self._reading is None and now - self._read_at >= self.ttl:
            self._reading = asyncio.create_task(self._read(engine))
            self._wait_until = now + (FIRST_READ_WAIT if self._read_at == -math.inf else REREAD_WAIT)
        if self._reading is not None and now < self._wait_until:
            try:
                await asyncio.wait_for(asyncio.shield(self._reading), self._wait_until - now)
            except TimeoutError:
                pass
        return self._newer

    async def _read(self, engine: Engine) -> None:
        try:
            newer = await anyio.to_thread.run_sync(_read_newer, engine)
        except SQLAlchemyError as error:
            log.debug("schema revision not read: %s", error)
        else:
            if newer is not None and newer != self._newer:
                log.warning(
                    "the API answers 503: the database is at schema revision %s, newer than this ivrgraph knows "
                    "(up to %s); upgrade ivrgraph on this node",
                    newer,
                    head_revision(),
                )
            self._newer = newer
        finally:
            self._read_at = time.monotonic()
            self._reading = None


def _read_newer(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return newer_revision(conn)
