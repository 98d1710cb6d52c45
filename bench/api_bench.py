"""API benchmarks (figures, not pass/fail): publishing a 500-node scenario, the first filtered page of 1,000,000 calls.

    .venv/bin/python bench/api_bench.py [--rows 1000000] [--nodes 500] [--postgres URL]

PostgreSQL: --postgres or IVRGRAPH_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres; a
throwaway database is created on it and dropped afterwards. Targets: publish < 1 s, first page < 200 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.app import create_app
from api.settings import Settings
from bench.throwaway import throwaway_postgres
from persistence.db import Database

ADMIN, PASSWORD = "bench", "bench-password"


def big_scenario(nodes: int) -> dict[str, Any]:
    """Start, then menus of three keys whose branches speak and rejoin: `nodes` blocks, all reachable."""
    doc_nodes: list[dict[str, Any]] = [{"id": "start", "type": "start", "config": {}}]
    edges: list[dict[str, Any]] = []
    previous, index = "start", 0
    while len(doc_nodes) < nodes - 1:
        menu = f"menu{index}"
        doc_nodes.append(
            {
                "id": menu,
                "type": "ivr",
                "config": {"prompt": {"text": f"Menu {index}"}, "options": [{"key": k} for k in "123"]},
            }
        )
        edges.append({"source": previous, "exit": "next", "target": menu})
        joined = f"join{index}"
        for key in "123":
            say = f"say{index}_{key}"
            doc_nodes.append({"id": say, "type": "say_phrase", "config": {"text": f"You chose {key} in {index}"}})
            edges.append({"source": menu, "exit": key, "target": say})
            edges.append({"source": say, "exit": "next", "target": joined})
        edges.append({"source": menu, "exit": "max_tries", "target": joined})
        doc_nodes.append({"id": joined, "type": "say_phrase", "config": {"text": f"Step {index} done"}})
        previous, index = joined, index + 1
    doc_nodes.append({"id": "bye", "type": "hangup", "config": {}})
    edges.append({"source": previous, "exit": "next", "target": "bye"})
    return {"format": "ivrgraph.scenario/1", "name": "Big", "nodes": doc_nodes, "edges": edges}


@contextmanager
def running(database_url: str) -> Iterator[httpx.Client]:
    settings = Settings(database_url=database_url, admin_user=ADMIN, admin_password=PASSWORD, designer_dist=None)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        login = client.post("/api/auth/login", json={"username": ADMIN, "password": PASSWORD}).json()
        client.headers["X-CSRF-Token"] = login["csrf_token"]
        try:
            yield client
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def timed(action: Callable[[], httpx.Response], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = action()
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return times


def report(label: str, times: list[float], target_ms: float) -> None:
    median = statistics.median(times)
    worst = max(times)
    verdict = "OK" if median < target_ms else "OVER TARGET"
    runs = f"{len(times)} runs (target < {target_ms:g} ms)"
    print(f"{label}: median {median:.1f} ms, max {worst:.1f} ms over {runs} {verdict}")


def bench_publish(client: httpx.Client, backend: str, nodes: int, runs: int = 5) -> None:
    document = big_scenario(nodes)
    # A scenario a run: publishing a draft already published is a 409 nothing-to-publish, not a second publish.
    slugs = [f"big-{uuid.uuid4().hex[:6]}" for _ in range(runs)]
    for slug in slugs:
        client.post("/api/scenarios", json={"slug": slug, "name": "Big", "document": document}).raise_for_status()
    unpublished = iter(slugs)
    times = timed(lambda: client.post(f"/api/scenarios/{next(unpublished)}/publish", json={"message": "bench"}), runs)
    report(f"[{backend}] publish {len(document['nodes'])}-node scenario over HTTP", times, 1000)


LOAD = """
INSERT INTO call_records (id, scenario, version, caller_id, caller_name, dialed_number, channel, node, started_at,
    answered_at, ended_at, duration_ms, outcome, status, last_node, variables, trace)
SELECT 'c' || g, 'scenario-' || (g % 20), 1, '+3460' || lpad((g % 50000)::text, 7, '0'), '', '200', 'PJSIP/1', 'n1',
    ts, ts, ts + interval '30 seconds', 30000, 'hung_up',
    (ARRAY['answered','missed','abandoned_in_menu','transferred','failed','callback_scheduled'])[1 + g % 6],
    'bye', '{}'::jsonb,
    jsonb_build_object('steps', jsonb_build_array(jsonb_build_object('node', 'start', 'type', 'start')))
FROM (SELECT g, timestamptz '2026-01-01' + (g * interval '3 seconds') AS ts
      FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g) AS s
"""


def bench_calls(client: httpx.Client, database_url: str, rows: int, runs: int = 20) -> None:
    database = Database(database_url)
    started = time.perf_counter()
    chunk = 250_000  # one statement per chunk keeps the transaction log and memory modest
    with database.engine.begin() as conn:
        for first in range(1, rows + 1, chunk):
            conn.execute(text(LOAD), {"first": first, "last": min(rows, first + chunk - 1)})
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE call_records"))
    print(f"[postgres] loaded {rows:,} call records in {time.perf_counter() - started:.1f} s (generate_series)")
    database.dispose()
    queries = {
        "no filter": {},
        "scenario + status": {"scenario": "scenario-7", "status": "missed"},
        "time range": {"since": "2026-01-10T00:00:00Z", "until": "2026-01-11T00:00:00Z"},
        "caller": {"caller": "+34600012345"},
        "scenario + week": {"scenario": "scenario-3", "since": "2026-01-05T00:00:00Z", "until": "2026-01-12T00:00:00Z"},
    }
    for label, params in queries.items():
        times = timed(lambda p=params: client.get("/api/calls", params={**p, "page_size": 50}), runs)  # type: ignore[misc]
        report(f"[postgres] first page of calls ({label}) over HTTP", times, 200)
    first = client.get("/api/calls", params={"scenario": "scenario-7", "page_size": 50}).json()
    deep = first["next_cursor"]
    for _ in range(100):  # walk 100 pages in: keyset paging must not slow down
        deep = client.get("/api/calls", params={"scenario": "scenario-7", "page_size": 50, "cursor": deep}).json()[
            "next_cursor"
        ]
    times = timed(
        lambda: client.get("/api/calls", params={"scenario": "scenario-7", "page_size": 50, "cursor": deep}), runs
    )
    report("[postgres] page 102 of one scenario's calls over HTTP", times, 200)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("IVRGRAPH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, running(f"sqlite:///{folder}/bench.sqlite3") as client:
        bench_publish(client, "sqlite", args.nodes)
    with throwaway_postgres(args.postgres) as url, running(url) as client:
        bench_publish(client, "postgres", args.nodes)
        bench_calls(client, url, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
