"""A Twilio Studio flow export (`{"description", "states", "initial_state", "flags"}`) as a scenario document, for
teams moving from Studio to their own Asterisk (review, 2026-12: the import answered only schema errors).

    is_studio_flow(document)       whether a document has Studio's shape rather than ours
    convert_studio_flow(flow)      (the scenario document, the report): one line for each state not converted,
                                   or converted approximately; raises StudioFlowError when the flow cannot be read.
                                   The document's `meta.studio_import` keeps the lines (`report`), each also as a
                                   code of REPORT_CODES with its params (`entries`), and the Studio widget each
                                   placeholder stands for (`placeholders`: node id -> widget type)
    studio_slugs(name)             the slugs to import a converted flow under, from its name: `acme-line`, then
                                   `acme-line-2`... (the dialplan dials the slug; a file name says less)

Each state becomes the block nearest to it, keeping its name as the block id and its `offset` as the position
(a widget parked far from the rest brought near: see `_near`):
trigger -> Start, say-play -> Say Phrase, gather-input-on-call -> IVR (a menu when a split on its digits follows,
else a capture), split-based-on -> Switch or Conditions, set-variables -> Set Variable, connect-call-to /
enqueue-call / send-to-flex -> Transfer. A state with no equal here (an HTTP request, a function, a voicemail...)
becomes a Set Variable that marks the place, its settings in the block's notes, and is reported: never dropped.
Liquid is written as Jinja (graph_engine.liquid_hints) and Studio's paths as variables: `trigger.call.From` is
`caller_id`, `widgets.menu.Digits` the variable the menu stores its key in, `flow.variables.x` is `x`.
Pure: no I/O.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Final

from jinja2.filters import FILTERS

from graph_engine.document import CHANNEL_FACTS
from graph_engine.errors import DocumentError
from graph_engine.liquid_hints import jinja_form, places

FORMAT: Final = "ivrgraph.scenario/1"
# What an import converts at most (security review, 2026-12: one say of "{{" * 40000 held the server 24 s, 12,000
# states 16 s): a Studio flow has tens of widgets, and a text is a phrase, as Say Phrase's `text` caps it.
MAX_STATES: Final = 1000
MAX_TRANSITIONS: Final = 100
MAX_TEXT: Final = 2000
# How far from the canvas's origin a block is drawn: an offset of 1e308 made the designer draw Start alone.
MAX_OFFSET: Final = 100_000
# The widest empty stretch of canvas kept between two blocks, across or down: Studio spaces its widgets as the designer
# spaces blocks (rows ~220 px apart, columns ~340), but one widget parked 30,000 px away, or an offset clamped to
# MAX_OFFSET, made Fit view zoom out to its minimum, every block a dot (review, 2026-12).
WIDEST_GAP: Final = 600
# The variable a placeholder sets, which marks it: validation warns of each one left (`studio_placeholder`).
PLACEHOLDER_VARIABLE: Final = "studio_not_converted"
# What a report line says, by code; each line's params name its state and widget (`state`, `widget`) and these.
REPORT_CODES: Final = {
    "not_whole_number": ("setting", "value"),
    "starts_on": ("event",),
    "messages_not_converted": ("event",),
    "recording_not_converted": (),  # `play`: the URL it played, when it played one
    "digits_left_out": ("digits",),
    "said_once": ("loop",),
    "prompt_not_converted": (),
    "speech_not_converted": (),
    "split_input_not_variable": (),
    "condition_not_converted": ("condition",),
    "queue_to_check": ("queue",),
    "destination_not_converted": ("target",),
    "first_number_only": ("number",),
    # `reason` (no_variables) when it has one; `count` paths to reconnect, each `event_N`, `target_N` and `wired_N`
    # (error: to connect to the replacement's error exit; none: not wired)
    "not_converted": ("count",),
}
_JINJA_FILTERS: Final = frozenset(FILTERS) | {"e164"}
_NODE_ID: Final = re.compile(r"[^A-Za-z0-9_.:-]")
_NOT_IDENTIFIER: Final = re.compile(r"[^A-Za-z0-9_]")
_WHOLE: Final = re.compile(r"[0-9]{1,6}")  # ASCII digits: str.isdigit() takes "²", which int() refuses
_PATH: Final = re.compile(r"(?<![\w.'\"])(trigger|widgets|flow|contact)((?:\.[A-Za-z0-9_-]+)+)")
_NUMBER: Final = re.compile(r"^\+?[0-9*#]{1,32}$")
_LANGUAGE: Final = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_KEY: Final = re.compile(r"^[0-9*#]$")
_END: Final = "end"  # the Hang Up every exit Studio left unwired leads to: a Studio execution ends there

# Studio's call facts, as the channel facts a call here has.
_TRIGGER_FACTS: Final = {
    "trigger.call.From": "caller_id",
    "trigger.call.Caller": "caller_id",
    "trigger.call.To": "dialed_number",
    "trigger.call.Called": "dialed_number",
    "trigger.call.CallSid": "call_id",
    "trigger.call.CallerName": "caller_name",
    "contact.channel.address": "caller_id",
}
# The event a placeholder keeps going on: the one a successful state takes.
_GOES_ON: Final = {
    "make-http-request": "success",
    "run-function": "success",
    "record-voicemail": "recordingComplete",
    "fork-stream": "next",
    "send-message": "sent",
    "call-recording": "success",
    "add-twiml-redirect": "return",
    "run-subflow": "completed",
}


@dataclass(frozen=True, slots=True)
class ReportEntry:
    """One line of the report: its English `text`, and the `code` and `params` it is said from in other languages."""

    code: str
    params: dict[str, str | int]
    text: str


@dataclass(frozen=True, slots=True)
class StudioProblem:
    path: str  # in the Studio file: $.states[2].name
    message: str


class StudioFlowError(DocumentError):
    """A document shaped as a Studio export that cannot be read as one; `problems` as an import names them."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        said = "; ".join(f"{p['path']}: {p['message']}" for p in problems)
        super().__init__(f"this looks like a Twilio Studio flow export, but it cannot be converted: {said}")
        # The first problem says what the file is, so a list of problems alone (the designer's) says it too.
        self.problems = [
            StudioProblem("$", "this looks like a Twilio Studio flow export, but it cannot be converted"),
            *(StudioProblem(p["path"], p["message"]) for p in problems),
        ]


