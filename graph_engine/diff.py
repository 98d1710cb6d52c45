"""A semantic diff of two scenario documents: what an analyst needs to review before publishing.

Not a text diff: moving a block on the canvas is no change, nor is a setting written out at its block's default
(the designer's form fills defaults in), while a new key in a menu, a prompt that says something else, an exit
that now leads elsewhere, or a call result given new words is. Pure: documents in, data out.

Of `meta`, the designer's own (canvas layout, notes), only its scenario tests (`meta.tests`) are told, each by
name: added, removed, or changed. A test changes nothing a call does, but it is what a publish is checked against:
removing a failing test gets a publish past the check, and a reviewer must see that it was removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from graph_engine.json_values import same_json
from graph_engine.upgrade import upgrade_document

if TYPE_CHECKING:
    from graph_engine.registry import BlockRegistry

Scalar = str | int | float | bool | None

# Document fields that change how a call behaves; `viewport` and `meta` do not (its tests are told apart:
# ScenarioTestChange). `results` is told per code
# (ResultChange): a new label is what every call of the scenario, past ones too, is reported with from then on.
_SCENARIO_FIELDS = ("name", "description", "language", "voice", "variables", "fallback")


@dataclass(frozen=True, slots=True)
class BlockRef:
    id: str
    type: str
    label: str


@dataclass(frozen=True, slots=True)
class FieldValues:
    field: str
    before: Scalar  # None: not set
    after: Scalar


@dataclass(frozen=True, slots=True)
class BlockChange:
    id: str
    type: str
    label: str
    fields: list[str]  # config fields (and `type`, `version`, `label`) whose value differs
    # Of those fields, the ones short enough to show as they were and as they are (a number, not a schedule).
    values: list[FieldValues] = field(default_factory=list)
    # The others that are text (a SQL query, a template): too long for a line, shown as they were and as they are.
    texts: list[FieldValues] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PromptChange:
    node: str
    field: str  # config field, e.g. "prompt" or "invalid_prompt"
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class KeysChange:
    node: str
    added: list[str]
    removed: list[str]


@dataclass(frozen=True, slots=True)
class KeyChange:
    """A menu key kept from one version to the next whose meaning (its label) changed."""

    node: str
    key: str
    before: str | None  # None: the key had no label
    after: str | None


@dataclass(frozen=True, slots=True)
class DestinationChange:
    node: str
    exit: str
    before: str | None  # None: the exit was not wired
    after: str | None  # None: the exit is no longer wired


@dataclass(frozen=True, slots=True)
class ResultChange:
    """A declared call result (the document's `results`) added, removed, or kept under its code with new words.

    Reports and call records show each result as the latest published version words it, past calls too: a new
    label is a change to review even when nothing else changed."""

    code: str
    kind: str  # "added", "removed", "relabelled", "description_changed"
    before: str | None  # the label (added, removed, relabelled) or description; None: none, or too long to show
    after: str | None


@dataclass(frozen=True, slots=True)
class ScenarioTestChange:
    """A scenario test (`meta.tests`) added, removed, or kept under its name with other inputs or expectations."""

    name: str
    kind: str  # "added", "removed", "changed"


@dataclass(frozen=True, slots=True)
class ScenarioDiff:
    blocks_added: list[BlockRef] = field(default_factory=list)
    blocks_removed: list[BlockRef] = field(default_factory=list)
    blocks_changed: list[BlockChange] = field(default_factory=list)
    prompts_changed: list[PromptChange] = field(default_factory=list)
    keys_changed: list[KeysChange] = field(default_factory=list)
    destinations_changed: list[DestinationChange] = field(default_factory=list)
    settings_changed: list[str] = field(default_factory=list)  # scenario-level fields
    keys_relabelled: list[KeyChange] = field(default_factory=list)
    results_changed: list[ResultChange] = field(default_factory=list)
    tests_changed: list[ScenarioTestChange] = field(default_factory=list)
    # Every block of either document (the newer one's when both have it): names what a change is about.
    blocks: dict[str, BlockRef] = field(default_factory=dict, repr=False)

    @property
    def empty(self) -> bool:
        return not (
            self.blocks_added
            or self.blocks_removed
            or self.blocks_changed
            or self.destinations_changed
            or self.settings_changed
            or self.results_changed
            or self.tests_changed
        )

    def changes(self) -> list[dict[str, Any]]:
        """Each change as data: a stable `kind` and its parameters, for a client to word in its own language.

        Kinds: `block_added`, `block_removed` (node, label, type); `prompt_changed` (node, label, type, field,
        before/after: the text when short); `keys_added`, `keys_removed` (node, label, type, keys);
        `exit_changed` (node, label, type, exit, before/after: the target ids or None, before_label/after_label:
        their labels); `block_changed` (node, label, type, fields: what changed that no other change tells);
        `key_changed` (node, label, type, key, before/after: the key's label or None); `setting_changed` (field);
        `result_added`, `result_removed`, `result_relabelled` (code, before/after: its label, None on the side
        without it); `result_description_changed` (code, before/after: the description when both sides are short
        enough to show, None for none; both None when one is not); `tests_added`, `tests_removed`, `tests_changed`
        (tests: the names of the scenario tests, `meta.tests`, added, removed, or kept with other contents).
        `block_changed` also carries `values`: [{field, before, after}] for those of its fields short enough to
        show (a number, a short text; not a list or an object), None where the field was not set; compared with
        the installed blocks (`diff_documents`'s `registry`), a field not set reads as its default.
        `block_changed` and `prompt_changed` carry `texts`, [{field, before, after}], when a text of theirs is too
        long for a line (a SQL query, a long TTS text) but short enough to send (up to 4,000 characters a side):
        both sides in full, None on a side without it. The key is left out when there is no such text.
        """
        refs = self.blocks
        items: list[dict[str, Any]] = [{"kind": "block_added", **_about(b)} for b in self.blocks_added]
        items += [{"kind": "block_removed", **_about(b)} for b in self.blocks_removed]
        for prompt in self.prompts_changed:
            short = {"before": _short_text(prompt.before), "after": _short_text(prompt.after)}
            item = {"kind": "prompt_changed", **_about(refs.get(prompt.node), prompt.node), "field": prompt.field}
            items.append(item | short | _prompt_texts(prompt))
        for keys in self.keys_changed:
            for kind, listed in (("keys_added", keys.added), ("keys_removed", keys.removed)):
                if listed:
                    items.append({"kind": kind, **_about(refs.get(keys.node), keys.node), "keys": listed})
        for key in self.keys_relabelled:
            items.append(
                {"kind": "key_changed", **_about(refs.get(key.node), key.node), "key": key.key}
                | {"before": key.before, "after": key.after}
            )
        for dest in self.destinations_changed:
            labels = {"before_label": self._label_of(dest.before), "after_label": self._label_of(dest.after)}
            items.append(
                {"kind": "exit_changed", **_about(refs.get(dest.node), dest.node), "exit": dest.exit}
                | {"before": dest.before, "after": dest.after, **labels}
            )
        for block in self.blocks_changed:
            # Prompts and menu keys are told above, each on its own: the rest of the block's changes (a
            # schedule's hours, a transfer's number, a new label) would otherwise go untold.
            told = {p.field for p in self.prompts_changed if p.node == block.id}
            if block.id in {k.node for k in self.keys_changed} | {k.node for k in self.keys_relabelled}:
                told.add("options")  # each key added, removed or given a new meaning is told on its own
            fields = [name for name in block.fields if name not in told]
            values = [asdict(v) for v in block.values if v.field in fields]
            texts = [asdict(v) for v in block.texts if v.field in fields]
            if fields:
                items.append(
                    {
                        "kind": "block_changed",
                        **_about(refs.get(block.id), block.id),
                        "fields": fields,
                        "values": values,
                    }
                    | ({"texts": texts} if texts else {})
                )
        items += [{"kind": "setting_changed", "field": name} for name in self.settings_changed]
        items += [
            {"kind": f"result_{result.kind}", "code": result.code, "before": result.before, "after": result.after}
            for result in self.results_changed
        ]
        for kind in ("removed", "added", "changed"):
            names = [test.name for test in self.tests_changed if test.kind == kind]
            if names:
                items.append({"kind": f"tests_{kind}", "tests": names})
        return items

    def summary(self) -> list[str]:
        """One sentence per change, for a business analyst reading English (API clients); see `changes`."""
        return [_sentence(change) for change in self.changes()]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["empty"] = self.empty
        data["changes"] = self.changes()
        data["summary"] = self.summary()
        del data["blocks"]
        return data

    def _label_of(self, node: str | None) -> str | None:
        if node is None:
            return None
        block = self.blocks.get(node)
        return block.label if block else ""


def diff_documents(before: Any, after: Any, *, registry: BlockRegistry | None = None) -> ScenarioDiff:
    """What changed from `before` to `after`. Either may be None (nothing published yet) or malformed.

    `registry`: the installed blocks. Both sides are then compared as those blocks read them, every node written
    for an older version of its block migrated as the engine migrates it (graph_engine.upgrade). Unmigrated, a
    version published before a plugin upgrade differs from the same draft, upgraded, in the node's `version` and
    every field the migration renamed: changes nobody made. Nor is the upgrade itself a change to review: calls
    already run the older version through that same migration, so for a caller nothing changes. Each block's
    settings are then also read with its schema's defaults filled in, as the engine reads a setting not written:
    the designer's form writes them out (`mode: menu`, `allow_star: false`) as soon as a block is edited, and a
    setting written at its default where it was not written is no change."""
    if registry is not None:
        before, after = upgrade_document(before, registry), upgrade_document(after, registry)
    old, new = _as_mapping(before), _as_mapping(after)
    old_nodes, new_nodes = _nodes(old), _nodes(new)
    if registry is not None:
        old_nodes, new_nodes = _with_defaults(old_nodes, registry), _with_defaults(new_nodes, registry)
    added = [_ref(node) for node_id, node in new_nodes.items() if node_id not in old_nodes]
    removed = [_ref(node) for node_id, node in old_nodes.items() if node_id not in new_nodes]
    changed: list[BlockChange] = []
    prompts: list[PromptChange] = []
    keys: list[KeysChange] = []
    relabelled: list[KeyChange] = []
    for node_id, new_node in new_nodes.items():
        old_node = old_nodes.get(node_id)
        if old_node is None:
            continue
        fields = _changed_fields(old_node, new_node)
        if fields:
            values = _short_values(old_node, new_node, fields)
            texts = _long_texts(old_node, new_node, fields)
            changed.append(
                BlockChange(node_id, _str(new_node.get("type")), _str(new_node.get("label")), fields, values, texts)
            )
        old_config, new_config = _config(old_node), _config(new_node)
        for name in sorted(set(old_config) | set(new_config)):
            if _is_prompt_field(name) and not same_json(old_config.get(name), new_config.get(name)):
                prompts.append(PromptChange(node_id, name, old_config.get(name), new_config.get(name)))
        old_keys, new_keys = _menu_keys(old_config), _menu_keys(new_config)
        if old_keys != new_keys:
            keys.append(
                KeysChange(
                    node_id,
                    added=[k for k in new_keys if k not in old_keys],
                    removed=[k for k in old_keys if k not in new_keys],
                )
            )
        relabelled += _relabelled_keys(node_id, old_config, new_config)
    destinations = _destination_changes(old, new, kept=set(old_nodes) & set(new_nodes))
    # Against nothing published yet every block is new; its settings were not "changed" from anything.
    settings = (
        [name for name in _SCENARIO_FIELDS if not same_json(old.get(name), new.get(name))] if before is not None else []
    )
    blocks = {node_id: _ref(node) for node_id, node in {**old_nodes, **new_nodes}.items()}
    results = _result_changes(_results(old), _results(new))
    tests = _test_changes(_tests(old), _tests(new))
    return ScenarioDiff(
        added,
        removed,
        changed,
        prompts,
        keys,
        destinations,
        settings,
        keys_relabelled=relabelled,
        results_changed=results,
        tests_changed=tests,
        blocks=blocks,
    )


_SHORT = 120  # a prompt's text up to this long is sent as it is, before and after; longer is only "changed"
_SHORT_VALUE = 60  # a setting's value (a number, an extension) up to this long is sent before and after
# A longer text (a query, a template) up to this long is sent too, whole, for a client to show apart from the line;
# longer is only named: a diff is read before each publish, and a text that long is not read in it anyway.
_LONG_TEXT = 4000


def _about(block: BlockRef | None, node: str = "") -> dict[str, str]:
    return (
        {"node": block.id, "label": block.label, "type": block.type}
        if block
        else {"node": node, "label": "", "type": ""}
    )


def _prompt_text(prompt: Any) -> Any:
    return prompt.get("text") if isinstance(prompt, Mapping) else prompt


def _short_text(prompt: Any) -> str | None:
    text = _prompt_text(prompt)
    return text if isinstance(text, str) and len(text) <= _SHORT else None


def _is_sendable_text(value: Any) -> bool:
    return value is None or (isinstance(value, str) and len(value) <= _LONG_TEXT)


def _prompt_texts(prompt: PromptChange) -> dict[str, list[dict[str, Any]]]:
    """`texts` of a prompt change whose text is too long for its line on either side; else nothing."""
    before, after = _prompt_text(prompt.before), _prompt_text(prompt.after)
    if not (_is_sendable_text(before) and _is_sendable_text(after)):
        return {}  # an audio file, or a text too long even for this
    if _short_text(prompt.before) == before and _short_text(prompt.after) == after:
        return {}  # the line says both already
    return {"texts": [asdict(FieldValues(prompt.field, before, after))]}


def _sentence(change: Mapping[str, Any]) -> str:
    kind, name = change["kind"], change.get("label") or change.get("node")
    if kind in ("block_added", "block_removed"):
        return f'{kind.removeprefix("block_")} block "{name}" ({change["type"]})'
    if kind == "prompt_changed":
        return f'prompt "{change["field"]}" of "{change["node"]}" changed'
    if kind == "keys_added":
        return f'"{change["node"]}" now offers key(s) {", ".join(change["keys"])}'
    if kind == "keys_removed":
        return f'"{change["node"]}" no longer offers key(s) {", ".join(change["keys"])}'
    if kind == "key_changed":
        before, after = (f'"{change[side]}"' if change[side] else "nothing" for side in ("before", "after"))
        return f'key "{change["key"]}" of "{change["node"]}" now means {after} (was {before})'
    if kind == "exit_changed":
        before, after = change["before"] or "nowhere", change["after"] or "nowhere"
        return f'exit "{change["exit"]}" of "{change["node"]}" now leads to {after} (was {before})'
    if kind == "block_changed":
        return f'block "{name}" ({change["type"]}) changed: {", ".join(change["fields"])}'
    if kind.startswith("result_"):
        return _result_sentence(kind, change)
    if kind.startswith("tests_"):
        names = ", ".join(f'"{name}"' for name in change["tests"])
        plural = "s" if len(change["tests"]) != 1 else ""
        return f"{kind.removeprefix('tests_')} test{plural}: {names}"
    return f"scenario setting {change['field']!r} changed"


def _result_sentence(kind: str, change: Mapping[str, Any]) -> str:
    code, before, after = change["code"], change["before"], change["after"]
    if kind == "result_added":
        return f'result "{code}" added: "{after}"'
    if kind == "result_removed":
        return f'result "{code}" removed (was "{before}")'
    if kind == "result_relabelled":
        return f'result "{code}" now reads "{after}" (was "{before}")'
    return f'description of result "{code}" changed'


def _as_mapping(document: Any) -> Mapping[str, Any]:
    return document if isinstance(document, Mapping) else {}


def _nodes(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    nodes: dict[str, Mapping[str, Any]] = {}
    raw = document.get("nodes")
    for node in raw if isinstance(raw, list) else []:
        if isinstance(node, Mapping) and isinstance(node.get("id"), str):
            nodes.setdefault(node["id"], node)
    return nodes


def _routes(document: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    routes: dict[tuple[str, str], str] = {}
    raw = document.get("edges")
    for edge in raw if isinstance(raw, list) else []:
        if isinstance(edge, Mapping):
            source, exit_name, target = edge.get("source"), edge.get("exit"), edge.get("target")
            if isinstance(source, str) and isinstance(exit_name, str) and isinstance(target, str):
                routes.setdefault((source, exit_name), target)  # the first edge wins, as in the engine
    return routes


def _destination_changes(old: Mapping[str, Any], new: Mapping[str, Any], *, kept: set[str]) -> list[DestinationChange]:
    # Exits of added or removed blocks are part of that block's addition or removal, not separate changes.
    old_routes, new_routes = _routes(old), _routes(new)
    changes = []
    for source, exit_name in sorted(set(old_routes) | set(new_routes)):
        if source not in kept:
            continue
        before, after = old_routes.get((source, exit_name)), new_routes.get((source, exit_name))
        if before != after:
            changes.append(DestinationChange(source, exit_name, before, after))
    return changes


def _changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    # Only behaviour counts: `position` and `notes` are canvas layout.
    fields = [name for name in ("type", "version", "label") if not same_json(old.get(name), new.get(name))]
    old_config, new_config = _config(old), _config(new)
    names = sorted(set(old_config) | set(new_config))
    return fields + [name for name in names if not same_json(old_config.get(name), new_config.get(name))]


def _config(node: Mapping[str, Any]) -> Mapping[str, Any]:
    config = node.get("config")
    return config if isinstance(config, Mapping) else {}


def _is_prompt_field(name: str) -> bool:
    return name in ("prompt", "audio", "text") or name.endswith("_prompt")


def _setting(node: Mapping[str, Any], name: str) -> Any:
    return node.get(name) if name in ("type", "version", "label") else _config(node).get(name)


def _is_short(value: Any) -> bool:
    # bool and int are both scalars here; a list or an object (a schedule's hours) has no short form.
    return (
        value is None
        or isinstance(value, bool | int | float)
        or (isinstance(value, str) and len(value) <= _SHORT_VALUE)
    )


def _short_values(old: Mapping[str, Any], new: Mapping[str, Any], fields: list[str]) -> list[FieldValues]:
    values = []
    for name in fields:
        before, after = _setting(old, name), _setting(new, name)
        if _is_short(before) and _is_short(after):
            values.append(FieldValues(name, before, after))
    return values


def _long_texts(old: Mapping[str, Any], new: Mapping[str, Any], fields: list[str]) -> list[FieldValues]:
    """Of `fields`, those that are text on both sides (or not set on one) and too long for `_short_values`."""
    texts = []
    for name in fields:
        before, after = _setting(old, name), _setting(new, name)
        if _is_short(before) and _is_short(after):
            continue  # a value, told as one
        if _is_sendable_text(before) and _is_sendable_text(after):
            texts.append(FieldValues(name, before, after))
    return texts


def _key_options(config: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    options = config.get("options")
    by_key: dict[str, Mapping[str, Any]] = {}
    for option in options if isinstance(options, list) else []:
        if isinstance(option, Mapping) and "key" in option:
            by_key.setdefault(str(option["key"]), option)
    return by_key


def _relabelled_keys(node: str, old_config: Mapping[str, Any], new_config: Mapping[str, Any]) -> list[KeyChange]:
    # Keys added or removed are KeysChange; a key in both versions whose settings differ is told here.
    old_options, new_options = _key_options(old_config), _key_options(new_config)
    return [
        KeyChange(node, key, _label_text(old_options[key]), _label_text(option))
        for key, option in new_options.items()
        if key in old_options and not same_json({**old_options[key], "key": key}, {**option, "key": key})
    ]


def _label_text(option: Mapping[str, Any]) -> str | None:
    label = option.get("label")
    return label if isinstance(label, str) and label else None


def _menu_keys(config: Mapping[str, Any]) -> list[str]:
    options = config.get("options")
    keys: list[str] = []
    for option in options if isinstance(options, list) else []:
        if isinstance(option, Mapping) and "key" in option and str(option["key"]) not in keys:
            keys.append(str(option["key"]))
    return keys


# A declared result as the diff reads it: its label and description (None: none).
_Declared = tuple[str, str | None]


def _results(document: Mapping[str, Any]) -> dict[str, _Declared]:
    """code -> (label, description) of a document's `results`, as reports read them (persistence.result_labels):
    a result with a text code and label, the first of a code declared twice."""
    raw = document.get("results")
    declared: dict[str, _Declared] = {}
    for result in raw if isinstance(raw, list) else []:
        if not isinstance(result, Mapping):
            continue
        code, label, description = result.get("code"), result.get("label"), result.get("description")
        if isinstance(code, str) and isinstance(label, str):
            declared.setdefault(code, (label, description if isinstance(description, str) else None))
    return declared


def _result_changes(old: dict[str, _Declared], new: dict[str, _Declared]) -> list[ResultChange]:
    # Their order is not a change: reports find a result by its code. In the new order, then those removed.
    changes: list[ResultChange] = []
    for code, (label, description) in new.items():
        if code not in old:
            changes.append(ResultChange(code, "added", None, label))
            continue
        old_label, old_description = old[code]
        if old_label != label:
            changes.append(ResultChange(code, "relabelled", old_label, label))
        if old_description != description:
            shown = all(text is None or len(text) <= _SHORT for text in (old_description, description))
            before, after = (old_description, description) if shown else (None, None)
            changes.append(ResultChange(code, "description_changed", before, after))
    changes += [ResultChange(code, "removed", label, None) for code, (label, _) in old.items() if code not in new]
    return changes


def _tests(document: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The scenario tests of `document` (`meta.tests`) by name, as a test run names them: its `name`, else `test N`
    (its place, from 1). A name given twice lists each test under it, in order."""
    meta = document.get("meta")
    raw = meta.get("tests") if isinstance(meta, Mapping) else None
    by_name: dict[str, list[Any]] = {}
    for number, test in enumerate(raw if isinstance(raw, list) else [], start=1):
        name = test.get("name") if isinstance(test, Mapping) else None
        by_name.setdefault(name if isinstance(name, str) and name else f"test {number}", []).append(test)
    return by_name


def _test_changes(old: dict[str, list[Any]], new: dict[str, list[Any]]) -> list[ScenarioTestChange]:
    # Their order is not a change: each test is a call of its own. Paired by name, the n-th of a name with the n-th.
    changes: list[ScenarioTestChange] = []
    for name in [*new, *(name for name in old if name not in new)]:
        before, after = old.get(name, []), new.get(name, [])
        for at in range(max(len(before), len(after))):
            if at >= len(before):
                changes.append(ScenarioTestChange(name, "added"))
            elif at >= len(after):
                changes.append(ScenarioTestChange(name, "removed"))
            elif not same_json(before[at], after[at]):
                changes.append(ScenarioTestChange(name, "changed"))
    return changes


def _with_defaults(nodes: dict[str, Mapping[str, Any]], registry: BlockRegistry) -> dict[str, Mapping[str, Any]]:
    """Each node with its config's unwritten settings at their block's schema defaults (the rows of a list of
    objects too: a Set Variable's `mode`); a node of a block not installed, or without a config object, as it is."""
    filled: dict[str, Mapping[str, Any]] = {}
    for node_id, node in nodes.items():
        type_name, config = node.get("type"), node.get("config")
        block = registry.get(type_name) if isinstance(type_name, str) else None
        if block is None or not isinstance(config, Mapping):
            filled[node_id] = node
        else:
            filled[node_id] = {**node, "config": _defaulted(config, block.config_schema)}
    return filled


def _defaulted(value: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """`value` (an object the schema describes) with each property it lacks that has a `default` set to it, and each
    list of objects with its rows so filled. Only plain `properties`: a branch of a oneOf is the block's to read."""
    properties = schema.get("properties")
    out = dict(value)
    for name, spec in properties.items() if isinstance(properties, Mapping) else ():
        if not isinstance(spec, Mapping):
            continue
        if name not in out and "default" in spec:
            out[name] = spec["default"]
        items = spec.get("items")
        if isinstance(out.get(name), list) and isinstance(items, Mapping) and "properties" in items:
            out[name] = [_defaulted(row, items) if isinstance(row, Mapping) else row for row in out[name]]
    return out


def _ref(node: Mapping[str, Any]) -> BlockRef:
    return BlockRef(_str(node.get("id")), _str(node.get("type")), _str(node.get("label")))


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
