"""Flow statistics of a scenario's canvas: how many calls reached each node, took each exit, hung up or ended there.

Counted once, as the call records are stored (persistence.calls.write_batch adds them in its transaction): a month
of a busy IVR is some 300,000 traces, too many to read at each request. Kept by published version and by the UTC
hour the call started (models.PathCount), and read back summed over whole hours.

What a call adds (`increments`), from its trace's steps, leaving out those that ran in another scenario reached by
Go To Scenario (that scenario's canvas has other nodes, whose ids may be this one's too):
- its version and hour's row of calls: one call;
- each node it went through: a visit per step there, and one call however many times it came back (a menu loop);
- each exit it took: the same, for the steps that left the node by it;
- the node where its caller hung up (outcome `caller_hangup`, at the record's `last_node`: the FastAGI runtime's
  hangup point): one hangup;
- the last node of its path on this canvas (its Go To Scenario node, when it went on in another): one ended call.
A record without a version (no published scenario ran) adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from graph_engine.block import HANGUP_EXIT
from graph_engine.trace import CallOutcome
from persistence.models import PathCount, ScenarioVersion

CALLS_ROW: Final = ""  # the `node` of a version and hour's row of calls: no node id is empty
NODE_ROW: Final = ""  # the `exit` of a node's own row: no exit is named ""
HOUR: Final = timedelta(hours=1)
_NAME_LENGTH: Final = 64  # PathCount.node and .exit (a node id and an edge's exit are at most 64 in the format)
_COUNTED: Final = ("visits", "calls", "hangups", "ended")

# (version_id, hour, node, exit): a PathCount's key.
CountKey = tuple[int, datetime, str, str]


@dataclass(slots=True)
class Counts:
    visits: int = 0
    calls: int = 0
    hangups: int = 0
    ended: int = 0

    def add(self, other: Counts) -> None:
        self.visits += other.visits
        self.calls += other.calls
        self.hangups += other.hangups
        self.ended += other.ended


def increments(records: Iterable[Mapping[str, Any]]) -> dict[CountKey, Counts]:
    """What `records` add to the counts, one entry per key. A record is a call record's row as persistence.calls
    writes it: its `version_id`, `started_at` (aware), `outcome`, `last_node` and `trace` are read."""
    totals: dict[CountKey, Counts] = {}
    for record in records:
        version_id = record.get("version_id")
        if version_id is None:
            continue
        hour = hour_of(record["started_at"])
        for (node, exit_name), counts in _one_call(record).items():
            key = (version_id, hour, node, exit_name)
            if (found := totals.get(key)) is None:
                totals[key] = counts
            else:
                found.add(counts)
    return totals


def _one_call(record: Mapping[str, Any]) -> dict[tuple[str, str], Counts]:
    """One call's counts by (node, exit). A trace is data from the engine: malformed parts are skipped."""
    trace = record.get("trace")
    listed = trace.get("steps") if isinstance(trace, Mapping) else None
    steps = [step for step in listed or () if isinstance(step, Mapping)]
    counts: dict[tuple[str, str], Counts] = {(CALLS_ROW, NODE_ROW): Counts(calls=1)}
    last: str | None = None
    for step in steps:
        node = step.get("node")
        if step.get("scenario") or not isinstance(node, str) or not node:
            continue
        last = node = node[:_NAME_LENGTH]
        counts.setdefault((node, NODE_ROW), Counts(calls=1)).visits += 1
        exit_name = step.get("exit")
        if isinstance(exit_name, str) and exit_name:  # none: the call was cut off inside the node
            counts.setdefault((node, exit_name[:_NAME_LENGTH]), Counts(calls=1)).visits += 1
    if last is not None:
        counts[(last, NODE_ROW)].ended = 1
    if record.get("outcome") == CallOutcome.CALLER_HANGUP:
        hung_up_in = _hangup_step(steps, record.get("last_node"))
        if hung_up_in is not None and not hung_up_in.get("scenario") and isinstance(hung_up_in.get("node"), str):
            counts[(hung_up_in["node"][:_NAME_LENGTH], NODE_ROW)].hangups = 1
    return counts


def _hangup_step(steps: Sequence[Mapping[str, Any]], node: object) -> Mapping[str, Any] | None:
    """The step the caller hung up in, at `node` (the record's hangup point): the first there that left by the
    hangup exit (the engine's hangup node is where it first saw the caller gone), else the last there. Its
    `scenario` says whether it ran on this canvas: a node of another scenario may have an id of this one."""
    there = [step for step in steps if step.get("node") == node] if node else []
    return next((step for step in there if step.get("exit") == HANGUP_EXIT), there[-1] if there else None)


