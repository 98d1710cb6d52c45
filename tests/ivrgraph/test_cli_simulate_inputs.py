"""`ivrgraph simulate` refuses inputs it would misread, and calls from a withheld number unless told otherwise: run as
a user runs it (a real subprocess).

QA review: `--transfers bussy` printed a traceback and exited 0; `--at 2026-11-23T18:30:00` (no offset) was read as
UTC without a word, an hour or two off the scenario's schedule; the caller was +34600000000 unless told, where the
API and the designer's test call have none.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES, ROOT

IVRGRAPH = [sys.executable, "-m", "ivrgraph.cli"]
MISSED_CALL = str(EXAMPLES / "missed-call.json")
AT = "2026-11-23T12:00:00+01:00"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IVRGRAPH, *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


@pytest.mark.parametrize(
    ("transfers", "said"),
    [
        ("bussy", "unknown transfer outcome 'bussy' (did you mean 'busy'?)"),
        ("busy,nope", "unknown transfer outcome 'nope'"),
    ],
)
def test_an_unknown_transfer_outcome_is_refused(transfers: str, said: str) -> None:
    done = run("simulate", MISSED_CALL, "--at", AT, "--transfers", transfers)

    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr
    assert f"argument --transfers: {said}; each is one of answered, busy, no_answer, failed" in done.stderr


@pytest.mark.parametrize("at", ["2026-11-23T18:30:00", "2026-11-23"])
def test_a_moment_without_its_utc_offset_is_refused(at: str) -> None:
    done = run("simulate", MISSED_CALL, "--at", at)

    assert done.returncode == 2 and done.stdout == ""
    assert f"argument --at: needs a UTC offset, e.g. 2026-11-23T18:30:00+01:00; '{at}' has none" in done.stderr


def test_the_outcomes_and_moment_given_are_the_calls() -> None:
    done = run("simulate", MISSED_CALL, "--at", "2026-11-23T11:00:00Z", "--transfers", "busy", "--json")

    assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout)["result"]["steps"]
    assert ("queue", "busy") in [(step["node"], step["exit"]) for step in steps]


def test_the_caller_is_withheld_unless_given() -> None:
    withheld = run("simulate", MISSED_CALL, "--at", AT, "--json")
    given = run("simulate", MISSED_CALL, "--at", AT, "--json", "--caller-id", "+34600111222")

    assert withheld.returncode == 0 and given.returncode == 0, withheld.stderr + given.stderr
    assert json.loads(withheld.stdout)["result"]["variables"]["caller_id"] == ""
    assert json.loads(given.stdout)["result"]["variables"]["caller_id"] == "+34600111222"
