"""`ivrgraph test`, run as a user runs it (a real subprocess): it validates each tested scenario first, as publishing
does; a failing test says the errors its call's blocks recorded; a forced exit gives the variables its block sets.

QA review: a scenario whose Send SMS had lost its required text, tested with a forced exit, passed (rc 0) though
publishing refuses it; and a test whose call took an error exit printed only `path was [... 'oops' ...]`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, make_document

IVRGRAPH = [sys.executable, "-m", "ivrgraph.cli"]
CALLER = "+34600111222"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IVRGRAPH, *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


def write(folder: Path, slug: str, document: dict[str, Any], *tests: dict[str, Any]) -> Path:
    path = folder / f"{slug}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    (folder / f"{slug}.tests.json").write_text(json.dumps({"tests": list(tests)}), encoding="utf-8")
    return path


def reminder(**sms_config: Any) -> dict[str, Any]:
    """Start -> Send SMS (the example plugin, installed with ivrgraph's dev dependencies) -> a phrase on `failed`."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "sms", "type": "send_sms", "config": sms_config},
            {"id": "not_sent", "type": "say_phrase", "config": {"text": "No se envió: {{ sms_error }}"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "sms"), ("sms", "sent", "bye"), ("sms", "failed", "not_sent"), ("not_sent", "next", "bye")],
    )


FORCED_FAILURE = {
    "name": "gateway refuses",
    "caller_id": CALLER,
    "variables": {"sms_error": "refused"},
    "exits": {"sms": "failed"},
    "expect": {"path": ["start", "sms", "not_sent", "bye"]},
}


def test_a_scenario_that_does_not_validate_fails_naming_node_and_field_and_its_tests_are_not_run(
    tmp_path: Path,
) -> None:
    """The review's case: the required `text` removed, a forced exit: PASS, rc 0."""
    path = write(tmp_path, "reminder", reminder(), FORCED_FAILURE)

    done = run("test", str(tmp_path))

    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        f"{path}: error: does not validate (1 error), so its 1 test was not run: publishing refuses it too",
        '     - config [sms] $.nodes[1].config: Send SMS "sms": settings: Text is required',
        "0 passed, 1 failed",
    ]


def test_the_json_and_junit_reports_say_it_too(tmp_path: Path) -> None:
    path = write(tmp_path, "reminder", reminder(), FORCED_FAILURE)
    junit = tmp_path / "report.xml"

    done = run("test", str(tmp_path), "--json", "--junit", str(junit))

    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["ok"] is False
    assert report["errors"] == [
        {
            "file": str(path),
            "error": "does not validate (1 error), so its 1 test was not run: publishing refuses it too: config "
            '[sms] $.nodes[1].config: Send SMS "sms": settings: Text is required',
        }
    ]
    (case,) = ET.parse(junit).getroot().iter("testcase")
    error = case.find("error")
    assert error is not None and "Text is required" in error.get("message", "")


def test_a_block_not_installed_fails_the_file_naming_it(tmp_path: Path) -> None:
    document = reminder(text="Su cita es el lunes")
    document["nodes"][1]["type"] = "acme_sms"
    path = write(tmp_path, "reminder", document, {"name": "t", "caller_id": CALLER, "expect": {"outcome": "hung_up"}})

    done = run("test", str(path))

    assert done.returncode == 1
    assert (
        '     - unknown_type [sms] $.nodes[1].type: Block "sms" is of type "acme_sms", which is not installed'
        in done.stdout.splitlines()
    )


def test_the_valid_scenarios_beside_it_still_run(tmp_path: Path) -> None:
    write(tmp_path, "broken", reminder(), FORCED_FAILURE)
    write(tmp_path, "reminder", reminder(text="Su cita es el lunes"), FORCED_FAILURE)

    done = run("test", str(tmp_path))

    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "PASS reminder.json: gateway refuses" in lines
    assert lines[-1] == "1 passed, 1 failed"


def test_a_go_to_scenario_not_beside_it_is_not_a_validation_error(tmp_path: Path) -> None:
    """Which scenarios exist is the host's to say when publishing; a test of a branch not going there runs."""
    document = reminder(text="Su cita es el lunes")
    document["nodes"].append({"id": "more", "type": "goto_scenario", "config": {"scenario": "elsewhere"}})
    document["edges"][1]["target"] = "more"
    write(tmp_path, "reminder", document, FORCED_FAILURE)

    done = run("test", str(tmp_path))

    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines()[-1] == "1 passed, 0 failed"


def test_a_failing_test_says_why_a_block_took_its_error_exit_without_verbose(tmp_path: Path) -> None:
    document = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "hello", "type": "say_phrase", "config": {"text": "Hola {{ client_name }}"}},
            {"id": "oops", "type": "say_phrase", "config": {"text": "Lo sentimos"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "hello"), ("hello", "next", "bye"), ("hello", "error", "oops"), ("oops", "next", "bye")],
    )
    write(tmp_path, "greeting", document, {"name": "greets", "expect": {"path": ["start", "hello", "bye"]}})

    done = run("test", str(tmp_path))

    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "FAIL greeting.json: greets",
        "     - path was ['start', 'hello', 'oops', 'bye'], expected ['start', 'hello', 'bye']: differs at step 3: "
        "expected 'bye', it went to 'oops'",
        "     - block 'hello' (say_phrase) took its error exit: unknown variable: 'client_name' is undefined",
        "0 passed, 1 failed",
    ]


def test_a_forced_exit_sets_the_variables_it_is_given(tmp_path: Path) -> None:
    forced = {
        "name": "gateway refuses",
        "caller_id": CALLER,
        "exits": {"sms": {"exit": "failed", "set": {"sms_error": "refused"}}},
        "expect": {"path": ["start", "sms", "not_sent", "bye"], "said": ["No se envió: refused"]},
    }
    write(tmp_path, "reminder", reminder(text="Su cita es el lunes"), forced)

    done = run("test", str(tmp_path))

    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines() == ["PASS reminder.json: gateway refuses", "1 passed, 0 failed"]
