"""Where the server finds the scenario an AGI path names.

`ScenarioSource` is what the server depends on; `CachedScenarioSource` keeps the published versions in memory
and swaps one atomically on publish, so a call that started on version 3 finishes on version 3 (it holds
its own reference) while the next call gets version 4. `folder_source` reads `<slug>.json` files; the API
engineer's database source replaces it by implementing the same protocol.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

from agi_server.errors import ScenarioLookupFailed
from graph_engine.document import Scenario, parse_document
from graph_engine.errors import DocumentError
from graph_engine.registry import BlockRegistry
from graph_engine.services import LoadedScenario

SLUG_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$"
_SLUG = re.compile(SLUG_PATTERN)

log = logging.getLogger(__name__)


def is_slug(text: str) -> bool:
    return bool(_SLUG.match(text))


@dataclass(frozen=True, slots=True)
class PublishedScenario:
    slug: str
    version: int
    scenario: Scenario
    # The stored version's row id: a later publish has a higher one, also after the slug was deleted and created
    # again (its version numbers start over at 1). 0 for scenarios read from files.
    stamp: int = 0

    def __post_init__(self) -> None:
        # The scenario named as this version, for the lines the engine logs about it during calls ("support v3":
        # a block type not installed here). Once per version held, not per call.
        name = f"{self.slug} v{self.version}"
        if self.scenario.published_as != name:
            object.__setattr__(self, "scenario", dataclasses.replace(self.scenario, published_as=name))


def missing_block_types(scenario: Scenario, registry: BlockRegistry) -> dict[str, list[str]]:
    """The block types nodes of `scenario` name that `registry` lacks (a plugin uninstalled, or left out as
    broken), each with the ids of those nodes: every call that reaches one of them fails there."""
    missing: dict[str, list[str]] = {}
    for node in scenario.nodes.values():
        if node.type not in registry:
            missing.setdefault(node.type, []).append(node.id)
    return missing


def warn_of_missing_block_types(published: PublishedScenario, registry: BlockRegistry) -> bool:
    """One WARNING when a published version uses block types this node lacks, naming them and their nodes;
    True when it did. Uninstalling a plugin a live scenario used was told nowhere but in the calls' traces, each
    call logged at INFO as `hung_up` (plugin author's review)."""
    missing = missing_block_types(published.scenario, registry)
    if not missing:
        return False
    named = "; ".join(
        f"{block_type} (node{'s' if len(nodes) > 1 else ''} {', '.join(nodes)}){_broken(registry, block_type)}"
        for block_type, nodes in sorted(missing.items())
    )
    log.warning(
        "scenario %s v%d uses block types not installed here: %s. Its calls fail at those blocks (they take their "
        "error exit) until the plugin is installed or a version without them is published",
        published.slug,
        published.version,
        named,
        extra={"scenario": published.slug, "version": published.version, "missing_block_types": sorted(missing)},
    )
    return True


def _broken(registry: BlockRegistry, block_type: str) -> str:
    """Why the type is missing when a plugin that would provide it is installed but broken; else nothing."""
    error = registry.broken_plugin(block_type)
    return f" [{error}]" if error is not None else ""


@runtime_checkable
class ScenarioSource(Protocol):
    async def get(self, slug: str) -> PublishedScenario | None:
        """The latest published version of `slug`, or None when there is none; `ScenarioLookupFailed` when the
        store cannot say now."""
        ...


Loader = Callable[[str], Awaitable[PublishedScenario | None]]


LOAD_TIMEOUT: Final = 3.0  # a caller waits this long at most for a scenario the cache does not hold


class CachedScenarioSource:
    """Published scenarios in memory; `loader` (e.g. a database query) fills misses when given.

    A miss that the loader cannot answer (the database is down, or silent past `load_timeout`) raises
    `ScenarioLookupFailed`, which the server logs with the call's id (the caller hears the fallback prompt, not
    silence) and Go To Scenario takes as a service's failure; the scenarios already held keep answering whatever
    the database does."""

    def __init__(self, loader: Loader | None = None, *, load_timeout: float = LOAD_TIMEOUT) -> None:
        self._published: dict[str, PublishedScenario] = {}
        self._loader = loader
        self._load_timeout = load_timeout

    async def get(self, slug: str) -> PublishedScenario | None:
        if not is_slug(slug):
            return None
        published = self._published.get(slug)
        if published is None and self._loader is not None:
            try:
                published = await asyncio.wait_for(self._loader(slug), self._load_timeout)
            except Exception as error:  # TimeoutError, or the store's own: either way it cannot say now
                raise ScenarioLookupFailed(slug, error) from error
            if published is not None:
                self.publish(published)
                published = self._published[slug]
        return published

    def publish(self, published: PublishedScenario) -> None:
        """Make `published` the version new calls get; an older version arriving late never wins."""
        current = self._published.get(published.slug)
        if current is None or (published.stamp, published.version) >= (current.stamp, current.version):
            # One dict store: atomic for every coroutine of this loop; running calls keep their reference.
            self._published[published.slug] = published

    def withdraw(self, slug: str) -> None:
        """The scenario was deleted: new calls to `slug` get the fallback (calls in progress finish on theirs)."""
        self._published.pop(slug, None)

    def slugs(self) -> list[str]:
        return sorted(self._published)

    def held_versions(self) -> dict[str, int]:
        """The version number of each scenario held now (slug -> number), without asking the database for any: what
        the metrics export. Safe from the exporter's thread: the dict is copied whole first (one C-level operation
        under the GIL)."""
        held = dict(self._published)
        return {slug: published.version for slug, published in held.items()}


class SourceLoader:
    """Adapts a `ScenarioSource` to the engine's `VersionedScenarioLoader` (Go To Scenario)."""

    def __init__(self, source: ScenarioSource) -> None:
        self._source = source

    async def load(self, slug: str) -> Scenario | None:
        published = await self._source.get(slug)
        return published.scenario if published is not None else None

    async def load_version(self, slug: str) -> LoadedScenario | None:
        # One `PublishedScenario`: the graph and the number of the same version, whatever is published meanwhile.
        published = await self._source.get(slug)
        return LoadedScenario(published.scenario, published.version) if published is not None else None


def folder_source(folder: Path, *, registry: BlockRegistry | None = None) -> CachedScenarioSource:
    """Every `<slug>.json` scenario document in `folder`, as version 1; unreadable files are logged and skipped,
    and with `registry` (the blocks the node runs) one that uses a block type it lacks is logged at WARNING."""
    source = CachedScenarioSource()
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(".tests.json"):  # scenario tests live beside their scenario
            continue
        if not is_slug(path.stem):
            log.warning("scenario file %s: name is not a slug, skipped", path)
            continue
        try:
            scenario = parse_document(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, DocumentError) as error:
            log.error("scenario file %s is unreadable: %s", path, error)
            continue
        published = PublishedScenario(slug=path.stem, version=1, scenario=scenario)
        if registry is not None:
            warn_of_missing_block_types(published, registry)
        source.publish(published)
    return source
