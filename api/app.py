"""The FastAPI application factory: `create_app(settings)`."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import AsyncIterator
from concurrent.futures import Future
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.convertors import PathConvertor, register_url_convertor

from agi_server.logs import in_log_format
from api import designer_files, errors
from api.body_limit import BodyLimit, limit_words
from api.bodyless import RefuseUndeclaredBody
from api.deps import Runtime, least_role, role_statement
from api.operation_ids import operation_ids
from api.query_params import RefuseUnknownQuery
from api.query_try import try_service
from api.routes import (
    audio,
    audit,
    auth,
    blocks,
    callbacks,
    calls,
    datasources,
    dialer,
    every_route,
    flow_stats,
    privacy,
    reports,
    scenario_tests,
    scenarios,
    tokens,
    users,
)
from api.schema_guard import SchemaGuard
from api.schemas import Health, TooLargeProblem
from api.security_headers import SecurityHeaders
from api.settings import Settings
from blocks import default_registry
from graph_engine.registry import BlockRegistry
from persistence import users as user_data
from persistence.datasources import DatabaseDataSources
from persistence.db import Database
from persistence.errors import AlreadyExists
from persistence.migrate import upgrade
from persistence.phone_numbers import configure_default_country
from persistence.publishing import PublishHub
from voice.assets import AssetLimits

log = logging.getLogger(__name__)
ROUTERS = (auth, tokens, users, blocks, scenarios, scenario_tests, flow_stats, calls, reports, callbacks, dialer,
           datasources, audit, audio, privacy)  # fmt: skip
DESCRIPTION = """Designer backend of ivrgraph: scenarios, drafts, published versions, block catalog, simulation,
call records, users.

**Authentication.** The designer signs in with `POST /api/auth/login` (HttpOnly cookie `ivrgraph_session`); every
unsafe request made with the cookie must send the `X-CSRF-Token` header returned by login and `/api/auth/me`.
Integrations send `Authorization: Bearer <token>` (create one with `POST /api/tokens`). `GET /api/auth/me` with a
token shows it (`token`, with its `expires_at`); past that, its 401 is `token-expired` (with `expired_at`), not the
`not-authenticated` of a token unknown or revoked.
Roles: viewer < editor (drafts) < publisher (publish, roll back, delete) < admin (users, data sources). Each
operation says the least role it needs (`**Role:**` in its description, `x-role` in the document). Callers' and
clients' personal data (numbers, names, a call's variables and trace, a call list's columns) is read unmasked only
by users given `sees_personal_data`, whatever their role; others read it masked (`+34*******56`, `[hidden]`).

