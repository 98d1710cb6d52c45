"""Review: `ivrgraph simulate` and `ivrgraph test` never finished on a scenario through a plugin block that never
returns (a CI job hung). Run as a user runs them, in a subprocess, with that block installed beside the others."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, make_document

# `ivrgraph` with the test's blocks installed: its registry is the installed one plus tests/fakes/hanging_blocks.
IVRGRAPH_WITH_HANGING_BLOCKS = """
import sys
import ivrgraph.cli
from tests.fakes.hanging_blocks import registry_with_hanging_blocks
ivrgraph.cli.default_registry = registry_with_hanging_blocks
sys.exit(ivrgraph.cli.main(sys.argv[1:]))
"""


def run(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    # The subprocess's own timeout: without the fix, the command would never end.
    done = subprocess.run(
        [sys.executable, "-c", IVRGRAPH_WITH_HANGING_BLOCKS, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    return done, time.monotonic() - started


def _scenario(folder: Path) -> Path:
    """Start -> h, a block whose `run` never returns (max_seconds 0.2) -> on `error`, a Hang Up."""
    document = make_document(
        [{"id": "start", "type": "start"}, {"id": "h", "type": "acme.hang"}, {"id": "bye", "type": "hangup"}],
        [("start", "next", "h"), ("h", "error", "bye")],
    )
    path = folder / "hangs.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_simulate_ends_with_the_blocks_error_exit(tmp_path: Path) -> None:
    done, took = run("simulate", str(_scenario(tmp_path)), "--json")

    assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout)["result"]["steps"]
    assert [(step["node"], step["exit"]) for step in steps] == [("start", "next"), ("h", "error"), ("bye", "hangup")]
    assert "its time limit (max_seconds)" in steps[1]["error"]
    assert took < 15, took


def test_test_ends_and_reports(tmp_path: Path) -> None:
    _scenario(tmp_path)
    tests = [
        {"name": "takes the error route", "expect": {"path": ["start", "h", "bye"], "outcome": "hung_up"}},
        {"name": "expects the block to return", "expect": {"path": ["start", "h"]}},
    ]
    (tmp_path / "hangs.tests.json").write_text(json.dumps({"tests": tests}), encoding="utf-8")

    done, took = run("test", str(tmp_path))

    assert done.returncode == 1, done.stdout  # the second test fails, as a test should: it does not hang
    assert "PASS hangs.json: takes the error route" in done.stdout
    assert "FAIL hangs.json: expects the block to return" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "1 passed, 1 failed"
    assert took < 15, took
