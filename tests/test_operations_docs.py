"""docs/operations.md and the deployment examples say only what the code does.

The guide, the systemd units (examples/deploy/) and the AMI user (examples/asterisk/manager.conf) name options,
environment variables, metrics, AMI actions and events. Each is checked here against the code that reads, sends
or waits for it, so a renamed option or a new AMI action fails a test rather than a deployment (ops review:
Asterisk 22, PostgreSQL, two FastAGI nodes; the guide was missing).
"""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from agi_server.channel import ChannelSettings
from agi_server.cli import STUCK_THREADS_GRACE
from agi_server.dialer import HANG_UP_WAIT
from agi_server.dialer_settings import DialerSettings
from agi_server.process_limits import SPARE_FILES
from agi_server.records import CLOSE_TIMEOUT
from ivrgraph.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "operations.md"
DEPLOY = ROOT / "examples" / "deploy"
UNITS = ("ivrgraph.service", "ivrgraph-agi.service")
MANAGER_CONF = ROOT / "examples" / "asterisk" / "manager.conf"
DIALPLAN = ROOT / "examples" / "asterisk" / "extensions.conf"
CAPTURES = ROOT.parent / "shared" / "asterisk"
PACKAGES = ("agi_server", "api", "persistence", "voice", "graph_engine", "blocks", "ivrgraph")

# Long options of the other programs the guide runs (useradd, systemctl, pg_restore), not ivrgraph's.
OTHER_PROGRAMS_OPTIONS = frozenset({"--system", "--home-dir", "--shell", "--now", "--no-owner", "--role"})

# The class each AMI action the dialer sends needs, as Asterisk 22 registers it (main/manager.c, __init_manager:
# ast_manager_register_xml_core(name, authority, ...)). An action runs when the user's write classes share any
# class with it (process_message: `writeperm & act_found->authority`); 0 (no class) runs for any logged-in user.
ACTION_CLASSES: dict[str, frozenset[str]] = {
    "Login": frozenset(),
    "Logoff": frozenset(),
    "Ping": frozenset(),
    "Originate": frozenset({"originate"}),
    "CoreShowChannels": frozenset({"system", "reporting"}),
    "Hangup": frozenset({"system", "call"}),
}
# Write classes that would give back what the header-injection capture showed (d-header-injection.txt: System()
# run as root through Originate, any CLI command through a smuggled Action: Command).
DANGEROUS_WRITE = frozenset({"all", "system", "command", "config"})
# `AmiClient` takes a call for answered when any event of its channel reports ChannelStateDesc Up (the answer it
# falls back on when the OriginateResponse is lost with the session, f1); Newstate is the event that reports it
# (c1x.txt: Newstate ... ChannelStateDesc: Up at the answer).
STATE_EVENT = "Newstate"
# AgiServer.stop waits this long for the calls it cancelled at the deadline to close.
CANCELLED_CALLS_GRACE = 5.0


def ivrgraph_options() -> set[str]:
    """Every long option of every `ivrgraph` command."""
    found: set[str] = set()
    parsers = [build_parser()]
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            found.update(option for option in action.option_strings if option.startswith("--"))
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    return found


def source_text(*packages: str) -> str:
    return "\n".join(path.read_text() for package in packages for path in sorted((ROOT / package).rglob("*.py")))


def environment_the_code_reads() -> set[str]:
    return set(re.findall(r"[\"'](IVRGRAPH_[A-Z0-9_]+)[\"']", source_text(*PACKAGES)))


def dialplan_globals() -> set[str]:
    """Names [globals] of the example dialplan defines (dialplan variables, not the environment)."""
    section, names = "", set()
    for line in DIALPLAN.read_text().splitlines():
        line = line.split(";", 1)[0].strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "globals" and "=" in line:
            names.add(line.split("=", 1)[0].strip())
    return names


def documented_text() -> str:
    return GUIDE.read_text() + "".join((DEPLOY / unit).read_text() for unit in UNITS)


