"""A campaign's summary (figures, not pass/fail): `GET /api/callbacks/campaigns/{id}`'s counts for a list of
`--clients` clients (20,000 by default), counted by the database (`persistence.campaign_reports.campaign_summary`, one
grouped query) and, for comparison, as they were counted before: every client's report row read and folded in
Python (`figures_by_client`, the code up to d6ed9f1).

    .venv/bin/python bench/campaign_summary.py [--clients 20000] [--repeat 5] [--postgres URL]

The campaign is one well under way (`seed_campaign`): clients in every status, most rung, a third reached with an
answer (or none, or a failed call), some promised callbacks (a few of those promised another), calls and callbacks
made at the same instant, and another campaign and single callbacks beside it. Both ways are timed `--repeat` times
and the least is printed, with whether their figures agree. SQLite always (a file in a temporary folder);
PostgreSQL with --postgres (a throwaway database on that server).

On the shared 2-core dev VM, 2026-12-06, 20,000 clients, `--repeat 5`: SQLite 1,131 ms before, 156 ms after;
PostgreSQL 1,582 ms before, 119 ms after; the figures agree (on a loaded machine, runs read up to twice these).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.throwaway import throwaway_postgres
from persistence import campaign_reports
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import CallbackJob, CallCampaign, CallRecord

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STATUSES = (("pending", 30), ("dialing", 3), ("done", 40), ("failed", 12), ("expired", 5), ("cancelled", 10))
RESULTS = (None, "", "paid", "promised", "refused", "operator_unavailable", "wrong_number")
CALL_STATUSES = (("answered", 80), ("failed", 12), ("abandoned", 8))


@dataclass(frozen=True)
class Figures:
    """What a campaign's summary counts, to compare two ways of counting it."""

    jobs: int
    statuses: dict[str, int]
    results: dict[str, int]
    next_due: datetime | None
    reached: int | None
    failed_calls: int | None
    dialled: int
    spared: int


def figures(summary: campaign_reports.CampaignSummary) -> Figures:
    return Figures(summary.jobs, summary.statuses, summary.results, summary.next_due, summary.reached,
                   summary.failed_calls, summary.dialled, summary.spared)  # fmt: skip


def figures_by_client(session: Session, *, campaign_id: str) -> Figures:
    """The summary's figures as `campaign_summary` counted them up to d6ed9f1: the report's rows, folded here."""
    statuses: dict[str, int] = {}
    results: dict[str, int] = {}
    next_due: datetime | None = None
    reached = failed = dialled = spared = 0
    for client in campaign_reports.campaign_clients(session, campaign_id=campaign_id):
        job = client.job
        statuses[job.status] = statuses.get(job.status, 0) + 1
        if job.status == "pending" and (next_due is None or job.due < next_due):
            next_due = job.due
        dialled += client.attempts > 0
        spared += job.status == "cancelled" and client.attempts == 0
        if client.call is not None and client.call.failed:
            failed += 1
        elif client.call is not None:
            reached += 1
            if client.call.result:
                results[client.call.result] = results.get(client.call.result, 0) + 1
    return Figures(sum(statuses.values()), statuses, results, next_due, reached, failed, dialled, spared)


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in choices], [weight for _, weight in choices])[0]


class _Writer:
    """Jobs and calls gathered as plain rows, written in batches of executemany."""

    def __init__(self, rng: random.Random, scenario: str) -> None:
        self.rng, self.scenario = rng, scenario
        self.jobs: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []

    def job(
        self,
        *,
        campaign_id: str | None,
        row: int | None,
        created_at: datetime,
        promised: bool,
        calls: int | None = None,
    ) -> str:
        """A job (and `calls` calls of it; by default none, one or two once it was dialled); its id."""
        rng = self.rng
        status = _weighted(rng, STATUSES)
        attempts = 0 if status == "pending" and rng.random() < 0.6 else rng.randint(0, 3)
        job_id = str(uuid.uuid4())
        self.jobs.append({
            "id": job_id, "campaign_id": campaign_id, "campaign_row": row, "list_row": row,
            "number": f"+34600{rng.randrange(10**6):06d}", "scenario": self.scenario,
            # Whole minutes over a day: many clients share their due time.
            "due": START + timedelta(minutes=rng.randrange(24 * 60)), "variables": {}, "attempts": attempts,
            "max_attempts": 3, "status": status, "outcome": "busy" if attempts else None,
            "origin_call_id": f"origin-{rng.randrange(10**9)}" if promised else None, "created_at": created_at,
        })  # fmt: skip
        if calls is None:
            calls = rng.choices((0, 1, 2), (55, 35, 10))[0] if attempts or status in ("done", "failed") else 0
        started = START + timedelta(minutes=rng.randrange(3 * 24 * 60))
        for n in range(calls):
            # A second call sometimes starts the same second as the first: the id decides which is the last.
            if n and rng.random() > 0.3:
                started += timedelta(minutes=rng.randrange(1, 60 * 24))
            self.calls.append({
                "id": str(uuid.uuid4()), "scenario": self.scenario, "version": 1, "started_at": started,
                "outcome": "hung_up", "status": _weighted(rng, CALL_STATUSES), "callback_job_id": job_id,
                "result": rng.choice(RESULTS), "variables": {}, "trace": {},
            })  # fmt: skip
        return job_id

    def flush(self, session: Session) -> None:
        if self.jobs:
            session.execute(insert(CallbackJob), self.jobs)
        if self.calls:
            session.execute(insert(CallRecord), self.calls)
        self.jobs, self.calls = [], []


