"""`ivrgraph agi` as a real process around one call: what its log says from the first line to the last."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import free_port
from tests.fakes.asterisk import FakeAsterisk


async def agi_log_around_a_call(
    tmp_path: Path, arguments: list[str], environment: Mapping[str, str], caller: Mapping[str, str]
) -> tuple[int, str]:
    """Start `ivrgraph agi <arguments>` on a free port (no IVRGRAPH_* variable but `environment`), wait for its
    listening line, place one call with the env block `caller` (the fake Asterisk follows env.txt and basic.txt of
    ../shared/asterisk), stop it with SIGTERM: its exit status and its whole stderr."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVRGRAPH_")} | dict(environment)
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "ivrgraph.cli", "agi", "--port", str(port), *arguments),
        env=env,
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    lines: list[bytes] = []
    try:
        while not lines or b"FastAGI listening" not in lines[-1]:
            line = await asyncio.wait_for(process.stderr.readline(), 20)
            assert line, b"".join(lines).decode()
            lines.append(line)
        await FakeAsterisk("127.0.0.1", port, env=dict(caller), hold=2).run(timeout=20)
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(process.wait(), 10)
        lines += (await process.stderr.read()).splitlines(keepends=True)
    return returncode, b"".join(lines).decode()
