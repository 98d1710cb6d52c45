"""A fake PBX for trying callbacks and call lists (autoinformer campaigns) without an Asterisk.

It listens as Asterisk's Manager Interface (AMI) does, for the ivrgraph dialer to log in to, and plays each callee the
dialer rings by the AMI sessions captured from a real Asterisk 22 (the test suite's fake, tests/fakes/ami.py). When a
callee answers and the dialplan would run AGI(), it places the FastAGI call into ivrgraph, as the example dialplan's
[ivrgraph-outbound] context does (examples/asterisk/extensions.conf): AGI(agi://AGI_HOST:AGI_PORT/<scenario>?job=<id>)
with the scenario and job id the dialer's Originate carried (the fake of tests/fakes/asterisk.py plays the callee).

    python fake_pbx.py --username ivrgraph --secret s3cret [options]

then run ivrgraph with IVRGRAPH_AMI_HOST=127.0.0.1 IVRGRAPH_AMI_PORT=5038 IVRGRAPH_AMI_USERNAME=ivrgraph
IVRGRAPH_AMI_SECRET=s3cret. It prints one line per call: the number and how the call ended (a call the dialer hung
up, as a stopping node does with the calls still ringing, says so and after how long, not the callee's own ending).

Callees, by number (../shared/asterisk/ami/README.txt, section 4; a longer number plays its first four digits', so
20001 is busy too):

  1123   answers after 1 s; the FastAGI call runs the job's scenario
  1124   answers, but the dialplan's AGI() finds no FastAGI server (ivrgraph counts the attempt `unreached`)
  2000   busy
  3000   rings 30 s, no answer
  4000   congestion (three different numbers in a row: the dialer takes the trunk for down and pauses)
  5000   answers after 1 s, hangs up 1 s later, mid-scenario
  6000   answers after 1 s; the FastAGI call runs the job's scenario
  7000   rings 1 s, hangs up unanswered
  8000   rejects the call (cause 21)
  9000   no such number
  other  as 9000; with --answer-all as 1123 (a list of real numbers such as +34600111222 answers)

Options:

  --host HOST, --port PORT  where AMI listens (127.0.0.1, 5038)
  --username NAME           the AMI user the dialer logs in as (IVRGRAPH_AMI_USERNAME); required
  --secret SECRET           its secret (IVRGRAPH_AMI_SECRET); required
  --agi-host HOST           ivrgraph's FastAGI server, which answered calls are placed into (127.0.0.1)
  --agi-port PORT           ... and its port (4573; IVRGRAPH_AGI_PORT of `make run`)
  --keys TOKENS             what each callee who answers does each time the call listens, comma separated, as
                            place_call.py takes them: `1`, `1234#`, `-` (nothing), `!5` (a key pressed into a
                            prompt), `hangup`; default `-`. Once they run out the callee presses nothing.
  --callee NUMBER=TOKENS    the same for one number (`--callee 1123=2,hangup`); repeat it for more
  --as NUMBER=CALLEE        NUMBER behaves as a callee of the table above (`--as +34600111222=2000`: busy); repeat it
  --answer-all              every number the table does not know answers as 1123 does
  --time-scale FACTOR       multiply the captured delays, and the callee's listening and prompt times (1: as
                            captured, 30 s for a no answer; 0.1 makes that 3 s)
  --context NAME            a dialplan context the dialer may originate into (IVRGRAPH_DIAL_CONTEXT); repeat it for
                            more; default ivrgraph-outbound (the dialer's own default). Another is refused, as
                            Asterisk refuses one without the extension `s`
  --channel TEMPLATE        a dial string with {number} (IVRGRAPH_DIAL_CHANNEL) that rings a callee; repeat it for
                            more; default PJSIP/{number}@trunk (the dialer's default). Local/<number>@... always rings;
                            any other channel fails at once, as one whose technology Asterisk lacks
  --hold SECONDS            how long a callee stays on the line while ivrgraph sends nothing (default 120)

Everything on the wire is the captured Asterisk 22 protocol (its bytes, its timing times --time-scale, the ids
swapped for the dialer's own); nothing here is ivrgraph code.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fakes.ami import CALLEE_CAPTURES, FakeAmi, ReceivedAction, caller_id_parts
from tests.fakes.ami import FakeCall as AmiCall
from tests.fakes.asterisk import CallerScript, FakeAsterisk, default_env
from tests.fakes.asterisk import FakeCall as AgiCall

DIALER_CONTEXT = "ivrgraph-outbound"  # agi_server/dialer_settings.py DialerSettings.context
DIALER_CHANNEL = "PJSIP/{number}@trunk"  # agi_server/dialer_settings.py DialerSettings.channel_template
ANSWERING_CALLEE = "1123"  # what --answer-all makes an unknown number do
DEFAULT_HOLD_SECONDS = 120.0  # as place_call.py: a block waiting on a slow service may take 30 s or more
WATCH_INTERVAL = 0.05  # how often new Originates and logins are looked for, to print their lines
# How each captured callee's call ends, as the line printed for it says.
ENDINGS = {
    "1123": "answered",
    "1124": "answered, but the dialplan's AGI() reached no FastAGI server (AGISTATUS=FAILURE)",
    "2000": "busy",
    "3000": "no answer (rang 30 s)",
    "4000": "congestion",
    "5000": "answered, hung up after 1 s",
    "6000": "answered",
    "7000": "rang 1 s, hung up unanswered",
    "8000": "rejected (cause 21)",
    "9000": "failed: no such number",
}
# Captured callees who leave the FastAGI call by themselves: 5000 hangs up 1 s after answering (c5x.txt).
HANGS_UP_AFTER = {"5000": 1.0}


def parser() -> argparse.ArgumentParser:
    """The command line (the module docstring says what each option does)."""
    parsed = argparse.ArgumentParser(
        prog="fake_pbx.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parsed.add_argument("--host", default="127.0.0.1")
    parsed.add_argument("--port", type=int, default=5038)
    parsed.add_argument("--username", required=True)
    parsed.add_argument("--secret", required=True)
    parsed.add_argument("--agi-host", default="127.0.0.1")
    parsed.add_argument("--agi-port", type=int, default=4573)
    parsed.add_argument("--keys", type=_tokens, default=["-"], metavar="TOKENS")
    parsed.add_argument("--callee", action="append", default=[], type=_callee_keys, metavar="NUMBER=TOKENS")
    parsed.add_argument("--as", dest="aliases", action="append", default=[], type=_alias, metavar="NUMBER=CALLEE")
    parsed.add_argument("--answer-all", action="store_true")
    parsed.add_argument("--time-scale", type=_positive, default=1.0, metavar="FACTOR")
    parsed.add_argument("--context", action="append", default=[], metavar="NAME")
    parsed.add_argument("--channel", action="append", default=[], metavar="TEMPLATE")
    parsed.add_argument("--hold", type=_positive, default=DEFAULT_HOLD_SECONDS, metavar="SECONDS")
    return parsed


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return value


def _tokens(text: str) -> list[str]:
    tokens = [token.strip() for token in text.split(",")]
    if not all(tokens):
        raise argparse.ArgumentTypeError(f"{text!r}: an empty key token (`-` is a listen where nothing is pressed)")
    return tokens


def _pair(text: str) -> tuple[str, str]:
    number, equals, value = text.partition("=")
    if not number or not equals or not value:
        raise argparse.ArgumentTypeError(f"{text!r} is not NUMBER=VALUE")
    return number.strip(), value.strip()


def _callee_keys(text: str) -> tuple[str, list[str]]:
    number, tokens = _pair(text)
    return number, _tokens(tokens)


def _alias(text: str) -> tuple[str, str]:
    number, callee = _pair(text)
    if callee not in CALLEE_CAPTURES:
        raise argparse.ArgumentTypeError(f"{text!r}: {callee} is none of the captured callees {', '.join(ENDINGS)}")
    return number, callee


@dataclass(slots=True)
class FastAgiOutcome:
    """What the FastAGI call of one answered callee came to."""

    path: str
    call: AgiCall | None = None
    error: str | None = None


@dataclass(slots=True)
class FakePbx:
    """The fake AMI, the callees' FastAGI calls into ivrgraph, and the lines that tell a user what happened."""

    options: argparse.Namespace
    ami: FakeAmi = field(init=False)
    fastagi: dict[str, FastAgiOutcome] = field(default_factory=dict)  # ChannelId -> its FastAGI call
    _seen_calls: int = 0
    _seen_actions: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        options = self.options
        contexts = options.context or [DIALER_CONTEXT]
        self.ami = FakeAmi(
            username=options.username,
            secret=options.secret,
            time_scale=options.time_scale,
            channel_templates=tuple(options.channel or [DIALER_CHANNEL]),
            contexts={name: frozenset({"s"}) for name in contexts},
            unknown_callee=ANSWERING_CALLEE if options.answer_all else "9000",
            callee_aliases=dict(options.aliases),
            on_fastagi=self._place_fastagi_call,
        )

    async def start(self) -> None:
        self.ami.port = self.options.port
        await self.ami.start(self.options.host)
        options = self.options
        say(
            f"fake PBX: AMI listening on {options.host}:{self.ami.port} for user {options.username!r}; answered calls "
            f"go to FastAGI {options.agi_host}:{options.agi_port}"
        )

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.ami.close()

    async def watch(self) -> None:
        """Print what each new action and call comes to: the fake AMI plays them on its own."""
        while True:
            for action in self.ami.received[self._seen_actions :]:
                self._seen_actions += 1
                self._on_action(action)
            for call in self.ami.calls[self._seen_calls :]:
                self._seen_calls += 1
                task = asyncio.create_task(self._report_when_ended(call, time.monotonic()))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            await asyncio.sleep(WATCH_INTERVAL)

    def _on_action(self, action: ReceivedAction) -> None:
        if action.name.lower() == "login":
            user = action.get("Username")
            if user == self.options.username and action.get("Secret") == self.options.secret:
                say(f"AMI: {user!r} logged in")
            else:
                say(f"AMI: login as {user!r} refused: not the --username/--secret this PBX was started with")
        elif action.name.lower() == "originate" and not self._started_a_call(action):
            say(f"{callee_of(action)}  refused by the PBX: {self._refusal(action)}")

    def _started_a_call(self, action: ReceivedAction) -> bool:
        """Whether the fake AMI took the Originate (it answers a refused one at once and starts no call)."""
        channel_id = action.get("ChannelId")
        action_id = action.get("ActionID")
        return any(
            (channel_id is not None and call.channel_id == channel_id)
            or (channel_id is None and action_id is not None and call.action_id == action_id)
            for call in self.ami.calls
        )

    def _refusal(self, action: ReceivedAction) -> str:
        context = action.get("Context")
        if context is not None and context not in self.ami.contexts:
            known = ", ".join(self.ami.contexts)
            return f"no dialplan context {context!r} here (IVRGRAPH_DIAL_CONTEXT; this PBX has {known}: --context)"
        return "Asterisk answered the Originate with an error (the dialer's log says which)"

    async def _report_when_ended(self, call: AmiCall, seen_at: float) -> None:
        """Print the call's line once it ended; `seen_at`: when `watch` first saw it (within WATCH_INTERVAL of its
        Originate), what the time a call the dialer hung up lasted is told from."""
        if call.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await call.task
        say(self.ending(call, lasted=time.monotonic() - seen_at))

    def ending(self, call: AmiCall, *, lasted: float | None = None) -> str:
        """The line of a call that ended: its number and how. A call the dialer hung up (an Action: Hangup, as a
        node stopping while it rings sends) did not end as its captured callee does: it says so, and how long it had
        lasted (`lasted` seconds), not "no answer (rang 30 s)"."""
        if not call.number:
            originate = self._originate_of(call)
            channel = callee_of(originate) if originate is not None else call.channel_id
            templates = ", ".join(self.ami.channel_templates)
            return f"{channel}  failed at once: this PBX rings Local/<number>@... and {templates} (--channel)"
        played = self.ami.played_callee(call.number)
        ended = hung_up_by_dialer(call, lasted) if call.hung_up else ENDINGS.get(played, "as " + played)
        line = f"{call.number}  {ended}"
        if played not in (call.number, call.number[:4]):
            line += f" (as {played})"
        if played == "9000" and call.number[:4] != "9000":
            line += " (--answer-all makes every number this PBX does not know answer)"
        outcome = self.fastagi.get(call.channel_id)
        if outcome is not None:
            line += f"; FastAGI {outcome.path}: {fastagi_summary(outcome, self.options)}"
        return line

    async def _place_fastagi_call(self, call: AmiCall) -> None:
        """The dialplan of the answered callee runs AGI(): the FastAGI call into ivrgraph, the callee acting as told."""
        path = f"{call.variables.get('IVR_SCENARIO', '')}?job={call.variables.get('JOB_ID', '')}"
        outcome = FastAgiOutcome(path)
        self.fastagi[call.channel_id] = outcome
        options = self.options
        script = CallerScript(keys=dict(options.callee).get(call.number, options.keys))
        played = self.ami.played_callee(call.number)
        if played in HANGS_UP_AFTER:
            script.hangup_after = HANGS_UP_AFTER[played] * options.time_scale
        callee = FakeAsterisk(
            options.agi_host,
            options.agi_port,
            env=self._fastagi_env(call, path),
            script=script,
            hold=options.hold,
            time_scale=options.time_scale,
        )
        try:
            outcome.call = await callee.run(timeout=options.hold + 3600)
        except Exception as error:  # told on the call's line; the captured call goes on, as Asterisk's would
            outcome.error = f"{type(error).__name__}: {error}"

    def _originate_of(self, call: AmiCall) -> ReceivedAction | None:
        return next(
            (action for action in self.ami.actions("Originate") if action.get("ChannelId") == call.channel_id), None
        )

    def _fastagi_env(self, call: AmiCall, path: str) -> dict[str, str]:
        """The env block Asterisk sends for the answered leg (outbound-agi.txt, section 8 of the AMI README): the
        Local channel's ";1" leg, the Originate's ChannelId, CallerID, context, extension and priority."""
        originate = self._originate_of(call)
        number, name = caller_id_parts(originate.get("CallerID") if originate is not None else None)

        def header(key: str, default: str) -> str:
            return (originate.get(key) if originate is not None else None) or default

        options = self.options
        return default_env(
            path,
            request=f"agi://{options.agi_host}:{options.agi_port}/{path}",
            channel=call.channel or f"Local/{call.number}@callees-00000000;1",
            type="Local",
            uniqueid=call.channel_id,
            callerid="unknown" if number == "<unknown>" else number,
            calleridname="unknown" if name == "<unknown>" else name,
            context=header("Context", DIALER_CONTEXT),
            extension=header("Exten", "s"),
            priority=header("Priority", "1"),
        )


