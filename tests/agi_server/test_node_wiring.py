"""What a node (`ivrgraph serve` / `ivrgraph agi --database`) gives its calls that tests of the parts cannot show:
the plugins' own services (entry-point group `ivrgraph.services`) reach `ctx.services.extras` in real calls."""

from __future__ import annotations

from pathlib import Path

import pytest


async def test_a_node_gives_real_calls_the_plugins_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review, 2026-12-05: docs/blocks.md sent plugins to `ctx.services.extras`, which no node ever filled."""
    from agi_server.node import DatabaseRuntime
    from graph_engine.services import SilentTts
    from persistence.db import Database
    from persistence.migrate import upgrade

    monkeypatch.setenv("IVRGRAPH_SMS_GATEWAY_URL", "http://127.0.0.1:9/sms")  # the example plugin's own setting
    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        runtime = DatabaseRuntime(database, tts=SilentTts())
        gateway = runtime.services.extras["sms_gateway"]
        assert gateway.url == "http://127.0.0.1:9/sms"
        await runtime.close_services()
        assert runtime.services.extras == {}, "closed at the node's stop, and no call finds it any more"
        runtime.close()
    finally:
        database.dispose()
