"""One real FastAGI call into a running `ivrgraph serve` (or `ivrgraph agi`), placed by the test suite's fake Asterisk.

The designer's e2e uses it so that a call record exists to open, and support uses it to replay a complaint:

    python place_call.py [options] HOST PORT SLUG KEYS...

KEYS are what the caller does each time the call listens, as the fake takes them: `1`, `1234#`, `-` (nothing),
`!5` (a key pressed into a prompt), `hangup`. Options, before or after the arguments:

  --repeat N               first place N such calls, one after the other, in one process (a register longer than a
                           page)
  --caller-name NAME       the caller's CallerID name (`agi_calleridname`) instead of the fake's own
  --callerid NUMBER        the caller's CallerID number (`agi_callerid`)
  --uniqueid ID            Asterisk's uniqueid of the channel (`agi_uniqueid`), to find the call by in the register
  --channel NAME           the channel's name (`agi_channel`), as Asterisk's full log names it: PJSIP/trunk-0000046b
  --hangup-at-command N    the caller hangs up during (or just before) the Nth AGI command, counted from 0
  --hangup-after SECONDS   ... or this long after the call arrived (mid-prompt, mid-lookup)
  --far-end RESULT         how the far end of the next transfer answers: answered, busy, no_answer, failed, or cancel
                           (the caller hangs up while it rings); repeat it for each transfer in turn
  --query NAME=VALUE       an extra AGI query parameter (`SLUG?NAME=VALUE`), as the dialplan's AGI() line passes
                           one: `--query job=42` is a callback's answered leg; repeat it for more
  --hold SECONDS           how long the caller stays on the line while the server sends nothing (a block waiting on a
                           CRM, a slow lookup) before hanging up; default 120. A real Asterisk waits as long as it
                           takes: lower it only to act out a caller who gives up during a long silence

Each option maps to the fake's CallerScript or env block (tests/fakes/asterisk.py), which speaks the captured
Asterisk 22 protocol; nothing here is designer code.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fakes.asterisk import CallerScript, FakeAsterisk, default_env

FAR_ENDS = ("answered", "busy", "no_answer", "failed", "cancel")
# The fake's own default (5 s) suits the test suite, where a silent server is a bug to fail fast on; a person placing a
# call through a block that waits on a slow service (its max_seconds may be 30 or more) means the caller to wait.
DEFAULT_HOLD_SECONDS = 120.0


def parser() -> argparse.ArgumentParser:
    """The command line (the module docstring says what each option does)."""
    parsed = argparse.ArgumentParser(
        prog="place_call.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parsed.add_argument("host")
    parsed.add_argument("port", type=int)
    parsed.add_argument("slug", help="the AGI path: a scenario's slug, maybe with its query (callback?job=42)")
    parsed.add_argument("keys", nargs="*", help="what the caller does each time the call listens")
    parsed.add_argument("--repeat", type=int, default=1)
    parsed.add_argument("--caller-name")
    parsed.add_argument("--callerid")
    parsed.add_argument("--uniqueid")
    parsed.add_argument("--channel")
    parsed.add_argument("--hangup-at-command", type=int, metavar="N")
    parsed.add_argument("--hangup-after", type=float, metavar="SECONDS")
    parsed.add_argument("--far-end", action="append", default=[], choices=FAR_ENDS, metavar="RESULT")
    parsed.add_argument("--query", action="append", default=[], type=_parameter, metavar="NAME=VALUE")
    parsed.add_argument("--hold", type=_seconds, default=DEFAULT_HOLD_SECONDS, metavar="SECONDS")
    return parsed


def _seconds(text: str) -> float:
    seconds = float(text)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return seconds


def _parameter(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not name or not equals:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE")
    return name, value


def request_path(slug: str, query: Sequence[tuple[str, str]]) -> str:
    """`slug` with the extra query parameters after any it has, percent-encoded as a dialplan's AGI() URL is."""
    extra = "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in query)
    if not extra:
        return slug
    return f"{slug}{'&' if '?' in slug else '?'}{extra}"


def call_of(options: argparse.Namespace) -> tuple[dict[str, str], CallerScript]:
    """The env block Asterisk sends and what the caller (and the far end) does."""
    path = request_path(options.slug, options.query)
    named = {"callerid": options.callerid, "uniqueid": options.uniqueid, "channel": options.channel}
    overrides = {key: value for key, value in named.items() if value is not None}
    if options.caller_name is not None:
        overrides["calleridname"] = options.caller_name
    script = CallerScript(
        keys=options.keys,
        hangup_at_command=options.hangup_at_command,
        hangup_after=options.hangup_after,
        far_end=options.far_end,
    )
    return default_env(path, **overrides), script


async def main(argv: Sequence[str]) -> None:
    options = parser().parse_intermixed_args(argv)
    env, script = call_of(options)
    for _ in range(options.repeat):
        call = await FakeAsterisk(options.host, options.port, env=env, script=script, hold=options.hold).run()
        print(f"placed a call to {options.slug}: {len(call.commands)} AGI commands")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