def is_studio_flow(document: Any) -> bool:
    """A Studio export has `states` or `initial_state` and no `format` of ours."""
    return (
        isinstance(document, Mapping)
        and "format" not in document
        and ("states" in document or "initial_state" in document)
    )


@dataclass(slots=True)
class _Ids:
    """The node ids handed out, each unique and none `end`: one taken gets _2, _3... counted on from the last one
    its stem took, so n names cleaning to one id take n steps, not n² (the taken set was rebuilt for each)."""

    taken: set[str] = field(default_factory=lambda: {_END})
    next_suffix: dict[str, int] = field(default_factory=dict)  # stem -> the suffix to try next

    def fresh(self, base: str) -> str:
        """`base` as a node id (64 characters at most) not yet handed out, else with _2, _3..."""
        candidate, stem = base[:64], base[:58]
        if candidate in self.taken:
            suffix = self.next_suffix.get(stem, 2)
            while (candidate := f"{stem}_{suffix}") in self.taken:
                suffix += 1
            self.next_suffix[stem] = suffix + 1
        self.taken.add(candidate)
        return candidate


@dataclass(slots=True)
class _Conversion:
    states: dict[str, Mapping[str, Any]]
    ids: dict[str, str]
    names: _Ids  # every id handed out: the states', then the Conditions a split becomes
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[tuple[str, str, str | None]] = field(default_factory=list)
    entries: list[ReportEntry] = field(default_factory=list)
    placeholders: dict[str, str] = field(default_factory=dict)  # node id -> the Studio widget type it stands for
    variables: dict[str, None] = field(default_factory=dict)  # declared, in order met
    written: set[str] = field(default_factory=set)
    menus: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # gather name -> the split it absorbs
    language: str | None = None

    @property
    def report(self) -> list[str]:
        return [entry.text for entry in self.entries]

    def say(self, state: Mapping[str, Any], code: str, text: str, **params: str | int) -> None:
        """A report line about `state`: `text` in English, `code` and `params` for the designer to say it."""
        self.entries.append(ReportEntry(code, {"state": str(state["name"]), "widget": str(state["type"]), **params},
                                        f"{state['name']} ({state['type']}): {text}"))  # fmt: skip

    def target(self, state_name: str | None) -> str | None:
        return self.ids[state_name] if state_name else None

    def wire(self, source: str, exit_name: str, state_name: str | None) -> None:
        self.edges.append((source, exit_name, self.target(state_name)))

    def node(self, state: Mapping[str, Any], block: str, config: dict[str, Any], **extra: Any) -> str:
        node_id = self.ids[str(state["name"])]
        self.nodes.append(
            {"id": node_id, "type": block, "version": 1, "label": str(state["name"])[:200],
             "position": _position(state), "config": config, **extra}
        )  # fmt: skip
        return node_id

    def text(self, source: Any) -> str:
        return _jinja(str(source or ""), self)

    def number(self, state: Mapping[str, Any], setting: str) -> int | None:
        """A Studio number setting (Studio writes some as text: "5"); None when it is none, and reported when it is
        no whole number (`²`, 5000 digits, `-3`), for the block's default to be used."""
        value = _properties(state).get(setting)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 999_999:
            return value
        if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
            return int(value.strip())
        shown = json.dumps(value, ensure_ascii=False, default=str)
        shown = shown if len(shown) <= 22 else f"{shown[:21]}...{shown[-1]}"
        said = f"{setting} {shown} is not a whole number: the default is used"
        self.say(state, "not_whole_number", said, setting=setting, value=shown)
        return None

    def variable(self, path: str) -> str:
        """The variable a Studio path names (`flow.variables.x` -> x), declared unless a channel fact."""
        if path in _TRIGGER_FACTS:
            return _TRIGGER_FACTS[path]
        head, *rest = path.split(".")
        if head == "flow" and len(rest) >= 2 and rest[0] in ("variables", "data"):
            parts = rest[1:]
        elif head == "widgets" and len(rest) == 2 and rest[1] == "Digits":
            parts = [rest[0], "digits"]
        else:
            parts = rest if head == "widgets" else [head, *rest]
        name = _identifier("_".join(parts))
        if name not in CHANNEL_FACTS:
            self.variables.setdefault(name, None)
        return name


