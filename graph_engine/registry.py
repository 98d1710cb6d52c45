"""The block registry: block types by name, loaded from the `ivrgraph.blocks` entry-point group.

Built-in blocks travel the same road as third-party plugins, so a plugin is never a second-class citizen.
Every block is checked as it loads; a broken one raises `BlockRegistrationError` naming the plugin.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from graph_engine.block import ERROR_EXIT, BlockType
from graph_engine.document import SchemaValidator, compile_quick_check, passes_quick_check
from graph_engine.errors import BlockRegistrationError

ENTRY_POINT_GROUP = "ivrgraph.blocks"
_TYPE_NAME = r"^[a-z][a-z0-9_.-]{0,63}$"


class BlockRegistry:
    """Block types by their `type` name. Build one with `load_registry()` or `BlockRegistry.of(...)`."""

    def __init__(self) -> None:
        self._blocks: dict[str, BlockType] = {}
        self._validators: dict[str, Any] = {}  # SchemaValidator instances
        self._quick_checks: dict[str, Any] = {}
        self._origins: dict[str, str] = {}

    @classmethod
    def of(cls, block_classes: Iterable[type[BlockType]]) -> BlockRegistry:
        registry = cls()
        for block_class in block_classes:
            registry.register(block_class, origin=f"{block_class.__module__}:{block_class.__qualname__}")
        return registry

    def register(self, block_class: Any, *, origin: str) -> BlockType:
        """Check a block class and add it; raise `BlockRegistrationError` naming `origin` when it is broken."""
        if not (inspect.isclass(block_class) and issubclass(block_class, BlockType)):
            raise BlockRegistrationError(origin, "does not name a subclass of graph_engine.block.BlockType")
        if inspect.isabstract(block_class):
            raise BlockRegistrationError(origin, "is abstract: it must implement `async def run(ctx, config)`")
        type_name = getattr(block_class, "type", None)
        if not isinstance(type_name, str) or not _matches(type_name):
            raise BlockRegistrationError(origin, f"has no valid `type` name (lowercase, matching {_TYPE_NAME})")
        if type_name in self._blocks:
            raise BlockRegistrationError(
                origin, f"block type {type_name!r} is already registered by {self._origins[type_name]}"
            )
        if not isinstance(getattr(block_class, "title", None), str):
            raise BlockRegistrationError(origin, "has no `title`")
        if not isinstance(block_class.version, int) or block_class.version < 1:
            raise BlockRegistrationError(origin, "`version` must be a positive integer")
        if not inspect.iscoroutinefunction(block_class.run):
            raise BlockRegistrationError(origin, "`run` must be a coroutine function (async def)")
        schema = block_class.config_schema
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            reason = f"config_schema is not a valid JSON Schema: {error.message}"
            raise BlockRegistrationError(origin, reason) from error
        if schema.get("type") != "object":
            raise BlockRegistrationError(origin, "config_schema must describe an object")
        try:
            block = block_class()
        except Exception as error:
            raise BlockRegistrationError(origin, f"cannot be instantiated: {error}") from error
        if not block.terminal and not _has_exit_rule(block):
            raise BlockRegistrationError(origin, "declares no exit (exit_rules is empty)")
        if any(rule.get("name") == ERROR_EXIT for rule in block.exit_rules):
            raise BlockRegistrationError(origin, "must not declare the `error` exit: every block has it")
        self._blocks[type_name] = block
        self._validators[type_name] = SchemaValidator(schema)
        try:
            self._quick_checks[type_name] = compile_quick_check(schema)
        except Exception:  # a schema the compiler cannot handle is still checked, only slower
            pass
        self._origins[type_name] = origin
        return block

    def get(self, type_name: str) -> BlockType | None:
        return self._blocks.get(type_name)

    def node_name(self, type_name: str, title: str) -> str:
        """A node as problems name it to an analyst: its block's title and its own, `Say Phrase "Greeting"`
        (the type itself when no block of that type is installed)."""
        block = self._blocks.get(type_name)
        return f'{block.title if block else type_name} "{title}"'

    @property
    def types(self) -> Mapping[str, BlockType]:
        """The blocks by type name, read-only by convention (the interpreter looks a block up at every step)."""
        return self._blocks

    def validator(self, type_name: str) -> Any:
        return self._validators.get(type_name)

    def config_errors(self, type_name: str, config: Any) -> list[Any]:
        """Every way `config` breaks the block's schema (jsonschema errors), fast when there are none."""
        quick = self._quick_checks.get(type_name)
        if quick is not None and passes_quick_check(quick, config):
            return []
        validator = self._validators.get(type_name)
        return list(validator.iter_errors(config)) if validator is not None else []

    def origin(self, type_name: str) -> str | None:
        return self._origins.get(type_name)

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._blocks

    def __iter__(self) -> Iterator[BlockType]:
        return iter(self._blocks.values())

    def __len__(self) -> int:
        return len(self._blocks)

    def catalog(self) -> list[dict[str, Any]]:
        """Every block's catalog entry, grouped by category then title."""
        entries = []
        for type_name, block in self._blocks.items():
            entry = block.describe()
            entry["plugin"] = self._origins[type_name]
            entries.append(entry)
        return sorted(entries, key=lambda e: (e["category"], e["title"]))


def _matches(name: str) -> bool:
    import re

    return re.match(_TYPE_NAME, name) is not None


def _has_exit_rule(block: BlockType) -> bool:
    return bool(block.exit_rules)


def load_registry(entries: Iterable[EntryPoint] | None = None) -> BlockRegistry:
    """A registry of every block installed in the `ivrgraph.blocks` entry-point group."""
    registry = BlockRegistry()
    for entry in entries if entries is not None else entry_points(group=ENTRY_POINT_GROUP):
        origin = f"{entry.name} = {entry.value}" + (f" (from {entry.dist.name})" if entry.dist else "")
        try:
            block_class = entry.load()
        except Exception as error:
            raise BlockRegistrationError(origin, f"cannot be imported: {type(error).__name__}: {error}") from error
        registry.register(block_class, origin=origin)
    return registry
