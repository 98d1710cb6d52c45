"""Dependencies point one way: schemas -> graph_engine -> blocks -> persistence/voice -> agi_server, api.
The persistence layer imports nothing of the web framework, so the FastAGI runtime uses it too.

The pure core imports no sockets, web framework or database session code. This walks every import statement.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Packages further down the line than the pure core.
HOSTS = {"persistence", "voice", "agi_server", "api", "ivrgraph"}
# Sockets, processes, databases and web frameworks: what the pure core and the blocks never touch.
IO = {"socket", "ssl", "sqlalchemy", "fastapi", "starlette", "uvicorn", "httpx", "requests", "urllib.request",
      "subprocess", "http"}  # fmt: skip

FORBIDDEN = {
    "schemas": {"graph_engine", "blocks"} | HOSTS,
    "graph_engine": {"blocks", "asyncio.streams"} | HOSTS | IO,
    "blocks": HOSTS | IO,
    "persistence": {"api", "agi_server", "voice", "ivrgraph", "fastapi", "starlette", "uvicorn"},
    "voice": {"blocks", "persistence", "api", "agi_server", "ivrgraph", "fastapi", "starlette", "sqlalchemy"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violates(module: str, forbidden: set[str]) -> bool:
    return any(module == bad or module.startswith(bad + ".") for bad in forbidden)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package):
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for module in imported_modules(path):
            if violates(module, FORBIDDEN[package]):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_the_walker_catches_a_violation(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("import socket\nfrom sqlalchemy.orm import Session\n")
    assert violates("sqlalchemy.orm", FORBIDDEN["graph_engine"])
    assert imported_modules(sample) == {"socket", "sqlalchemy.orm"}
