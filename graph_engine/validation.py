"""Validation: every problem of a scenario at once, each with a stable code, the node, a JSON path and a message
a business analyst understands. Structure by jsonschema, block configs by each block's schema, meaning by networkx.

`validate` never raises: whatever the input, it returns a list of issues (an empty list means publishable,
warnings aside).

Codes: structure, invalid_value, duplicate_node_id, duplicate_variable, no_start, multiple_starts, unknown_type,
config, block_version, template_syntax, dangling_edge, unknown_exit, duplicate_exit_edge, edge_from_terminal,
goto_missing_target, goto_unknown_scenario, fallback_missing, unreachable, unwired_exit, loop_without_input,
undefined_variable, unknown_variable, check_failed, sensitive_in_prompt, personal_data_to_online_tts,
sensitive_to_callback, date_spoken_raw, single_brace_variable, duplicate_result, undeclared_result, studio_placeholder,
plus the blocks' own (duplicate_key, no_keys, unknown_timezone...).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from difflib import get_close_matches
from functools import cache
from typing import Any, TypeVar

import networkx as nx

from graph_engine import template_hints, templates
from graph_engine.block import BlockType, TemplateField
from graph_engine.document import (
    CHANNEL_FACTS,
    MAX_NESTING,
    Node,
    Scenario,
    SchemaValidator,
    StructureProblem,
    build_scenario,
    json_path,
    shape_problems,
    typed_field_errors,
)
from graph_engine.issues import Issue, Params, Severity, error, node_params
from graph_engine.registry import BlockRegistry
from graph_engine.schema_messages import explain, field_label, rule_params, what_is_wrong
from graph_engine.sensitive import NOT_PERSONAL, ONLINE_TTS_ENGINES
from graph_engine.sql_params import parse_query
from graph_engine.studio_import import PLACEHOLDER_VARIABLE
from schemas import draft_schema

# Variables that exist in every call, whatever the scenario declares.
ALWAYS_SET = frozenset(CHANNEL_FACTS)
# The variable a flow records its outcome in, and the blocks that write a literal into it: Set Variable's assignments
# (blocks.builtin.set_variable) and Hang Up's `result` (blocks.builtin.hangup).
RESULT_VARIABLE = "result"
SET_VARIABLE, HANG_UP = "set_variable", "hangup"
# The exit name of a Go To's jump (what its `run` returns): the jump is a connection without an edge.
GOTO_EXIT = "goto"

# Warnings listed before the others: a variable nothing sets fails its block on every call that does not bring it,
# and was buried among the exits that lead nowhere (review of an Oktell administrator).
SAID_FIRST = frozenset({"unknown_variable"})

# An unwired `next` exit's advice: a Hang Up block there ends the call as the unwired exit does, and says it is meant.
NEXT_EXIT = "next"
END_ON_PURPOSE = "to end the call here on purpose, connect it to a Hang Up block"

# A connection as the data flow follows it: (source node, exit, target node).
Route = tuple[str, str, str]

_T = TypeVar("_T")


class _MethodFailed(Exception):
    """A block's static-analysis method (`method`, without parentheses) raised `failure`."""

    def __init__(self, method: str, failure: Exception) -> None:
        super().__init__(method, failure)
        self.method = method
        self.failure = failure


def _calling(method: str, call: Callable[..., _T], *args: Any) -> _T:
    """`call(*args)`, a block's `method` at work: what it raises comes out as `_MethodFailed` naming the method."""
    try:
        return call(*args)
    except Exception as failure:
        raise _MethodFailed(method, failure) from failure


def _template_reads(block: BlockType, node: Node) -> dict[str, tuple[str | int, ...]]:
    """The variables the templates in a node's config read before the block sets them itself, each with the path
    of the first field reading it in the config (`("text",)`). A name in a field's `written_before` is set there
    already."""
    reads: dict[str, tuple[str | int, ...]] = {}
    for field in block.templates(node.config):
        for name in sorted(templates.names_read(field.source, expression=field.expression) - field.written_before):
            reads.setdefault(name, field.path)
    return reads


def _parameter_field(config: Mapping[str, Any], name: str) -> tuple[str | int, ...]:
    """The config field a block's own read of `name` is in (`variables_read`: an SQL block's `:name`), as a path:
    the first text field whose SQL parameters name it; `()` (the settings as a whole) when none does."""
    for key, value in config.items():
        if isinstance(value, str) and ":" in value and name in parse_query(value).names:
            return (key,)
    return ()


def validate(
    document: Any,
    registry: BlockRegistry,
    *,
    known_scenarios: Iterable[str] | None = None,
    unpublished_scenarios: Iterable[str] = (),
) -> list[Issue]:
    """Every problem of `document`, errors first. Never raises.

    `known_scenarios`: the scenarios Go To Scenario and Callback may name (calls reach only published ones); None
    leaves that unchecked. `unpublished_scenarios`: those of the others that exist as drafts, so the problem says
    "not published yet" rather than "does not exist" of a scenario the analyst can see in the list."""
    try:
        known = set(known_scenarios) if known_scenarios is not None else None
        issues = _Validator(document, registry, known, set(unpublished_scenarios)).run()
    except Exception as failure:  # a validator bug must not take the designer or the publish path down
        detail = f"{type(failure).__name__}: {failure}"
        issues = [error("internal", f"validation stopped unexpectedly: {detail}", params={"detail": detail})]
    return sorted(issues, key=lambda issue: (issue.severity is not Severity.ERROR, issue.code not in SAID_FIRST))


