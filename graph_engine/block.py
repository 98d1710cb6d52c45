"""What a block is: a JSON Schema for its config, named exits, and an async `run` that returns an exit name (and
`simulate`, what it does in a test call instead).

Built-in blocks and third-party plugins subclass `BlockType` and register through the `ivrgraph.blocks`
entry-point group. The engine knows nothing about any particular block.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final, Required, TypedDict, final

if TYPE_CHECKING:
    from graph_engine.context import BlockContext
    from graph_engine.document import Node, Scenario
    from graph_engine.issues import Issue

# Exit names with one meaning everywhere. `error` exists on every block without being declared.
RESERVED_EXITS = ("next", "timeout", "invalid", "error", "hangup")
ERROR_EXIT = "error"
# Taken when the caller hangs up during a block that waits for them; the path after it runs with the line gone
# (bookkeeping only: set variables, look things up, schedule a callback).
HANGUP_EXIT = "hangup"

# The designer's interface languages, which a plugin may give its block's texts in (`translations`): what the
# palette, the form, the canvas and a call's story show an analyst working in that language.
DESIGNER_LANGUAGES: Final = ("en", "es", "ru")

# A media name: segments of letters, digits, '_', '-', '.', never starting with '.', so it cannot climb out
# of the media folder or name an absolute path.
MEDIA_NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(/[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}){0,7}$"

# The exit-rule language (docs/blocks.md) as types, so mypy checks a plugin's `exit_rules` (a misspelt key, a rule
# without its `name`) before the registry does at load time (graph_engine.registry.EXIT_RULE_SCHEMA).
# `if` maps config fields to the value each must equal; it is a Python keyword, hence the functional syntax.
_ExitCondition = TypedDict("_ExitCondition", {"if": Mapping[str, Any]}, total=False)


@final  # no other keys: `"each" in rule` tells the two kinds apart, for mypy too
class NamedExitRule(_ExitCondition, total=False):
    """One exit, always there (or only when the config matches `if`)."""

    name: Required[str]
    label: str


@final
class EachExitRule(_ExitCondition, total=False):
    """One exit per item of the array field `each`, named by the item's `name_from` (its label: `label_from`)."""

    each: Required[str]
    name_from: Required[str]
    label_from: str


# One named exit, or one exit per item of an array field (`each`); either only when the config says so (`if`).
ExitRule = NamedExitRule | EachExitRule


@dataclass(frozen=True, slots=True)
class TemplateField:
    """A config value that is a template (`{{ name }}`) or an expression; validation compiles it."""

    path: tuple[str | int, ...]  # inside the node's config
    source: str
    expression: bool = False
    # A phrase the caller hears through the scenario's TTS engine (`ctx.speech`): validation warns when an online
    # engine would send the call's data in it out of the installation (graph_engine.sensitive).
    spoken: bool = False
    # Variables the block itself has set by the time it renders this field: a block that looks up `slot_time` and
    # then speaks "{{ slot_time }}", a Set Variable's later assignment reading an earlier one's. Validation counts
    # them as set in this field only (no `undefined_variable` for them here); what the block's exits carry on is
    # still `variables_written_on`.
    written_before: frozenset[str] = frozenset()


