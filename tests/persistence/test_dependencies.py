"""persistence sits below agi_server and api: the FastAGI runtime uses it, so it must not pull in the web stack."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("fastapi", "starlette", "uvicorn", "pydantic", "api", "agi_server", "ivrgraph", "voice")


def test_persistence_imports_no_web_framework_and_nothing_above_it() -> None:
    offenders = []
    for path in sorted((ROOT / "persistence").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            offenders += [
                f"{path.relative_to(ROOT)} imports {module}"
                for module in modules
                if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN)
            ]
    assert offenders == []