def convert_studio_flow(flow: Any) -> tuple[dict[str, Any], list[str]]:
    """The scenario document a Studio export makes, and the report naming each state not converted or converted
    approximately. Raises StudioFlowError naming every problem when the export cannot be read."""
    states = _read_states(flow)
    names = _Ids()
    ids = {name: names.fresh(_NODE_ID.sub("_", name) or "state") for name in states}
    conversion = _Conversion(states=states, ids=ids, names=names)
    conversion.menus = _menus(states)
    absorbed = {str(split["name"]) for split in conversion.menus.values()}
    for name, state in states.items():
        if name not in absorbed:
            _convert_state(state, conversion)
    return _document(flow, conversion), conversion.report


# Russian names are common here: transliterated as the designer's slug field does (designer_ui/src/lib/slug.ts).
_CYRILLIC: Final = str.maketrans(dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".replace("_", "").split(" "),
    strict=True,
)))  # fmt: skip
_SLUG_LENGTH: Final = 64


def studio_slugs(name: str, *, tries: int = 50) -> Iterator[str]:
    """The slugs a flow named `name` may take, best first: its name as a slug ("Acme support line" ->
    `acme-support-line`), then with -2, -3... (`tries` in all), each within a slug's 64 characters."""
    folded = unicodedata.normalize("NFKD", name.lower().translate(_CYRILLIC)).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:_SLUG_LENGTH].strip("-") or "studio-flow"
    yield base
    for number in range(2, tries + 1):
        suffix = f"-{number}"
        yield base[: _SLUG_LENGTH - len(suffix)].rstrip("-") + suffix


def _read_states(flow: Any) -> dict[str, Mapping[str, Any]]:
    problems: list[dict[str, str]] = []
    raw = flow.get("states") if isinstance(flow, Mapping) else None
    if not isinstance(raw, list) or not raw:
        raise StudioFlowError([{"path": "$.states", "message": "must be the list of the flow's states (widgets)"}])
    if len(raw) > MAX_STATES:
        raise StudioFlowError(
            [{"path": "$.states", "message": f"the flow has {len(raw)} states; at most {MAX_STATES} are converted"}]
        )
    states: dict[str, Mapping[str, Any]] = {}
    for index, state in enumerate(raw):
        if isinstance(state, Mapping):
            problems += _past_caps(index, state)
        if not isinstance(state, Mapping):
            problems.append({"path": f"$.states[{index}]", "message": "is not a state (an object)"})
        elif not isinstance(state.get("name"), str) or not state["name"]:
            problems.append({"path": f"$.states[{index}].name", "message": "a state needs its name"})
        elif not isinstance(state.get("type"), str):
            problems.append({"path": f"$.states[{index}].type", "message": f"state {state['name']!r} has no type"})
        elif state["name"] in states:
            problems.append({"path": f"$.states[{index}].name", "message": f"{state['name']!r} is named twice"})
        else:
            states[state["name"]] = state
    for index, state in enumerate(raw):
        for place, transition in enumerate(_transitions(state) if isinstance(state, Mapping) else []):
            target = transition.get("next")
            if target and (not isinstance(target, str) or target not in states):
                problems.append(
                    {"path": f"$.states[{index}].transitions[{place}].next", "message": f"no state is named {target!r}"}
                )
    initial = str(flow.get("initial_state", "Trigger"))
    if not problems and (initial not in states or states[initial]["type"] != "trigger"):
        problems.append({"path": "$.initial_state", "message": f"no state is named {initial!r} (the trigger)"})
    if problems:
        raise StudioFlowError(problems)
    # The trigger first, so it is the Start block the document enters by.
    return {initial: states[initial], **{name: s for name, s in states.items() if name != initial}}