**Errors** are `application/problem+json` (RFC 9457) with extra members per problem, e.g. `current_revision`
and `document` on a stale draft (409), `problems` with JSON paths on an invalid document (422). Each item of
`problems` has a stable snake_case `code` (and `params` where its message is built from values); a client tells
problems apart by `type` and `code`, never by the English `detail` or `message`.
JSON bodies are sent as `Content-Type: application/json` (415 otherwise); the file uploads as `multipart/form-data`.
A query parameter an operation does not declare is refused, not ignored (422, code `unknown_query_parameter`, with
`params` naming it, the ones the operation takes and, for a near miss, the `suggestion`): a misspelt filter would
otherwise return everything. So is a body sent to an operation that takes none (422, code `body_not_taken` at `$`;
an empty JSON object `{}` is taken as no body).
"""
UNSUPPORTED = "Body not sent as Content-Type: application/json"
REFUSED = "Invalid request, a query parameter it does not take, or a body when it takes none"
# The largest body any route takes is an audio upload (voice.assets.AssetLimits.max_bytes) and its form.
MAX_BODY_BYTES: Final = AssetLimits().max_bytes + 2**20
TOO_LARGE = (
    f"Body over the {limit_words(MAX_BODY_BYTES)} limit ({MAX_BODY_BYTES} bytes) every operation has: "
    "`payload-too-large`, with `limit_bytes`; refused before it is read whole"
)
# Bodies of a few fields, the first two sent before anyone is known: parsed on the event loop the FastAGI calls share,
# 17 MB of JSON to the sign-in stalled the node 23 s (security review).
SMALL_BODY_BYTES: Final = 64 * 2**10
SMALL_BODIES: Final = dict.fromkeys(("/api/auth/login", "/api/auth/password", "/api/tokens", "/api/users"),
                                    SMALL_BODY_BYTES)  # fmt: skip
SMALL_TOO_LARGE = (
    f"Body over the {limit_words(SMALL_BODY_BYTES)} limit ({SMALL_BODY_BYTES} bytes) of this operation: "
    "`payload-too-large`, with `limit_bytes`; refused before it is read whole"
)


def bootstrap_admin(database: Database, settings: Settings) -> None:
    """First start: create the admin from the environment, or print a one-time password."""
    try:
        with database.session() as session:
            result = user_data.ensure_admin(session, username=settings.admin_user, password=settings.admin_password)
    except AlreadyExists:
        return  # another node starting at the same moment created it (review, 2026-12-05: that node then died)
    if result is not None and result.generated_password is not None:
        advice = "sign in and change it (or set IVRGRAPH_ADMIN_USER / IVRGRAPH_ADMIN_PASSWORD)"
        printout = in_log_format(
            f"ivrgraph: created user {result.username!r} with the one-time password {result.generated_password} "
            f"- {advice}",
            logger=__name__,
            message=f"created user {result.username!r} with a one-time password (field one_time_password): {advice}",
            admin_user=result.username,
            one_time_password=result.generated_password,
        )
        # Printed, not logged: a record would copy the password to every handler, at whatever level passes.
        print(printout, file=sys.stderr, flush=True)


def create_app(
    settings: Settings,
    *,
    registry: BlockRegistry | None = None,
    hub: PublishHub | None = None,
    database: Database | None = None,
    data_sources: DatabaseDataSources | None = None,
) -> FastAPI:
    """The API. The database is migrated (when `settings.migrate_on_start`) and opened when the app starts.

    `hub` lets a FastAGI server in the same process subscribe to publishes; `database` lets it share the engine;
    `data_sources` lets it share the SQL blocks' sources, so that an admin's edit or delete (`forget`) reaches
    that server's calls at once (its owner closes it). Without one, the app makes and closes its own.
    """
    shared_hub = hub or PublishHub()
    # Process-wide, as `ivrgraph serve`'s FastAGI server and dialer compare numbers in this same process: set before
    # either starts (persistence.phone_numbers).
    configure_default_country(settings.default_country)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        def start() -> Database:
            if settings.migrate_on_start:
                upgrade(settings.database_url)
            opened = database or Database(settings.database_url)
            bootstrap_admin(opened, settings)
            user_data.prepare_sign_ins()
            return opened

        opened = await anyio.to_thread.run_sync(start)
        runtime = Runtime(
            settings=settings,
            database=opened,
            registry=registry or default_registry(),
            hub=shared_hub,
            data_sources=data_sources or DatabaseDataSources(opened),
            try_sources=try_service(opened),
        )
        app.state.runtime = runtime
        try:
            yield
        finally:
            if runtime.try_sources is not None:
                runtime.try_sources.close()
            if data_sources is None and runtime.data_sources is not None:
                runtime.data_sources.close()
            if database is None:
                opened.dispose()

    app = FastAPI(title="ivrgraph", version="1", description=DESCRIPTION, lifespan=lifespan,
                  generate_unique_id_function=operation_ids())  # fmt: skip
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES, path_limits=SMALL_BODIES)
    app.add_middleware(SchemaGuard)  # a database a newer release migrated: 503, not old rules (schema_guard)
    app.add_middleware(SecurityHeaders)  # added last, so outermost: a 413 of BodyLimit carries them too
    errors.install(app)
    # Every API route, not the health checks nor the designer's files (whose links may carry anything).
    refuse_unknown_query, refuse_undeclared_body = Depends(RefuseUnknownQuery()), Depends(RefuseUndeclaredBody())
    for module in ROUTERS:
        app.include_router(module.router, dependencies=[refuse_unknown_query, refuse_undeclared_body])

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        """The process is up."""
        return Health(status="ok")

    probe = ReadinessProbe()

    @app.get("/readyz", response_model=Health, tags=["health"], responses={503: {"model": Health}})
    async def readyz(request: Request) -> Any:
        """The database answers."""
        if not await probe.ready(request.app.state.runtime.database.engine):
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return Health(status="ready")

    _serve_designer(app, settings.designer_dist)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


READY_TIMEOUT: Final = 2.0  # seconds /readyz waits for SELECT 1 before it answers 503


class ReadinessProbe:
    """SELECT 1 with a deadline, for /readyz. A database that froze (TCP still acknowledged) never answered it:
    the probe waited out the driver's ping and connect timeouts, 10-15 s, longer than a prober waits, so the
    prober saw no answer at all instead of a 503 (chaos review).

    The probe runs on a daemon thread of its own, not the threads the API's routes share, and at most one at a
    time: probes asked while one is under way wait for that one (each until its own deadline). A frozen database
    so holds one thread, until the driver gives up (its ping and connect timeouts, persistence.db), however often
    the prober asks meanwhile."""

    def __init__(self, timeout: float = READY_TIMEOUT) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._running: Future[None] | None = None

    async def ready(self, engine: Engine) -> bool:
        """Whether the database answered SELECT 1 within the deadline."""
        try:
            await asyncio.wait_for(asyncio.wrap_future(self._probe(engine)), self.timeout)
        except (TimeoutError, SQLAlchemyError):
            return False
        return True

    def _probe(self, engine: Engine) -> Future[None]:
        with self._lock:
            if self._running is None or self._running.done():
                self._running = Future()
                self._running.set_running_or_notify_cancel()  # running: a waiter giving up cannot cancel it
                thread = threading.Thread(
                    target=_select_one, args=(engine, self._running), name="readiness probe", daemon=True
                )
                thread.start()
            return self._running


def _select_one(engine: Engine, answered: Future[None]) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except BaseException as error:  # handed to the waiting probes, as an executor's worker does
        answered.set_exception(error)
    else:
        answered.set_result(None)


class DesignerPath(PathConvertor):
    """A path outside /api: the designer's catch-all never matches under /api, where the API answers for itself
    (a path it does not know is its 404; one it knows, asked with another method, its 405 naming the methods).
    Answering there took `GET /api/tokens/3`, a path that only deletes, for a missing page."""

    regex = r"(?!api(?:/|$)).*"


register_url_convertor("designer_path", DesignerPath())


def _serve_designer(app: FastAPI, dist: Path | None) -> None:
    """The built designer at `/`; any other path that is not a file and not under /api or /assets is sent there,
    as the designer's hash route. Each answer says how long a browser may keep it (api/designer_files.py)."""
    if dist is None:
        return
    root = dist.resolve()

    @app.get("/{path:designer_path}", include_in_schema=False)
    def designer(path: str, request: Request) -> Response:
        index = root / "index.html"
        missing = {"Cache-Control": designer_files.NO_STORE}
        if not index.is_file():
            return errors.problem(404, "not-found", "no such page", headers=missing)
        wanted = (root / path).resolve()
        # resolve() and the ancestry check keep `..` and symlinks from reading outside the dist folder.
        if path and wanted.is_file() and root in wanted.parents:
            return FileResponse(wanted, headers={"Cache-Control": designer_files.cache_control(path)})
        if designer_files.is_asset(path):  # a chunk of another release: index.html would fail as a module
            return errors.problem(404, "not-found", "no such file", headers=missing)
        if path:
            address = designer_files.page_address(path, request.url.query)
            return RedirectResponse(address, status_code=307, headers={"Cache-Control": designer_files.NO_CACHE})
        return FileResponse(index, headers={"Cache-Control": designer_files.NO_CACHE})


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with error answers declared as application/problem+json (what they really are)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    problem_ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    too_large_ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/TooLargeProblem"}}}
    for path, path_item in schema.get("paths", {}).items():
        too_large = SMALL_TOO_LARGE if path in SMALL_BODIES else TOO_LARGE
        for operation in path_item.values():
            if "requestBody" in operation:  # a body that is not JSON at all is a 400 before any validation
                operation["responses"].setdefault("400", {"description": "Body is not JSON", "content": problem_ref})
                operation["responses"].setdefault("413", {"description": too_large, "content": too_large_ref})
            if "application/json" in operation.get("requestBody", {}).get("content", {}):  # not the file uploads
                operation["responses"].setdefault("415", {"description": UNSUPPORTED, "content": problem_ref})
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.isdigit() and int(status) >= 400 and "application/json" in content:
                    if status == "422":  # a refusal's `problems`, each with its code (api.errors)
                        content["application/json"] = {"schema": {"$ref": "#/components/schemas/RefusalProblem"}}
                    if status != "503":
                        response["content"] = {"application/problem+json": content.pop("application/json")}
    _state_roles(schema, app)
    _state_query_refusal(schema, app)
    components = schema.get("components", {}).get("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components["TooLargeProblem"] = TooLargeProblem.model_json_schema(ref_template="#/components/schemas/{model}")
    app.openapi_schema = schema
    return schema


def _state_roles(schema: dict[str, Any], app: FastAPI) -> None:
    """Every operation says the least role it needs, in its description and as `x-role`, read from the role check
    among the route's dependencies (api.deps.least_role): what the document says is what the server enforces."""
    for route in every_route(app.routes):
        if not route.include_in_schema or route.dependant is None:
            continue
        role = least_role(route.dependant)
        for method in route.methods or ():
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            operation["description"] = "\n\n".join(filter(None, (operation.get("description"), role_statement(role))))
            operation["x-role"] = role.label if role is not None else "public"


def _state_query_refusal(schema: dict[str, Any], app: FastAPI) -> None:
    """Every operation refusing undeclared query parameters (api.query_params) and bodies (api.bodyless) declares its
    422, also one that could answer none before (`GET /api/auth/me`)."""
    refusal = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/RefusalProblem"}}}
    for route in every_route(app.routes):
        if not route.include_in_schema or route.dependant is None:
            continue
        if not any(isinstance(sub.call, RefuseUnknownQuery) for sub in route.dependant.dependencies):
            continue
        for method in route.methods or ():
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                operation["responses"].setdefault("422", {"description": REFUSED, "content": refusal})
