"""Load a folder of scenario files (`<slug>.json` + `<slug>.tests.json`) into the database and publish them.

Used by `ivrgraph db seed DIR` and `ivrgraph serve --seed DIR` so a fresh install answers the examples.
Scenarios already in the database are left alone: this never overwrites anyone's work.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from graph_engine.errors import DocumentError
from graph_engine.registry import BlockRegistry
from ivrgraph.scenario_files import is_scenario_file, read_document, read_test_file, slug_of
from persistence import scenarios
from persistence.db import Database
from persistence.errors import NotFound, PersistenceError, PublishBlocked
from persistence.publishing import publish

ACTOR = "seed"


@dataclass(frozen=True, slots=True)
class Seeded:
    slug: str
    outcome: str  # "published v1", "exists", or why it was not published


def seed_folder(database: Database, registry: BlockRegistry, folder: Path) -> list[Seeded]:
    results: dict[str, str] = {}
    waiting: list[str] = []
    for path in sorted(p for p in folder.glob("*.json") if is_scenario_file(p)):
        slug = slug_of(path)
        try:
            document = read_document(path)
            if not isinstance(document, dict):
                raise DocumentError("a scenario file is a JSON object")
            tests_path = path.with_name(f"{slug}.tests.json")
            if tests_path.exists():
                document.setdefault("meta", {})["tests"] = read_test_file(tests_path).tests
            with database.session() as session:
                try:
                    scenarios.get_scenario(session, slug=slug)
                    results[slug] = "exists"
                    continue
                except NotFound:
                    scenarios.create_scenario(session, slug=slug, document=document, actor=ACTOR)
        except (OSError, DocumentError, PersistenceError) as error:
            results[slug] = f"not loaded: {error}"
            continue
        waiting.append(slug)
    # Scenarios name each other (Go To Scenario, Callback): publish in passes until nothing more can go.
    while waiting:
        progressed = False
        for slug in list(waiting):
            try:
                with database.session() as session:
                    outcome = asyncio.run(publish(session, slug=slug, message="seeded", actor=ACTOR, registry=registry))
                results[slug] = f"published v{outcome.version.number}"
                waiting.remove(slug)
                progressed = True
            except PublishBlocked as blocked:
                results[slug] = f"not published: {blocked}"
        if not progressed:
            break
    return [Seeded(slug, outcome) for slug, outcome in sorted(results.items())]
