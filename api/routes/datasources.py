"""Data sources for the SQL block (admin only, but for an editor's "Try query" of a block's query). The URL carries a
password: it goes in, it never comes out.

A source's connection is checked on demand (`POST .../check`, saved or not) and on saving a new URL, where the
check is a warning only: a database may be down at the moment, and the source is saved all the same."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import Admin, Editor, RuntimeDep
from api.query_try import RATE_LIMITED, try_query
from api.routes import AUTHED, IdPath, problems
from api.schemas import (
    DataSourceCheck,
    DataSourceCheckRequest,
    DataSourceCreate,
    DataSourcePublic,
    DataSourceSaved,
    DataSourceTry,
    DataSourceTryRequest,
    DataSourceUpdate,
)
from persistence import datasources
from persistence.datasource_check import ConnectionCheck, check_connection
from persistence.models import DataSource

router = APIRouter(prefix="/api/data-sources", tags=["data sources"], responses=AUTHED)


def public(source: DataSource) -> DataSourcePublic:
    return DataSourcePublic(
        id=source.id,
        name=source.name,
        target=datasources.public_target(source.url),
        read_only=source.read_only,
        tries_allowed=source.tries_allowed,
        description=source.description,
        created_at=source.created_at,
        updated_at=source.updated_at,
    )


@router.get("", response_model=list[DataSourcePublic])
def list_sources(_admin: Admin, runtime: RuntimeDep) -> list[DataSourcePublic]:
    with runtime.database.session() as session:
        return [public(source) for source in datasources.list_data_sources(session)]


def checked(check: ConnectionCheck) -> DataSourceCheck:
    return DataSourceCheck(
        ok=check.ok, code=check.code, server=check.server, message=check.message, elapsed_ms=check.elapsed_ms
    )


@router.post("", status_code=201, response_model=DataSourceSaved, responses=problems(409))
def create_source(body: DataSourceCreate, _admin: Admin, runtime: RuntimeDep) -> DataSourceSaved:
    """Saved, then its connection checked (a few seconds at most): `check` says how that went, as a warning."""
    with runtime.database.session() as session:
        source = datasources.create_data_source(
            session,
            name=body.name,
            url=body.url,
            read_only=body.read_only,
            description=body.description,
            tries_allowed=body.tries_allowed,
        )
        saved = public(source)
    # After the commit, outside the session: a slow server holds no connection to our own database meanwhile.
    return DataSourceSaved(**saved.model_dump(), check=checked(check_connection(body.url)))


@router.post("/check", response_model=DataSourceCheck)
def check_url(body: DataSourceCheckRequest, _admin: Admin) -> DataSourceCheck:
    """Whether a URL not saved (yet) reaches its database: connects within a few seconds and runs a trivial query.
    Every outcome is a 200 with `ok`, and `code` when not: what the check found, not a fault of the request."""
    return checked(check_connection(body.url))


@router.get("/{source_id}", response_model=DataSourcePublic, responses=problems(404))
def get_source(source_id: IdPath, _admin: Admin, runtime: RuntimeDep) -> DataSourcePublic:
    with runtime.database.session() as session:
        return public(datasources.get_data_source(session, source_id=source_id))


@router.post("/{source_id}/check", response_model=DataSourceCheck, responses=problems(404))
def check_source(source_id: IdPath, _admin: Admin, runtime: RuntimeDep) -> DataSourceCheck:
    """Whether a saved source reaches its database now, as `POST /api/data-sources/check` says of a URL."""
    with runtime.database.session() as session:
        url = datasources.get_data_source(session, source_id=source_id).url
    return checked(check_connection(url))


@router.post("/{source_name}/try", response_model=DataSourceTry, responses=problems(403))
async def try_source_query(
    source_name: Annotated[str, Path(pattern=datasources.NAME_PATTERN)],
    body: DataSourceTryRequest,
    editor: Editor,
    runtime: RuntimeDep,
    response: Response,
) -> DataSourceTry:
    """The SQL block's "Try query": its query run once on the source it names (by name, as the block does: an
    editor sees no source's id), with `params` bound. Only on a source an admin allowed tries on (`tries_allowed`;
    `sql_try_not_allowed` otherwise, and for a name no source has), 20 a minute per user (`sql_try_rate_limited`,
    with `seconds` and Retry-After), 2 at once per source (`data_source_busy` past the 3 s). Only a reading query is
    run, in a read-only transaction rolled back (`sql_try_writes` otherwise), within the block's default 3 s; at
    most 5 rows come back, each value cut at 1,000 characters. Each try is audited (`try_query`). Every outcome is
    a 200, with `failure` when the query did not answer, but one: a user without `sees_personal_data` may not try
    (403 `personal-data-needed`, code `personal_data_needed`, audited as a refused `try_query`), since whatever a
    chosen query answers (values, which are NULL, how many rows, its failure) tells the data it reads."""
    assert runtime.try_sources is not None  # create_app makes it with the runtime
    tried = await try_query(
        database=runtime.database,
        service=runtime.try_sources,
        limit=runtime.try_limit,
        who=editor,
        source=source_name,
        query=body.query,
        params=body.params,
    )
    if tried.failure is not None and tried.failure.code == RATE_LIMITED:
        response.headers["Retry-After"] = str(tried.failure.params["seconds"])
    return tried


@router.patch("/{source_id}", response_model=DataSourceSaved, responses=problems(404, 409))
def update_source(source_id: IdPath, body: DataSourceUpdate, _admin: Admin, runtime: RuntimeDep) -> DataSourceSaved:
    """Made read-only: refused (409 in-use) while a published scenario's query on the source writes. A new URL is
    checked once saved, as on creation (`check`); null when the URL stayed."""
    with runtime.database.session() as session:
        source = datasources.update_data_source(
            session,
            source_id=source_id,
            url=body.url,
            read_only=body.read_only,
            description=body.description,
            tries_allowed=body.tries_allowed,
        )
        name, result = source.name, public(source)
    if runtime.data_sources is not None:
        # Calls in this process use the new settings from now on: `ivrgraph serve`'s FastAGI server shares this
        # cache (api.serve). A separate `ivrgraph agi` node re-reads them within _CONFIG_TTL (30 s).
        runtime.data_sources.forget(name)
    if runtime.try_sources is not None:
        runtime.try_sources.forget(name)  # tries read the new URL at once
    check = checked(check_connection(body.url)) if body.url is not None else None
    return DataSourceSaved(**result.model_dump(), check=check)


@router.delete("/{source_id}", status_code=204, responses=problems(404, 409))
def delete_source(source_id: IdPath, _admin: Admin, runtime: RuntimeDep) -> Response:
    """Refused (409 in-use, naming the scenarios) while a published scenario queries the source."""
    with runtime.database.session() as session:
        name = datasources.get_data_source(session, source_id=source_id).name
        datasources.delete_data_source(session, source_id=source_id)
    if runtime.data_sources is not None:
        runtime.data_sources.forget(name)  # as in update_source: this process's calls at once, other nodes later
    if runtime.try_sources is not None:
        runtime.try_sources.forget(name)
    return Response(status_code=204)
