"""`ivrgraph import-studio FLOW.json -o out.json`: a Twilio Studio export converted, its report printed, and the
scenario it writes validated and simulated as any other (a real subprocess, as a user runs it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

STUDIO = ROOT / "tests" / "fixtures" / "studio" / "support-line.json"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ivrgraph.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)  # fmt: skip


def test_import_studio_writes_a_scenario_that_validates_and_takes_key_1_to_the_transfer(tmp_path: Path) -> None:
    out = tmp_path / "support-line.json"
    done = run("import-studio", str(STUDIO), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "crm_lookup (make-http-request): not converted" in done.stdout
    assert str(out) in done.stdout
    assert json.loads(out.read_text())["format"] == "ivrgraph.scenario/1"
    validated = run("validate", str(out))
    assert validated.returncode == 0, validated.stdout
    simulated = run("simulate", str(out), "--keys", "1")
    assert simulated.returncode == 0, simulated.stderr
    assert "+15551230000" in simulated.stdout


def test_import_studio_without_output_prints_the_document(tmp_path: Path) -> None:
    done = run("import-studio", str(STUDIO))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "Acme support line"
    assert "crm_lookup (make-http-request)" in done.stderr  # the report stays off the document


def test_import_studio_refuses_what_is_no_studio_flow(tmp_path: Path) -> None:
    garbage = tmp_path / "flow.json"
    garbage.write_text(json.dumps({"initial_state": "Trigger", "states": [{"name": "x"}]}))
    done = run("import-studio", str(garbage))
    assert done.returncode == 1
    assert "Twilio Studio" in done.stderr and "$.states[0].type" in done.stderr
    scenario = ROOT / "examples" / "inbound-hotline.json"
    done = run("import-studio", str(scenario))
    assert done.returncode == 1 and "not a Twilio Studio flow export" in done.stderr
