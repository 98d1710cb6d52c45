"""A scenario test with a field the format does not know fails, named, wherever tests run: publishing a draft whose
`meta.tests` the API stored, and `ivrgraph test`.

Review: `"input": {...}` in a test stored through the API was accepted, and the test ran with no keys and passed;
`{"name": "typo", "kyes": ["1234#"], ...}` was PASS from `ivrgraph test`. Over real HTTP (the shared server, each
backend) and the command line as a real subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.api.conftest import Client
from tests.conftest import ROOT
from tests.graph_engine.test_scenario_test_fields import KNOWN, pin_entry

TYPO = {"name": "typo", "kyes": ["1234#"], "expect": {"outcome": "hung_up"}}
NESTED = {"name": "nested", "input": {"keys": ["1234#"]}, "expect": {"outcome": "hung_up"}}
RIGHT = {"name": "right", "keys": ["1234#"], "expect": {"variables": {"pin": "1234"}, "outcome": "hung_up"}}


def with_tests(*tests: dict[str, Any]) -> dict[str, Any]:
    return {**pin_entry(), "meta": {"tests": list(tests)}}


def test_publishing_a_stored_test_with_an_unknown_field_is_blocked_naming_it(
    admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("test-fields")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "PIN", "document": with_tests(NESTED, RIGHT)})
    assert created.status_code == 201, created.text

    blocked = admin.post(f"/api/scenarios/{name}/publish", json={"message": "x"})

    assert blocked.status_code == 422, blocked.text
    nested, right = blocked.json()["tests"]
    assert (nested["name"], nested["passed"]) == ("nested", False)
    assert nested["failures"] == ["unknown field 'input'", KNOWN]
    assert (right["name"], right["passed"], right["failures"]) == ("right", True, [])
    assert admin.get(f"/api/scenarios/{name}/versions").json() == []


def test_publishing_stored_tests_of_the_wrong_shape_is_blocked_naming_them(
    admin: Client, slug: Callable[[str], str]
) -> None:
    """Review, 2026-12: `meta.tests` an object (one test, not in a list) published untested; `[1]` answered 500."""
    not_a_list, not_an_object = slug("test-shape"), slug("test-shape")
    for name, tests in ((not_a_list, {"keys": ["1234#"]}), (not_an_object, [1, RIGHT])):
        document = {**pin_entry(), "meta": {"tests": tests}}
        assert admin.post("/api/scenarios", json={"slug": name, "name": "PIN", "document": document}).is_success

    blocked = admin.post(f"/api/scenarios/{not_a_list}/publish", json={"message": "x"})
    assert blocked.status_code == 422, blocked.text
    assert blocked.json()["tests"] == [
        {
            "name": "meta.tests",
            "passed": False,
            "failures": ['meta.tests must be a list of tests; it is an object: {"keys": ["1234#"]}'],
            "failure_details": [
                {
                    "code": "unrunnable",
                    "params": {},
                    "text": 'meta.tests must be a list of tests; it is an object: {"keys": ["1234#"]}',
                }
            ],
            "story": [],
            "steps": [],
            "scenario": None,
        }
    ]

    blocked = admin.post(f"/api/scenarios/{not_an_object}/publish", json={"message": "x"})
    assert blocked.status_code == 422, blocked.text
    first, right = blocked.json()["tests"]
    assert (first["name"], first["passed"]) == ("test 1", False)
    assert first["failures"] == [
        'a test must be an object such as {"name": "pays", "keys": ["1"], "expect": {"outcome": "hung_up"}}; '
        "it is a number: 1"
    ]
    assert (right["name"], right["passed"]) == ("right", True)
    assert admin.get(f"/api/scenarios/{not_a_list}/versions").json() == []


def test_the_same_tests_spelt_right_publish(admin: Client, slug: Callable[[str], str]) -> None:
    name = slug("test-fields")
    assert admin.post("/api/scenarios", json={"slug": name, "name": "PIN", "document": with_tests(RIGHT)}).is_success

    published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "x"})

    assert published.status_code == 200, published.text
    assert [(test["name"], test["passed"]) for test in published.json()["tests"]] == [("right", True)]


def test_ivrgraph_test_fails_a_test_with_a_misspelt_field(tmp_path: Path) -> None:
    (tmp_path / "pin.json").write_text(json.dumps(pin_entry()), encoding="utf-8")
    (tmp_path / "pin.tests.json").write_text(json.dumps({"tests": [TYPO, RIGHT]}), encoding="utf-8")

    done = subprocess.run(
        [sys.executable, "-m", "ivrgraph.cli", "test", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip

    assert done.returncode == 1, done.stdout
    lines = done.stdout.splitlines()
    assert lines == [
        "FAIL pin.json: typo",
        "     - unknown field 'kyes' (did you mean 'keys'?)",
        f"     - {KNOWN}",
        "PASS pin.json: right",
        "1 passed, 1 failed",
    ]
