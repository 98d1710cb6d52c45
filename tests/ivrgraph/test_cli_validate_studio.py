"""`ivrgraph validate FLOW.json` on a Twilio Studio export: one plain sentence saying what the file is and the
command that converts it, not the format's schema errors about a document it never was (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

STUDIO = ROOT / "tests" / "fixtures" / "studio" / "support-line.json"
HINT = "this is a Twilio Studio flow export: convert it with `ivrgraph import-studio"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ivrgraph.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)  # fmt: skip


def test_validate_says_a_studio_export_is_one_and_how_to_convert_it() -> None:
    done = run("validate", str(STUDIO))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout  # no schema errors about `format`, `nodes`, `edges`
    assert HINT in lines[0] and f"import-studio {STUDIO} -o flow.json`" in lines[0]
    assert "(or the designer's Import)" in lines[0]


def test_validate_json_names_the_studio_export_with_a_code_of_its_own() -> None:
    done = run("validate", "--json", str(STUDIO))
    assert done.returncode == 1
    [problem] = json.loads(done.stdout)["problems"]
    assert problem["code"] == "studio_flow" and problem["severity"] == "error"
    assert HINT in problem["message"]


def test_validate_of_a_scenario_is_as_before() -> None:
    done = run("validate", str(ROOT / "examples" / "inbound-hotline.json"))
    assert done.returncode == 0, done.stdout
    assert "Twilio Studio" not in done.stdout
