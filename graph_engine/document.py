"""The scenario document as typed, read-only data. Structure is checked by `schemas/scenario.schema.json`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Final, NoReturn

import fastjsonschema
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from graph_engine.errors import DocumentError
from schemas import SCENARIO_FORMAT, draft_schema, scenario_schema

# Channel facts every scenario can read; the Start block documents them for the designer.
CHANNEL_FACTS: Final = (
    "call_id",
    "caller_id",
    "caller_name",
    "dialed_number",
    "channel",
    "channel_language",
    "language",
)


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    type: str = "string"
    default: Any = None
    description: str = ""
    # Hidden in the call's record (graph_engine.sensitive): a PIN, an account number, a date of birth.
    sensitive: bool = False


def _read_only(*_: object, **__: object) -> NoReturn:
    raise TypeError("a block's config is read-only (every call shares it): change a copy, dict(config) or deepcopy")


class FrozenDict(dict[str, Any]):
    """A JSON object of a block's config, read-only: every call of a published scenario shares it, so a block that
    wrote into it would change what the next caller hears. Still a `dict` to JSON Schema validators, `json` and
    `isinstance`; `dict(config)` and `copy.deepcopy(config)` give a block a copy of its own to change."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        thawed: dict[str, Any] = thaw(self)
        return thawed

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle's default rebuilds a dict subclass item by item through __setitem__, which refuses.
        return (FrozenDict, (dict(self),))


class FrozenList(list[Any]):
    """A JSON array of a block's config, read-only (see `FrozenDict`); still a `list` to validators and `json`."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = extend = insert = pop = remove = clear = sort = reverse = _read_only

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        thawed: list[Any] = thaw(self)
        return thawed

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenList, (list(self),))


def freeze(value: Any) -> Any:
    """`value` (JSON data) with every object and array in it read-only: done once per node when a document is
    parsed, so reading a config costs nothing more at any step of any call. Frozen parts are kept as they are."""
    if isinstance(value, FrozenDict | FrozenList):
        return value
    if isinstance(value, dict):
        return FrozenDict({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return FrozenList(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """A mutable deep copy of JSON data, frozen or not: plain dicts and lists all the way down."""
    if isinstance(value, dict):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(item) for item in value]
    return value


GOTO_SCENARIO: Final = "goto_scenario"  # the Go To Scenario block's type (blocks.builtin.goto_scenario)


def goto_targets(document: Any) -> list[str]:
    """The slugs `document`'s Go To Scenario blocks continue in, each once, in the order written. Read from the
    document as stored (any JSON): what is no node, or names no slug, is left out (validation names it)."""
    nodes = document.get("nodes") if isinstance(document, Mapping) else None
    targets: dict[str, None] = {}
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, Mapping) or node.get("type") != GOTO_SCENARIO:
            continue
        config = node.get("config")
        if isinstance(config, Mapping) and isinstance(config.get("scenario"), str):
            targets[config["scenario"]] = None
    return list(targets)


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    type: str
    config: Mapping[str, Any]  # read-only when parsed (`freeze`): every call of the scenario shares it
    version: int = 1
    label: str = ""

    @property
    def title(self) -> str:
        """How the node is named to a business analyst: its label, else its id."""
        return self.label or self.id


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    exit: str
    target: str
    id: str = ""


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    nodes: Mapping[str, Node]
    edges: tuple[Edge, ...]
    language: str = "en"
    voice_engine: str | None = None
    voice_name: str | None = None
    variables: tuple[Variable, ...] = ()
    fallback: str | None = None
    description: str = ""
    document: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # (source node, exit) -> target node; the first edge wins when a document has duplicates.
    routes: Mapping[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)
    # node id -> the exits its block declares for its config; filled by the interpreter on first use, since a
    # published scenario's configs never change and exits() would otherwise run at every step of every call.
    declared_exits: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)
    # Which published version this is ("support v3"), set by a host that runs published versions
    # (agi_server.scenarios.PublishedScenario): the interpreter's lines about the scenario name it. None for a draft.
    published_as: str | None = field(default=None, compare=False, repr=False)
    # The Start nodes, found once: every call begins by asking, and a scenario may have a thousand nodes.
    _starts: tuple[Node, ...] = field(init=False, compare=False, repr=False)
    # Every call's variables before its facts and inputs: the defaults, then the channel facts empty, then
    # `language` (see `fresh_variables`); built once instead of at every call.
    _variable_base: dict[str, Any] = field(init=False, compare=False, repr=False)
    # The defaults a block could change in place (a list, an object), read-only here: each call gets a copy.
    _mutable_defaults: tuple[tuple[str, Any], ...] = field(init=False, compare=False, repr=False)
    # The variables declared `sensitive`, whose values the call's record masks (graph_engine.sensitive).
    sensitive_variables: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        starts = tuple(node for node in self.nodes.values() if node.type == "start")
        object.__setattr__(self, "_starts", starts)
        base: dict[str, Any] = {v.name: v.default for v in self.variables}
        for name in CHANNEL_FACTS:
            base.setdefault(name, "")
        if not base.get("language"):
            base["language"] = self.language
        mutable = tuple((name, freeze(value)) for name, value in base.items() if isinstance(value, dict | list))
        base.update(mutable)
        object.__setattr__(self, "_variable_base", base)
        object.__setattr__(self, "_mutable_defaults", mutable)
        object.__setattr__(self, "sensitive_variables", frozenset(v.name for v in self.variables if v.sensitive))

    def fresh_variables(self) -> dict[str, Any]:
        """A new call's variables: the scenario's defaults, the channel facts (empty) and the call's language
        (the scenario's unless a variable's default sets it). A list or object default is the call's own copy: a
        block may change a variable's value in place, and that must not change what the next call starts with."""
        variables = self._variable_base.copy()
        for name, value in self._mutable_defaults:  # most scenarios have none: the copy costs nothing then
            variables[name] = thaw(value)
        return variables

    @property
    def default_language(self) -> str:
        """The language a call of this scenario is spoken in until something sets `language`."""
        return str(self._variable_base["language"])

    def next_node(self, node_id: str, exit_name: str) -> str | None:
        return self.routes.get((node_id, exit_name))

    def start_nodes(self) -> list[Node]:
        return list(self._starts)


