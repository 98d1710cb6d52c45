"""A node that starts on a database whose published versions play uploaded recordings missing from its media root
(a database restored without the media root's `assets/`) says so at start: one WARNING per such version, naming the
scenario, the version, each node and recording (the catalog's name and id), and the media root; none for a version
whose recordings are there, for an Asterisk sound (`vm-press`), or for an older version. The start goes on: the node
serves. `ivrgraph agi --database` and `ivrgraph serve` run as real processes (disaster-recovery review: a restore
left calls playing nothing and no line said so)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from agi_server.missing_recordings import check_in_background
from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from graph_engine.document import build_scenario
from graph_engine.services import SilentTts
from persistence import audio
from persistence.db import Database
from persistence.migrate import upgrade
from tests.agi_server.test_missing_plugin_warning import store_published, warnings_in
from tests.api.serve_process import IVRGRAPH, clean_env
from tests.conftest import make_document
from voice.media import MediaRoot

WELCOME, MENU, KEPT, GONE_EARLIER = "a" * 32, "b" * 32, "c" * 32, "d" * 32


def playing(*names: str, name: str = "Billing line") -> dict[str, Any]:
    """Start -> one Message per media name (node `m<i>`, labelled after it) -> hang up."""
    nodes = [{"id": "start", "type": "start"}]
    nodes += [{"id": f"m{i}", "type": "message", "label": f"Say {i}", "config": {"audio": media}}
              for i, media in enumerate(names)]  # fmt: skip
    nodes.append({"id": "bye", "type": "hangup"})
    ids = [node["id"] for node in nodes]
    return make_document(nodes, [(a, "next", b) for a, b in itertools.pairwise(ids)], name=name)


def restored_installation(tmp_path: Path) -> tuple[str, Path]:
    """A database as a restore leaves it (catalog rows, published versions) and a media root holding one recording."""
    url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        with database.session() as session:
            for asset_id, title in ((WELCOME, "Bienvenida"), (KEPT, "Hold music"), (GONE_EARLIER, "Old")):
                audio.create_asset(session, asset_id=asset_id, name=title, language="es",
                                   media_name=f"assets/{asset_id}", duration_ms=500, format="wav")  # fmt: skip
    finally:
        database.dispose()
    # billing v2: the welcome (catalogued) and the menu (never catalogued) gone; the hold music there; vm-press is
    # Asterisk's own. support: only the hold music. old: v1 played a lost one, v2 (live) does not.
    store_published(
        url,
        "billing",
        playing(f"assets/{KEPT}"),
        playing(f"assets/{WELCOME}", f"assets/{KEPT}", "vm-press", f"assets/{MENU}", f"assets/{WELCOME}"),
    )
    store_published(url, "support", playing(f"assets/{KEPT}", name="Support"))
    store_published(url, "old", playing(f"assets/{GONE_EARLIER}", name="Old"), playing(name="Old"))
    media = tmp_path / "media"
    (media / "assets").mkdir(parents=True)
    (media / "assets" / f"{KEPT}.sln16").write_bytes(b"\0" * 320)
    return url, media


def log_of(command: list[str], *, env: dict[str, str], cwd: Path, until: Callable[[str], bool]) -> str:
    """Run `command` until its log (stderr) satisfies `until` (60 s at most), then SIGTERM it: its whole log."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = process.stderr
    assert stderr is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(stderr.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not until("".join(lines)):
            assert time.monotonic() < deadline and process.poll() is None, "".join(lines)[-3000:]
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=10)
        stderr.close()
    return "".join(lines)


def started_and_checked(log: str) -> bool:
    return "FastAGI listening" in log and "missing from the media root" in log


EXPECTED = (
    f"scenario billing v2 plays uploaded recordings missing from the media root {{media}}: 'Bienvenida' "
    f"(assets/{WELCOME}) at node m0 ('Say 0'); assets/{MENU} (not in the catalog) at node m3 ('Say 3'); "
    f"'Bienvenida' (assets/{WELCOME}) at node m4 ('Say 4'). Calls reaching them hear nothing of them (the block "
    "takes its error exit): put the media root's assets/ back from its backup, or import an earlier zip export of "
    "the scenario as a copy (docs/operations.md, Backups)"
)


@pytest.mark.parametrize("command", ["agi", "serve"])
def test_a_node_names_each_live_version_playing_recordings_missing_from_its_media_root(
    tmp_path: Path, command: str
) -> None:
    url, media = restored_installation(tmp_path)
    env = clean_env(IVRGRAPH_DATABASE_URL=url, IVRGRAPH_MEDIA_ROOT=str(media))
    if command == "agi":
        arguments = ["agi", "--port", "0"]
    else:
        env |= {"IVRGRAPH_ADMIN_USER": "admin", "IVRGRAPH_ADMIN_PASSWORD": "admin-pass-1"}
        arguments = ["serve", "--port", "0", "--agi-port", "0"]

    log = log_of([*IVRGRAPH, *arguments], env=env, cwd=tmp_path, until=started_and_checked)

    warned = warnings_in(log, "missing from the media root")
    assert [line.split(" WARNING ", 1)[1] for line in warned] == [
        "agi_server.missing_recordings " + EXPECTED.format(media=media.resolve())
    ], log
    assert "FastAGI listening" in log and " ERROR " not in log  # the node started and served


def test_a_check_that_cannot_be_made_is_one_warning_and_a_node_without_a_media_root_makes_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """In-process: the database not there when the catalog is read (the files were looked at) is a WARNING, and the
    check's task ends without an error; a TTS with no media root (SilentTts: tests, nodes without voice) starts none."""
    source = CachedScenarioSource()
    source.publish(as_runtime_version("billing", 2, playing(f"assets/{WELCOME}")))
    away = Database(f"sqlite:///{tmp_path / 'no-such-folder' / 'ivrgraph.sqlite3'}")

    async def run() -> object:
        assert check_in_background(source, SilentTts(), away) is None
        task = check_in_background(source, SimpleNamespace(media=MediaRoot(tmp_path / "media")), away)  # type: ignore[arg-type]
        assert task is not None
        return await task

    with caplog.at_level(logging.WARNING, logger="agi_server.missing_recordings"):
        assert asyncio.run(run()) == []
    away.dispose()
    [line] = [r.getMessage() for r in caplog.records]
    assert line.startswith("the published scenarios' recordings could not be checked in the media root "), line
    assert "no-such-folder" in line  # why, as the error says it


def as_runtime_version(slug: str, version: int, document: dict[str, Any]) -> PublishedScenario:
    return PublishedScenario(slug, version, build_scenario(document))
