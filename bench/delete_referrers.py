"""Finding who still needs a scenario before it is deleted, before and after the database looked for them (figures,
not pass/fail): `--scenarios` live scenarios (226 by default, as the installation of the scale review had), each
published and `--blocks` blocks long, two of them jumping into the one asked about and one calling back into it.

    .venv/bin/python bench/delete_referrers.py [--scenarios 226] [--blocks 40] [--slug main-menu] [--postgres URL]
        [--no-sqlite] [--runs 5]

A fifth of the other scenarios jump somewhere else. `--slug target` is SQLite's worst case: every edge has a
`"target"` key, so its LIKE finds every scenario with a Go To Scenario block, each then read and confirmed.

"before": what `persistence.scenarios.referrers` did up to this change, every live scenario read with its draft,
then its latest version one query each, each parsed in Python; "after": `persistence.scenarios.needed_by`, the
database finding them (JSONB containment on PostgreSQL, LIKE then the nodes on SQLite). Each figure is the median
of `--runs`, after one run that warms the caches; statements counted on the last run. Writing the scenarios is not
timed.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bench.throwaway import throwaway_postgres
from persistence import scenarios
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import CallbackJob, Scenario
from schemas import SCENARIO_FORMAT


def _document(name: str, blocks: int, *, last: dict[str, Any] | None = None) -> dict[str, Any]:
    """Start, then `blocks` phrases in a row, then `last` (a hang-up unless given)."""
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start", "config": {}}]
    nodes += [
        {"id": f"say{n}", "type": "say_phrase", "config": {"text": f"Phrase {n} of {name}"}} for n in range(blocks)
    ]
    nodes.append(last or {"id": "bye", "type": "hangup", "config": {}})
    edges = [{"source": a["id"], "exit": "next", "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"format": SCENARIO_FORMAT, "name": name, "nodes": nodes, "edges": edges}


def _load(database: Database, count: int, blocks: int, target: str) -> None:
    jump = {"id": "jump", "type": "goto_scenario", "config": {"scenario": target}}
    ring = {"id": "ring", "type": "callback", "config": {"scenario": target, "delay_minutes": 5}}
    elsewhere = {"id": "jump", "type": "goto_scenario", "config": {"scenario": "line-0000"}}
    last_blocks = {"jumper-1": jump, "jumper-2": jump, "rings-back": ring}
    slugs = [target, *last_blocks]
    slugs += [f"line-{n:04d}" for n in range(count - len(slugs))]
    last_blocks.update(dict.fromkeys(slugs[5::5], elsewhere))  # a fifth of the others jump elsewhere
    with database.session() as session:
        for slug in slugs:
            document = _document(slug, blocks, last=last_blocks.get(slug))
            scenario = scenarios.create_scenario(session, slug=slug, document=document, actor="bench")
            scenarios.store_version(
                session, scenario=scenario, document=document, message="", summary={}, actor="bench"
            )


def _before(session: Session, *, slug: str) -> list[str]:
    """`referrers` as it was (persistence/scenarios.py before this change)."""
    found: list[str] = []
    for other in session.scalars(select(Scenario).where(Scenario.slug != slug, scenarios.LIVE).order_by(Scenario.slug)):
        documents = [other.draft_document]
        latest = scenarios.latest_version(session, scenario_id=other.id)
        if latest is not None:
            documents.append(latest.document)
        if any(slug in _scenarios_named(document) for document in documents):
            found.append(f"scenario {other.slug}")
    pending = session.scalar(
        select(func.count())
        .select_from(CallbackJob)
        .where(CallbackJob.scenario == slug, CallbackJob.status.in_(scenarios.ACTIVE_CALLBACK_STATUSES))
    )
    if pending:
        found.append(f"{pending} pending callback(s)")
    return found


def _scenarios_named(document: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for node in document.get("nodes", []) if isinstance(document, Mapping) else []:
        config = node.get("config") if isinstance(node, Mapping) else None
        if isinstance(config, Mapping) and isinstance(config.get("scenario"), str):
            names.add(config["scenario"])
    return names


def _after(session: Session, *, slug: str) -> list[str]:
    return scenarios.needed_by(session, slug=slug).described()


def _measure(
    database: Database, find: Callable[..., list[str]], target: str, runs: int
) -> tuple[float, int, list[str]]:
    """(median milliseconds, statements of the last run, what it found)."""
    taken: list[float] = []
    statements: list[str] = []
    found: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    for run in range(runs + 1):
        statements.clear()
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            with database.session() as session:
                started = time.perf_counter()
                found = find(session, slug=target)
                if run:  # the first warms the caches
                    taken.append((time.perf_counter() - started) * 1000)
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
    return statistics.median(taken), len(statements), found


def bench(label: str, url: str, count: int, blocks: int, target: str, runs: int) -> None:
    upgrade(url)
    database = Database(url)
    try:
        started = time.perf_counter()
        _load(database, count, blocks, target)
        print(f"[{label}] {count} published scenarios of {blocks + 2} blocks written in "
              f"{time.perf_counter() - started:.1f} s (not timed below)")  # fmt: skip
        before, before_statements, found_before = _measure(database, _before, target, runs)
        after, after_statements, found_after = _measure(database, _after, target, runs)
        same = "same referrers" if found_before == found_after else f"DIFFER: {found_before} / {found_after}"
        print(f"[{label}] before {before:.1f} ms in {before_statements} statements, "
              f"after {after:.1f} ms in {after_statements} statements ({same})")  # fmt: skip
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=226)
    parser.add_argument("--blocks", type=int, default=40)
    parser.add_argument("--slug", default="main-menu", help="the scenario asked about")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to make a throwaway database on")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            bench("sqlite", f"sqlite:///{folder}/bench.sqlite3", args.scenarios, args.blocks, args.slug, args.runs)
    if args.postgres:
        with throwaway_postgres(args.postgres, "ivrgraph_bench_referrers") as url:
            bench("postgres", url, args.scenarios, args.blocks, args.slug, args.runs)


if __name__ == "__main__":
    main()
