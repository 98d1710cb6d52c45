"""Plugins' own services: what a host puts in `Services.extras`, found in the `ivrgraph.services` entry-point group.

A plugin that needs a client, a URL or a connection pool for its blocks registers a factory, as it registers its
blocks in `ivrgraph.blocks`:

    [project.entry-points."ivrgraph.services"]
    sms_gateway = "ivrgraph_sms:gateway_from_environment"

The factory takes no arguments and returns the service, built from the plugin's own configuration; None when
this node has none (the name then stays out of extras, and a node without it still starts). The node calls every
factory once at start, and a block finds the service as `ctx.services.extras.get("sms_gateway")`.

A plugin that cannot be imported, a factory that raises or a name two plugins offer raises `ServicePluginError`
naming the plugin: the node stops before taking calls rather than have every call through the plugin fail.

Only hosts of real calls load these (the FastAGI node): a test call (graph_engine.simulation) keeps extras empty,
since nothing may leave it. That is why this lives in agi_server and not in graph_engine or blocks.

With its services built, a host asks every block whether it can run here (`BlockType.readiness`,
graph_engine.readiness.host_registry) and tells at start which blocks published scenarios use that cannot
(`warn_of_blocks_not_ready`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Final

from agi_server.errors import ServicePluginError
from agi_server.scenarios import CachedScenarioSource, ScenarioSource
from graph_engine.readiness import not_ready_types
from graph_engine.registry import BlockRegistry, entry_point_origin

ENTRY_POINT_GROUP: Final = "ivrgraph.services"
# How long node shutdown waits for one service's `aclose()`: a remote end that never answers must not hold it.
CLOSE_TIMEOUT: Final = 5.0

log = logging.getLogger(__name__)


def load_plugin_services(entries: Iterable[EntryPoint] | None = None) -> dict[str, Any]:
    """Every installed plugin's service by its entry point's name (what `Services.extras` holds), each factory
    called once. `entries`: these entry points instead of the installed ones. Raises `ServicePluginError`."""
    found = list(entries if entries is not None else entry_points(group=ENTRY_POINT_GROUP))
    _refuse_shared_names(found)
    services: dict[str, Any] = {}
    for entry in sorted(found, key=lambda entry: entry.name):
        service = _build(entry)
        if service is not None:
            services[entry.name] = service
    if found:
        log.info("plugin services: %s", ", ".join(sorted(services)) or "none configured")
    return services


async def close_plugin_services(services: Mapping[str, Any]) -> None:
    """Call each service's `aclose()` or `close()`, if it has one, at node shutdown. A service that fails to
    close is logged, naming it, and the others are closed all the same."""
    for name, service in services.items():
        try:
            await _close(service)
        except Exception as error:
            log.warning("service plugin %r did not close: %s: %s", name, type(error).__name__, error)


async def warn_of_blocks_not_ready(registry: BlockRegistry, source: ScenarioSource) -> None:
    """At a node's start, once its published scenarios are held: one WARNING per block type it cannot run
    (`registry` from graph_engine.readiness.host_registry) that a published scenario uses, naming the scenarios and
    the reasons, since its calls take the block's `error` exit there; INFO for one no published scenario uses. A
    source that holds no scenarios in memory is not asked for them."""
    not_ready = not_ready_types(registry)
    if not not_ready:
        return
    users: dict[str, list[str]] = {name: [] for name in not_ready}
    if isinstance(source, CachedScenarioSource):
        for slug in source.slugs():
            published = await source.get(slug)  # held: no store is asked
            if published is None:
                continue
            for name in {node.type for node in published.scenario.nodes.values()} & users.keys():
                users[name].append(f"{slug} v{published.version}")
    for name, reasons in sorted(not_ready.items()):
        why = "; ".join(reasons)
        if users[name]:
            log.warning(
                "block %r cannot run on this node: %s. Calls reaching it take its error exit, in: %s",
                name,
                why,
                ", ".join(users[name]),
                extra={"block_type": name, "scenarios": users[name]},
            )
        else:
            log.info("block %r cannot run on this node: %s (no published scenario uses it)", name, why)


def _refuse_shared_names(entries: list[EntryPoint]) -> None:
    """Two plugins offering one name would leave a block with whichever loaded last: name both."""
    first: dict[str, EntryPoint] = {}
    for entry in entries:
        taken = first.setdefault(entry.name, entry)
        if taken is not entry:
            reason = (
                f"{entry_point_origin(taken)} offers the service {entry.name!r} too: two plugins cannot offer one "
                "service name (uninstall one)"
            )
            raise ServicePluginError(entry_point_origin(entry), reason)


def _build(entry: EntryPoint) -> Any:
    origin = entry_point_origin(entry)
    try:
        factory = entry.load()
    except Exception as error:
        raise ServicePluginError(origin, f"cannot be imported: {type(error).__name__}: {error}") from error
    if not callable(factory):
        reason = f"does not name a factory (a callable taking no arguments): it names {_a(factory)}"
        raise ServicePluginError(origin, reason)
    if inspect.iscoroutinefunction(factory):
        reason = "its factory is an `async def`: the node builds services before its loop serves calls; use def"
        raise ServicePluginError(origin, reason)
    try:
        service = factory()
    except Exception as error:
        raise ServicePluginError(origin, f"its factory raised {type(error).__name__}: {error}") from error
    if inspect.isawaitable(service):
        if inspect.iscoroutine(service):
            service.close()  # never awaited: closed here, not warned about at garbage collection
        raise ServicePluginError(origin, "its factory returned an awaitable, not the service")
    return service


def _a(value: object) -> str:
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


async def _close(service: Any) -> None:
    aclose = getattr(service, "aclose", None)
    if callable(aclose):
        await asyncio.wait_for(aclose(), CLOSE_TIMEOUT)
        return
    close = getattr(service, "close", None)
    if callable(close):
        result = close()
        if inspect.isawaitable(result):  # some clients' close() is a coroutine
            await asyncio.wait_for(result, CLOSE_TIMEOUT)
