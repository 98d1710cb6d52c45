"""`ivrgraph agi`: the parser, and `run_agi` serving the examples folder until asked to stop."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agi_server.ami_errors import AmiConnectionError
from agi_server.cli import add_parser, run_agi, run_database_agi, run_or_explain, scenario_source
from agi_server.dial_jobs import SHUTDOWN_HANGUP
from agi_server.dialer import HANG_UP_WAIT
from agi_server.errors import CannotListen, SettingError
from agi_server.options import fastagi_config
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.services import Services
from persistence import callbacks, scenarios
from persistence.calls import CallFilter, list_calls
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.publishing import publish
from tests.agi_server.conftest import EXAMPLES, MemoryRecords, call, database_node
from tests.conftest import free_port
from tests.fakes.ami import FakeAmi
from tests.fakes.asterisk import FakeAsterisk, default_env
from tests.persistence import documents, pg, published

ROOT = Path(__file__).resolve().parents[2]


def test_parser() -> None:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["agi", "--host", "127.0.0.1", "--port", "4600", "--allow", "10.0.0.0/8"])
    assert (args.host, args.port, args.allow) == ("127.0.0.1", 4600, ["10.0.0.0/8"])
    assert set(scenario_source(argparse.Namespace(scenarios=str(EXAMPLES))).slugs()) >= {"inbound-hotline"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("arguments", "environment", "message"),
    [
        (["--port", "70000"], {}, "'70000' is not a port"),
        (["--allow", "not-a-network"], {}, "'not-a-network' is not a network"),
        ([], {"IVRGRAPH_AGI_ALLOW": "10.0.0.0/8,bogus"}, "IVRGRAPH_AGI_ALLOW: 'bogus' is not a network"),
        (["--max-calls", "0"], {}, "'0' must be at least 1"),  # started, then refused every call
        (["--shutdown-deadline", "-3"], {}, "'-3' must be a number of seconds, 0 or more"),
        (["--idle-timeout", "0"], {}, "'0' must be a number of seconds above 0"),
        (["--dial-options", "zz;rm"], {}, "dial options"),
        (["--log-level", "LOUD"], {}, "invalid choice"),
        (["--allow", "10.0.0.0/33"], {}, "'10.0.0.0/33' is not a network"),
        (["--scenarios", "/nonexistent"], {}, "no scenario folder '/nonexistent'"),
    ],
)
def test_a_setting_that_cannot_work_stops_the_command_with_one_line(
    arguments: list[str], environment: dict[str, str], message: str
) -> None:
    """Review of 2026-12-05: these gave tracebacks, or a server that started and then refused every call."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVRGRAPH_")} | environment
    done = subprocess.run(
        [sys.executable, "-m", "ivrgraph.cli", "agi", *arguments], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


def test_a_port_in_use_is_one_line_not_a_traceback() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "ivrgraph.cli", "agi", "--port", str(port), "--scenarios", str(EXAMPLES)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (  # which server, and where (review of 2026-12-05, operations)
        f"ivrgraph agi: error: cannot listen for FastAGI on 127.0.0.1:{port}: address already in use"
    )


def test_dial_options_are_checked() -> None:
    from agi_server.channel import ChannelSettings

    with pytest.raises(ValueError):
        ChannelSettings(dial_options="gM(x)")
    with pytest.raises(ValueError):  # dial_argument refuses a flag given twice: refused at start, not per transfer
        ChannelSettings(dial_options="gg")
    assert ChannelSettings(dial_options="gT").dial_options == "gT"


async def test_run_agi_serves_every_example_by_slug(records: MemoryRecords) -> None:
    source = scenario_source(argparse.Namespace(scenarios=str(EXAMPLES)))
    stop = asyncio.Event()
    started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_agi(
            AgiServerConfig(port=0),
            source=source,
            services=Services(),
            write_batch=records.write_batch,
            stop=stop,
            ready=started.set_result,
        )
    )
    server = await started
    slugs = source.slugs()  # type: ignore[attr-defined]
    for slug in slugs:
        await call(server, slug, time_scale=0.001)
    stop.set()
    await task
    assert sorted(r.scenario for r in records.records) == sorted(slugs)
    assert all(r.outcome != "unknown_scenario" and r.trace["steps"] for r in records.records)


