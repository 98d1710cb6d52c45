"""`ivrgraph test` and `ivrgraph simulate` give rows to one SQL block (`#id`) as well as to a data source: two
lookups on one source, one finding a row and the other none (review: only a second data source could test it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.graph_engine.test_block_rows import ACCOUNT, two_lookups_on_one_source

IVRGRAPH = [sys.executable, "-m", "ivrgraph.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IVRGRAPH, *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_a_saved_test_with_rows_for_one_sql_block_passes(tmp_path: Path) -> None:
    scenario = tmp_path / "balance.json"
    scenario.write_text(json.dumps(two_lookups_on_one_source()), encoding="utf-8")
    tests = {
        "tests": [
            {
                "name": "a client who never paid",
                "data_rows": {"billing": [ACCOUNT], "#last_pay": []},
                "expect": {"path": ["start", "lookup", "last_pay", "never_paid"]},
            },
            {
                "name": "a client who paid",
                "data_rows": {"billing": [ACCOUNT], "#last_pay": [{"amount": 40}]},
                "expect": {"path": ["start", "lookup", "last_pay", "paid"], "variables": {"last_amount": 40}},
            },
        ]
    }
    (tmp_path / "balance.tests.json").write_text(json.dumps(tests), encoding="utf-8")

    done = run("test", str(scenario))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_simulate_takes_rows_for_one_sql_block(tmp_path: Path) -> None:
    scenario = tmp_path / "balance.json"
    scenario.write_text(json.dumps(two_lookups_on_one_source()), encoding="utf-8")

    done = run(
        "simulate", str(scenario), "--rows", f"billing={json.dumps([ACCOUNT])}", "--rows", "#last_pay=[]", "--json"
    )

    assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout)["result"]["steps"]
    assert [(step["node"], step["exit"]) for step in steps][1:3] == [("lookup", "found"), ("last_pay", "not_found")]
