"""Moving a scenario from staging to production over real HTTP: two installations, each its own server, database
and media folder. The staging server is the shared one (SQLite and PostgreSQL); production is an SQLite one of
this module's. Review of 2026-12: an import made a new slug the dialplan never dials, recordings came over as
ids production did not have, and only publish said so."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from api.settings import Settings
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, Server, serve_api
from tests.api.test_audio import _tone
from tests.persistence import documents


@pytest.fixture(scope="module")
def production_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('production-db') / 'production.sqlite3'}"
    media = tmp_path_factory.mktemp("production-media")
    settings = Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD, media_root=media)
    hub = PublishHub()
    for base_url in serve_api(settings, hub):
        yield Server(base_url, hub, "sqlite", url, media)


@pytest.fixture
def production(production_server: Server) -> Iterator[Client]:
    with Client(base_url=production_server.base_url, timeout=60) as client:
        assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
        yield client


def playing(media_name: str, *, name: str = "Billing line") -> dict[str, Any]:
    """Start -> a Message playing the recording `media_name` -> hang up."""
    document = documents.greeting(name=name)
    document["nodes"][1] = {"id": "hello", "type": "message", "label": "Welcome", "config": {"audio": media_name}}
    return document


def upload(client: Client, audio: bytes, name: str = "Welcome") -> dict[str, Any]:
    uploaded = client.post("/api/audio", files={"file": ("welcome.wav", audio, "audio/wav")}, data={"name": name})
    assert uploaded.status_code == 201, uploaded.text
    return dict(uploaded.json())


def create(client: Client, slug: str, document: dict[str, Any], name: str = "Billing line") -> None:
    created = client.post("/api/scenarios", json={"slug": slug, "name": name, "document": document})
    assert created.status_code == 201, created.text


def bundle_of(client: Client, slug: str) -> bytes:
    exported = client.get(f"/api/scenarios/{slug}/export", params={"audio": "true"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/zip"
    assert exported.headers["content-disposition"] == f'attachment; filename="{slug}.zip"'
    return exported.content


def import_bundle(client: Client, bundle: bytes, **form: str) -> Any:
    return client.post("/api/scenarios/import/bundle", files={"file": ("b.zip", bundle, "application/zip")}, data=form)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def members_of(bundle: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_an_export_names_its_slug_and_production_imports_it_under_that_slug(
    admin: Client, production: Client, slug: Callable[[str], str]
) -> None:
    billing = slug("billing")
    create(admin, billing, documents.greeting("Hola", name="Billing line"))
    exported = admin.get(f"/api/scenarios/{billing}/export")
    assert exported.json()["meta"] == {"exported_from": {"slug": billing, "name": "Billing line"}}
    # The file alone says where it goes: the dialplan's AGI(agi://host/<slug>) reaches it.
    imported = production.post("/api/scenarios/import", json={"document": exported.json()})
    assert imported.status_code == 201, imported.text
    assert imported.json()["slug"] == billing and imported.json()["name"] == "Billing line"
    assert imported.json()["replaced_draft"] is False
    assert imported.json()["draft"]["document"] == documents.greeting("Hola", name="Billing line")  # no note kept


def test_a_taken_slug_names_the_option_and_the_import_replaces_only_the_draft(
    admin: Client, production: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    billing = slug("billing")
    create(production, billing, documents.greeting("Old prompt"))
    assert production.post(f"/api/scenarios/{billing}/publish", json={"message": "live"}).status_code == 200
    create(admin, billing, documents.greeting("New prompt"))
    exported = admin.get(f"/api/scenarios/{billing}/export").json()

    refused = production.post("/api/scenarios/import", json={"document": exported})
    assert refused.status_code == 409 and refused.json()["type"].endswith("/already-exists")
    assert refused.json()["slug"] == billing and refused.json()["name"] == "Billing line"
    assert "replace_draft" in refused.json()["detail"] and "copy" in refused.json()["detail"]

    # An editor may (a draft save's role); the versions stay as they were, the next publish makes it live.
    made = production.post(
        "/api/users", json={"username": f"ed-{billing}", "password": "password-123", "role": "editor"}
    )
    assert made.status_code == 201
    with Client(base_url=str(production.base_url), timeout=30) as editor:
        assert editor.login(f"ed-{billing}", "password-123").status_code == 200
        replaced = editor.post("/api/scenarios/import", json={"document": exported, "replace_draft": True})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["replaced_draft"] is True and replaced.json()["latest_version"] == 1
    assert replaced.json()["draft"]["revision"] == 2
    assert replaced.json()["draft"]["document"]["nodes"][1]["config"]["text"] == "New prompt"
    live = production.get(f"/api/scenarios/{billing}/versions/1").json()["document"]
    assert live["nodes"][1]["config"]["text"] == "Old prompt"
    audit = production.get("/api/audit", params={"target": f"scenario:{billing}"}).json()
    assert (audit[0]["action"], audit[0]["actor"]) == ("import", f"ed-{billing}")
    replaced_size = audit[0]["details"].pop("replaced_document_size")
    assert audit[0]["details"] == {
        "draft_revision": 2,
        "replaced_draft": True,
        "recordings": [],
        "replaced_revision": 1,
        "replaced_is_version": 1,  # the draft replaced was what version 1 runs: nothing of it is lost
    }
    assert replaced_size > 0
    published = production.post(f"/api/scenarios/{billing}/publish", json={"message": "from staging"})
    assert published.status_code == 200 and published.json()["version"]["number"] == 2
    # A viewer imports nothing, into a draft or not.
    viewer = user_factory("viewer")
    assert viewer.post("/api/scenarios/import", json={"document": exported, "replace_draft": True}).status_code == 403


def test_an_import_over_unpublished_work_keeps_that_work_in_its_audit_event(
    admin: Client, production: Client, slug: Callable[[str], str]
) -> None:
    # Review of 2026-12-07: an import with replace_draft over an editor's unpublished hour of work left no trace of
    # it, where a rollback resetting the draft keeps the draft it replaces.
    billing = slug("billing")
    create(production, billing, documents.greeting("Old prompt"))
    assert production.post(f"/api/scenarios/{billing}/publish", json={"message": "live"}).status_code == 200
    work = documents.greeting("An hour of unpublished work")
    saved = production.put(f"/api/scenarios/{billing}/draft", json={"revision": 1, "document": work})
    assert saved.status_code == 200, saved.text
    create(admin, billing, documents.greeting("From staging"))
    exported = admin.get(f"/api/scenarios/{billing}/export").json()

    replaced = production.post("/api/scenarios/import", json={"document": exported, "replace_draft": True})

    assert replaced.status_code == 200, replaced.text
    [listed] = production.get("/api/audit", params={"target": f"scenario:{billing}", "action": "import"}).json()
    assert "replaced_document" not in listed["details"]  # a list of events gives its size: it can be large
    assert listed["details"]["replaced_revision"] == 2 and listed["details"]["replaced_document_size"] > 0
    whole = production.get(f"/api/audit/{listed['id']}").json()
    assert whole["details"]["replaced_document"] == work
    # The same file imported again replaces nothing: the event says so by keeping nothing.
    again = production.post("/api/scenarios/import", json={"document": exported, "replace_draft": True})
    assert again.status_code == 200, again.text
    newest = production.get("/api/audit", params={"target": f"scenario:{billing}", "action": "import"}).json()[0]
    assert "replaced_revision" not in newest["details"]


def test_an_export_of_the_old_shape_still_imports(admin: Client, slug: Callable[[str], str]) -> None:
    old = documents.greeting("Hola")
    imported = admin.post("/api/scenarios/import", json={"slug": slug("old"), "document": old})
    assert imported.status_code == 201 and imported.json()["name"] == "Greeting"
    unnamed = admin.post("/api/scenarios/import", json={"document": old})
    assert unnamed.status_code == 422 and unnamed.json()["problems"][0]["path"] == "$.slug"
    # A copy under another slug: the export's slug is only the default.
    billing, copy = slug("billing"), slug("copy")
    create(admin, billing, old)
    exported = admin.get(f"/api/scenarios/{billing}/export").json()
    copied = admin.post("/api/scenarios/import", json={"slug": copy, "name": "Billing (2)", "document": exported})
    assert copied.status_code == 201 and (copied.json()["slug"], copied.json()["name"]) == (copy, "Billing (2)")


def test_recordings_travel_under_their_own_ids(
    admin: Client, production: Client, server: Server, slug: Callable[[str], str]
) -> None:
    billing = slug("billing")
    asset = upload(admin, _tone(0.5), name="Welcome to billing")
    create(admin, billing, playing(asset["media_name"]))
    bundle = bundle_of(admin, billing)
    members = members_of(bundle)
    assert set(members) == {"scenario.json", "recordings.json", f"recordings/{asset['id']}.wav"}
    catalog = json.loads(members["recordings.json"])
    assert catalog["recordings"] == [
        {
            "id": asset["id"],
            "name": "Welcome to billing",
            "language": "en",
            "format": "wav",
            "duration_ms": asset["duration_ms"],
        }
    ]
    assert json.loads(members["scenario.json"]) == admin.get(f"/api/scenarios/{billing}/export").json()

    imported = import_bundle(production, bundle)
    assert imported.status_code == 201, imported.text
    assert imported.json()["slug"] == billing
    assert imported.json()["recordings"] == [{"id": asset["id"], "name": "Welcome to billing", "outcome": "restored"}]
    there = {a["id"]: a for a in production.get("/api/audio").json()["items"]}
    assert there[asset["id"]]["name"] == "Welcome to billing"
    assert there[asset["id"]]["media_name"] == asset["media_name"]
    assert production.get(f"/api/audio/{asset['id']}/file").content[:4] == b"RIFF"
    assert production.post(f"/api/scenarios/{billing}/validate").json()["problems"] == []
    assert production.post(f"/api/scenarios/{billing}/publish", json={"message": "live"}).status_code == 200

    # Moved again (and back): the same audio under the id is kept, not stored twice or refused.
    again = import_bundle(production, bundle, replace_draft="true")
    assert again.status_code == 200, again.text
    assert again.json()["recordings"] == [{"id": asset["id"], "name": "Welcome to billing", "outcome": "already_there"}]
    back = import_bundle(admin, bundle_of(production, billing), replace_draft="true")
    assert back.status_code == 200 and back.json()["recordings"][0]["outcome"] == "already_there", back.text
    audit = production.get("/api/audio").json()["items"]
    assert [a["id"] for a in audit].count(asset["id"]) == 1


def test_a_recording_id_holding_other_audio_refuses_the_whole_import(admin: Client, slug: Callable[[str], str]) -> None:
    billing, other = slug("billing"), slug("other")
    asset = upload(admin, _tone(0.5))
    create(admin, billing, playing(asset["media_name"]))
    members = members_of(bundle_of(admin, billing))
    members[f"recordings/{asset['id']}.wav"] = _tone(1.5)  # another recording under the same id
    scenario = json.loads(members["scenario.json"])
    members["scenario.json"] = json.dumps({**scenario, "meta": {"exported_from": {"slug": other}}}).encode()
    refused = import_bundle(admin, zipped(members))
    assert refused.status_code == 409, refused.text
    assert asset["id"] in refused.json()["detail"]
    assert admin.get(f"/api/scenarios/{other}").status_code == 404  # nothing imported
    assert admin.get(f"/api/audio/{asset['id']}/file").status_code == 200  # the recording there is untouched


def test_validation_names_a_recording_this_installation_lacks(
    admin: Client, production: Client, slug: Callable[[str], str]
) -> None:
    billing = slug("billing")
    asset = upload(admin, _tone(0.5))
    create(admin, billing, playing(asset["media_name"]))
    # The JSON alone, without its recordings, as before bundles.
    imported = production.post(
        "/api/scenarios/import", json={"document": admin.get(f"/api/scenarios/{billing}/export").json()}
    )
    assert imported.status_code == 201, imported.text
    problems = production.post(f"/api/scenarios/{billing}/validate").json()["problems"]
    assert [(p["code"], p["severity"], p["node"], p["path"]) for p in problems] == [
        ("audio_missing", "error", "hello", "$.nodes[1].config.audio")
    ]
    assert problems[0]["message"].startswith('Message "Welcome": the recording ')
    assert problems[0]["params"] == {  # the block named as every problem names it, for the designer's languages
        "block_type": "message",
        "block_title": "Message",
        "label": "Welcome",
        "recording": asset["media_name"],
    }
    # A draft save answers the same problem, and publish refuses with the same code.
    saved = production.put(
        f"/api/scenarios/{billing}/draft", json={"revision": 1, "document": playing(asset["media_name"])}
    )
    assert [p["code"] for p in saved.json()["problems"]] == ["audio_missing"]
    blocked = production.post(f"/api/scenarios/{billing}/publish", json={"message": "live"})
    assert blocked.status_code == 422 and [p["code"] for p in blocked.json()["problems"]] == ["audio_missing"]


def test_a_catalogued_recording_whose_files_are_gone_is_missing_too(
    admin: Client, server: Server, slug: Callable[[str], str]
) -> None:
    billing = slug("billing")
    asset = upload(admin, _tone(0.5))
    create(admin, billing, playing(asset["media_name"]))
    assert admin.post(f"/api/scenarios/{billing}/validate").json()["problems"] == []
    for stored in server.media_root.glob(f"assets/{asset['id']}.*"):
        stored.unlink()
    problems = admin.post(f"/api/scenarios/{billing}/validate").json()["problems"]
    assert [(p["code"], p["node"]) for p in problems] == [("audio_missing", "hello")]


def test_a_bundle_is_read_within_its_limits(admin: Client, server: Server, slug: Callable[[str], str]) -> None:
    def refused(bundle: bytes) -> Any:
        answer = import_bundle(admin, bundle, slug=slug("limits"))
        assert answer.status_code == 422, answer.text
        return answer.json()

    assert refused(b"not a zip at all")["problems"][0]["message"].startswith("the file is not a scenario bundle")
    scenario = json.dumps(documents.greeting()).encode()
    assert refused(zipped({"recordings.json": b"{}"}))["problems"][0]["message"] == "the bundle has no scenario.json"
    # A zip bomb: 40 MB of silence packs into a few kilobytes; refused from its declared size, before unpacking.
    bomb_id = "ab" * 16
    catalog = {"format": "ivrgraph.recordings/1", "recordings": [{"id": bomb_id, "name": "x", "language": "en"}]}
    bomb = zipped({"scenario.json": scenario, "recordings.json": json.dumps(catalog).encode(),
                   f"recordings/{bomb_id}.wav": bytes(40_000_000)})  # fmt: skip
    assert len(bomb) < 100_000
    assert "unpacks to 40.0 MB; the limit is 21.0 MB" in refused(bomb)["problems"][0]["message"]
    # Catalog entries are checked as an upload's form is; an id is never a path.
    bad = {"format": "ivrgraph.recordings/1", "recordings": [{"id": "../../etc/passwd", "name": "", "language": "x"}]}
    problems = refused(zipped({"scenario.json": scenario, "recordings.json": json.dumps(bad).encode()}))["problems"]
    assert [p["path"] for p in problems] == ["$.recordings[0].id", "$.recordings[0].name", "$.recordings[0].language"]
    # Audio that is not audio is refused as an upload is, naming the recording.
    fake = {"format": "ivrgraph.recordings/1", "recordings": [{"id": bomb_id, "name": "Fake", "language": "en"}]}
    members = {"scenario.json": scenario, "recordings.json": json.dumps(fake).encode(),
               f"recordings/{bomb_id}.wav": b"RIFF not really"}  # fmt: skip
    not_audio = import_bundle(admin, zipped(members), slug=slug("fake"))
    assert not_audio.status_code == 422 and not_audio.json()["code"] == "not_audio"
    assert not_audio.json()["detail"].startswith(f"recording 'Fake' ({bomb_id}): ")
    # A lone surrogate, which a JSON body may not carry, may not come in a bundle either.
    cut = b'{"format": "ivrgraph.scenario/1", "name": "x\\ud83d", "nodes": [], "edges": []}'
    assert refused(zipped({"scenario.json": cut}))["problems"][0]["path"] == "$.name"
    # Members no bundle has are never read, whatever their path says.
    extra = import_bundle(admin, zipped({"scenario.json": scenario, "../../escaped.wav": b"x"}), slug=slug("extra"))
    assert extra.status_code == 201, extra.text
    assert not (server.media_root.parent / "escaped.wav").exists()
    assert not list(server.media_root.glob("assets/.import-*"))  # the staging folders are gone


def test_a_viewer_exports_with_recordings_and_imports_nothing(
    admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    billing = slug("billing")
    asset = upload(admin, _tone(0.5))
    create(admin, billing, playing(asset["media_name"]))
    viewer = user_factory("viewer")
    bundle = bundle_of(viewer, billing)
    assert import_bundle(viewer, bundle, slug=slug("viewer")).status_code == 403