def _past_caps(index: int, state: Mapping[str, Any]) -> list[dict[str, str]]:
    """A problem for a state of more transitions than MAX_TRANSITIONS, and one for each text it converts longer than
    MAX_TEXT (a phrase, a destination, a split's input, a value set or compared)."""
    found = state.get("transitions")
    if isinstance(found, list) and len(found) > MAX_TRANSITIONS:
        message = f"{len(found)} transitions; at most {MAX_TRANSITIONS} are converted"
        return [{"path": f"$.states[{index}].transitions", "message": message}]
    properties = _properties(state)
    texts: list[tuple[str, Any]] = [(f".properties.{key}", properties.get(key)) for key in ("say", "to", "input")]
    listed = properties.get("variables")
    for place, item in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(item, Mapping):
            texts += [(f".properties.variables[{place}].{key}", item.get(key)) for key in ("key", "value")]
    for place, transition in enumerate(_transitions(state)):
        conditions = transition.get("conditions")
        for number, condition in enumerate(conditions if isinstance(conditions, list) else []):
            arguments = condition.get("arguments") if isinstance(condition, Mapping) else None
            at = f".transitions[{place}].conditions[{number}]"
            texts += [(f"{at}.value", condition.get("value") if isinstance(condition, Mapping) else None)]
            texts += [(f"{at}.arguments[0]", arguments[0] if isinstance(arguments, list) and arguments else None)]
    return [
        {"path": f"$.states[{index}]{path}", "message": f"is {size} characters long; at most {MAX_TEXT} are converted"}
        for path, text in texts
        if text is not None and (size := len(text if isinstance(text, str) else str(text))) > MAX_TEXT
    ]


