"""docs/blocks.md, "Testing a block": its script is copied and run as it stands (review: it used top-level await,
an elided document and an assert that failed on a mere warning)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _script() -> str:
    section = (ROOT / "docs" / "blocks.md").read_text(encoding="utf-8").split("## Testing a block\n", 1)[1]
    match = re.search(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.DOTALL)
    assert match is not None, "the section has no Python script"
    return match.group(1)


def test_the_script_runs_as_written(tmp_path: Path) -> None:
    script = tmp_path / "test_my_block.py"
    script.write_text(_script(), encoding="utf-8")

    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=60)

    assert done.returncode == 0, done.stderr
    assert "not sent in a test call: would send 'Your appointment is on Monday' to +34600111222" in done.stdout
