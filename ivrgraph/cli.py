"""`ivrgraph`: validate, simulate and test scenarios; list blocks; run the servers (serve, agi, db)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from blocks import default_registry
from graph_engine.errors import DocumentError, EngineError
from graph_engine.issues import Severity
from graph_engine.scenario_tests import run_scenario_tests, tests_in_document
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.validation import validate
from ivrgraph.scenario_files import (
    find_test_files,
    is_scenario_file,
    read_document,
    read_test_file,
    sibling_documents,
    slug_of,
)
from voice.templating import install_template_functions

# Subcommands that live with the packages they run; imported only when present and asked for.
PLUGGED_COMMANDS = ("api.cli", "agi_server.cli", "agi_server.records_cli", "voice.cli", "ivrgraph.privacy_cli")


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
        issues = validate(document, registry, known_scenarios=_known_scenarios(path))
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
    for entry in catalog:
        exits = ", ".join(entry["default_exits"] + entry["implicit_exits"]) or "-"
        print(f"{entry['category']:<10} {entry['type']:<14} {entry['title']:<20} exits: {exits}")
        print(f"{'':<10} {'':<14} from {entry['plugin']}")
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
            at=datetime.fromisoformat(args.at) if args.at else None,
            variables=dict(_parse_var(v) for v in args.var),
            data_rows={name: json.loads(rows) for name, rows in (d.split("=", 1) for d in args.rows)},
            transfers=args.transfers.split(",") if args.transfers else [],
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
    passed = failed = 0
    for target in args.paths:
        files = find_test_files(Path(target))
        if not files:  # a mistyped path in CI must not pass green
            reason = "no scenario tests found" if Path(target).exists() else "no such file or folder"
            print(f"{target}: error: {reason}")
            failed += 1
        for test_path in files:
            try:
                test_file = read_test_file(test_path)
                document = read_document(test_file.scenario_path)
            except (OSError, DocumentError) as problem:
                print(f"{test_path}: error: {problem}")
                failed += 1
                continue
            tests = test_file.tests + tests_in_document(document)
            outcomes = asyncio.run(
                run_scenario_tests(
                    document,
                    tests,
                    registry,
                    scenarios=sibling_documents(test_path.parent),
                    refused_number=refused_number,
                )
            )
            for outcome in outcomes:
                mark = "PASS" if outcome.passed else "FAIL"
                print(f"{mark} {test_file.scenario_path.name}: {outcome.name}")
                for failure in outcome.failures:
                    print(f"     - {failure}")
                if not outcome.passed and args.verbose:
                    print("       " + "\n       ".join(outcome.story))
                passed += outcome.passed
                failed += not outcome.passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


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
    sim.add_argument("--caller-id", default="+34600000000")
    sim.add_argument("--at", help="the call's time, ISO 8601 with offset, e.g. 2026-11-23T21:00:00+01:00")
    sim.add_argument("--rows", action="append", default=[], help="SOURCE=JSON rows a data source returns")
    sim.add_argument("--transfers", default="", help="outcome of each transfer in turn: answered,busy,no_answer,failed")
    sim.add_argument("--json", action="store_true")
    sim.set_defaults(handler=cmd_simulate)

    test_cmd = commands.add_parser("test", help="run scenario tests (<slug>.tests.json files)")
    test_cmd.add_argument("paths", nargs="+")
    test_cmd.add_argument("-v", "--verbose", action="store_true", help="tell the story of failing tests")
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