async def test_sigterm_lets_the_call_in_flight_end_cleanly(tmp_path: Path) -> None:
    """`ivrgraph agi` under SIGTERM: stops accepting, cancels the call at the deadline, half-closes, exits 0."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivrgraph.cli",
        "agi",
        "--port",
        str(port),
        "--scenarios",
        str(EXAMPLES),
        "--shutdown-deadline",
        "0.5",
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    await _until_listening(process.stderr)
    fake = FakeAsterisk("127.0.0.1", port, env=default_env("callback-connect"), default_media_seconds=30.0, hold=10)
    running = asyncio.create_task(fake.run(timeout=20))
    while not fake.call.commands or not fake.call.commands[-1].startswith("STREAM FILE"):
        await asyncio.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    returncode = await asyncio.wait_for(process.wait(), 10)
    logs = (await process.stderr.read()).decode()
    call = await running
    assert returncode == 0, logs
    assert call.server_half_closed and call.interrupted == 1  # our close stopped the prompt, as on a real line
    assert "1 calls cancelled at the deadline" in logs


async def _recorded_versions(database: Database, count: int) -> list[int | None]:
    """The versions of the first `count` call records, oldest first, once the node has written them."""
    async with asyncio.timeout(10):
        while True:
            with database.session() as session:
                rows, _ = list_calls(session, filters=CallFilter(scenario="hello"), limit=count + 1)
            if len(rows) >= count:
                return [row.version for row in sorted(rows, key=lambda row: row.started_at)]
            await asyncio.sleep(0.05)


async def _until_listening(stderr: asyncio.StreamReader) -> None:
    """Read the node's log until it says it listens; fail with what it said if it ends first (an end of file
    read again and again would otherwise spin for ever, as `readline` answers b"" at once)."""
    said = []
    while b"FastAGI listening" not in (line := await asyncio.wait_for(stderr.readline(), 20)):
        assert line, "ivrgraph agi ended before it listened:\n" + b"".join(said).decode(errors="replace")
        said.append(line)


async def test_database_node_answers_a_new_version_within_the_poll_interval(tmp_path: Path) -> None:
    """An extra node (`ivrgraph agi` with IVRGRAPH_DATABASE_URL) on the SQLite file another process publishes
    to: the first call caches version 1; version 2, published through persistence.publishing outside the node,
    answers the next call once one poll interval has passed. Both records land in the shared database."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(url)
    database = Database(url)
    registry = default_registry()
    with database.session() as session:
        scenarios.create_scenario(session, slug="hello", document=documents.greeting("Hello"), actor="ana")
    with database.session() as session:
        await publish(session, slug="hello", message="v1", actor="ana", registry=registry)
    port = free_port()
    poll = 0.5
    env = {
        **os.environ,
        "IVRGRAPH_DATABASE_URL": url,
        "IVRGRAPH_MEDIA_ROOT": str(tmp_path / "media"),
        "IVRGRAPH_AMI_HOST": "",
    }
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "ivrgraph.cli", "agi", "--port", str(port), "--poll-interval", str(poll)),
        env=env,
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        await _until_listening(process.stderr)
        await FakeAsterisk("127.0.0.1", port, env=default_env("hello"), hold=2).run(timeout=20)
        assert await _recorded_versions(database, 1) == [1]
        with database.session() as session:
            scenarios.save_draft(session, slug="hello", revision=1, document=documents.greeting("Hi"), actor="ana")
        with database.session() as session:
            await publish(session, slug="hello", message="v2", actor="ana", registry=registry)
        await asyncio.sleep(poll * 1.2)  # one poll interval, and a margin for the poll's own query
        await FakeAsterisk("127.0.0.1", port, env=default_env("hello"), hold=2).run(timeout=20)
        assert await _recorded_versions(database, 2) == [1, 2]
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(process.wait(), 10)
        logs = (await process.stderr.read()).decode()
        database.dispose()
    assert returncode == 0, logs


