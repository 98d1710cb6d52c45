"""Scenario documents and their tests on disk: `<slug>.json` beside `<slug>.tests.json`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from graph_engine.document import load_json
from graph_engine.errors import DocumentError
from graph_engine.scenario_test_format import described, unknown

TESTS_SUFFIX = ".tests.json"
# A test file's own keys. Each test is checked where it runs (graph_engine.scenario_test_format), so that one
# malformed test fails alone, named, and the others still run.
TEST_FILE_KEYS: Final = ("scenario", "tests")
_EXAMPLE_TEST: Final = '{"name": "pays", "keys": ["1"], ...}'
_EXAMPLE_TEST_FILE: Final = '{"scenario": "debt-reminder.json", "tests": [' + _EXAMPLE_TEST + "]}"


def is_scenario_file(path: Path) -> bool:
    return path.suffix == ".json" and not path.name.endswith(TESTS_SUFFIX)


def slug_of(path: Path) -> str:
    return path.name.removesuffix(".json")


def read_document(path: Path) -> Any:
    return load_json(path.read_bytes())


def sibling_documents(folder: Path) -> dict[str, Any]:
    """Every readable scenario in a folder by slug: what Go To Scenario and Callback can name."""
    documents = {}
    for path in sorted(folder.glob("*.json")):
        if is_scenario_file(path):
            try:
                documents[slug_of(path)] = read_document(path)
            except Exception:
                continue
    return documents


@dataclass(frozen=True)
class TestFile:
    path: Path
    scenario_path: Path
    tests: list[Any]  # as written: run_scenario_tests fails each one that is not a test, saying why


def find_test_files(target: Path) -> list[Path]:
    if target.is_dir():
        return sorted(target.rglob(f"*{TESTS_SUFFIX}"))
    if target.name.endswith(TESTS_SUFFIX):
        return [target]
    beside = target.with_name(slug_of(target) + TESTS_SUFFIX)
    return [beside] if beside.exists() else []


def read_test_file(path: Path) -> TestFile:
    """The test file at `path`, or a `DocumentError` saying each way it is not one, or that its scenario does not
    exist. A misspelt key ("test", "scenaro") would otherwise run no tests, or another scenario's, and pass."""
    text = path.read_bytes()
    if not text.strip():  # JSON's "Expecting value" at line 1, column 1 does not say the file is empty
        raise DocumentError(f"empty: a test file is a JSON object such as {_EXAMPLE_TEST_FILE}")
    data = load_json(text)
    if not isinstance(data, dict):
        raise DocumentError(f"a test file must be a JSON object such as {_EXAMPLE_TEST_FILE}; it is {described(data)}")
    problems = _test_file_problems(data)
    if problems:
        raise DocumentError("; ".join(problems))
    scenario_name = data.get("scenario") or path.name.removesuffix(TESTS_SUFFIX) + ".json"
    scenario_path = path.with_name(scenario_name)
    if not scenario_path.is_file():
        raise DocumentError(f"its scenario {scenario_name} does not exist beside it")
    return TestFile(path=path, scenario_path=scenario_path, tests=list(data["tests"]))


def _test_file_problems(data: dict[str, Any]) -> list[str]:
    problems = [unknown("key", key, TEST_FILE_KEYS) for key in data if key not in TEST_FILE_KEYS]
    if problems:  # a misspelt "tests" is said once, as misspelt, rather than also as missing
        problems.append(f"a test file's keys are {', '.join(TEST_FILE_KEYS)}")
    elif "tests" not in data:
        problems.append(f"no tests: a test file is a JSON object such as {_EXAMPLE_TEST_FILE}")
    scenario = data.get("scenario")
    # A name beside the test file: `Path.with_name` refuses a path, and a test file tests the scenario beside it.
    if "scenario" in data and not (isinstance(scenario, str) and scenario and Path(scenario).name == scenario):
        wanted = 'a file name beside the test file, such as "debt-reminder.json"'
        problems.append(f"scenario must be {wanted}; it is {described(scenario)}")
    if "tests" in data and not isinstance(data["tests"], list):
        problems.append(f"tests must be a list of tests; it is {described(data['tests'])}")
    elif data.get("tests") == []:  # `ivrgraph test` would pass a file that tests nothing
        problems.append(f"no tests: the list is empty; write one such as {_EXAMPLE_TEST}")
    return problems