def hour_of(moment: datetime) -> datetime:
    """The UTC hour `moment` (aware) falls in."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


# PostgreSQL: the rows as one array a column, unnested, in one statement and one execution whatever their number.
# An executemany runs the upsert once a row, which took twice as long: 50 against 26 ms at best for the 1,531 rows of
# a batch replayed from a spool after an outage (calls of many hours), 2.5 against 1.4 ms for a live batch's 36.
_ADD_ARRAYS: Final = text("""
    INSERT INTO path_counts (version_id, hour, node, exit, visits, calls, hangups, ended)
    SELECT * FROM unnest(CAST(:version_id AS integer[]), CAST(:hour AS timestamptz[]), CAST(:node AS text[]),
                         CAST(:exit AS text[]), CAST(:visits AS integer[]), CAST(:calls AS integer[]),
                         CAST(:hangups AS integer[]), CAST(:ended AS integer[]))
    ON CONFLICT (version_id, hour, node, exit) DO UPDATE SET visits = path_counts.visits + excluded.visits,
        calls = path_counts.calls + excluded.calls, hangups = path_counts.hangups + excluded.hangups,
        ended = path_counts.ended + excluded.ended""")


def add(session: Session, totals: Mapping[CountKey, Counts]) -> None:
    """Add `totals` to the stored counts in one statement (an upsert adding to the rows there), in key order:
    writers that ever met on the same rows would take them in the same order. PostgreSQL and SQLite, the databases
    ivrgraph keeps its own tables on; another keeps no counts."""
    if not totals:
        return
    ordered = sorted(totals.items())
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        keys, counts = zip(*ordered, strict=True)
        columns = {"version_id": [key[0] for key in keys], "hour": [key[1] for key in keys],
                   "node": [key[2] for key in keys], "exit": [key[3] for key in keys]}  # fmt: skip
        columns.update({name: [getattr(item, name) for item in counts] for name in _COUNTED})
        session.execute(_ADD_ARRAYS, columns)
    elif dialect == "sqlite":
        # An executemany: SQLite runs in this process, so a row costs no round trip.
        statement = sqlite.insert(PathCount)
        statement = statement.on_conflict_do_update(
            index_elements=[PathCount.version_id, PathCount.hour, PathCount.node, PathCount.exit],
            set_={name: getattr(PathCount, name) + getattr(statement.excluded, name) for name in _COUNTED},
        )
        rows = [
            {"version_id": key[0], "hour": key[1], "node": key[2], "exit": key[3], "visits": item.visits,
             "calls": item.calls, "hangups": item.hangups, "ended": item.ended}
            for key, item in ordered
        ]  # fmt: skip
        session.execute(statement, rows)


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeCounts:
    node: str
    visits: int
    calls: int
    hangups: int
    ended: int


@dataclass(frozen=True, slots=True)
class ExitCounts:
    node: str
    exit: str
    visits: int
    calls: int


@dataclass(frozen=True, slots=True)
class FlowCounts:
    since: datetime | None  # the hours read: from `since` (a whole UTC hour), None for every hour before
    until: datetime | None  # up to `until`, not included (a whole UTC hour), None for every hour after
    calls: int
    nodes: list[NodeCounts]  # by node id
    exits: list[ExitCounts]  # by node id, then exit


def whole_hours(since: datetime | None, until: datetime | None) -> tuple[datetime | None, datetime | None]:
    """[since, until) widened to whole UTC hours: the counts are kept by the hour a call started, so a range
    inside an hour reads all of it."""
    start = hour_of(since) if since is not None else None
    end: datetime | None = None
    if until is not None:
        end = hour_of(until)
        if end != until:
            try:
                end += HOUR
            except OverflowError:  # within the last hour a datetime has: that hour is counted
                end = datetime.max.replace(tzinfo=UTC)
    return start, end


def versions_of(session: Session, *, scenario_id: int) -> list[int]:
    """The ids of a scenario's published versions, which its counts are kept under (not their documents)."""
    return list(session.scalars(select(ScenarioVersion.id).where(ScenarioVersion.scenario_id == scenario_id)))


def read(
    session: Session, *, version_ids: Sequence[int], since: datetime | None = None, until: datetime | None = None
) -> FlowCounts:
    """The counts of the calls of `version_ids` that started in [since, until) widened to whole UTC hours (see
    `whole_hours`; a bound left out is no bound), summed by node and exit."""
    since, until = whole_hours(since, until)
    if not version_ids:
        return FlowCounts(since=since, until=until, calls=0, nodes=[], exits=[])
    query = select(
        PathCount.node, PathCount.exit, *(func.coalesce(func.sum(getattr(PathCount, name)), 0) for name in _COUNTED)
    ).where(PathCount.version_id.in_(version_ids))
    if since is not None:
        query = query.where(PathCount.hour >= since)
    if until is not None:
        query = query.where(PathCount.hour < until)
    calls = 0
    nodes: list[NodeCounts] = []
    exits: list[ExitCounts] = []
    query = query.group_by(PathCount.node, PathCount.exit)
    for node, exit_name, visits, called, hangups, ended in session.execute(query):
        if node == CALLS_ROW:
            calls += int(called)
        elif exit_name == NODE_ROW:
            nodes.append(NodeCounts(node, int(visits), int(called), int(hangups), int(ended)))
        else:
            exits.append(ExitCounts(node, exit_name, int(visits), int(called)))
    # Sorted here, not by the database: PostgreSQL sorts text by its collation, SQLite by code point.
    nodes.sort(key=lambda item: item.node)
    exits.sort(key=lambda item: (item.node, item.exit))
    return FlowCounts(since=since, until=until, calls=calls, nodes=nodes, exits=exits)
