"""Pre-rendering at publish: every static phrase of a scenario is spoken once, before any call needs it.

Phrases are found generically: the `text` of a speaking block's config (Say Phrase), and the `text` of any
prompt object (a config key named `prompt` or ending in `_prompt`, at any depth, in any block). A phrase with
template syntax (`{{`, `{%`, `{#`) depends on the call and is rendered at run time; it is listed as deferred.
A phrase that cannot be rendered fails the publish, and the report names its node; so does a recorded prompt
naming an uploaded asset (`assets/<id>`) that is not in the media folder.

Language, voice and engine follow what a block does at run time: the prompt's own `language`/`voice`, else
the scenario's `language` and `voice: {engine, name}`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph_engine.errors import TtsError
from graph_engine.services import TextToSpeech
from voice.assets import ASSET_FOLDER
from voice.errors import MediaPathError
from voice.formats import AudioFormat
from voice.media import MediaRoot

# Blocks whose config is itself a prompt (`{"text": ...}` for Say Phrase, `{"audio": ...}` for Message); other
# blocks keep theirs under a prompt key ("prompt", "invalid_prompt", ...).
SPEAKING_BLOCK_TYPES = frozenset({"say_phrase", "message"})
_TEMPLATE_MARKS = ("{{", "{%", "{#")


@dataclass(frozen=True, slots=True)
class Phrase:
    node_id: str
    path: tuple[str | int, ...]  # inside the node's config, e.g. ("prompt", "text")
    text: str
    language: str
    voice: str | None
    engine: str | None

    @property
    def where(self) -> str:
        return f"node {self.node_id!r} config.{'.'.join(str(p) for p in self.path)}"


@dataclass(frozen=True, slots=True)
class Recording:
    node_id: str
    path: tuple[str | int, ...]
    name: str  # media name, e.g. assets/<id>

    @property
    def message(self) -> str:
        where = f"node {self.node_id!r} config.{'.'.join(str(p) for p in self.path)}"
        return f"{where}: the recorded audio {self.name!r} is not in the media folder"


@dataclass(frozen=True, slots=True)
class PhraseFailure:
    phrase: Phrase
    reason: str

    @property
    def message(self) -> str:
        return f"{self.phrase.where}: the phrase {self.phrase.text[:60]!r} cannot be spoken: {self.reason}"


@dataclass(slots=True)
class PrerenderReport:
    rendered: list[tuple[Phrase, str]] = field(default_factory=list)  # phrase and its media name
    deferred: list[Phrase] = field(default_factory=list)  # templated: rendered during the call
    failed: list[PhraseFailure] = field(default_factory=list)
    missing_audio: list[Recording] = field(default_factory=list)  # uploaded assets the scenario plays, not found

    @property
    def ok(self) -> bool:
        return not self.failed and not self.missing_audio

    @property
    def failed_nodes(self) -> list[str]:
        nodes = {failure.phrase.node_id for failure in self.failed}
        return sorted(nodes | {recording.node_id for recording in self.missing_audio})

    @property
    def messages(self) -> list[str]:
        """Every problem, one line each, naming its node: what publishing shows when it refuses."""
        return [failure.message for failure in self.failed] + [r.message for r in self.missing_audio]


def is_template(text: str) -> bool:
    return any(mark in text for mark in _TEMPLATE_MARKS)


def _is_prompt_key(key: str) -> bool:
    return key in ("prompt", "prompts") or key.endswith("_prompt")


def _prompt_objects(
    value: Any, path: tuple[str | int, ...], in_prompt: bool
) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
    """(path, object) for every prompt object under `value`: one holding a `text` or an `audio`."""
    if isinstance(value, Mapping):
        if in_prompt and (isinstance(value.get("text"), str) or isinstance(value.get("audio"), str)):
            yield path, value
        for key, child in value.items():
            if isinstance(child, (Mapping, list)):
                yield from _prompt_objects(child, (*path, str(key)), in_prompt or _is_prompt_key(str(key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _prompt_objects(child, (*path, index), in_prompt)


def _node_prompts(document: Mapping[str, Any]) -> Iterator[tuple[str, tuple[str | int, ...], Mapping[str, Any]]]:
    for node in document.get("nodes") or []:
        if isinstance(node, Mapping) and isinstance(node.get("config"), Mapping):
            speaking = node.get("type") in SPEAKING_BLOCK_TYPES
            for path, holder in _prompt_objects(node["config"], (), in_prompt=speaking):
                yield str(node.get("id")), path, holder


def find_recordings(document: Mapping[str, Any]) -> list[Recording]:
    """Every recorded-audio prompt of a scenario document (`{"audio": name}`), in document order."""
    return [
        Recording(node_id, (*path, "audio"), holder["audio"])
        for node_id, path, holder in _node_prompts(document)
        if isinstance(holder.get("audio"), str) and not isinstance(holder.get("text"), str)
    ]


def recording_missing(media: MediaRoot, name: str) -> bool:
    """Whether no file of the media name `name` is in `media` (a name that could leave the root is missing)."""
    try:
        return not any(media.resolve(name, fmt.extension).is_file() for fmt in AudioFormat)
    except MediaPathError:
        return True


def find_phrases(document: Mapping[str, Any]) -> list[Phrase]:
    """Every spoken phrase of a scenario document, static or templated, in document order."""
    language = str(document.get("language") or "en")
    raw_voice = document.get("voice")
    voice_spec: Mapping[str, Any] = raw_voice if isinstance(raw_voice, Mapping) else {}
    default_voice = voice_spec.get("name") if isinstance(voice_spec.get("name"), str) else None
    engine = voice_spec.get("engine") if isinstance(voice_spec.get("engine"), str) else None
    phrases: list[Phrase] = []
    for node_id, path, holder in _node_prompts(document):
        text = holder.get("text")
        if not isinstance(text, str) or not text.strip():
            continue  # a recorded prompt, or an empty optional one (the block schema decides if it may be empty)
        voice = holder.get("voice")
        phrases.append(
            Phrase(
                node_id=node_id,
                path=(*path, "text"),
                text=text,
                language=str(holder.get("language") or language),
                voice=voice if isinstance(voice, str) and voice else default_voice,
                engine=engine,
            )
        )
    return phrases


async def prerender(
    document: Mapping[str, Any], tts: TextToSpeech, *, media: MediaRoot | None = None, concurrency: int = 2
) -> PrerenderReport:
    """Render every static phrase of `document` through `tts`; never raises for a phrase that fails.

    With `media`, recorded prompts naming an uploaded asset (`assets/...`) are checked to exist there too;
    other names (Asterisk's own sounds such as `vm-press`) are not ours to check."""
    report = PrerenderReport()
    if media is not None:
        report.missing_audio = [
            r
            for r in find_recordings(document)
            if r.name.startswith(f"{ASSET_FOLDER}/") and recording_missing(media, r.name)
        ]
    slots = asyncio.Semaphore(concurrency)

    async def one(phrase: Phrase) -> None:
        async with slots:
            try:
                media = await tts.render(
                    phrase.text, language=phrase.language, voice=phrase.voice, engine=phrase.engine
                )
            except TtsError as error:
                report.failed.append(PhraseFailure(phrase, str(error)))
            else:
                report.rendered.append((phrase, media))

    static: list[Phrase] = []
    for phrase in find_phrases(document):
        (report.deferred if is_template(phrase.text) else static).append(phrase)
    await asyncio.gather(*(one(phrase) for phrase in static))
    order = {id(p): i for i, p in enumerate(static)}
    report.rendered.sort(key=lambda item: order[id(item[0])])
    report.failed.sort(key=lambda failure: order[id(failure.phrase)])
    return report
