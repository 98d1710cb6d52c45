"""`ivrgraph import-studio FLOW.json [-o OUT.json]`: a Twilio Studio flow export as a scenario file, and the report
of each state not converted or converted approximately (graph_engine.studio_import)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from graph_engine.studio_import import StudioFlowError, convert_studio_flow, is_studio_flow


def cmd_import_studio(args: argparse.Namespace) -> int:
    source = Path(args.flow)
    try:
        flow = json.loads(source.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as problem:
        print(f"{source}: error: cannot read it: {problem}", file=sys.stderr)
        return 1
    if not is_studio_flow(flow):
        print(f"{source}: error: not a Twilio Studio flow export (it has no `states`)", file=sys.stderr)
        return 1
    try:
        document, report = convert_studio_flow(flow)
    except StudioFlowError as problem:
        print(f"{source}: error: {problem}", file=sys.stderr)
        return 1
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    # The report goes where the document does not: beside a written file on stdout, else on stderr.
    said = sys.stdout if args.output else sys.stderr
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{source}: converted to {args.output} ({len(document['nodes'])} blocks)")
    else:
        sys.stdout.write(text)
    for line in report:
        print(f"{source}: to check: {line}", file=said)
    if not report:
        print(f"{source}: every state converted", file=said)
    return 0


def add_parser(commands: Any) -> None:
    """Add `import-studio` to the `ivrgraph` command."""
    command = commands.add_parser(
        "import-studio", help="convert a Twilio Studio flow export (JSON) into a scenario file, reporting what to check"
    )
    command.add_argument("flow", help="the Studio flow's JSON (its definition, as Studio exports it)")
    command.add_argument("-o", "--output", help="the scenario file to write (default: print it)")
    command.set_defaults(handler=cmd_import_studio)