def hung_up_by_dialer(call: AmiCall, lasted: float | None) -> str:
    """How a call the dialer hung up ended: unanswered while it rang, or after the callee answered."""
    after = f" after {lasted:.1f} s" if lasted is not None else ""
    if call.fastagi:  # the callee answered: their FastAGI call was placed
        return f"answered, then hung up by the dialer{after}"
    return f"hung up by the dialer{after}{' of ringing' if after else ' while it rang'}, unanswered"


def callee_of(action: ReceivedAction) -> str:
    return action.get("Channel") or "(no channel)"


def fastagi_summary(outcome: FastAgiOutcome, options: argparse.Namespace) -> str:
    """How the callee's FastAGI call went: refused, or its commands and who ended it."""
    if outcome.call is None:
        return f"the call into FastAGI {options.agi_host}:{options.agi_port} failed ({outcome.error})"
    call = outcome.call
    if any(command.upper().startswith("HANGUP") for command in call.commands):
        ended = "the scenario hung up"
    elif call.hung_up_at is not None:
        ended = "the callee hung up"
    elif call.server_half_closed:
        ended = "ivrgraph closed the session"
    else:
        ended = f"ivrgraph sent nothing for {options.hold:g} s, the callee gave up"
    status = call.variables.get("IVRGRAPH_STATUS")
    told = f", IVRGRAPH_STATUS={status}" if status else ""
    return f"{len(call.commands)} AGI commands, {ended}{told}"


def say(line: str) -> None:
    """One line on stdout, at once (a pipe would hold it back), with the time it happened."""
    print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)


async def main(argv: Sequence[str]) -> None:
    pbx = FakePbx(parser().parse_args(argv))
    await pbx.start()
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    watching = asyncio.create_task(pbx.watch())
    try:
        await stopped.wait()
    finally:
        watching.cancel()
        await pbx.close()
        say("fake PBX stopped")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
