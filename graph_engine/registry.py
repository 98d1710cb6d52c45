"""The block registry: block types by name, loaded from the `ivrgraph.blocks` entry-point group.

Built-in blocks travel the same road as third-party plugins, so a plugin is never a second-class citizen.
Every block is checked as it loads; a broken one raises `BlockRegistrationError` naming the plugin. What is
checked is what would otherwise break later, far from the plugin: validation of every scenario using the block
(its schema's `$ref`s), the catalog (`GET /api/blocks`: JSON), the designer and every call (its exit rules).

`load_registry(skip_broken=True)` leaves a broken plugin out instead, logged and kept in `BlockRegistry.broken`:
for a host serving calls, one optional plugin taken down by an upgrade must not take every scenario offline.
Its type is then not installed, and validation says why (`broken_plugin`); unless a built-in has that type name,
and keeps it. Two plugins claiming one type name are both left out: neither is served.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Final, TypeGuard

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from graph_engine.block import ERROR_EXIT, BlockType
from graph_engine.document import SchemaValidator, compile_quick_check, freeze, passes_quick_check
from graph_engine.errors import BlockRegistrationError
from graph_engine.secret_fields import secret_fields
from graph_engine.translations import translations_problem

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "ivrgraph.blocks"
_TYPE_NAME = r"^[a-z][a-z0-9_.-]{0,63}$"
# The distribution whose entry points are the built-in blocks.
BUILTIN_DISTRIBUTION: Final = "ivrgraph"

# The exit-rule language (docs/blocks.md), which BlockType.exits() and the designer (lib/exits.ts) both read:
# a named exit, or one exit per item of an array field, either only when the config's fields equal given values.
_EXIT_NAME: Final = {"type": "string", "minLength": 1, "maxLength": 64}  # as an edge's `exit` in the scenario schema
_FIELD: Final = {"type": "string", "minLength": 1}
_CONDITION: Final = {"type": "object", "description": "config field -> the value it must equal"}
EXIT_RULE_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "if": {"required": ["each"]},
    "then": {
        "required": ["each", "name_from"],
        "properties": {"each": _FIELD, "name_from": _FIELD, "label_from": _FIELD, "if": _CONDITION},
        "additionalProperties": False,
    },
    "else": {
        "required": ["name"],
        "properties": {"name": _EXIT_NAME, "label": {"type": "string"}, "if": _CONDITION},
        "additionalProperties": False,
    },
}
_EXIT_RULE_VALIDATOR: Final = Draft202012Validator(EXIT_RULE_SCHEMA)

# Schema keywords whose value is data, not a schema: a "$ref" key in a default is not a reference.
_DATA_KEYWORDS: Final = frozenset({"default", "const", "enum", "examples"})
# Schema keywords whose value maps names (of properties, definitions...) to schemas.
_SCHEMA_MAPS: Final = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_SCHEMA_BASE: Final = "urn:ivrgraph:block-config"


class BlockRegistry:
    """Block types by their `type` name. Build one with `load_registry()` or `BlockRegistry.of(...)`."""

    def __init__(self) -> None:
        self._blocks: dict[str, BlockType] = {}
        self._validators: dict[str, Any] = {}  # SchemaValidator instances
        self._quick_checks: dict[str, Any] = {}
        self._origins: dict[str, str] = {}
        self._builtins: set[str] = set()  # type names registered as built-in
        self._broken: list[BlockRegistrationError] = []
        self._broken_types: dict[str, BlockRegistrationError] = {}  # the type name a left-out plugin would have
        self._intended_types: dict[BlockRegistrationError, str] = {}  # and back, per plugin (errors hash by identity)

    @classmethod
    def of(cls, block_classes: Iterable[type[BlockType]]) -> BlockRegistry:
        registry = cls()
        for block_class in block_classes:
            registry.register(block_class, origin=f"{block_class.__module__}:{block_class.__qualname__}")
        return registry

    def register(self, block_class: Any, *, origin: str, builtin: bool = False) -> BlockType:
        """Check a block class and add it; raise `BlockRegistrationError` naming `origin` when it is broken.

        `builtin`: the block ships with ivrgraph. When a type name is taken twice, the plugin that is not built
        in is the one named broken, whichever registered first."""
        if not (inspect.isclass(block_class) and issubclass(block_class, BlockType)):
            raise BlockRegistrationError(origin, "does not name a subclass of graph_engine.block.BlockType")
        if inspect.isabstract(block_class):
            raise BlockRegistrationError(origin, "is abstract: it must implement `async def run(ctx, config)`")
        type_name = getattr(block_class, "type", None)
        if not isinstance(type_name, str) or not _matches(type_name):
            raise BlockRegistrationError(origin, f"has no valid `type` name (lowercase, matching {_TYPE_NAME})")
        if type_name in self._blocks:
            raise self._clash(type_name, origin, builtin, getattr(block_class, "title", type_name))
        if not isinstance(getattr(block_class, "title", None), str):
            raise BlockRegistrationError(origin, "has no `title`")
        if not isinstance(block_class.version, int) or block_class.version < 1:
            raise BlockRegistrationError(origin, "`version` must be a positive integer")
        if not inspect.iscoroutinefunction(block_class.run):
            raise BlockRegistrationError(origin, "`run` must be a coroutine function (async def)")
        schema = block_class.config_schema
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:  # jsonschema's best match: the deepest, most relevant place
            where = _schema_location(error.absolute_path)
            reason = f"config_schema is not a valid JSON Schema: {where}: {error.message}"
            raise BlockRegistrationError(origin, reason) from error
        if schema.get("type") != "object":
            raise BlockRegistrationError(origin, "config_schema must describe an object")
        try:
            unresolvable = _unresolvable_ref(schema)
        except Exception as error:  # a schema odd enough to trip the resolver itself
            reason = f"config_schema's $refs cannot be resolved: {type(error).__name__}: {error}"
            raise BlockRegistrationError(origin, reason) from error
        if unresolvable is not None:
            where, ref = unresolvable
            reason = f"{where}: $ref {ref!r} does not resolve (only its own $defs: nothing is fetched)"
            raise BlockRegistrationError(origin, reason)
        try:
            block = block_class()
        except Exception as error:
            raise BlockRegistrationError(origin, f"cannot be instantiated: {error}") from error
        if not block.terminal and not _has_exit_rule(block):
            raise BlockRegistrationError(origin, "declares no exit (exit_rules is empty)")
        problem = _exit_rule_problem(block)
        if problem is not None:
            raise BlockRegistrationError(origin, f"{problem} (the exit-rule language: docs/blocks.md)")
        if any(rule.get("name") == ERROR_EXIT for rule in block.exit_rules):
            raise BlockRegistrationError(origin, "must not declare the `error` exit: every block has it")
        problem = translations_problem(block)
        if problem is not None:
            raise BlockRegistrationError(origin, f"{problem} (translations: docs/blocks.md)")
        problem = _catalog_entry_problem(block)
        if problem is not None:
            raise BlockRegistrationError(origin, problem)
        _freeze_migrated_configs(block)
        _warn_of_secret_fields(origin, schema)
        self._blocks[type_name] = block
        self._validators[type_name] = SchemaValidator(schema)
        try:
            self._quick_checks[type_name] = compile_quick_check(schema)
        except Exception:  # a schema the compiler cannot handle is still checked, only slower
            pass
        self._origins[type_name] = origin
        if builtin:
            self._builtins.add(type_name)
        return block

    def _clash(self, type_name: str, origin: str, builtin: bool, title: str) -> BlockRegistrationError:
        """The error for a type name registered twice. A plugin taking a built-in's name is the broken one, even
        when it loaded first (entry points come in sys.path order); two plugins are both named."""
        taken_by = self._origins[type_name]
        rename = "a plugin must choose another `type` name"
        if type_name in self._builtins and not builtin:
            builtin_title = self._blocks[type_name].title
            reason = f"its type {type_name!r} is taken by the built-in {builtin_title} block ({taken_by}); {rename}"
            return BlockRegistrationError(origin, reason)
        if builtin and type_name not in self._builtins:
            return BlockRegistrationError(
                taken_by, f"its type {type_name!r} is taken by the built-in {title} block ({origin}); {rename}"
            )
        return BlockRegistrationError(
            origin,
            f"block type {type_name!r} is already registered by {taken_by}: two plugins cannot share a type name "
            "(uninstall one, or rename its `type`)",
        )

    def leave_out(self, error: BlockRegistrationError, *, type_name: str) -> None:
        """Keep a broken plugin's error instead of its block: `type_name` is the type it would have registered
        (its class's, or its entry point's name when the class could not even be imported)."""
        self._broken.append(error)
        self._broken_types.setdefault(type_name, error)
        self._intended_types[error] = type_name

    @property
    def broken(self) -> Sequence[BlockRegistrationError]:
        """The plugins left out (`load_registry(skip_broken=True)`), in loading order; empty otherwise."""
        return tuple(self._broken)

    def broken_plugin(self, type_name: str) -> BlockRegistrationError | None:
        """Why no block of `type_name` is installed when a broken plugin would have provided it, or None."""
        return None if type_name in self._blocks else self._broken_types.get(type_name)

    def intended_type(self, error: BlockRegistrationError) -> str | None:
        """The block type `error`'s plugin would have registered, had it not been left out; None if it was not."""
        return self._intended_types.get(error)

    def missing_type(self, error: BlockRegistrationError) -> str | None:
        """The block type no installed block provides because `error`'s plugin was left out, or None: another
        block has its type name (a plugin refused for taking a built-in's), or it was never left out."""
        type_name = self._intended_types.get(error)
        return None if type_name is None or type_name in self._blocks else type_name

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


