"""`ivrgraph`: validate, simulate and test scenarios; list blocks; run the servers (serve, agi, db)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from blocks import default_registry
from graph_engine.channel import TRANSFER_OUTCOMES
from graph_engine.errors import DocumentError, EngineError
from graph_engine.issues import Issue, Severity
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_test_format import unknown
from graph_engine.scenario_tests import run_scenario_tests
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.studio_flow_issue import studio_flow_problem
from graph_engine.validation import validate
from ivrgraph.scenario_files import (
    Problem,
    ScenarioTests,
    is_scenario_file,
    plan_tests,
    read_document,
    read_test_file,
    sibling_documents,
    slug_of,
)
from ivrgraph.test_coverage import coverage_table, scenario_coverage, shown_percent
from ivrgraph.test_reports import ScenarioReport, TestReport, json_report, write_junit
from voice.templating import install_template_functions

# Subcommands that live with the packages they run; imported only when present and asked for.
PLUGGED_COMMANDS = (
    "api.cli",
    "agi_server.cli",
    "agi_server.records_cli",
    "voice.cli",
    "ivrgraph.privacy_cli",
    "ivrgraph.restore_cli",
    "ivrgraph.studio_cli",
)


def _known_scenarios(path: Path) -> set[str]:
    return {slug_of(p) for p in path.parent.glob("*.json") if is_scenario_file(p)}


def cmd_validate(args: argparse.Namespace) -> int:
    registry = default_registry(skip_broken=True)  # a broken plugin fails only the scenarios using it
    failed = False
    for name in args.files:
        path = Path(name)
        if not is_scenario_file(path):
            failed |= not _check_test_file(path)
            continue
        try:
            document = read_document(path)
        except (OSError, DocumentError) as problem:
            print(f"{path}: error: {problem}")
            failed = True
            continue
        # A Studio export is no scenario yet: one sentence saying how to convert it, not the format's schema errors.
        studio = studio_flow_problem(document, str(path))
        issues = [studio] if studio else validate(document, registry, known_scenarios=_known_scenarios(path))
        if args.json:
            print(json.dumps({"file": str(path), "problems": [i.as_dict() for i in issues]}, ensure_ascii=False))
        elif not issues:
            print(f"{path}: ok")
        for issue in issues if not args.json else []:
            where = f" [{issue.node}]" if issue.node else ""
            print(f"{path}: {issue.severity}: {issue.code}{where} {issue.path}: {issue.message}")
        failed |= any(i.severity is Severity.ERROR for i in issues)
    return 1 if failed else 0


def _check_test_file(path: Path) -> bool:
    """A `<slug>.tests.json` named among scenarios: check it is a readable test file for an existing scenario."""
    try:
        test_file = read_test_file(path)
    except (OSError, DocumentError) as problem:
        print(f"{path}: error: {problem}")
        return False
    if not test_file.scenario_path.exists():
        print(f"{path}: error: its scenario {test_file.scenario_path.name} does not exist")
        return False
    print(f"{path}: ok ({len(test_file.tests)} scenario tests)")
    return True


def cmd_blocks(args: argparse.Namespace) -> int:
    catalog = default_registry().catalog()
    if args.json:
        print(json.dumps(catalog, indent=2, ensure_ascii=False))
        return 0
    # Columns as wide as their longest entry: a plugin's type (`crm_ticket_create`) is longer than any built-in's.
    widths = [max((len(str(entry[key])) for entry in catalog), default=0) for key in ("category", "type", "title")]
    category, kind, title = widths
    for entry in catalog:
        exits = ", ".join(entry["default_exits"] + entry["implicit_exits"]) or "-"
        print(f"{entry['category']:<{category}} {entry['type']:<{kind}} {entry['title']:<{title}} exits: {exits}")
        print(f"{'':<{category}} {'':<{kind}} from {entry['plugin']}")
    return 0


def _parse_var(text: str) -> tuple[str, object]:
    name, _, value = text.partition("=")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def _parse_timed_key(text: str) -> tuple[float, str]:
    at, _, key = text.partition(":")
    return float(at), key


_AT_EXAMPLE = "2026-11-23T18:30:00+01:00"


def _moment_with_offset(text: str) -> datetime:
    """`--at`: an ISO 8601 date-time with its UTC offset. Without one, the moment is ambiguous (a schedule in
    Madrid and the caller's clock differ by an hour or two), and reading it as UTC put calls in the wrong hours."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date-time such as {_AT_EXAMPLE}") from None
    if moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"needs a UTC offset, e.g. {_AT_EXAMPLE}; {text!r} has none")
    return moment