def _transitions(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = state.get("transitions")
    return [t for t in found if isinstance(t, Mapping)] if isinstance(found, list) else []


def _next(state: Mapping[str, Any], event: str) -> str | None:
    for transition in _transitions(state):
        if transition.get("event") == event and transition.get("next"):
            return str(transition["next"])
    return None


def _properties(state: Mapping[str, Any]) -> Mapping[str, Any]:
    found = state.get("properties")
    return found if isinstance(found, Mapping) else {}


def _position(state: Mapping[str, Any]) -> dict[str, float]:
    offset = _properties(state).get("offset")
    numbers = isinstance(offset, Mapping) and all(
        isinstance(offset.get(k), int | float) and not isinstance(offset.get(k), bool) for k in ("x", "y")
    )
    if numbers and isinstance(offset, Mapping):
        return {"x": _on_canvas(offset["x"]), "y": _on_canvas(offset["y"])}
    return {"x": 0, "y": 0}


def _or(number: int | None, default: int) -> int:
    return default if number is None else number


def _on_canvas(value: float) -> float:
    """An offset within MAX_OFFSET of the origin (an infinite one at the edge, NaN at the origin)."""
    if isinstance(value, float) and math.isnan(value):
        return 0
    return min(max(value, -MAX_OFFSET), MAX_OFFSET)


def _identifier(text: str) -> str:
    name = _NOT_IDENTIFIER.sub("_", text).strip("_") or "value"
    return ("v_" + name if name[0].isdigit() else name)[:64]


def _single_place(text: str) -> str | None:
    """What the one `{{ }}` that is all of `text` holds, stripped (`{{ name }}` -> name); None when `text` is not
    one. Read by slicing, not by a regular expression, which was quadratic in a run of spaces."""
    whole = text.strip()
    if len(whole) < 4 or not whole.startswith("{{") or not whole.endswith("}}"):
        return None
    return whole[2:-2].strip()


def _digits_path(text: Any) -> str | None:
    """The gather whose digits `text` is (`{{widgets.menu.Digits}}` -> menu), else None."""
    found = _single_place(str(text or ""))
    parts = found.split(".") if found is not None else []
    return parts[1] if len(parts) == 3 and parts[0] == "widgets" and parts[2] == "Digits" else None


def _menu_keys(split: Mapping[str, Any]) -> list[tuple[list[str], str | None]] | None:
    """Each match of a split as (its keys, its next state) when every one is a single key pressed, else None."""
    matches: list[tuple[list[str], str | None]] = []
    for transition in _transitions(split):
        if transition.get("event") != "match":
            continue
        conditions = transition.get("conditions")
        if not isinstance(conditions, list) or len(conditions) != 1 or not isinstance(conditions[0], Mapping):
            return None
        kind, value = conditions[0].get("type"), str(conditions[0].get("value", ""))
        keys = [k.strip() for k in value.split(",")] if kind == "matches_any_of" else [value.strip()]
        if kind not in ("equal_to", "matches_any_of") or not all(_KEY.match(k) for k in keys):
            return None
        matches.append((keys, transition.get("next")))
    return matches or None


def _menus(states: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Gather -> the split on its digits that only it leads to, which becomes the gather's menu keys."""
    referrers: dict[str, list[str]] = {}
    for name, state in states.items():
        for transition in _transitions(state):
            if transition.get("next"):
                referrers.setdefault(str(transition["next"]), []).append(name)
    menus = {}
    for name, state in states.items():
        split_name = _next(state, "keypress") if state["type"] == "gather-input-on-call" else None
        split = states.get(split_name or "")
        if (
            split is not None
            and split["type"] == "split-based-on"
            and _digits_path(_properties(split).get("input")) == name
            and referrers.get(str(split_name)) == [name]
            and _menu_keys(split) is not None
        ):
            menus[name] = split
    return menus


def _jinja(source: str, conversion: _Conversion) -> str:
    """A Studio text with its Liquid as Jinja and its paths as variables: `{{ caller_id }}`."""

    def place(found: str) -> str:
        text = _PATH.sub(lambda m: conversion.variable(m.group(1) + m.group(2)), found)
        rewritten = jinja_form(text, _JINJA_FILTERS, expression=True)
        text = rewritten[1] if rewritten else text
        inner = _single_place(text)
        return f"{{{{ {inner} }}}}" if inner is not None and text.startswith("{{") else text

    written, done = [], 0
    for start, end in places(source):
        written += [source[done:start], place(source[start:end])]
        done = end
    return "".join([*written, source[done:]])


def _expression(source: Any, conversion: _Conversion) -> str | None:
    """A split's input as an expression (`{{widgets.menu.Digits}}` -> menu_digits); None when it is not one
    placeholder alone."""
    return _single_place(_jinja(str(source or ""), conversion))


def _convert_state(state: Mapping[str, Any], conversion: _Conversion) -> None:
    kind = str(state["type"])
    converter = _CONVERTERS.get(kind)
    if converter is None:
        _placeholder(state, conversion)
    else:
        converter(state, conversion)


def _trigger(state: Mapping[str, Any], conversion: _Conversion) -> None:
    node_id = conversion.node(state, "start", {})
    target = _next(state, "incomingCall")
    for event in ("incomingRequest", "incomingParent"):
        if target is None and (target := _next(state, event)) is not None:
            conversion.say(state, "starts_on", f"the flow starts on {event}, here the call enters there", event=event)
    for event in ("incomingMessage", "incomingConversationMessage"):
        if _next(state, event):
            said = f"{event} not converted: a scenario answers calls"
            conversion.say(state, "messages_not_converted", said, event=event)
    conversion.wire(node_id, "next", target)


def _say_play(state: Mapping[str, Any], conversion: _Conversion) -> None:
    properties = _properties(state)
    say, play = str(properties.get("say") or "").strip(), str(properties.get("play") or "").strip()
    config: dict[str, Any] = {"text": conversion.text(say)} if say else {}
    _keep_language(properties, config, conversion)
    notes = ""
    if not say:
        what = f"plays {play}" if play else "says nothing"
        said = f"{what}: not converted, upload the recording and use a Message block"
        conversion.say(state, "recording_not_converted", said, **({"play": play} if play else {}))
        config = {"text": f"Recording to replace: {state['name']}"}
        notes = f"Studio played {play}" if play else ""
    if properties.get("digits"):
        digits = str(properties["digits"])
        conversion.say(state, "digits_left_out", f"the digits it sent ({digits}) are left out", digits=digits)
    if _or(conversion.number(state, "loop"), 1) > 1:
        loop = properties["loop"]
        said = f"said once here, Studio said it {loop} times"
        conversion.say(state, "said_once", said, loop=int(loop) if _WHOLE.fullmatch(str(loop).strip()) else str(loop))
    node_id = conversion.node(state, "say_phrase", config, **({"notes": notes} if notes else {}))
    conversion.wire(node_id, "next", _next(state, "audioComplete"))


def _keep_language(properties: Mapping[str, Any], config: dict[str, Any], conversion: _Conversion) -> None:
    language = str(properties.get("language") or "")
    if _LANGUAGE.match(language) and language[:2] == language[:2].lower():
        conversion.language = conversion.language or language
        if language != conversion.language:
            config["language"] = language


def _gather(state: Mapping[str, Any], conversion: _Conversion) -> None:
    name, properties = str(state["name"]), _properties(state)
    say = str(properties.get("say") or "").strip()
    prompt = {"text": conversion.text(say) if say else f"Recording to replace: {name}"}
    if not say:
        conversion.say(state, "prompt_not_converted", "its recording is not converted: replace the prompt")
    _keep_language(properties, prompt, conversion)
    variable = conversion.variable(f"widgets.{name}.Digits")
    conversion.written.add(variable)
    timeout = min(max(_or(conversion.number(state, "timeout"), 5), 1), 60)
    config: dict[str, Any] = {"prompt": prompt, "timeout": timeout, "max_tries": 1, "split_failures": True,
                              "variable": variable}  # fmt: skip
    if _next(state, "speech"):
        conversion.say(state, "speech_not_converted", "speech input is not converted, only keys")
    split = conversion.menus.get(name)
    keypress = _next(state, "keypress")
    edges: list[tuple[str, str | None]] = [("no_input", _next(state, "timeout"))]
    if split is not None:
        options, seen = [], set()
        for keys, target in _menu_keys(split) or []:
            for key in keys:
                if key not in seen:
                    seen.add(key)
                    options.append({"key": key})
                    edges.append((key, target))
        config |= {"mode": "menu", "options": options}
        edges.append(("invalid", _next(split, "noMatch")))
    else:
        digits = conversion.number(state, "number_of_digits")
        length = min(max(digits, 1), 32) if digits is not None else None
        terminator = str(properties.get("finish_on_key", "#"))
        config |= {"mode": "capture", "min_length": length or 1, "max_length": length or 32,
                   "terminator": terminator if terminator in ("#", "*", "") else "#"}  # fmt: skip
        edges += [("next", keypress), ("invalid", keypress)]
    node_id = conversion.node(state, "ivr", config)
    for exit_name, target in edges:
        conversion.wire(node_id, exit_name, target)


_COMPARISONS: Final = {"equal_to": "==", "not_equal_to": "!=", "less_than": "<", "greater_than": ">",
                       "is_less_than": "<", "is_greater_than": ">"}  # fmt: skip


def _condition(value: str, condition: Mapping[str, Any]) -> str | None:
    """A Studio condition on `value` (an expression) as an expression; None when it has no equal here."""
    kind, given = str(condition.get("type")), str(condition.get("value", ""))
    if kind in ("less_than", "greater_than", "is_less_than", "is_greater_than"):
        try:
            return f"({value} | float) {_COMPARISONS[kind]} {float(given)!r}"
        except ValueError:
            return None
    listed = repr([item.strip() for item in given.split(",")])
    return {
        "equal_to": f"{value} == {given!r}",
        "not_equal_to": f"{value} != {given!r}",
        "matches_any_of": f"{value} in {listed}",
        "does_not_match_any_of": f"{value} not in {listed}",
        "contains": f"{given!r} in {value}",
        "does_not_contain": f"{given!r} not in {value}",
        "is_blank": f"not {value}",
        "is_not_blank": f"{value} and true",
    }.get(kind)


def _split(state: Mapping[str, Any], conversion: _Conversion) -> None:
    name = str(state["name"])
    value = _expression(_properties(state).get("input"), conversion)
    if value is None:
        conversion.say(state, "split_input_not_variable", "its input is not one variable: check the conditions")
        value = repr(str(_properties(state).get("input", "")))
    matches = [t for t in _transitions(state) if t.get("event") == "match"]
    no_match = _next(state, "noMatch")
    equal = [t.get("conditions") for t in matches]
    if matches and all(isinstance(c, list) and len(c) == 1 and isinstance(c[0], Mapping)
                       and c[0].get("type") == "equal_to" for c in equal):  # fmt: skip
        cases, exits = [], []
        for index, transition in enumerate(matches, 1):
            equals = str(transition["conditions"][0].get("value", ""))
            exit_name = _identifier(equals)[:32] if _identifier(equals) == equals else f"case_{index}"
            exit_name = exit_name if exit_name not in exits and exit_name != "default" else f"case_{index}"
            exits.append(exit_name)
            cases.append({"exit": exit_name, "equals": equals})
        node_id = conversion.node(state, "switch", {"value": value, "cases": cases})
        for exit_name, transition in zip(exits, matches, strict=True):
            conversion.wire(node_id, exit_name, transition.get("next"))
        conversion.wire(node_id, "default", no_match)
        return
    # Any other split: one Condition for each match, in Studio's order, the last one's false going to noMatch.
    x, y = _position(state)["x"], _position(state)["y"]
    if not matches:
        node_id = conversion.node(state, "condition", {"expression": "false"})
        conversion.wire(node_id, "false", no_match)
        return
    # The Conditions after the first have ids of their own, none a state's: route_2, route_3...
    chain = [conversion.ids[name]]
    chain += [conversion.names.fresh(f"{conversion.ids[name]}_{index}") for index in range(2, len(matches) + 1)]
    for index, transition in enumerate(matches):
        parts = []
        conditions = transition.get("conditions")
        for condition in conditions if isinstance(conditions, list) else []:
            arguments = condition.get("arguments") if isinstance(condition, Mapping) else None
            first = arguments[0] if isinstance(arguments, list) and arguments else None
            subject = _expression(first, conversion) if first is not None else value
            written = _condition(subject or value, condition) if isinstance(condition, Mapping) else None
            if written is None:
                kind = condition.get("type") if isinstance(condition, Mapping) else condition
                said = f"condition {kind!r} not converted: it is false here"
                conversion.say(state, "condition_not_converted", said, condition=str(kind))
                written = "false"
            parts.append(f"({written})")
        expression = " and ".join(parts) or "false"
        node_id = chain[index]
        conversion.nodes.append(
            {"id": node_id, "type": "condition", "version": 1, "label": f"{name} ({index + 1})"[:200],
             "position": {"x": x + 280 * index, "y": y}, "config": {"expression": expression}}
        )  # fmt: skip
        conversion.wire(node_id, "true", transition.get("next"))
        if index + 1 < len(matches):
            conversion.edges.append((node_id, "false", chain[index + 1]))
        else:
            conversion.wire(node_id, "false", no_match)


def _set_variables(state: Mapping[str, Any], conversion: _Conversion) -> None:
    listed = _properties(state).get("variables")
    assignments = []
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, Mapping) and item.get("key"):
            variable = conversion.variable(f"flow.variables.{item['key']}")
            conversion.written.add(variable)
            assignments.append({"variable": variable, "value": conversion.text(item.get("value", ""))})
    if not assignments:
        _placeholder(state, conversion, why="sets no variable", reason="no_variables")
        return
    node_id = conversion.node(state, "set_variable", {"assignments": assignments})
    conversion.wire(node_id, "next", _next(state, "next"))


def _transfer(state: Mapping[str, Any], conversion: _Conversion) -> None:
    name, kind, properties = str(state["name"]), str(state["type"]), _properties(state)
    to = str(properties.get("to") or "").split(",")[0].strip()
    target = conversion.text(to) if to else ""
    if kind == "enqueue-call":
        target = f"queue:{_identifier(str(properties.get('queue_name') or name))}"
        said = f"to the Asterisk queue {target[6:]!r}: check it exists"
        conversion.say(state, "queue_to_check", said, queue=target[6:])
    elif not target or not (_NUMBER.match(target) or "{{" in target):
        target = f"queue:{_identifier(name)}"
        said = f"its destination has no equal here: set the Transfer's destination (now {target})"
        conversion.say(state, "destination_not_converted", said, target=target)
    elif "," in str(properties.get("to") or ""):
        conversion.say(state, "first_number_only", f"only the first of its numbers ({to}) is dialed", number=to)
    config: dict[str, Any] = {
        "target": target,
        "timeout": min(max(_or(conversion.number(state, "timeout"), 30), 1), 300),
    }
    # The caller's own number (`{{contact.channel.address}}`, Studio's default) is what a transfer shows unasked,
    # and set it would fail the transfer of a withheld number: only a number written out is kept.
    caller_id = str(properties.get("caller_id") or "").strip()
    if _NUMBER.match(caller_id):
        config["caller_id"] = caller_id
    node_id = conversion.node(state, "transfer", config)
    done = _next(state, "callCompleted") or _next(state, "callComplete")
    failed = _next(state, "failedToEnqueue") or _next(state, "callFailure") or done
    if done:
        conversion.wire(node_id, "answered", done)
    for exit_name in ("busy", "no_answer", "failed"):
        conversion.wire(node_id, exit_name, failed)


def _placeholder(state: Mapping[str, Any], conversion: _Conversion, *, why: str = "", reason: str = "") -> None:
    """A state with no equal here: a Set Variable marking the place (`studio_not_converted`), its settings kept in
    the notes, going on by the event a successful state takes (`next`) and by its first other event (`error`), so
    no path the widget had is lost (review, 2026-12: an HTTP request's `failed` target became unreachable). Other
    events leading elsewhere cannot be wired (one error exit): they are named, for the replacement to take them."""
    name, kind = str(state["name"]), str(state["type"])
    event = _GOES_ON.get(kind)
    leading = [(str(t.get("event") or "?"), str(t["next"])) for t in _transitions(state) if t.get("next")]
    success = (_next(state, event) if event else None) or (leading[0][1] if leading else None)
    success_event = event if event and _next(state, event) else (leading[0][0] if leading else None)
    others = [(e, target) for e, target in leading if e != success_event]
    failed = others[0][1] if others else None
    paths = [
        f"{e} → {target}: connect it to the replacement's error/not_found exit"
        if target == failed
        else f"{e} → {target}: not wired (the placeholder has one error exit), connect it to the replacement's exit"
        for e, target in others
    ]
    said = f"not converted{': ' + why if why else ''}: replace the placeholder" + "".join(f"; {p}" for p in paths)
    params: dict[str, str | int] = {"reason": reason} if reason else {}
    params["count"] = len(others)
    for number, (e, target) in enumerate(others, start=1):
        params |= {f"event_{number}": e, f"target_{number}": target, f"wired_{number}": "error" if target == failed
                   else "none"}  # fmt: skip
    conversion.say(state, "not_converted", said, **params)
    settings = {k: v for k, v in _properties(state).items() if k != "offset"}
    notes = f"Twilio Studio {kind} not converted: replace this block."
    notes += "".join(f" {p}." for p in paths) + " Its settings: " + json.dumps(settings)
    conversion.variables.setdefault(PLACEHOLDER_VARIABLE, None)
    config = {"assignments": [{"variable": PLACEHOLDER_VARIABLE, "value": name}]}
    node_id = conversion.node(state, "set_variable", config, notes=notes[:5000])
    conversion.placeholders[node_id] = kind
    conversion.wire(node_id, "next", success)
    if failed:
        conversion.wire(node_id, "error", failed)


_CONVERTERS: Final = {
    "trigger": _trigger,
    "say-play": _say_play,
    "gather-input-on-call": _gather,
    "split-based-on": _split,
    "set-variables": _set_variables,
    "connect-call-to": _transfer,
    "enqueue-call": _transfer,
    "send-to-flex": _transfer,
}


def _document(flow: Mapping[str, Any], conversion: _Conversion) -> dict[str, Any]:
    edges, ends = [], False
    for source, exit_name, target in conversion.edges:
        ends |= target is None
        edges.append({"id": f"{source}.{exit_name}->{target or _END}", "source": source, "exit": exit_name,
                      "target": target or _END})  # fmt: skip
    nodes = _near(conversion.nodes)
    if ends:  # Studio ends the execution where a transition leads nowhere: the call ends there.
        lowest = max((node["position"]["y"] for node in nodes), default=0)
        nodes.append({"id": _END, "type": "hangup", "version": 1, "label": "End",
                      "position": {"x": 0, "y": lowest + 220}, "config": {}})  # fmt: skip
    described = str(flow.get("description") or "").strip()
    document: dict[str, Any] = {
        "format": FORMAT,
        "name": described[:200] or "Twilio Studio flow",
        "description": "Converted from a Twilio Studio flow."
        + (" To check: " + " ".join(conversion.report) if conversion.report else ""),
        "language": conversion.language or "en",
        "variables": [{"name": name, "type": "string", "default": ""} for name in conversion.variables],
        "nodes": nodes,
        "edges": edges,
        "meta": {
            "studio_import": {
                "report": conversion.report,
                "entries": [{"code": e.code, "params": e.params, "text": e.text} for e in conversion.entries],
                "placeholders": conversion.placeholders,
            }
        },
    }
    document["description"] = document["description"][:5000]
    return document


def _near(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The nodes with every empty stretch of canvas wider than WIDEST_GAP, across and down, closed to WIDEST_GAP: a
    widget parked far away comes near, in its place in the order, and the rest keep Studio's spacing. The first
    node (Start) stays where Studio had it, so an export with no gap that wide keeps every offset as it was."""
    if not nodes:
        return []
    moved = [dict(node, position=dict(node["position"])) for node in nodes]
    for axis in ("x", "y"):
        values = sorted({node["position"][axis] for node in moved})
        closed = {values[0]: values[0]}
        for before, value in pairwise(values):
            closed[value] = closed[before] + min(value - before, WIDEST_GAP)
        anchor = moved[0]["position"][axis]
        shift = anchor - closed[anchor]
        for node in moved:
            node["position"][axis] = closed[node["position"][axis]] + shift
    return moved