def _dial_through(fake: FakeAmi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A database node's environment for dialling callbacks through the fake AMI peer."""
    for name, value in {
        "IVRGRAPH_AMI_HOST": "127.0.0.1",
        "IVRGRAPH_AMI_PORT": str(fake.port),
        "IVRGRAPH_AMI_USERNAME": "probe",
        "IVRGRAPH_AMI_SECRET": "probe",
        "IVRGRAPH_DIAL_CONTEXT": "outbound-ivr",
        "IVRGRAPH_DIAL_CHANNEL": "Local/{number}@callees/n",
        "IVRGRAPH_MEDIA_ROOT": str(tmp_path / "media"),
    }.items():
        monkeypatch.setenv(name, value)


async def test_database_node_dials_callbacks_when_ami_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IVRGRAPH_AMI_HOST set: the database node logs in to AMI (fake, a-login.txt) and dials the due callback
    job (c1x.txt's callee answers), then logs off when asked to stop."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(url)
    database = Database(url)
    published.publish(database, "greet")  # the dialer rings callees only into a published scenario
    with database.session() as session:
        job_id = callbacks.create_job(session, number="1123", scenario="greet", due=datetime.now(UTC)).id
    fake = FakeAmi(time_scale=0.01)
    await fake.start()
    _dial_through(fake, monkeypatch, tmp_path)
    stop = asyncio.Event()
    node = asyncio.create_task(run_database_agi(AgiServerConfig(port=0), database_url=url, stop=stop))
    try:
        async with asyncio.timeout(10):
            while True:
                with database.session() as session:
                    if callbacks.get_job(session, job_id=job_id).status == "done":
                        break
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await node
        await fake.close()
        database.dispose()
    originate = fake.actions("Originate")[0]
    assert originate.get("Channel") == "Local/1123@callees/n"
    assert [v for n, v in originate.headers if n == "Variable"] == ["IVR_SCENARIO=greet", f"JOB_ID={job_id}"]
    assert fake.actions("Logoff")


async def test_shutdown_with_a_callback_ringing_keeps_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database node dialling through AMI (fake; c3x.txt: 3000 rings 30 s) is asked to stop with a 0.5 s
    deadline: it keeps listening while the callback rings (a callee who answers must be heard:
    test_shutdown_mid_campaign.py), hangs the call up at the deadline and exits then (the dialer used to wait 10 s),
    the ringing call's attempt recorded, uncounted."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(url)
    database = Database(url)
    published.publish(database, "greet")  # the dialer rings callees only into a published scenario
    with database.session() as session:
        job_id = callbacks.create_job(session, number="3000", scenario="greet", due=datetime.now(UTC)).id
    fake = FakeAmi()
    await fake.start()
    _dial_through(fake, monkeypatch, tmp_path)
    stop = asyncio.Event()
    started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
    config = AgiServerConfig(port=0, shutdown_deadline=0.5)
    node = asyncio.create_task(run_database_agi(config, database_url=url, stop=stop, ready=started.set_result))
    try:
        port = (await started).port
        async with asyncio.timeout(10):
            while not fake.actions("Originate"):
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        with database.session() as session:  # still ringing
            assert callbacks.get_job(session, job_id=job_id).status == "dialing"
        stop.set()
        await asyncio.sleep(0.1)
        _, writer = await asyncio.open_connection("127.0.0.1", port)  # still listening: the callback rings
        writer.close()
        async with asyncio.timeout(0.5 + 2 * HANG_UP_WAIT + 1.0):
            await node
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", port)
        with database.session() as session:
            job = callbacks.get_job(session, job_id=job_id)
            attempts = callbacks.list_attempts(session, job_id=job_id)
    finally:
        stop.set()
        await fake.close()
        database.dispose()
    assert (job.status, job.attempts) == ("pending", 0)
    assert [attempt.outcome for attempt in attempts] == [SHUTDOWN_HANGUP]
    assert len(fake.actions("Hangup")) == 1


def _listening_addresses(port: int) -> set[str]:
    """The IPv4 addresses something listens on at `port` on this machine (Linux's /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, port_hex = local.partition(":")
        if state == "0A" and int(port_hex, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


async def test_metrics_answer_on_loopback_unless_told_otherwise(records: MemoryRecords) -> None:
    """Review of 2026-12-05: the metrics port bound the FastAGI address (0.0.0.0 on a node facing its Asterisk
    hosts) and is not behind their allow-list."""
    metrics_port = free_port()
    stop = asyncio.Event()
    started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
    source = scenario_source(argparse.Namespace(scenarios=str(EXAMPLES)))
    config = AgiServerConfig(host="0.0.0.0", port=0)
    node = asyncio.create_task(
        run_agi(
            config, source=source, services=Services(), metrics_port=metrics_port, stop=stop, ready=started.set_result
        )
    )
    await started
    try:
        assert _listening_addresses(metrics_port) == {"127.0.0.1"}
    finally:
        stop.set()
        await node


def test_settings_that_worked_before_still_do(caplog: pytest.LogCaptureFixture) -> None:
    """Review of 2026-12-05: the stricter options refused WARN/CRITICAL and host-bit networks, which a
    running service may have been started with; an upgrade must not stop it."""
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["agi", "--log-level", "warn", "--allow", "10.0.0.5/24", "--allow", "::1"])
    assert (args.log_level, args.allow) == ("WARN", ["10.0.0.5/24", "::1"])
    fastagi_config(args, host="127.0.0.1", port=0)  # says it once logging is set up, not while argparse reads
    assert "allows all of 10.0.0.0/24" in caplog.text  # said, since the address alone may have been meant
    for level in ("critical", "error", "debug"):
        assert parser.parse_args(["agi", "--log-level", level]).log_level == level.upper()


def _node_env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """A database node's environment: no IVRGRAPH_ setting of the test runner's leaks in."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("IVRGRAPH_")}
    return base | {"IVRGRAPH_DATABASE_URL": url, "IVRGRAPH_MEDIA_ROOT": str(tmp_path / "media")} | extra


@pytest.mark.parametrize(
    ("database", "advice"),
    [("older", "run `ivrgraph db upgrade`"), ("newer", "upgrade ivrgraph")],
)
def test_a_node_refuses_a_database_at_another_schema_revision(tmp_path: Path, database: str, advice: str) -> None:
    """Operations review, 2026-12-05: during a rolling upgrade `ivrgraph agi` started on a database older than
    its code and broke answered callbacks (no such column: callback_jobs.reached_at; the callee heard silence),
    and it started as well on a database newer than its code. It refuses, in one line naming both revisions."""
    from alembic import command

    from persistence.migrate import alembic_config, head_revision

    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(url)
    head = head_revision()
    if database == "older":
        command.downgrade(alembic_config(url), "-1")
    with Database(url).engine.begin() as connection:
        if database == "newer":
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
        found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    port = free_port()
    done = subprocess.run(
        [sys.executable, "-m", "ivrgraph.cli", "agi", "--port", str(port)],
        capture_output=True, text=True, env=_node_env(url, tmp_path), cwd=tmp_path, timeout=30,
    )  # fmt: skip
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr
    assert len(lines) == 1 and lines[0].startswith("ivrgraph agi: error: "), done.stderr
    assert found in lines[0] and head in lines[0] and advice in lines[0]


async def test_run_database_agi_checks_the_schema_before_it_listens(tmp_path: Path) -> None:
    from persistence.migrate import SchemaMismatch

    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"  # never migrated
    stop = asyncio.Event()
    stop.set()
    ready: list[AgiServer] = []
    with pytest.raises(SchemaMismatch, match="ivrgraph db upgrade"):
        await run_database_agi(AgiServerConfig(port=0), database_url=url, stop=stop, ready=ready.append)
    assert not ready


@pytest.mark.parametrize(
    ("command", "setting", "message"),
    [
        ("agi", {"IVRGRAPH_AMI_PORT": "abc"}, "IVRGRAPH_AMI_PORT='abc': expected a whole number from 1 to 65535"),
        ("agi", {"IVRGRAPH_DIAL_MAX_LINES": "abc"}, "IVRGRAPH_DIAL_MAX_LINES='abc': expected a whole number 1 or more"),
        ("agi", {"IVRGRAPH_DIAL_MAX_LINES": "0"}, "IVRGRAPH_DIAL_MAX_LINES='0': expected a whole number 1 or more"),
        ("serve", {"IVRGRAPH_AMI_PORT": "70000"}, "IVRGRAPH_AMI_PORT='70000': expected a whole number from 1 to"),
    ],
)
def test_a_bad_environment_value_is_one_line_naming_it(
    tmp_path: Path, command: str, setting: dict[str, str], message: str
) -> None:
    """Operations review, 2026-12-05: IVRGRAPH_AMI_PORT=abc or IVRGRAPH_DIAL_MAX_LINES=abc gave a traceback ending
    in "invalid literal for int()" (and "cannot listen" in front of nothing of the sort). Exit 2, as argparse."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(url)
    env = _node_env(url, tmp_path, IVRGRAPH_AMI_HOST="127.0.0.1", **setting)
    ports = ["--port", "0"] if command == "agi" else ["--port", "0", "--agi-port", "0"]
    done = subprocess.run(
        [sys.executable, "-m", "ivrgraph.cli", command, *ports],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=30,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"ivrgraph {command}: error: {message}"), done.stderr


async def _raising(error: BaseException) -> None:
    raise error


def _alembic_error(text: str) -> Exception:
    from alembic.util import CommandError

    return CommandError(text)


def _schema_mismatch(text: str) -> Exception:
    from persistence.migrate import SchemaMismatch

    return SchemaMismatch(text)


@pytest.mark.parametrize(
    ("error", "code", "said"),
    [
        (
            _schema_mismatch("the database is at schema revision 0006, and this ivrgraph runs on 0008: run it"),
            1,
            "error: the database is at schema revision 0006, and this ivrgraph runs on 0008: run it",
        ),
        (
            _alembic_error("Can't locate revision identified by '0009'"),
            1,
            "error: the database cannot be migrated: Can't locate revision identified by '0009' (the database was"
            " migrated by a newer ivrgraph: upgrade ivrgraph)",
        ),
        (
            AmiConnectionError("cannot reach AMI at 10.0.0.5:5038: [Errno 111] Connect call failed"),
            1,
            "error: AMI: cannot reach AMI at 10.0.0.5:5038: [Errno 111] Connect call failed",
        ),
        (
            PermissionError(13, "Permission denied", "/var/lib/ivrgraph/spool"),
            1,
            "error: cannot start: [Errno 13] Permission denied: '/var/lib/ivrgraph/spool'",
        ),
        (
            CannotListen("FastAGI", "0.0.0.0", 4573, OSError(98, "address already in use")),
            1,
            "error: cannot listen for FastAGI on 0.0.0.0:4573: address already in use",
        ),
        (
            SettingError("IVRGRAPH_AMI_PORT='abc': expected a port"),
            2,
            "error: IVRGRAPH_AMI_PORT='abc': expected a port",
        ),
    ],
)
def test_what_stops_a_node_is_one_line_worded_for_what_it_is(
    error: Exception, code: int, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Operations review, 2026-12-05: a schema revision the code does not know and alembic's CommandError were
    tracebacks, and every OSError (AMI unreachable, a spool folder) was called "cannot listen"."""
    assert run_or_explain("ivrgraph agi", _raising(error)) == code
    assert capsys.readouterr().err.splitlines() == [f"ivrgraph agi: {said}"]


def _dialer_figures(server: AgiServer) -> dict[str, float]:
    lines = server.metrics.exposition().decode().splitlines()
    wanted = ("ivrgraph_ami_connected", "ivrgraph_dialer_stopped")
    return {name: float(value) for name, value in (line.split() for line in lines if line.startswith(wanted))}


async def _published_hello(database: Database) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug="hello", document=documents.greeting("Hello"), actor="ana")
    with database.session() as session:
        await publish(session, slug="hello", message="v1", actor="ana", registry=default_registry())


async def test_a_node_serves_calls_while_ami_cannot_be_reached_and_dials_once_it_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Operations review, 2026-12-05: ivrgraph booted before Asterisk: AMI refused the connection, and the whole
    node refused to start (inbound IVR, and with `serve` the API, down until a restart). The node serves calls;
    the dialer keeps trying with its reconnect back-off and dials once AMI answers."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(url)
    database = Database(url)
    await _published_hello(database)
    published.publish(database, "greet")
    with database.session() as session:
        callbacks.create_job(session, number="1123", scenario="greet", due=datetime.now(UTC))
    fake = FakeAmi(time_scale=0.01)
    await fake.start()
    await fake.stop_asterisk()  # its port refuses connections, as before Asterisk boots
    _dial_through(fake, monkeypatch, tmp_path)
    try:
        async with database_node(url) as server:
            assert (await call(server, "hello", time_scale=0.001)).commands  # served
            assert _dialer_figures(server) == {"ivrgraph_ami_connected": 0, "ivrgraph_dialer_stopped": 0}
            await fake.start_asterisk()
            async with asyncio.timeout(10):
                while not fake.actions("Originate"):
                    await asyncio.sleep(0.02)
            assert _dialer_figures(server)["ivrgraph_ami_connected"] == 1
    finally:
        await fake.close()
        database.dispose()


async def test_a_login_refused_at_start_stops_the_dialer_not_the_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong AMI secret at start (b-login-wrong-secret.txt) stops the dialer, as on a reconnect, and shows in
    `ivrgraph_dialer_stopped`; the node still serves calls."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(url)
    database = Database(url)
    await _published_hello(database)
    fake = FakeAmi(time_scale=0.01, auth_failure_delay=0.05, secret="rotated")
    await fake.start()
    _dial_through(fake, monkeypatch, tmp_path)
    try:
        async with database_node(url) as server:
            assert (await call(server, "hello", time_scale=0.001)).commands
            assert _dialer_figures(server) == {"ivrgraph_ami_connected": 0, "ivrgraph_dialer_stopped": 1}
    finally:
        await fake.close()
        database.dispose()
    assert len(fake.actions("Login")) == 1  # a refused secret is not knocked with again


def test_the_node_id_is_an_option() -> None:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["agi", "--node-id", "ivr-2"])
    assert fastagi_config(args, host="127.0.0.1", port=0, environ={}).node_id == "ivr-2"
    # Unless told: the host's name with the FastAGI port, so that an `ivrgraph serve` and an `ivrgraph agi` on one
    # host never share one (a restarted node takes back the callback jobs its name left dialling).
    default = fastagi_config(parser.parse_args(["agi"]), host="127.0.0.1", port=4573, environ={})
    assert default.node_id == f"{socket.gethostname()}:4573"