class BlockType(ABC):
    """Base of every block. Subclasses set the class attributes and implement `run`."""

    type: ClassVar[str]
    version: ClassVar[int] = 1
    title: ClassVar[str]
    category: ClassVar[str] = "Flow"
    icon: ClassVar[str] = "square"
    description: ClassVar[str] = ""
    # The block's texts in the designer's languages, by language code (DESIGNER_LANGUAGES; docs/blocks.md):
    # {"es": {"title": "Enviar SMS", "fields.text.title": "Texto", "exits.sent": "Enviado"}, "ru": {...}}; every
    # key it may hold is in graph_engine/translations.py. The designer shows an analyst the block in their language;
    # a text missing there is the English one. Validation messages, `ivrgraph blocks` and the engine's stories stay
    # in English. The built-ins give their titles here (exports name a block by it); their other words are the
    # designer's own.
    translations: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {}, "additionalProperties": False}
    # Exit rules, as data the designer also reads (see docs/blocks.md):
    #   {"name": "no_input", "label": "No input"}                  always there
    #   {"name": "next", "if": {"mode": "capture"}}                  only when config.mode == "capture"
    #   {"each": "options", "name_from": "key", "if": {...}}       one exit per item of config.options
    # A field missing from the config compares as its schema default.
    # Annotate a block's own as `ClassVar[list[ExitRule]]`: mypy then checks each rule's keys.
    exit_rules: ClassVar[list[ExitRule]] = [{"name": "next", "label": "Next"}]
    # What an unwired exit means for the caller, keyed by exit name ("*" for any other).
    unwired_meaning: ClassVar[dict[str, str]] = {"*": "the call ends (hang up)"}
    # Exits that are normal to leave unwired (a Transfer that was answered): no warning for them.
    unwired_ok: ClassVar[frozenset[str]] = frozenset()
    # True when the block takes time on the line (plays, listens, dials): a loop through it cannot spin.
    waits_for_caller: ClassVar[bool] = False
    # True when the block never returns to the graph normally (Hang Up, Go To Scenario).
    terminal: ClassVar[bool] = False
    # The longest the block may stay away from the call's channel at a stretch (waiting on an API, a database, a
    # lock of its own) before the FastAGI server stops it (within ~2 s) and it takes its `error` exit: a `run` that
    # never returns would otherwise hold the caller and a place under the server's call cap for ever. Time the
    # channel is busy (a prompt playing, digits awaited, a transfer's conversation) does not count. Set it above
    # the longest wait the block bounds itself (the SQL block's timeout goes up to 60 s); `math.inf`: no limit.
    max_seconds: ClassVar[float] = 90.0
    # Test calls (the designer's Test call, `ivrgraph simulate`/`test`, scenario tests) run `simulate`, not `run`.
    # True: `run` itself is safe there, because every effect it has goes through the BlockContext (the channel,
    # TTS, data sources, callback scheduler, scenario loader), which a test call replaces with stand-ins. Leave it
    # False when `run` reaches anything else (an HTTP API, e-mail, a file, a connection of its own): an analyst
    # pressing Test call must not send a real SMS or charge a real card. See docs/test-calls.md.
    safe_in_test_call: ClassVar[bool] = False
    # The exit the default `simulate` takes for a block that is not safe in a test call; None: the block's first
    # exit that every config has (a rule with neither "if" nor "each").
    test_call_exit: ClassVar[str | None] = None

    # -- exits ---------------------------------------------------------------------------------
    def exits(self, config: Mapping[str, Any]) -> list[str]:
        """The exits this config has, in display order, without the implicit `error`."""
        names: list[str] = []
        for rule in self.exit_rules:
            if not self._rule_applies(rule, config):
                continue
            if "each" in rule:
                items = config.get(rule["each"], self._default(rule["each"])) or []
                for item in items:
                    if isinstance(item, Mapping):
                        name = str(item.get(rule["name_from"], ""))
                        if name and name not in names:
                            names.append(name)
            elif rule["name"] not in names:
                names.append(rule["name"])
        return names

    def _rule_applies(self, rule: Mapping[str, Any], config: Mapping[str, Any]) -> bool:
        condition: Mapping[str, Any] = rule.get("if", {})
        return all(config.get(field, self._default(field)) == value for field, value in condition.items())

    def _default(self, field: str) -> Any:
        return self.config_schema.get("properties", {}).get(field, {}).get("default")

    def implicit_exits(self) -> list[str]:
        """Exits every node of this block has without declaring them; unwired, they are never a problem."""
        return [ERROR_EXIT, HANGUP_EXIT] if self.waits_for_caller else [ERROR_EXIT]

    def exit_label(self, config: Mapping[str, Any], exit_name: str) -> str:
        for rule in self.exit_rules:
            if rule.get("name") == exit_name and "label" in rule:
                return str(rule["label"])
        return exit_name

    # -- static analysis -----------------------------------------------------------------------
    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        """Template and expression fields of this config; validation compiles them and reads their variables."""
        return []

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        """Variables this block may set, on any exit: the union of `variables_written_on` over its exits."""
        return set()

    def variables_written_on(self, config: Mapping[str, Any], exit_name: str) -> set[str]:
        """Variables this block has surely set when it leaves by `exit_name`; validation follows each edge with
        these. By default `variables_written` on every declared exit and nothing on the implicit `error` and
        `hangup`, which a block takes when its `run` raised, maybe before it set anything. Override it when what
        the block sets depends on the exit (SQL sets its columns only on `found`)."""
        return set() if exit_name in (ERROR_EXIT, HANGUP_EXIT) else self.variables_written(config)

    def variables_read(self, config: Mapping[str, Any]) -> set[str]:
        """Variables this block reads besides those in its templates (e.g. SQL `:params`)."""
        return set()

    def jump_target(self, config: Mapping[str, Any]) -> str | None:
        """A node this block jumps to without an edge (Go To); validation checks it exists."""
        return None

    def check(self, node: Node, scenario: Scenario) -> list[Issue]:
        """Block-specific problems beyond the config schema (duplicate keys, bad patterns...)."""
        return []

    def migrate(self, from_version: int, config: Mapping[str, Any]) -> dict[str, Any]:
        """Bring a config written for an older version of this block up to `version`."""
        return dict(config)

    # -- this host ---------------------------------------------------------------------------------
    def readiness(self, extras: Mapping[str, Any]) -> list[str]:
        """Why this block cannot run on this host, whatever its config: one plain sentence per reason, for an
        administrator ("the SMS gateway is not configured: set IVRGRAPH_SMS_GATEWAY_URL"); [] when it can (the
        default). `extras` are the plugins' services this host built (`ctx.services.extras` in its calls).

        Asked once, when a host that builds plugin services starts (`ivrgraph serve`, `ivrgraph agi`), never where
        scenarios are only checked (`ivrgraph validate` in CI): a host's server refuses to publish a scenario using
        a block it cannot run (`block_not_ready`), its catalog says so, and its calls reaching such a block take
        its `error` exit with the reasons (graph_engine.readiness). The reasons are shown to every signed-in user:
        never put a secret in them. Compare `check`, which judges one node's config wherever validation runs."""
        return []

    # -- running -------------------------------------------------------------------------------
    @abstractmethod
    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        """Do the block's work on the call and return the name of the exit to take."""

    async def simulate(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        """What the block does in a test call (`ctx.simulated` is True); returns an exit name, as `run` does.

        By default: `run` when the block is `safe_in_test_call`; otherwise nothing at all. The step then says it
        was skipped and leaves by `test_call_exit`, or by `error` (with the reason) when there is no exit to stand
        for the skipped run. Override it to show what the block would do without doing it: render and check its
        config, note what it would do (`ctx.note("test_call", summary="not sent in a test call: ...")`: the call's
        story tells the summary as it is), and return the exit a real call would most likely take.
        """
        if self.safe_in_test_call:
            return await self.run(ctx, config)
        exit_name, problem = self._test_call_exit(config)
        skipped = "skipped in a test call: this block acts outside the call"
        if exit_name == ERROR_EXIT:
            ctx.step.error = problem or skipped  # told as the step's failure, as a `run` that raised would be
        else:
            ctx.note("test_call", summary=skipped, skipped=True)
        return exit_name

    def _test_call_exit(self, config: Mapping[str, Any]) -> tuple[str, str]:
        """The exit a skipped run leaves by, and a problem that leaves none ("" when there is none)."""
        if self.test_call_exit is not None:
            if self.test_call_exit in self.exits(config) or self.test_call_exit == ERROR_EXIT:
                return self.test_call_exit, ""
            return ERROR_EXIT, (
                f"this block is not run in a test call, and its test_call_exit {self.test_call_exit!r} is not one "
                "of its exits here"
            )
        for rule in self.exit_rules:
            if "name" in rule and "each" not in rule and "if" not in rule:
                return str(rule["name"]), ""
        return ERROR_EXIT, (
            "this block is not run in a test call and has no exit that is always there to take instead "
            "(its plugin may name one: test_call_exit)"
        )

    # -- catalog -------------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """The catalog entry the designer builds its palette and forms from."""
        default_config = {
            name: spec["default"]
            for name, spec in self.config_schema.get("properties", {}).items()
            if "default" in spec
        }
        return {
            "type": self.type,
            "version": self.version,
            "title": self.title,
            "category": self.category,
            "icon": self.icon,
            "description": self.description,
            "translations": {language: dict(texts) for language, texts in self.translations.items()},
            "config_schema": self.config_schema,
            "exit_rules": self.exit_rules,
            "default_exits": self.exits(default_config),
            "implicit_exits": self.implicit_exits(),
            "unwired_meaning": self.unwired_meaning,
            "unwired_ok": sorted(self.unwired_ok),
            "waits_for_caller": self.waits_for_caller,
            "terminal": self.terminal,
            "safe_in_test_call": self.safe_in_test_call,
        }
