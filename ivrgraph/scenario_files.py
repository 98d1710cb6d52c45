"""Scenario documents and their tests on disk: `<slug>.json` beside `<slug>.tests.json`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from graph_engine.document import load_json
from graph_engine.errors import DocumentError
from graph_engine.scenario_test_format import described, unknown
from graph_engine.scenario_tests import tests_in_document

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


def default_scenario_of(test_path: Path) -> Path:
    """The scenario a `<slug>.tests.json` tests when it names none: `<slug>.json` beside it."""
    return test_path.with_name(test_path.name.removesuffix(TESTS_SUFFIX) + ".json")


def find_scenario_files(target: Path) -> list[Path]:
    """The scenario files a target of `ivrgraph test` names: each in a folder and below it, or the file itself."""
    if target.is_dir():
        return sorted(path for path in target.rglob("*.json") if is_scenario_file(path))
    return [target] if is_scenario_file(target) and target.is_file() else []


def is_scenario_document(document: Any) -> bool:
    """Whether a JSON file found in a folder is a scenario: an object with nodes. Another JSON file there (a
    package.json, an editor's settings) is none, and is not reported as a scenario without tests."""
    return isinstance(document, dict) and "nodes" in document


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
    scenario_path = path.with_name(data["scenario"]) if data.get("scenario") else default_scenario_of(path)
    scenario_name = scenario_path.name
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


@dataclass(frozen=True)
class Problem:
    """A file or target `ivrgraph test` could not test, and why: a failure, never a silent pass."""

    where: str
    message: str


@dataclass
class ScenarioTests:
    """One scenario and every test written for it: those of its test files, then those under its `meta.tests`."""

    path: Path
    document: Any  # None when the scenario has no tests and could not be read
    tests: list[tuple[Path, Any]] = field(default_factory=list)  # (the file it is written in, the test as written)

    @property
    def test_files(self) -> list[Path]:
        return list(dict.fromkeys(source for source, _ in self.tests))


@dataclass
class TestPlan:
    scenarios: list[ScenarioTests]  # in the order of their paths, with tests or without
    problems: list[Problem]


def plan_tests(targets: Sequence[str]) -> TestPlan:
    """What `ivrgraph test TARGET...` runs: every scenario the targets name (a folder names each below it), each
    with its tests, once even when two targets name it (`examples/*.json` names a scenario and its test file).

    A scenario found without tests is in the plan with none, to be reported; a target naming no tests at all is a
    problem, as is a test file or a tested scenario that cannot be read: a mistyped path in CI must not pass green.
    """
    problems: list[Problem] = []
    test_files: dict[Path, list[TestFile]] = {}  # by the scenario's resolved path
    shown: dict[Path, Path] = {}  # resolved path -> the path as found
    claimed: set[Path] = set()  # the scenarios of test files that could not be read: not "without tests"
    read_tests: set[Path] = set()
    found_by_target: list[tuple[str, list[Path], bool]] = []  # target, its scenarios, whether it had test files
    for target in targets:
        path = Path(target)
        if not path.exists():
            problems.append(Problem(target, "no such file or folder"))
            continue
        found_tests = find_test_files(path)
        for test_path in found_tests:
            if test_path.resolve() in read_tests:
                continue
            read_tests.add(test_path.resolve())
            try:
                test_file = read_test_file(test_path)
            except (OSError, DocumentError) as problem:
                problems.append(Problem(str(test_path), str(problem)))
                claimed.add(default_scenario_of(test_path).resolve())
                continue
            key = test_file.scenario_path.resolve()
            shown.setdefault(key, test_file.scenario_path)
            test_files.setdefault(key, []).append(test_file)
        scenarios = find_scenario_files(path)
        for scenario_path in scenarios:
            shown.setdefault(scenario_path.resolve(), scenario_path)
        found_by_target.append((target, scenarios, bool(found_tests)))

    planned: dict[Path, ScenarioTests] = {}
    for key in sorted(shown, key=lambda k: str(shown[k])):
        scenario = _scenario_tests(shown[key], test_files.get(key, []), problems)
        if scenario is not None and (scenario.tests or key not in claimed):
            planned[key] = scenario
    tested = {key for key, scenario in planned.items() if scenario.tests}
    for target, scenarios, had_test_files in found_by_target:
        if not had_test_files and not any(path.resolve() in tested for path in scenarios):
            problems.append(Problem(target, "no scenario tests found"))
    return TestPlan(scenarios=list(planned.values()), problems=problems)


def _scenario_tests(path: Path, test_files: list[TestFile], problems: list[Problem]) -> ScenarioTests | None:
    """The scenario at `path` with its tests; None, with a problem, when it has tests but cannot be read, and None
    when it is a JSON file found in a folder that is no scenario."""
    try:
        document = read_document(path)
    except (OSError, DocumentError) as problem:
        if test_files:
            problems.append(Problem(str(path), str(problem)))
            return None
        return ScenarioTests(path=path, document=None)  # untested, and maybe no scenario at all: said so
    if not test_files and not is_scenario_document(document):
        return None
    tests = [(test_file.path, test) for test_file in test_files for test in test_file.tests]
    tests += [(path, test) for test in (tests_in_document(document) if isinstance(document, dict) else [])]
    return ScenarioTests(path=path, document=document, tests=tests)