def seed_campaign(database: Database, *, clients: int, seed: int = 7, scenario: str = "bench") -> str:
    """A campaign of `clients` clients well under way, and others beside it; its id."""
    rng = random.Random(seed)
    campaign_id, other_id = str(uuid.uuid4()), str(uuid.uuid4())
    with database.session() as session:
        for made, count in ((campaign_id, clients), (other_id, max(clients // 20, 3))):
            session.add(CallCampaign(id=made, scenario=scenario, name=f"bench {made[:8]}", created_by="bench",
                                     created_at=START, jobs=count, settings={}))  # fmt: skip
        session.flush()
        writer = _Writer(rng, scenario)
        for made, count in ((campaign_id, clients), (other_id, max(clients // 20, 3))):
            for row in range(1, count + 1):
                writer.job(campaign_id=made, row=row, created_at=START, promised=False)
                if rng.random() < 0.08:  # promised callbacks, at times two made at one instant
                    made_at = START + timedelta(hours=rng.randrange(1, 4))
                    for _ in range(rng.choices((1, 2, 3), (70, 20, 10))[0]):
                        writer.job(campaign_id=made, row=row, created_at=made_at, promised=True)
                        made_at += timedelta(hours=rng.choice((0, 1)))
                if len(writer.jobs) >= 2000:
                    writer.flush(session)
        for _ in range(max(clients // 50, 3)):  # single callbacks a CRM asked for
            writer.job(campaign_id=None, row=None, created_at=START, promised=False)
        # A callback filed under a row the list does not have (its client's list job erased, the callback being to
        # another number): no client of the campaign, nor are its calls.
        writer.job(campaign_id=campaign_id, row=clients + 5, created_at=START, promised=True, calls=2)
        writer.flush(session)
    return campaign_id


def least_ms(database: Database, repeat: int, count: Any) -> tuple[float, Figures]:
    best, counted = float("inf"), None
    for _ in range(repeat):
        with database.session() as session:
            began = time.perf_counter()
            counted = count(session)
            best = min(best, (time.perf_counter() - began) * 1000)
    assert counted is not None
    return best, counted


def measure(label: str, url: str, clients: int, repeat: int) -> None:
    upgrade(url)
    database = Database(url)
    try:
        began = time.perf_counter()
        campaign_id = seed_campaign(database, clients=clients)
        print(f"{label}: a campaign of {clients:,} clients written in {time.perf_counter() - began:.1f} s")
        before, by_client = least_ms(database, repeat, lambda s: figures_by_client(s, campaign_id=campaign_id))
        after, grouped = least_ms(
            database, repeat, lambda s: figures(campaign_reports.campaign_summary(s, campaign_id=campaign_id))
        )
        print(f"{label}: before (every client read, folded in Python): {before:7.1f} ms")
        print(f"{label}: after  (GROUP BY in the database):           {after:7.1f} ms "
              f"({before / after:.0f}x); figures {'agree' if grouped == by_client else 'DIFFER'}")  # fmt: skip
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to create a throwaway database on")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivrgraph-bench-campaign-") as folder:
        measure("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}", options.clients, options.repeat)
    if options.postgres:
        with throwaway_postgres(options.postgres, "bench_campaign") as url:
            measure("postgresql", url, options.clients, options.repeat)


if __name__ == "__main__":
    main()
