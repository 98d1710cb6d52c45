"""Scenario documents and their tests on disk: `<slug>.json` beside `<slug>.tests.json`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph_engine.document import load_json

TESTS_SUFFIX = ".tests.json"


def is_scenario_file(path: Path) -> bool:
    return path.suffix == ".json" and not path.name.endswith(TESTS_SUFFIX)


def slug_of(path: Path) -> str:
    return path.name.removesuffix(".json")


def read_document(path: Path) -> Any:
    return load_json(path.read_bytes())


def sibling_documents(folder: Path) -> dict[str, Any]:
    """Every readable scenario in a folder by slug: what Go To Scenario and Callback can name."""
    documents = {}
    for path in sorted(folder.glob("*.json")):
        if is_scenario_file(path):
            try:
                documents[slug_of(path)] = read_document(path)
            except Exception:
                continue
    return documents


@dataclass(frozen=True)
class TestFile:
    path: Path
    scenario_path: Path
    tests: list[dict[str, Any]]


def find_test_files(target: Path) -> list[Path]:
    if target.is_dir():
        return sorted(target.rglob(f"*{TESTS_SUFFIX}"))
    if target.name.endswith(TESTS_SUFFIX):
        return [target]
    beside = target.with_name(slug_of(target) + TESTS_SUFFIX)
    return [beside] if beside.exists() else []


def read_test_file(path: Path) -> TestFile:
    data = load_json(path.read_bytes())
    scenario_name = data.get("scenario") or path.name.removesuffix(TESTS_SUFFIX) + ".json"
    return TestFile(path=path, scenario_path=path.with_name(scenario_name), tests=list(data.get("tests", [])))
