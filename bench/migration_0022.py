"""How long migration 0022 takes on a large register (figures, not pass/fail): `--calls` call records (a million by
default) written as releases before it wrote them, then `ivrgraph db upgrade` to 0022 timed.

    .venv/bin/python bench/migration_0022.py [--calls 1000000] [--postgres URL] [--no-sqlite]

The records are hotline-like, each trace about 1.9 KB of JSON (six steps with their prompts and events): a tenth ask
for a callback (`callback_scheduled`, one in five of those joining a waiting job), a twentieth have a step that took
its error exit, a fiftieth have a trace retention stripped; the callers' numbers in the forms trunks write (`+34 6..`,
`0034...`, national). SQLite always (a file in a temporary folder); PostgreSQL with --postgres (a throwaway database
on that server). Writing the register takes longer than the migration: it is not timed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from bench.throwaway import throwaway_postgres
from persistence.db import make_engine
from persistence.migrate import upgrade

CHUNK = 10_000
_INSERT = text(
    "INSERT INTO call_records (id, scenario, caller_id, caller_name, dialed_number, channel, node, asterisk_uniqueid, "
    "started_at, ended_at, duration_ms, outcome, status, variables, trace) VALUES (:id, 'hotline', :caller, '', '', "
    "'PJSIP/trunk-00000001', 'n1', '', :at, :at, 60000, 'hung_up', :status, '{}', :trace)"
)


def _step(n: int, node: str, kind: str, exit_name: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    prompt = {
        "kind": "say",
        "text": "Thank you for calling. Press 1 for sales, 2 for support, 3 for billing.",
        "language": "en",
        "media": f"tts/{node}-{n % 97}.wav",
    }
    return {
        "index": n,
        "node": node,
        "type": kind,
        "label": node.title(),
        "at": "2026-12-01T09:00:00+00:00",
        "exit": exit_name,
        "keys": "",
        "prompts": [prompt],
        "variables_changed": {"last": node},
        "events": events,
        "duration_ms": 1234.5,
        "error": "connection refused" if exit_name == "error" else None,
        "scenario": None,
    }


def _record(rng: random.Random, n: int) -> dict[str, Any]:
    asks, fails, stripped = rng.random() < 0.1, rng.random() < 0.05, rng.random() < 0.02
    steps = [
        _step(i, node, kind, "next", [])
        for i, (node, kind) in enumerate(
            (("start", "start"), ("welcome", "say_phrase"), ("menu", "ivr"), ("hours", "schedule"))
        )
    ]
    if fails:
        steps.append(_step(4, "lookup", "sql", "error", [{"kind": "fallback", "target": "sorry"}]))
    event = {
        "kind": "callback_scheduled",
        "job_id": f"{n:08d}-0000-4000-8000-000000000000",
        "due": "2026-12-01T10:00:00+00:00",
        "number": "+34600111222",
    }
    if asks and rng.random() < 0.2:
        event["merged"] = True
    steps.append(
        _step(
            5,
            "ask" if asks else "bye",
            "callback" if asks else "hangup",
            "scheduled" if asks else "next",
            [event] if asks else [],
        )
    )
    trace: dict[str, Any] = {"call_id": f"c{n:09d}", "outcome": "hung_up", "steps": steps, "answered": True}
    if stripped:
        trace = {"outcome": "hung_up", "steps": [], "retention": {"stripped_at": "2026-12-20T00:00:00+00:00"}}
    digits = f"{600000000 + n % 99_999_999}"
    caller = rng.choice((f"+34 {digits[:3]} {digits[3:6]} {digits[6:]}", f"0034{digits}", digits, f"+34{digits}"))
    return {
        "id": f"c{n:09d}",
        "caller": caller,
        "at": f"2026-11-{1 + n % 28:02d} 09:00:00",
        "status": "callback_scheduled" if asks else "answered",
        "trace": json.dumps(trace, separators=(",", ":")),
    }


def _rows(count: int) -> Iterator[list[dict[str, Any]]]:
    rng = random.Random(22)
    for start in range(0, count, CHUNK):
        yield [_record(rng, n) for n in range(start, min(count, start + CHUNK))]


def measure(url: str, calls: int) -> float:
    """The register of `calls` records at revision 0021, then the seconds the upgrade to 0022 takes."""
    upgrade(url, "0021")
    engine = make_engine(url)
    try:
        for chunk in _rows(calls):
            with engine.begin() as connection:
                connection.execute(_INSERT, chunk)
    finally:
        engine.dispose()
    started = time.perf_counter()
    upgrade(url, "0022")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="a PostgreSQL server's URL, to measure there too")
    parser.add_argument("--no-sqlite", action="store_true")
    asked = parser.parse_args()
    if not asked.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "register.sqlite3"
            seconds = measure(f"sqlite:///{path}", asked.calls)
            size = path.stat().st_size / 1e9
            print(f"SQLite: {asked.calls:,} records ({size:.2f} GB file) migrated in {seconds:.0f} s", flush=True)
    if asked.postgres:
        with throwaway_postgres(asked.postgres, "ivrgraph_mig0022") as url:
            seconds = measure(url, asked.calls)
            print(f"PostgreSQL: {asked.calls:,} records migrated in {seconds:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