def test_a_node_whose_thread_is_stuck_on_the_database_still_exits(tmp_path: Path) -> None:
    """Review of 2026-12-05: a database frozen in the middle of a query (a stopped server: TCP still acknowledged,
    nothing times out) held the thread running it, and a node told to stop never ended, asyncio and then the
    interpreter waiting for that thread. Once the node has stopped, it exits within the grace whatever its threads
    do; a node whose threads all end exits as before, and a run_or_explain that returns cuts nothing short."""
    program = textwrap.dedent(
        """
        import asyncio, sys, threading, time
        from agi_server.cli import run_or_explain

        async def node(hang):
            if hang:  # a version poll on a frozen database, as the loop's default executor runs it
                asyncio.get_running_loop().run_in_executor(None, threading.Event().wait)
            await asyncio.sleep(0.05)

        code = run_or_explain("ivrgraph agi", node(sys.argv[1] == "hang"), grace=1.0)
        time.sleep(1.5)  # the timer of a run that ended in time must not fire now
        print("returned", code, flush=True)
        """
    )
    started = time.monotonic()
    stuck = subprocess.run(
        [sys.executable, "-c", program, "hang"], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert stuck.returncode == 0 and time.monotonic() - started < 10, stuck.stderr[-2000:]
    assert "exiting: 1 s after the node stopped, threads still at work: asyncio_0" in stuck.stderr
    clean = subprocess.run([sys.executable, "-c", program, "ok"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert clean.returncode == 0 and clean.stdout == "returned 0\n", clean.stderr[-2000:]


def test_a_node_whose_task_ignores_cancellation_still_exits() -> None:
    """A plugin's block that swallows every CancelledError, its call given up on (AgiServer._give_up), holds
    asyncio.run's final cancel-all, and the node told to stop never ended. Once it has stopped, it exits within the
    grace, saying why."""
    program = textwrap.dedent(
        """
        import asyncio
        from agi_server.cli import run_or_explain

        async def stubborn():
            while True:
                try:
                    await asyncio.sleep(10)
                except asyncio.CancelledError:
                    pass

        async def node():
            asyncio.get_running_loop().create_task(stubborn())
            await asyncio.sleep(0.05)

        run_or_explain("ivrgraph agi", node(), grace=1.0)
        print("returned", flush=True)
        """
    )
    started = time.monotonic()
    stuck = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert stuck.returncode == 0 and time.monotonic() - started < 10, stuck.stderr[-2000:]
    assert "exiting: 1 s after the node stopped, a task still ignores its cancellation" in stuck.stderr
    assert stuck.stdout == ""


_FROZEN_SOURCE_NODE = textwrap.dedent(
    """
    import asyncio, socket, sys, threading
    from sqlalchemy.engine import make_url
    from agi_server.cli import run_or_explain
    from persistence import datasources
    from persistence.datasources import DatabaseDataSources, DataSourceError
    from persistence.db import Database
    from persistence.models import Base

    upstream = make_url(sys.argv[2])
    frozen = threading.Event()

    def pump(source, target):  # a proxy that stops passing bytes: the kernel still acknowledges them
        try:
            while data := source.recv(65536):
                while frozen.is_set():
                    threading.Event().wait(3600)
                target.sendall(data)
        except OSError:
            return

    def proxy(listener):
        while True:
            client, _ = listener.accept()
            server = socket.create_connection((upstream.host, upstream.port or 5432))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()

    listener = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=proxy, args=(listener,), daemon=True).start()
    through = upstream.set(host="127.0.0.1", port=listener.getsockname()[1])
    database = Database(f"sqlite:///{sys.argv[1]}")
    Base.metadata.create_all(database.engine)
    with database.session() as session:
        datasources.create_data_source(
            session, name="crm", url=through.render_as_string(hide_password=False), read_only=True
        )

    async def node():
        sources = DatabaseDataSources(database)
        await sources.query("crm", "SELECT 1 AS one", {}, timeout=2, max_rows=1)
        frozen.set()
        try:
            await sources.query("crm", "SELECT 1 AS one", {}, timeout=1, max_rows=1)
        except DataSourceError:
            print("the block failed at its timeout", flush=True)
        sources.close()  # as DatabaseRuntime.stop does

    print("returned", run_or_explain("ivrgraph agi", node(), grace=1.0), flush=True)
    """
)


@pytest.mark.postgres
def test_a_node_whose_data_source_froze_mid_call_still_exits(tmp_path: Path) -> None:
    """Review of 2026-12-05 (the fix above, reviewed): an SQL block's query thread stuck on a data source that
    froze belongs to the data sources' own pool, which the interpreter waits for at exit after run_or_explain
    returned, so the grace timer was cancelled too soon and the node hung. Over a real PostgreSQL behind a proxy
    that stops passing bytes."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _FROZEN_SOURCE_NODE, str(tmp_path / "node.sqlite3"), pg.server_url()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["the block failed at its timeout", "returned 0"]
    assert time.monotonic() - started < 30


async def test_run_agi_closes_the_plugin_services_it_made(
    records: MemoryRecords, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ivrgraph agi` on a folder of scenarios (no database) makes its own services: a plugin's service is closed at
    shutdown, as a node on a database closes its runtime's (an HTTP client pool left open otherwise)."""
    closed: list[str] = []

    class PluginClient:
        async def aclose(self) -> None:
            closed.append("crm")

    monkeypatch.setattr("agi_server.cli.load_plugin_services", lambda: {"crm": PluginClient()})
    stop = asyncio.Event()
    started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_agi(
            AgiServerConfig(port=0),
            source=scenario_source(argparse.Namespace(scenarios=str(EXAMPLES))),
            write_batch=records.write_batch,
            stop=stop,
            ready=started.set_result,
        )
    )
    server = await started
    await call(server, "inbound-hotline", time_scale=0.001)
    assert closed == []  # open while calls may use it
    stop.set()
    await task
    assert closed == ["crm"]