@dataclass(frozen=True, slots=True)
class StructureProblem:
    path: str  # JSON path, e.g. $.nodes[3].config
    message: str


@lru_cache(maxsize=1024)
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    """`pattern` as JSON Schema means it (ECMA-262): `$` outside a class is the end of the text. Python's `$` also
    matches before a final newline, so "sales\n" passed "^[a-z]+$" here while the designer and the quick check
    (fastjsonschema, which rewrites `$` the same way) refused it."""
    out, in_class, index = [], False, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = "\\Z"
        out.append(char)
        index += 1
    return re.compile("".join(out))


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and _ecma_regex(pattern).search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12 with `pattern` read as JSON Schema means it: the validator of documents and of block configs.
SchemaValidator: Any = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]


@cache
def _document_validator() -> Any:
    return SchemaValidator(scenario_schema())


@cache
def _document_quick_check() -> Any:
    return compile_quick_check(scenario_schema())


@cache
def _shape_validator() -> Any:
    return SchemaValidator(draft_schema())


@cache
def _shape_quick_check() -> Any:
    return compile_quick_check(draft_schema())


def compile_quick_check(schema: dict[str, Any]) -> Any:
    """A compiled validator that answers valid/invalid fast (it stops at the first problem and adds no defaults).

    jsonschema interprets the schema and is ~15x slower, but it lists every problem; so the quick check
    answers the common case (valid) and jsonschema is asked only to explain a document that is not.
    """
    return fastjsonschema.compile(schema, use_default=False, use_formats=False)


