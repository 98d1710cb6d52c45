"""One real FastAGI call into a running `ivrgraph serve`, placed by the test suite's fake Asterisk.

The designer's e2e uses it so that a call record exists to open: `python place_call.py HOST PORT SLUG KEYS...`;
`--repeat N` first places N such calls, one after the other, in one process (a register longer than a page);
`--caller-name NAME` sends NAME as the caller's CallerID name (`agi_calleridname`) instead of the fake's own.
The fake (tests/fakes/asterisk.py) speaks the captured Asterisk 22 protocol; nothing here is designer code.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fakes.asterisk import CallerScript, FakeAsterisk, default_env


async def main(
    host: str, port: int, slug: str, keys: list[str], repeat: int = 1, caller_name: str | None = None
) -> None:
    env = default_env(slug) if caller_name is None else default_env(slug, calleridname=caller_name)
    for _ in range(repeat):
        call = await FakeAsterisk(host, port, env=env, script=CallerScript(keys=keys)).run()
        print(f"placed a call to {slug}: {len(call.commands)} AGI commands")


if __name__ == "__main__":
    args = sys.argv[1:]
    options = {"--repeat": "1"}
    while args and args[0] in ("--repeat", "--caller-name"):
        options[args[0]], args = args[1], args[2:]
    asyncio.run(main(args[0], int(args[1]), args[2], args[3:], int(options["--repeat"]), options.get("--caller-name")))
