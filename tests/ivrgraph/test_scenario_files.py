"""A `<slug>.tests.json` file that is not one is refused, saying how, rather than running no tests and passing.

Review, 2026-12: `{"test": [...]}` (or `"scenaro"`) ran no tests, and `ivrgraph test` said all was well; a list, a
null `tests` or a number for `scenario` crashed it with a traceback. Real files in a temporary folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph_engine.errors import DocumentError
from ivrgraph.scenario_files import read_test_file

EXAMPLE = '{"scenario": "debt-reminder.json", "tests": [{"name": "pays", "keys": ["1"], ...}]}'
KEYS = "a test file's keys are scenario, tests"
TEST = {"name": "pays", "keys": ["1"]}


def write(folder: Path, content: str) -> Path:
    (folder / "pin.json").write_text("{}", encoding="utf-8")  # read_test_file only checks that it is there
    path = folder / "pin.tests.json"
    path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ({"test": [TEST]}, f"unknown key 'test' (did you mean 'tests'?); {KEYS}"),
        ({"scenaro": "pin.json", "tests": [TEST]}, f"unknown key 'scenaro' (did you mean 'scenario'?); {KEYS}"),
        ({"Tests": [TEST]}, f"unknown key 'Tests' (did you mean 'tests'?); {KEYS}"),
        ({"tests": [TEST], "comment": "x"}, f"unknown key 'comment'; {KEYS}"),  # nothing it is close to: no guess
        ({}, f"no tests: a test file is a JSON object such as {EXAMPLE}"),
        ({"tests": {"name": "pays"}}, 'tests must be a list of tests; it is an object: {"name": "pays"}'),
        ({"tests": None}, "tests must be a list of tests; it is null"),
        ({"tests": []}, 'no tests: the list is empty; write one such as {"name": "pays", "keys": ["1"], ...}'),
        (
            {"scenario": 5, "tests": [TEST]},
            'scenario must be a file name beside the test file, such as "debt-reminder.json"; it is a number: 5',
        ),
        (
            {"scenario": "../pin.json", "tests": [TEST]},
            'scenario must be a file name beside the test file, such as "debt-reminder.json"; '
            'it is a string: "../pin.json"',
        ),
        (
            [TEST],
            f'a test file must be a JSON object such as {EXAMPLE}; it is a list: [{{"name": "pays", "keys": ["1"]}}]',
        ),
        ("pays", f'a test file must be a JSON object such as {EXAMPLE}; it is a string: "pays"'),
    ],
)
def test_a_file_that_is_not_a_test_file_is_refused_saying_how(tmp_path: Path, content: Any, said: str) -> None:
    path = write(tmp_path, json.dumps(content))

    with pytest.raises(DocumentError) as refused:
        read_test_file(path)

    assert str(refused.value) == said


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("", f"empty: a test file is a JSON object such as {EXAMPLE}"),
        (" \n", f"empty: a test file is a JSON object such as {EXAMPLE}"),
        ('{"tests": [\n  {"keys": ["1"],}\n]}', "not JSON: line 2, column 18: Expecting property name enclosed in"),
        ('{"tests": [{"keys": ["1"], "keys": ["2"]}]}', 'key "keys" is written twice in one object; keep one'),
        ('{"tests": [], "tests": [{"keys": ["1"]}]}', 'key "tests" is written twice in one object; keep one'),
    ],
)
def test_an_empty_file_or_one_not_json_or_with_a_key_twice_says_so(tmp_path: Path, content: str, said: str) -> None:
    with pytest.raises(DocumentError) as refused:
        read_test_file(write(tmp_path, content))

    assert str(refused.value).startswith(said)


def test_a_file_whose_scenario_does_not_exist_is_refused_naming_it(tmp_path: Path) -> None:
    named = write(tmp_path, json.dumps({"scenario": "pni.json", "tests": [TEST]}))
    with pytest.raises(DocumentError) as refused:
        read_test_file(named)
    assert str(refused.value) == "its scenario pni.json does not exist beside it"

    alone = tmp_path / "other.tests.json"
    alone.write_text(json.dumps({"tests": [TEST]}), encoding="utf-8")
    with pytest.raises(DocumentError) as refused:
        read_test_file(alone)
    assert str(refused.value) == "its scenario other.json does not exist beside it"


def test_a_test_file_is_read_with_its_tests_as_written(tmp_path: Path) -> None:
    """Each test is checked where it runs, so that one malformed test fails alone and the others still run."""
    path = write(tmp_path, json.dumps({"scenario": "pin.json", "tests": [TEST, 1]}))

    read = read_test_file(path)

    assert (read.scenario_path, read.tests) == (tmp_path / "pin.json", [TEST, 1])