def passes_quick_check(check: Any, value: Any) -> bool:
    try:
        check(value)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def json_path(parts: Any) -> str:
    """`['nodes', 3, 'id']` -> `$.nodes[3].id`."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


# How deep JSON may nest anywhere in a document (a menu's prompt is six levels down). Deeper documents are refused:
# the API's response models stop at 255 levels, so a draft saved deeper could never be opened again.
MAX_NESTING: Final = 64


def structure_problems(document: Any) -> list[StructureProblem]:
    """Every way `document` breaks the format, in document order: its shape (`shape_problems`) and the rules of
    the fields a person types. What the engine runs and what is published has none."""
    problems = shape_problems(document)
    if problems:
        return problems
    return [StructureProblem(json_path(error.absolute_path), error.message) for error in typed_field_errors(document)]


def shape_problems(document: Any) -> list[StructureProblem]:
    """Every way `document` is not a scenario at all, in document order: not an object, nested too deep, or off
    the format's shape (`schemas.draft_schema`: its containers, types, required keys and block ids). A draft
    with none of these is saved, and the engine and the designer can load it."""
    if not isinstance(document, dict):
        return [StructureProblem("$", "a scenario must be a JSON object")]
    too_deep = _deeper_than(document, MAX_NESTING)
    if too_deep is not None:
        return [StructureProblem(json_path(too_deep), f"nested more than {MAX_NESTING} levels deep")]
    if passes_quick_check(_shape_quick_check(), document):
        return []
    errors = sorted(_shape_validator().iter_errors(document), key=_document_order)
    return [StructureProblem(json_path(error.absolute_path), error.message) for error in errors]


def typed_field_errors(document: dict[str, Any]) -> list[ValidationError]:
    """The fields a person types (the schema's `x-typed`: names, the language, labels) that break their rules
    of length, pattern or choice, in document order, for a document without `shape_problems`: what a draft may
    hold while the analyst is typing, and what blocks publishing it."""
    if passes_quick_check(_document_quick_check(), document):
        return []
    return sorted(_document_validator().iter_errors(document), key=_document_order)


def _document_order(error: ValidationError) -> list[str]:
    return [str(p) for p in error.absolute_path]


def _deeper_than(document: Any, limit: int) -> list[str | int] | None:
    """The path of the first value nested more than `limit` levels deep, or None. Iterative: the document may be
    as deep as the JSON parser allows."""
    # Each entry: a value, its depth, and its place as a (key, parent place) chain, made into a path only if needed.
    # Only containers are queued: scalars cannot nest.
    pending: list[tuple[Any, int, tuple[Any, Any] | None]] = [(document, 0, None)]
    while pending:
        value, depth, place = pending.pop()
        if depth > limit:
            path: list[str | int] = []
            while place is not None:
                key, place = place
                path.append(key)
            return path[::-1]
        items = value.items() if isinstance(value, dict) else enumerate(value)
        pending.extend((item, depth + 1, (key, place)) for key, item in items if isinstance(item, dict | list))
    return None


def parse_document(document: Any) -> Scenario:
    """Build a `Scenario` from a structurally valid document; raise `DocumentError` listing every structure problem."""
    problems = structure_problems(document)
    if problems:
        first = problems[0]
        raise DocumentError(f"not a valid {SCENARIO_FORMAT} document: {first.path}: {first.message}", list(problems))
    return build_scenario(document)


def build_scenario(document: Mapping[str, Any]) -> Scenario:
    """Build a `Scenario` from a document whose structure is already known to be valid."""
    nodes: dict[str, Node] = {}
    for raw in document["nodes"]:
        nodes.setdefault(
            raw["id"],
            Node(
                id=raw["id"],
                type=raw["type"],
                config=freeze(raw.get("config", {})),
                version=raw.get("version", 1),
                label=raw.get("label", ""),
            ),
        )
    edges = tuple(
        Edge(source=raw["source"], exit=raw["exit"], target=raw["target"], id=raw.get("id", ""))
        for raw in document["edges"]
    )
    routes: dict[tuple[str, str], str] = {}
    for edge in edges:
        routes.setdefault((edge.source, edge.exit), edge.target)
    voice = document.get("voice") or {}
    return Scenario(
        name=document["name"],
        description=document.get("description", ""),
        nodes=nodes,
        edges=edges,
        language=document.get("language", "en"),
        voice_engine=voice.get("engine"),
        voice_name=voice.get("name"),
        variables=tuple(
            Variable(
                name=v["name"],
                type=v.get("type", "string"),
                default=v.get("default"),
                description=v.get("description", ""),
                sensitive=v.get("sensitive") is True,
            )
            for v in document.get("variables", [])
        ),
        fallback=document.get("fallback"),
        document=document,
        routes=routes,
    )


def load_json(text: str | bytes) -> Any:
    """Parse JSON text, turning a syntax error into a `DocumentError` that says where, and a key written twice in
    one object into one that names it."""
    try:
        return json.loads(text, object_pairs_hook=_keys_once)
    except json.JSONDecodeError as error:
        raise DocumentError(f"not JSON: line {error.lineno}, column {error.colno}: {error.msg}") from error
    except UnicodeDecodeError as error:
        raise DocumentError(f"not UTF-8 text: {error.reason}") from error


def _keys_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON keeps the last of two equal keys: a hand-edited file's first "config" or "tests" would be dropped without
    # a word, and the file would run something other than what its author reads in it.
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DocumentError(f"key {json.dumps(key, ensure_ascii=False)} is written twice in one object; keep one")
        found[key] = value
    return found
