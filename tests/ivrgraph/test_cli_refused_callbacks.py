"""`ivrgraph test` and `ivrgraph simulate`, run as a user runs them (a real subprocess), reject a callback to a number
no phone has as a live call does, in the default country the servers read (IVRGRAPH_DEFAULT_COUNTRY): a scenario test
of a caller "2045" (an extension) in Spain goes along the Callback block's `rejected` edge, and one of "112"
anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES, ROOT

IVRGRAPH = [sys.executable, "-m", "ivrgraph.cli"]
AT = "2026-11-23T12:00:00+01:00"  # a Monday noon in Madrid: inside missed-call's callback hours
REJECTED = ["start", "hello", "queue", "unanswered", "later", "noluck"]
SCHEDULED = ["start", "hello", "queue", "unanswered", "later", "promise", "bye"]


def _run(*args: str, country: str | None) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if name != "IVRGRAPH_DEFAULT_COUNTRY"}
    if country is not None:
        env["IVRGRAPH_DEFAULT_COUNTRY"] = country
    return subprocess.run([*IVRGRAPH, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def _missed_call_tests(folder: Path, *tests: tuple[str, list[str]]) -> Path:
    """missed-call in `folder` with a test per (caller, path expected) whose queue is busy."""
    (folder / "missed-call.json").write_text((EXAMPLES / "missed-call.json").read_text())
    written = [
        {"name": f"from {caller}", "caller_id": caller, "at": AT, "transfers": ["busy"],
         "expect": {"path": path, "callbacks": int(path == SCHEDULED)}}
        for caller, path in tests
    ]  # fmt: skip
    (folder / "missed-call.tests.json").write_text(json.dumps({"scenario": "missed-call.json", "tests": written}))
    return folder


def test_a_scenario_test_rejects_a_callback_to_a_number_no_phone_has(tmp_path: Path) -> None:
    folder = _missed_call_tests(
        tmp_path, ("2045", REJECTED), ("112", REJECTED), ("+34112", REJECTED), ("600123456", SCHEDULED)
    )
    done = _run("test", str(folder), country="ES")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "4 passed, 0 failed"


def test_without_a_default_country_an_extension_is_not_judged_but_an_emergency_number_is(tmp_path: Path) -> None:
    """No country: a short number written nationally is judged no phone by no plan, as a live node reads it
    (an extension "2045" is called back); 112 is an emergency number in every region, +34 112 no Spanish phone."""
    folder = _missed_call_tests(tmp_path, ("2045", SCHEDULED), ("112", REJECTED), ("+34112", REJECTED))
    done = _run("test", str(folder), country=None)
    assert done.returncode == 0, done.stdout + done.stderr


def test_simulate_tells_why_the_callback_was_refused() -> None:
    args = ("simulate", str(EXAMPLES / "missed-call.json"), "--caller-id", "123", "--transfers", "busy", "--at", AT)
    done = _run(*args, country="ES")
    assert done.returncode == 0, done.stderr
    assert 'Schedule Callback "Call back": callback refused (impossible number (too_short)) -> rejected' in done.stdout


def test_a_default_country_that_is_no_country_stops_the_tests_in_one_line(tmp_path: Path) -> None:
    done = _run("test", str(_missed_call_tests(tmp_path, ("112", REJECTED))), country="Spain")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "ivrgraph test: error: IVRGRAPH_DEFAULT_COUNTRY='Spain': expected a country's ISO 3166 code such as RU, ES, "
        "GB or US"
    )
