"""`ivrgraph test` for CI, run as a CI job runs it (a real subprocess): JUnit XML, one JSON document, coverage, and
scenarios without tests.

QA review: CI had only the exit code and -v to go on, no coverage, and a scenario without tests passed silently.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from tests.conftest import EXAMPLES, ROOT, make_document

IVRGRAPH = [sys.executable, "-m", "ivrgraph.cli"]
PASSING = {"name": "a VIP", "variables": {"vip": True}, "expect": {"path": ["start", "check", "yes"]}}
FAILING = {"name": "expects the VIP line for everyone", "expect": {"path": ["start", "check", "yes"]}}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IVRGRAPH, *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


def vip_scenario(folder: Path, *tests: dict[str, Any]) -> Path:
    """Start -> Condition `vip` -> a Hang Up on `true`, another on `false`: three exits, `vip` false by default."""
    document = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "check", "type": "condition", "label": "VIP?", "config": {"expression": "vip"}},
            {"id": "yes", "type": "hangup"},
            {"id": "no", "type": "hangup"},
        ],
        [("start", "next", "check"), ("check", "true", "yes"), ("check", "false", "no")],
        variables=[{"name": "vip", "type": "boolean", "default": False}],
    )
    path = folder / "vip.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    if tests:
        (folder / "vip.tests.json").write_text(json.dumps({"tests": list(tests)}), encoding="utf-8")
    return path


def untested_scenario(folder: Path) -> Path:
    path = folder / "callback-connect.json"
    path.write_text((EXAMPLES / "callback-connect.json").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_junit_has_a_testsuite_per_scenario_and_a_testcase_per_test(tmp_path: Path) -> None:
    vip_scenario(tmp_path, PASSING, FAILING)
    untested_scenario(tmp_path)
    report = tmp_path / "report.xml"

    done = run("test", str(tmp_path), "--junit", str(report))

    assert done.returncode == 1, done.stdout + done.stderr
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    assert {name: root.get(name) for name in ("tests", "failures", "errors", "skipped")} == {
        "tests": "3",
        "failures": "1",
        "errors": "0",
        "skipped": "1",
    }
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"vip.json", "callback-connect.json"}
    vip = suites["vip.json"]
    assert (vip.get("tests"), vip.get("failures"), vip.get("file")) == ("2", "1", str(tmp_path / "vip.json"))
    passed, failed = vip.findall("testcase")
    assert (passed.get("name"), passed.get("classname")) == ("a VIP", "vip")
    assert passed.find("failure") is None
    assert passed.get("file") == str(tmp_path / "vip.tests.json")
    story = passed.findtext("system-out") or ""
    assert 'Condition "VIP?"' in story and story.splitlines()[-1].endswith("(hung_up)")
    failure = failed.find("failure")
    assert failure is not None and failed.get("name") == FAILING["name"]
    assert failure.get("message") == (
        "path was ['start', 'check', 'no'], expected ['start', 'check', 'yes']: differs at step 3: expected 'yes', "
        "it went to 'no'"
    )
    assert failure.text == failure.get("message")
    untested = suites["callback-connect.json"].findall("testcase")
    assert [(case.get("name"), case.find("skipped") is not None) for case in untested] == [("no tests", True)]


def test_junit_says_why_a_file_could_not_be_tested(tmp_path: Path) -> None:
    """A test file that is none fails the run: the report must not show it green."""
    vip_scenario(tmp_path)
    (tmp_path / "vip.tests.json").write_text('{"test": []}', encoding="utf-8")
    report = tmp_path / "report.xml"

    done = run("test", str(tmp_path), "--junit", str(report))

    assert done.returncode == 1
    root = ET.parse(report).getroot()
    assert (root.get("tests"), root.get("errors")) == ("1", "1")
    error = root.find("testsuite/testcase/error")
    assert error is not None and "unknown key 'test' (did you mean 'tests'?)" in (error.get("message") or "")


def test_json_is_one_document_with_each_tests_outcome_and_steps(tmp_path: Path) -> None:
    vip_scenario(tmp_path, PASSING, FAILING)
    untested_scenario(tmp_path)

    done = run("test", str(tmp_path), "--json")

    assert done.returncode == 1
    report = json.loads(done.stdout)  # the whole of stdout: no PASS/FAIL lines around it
    assert report["ok"] is False
    assert report["totals"] == {
        "scenarios": 2,
        "tests": 2,
        "passed": 1,
        "failed": 1,
        "errors": 0,
        "without_tests": 1,
    }
    untested, vip = report["scenarios"]
    assert (untested["file"], untested["status"], untested["tests"]) == (
        str(tmp_path / "callback-connect.json"),
        "no tests",
        [],
    )
    assert vip["status"] == "failed" and vip["test_files"] == [str(tmp_path / "vip.tests.json")]
    first, second = vip["tests"]
    assert (first["name"], first["passed"], first["failures"]) == ("a VIP", True, [])
    assert first["steps"] == [
        {"scenario": None, "node": "start", "exit": "next"},
        {"scenario": None, "node": "check", "exit": "true"},
        {"scenario": None, "node": "yes", "exit": "hangup"},
    ]
    assert second["passed"] is False and second["failures"][0].startswith("path was ['start', 'check', 'no']")
    assert "coverage" not in vip  # measured when asked


def test_coverage_lists_the_exit_no_test_took_and_the_share_of_exits(tmp_path: Path) -> None:
    vip_scenario(tmp_path, PASSING)

    done = run("test", str(tmp_path), "--coverage")

    assert done.returncode == 0, done.stdout
    lines = [line.split() for line in done.stdout.splitlines()]
    assert ["vip.json", "Condition", '"VIP?"', "[check]", "false"] in lines
    assert ["vip.json", "Hang", "Up", '"no"', "(block", "never", "reached)"] in lines
    assert ["vip.json", "3/4", "2/3", "66.6%"] in lines and ["total", "3/4", "2/3", "66.6%"] in lines
    assert done.stdout.splitlines()[-1] == "1 passed, 0 failed"

    as_json = json.loads(run("test", str(tmp_path), "--coverage", "--json").stdout)
    assert as_json["scenarios"][0]["coverage"] == {
        "blocks": 4,
        "blocks_reached": 3,
        "exits": 3,
        "exits_taken": 2,
        "percent": 66.6,
        "not_reached": ["no"],
        "not_taken": [{"node": "check", "exit": "false", "wired": True}],
    }
    assert as_json["totals"]["coverage"]["percent"] == 66.6


def test_min_coverage_fails_below_it(tmp_path: Path) -> None:
    vip_scenario(tmp_path, PASSING)  # 2 of 3 exits

    enough = run("test", str(tmp_path), "--min-coverage", "66")
    too_low = run("test", str(tmp_path), "--min-coverage", "67")

    assert enough.returncode == 0, enough.stdout
    assert too_low.returncode == 1
    assert "coverage: 66.6% of exits taken, below --min-coverage 67%" in too_low.stdout
    assert run("test", str(tmp_path), "--min-coverage", "150").returncode == 2


def test_a_scenario_without_tests_is_said_and_fails_when_tests_are_required(tmp_path: Path) -> None:
    vip_scenario(tmp_path, PASSING)
    untested = untested_scenario(tmp_path)
    (tmp_path / "package.json").write_text('{"name": "not a scenario"}', encoding="utf-8")

    listed = run("test", str(tmp_path))
    required = run("test", str(tmp_path), "--require-tests")

    assert listed.returncode == 0, listed.stdout
    assert f"{untested}: no tests" in listed.stdout.splitlines()
    assert "package.json" not in listed.stdout
    assert listed.stdout.splitlines()[-1] == "1 passed, 0 failed, 1 without tests"
    assert required.returncode == 1
    assert f"{untested}: error: no tests (--require-tests)" in required.stdout.splitlines()
    assert required.stdout.splitlines()[-1] == "1 passed, 1 failed (1 without tests)"


def test_tests_under_meta_tests_run_without_a_test_file(tmp_path: Path) -> None:
    path = vip_scenario(tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["meta"] = {"tests": [PASSING]}
    path.write_text(json.dumps(document), encoding="utf-8")

    done = run("test", str(tmp_path), "--require-tests")

    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines() == ["PASS vip.json: a VIP", "1 passed, 0 failed"]


def test_a_scenario_and_its_test_file_both_named_run_once() -> None:
    """`ivrgraph test examples/*.json` names each scenario and its test file."""
    done = run("test", *sorted(str(path) for path in EXAMPLES.glob("appointment-confirmation*.json")))

    assert done.returncode == 0, done.stdout
    count = len(json.loads((EXAMPLES / "appointment-confirmation.tests.json").read_text())["tests"])
    assert done.stdout.splitlines()[-1] == f"{count} passed, 0 failed"
