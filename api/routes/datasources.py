"""Data sources for the SQL block (admin only). The URL carries a password: it goes in, it never comes out."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import Admin, RuntimeDep
from api.routes import AUTHED, IdPath, problems
from api.schemas import DataSourceCreate, DataSourcePublic, DataSourceUpdate
from persistence import datasources
from persistence.models import DataSource

router = APIRouter(prefix="/api/data-sources", tags=["data sources"], responses=AUTHED)


def public(source: DataSource) -> DataSourcePublic:
    return DataSourcePublic(
        id=source.id,
        name=source.name,
        target=datasources.public_target(source.url),
        read_only=source.read_only,
        description=source.description,
        created_at=source.created_at,
        updated_at=source.updated_at,
    )


@router.get("", response_model=list[DataSourcePublic])
def list_sources(_admin: Admin, runtime: RuntimeDep) -> list[DataSourcePublic]:
    with runtime.database.session() as session:
        return [public(source) for source in datasources.list_data_sources(session)]


@router.post("", status_code=201, response_model=DataSourcePublic, responses=problems(409))
def create_source(body: DataSourceCreate, _admin: Admin, runtime: RuntimeDep) -> DataSourcePublic:
    with runtime.database.session() as session:
        source = datasources.create_data_source(
            session, name=body.name, url=body.url, read_only=body.read_only, description=body.description
        )
        return public(source)


@router.get("/{source_id}", response_model=DataSourcePublic, responses=problems(404))
def get_source(source_id: IdPath, _admin: Admin, runtime: RuntimeDep) -> DataSourcePublic:
    with runtime.database.session() as session:
        return public(datasources.get_data_source(session, source_id=source_id))


@router.patch("/{source_id}", response_model=DataSourcePublic, responses=problems(404, 409))
def update_source(source_id: IdPath, body: DataSourceUpdate, _admin: Admin, runtime: RuntimeDep) -> DataSourcePublic:
    """Made read-only: refused (409 in-use) while a published scenario's query on the source writes."""
    with runtime.database.session() as session:
        source = datasources.update_data_source(
            session, source_id=source_id, url=body.url, read_only=body.read_only, description=body.description
        )
        name, result = source.name, public(source)
    if runtime.data_sources is not None:
        # Calls in this process use the new settings from now on: `ivrgraph serve`'s FastAGI server shares this
        # cache (api.serve). A separate `ivrgraph agi` node re-reads them within _CONFIG_TTL (30 s).
        runtime.data_sources.forget(name)
    return result


@router.delete("/{source_id}", status_code=204, responses=problems(404, 409))
def delete_source(source_id: IdPath, _admin: Admin, runtime: RuntimeDep) -> Response:
    """Refused (409 in-use, naming the scenarios) while a published scenario queries the source."""
    with runtime.database.session() as session:
        name = datasources.get_data_source(session, source_id=source_id).name
        datasources.delete_data_source(session, source_id=source_id)
    if runtime.data_sources is not None:
        runtime.data_sources.forget(name)  # as in update_source: this process's calls at once, other nodes later
    return Response(status_code=204)
