"""The versions list of a big scenario (figures, not pass/fail): GET /api/scenarios/{slug}/versions over HTTP at one
version and at `--versions` versions of an `--nodes`-block scenario, and what a version's document takes stored.

    .venv/bin/python bench/versions_bench.py [--nodes 800] [--versions 120] [--runs 10] [--postgres URL]

On SQLite and on PostgreSQL (--postgres or IVRGRAPH_BENCH_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/postgres: a throwaway database is made on it and dropped afterwards).
Versions are stored directly (`scenarios.store_version`), each a slightly different document: 120 publishes
through the API would time validation and scenario tests, not the list.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.api_bench import running, timed
from bench.scenarios import big_scenario
from bench.throwaway import throwaway_postgres
from persistence import scenarios
from persistence.db import Database
from persistence.migrate import upgrade

SLUG = "big"
STORED_SIZE = {
    "sqlite": "SELECT avg(length(CAST(document AS BLOB))) FROM scenario_versions",
    "postgresql": "SELECT avg(pg_column_size(document)) FROM scenario_versions",
}


def document(nodes: int, number: int) -> dict[str, Any]:
    """The scenario as version `number` publishes it: one phrase edited per version, as analysts do."""
    edited = copy.deepcopy(big_scenario(nodes))
    edited["nodes"][1 + number % (nodes - 1)]["label"] = f"edited in version {number}"
    return edited


def store(database: Database, nodes: int, first: int, last: int) -> None:
    with database.session() as session:
        if first == 1:
            scenarios.create_scenario(session, slug=SLUG, document=document(nodes, 0), actor="bench")
        for number in range(first, last + 1):
            scenario = scenarios.get_scenario(session, slug=SLUG, for_update=True)
            summary = {"warnings": 0, "tests_passed": 0, "codes": []}
            scenarios.store_version(session, scenario=scenario, document=document(nodes, number),
                                    message=f"version {number}", summary=summary, actor="bench")  # fmt: skip


def bench(backend: str, url: str, nodes: int, versions: int, runs: int) -> None:
    upgrade(url)
    database = Database(url)
    try:
        with running(url) as client:
            for first, last in ((1, 1), (2, versions)):
                store(database, nodes, first, last)
                times = timed(lambda: client.get(f"/api/scenarios/{SLUG}/versions"), runs)
                print(f"[{backend}] GET versions at {last:>3} versions of {nodes} blocks: median "
                      f"{statistics.median(times):7.1f} ms, max {max(times):7.1f} ms over {runs} runs")  # fmt: skip
        with database.engine.connect() as conn:
            size = conn.execute(text(STORED_SIZE[database.engine.dialect.name])).scalar()
        print(f"[{backend}] a version's document stored: {float(size or 0) / 1024:.1f} KiB on average")
    finally:
        database.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=800)
    parser.add_argument("--versions", type=int, default=120)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("IVRGRAPH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench("sqlite", f"sqlite:///{folder}/bench.sqlite3", args.nodes, args.versions, args.runs)
    with throwaway_postgres(args.postgres) as url:
        bench("postgres", url, args.nodes, args.versions, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
