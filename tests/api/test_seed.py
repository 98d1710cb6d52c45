"""`ivrgraph db seed` / `serve --seed` on a folder with files that are not scenarios: each is said, none stops the
others (real SQLite). Seeding used to catch AttributeError to get past a file holding a list, which also hid bugs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from api.seed import seed_folder
from blocks import default_registry
from persistence.db import Database
from persistence.migrate import upgrade

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_files_that_are_not_scenarios_are_said_and_the_rest_are_published(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "appointment-confirmation.json", tmp_path / "appointment-confirmation.json")
    (tmp_path / "list.json").write_text(json.dumps([{"id": "start"}]), encoding="utf-8")
    (tmp_path / "twice.json").write_text('{"name": "a", "name": "b"}', encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'seed.sqlite3'}"
    upgrade(url)
    database = Database(url)

    outcomes = {seeded.slug: seeded.outcome for seeded in seed_folder(database, default_registry(), tmp_path)}

    database.dispose()
    assert outcomes == {
        "appointment-confirmation": "published v1",
        "list": "not loaded: a scenario file is a JSON object",
        "twice": 'not loaded: key "name" is written twice in one object; keep one',
    }
