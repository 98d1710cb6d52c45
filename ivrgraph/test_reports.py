"""What an `ivrgraph test` run found, for the people reading its lines and for CI: one JSON document (`--json`) and
JUnit XML (`--junit FILE`), which GitLab, Jenkins and GitHub's test reporters show test by test.

Every way the run can fail is in each form: a failing test, a file that could not be read, a target naming no tests,
a scenario without tests under `--require-tests` and coverage below `--min-coverage`. A report that showed green
while the command exited 1 would send its reader looking in the wrong place.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_engine.scenario_tests import TestOutcome
from ivrgraph.scenario_files import Problem, slug_of
from ivrgraph.test_coverage import NO_COVERAGE, Coverage, ScenarioCoverage, shown_percent

# Characters XML 1.0 cannot carry, not even escaped: a story quoting a caller's odd input must not make the whole
# report unreadable to the CI server.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(slots=True)
class ScenarioReport:
    """One scenario's tests as they ran (none when it has no tests), each with the file it is written in."""

    path: Path
    outcomes: list[TestOutcome] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)  # per outcome, in the same order
    seconds: float = 0.0
    coverage: ScenarioCoverage | None = None

    @property
    def passed(self) -> int:
        return sum(outcome.passed for outcome in self.outcomes)

    @property
    def failed(self) -> int:
        return len(self.outcomes) - self.passed

    @property
    def untested(self) -> bool:
        return not self.outcomes