def read_unit(path: Path) -> dict[str, list[str]]:
    """A systemd unit's settings (every section), continuation lines joined; a repeated key keeps each value."""
    settings: dict[str, list[str]] = {}
    logical = re.sub(r"\\\n\s*", " ", path.read_text())
    for line in logical.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def manager_conf() -> dict[str, list[tuple[str, str]]]:
    """manager.conf as (key, value) pairs per section, in order (permit, deny and eventfilter repeat)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for raw in MANAGER_CONF.read_text().splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        elif "=" in line:
            key, _, value = line.partition("=")
            current.append((key.strip(), value.strip()))
    return sections


def the_ami_user() -> list[tuple[str, str]]:
    users = {name: pairs for name, pairs in manager_conf().items() if name != "general"}
    assert len(users) == 1, f"one AMI user for ivrgraph, found {sorted(users)}"
    return next(iter(users.values()))


def classes(pairs: list[tuple[str, str]], key: str) -> set[str]:
    values = [value for name, value in pairs if name == key]
    assert len(values) == 1, f"{key} is set once"
    return {part.strip() for part in values[0].split(",") if part.strip()}


def event_classes_captured() -> dict[str, str]:
    """Event name -> its AMI class, as Asterisk 22 sent them in the captured callback call (c1x.txt)."""
    text = (CAPTURES / "ami" / "c1x.txt").read_text(encoding="latin-1")
    pairs = re.findall(r"\| Event: (\w+)\\r\\n\s*\| Privilege: (\w+),all\\r\\n", text)
    return dict(pairs)


def test_every_option_the_guide_and_the_units_name_is_one_ivrgraph_takes() -> None:
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", documented_text()))
    assert named & ivrgraph_options(), "the guide names ivrgraph's options"
    unknown = named - ivrgraph_options() - OTHER_PROGRAMS_OPTIONS
    assert not unknown, f"no ivrgraph command takes {sorted(unknown)}"


def test_every_environment_variable_the_guide_and_the_units_name_is_read_by_the_code() -> None:
    named = set(re.findall(r"\bIVRGRAPH_[A-Z0-9_]*[A-Z0-9]\b", documented_text()))
    assert {"IVRGRAPH_DATABASE_URL", "IVRGRAPH_MEDIA_ROOT", "IVRGRAPH_ADMIN_PASSWORD"} <= named
    unknown = named - environment_the_code_reads() - dialplan_globals()
    assert not unknown, f"the code reads no {sorted(unknown)}"


def test_every_metric_the_guide_names_is_one_a_node_exports() -> None:
    exported = set(re.findall(r"\"(ivrgraph_[a-z_]+)\"", source_text("agi_server")))
    named = {re.sub(r"_total$", "", name) for name in re.findall(r"\bivrgraph_[a-z_]*[a-z]\b", GUIDE.read_text())}
    assert named, "the guide names the metrics to watch"
    assert not named - exported, f"no node exports {sorted(named - exported)}"


def test_the_guide_links_only_to_files_that_exist() -> None:
    links = re.findall(r"\]\(((?!https?:)[^)#]+)", GUIDE.read_text())
    assert links
    assert [link for link in links if not (GUIDE.parent / link).exists()] == []


@pytest.mark.parametrize("unit", UNITS)
def test_a_unit_starts_a_command_ivrgraph_accepts_and_gives_it_time_to_stop(unit: str) -> None:
    settings = read_unit(DEPLOY / unit)
    command = shlex.split(settings["ExecStart"][-1])
    assert Path(command[0]).name == "ivrgraph"
    args = build_parser().parse_args(command[1:])  # SystemExit(2) for an option or a value it does not take
    assert settings["KillSignal"] == ["SIGTERM"]
    assert settings["Restart"] == ["on-failure"]
    assert settings["EnvironmentFile"] == ["/etc/ivrgraph/env"]
    assert settings["User"] != ["root"]
    # Below max_calls + SPARE_FILES a node takes fewer calls than --max-calls (calls_within_open_file_limit).
    assert int(settings["LimitNOFILE"][-1]) >= args.max_calls + SPARE_FILES
    # SIGTERM: calls get --shutdown-deadline, cancelled ones a few seconds to close, the record writer CLOSE_TIMEOUT
    # before it spools the rest, stuck threads STUCK_THREADS_GRACE; systemd's SIGKILL must not come before.
    hanging_up = 2 * HANG_UP_WAIT  # the callbacks still ringing at the deadline (agi_server.dialer)
    stopping = args.shutdown_deadline + hanging_up + CANCELLED_CALLS_GRACE + CLOSE_TIMEOUT + STUCK_THREADS_GRACE
    assert float(settings["TimeoutStopSec"][-1]) > stopping


def test_the_ami_user_may_send_what_the_dialer_sends_and_nothing_that_runs_commands() -> None:
    sent = set(re.findall(r"\b(?:action|list_action|encode_action)\(\s*\"([A-Z]\w+)\"", source_text("agi_server")))
    assert {"Login", "Originate", "CoreShowChannels"} <= sent
    unknown = sent - ACTION_CLASSES.keys()
    assert not unknown, f"{unknown}: find its class in Asterisk's main/manager.c, grant it in manager.conf"
    user = the_ami_user()
    write = classes(user, "write")
    for action in sent:
        needed = ACTION_CLASSES[action]
        assert not needed or needed & write, f"{action} needs one of {sorted(needed)}"
    assert not write & DANGEROUS_WRITE


def test_the_ami_user_receives_every_event_the_dialer_waits_for_and_only_those() -> None:
    waited_for = set(re.findall(r"message\.name == \"(\w+)\"", source_text("agi_server"))) | {STATE_EVENT}
    assert {"OriginateResponse", "Hangup"} <= waited_for
    user = the_ami_user()
    # Advanced filter syntax (Asterisk 18.25, 20.10, 21.5, 22.0): eventfilter(name(<event>)) =
    filtered = {match for key, _ in user for match in re.findall(r"^eventfilter\(.*\bname\((\w+)\)", key)}
    assert waited_for <= filtered
    captured = event_classes_captured()
    # Asterisk sends an event only to a user whose read classes hold all of the event's (process_events).
    assert classes(user, "read") == {captured[event] for event in waited_for}


def test_the_ami_user_is_reachable_only_from_the_hosts_it_permits() -> None:
    acl = [(key, value) for key, value in the_ami_user() if key in ("deny", "permit", "acl")]
    # Asterisk applies every rule in order and the last match wins, so a leading deny-all makes the permits a list.
    assert acl[0] == ("deny", "0.0.0.0/0.0.0.0")
    assert any(key == "permit" for key, _ in acl[1:])


def test_the_example_dialplan_has_the_contexts_ivrgraph_sends_calls_into() -> None:
    dialplan = DIALPLAN.read_text()
    outbound, transfers = DialerSettings(), ChannelSettings()
    context = re.search(rf"^\[{re.escape(outbound.context)}\]\n(.*?)(?=^\[|\Z)", dialplan, re.M | re.S)
    assert context is not None
    assert re.search(rf"^exten => {outbound.exten},{outbound.priority},", context.group(1), re.M)
    assert f"[{transfers.number_context}]" in dialplan


README = ROOT / "README.md"
# What the guide quotes of a node's log, each as the code words it (agi_server/server.py start() and
# `_lookup_failed`, agi_server/errors.py ScenarioLookupFailed, agi_server/loop_watch.py, graph_engine/registry.py):
# an operator greps the log for these, so a rewording must fail here rather than in an outage.
LOG_LINES_QUOTED = (
    "Asterisk peers allowed:",
    "wait in other spool folders",
    "could not be loaded",
    "phone numbers in the log:",
    "lets in loopback peers only",
    "could not be looked up:",
    "the event loop has been blocked for over",
    "the event loop runs again",
    "fail validation, calls reaching them fail",
    "call cancelled at the shutdown deadline",
    "call records the database refused are set aside",
)


def statuses_a_node_sets() -> set[str]:
    """Every IVRGRAPH_STATUS value the FastAGI server sets on a call before closing it."""
    return set(re.findall(r"STATUS_VARIABLE, \"([A-Z_]+)\"", (ROOT / "agi_server" / "server.py").read_text()))


def test_after_every_agi_call_the_example_dialplan_routes_each_status_a_node_sets() -> None:
    """A call the shutdown deadline cut off between commands is told IVRGRAPH_STATUS=STOPPING (server.py
    `_close_call`) and closed cleanly, so AGISTATUS is SUCCESS: routed like OVERLOADED, or the caller is hung up on.
    A call a stopping node turns away is told DRAINING (`_refuse_overload`), one over the cap OVERLOADED."""
    statuses = statuses_a_node_sets()
    assert {"OVERLOADED", "DRAINING", "STOPPING"} <= statuses
    text = DIALPLAN.read_text()
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith(";")]
    agi_lines = [index for index, line in enumerate(lines) if re.search(r"\bAGI\((h?agi)://", line)]
    assert agi_lines
    for index in agi_lines:
        after = []
        for line in lines[index + 1 :]:
            if "GotoIf(" not in line:
                break
            after.append(line)
        for status in statuses:
            routed = f'GotoIf($["${{IVRGRAPH_STATUS}}" = "{status}"]?fallback,s,1)'
            # A stopping node's DRAINING may be tried once more on the cluster first (tests/examples/test_dialplan.py).
            again = f'GotoIf($["${{IVRGRAPH_STATUS}}" = "{status}"]?again)' if status == "DRAINING" else routed
            assert any(line.endswith((routed, again)) for line in after), (lines[index], status)
    header = "\n".join(line for line in text.splitlines() if line.startswith(";"))
    assert not {status for status in statuses if f"IVRGRAPH_STATUS={status}" not in header}, "the header tells each"


def test_the_guide_says_what_a_call_is_told_when_the_node_stops() -> None:
    assert statuses_a_node_sets() <= set(re.findall(r"IVRGRAPH_STATUS=([A-Z_]+)", GUIDE.read_text()))


def test_the_readme_configuration_table_names_every_variable_of_the_fastagi_options() -> None:
    """agi_server/options.py reads the FastAGI node's own settings (`ivrgraph agi` and `ivrgraph serve`)."""
    read = set(re.findall(r"[\"'](IVRGRAPH_[A-Z0-9_]+)[\"']", (ROOT / "agi_server" / "options.py").read_text()))
    assert {"IVRGRAPH_FALLBACK_LANGUAGE", "IVRGRAPH_FALLBACK_PHRASE"} <= read
    table = "\n".join(line for line in README.read_text().splitlines() if line.startswith("| `IVRGRAPH_"))
    assert not {name for name in read if f"`{name}`" not in table}


@pytest.mark.parametrize("words", LOG_LINES_QUOTED)
def test_what_the_guide_quotes_of_the_log_is_what_the_code_logs(words: str) -> None:
    assert words in GUIDE.read_text()
    assert words in source_text("agi_server", "graph_engine")
