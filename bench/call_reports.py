"""The call report's cost (figures, not pass/fail): `persistence.call_reports.call_report` over a register of
`--calls` calls (100,000 by default) spread over a week of Madrid's clock, every one of them in the range asked.

    .venv/bin/python bench/call_reports.py [--calls 100000] [--repeat 3] [--postgres URL]

The calls are hotline-like (a menu, then a transfer to a department for most: answered, busy, no answer, or the
caller gone while it rang; a callback offered when busy; a `result` from a dozen), in four scenarios, written as the
FastAGI runtime writes them (`CallRecordWriter`, batches of 1,000). Each grouping is timed `--repeat` times over the
whole week on Europe/Madrid's clock, and by hour over its last day; the least is printed. SQLite always (a file in a
temporary folder); PostgreSQL with --postgres (a throwaway database on that server).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.throwaway import throwaway_postgres
from persistence import call_reports
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database
from persistence.migrate import upgrade

# A week of Madrid's clock, midnight to midnight: 20-26 October 2026, its clock put back on the 25th (169 hours).
START, END = datetime(2026, 10, 19, 22, 0, tzinfo=UTC), datetime(2026, 10, 26, 23, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Madrid")
SCENARIOS = ("hotline", "billing", "missed-call", "survey")
DEPARTMENTS = ("sales", "support", "billing", "operator")
RESULTS = ("sale", "info", "complaint", "callback", "paid", "promised", "refused", "wrong_number", "bye", "1", "2", "3")
TRANSFERS = (("answered", 0.6), ("busy", 0.15), ("no_answer", 0.15), ("caller_hangup", 0.1))


def _step(node: str, kind: str, exit_name: str, events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"node": node, "type": kind, "label": "", "at": "", "exit": exit_name, "keys": "", "prompts": [],
            "variables_changed": {}, "events": events or [], "duration_ms": 1.0, "error": None}  # fmt: skip


def a_call(rng: random.Random, n: int) -> CallRecordIn:
    """A call started at random in the week: its trace, outcome and `hangup_during` as the FastAGI runtime has them."""
    started = START + timedelta(seconds=rng.randrange(int((END - START).total_seconds())))
    steps = [_step("start", "start", "next"), _step("welcome", "say_phrase", "next")]
    during: str | None = None
    outcome = "hung_up"
    answered = rng.random() > 0.03
    if not answered:
        outcome = "ended"
    elif rng.random() < 0.1:
        steps.append(_step("menu", "ivr", "hangup"))
        outcome, during = "caller_hangup", "read_digits"
    else:
        department = rng.choice(DEPARTMENTS)
        steps.append(_step("menu", "ivr", str(DEPARTMENTS.index(department) + 1)))
        if rng.random() < 0.8:
            came = rng.choices([name for name, _ in TRANSFERS], [weight for _, weight in TRANSFERS])[0]
            if came == "caller_hangup":  # the block never returned: no event, the channel names the transfer
                steps.append(_step(department, "transfer", "hangup"))
                outcome, during = "caller_hangup", "transfer"
            else:
                event = {"kind": "transfer", "target": f"queue:{department}", "outcome": came, "talk_seconds": 1.0}
                steps.append(_step(department, "transfer", came, [event]))
                outcome = "transferred" if came == "answered" else "hung_up"
            if came in ("busy", "no_answer") and rng.random() < 0.5:
                steps.append(_step("callback", "callback", "scheduled", [{"kind": "callback_scheduled"}]))
    variables = {"result": rng.choice(RESULTS)} if outcome != "ended" and rng.random() < 0.7 else {}
    return CallRecordIn(
        call_id=f"bench-{n}",
        scenario=SCENARIOS[n % len(SCENARIOS)],
        version=1,
        started_at=started,
        answered_at=started if answered else None,
        ended_at=started + timedelta(seconds=rng.randrange(5, 600)),
        outcome=outcome,
        hangup_during=during,
        trace={"answered": answered, "steps": steps},
        variables=variables,
    )


def seed(database: Database, calls: int) -> float:
    """The register written; the seconds it took."""
    rng = random.Random(7)
    writer = CallRecordWriter(database)
    began = time.perf_counter()
    for first in range(0, calls, 1000):
        writer.write_batch([a_call(rng, n) for n in range(first, min(first + 1000, calls))])
    return time.perf_counter() - began


def least_ms(database: Database, repeat: int, **asked: Any) -> tuple[float, float, call_reports.CallReport]:
    """The least wall and CPU milliseconds of `repeat` reports (CPU: this process's, which is all of SQLite's work
    and the client's share of PostgreSQL's; the figure that holds on a busy machine), and the report."""
    wall, cpu, report = float("inf"), float("inf"), None
    for _ in range(repeat):
        with database.session() as session:
            began, began_cpu = time.perf_counter(), time.process_time()
            report = call_reports.call_report(session, zone=ZONE, **asked)
            wall = min(wall, (time.perf_counter() - began) * 1000)
            cpu = min(cpu, (time.process_time() - began_cpu) * 1000)
    assert report is not None
    return wall, cpu, report


def measure(label: str, url: str, calls: int, repeat: int) -> None:
    upgrade(url)
    database = Database(url)
    try:
        print(f"{label}: {calls:,} calls written in {seed(database, calls):.1f} s")
        week = {"since": START, "until": END}
        asked: list[tuple[str, dict[str, Any]]] = [(f"group={group:<12} the week", {"group": group, **week})
                                                   for group in call_reports.GROUPS]  # fmt: skip
        asked += [
            ("group=hour         its last day", {"group": "hour", "since": END - timedelta(days=1), "until": END}),
            ("group=day          one scenario", {"group": "day", "scenario": SCENARIOS[0], **week}),
        ]
        for name, query in asked:
            wall, cpu, report = least_ms(database, repeat, **query)
            rows, counted = len(report.rows), report.totals.calls
            print(f"{label}: {name}: {wall:6.0f} ms, CPU {cpu:6.0f} ms ({rows} rows, {counted:,} calls)")
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to create a throwaway database on")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivrgraph-bench-reports-") as folder:
        measure("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}", options.calls, options.repeat)
    if options.postgres:
        with throwaway_postgres(options.postgres, "bench_reports") as url:
            measure("postgresql", url, options.calls, options.repeat)


if __name__ == "__main__":
    main()
