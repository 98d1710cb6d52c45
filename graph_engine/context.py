"""What a block sees while it runs: the channel, the call's variables, templates and the injected services."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

from graph_engine import templates
from graph_engine.channel import Channel, DigitInput, Prompt
from graph_engine.document import Node, Scenario
from graph_engine.errors import TemplateError
from graph_engine.sensitive import HIDDEN, mask, masked_variables
from graph_engine.services import PrivateSpeech, Services
from graph_engine.trace import CallOutcome, TraceStep

_UNSET = object()
# Prompts are frozen values, so the same phrase said again can be the same object: a scenario says the same
# few phrases all day, and building a frozen dataclass costs ~5,000 instructions (valgrind,
# bench/agi_layers.py) where a cache hit costs a tenth of that. Phrases with per-call values only churn it.
_spoken: Final = lru_cache(maxsize=4096)(Prompt)


class CallFlags:
    """Facts about the whole call that blocks establish and the interpreter reports."""

    __slots__ = ("answered", "sensitive", "transferred")

    def __init__(self, sensitive: frozenset[str] = frozenset()) -> None:
        self.answered = False
        self.transferred = False
        # The variables whose values the record masks (graph_engine.sensitive): those the scenarios the call ran
        # declare sensitive, and those a block set as sensitive (`BlockContext.set`). Replaced, never changed in
        # place: it starts as the scenario's own set, shared by every call of it.
        self.sensitive = sensitive


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
        # Prompts said with a sensitive value in them -> what the trace notes of them instead (`speech`).
        self._hidden_prompts: dict[Prompt, dict[str, Any]] = {}

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

    def set(self, name: str, value: Any, *, sensitive: bool = False) -> None:
        """Set a variable for the rest of the call. The step's trace notes the change, masked when the variable is
        sensitive; `sensitive=True` makes it so for the rest of the call (a value derived from a sensitive one, a
        card number a plugin fetched), whether the scenario declares it or not."""
        flags = self.flags
        if sensitive and name not in flags.sensitive:
            flags.sensitive = flags.sensitive | {name}
        if self.variables.get(name, _UNSET) != value:
            self.step.variables_changed[name] = mask(value) if name in flags.sensitive else value
        self.variables[name] = value

    def is_sensitive(self, name: str) -> bool:
        """Whether the record masks this variable's values (declared sensitive, or set as such in this call)."""
        return name in self.flags.sensitive

    def shown(self, name: str, value: Any) -> Any:
        """`value` of variable `name` as a block may note it in the trace: masked when the variable is sensitive."""
        return mask(value) if name in self.flags.sensitive else value

    def reads_sensitive(self, source: str, *, expression: bool = False) -> bool:
        """Whether a template (or an expression) reads a sensitive variable: what it makes of it must not be noted
        as it is either."""
        sensitive = self.flags.sensitive
        return bool(sensitive) and not sensitive.isdisjoint(templates.names_read(source, expression=expression))

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
        if self.flags.sensitive and self.reads_sensitive(text_template):
            return await self._private_speech(text, text_template, language, voice or self.scenario.voice_name)
        audio = await self.services.tts.render(
            text, language=language, voice=voice or self.scenario.voice_name, engine=self.scenario.voice_engine
        )
        return _spoken(audio, text, language)

    async def _private_speech(self, text: str, text_template: str, language: str, voice: str | None) -> Prompt:
        """A phrase that says a sensitive value: spoken for this call alone where the TTS can (`PrivateSpeech`: not
        into the cache other calls share, its audio gone once the call has ended), noted masked in the trace, and
        made afresh rather than through `_spoken`, whose cache would keep its text in memory after the call."""
        tts = self.services.tts
        engine = self.scenario.voice_engine
        if isinstance(tts, PrivateSpeech):
            audio = await tts.render_private(text, language=language, voice=voice, engine=engine)
        else:  # a TTS with nothing to keep (the simulations' SilentTts), or a host's own that cannot
            audio = await tts.render(text, language=language, voice=voice, engine=engine)
        prompt = Prompt(audio, text, language)
        self._hidden_prompts[prompt] = self._hidden_entry(text_template, language)
        return prompt

    def _hidden_entry(self, text_template: str, language: str) -> dict[str, Any]:
        """What the trace notes of a phrase that says a sensitive value: the template rendered again over the masks
        of the sensitive values ("Your PIN is [hidden: 4 characters]"), so the analyst still reads the rest of it;
        the template itself when that fails (a filter that needs a number). Built from masks, which hold only a
        length, it cannot carry the value back, whatever the template does with them. The audio's name is
        left out: it is a hash of the text said, which a PIN's few thousand candidates would find."""
        masked = masked_variables(self.variables, self.flags.sensitive)
        try:
            text = templates.render(text_template, masked)
        except TemplateError:
            text = text_template
        return {"audio": HIDDEN, "text": text, "language": language}

    async def prompt_from(self, spec: Mapping[str, Any] | None) -> Prompt | None:
        """A prompt from a block's prompt config: `{"audio": name}` or `{"text": template, "language"?, "voice"?}`."""
        if not spec:
            return None
        if spec.get("text"):
            return await self.speech(str(spec["text"]), language=spec.get("language"), voice=spec.get("voice"))
        if spec.get("audio"):
            return Prompt(audio=str(spec["audio"]))
        return None

    async def play(self, prompt: Prompt, *, interrupt_keys: str = "", secret: bool = False) -> str:
        """Play `prompt`; the key that interrupted it, or "". `secret`: the key goes into a sensitive variable, so
        the trace's keys note its mask, as `read_digits` does."""
        step = self.step
        hidden = self._hidden_prompts  # empty, and so not looked into, in a call with nothing sensitive said
        step.prompts.append(dict(hidden[prompt]) if hidden and prompt in hidden else _prompt_entry(prompt))
        key = await self.channel.play(prompt, interrupt_keys=interrupt_keys)
        step.keys += mask(key) if secret and key else key
        return key

    async def read_digits(
        self,
        prompt: Prompt | None,
        *,
        timeout: float,
        max_digits: int,
        terminator: str = "#",
        secret: bool = False,
    ) -> DigitInput:
        """Play `prompt` and read the caller's digits. `secret`: they go into a sensitive variable, so the trace's
        keys note their mask ("[hidden: 4 characters]#"), the terminator that ended them as it is."""
        if prompt is not None:
            hidden = self._hidden_prompts
            self.step.prompts.append(dict(hidden[prompt]) if hidden and prompt in hidden else _prompt_entry(prompt))
        result = await self.channel.read_digits(prompt, timeout=timeout, max_digits=max_digits, terminator=terminator)
        digits = mask(result.digits) if secret and result.digits else result.digits
        self.step.keys += digits + (terminator if result.terminated else "")
        return result


def _prompt_entry(prompt: Prompt) -> dict[str, Any]:
    """What the trace says about a prompt played."""
    if prompt.text is None:
        return {"audio": prompt.audio}
    return {"audio": prompt.audio, "text": prompt.text, "language": prompt.language}
