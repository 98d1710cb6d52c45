"""designer_ui/e2e/fake_pbx.py's line for a call the dialer hung up says so.

A node that stops while its dialer rings a callee hangs the call up (AMI Hangup, agi_server.dialer `Dialer.let_go`).
The fake PBX printed `3000  no answer (rang 30 s)` for it, the captured callee's own ending, though the call rang a
second and the dialer ended it. Over AMI to a real fake_pbx.py process, as tests/agi_server/test_fake_pbx.py does.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from agi_server.ami import AmiClient, AmiSettings
from tests.agi_server.test_fake_pbx import AMI_SECRET, AMI_USER, _dial, _printed, fake_pbx
from tests.conftest import free_port


async def test_a_call_the_dialer_hung_up_is_told_as_such_with_how_long_it_rang(tmp_path: Path) -> None:
    ami_port = free_port()
    log = tmp_path / "pbx.log"
    options = ["--port", str(ami_port), "--username", AMI_USER, "--secret", AMI_SECRET, "--agi-port", str(free_port())]
    with fake_pbx(log, *options, "--time-scale", "1"):  # 3000 rings 30 s unanswered (c3x.txt)
        settings = AmiSettings("127.0.0.1", ami_port, AMI_USER, AMI_SECRET, reconnect_initial=0.05)
        client = AmiClient(settings, node_id="t")
        await client.start()
        try:
            ringing = asyncio.create_task(client.originate(_dial("3000", "j1", "ivrgraph-outbound")))
            await asyncio.sleep(1.0)  # the events naming the channel reach the client meanwhile
            assert await client.hang_up("cb-j1-1", timeout=5) is True
            await asyncio.wait_for(ringing, 5)
        finally:
            await client.close()
        lines = await _printed(log, "3000  ")
    (line,) = [line.split(" ", 1)[1] for line in lines if " 3000  " in line]
    assert "no answer" not in line, line
    found = re.fullmatch(r"3000  hung up by the dialer after (\d+\.\d) s of ringing, unanswered", line)
    assert found is not None, line
    assert 0.8 <= float(found[1]) <= 2.0, line
