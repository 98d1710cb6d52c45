"""Flow statistics benchmarks (figures, not pass/fail): what counting costs the call-record writer, and what reading
a month of counts costs the stats endpoint.

    .venv/bin/python bench/flow_stats.py [--calls 100000] [--batches 50] [--postgres URL]

1. write_batch of 100-record batches (hotline-like traces of 6-14 steps, a menu loop in some), with the counts and
   with them turned off (`path_counts.increments` made a no-op; the RETURNING stays), alternating; medians.
2. `path_counts.read` of one version over a month, a day and an hour, with `--calls` calls' worth of counts spread
   over 30 days (and as many again in four other versions, so the key's range scan is what is measured).
SQLite always (a file in a temporary folder); PostgreSQL with --postgres (a throwaway database on it).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.throwaway import throwaway_postgres
from persistence import path_counts
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import PathCount

START = datetime(2026, 11, 1, tzinfo=UTC)
MONTH = timedelta(days=30)
DEPARTMENTS = ("sales", "support", "billing", "operator")


def a_trace(rng: random.Random) -> tuple[list[dict[str, Any]], str, str]:
    """A hotline call's steps, its outcome and its last node: start, hours, welcome, a menu tried 1-3 times, a
    transfer, and a callback offer when it was busy; a caller hanging up at the menu now and then."""
    steps = [("start", "next"), ("hours", "open"), ("welcome", "next")]
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        steps.append(("menu", "9"))
        steps.append(("info", "next"))
    if rng.random() < 0.1:
        steps.append(("menu", "hangup"))
        return [_step(n, e) for n, e in steps], "caller_hangup", "menu"
    department = rng.choice(DEPARTMENTS)
    steps.append(("menu", str(DEPARTMENTS.index(department) + 1)))
    if rng.random() < 0.7:
        steps.append((department, "answered"))
        return [_step(n, e) for n, e in steps], "transferred", department
    steps += [(department, "busy"), ("busy", "next"), ("offer", "1"), ("callback", "scheduled"), ("bye", "hangup")]
    return [_step(n, e) for n, e in steps], "hung_up", "bye"


def _step(node: str, exit_name: str) -> dict[str, Any]:
    return {"node": node, "type": "x", "label": "", "at": "", "exit": exit_name, "keys": "", "prompts": [],
            "variables_changed": {}, "events": [], "duration_ms": 1.0, "error": None, "scenario": None}  # fmt: skip


def records(
    rng: random.Random, count: int, *, version_id: int, prefix: str, within: timedelta = MONTH
) -> list[CallRecordIn]:
    """`count` calls started at random in the `within` after START."""
    made = []
    for n in range(count):
        steps, outcome, last = a_trace(rng)
        started = START + timedelta(seconds=rng.randrange(int(within.total_seconds())))
        made.append(CallRecordIn(call_id=f"{prefix}-{n}", scenario="hotline", version=1, version_id=version_id,
                                 started_at=started, ended_at=started + timedelta(minutes=2), outcome=outcome,
                                 trace={"answered": True, "steps": steps}, last_node=last))  # fmt: skip
    return made


def costs(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and this process's CPU milliseconds `work` took."""
    began, cpu = time.perf_counter(), time.process_time()
    work()
    return (time.perf_counter() - began) * 1000, (time.process_time() - cpu) * 1000


def timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return (time.perf_counter() - began) * 1000


def _nothing(records: Iterable[Mapping[str, Any]]) -> dict[path_counts.CountKey, path_counts.Counts]:
    return {}


@contextlib.contextmanager
def counts_off() -> Iterator[None]:
    """write_batch as it was before the counts, but for the RETURNING that names the rows inserted: nothing counted,
    nothing added."""
    increments = path_counts.increments
    path_counts.increments = _nothing
    try:
        yield
    finally:
        path_counts.increments = increments


