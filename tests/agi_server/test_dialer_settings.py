"""The dialer's settings: checked where the node reads them, and a bad one never fails the jobs it claims.

AMI review: a node with `IVRGRAPH_DIAL_CALLER_ID=$'"ACME" <5550100>\\r'` (a CRLF env file) started; the 4 jobs it
claimed ended failed after 1 of 3 attempts with `unsendable: header CallerID contains '\\r'`, nothing dialled, while
/api/dialer said running. And the retry intervals and the ring timeout were fixed in code, undocumented.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from agi_server.ami import AmiClient
from agi_server.ami_protocol import DialOutcome
from agi_server.dialer import DialerStatus
from agi_server.dialer_settings import DialerSettings
from agi_server.errors import SettingError
from agi_server.job_stores import MemoryJobStore
from graph_engine.services import FixedClock
from persistence.migrate import upgrade
from tests.agi_server.test_cli import _node_env
from tests.agi_server.test_dialer import T0, job, make_dialer
from tests.agi_server.test_dialer_trunk import settle
from tests.fakes.ami import FakeAmi

CRLF_CALLER_ID = '"ACME" <5550100>\r'  # the review's: a value read from an env file with Windows line ends


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def store() -> MemoryJobStore:
    return MemoryJobStore()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("IVRGRAPH_DIAL_CALLER_ID", CRLF_CALLER_ID, "a line break or NUL cannot be sent to AMI"),
        ("IVRGRAPH_DIAL_CALLER_ID", '"A"\n<1>', "a line break or NUL cannot be sent to AMI"),
        ("IVRGRAPH_DIAL_CONTEXT", "ivrgraph-outbound\r", "a line break or NUL cannot be sent to AMI"),
        ("IVRGRAPH_DIAL_CONTEXT", "out\x00", "a line break or NUL cannot be sent to AMI"),
        # d5: Asterisk drops an action with a line of 1024 bytes or more.
        ("IVRGRAPH_DIAL_CALLER_ID", "x" * 1100, "header CallerID is 1112 bytes; Asterisk drops actions with lines"),
        ("IVRGRAPH_DIAL_CONTEXT", "c" * 1020, "header Context is 1031 bytes; Asterisk drops actions with lines"),
        (
            "IVRGRAPH_DIAL_CHANNEL",
            "PJSIP/{number}@" + "t" * 990,
            "(with a number of 32 digits): header Channel is 1040 bytes",
        ),
    ],
)
def test_a_dial_setting_that_cannot_be_sent_stops_the_node_at_start(setting: str, value: str, message: str) -> None:
    """Every value that becomes an Originate header is checked as the AMI secret is: CR, LF or NUL, or a line too
    long for Asterisk, refuses the setting by its name instead of failing each job later."""
    with pytest.raises(SettingError) as caught:
        DialerSettings.from_environ({setting: value})
    assert str(caught.value).startswith(setting) and message in str(caught.value), caught.value


def test_good_dial_settings_are_taken_as_they_are() -> None:
    settings = DialerSettings.from_environ(
        {"IVRGRAPH_DIAL_CALLER_ID": '"ACME Dialer" <5550100>', "IVRGRAPH_DIAL_CONTEXT": "callbacks"}
    )
    assert (settings.caller_id, settings.context, settings.exten) == ('"ACME Dialer" <5550100>', "callbacks", "s")
    blank = DialerSettings.from_environ({"IVRGRAPH_DIAL_CALLER_ID": "", "IVRGRAPH_DIAL_CONTEXT": ""})
    assert (blank.caller_id, blank.context) == (None, "ivrgraph-outbound")  # blank is unset, as for the others


def test_the_node_refuses_to_start_with_a_crlf_caller_id(tmp_path: Path) -> None:
    """`ivrgraph agi` as the review ran it: one line naming the variable, exit 2, nothing served."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(url)
    env = _node_env(url, tmp_path, IVRGRAPH_AMI_HOST="127.0.0.1", IVRGRAPH_DIAL_CALLER_ID=CRLF_CALLER_ID)
    done = subprocess.run(
        [sys.executable, "-m", "ivrgraph.cli", "agi", "--port", "0"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=30,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(
        "ivrgraph agi: error: IVRGRAPH_DIAL_CALLER_ID='\"ACME\" <5550100>\\r': a line break or NUL cannot be sent"
    ), line


async def test_a_setting_that_cannot_be_sent_pauses_the_dialer_and_fails_no_job(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Settings made in code rather than read from the environment reach `Dialer` unchecked: an Originate that
    cannot be sent for the node's own setting is no fault of the job. It goes back untouched, dialling pauses as
    when Asterisk refuses an Originate, and the status says so; before, each claimed job ended failed."""
    for n in range(4):
        store.add(job(f"job-{n}", f"200{n}"))
    dialer = make_dialer(store, ami, clock, caller_id=CRLF_CALLER_ID)
    with caplog.at_level(logging.ERROR, logger="agi_server.dialer"):
        started = await dialer.run_once()
        await settle(dialer)
    assert started
    assert fake.actions("Originate") == []
    assert [(j.status, j.attempts, j.attempt_log, j.locked_by) for j in store.jobs.values()] == [
        ("pending", 0, [], None)
    ] * 4
    assert dialer.status() == DialerStatus("paused", "originate_refused", T0 + timedelta(minutes=1), node="node-a")
    said = [r.getMessage() for r in caplog.records if r.name == "agi_server.dialer"]
    assert said and all("this node's dial settings cannot be sent to AMI: header CallerID contains '\\r'" in line
                        and "check IVRGRAPH_DIAL_CALLER_ID" in line and "keeps its attempts" in line
                        for line in said), said  # fmt: skip
    clock.advance(30)
    assert await dialer.run_once() == []  # paused: no job is claimed to be given back again


# ---------------------------------------------------------------------------------------------------------------
# Retry intervals and the ring timeout


def test_the_retry_intervals_and_the_ring_timeout_come_from_the_environment() -> None:
    defaults = DialerSettings.from_environ({})
    assert defaults.retry_after == {
        DialOutcome.BUSY: timedelta(minutes=5),
        DialOutcome.NO_ANSWER: timedelta(minutes=15),
        DialOutcome.FAILED: timedelta(minutes=10),
    }
    assert defaults.ring_timeout == timedelta(seconds=30)
    settings = DialerSettings.from_environ(
        {
            "IVRGRAPH_DIAL_RETRY_BUSY": "90",
            "IVRGRAPH_DIAL_RETRY_NO_ANSWER": " 3600 ",
            "IVRGRAPH_DIAL_RETRY_FAILED": "",
            "IVRGRAPH_DIAL_RING_TIMEOUT": "45",
        }
    )
    assert settings.retry_after == {
        DialOutcome.BUSY: timedelta(seconds=90),
        DialOutcome.NO_ANSWER: timedelta(hours=1),
        DialOutcome.FAILED: timedelta(minutes=10),  # blank: the default
    }
    assert settings.ring_timeout == timedelta(seconds=45)


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("IVRGRAPH_DIAL_RETRY_BUSY", "5m", "expected a whole number of seconds from 1 to 604800"),
        ("IVRGRAPH_DIAL_RETRY_NO_ANSWER", "0", "expected a whole number of seconds from 1 to 604800"),
        ("IVRGRAPH_DIAL_RETRY_FAILED", "900000", "expected a whole number of seconds from 1 to 604800"),
        ("IVRGRAPH_DIAL_RING_TIMEOUT", "30000", "expected a whole number of seconds from 5 to 120"),
        ("IVRGRAPH_DIAL_RING_TIMEOUT", "2", "expected a whole number of seconds from 5 to 120"),
    ],
)
def test_a_bad_interval_is_refused_by_its_name(setting: str, value: str, expected: str) -> None:
    with pytest.raises(SettingError) as caught:
        DialerSettings.from_environ({setting: value})
    assert str(caught.value) == f"{setting}={value!r}: {expected}"


async def test_the_dialer_rings_and_retries_as_set(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock
) -> None:
    """The Originate's Timeout (milliseconds, c-errors.txt test 7) is the ring timeout set; a busy callee
    (c2x.txt) is due again after the busy interval set."""
    settings = DialerSettings.from_environ({"IVRGRAPH_DIAL_RETRY_BUSY": "90", "IVRGRAPH_DIAL_RING_TIMEOUT": "45"})
    store.add(job("busy", "2000"))
    dialer = make_dialer(store, ami, clock, retry_after=settings.retry_after, ring_timeout=settings.ring_timeout)
    await dialer.run_once()
    await settle(dialer)
    (originate,) = fake.actions("Originate")
    assert originate.get("Timeout") == "45000"
    busy = store.jobs["busy"]
    assert (busy.status, busy.attempts, busy.due) == ("pending", 1, T0 + timedelta(seconds=90))