def _is_name(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and _matches(value)


def _matches(name: str) -> bool:
    import re

    return re.match(_TYPE_NAME, name) is not None


def _schema_location(path: Iterable[str | int]) -> str:
    """A place in a block's config_schema, as `_first_unresolvable` names one: `config_schema.properties.x.type`."""
    return "config_schema" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def _has_exit_rule(block: BlockType) -> bool:
    return bool(block.exit_rules)


def _unresolvable_ref(schema: Mapping[str, Any]) -> tuple[str, str] | None:
    """(where, the $ref) of the first `$ref` in `schema` that does not resolve, or None. The validator resolves a
    `$ref` only when a config reaches it, and then fails the whole validation of the scenario, hiding every real
    problem in it; so each is resolved once, here, against the schema itself only. Nothing is fetched: the quick
    check's compiler (fastjsonschema) would fetch a remote reference over the network."""
    resource = DRAFT202012.create_resource(schema)
    resolver = Registry().with_resource(_SCHEMA_BASE, resource).resolver(base_uri=_SCHEMA_BASE)
    return _first_unresolvable(schema, resolver, "config_schema")


def _first_unresolvable(schema: Any, resolver: Any, where: str) -> tuple[str, str] | None:
    if isinstance(schema, list):  # allOf, anyOf, oneOf, prefixItems
        for index, item in enumerate(schema):
            found = _first_unresolvable(item, resolver, f"{where}[{index}]")
            if found is not None:
                return found
        return None
    if not isinstance(schema, Mapping):
        return None
    if isinstance(schema.get("$id"), str):  # a nested $id moves the base relative references start from
        resolver = resolver.in_subresource(DRAFT202012.create_resource(schema))
    ref = schema.get("$ref")
    if isinstance(ref, str):
        try:
            resolver.lookup(ref)
        except Unresolvable:
            return where, ref
    for key, value in schema.items():
        if key in _DATA_KEYWORDS or (isinstance(key, str) and key.startswith("x-")):
            continue
        children = value.items() if key in _SCHEMA_MAPS and isinstance(value, Mapping) else [("", value)]
        for name, child in children:
            found = _first_unresolvable(child, resolver, f"{where}.{key}" + (f".{name}" if name else ""))
            if found is not None:
                return found
    return None


def _exit_rule_problem(block: BlockType) -> str | None:
    """What is wrong with the first exit rule outside the exit-rule language, or None. Unchecked, a broken rule
    registers and then fails validation and every call through the block (KeyError in `exits`), and the designer,
    reading the same rules, draws handles the engine does not have."""
    if not isinstance(block.exit_rules, list):
        return "exit_rules must be a list of exit rules"
    fields = block.config_schema.get("properties", {})
    for index, rule in enumerate(block.exit_rules):
        error = next(iter(_EXIT_RULE_VALIDATOR.iter_errors(rule)), None)
        if error is not None:
            inside = "".join(f"[{part!r}]" for part in error.absolute_path)
            return f"exit_rules[{index}]{inside}: {error.message}"
        named = [rule["each"]] if "each" in rule else []
        for field in [*named, *rule.get("if", {})]:
            if field not in fields:
                return f"exit_rules[{index}] reads the config field {field!r}, which config_schema.properties lacks"
    return None


def _catalog_entry_problem(block: BlockType) -> str | None:
    """Why the block's catalog entry (config_schema, exit rules...) is not JSON, or None. The catalog is served as
    JSON (GET /api/blocks, `ivrgraph blocks --json`): one entry that is not breaks the palette for every block."""
    try:
        entry = block.describe()
    except Exception as error:
        return f"its catalog entry cannot be built: {type(error).__name__}: {error}"
    try:
        json.dumps(entry, allow_nan=False)
    except (TypeError, ValueError) as error:
        where = _first_non_json(entry, "")
        return f"{where or 'its catalog entry'} is not JSON: {error}"
    return None


def _first_non_json(value: Any, where: str) -> str | None:
    """Where in `value` the first value JSON cannot carry is (dotted, `config_schema.properties.at.default`)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            inside = f"{where}.{key}" if where else str(key)
            found = inside if not isinstance(key, str) else _first_non_json(item, inside)
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _first_non_json(item, f"{where}[{index}]")
            if found is not None:
                return found
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return where
    return None if value is None or isinstance(value, str | int | float) else where


def _warn_of_secret_fields(origin: str, schema: Mapping[str, Any]) -> None:
    """A WARNING for each config field the schema marks secret: warned, not refused (graph_engine.secret_fields)."""
    for where in secret_fields(schema):
        log.warning(
            "block plugin %r: %s is marked secret (writeOnly / format: password), but a scenario's config is stored "
            "and shown in plain text to every signed-in user, viewers too (drafts, versions, exports, publish "
            "diffs): read the secret from the node's environment in an `ivrgraph.services` factory instead "
            '(docs/blocks.md, "Secrets")',
            origin,
            where,
        )


def _freeze_migrated_configs(block: BlockType) -> None:
    """Make the configs `block.migrate` returns read-only, like the configs of a parsed document
    (graph_engine.document.freeze): a block sees its config read-only whichever version its node was saved at."""
    migrate: Callable[[int, Mapping[str, Any]], dict[str, Any]] = block.migrate

    @functools.wraps(migrate)
    def migrate_frozen(from_version: int, config: Mapping[str, Any]) -> dict[str, Any]:
        frozen: dict[str, Any] = freeze(migrate(from_version, config))
        return frozen

    setattr(block, "migrate", migrate_frozen)  # noqa: B010 -- mypy refuses assigning to a method


def is_builtin(entry: EntryPoint) -> bool:
    """Whether an entry point is one of ivrgraph's own blocks."""
    return entry.dist is not None and entry.dist.name == BUILTIN_DISTRIBUTION


def entry_point_origin(entry: EntryPoint) -> str:
    """A plugin's entry point as messages name it: `send_sms = ivrgraph_sms:SendSmsBlock (from ivrgraph-sms)`."""
    return f"{entry.name} = {entry.value}" + (f" (from {entry.dist.name})" if entry.dist else "")


def load_registry(entries: Iterable[EntryPoint] | None = None, *, skip_broken: bool = False) -> BlockRegistry:
    """A registry of every block installed in the `ivrgraph.blocks` entry-point group, the built-ins first: a
    plugin that takes a built-in's type name is the one refused, wherever it is installed. Two plugins claiming
    the same type name are both refused, so neither serves it: which one would otherwise win depends on the order
    the distributions happen to be listed in (sys.path, then the directory listing), not on anything an
    administrator chose.

    A broken plugin raises `BlockRegistrationError`; with `skip_broken` it is logged at ERROR and left out
    instead (`BlockRegistry.broken`), and the scenarios using its type fail validation saying why. A host serving
    calls wants that; a check of the installed plugins (CI, `ivrgraph blocks`) wants the error."""
    registry = BlockRegistry()
    found = entries if entries is not None else entry_points(group=ENTRY_POINT_GROUP)
    ordered = sorted(found, key=lambda entry: not is_builtin(entry))  # stable: otherwise in the given order
    # Every plugin imported before any registers: a type name two plugins claim is known before either is served.
    origins = [(entry, entry_point_origin(entry)) for entry in ordered]
    imported = [(entry, origin, *_import_or_refusal(entry, origin)) for entry, origin in origins]
    claims = _plugin_claims(imported)
    for entry, origin, block_class, refusal in imported:
        try:
            if refusal is not None:
                raise refusal
            type_name = getattr(block_class, "type", None)
            if _is_name(type_name) and not is_builtin(entry):
                others = [other for other in claims.get(type_name, ()) if other != origin]
                if others:
                    raise _shared_type(origin, type_name, others)
            registry.register(block_class, origin=origin, builtin=is_builtin(entry))
        except BlockRegistrationError as error:
            if not skip_broken:
                raise
            registry.leave_out(error, type_name=_intended_type(entry, block_class))
    for left_out in registry.broken:  # once every block is in: whether another serves its type is known only then
        log.error("%s; left out: %s", left_out, _consequence(registry, left_out))
    return registry


def _import_or_refusal(entry: EntryPoint, origin: str) -> tuple[Any, BlockRegistrationError | None]:
    try:
        return _import_block(entry, origin), None
    except BlockRegistrationError as error:
        return None, error


def _plugin_claims(imported: Iterable[tuple[EntryPoint, str, Any, Any]]) -> dict[str, list[str]]:
    """The plugins (origins) claiming each type name no built-in has. A built-in's name is not shared: the
    built-in keeps it and each plugin claiming it is refused on its own (`BlockRegistry._clash`)."""
    builtin_types = {getattr(block_class, "type", None) for entry, _, block_class, _ in imported if is_builtin(entry)}
    claims: dict[str, list[str]] = {}
    for entry, origin, block_class, _ in imported:
        type_name = getattr(block_class, "type", None)
        is_block = inspect.isclass(block_class) and issubclass(block_class, BlockType)
        if is_block and _is_name(type_name) and type_name not in builtin_types and not is_builtin(entry):
            if origin not in claims.setdefault(type_name, []):
                claims[type_name].append(origin)
    return claims


def _shared_type(origin: str, type_name: str, others: Sequence[str]) -> BlockRegistrationError:
    return BlockRegistrationError(
        origin,
        f"its block type {type_name!r} is also claimed by {'; '.join(others)}: two plugins cannot share a type "
        "name, so neither provides it (uninstall one, or rename its `type`)",
    )


def _consequence(registry: BlockRegistry, error: BlockRegistrationError) -> str:
    """What leaving a plugin out does, as the log says it: its type missing, or still served by another block."""
    type_name = registry.intended_type(error)
    block = registry.get(type_name) if type_name is not None else None
    if block is None:
        return f"scenarios using its block type {type_name!r} fail validation, calls reaching them fail"
    return f"the {block.title} block keeps serving type {type_name!r}"  # the error names where it comes from


def _import_block(entry: EntryPoint, origin: str) -> Any:
    try:
        return entry.load()
    except Exception as error:  # the plugin's own import failing, or a module it needs gone after an upgrade
        raise BlockRegistrationError(origin, f"cannot be imported: {type(error).__name__}: {error}") from error


def _intended_type(entry: EntryPoint, block_class: Any) -> str:
    """The type name a refused plugin's block would have had: its class's when it was imported and has a valid
    one, else the entry point's name (by convention the type's, docs/blocks.md: `send_sms = "...:SendSmsBlock"`)."""
    type_name = getattr(block_class, "type", None)
    return type_name if isinstance(type_name, str) and _matches(type_name) else entry.name