@dataclass(slots=True)
class TestReport:
    scenarios: list[ScenarioReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    require_tests: bool = False
    min_coverage: float | None = None  # percent of exits taken, over every scenario

    @property
    def passed(self) -> int:
        return sum(scenario.passed for scenario in self.scenarios)

    @property
    def failed(self) -> int:
        """Failed tests, and the files and targets that could not be tested."""
        return sum(scenario.failed for scenario in self.scenarios) + len(self.problems)

    @property
    def untested(self) -> list[ScenarioReport]:
        return [scenario for scenario in self.scenarios if scenario.untested]

    @property
    def coverage(self) -> Coverage | None:
        measured = [scenario.coverage.totals for scenario in self.scenarios if scenario.coverage is not None]
        return sum(measured, NO_COVERAGE) if measured else None

    @property
    def coverage_too_low(self) -> bool:
        coverage = self.coverage
        return self.min_coverage is not None and coverage is not None and coverage.below(self.min_coverage)

    @property
    def ok(self) -> bool:
        return not self.failed and not (self.require_tests and self.untested) and not self.coverage_too_low

    def summary(self) -> str:
        """The run's last line: `67 passed, 0 failed`, and the scenarios without tests when there are some."""
        failed = self.failed + (len(self.untested) if self.require_tests else 0)
        line = f"{self.passed} passed, {failed} failed"
        if self.untested:
            count = len(self.untested)
            line += f" ({count} without tests)" if self.require_tests else f", {count} without tests"
        return line


def json_report(report: TestReport) -> dict[str, Any]:
    """The run as one JSON document: per scenario file its tests (passed, failures, the steps each call took, its
    story), its coverage when measured; the problems; the totals."""
    coverage = report.coverage
    return {
        "ok": report.ok,
        "scenarios": [_json_scenario(scenario, report.require_tests) for scenario in report.scenarios],
        "errors": [{"file": problem.where, "error": problem.message} for problem in report.problems],
        "totals": {
            "scenarios": len(report.scenarios),
            "tests": sum(len(scenario.outcomes) for scenario in report.scenarios),
            "passed": report.passed,
            "failed": sum(scenario.failed for scenario in report.scenarios),
            "errors": len(report.problems),
            "without_tests": len(report.untested),
            **({"coverage": coverage.as_dict()} if coverage is not None else {}),
        },
        **(
            {"min_coverage": report.min_coverage, "coverage_too_low": report.coverage_too_low}
            if report.min_coverage is not None
            else {}
        ),
    }


def _json_scenario(scenario: ScenarioReport, require_tests: bool) -> dict[str, Any]:
    status = "no tests" if scenario.untested else "failed" if scenario.failed else "passed"
    entry: dict[str, Any] = {
        "file": str(scenario.path),
        "status": status,
        "failing": status == "failed" or (status == "no tests" and require_tests),
        "test_files": [str(source) for source in dict.fromkeys(scenario.sources)],
        "passed": scenario.passed,
        "failed": scenario.failed,
        "seconds": round(scenario.seconds, 3),
        "tests": [
            {
                "name": outcome.name,
                "file": str(source),
                "passed": outcome.passed,
                "failures": outcome.failures,
                "steps": outcome.steps,
                "story": outcome.story,
            }
            for outcome, source in zip(scenario.outcomes, scenario.sources, strict=True)
        ],
    }
    if scenario.coverage is not None:
        entry["coverage"] = scenario.coverage.as_dict()
    return entry


def junit_xml(report: TestReport) -> ET.ElementTree[ET.Element]:
    """The run as JUnit XML: one testsuite per scenario file, one testcase per test with its failures and its story
    as system-out; a scenario without tests is one skipped testcase (failed under --require-tests), a file that
    could not be tested one testcase in error, and coverage below --min-coverage one failed testcase."""
    root = ET.Element("testsuites", name="ivrgraph test")
    for scenario in report.scenarios:
        _junit_scenario(root, scenario, report.require_tests)
    for problem in report.problems:
        suite = _suite(root, Path(problem.where).name, file=problem.where)
        case = ET.SubElement(suite, "testcase", name="could not be tested", classname=_classname(problem.where))
        ET.SubElement(case, "error", message=_xml_text(problem.message), type="error")
    coverage = report.coverage
    if report.min_coverage is not None and coverage is not None:
        suite = _suite(root, "coverage")
        name = f"exits taken >= {report.min_coverage:g}%"
        case = ET.SubElement(suite, "testcase", name=name, classname="coverage")
        if report.coverage_too_low:
            said = f"{shown_percent(coverage.percent):.1f}% of exits taken, below the minimum {report.min_coverage:g}%"
            ET.SubElement(case, "failure", message=said, type="coverage")
    _count(root)
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(report: TestReport, path: Path) -> None:
    junit_xml(report).write(path, encoding="utf-8", xml_declaration=True)


def _junit_scenario(root: ET.Element, scenario: ScenarioReport, require_tests: bool) -> None:
    suite = _suite(root, scenario.path.name, file=str(scenario.path), time=f"{scenario.seconds:.3f}")
    classname = _classname(str(scenario.path))
    if scenario.untested:
        case = ET.SubElement(suite, "testcase", name="no tests", classname=classname, file=str(scenario.path))
        said = f"{scenario.path.name}: no tests"
        ET.SubElement(case, "failure" if require_tests else "skipped", message=said, type="no tests")
        return
    for outcome, source in zip(scenario.outcomes, scenario.sources, strict=True):
        case = ET.SubElement(suite, "testcase", name=_xml_text(outcome.name), classname=classname, file=str(source))
        if not outcome.passed:
            first = outcome.failures[0] if outcome.failures else "failed"
            more = f" (and {len(outcome.failures) - 1} more)" if len(outcome.failures) > 1 else ""
            failure = ET.SubElement(case, "failure", message=_xml_text(first + more), type="scenario test")
            failure.text = _xml_text("\n".join(outcome.failures))
        if outcome.story:
            ET.SubElement(case, "system-out").text = _xml_text("\n".join(outcome.story))


def _suite(root: ET.Element, name: str, **attributes: str) -> ET.Element:
    return ET.SubElement(root, "testsuite", {"name": _xml_text(name), **attributes})


def _classname(path: str) -> str:
    """A testcase's class: the scenario's slug, which CI servers group the tests under (a dot would split it)."""
    return slug_of(Path(path)).replace(".", "_")


def _count(root: ET.Element) -> None:
    """The counts and seconds each testsuite and the testsuites carry, as the JUnit readers expect them."""
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(case.find("failure") is not None for case in cases),
            "errors": sum(case.find("error") is not None for case in cases),
            "skipped": sum(case.find("skipped") is not None for case in cases),
        }
        for name, count in counts.items():
            suite.set(name, str(count))
            totals[name] += count
    for name, count in totals.items():
        root.set(name, str(count))
    root.set("time", f"{sum(float(suite.get('time', 0)) for suite in root.iter('testsuite')):.3f}")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
