"""A scenario's flow statistics, for its canvas: how many calls reached each node, took each exit, hung up or ended
there over a range of dates (persistence.path_counts, counted as the calls are recorded)."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from api.csv_export import TimeZoneQuery
from api.deps import RuntimeDep, Viewer
from api.query_params import refuse_backwards
from api.routes import AUTHED, problems
from api.routes.calls import read_on_clock
from api.routes.scenarios import SlugPath
from api.schemas import FlowStats, FlowStatsExit, FlowStatsNode, QueryMoment
from persistence import path_counts, scenarios

router = APIRouter(prefix="/api/scenarios", tags=["scenarios"], responses=AUTHED)

_NAIVE = (
    "Without an offset (or a date alone: its midnight) it is read on the clock `tz` names, as the call register "
    "reads it. The counts are kept by the UTC hour a call started: the range is widened to whole UTC hours, and "
    "the answer says the bounds applied."
)
Since = Annotated[QueryMoment | None, Query(description=f"Calls started at or after this (ISO 8601). {_NAIVE}")]
Until = Annotated[QueryMoment | None, Query(description=f"Calls started before this (ISO 8601). {_NAIVE}")]
Zone = Annotated[
    TimeZoneQuery,
    Query(description="The IANA time zone (e.g. Europe/Madrid) a `since` or `until` without an offset is read on; "
          "UTC unless given."),
]  # fmt: skip
Version = Annotated[
    int | None,
    Query(ge=1, le=2**31 - 1, description="One published version; every version of the scenario now under this "
          "slug when left out."),
]  # fmt: skip


@router.get("/{slug}/stats", response_model=FlowStats, responses=problems(404))
def flow_stats(
    slug: SlugPath,
    _user: Viewer,
    runtime: RuntimeDep,
    version: Version = None,
    since: Since = None,
    until: Until = None,
    tz: Zone = "UTC",
) -> FlowStats:
    """How the calls that started in the range went through the scenario: per node the visits (a menu loop counts
    each time), the calls (each once), the callers who hung up there and the calls whose path ended there; per
    exit the visits and calls that took it. Steps run in another scenario reached by Go To Scenario are not counted
    (a call's path on this canvas ends at its Go To Scenario node). 404 for no such scenario or version."""
    zone = ZoneInfo(tz)
    start, end = read_on_clock(since, zone), read_on_clock(until, zone)
    refuse_backwards(start, end, until)
    with runtime.database.session() as session:
        scenario = scenarios.get_scenario(session, slug=slug)
        if version is None:
            version_ids = path_counts.versions_of(session, scenario_id=scenario.id)
        else:
            version_ids = [scenarios.get_version(session, slug=slug, number=version).id]
        counts = path_counts.read(session, version_ids=version_ids, since=start, until=end)
    return FlowStats(
        scenario=slug,
        version=version,
        since=counts.since,
        until=counts.until,
        calls=counts.calls,
        nodes=[FlowStatsNode(node=n.node, visits=n.visits, calls=n.calls, hangups=n.hangups, ended=n.ended)
               for n in counts.nodes],
        exits=[FlowStatsExit(node=e.node, exit=e.exit, visits=e.visits, calls=e.calls) for e in counts.exits],
    )  # fmt: skip
