"""The recovery path docs/operations.md gives for recordings lost with a machine, over real HTTP: a database restored
from its backup, a new empty media root; the catalog lists the recordings and the published version plays them, but
their files are gone. Importing an earlier zip export of a scenario that plays them (as a copy, deleted afterwards)
puts each file back under its old id (api.recording_restore: "catalogued with its files gone"), and nothing else
changes: not the scenario's draft, not its published version (disaster-recovery review).

On SQLite the database is restored from a copy taken as `ivrgraph db backup` takes one; on PostgreSQL the new
installation opens the same database, which is what `pg_restore` of a dump gives it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from persistence.backup import BackupOutcome, back_up
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, serve_api
from tests.api.test_audio import _tone
from tests.api.test_scenario_transfer import bundle_of, create, import_bundle, playing, upload
from tests.persistence import pg
from voice.media import MediaRoot
from voice.prerender import recording_missing


@contextlib.contextmanager
def installation(url: str, media: Path) -> Iterator[Client]:
    """An installation of its own (API server, database, media root), with its admin signed in."""
    settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, media_root=media)
    with (
        contextlib.contextmanager(serve_api)(settings, PublishHub()) as base_url,
        Client(base_url=base_url, timeout=60) as client,
    ):
        assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
        yield client


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_an_earlier_export_puts_back_the_recordings_a_restore_lacks(tmp_path: Path, backend: str) -> None:
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'lost' / 'ivrgraph.sqlite3'}"
            (tmp_path / "lost").mkdir()
        else:
            url = stack.enter_context(pg.throwaway_database("restore"))

        # The machine before it was lost: a published scenario playing two uploads, exported as a zip.
        with installation(url, tmp_path / "lost-media") as before:
            welcome, menu = upload(before, _tone(0.5), name="Welcome"), upload(before, _tone(0.8), name="Menu")
            document = playing(welcome["media_name"])
            document["nodes"].insert(2, {"id": "menu", "type": "message", "label": "Menu",
                                         "config": {"audio": menu["media_name"]}})  # fmt: skip
            document["edges"] = [
                {"id": "e0", "source": "start", "exit": "next", "target": "hello"},
                {"id": "e1", "source": "hello", "exit": "next", "target": "menu"},
                {"id": "e2", "source": "menu", "exit": "next", "target": "bye"},
            ]
            create(before, "billing", document)
            assert before.post("/api/scenarios/billing/publish", json={"message": "live"}).status_code == 200
            bundle = bundle_of(before, "billing")
            draft = before.get("/api/scenarios/billing").json()["draft"]
        if backend == "sqlite":
            backup = back_up(url, tmp_path / "ivrgraph-backup.sqlite3")
            assert backup.outcome is BackupOutcome.WRITTEN
            (tmp_path / "new").mkdir()
            (tmp_path / "ivrgraph-backup.sqlite3").rename(tmp_path / "new" / "ivrgraph.sqlite3")
            url = f"sqlite:///{tmp_path / 'new' / 'ivrgraph.sqlite3'}"

        # The new machine: the database restored, the media root empty (no backup held its assets/).
        media = tmp_path / "new-media"
        with installation(url, media) as after:
            listed = {a["id"] for a in after.get("/api/audio").json()["items"]}
            assert {welcome["id"], menu["id"]} <= listed
            lost = after.get(f"/api/audio/{welcome['id']}/file")
            assert lost.status_code == 404 and lost.json()["type"].endswith("/recording-file-missing"), lost.text
            problems = after.post("/api/scenarios/billing/validate").json()["problems"]
            assert sorted(p["node"] for p in problems if p["code"] == "audio_missing") == ["hello", "menu"]

            copied = import_bundle(after, bundle, slug="billing-restore")
            assert copied.status_code == 201, copied.text
            assert sorted((r["id"], r["outcome"]) for r in copied.json()["recordings"]) == sorted(
                [(welcome["id"], "restored"), (menu["id"], "restored")]
            )
            assert after.delete("/api/scenarios/billing-restore").status_code == 204  # the copy served its purpose

            for asset in (welcome, menu):
                assert not recording_missing(MediaRoot(media), asset["media_name"])  # what calls play: back
                listened = after.get(f"/api/audio/{asset['id']}/file")
                assert listened.status_code == 200 and listened.content[:4] == b"RIFF"
            assert after.post("/api/scenarios/billing/validate").json()["problems"] == []
            scenario = after.get("/api/scenarios/billing").json()
            assert scenario["draft"] == draft and scenario["latest_version"] == 1  # the scenario untouched
            # Importing it again finds them there: the same audio under the same ids, nothing stored twice.
            again = import_bundle(after, bundle, slug="billing-restore-2")
            assert {r["outcome"] for r in again.json()["recordings"]} == {"already_there"}, again.text
            ids = [a["id"] for a in after.get("/api/audio").json()["items"]]
            assert ids.count(welcome["id"]) == 1 and ids.count(menu["id"]) == 1