def _transfer_outcomes(text: str) -> list[str]:
    """`--transfers`: each outcome one a Transfer can have. Another (a typo, "bussy") crashed the Transfer block."""
    outcomes = [outcome.strip() for outcome in text.split(",")] if text else []
    for outcome in outcomes:
        if outcome not in TRANSFER_OUTCOMES:
            problem = unknown("transfer outcome", outcome, TRANSFER_OUTCOMES)
            raise argparse.ArgumentTypeError(f"{problem}; each is one of {', '.join(TRANSFER_OUTCOMES)}")
    return outcomes


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage from 0 to 100")
    return value


def _refused_number() -> Callable[[str], str | None]:
    """Why a live call's scheduler never calls a number back (persistence.callbacks.refused_number: an emergency
    number, one no phone has), in the default country the servers read (IVRGRAPH_DEFAULT_COUNTRY), so that a
    simulated caller "112" takes the Callback block's `rejected` exit as a live one does. ValueError naming the
    variable for a value that is no country."""
    from persistence import callbacks, phone_numbers  # here: `validate` and `blocks` need no database layer

    phone_numbers.configure_default_country(phone_numbers.default_country())
    return callbacks.refused_number


def cmd_simulate(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        refused_number = _refused_number()
        document = read_document(path)
        inputs = SimulationInput(
            keys=args.keys.split(",") if args.keys else [],
            timed_keys=[_parse_timed_key(k) for k in args.keys_at.split(",")] if args.keys_at else None,
            caller_id=args.caller_id,
            at=args.at,
            variables=dict(_parse_var(v) for v in args.var),
            data_rows={name: json.loads(rows) for name, rows in (d.split("=", 1) for d in args.rows)},
            transfers=args.transfers,
            scenarios=sibling_documents(path.parent),
            refused_number=refused_number,
        )
        if "caller_id" in inputs.variables:  # --var caller_id=... is the channel fact, not a scenario variable
            inputs.caller_id = str(inputs.variables.pop("caller_id"))
        simulation = asyncio.run(simulate(document, default_registry(skip_broken=True), inputs))
    except (OSError, DocumentError, ValueError) as problem:
        print(f"{path}: error: {problem}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(simulation.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        print("\n".join(simulation.story))
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    registry = default_registry(skip_broken=True)  # a broken plugin fails only the scenarios using it
    try:
        refused_number = _refused_number()
    except ValueError as problem:
        print(f"ivrgraph test: error: {problem}", file=sys.stderr)
        return 2
    measure = args.coverage or args.min_coverage is not None
    lines = not args.json  # --json: the one JSON document is all that goes to stdout
    plan = plan_tests(args.paths)
    report = TestReport(problems=plan.problems, require_tests=args.require_tests, min_coverage=args.min_coverage)
    for unreadable in plan.problems if lines else []:
        print(f"{unreadable.where}: error: {unreadable.message}")
    siblings: dict[Path, dict[str, Any]] = {}  # per folder: what Go To Scenario and Callback can name
    for scenario in plan.scenarios:
        errors = _validation_errors(scenario, registry)
        if errors:
            # Not run, as publishing runs no test of a document it refuses: the file fails, saying what to fix.
            report.problems.append(_invalid(scenario, errors))
            if lines:
                _print_invalid(scenario, errors)
            continue
        folder = scenario.path.parent
        if folder not in siblings:
            siblings[folder] = sibling_documents(folder)
        scenario_report = _run_tests(scenario, registry, siblings[folder], refused_number, measure)
        report.scenarios.append(scenario_report)
        if lines:
            _print_scenario(scenario_report, args.verbose, args.require_tests)
    measured = [(s.path.name, s.coverage) for s in report.scenarios if s.coverage is not None]
    if lines and measured:
        print("\n".join(coverage_table(measured)))
    coverage = report.coverage
    if lines and report.coverage_too_low and coverage is not None:
        print(
            f"coverage: {shown_percent(coverage.percent):.1f}% of exits taken, below --min-coverage "
            f"{args.min_coverage:g}%"
        )
    if lines:
        print(report.summary())
    if args.junit:
        try:
            write_junit(report, Path(args.junit))
        except OSError as problem:
            print(f"ivrgraph test: error: cannot write --junit {args.junit}: {problem}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(json_report(report), indent=2, ensure_ascii=False))
    return 0 if report.ok else 1


def _validation_errors(scenario: ScenarioTests, registry: BlockRegistry) -> list[Issue]:
    """The validation errors of a scenario with tests, which publishing refuses it for (a block's setting it
    requires, a broken connection...); none for one without tests, which `ivrgraph test` only lists. Which
    scenarios exist is not checked: that is the host's to say when publishing, and a test of a branch that does
    not go to one missing from the folder still runs (docs/scenario-format.md)."""
    if not scenario.tests:
        return []
    return [issue for issue in validate(scenario.document, registry) if issue.severity is Severity.ERROR]


def _issue_line(issue: Issue) -> str:
    """An error as `ivrgraph validate` says it: its code, the node and the field (JSON path) it is about."""
    where = f" [{issue.node}]" if issue.node else ""
    return f"{issue.code}{where} {issue.path}: {issue.message}"


def _not_run(scenario: ScenarioTests, errors: Sequence[Issue]) -> str:
    count = len(scenario.tests)
    return (
        f"does not validate ({len(errors)} error{'s' if len(errors) != 1 else ''}), so its {count} "
        f"test{'s were' if count != 1 else ' was'} not run: publishing refuses it too"
    )


def _invalid(scenario: ScenarioTests, errors: Sequence[Issue]) -> Problem:
    """The scenario's validation errors as a failure of its file, in the JSON and JUnit reports."""
    return Problem(str(scenario.path), f"{_not_run(scenario, errors)}: {'; '.join(map(_issue_line, errors))}")


def _print_invalid(scenario: ScenarioTests, errors: Sequence[Issue]) -> None:
    print(f"{scenario.path}: error: {_not_run(scenario, errors)}")
    for issue in errors:
        print(f"     - {_issue_line(issue)}")


def _run_tests(
    scenario: ScenarioTests,
    registry: BlockRegistry,
    siblings: dict[str, Any],
    refused_number: Callable[[str], str | None],
    measure: bool,
) -> ScenarioReport:
    report = ScenarioReport(scenario.path, sources=[source for source, _ in scenario.tests])
    if scenario.tests:
        started = time.perf_counter()
        report.outcomes = asyncio.run(
            run_scenario_tests(
                scenario.document,
                [test for _, test in scenario.tests],
                registry,
                scenarios=siblings,
                refused_number=refused_number,
            )
        )
        report.seconds = time.perf_counter() - started
    if measure and scenario.document is not None:  # an untested scenario is measured too: it is 0 % covered
        report.coverage = scenario_coverage(scenario.document, registry, report.outcomes)
    return report


def _print_scenario(scenario: ScenarioReport, verbose: bool, require_tests: bool) -> None:
    if scenario.untested:
        print(f"{scenario.path}: error: no tests (--require-tests)" if require_tests else f"{scenario.path}: no tests")
    for outcome in scenario.outcomes:
        print(f"{'PASS' if outcome.passed else 'FAIL'} {scenario.path.name}: {outcome.name}")
        for failure in outcome.failures:
            print(f"     - {failure}")
        if not outcome.passed and verbose:
            print("       " + "\n       ".join(outcome.story))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ivrgraph", description="Visual IVR scenarios for Asterisk.")
    commands = parser.add_subparsers(dest="command", required=True)

    validate_cmd = commands.add_parser("validate", help="check scenario files and print every problem")
    validate_cmd.add_argument("files", nargs="+")
    validate_cmd.add_argument("--json", action="store_true", help="one JSON object per file")
    validate_cmd.set_defaults(handler=cmd_validate)

    blocks_cmd = commands.add_parser("blocks", help="list the installed blocks (plugins included)")
    blocks_cmd.add_argument("--json", action="store_true")
    blocks_cmd.set_defaults(handler=cmd_blocks)

    sim = commands.add_parser("simulate", help="simulate one call and tell its story")
    sim.add_argument("file")
    sim.add_argument(
        "--keys", default="", help='what the caller presses, e.g. "1,#,2" ("-" = nothing, "!5" = barge in)'
    )
    sim.add_argument(
        "--keys-at",
        default="",
        help='keys at moments of the call, "SECONDS:KEY,...", e.g. "2.5:1,8:#"; keys '
        "pressed while nothing listens are lost, as on a real line",
    )
    sim.add_argument("--var", action="append", default=[], help="NAME=VALUE (JSON values allowed); repeatable")
    sim.add_argument(
        "--caller-id", default="", help="the caller's number (default \"\": withheld, as the API's test call)"
    )
    sim.add_argument(
        "--at", type=_moment_with_offset, help=f"the call's time, ISO 8601 with its UTC offset, e.g. {_AT_EXAMPLE}"
    )
    sim.add_argument(
        "--rows",
        action="append",
        default=[],
        help="SOURCE=JSON rows a data source returns; #NODE=JSON rows for that one SQL block (won over its source's)",
    )
    sim.add_argument(
        "--transfers",
        type=_transfer_outcomes,
        default=[],
        help=f"outcome of each transfer in turn, comma-separated: {', '.join(TRANSFER_OUTCOMES)}",
    )
    sim.add_argument("--json", action="store_true")
    sim.set_defaults(handler=cmd_simulate)

    test_cmd = commands.add_parser("test", help="run scenario tests (<slug>.tests.json files)")
    test_cmd.add_argument("paths", nargs="+")
    test_cmd.add_argument("-v", "--verbose", action="store_true", help="tell the story of failing tests")
    test_cmd.add_argument(
        "--json", action="store_true", help="one JSON document on stdout: each scenario's tests, coverage, totals"
    )
    test_cmd.add_argument(
        "--junit", metavar="FILE", help="also write JUnit XML (GitLab, Jenkins, GitHub): a testsuite per scenario"
    )
    test_cmd.add_argument(
        "--coverage", action="store_true", help="list the blocks and exits no test reached, and the share of exits"
    )
    test_cmd.add_argument(
        "--min-coverage",
        metavar="PERCENT",
        type=_percent,
        help="fail (exit 1) when the tests take fewer than PERCENT %% of the exits of all scenarios found",
    )
    test_cmd.add_argument(
        "--require-tests", action="store_true", help="fail when a scenario found has no tests (else it is listed)"
    )
    test_cmd.set_defaults(handler=cmd_test)

    for module_name in PLUGGED_COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        add_parser = getattr(module, "add_parser", None)
        if add_parser is not None:
            add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    install_template_functions()  # money(), spoken_date()... before anything validates or runs a scenario
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except EngineError as problem:
        print(f"ivrgraph: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
