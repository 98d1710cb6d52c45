"""`ivrgraph serve`: the API stores uploads and renders published phrases in the media root the node's calls play
from (operations review, 2026-12-05: on a machine without /var/lib/ivrgraph the node fell back on ./media while the
API kept trying the configured root, so uploads and prerendered phrases failed or landed where no call looked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice.settings import VoiceSettings


async def test_the_api_uses_the_media_root_the_node_fell_back_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agi_server.node import DatabaseRuntime
    from api.app import create_app
    from api.serve import shared_media_root
    from api.settings import Settings
    from persistence.db import Database
    from persistence.migrate import upgrade

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # the configured root sits under a file: it cannot be made
    unusable = VoiceSettings(media_root=blocked / "media")
    monkeypatch.setattr(VoiceSettings, "from_env", classmethod(lambda cls, environ=None: unusable))
    monkeypatch.delenv("IVRGRAPH_MEDIA_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        runtime = DatabaseRuntime(database)  # the node's speech: the fallback beside the working directory
        settings = Settings(database_url=url, migrate_on_start=False)
        alone = create_app(settings, database=database)  # the API left to the configured root, as before
        async with alone.router.lifespan_context(alone):
            with pytest.raises(OSError):
                alone.state.runtime.speech()
        app = create_app(
            Settings(database_url=url, migrate_on_start=False, media_root=shared_media_root(settings, runtime)),
            database=database,
        )
        async with app.router.lifespan_context(app):
            assert app.state.runtime.speech().media.root == (tmp_path / "media").resolve()
        runtime.close()
    finally:
        database.dispose()