def writer_cost(database: Database, batches: int) -> None:
    """A live node's batch holds the calls that ended within a second or so, started within minutes: one or two
    hours' rows. A batch replayed from a spool after an outage may hold calls of many hours: 100 hours' rows.
    With and without the counts in turn, each first every other time; wall time, and this process's CPU time
    (all of SQLite's work, the client's share of PostgreSQL's)."""
    rng = random.Random(1)
    writer = CallRecordWriter(database)
    for kind, (label, within) in enumerate([("calls started within 10 minutes", timedelta(minutes=10)),
                                            ("calls started over a month (a spool's replay)", MONTH)]):  # fmt: skip
        taken: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        for n in range(batches):
            for counting in (True, False) if n % 2 else (False, True):
                batch = records(rng, 100, version_id=1, prefix=f"{kind}{'wo'[counting]}{n}", within=within)
                with contextlib.nullcontext() if counting else counts_off():
                    taken[counting].append(costs(functools.partial(writer.write_batch, batch)))
        (on, on_cpu), (off, off_cpu) = (
            (statistics.median(wall for wall, _ in taken[k]), statistics.median(cpu for _, cpu in taken[k]))
            for k in (True, False)
        )
        keys = len(path_counts.increments(_rows(batch)))
        print(f"  write_batch of 100 records, {label} ({keys} rows of counts): {on:.1f} ms with the counts, "
              f"{off:.1f} ms without: +{on - off:.1f} ms; CPU {on_cpu:.1f} against {off_cpu:.1f} ms "
              f"(medians of {batches})")  # fmt: skip
    sample = records(rng, 100, version_id=1, prefix="s")
    rows = _rows(sample)
    python = statistics.median(timed(lambda: path_counts.increments(rows)) for _ in range(50))
    print(f"  of which counting 100 traces in Python: {python:.2f} ms ({len(path_counts.increments(rows))} rows)")


def _rows(made: list[CallRecordIn]) -> list[dict[str, Any]]:
    """The records as write_batch hands them to `path_counts.increments`."""
    return [{"version_id": r.version_id, "started_at": r.started_at, "outcome": r.outcome, "last_node": r.last_node,
             "trace": r.trace} for r in made]  # fmt: skip


def fill_counts(database: Database, calls: int) -> None:
    """`calls` calls' worth of counts for version 1 and for each of versions 2-5, added a day at a time."""
    rng = random.Random(2)
    for version_id in range(1, 6):
        for day in range(30):
            sample = records(rng, calls // 30, version_id=version_id, prefix="f")
            rows = [{"version_id": version_id, "started_at": START + timedelta(days=day, seconds=(r.started_at -
                     START).total_seconds() % 86400), "outcome": r.outcome, "last_node": r.last_node,
                     "trace": r.trace} for r in sample]  # fmt: skip
            with database.session() as session:
                path_counts.add(session, path_counts.increments(rows))


def read_cost(database: Database, calls: int) -> None:
    began = time.perf_counter()
    fill_counts(database, calls)
    with database.session() as session:
        stored = session.scalar(select(func.count()).select_from(PathCount))
    print(f"  {calls:,} calls a version in 5 versions over 30 days: {stored:,} rows of counts "
          f"(filled in {time.perf_counter() - began:.0f} s)")  # fmt: skip
    for label, since, until in [("a month", START, START + MONTH), ("a day", START + timedelta(days=14),
                                 START + timedelta(days=15)), ("an hour", START + timedelta(days=14, hours=9),
                                 START + timedelta(days=14, hours=10)), ("every hour", None, None)]:  # fmt: skip
        counts = read(database, since, until)  # warm
        took = statistics.median(timed(functools.partial(read, database, since, until)) for _ in range(20))
        print(f"  read {label}: {took:.1f} ms ({counts.calls:,} calls, {len(counts.nodes)} nodes, "
              f"{len(counts.exits)} exits)")  # fmt: skip


def read(database: Database, since: datetime | None, until: datetime | None) -> path_counts.FlowCounts:
    with database.session() as session:
        return path_counts.read(session, version_ids=[1], since=since, until=until)


def run(url: str, args: argparse.Namespace) -> None:
    upgrade(url)
    database = Database(url)
    try:
        writer_cost(database, args.batches)
        read_cost(database, args.calls)
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=100_000, help="calls a version, over 30 days")
    parser.add_argument("--batches", type=int, default=50, help="100-record batches written each way")
    parser.add_argument("--postgres", help="a PostgreSQL server's URL to also measure on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite")
        run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args)
    if args.postgres:
        print("PostgreSQL")
        with throwaway_postgres(args.postgres) as url:
            run(url, args)


if __name__ == "__main__":
    main()