class _Validator:
    def __init__(
        self,
        document: Any,
        registry: BlockRegistry,
        known_scenarios: set[str] | None,
        unpublished_scenarios: set[str] | None = None,
    ) -> None:
        self.document = document
        self.registry = registry
        self.known_scenarios = known_scenarios
        self.unpublished_scenarios = unpublished_scenarios or set()
        self.issues: list[Issue] = []
        self.index: dict[str, int] = {}  # node id -> position in the document's node list
        self.check_failed: set[str] = set()  # nodes whose block's static analysis raised (flagged once)
        # What the template hints look for (see `_check_template_hints`), set before the nodes are checked.
        self.spoken_forms: dict[str, str] = {}  # declared variable -> the helper a phrase says its value with
        self.known_names: frozenset[str] = frozenset()  # every variable a template of the scenario may mean

    # -- entry ----------------------------------------------------------------------------------
    def run(self) -> list[Issue]:
        problems = shape_problems(self.document)
        if problems:  # not a scenario the rest can read
            return _structure_issues(self.document, problems)
        self._check_typed_fields()
        scenario = self._migrated(build_scenario(self.document))
        for position, raw in enumerate(self.document["nodes"]):
            if raw["id"] in self.index:
                self.issues.append(
                    error(
                        "duplicate_node_id",
                        f'Two blocks share the id "{raw["id"]}"',
                        node=raw["id"],
                        path=f"$.nodes[{position}].id",
                        params={"node_id": raw["id"]},
                    )
                )
            else:
                self.index[raw["id"]] = position
        self._check_variables()
        self._check_results(scenario)
        self._check_start(scenario)
        exits = self._check_nodes(scenario)
        self._check_studio_placeholders(scenario)
        self._check_sensitive(scenario)
        graph, routes = self._check_edges(scenario, exits)
        self._check_fallback(scenario)
        self._check_flow(scenario, graph, routes, exits)
        return self.issues

    def _migrated(self, scenario: Scenario) -> Scenario:
        """Nodes written for an older block version are checked as the block will run them: migrated."""
        nodes = dict(scenario.nodes)
        for node_id, node in scenario.nodes.items():
            block = self.registry.get(node.type)
            if block is not None and node.version < block.version:
                try:
                    config = block.migrate(node.version, node.config)
                except Exception as failure:
                    self.issues.append(
                        error(
                            "block_version",
                            f'Block "{node.title}" (version {node.version}) cannot be upgraded to {block.title} '
                            f"version {block.version}: {failure}",
                            node=node_id,
                            params={
                                **self._params(node),
                                "node_version": node.version,
                                "block_version": block.version,
                                "detail": str(failure),
                            },
                        )
                    )
                    continue
                nodes[node_id] = replace(node, config=config, version=block.version)
        return replace(scenario, nodes=nodes) if nodes != scenario.nodes else scenario

    def _flag(
        self,
        node_id: str,
        code: str,
        message: str,
        suffix: str = "",
        *,
        params: Params,
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Record an issue about one node, located at `$.nodes[i]` + `suffix`, with the `params` its message
        is made of."""
        self.issues.append(Issue(severity, code, message, node_id, self._path(node_id, suffix), params))

    def _path(self, node_id: str, suffix: str = "") -> str:
        return f"$.nodes[{self.index[node_id]}]{suffix}"

    def _name(self, node: Node) -> str:
        return self.registry.node_name(node.type, node.title)

    def _params(self, node: Node, prefix: str = "") -> Params:
        """`_name`'s parts as params (`block_type`, `block_title`, `label`), each name after `prefix`."""
        return {prefix + key: value for key, value in self._node_params(node.type, node.title).items()}

    def _node_params(self, type_name: str, title: str) -> Params:
        block = self.registry.get(type_name)
        return node_params(type_name, block.title if block is not None else type_name, title)

    # -- declarations -------------------------------------------------------------------------------
    def _check_typed_fields(self) -> None:
        """What a person types that breaks its rule (a name cleared to be retyped, "es-" on the way to "es-ES"):
        a draft keeps it, so it is named here, at its node and field, and it blocks publishing."""
        for problem in typed_field_errors(self.document):
            path = list(problem.absolute_path)
            node: str | None = None
            params: Params
            match path:
                case ["nodes", int(position), field]:
                    raw = self.document["nodes"][position]
                    node = raw["id"]
                    where = f"{self.registry.node_name(raw['type'], _node_title(raw))}: {str(field).capitalize()}"
                    params = {"where": "node", **self._node_params(raw["type"], _node_title(raw)), "field": field}
                case ["variables", int(row), field]:
                    where = f"Variable {row + 1} {field}"
                    params = {"where": "variable", "row": row + 1, "field": field}
                case ["results", int(row), field]:
                    where = f"Result {row + 1} {field}"
                    params = {"where": "result", "row": row + 1, "field": field}
                case [field]:
                    where = f"Scenario {field}"
                    params = {"where": "scenario", "field": field}
                case _:
                    where = json_path(path)
                    params = {"where": "path", "path": where}
            self.issues.append(
                error(
                    "invalid_value",
                    f"{where}: {what_is_wrong(problem)}",
                    node=node,
                    path=json_path(path),
                    params={**params, **rule_params(problem)},
                )
            )

    def _check_variables(self) -> None:
        seen: set[str] = set()
        for position, variable in enumerate(self.document.get("variables", [])):
            if variable["name"] in seen:
                self.issues.append(
                    error(
                        "duplicate_variable",
                        f'The variable "{variable["name"]}" is declared twice',
                        path=f"$.variables[{position}].name",
                        params={"variable": variable["name"]},
                    )
                )
            seen.add(variable["name"])

    def _check_results(self, scenario: Scenario) -> None:
        """The declared call results: a code declared twice (reports could not tell which label is meant) is an
        error; a literal result a block records that the scenario does not declare, once it declares any, a
        warning, as reports then show that one's code among the others' labels (a misspelt `will_pay`, or one
        not added yet). A result worked out in the call (a template, an expression) is its own to say."""
        declared: set[str] = set()
        for position, result in enumerate(self.document.get("results", [])):
            if result["code"] in declared:
                self.issues.append(
                    error(
                        "duplicate_result",
                        f'The result "{result["code"]}" is declared twice',
                        path=f"$.results[{position}].code",
                        params={"result": result["code"]},
                    )
                )
            declared.add(result["code"])
        if not declared:
            return
        for node in scenario.nodes.values():
            for suffix, code in _literal_results(node):
                if code not in declared:
                    self._flag(
                        node.id,
                        "undeclared_result",
                        f'{self._name(node)} records the result "{code}", which the scenario does not declare: '
                        "reports show its code instead of a label",
                        suffix,
                        params={**self._params(node), "result": code},
                        severity=Severity.WARNING,
                    )

    def _check_start(self, scenario: Scenario) -> None:
        starts = scenario.start_nodes()
        if not starts:
            self.issues.append(error("no_start", "The scenario has no Start block: calls would have nowhere to go"))
        for extra in starts[1:]:
            self._flag(
                extra.id,
                "multiple_starts",
                f"{self._name(extra)}: a scenario has exactly one Start block",
                params=self._params(extra),
            )

    # -- each node ------------------------------------------------------------------------------------
    def _check_nodes(self, scenario: Scenario) -> dict[str, list[str]]:
        """Check each node on its own; return the exits of every node whose block is known."""
        exits: dict[str, list[str]] = {}
        self._note_names(scenario)
        for node in scenario.nodes.values():
            block = self.registry.get(node.type)
            if block is None:
                self._flag_unknown_type(node)
                continue
            if node.version > block.version:
                self._flag(
                    node.id,
                    "block_version",
                    f"{self._name(node)} was made with a newer {block.title} (version {node.version}) than "
                    f"this server has ({block.version})",
                    ".version",
                    params={**self._params(node), "node_version": node.version, "block_version": block.version},
                )
            config_ok = self._check_config(node, block)
            try:
                self._check_block(node, block, scenario, config_ok, exits)
            except _MethodFailed as failed:
                self._flag_check_failed(node, failed)
                exits.setdefault(node.id, [])
        return exits

    def _check_block(
        self, node: Node, block: BlockType, scenario: Scenario, config_ok: bool, exits: dict[str, list[str]]
    ) -> None:
        """Note the node's exits in `exits`, then the block's own checks of its config: through the block's
        static-analysis methods, plugin code, whose failure is raised as `_MethodFailed` naming the method."""
        exits[node.id] = _calling("exits", lambda: block.exits(node.config))
        _calling("templates", lambda: self._check_templates(node, block))
        if config_ok:
            for issue in _calling("check", lambda: list(block.check(node, scenario))):
                self.issues.append(_rebase(issue, self._path(node.id)))

    def _flag_unknown_type(self, node: Node) -> None:
        """No block of the node's type: not installed, or installed but left out as broken (and why)."""
        broken = self.registry.broken_plugin(node.type)
        params = self._params(node)
        if broken is None:
            what = "which is not installed"
        else:
            what = f"whose plugin {broken.plugin!r} is installed but broken: {broken.reason}"
            params |= {"plugin": broken.plugin, "detail": broken.reason}
        self._flag(
            node.id, "unknown_type", f'Block "{node.title}" is of type "{node.type}", {what}', ".type", params=params
        )

    def _flag_check_failed(self, node: Node, failed: _MethodFailed, severity: Severity = Severity.ERROR) -> None:
        """A block's static analysis raised: a plugin's bug, named for its author by the method and exception.
        `detail` (what the designer shows) is the exception; `method` and `exception` name it apart. Once a node:
        the first failure is the one to fix."""
        if node.id in self.check_failed:
            return
        self.check_failed.add(node.id)
        exception = type(failed.failure).__name__
        detail = f"{exception}: {failed.failure}" if str(failed.failure) else exception
        self._flag(
            node.id,
            "check_failed",
            f"{self._name(node)}: its settings could not be checked: {failed.method}() raised {detail}",
            ".config",
            params={**self._params(node), "method": failed.method, "exception": exception, "detail": detail},
            severity=severity,
        )

    def _check_config(self, node: Node, block: BlockType) -> bool:
        found = False
        for problem in self.registry.config_errors(node.type, node.config):
            found = True
            path, message, params = explain(problem, block.config_schema)  # in a started choice: a prompt's text
            where = ".config" + json_path(path).removeprefix("$")
            self._flag(
                node.id, "config", f"{self._name(node)}: {message}", where, params={**self._params(node), **params}
            )
        return not found

    def _check_templates(self, node: Node, block: BlockType) -> None:
        for field in block.templates(node.config):
            problem = templates.template_syntax_error(field.source, expression=field.expression)
            if problem:
                kind = "expression" if field.expression else "template"  # the first word of `problem`
                self._flag(
                    node.id,
                    "template_syntax",
                    f"{self._name(node)}: {problem}",
                    ".config" + json_path(field.path).removeprefix("$"),
                    params={
                        **self._params(node),
                        "kind": kind,
                        "detail": problem.removeprefix(f"{kind} "),
                        **templates.template_syntax_hint(field.source, expression=field.expression),
                    },
                )
            elif not field.expression:
                self._check_template_hints(node, block, field)

    def _note_names(self, scenario: Scenario) -> None:
        """The names the template hints look for: the declared variables whose type a phrase must say through a
        helper (a date: `spoken_date`), and every variable a template may mean (declared, a channel fact, or set
        by a block)."""
        self.spoken_forms = {
            v.name: template_hints.SPOKEN_FORMS[v.type]
            for v in scenario.variables
            if v.type in template_hints.SPOKEN_FORMS
        }
        known = set(ALWAYS_SET) | {v.name for v in scenario.variables}
        for node in scenario.nodes.values():
            block = self.registry.get(node.type)
            try:
                known |= set(block.variables_written(node.config)) if block is not None else set()
            except Exception:  # a plugin's bug: flagged as check_failed by the variables' check
                continue
        self.known_names = frozenset(known)

    def _check_template_hints(self, node: Node, block: BlockType, field: TemplateField) -> None:
        """Warn of what a text template writes that its author likely did not mean: in a phrase the caller hears,
        a date variable as it is stored (`date_spoken_raw`: "2026-12-15" read out as numbers); anywhere, a
        variable's name in single braces (`single_brace_variable`: `{nombre}` stays as written)."""
        where = ".config" + json_path(field.path).removeprefix("$")
        label = field_label(block.config_schema, field.path)
        if field.spoken:
            for name in template_hints.said_as_stored(field.source, self.spoken_forms):
                fix = template_hints.spoken_form(name, self.spoken_forms[name])
                self._flag(
                    node.id,
                    "date_spoken_raw",
                    f'{self._name(node)}: {label} speaks the date "{name}" as it is stored (2026-12-15 is read out '
                    f"as numbers): write {fix} to have it said as a date",
                    where,
                    params={**self._params(node), "field": label, "variable": name, "fix": fix},
                    severity=Severity.WARNING,
                )
        for written, name in template_hints.single_braced(field.source, self.known_names):
            fix = f"{{{{ {name} }}}}"
            self._flag(
                node.id,
                "single_brace_variable",
                f"{self._name(node)}: {label} has {written} in single braces, which is kept as written, braces and "
                f'all: write {fix} to use the value of "{name}"',
                where,
                params={**self._params(node), "field": label, "variable": name, "written": written, "fix": fix},
                severity=Severity.WARNING,
            )

    def _check_studio_placeholders(self, scenario: Scenario) -> None:
        """A warning for each placeholder a Twilio Studio import left (a Set Variable of `studio_not_converted`),
        naming the widget it stands for as the import recorded it (`meta.studio_import.placeholders`): the import's
        checklist is shown once, and an analyst replacing placeholders one by one was told nothing of those left
        (review, 2026-12). Replaced, or set to another variable, it is no placeholder and the warning goes."""
        meta = self.document.get("meta")
        studio = meta.get("studio_import") if isinstance(meta, Mapping) else None
        recorded = studio.get("placeholders") if isinstance(studio, Mapping) else None
        widgets = recorded if isinstance(recorded, Mapping) else {}
        for node in scenario.nodes.values():
            assignments = node.config.get("assignments") if node.type == SET_VARIABLE else None
            if not isinstance(assignments, list) or not any(
                isinstance(item, Mapping) and item.get("variable") == PLACEHOLDER_VARIABLE for item in assignments
            ):
                continue
            widget = widgets.get(node.id)
            params = self._params(node)
            if isinstance(widget, str) and widget:
                params["widget"] = widget
                stands_for = f"the Twilio Studio widget {widget}, which was"
            else:
                stands_for = "a Twilio Studio widget that was"
            self._flag(
                node.id,
                "studio_placeholder",
                f"{self._name(node)} stands in for {stands_for} not converted: replace it with a block that does its "
                "work (its notes keep the widget's settings)",
                params=params,
                severity=Severity.WARNING,
            )

    # -- personal data ------------------------------------------------------------------------------
    def _check_sensitive(self, scenario: Scenario) -> None:
        """Where the call's data leaves the record's masking or the installation: a phrase an online voice engine
        speaks (its text goes to the engine's service: gTTS, Google) that reads a sensitive variable
        (`sensitive_in_prompt`) or any other call variable (`personal_data_to_online_tts`), and a Callback that
        carries a sensitive variable into a callback job (`sensitive_to_callback`), which keeps it in the
        database until the job is dialled. Warnings: the analyst decides."""
        engine = scenario.voice_engine or ""
        online = engine.lower() in ONLINE_TTS_ENGINES
        sensitive = scenario.sensitive_variables
        if not online and not sensitive:
            return
        for node in scenario.nodes.values():
            block = self.registry.get(node.type)
            if block is None or node.id in self.check_failed:
                continue
            try:
                fields = list(block.templates(node.config))
            except Exception:  # flagged as check_failed with the node's other checks
                continue
            if online:
                for field in fields:
                    if field.spoken:
                        self._check_spoken(node, field.path, field.source, engine, sensitive)
            if node.type == "callback" and sensitive:
                self._check_callback(node, fields, sensitive)

    def _check_spoken(
        self, node: Node, path: tuple[str | int, ...], source: str, engine: str, sensitive: frozenset[str]
    ) -> None:
        read = templates.names_read(source) - templates.GLOBAL_NAMES
        where = ".config" + json_path(path).removeprefix("$")
        for name in sorted(read & sensitive):
            self._flag(
                node.id,
                "sensitive_in_prompt",
                f'{self._name(node)}: the phrase says "{name}", a sensitive variable, and the voice engine '
                f'"{engine}" is an online service: the text, with the value in it, is sent to it',
                where,
                params={**self._params(node), "variable": name, "engine": engine},
                severity=Severity.WARNING,
            )
        personal = sorted(read - sensitive - NOT_PERSONAL)
        if personal:
            names = ", ".join(personal)
            self._flag(
                node.id,
                "personal_data_to_online_tts",
                f'{self._name(node)}: the phrase reads the call\'s data ({names}), and the voice engine "{engine}" is '
                "an online service: the text, with those values in it, is sent to it",
                where,
                params={**self._params(node), "variables": names, "engine": engine},
                severity=Severity.WARNING,
            )

    def _check_callback(self, node: Node, fields: list[Any], sensitive: frozenset[str]) -> None:
        carried = node.config.get("variables")
        found: list[tuple[str, str]] = []  # (variable, path)
        if isinstance(carried, list):
            found += [(name, f".config.variables[{i}]") for i, name in enumerate(carried) if name in sensitive]
        for field in fields:
            where = ".config" + json_path(field.path).removeprefix("$")
            read = templates.names_read(field.source, expression=field.expression)
            found += [(name, where) for name in sorted(read & sensitive)]
        for name, where in found:
            self._flag(
                node.id,
                "sensitive_to_callback",
                f'{self._name(node)}: the callback carries "{name}", a sensitive variable: the callback job keeps '
                "its value in the database until it is dialled, and the call it makes starts with it",
                where,
                params={**self._params(node), "variable": name},
                severity=Severity.WARNING,
            )

    # -- edges -----------------------------------------------------------------------------------
    def _check_edges(self, scenario: Scenario, exits: Mapping[str, list[str]]) -> tuple[nx.DiGraph[str], list[Route]]:
        """The graph of the valid connections (and Go To jumps), and each of them as (source, exit, target): two
        exits of a block may lead to the same block, and what is set on the way may differ."""
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(scenario.nodes)
        routes: list[Route] = []
        used: dict[tuple[str, str], int] = {}
        for position, edge in enumerate(self.document["edges"]):
            path = f"$.edges[{position}]"
            source = scenario.nodes.get(edge["source"])
            target = scenario.nodes.get(edge["target"])
            if source is None or target is None:
                missing = edge["source"] if source is None else edge["target"]
                self.issues.append(
                    error(
                        "dangling_edge",
                        f'A connection points to a block that does not exist ("{missing}")',
                        node=edge["source"] if source is not None else None,
                        path=path + (".source" if source is None else ".target"),
                        params={"node_id": missing},
                    )
                )
                continue
            block = self.registry.get(source.type)
            known_exits = exits.get(source.id)
            if (
                block is not None
                and known_exits is not None
                and edge["exit"] not in [*known_exits, *block.implicit_exits()]
            ):
                what = "has no exits" if block.terminal else f'has no exit "{edge["exit"]}"'
                self.issues.append(
                    error(
                        "edge_from_terminal" if block.terminal else "unknown_exit",
                        f"{self._name(source)} {what}",
                        node=source.id,
                        path=path + ".exit",
                        params={**self._params(source), "exit": edge["exit"]},
                    )
                )
                continue
            key = (edge["source"], edge["exit"])
            if key in used:
                self.issues.append(
                    error(
                        "duplicate_exit_edge",
                        f'{self._name(source)}: exit "{edge["exit"]}" is connected twice',
                        node=source.id,
                        path=path,
                        params={**self._params(source), "exit": edge["exit"]},
                    )
                )
                continue
            used[key] = position
            graph.add_edge(edge["source"], edge["target"])
            routes.append((edge["source"], edge["exit"], edge["target"]))
        for node in scenario.nodes.values():
            block = self.registry.get(node.type)
            jump = block.jump_target(node.config) if block is not None else None
            if jump is None:
                continue
            if jump not in scenario.nodes:
                self._flag(
                    node.id,
                    "goto_missing_target",
                    f'{self._name(node)} jumps to "{jump}", which does not exist',
                    ".config.target",
                    params={**self._params(node), "node_id": jump},
                )
            else:
                graph.add_edge(node.id, jump)
                routes.append((node.id, GOTO_EXIT, jump))
        if self.known_scenarios is not None:
            for node in scenario.nodes.values():
                slug = node.config.get("scenario") if node.type in ("goto_scenario", "callback") else None
                if isinstance(slug, str) and slug not in self.known_scenarios:
                    drafted = slug in self.unpublished_scenarios
                    why = (
                        "which is not published yet: calls cannot go there until it is"
                        if drafted
                        else "which does not exist"
                    )
                    self._flag(
                        node.id,
                        "goto_unknown_scenario",
                        f'{self._name(node)} names the scenario "{slug}", {why}',
                        ".config.scenario",
                        params={
                            **self._params(node),
                            "scenario": slug,
                            "state": "unpublished" if drafted else "unknown",
                        },
                    )
        return graph, routes

    def _check_fallback(self, scenario: Scenario) -> None:
        if scenario.fallback is not None and scenario.fallback not in scenario.nodes:
            self.issues.append(
                error(
                    "fallback_missing",
                    f'The fallback block "{scenario.fallback}" does not exist',
                    path="$.fallback",
                    params={"node_id": scenario.fallback},
                )
            )

    # -- the flow as a whole ------------------------------------------------------------------------
    def _check_flow(
        self, scenario: Scenario, graph: nx.DiGraph[str], routes: list[Route], exits: Mapping[str, list[str]]
    ) -> None:
        starts = scenario.start_nodes()
        roots = [node.id for node in starts[:1]]
        if scenario.fallback is not None and scenario.fallback in scenario.nodes:
            roots.append(scenario.fallback)
        reachable: set[str] = set(roots)
        for root in roots:
            reachable |= nx.descendants(graph, root)
        if starts:
            self._check_unreachable(scenario, graph, reachable)
        for node in scenario.nodes.values():
            block = self.registry.get(node.type)
            if block is None or node.id not in reachable:
                continue
            for exit_name in exits.get(node.id, []):
                if exit_name not in block.unwired_ok and scenario.next_node(node.id, exit_name) is None:
                    meaning = block.unwired_meaning.get(exit_name) or block.unwired_meaning.get("*", "the call ends")
                    label = _exit_label(block, node, exit_name)
                    # `next`, the way on once a block has done its part, may be the flow's end on purpose (a
                    # goodbye message): said how to mark it so, rather than only as a fault.
                    meant = f"; {END_ON_PURPOSE}" if exit_name == NEXT_EXIT else ""
                    self._flag(
                        node.id,
                        "unwired_exit",
                        f"{self._name(node)}: {label} leads nowhere: {meaning}{meant}",
                        params={**self._params(node), "exit": exit_name, "exit_label": label, "meaning": meaning},
                        severity=Severity.WARNING,
                    )
        self._check_loops(scenario, graph)
        if starts:
            self._check_variables_set(scenario, graph, routes, starts[0].id, reachable)

    def _check_unreachable(self, scenario: Scenario, graph: nx.DiGraph[str], reachable: set[str]) -> None:
        """One warning per cut-off branch, at its head, counting the blocks after it that no call reaches either.

        A block no call reaches is either a head (no connection leads to it, or only connections from its own loop)
        or after one. One problem per block said "no connection leads to it" of blocks an unreachable block does
        lead to, and buried the few heads to connect in hundreds of lines (review, 800 blocks, 15 % of connections
        removed: 726 of 1,106 problems). The blocks after a head are not listed: connecting the head brings them
        all back, and on the canvas they are the ones its exits lead to. Two heads whose branches meet both count
        the blocks they share: each count says what connecting that head brings back."""
        cut_off = graph.subgraph(node_id for node_id in scenario.nodes if node_id not in reachable)
        loops = nx.condensation(cut_off)  # one node per loop (strongly connected blocks); a DAG
        heads: list[tuple[str, int]] = []
        for loop in loops.nodes:
            if loops.in_degree(loop):
                continue  # an unreachable block leads here: this branch has its head further up
            members: set[str] = loops.nodes[loop]["members"]
            head = min(members, key=self._position)  # of a loop, the first on the canvas
            after = len(members) - 1 + sum(len(loops.nodes[c]["members"]) for c in nx.descendants(loops, loop))
            heads.append((head, after))
        for head, after in sorted(heads, key=lambda found: self._position(found[0])):
            # A head with a connection into it has it from its own loop: from anywhere else, that would be the head.
            self._flag_unreachable(scenario.nodes[head], after, looped=cut_off.in_degree(head) > 0)

    def _position(self, node_id: str) -> int:
        return self.index.get(node_id, 0)

    def _flag_unreachable(self, head: Node, after: int, *, looped: bool) -> None:
        why = "no connection leads into the loop it is in" if looped else "no connection leads to it"
        self._flag(
            head.id,
            "unreachable",
            f"{self._name(head)} can never be reached{_nor_after(after)}: {why}",
            params={**self._params(head), "count": after, "reason": "loop" if looped else "no_connection"},
            severity=Severity.WARNING,
        )

    def _check_loops(self, scenario: Scenario, graph: nx.DiGraph[str]) -> None:
        def spins(node_id: str) -> bool:
            block = self.registry.get(scenario.nodes[node_id].type)
            return block is not None and not block.waits_for_caller

        busy = graph.subgraph([n for n in graph.nodes if spins(n)])
        for component in nx.strongly_connected_components(busy):
            if len(component) == 1:
                (only,) = component
                if not busy.has_edge(only, only):
                    continue
            members = sorted(component, key=lambda n: self.index.get(n, 0))
            names = ", ".join(self._name(scenario.nodes[n]) for n in members)
            first = members[0]
            self._flag(
                first,
                "loop_without_input",
                f"These blocks form a loop in which nothing waits for the caller, so the call would spin: {names}",
                params=self._loop_params([scenario.nodes[n] for n in members]),
            )

    def _loop_params(self, members: list[Node]) -> Params:
        """The blocks of a loop, in the order the message names them: `count`, then for each (from 1) its
        `_params` with the suffix `_<n>` (`block_type_1`, `label_1`, ...): params hold no lists."""
        params: Params = {"count": len(members)}
        for number, member in enumerate(members, start=1):
            params.update({f"{key}_{number}": value for key, value in self._params(member).items()})
        return params

    def _check_variables_set(
        self, scenario: Scenario, graph: nx.DiGraph[str], routes: list[Route], start: str, reachable: set[str]
    ) -> None:
        """Warn where a block may read a variable that nothing has set on some path from Start. A block sets
        variables on the exits it says (`variables_written_on`: SQL its columns on `found` only), so each
        connection carries what leaving by its exit sets."""
        base = set(ALWAYS_SET) | {v.name for v in scenario.variables}
        written: dict[str, set[str]] = {}  # what a block may set, on any exit
        read: dict[str, dict[str, tuple[str | int, ...]]] = {}  # node -> each variable it reads -> its field
        for node_id in reachable:
            node = scenario.nodes[node_id]
            block = self.registry.get(node.type)
            if block is None:
                written[node_id], read[node_id] = set(), {}
                continue
            try:
                written[node_id] = set(_calling("variables_written", block.variables_written, node.config))
                reads = _calling("templates", _template_reads, block, node)
                for name in _calling("variables_read", block.variables_read, node.config):
                    reads.setdefault(name, _parameter_field(node.config, name))  # an SQL `:param`
                read[node_id] = {name: where for name, where in reads.items() if name not in templates.GLOBAL_NAMES}
            except _MethodFailed as failed:  # a warning: what it spoils is this check of variables, itself warnings
                self._flag_check_failed(node, failed, Severity.WARNING)
                written[node_id], read[node_id] = set(), {}
        carried: dict[tuple[str, str], set[str]] = {}  # (source, exit) -> what leaving by it has set
        incoming: dict[str, dict[str, set[str]]] = {}  # target -> source -> what each exit between them has set
        outgoing: dict[str, list[tuple[str, str]]] = {}
        for source, exit_name, target in routes:
            if source not in reachable:
                continue
            node = scenario.nodes[source]
            block = self.registry.get(node.type)
            try:
                carried[source, exit_name] = (
                    set(_calling("variables_written_on", block.variables_written_on, node.config, exit_name))
                    if block
                    else set()
                )
            except _MethodFailed as failed:
                self._flag_check_failed(node, failed, Severity.WARNING)
                carried[source, exit_name] = set()
            into = incoming.setdefault(target, {})
            into[source] = into[source] & carried[source, exit_name] if source in into else carried[source, exit_name]
            outgoing.setdefault(source, []).append((exit_name, target))
        # Forward "definitely set" analysis: a variable is set at a block when it is set on every path to it.
        roots = [start] + (
            [scenario.fallback] if scenario.fallback is not None and scenario.fallback in reachable else []
        )
        order: list[str] = []
        seen: set[str] = set()
        for root in roots:
            for node_id in nx.dfs_preorder_nodes(graph, root):
                if node_id not in seen:
                    seen.add(node_id)
                    order.append(node_id)
        at_entry: dict[str, set[str]] = {}
        for _ in range(len(order) + 1):  # sets only shrink, so this settles; the bound is a guard
            changed = False
            for node_id in order:
                if node_id in roots:
                    value = base
                else:
                    flowing = [
                        at_entry[p] | sets if sets else at_entry[p]
                        for p, sets in incoming.get(node_id, {}).items()
                        if p in at_entry
                    ]
                    if not flowing:
                        continue
                    value = set.intersection(*flowing)
                if at_entry.get(node_id) != value:
                    at_entry[node_id] = value
                    changed = True
            if not changed:
                break

        def unset_by_exit(name: str) -> dict[str, tuple[str, str]]:
            """Where `name` may be unset because a block that sets it left by an exit that does not: each block
            such a path reaches -> (that block, that exit). One pass over the connections per variable."""

            def unset_along(source: str, exit_name: str) -> bool:
                return name not in at_entry.get(source, base) and name not in carried[source, exit_name]

            cause: dict[str, tuple[str, str]] = {}
            for source, exit_name, target in routes:
                if (
                    source in at_entry
                    and target not in cause
                    and target not in roots
                    and name in written[source]
                    and unset_along(source, exit_name)
                ):
                    cause[target] = (source, exit_name)
            queue = deque(cause)
            while queue:
                node_id = queue.popleft()
                for exit_name, target in outgoing.get(node_id, ()):
                    if target not in cause and target not in roots and unset_along(node_id, exit_name):
                        cause[target] = cause[node_id]
                        queue.append(target)
            return cause

        causes: dict[str, dict[str, tuple[str, str]]] = {}
        for node_id in order:
            reads = read.get(node_id, {})
            missing = sorted(reads.keys() - at_entry.get(node_id, base))
            node = scenario.nodes[node_id]
            for name in missing:
                if name not in self.known_names:
                    self._flag_unknown_variable(node, name, reads[name])
                    continue
                if name not in causes:
                    causes[name] = unset_by_exit(name)
                found = causes[name].get(node_id)
                params = {**self._params(node), "variable": name}
                if found is None:
                    why = "which may not be set yet when the call gets here"
                else:
                    setter = scenario.nodes[found[0]]
                    setter_block = self.registry.get(setter.type)
                    label = _exit_label(setter_block, setter, found[1]) if setter_block is not None else found[1]
                    why = f'which is not set when {self._name(setter)} leaves by its "{label}" exit'
                    params |= {**self._params(setter, "setter_"), "exit": found[1], "exit_label": label}
                self._flag(
                    node_id,
                    "undefined_variable",
                    f'{self._name(node)} uses "{name}", {why}',
                    ".config" + json_path(reads[name]).removeprefix("$"),
                    params=params,
                    severity=Severity.WARNING,
                )

    def _flag_unknown_variable(self, node: Node, name: str, field: tuple[str | int, ...]) -> None:
        """A variable nothing sets: no block of the scenario, no declaration, no channel fact (`known_names`). The
        block fails on every call that does not bring it, a mistyped name most likely (`:callerid`, `{{ nmae }}`):
        said at its field, with the known name closest to it. A warning all the same, as the host may pass a
        variable the scenario does not declare (the dialplan's `?name=` and AGI arguments, a call list's columns, a
        callback's or another scenario's variables)."""
        block = self.registry.get(node.type)
        label = field_label(block.config_schema, field) if block is not None and field else None
        close = get_close_matches(name, sorted(self.known_names | templates.GLOBAL_NAMES), n=1, cutoff=0.7)
        params: Params = {**self._params(node), "variable": name}
        if label is not None:
            params["field"] = label
        if close:
            params["suggestion"] = close[0]
        uses = f"{label} uses" if label is not None else "uses"
        self._flag(
            node.id,
            "unknown_variable",
            f'{self._name(node)}: {uses} "{name}", which no block sets and the scenario does not declare, so the '
            "block fails on every call unless the dialplan passes it"
            + (f'. Did you mean "{close[0]}"?' if close else ""),
            ".config" + json_path(field).removeprefix("$"),
            params=params,
            severity=Severity.WARNING,
        )


def _literal_results(node: Node) -> list[tuple[str, str]]:
    """The results `node` records as written, each with its path in the node (`.config.result`): a Set Variable's
    text assignment to `result` without a placeholder, a Hang Up's `result`. Read from any config: one its block
    refuses is named by the block's own check."""
    config = node.config
    found: list[tuple[str, str]] = []
    if node.type == SET_VARIABLE and isinstance(config.get("assignments"), list):
        for index, item in enumerate(config["assignments"]):
            if not isinstance(item, Mapping) or item.get("variable") != RESULT_VARIABLE:
                continue
            value = item.get("value")
            # Without a brace a text value is itself (graph_engine.templates renders it as it is).
            if item.get("mode", "text") == "text" and isinstance(value, str) and value and "{" not in value:
                found.append((f".config.assignments[{index}].value", value))
    elif node.type == HANG_UP and isinstance(config.get("result"), str) and config["result"]:
        found.append((".config.result", config["result"]))
    return found


def _structure_issues(document: Any, problems: list[StructureProblem]) -> list[Issue]:
    """The shape's problems, each with params `path` and the rule it breaks (see `_shape_rules`)."""
    rules = _shape_rules(document, problems)
    return [
        error(
            "structure",
            f"{p.path}: {p.message}",
            path=p.path,
            params={"path": p.path, **rules.get((p.path, p.message), {"rule": "other", "detail": p.message})},
        )
        for p in problems
    ]


def _shape_rules(document: Any, problems: list[StructureProblem]) -> dict[tuple[str, str], Params]:
    """The rule each shape problem breaks, by (path, message): `not_object`, `max_depth` with its `limit`, or
    the format schema's rule as `rule_params` says it. Only documents that are no scenario come here."""
    if not isinstance(document, dict):
        return {(p.path, p.message): {"rule": "not_object"} for p in problems}
    too_deep = f"nested more than {MAX_NESTING} levels deep"
    if any(p.message == too_deep for p in problems):  # the format's rules are not checked on such a document
        return {(p.path, too_deep): {"rule": "max_depth", "limit": MAX_NESTING} for p in problems}
    rules: dict[tuple[str, str], Params] = {}
    for problem in _shape_validator().iter_errors(document):
        params = rule_params(problem)
        if problem.validator == "required":  # jsonschema says which key, one error each: "'type' is a required..."
            said = [key for key in problem.validator_value if problem.message == f"{key!r} is a required property"]
            params["missing"] = str(said[0]) if said else params.get("missing", "")
        rules.setdefault((json_path(problem.absolute_path), problem.message), params)
    return rules


@cache
def _shape_validator() -> Any:
    """The format's shape schema, as `shape_problems` checks it, to say which rule each of its problems breaks."""
    return SchemaValidator(draft_schema())


def _node_title(raw: Mapping[str, Any]) -> str:
    """A node as `Node.title` names it; by its id when its label is itself too long to be a name."""
    label = raw.get("label")
    return label if isinstance(label, str) and 0 < len(label) <= 200 else str(raw["id"])


def _rebase(issue: Issue, node_path: str) -> Issue:
    """Block checks speak of `$.config...`; the document knows the node as `$.nodes[i]`."""
    path = node_path + issue.path.removeprefix("$") if issue.path.startswith("$") else issue.path
    return replace(issue, path=path)


def _nor_after(count: int) -> str:
    """What an unreachable head's message says of the blocks after it: nothing when there are none."""
    if count == 0:
        return ""
    return ", nor can the block after it" if count == 1 else f", nor can the {count} blocks after it"


def _exit_label(block: BlockType, node: Node, exit_name: str) -> str:
    """The block's name for an exit; its generic one when the node's config is too broken for the block to read
    (the config's own problems are reported at the node already, and the rest of the check must go on)."""
    try:
        return block.exit_label(node.config, exit_name)
    except Exception:
        return BlockType.exit_label(block, {}, exit_name)
