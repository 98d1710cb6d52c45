"""designer_ui/e2e/fake_pbx.py as someone without an Asterisk runs it: a real `ivrgraph serve` whose dialer logs in to
the fake PBX (a real process, over AMI), a call list uploaded through the HTTP API for the published debt-reminder
example, and the campaign dialled to its end: answered clients run the scenario (their call records carry the job's
answer), a busy client is tried again after the busy interval until the list's attempts run out, and the fake PBX
prints a line for each call.

Callees: +34600111222 and +34600111333 are numbers the captures do not know, answering as 1123 does (--answer-all);
2000 is busy (c2x.txt). The clients press 1 ("will pay") when asked; +34600111333 presses nothing, three times."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from agi_server.ami import AmiClient, AmiSettings, OriginateRequest
from agi_server.ami_protocol import DialOutcome
from tests.api.serve_process import IVRGRAPH, ROOT, clean_env, running_serve
from tests.conftest import free_port

FAKE_PBX = ROOT / "designer_ui" / "e2e" / "fake_pbx.py"
AMI_USER, AMI_SECRET = "ivrgraph", "pbx-secret-1"
CLIENTS = "phone,name,debt_amount\n+34 600 111 222,Ana,120.50\n2000,Bea,80\n+34 600 111 333,Carlos,15\n"
ANY_HOUR = [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "00:00"}]


@contextmanager
def fake_pbx(log: Path, *arguments: str) -> Iterator[subprocess.Popen[bytes]]:
    """fake_pbx.py with `arguments`, its output in `log`, until its listening line; stopped with SIGTERM."""
    with log.open("wb") as output:
        command = [sys.executable, str(FAKE_PBX), *arguments]
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            _until(lambda: "AMI listening" in log.read_text(), "the fake PBX never listened", log, process)
            yield process
        finally:
            process.terminate()
            process.wait(timeout=10)


def _until(condition: Callable[[], Any], what: str, log: Path, process: subprocess.Popen[bytes]) -> Any:
    deadline = time.monotonic() + 30
    while not (found := condition()):
        assert time.monotonic() < deadline and process.poll() is None, f"{what}:\n{log.read_text(errors='replace')}"
        time.sleep(0.1)
    return found


def _sign_in(client: httpx.Client) -> None:
    login = client.post("/api/auth/login", json={"username": "admin", "password": "admin-pass-1"}).json()
    client.headers["X-CSRF-Token"] = login["csrf_token"]


def _start_campaign(client: httpx.Client) -> tuple[str, dict[str, str]]:
    """Upload the list as the designer does (read, then schedule at any hour, two attempts a client): the campaign's
    id and each client's job id by number."""
    read = client.post("/api/callbacks/lists", files={"file": ("clients.csv", CLIENTS.encode(), "text/csv")})
    assert read.status_code == 200, read.text
    listed = read.json()
    body = {
        "scenario": "debt-reminder",
        "rows": listed["rows"],
        "row_numbers": listed["row_numbers"],
        "hours": ANY_HOUR,
        "max_attempts": 2,
        "name": "laptop try",
    }
    scheduled = client.post("/api/callbacks/batch", json=body)
    assert scheduled.status_code == 200, scheduled.text
    answer = scheduled.json()
    jobs = {row["number"]: job_id for row, job_id in zip(answer["preview"], answer["job_ids"], strict=True)}
    return answer["campaign_id"], jobs


@pytest.mark.slow
def test_a_call_list_dialled_through_the_fake_pbx_runs_the_scenario_for_each_client_who_answers(
    tmp_path: Path,
) -> None:
    ami_port, api_port, agi_port = free_port(), free_port(), free_port()
    pbx_log, serve_log = tmp_path / "pbx.log", tmp_path / "serve.log"
    pbx_options = [
        *("--port", str(ami_port), "--username", AMI_USER, "--secret", AMI_SECRET, "--agi-port", str(agi_port)),
        *("--keys", "1", "--callee", "+34600111333=-,-,-", "--answer-all", "--time-scale", "0.05"),
    ]
    env = clean_env(
        IVRGRAPH_ADMIN_USER="admin",
        IVRGRAPH_ADMIN_PASSWORD="admin-pass-1",
        IVRGRAPH_MEDIA_ROOT=str(tmp_path / "media"),
        IVRGRAPH_AMI_HOST="127.0.0.1",
        IVRGRAPH_AMI_PORT=str(ami_port),
        IVRGRAPH_AMI_USERNAME=AMI_USER,
        IVRGRAPH_AMI_SECRET=AMI_SECRET,
        IVRGRAPH_DIAL_RETRY_BUSY="1",  # the shortest busy interval: the retry is due at the dialer's next pass
    )
    ports = ["--port", str(api_port), "--agi-port", str(agi_port)]
    command = [*IVRGRAPH, "serve", *ports, "--seed", str(ROOT / "examples")]
    with fake_pbx(pbx_log, *pbx_options) as pbx:
        try:
            with running_serve(command, cwd=tmp_path, env=env, api_port=api_port, log=serve_log):
                _until(lambda: f"AMI: {AMI_USER!r} logged in" in pbx_log.read_text(), "no AMI login", pbx_log, pbx)
                with httpx.Client(base_url=f"http://127.0.0.1:{api_port}") as client:
                    _sign_in(client)
                    campaign_id, jobs = _start_campaign(client)

                    def finished() -> dict[str, Any] | None:
                        summary: dict[str, Any] = client.get(f"/api/callbacks/campaigns/{campaign_id}").json()
                        return summary if set(summary["statuses"]) <= {"done", "failed"} else None

                    summary = _until(finished, "the campaign never finished", pbx_log, pbx)
                    assert summary["statuses"] == {"done": 2, "failed": 1}

                    def record(number: str) -> dict[str, Any] | None:
                        items = client.get("/api/calls", params={"callback_job_id": jobs[number]}).json()["items"]
                        return items[0] if items else None

                    for number, result in (("+34600111222", "will_pay"), ("+34600111333", "no_response")):
                        call = _until(partial(record, number), f"no call record of {number}", pbx_log, pbx)
                        assert (call["status"], call["outcome"], call["result"]) == ("answered", "hung_up", result)
                    assert record("2000") is None  # a busy line runs no scenario
                    # The campaign's answers, once both records are written (the jobs were done before).
                    summary = client.get(f"/api/callbacks/campaigns/{campaign_id}").json()
                    assert summary["results"] == {"will_pay": 1, "no_response": 1}
                    busy = client.get(f"/api/callbacks/{jobs['2000']}").json()
                    assert (busy["status"], busy["outcome"], busy["attempts"]) == ("failed", "busy", 2)
        finally:
            print(serve_log.read_text(errors="replace")[-3000:])  # shown by pytest when the test failed
    lines = pbx_log.read_text().splitlines()
    print("\n".join(lines))
    assert [line.split(" ", 1)[1] for line in lines if " 2000 " in line] == ["2000  busy", "2000  busy"]
    for number in ("+34600111222", "+34600111333"):
        (line,) = [line for line in lines if f" {number} " in line]
        fastagi = f"FastAGI debt-reminder?job={jobs[number]}: "
        assert f"{number}  answered (as 1123); {fastagi}" in line and line.endswith("the scenario hung up"), line


