"""The call register's caller-name search before and after migration 0023 (figures, not pass/fail): `--calls`
records (100,000 by default) with CallerID names, a first page of the search timed for a name found nowhere, a
rare one and a common one, on the whole register and on its last 30 days.

    .venv/bin/python bench/caller_name_search.py [--calls 100000] [--postgres URL] [--no-sqlite] [--runs 5]

"before": each row's name folded in the query (persistence.folding.contains, what the search did up to 0022);
"after": the stored folded name (persistence.calls._name_contains), by the trigram index on PostgreSQL. SQLite
always (a file in a temporary folder); PostgreSQL with --postgres (a throwaway database on that server). Writing
the register is not timed. Each figure is the median of `--runs`, after one run that warms the caches.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import ColumnElement, text

from bench.throwaway import throwaway_postgres
from persistence import calls
from persistence.calls import CallFilter
from persistence.db import Database
from persistence.folding import contains, fold
from persistence.migrate import upgrade
from persistence.models import CallRecord

CHUNK = 10_000
START = datetime(2026, 1, 1, tzinfo=UTC)
SPACING = timedelta(minutes=2)  # between two calls: 100,000 calls are 139 days, the last 30 a fifth of them
SURNAMES = ["Петрова", "Иванов", "Семёнова", "Pérez", "GARCÍA", "Smith", "Müller", "Kuznetsov", "Oğuz", "Nuñez"]
FIRST = ["Юлия", "Пётр", "Ana", "JUAN", "Maria", "Olga", "Ivan", "Ayşe"]
SEARCHES = {"found nowhere": "Смирнова", "rare (a few calls)": "Nuñez Ayşe 77", "common (a tenth)": "петрова"}
_INSERT = text(
    "INSERT INTO call_records (id, scenario, caller_id, caller_name, caller_name_folded, dialed_number, channel, "
    "node, asterisk_uniqueid, started_at, ended_at, duration_ms, outcome, status, variables, trace) VALUES (:id, "
    "'hotline', :caller, :name, :folded, '', 'PJSIP/trunk-00000001', 'n1', '', :at, :at, 60000, 'hung_up', "
    "'answered', '{}', :trace)"
)
_TRACE = json.dumps({"steps": [{"node": f"menu{n}", "prompts": ["Press 1 for sales."]} for n in range(8)]})


def _records(count: int) -> Iterator[list[dict[str, Any]]]:
    """The register, a chunk at a time: a call every `SPACING`, a name for four in five (a trunk sends none)."""
    rng = random.Random(23)
    chunk: list[dict[str, Any]] = []
    for n in range(count):
        name = "" if n % 5 == 4 else f"{rng.choice(SURNAMES)} {rng.choice(FIRST)} {rng.randrange(1000)}"
        at = START + SPACING * n
        chunk.append({"id": f"c{n:08d}", "caller": f"+3460{n % 100_000:07d}", "name": name, "folded": fold(name),
                      "at": at, "trace": _TRACE})  # fmt: skip
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _load(database: Database, count: int) -> datetime:
    with database.engine.begin() as conn:
        for chunk in _records(count):
            conn.execute(_INSERT, chunk)
    if database.engine.dialect.name == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE call_records"))
    else:
        with database.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return START + SPACING * count


def _head_name_contains(typed: str) -> ColumnElement[bool]:
    return contains(CallRecord.caller_name, typed)


@contextmanager
def _searching(how: Callable[[str], ColumnElement[bool]]) -> Iterator[None]:
    kept = calls._name_contains
    calls._name_contains = how  # type: ignore[assignment]  # the query of the release before 0023
    try:
        yield
    finally:
        calls._name_contains = kept


def _median_ms(database: Database, filters: CallFilter, runs: int) -> tuple[float, int]:
    taken: list[float] = []
    found = 0
    for run in range(runs + 1):
        with database.session() as session:
            started = time.perf_counter()
            rows, _ = calls.list_calls(session, filters=filters, limit=50)
            if run:  # the first warms the caches
                taken.append((time.perf_counter() - started) * 1000)
            found = len(rows)
    return statistics.median(taken), found


def bench(label: str, url: str, count: int, runs: int) -> None:
    upgrade(url)
    database = Database(url)
    try:
        started = time.perf_counter()
        end = _load(database, count)
        print(f"[{label}] {count:,} call records written in {time.perf_counter() - started:.1f} s (not timed below)")
        for range_label, since in (("whole register", None), ("last 30 days", end - timedelta(days=30))):
            for search_label, typed in SEARCHES.items():
                filters = CallFilter(caller_name=typed, since=since)
                with _searching(_head_name_contains):
                    before, found = _median_ms(database, filters, runs)
                after, found_after = _median_ms(database, filters, runs)
                same = "" if found == found_after else f" (FOUND {found} before, {found_after} after)"
                print(f"[{label}] {range_label}, {search_label} ({found} on the page): "
                      f"before {before:.1f} ms, after {after:.1f} ms{same}")  # fmt: skip
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to make a throwaway database on")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            bench("sqlite", f"sqlite:///{folder}/bench.sqlite3", args.calls, args.runs)
    if args.postgres:
        with throwaway_postgres(args.postgres, "ivrgraph_bench_names") as url:
            bench("postgres", url, args.calls, args.runs)


if __name__ == "__main__":
    main()
