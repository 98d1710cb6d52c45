"""The ivrgraph command line, run as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES, ROOT

IVRGRAPH = [sys.executable, "-m", "ivrgraph.cli"]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IVRGRAPH, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_validate_examples_is_clean():
    done = run("validate", *sorted(str(p) for p in EXAMPLES.glob("*.json")))
    assert done.returncode == 0, done.stdout
    assert "error" not in done.stdout and "warning" not in done.stdout


def test_validate_broken_file_exits_1_and_names_the_problem(tmp_path):
    doc = json.loads((EXAMPLES / "inbound-hotline.json").read_text())
    doc["nodes"][3]["config"]["options"].append({"key": "1"})
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc))
    done = run("validate", str(broken))
    assert done.returncode == 1
    assert "error: duplicate_key [menu] $.nodes[3].config.options[4].key" in done.stdout


def test_validate_not_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    done = run("validate", str(bad))
    assert done.returncode == 1 and "not JSON: line 1" in done.stdout


def test_simulate_tells_the_story():
    done = run(
        "simulate",
        str(EXAMPLES / "inbound-hotline.json"),
        "--keys",
        "1",
        "--var",
        "caller_id=+34600111222",
        "--at",
        "2026-11-23T21:00:00+01:00",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert 'Schedule "Office hours": local time 2026-11-23T21:00+01:00: closed -> closed' in lines[1]
    assert "callback to +34600111222 at 2026-11-24T09:00:00+01:00" in done.stdout
    assert lines[-1].endswith("Outcome: the scenario hung up (hung_up)")


def test_simulate_json_and_rows():
    done = run(
        "simulate",
        str(EXAMPLES / "employee-callthrough.json"),
        "--caller-id",
        "+34600999888",
        "--rows",
        'staff=[{"name": "Luis", "extension": "204"}]',
        "--json",
    )
    data = json.loads(done.stdout)
    assert data["result"]["variables"]["employee_name"] == "Luis"
    assert data["callbacks"][0]["scenario"] == "employee-dialout"


def test_test_command_runs_every_example():
    done = run("test", str(EXAMPLES))
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().splitlines()[-1].endswith(" passed, 0 failed")


def test_test_command_fails_on_a_failing_test(tmp_path):
    (tmp_path / "s.json").write_text((EXAMPLES / "appointment-confirmation.json").read_text())
    (tmp_path / "s.tests.json").write_text(json.dumps({"tests": [{"keys": ["1"], "expect": {"outcome": "failed"}}]}))
    done = run("test", str(tmp_path))
    assert done.returncode == 1
    assert "FAIL s.json: test 1" in done.stdout and "outcome was hung_up, expected failed" in done.stdout


def test_test_command_fails_on_a_mistyped_path_or_a_folder_without_tests(tmp_path):
    """Review, 2026-12-05: `ivrgraph test exmaples` said '0 passed, 0 failed' and exited 0, so CI passed green."""
    missing = run("test", str(tmp_path / "exmaples"))
    assert missing.returncode == 1 and "exmaples: error: no such file or folder" in missing.stdout
    (tmp_path / "s.json").write_text((EXAMPLES / "appointment-confirmation.json").read_text())
    untested = run("test", str(tmp_path))
    assert untested.returncode == 1 and "error: no scenario tests found" in untested.stdout


def test_test_command_refuses_a_malformed_test_file_or_test_saying_what_is_wrong(tmp_path):
    """Review, 2026-12: `{"test": [...]}` ran no tests and exited 0; `"tests": [1]` or `"expect": []` crashed it with a
    traceback. Each now fails, named, and the tests that are right still run."""
    (tmp_path / "a.json").write_text((EXAMPLES / "appointment-confirmation.json").read_text())
    (tmp_path / "a.tests.json").write_text(json.dumps({"test": [{"keys": ["1"]}]}))
    (tmp_path / "b.json").write_text((EXAMPLES / "appointment-confirmation.json").read_text())
    right = {"name": "right", "keys": ["1"], "expect": {"outcome": "hung_up"}}
    (tmp_path / "b.tests.json").write_text(json.dumps({"tests": [1, {"keys": ["1"], "expect": []}, right]}))

    done = run("test", str(tmp_path))

    assert done.returncode == 1 and done.stderr == ""
    assert done.stdout.splitlines() == [
        f"{tmp_path / 'a.tests.json'}: error: unknown key 'test' (did you mean 'tests'?); "
        "a test file's keys are scenario, tests",
        "FAIL b.json: test 1",
        '     - a test must be an object such as {"name": "pays", "keys": ["1"], "expect": {"outcome": "hung_up"}}; '
        "it is a number: 1",
        "FAIL b.json: test 2",
        '     - expect must be an object of expectations such as {"outcome": "hung_up"}; it is a list: []',
        "PASS b.json: right",
        "1 passed, 3 failed",
    ]


def test_blocks_lists_builtins_and_plugins():
    done = run("blocks", "--json")
    types = {entry["type"] for entry in json.loads(done.stdout)}
    assert {"start", "ivr", "sql", "send_sms"} <= types