async def _printed(log: Path, *fragments: str) -> list[str]:
    """The fake PBX's lines, once one holds each of `fragments` (it prints a call's line when the call ends)."""
    async with asyncio.timeout(10):
        while True:
            lines = log.read_text().splitlines()
            if all(any(fragment in line for line in lines) for fragment in fragments):
                return lines
            await asyncio.sleep(0.05)


async def test_each_call_login_and_refusal_gets_a_line_saying_what_came_of_it(tmp_path: Path) -> None:
    """Straight over AMI, no ivrgraph: a number told to act busy (--as), an answered callee whose FastAGI server is
    not there, a number nobody knows, an Originate into a context this PBX lacks and a wrong secret."""
    ami_port, closed_port = free_port(), free_port()
    log = tmp_path / "pbx.log"
    options = ["--port", str(ami_port), "--username", AMI_USER, "--secret", AMI_SECRET, "--agi-port", str(closed_port)]
    with fake_pbx(log, *options, "--as", "+34600111222=2000", "--time-scale", "0.01"):
        settings = AmiSettings("127.0.0.1", ami_port, AMI_USER, AMI_SECRET, reconnect_initial=0.05)
        client = AmiClient(settings, node_id="t")
        await client.start()
        try:
            results = [
                await client.originate(_dial(number, job, context))
                for number, job, context in [
                    ("+34600111222", "j1", "ivrgraph-outbound"),
                    ("1123", "j2", "ivrgraph-outbound"),
                    ("+34600999888", "j3", "ivrgraph-outbound"),
                    ("1123", "j4", "outbound-ivr"),
                ]
            ]
        finally:
            await client.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", ami_port)
        writer.write(f"Action: Login\r\nUsername: {AMI_USER}\r\nSecret: wrong\r\n\r\n".encode())
        await reader.read()  # "Authentication failed", then EOF
        writer.close()
        lines = await _printed(log, "+34600111222  ", "1123  answered", "+34600999888  ", "refused by", "login as")
    outcomes = [result.outcome for result in results]
    assert outcomes == [DialOutcome.BUSY, DialOutcome.ANSWERED, DialOutcome.FAILED, DialOutcome.REFUSED]
    said = [line.split(" ", 1)[1] for line in lines]  # without the time
    assert said[0].startswith("fake PBX: AMI listening on 127.0.0.1:")
    assert said[1] == f"AMI: {AMI_USER!r} logged in"
    assert "+34600111222  busy (as 2000)" in said
    (answered,) = [line for line in said if line.startswith("1123  answered")]
    unreachable = f"the call into FastAGI 127.0.0.1:{closed_port} failed (ConnectionRefusedError"
    assert answered.startswith(f"1123  answered; FastAGI debt-reminder?job=j2: {unreachable}"), answered
    told = "\n".join(said)
    assert "+34600999888  failed: no such number (as 9000) (--answer-all makes every number" in told
    assert "PJSIP/1123@trunk  refused by the PBX: no dialplan context 'outbound-ivr' here" in told
    assert f"AMI: login as {AMI_USER!r} refused: not the --username/--secret this PBX was started with" in said


def _dial(number: str, job: str, context: str) -> OriginateRequest:
    """The Originate the dialer sends with its default settings (agi_server/dialer.py `Dialer._attempt`)."""
    variables = {"IVR_SCENARIO": "debt-reminder", "JOB_ID": job}
    return OriginateRequest(f"PJSIP/{number}@trunk", context, f"cb-{job}-1", variables=variables)
