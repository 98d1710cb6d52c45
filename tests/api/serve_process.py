"""`ivrgraph serve` as a real process, for the tests that run it: started, waited for until it answers, stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
IVRGRAPH = [sys.executable, "-c", "from ivrgraph.cli import main; raise SystemExit(main())"]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any IVRGRAPH_* setting of the machine's, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVRGRAPH_")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


@contextmanager
def running_serve(
    command: list[str], *, cwd: Path, env: dict[str, str], api_port: int, log: Path, stdout_to_log: bool = True
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` (an `ivrgraph serve`) with its output in `log` (a file, not a pipe: nobody reads a pipe and a
    full one would stall the server) until its /readyz answers; terminate it on the way out."""
    with log.open("wb") as output:
        stdout = output if stdout_to_log else subprocess.DEVNULL
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=stdout, stderr=output)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{api_port}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(log.read_text(errors="replace")[-3000:])
                time.sleep(0.2)
            yield process
        finally:
            process.terminate()
            process.wait(timeout=30)
