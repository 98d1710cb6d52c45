"""What a block sees while it runs: the channel, the call's variables, templates and the injected services."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

from graph_engine import templates
from graph_engine.channel import Channel, DigitInput, Prompt
from graph_engine.document import Node, Scenario
from graph_engine.services import Services
from graph_engine.trace import CallOutcome, TraceStep

_UNSET = object()
# Prompts are frozen values, so the same phrase said again can be the same object: a scenario says the same
# few phrases all day, and building a frozen dataclass costs ~5,000 instructions (valgrind,
# bench/agi_layers.py) where a cache hit costs a tenth of that. Phrases with per-call values only churn it.
_spoken: Final = lru_cache(maxsize=4096)(Prompt)


class CallFlags:
    """Facts about the whole call that blocks establish and the interpreter reports."""

    __slots__ = ("answered", "transferred")

    def __init__(self) -> None:
        self.answered = False
        self.transferred = False


class BlockContext:
    """The call as the running block sees it. Every effect a block has on the call goes through here, so it is
    traced.

    The interpreter makes one per call and points it at each node in turn (`node`, `step`, `scenario`, and
    the controls below reset): a block uses it while its `run` runs and does not keep it for later.
    """

    def __init__(
        self,
        *,
        call_id: str,
        channel: Channel,
        services: Services,
        scenario: Scenario,
        variables: dict[str, Any],
        node: Node,
        step: TraceStep,
        flags: CallFlags | None = None,
    ) -> None:
        self.call_id = call_id
        self.channel = channel
        self.services = services
        self.scenario = scenario
        self.variables = variables
        self.node = node
        self.step = step
        self.flags = flags or CallFlags()
        # Controls the interpreter reads back after the block ran.
        self.ended: CallOutcome | None = None
        self.next_scenario: Scenario | None = None
        self.jump: str | None = None

    # -- call control ------------------------------------------------------------------------------
    async def answer(self) -> None:
        await self.channel.answer()
        self.flags.answered = True

    def mark_transferred(self) -> None:
        self.flags.transferred = True

    async def end_call(self, outcome: CallOutcome = CallOutcome.HUNG_UP) -> None:
        """Hang up and stop the walk (Hang Up block)."""
        self.ended = outcome
        await self.channel.hangup()

    def continue_in(self, scenario: Scenario) -> None:
        """Continue the call at another scenario's Start (Go To Scenario). Note a `goto_scenario` event with its
        slug and version first: the trace reads from it which version the steps after this one ran on."""
        self.next_scenario = scenario

    def jump_to(self, node_id: str) -> None:
        """Continue at another node of this scenario (Go To)."""
        self.jump = node_id

    @property
    def simulated(self) -> bool:
        """True in a test call (designer's Test call, `ivrgraph simulate`/`test`, scenario tests): the channel,
        clock, data sources and scheduler are stand-ins, and anything the block reaches on its own must not be
        touched (see `BlockType.simulate`)."""
        return self.services.simulated

    # -- time ------------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.services.clock.now()

    # -- variables and templates -----------------------------------------------------------------
    def get(self, name: str, default: Any = None) -> Any:
        return self.variables.get(name, default)

    def set(self, name: str, value: Any) -> None:
        if self.variables.get(name, _UNSET) != value:
            self.step.variables_changed[name] = value
        self.variables[name] = value

    def render(self, source: str) -> str:
        """Render a template with the call's variables; raises `TemplateError` (the block's error exit)."""
        return templates.render(source, self.variables)

    def evaluate(self, expression: str) -> Any:
        return templates.evaluate(expression, self.variables)

    def note(self, kind: str, **detail: Any) -> None:
        """Add an event to this node's trace (a query ran, a callback was scheduled...)."""
        self.step.events.append({"kind": kind, **detail})

    # -- prompts -----------------------------------------------------------------------------------
    @property
    def language(self) -> str:
        return str(self.variables.get("language") or self.scenario.language)

    async def speech(self, text_template: str, *, language: str | None = None, voice: str | None = None) -> Prompt:
        """A prompt that says `text_template` (rendered) through the injected TTS."""
        # `render` and `language` spelled out: three calls a prompt fewer on every call's path.
        variables = self.variables
        text = templates.render(text_template, variables)
        language = language or str(variables.get("language") or self.scenario.language)
        audio = await self.services.tts.render(
            text, language=language, voice=voice or self.scenario.voice_name, engine=self.scenario.voice_engine
        )
        return _spoken(audio, text, language)

    async def prompt_from(self, spec: Mapping[str, Any] | None) -> Prompt | None:
        """A prompt from a block's prompt config: `{"audio": name}` or `{"text": template, "language"?, "voice"?}`."""
        if not spec:
            return None
        if spec.get("text"):
            return await self.speech(str(spec["text"]), language=spec.get("language"), voice=spec.get("voice"))
        if spec.get("audio"):
            return Prompt(audio=str(spec["audio"]))
        return None

    async def play(self, prompt: Prompt, *, interrupt_keys: str = "") -> str:
        step = self.step
        step.prompts.append(_prompt_entry(prompt))
        key = await self.channel.play(prompt, interrupt_keys=interrupt_keys)
        step.keys += key
        return key

    async def read_digits(
        self, prompt: Prompt | None, *, timeout: float, max_digits: int, terminator: str = "#"
    ) -> DigitInput:
        if prompt is not None:
            self.step.prompts.append(_prompt_entry(prompt))
        result = await self.channel.read_digits(prompt, timeout=timeout, max_digits=max_digits, terminator=terminator)
        self.step.keys += result.digits + (terminator if result.terminated else "")
        return result


def _prompt_entry(prompt: Prompt) -> dict[str, Any]:
    """What the trace says about a prompt played."""
    if prompt.text is None:
        return {"audio": prompt.audio}
    return {"audio": prompt.audio, "text": prompt.text, "language": prompt.language}
